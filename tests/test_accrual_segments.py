"""Accrual by segments equals the day walk, to the fen (issue 16).

Between two events (a payment, the end of the grace days, a monthly step) an overdue debt's
base and rates do not change, so the days in between are added up in one exact step
(:meth:`xieshang.engine.accrual._Cursor.run`) instead of one by one. The day walk stays the
reference: each example below computes the same bills both ways — ``_walk(..., segments=False)``
and ``Walker(..., segments=False)`` walk every day — and requires every figure to be equal,
over every shipped preset with random overrides (daily rounding on and off, compounding,
grace days, penalty base, charged or free grace days, odd rates, minimum charge per day,
a loan's installments falling due later, a card's interest from the posting date), random
payments and dates up to 420 days after the due date.

Derandomised. 300 examples by default; ``XIESHANG_SEGMENT_EXAMPLES=10000`` runs the full
check (run once and reported in bench/RESULTS.md).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieshang.engine.accrual import LaterInstallment, OverdueDebt, Payment, Walker, _walk
from xieshang.engine.preset import PenaltyBase
from xieshang.rules import load_presets

EXAMPLES = int(os.environ.get("XIESHANG_SEGMENT_EXAMPLES", "300"))
PRESETS = sorted(load_presets().values(), key=lambda p: p.id)
D = Decimal

amounts = st.integers(min_value=1, max_value=5_000_000).map(lambda fen: D(fen) / 100)
rates = st.one_of(st.none(), st.sampled_from([D("0.0005"), D("0.00075"), D("0.000137"),
                                              D("0.0003333"), D("0.001"), D("0.00049")]))


@st.composite
def debts(draw: st.DrawFn) -> OverdueDebt:
    preset = draw(st.sampled_from(PRESETS))
    due = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 1095)))
    payments = tuple(
        Payment(due + timedelta(days=draw(st.integers(-5, 400))), draw(amounts))
        for _ in range(draw(st.integers(0, 5))))
    later = []
    falls = due
    for _ in range(draw(st.sampled_from([0, 0, 1, 3]))):  # a loan's installments ahead
        falls += timedelta(days=draw(st.integers(1, 45)))
        later.append(LaterInstallment(falls, draw(amounts), draw(st.sampled_from(
            [D("0.00"), D("8.88"), D("41.05")]))))
    ahead = sum((item.principal for item in later), D("0.00"))
    posted = draw(st.one_of(st.none(), st.integers(0, 50)))
    return OverdueDebt(
        preset, draw(amounts), due,
        interest=draw(st.sampled_from([D("0.00"), D("12.34"), D("250.01")])),
        fees=draw(st.sampled_from([D("0.00"), D("5.00")])),
        not_yet_due_principal=ahead + draw(st.sampled_from([D("0.00"), D("3000.00"),
                                                            D("777.77")])),
        contract_daily_rate=draw(st.sampled_from([D("0.0004"), D("0.000175"), D("0.00035")])),
        penalty_daily_rate=draw(rates),
        payments=payments,
        grace_days=draw(st.one_of(st.none(), st.integers(0, 5))),
        compounding=draw(st.one_of(st.none(), st.booleans())),
        rounding_daily=draw(st.one_of(st.none(), st.booleans())),
        penalty_base=draw(st.one_of(st.none(), st.sampled_from(list(PenaltyBase)))),
        charge_grace_days=draw(st.one_of(st.none(), st.booleans())),
        later=tuple(later),
        interest_from=None if posted is None else due - timedelta(days=posted),
    )


PROFILE = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(debt=debts(), start=st.integers(-5, 420), span=st.integers(1, 40))
def test_bills_by_segments_equal_the_day_walk(debt: OverdueDebt, start: int,
                                              span: int) -> None:
    """The bill on every day of a window (as bill_on and daily_costs ask) both ways."""
    first = debt.due_date + timedelta(days=start)
    last = first + timedelta(days=span)
    fast = _walk(debt, debt.payments, first, last)
    slow = _walk(debt, debt.payments, first, last, segments=False)
    assert fast == slow


@PROFILE
@given(debt=debts(), start=st.integers(-5, 40),
       steps=st.lists(st.tuples(st.integers(1, 62), st.one_of(st.none(), amounts)),
                      min_size=1, max_size=14))
def test_the_walker_by_segments_equals_the_day_walk(
        debt: OverdueDebt, start: int, steps: list[tuple[int, Decimal | None]]) -> None:
    """Month by month as the plan asks, payments on the pay dates: both walkers agree."""
    fast, slow = Walker(debt), Walker(debt, segments=False)
    payments = list(debt.payments)
    when = debt.due_date + timedelta(days=start)
    for gap, amount in steps:
        when += timedelta(days=gap)
        assert fast.bill_on(payments, when) == slow.bill_on(payments, when)
        if amount is not None:
            payments.append(Payment(when, amount))


def test_a_long_unpaid_stretch_is_the_same_both_ways() -> None:
    """¥10,000 unpaid for 400 days on the card preset (compounding, grace days, late fee):
    every figure of the last bill is the same whether the days are walked one by one or
    in segments."""
    card = next(p for p in PRESETS if p.id == "credit_card_cn")
    debt = OverdueDebt(card, D("10000.00"), date(2025, 1, 31))
    last = debt.due_date + timedelta(days=400)
    assert _walk(debt, (), last, last) == _walk(debt, (), last, last, segments=False)


def test_installments_falling_due_stop_a_segment() -> None:
    """¥1,000 of a loan overdue since 2025-01-10 at 0.05 %/day (jiebei: 1.5 × 0.0004 would
    be 0.0006; the rate is given), ¥2,000 more falling due on 2025-02-03 and 2025-03-20
    (¥1,000 + ¥30 and ¥1,000 + ¥20 interest), nothing paid, bill on 2025-05-01: the
    penalty counts each installment from the day after its own due date.

    Worked by hand (overdue amount base: principal + contract interest due, no daily
    rounding): 1,000 × 0.0005 × 111 days (01-11..05-01) = 55.50; 1,030 × 0.0005 × 87
    days (02-04..05-01) = 44.805; 1,020 × 0.0005 × 42 days (03-21..05-01) = 21.42;
    penalty 121.725 → 121.73. The segment step once skipped the installments' due dates
    and charged them from the next event only."""
    jiebei = next(p for p in PRESETS if p.id == "jiebei")
    debt = OverdueDebt(jiebei, D("1000.00"), date(2025, 1, 10),
                       not_yet_due_principal=D("2000.00"), contract_daily_rate=D("0.0004"),
                       penalty_daily_rate=D("0.0005"), penalty_base=PenaltyBase.OVERDUE_AMOUNT,
                       rounding_daily=False, grace_days=0,
                       later=(LaterInstallment(date(2025, 2, 3), D("1000.00"), D("30.00")),
                              LaterInstallment(date(2025, 3, 20), D("1000.00"), D("20.00"))))
    last = date(2025, 5, 1)
    fast = _walk(debt, (), last, last)
    assert fast == _walk(debt, (), last, last, segments=False)
    assert fast[0].principal == D("3000.00")
    assert fast[0].interest == D("50.00")
    assert fast[0].penalty == D("121.73")


@PROFILE
@given(debt=debts(), start=st.integers(-5, 40),
       steps=st.lists(st.tuples(st.integers(0, 62), st.one_of(st.none(), amounts),
                                st.sampled_from([0, 0, 0, 1, 3])),
                      min_size=1, max_size=14))
def test_the_walker_forward_equals_the_day_walk(
        debt: OverdueDebt, start: int, steps: list[tuple[int, Decimal | None, int]]) -> None:
    """:meth:`Walker.bill_forward` (each day walked once, the pay date left half-walked)
    gives the bill the day walk gives, daily cost aside: month by month as the plan asks,
    and also on the same day twice, with a payment dated on the pay date itself before
    asking, or dated days before the day left (both take the full walk)."""
    from dataclasses import replace

    forward, forward_days, slow = Walker(debt), Walker(debt, segments=False), \
        Walker(debt, segments=False)
    payments = list(debt.payments)
    when = debt.due_date + timedelta(days=start)
    for gap, amount, back in steps:
        when += timedelta(days=gap)
        if amount is not None and back == 3:  # paid on the day before asking
            payments.append(Payment(when, amount))
        expected = replace(slow.bill_on(payments, when), daily_cost=D("0.00"))
        assert forward.bill_forward(payments, when) == expected
        assert forward_days.bill_forward(payments, when) == expected
        if amount is not None and back != 3:
            payments.append(Payment(when - timedelta(days=back), amount))
