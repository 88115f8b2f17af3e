"""Benchmarks of the engine against the peer programs, side by side in one run.

Run it with ``make bench`` (or ``.venv/bin/python bench/engine.py [--cli-runs N]``). It prints
figures, ratios and whether each target is met; it never fails a build.

1. a 360-row annuity schedule (等额本息): ours vs mortgagemath ``amortization_schedule``;
   target: faster than mortgagemath;
2. the IRR of 37 cash flows: ours vs numpy-financial ``irr`` and pyxirr ``irr``;
   target: at least 10 × faster than numpy-financial (pyxirr, compiled Rust, is the bar);
3. CLI start-up: ``xieshang --help`` and ``xieshang calc overdue …`` as fresh processes;
   target: ``--help`` under 250 ms.

The peers are optional (``pip install -e '.[peers]'``); a missing one is reported and skipped.
Times are medians of several repeats of ``timeit`` loops (``time.perf_counter``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

REPEATS = 7
MISSING = "peer not installed (pip install -e '.[peers]')"

# 1,000,000 over 30 years at 3.25 % a year (a case of tests/test_peers_schedules.py)
PRINCIPAL, ANNUAL_PERCENT, MONTHS = "1000000", "3.25", 360
# peers-and-style.md §1.3.3: 5,700 paid out, 36 payments of 197.86 (37 flows)
IRR_FLOWS = [Decimal("-5700")] + [Decimal("197.86")] * 36


def median_seconds(function: Callable[[], object]) -> float:
    """Median time of one call, over REPEATS loops each lasting at least 0.2 s."""
    timer = timeit.Timer(function, timer=time.perf_counter)
    number, _ = timer.autorange()
    return statistics.median(t / number for t in timer.repeat(repeat=REPEATS, number=number))


def optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def line(label: str, seconds: float | None, note: str = "", unit: str = "µs") -> None:
    scale = 1e6 if unit == "µs" else 1e3
    figure = f"{seconds * scale:10.1f} {unit}" if seconds is not None else " " * 13
    print(f"  {label:<50}{figure}   {note}".rstrip())


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


# ------------------------------------------------------------------------ 1. schedule


def bench_schedule() -> None:
    from xieshang.engine.schedules import annuity

    print(f"1. 360-row annuity schedule ({PRINCIPAL} at {ANNUAL_PERCENT} % a year, "
          f"{MONTHS} months, half-up)")
    monthly = Decimal(ANNUAL_PERCENT) / 1200
    ours_time = median_seconds(lambda: annuity(PRINCIPAL, monthly, MONTHS))
    line("ours: xieshang.engine.schedules.annuity", ours_time)
    mm = optional("mortgagemath")
    if mm is None:
        line("mortgagemath amortization_schedule", None, MISSING)
        return
    params = mm.LoanParams(
        principal=Decimal(PRINCIPAL), annual_rate=Decimal(ANNUAL_PERCENT), term_months=MONTHS,
        payment_rounding=mm.PaymentRounding.ROUND_HALF_UP,
        interest_rounding=mm.PaymentRounding.ROUND_HALF_UP,
        balance_tracking=mm.BalanceTracking.ROUND_EACH,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs_time = median_seconds(lambda: mm.amortization_schedule(params))
        theirs = list(mm.amortization_schedule(params))[1:]  # row 0 is the opening balance
    ratio = theirs_time / ours_time
    line(f"mortgagemath {version('mortgagemath')} amortization_schedule", theirs_time,
         f"ours is {ratio:.2f}× as fast; target faster than mortgagemath: {verdict(ratio > 1)}")
    ours = annuity(PRINCIPAL, monthly, MONTHS).rows
    same = len(ours) == len(theirs) and all(
        (r.payment, r.interest, r.principal, r.balance)
        == (p.payment, p.interest, p.principal, p.balance)
        for r, p in zip(ours, theirs, strict=False)
    )
    print(f"  rows identical to the fen: {'yes' if same else 'NO'}")


# ----------------------------------------------------------------------------- 2. IRR


def bench_irr() -> None:
    from xieshang.engine.rates import irr

    print(f"2. IRR of {len(IRR_FLOWS)} flows (5,700 paid out, 36 × 197.86; "
          "peers get a prepared float list)")
    floats = [float(flow) for flow in IRR_FLOWS]
    ours_time = median_seconds(lambda: irr(IRR_FLOWS))
    line("ours: xieshang.engine.rates.irr (Decimal in/out)", ours_time,
         f"monthly IRR {irr(IRR_FLOWS)}")
    npf = optional("numpy_financial")
    if npf is None:
        line("numpy-financial irr", None, MISSING)
    else:
        npf_time = median_seconds(lambda: npf.irr(floats))
        ratio = npf_time / ours_time
        line(f"numpy-financial {version('numpy-financial')} irr", npf_time,
             f"ours is {ratio:.1f}× as fast; target ≥ 10×: {verdict(ratio >= 10)}")
    pyxirr = optional("pyxirr")
    if pyxirr is None:
        line("pyxirr irr", None, MISSING)
    else:
        pyxirr_time = median_seconds(lambda: pyxirr.irr(floats))
        ratio = pyxirr_time / ours_time
        line(f"pyxirr {version('pyxirr')} irr (Rust)", pyxirr_time,
             f"ours is {ratio:.2f}× as fast (the bar, no target)")


# ------------------------------------------------------------------------ 3. the CLI


def bench_cli(runs: int) -> None:
    print(f"3. CLI start-up (fresh process, median of {runs} runs)")
    program = Path(sys.executable).parent / "xieshang"
    if not program.exists():
        print(f"  skipped: {program} does not exist yet (make run, or pip install -e .)")
        return
    commands = [
        ("xieshang --help", [str(program), "--help"], 0.250),
        ("xieshang calc overdue --product huabei …",
         [str(program), "calc", "overdue", "--product", "huabei", "--amount", "1000",
          "--days", "3"], None),
    ]
    # as a person runs it: with the bytecode cache (some shells set PYTHONDONTWRITEBYTECODE,
    # which makes every start recompile the sources); one warm-up run writes the cache
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for label, command, target in commands:
        subprocess.run(command, capture_output=True, check=False, env=env)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, check=False, env=env)
            times.append(time.perf_counter() - start)
        if done.returncode != 0:
            error = done.stderr.decode(errors="replace").strip().splitlines()
            line(label, None, f"failed (exit {done.returncode}): {error[-1] if error else ''}")
            continue
        seconds = statistics.median(times)
        note = "" if target is None else (
            f"target < {target * 1000:.0f} ms: {verdict(seconds < target)}")
        line(label, seconds, note, unit="ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli-runs", type=int, default=10,
                        help="fresh CLI processes per command (default 10)")
    args = parser.parse_args()
    try:
        importlib.import_module("xieshang")
    except ImportError:  # not installed: run from the source tree
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    print(f"xieshang engine benchmarks — Python {platform.python_version()} on "
          f"{platform.machine()}, medians of {REPEATS} repeats\n")
    bench_schedule()
    print()
    bench_irr()
    print()
    bench_cli(args.cli_runs)


if __name__ == "__main__":
    main()
