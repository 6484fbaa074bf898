"""The GPU session (`python3 -m bench.gpu`, `make bench-gpu`): every CUDA measurement on a lent machine.

    session.py  the runner: installs the carried wheels, records the machine, runs the plan's steps
    plan.py     the steps, their deadlines and the merge of their results into one results.json
    env.py      `python -m bench.gpu.env`: the machine as JSON (nvidia-smi, driver, CUDA, versions)

It runs with plain python3 and the carried wheels, so these modules import only the standard library at
the top (reports.schema, for the merge, is pure Python)."""
