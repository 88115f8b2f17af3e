# xieshang — two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run demo test lint typecheck pytest clock test-clock bench fuzz clean sysdeps

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "xieshang needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,peers,batch]'
	@touch $(STAMP)

## Debian packages the tests need: Chinese fonts (charts, PDF), pdftotext (PDF checks),
## chromium (the browser tests, driven by Playwright) and faketime (the runs at faked
## moments). Installed with apt when missing and allowed (root); otherwise the tests that
## need them say so and are skipped.
SYSDEPS_MISSING = $(shell fc-list :lang=zh 2>/dev/null | grep -q . || echo fonts-noto-cjk; \
	command -v pdftotext >/dev/null 2>&1 || echo poppler-utils; \
	test -x /usr/bin/chromium || echo chromium; \
	command -v faketime >/dev/null 2>&1 || echo faketime)

sysdeps:
	@if [ -n "$(strip $(SYSDEPS_MISSING))" ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing $(strip $(SYSDEPS_MISSING)) with apt"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq $(SYSDEPS_MISSING) >/dev/null; \
		else echo "$(strip $(SYSDEPS_MISSING)) missing and apt not usable: their tests are skipped"; fi; \
	fi

## Set everything up and run the built-in demo case.
run: $(STAMP)
	$(BIN)/xieshang serve --demo

demo: $(STAMP)
	$(BIN)/xieshang demo

## Run every check: lint, types, tests, and the time-sensitive tests once more at a faked
## moment (Beijing midnight passes during that run).
test: lint typecheck pytest clock

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) sysdeps
	@if command -v node >/dev/null 2>&1; then \
		npm ci --prefix bench/peers/snowball --no-audit --no-fund --silent \
		|| echo "node-debt-snowball not installed: its cross-check is skipped"; fi
	$(BIN)/python -m pytest

## The time-sensitive tests under faketime: one run (part of `make test`) ...
clock: $(STAMP) sysdeps
	$(BIN)/python scripts/test_clock.py --one

## ... or every awkward moment in three time zones (UTC, Asia/Shanghai, America/Los_Angeles).
test-clock: $(STAMP) sysdeps
	$(BIN)/python scripts/test_clock.py

## The reliability suite at full counts (tests/fuzz; docs/reliability.md): fuzzed commands,
## statements and web forms, SIGKILLed and concurrent writers, a full disk (a tmpfs; root),
## stale edits. Seeded; prints each part's figures; fails on any traceback, 500, hang,
## partial write, corrupt store, lost record or lost update. `make test` runs it at small
## counts (tests/test_fuzz.py); FUZZ_ARGS="--small" or e.g. "--only cli --cli 500" here.
fuzz: $(STAMP)
	PYTHONPATH=src:tests nice $(BIN)/python -m fuzz $(FUZZ_ARGS)

## Benchmarks against the peer programs (figures, not pass/fail; bench/RESULTS.md has the last).
bench: $(STAMP)
	@if command -v node >/dev/null 2>&1; then \
		npm ci --prefix bench/peers/snowball --no-audit --no-fund --silent \
		|| echo "node-debt-snowball not installed: its comparison is skipped"; fi
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/peers/crosscheck.py
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/web.py --cold

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
