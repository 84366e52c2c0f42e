# papershelf: `make build` imports the dumps and renders _site/; `make test` runs the suite.
# Both create .venv on first use and install what they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE_URL ?=

.PHONY: build site test lint bench audit docs-screenshots serve system-deps node-tools clean

DUMPS := $(wildcard content/sources/*)

build: $(VENV)/.installed
	$(if $(DUMPS),$(BIN)/papershelf import $(DUMPS))
	$(BIN)/papershelf build $(if $(BASE_URL),--base-url "$(BASE_URL)")

test: $(VENV)/.installed-dev system-deps node-tools
	$(BIN)/python -m pytest

# The benchmark against Hugo (bench/run.py); e.g. make bench BENCH_ARGS="--sizes 1000 --pairs 5"
bench: $(VENV)/.installed-dev system-deps
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check generator tests

system-deps:
	bash scripts/install-system-deps

# axe-core and Lighthouse for the e2e tests, at the versions locked in scripts/node/, into .artifacts/node/
node-tools: system-deps
	bash scripts/install-node-tools axe lighthouse

# Lighthouse (mobile preset) on the index, a paper page and search, served on 127.0.0.1
audit: $(VENV)/.installed system-deps
	bash scripts/install-node-tools lighthouse
	$(BIN)/python scripts/audit.py $(AUDIT_ARGS)

# Regenerate the README's screenshots (docs/*.png) from the current theme
docs-screenshots: $(VENV)/.installed-dev system-deps
	$(BIN)/python scripts/docs_screenshots.py

clean:
	rm -rf _site .papershelf-cache .pytest_cache

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed
