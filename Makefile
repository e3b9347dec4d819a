# ibm_engine: every target creates .venv itself on a fresh machine (only Python 3.11 needed).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
BENCHSTAMP := $(VENV)/.installed-bench

.PHONY: demo test bench lint typecheck pytest conformance clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(STAMP)

$(BENCHSTAMP): pyproject.toml $(DEVSTAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

demo: $(STAMP)
	$(VENV)/bin/ibm-engine demo

LINTED := $(wildcard src tests benchmarks examples)

lint: $(DEVSTAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

typecheck: $(DEVSTAMP)
	$(VENV)/bin/mypy

pytest: $(DEVSTAMP)
	$(PY) -m pytest -q

test: lint typecheck pytest

conformance: $(DEVSTAMP)
	cd ../shared/conformance && $(CURDIR)/$(PY) check_contract.py && $(CURDIR)/$(PY) check_rules.py

bench: $(BENCHSTAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
