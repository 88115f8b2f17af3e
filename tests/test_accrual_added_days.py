"""Days of charges added in a few steps equal adding them one by one, to the last digit
(issue 16).

:func:`xieshang.engine.accrual._added_days` adds a day's charge ``days`` times as the day
walk does — each sum rounded to 34 digits in the accrual context — without walking the days:
a rate of 34 digits (12 % / 365, a rate ÷ 360) made every segment fall back to the day walk,
and an exact final sum does not mean every day's sum was exact. The day loop stays the
reference: seeded random totals, charges (34-digit quotients, charges rounded to the fen,
charges exactly half way at some digit) and runs up to 1,500 days, compared digit for digit;
then whole walks of such debts, segments against the day walk, on the unrounded running
totals themselves (finer than any bill).
"""

from __future__ import annotations

import decimal
import random
from datetime import date, timedelta
from decimal import Decimal

from xieshang.engine.accrual import (
    _CONTEXT,
    OverdueDebt,
    Payment,
    _added_days,
    _Cursor,
    _terms,
    _walk,
)
from xieshang.rules import load_presets

D = Decimal


def _by_day(total: Decimal, charge: Decimal, days: int) -> Decimal:
    with decimal.localcontext(_CONTEXT):
        for _ in range(days):
            total = total + charge
    return total


def _charge(rng: random.Random) -> Decimal:
    base = D(rng.randint(1, 10**8)) / 100
    kind = rng.randrange(6)
    if kind == 0:
        rate = rng.choice([D("0.12"), D("0.24"), D("0.18"), D("0.36")]) / 365
    elif kind == 1:
        rate = D(rng.randint(1, 999)) / 360_000
    elif kind == 2:
        rate = D(rng.randint(1, 10**6)) / D(rng.randint(1, 10**6))
    elif kind == 3:
        return D(rng.randint(1, 10**6)) / 100  # to the fen: one exact step
    elif kind == 4:  # 5 in the last place: half way once the sum reaches the next decade
        return D(5).scaleb(-rng.randint(25, 40)) + D(rng.randint(0, 10**6)) / 100
    else:
        rate = D("0.0005")
    charge: Decimal = _CONTEXT.multiply(base, rate)
    return charge


def test_added_days_equal_the_day_loop_digit_for_digit() -> None:
    rng = random.Random(16)
    for _ in range(4000):
        charge = _charge(rng)
        total = rng.choice([D(0), D("0.00"), D(rng.randint(0, 10**9)) / 100,
                            _CONTEXT.multiply(D(rng.randint(1, 500)), charge)])
        days = rng.randint(1, 1500)
        expected = _by_day(total, charge, days)
        assert _added_days(total, charge, days) == expected, (total, charge, days)


def test_a_sum_exact_at_the_end_but_rounded_on_the_way_is_the_day_loop_s() -> None:
    """¥3,611.10 + 1,075 days of 12 % / 365 × 0.001: 1,075 × the charge ends in a 0, so the
    final sum fits in 34 digits, while every day's sum lost its last digit (rounded up)."""
    charge = D("0.0003287671232876712328767123288")
    total = D("3611.1")
    assert _added_days(total, charge, 1075) == _by_day(total, charge, 1075)
    assert _added_days(total, charge, 1075) == D("3611.453424657534246575342465753675")


def test_whole_walks_of_34_digit_rates_equal_the_day_walk() -> None:
    """Debts at 12 % / 365 and other quotient rates, with payments, over up to 1,200 days:
    the running totals of the ledger (not only the bills) equal the day walk's."""
    rng = random.Random(1016)
    presets = sorted(load_presets().values(), key=lambda p: p.id)
    for _ in range(150):
        due = date(2023, 1, 1) + timedelta(days=rng.randint(0, 900))
        payments = tuple(Payment(due + timedelta(days=rng.randint(-3, 900)),
                                 D(rng.randint(1, 500_000)) / 100)
                         for _ in range(rng.randint(0, 4)))
        debt = OverdueDebt(
            rng.choice(presets), D(rng.randint(100, 50_000_000)) / 100, due,
            contract_daily_rate=rng.choice([D("0.0004"), D("0.12") / 365]),
            penalty_daily_rate=rng.choice([None, D("0.12") / 365, D("0.24") / 365,
                                           D("0.18") / 360]),
            compounding=rng.choice([None, True, False]),
            rounding_daily=rng.choice([None, False]),
            payments=payments)
        last = due + timedelta(days=rng.randint(1, 1200))
        assert _walk(debt, debt.payments, last, last) == _walk(debt, debt.payments, last, last,
                                                               segments=False)
        fast, slow = (_Cursor(debt, _terms(debt), due) for _ in range(2))
        with decimal.localcontext(_CONTEXT):
            fast.run(last)
            while slow.day <= last:
                slow.walk_day(())
        for name in ("penalty_accrued", "interest_accrued", "grace_penalty", "grace_interest"):
            assert getattr(fast.ledger, name) == getattr(slow.ledger, name), name
