"""`make gpu-wheels`: the wheels the GPU machine lacks, a copy of FSDD, and the size of what travels.

    python3 requirements/gpu_wheels.py [--fsdd DIR] [--dest .whl] [--fsdd-dest .fsdd] [--no-download]

The GPU machine (Python 3.12.3, x86-64, nothing can be fetched there) has the packages listed in
requirements/gpu-image-packages.txt. Walking the Python 3.12 lock (requirements/lock-py312.txt) from
the project's own dependencies, every package the image lacks is carried, with the packages it needs
in turn; a package the image has ends the walk (the image's packages bring their own needs). Ray (the
corpus job), audioFlux and the static checkers (ruff, mypy, import-linter) are not carried. For each carried package this:

1. downloads exactly the locked version as a CPython 3.12 manylinux x86-64 (or pure-Python) wheel,
   each file checked against the lock's hashes (`pip download --require-hashes --no-deps`);
2. checks the folder holds one wheel per carried package and nothing else (older files are removed);
3. checks every Requires-Dist of every wheel (markers read for CPython 3.12 on Linux x86-64, extras
   left out) is met by a carried wheel of a version the requirement accepts, or is in the image;
4. copies FSDD's recordings into `--fsdd-dest` (a git-ignored folder the device call names in carry);
5. prints the wheel list and the total of what travels (the working tree git would send, the wheels
   and the FSDD copy) against the device tool's 64 MiB limit, and exits 1 above it.

Any failed check prints one line naming the package and exits 1.

onnx and onnxruntime (the port's ONNX emitter and the onnxruntime backend) do not travel: the image lists
both (gpu-image-packages.txt, CPU builds; its versions, not the lock's pins), so the walk stops there. Their
wheels would be 17 MB each, and onnxruntime-gpu (the CUDA execution provider) about 200 MB, far over the
64 MiB a device call carries; on the GPU machine the onnxruntime backend runs where the image's onnxruntime
imports, on the CPU unless that build has the CUDA provider (features/backends/onnxruntime.py decides from
onnxruntime.get_available_providers()).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.tags import parse_tag
    from packaging.version import Version
except ImportError:                                      # a bare python3 with pip: pip's own copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.tags import parse_tag
    from pip._vendor.packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock-py312.txt"
IMAGE = ROOT / "requirements" / "gpu-image-packages.txt"
PROJECT = "mfcc-bench (pyproject.toml)"
# the corpus job's engine, a CPU-only backend (a 70 MB wheel) and the static checks `make lint` runs
# (the session runs pytest only): not part of the GPU session
NOT_CARRIED = {"ray", "audioflux", "ruff", "mypy", "import-linter"}
LIMIT_BYTES = 64 * 2**20              # what one device call may carry (working tree + carried paths)
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_24_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "manylinux1_x86_64")
# where the wheels are read: CPython 3.12.3 on Linux x86-64
TARGET_ENV = dict(python_version="3.12", python_full_version="3.12.3", implementation_name="cpython",
                  platform_python_implementation="CPython", sys_platform="linux", platform_system="Linux",
                  platform_machine="x86_64", os_name="posix", extra="")


def canonical(name: str) -> str:
    """A distribution name as pip compares them: lower case, runs of -_. as one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path = LOCK) -> dict:
    """{name: {"version", "text" (the pin and its hash lines), "via" (set of names)}} from a uv lock."""
    entries, current = {}, None
    for line in path.read_text().splitlines():
        pin = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)", line)
        if pin:
            current = canonical(pin.group(1))
            entries[current] = dict(version=pin.group(2), text=[line], via=set())
        elif current and line.strip().startswith("--hash"):
            entries[current]["text"].append(line)
        elif current and line.strip().startswith("#"):
            via = line.strip().lstrip("#").strip()
            via = via[len("via"):].strip() if via.startswith("via") else via
            if via and not via.startswith("-"):
                entries[current]["via"].add(PROJECT if via.startswith("mfcc-bench") else canonical(via))
    for entry in entries.values():
        entry["text"] = "\n".join(entry["text"]).rstrip(" \\")
    return entries


def read_image(path: Path = IMAGE) -> set:
    """The image's distribution names (canonical)."""
    return {canonical(line.strip()) for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def carried(lock: dict, image: set) -> list:
    """The lock's packages to carry: reached from the project's dependencies through packages the
    image lacks (NOT_CARRIED excluded), sorted."""
    needs = {name: {p for p, e in lock.items() if name in e["via"]} for name in list(lock) + [PROJECT]}
    out, todo = set(), [PROJECT]
    while todo:
        for dep in needs[todo.pop()]:
            if dep in image or dep in NOT_CARRIED or dep in out:
                continue
            out.add(dep)
            todo.append(dep)
    return sorted(out)


def download(names: list, lock: dict, dest: Path) -> None:
    """pip download of exactly the locked, hash-checked wheels of `names` into `dest`."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write("\n".join(lock[n]["text"] for n in names) + "\n")
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", "--only-binary=:all:",
           "--python-version", "3.12", "--implementation", "cp", "-d", str(dest), "-r", req.name]
    for platform in PLATFORMS:
        cmd += ["--platform", platform]
    done = subprocess.run(cmd, capture_output=True, text=True)
    Path(req.name).unlink()
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
        raise SystemExit(f"gpu-wheels: pip download failed: {lines[-1]}")


def wheel_name(path: Path) -> tuple:
    """(canonical name, version, tags) from a wheel's file name."""
    parts = path.name[:-4].split("-")
    return canonical(parts[0]), parts[1], parse_tag("-".join(parts[-3:]))


def installable(tags) -> bool:
    """Whether one of a wheel's tags installs on CPython 3.12, Linux x86-64."""
    good_py = {"py3", "cp312", "py312"}
    for tag in tags:
        if tag.interpreter in good_py and tag.abi in {"none", "abi3", "cp312"} and (
                tag.platform == "any" or (tag.platform.endswith("x86_64") and "linux" in tag.platform)):
            return True
    return False


def requires(path: Path) -> list:
    """The Requires-Dist lines of a wheel that apply on the target (extras and other platforms left out)."""
    with zipfile.ZipFile(path) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(zf.read(meta).decode("utf-8"))
    out = []
    for text in message.get_all("Requires-Dist") or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate(TARGET_ENV):
            out.append(req)
    return out


def check(dest: Path, names: list, lock: dict, image: set) -> list:
    """One line per problem with the wheels in `dest` (empty: all good). Removes wheels of packages
    or versions not wanted, so one version of each stays."""
    problems, found = [], {}
    for path in sorted(dest.glob("*.whl")):
        name, version, tags = wheel_name(path)
        if name not in names or version != lock[name]["version"]:
            print(f"gpu-wheels: removed {path.name} (not a carried package at its locked version)")
            path.unlink()
            continue
        if name in found:
            problems.append(f"{name}: two wheels ({found[name].name}, {path.name}); keep one")
        found[name] = path
        if not installable(tags):
            problems.append(f"{path.name}: no tag installs on CPython 3.12 manylinux x86-64")
    problems += [f"{n}=={lock[n]['version']}: no wheel downloaded" for n in names if n not in found]
    for name, path in found.items():
        for req in requires(path):
            dep = canonical(req.name)
            if dep in found:
                if not req.specifier.contains(Version(lock[dep]["version"]), prereleases=True):
                    problems.append(f"{name} needs {req}, but {dep} {lock[dep]['version']} is carried")
            elif dep not in image:
                problems.append(f"{name} needs {req}: neither carried nor in the GPU image (add it to the lock)")
    return problems


def copy_fsdd(source: Path, dest: Path) -> int:
    """Copy FSDD's recordings/*.wav to dest/recordings (files already there of the same size are kept);
    returns the number of recordings. SystemExit when source has no recordings."""
    src = source / "recordings" if (source / "recordings").is_dir() else source
    wavs = sorted(src.glob("*.wav"))
    if not wavs:
        raise SystemExit(f"gpu-wheels: no FSDD recordings at {source} (set FSDD_DIR to the folder holding recordings/)")
    out = dest / "recordings"
    out.mkdir(parents=True, exist_ok=True)
    for wav in wavs:
        target = out / wav.name
        if not target.exists() or target.stat().st_size != wav.stat().st_size:
            shutil.copyfile(wav, target)
    return len(wavs)


def tree_bytes(root: Path = ROOT) -> int:
    """Bytes of the working tree the device tool sends: tracked and untracked-but-not-ignored files."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    return sum((root / p).stat().st_size for p in listed if p and (root / p).is_file())


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="requirements/gpu_wheels.py", description=__doc__.split("\n")[0])
    p.add_argument("--dest", type=Path, default=ROOT / ".whl", help="wheel folder (default .whl, git-ignored)")
    p.add_argument("--fsdd", type=Path, default=None, help="FSDD folder to copy (holding recordings/)")
    p.add_argument("--fsdd-dest", type=Path, default=ROOT / ".fsdd", help="where the copy goes (default .fsdd)")
    p.add_argument("--no-download", action="store_true", help="check the wheels already in --dest only")
    args = p.parse_args(argv)
    lock, image = read_lock(), read_image()
    names = carried(lock, image)
    args.dest.mkdir(parents=True, exist_ok=True)
    if not args.no_download:
        download(names, lock, args.dest)
    problems = check(args.dest, names, lock, image)
    for line in problems:
        print(f"gpu-wheels: {line}", file=sys.stderr)
    if problems:
        return 1
    if args.fsdd is not None:
        print(f"gpu-wheels: {copy_fsdd(args.fsdd, args.fsdd_dest)} FSDD recordings in {args.fsdd_dest.name}/")
    wheels = sorted(args.dest.glob("*.whl"))
    for w in wheels:
        print(f"  {w.name:<75} {w.stat().st_size / 1024:8.0f} KiB")
    parts = dict(tree=tree_bytes(), wheels=folder_bytes(args.dest), fsdd=folder_bytes(args.fsdd_dest))
    total = sum(parts.values())
    print(f"gpu-wheels: {len(wheels)} wheels, one per carried package, every Requires-Dist met; travels: "
          f"working tree {mib(parts['tree'])} + {args.dest.name}/ {mib(parts['wheels'])} + "
          f"{args.fsdd_dest.name}/ {mib(parts['fsdd'])} = {mib(total)} of {mib(LIMIT_BYTES)}")
    if total > LIMIT_BYTES:
        print("gpu-wheels: over the device tool's limit; carry less", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
