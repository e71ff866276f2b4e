# The public interface of the project. `make run` and `make test` are the two commands of the
# README; everything else is a convenience for developers and operators.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WAREHOUSE ?= warehouse/postloan.duckdb
LANDING ?= warehouse/landing
PORT ?= 8501
comma := ,

.PHONY: run install landing build serve ui test lint clean bench

run: build serve ## install, build the warehouse from the bundled data, serve the dashboard

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# Every package, transitive ones included, is pinned with hashes in requirements.lock.
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

install: $(STAMP)

landing: $(STAMP) ## turn the bundled public data into landing batches
	$(BIN)/postloan adapt --out $(LANDING)

build: landing ## ingest, dbt build, checks, publish
	$(BIN)/postloan build --landing $(LANDING) --warehouse $(WAREHOUSE)

serve: $(STAMP)
	$(BIN)/postloan serve --warehouse $(WAREHOUSE) --port $(PORT)

ui: $(STAMP) ## Dagster UI and daemon with the project's persistent instance (.dagster/)
	$(BIN)/postloan ui --warehouse $(WAREHOUSE) --landing $(LANDING)

lint: $(STAMP)
	$(BIN)/ruff check orchestration dashboard tests

test: $(STAMP) ## the whole test suite (what CI runs)
	$(BIN)/ruff check orchestration dashboard tests
	$(BIN)/python -m pytest -q

bench: $(STAMP) ## build the demonstration bank at S, M and L; write docs/benchmarks.md
	$(BIN)/postloan bench --sizes $(or $(SIZES),S$(comma)M$(comma)L)

clean:
	rm -rf warehouse .dagster dbt_project/target dbt_project/logs
