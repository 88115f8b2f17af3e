# xieshang — two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run demo test lint typecheck pytest bench clean sysdeps

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "xieshang needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,peers]'
	@touch $(STAMP)

## Debian packages the tests need: Chinese fonts (charts, PDF) and pdftotext (PDF checks).
## Installed with apt when missing and allowed (root); otherwise the tests that need them
## say so and are skipped.
sysdeps:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q . || ! command -v pdftotext >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing fonts-noto-cjk and poppler-utils with apt"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq fonts-noto-cjk poppler-utils >/dev/null; \
		else echo "fonts-noto-cjk / poppler-utils missing and apt not usable: PDF checks are skipped"; fi; \
	fi

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

pytest: $(STAMP) sysdeps
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
