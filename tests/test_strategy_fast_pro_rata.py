"""The integer pro-rata path of the simulator equals the reference simulator, to the fen.

:func:`xieshang.engine.strategy._fast_pro_rata.fast_pro_rata_run` computes the pro-rata
strategy over overdue debts on integer fen (each debt's bills from the integer walk,
:class:`~xieshang.engine.accrual_fen.FenWalker`, or the Decimal walker where that walk does
not cover it); the general simulator (:func:`~xieshang.engine.strategy._simulate.simulate`
with the ``_pro_rata`` policy and Decimal ledgers) stays the reference. On random inputs —
every shipped preset with random overrides, loans with principal not yet due and
installments falling due, payments before the plan, a first pay date before the due date,
odd rates, card principals, minimum rules, past-due amounts, budgets that do not cover what
is required and budgets that clear everything, one-off adjustments — the plan (every
month's every figure, written the same, the per-debt results, the totals, the notes) is
equal. Derandomised.
"""

from __future__ import annotations

import os
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_accrual_fen import random_debt
from test_case_perf import _old_webster as reference
from xieshang.engine.accrual import LaterInstallment, OverdueDebt, Payment, Walker
from xieshang.engine.budget import _webster
from xieshang.engine.errors import InputError
from xieshang.engine.strategy import Minimum, PlanDebt, PlanInput, Strategy, make_plan
from xieshang.engine.strategy._fast_pro_rata import fast_pro_rata_run
from xieshang.engine.strategy._simulate import _pro_rata, assemble, simulate

D = Decimal
EXAMPLES = int(os.environ.get("XIESHANG_FAST_EXAMPLES", "300"))


def _usable(debt: OverdueDebt) -> bool:
    try:
        Walker(debt)
    except InputError:  # a preset that needs a contract rate not given
        return False
    return True


def random_input(rng: random.Random) -> PlanInput:
    chosen: list[tuple[OverdueDebt, date]] = []
    while len(chosen) < rng.randint(1, 5):
        od, first = random_debt(rng)
        if rng.random() < 0.15:  # a loan's installments falling due during the plan
            falls = od.due_date + timedelta(days=rng.randint(20, 60))
            od = OverdueDebt(od.preset, od.principal, od.due_date, interest=od.interest,
                             not_yet_due_principal=D("1500.00"), payments=od.payments,
                             contract_daily_rate=od.contract_daily_rate,
                             later=(LaterInstallment(falls, D("1000.00"), D("25.10")),))
        if not _usable(od):
            continue
        chosen.append((od, first))
    start = max(first for _, first in chosen)
    if rng.random() < 0.1:  # the first pay date before a due date
        start = min(od.due_date for od, _ in chosen) - timedelta(days=9)
    elif rng.random() < 0.1:  # a payment on the first pay date itself
        od = chosen[0][0]
        chosen[0] = (replace(od, payments=(*od.payments, Payment(start, D("10.00")))), start)
    debts = []
    for od, _ in chosen:
        if any(p.on > start for p in od.payments):
            od = replace(od, payments=())
        fees = rng.choice([D("0.00"), D("0.00"), D("40.00")])
        key = f"d{len(debts)}"
        debts.append(PlanDebt(
            key, rng.choice(["", key.upper()]), overdue_debt=od, fees=fees,
            past_due=min(fees, rng.choice([D("0.00"), D("25.00")])),
            card_principal=rng.choice([None, None, od.principal, D("900.00")]),
            minimum=rng.choice([None, None, Minimum(D("50.00")),
                                Minimum(D("10.00"), D("0.1"), True),
                                Minimum(D("0.00"), D("0.05"))])))
    owed = sum((od.principal for od, _ in chosen), D(0))
    budget = rng.choice([D("0.00"), D("100.00"), (owed / 40).quantize(D("0.01")),
                         (owed / 7).quantize(D("0.01")), (owed * 2).quantize(D("0.01")),
                         D(rng.randint(0, 600_000)).scaleb(-2)])
    adjustments = {rng.randint(0, 30): D(rng.randint(-50_000, 200_000)).scaleb(-2)
                   for _ in range(rng.choice([0, 0, 1, 3]))}
    return PlanInput(tuple(debts), budget, start, adjustments=adjustments,
                     horizon_months=rng.choice([1, 2, 12, 36, 60, 120]),
                     card_threshold=rng.choice([None, D("1000.00")]))


def _same(plan_input: PlanInput) -> None:
    fast = fast_pro_rata_run(plan_input)
    assert fast is not None
    reference = simulate(plan_input, _pro_rata)
    assert fast.months == reference.months
    assert repr(fast.months) == repr(reference.months)  # written the same: 2 places
    assert fast.finished == reference.finished
    a = assemble(plan_input, Strategy.PRO_RATA, fast)
    b = assemble(plan_input, Strategy.PRO_RATA, reference)
    assert repr((a.months, a.debts, a.totals, a.notes)) == repr(
        (b.months, b.debts, b.totals, b.notes))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32))
def test_the_pro_rata_fast_path_gives_the_reference_plan_to_the_fen(seed: int) -> None:
    _same(random_input(random.Random(seed)))


def test_the_plan_takes_the_fast_path_and_leaves_the_rest_to_the_reference() -> None:
    """make_plan(pro-rata) over overdue debts is the fast path's; a debt on its own terms
    or earmarked money leaves the input to the reference."""
    plan_input = random_input(random.Random(7))
    fast = fast_pro_rata_run(plan_input)
    assert fast is not None
    plan = make_plan(plan_input, Strategy.PRO_RATA)
    assert plan.months == fast.months
    terms = PlanDebt("t", balance=D("100.00"), annual_rate=D("0.1"))
    assert fast_pro_rata_run(PlanInput((*plan_input.debts, terms), D("100.00"),
                                       plan_input.start)) is None
    key = plan_input.debts[0].key
    assert fast_pro_rata_run(PlanInput(plan_input.debts, D("100.00"), plan_input.start,
                                       earmarked={0: {key: D("10.00")}})) is None


def test_a_debt_the_integer_walk_gives_up_on_mid_plan() -> None:
    """When a running total grows past what the integer walk vouches for, the debt's bills
    come from the Decimal walker from then on (with every payment made so far): the plan
    is still the reference's, in the fast path and in the reference's own ledgers."""
    import pytest

    import xieshang.engine.accrual_fen as accrual_fen

    patch = pytest.MonkeyPatch()
    patch.setattr(accrual_fen, "_MAX_UNITS", 10**9)
    advance = accrual_fen.FenWalker.advance
    gave_up = []

    def counted(self: accrual_fen.FenWalker, as_of: date) -> object:
        figures = advance(self, as_of)
        if figures is None:
            gave_up.append(as_of)
        return figures

    patch.setattr(accrual_fen.FenWalker, "advance", counted)
    try:
        for seed in range(40):
            _same(random_input(random.Random(seed)))
    finally:
        patch.undo()
    assert gave_up


@settings(max_examples=EXAMPLES * 3, deadline=None, derandomize=True)
@given(amount=st.integers(-5, 3_000_000),
       balances=st.lists(st.one_of(st.integers(0, 2_000_000), st.integers(-500, 500),
                                   st.sampled_from([0, 1, 2, 3, 5, 100, 101])),
                         min_size=1, max_size=25))
def test_the_integer_ranks_of_webster_equal_the_budget_s_rule(amount: int,
                                                              balances: list[int]) -> None:
    """The budget's Webster split (the fast path's too) compares ranks on integers; its
    earlier form compared them as fractions: the same fen to the same debts, ties and
    balances of 0 or less included."""

    amount = min(amount, max(sum(balances), 0))
    assert _webster(amount, balances) == reference(amount, balances)
    equal = [balances[0]] * len(balances)  # every rank tied: the order decides
    assert _webster(amount % (sum(equal) + 1) if sum(equal) > 0 else 0, equal) == reference(
        amount % (sum(equal) + 1) if sum(equal) > 0 else 0, equal)
