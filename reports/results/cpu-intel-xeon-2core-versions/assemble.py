"""How the committed versions.json was put together (reports/results/cpu-intel-xeon-2core-versions/), on a machine
shared with four other jobs (load average 16-18 on 2 cores): `python -m bench.versions` (snapshot 1bb948a) measured
features and throughput, then its 30-epoch trainings could not finish in time and it was stopped; the resumed run
(b61d7fe, --resume --epochs 10) started the conformance suites, which ran on after it was stopped (their logs:
OUT/conformance/<combo>.txt); accuracy.py trained the librosa models (5 epochs, 3 seeds). This script reads all of it
from OUT with bench.versions' own functions and writes versions.json."""
import json, os, platform, sys
from pathlib import Path
sys.path.insert(0, "/work/snap-versions")
from bench.versions.combos import MATRIX, LOCKED
from bench.versions.compare import ROUNDING
from bench.versions import driver as d
out = Path("/work/h33-run")
acc_path = out / "accuracy-librosa.json"
acc = json.loads(acc_path.read_text()) if acc_path.exists() else dict(rows=[], seeds=0, epochs=5, libraries=["librosa"])
infos = {c.name: json.loads((out / "features" / c.name / "info.json").read_text()) for c in MATRIX}
confs = {}
for c in MATRIX:
    last = d.last_line((out / "conformance" / f"{c.name}.txt").read_text())
    confs[c.name] = {"passed": " passed" in last and "failed" not in last and "error" not in last, "summary": last}
diffs = {c.name: d.differences(out / "features" / LOCKED.name, out / "features" / c.name) for c in MATRIX if c is not LOCKED}
undos = {c.name: d.undo(out / "features" / LOCKED.name, out / "features" / c.name) for c in MATRIX if c is not LOCKED}
speed = d.throughput({c.name: None for c in MATRIX}, out / "waveforms-64x1s.npy", out / "timing", passes=5, repeats=5)
result = dict(kind="versions", rounding=ROUNDING, n_test=300, limit=None, seeds=acc["seeds"], epochs=acc["epochs"], accuracy_libraries=acc["libraries"], passes=5, repeats=5,
              stub=False, resumed=True, throughput_clips=64,
              machine=dict(cpu=d.cpu_name(), cores=os.cpu_count(), platform=platform.platform()),
              combos=d.verdicts(list(MATRIX), infos, confs, diffs), conformance=confs,
              differences=[dict(r, combo=k) for k, rows in diffs.items() for r in rows],
              undo=[dict(r, combo=k) for k, rows in undos.items() for r in rows], accuracy=acc["rows"], throughput=speed,
              minutes=None, command="python -m bench.versions --fsdd DIR --out OUT; then --resume --epochs 10 (stopped in training); "
              "accuracy.py (librosa models, 5 epochs, 3 seeds); assemble.py (this folder)")
(out / "versions.json").write_text(json.dumps(result, indent=1, default=float) + "\n")
print("ok")
