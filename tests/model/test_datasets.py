"""Datasets: splits, skips, labels, manifests, the FSDD downloader."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from model import datasets as D
from model.datasets import (SkipLog, WaveformDataset, download_archive, fsdd_items, load_splits,
                            stratified_split)


# ----------------------------------------------------------------------------- FSDD splits
def _digit_speaker_index(path):
    digit, speaker, index = Path(path).stem.split("_")
    return int(digit), speaker, int(index)


def test_fsdd_official_split_by_index(fsdd_dir):
    parts = fsdd_items(fsdd_dir, "official")
    # The rule is index 0-4 test, 5-49 train. FSDD v1.0.10 has 6 speakers x 10 digits x 50 takes,
    # so that is 300 test / 2,700 train (the "500" in the data README counts a 10-speaker layout).
    assert len(parts["train"]) == 2700 and len(parts["test"]) == 300
    assert {p for p, _ in parts["train"]}.isdisjoint(p for p, _ in parts["test"])
    assert all(_digit_speaker_index(p)[2] < 5 for p, _ in parts["test"])
    assert all(_digit_speaker_index(p)[2] >= 5 for p, _ in parts["train"])
    assert all(_digit_speaker_index(p)[0] == y for p, y in parts["train"] + parts["test"])


def test_fsdd_speaker_split_by_name(fsdd_dir):
    parts = fsdd_items(fsdd_dir, "speakers")
    train_speakers = {_digit_speaker_index(p)[1] for p, _ in parts["train"]}
    test_speakers = {_digit_speaker_index(p)[1] for p, _ in parts["test"]}
    assert train_speakers == {"george", "jackson", "nicolas", "theo"}
    assert test_speakers == {"lucas", "yweweler"}
    assert len(parts["train"]) == 2000 and len(parts["test"]) == 1000


def test_fsdd_val_carved_from_train_only(fsdd_official):
    s = fsdd_official
    assert (len(s.train), len(s.val), len(s.test)) == (2430, 270, 300)
    assert s.labels == [str(d) for d in range(10)]
    train, val, test = set(s.train.paths), set(s.val.paths), set(s.test.paths)
    assert train.isdisjoint(val) and train.isdisjoint(test) and val.isdisjoint(test)
    assert all(_digit_speaker_index(p)[2] >= 5 for p in val)          # never from the test part
    assert Counter(s.val.labels) == {d: 27 for d in range(10)}       # stratified 10%
    assert len(s.skipped) == 0
    w, y, p = s.train[0]
    assert w.dtype == np.float32 and w.ndim == 1 and isinstance(y, int) and isinstance(p, str)


def test_stratified_split_is_seeded_and_stratified():
    labels = [0] * 50 + [1] * 30 + [2] * 20
    keep, take = stratified_split(labels, 0.1, seed=3)
    assert sorted(keep + take) == list(range(100)) and not set(keep) & set(take)
    assert Counter(labels[i] for i in take) == {0: 5, 1: 3, 2: 2}
    assert stratified_split(labels, 0.1, seed=3) == (keep, take)
    assert stratified_split(labels, 0.1, seed=4) != (keep, take)


# ----------------------------------------------------------------------------- synthetic
def test_synthetic_is_deterministic_and_sized(synthetic_splits):
    s = synthetic_splits
    assert (len(s.train), len(s.val), len(s.test)) == (720, 80, 200)
    assert len(s.labels) >= 8
    keys = [set(d.keys) for d in (s.train, s.val, s.test)]
    assert keys[0].isdisjoint(keys[1]) and keys[0].isdisjoint(keys[2]) and keys[1].isdisjoint(keys[2])
    again = load_splits("synthetic", seed=0, limit=20)
    assert again.train.keys == [k for k in again.train.keys]
    assert load_splits("synthetic", seed=0, limit=20).train.keys == again.train.keys
    assert load_splits("synthetic", seed=1, limit=20).train.keys != again.train.keys
    assert len(again.train) == 20 and len(again.test) == 20
    assert all(len(w) <= 16000 and np.isfinite(w).all() for w, _, _ in s.train)


# ----------------------------------------------------------------------------- folder and skips
def test_folder_skips_bad_files_with_reasons(tone_folder):
    s = load_splits("folder", data_dir=tone_folder, seed=0)
    assert s.labels == ["high", "low", "mid"]
    assert len(s.train) + len(s.val) + len(s.test) == 30
    skipped = {Path(x["file"]).name: x["reason"] for x in s.skipped}
    assert set(skipped) == {"corrupt.wav", "empty.wav", "notes.txt"}
    assert all(reason for reason in skipped.values())
    assert "no samples" in skipped["empty.wav"] or "not readable" in skipped["empty.wav"]
    assert "3 file(s) skipped" in s.skipped.summary()


def test_every_file_failing_is_an_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for name in ("a/x.wav", "a/y.wav", "b/x.wav", "b/y.wav"):
        (tmp_path / name).write_text("not audio")
    with pytest.raises(RuntimeError, match="every one of the 4 files failed"):
        load_splits("folder", data_dir=tmp_path)


def test_manifest_with_and_without_split(tone_folder, tmp_path):
    rows = [(f"tones/{c}/{c}_{i}.wav", c) for c in ("low", "high") for i in range(10)]
    plain = tmp_path / "plain.csv"
    plain.write_text("path,label\n" + "".join(f"{p},{c}\n" for p, c in rows))
    s = load_splits("folder", manifest=plain, seed=0)
    assert s.labels == ["high", "low"] and len(s.train) + len(s.val) + len(s.test) == 20
    assert Path(s.train.paths[0]).is_file()                      # resolved against the CSV's folder

    split = tmp_path / "split.csv"
    names = ["train"] * 6 + ["val"] * 2 + ["test"] * 2
    split.write_text("path,label,split\n" + "".join(f"{p},{c},{names[i % 10]}\n"
                                                    for i, (p, c) in enumerate(rows)))
    s = load_splits("folder", manifest=split)
    assert (len(s.train), len(s.val), len(s.test)) == (12, 4, 4)


def test_bad_label_names_the_file(tmp_path):
    w = [np.zeros(100, np.float32)] * 2
    with pytest.raises(ValueError, match=r"b\.wav: label 10"):
        WaveformDataset(w, [1, 10], ["a.wav", "b.wav"], [str(i) for i in range(10)])
    with pytest.raises(ValueError, match=r"a\.wav: label -1"):
        WaveformDataset(w, [-1, 0], ["a.wav", "b.wav"], ["x", "y"])
    bad = tmp_path / "m.csv"
    bad.write_text("path,label\nx.wav,cat\nmissing_label.wav,\n")
    with pytest.raises(ValueError, match=r"missing_label\.wav: label"):
        load_splits("folder", manifest=bad)


# ----------------------------------------------------------------------------- downloader
def _leftovers(folder: Path):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_right_checksum_accepted(tiny_archive, tmp_path):
    url, sha, content = tiny_archive
    dest = tmp_path / "cache" / "fsdd-v1.0.10"
    assert download_archive(url, sha, dest, content_sha256=content) == dest
    assert sorted(os.listdir(dest / "recordings")) == ["0_test_0.wav", "1_test_0.wav", "2_test_0.wav"]
    assert _leftovers(dest.parent) == ["fsdd-v1.0.10"]                # no temp files left
    assert D.content_fingerprint(dest / "recordings") == content


@pytest.mark.parametrize("which", ["archive", "content"])
def test_download_wrong_checksum_refused(tiny_archive, tmp_path, which):
    url, sha, content = tiny_archive
    dest = tmp_path / "cache" / "fsdd-v1.0.10"
    bad = "0" * 64
    with pytest.raises(ValueError, match="sha256|fingerprint"):
        download_archive(url, bad if which == "archive" else sha, dest,
                         content_sha256=bad if which == "content" else content)
    assert not dest.exists()
    assert _leftovers(dest.parent) == []                              # nothing half-written


def test_fsdd_dir_resolution(tiny_archive, tmp_path, monkeypatch):
    url, sha, content = tiny_archive
    monkeypatch.delenv("FSDD_DIR", raising=False)
    monkeypatch.setenv("MFCC_BENCH_CACHE", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError):
        D.fsdd_dir(download=False)
    cached = download_archive(url, sha, tmp_path / "cache" / D.FSDD_DIRNAME, content_sha256=content)
    assert D.fsdd_dir(download=False) == cached
    other = tmp_path / "other"
    (other / "recordings").mkdir(parents=True)
    monkeypatch.setenv("FSDD_DIR", str(other))
    assert D.fsdd_dir() == other
    assert D.fsdd_dir(cached / "recordings") == cached               # data_dir wins, recordings/ ok
    assert D.FSDD_CONTENT_SHA256 == "45a9b976ba3397a2fd5c70a9f2e43c34f442a3a6be47392ecfc41174b678f37e"


def test_fsdd_content_fingerprint_matches_readme(fsdd_dir):
    assert D.content_fingerprint(fsdd_dir / "recordings") == D.FSDD_CONTENT_SHA256


def test_skiplog_records():
    log = SkipLog()
    log.add("a.wav", "holds no samples")
    assert log == [{"file": "a.wav", "reason": "holds no samples"}]
