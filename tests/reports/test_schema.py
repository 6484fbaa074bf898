"""reports.schema: the one definition of results.json, its validation and the schema-1 upgrade."""

from __future__ import annotations

import copy

import pytest

from reports import schema
from tests.reports.helpers import COMMITTED, FIXTURE, SCHEMA1_CPU, SCHEMA1_GPU, load, write


def test_fixture_is_valid_schema_2_with_every_table():
    data = load(FIXTURE)
    assert schema.validate(data) == []
    assert data["schema_version"] == schema.SCHEMA_VERSION == 2
    for table in ("stages", "pipeline", "corpus_scaling", "projection"):
        assert table in schema.RECORD_LISTS and data[table], table
    assert len(data["backends"]) == 6 and any(r["device"] == "cuda" for r in data["throughput"])


@pytest.mark.parametrize("path", [SCHEMA1_CPU, SCHEMA1_GPU], ids=["schema1-cpu", "sample-gpu"])
def test_schema_1_files_upgrade_to_valid_schema_2(path):
    old = load(path)
    assert old["schema_version"] == 1
    new = schema.upgrade(old)
    assert schema.validate(new) == []
    assert old["schema_version"] == 1                     # a copy: the input is untouched
    assert new["reference"] == new["backends"][0]
    rec = new["agreement"][0]
    assert (rec["backend"], rec["reference"]) == (new["backends"][1], new["backends"][0])
    assert all(r["config"] == "matched" for r in new["throughput"])


def test_validate_names_table_index_and_field():
    data = load(FIXTURE)
    data["throughput"][3]["batch_size"] = "64"
    del data["accuracy"][0]["test_accuracy"]
    data["stages"][0]["median_s"] = True                  # a bool is not a number
    data["pipeline"] = {"not": "a list"}
    problems = schema.validate(data)
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
    results, problems = schema.read(path)
    assert len(results["throughput"]) == n - 1
    assert problems == ["results.json: throughput[0] (backend librosa, device cpu, batch_size 1, duration_s 0.5): "
                        "field 'pass_medians_s' holds a non-number"]


def test_read_refuses_unknown_versions_and_non_json(tmp_path):
    with pytest.raises(ValueError, match="schema_version 7"):
        schema.read(write(tmp_path / "a.json", {"schema_version": 7}))
    bad = tmp_path / "b.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="b.json: not valid JSON"):
        schema.read(bad)


def test_upgrade_leaves_schema_2_alone():
    data = load(FIXTURE)
    assert schema.upgrade(copy.deepcopy(data)) == data


def test_committed_run_is_what_the_writer_produced_and_validated():
    """The committed CPU run was written by bench.run (schema 2, validated before every write): the
    report reads it with no problem, and it holds every backend of the registry it names."""
    data = load(COMMITTED)
    assert data["schema_version"] == schema.SCHEMA_VERSION and schema.validate(data) == []
    assert data["complete"] is True and data["reference"] == data["backends"][0]
    assert set(data["backends"]) == set(data["backend_info"]) and len(data["backends"]) >= 6
    results, problems = schema.read(COMMITTED)
    assert problems == [] and {r["backend"] for r in results["throughput"]} == set(data["backends"])
