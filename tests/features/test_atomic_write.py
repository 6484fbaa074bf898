import os

import pytest

from features.atomic_write import atomic_path


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
