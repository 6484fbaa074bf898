"""requirements/gpu_wheels.py: which locked packages the GPU machine gets as wheels, and the checks on
the folder that carries them (no download here: the wheels are made up)."""
from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("gpu_wheels", ROOT / "requirements" / "gpu_wheels.py")
gw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gw)

CARRIED = ["audioread", "cffi", "decorator", "kaldi-native-fbank", "librosa", "nnaudio", "platformdirs", "pooch",
           "pycparser", "soundfile", "soxr"]


def test_carried_are_the_locked_packages_the_image_lacks_without_ray():
    lock, image = gw.read_lock(), gw.read_image()
    names = gw.carried(lock, image)
    assert names == CARRIED
    assert lock["librosa"]["version"] == "0.11.0" and "ray" in lock and "ray" not in names
    assert {"numpy", "torch", "torchaudio", "lazy-loader", "msgpack"} <= image     # the image's own stay
    assert all(lock[n]["text"].count("--hash=sha256:") >= 1 for n in names)      # pip checks every file


def wheel(folder: Path, name: str, version: str, tag: str, requires=()) -> Path:
    path = folder / f"{name}-{version}-{tag}.whl"
    meta = "Metadata-Version: 2.1\nName: {}\nVersion: {}\n".format(name, version)
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}-{version}.dist-info/METADATA", meta)
    return path


def test_check_keeps_one_wheel_per_package_and_names_every_unmet_requirement(tmp_path, capsys):
    lock = {n: dict(version=v, text="", via=set()) for n, v in
            (("soundfile", "0.14.0"), ("cffi", "2.1.1"), ("pycparser", "3.12"))}
    names, image = ["cffi", "pycparser", "soundfile"], {"numpy"}
    wheel(tmp_path, "soundfile", "0.14.0", "py2.py3-none-manylinux_2_28_x86_64",
          ["cffi>=1.0", "numpy", 'pywin32; sys_platform == "win32"', 'pytest; extra == "test"'])
    wheel(tmp_path, "cffi", "2.1.1", "cp312-cp312-manylinux_2_17_x86_64", ['pycparser; implementation_name != "PyPy"'])
    wheel(tmp_path, "cffi", "2.0.0", "cp312-cp312-manylinux_2_17_x86_64")          # an older one left over
    wheel(tmp_path, "pycparser", "3.12", "py3-none-any")
    assert gw.check(tmp_path, names, lock, image) == []
    assert not (tmp_path / "cffi-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl").exists()
    assert "removed cffi-2.0.0" in capsys.readouterr().out

    wheel(tmp_path, "pycparser", "3.12", "cp311-cp311-manylinux_2_17_x86_64")       # wrong Python
    (tmp_path / "pycparser-3.12-py3-none-any.whl").unlink()
    wheel(tmp_path, "soundfile", "0.14.0", "py2.py3-none-manylinux_2_28_x86_64", ["cffi>=3", "missing-pkg"])
    problems = gw.check(tmp_path, names, lock, image)
    assert any("cp311" in p and "no tag installs on CPython 3.12" in p for p in problems)
    assert "soundfile needs cffi>=3, but cffi 2.1.1 is carried" in problems
    assert any(p.startswith("soundfile needs missing-pkg: neither carried nor in the GPU image") for p in problems)


@pytest.mark.parametrize("tag, ok", [("py3-none-any", True), ("cp312-abi3-manylinux_2_28_x86_64", True),
                                     ("cp312-cp312-macosx_11_0_arm64", False),
                                     ("cp313-cp313-manylinux_2_17_x86_64", False)])
def test_installable_on_the_gpu_image(tag, ok):
    from packaging.tags import parse_tag

    assert gw.installable(parse_tag(tag)) is ok
