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

.PHONY: install run test ui sample bench clean audit

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

# Heyrick beside plain baselines (benchmarks/compare.py); HEYRICK_SAMPLE_SCALE=national for
# the national sample (kept in data/bench-national/sample between runs; BENCH_ARGS passes
# options such as --link-areas SE,B; on a shared machine, run it under the national lock).
# The recordlinkage baseline needs pandas<3, so the `bench` dependency group is installed
# alone (--only-group: no Heyrick, no default pins) in an environment of its own. `python -m benchmarks.sources` times the pipeline on the real files too.
BENCH_VENV := .tools/bench-venv
.PHONY: bench-install

$(BENCH_VENV)/.installed: pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(BENCH_VENV) $(UV) sync --frozen --python 3.11 --only-group bench
	touch $@

bench-install: $(BENCH_VENV)/.installed

bench: install bench-install
	$(VENV)/bin/python -m benchmarks.compare $(BENCH_ARGS)

ui: install
	$(VENV)/bin/dagster dev -w workspace.yaml

# Headless Chromium (Debian's package) for tests/integration/test_dagster_ui_browser.py,
# installed with apt when it is missing (as root, or with sudo without a password). Where
# that is impossible this says so and succeeds: the browser test then skips itself.
.PHONY: browser
browser:
	@if command -v chromium >/dev/null; then echo "chromium: $$(command -v chromium)"; \
	elif ! command -v apt-get >/dev/null; then \
		echo "chromium missing and no apt-get here: the browser test will skip"; \
	else \
		sudo=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
		{ $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium; } \
			|| echo "chromium could not be installed: the browser test will skip"; \
	fi

# Audits what uv.lock pins with pip-audit, run as a pinned tool outside the project's lock.
# Fails unless every locked package was really looked up: where the vulnerability service is
# unreachable, pip-audit alone says "No known vulnerabilities found" having audited nothing.
# AUDIT_SERVICE=osv asks api.osv.dev instead of PyPI.
PIP_AUDIT := pip-audit==2.10.1
AUDIT_SERVICE ?= pypi
audit: | $(UV)
	$(UV) tool run --python 3.11 --from $(PIP_AUDIT) \
		python scripts/audit.py --uv $(UV) --service $(AUDIT_SERVICE)

clean:
	rm -rf data/heyrick.duckdb data/raw data/sample data/reports dbt_project/target

# dbt and Splink on Apache Spark (the optional `spark` dependency group, ~480 MB of pyspark),
# in an environment of their own: the group pins sqlglot below 30 (see pyproject.toml), so
# it must not replace the default .venv's packages. Needs Java 17 (`java` on PATH).
SPARK_VENV := .tools/spark-venv
.PHONY: spark-install spark-test

$(SPARK_VENV)/.installed: pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(SPARK_VENV) $(UV) sync --frozen --python 3.11 --group spark
	touch $@

spark-install: $(SPARK_VENV)/.installed

spark-test: spark-install
	$(SPARK_VENV)/bin/python -m pytest tests/integration/test_spark_*.py
