"""One walk of an overdue debt for a case view equals the Decimal bills, to the fen (issue 16).

:class:`xieshang.engine.accrual_fen.DayBills` gives today's bill, what one more day costs
and the days a timeline dates from one walk (integer fen by ``FenWalker`` where it covers
the debt, the Decimal ``Walker`` elsewhere); :func:`xieshang.engine.accrual.bill_on`, the
reference, walks from the due date for each day. Every field of every bill — days overdue
and the daily cost included — is compared on seeded random debts over every shipped preset
(``tests/test_accrual_fen.py``'s), with payments before and after the day the debt is seen
from, on days asked in any order (before and on the due date, backwards, far ahead), and on
hypothesis examples; the timeline's amounts are the reference's bills of their days.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_accrual_fen import PRESETS, D, _needs_contract, random_debt
from xieshang.engine._record import replace
from xieshang.engine.accrual import OverdueDebt, Payment, bill_on
from xieshang.engine.accrual_fen import DayBills
from xieshang.engine.preset import Preset
from xieshang.engine.timeline import day_bills, timeline
from xieshang.rules import law

ZERO = D("0.00")


def _seen_from(debt: OverdueDebt, paid_by: date) -> OverdueDebt:
    return replace(debt, payments=tuple(p for p in debt.payments if p.on <= paid_by))


def _check(debt: OverdueDebt, paid_by: date, days: list[date], fresh: bool = True) -> None:
    """Ask ``days`` in order of one DayBills (made by the timeline's :func:`day_bills`
    unless ``fresh``) and compare each with :func:`bill_on`."""
    known = _seen_from(debt, paid_by)
    bills = DayBills(debt, paid_by) if fresh else day_bills(debt, paid_by)
    for day in days:
        expected = bill_on(known, day)
        # repr: the same amounts written the same way (2 places), not only equal values
        got = bills.bill(day)
        assert repr(got) == repr(replace(expected, daily_cost=ZERO)), (debt, paid_by, day)
        if day >= paid_by:
            got = bills.bill(day, daily_cost=True)
            assert repr(got) == repr(expected), (debt, paid_by, day)


def _days(rng: random.Random, debt: OverdueDebt, paid_by: date) -> list[date]:
    due = debt.due_date
    pool = [due, due - timedelta(days=1), due + timedelta(days=1), paid_by,
            paid_by + timedelta(days=1), paid_by + timedelta(days=rng.randint(2, 400)),
            due + timedelta(days=rng.randint(0, 8))]
    days = [rng.choice(pool) + timedelta(days=rng.randint(-3, 3)) for _ in range(6)]
    return sorted(days) if rng.random() < 0.5 else days


def _with_later_payments(rng: random.Random, debt: OverdueDebt, start: date
                         ) -> tuple[OverdueDebt, date]:
    """The debt seen from ``start`` or a day around it, with payments made later too."""
    paid_by = start + timedelta(days=rng.randint(-10, 40))
    later = tuple(Payment(paid_by + timedelta(days=rng.randint(-2, 30)),
                          D(rng.randint(1, 300_000)).scaleb(-2))
                  for _ in range(rng.choice([0, 0, 1, 2])))
    return replace(debt, payments=debt.payments + later), paid_by


def test_two_thousand_random_debts_bill_the_same_as_the_reference() -> None:
    rng = random.Random(20261207)
    tried = 0
    while tried < 2_000:
        debt, start = random_debt(rng)
        if _needs_contract(debt):
            continue
        tried += 1
        debt, paid_by = _with_later_payments(rng, debt, start)
        _check(debt, paid_by, _days(rng, debt, paid_by), fresh=rng.random() < 0.5)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), offsets=st.lists(st.integers(-40, 800), min_size=1,
                                                     max_size=8), fresh=st.booleans())
def test_day_bills_equal_bill_on(seed: int, offsets: list[int], fresh: bool) -> None:
    rng = random.Random(seed)
    debt, start = random_debt(rng)
    if _needs_contract(debt):
        return
    debt, paid_by = _with_later_payments(rng, debt, start)
    _check(debt, paid_by, [debt.due_date + timedelta(days=n) for n in offsets], fresh)


def test_a_card_with_payments_after_its_grace_days() -> None:
    """Payments after the first days the timeline reads: those days and today are the
    Decimal walk's or the integer walk's from the first day it covers, all the same."""
    card = next(p for p in PRESETS if p.id == "credit_card_cn")
    due = date(2025, 1, 31)
    debt = OverdueDebt(card, D("10000.00"), due, payments=(
        Payment(date(2025, 2, 20), D("500.00")), Payment(date(2025, 3, 20), D("800.00"))))
    _check(debt, date(2025, 6, 1), [due + timedelta(days=n) for n in (2, 3, 121, 122, 150)])
    _check(debt, date(2025, 3, 20), [date(2025, 3, 20), date(2025, 3, 21), due])


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32))
def test_the_timeline_dates_the_reference_bills(seed: int) -> None:
    """Each dated event from the due date on shows the reference bill of its day, given
    the walk the case view shares with today's bill or none."""
    rng = random.Random(seed)
    debt, start = random_debt(rng)
    if _needs_contract(debt):
        return
    debt, as_of = _with_later_payments(rng, debt, start)
    known = _seen_from(debt, as_of)
    shared = day_bills(debt, as_of)
    today = shared.bill(as_of, daily_cost=True)
    assert today == bill_on(known, as_of)
    for events in (timeline(debt, as_of, law(), horizon_days=800, today=today, bills=shared),
                   timeline(debt, as_of, law(), horizon_days=800)):
        for event in events:
            if event.on is not None and event.on >= debt.due_date:
                expected = bill_on(known, event.on).total
                assert str(event.amount_due) == str(expected), (event.id, debt)


def _huabei() -> Preset:
    return next(preset for preset in PRESETS if preset.id == "huabei")


def test_the_last_day_within_a_hundred_years_has_its_bill_and_daily_cost() -> None:
    """The walks accept a day up to 36,525 days after the due date; on the day before it,
    today's bill with what one more day costs is bill_on's (1,926.20 and 0.05 for 100.00 of
    花呗 due 1930-01-31), not a refusal of the day after."""
    debt = OverdueDebt(principal=D("100.00"), due_date=date(1930, 1, 31),
                       preset=_huabei())
    for number in (36_522, 36_523, 36_524):
        day = debt.due_date + timedelta(days=number)
        expected = bill_on(debt, day)
        got = DayBills(debt, day).bill(day, daily_cost=True)
        assert repr(got) == repr(expected)
    assert expected.total == D("1926.20")
    assert expected.daily_cost == D("0.05")


def test_a_timeline_refuses_the_bills_of_another_day() -> None:
    debt = OverdueDebt(principal=D("100.00"), due_date=date(2026, 1, 31),
                       preset=_huabei())
    with pytest.raises(ValueError, match="day_bills of this debt"):
        timeline(debt, date(2026, 3, 1), law(), bills=day_bills(debt, date(2026, 2, 28)))
