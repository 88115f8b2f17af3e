"""Cross-check of the plan engine against node-debt-snowball 2.5.0, on the peer's own terms.

The peer (npm, dev only; ``bench/peers/snowball``, peers-and-style.md §1.3.2) charges
``balance × APR ÷ 1200`` on the opening balance each month, rounded with JavaScript
``toFixed(2)``, then takes the payment; its budget is Σ minimums + an extra amount. Our
engine is run with the same terms: :attr:`Accrual.MONTHLY`, fixed minimums, a budget of
Σ minimums + extra, and the same order (avalanche: APR descending; snowball: balance
ascending; ties in input order).

What is compared:

1. **Until the first payoff, cent by cent.** Every month before the peer's first payoff,
   each account's opening balance, interest, payment and closing balance are identical.
   One thing differs by design, not by defect: when balance × APR ÷ 1200 is *exactly* on a
   half fen (3,000 × 24.99 ÷ 1200 = 62.475), the peer rounds the binary float just below
   it (62.47) while we round the exact value half-up (62.48). Such a month is checked row
   by row from the peer's own opening balances (both engines' arithmetic then agrees to
   the fen except the half fen itself), and the trajectories are compared exactly for the
   cases with no half fen before the first payoff.
2. **After it, the differences are the peer's two known defects** (§1.3.2): (i) freed
   minimums are lost — its monthly outflow falls below the budget after a payoff, ours
   stays at the budget (its roll-over formula, extra + the repaid account's minimum − its
   opening balance, can even go negative and *add* to the next account: checked against
   the formula); (ii) the payoff month's interest is counted but never paid — its payments
   fall short of balances + interest by exactly those amounts. Replaying the peer's own
   payments, account by account, through our engine leaves each account owing exactly the
   interest the peer dropped on it (with the interest on that).

Skipped with a reason when node or the npm package is not installed
(``npm ci --prefix bench/peers/snowball``).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from xieshang.engine.schedules import add_months
from xieshang.engine.strategy import (
    ActualPayment,
    Minimum,
    Plan,
    PlanDebt,
    PlanInput,
    make_plan,
    recast_input,
)

pytestmark = pytest.mark.peers

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "bench" / "peers" / "snowball"
START = date(2026, 1, 15)
M = Decimal

# peers-and-style.md §1.5 (verified by running the peer): budget 510 = minimums 310 + 200.
REFERENCE: list[dict[str, Any]] = [
    {"name": "Card A", "interest": 24.99, "balance": 3000, "minPayment": 90},
    {"name": "Card B", "interest": 18.9, "balance": 1200, "minPayment": 40},
    {"name": "Loan", "interest": 11.5, "balance": 6000, "minPayment": 180},
]


def _generated(seed: int) -> tuple[list[dict[str, Any]], int]:
    """Accounts the peer accepts: rate > 0 and a minimum above the first month's interest."""
    rng = random.Random(seed)
    accounts = []
    for number in range(rng.randint(2, 6)):
        balance = rng.randrange(20_000, 1_500_000) / 100
        percent = rng.randrange(100, 3600) / 100
        interest = balance * percent / 1200
        minimum = round(interest + rng.uniform(5, 0.05 * balance + 10), 2)
        accounts.append({"name": f"debt {number}", "interest": percent, "balance": balance,
                         "minPayment": minimum})
    return accounts, rng.randrange(0, 400)


CASES = [(REFERENCE, 200)] + [_generated(seed) for seed in range(12)]


_RUNS: dict[tuple[str, float, str], dict[str, Any]] = {}


def _peer(accounts: list[dict[str, Any]], extra: float, strategy: str,
          tmp_path: Path) -> dict[str, Any]:
    """The peer's plan (each case runs node once per strategy; later tests reuse it)."""
    key = (json.dumps(accounts), extra, strategy)
    if key not in _RUNS:
        _RUNS[key] = _run_peer(accounts, extra, strategy, tmp_path)
    return _RUNS[key]


def _run_peer(accounts: list[dict[str, Any]], extra: float, strategy: str,
              tmp_path: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the node-debt-snowball cross-check needs it")
    if not (PEER / "node_modules" / "node-debt-snowball").exists():
        pytest.skip("node-debt-snowball is not installed: npm ci --prefix bench/peers/snowball")
    file = tmp_path / f"{strategy}.json"
    file.write_text(json.dumps(accounts))
    done = subprocess.run([node, str(PEER / "run.js"), str(file), str(extra), strategy],
                          capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _fen(value: float) -> Decimal:
    return M(repr(value)).quantize(M("0.01"))


def _input(accounts: list[dict[str, Any]], extra: float,
           balances: dict[str, Decimal] | None = None, budget: Decimal | None = None,
           adjustments: dict[int, Decimal] | None = None) -> PlanInput:
    debts = tuple(PlanDebt(a["name"], a["name"],
                           balance=(balances or {}).get(a["name"], _fen(a["balance"])),
                           annual_rate=M(repr(a["interest"])) / 100,
                           minimum=Minimum(_fen(a["minPayment"])))
                  for a in accounts)
    if budget is None:
        budget = sum((_fen(a["minPayment"]) for a in accounts), M(0)) + _fen(extra)
    return PlanInput(debts, budget, START, adjustments=adjustments or {})


def _first_payoff(peer: dict[str, Any]) -> int:
    for month, payment in enumerate(peer["payments"]):
        if any(a["balanceEnd"] == 0 for a in payment["accounts"]):
            return month
    return len(peer["payments"])


def _half_fen(balance: Decimal, percent: float) -> bool:
    exact = balance * M(repr(percent)) / 1200
    return (exact * 1000) % 10 == 5 and (exact * 1000) == (exact * 1000).to_integral_value()


def _rows(plan: Plan, month: int) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    return {row.key: (row.interest, row.paid, row.balance) for row in plan.months[month].debts}


@pytest.mark.parametrize("strategy", ["avalanche", "snowball"])
@pytest.mark.parametrize(("accounts", "extra"), CASES)
def test_each_month_before_the_first_payoff_is_the_same_to_the_fen(
        accounts: list[dict[str, Any]], extra: float, strategy: str, tmp_path: Path) -> None:
    peer = _peer(accounts, extra, strategy, tmp_path)
    rates = {a["name"]: a["interest"] for a in accounts}
    for month in range(_first_payoff(peer)):
        rows = peer["payments"][month]["accounts"]
        opening = {a["name"]: _fen(a["balanceStart"]) for a in rows}
        # one month of our engine from the peer's own opening balances
        ours = _rows(make_plan(_input(accounts, extra, opening), strategy), 0)
        for a in rows:
            name = a["name"]
            interest, paid, balance = ours[name]
            assert paid == _fen(a["paymentAmount"]), (month, name)
            if interest != _fen(a["accruedInterest"]):
                # the only difference allowed: an exact half fen, which the float rounds
                assert _half_fen(opening[name], rates[name]), (month, name)
                exact = opening[name] * M(repr(rates[name])) / 1200
                assert interest == exact.quantize(M("0.01"), ROUND_HALF_UP)
                assert abs(interest - _fen(a["accruedInterest"])) == M("0.01")
                assert balance - _fen(a["balanceEnd"]) == interest - _fen(a["accruedInterest"])
            else:
                assert balance == _fen(a["balanceEnd"]), (month, name)


@pytest.mark.parametrize("strategy", ["avalanche", "snowball"])
@pytest.mark.parametrize(("accounts", "extra"), CASES)
def test_whole_trajectory_to_the_first_payoff_when_no_half_fen(
        accounts: list[dict[str, Any]], extra: float, strategy: str, tmp_path: Path) -> None:
    peer = _peer(accounts, extra, strategy, tmp_path)
    rates = {a["name"]: a["interest"] for a in accounts}
    first = _first_payoff(peer)
    if any(_half_fen(_fen(a["balanceStart"]), rates[a["name"]])
           for payment in peer["payments"][:first] for a in payment["accounts"]):
        pytest.skip("a half fen before the first payoff (checked month by month above)")
    plan = make_plan(_input(accounts, extra), strategy)
    for month in range(first):
        ours = _rows(plan, month)
        for a in peer["payments"][month]["accounts"]:
            assert ours[a["name"]] == (_fen(a["accruedInterest"]), _fen(a["paymentAmount"]),
                                       _fen(a["balanceEnd"])), (month, a["name"])


def test_most_cases_compare_whole_trajectories(tmp_path: Path) -> None:
    compared = 0
    for accounts, extra in CASES:
        peer = _peer(accounts, extra, "avalanche", tmp_path)
        rates = {a["name"]: a["interest"] for a in accounts}
        first = _first_payoff(peer)
        compared += not any(_half_fen(_fen(a["balanceStart"]), rates[a["name"]])
                            for payment in peer["payments"][:first]
                            for a in payment["accounts"])
    assert compared >= len(CASES) // 2


@pytest.mark.parametrize("strategy", ["avalanche", "snowball"])
@pytest.mark.parametrize(("accounts", "extra"), CASES)
def test_after_the_first_payoff_the_differences_are_the_known_defects(
        accounts: list[dict[str, Any]], extra: float, strategy: str, tmp_path: Path) -> None:
    peer = _peer(accounts, extra, strategy, tmp_path)
    inp = _input(accounts, extra)
    budget = inp.monthly_budget
    outflow = [sum((_fen(a["paymentAmount"]) for a in p["accounts"]), M(0))
               for p in peer["payments"]]
    payoff_rows = [a for p in peer["payments"] for a in p["accounts"]
                   if a["balanceEnd"] == 0 and a["balanceStart"] > 0]
    # defect (ii): the payoff month pays the opening balance, not that month's interest
    assert all(_fen(a["paymentAmount"]) == _fen(a["balanceStart"]) for a in payoff_rows)
    dropped = sum((_fen(a["accruedInterest"]) for a in payoff_rows), M(0))
    principal = sum((_fen(a["balance"]) for a in accounts), M(0))
    assert sum(outflow, M(0)) + dropped == principal + _fen(peer["totalInterestPaid"])
    # defect (i): once a debt is repaid its minimum is (partly) lost: outflow < budget
    first = _first_payoff(peer)
    if len(accounts) > 2 and first + 2 < len(outflow):
        assert min(outflow[first + 1:-1]) < budget
    # ours keeps the whole budget every month but the last, so it is done no later and
    # pays no more interest (a fen a month allowed for the half-fen rounding)
    ours = make_plan(inp, strategy)
    assert {m.paid for m in ours.months[:-1]} <= {budget}
    assert ours.totals.months <= peer["months"]
    assert ours.totals.interest <= _fen(peer["totalInterestPaid"]) + M("0.01") * len(outflow)
    # its roll-over can even turn negative: the account after one repaid this month gets
    # extra + the repaid one's minimum − its opening balance, which may be below zero
    negative = False
    for payment in peer["payments"]:
        rows = payment["accounts"]
        for index, a in enumerate(rows):
            if a["paymentAmount"] < 0:
                negative = True
                before = rows[index - 1]
                assert index > 0
                assert before["balanceEnd"] == 0
                assert before["balanceStart"] > 0
                assert _fen(a["paymentAmount"]) == (_fen(a["minPayment"]) + _fen(extra)
                                                    + _fen(before["minPayment"])
                                                    - _fen(before["balanceStart"]))
    if negative:
        return
    # replaying the peer's own payments, account by account, through our engine: each
    # account is left owing the interest the peer dropped on it (with the interest on it)
    made = [ActualPayment(a["name"], _pay_date(month), _fen(a["paymentAmount"]))
            for month, p in enumerate(peer["payments"]) for a in p["accounts"]
            if a["paymentAmount"] > 0]
    state = recast_input(inp, made, _pay_date(len(outflow)))
    assert state.elapsed_months == len(outflow)
    left = {debt.key: debt.balance or M(0) for debt in state.input.debts}
    slack = M("0.01") * len(outflow)
    for a in accounts:
        mine = [r for r in payoff_rows if r["name"] == a["name"]]
        lost = sum((_fen(r["accruedInterest"]) for r in mine), M(0))
        growth = (1 + M(repr(a["interest"])) / 1200) ** len(outflow)
        assert lost - slack <= left[a["name"]] <= lost * growth + slack, a["name"]


def _pay_date(month: int) -> date:
    return add_months(START, month)


def test_reference_case_figures(tmp_path: Path) -> None:
    """§1.5: the peer's months and interest next to ours (same budget, 510)."""
    figures = {}
    for strategy in ("avalanche", "snowball"):
        peer = _peer(REFERENCE, 200, strategy, tmp_path)
        ours = make_plan(_input(REFERENCE, 200), strategy)
        figures[strategy] = ((peer["months"], _fen(peer["totalInterestPaid"])),
                             (ours.totals.months, ours.totals.interest))
    assert figures == {
        "avalanche": ((26, M("1592.77")), (24, M("1549.46"))),
        "snowball": ((24, M("1634.12")), (24, M("1617.23"))),
    }


def _payoffs(peer: dict[str, Any]) -> dict[str, int]:
    result = {}
    for month, payment in enumerate(peer["payments"]):
        for a in payment["accounts"]:
            if a["balanceEnd"] == 0 and a["balanceStart"] > 0:
                result[a["name"]] = month
    return result
