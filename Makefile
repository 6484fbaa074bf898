# Two commands for a fresh machine (each creates the virtual environment on first use):
#   make bench   set up, then run the main job (python -m bench.run --profile quick on built-in synthetic data)
#   make test    set up, then run the static checks (make lint) and the test suite
# `make setup` installs exactly the lock for this Python (requirements/lock-py311.txt or lock-py312.txt,
# every file checked against its hash), then checks the install (requirements/check_install.py).
# `make lock` regenerates the locks from pyproject.toml: run it after changing a dependency there.
# The GPU session (docs/gpu.md): `make gpu-wheels` here, then `make bench-gpu` on the
# CUDA machine with plain python3 (no venv, no setup); `make bench-gpu REHEARSE=1` rehearses it on this CPU.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= out/bench
BENCH_ARGS ?= --profile quick --backend all
PYVER := $(shell $(PYTHON) -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")')
LOCK := requirements/lock-py$(PYVER).txt
# pip itself, pinned: the resolver that reads the lock is part of the tested stack.
PIP_VERSION := 26.3
UV := $(VENV)/bin/uv
LOCK_ARGS := pyproject.toml --extra test requirements/build.in --generate-hashes --quiet \
	--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock"

.PHONY: setup bench bench-fsdd test lint benchmarks report committed-reports lock clean bench-full gpu-wheels bench-gpu \
	bench-generalisation bench-versions bench-loso
FSDD_DIR ?= ../shared/data/fsdd
# the device tool sets OUT to the folder it brings back; elsewhere the session writes to out/gpu-session
GPU_OUT ?= $(if $(filter environment,$(origin OUT)),$(OUT),out/gpu-session)

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(LOCK)
	@test -f $(LOCK) || { echo "make setup: no lock for Python $(PYVER) (requirements/ has lock-py311.txt and lock-py312.txt); run with PYTHON=python3.11, or install the ranges yourself: pip install -e '.[test]'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) requirements/check_install.py
	touch $@

lock: setup
	$(PY) -m pip install --quiet -r requirements/tools.txt
	$(UV) pip compile $(LOCK_ARGS) --python-version 3.11 -c requirements/locked-pair.txt -o requirements/lock-py311.txt
	$(UV) pip compile $(LOCK_ARGS) --python-version 3.12 -c requirements/gpu-image.txt -o requirements/lock-py312.txt
	@grep -E '^(torch|torchaudio|librosa|numpy)==' requirements/lock-py311.txt requirements/lock-py312.txt

bench: setup
	$(PY) -m bench.run $(BENCH_ARGS) --out $(OUT)

bench-full: setup
	$(PY) -m bench.run --profile full --backend all --out out/bench-full

bench-fsdd: setup
	$(PY) -m bench.run --profile full --backend all --dataset fsdd --out out/bench-fsdd

# accuracy on 5 seeds and the settings study on FSDD's speaker-held-out split (about 40 minutes on 2 cores)
bench-generalisation: setup
	$(PY) -m bench.run --profile generalisation --backend all --dataset fsdd --data-dir $(FSDD_DIR) --split speakers \
		--out out/bench-generalisation

# the librosa/torch version matrix (bench/versions): one environment per combination, built with the pinned uv
# from requirements/versions/*.txt (several GB of wheels the first time, kept in uv's cache; each environment
# is deleted after the run)
bench-versions: setup
	$(PY) -m pip install --quiet -r requirements/tools.txt
	$(PY) -m bench.versions --fsdd $(FSDD_DIR) --out out/bench-versions

# leave-one-speaker-out: the presets and Kaldi's defaults with one setting reverted, 6 folds, 3 seeds, two
# classifiers (docs/loso.md)
bench-loso: setup
	$(PY) -m bench.run --profile loso --backend librosa_torch,torchaudio_kaldi --dataset fsdd --data-dir $(FSDD_DIR) --out out/bench-loso

# the static checks first (seconds; each stops the run when broken), then the suite
test: setup lint
	$(PY) -m pytest --benchmark-disable

# ruff (E9, F, B), mypy (common/, features/, reports/; records and schema strict), the layer contract;
# their settings are in pyproject.toml
lint: setup
	$(VENV)/bin/ruff check --no-cache .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

benchmarks: setup
	$(PY) -m pytest tests --benchmark-only --benchmark-json=out/benchmarks.json

clean:
	rm -rf $(VENV) out .pytest_cache .benchmarks

report: setup
	$(PY) -m reports.build reports/results/*/results.json $(wildcard reports/results/*/versions.json) --out out/report

# the committed reports: each run's page beside its results (folders without a results.json, such as the
# versions study's, have none), and one index page linking every run
committed-reports: setup
	for f in reports/results/*/results.json; do $(PY) -m reports.build $$f --out $$(dirname $$f)/report || exit 1; done
	$(PY) -m reports.build reports/results/*/results.json --index reports/results/index.html

gpu-wheels:
	$(PYTHON) requirements/gpu_wheels.py --fsdd $(FSDD_DIR)

# never depends on setup: on the lent CUDA machine (no .venv travels) the image's python3 runs it with the
# carried wheels; on a CUDA machine after `make setup`, the venv's Python
ifdef REHEARSE
bench-gpu: $(if $(filter $(VENV)/bin/python,$(PY)),setup)
	$(PY) -m bench.gpu --rehearse --out $(GPU_OUT)
else
bench-gpu:
	$(if $(wildcard $(PY)),$(PY),python3) -m bench.gpu --out $(GPU_OUT)
endif
