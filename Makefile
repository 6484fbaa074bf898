# Two commands for a fresh machine (each creates the virtual environment on first use):
#   make bench   set up, then run the main job (python -m bench.run on the built-in synthetic data)
#   make test    set up, then run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= out/bench
BENCH_ARGS ?= --backend all

.PHONY: setup bench bench-fsdd test benchmarks report clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

bench: setup
	$(PY) -m bench.run $(BENCH_ARGS) --out $(OUT)

bench-fsdd: setup
	$(PY) -m bench.run --backend all --dataset fsdd --out out/bench-fsdd

test: setup
	$(PY) -m pytest --benchmark-disable

benchmarks: setup
	$(PY) -m pytest tests --benchmark-only --benchmark-json=out/benchmarks.json

clean:
	rm -rf $(VENV) out .pytest_cache .benchmarks

report: setup
	$(PY) -m reports.build reports/results/*/results.json --out out/report
