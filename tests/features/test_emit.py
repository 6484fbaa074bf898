"""features.port --emit: the torch file and the ONNX file, run in their own runtimes, against the source library.

The seeded settings come from tests/features/port_params.py, as the port's own tests. Here N_SETS per direction
and feature kind keep the suite short; tests/features/emitter_verification.py runs 200 of each and writes the
committed record (reports/results/port-emitters/verification.json), which test_verification_record reads.
"""
from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from features import port
from features.port import emit
from features.port.reference import synthetic_clips
from tests.features import emitter_verification as verification

N_SETS = 6
RECORD = Path(__file__).resolve().parents[2] / "reports" / "results" / "port-emitters" / "verification.json"


@pytest.fixture(autouse=True)
def _one_thread_quiet():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("direction", list(verification.DIRECTIONS))
def test_emitted_files_match_their_source_within_float32_rounding_or_say_why(direction, tmp_path):
    for seed in range(N_SETS):
        row = verification.verify(direction, seed, tmp_path)
        assert row["verdict"] in ("within", "explained", "refused"), row
        if row["verdict"] != "refused":
            assert row["torch_float64"] <= port.TOLERANCE["float64"], row    # exact arithmetic, either source
        if direction.endswith("mfcc"):
            assert row["verdict"] == "within", row


def test_verification_record_covers_200_settings_each_way_and_none_unexplained():
    record = json.loads(RECORD.read_text())
    assert record["sets_per_direction"] >= 200
    for direction in verification.DIRECTIONS:
        rows = [r for r in record["rows"] if r["direction"] == direction]
        assert len(rows) == record["sets_per_direction"]
        assert all(r["verdict"] in ("within", "explained", "refused") for r in rows)
    assert record["summary"] == verification.summarise(record["rows"])


BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('features', 'model', 'bench', 'reports', 'torchaudio', 'librosa', 'tests'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
try:
    import features
    sys.exit('features imported')
except ImportError:
    pass
import importlib.util, numpy, torch
spec = importlib.util.spec_from_file_location('emitted', sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
y = torch.from_numpy(numpy.load(sys.argv[2]))
numpy.save(sys.argv[3], getattr(m, sys.argv[4])()(y).numpy())
"""


@pytest.mark.slow
def test_torch_file_runs_where_this_project_cannot_be_imported(tmp_path):
    kwargs = dict(sr=16000, n_mfcc=13, n_fft=512, hop_length=160, n_mels=40, lifter=22, dct_type=3)
    art = emit.emit("librosa", "mfcc", kwargs, "torch", tmp_path / "mfcc_frontend.py")
    assert emit.imports_only_torch(art.path)
    y = synthetic_clips(16000, 8000).astype(np.float32)
    np.save(tmp_path / "y.npy", y)
    script = tmp_path / "blocked.py"
    script.write_text(BLOCKER)
    done = subprocess.run([sys.executable, str(script), str(art.path), str(tmp_path / "y.npy"),
                           str(tmp_path / "out.npy"), "PortedMFCC"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    got = np.load(tmp_path / "out.npy")
    want = np.stack([emit.source_call(art)(c) for c in y])
    assert got.shape == want.shape == (2, 13, 51)
    assert max(port.reference.relative_error(g, w) for g, w in zip(got, want)) <= port.TOLERANCE["float32"]


def test_onnx_file_has_dynamic_batch_and_time_and_one_output(tmp_path):
    import onnx

    art = emit.emit("librosa", "logmel", dict(sr=8000, n_fft=256, hop_length=80, n_mels=32, ref=np.max),
                    "onnx", tmp_path / "logmel.onnx")
    model = onnx.load(str(art.path))
    (inp,), (out,) = model.graph.input, model.graph.output
    assert inp.name == "waveform" and [d.dim_param for d in inp.type.tensor_type.shape.dim] == ["batch", "time"]
    assert out.name == "features"
    run = emit.load(art)
    for shape in ((1, 4000), (3, 1234)):
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        got = run(x)
        assert got.shape == (shape[0], 32, 1 + shape[1] // 80)
        for g, y in zip(got, x):
            assert port.reference.relative_error(g, emit.source_call(art)(y)) <= port.TOLERANCE["float32"]


def test_quiet_clip_beside_a_loud_one_keeps_its_own_floor_in_both_artefacts(tmp_path):
    clips = synthetic_clips(16000, 8000).astype(np.float32)
    loud, quiet = clips[0], 1e-3 * clips[1]
    for target in emit.TARGETS:
        art = emit.emit("torchaudio", "mfcc", dict(sample_rate=16000, n_mfcc=13), target,
                        tmp_path / f"f{emit.SUFFIXES[target]}")
        run = emit.load(art)
        np.testing.assert_allclose(run(np.stack([loud, quiet]))[1], run(quiet[None])[0], rtol=0, atol=1e-3)


def test_emit_refuses_in_one_line(tmp_path):
    with pytest.raises(ValueError, match="^window='kaiser'"):
        emit.emit("librosa", "mfcc", dict(window="kaiser"), "onnx", tmp_path / "x.onnx")
    with pytest.raises(ValueError, match=r"^--out .*x\.py: a onnx artefact is a \.onnx file$"):
        emit.emit("librosa", "mfcc", {}, "onnx", tmp_path / "x.py")
