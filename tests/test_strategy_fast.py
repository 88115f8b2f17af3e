"""The integer fast path of the simulator equals the reference simulator, to the fen.

:func:`xieshang.engine.strategy._fast.fast_run` computes the ordered strategies (avalanche,
snowball, custom) over debts on their own terms in integer fen; the general simulator
(:func:`~xieshang.engine.strategy._simulate.simulate` with the strategy's policy) stays the
reference. On random inputs — monthly and daily accrual, both day bases, fixed and percent
minimums with and without charges, late fees, fees and arrears carried in, due days,
budgets that do not cover the minimums and budgets that clear everything, one-off
adjustments — every month's every figure is equal (and written the same: 2 places), as is
what the plan's results read of each debt's final state. Derandomised.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieshang.engine.preset import DayBasis, LateFee, LateFeeKind
from xieshang.engine.strategy import (
    Accrual,
    Minimum,
    PlanDebt,
    PlanInput,
    Strategy,
    make_plan,
)
from xieshang.engine.strategy._fast import fast_run
from xieshang.engine.strategy._simulate import assemble, heuristic_policy, simulate

M = Decimal
EXAMPLES = int(os.environ.get("XIESHANG_FAST_EXAMPLES", "300"))
#: amounts as the store and the fronts give them: 2 places
fen = st.integers(min_value=0, max_value=3_000_000).map(lambda f: M(f).scaleb(-2))
LATE = LateFee(kind=LateFeeKind.PERCENT_OF_UNPAID_MINIMUM, rate=M("0.05"), minimum=M("10.00"))


@st.composite
def plan_debts(draw: st.DrawFn, key: str) -> PlanDebt:
    rate = M(draw(st.integers(0, 4000))) / 10000
    minimum = draw(st.one_of(
        st.none(),
        st.builds(Minimum, st.integers(0, 50_000).map(lambda f: M(f).scaleb(-2)),
                  st.sampled_from([M(0), M("0.01"), M("0.05"), M("0.1")]), st.booleans())))
    balance = draw(fen)
    return PlanDebt(
        key, draw(st.sampled_from(["", key.upper()])), balance=balance, annual_rate=rate,
        minimum=minimum, accrual=draw(st.sampled_from(list(Accrual))),
        day_basis=draw(st.sampled_from(list(DayBasis))),
        past_due=min(balance, draw(st.sampled_from([M("0.00"), M("35.50")]))),
        fees=draw(st.sampled_from([M("0.00"), M("12.00")])),
        late_fee=draw(st.sampled_from([None, LATE])),
        due_day=draw(st.one_of(st.none(), st.integers(1, 31))))


@st.composite
def inputs(draw: st.DrawFn) -> tuple[PlanInput, Strategy]:
    count = draw(st.integers(1, 8))
    debts = tuple(draw(plan_debts(f"d{i}")) for i in range(count))
    strategy = draw(st.sampled_from([Strategy.AVALANCHE, Strategy.SNOWBALL, Strategy.CUSTOM]))
    order = tuple(draw(st.permutations([d.key for d in debts])))[:draw(st.integers(1, count))]
    start = date(2026, 1, 1).replace(day=draw(st.integers(1, 28)),
                                     month=draw(st.integers(1, 12)))
    if draw(st.booleans()):
        start = date(2026, draw(st.sampled_from([1, 3, 5, 8])), 31)
    adjustments = draw(st.dictionaries(st.integers(0, 30), st.integers(-500, 2000).map(M),
                                       max_size=3))
    plan_input = PlanInput(debts, M(draw(st.integers(0, 600_000))).scaleb(-2), start,
                           adjustments=adjustments,
                           horizon_months=draw(st.integers(1, 60)), order=order)
    return plan_input, strategy


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=inputs())
def test_the_fast_path_gives_the_reference_months_to_the_fen(
        case: tuple[PlanInput, Strategy]) -> None:
    plan_input, strategy = case
    fast = fast_run(plan_input, strategy)
    assert fast is not None
    reference = simulate(plan_input, heuristic_policy(strategy, plan_input))
    assert fast.finished == reference.finished
    assert fast.months == reference.months
    assert repr(fast.months) == repr(reference.months)  # same 2-place Decimals, not only equal
    for mine, theirs in zip(fast.ledgers, reference.ledgers, strict=True):
        assert (mine.principal, mine.charges_before, mine.grows, mine.finished()) == (
            theirs.principal, theirs.charges_before, theirs.grows, theirs.finished())
    assert assemble(plan_input, strategy, fast) == assemble(plan_input, strategy, reference)


def test_the_fast_path_leaves_other_inputs_to_the_reference() -> None:
    """Pro rata, risk first, a token payment or a card principal: not covered (None)."""
    debt = PlanDebt("a", balance=M("1000.00"), annual_rate=M("0.12"))
    plan_input = PlanInput((debt,), M("100.00"), date(2026, 1, 15))
    assert fast_run(plan_input, Strategy.PRO_RATA) is None
    assert fast_run(plan_input, Strategy.RISK_FIRST) is None
    assert fast_run(PlanInput((debt,), M("100.00"), date(2026, 1, 15), token=M("1.00")),
                    Strategy.AVALANCHE) is None
    card = PlanDebt("c", balance=M("1000.00"), annual_rate=M("0.12"),
                    card_principal=M("1000.00"))
    assert fast_run(PlanInput((card,), M("100.00"), date(2026, 1, 15)),
                    Strategy.AVALANCHE) is None
    # make_plan takes the fast path here and gives the reference plan
    reference = assemble(plan_input, Strategy.AVALANCHE, simulate(
        plan_input, heuristic_policy(Strategy.AVALANCHE, plan_input)))
    assert make_plan(plan_input, Strategy.AVALANCHE) == reference


@st.composite
def many_debts(draw: st.DrawFn) -> tuple[PlanInput, Strategy]:
    """20–50 debts (the benchmark's size): debts repaid at different months while the
    others go on, so the path's set of debts still owed changes often."""
    count = draw(st.integers(20, 50))
    debts = tuple(draw(plan_debts(f"d{i}")) for i in range(count))
    strategy = draw(st.sampled_from([Strategy.AVALANCHE, Strategy.SNOWBALL]))
    budget = M(draw(st.integers(0, 4_000_000))).scaleb(-2)
    return PlanInput(debts, budget, date(2026, 1, 15),
                     horizon_months=draw(st.integers(1, 120))), strategy


@settings(max_examples=max(EXAMPLES // 10, 5), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=many_debts())
def test_the_fast_path_gives_the_reference_plan_for_many_debts(
        case: tuple[PlanInput, Strategy]) -> None:
    plan_input, strategy = case
    fast = fast_run(plan_input, strategy)
    assert fast is not None
    reference = simulate(plan_input, heuristic_policy(strategy, plan_input))
    assert fast.months == reference.months
    assert repr(fast.months) == repr(reference.months)
    assert assemble(plan_input, strategy, fast) == assemble(plan_input, strategy, reference)


def test_a_row_built_by_the_twin_is_the_dataclass_row() -> None:
    """The hot path builds :class:`DebtMonth` rows through a same-layout twin class; the
    row is a real DebtMonth, equal to (and written like) the dataclass's own."""
    from xieshang.engine.strategy import DebtMonth
    from xieshang.engine.strategy._ledger import make_debt_month

    values = ("a", M("10.00"), M("5.00"), M("5.00"), M("5.00"), M("0.10"), M("0.00"),
              M("0.00"), M("0.00"), False, M("0.00"), date(2026, 2, 15), M("0.00"))
    built = make_debt_month(*values)
    assert type(built) is DebtMonth
    assert built == DebtMonth(*values)
    assert repr(built) == repr(DebtMonth(*values))
    assert hash(built) == hash(DebtMonth(*values))
    assert built.newly_unpaid == M("0.00")
    assert built.charges == M("0.10")
