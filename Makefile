# Heyrick: two commands do all the set-up.
#   make run   - install, generate the synthetic sample, run the whole pipeline, print a summary
#   make test  - the whole test suite (what CI runs)
#   make ui    - the Dagster UI on http://127.0.0.1:3000

SHELL := /bin/bash
PYTHON ?= python3
# uv from PATH, or installed with pip into a repo-local tools venv when missing.
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := .venv
export DAGSTER_HOME := $(CURDIR)/dagster_home
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install run test ui sample bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python 3.11
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/heyrick run

sample: install
	$(VENV)/bin/heyrick sample

test: install
	$(VENV)/bin/python -m pytest

bench: install
	$(VENV)/bin/python -m benchmarks.sources

ui: install
	$(VENV)/bin/dagster dev -w workspace.yaml

clean:
	rm -rf data/heyrick.duckdb data/raw data/sample data/reports dbt_project/target
