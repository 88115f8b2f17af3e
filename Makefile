# xieshang — two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "xieshang needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,peers]'
	@touch $(STAMP)

## Set everything up and run the built-in demo case.
run: $(STAMP)
	$(BIN)/xieshang demo

demo: run

## Run every check: lint, types, tests.
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	@if command -v node >/dev/null 2>&1; then \
		npm ci --prefix bench/peers/snowball --no-audit --no-fund --silent \
		|| echo "node-debt-snowball not installed: its cross-check is skipped"; fi
	$(BIN)/python -m pytest

## Benchmarks against the peer programs (figures, not pass/fail).
bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/peers/crosscheck.py
	$(BIN)/python bench/plan.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
