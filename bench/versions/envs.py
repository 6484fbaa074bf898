"""Isolated environments for the version matrix, built with the pinned uv (requirements/tools.txt).

    compile_lock(combo)            # requirements/versions/<name>.txt: exact pins with hashes
    path = build(combo, root)      # root/<name>/ : a fresh environment installed from that lock
    python_of(path)                # its interpreter
    remove(path)                   # gone again (downloaded wheels stay in uv's cache)

A lock pins the combination's librosa/torch/torchaudio and takes every other package the project's own
lock has at the project lock's version (so a combination changes what it names and nothing else that
the resolver can keep); packages that come with torch only (nvidia-*, triton, ...) follow that torch.
Environments are linked from one uv cache ($UV_CACHE_DIR or uv's default), so each costs little disk
beside the cache; `remove` deletes one after use.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .combos import Combo

ROOT = Path(__file__).resolve().parents[2]
# what follows the combination's own torch or librosa rather than the project's lock
FOLLOWS_COMBO = re.compile(r"^(torch|torchaudio|librosa|nvidia-.*|cuda-.*|triton|sympy|mpmath|networkx|"
                           r"setuptools)$")


class EnvError(RuntimeError):
    """A combination's lock or environment could not be made (one line: which and why)."""


def uv() -> str:
    """The pinned uv: beside this Python (make lock installs it there), else on PATH."""
    here = Path(sys.executable).parent / "uv"
    found = str(here) if here.exists() else shutil.which("uv")
    if not found:
        raise EnvError("uv is not installed: pip install -r requirements/tools.txt (the pinned uv)")
    return found


def interpreter(version: str) -> str:
    """A working python<version> on this machine (PATH, then pyenv's versions); EnvError otherwise."""
    candidates = [shutil.which(f"python{version}")] + sorted(
        glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")), reverse=True)
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", "pass"], capture_output=True).returncode == 0:
            return candidate
    raise EnvError(f"no working python{version} here (librosa 1.0 needs Python >= 3.12)")


def project_constraints(python: str) -> list[str]:
    """`name==version` for every package of the project's lock for `python` that a combination keeps."""
    lock = ROOT / "requirements" / f"lock-py{python.replace('.', '')}.txt"
    pins = re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s\\]+)", lock.read_text(), flags=re.M)
    return [f"{name}=={ver}" for name, ver in pins if not FOLLOWS_COMBO.match(name.split("[")[0].lower())]


def compile_lock(combo: Combo, *, quiet: bool = True) -> Path:
    """Write combo.lock with the pinned uv (hashes, manylinux_2_28 x86_64, combo.python) from
    requirements/versions/<name>.in and constraints-py<ver>.txt, both written first; returns the lock."""
    folder = combo.lock.parent
    folder.mkdir(parents=True, exist_ok=True)
    req, con = folder / f"{combo.name}.in", folder / f"constraints-py{combo.python.replace('.', '')}.txt"
    req.write_text("# the combination's own pins (bench/versions/combos.py)\n" + "\n".join(combo.pins) + "\n")
    con.write_text(f"# the project's lock for Python {combo.python} less what a combination changes "
                   "(bench/versions/envs.py)\n" + "\n".join(project_constraints(combo.python)) + "\n")
    cmd = [uv(), "pip", "compile", str(req.relative_to(ROOT)), "-c", str(con.relative_to(ROOT)), "--generate-hashes",
           "--python-version", combo.python, "--python-platform", "x86_64-manylinux_2_28", "--custom-compile-command",
           f"python -m bench.versions lock --combo {combo.name}", "-o", str(combo.lock.relative_to(ROOT))]
    done = subprocess.run(cmd + (["--quiet"] if quiet else []), capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise EnvError(f"{combo.name}: uv pip compile failed: {last_line(done.stderr)}")
    return combo.lock


def python_of(env: Path) -> Path:
    return Path(env) / "bin" / "python"


def build(combo: Combo, root: Path) -> Path:
    """A fresh environment root/<combo.name> installed exactly from combo.lock; returns its folder."""
    if combo.lock is None or not combo.lock.exists():
        raise EnvError(f"{combo.name}: no lock file (python -m bench.versions lock --combo {combo.name})")
    env = Path(root) / combo.name
    remove(env)
    steps = ([uv(), "venv", "--quiet", "--python", interpreter(combo.python), str(env)],
             [uv(), "pip", "sync", "--quiet", "--require-hashes", "--python", str(python_of(env)), str(combo.lock)])
    for cmd in steps:
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            remove(env)
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise EnvError(f"{combo.name}: {' '.join(cmd[1:3])} failed: {last}")
    return env


def link_current(root: Path, name: str = "current") -> Path:
    """A small isolated environment that sees this interpreter's packages (a .pth file to its site-packages):
    the mechanism's test case, built without downloading anything."""
    import site
    import sysconfig

    env = Path(root) / name
    remove(env)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, capture_output=True)
    purelib = Path(subprocess.run([str(python_of(env)), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    paths = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (purelib / "current-packages.pth").write_text("\n".join(dict.fromkeys(paths)) + "\n")
    return env


def remove(env: Path) -> None:
    shutil.rmtree(env, ignore_errors=True)


def install_check(combo: Combo, root: Path, project: Path = ROOT) -> dict:
    """Whether installing the project into a fresh environment holding `combo` keeps its torch and
    torchaudio: builds it from combo.lock, asks the pinned uv what `uv pip install <project>` would do
    (--dry-run: nothing is installed), removes it. {"combo", "keeps" (torch and torchaudio), "keeps_librosa",
    "moved": uv's +/- lines for those three, "other_changes": how many other packages it would add or change}."""
    env = build(combo, root)
    try:
        done = subprocess.run([uv(), "pip", "install", "--dry-run", "--python", str(python_of(env)), str(project)],
                              capture_output=True, text=True)
    finally:
        remove(env)
    if done.returncode != 0:
        raise EnvError(f"{combo.name}: uv pip install --dry-run failed: {last_line(done.stderr)}")
    changes = [line.strip() for line in done.stderr.splitlines() + done.stdout.splitlines()
               if re.match(r"^\s*[-+] ", line)]
    moved = [c for c in changes if re.match(r"^[-+] (torch|torchaudio|librosa)==", c)]
    return dict(combo=combo.name, torch=combo.torch, torchaudio=combo.torchaudio, librosa=combo.librosa,
                keeps=not any(re.match(r"^[-+] torch(audio)?==", c) for c in moved),
                keeps_librosa=not any(c.startswith(("- librosa==", "+ librosa==")) for c in moved), moved=moved,
                other_changes=len(changes) - len(moved))


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
