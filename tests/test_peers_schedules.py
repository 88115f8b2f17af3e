"""Cross-checks of xieshang.engine.schedules against the peer programs, row by row, exactly.

Peers (``peers`` extra; see /work/shared/reference/peers-and-style.md §1.3.1 and §1.3.4):

* mortgagemath 0.7.1 with ``payment_rounding=ROUND_HALF_UP``, ``interest_rounding=ROUND_HALF_UP``
  and ``balance_tracking=ROUND_EACH`` (read from ``mortgagemath/_types.py``: ``LoanParams``);
  its rates are percent, so our monthly rate is ``annual / 1200``;
* loankit 0.1.0 (import name ``loan``) for 等额本息 and 等额本金; it sets the *global* decimal
  precision to 28 on import, so it is imported inside the tests, and our engine, which only
  computes in local contexts, must give the same rows whatever the global context says.

Convention differences found and documented here:

1. *Exact half fen.* A monthly rate annual ÷ 12 has no exact decimal. When balance × annual ÷
   12 is exactly on a half fen (33,000 × 18.25 % ÷ 12 = 501.875), both peers round a finite
   approximation (28 or 50 digits) that lies just below or just above the half, depending on
   the digits, so they give 501.87 here but 228.13 for 15,000 × 18.25 % ÷ 12 = 228.125. We
   settle to 10 places first and round the exact value: 501.88 and 228.13 (half-up). Rows
   where this happens are checked against the exact value instead of the peer
   (``test_exact_half_fen_rounds_the_exact_value``); it was our bug-or-theirs question, and
   the exact value is the lender's arithmetic.
2. *Early payoff.* When the rounded payment of a tiny loan pays it off before the last
   period, mortgagemath ends the schedule early (``EarlyPayoffWarning``) and so do we; loankit
   keeps paying and lets the balance go negative until the last period pulls it back, so that
   case is compared with mortgagemath only.
"""

from __future__ import annotations

import decimal
import warnings
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from xieshang.engine.money import D
from xieshang.engine.schedules import Schedule, annuity, equal_principal

pytestmark = pytest.mark.peers

#: 4.9 % a year as a monthly rate, computed once in the default context.
RATE_49 = Decimal("0.049") / 12

# (principal, annual rate in percent, months)
ANNUITY_CASES = [
    ("100000", "4.9", 12),  # peers-and-style.md §1.3.1: payment 8,556.17, interest 2,673.99
    ("6000", "11.5", 36),  # peers-and-style.md §1.3.1: payment 197.86
    ("300000", "4.1", 360),
    ("1000000", "3.25", 360),
    ("36000", "18.25", 24),
    ("12345.67", "7.2", 60),
    ("5000", "0", 10),
]


def _mortgagemath_rows(principal: str, annual: str, months: int) -> list[Any]:
    mm = pytest.importorskip("mortgagemath")
    params = mm.LoanParams(
        principal=D(principal),
        annual_rate=D(annual),
        term_months=months,
        payment_rounding=mm.PaymentRounding.ROUND_HALF_UP,
        interest_rounding=mm.PaymentRounding.ROUND_HALF_UP,
        balance_tracking=mm.BalanceTracking.ROUND_EACH,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mm.EarlyPayoffWarning)
        rows = mm.amortization_schedule(params)
    return list(rows[1:])  # row 0 is the opening balance


def _ours(fn: Any, principal: str, annual: str, months: int) -> Schedule:
    schedule: Schedule = fn(principal, D(annual) / 1200, months)
    return schedule


@pytest.mark.parametrize(("principal", "annual", "months"), ANNUITY_CASES)
def test_annuity_matches_mortgagemath_row_by_row(principal: str, annual: str, months: int) -> None:
    theirs = _mortgagemath_rows(principal, annual, months)
    ours = _ours(annuity, principal, annual, months)
    assert len(ours.rows) == len(theirs) == months
    for row, peer in zip(ours.rows, theirs, strict=True):
        assert (row.period, row.payment, row.interest, row.principal, row.balance) == (
            peer.number, peer.payment, peer.interest, peer.principal, peer.balance
        )


def test_early_payoff_matches_mortgagemath() -> None:
    # 3.00 over 200 months at 0 %: 0.015 rounds to 0.02, paid off in month 150.
    theirs = _mortgagemath_rows("3.00", "0", 200)
    ours = _ours(annuity, "3.00", "0", 200)
    assert ours.periods == len(theirs) == 150
    assert ours.note
    assert [r.payment for r in ours.rows] == [p.payment for p in theirs]
    assert ours.rows[-1].balance == theirs[-1].balance == Decimal("0.00")


def _exact_half_up(balance: Decimal, annual: str) -> Decimal | None:
    """balance × annual% ÷ 12 rounded half-up, when it is exactly on a half fen; else None."""
    fen = Fraction(balance) * Fraction(annual) / 1200 * 100
    if fen.denominator != 2:
        return None
    return Decimal(int(fen + Fraction(1, 2))) / 100


def test_exact_half_fen_rounds_the_exact_value() -> None:
    # 33,000 × 18.25 % ÷ 12 = 501.875 exactly → 501.88 half-up; the peers give 501.87.
    theirs_mm = _mortgagemath_rows("33000", "18.25", 12)
    theirs_lk = _loankit_rows("equal-installment", "33000", "18.25", 12)
    ours = _ours(annuity, "33000", "18.25", 12)
    assert _exact_half_up(Decimal("33000"), "18.25") == Decimal("501.88")
    assert ours.rows[0].interest == Decimal("501.88")
    assert theirs_mm[0].interest == theirs_lk[0].interest == Decimal("501.87")
    assert ours.first_payment == theirs_mm[0].payment == Decimal("3029.37")
    # 15,000 × 18.25 % ÷ 12 = 228.125: here the peers' approximations round up as well.
    assert _ours(annuity, "15000", "18.25", 12).rows[0].interest == Decimal("228.13")
    assert _mortgagemath_rows("15000", "18.25", 12)[0].interest == Decimal("228.13")


def _loankit_rows(method: str, principal: str, annual: str, months: int) -> list[Any]:
    loan = pytest.importorskip("loan")
    request = loan.LoanRequest(principal=D(principal), annual_rate=D(annual), months=months,
                               method=method)
    return list(loan.STRATEGIES[method]().generate(request).installments)


@pytest.fixture
def hostile_global_context() -> Any:
    """A global decimal context that would spoil any computation relying on it."""
    original = decimal.getcontext().copy()
    decimal.getcontext().prec = 6
    decimal.getcontext().rounding = decimal.ROUND_DOWN
    yield
    decimal.setcontext(original)


@pytest.mark.parametrize(("principal", "annual", "months"), ANNUITY_CASES)
@pytest.mark.parametrize(
    ("method", "fn"), [("equal-installment", annuity), ("equal-principal", equal_principal)]
)
def test_matches_loankit_row_by_row(
    method: str, fn: Any, principal: str, annual: str, months: int
) -> None:
    theirs = _loankit_rows(method, principal, annual, months)  # may set global prec = 28
    ours = _ours(fn, principal, annual, months)
    halves = 0
    for row, peer in zip(ours.rows, theirs, strict=True):
        exact = _exact_half_up(row.balance + row.principal, annual)
        if exact is not None:  # difference 1 of the module docstring
            halves += 1
            assert row.interest == exact
            assert abs(row.interest - peer.interest) <= Decimal("0.01")
            assert (row.principal, row.balance) == (peer.principal, peer.remaining)
            continue
        assert (row.period, row.payment, row.principal, row.interest, row.balance) == (
            peer.period, peer.payment, peer.principal, peer.interest, peer.remaining
        )
    # Only 36,000 at 18.25 % in equal principal lands on half fen (balances 33,000, 15,000…).
    assert (halves > 0) == (method == "equal-principal" and annual == "18.25")


@pytest.mark.usefixtures("hostile_global_context")
def test_our_results_ignore_the_global_context() -> None:
    # The same published case as above, computed with a 6-digit ROUND_DOWN global context.
    schedule = annuity("100000", RATE_49, 12)
    assert schedule.first_payment == Decimal("8556.17")
    assert schedule.total_interest == Decimal("2673.99")
    assert equal_principal("100000", RATE_49, 12).first_payment == Decimal("8741.66")
