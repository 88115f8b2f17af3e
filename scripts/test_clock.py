"""Run the time-sensitive tests under ``faketime`` at awkward moments (developer tool).

    .venv/bin/python scripts/test_clock.py          # every moment in every time zone
    .venv/bin/python scripts/test_clock.py --one    # one run: Beijing midnight, mid-run
    .venv/bin/python scripts/test_clock.py --all-tests --moment '2026-12-07 03:00:00 UTC'

``make test-clock`` runs the first, ``make test`` the second. Each run is a fresh pytest
process under Debian's ``faketime`` (libfaketime): the machine's clock starts at the moment
given (a UTC moment) and runs on from there, and ``TZ`` is set to the zone named. The
tests' own clock pin (``tests/conftest.py``) then takes that faked moment as the run's
moment, so these runs prove that nothing reads the machine's clock around it and that the
pages, documents and alerts are right at those moments.

Left out of every faked run: the two ``test_an_import_killed_*`` tests of
``tests/test_cli_case_budget.py``. They do not depend on the clock, but they kill a command
while it writes and wait for it with ``subprocess.wait(timeout=…)``, whose sleep gets
``EINVAL`` from libfaketime; they run in the ordinary ``make test`` run.

Without ``faketime`` (and no apt to install it) the runs are skipped with a message and the
exit status is 0: the suite's own clock tests still run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The files whose results depend on "today" or "now": everything that reads the clock
#: through the command line, the web app, the store, the documents and the reminders.
TIME_SENSITIVE = [
    "tests/test_clock.py",
    "tests/test_agreement.py",
    "tests/test_arrangements.py",
    "tests/test_case_view.py",
    "tests/test_one_share.py",
    "tests/test_cli_width.py",
    "tests/test_services_contacts.py",
    "tests/test_calendar.py",
    "tests/test_followup.py",
    "tests/test_demo.py",
    "tests/test_documents.py",
    "tests/test_cli_calc.py",
    "tests/test_cli_case.py",
    "tests/test_cli_case_budget.py",
    "tests/test_cli_case_exchange.py",
    "tests/test_cli_log.py",
    "tests/test_cli_negotiate.py",
    "tests/test_cli_negotiate_more.py",
    "tests/test_cli_plan.py",
    "tests/test_backup.py",
    "tests/test_web.py",
    "tests/test_web_app.py",
    "tests/test_web_budget.py",
    "tests/test_web_consequences.py",
    "tests/test_web_debts.py",
    "tests/test_web_dossier.py",
    "tests/test_web_log.py",
    "tests/test_web_negotiate.py",
    "tests/test_web_plan.py",
    "tests/test_web_questions.py",
    "tests/test_web_start.py",
]

#: (moment in UTC, why it is awkward).
MOMENTS = [
    ("2026-12-06 15:30:00 UTC", "23:30 in Beijing: a call 'now' is outside the permitted hours"),
    ("2026-12-06 15:59:59 UTC", "the Beijing date rolls over as the run starts"),
    ("2026-12-06 15:59:00 UTC", "the Beijing date rolls over a minute into the run"),
    ("2026-12-31 15:59:00 UTC", "month end and year end roll over during the run"),
    ("2028-02-29 03:00:00 UTC", "29 February 2028, 11:00 in Beijing"),
    ("2028-02-29 15:59:00 UTC", "29 February rolls over to 1 March during the run"),
    ("2026-12-07 03:00:00 UTC", "11:00 in Beijing, an ordinary morning"),
]

ZONES = ["UTC", "Asia/Shanghai", "America/Los_Angeles"]

#: The moment and zone of ``--one`` (the run ``make test`` makes).
ONE = ("2026-12-06 15:59:00 UTC", "America/Los_Angeles")

#: Not clock-dependent, and their subprocess wait breaks under libfaketime (see above).
LEFT_OUT = "not import_killed"


def run(moment: str, zone: str, files: list[str], extra: list[str]) -> tuple[int, float]:
    """One pytest run at ``moment`` in ``zone``: (exit status, seconds)."""
    env = {key: value for key, value in os.environ.items() if key != "XIESHANG_NOW"}
    env["TZ"] = zone
    command = ["faketime", moment, sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
               "-k", LEFT_OUT, *extra, *files]
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env=env)
    return code, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one", action="store_true", help="only the run `make test` makes")
    parser.add_argument("--all-tests", action="store_true", help="the whole suite, not only "
                        "the time-sensitive files")
    parser.add_argument("--moment", action="append", help="a UTC moment (repeatable)")
    parser.add_argument("--zone", action="append", help="a TZ value (repeatable)")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    options = parser.parse_args(argv)
    if shutil.which("faketime") is None:
        print("faketime is not installed (Debian package faketime) and apt was not usable: "
              "the runs at faked moments are skipped")
        return 0
    if options.one:
        plan = [ONE]
    else:
        moments = options.moment or [moment for moment, _why in MOMENTS]
        plan = [(moment, zone) for moment in moments for zone in options.zone or ZONES]
    files = [] if options.all_tests else TIME_SENSITIVE
    results = []
    for moment, zone in plan:
        print(f"--- faketime {moment!r}, TZ={zone}", flush=True)
        code, seconds = run(moment, zone, files, options.pytest_args)
        results.append((moment, zone, code, seconds))
    print("\nruns at faked moments:")
    for moment, zone, code, seconds in results:
        verdict = "passed" if code == 0 else f"FAILED (exit {code})"
        print(f"  {moment:<24} TZ={zone:<20} {verdict:<18} {seconds:6.0f} s")
    return 0 if all(code == 0 for _m, _z, code, _s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
