"""Where each run came from: machine, versions, the MFCC config, what was thinned or skipped."""

from __future__ import annotations

from reports.page import Block, Section, Table, fmt, record_table

FIRST = ["cpu_model", "cpu_threads", "gpu_name", "cuda_driver", "cuda_version", "python", "platform", "git_commit",
         "date", "command"]


def session_text(session: dict) -> str:
    """'gpu_tests measured 41 s; throughput not measured (out of time ...)' for results["session"]."""
    steps = [s for s in session.get("steps") or [] if isinstance(s, dict)]
    if not steps:
        return "—"
    return "; ".join(f"{s.get('name')} {s.get('status')}" + (f" {s['wall_s']} s" if s.get("wall_s") is not None else "")
                     + (f" ({s['reason']})" if s.get("reason") else "") for s in steps) + \
        f"; whole session {session.get('wall_s')} s"


def environment_table(runs: list[dict]) -> Table:
    envs = [r.get("environment") if isinstance(r.get("environment"), dict) else {} for r in runs]
    rows = [["results file"] + [r.source for r in runs],
            ["schema version"] + [fmt(r.get("schema_version")) for r in runs],
            ["complete"] + [fmt(r.get("complete")) if r.get("complete") is not None else "not recorded" for r in runs],
            ["measurements"] + [", ".join(r.get("measurements") or []) or "—" for r in runs],
            ["thinned"] + ["; ".join(r.get("thinned") or []) or "nothing" for r in runs]]
    sessions = [r.get("session") if isinstance(r.get("session"), dict) else {} for r in runs]
    if any(sessions):                   # a run made by bench.gpu.session: its steps and the GPU it saw
        rows.append(["GPU session steps"] + [session_text(s) for s in sessions])
        rows.append(["nvidia-smi"] + [fmt((s.get("machine") or {}).get("nvidia_smi_query")) if s else "—"
                                      for s in sessions])
    keys = FIRST + sorted({k for e in envs for k in e} - set(FIRST))
    for key in keys:
        rows.append([key] + ["none" if key == "gpu_name" and e and e.get(key) is None else fmt(e.get(key))
                             for e in envs])
    return Table(["environment"] + [r.label for r in runs], rows)


def backends_table(runs: list[dict]) -> Table:
    rows = []
    for run in runs:
        for name, info in (run.get("backend_info") or {}).items():
            info = info if isinstance(info, dict) else {}
            row = [name, fmt(info.get("library")), fmt(info.get("version")), fmt(info.get("devices")),
                   fmt(info.get("definition")), fmt(info.get("defaults_preset")), fmt(info.get("description"))]
            rows.append(([run.label] + row) if len(runs) > 1 else row)
    headers = ["backend", "library", "version", "devices", "definition", "defaults preset", "description"]
    return Table((["run"] + headers) if len(runs) > 1 else headers, rows, "Backends")


def config_table(runs: list[dict]) -> Table:
    configs = [r.get("config") if isinstance(r.get("config"), dict) else {} for r in runs]
    keys = list(dict.fromkeys(k for c in configs for k in c))
    return Table(["MFCC parameter (matched)"] + [r.label for r in runs],
                 [[k] + [fmt(c.get(k)) for c in configs] for k in keys], "MFCC configuration")


def section(ctx) -> Section:
    runs = ctx.runs
    return Section("environment", "7. Environment and inputs", [
        Block("environment", "Environment", "Where each run came from.", None,
              [environment_table(runs), backends_table(runs), config_table(runs)]),
        Block("skipped", "Files skipped during the run", "Inputs the run could not use, and why.", None,
              [record_table(runs, "skipped", "file:file; reason:reason")], "skipped files"),
    ])
