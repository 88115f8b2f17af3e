"""Cross-check the engine against the peer programs and print one CSV row per comparison.

    .venv/bin/python bench/peers/crosscheck.py [--csv FILE]

Columns: peer, version, case, metric, ours, theirs, diff, expected_reason
(peers-and-style.md §1.7). Schedules are compared row by row, exactly (Decimal equality),
with mortgagemath (ROUND_HALF_UP payment and interest, balance rounded each row) and loankit;
the monthly IRR of 花呗's installment lists and of equal-principal loans (distinct flows)
with pyxirr and numpy-financial (float peers: agreement within 1e-9).
The same comparisons run as tests in tests/test_peers_*.py; this script is the report.
"""

from __future__ import annotations

import argparse
import csv
import sys
from decimal import Decimal
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from xieshang.engine.rates import irr
from xieshang.engine.schedules import annuity, equal_principal, fixed_fee_installment

SCHEDULES = [("100000", "4.9", 12), ("6000", "11.5", 36), ("300000", "4.1", 360),
             ("36000", "18.25", 24), ("12345.67", "7.2", 60)]
INSTALLMENTS = [("2000", 3, "0.025"), ("2000", 6, "0.045"), ("2000", 9, "0.065"),
                ("2000", 12, "0.088")]  # 花呗 list rates, rules-cn.md §1.6


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def rows_mortgagemath(principal: str, annual: str, months: int) -> list[tuple[Decimal, ...]]:
    import warnings

    import mortgagemath as mm

    params = mm.LoanParams(principal=Decimal(principal), annual_rate=Decimal(annual),
                           term_months=months,
                           payment_rounding=mm.PaymentRounding.ROUND_HALF_UP,
                           interest_rounding=mm.PaymentRounding.ROUND_HALF_UP,
                           balance_tracking=mm.BalanceTracking.ROUND_EACH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mm.EarlyPayoffWarning)
        rows = mm.amortization_schedule(params)
    return [(r.payment, r.interest, r.principal, r.balance) for r in rows[1:]]  # row 0: opening


def rows_loankit(principal: str, annual: str, months: int,
                 method: str) -> list[tuple[Decimal, ...]]:
    import decimal

    saved = decimal.getcontext().prec
    try:
        from loan import STRATEGIES, LoanRequest

        request = LoanRequest(principal=Decimal(principal), annual_rate=Decimal(annual),
                              months=months, method=method)
        schedule = STRATEGIES[method]().generate(request)
        return [(i.payment, i.interest, i.principal, i.remaining) for i in schedule.installments]
    finally:
        decimal.getcontext().prec = saved


def ours(principal: str, annual: str, months: int, builder: object) -> list[tuple[Decimal, ...]]:
    schedule = builder(Decimal(principal), Decimal(annual) / 1200, months)  # type: ignore[operator]
    return [(r.payment, r.interest, r.principal, r.balance) for r in schedule.rows]


def compare(a: list[tuple[Decimal, ...]], b: list[tuple[Decimal, ...]]) -> int:
    """Rows that differ in any figure (a length difference counts every missing row)."""
    return sum(1 for x, y in zip(a, b, strict=False) if x != y) + abs(len(a) - len(b))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    out: list[list[str]] = []
    header = ["peer", "version", "case", "metric", "ours", "theirs", "diff", "expected_reason"]
    for principal, annual, months in SCHEDULES:
        case = f"{principal}@{annual}%x{months}"
        mine = ours(principal, annual, months, annuity)
        for peer in ("mortgagemath", "loankit"):
            try:
                theirs = (rows_mortgagemath(principal, annual, months) if peer == "mortgagemath"
                          else rows_loankit(principal, annual, months, "equal-installment"))
            except ImportError:
                out.append([peer, "not installed", case, "annuity rows", "", "", "", ""])
                continue
            differing = compare(mine, theirs)
            reason = "" if differing == 0 else "exact half-fen rows (tests/test_peers_schedules.py)"
            out.append([peer, version(peer), case, "annuity rows differing", "0",
                        str(differing), str(differing), reason])
        try:
            theirs = rows_loankit(principal, annual, months, "equal-principal")
            differing = compare(ours(principal, annual, months, equal_principal), theirs)
            out.append(["loankit", version("loankit"), case, "equal-principal rows differing",
                        "0", str(differing), str(differing),
                        "" if differing == 0 else "exact half-fen rows"])
        except ImportError:
            pass
    try:
        import pyxirr
    except ImportError:
        pyxirr = None
    try:
        import numpy_financial as npf
    except ImportError:
        npf = None
    cases = []
    for principal, periods, rate in INSTALLMENTS:
        schedule = fixed_fee_installment(Decimal(principal), periods, total_fee_rate=Decimal(rate))
        cases.append((f"huabei {periods} @ {rate}", schedule.cash_flows()))
    for principal, annual, months in SCHEDULES[:3]:  # distinct flows: equal principal
        schedule = equal_principal(Decimal(principal), Decimal(annual) / 1200, months)
        cases.append((f"equal-principal {principal}@{annual}%x{months}", schedule.cash_flows()))
    for case, flows in cases:
        mine_rate = irr(flows)
        floats = [float(f) for f in flows]  # float peers
        for name, peer in (("pyxirr", pyxirr), ("numpy-financial", npf)):
            if peer is None:
                out.append([name, "not installed", case, "monthly IRR", str(mine_rate), "",
                            "", ""])
                continue
            theirs_rate = float(peer.irr(floats))
            diff = abs(float(mine_rate) - theirs_rate)
            out.append([name, version(name), case, "monthly IRR", f"{mine_rate:.12f}",
                        f"{theirs_rate:.12f}", f"{diff:.2e}",
                        "" if diff < 1e-9 else "float peer"])
    writer = csv.writer(sys.stdout)
    writer.writerow(header)
    writer.writerows(out)
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *out])
    return 0


if __name__ == "__main__":
    sys.exit(main())
