import os

import pytest

from common import atomic_write
from common.atomic_write import atomic_path, write_text_atomic


def test_writes_then_renames(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    with atomic_path(target) as tmp:
        tmp.write_text("new")
        assert not target.exists() and tmp.parent == target.parent
    assert target.read_text() == "new" and os.listdir(target.parent) == ["out.txt"]
    assert target.stat().st_mode & 0o044                    # not mkstemp's 0600


def test_failure_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]


def test_stale_temporaries_removed_young_ones_and_others_kept(tmp_path):
    from common.atomic_write import is_partial, remove_stale_temporaries

    sub = tmp_path / "ab"
    sub.mkdir()
    old, young = sub / ".k.npy.partial-abcd_123.npy", sub / ".j.npy.partial-zz99zz99.npy"
    other, entry = sub / ".hidden", sub / "k.npy"
    for p in (old, young, other, entry):
        p.write_bytes(b"x")
    os.utime(old, (0, 0))
    os.utime(other, (0, 0))
    assert is_partial(old.name) and not is_partial(other.name) and not is_partial(entry.name)
    assert remove_stale_temporaries(tmp_path, older_than_s=600) == [old]
    assert sorted(p.name for p in sub.iterdir()) == sorted([young.name, other.name, entry.name])
    assert remove_stale_temporaries(tmp_path / "missing") == []


def test_temporary_name_is_recognisable(tmp_path):
    from common.atomic_write import is_partial

    with atomic_path(tmp_path / "out.npy", suffix=".npy") as tmp:
        assert is_partial(tmp.name) and tmp.name.startswith(".out.npy.partial-")
        tmp.write_bytes(b"x")


def test_write_text_keeps_the_old_file_when_interrupted_at_the_rename(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    assert write_text_atomic(path, "old and complete") == path

    def broken_replace(src, dst):
        raise KeyboardInterrupt  # the run is stopped between writing and renaming

    monkeypatch.setattr(atomic_write.os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(path, "new")
    assert path.read_text() == "old and complete"
    assert os.listdir(tmp_path) == ["results.json"]        # no temporary file left behind
