"""`python -m bench.versions`: the version matrix (see bench/versions/driver.py), or `lock` to write the locks."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import envs
from .combos import LOCKED, MATRIX, by_name


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.versions",
                                     description="librosa/torch version matrix: features, accuracy and speed "
                                                 "of each combination against the locked stack")
    parser.add_argument("task", nargs="?", choices=("run", "lock", "install-check"), default="run",
                        help="run the matrix (default); lock: write requirements/versions/*.txt; install-check: "
                             "would installing the project into each combination's environment keep its torch?")
    parser.add_argument("--combo", action="append", choices=[c.name for c in MATRIX],
                        help="a combination to run (repeatable; default: every one). The locked stack always runs.")
    parser.add_argument("--fsdd", default=os.environ.get("FSDD_DIR"), help="FSDD folder (default: $FSDD_DIR)")
    parser.add_argument("--out", type=Path, default=Path("out/versions"))
    parser.add_argument("--envs", type=Path, default=None, help="where environments are built (default: OUT/envs)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many clips per split (quick runs)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30, help="training epochs (the full profile's)")
    parser.add_argument("--passes", type=int, default=5, help="interleaved throughput passes")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per pass")
    parser.add_argument("--resume", action="store_true",
                        help="keep the features and timings an earlier run left in OUT; measure the rest")
    parser.add_argument("--stub", action="store_true",
                        help="run every combination in an environment linked to this one's packages "
                             "(the mechanism's test: downloads nothing)")
    args = parser.parse_args(argv)
    for name in ("limit", "seeds", "epochs", "passes", "repeats"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name}={value}: must be a positive integer")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    chosen = [by_name(n) for n in args.combo] if args.combo else list(MATRIX)
    if args.task == "lock":
        try:
            for combo in chosen:
                if combo.lock is not None:
                    print(envs.compile_lock(combo))
        except envs.EnvError as err:
            print(f"bench.versions lock: {err}", file=sys.stderr)
            return 1
        return 0
    if args.task == "install-check":
        import json

        checks = []
        for combo in (c for c in chosen if c.lock is not None):
            try:
                checks.append(envs.install_check(combo, args.envs or args.out / "envs"))
            except envs.EnvError as err:
                checks.append(dict(combo=combo.name, keeps=False, error=str(err)))
            print(f"{combo.name}: {'keeps' if checks[-1]['keeps'] else 'does NOT keep'} torch {combo.torch} + "
                  f"torchaudio {combo.torchaudio} {checks[-1].get('error') or ''}")
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "install-check.json").write_text(json.dumps(checks, indent=1) + "\n")
        return 0 if all(c["keeps"] for c in checks) else 1
    if not args.fsdd:
        print("bench.versions: no FSDD folder: pass --fsdd DIR or set FSDD_DIR", file=sys.stderr)
        return 2
    from .driver import run

    combos = [LOCKED] + [c for c in chosen if c is not LOCKED]
    result = run(combos, data_dir=args.fsdd, out=args.out, envs_root=args.envs or args.out / "envs",
                 limit=args.limit, seeds=args.seeds, epochs=args.epochs, passes=args.passes,
                 repeats=args.repeats, stub=args.stub, resume=args.resume)
    for row in result["combos"]:
        state = "verified" if row["verified"] else f"NOT verified: {row['broke']}"
        print(f"{row['combo']}: {state}")
    print(f"wrote {args.out / 'versions.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
