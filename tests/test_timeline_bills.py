"""The timeline's amounts equal :func:`bill_on` of each event's day, to the fen (issue 16).

The timeline computes its bills its own way for speed: a day before the view's date together
with the next day in one walk from the due date (the day before charges start and that day),
the days from the view's date on by one walker going forward, no daily cost, the debt as
given when no payment is after the view's date. The reference is the plain
``bill_on(debt with the payments up to the view's date, day)``: seeded random debts over
every shipped preset (overrides, 34-digit rates, payments before and after the view's date,
dates before and long after the due date), each dated event's amount compared with it.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from xieshang.engine.accrual import OverdueDebt, Payment, bill_on
from xieshang.engine.preset import Preset
from xieshang.engine.timeline import timeline
from xieshang.rules import law, load_presets

D = Decimal


def _debt(rng: random.Random, presets: list[Preset]) -> OverdueDebt:
    due = date(2022, 6, 1) + timedelta(days=rng.randint(0, 1400))
    payments = tuple(Payment(due + timedelta(days=rng.randint(-3, 700)),
                             D(rng.randint(1, 800_000)) / 100)
                     for _ in range(rng.choice([0, 0, 1, 2, 5])))
    return OverdueDebt(
        rng.choice(presets), D(rng.randint(100, 30_000_000)) / 100, due,
        interest=rng.choice([D("0.00"), D("12.34")]),
        fees=rng.choice([D("0.00"), D("5.00")]),
        contract_daily_rate=rng.choice([D("0.0004"), D("0.12") / 365]),
        penalty_daily_rate=rng.choice([None, None, D("0.0005"), D("0.24") / 365]),
        grace_days=rng.choice([None, 0, 3]),
        compounding=rng.choice([None, True, False]),
        charge_grace_days=rng.choice([None, False]),
        payments=payments)


def test_every_dated_amount_is_bill_on_of_its_day() -> None:
    rng = random.Random(1616)
    presets = sorted(load_presets().values(), key=lambda p: p.id)
    rules = law()
    compared = 0
    for _ in range(120):
        debt = _debt(rng, presets)
        as_of = debt.due_date + timedelta(days=rng.randint(0, 800))
        known = replace(debt, payments=tuple(p for p in debt.payments if p.on <= as_of))
        for event in timeline(debt, as_of, rules, horizon_days=rng.choice([365, 4000])):
            if event.on is None or event.amount_due is None:
                continue
            assert event.amount_due == bill_on(known, event.on).total, (event.id, event.on)
            compared += 1
    assert compared > 300
