"""The version matrix's results (bench/versions, versions.json) as values and as the words the page and the
README give: does an upgrade change the features, the accuracy of a model trained on the locked stack, the
speed, and which torch/torchaudio pairs are verified.

    data = load("reports/results/cpu-intel-xeon-2core-versions")
    rows(data)            # one dict per combination: verified, what broke, largest differences, skew, speed
    readme_line(data)     # the README's sentence
    python -m reports.upgrades reports/results/<machine>-versions --readme README.md [--check]
"""
from __future__ import annotations

import argparse
import difflib
import json
import statistics
import sys
from pathlib import Path

from reports.page import fmt

BEGIN, END = "<!-- upgrades:begin -->", "<!-- upgrades:end -->"


def is_versions(path) -> bool:
    """Whether `path` is a versions.json, or a folder holding one and no results.json."""
    path = Path(path)
    if path.is_dir():
        return (path / "versions.json").is_file() and not (path / "results.json").is_file()
    return path.name == "versions.json"


def load(path) -> dict:
    """versions.json (or a folder holding one); OSError/ValueError naming the file otherwise."""
    path = Path(path)
    path = path / "versions.json" if path.is_dir() else path
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("kind") != "versions":
        raise ValueError(f"{path.name}: not a version matrix file (no kind 'versions')")
    data["_dir"] = path.parent
    return data


def largest(data: dict, combo: str, mode: str) -> dict | None:
    """The difference row of `combo` in `mode` ("single", "batch") with the largest difference."""
    found = [r for r in data["differences"] if r["combo"] == combo and r["mode"] == mode]
    return max(found, key=lambda r: r["difference"]) if found else None


def skews(data: dict, combo: str) -> list:
    """Per (library, preset, path, mode) of `combo`: the mean paired accuracy change (served this combination's
    features minus served the locked stack's, same model, same seed), its lowest and highest seed, seeds."""
    groups: dict = {}
    for r in data["accuracy"]:
        if r["combo"] == combo and r["delta"] is not None:
            groups.setdefault((r["library"], r["preset"], r["path"], r["mode"]), []).append(r["delta"])
    return [dict(library=k[0], preset=k[1], path=k[2], mode=k[3], mean=statistics.fmean(v), low=min(v),
                 high=max(v), seeds=len(v)) for k, v in groups.items()]


def worst_skew(data: dict, combo: str) -> dict | None:
    """The largest mean accuracy change (either sign) of `combo`."""
    found = skews(data, combo)
    return max(found, key=lambda r: (abs(r["mean"]), -r["low"])) if found else None


def speed(data: dict, combo: str, library: str) -> dict | None:
    """Median throughput of `combo` (audio s per s) and its ratio to the locked stack's, with the range the
    per-pass values allow; `even` where that range holds 1."""
    by = {(r["combo"], r["library"]): r for r in data["throughput"]}
    row, base = by.get((combo, library)), by.get(("locked", library))
    if row is None or base is None:
        return None
    ratio, low, high = row["audio_s_per_s"] / base["audio_s_per_s"], row["low"] / base["high"], row["high"] / base["low"]
    return dict(rate=row["audio_s_per_s"], ratio=ratio, low=low, high=high, even=low <= 1 <= high)


def where(r: dict) -> str:
    return f"{r['library']} {r['preset']} {r['path']} {r['mode']}"


def rows(data: dict) -> list:
    out = []
    for c in data["combos"]:
        name, single, batch, skew = c["combo"], largest(data, c["combo"], "single"), largest(data, c["combo"], "batch"), \
            worst_skew(data, c["combo"])
        out.append(dict(combo=name, librosa=c["librosa"], pair=f"{c['torch']} + {c['torchaudio']}",
                        python=(c.get("versions") or {}).get("python") or c["python"], verified=c["verified"],
                        broke=c["broke"], single=single and single["difference"], batch=batch and batch["difference"],
                        batch_where=batch and batch["difference"] > 0 and where(batch), skew=skew, librosa_speed=speed(data, name, "librosa"),
                        torchaudio_speed=speed(data, name, "torchaudio")))
    return out


def speed_text(s: dict | None) -> str:
    if s is None:
        return "—"
    return f"{fmt(s['rate'], 'rtf')} ({'even' if s['even'] else fmt(s['ratio'], 'x')})"


def table_rows(data: dict) -> tuple[list, list]:
    """(headers, rows of text): the table the page and the run's notes show."""
    headers = ["combination", "librosa", "torch + torchaudio", "Python", "verified", "largest difference, single",
               "largest difference, batched (where)", "accuracy change, largest (mean over seeds [range])",
               "librosa audio s/s (vs locked)", "torchaudio audio s/s (vs locked)", "what broke"]
    body = []
    for r in rows(data):
        s = r["skew"]
        skew = "—" if s is None else (f"{fmt(100 * s['mean'], 'pp')} [{fmt(100 * s['low'], 'pp')}, "
                                      f"{fmt(100 * s['high'], 'pp')}] ({where(s)}, {s['seeds']} seeds)")
        body.append([r["combo"], r["librosa"], r["pair"], r["python"], fmt(r["verified"]),
                     fmt(r["single"]), "—" if r["batch"] is None else
                     (f"{fmt(r['batch'])} ({r['batch_where']})" if r["batch_where"] else fmt(r["batch"])),
                     skew, speed_text(r["librosa_speed"]), speed_text(r["torchaudio_speed"]), r["broke"] or "—"])
    return headers, body


def markdown_table(data: dict) -> str:
    headers, body = table_rows(data)
    line = lambda cells: "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"  # noqa: E731
    return "\n".join([line(headers), line(["---"] * len(headers)), *map(line, body)])


def verified_pairs(data: dict) -> list:
    """Every (torch, torchaudio) pair the matrix verified (a combination holding it passed)."""
    return sorted({(c["torch"], c["torchaudio"]) for c in data["combos"] if c["verified"]})


def failed_pairs(data: dict) -> dict:
    """{(torch, torchaudio): what broke} for pairs no combination verified."""
    good = set(verified_pairs(data))
    return {(c["torch"], c["torchaudio"]): c["broke"] for c in data["combos"]
            if not c["verified"] and (c["torch"], c["torchaudio"]) not in good}


def readme_line(data: dict) -> str:
    """The README's sentence, every figure from `data`."""
    parts = []
    new = next((c for c in data["combos"] if c["changes"] == "librosa" and int(c["librosa"].split(".")[0]) == 1), None)
    if new is not None:
        batch, single, skew = largest(data, new["combo"], "batch"), largest(data, new["combo"], "single"), \
            worst_skew(data, new["combo"])
        fixed = [u for u in data.get("undo", []) if u["combo"] == new["combo"] and u["library"] == "librosa"]
        text = (f"upgrading librosa 0.11 -> {new['librosa']} changes batched MFCCs by up to "
                f"{fmt(batch['difference'])} relative ({where(batch)}) and single clips by up to "
                f"{fmt(single['difference'])}")
        if skew is not None:
            text += (f"; a model trained on the locked stack, served {new['librosa']}'s features instead of 0.11's, "
                     f"changes by {fmt(100 * skew['mean'], 'pp')} at most (mean of {skew['seeds']} seeds, paired; "
                     f"{where(skew)})")
        if fixed:
            text += (f"; to keep them equal use the preset `librosa_defaults` with this project's librosa backend "
                     f"(its dB floor over the whole batch: {fmt(fixed[0]['difference'])} from 0.11's call), or "
                     f"`librosa.power_to_db(S, axes=None)` in librosa 1.0; `librosa1_defaults` gives 1.0's per-clip "
                     f"floor on any librosa")
        parts.append(text)
    good = ", ".join(f"torch {t} + torchaudio {a}" for t, a in verified_pairs(data))
    parts.append(f"verified torch pairs: {good}")
    bad = failed_pairs(data)
    if bad:
        parts.append("not verified: " + "; ".join(f"torch {t} + torchaudio {a} ({why})" for (t, a), why in bad.items()))
    where_ = f"{data['machine']['cpu']}, FSDD test split, {data['n_test']} clips"
    return f"**Upgrades** ({where_}): " + "; ".join(parts) + "."


def readme_block(data: dict, readme: Path) -> str:
    import os

    rel = os.path.relpath(Path(data["_dir"]), readme.resolve().parent)
    return f"{BEGIN}{readme_line(data)} Table: [{rel}]({rel}/README.md).{END}"


def rewrite(readme: Path, data: dict, *, check: bool = False) -> list:
    """Rewrite the block between the markers (or, with check, return the differing lines, [] if none)."""
    text = readme.read_text(encoding="utf-8")
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        raise ValueError(f"{readme.name}: no '{BEGIN}' ... '{END}' markers; add them where the line belongs")
    old, new = text[start:stop + len(END)], readme_block(data, readme)
    if check:
        return list(difflib.unified_diff(old.splitlines(), new.splitlines(), readme.name, "generated", lineterm=""))
    readme.write_text(text[:start] + new + text[stop + len(END):], encoding="utf-8")
    return []


def install_lines(folder: Path) -> list:
    """One line per install check beside the run (install-check*.json from `python -m bench.versions
    install-check`): would installing the project into that combination's environment keep its versions."""
    lines = []
    for path in sorted(Path(folder).glob("install-check*.json")):
        for c in json.loads(path.read_text(encoding="utf-8")):
            kept = "keeps" if c["keeps"] else "does not keep"
            moved = f" (would move: {', '.join(c['moved'])})" if c.get("moved") else ""
            lines.append(f"- `{path.name}`: installing the project into {c['combo']} {kept} torch {c['torch']} + "
                         f"torchaudio {c['torchaudio']}{moved}")
    return lines


def notes(data: dict) -> str:
    """The run's own README: the table, the verified pairs, the install checks and the command that made it."""
    machine = data["machine"]
    checks = install_lines(data["_dir"])
    return ("\n\n".join([
        "# Version matrix", readme_line(data), markdown_table(data),
        f"Machine: {machine['cpu']}, {machine['cores']} cores, shared with other jobs while it ran (throughput "
        f"is the median of {data['passes']} interleaved passes; 'even' where the per-pass range holds the locked "
        f"stack's). Accuracy: models trained on the locked stack ({data['epochs']} epochs, {data['seeds']} seeds"
        f"{'; ' + ', '.join(data['accuracy_libraries']) + ' features only' if data.get('accuracy_libraries') else ''}), "
        "served each combination's features, minus the same model served the locked stack's (paired by seed). "
        f"Float32 rounding bound: {fmt(data['rounding'])} of a clip's largest |MFCC|.",
        *(["Install checks (uv pip install --dry-run of this project; `-pinned` is with the exact torch pins "
            "that came before the matrix):\n\n" + "\n".join(checks)] if checks else []),
        f"Made with `{data['command']}`" + (f" in {fmt(data['minutes'])} minutes." if data.get("minutes") else ".")])
        + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.upgrades", description=__doc__.splitlines()[0])
    parser.add_argument("run", help="a versions run folder (holding versions.json)")
    parser.add_argument("--readme", type=Path, nargs="*", default=[], help="files whose upgrades block to rewrite")
    parser.add_argument("--check", action="store_true", help="only check the --readme files, exit 1 on a difference")
    parser.add_argument("--notes", action="store_true", help="write the run folder's README.md")
    args = parser.parse_args(argv)
    try:
        data = load(args.run)
        failed = False
        for readme in args.readme:
            diff = rewrite(readme, data, check=args.check)
            if diff:
                print("\n".join(diff), file=sys.stderr)
                failed = True
        if args.notes:
            (Path(data["_dir"]) / "README.md").write_text(notes(data), encoding="utf-8")
    except (OSError, ValueError) as err:
        print(f"reports.upgrades: {err}", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
