"""The timeline's events that depend only on the law and the day are made once for all the
debts of a case (issue 16): each debt's timeline is the same as one made from nothing."""

from __future__ import annotations

import random
from datetime import timedelta

import xieshang.engine.timeline as timeline_module
from test_accrual_fen import _needs_contract, random_debt
from xieshang.engine.timeline import timeline
from xieshang.rules import law


def test_shared_events_equal_those_made_for_each_debt() -> None:
    rng = random.Random(16)
    debts = []
    while len(debts) < 60:
        debt, start = random_debt(rng)
        if not _needs_contract(debt):
            debts.append((debt, start))
    days = sorted({start + timedelta(days=rng.randint(0, 400)) for _debt, start in debts})
    made = 0
    for as_of in days[:8] + days[-4:]:
        for debt, start in debts:
            if start > as_of:
                continue
            warm = timeline(debt, as_of, law(), horizon_days=4000)
            timeline_module._SHARED = None  # from nothing
            fresh = timeline(debt, as_of, law(), horizon_days=4000)
            assert warm == fresh
            made += 1
    assert made > 100
