# Two commands for a fresh clone:  `make demo`  and  `make test`.
# Each installs what it needs (Python packages from pyproject.toml into .venv,
# npm packages from package-lock.json into node_modules) and only reinstalls
# when those files change.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install chromium demo test lint bench clean

install: $(VENV)/.installed node_modules/.installed chromium

# The console's browser tests drive Debian's chromium (no browser download is possible here).
chromium:
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

$(VENV)/.installed: pyproject.toml ledger/attest/_seal.c ledger/attest/_seal_json.c ledger/attest/_seal.h api/_depth.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json verifier-js/package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: install
	$(BIN)/credence demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python scripts/bench_attest.py
	$(BIN)/python scripts/bench_scoring.py
	$(BIN)/python scripts/bench_audit.py

clean:
	rm -rf build .credence
