"""reports.schema: the one definition of results.json (reports.records), its validation and the upgrades."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from reports import records, run_results, schema
from tests.reports.helpers import COMMITTED, COMMITTED_RUNS, FIXTURE, SCHEMA1_CPU, SCHEMA1_GPU, load, write


def test_fixture_is_valid_schema_2_upgraded_with_every_table():
    data = load(FIXTURE)
    assert data["schema_version"] == 2 and schema.SCHEMA_VERSION == 5
    data = schema.upgrade(data)
    assert run_results.validate(data) == []
    for table in ("stages", "pipeline", "corpus_scaling", "projection"):
        assert table in schema.RECORD_LISTS and data[table], table
    assert len(data["backends"]) == 6 and any(r["device"] == "cuda" for r in data["throughput"])


@pytest.mark.parametrize("path", [SCHEMA1_CPU, SCHEMA1_GPU], ids=["schema1-cpu", "sample-gpu"])
def test_schema_1_files_upgrade_to_valid_schema_3(path):
    old = load(path)
    assert old["schema_version"] == 1
    new = schema.upgrade(old)
    assert run_results.validate(new) == []
    assert old["schema_version"] == 1                     # a copy: the input is untouched
    assert new["reference"] == new["backends"][0]
    rec = new["agreement"][0]
    assert (rec["backend"], rec["reference"]) == (new["backends"][1], new["backends"][0])
    assert all(r["config"] == "matched" for r in new["throughput"])


def test_validate_names_table_index_and_field():
    data = schema.upgrade(load(FIXTURE))
    data["throughput"][3]["batch_size"] = "64"
    del data["accuracy"][0]["test_accuracy"]
    data["stages"][0]["median_s"] = True                  # a bool is not a number
    data["pipeline"] = {"not": "a list"}
    problems = run_results.validate(data)
    assert len(problems) == 4
    assert any(p.startswith("throughput[3] (") and "'batch_size' is '64', expected number" in p for p in problems)
    assert any(p.startswith("accuracy[0]") and "'test_accuracy' missing" in p for p in problems)
    assert any(p.startswith("stages[0]") and "'median_s'" in p for p in problems)
    assert any(p.startswith("pipeline:") for p in problems)


def test_read_drops_unreadable_records_and_says_so(tmp_path):
    data = load(FIXTURE)
    n = len(data["throughput"])
    data["throughput"][0]["pass_medians_s"] = [0.1, "fast"]
    path = write(tmp_path / "results.json", data)
    results, problems = run_results.read(path)
    assert len(results["throughput"]) == n - 1
    assert problems == ["results.json: throughput[0] (backend librosa, device cpu, batch_size 1, duration_s 0.5): "
                        "field 'pass_medians_s' holds a non-number"]


def test_read_refuses_unknown_versions_and_non_json(tmp_path):
    with pytest.raises(ValueError, match="schema_version 7"):
        run_results.read(write(tmp_path / "a.json", {"schema_version": 7}))
    bad = tmp_path / "b.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="b.json: not valid JSON"):
        run_results.read(bad)


def test_upgrade_leaves_the_current_schema_alone_and_changes_no_value():
    old = load(FIXTURE)
    data = schema.upgrade(old)
    assert schema.upgrade(copy.deepcopy(data)) == data
    inferred = {"max_epochs", "stopped_early"}              # schema 3 -> 4 derives these from `epochs`
    for table in schema.RECORD_LISTS:                       # otherwise the upgrades only add missing fields, as null,
        for before, after in zip(old.get(table) or [], data.get(table) or []):   # and 4 -> 5 renames backends
            renamed = {k: schema.current_backend(v) if k in schema.BACKEND_FIELDS else v for k, v in before.items()}
            assert {k: after[k] for k in before} == renamed and list(after)[:len(schema.RECORD_LISTS[table])] == \
                list(schema.RECORD_LISTS[table])
            assert all(after[k] is None for k in set(after) - set(before) - (inferred if table == "accuracy" else set()))


def test_required_fields_and_columns_come_from_the_record_classes():
    for table, cls in records.RECORDS.items():
        names = [f.name for f in dataclasses.fields(cls)]
        assert list(schema.RECORD_LISTS[table]) == names
        assert set(schema.REQUIRED_FIELDS[table]) == {f.name for f in dataclasses.fields(cls)
                                                      if f.default is dataclasses.MISSING}
    with pytest.raises(TypeError):                          # a required field cannot be left out
        records.Throughput(backend="librosa", device="cpu", batch_size=1, duration_s=1.0, median_s=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        records.Skipped(file="a.wav", reason="empty").reason = "x"


@pytest.mark.parametrize("path", COMMITTED_RUNS, ids=[p.parent.name for p in COMMITTED_RUNS])
def test_committed_runs_are_schema_3_or_4_and_write_exactly_the_declared_fields(path):
    """Every committed run (schema 3, written before accuracy records said how their training ended; 4, before
    `fast` was called librosa_torch) loads with no problem, and upgraded, every record of every table carries
    exactly the fields its record class declares (in order): what bench.run writes today; 5: written since)."""
    data = load(path)
    assert data["schema_version"] in (3, 4, 5)
    data = schema.upgrade(data)
    assert data["schema_version"] == schema.SCHEMA_VERSION and run_results.validate(data) == []
    results, problems = run_results.read(path)
    assert problems == [] and results == data
    tables = [t for t in schema.RECORD_LISTS if data.get(t)]
    assert tables
    for table in tables:
        for i, rec in enumerate(data[table]):
            assert list(rec) == list(schema.RECORD_LISTS[table]), f"{path.parent.name}: {table}[{i}]"
            records.RECORDS[table](**rec)                    # and builds the record again


def test_committed_run_is_what_the_writer_produced_and_validated():
    """The committed CPU run was written by bench.run (schema 2, upgraded to 3; validated before every write): the
    report reads it with no problem, and it holds every backend of the registry it names."""
    data = schema.upgrade(load(COMMITTED))
    assert data["schema_version"] == schema.SCHEMA_VERSION and run_results.validate(data) == []
    assert data["complete"] is True and data["reference"] == data["backends"][0]
    assert set(data["backends"]) == set(data["backend_info"]) and len(data["backends"]) >= 6
    results, problems = run_results.read(COMMITTED)
    assert problems == [] and {r["backend"] for r in results["throughput"]} == set(data["backends"])


def test_schema_3_accuracy_records_gain_the_epoch_limit_and_whether_training_stopped_early():
    """The committed AMD run's torchaudio_kaldi seed 1 stopped at 13 of 30 epochs (78.3 %): schema 3 did not
    say so; read as schema 4 its record does, inferred from the run's other trainings."""
    run = {"schema_version": 3, "backends": ["librosa"], "reference": "librosa", "accuracy": [
        dict(preset="kaldi_defaults", train_backend="torchaudio_kaldi", test_backend="torchaudio_kaldi", seed=s,
             epochs=e, test_accuracy=a) for s, e, a in ((0, 30, 0.985), (1, 13, 0.783), (2, 30, 0.99))]}
    new = schema.upgrade(run)
    assert new["schema_version"] == 5 and schema.table_problems(new) == [] and run["schema_version"] == 3
    assert [(r["max_epochs"], r["stopped_early"], r["best_epoch"]) for r in new["accuracy"]] == [
        (30, False, None), (30, True, None), (30, False, None)]
    assert list(new["accuracy"][0]) == list(schema.RECORD_LISTS["accuracy"])
    written = dict(run, schema_version=4, accuracy=[dict(run["accuracy"][1], max_epochs=15, stopped_early=False)])
    assert schema.upgrade(written)["accuracy"] == written["accuracy"]   # schema 4 keeps what the run recorded
    assert schema.upgrade(dict(run, accuracy=[dict(run["accuracy"][1], max_epochs=15)]))["accuracy"][0][
        "stopped_early"] is True                         # a recorded limit is used, not inferred
