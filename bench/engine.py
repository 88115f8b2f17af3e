"""Benchmarks of the engine against the peer programs: the same work, interleaved rounds.

Run it with ``make bench`` (or ``.venv/bin/python bench/engine.py [--rounds N] [--sections
1,2,3,4]``). It prints figures, ratios and whether each goal of issue 16 is met; it never
fails a build. Every figure is CPU time (``time.process_time``; child processes by
``getrusage``), and every ratio is taken within one round of A then B (alternating which
goes first) and reported as the median and range over the rounds (:mod:`_ab`).

1. A 360-row exact annuity schedule (等额本息, 1,000,000 at 3.25 % over 30 years, half-up):
   ours vs mortgagemath ``amortization_schedule`` configured to the same rules (payment and
   each interest rounded half-up, the balance rounded each period); the rows are checked to
   be identical to the fen. Goal: ours ≤ 0.5× the peer's time. Timed: one call each. Ours,
   ``annuity(…)``, checks its inputs, works out the payment and walks the 360 periods,
   computing and keeping each period's payment, principal, interest and balance (1,440
   amounts, in integer fen, exactly those of the rows); its ``Row`` objects are made when
   ``.rows`` is first read (issue 16: rows materialised on demand). The peer's builds its
   361 ``Installment`` objects in the call. A second figure, for reference, times ours
   with ``.rows`` read too (the 360 rows made as Decimals).
2. IRR of 37 **distinct** monthly flows (an equal-principal loan: 5,700 paid out, 36
   payments falling from 243.35 to 160.73): ours (Decimal in) vs pyxirr ``irr`` given the
   same Decimal list (the same work: conversion included), and, for reference, pyxirr and
   numpy-financial given a prepared float list. Goal: ≤ 3× pyxirr on the same input. The old
   figure on 36 equal flows is printed separately and labelled: we fold runs of equal flows
   into closed-form terms, which the peers do not, so it is not the same work.
3. Start-up: ``python -m xieshang calc overdue …``, ``--help`` and ``status`` (on the demo
   case) as fresh processes vs ``python -c pass`` of the same interpreter, with the bytecode
   cache (as a person runs it). Goal: ``calc`` ≤ 5× ``python -c pass``.
4. One case evaluated (services.case_view: every debt's bill today, budget shares, alerts),
   the demo case and a 20-debt case. Goal ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import platform
import sys
import tempfile
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
#: the sources measured (XIESHANG_BENCH_SRC: another checkout, for before/after figures)
SRC = Path(os.environ.get("XIESHANG_BENCH_SRC", str(ROOT / "src")))
sys.path.insert(0, str(SRC))

from _ab import child_cpu, interleaved, interleaved_children, per_call  # noqa: E402

MISSING = "peer not installed (pip install -e '.[peers]')"
PRINCIPAL, ANNUAL_PERCENT, MONTHS = "1000000", "3.25", 360


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


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def bench_schedule(rounds: int) -> None:
    from xieshang.engine.schedules import annuity

    print(f"1. 360-row annuity schedule ({PRINCIPAL} at {ANNUAL_PERCENT} % a year, "
          f"{MONTHS} months, half-up)")
    mm = optional("mortgagemath")
    if mm is None:
        print(f"  mortgagemath: {MISSING}")
        return
    monthly = Decimal(ANNUAL_PERCENT) / 1200
    params = mm.LoanParams(
        principal=Decimal(PRINCIPAL), annual_rate=Decimal(ANNUAL_PERCENT), term_months=MONTHS,
        payment_rounding=mm.PaymentRounding.ROUND_HALF_UP,
        interest_rounding=mm.PaymentRounding.ROUND_HALF_UP,
        balance_tracking=mm.BalanceTracking.ROUND_EACH,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pair = interleaved(lambda: annuity(PRINCIPAL, monthly, MONTHS),
                           lambda: mm.amortization_schedule(params), rounds)
        with_rows = interleaved(lambda: annuity(PRINCIPAL, monthly, MONTHS).rows,
                                lambda: mm.amortization_schedule(params), rounds)
        theirs = list(mm.amortization_schedule(params))[1:]  # row 0: the opening balance
    schedule = annuity(PRINCIPAL, monthly, MONTHS)
    walk = getattr(schedule, "_pending", None)  # what the timed call kept (older sources: none)
    kept = None if walk is None else len(walk.amounts)
    ours = schedule.rows
    same = len(ours) == len(theirs) and all(
        (r.payment, r.interest, r.principal, r.balance)
        == (p.payment, p.interest, p.principal, p.balance)
        for r, p in zip(ours, theirs, strict=False))
    if walk is not None and walk.payment is not None:  # the kept fen are the rows' amounts
        same = same and walk.amounts == [
            int(amount * 100) for r in ours
            for amount in (r.payment, r.principal, r.interest, r.balance)]
    ratio = sorted(pair.ratios)[len(pair.ratios) // 2]
    print(f"  A = ours, B = mortgagemath {version('mortgagemath')}: {pair.describe()}")
    print(f"  (ours computed {kept or 'all'} amounts in the call; rows made on reading .rows)")
    print(f"  rows identical to the fen: {'yes' if same else 'NO'}; "
          f"goal ≤ 0.5×: {verdict(ratio <= 0.5)}")
    print(f"  for reference, A = ours with .rows read (360 Row objects made): "
          f"{with_rows.describe()}")


def bench_irr(rounds: int) -> None:
    from xieshang.engine.rates import irr
    from xieshang.engine.schedules import equal_principal

    flows = equal_principal("5700", Decimal("0.015"), 36).cash_flows()
    assert len(set(flows)) == len(flows)
    floats = [float(flow) for flow in flows]
    print(f"2. IRR of {len(flows)} distinct monthly flows (5,700 out; 36 payments "
          f"{flows[1]} … {flows[-1]})")
    pyxirr = optional("pyxirr")
    if pyxirr is None:
        print(f"  pyxirr: {MISSING}")
        return
    ours, theirs = irr(flows), pyxirr.irr(flows)
    print(f"  monthly IRR: ours {ours}, pyxirr {theirs:.12f}")
    same_input = interleaved(lambda: irr(flows), lambda: pyxirr.irr(flows), rounds)
    ratio = sorted(same_input.ratios)[len(same_input.ratios) // 2]
    print(f"  A = ours, B = pyxirr {version('pyxirr')} (both given the Decimal list): "
          f"{same_input.describe()}; goal ≤ 3×: {verdict(ratio <= 3)}")
    prepared = interleaved(lambda: irr(flows), lambda: pyxirr.irr(floats), rounds)
    print(f"  A = ours (Decimal in), B = pyxirr given a prepared float list: "
          f"{prepared.describe()} (for reference: B skips the conversion)")
    npf = optional("numpy_financial")
    if npf is not None:
        pair = interleaved(lambda: irr(flows), lambda: npf.irr(floats), rounds)
        print(f"  A = ours, B = numpy-financial {version('numpy-financial')} (floats): "
              f"{pair.describe()}")
    equal = [Decimal("-5700")] + [Decimal("197.86")] * 36
    print(f"  (not the same work) 37 flows of which 36 equal, ours alone: "
          f"{per_call(lambda: irr(equal)) * 1e6:.1f} µs — runs of equal flows are summed in "
          "closed form")


def bench_cli(rounds: int) -> None:
    print("3. start-up, CPU time of a fresh process (with the bytecode cache)")
    from xieshang.cli.serve import build_demo_store

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(SRC)
    python = sys.executable
    base = [python, "-c", "pass"]
    with tempfile.TemporaryDirectory() as folder:
        build_demo_store(folder)
        env["XIESHANG_HOME"] = folder
        commands = [
            ("calc overdue --product huabei --amount 1000 --days 3",
             ["calc", "overdue", "--product", "huabei", "--amount", "1000", "--days", "3"], 5),
            ("--help", ["--help"], None),
            ("status (demo case)", ["status"], None),
        ]
        for label, args, goal in commands:
            pair = interleaved_children([python, "-m", "xieshang", *args], base, env,
                                        rounds=rounds, runs=3)
            ratio = sorted(pair.ratios)[len(pair.ratios) // 2]
            note = "" if goal is None else f"; goal ≤ {goal}×: {verdict(ratio <= goal)}"
            print(f"  A = xieshang {label}, B = python -c pass: {pair.describe('ms')}{note}")


def bench_case(rounds: int) -> None:
    import statistics

    from xieshang.clock import today
    from xieshang.services.case_view import case_view
    from xieshang.services.evaluate import evaluate_case
    from xieshang.store.db import open_store
    from xieshang.store.model import Case

    sys.path.insert(0, str(ROOT / "bench"))
    from web import build_store
    from xieshang.cli.serve import build_demo_store

    print("4. one case evaluated: bill today + shares + ladder + 120-month plan summary "
          "(services.evaluate.evaluate_case, as `xieshang batch run` evaluates a case), and "
          "the case view alone (services.case_view: bills today, shares, alerts)")
    baseline = child_cpu([sys.executable, "-c", "pass"], runs=9)
    print(f"  (the machine's speed now: `python -c pass` takes {baseline * 1e3:.1f} ms CPU; "
          "absolute times scale with it)")
    for label, build, goal in (
            ("demo case (3 debts)", lambda f: build_demo_store(f), True),
            ("20 overdue debts (bench/web.py's case)",
             lambda f: build_store(Path(f), today()), False)):
        with tempfile.TemporaryDirectory() as folder:
            build(folder)
            with open_store(data_dir=folder) as store, store.begin() as tx:
                case = tx.find(Case)[0]
                day = today()
                whole = statistics.median(
                    per_call(lambda: evaluate_case(tx, case, day), 0.2)  # noqa: B023
                    for _ in range(rounds))
                view = statistics.median(
                    per_call(lambda: case_view(tx, case, day), 0.2)  # noqa: B023
                    for _ in range(rounds))
            whole_goal = (f"; goal ≤ 5 ms: {verdict(whole <= 0.005)}" if goal
                          else " (no goal: the issue's row is one ordinary case)")
            print(f"  {label}: whole evaluation {whole * 1e3:.1f} ms CPU{whole_goal}; "
                  f"the case view alone {view * 1e3:.1f} ms CPU, goal ≤ 5 ms: "
                  f"{verdict(view <= 0.005)} (medians of {rounds})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--sections", default="1,2,3,4",
                        help="which sections to run, e.g. 1 or 1,3 (default all)")
    args = parser.parse_args()
    print(f"xieshang engine benchmarks — Python {platform.python_version()} on "
          f"{platform.machine()}, {os.cpu_count()} CPUs; CPU time, {args.rounds} interleaved "
          "rounds\n")
    sections = {"1": bench_schedule, "2": bench_irr, "3": bench_cli, "4": bench_case}
    chosen = [part.strip() for part in args.sections.split(",") if part.strip()]
    for index, key in enumerate(chosen):
        if key not in sections:
            parser.error(f"no section {key!r} (1–4)")
        if index:
            print()
        sections[key](args.rounds)


if __name__ == "__main__":
    main()
