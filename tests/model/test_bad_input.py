"""Issue 13: bad input gets a one-line error or a reported skip, never a silent wrong result, a lost
run or a traceback (the model/ side: datasets, cache, training, the model.train CLI)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from common.atomic_write import write_text_atomic
from model import datasets as D
from model.cache import FeatureCache
from model.datasets import Splits, load_splits
from common.cli_options import check_dataset_options, check_out_dir
from model.train import dataset_features, main, metrics_text, strict_json, train_and_evaluate
from tests.floats import assert_rounding_close, same_bytes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_folder(tmp_path, rng, tone_writer):
    """classes a/ b/ with 6 tones each (8 kHz, 0.3 s)."""
    root = tmp_path / "data"
    for c, f in (("a", 400), ("b", 2000)):
        for i in range(6):
            tone_writer(root / c / f"{i}.wav", f * (1 + 0.03 * i), rng)
    return root


def _train(splits, tmp_path, **kw):
    from features import MFCCConfig

    return train_and_evaluate(backend="librosa", cfg=MFCCConfig.preset("matched"), splits=splits, epochs=1,
                              cache_dir=tmp_path / "cache", progress=False, **kw)


# ----------------------------------------------------------------------------- non-finite features
@pytest.mark.slow
def test_absurd_float_wav_is_skipped_with_a_reason(small_folder, tmp_path, rng):
    y = (0.5 * np.sin(np.arange(2400) / 3) * 1e20).astype(np.float32)      # finite, absurd
    sf.write(small_folder / "a" / "huge.wav", y, 8000, subtype="FLOAT")
    splits = load_splits("folder", data_dir=small_folder, seed=0)
    trained, m = _train(splits, tmp_path)
    reasons = {Path(s["file"]).name: s["reason"] for s in m["skipped"]}
    assert "MFCCs are not finite" in reasons["huge.wav"] and "e+19" in reasons["huge.wav"]
    assert m["n_train"] + m["n_val"] + m["n_test"] == 12 and m["n_skipped"] == 1
    assert all(np.isfinite(h["train_loss"]) for h in m["history"])         # before: every loss NaN
    assert torch.isfinite(trained.net.mean).all()
    stored = list((tmp_path / "cache").rglob("*.npy"))
    assert len(stored) == 12 and all(np.isfinite(np.load(p)).all() for p in stored)   # never cached


def test_nan_cache_entry_is_a_miss_and_recomputed(tmp_path, cfg):
    data = load_splits("synthetic", limit=3).train
    cache = FeatureCache(tmp_path)
    ref = dataset_features("librosa", cfg, data, cache=cache)
    entry = sorted(tmp_path.rglob("*.npy"))[0]
    bad = np.load(entry)
    bad[0, 0] = np.nan
    np.save(entry, bad)
    again = dataset_features("librosa", cfg, data, cache=cache)
    assert torch.isfinite(again).all()
    assert (cache.hits, cache.misses, cache.rejected) == (2, 4, 1)
    # the two hits are the stored bytes; the recomputed clip ran alone instead of in a batch of three,
    # so it equals its first value to float32 rounding (tests/floats.py), not bit for bit
    assert sum(same_bytes(a, r) for a, r in zip(again, ref)) >= 2
    assert_rounding_close(again, ref)
    assert np.isfinite(np.load(entry)).all()                                # rewritten


@pytest.mark.slow
def test_non_finite_loss_stops_training(monkeypatch, tmp_path, capsys):
    import model.fit

    monkeypatch.setattr(model.fit, "augment", lambda x, gen: x * float("nan"))
    with pytest.raises(RuntimeError, match=r"^training stopped at epoch 1, batch 1: the loss is nan"):
        _train(load_splits("synthetic", limit=20), tmp_path)
    out = tmp_path / "run"
    assert main(["--backend", "librosa", "--limit", "20", "--epochs", "2", "--no-progress",
                 "--cache-dir", str(tmp_path / "cache"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: training stopped at epoch 1") and not out.exists()


# ----------------------------------------------------------------------------- duplicates
def test_manifest_duplicates_counted_once_and_conflicts_named(small_folder, tmp_path):
    rows = [(f"data/{c}/{i}.wav", c) for c in ("a", "b") for i in range(6)]
    text = "path,label\n" + "".join(f"{p},{c}\n" for p, c in rows)
    text += f"data/a/0.wav,a\n{small_folder / 'a' / '1.wav'},a\ndata/../data/a/2.wav,a\n"   # 3 repeats
    m = tmp_path / "dup.csv"
    m.write_text(text)
    s = load_splits("folder", manifest=m, seed=0)
    paths = s.train.paths + s.val.paths + s.test.paths
    assert len(paths) == len(set(paths)) == 12                            # before: 15, one in two splits
    m.write_text(text + "data/b/3.wav,a\n")
    with pytest.raises(ValueError, match=r"data/b/3\.wav: listed twice .* labels 'b' and 'a'"):
        load_splits("folder", manifest=m)
    split = tmp_path / "split.csv"
    split.write_text("path,label,split\ndata/a/0.wav,a,train\ndata/a/0.wav,a,test\n")
    with pytest.raises(ValueError, match=r"a/0\.wav: listed twice .* splits train and test"):
        load_splits("folder", manifest=split)


def test_same_audio_under_two_names(small_folder):
    data = (small_folder / "a" / "0.wav").read_bytes()
    (small_folder / "a" / "copy.wav").write_bytes(data)
    s = load_splits("folder", data_dir=small_folder, seed=0)
    assert len(s.skipped) == 1 and "the same audio as" in s.skipped[0]["reason"]
    assert {Path(s.skipped[0]["file"]).name, Path(s.skipped[0]["reason"].split()[4]).name} == {"0.wav", "copy.wav"}
    assert len(s.train) + len(s.val) + len(s.test) == 12
    (small_folder / "b" / "copy.wav").write_bytes(data)
    with pytest.raises(ValueError, match="the same audio as .* labelled"):
        load_splits("folder", data_dir=small_folder, seed=0)


# ----------------------------------------------------------------------------- options
@pytest.mark.parametrize("args, message", [
    (["--data-dir", "."], "--data-dir applies to --dataset fsdd or folder only"),
    (["--dataset", "fsdd", "--manifest", "m.csv"], "--manifest applies to --dataset folder only"),
    (["--split", "speakers"], "--split applies to --dataset fsdd only"),
    (["--dataset", "folder"], "needs --data-dir"),
])
def test_options_that_cannot_apply_are_refused(args, message, tmp_path, capsys):
    assert main(["--backend", "librosa", "--out", str(tmp_path / "o")] + args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and not (tmp_path / "o").exists()


@pytest.mark.parametrize("option, value", [
    ("--epochs", "0"), ("--epochs", "-3"), ("--limit", "-5"), ("--limit", "0"), ("--val-fraction", "-0.5"),
    ("--val-fraction", "1"), ("--val-fraction", "0"), ("--val-fraction", "nan"), ("--seed", "-1"),
    ("--epochs", "two"),
])
def test_numeric_options_validated(option, value, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--backend", "librosa", "--out", str(tmp_path / "o"), option, value])
    assert stop.value.code == 2 and f"argument {option}" in capsys.readouterr().err


@pytest.mark.parametrize("kw, message", [
    (dict(limit=0), "limit=0"), (dict(limit=-5), "limit=-5"), (dict(val_fraction=1.0), "val_fraction=1.0"),
    (dict(val_fraction=-0.5), "val_fraction"), (dict(test_fraction=0), "test_fraction"),
    (dict(split="other"), "split="),
])
def test_load_splits_arguments_validated(kw, message):
    with pytest.raises(ValueError, match=message):
        load_splits("synthetic", **kw)


def test_epochs_below_one_refused(cfg):
    with pytest.raises(ValueError, match="epochs=0"):
        train_and_evaluate(backend="librosa", cfg=cfg, splits=load_splits("synthetic", limit=10), epochs=0,
                           cache_dir=False)


def test_check_dataset_options_paths(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(ValueError, match="--data-dir .*is a file"):
        check_dataset_options("folder", f, None, None)
    with pytest.raises(ValueError, match="--manifest .*is a folder"):
        check_dataset_options("folder", None, tmp_path, None)
    with pytest.raises(ValueError, match="not both"):
        check_dataset_options("folder", tmp_path, f, None)
    check_dataset_options("fsdd", tmp_path, None, "speakers")
    check_dataset_options("synthetic", None, None, None)


def test_out_dir_checked_before_any_work(tmp_path, capsys):
    f = tmp_path / "taken"
    f.write_text("x")
    start = time.perf_counter()
    assert main(["--backend", "librosa", "--cache-dir", str(tmp_path / "cache"), "--out", str(f)]) == 2
    assert "is a file" in capsys.readouterr().err and not (tmp_path / "cache").exists()
    assert time.perf_counter() - start < 5                                  # refused, not trained
    with pytest.raises(ValueError, match="cannot be created, .* is a file"):
        check_out_dir(f / "sub")
    (tmp_path / "o" / "model.pt").mkdir(parents=True)
    with pytest.raises(ValueError, match="model.pt there is a folder"):
        check_out_dir(tmp_path / "o", files=("model.pt",))
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        with pytest.raises(ValueError, match="not writable"):
            check_out_dir(ro / "x")
    assert check_out_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()                                  # checks create nothing


# ----------------------------------------------------------------------------- strict JSON, empty splits
def test_metrics_json_is_strict(tmp_path):
    data = {"a": float("nan"), "h": [{"val_loss": float("inf")}], "ok": 1.5}
    assert strict_json(data) == {"a": None, "h": [{"val_loss": None}], "ok": 1.5,
                                 "not_finite": {"a": "nan", "h[0].val_loss": "inf"}}
    write_text_atomic(tmp_path / "m.json", metrics_text(data))
    text = (tmp_path / "m.json").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))


def test_empty_splits_refused_naming_the_split(small_folder, tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("path,label,split\n" + "".join(f"{small_folder}/{c}/{i}.wav,{c},train\n"
                                                for c in "ab" for i in range(6)))
    with pytest.raises(RuntimeError, match="the test split is empty: the source has no test clips"):
        load_splits("folder", manifest=m)
    one = tmp_path / "one"
    for c in "ab":
        (one / c).mkdir(parents=True)
        (one / c / "x.wav").write_bytes((small_folder / c / "0.wav").read_bytes())
        (one / c / "y.wav").write_bytes((small_folder / c / "1.wav").read_bytes())
    with pytest.raises(RuntimeError, match="the train split is empty: val_fraction=0.9 leaves no training"):
        load_splits("folder", data_dir=one, val_fraction=0.9, test_fraction=0.4)
    good = load_splits("synthetic", limit=10)
    empty = good.test.subset([])
    with pytest.raises(ValueError, match="the test split is empty"):
        _train(Splits(good.train, good.val, empty, good.labels), tmp_path)


# ----------------------------------------------------------------------------- one-line errors
def test_folder_and_manifest_of_the_wrong_kind(tmp_path, capsys):
    f = tmp_path / "f.txt"
    f.write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        load_splits("folder", data_dir=f)
    with pytest.raises(ValueError, match="is a folder, not a CSV"):
        load_splits("folder", manifest=tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / ".hidden").write_text("x")
    with pytest.raises(ValueError, match="class folder.* a, b hold no files"):
        load_splits("folder", data_dir=tmp_path)
    assert main(["--backend", "librosa", "--dataset", "folder", "--data-dir", str(tmp_path),
                 "--out", str(tmp_path / "o")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_some_empty_class_folder_refused(small_folder):
    (small_folder / "c").mkdir()
    with pytest.raises(ValueError, match=r"class folder\(s\) c hold no files; remove them"):
        load_splits("folder", data_dir=small_folder)


def test_offline_fsdd_download_is_one_line(monkeypatch, tmp_path, capsys):
    def offline(*a, **k):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(D.urllib.request, "urlopen", offline)
    monkeypatch.delenv("FSDD_DIR", raising=False)
    monkeypatch.setenv("MFCC_BENCH_CACHE", str(tmp_path / "cache"))
    with pytest.raises(RuntimeError, match="could not download .*name resolution.*--data-dir or \\$FSDD_DIR"):
        D.fsdd_dir()
    assert main(["--backend", "librosa", "--dataset", "fsdd", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: could not download") and len([e for e in err if "error" in e]) == 1
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []            # no partial download left


def test_csv_header_bom_and_spaces_accepted_latin1_named(small_folder, tmp_path):
    m = tmp_path / "m.csv"
    body = "".join(f"data/{c}/{i}.wav , {c}\n" for c in "ab" for i in range(6))
    m.write_bytes("\ufeff Path , Label \n".encode("utf-8") + body.encode())
    s = load_splits("folder", manifest=m, seed=0)
    assert s.labels == ["a", "b"] and len(s.train) + len(s.val) + len(s.test) == 12
    m.write_bytes("path,label\n".encode() + "data/a/0.wav,caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=rf"{m.name}: not UTF-8 text \(byte 0xe9"):
        load_splits("folder", manifest=m)
    m.write_text("file,class\nx.wav,a\n")
    with pytest.raises(ValueError, match=r"the header \['file', 'class'\] needs columns path,label"):
        load_splits("folder", manifest=m)


def test_cut_short_wav_in_a_folder_is_skipped(small_folder):
    f = small_folder / "a" / "0.wav"
    f.write_bytes(f.read_bytes()[:-1000])
    s = load_splits("folder", data_dir=small_folder, seed=0)
    assert [(Path(x["file"]).name, x["reason"].split(":")[0]) for x in s.skipped] == [("0.wav", "data chunk cut short")]


# ----------------------------------------------------------------------------- litter
@pytest.mark.slow
def test_sigterm_leaves_no_temporary_file_in_the_cache(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    child = f"""
import sys, time, numpy as np
real = np.save
def slow_save(f, arr, *a, **k):
    real(f, arr, *a, **k)
    print("saving", flush=True)
    time.sleep(60)
np.save = slow_save
from model.train import main
sys.exit(main(["--backend", "librosa", "--limit", "10", "--epochs", "1", "--no-progress",
               "--cache-dir", {str(cache)!r}, "--out", {str(out)!r}]))
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "saving"
        partial = [p for p in cache.rglob(".*") if p.is_file()]
        assert len(partial) == 1 and ".partial-" in partial[0].name        # mid-write: one temporary
        proc.terminate()
        rc = proc.wait(timeout=60)
    finally:
        proc.kill()
    err = proc.stderr.read()
    assert rc == 143 and "terminated (SIGTERM)" in err and "Traceback" not in err
    assert [p for p in cache.rglob(".*") if p.is_file()] == [] and not out.exists()
