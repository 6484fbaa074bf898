"""`mfcc-bench`: one console command over the project's entry points (installed by `pip install -e .`).

    mfcc-bench run [ARGS]      python -m bench.run      (measure; --profile quick|standard|full)
    mfcc-bench corpus [ARGS]   python -m bench.corpus   (featurise a dataset on Ray)
    mfcc-bench report [ARGS]   python -m reports.build  (HTML report, README answer box and RESULTS.md)
    mfcc-bench train [ARGS]    python -m model.train    (the classifier on one backend's features)

Each sub-command takes exactly the arguments of its `python -m` form (`mfcc-bench run --help`).
"""
from __future__ import annotations

import importlib
import sys

COMMANDS = {"run": "bench.run", "corpus": "bench.corpus.cli", "report": "reports.build", "train": "model.train"}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr if argv and argv[0] not in ("-h", "--help") else sys.stdout)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(COMMANDS[argv[0]])
    return module.main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
