"""One dataset interface over three sources: FSDD, a local folder or CSV manifest, synthetic vowels.

Every source ends in `WaveformDataset`: a `torch.utils.data.Dataset` of already decoded clips, each
item `(waveform np.float32 (T,) at the target rate, int label, str path)`. Decoding happens up front
when a split is built, so files that fail to load are known (and recorded in a `SkipLog`) before
any training starts. `load_splits` is the one entry point the trainer, CLI and harness use.
"""
from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

from tqdm.auto import tqdm

from features import AudioLoadError, load_audio

from .splits import SkipLog, Splits, WaveformDataset, stratified_split, stratified_take
from .synthetic import synthetic_splits

FSDD_URL = "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz"
# SHA-256 of the archive at FSDD_URL. Unknown until the first real download (this project was built
# offline): fill it in from the digest `download_fsdd` prints. While None, the archive is not checked
# but the unpacked recordings still must match FSDD_CONTENT_SHA256 below.
FSDD_ARCHIVE_SHA256: Optional[str] = None
# From the FSDD README: sha256 over, for every recording in sorted name order, name bytes then content.
FSDD_CONTENT_SHA256 = "45a9b976ba3397a2fd5c70a9f2e43c34f442a3a6be47392ecfc41174b678f37e"
FSDD_DIRNAME = "fsdd-v1.0.10"
FSDD_TRAIN_SPEAKERS = ("george", "jackson", "nicolas", "theo")
FSDD_TEST_SPEAKERS = ("lucas", "yweweler")
FSDD_NAME = re.compile(r"^(\d)_([a-z]+)_(\d+)\.wav$")
DATASETS = ("synthetic", "fsdd", "folder")
SPLITS = ("official", "speakers")


# ----------------------------------------------------------------------------- helpers
def default_cache_dir() -> Path:
    """$MFCC_BENCH_CACHE, else ~/.cache/mfcc-bench."""
    return Path(os.environ.get("MFCC_BENCH_CACHE") or Path.home() / ".cache" / "mfcc-bench")


def _limit(items: list, limit: Optional[int], seed: int) -> list:
    """At most `limit` of the (path, label) `items`, stratified by label and seeded."""
    if limit is None or len(items) <= limit:
        return items
    return [items[i] for i in stratified_take([y for _, y in items], limit, seed)]


def _decode(items, label_names, sample_rate, resampler, skipped: SkipLog, seen: dict) -> WaveformDataset:
    """Decode (path, label) items; failures go to `skipped` and are left out. `seen` maps content key
    -> (path, label) over every split decoded so far: a second copy of the same bytes is skipped
    (it would otherwise sit in two splits, or count twice), the same bytes under two labels raise."""
    waves, labels, paths, keys = [], [], [], []
    for path, label in tqdm(items, desc="decode", unit="file", leave=False, disable=None if len(items) > 200 else True):
        try:
            audio = load_audio(path, sample_rate, resampler=resampler)
            key = hashlib.sha1(Path(path).read_bytes()).hexdigest()
        except AudioLoadError as err:
            skipped.add(err.path, err.reason)
            continue
        if key in seen:
            first, first_label = seen[key]
            if first_label != label:
                raise ValueError(f"{path}: the same audio as {first}, but labelled {label_names[label]!r} "
                                 f"there {label_names[first_label]!r}; remove one of them")
            skipped.add(path, f"the same audio as {first} (kept once)")
            continue
        seen[key] = (str(path), label)
        waves.append(audio)
        labels.append(label)
        paths.append(str(path))
        keys.append(key)
    return WaveformDataset(waves, labels, paths, label_names, keys, sample_rate=sample_rate,
                           resampler=resampler)


def _build(parts: dict, label_names, *, sample_rate, resampler, seed, val_fraction, limit) -> Splits:
    """Decode {"train": items, "test": items[, "val": items]}; carve val from train where absent.

    Raises RuntimeError naming the split and why when any split ends up empty."""
    carved = not parts.get("val")
    if carved:
        keep, take = stratified_split([y for _, y in parts["train"]], val_fraction, seed)
        parts = dict(parts, train=[parts["train"][i] for i in keep], val=[parts["train"][i] for i in take])
    skipped, seen, out = SkipLog(), {}, {}
    limited = {name: _limit(parts[name], limit, seed) for name in ("train", "val", "test")}
    for name in ("train", "val", "test"):
        out[name] = _decode(limited[name], label_names, sample_rate, resampler, skipped, seen)
    n_tried = sum(map(len, limited.values()))
    if n_tried and all(len(d) == 0 for d in out.values()):
        raise RuntimeError(f"every one of the {n_tried} files failed to load:\n{skipped.summary()}")
    for name in ("train", "val", "test"):
        if len(out[name]) == 0:
            raise RuntimeError(f"the {name} split is empty: {_why_empty(name, limited[name], carved, val_fraction)}"
                               + (f"\n{skipped.summary()}" if limited[name] else ""))
    return Splits(out["train"], out["val"], out["test"], list(label_names), skipped)


def _why_empty(name: str, tried: list, carved: bool, val_fraction: float) -> str:
    if tried:
        return f"all {len(tried)} of its files were skipped"
    if name == "val" and carved:
        return (f"val_fraction={val_fraction} takes no clip from the training part (classes too small); "
                "raise it or list val rows in the manifest")
    if name == "train" and carved:
        return f"val_fraction={val_fraction} leaves no training clips; lower it"
    return f"the source has no {name} clips (a manifest's split column names none)"


# ----------------------------------------------------------------------------- FSDD
def content_fingerprint(folder) -> str:
    """sha256 over, for every file in `folder` in sorted name order, its name bytes then its bytes."""
    h = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        h.update(name.encode())
        h.update(Path(folder, name).read_bytes())
    return h.hexdigest()


def download_archive(url: str, expected_sha256: Optional[str], dest, *,
                     content_sha256: Optional[str] = None, subdir: str = "recordings") -> Path:
    """Download a .tar.gz, check it, unpack it, and move the folder holding `subdir` to `dest`.

    Args:
        url (str): http(s) or file:// address of a gzip tarball.
        expected_sha256 (str | None): the archive's SHA-256; None skips the check (prints the digest).
        dest (str | Path): final folder; it will contain `subdir`. Its parent is created if needed.
        content_sha256 (str | None, None): `content_fingerprint` the unpacked `subdir` must have.
        subdir (str, "recordings"): folder the archive must contain (at top level or one level down).

    Returns:
        Path: `dest`.

    Raises:
        RuntimeError: the download failed (offline, HTTP error, timeout), in one line.
        ValueError: a checksum does not match, the archive is unreadable, or `subdir` is missing.
            Nothing is left behind: the
            download and the unpacking go to temporary paths next to `dest`, removed on failure, and
            `dest` appears only by one rename once everything is verified.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_file = tempfile.mkstemp(prefix=".download-", suffix=".tar.gz", dir=dest.parent)
    tmp_dir = tempfile.mkdtemp(prefix=".unpack-", dir=dest.parent)
    try:
        h = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
                while chunk := response.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
        except (urllib.error.URLError, OSError) as err:       # offline, DNS, HTTP 404, timeout, disk full
            reason = getattr(err, "reason", None) or err
            raise RuntimeError(f"could not download {url} ({reason}); put the data there yourself and "
                               "point to it (FSDD: --data-dir or $FSDD_DIR)") from None
        digest = h.hexdigest()
        if expected_sha256 is None:
            print(f"warning: {url} not checked (no archive checksum pinned); its sha256 is {digest}")
        elif digest != expected_sha256.lower():
            raise ValueError(f"{url}: sha256 {digest} does not match the expected {expected_sha256}")
        try:
            tar = tarfile.open(tmp_file, "r:gz")
        except (tarfile.TarError, OSError) as err:
            raise ValueError(f"{url}: not a readable .tar.gz archive ({err})") from None
        with tar:
            if hasattr(tarfile, "data_filter"):      # refuses links, absolute paths, ../ escapes
                tar.extractall(tmp_dir, filter="data")
            else:
                for member in tar.getmembers():
                    if not (member.isfile() or member.isdir()) or member.name.startswith("/") \
                            or ".." in Path(member.name).parts:
                        raise ValueError(f"{url}: unsafe archive member {member.name!r}")
                tar.extractall(tmp_dir)
        candidates = [Path(tmp_dir)] + [p for p in Path(tmp_dir).iterdir() if p.is_dir()]
        root = next((p for p in candidates if (p / subdir).is_dir()), None)
        if root is None:
            raise ValueError(f"{url}: the archive has no {subdir}/ folder")
        if content_sha256 is not None:
            found = content_fingerprint(root / subdir)
            if found != content_sha256.lower():
                raise ValueError(f"{url}: content fingerprint of {subdir}/ is {found}, expected {content_sha256}")
        os.replace(root, dest)
        return dest
    finally:
        if os.path.exists(tmp_file):
            os.remove(tmp_file)
        shutil.rmtree(tmp_dir, ignore_errors=True)


def fsdd_dir(data_dir=None, *, download: bool = True) -> Path:
    """The FSDD folder (holding recordings/): `data_dir`, else $FSDD_DIR, else the cached copy
    under `default_cache_dir()`, else a fresh verified download into that cache."""
    for candidate in (data_dir, os.environ.get("FSDD_DIR")):
        if candidate:
            path = Path(candidate)
            if path.name == "recordings" and path.is_dir():
                return path.parent
            if (path / "recordings").is_dir():
                return path
            what = "no such folder" if not path.exists() else "a file, not a folder" if not path.is_dir() \
                else "no FSDD recordings/ folder there"
            raise FileNotFoundError(f"{path}: {what}")
    cached = default_cache_dir() / FSDD_DIRNAME
    if (cached / "recordings").is_dir():
        return cached
    if not download:
        raise FileNotFoundError(f"FSDD not found (no data_dir, no $FSDD_DIR, nothing at {cached})")
    print(f"downloading FSDD from {FSDD_URL} into {cached}")
    return download_archive(FSDD_URL, FSDD_ARCHIVE_SHA256, cached, content_sha256=FSDD_CONTENT_SHA256)


def fsdd_items(root, split: str = "official") -> dict:
    """{"train": [(path, digit)], "test": [...]} for FSDD at `root` under `split`."""
    if split not in SPLITS:
        raise ValueError(f"split={split!r}: must be one of {SPLITS}")
    parts = {"train": [], "test": []}
    for name in sorted(os.listdir(Path(root) / "recordings")):
        m = FSDD_NAME.match(name)
        if not m:
            continue
        digit, speaker, index = int(m.group(1)), m.group(2), int(m.group(3))
        item = (str(Path(root) / "recordings" / name), digit)
        if split == "official":
            parts["test" if index < 5 else "train"].append(item)
        elif speaker in FSDD_TRAIN_SPEAKERS:
            parts["train"].append(item)
        elif speaker in FSDD_TEST_SPEAKERS:
            parts["test"].append(item)
    return parts


# ----------------------------------------------------------------------------- folder / manifest
def _sort_names(names) -> list:
    """Class names sorted numerically where all are integers, else alphabetically."""
    names = set(names)
    if all(re.fullmatch(r"-?\d+", n) for n in names):
        return sorted(names, key=int)
    return sorted(names)


def folder_items(data_dir=None, manifest=None):
    """(parts, label_names) from a class-per-sub-folder tree or a CSV manifest.

    parts is {"all": items} when no split is given, else {"train", "val"?, "test"} item lists.
    Items are (absolute resolved path, class id); see `manifest_items` for the manifest rules.
    """
    if manifest is not None:
        return manifest_items(manifest)
    if data_dir is None:
        raise ValueError("dataset='folder' needs data_dir (one sub-folder per class) or manifest (CSV)")
    root = Path(data_dir)
    if not root.is_dir():
        raise ValueError(f"{root}: {'is a file, not a folder' if root.exists() else 'no such folder'} "
                         "(data_dir needs one sub-folder per class)")
    classes = _sort_names(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not classes:
        raise ValueError(f"{root}: no class sub-folders (data_dir needs one sub-folder per class)")
    files = {c: [f for f in sorted((root / c).iterdir()) if f.is_file() and not f.name.startswith(".")]
             for c in classes}
    empty = [c for c in classes if not files[c]]
    if empty:
        raise ValueError(f"{root}: class folder(s) {', '.join(empty[:10])} hold no files"
                         + (f" (nor do the other {len(classes) - len(empty)})" if len(empty) == len(classes) else
                            "; remove them or add recordings"))
    items = [(str(f.resolve()), i) for i, c in enumerate(classes) for f in files[c]]
    return {"all": items}, classes


def manifest_items(manifest):
    """(parts, label_names) from a CSV manifest with columns path, label and an optional split.

    Rules: UTF-8 text (a byte-order mark is fine); header names are matched without surrounding
    spaces or case; path, label and split values are stripped of surrounding spaces; relative paths
    are resolved against the CSV's folder. A file listed twice (under any spelling of its path) is
    counted once; the same file under two labels, or in two splits, is refused naming the file.
    """
    manifest = Path(manifest)
    if manifest.is_dir():
        raise ValueError(f"{manifest}: is a folder, not a CSV manifest")
    if not manifest.is_file():
        raise ValueError(f"{manifest}: no such manifest file")
    try:
        with open(manifest, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip().lower() for h in next(reader, [])]
            rows = [dict(zip(header, (v.strip() for v in r))) for r in reader if any(v.strip() for v in r)]
    except UnicodeDecodeError as err:
        raise ValueError(f"{manifest}: not UTF-8 text (byte {err.object[err.start]:#04x} at offset "
                         f"{err.start}); save it as UTF-8") from None
    except csv.Error as err:
        raise ValueError(f"{manifest}: not a readable CSV ({err})") from None
    if not {"path", "label"} <= set(header):
        raise ValueError(f"{manifest}: the header {header} needs columns path,label[,split]")
    if not rows:
        raise ValueError(f"{manifest}: has a header but no rows")
    for r in rows:
        if not r.get("label"):
            raise ValueError(f"{r.get('path')}: label {r.get('label')!r} is empty in {manifest}")
        if not r.get("path"):
            raise ValueError(f"{manifest}: a row with label {r['label']!r} has no path")
    names = _sort_names(r["label"] for r in rows)
    ids = {n: i for i, n in enumerate(names)}
    has_split = "split" in header
    aliases = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}
    seen = {}          # resolved path -> (label, split)
    parts = {"train": [], "val": [], "test": []} if has_split else {"all": []}
    for r in rows:
        path = str((manifest.parent / r["path"]).resolve())
        part = "all"
        if has_split:
            part = aliases.get((r.get("split") or "").lower())
            if part is None:
                raise ValueError(f"{path}: split {r.get('split')!r} must be one of train, val, test")
        if path in seen:
            label, where = seen[path]
            if label != r["label"]:
                raise ValueError(f"{path}: listed twice in {manifest}, with labels {label!r} and {r['label']!r}")
            if where != part:
                raise ValueError(f"{path}: listed twice in {manifest}, in splits {where} and {part}")
            continue
        seen[path] = (r["label"], part)
        parts[part].append((path, ids[r["label"]]))
    return parts, names


# ----------------------------------------------------------------------------- entry point
def load_splits(dataset: str = "synthetic", *, data_dir=None, split: str = "official",
                sample_rate: int = 16000, resampler: str = "soxr_hq", seed: int = 0,
                val_fraction: float = 0.1, manifest=None, limit: Optional[int] = None,
                test_fraction: float = 0.2) -> Splits:
    """Decode a dataset into train / val / test splits.

    Args:
        dataset (str, "synthetic"): "synthetic" (generated vowels, see model.synthetic), "fsdd" or
            "folder" (data_dir with one sub-folder per class, or a CSV `manifest`).
        data_dir (str | Path | None): FSDD folder (else $FSDD_DIR, cache, download) or folder root.
        split (str, "official"): FSDD only: "official" (index 0-4 test) or "speakers" (lucas and
            yweweler held out).
        sample_rate (int, 16000), resampler (str, "soxr_hq"): what `features.load_audio` gets.
        seed (int, 0): seeds every random split and the synthetic generator.
        val_fraction (float, 0.1): share of each class of the training part kept for validation
            (the test part is never touched); ignored where a manifest names a val split.
        manifest (str | Path | None): CSV with columns path, label, optional split (train/val/test);
            relative paths are resolved against the CSV's folder.
        limit (int | None): at most this many clips per split (stratified, seeded), for quick runs.
        test_fraction (float, 0.2): test share (stratified) where the source has no split of its own.

    Returns:
        Splits: train, val, test (WaveformDataset), labels (list[str]), skipped (SkipLog).

    Raises:
        ValueError: unknown dataset/split; limit not a positive integer; val_fraction or test_fraction
            not strictly between 0 and 1; a bad folder, manifest or label (the file named); the same
            file or audio under two labels.
        RuntimeError: every file failed to load, or a split is empty (the message names it and why);
            FSDD could not be downloaded.
        FileNotFoundError: no FSDD where data_dir or $FSDD_DIR points.
    """
    _check_arguments(dataset, split, limit, val_fraction, test_fraction, seed)
    kw = dict(sample_rate=sample_rate, resampler=resampler, seed=seed, val_fraction=val_fraction,
              limit=limit)
    if dataset == "synthetic":
        return synthetic_splits(sample_rate=sample_rate, seed=seed, val_fraction=val_fraction,
                                test_fraction=test_fraction, limit=limit)
    if dataset == "fsdd":
        splits = _build(fsdd_items(fsdd_dir(data_dir), split), [str(d) for d in range(10)], **kw)
        splits.name, splits.split = "fsdd", split
        return splits
    if dataset == "folder":
        parts, names = folder_items(data_dir, manifest)
        if "all" in parts:
            items = parts["all"]
            keep, take = stratified_split([y for _, y in items], test_fraction, seed)
            parts = {"train": [items[i] for i in keep], "test": [items[i] for i in take]}
        splits = _build(parts, names, **kw)
        splits.name = "folder"
        return splits
    raise ValueError(f"dataset={dataset!r}: must be one of {DATASETS}")


def _check_arguments(dataset, split, limit, val_fraction, test_fraction, seed) -> None:
    """ValueError naming the first argument of load_splits that cannot be used."""
    def number(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if dataset not in DATASETS:
        raise ValueError(f"dataset={dataset!r}: must be one of {DATASETS}")
    if split not in SPLITS:
        raise ValueError(f"split={split!r}: must be one of {SPLITS}")
    if limit is not None and not (isinstance(limit, int) and not isinstance(limit, bool) and limit >= 1):
        raise ValueError(f"limit={limit!r}: must be None or a positive integer (clips per split)")
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not (number(value) and 0 < value < 1):
            raise ValueError(f"{name}={value!r}: must be a fraction strictly between 0 and 1 "
                             "(both parts need clips)")
    if not (isinstance(seed, int) and not isinstance(seed, bool)):
        raise ValueError(f"seed={seed!r}: must be an integer")
