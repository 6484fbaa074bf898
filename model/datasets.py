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
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from features import AudioLoadError, load_audio

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


# ----------------------------------------------------------------------------- containers
class SkipLog(list):
    """Files passed over because they failed to load: a list of dicts {"file": str, "reason": str}."""

    def add(self, file, reason: str) -> None:
        self.append({"file": str(file), "reason": str(reason)})

    def summary(self) -> str:
        """One line per skipped file after a count, e.g. "2 file(s) skipped:\\n  a.wav: holds no samples"."""
        lines = [f"{len(self)} file(s) skipped" + (":" if self else "")]
        lines += [f"  {s['file']}: {s['reason']}" for s in self]
        return "\n".join(lines)


class WaveformDataset(torch.utils.data.Dataset):
    """Decoded clips in memory.

    Args:
        waveforms (list[np.ndarray]): float32 (T_i,) clips at `sample_rate`.
        labels (Sequence[int]): class ids, each 0 <= label < len(label_names).
        paths (Sequence[str]): file path (or synthetic name) per clip, used in messages and skip logs.
        label_names (list[str]): class names, index = class id.
        keys (Sequence[str] | None, None): content key per clip (sha1 of the file bytes, or of the
            waveform bytes for generated clips); None hashes the waveforms.
        sample_rate (int, 16000): rate of the waveforms in Hz.
        resampler (str, "soxr_hq"): resampler used when decoding (part of the cache key).

    Raises:
        ValueError: lengths differ, or a label is not an integer in [0, n_classes) (the file is named).

    Item i: (waveform np.float32 (T_i,), int label, str path).
    """

    def __init__(self, waveforms, labels, paths, label_names, keys=None, *, sample_rate: int = 16000,
                 resampler: str = "soxr_hq"):
        if not (len(waveforms) == len(labels) == len(paths)):
            raise ValueError(f"waveforms ({len(waveforms)}), labels ({len(labels)}) and paths "
                             f"({len(paths)}) must have the same length")
        self.waveforms = [np.asarray(w, dtype=np.float32) for w in waveforms]
        self.paths = [str(p) for p in paths]
        self.label_names = list(label_names)
        validate_labels(labels, len(self.label_names), self.paths)
        self.labels = [int(y) for y in labels]
        self.keys = list(keys) if keys is not None else [hashlib.sha1(w.tobytes()).hexdigest()
                                                         for w in self.waveforms]
        self.sample_rate = sample_rate
        self.resampler = resampler

    def __len__(self) -> int:
        return len(self.waveforms)

    def __getitem__(self, i):
        return self.waveforms[i], self.labels[i], self.paths[i]

    def subset(self, indices) -> "WaveformDataset":
        """A new dataset of the clips at `indices` (same label names)."""
        idx = list(indices)
        return WaveformDataset([self.waveforms[i] for i in idx], [self.labels[i] for i in idx],
                               [self.paths[i] for i in idx], self.label_names,
                               [self.keys[i] for i in idx], sample_rate=self.sample_rate,
                               resampler=self.resampler)

    def __repr__(self) -> str:
        return f"WaveformDataset(n={len(self)}, classes={len(self.label_names)}, sr={self.sample_rate})"


def validate_labels(labels, n_classes: int, paths: Sequence[str]) -> None:
    """Raise ValueError naming the first file whose label is not an integer in [0, n_classes)."""
    for y, p in zip(labels, paths):
        ok = isinstance(y, (int, np.integer)) and not isinstance(y, bool) and 0 <= y < n_classes
        if not ok:
            raise ValueError(f"{p}: label {y!r} is not an integer class id in [0, {n_classes})")


@dataclass
class Splits:
    """train / val / test datasets, class names (index = class id), the files skipped, and where
    they came from (name: "synthetic" | "fsdd" | "folder"; split: the FSDD split or None)."""

    train: WaveformDataset
    val: WaveformDataset
    test: WaveformDataset
    labels: list
    skipped: SkipLog = field(default_factory=SkipLog)
    name: Optional[str] = None
    split: Optional[str] = None


# ----------------------------------------------------------------------------- helpers
def default_cache_dir() -> Path:
    """$MFCC_BENCH_CACHE, else ~/.cache/mfcc-bench."""
    return Path(os.environ.get("MFCC_BENCH_CACHE") or Path.home() / ".cache" / "mfcc-bench")


def stratified_split(labels: Sequence[int], fraction: float, seed: int):
    """Split indices into (kept, taken), taking round(fraction * n_c) of each class c, seeded.

    A class with at least 2 members gives at least one when fraction > 0. Returns two sorted lists.
    """
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    kept, taken = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        n = int(round(len(idx) * fraction))
        if fraction > 0 and n == 0 and len(idx) >= 2:
            n = 1
        taken += idx[:n].tolist()
        kept += idx[n:].tolist()
    return sorted(kept), sorted(taken)


def stratified_take(labels: Sequence[int], k: int, seed: int) -> list:
    """Exactly min(k, n) indices, spread over the classes as evenly as possible (round robin over
    each class's seeded shuffle). Returns a sorted list."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    pools = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        pools.append(idx.tolist())
    order = [pool[r] for r in range(max(map(len, pools), default=0)) for pool in pools if r < len(pool)]
    return sorted(order[:k])


def _limit(items: list, limit: Optional[int], seed: int) -> list:
    """At most `limit` of the (path, label) `items`, stratified by label and seeded."""
    if limit is None or len(items) <= limit:
        return items
    return [items[i] for i in stratified_take([y for _, y in items], limit, seed)]


def _decode(items, label_names, sample_rate, resampler, skipped: SkipLog) -> WaveformDataset:
    """Decode (path, label) items; failures go to `skipped` and are left out."""
    waves, labels, paths, keys = [], [], [], []
    for path, label in tqdm(items, desc="decode", unit="file", leave=False, disable=None if len(items) > 200 else True):
        try:
            audio = load_audio(path, sample_rate, resampler=resampler)
            key = hashlib.sha1(Path(path).read_bytes()).hexdigest()
        except AudioLoadError as err:
            skipped.add(err.path, err.reason)
            continue
        waves.append(audio)
        labels.append(label)
        paths.append(str(path))
        keys.append(key)
    return WaveformDataset(waves, labels, paths, label_names, keys, sample_rate=sample_rate,
                           resampler=resampler)


def _build(parts: dict, label_names, *, sample_rate, resampler, seed, val_fraction, limit) -> Splits:
    """Decode {"train": items, "test": items[, "val": items]}; carve val from train where absent."""
    if not parts.get("val"):
        keep, take = stratified_split([y for _, y in parts["train"]], val_fraction, seed)
        parts = dict(parts, train=[parts["train"][i] for i in keep], val=[parts["train"][i] for i in take])
    skipped = SkipLog()
    out = {name: _decode(_limit(parts[name], limit, seed), label_names, sample_rate, resampler, skipped)
           for name in ("train", "val", "test")}
    n_tried = sum(len(_limit(parts[name], limit, seed)) for name in ("train", "val", "test"))
    if n_tried and all(len(d) == 0 for d in out.values()):
        raise RuntimeError(f"every one of the {n_tried} files failed to load:\n{skipped.summary()}")
    if len(out["train"]) == 0:
        raise RuntimeError(f"the training split is empty after skipping failures:\n{skipped.summary()}")
    return Splits(out["train"], out["val"], out["test"], list(label_names), skipped)


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
        ValueError: a checksum does not match, or `subdir` is missing. Nothing is left behind: the
            download and the unpacking go to temporary paths next to `dest`, removed on failure, and
            `dest` appears only by one rename once everything is verified.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_file = tempfile.mkstemp(prefix=".download-", suffix=".tar.gz", dir=dest.parent)
    tmp_dir = tempfile.mkdtemp(prefix=".unpack-", dir=dest.parent)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url) as response:
            while chunk := response.read(1 << 20):
                h.update(chunk)
                out.write(chunk)
        digest = h.hexdigest()
        if expected_sha256 is None:
            print(f"warning: {url} not checked (no archive checksum pinned); its sha256 is {digest}")
        elif digest != expected_sha256.lower():
            raise ValueError(f"{url}: sha256 {digest} does not match the expected {expected_sha256}")
        with tarfile.open(tmp_file, "r:gz") as tar:
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
            raise FileNotFoundError(f"{path}: no FSDD recordings/ folder there")
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
    """
    if manifest is not None:
        manifest = Path(manifest)
        with open(manifest, newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows or not {"path", "label"} <= set(rows[0]):
            raise ValueError(f"{manifest}: needs a header with columns path,label[,split] and rows")
        for r in rows:
            if not (r.get("label") or "").strip():
                raise ValueError(f"{r['path']}: label {r.get('label')!r} is empty in {manifest}")
        names = _sort_names(r["label"].strip() for r in rows)
        ids = {n: i for i, n in enumerate(names)}
        items = [(str(manifest.parent / r["path"]), ids[r["label"].strip()], (r.get("split") or "").strip())
                 for r in rows]
        if "split" not in rows[0]:
            return {"all": [(p, y) for p, y, _ in items]}, names
        aliases = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}
        parts = {"train": [], "val": [], "test": []}
        for p, y, s in items:
            if s.lower() not in aliases:
                raise ValueError(f"{p}: split {s!r} must be one of train, val, test")
            parts[aliases[s.lower()]].append((p, y))
        return parts, names
    if data_dir is None:
        raise ValueError("dataset='folder' needs data_dir (one sub-folder per class) or manifest (CSV)")
    root = Path(data_dir)
    classes = _sort_names(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not classes:
        raise ValueError(f"{root}: no class sub-folders")
    items = [(str(f), i) for i, c in enumerate(classes) for f in sorted((root / c).iterdir())
             if f.is_file() and not f.name.startswith(".")]
    return {"all": items}, classes


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
        ValueError: unknown dataset/split, or a bad manifest or label (the file named).
        RuntimeError: every file failed to load, or nothing is left to train on.
    """
    kw = dict(sample_rate=sample_rate, resampler=resampler, seed=seed, val_fraction=val_fraction,
              limit=limit)
    if dataset == "synthetic":
        from .synthetic import synthetic_splits

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
