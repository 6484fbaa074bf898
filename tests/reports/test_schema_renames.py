"""Schema 5: the backend called `fast` until then is `librosa_torch` in every field that names a backend. Older
files (every committed run, a hand-made schema-4 file) are upgraded on reading, never rewritten on disk."""

from __future__ import annotations

from features.backends import RENAMED, names
from reports import run_results, schema
from reports.harnesses import read_benchmark_file
from tests.reports.helpers import COMMITTED_RUNS, REPO, load, write


def schema_4_run() -> dict:
    """A schema-4 file that names `fast` in every place such a file can name a backend."""
    def throughput(backend: str) -> dict:
        return dict(backend=backend, device="cpu", batch_size=1, duration_s=1.0, median_s=0.001, realtime_factor=1e3)

    return {
        "schema_version": 4, "backends": ["librosa", "fast", "torchaudio"], "reference": "librosa",
        "environment": {"command": "python -m bench.run --backend fast,torchaudio"},
        "backend_info": {"librosa": {"library": "librosa"}, "fast": {"library": "torch"},
                         "torchaudio": {"library": "torchaudio"}},
        "example_clip": {"file": "0_jackson_0.wav", "preset": "matched", "librosa": [[1.0]], "fast": [[2.0]]},
        "thinned": ["fast: batch 1, 64 x 1.0 s only", "torchaudio: batch 1 x 1.0 s only"],
        "throughput": [throughput("librosa"), throughput("fast")],
        "agreement": [dict(backend="fast", reference="librosa", preset="matched", rel_error=1e-6)],
        "accuracy": [dict(preset="matched", train_backend="fast", test_backend="librosa", test_accuracy=0.9),
                     dict(preset="matched", train_backend="librosa", test_backend="fast", test_accuracy=0.9)],
        "crossover": [dict(backend="torchaudio", device="cuda", competitor="fast", duration_s=1.0, batch_sizes=[1]),
                      dict(backend="fast", device="cuda", competitor="librosa", duration_s=1.0, batch_sizes=[1])],
    }


def backends_named(data: dict) -> set:
    """Every backend name a results dict holds: its backends, reference, the keys of backend_info and of
    example_clip (less its file and preset), each thinned entry's backend, and every record's backend fields."""
    found = set(data["backends"]) | {data["reference"]} | set(data.get("backend_info") or {})
    found |= set(data.get("example_clip") or {}) - {"file", "preset"}
    found |= {entry.partition(": ")[0] for entry in data.get("thinned") or []}
    return found | {rec[f] for table in schema.RECORD_LISTS for rec in data.get(table) or []
                    for f in schema.BACKEND_FIELDS if rec.get(f) is not None}


def every_string(value) -> list[str]:
    """Every string in a parsed JSON value, dict keys included."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *every_string(v)]]
    if isinstance(value, list):
        return [s for v in value for s in every_string(v)]
    return [value] if isinstance(value, str) else []


def test_a_schema_4_file_names_librosa_torch_wherever_it_named_fast(tmp_path):
    old = schema_4_run()
    new = schema.upgrade(old)
    assert new["schema_version"] == 5 and run_results.validate(new) == []
    assert old == schema_4_run()                                   # a copy: the input is untouched
    assert new["backends"] == ["librosa", "librosa_torch", "torchaudio"] and new["reference"] == "librosa"
    assert list(new["backend_info"]) == ["librosa", "librosa_torch", "torchaudio"]      # order kept
    assert new["backend_info"]["librosa_torch"] == {"library": "torch"}
    assert new["example_clip"] == {"file": "0_jackson_0.wav", "preset": "matched", "librosa": [[1.0]],
                                   "librosa_torch": [[2.0]]}
    assert new["thinned"] == ["librosa_torch: batch 1, 64 x 1.0 s only", "torchaudio: batch 1 x 1.0 s only"]
    assert [r["backend"] for r in new["throughput"]] == ["librosa", "librosa_torch"]
    assert [(r["backend"], r["reference"]) for r in new["agreement"]] == [("librosa_torch", "librosa")]
    assert [(r["train_backend"], r["test_backend"]) for r in new["accuracy"]] == [
        ("librosa_torch", "librosa"), ("librosa", "librosa_torch")]
    assert [(r["backend"], r["competitor"]) for r in new["crossover"]] == [
        ("torchaudio", "librosa_torch"), ("librosa_torch", "librosa")]
    assert new["environment"] == old["environment"]               # what was run, as it was typed
    assert backends_named(new) == {"librosa", "librosa_torch", "torchaudio"}
    assert new["throughput"][1]["median_s"] == 0.001 and new["accuracy"][0]["test_accuracy"] == 0.9   # no number moves
    results, problems = run_results.read(write(tmp_path / "results.json", old))
    assert problems == [] and results == new


def test_every_committed_run_names_no_fast_backend_once_read():
    """Each committed results.json stays as written (schema 3 or 4, `fast`); read, it names librosa_torch, and
    every backend it names is a registered one."""
    for path in COMMITTED_RUNS:
        raw = load(path)
        results, problems = run_results.read(path)
        assert problems == [] and results["schema_version"] == schema.SCHEMA_VERSION, path.parent.name
        named = backends_named(results)
        assert "fast" not in named and named <= set(names()), (path.parent.name, named - set(names()))
        if raw["schema_version"] < 5:           # written as `fast`: read as librosa_torch
            assert ("librosa_torch" in named) == ("fast" in backends_named(raw)), path.parent.name
        strays = [s for s in every_string(results) if s == "fast" or s.startswith("fast:")]
        assert strays == [], path.parent.name


def test_pytest_benchmark_files_name_the_backend_as_results_do():
    """The committed pytest-benchmark.json says `fast` in extra_info (and in its test ids); read, librosa_torch."""
    path = REPO / "reports" / "results" / "cpu-amd-epyc-2core" / "pytest-benchmark.json"
    raw = load(path)["benchmarks"]
    assert any(b["extra_info"].get("backend") == "fast" for b in raw)
    read = read_benchmark_file(path)
    assert [b["extra_info"]["backend"] for b in read] == [schema.current_backend(b["extra_info"]["backend"])
                                                          for b in raw]
    assert {b["extra_info"]["backend"] for b in read} <= set(names()) and len(read) == len(raw)


def test_every_alias_of_the_registry_is_upgraded_by_the_schema():
    """features.backends.RENAMED (the command line's old names, for one release) and the results format's own
    record of the rename (kept for good) agree: a rename in the registry needs a schema version that upgrades it."""
    assert RENAMED.items() <= schema.RENAMED_IN_5.items()
    assert set(schema.RENAMED_IN_5.values()) <= set(names()) and not set(schema.RENAMED_IN_5) & set(names())
