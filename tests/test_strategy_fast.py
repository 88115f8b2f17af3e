"""The integer fast path of the simulator equals the reference simulator, to the fen.

:func:`xieshang.engine.strategy._fast.fast_run` computes the ordered strategies (avalanche,
snowball, custom) over debts on their own terms in integer fen; the general simulator
(:func:`~xieshang.engine.strategy._simulate.simulate` with the strategy's policy) stays the
reference. It also computes risk first without milestones, pro rata over such debts, and
the optimal plan's re-simulation of the model's payments (``_optimal._Targets``); and, when
the money covers every month's requirements, walks the ordered ones debt by debt. On random
inputs — monthly and daily accrual, both day bases, fixed and percent
minimums with and without charges, late fees, fees and arrears carried in, due days,
budgets that do not cover the minimums and budgets that clear everything, one-off
adjustments — every month's every figure is equal (and written the same: 2 places), as is
what the plan's results read of each debt's final state. Derandomised.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieshang.engine.preset import DayBasis, LateFee, LateFeeKind
from xieshang.engine.strategy import (
    Accrual,
    Minimum,
    PlanDebt,
    PlanInput,
    RiskMilestone,
    Strategy,
    make_plan,
)
from xieshang.engine.strategy._fast import fast_run
from xieshang.engine.strategy._optimal import _Solution, _Targets
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
    strategy = draw(st.sampled_from([Strategy.AVALANCHE, Strategy.SNOWBALL, Strategy.CUSTOM,
                                     Strategy.RISK_FIRST, Strategy.PRO_RATA]))
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


def _same_as_the_reference(plan_input: PlanInput, strategy: Strategy, *,
                           ledgers: bool = True) -> None:
    """The fast path's run is the reference simulation's: every month (the same 2-place
    Decimals, not only equal ones), the debts' final state and the assembled plan."""
    fast = fast_run(plan_input, strategy)
    assert fast is not None
    reference = simulate(plan_input, heuristic_policy(strategy, plan_input))
    assert fast.finished == reference.finished
    assert fast.months == reference.months
    assert repr(fast.months) == repr(reference.months)
    if ledgers:
        for mine, theirs in zip(fast.ledgers, reference.ledgers, strict=True):
            assert (mine.principal, mine.charges_before, mine.grows, mine.finished()) == (
                theirs.principal, theirs.charges_before, theirs.grows, theirs.finished())
    assert assemble(plan_input, strategy, fast) == assemble(plan_input, strategy, reference)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=inputs())
def test_the_fast_path_gives_the_reference_months_to_the_fen(
        case: tuple[PlanInput, Strategy]) -> None:
    _same_as_the_reference(*case)


def test_the_fast_path_leaves_other_inputs_to_the_reference() -> None:
    """Risk first with milestones, optimal without targets, a token payment or a card
    principal: not covered (None)."""
    debt = PlanDebt("a", balance=M("1000.00"), annual_rate=M("0.12"))
    plan_input = PlanInput((debt,), M("100.00"), date(2026, 1, 15))
    assert fast_run(plan_input, Strategy.OPTIMAL) is None
    marked = PlanDebt("m", balance=M("1000.00"), annual_rate=M("0.12"),
                      milestones=(RiskMilestone("reported", date(2026, 6, 1)),))
    assert fast_run(PlanInput((marked,), M("100.00"), date(2026, 1, 15)),
                    Strategy.RISK_FIRST) is None
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
    strategy = draw(st.sampled_from([Strategy.AVALANCHE, Strategy.SNOWBALL,
                                     Strategy.RISK_FIRST, Strategy.PRO_RATA]))
    budget = M(draw(st.integers(0, 4_000_000))).scaleb(-2)
    return PlanInput(debts, budget, date(2026, 1, 15),
                     horizon_months=draw(st.integers(1, 120))), strategy


@settings(max_examples=max(EXAMPLES // 10, 5), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=many_debts())
def test_the_fast_path_gives_the_reference_plan_for_many_debts(
        case: tuple[PlanInput, Strategy]) -> None:
    _same_as_the_reference(*case, ledgers=False)


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


@st.composite
def targeted(draw: st.DrawFn) -> tuple[PlanInput, _Solution]:
    """An input and a model's payments for some of its months: targets (often 0, often
    more than a debt owes) and the debts the model pays off."""
    plan_input, _ = draw(inputs())
    count = len(plan_input.debts)
    months = draw(st.integers(1, plan_input.horizon_months))
    amount = st.one_of(st.just(0), st.integers(0, 200_000), st.integers(0, 5_000_000))
    targets = [[draw(amount) for _ in range(count)] for _ in range(months)]
    clears = [[draw(st.booleans()) for _ in range(count)] for _ in range(months)]
    return plan_input, _Solution("optimal", targets, clears, list(range(count)), None, None,
                                 None, 0, 0, 0.0)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=targeted())
def test_the_fast_path_re_simulates_the_models_payments_as_the_reference(
        case: tuple[PlanInput, _Solution]) -> None:
    plan_input, solution = case
    fast = fast_run(plan_input, Strategy.OPTIMAL, solution.targets, solution.clears)
    assert fast is not None
    reference = simulate(plan_input, _Targets(solution, False, None))
    assert fast.finished == reference.finished
    assert fast.months == reference.months
    assert repr(fast.months) == repr(reference.months)
    assert assemble(plan_input, Strategy.OPTIMAL, fast) == assemble(
        plan_input, Strategy.OPTIMAL, reference)


@st.composite
def covered_months(draw: st.DrawFn) -> tuple[PlanInput, Strategy]:
    """Budgets that cover what every debt requires (the debt-by-debt walk, ``_by_debt``):
    the first month's requirements with room for their growth, plus a little or a lot."""
    count = draw(st.integers(1, 30))
    debts = tuple(draw(plan_debts(f"d{i}")) for i in range(count))
    need = Decimal(0)
    for debt in debts:
        owed = (debt.balance or M(0)) * (1 + (debt.annual_rate or M(0)) / 10) + debt.fees
        rule = debt.minimum
        if rule is not None:
            need += rule.amount + owed * rule.percent + (owed / 10 if rule.plus_charges else 0)
        need += debt.past_due
    budget = (need * M("1.2") + M(draw(st.integers(0, 300_000))).scaleb(-2)).quantize(M("0.01"))
    strategy = draw(st.sampled_from([Strategy.AVALANCHE, Strategy.SNOWBALL, Strategy.CUSTOM,
                                     Strategy.RISK_FIRST]))
    order = tuple(draw(st.permutations([d.key for d in debts])))[:draw(st.integers(1, count))]
    start = date(2026, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    return PlanInput(debts, budget, start, horizon_months=draw(st.integers(1, 120)),
                     order=order), strategy


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=covered_months())
def test_the_debt_by_debt_walk_gives_the_reference_plan(
        case: tuple[PlanInput, Strategy]) -> None:
    _same_as_the_reference(*case)


def test_the_benchmarks_plan_walks_debt_by_debt(monkeypatch: pytest.MonkeyPatch) -> None:
    """50 card-like debts whose budget covers the minimums take the debt-by-debt walk (and
    give the reference plan); one month short of money takes the month-by-month walk."""
    from xieshang.engine.strategy import _fast

    walked: list[object] = []
    by_debt = _fast._by_debt

    def spy(*args: object) -> object:
        walked.append(by_debt(*args))
        return walked[-1]

    monkeypatch.setattr(_fast, "_by_debt", spy)
    debts = tuple(PlanDebt(f"d{i}", balance=M(1000 + 37 * i), annual_rate=M(10 + i) / 100,
                           minimum=Minimum(M(30 + i))) for i in range(50))
    needs = sum((M(30 + i) for i in range(50)), M(0))
    for budget, taken in ((needs + 150, True), (needs - 1, False)):
        plan_input = PlanInput(debts, budget, date(2026, 1, 15), horizon_months=120)
        fast = fast_run(plan_input, Strategy.AVALANCHE)
        assert (walked[-1] is not None) is taken
        reference = simulate(plan_input, heuristic_policy(Strategy.AVALANCHE, plan_input))
        assert repr(fast.months) == repr(reference.months)


def _outcome(plan_input: PlanInput, strategy: Strategy, run: Callable[[], Any]) -> Any:
    """What a run gives: its assembled plan, or the message of the error it raised."""
    from xieshang.engine.errors import InputError

    try:
        return assemble(plan_input, strategy, run())
    except InputError as error:
        return str(error)


@pytest.mark.parametrize("strategy", [Strategy.AVALANCHE, Strategy.SNOWBALL,
                                      Strategy.PRO_RATA, Strategy.RISK_FIRST])
@pytest.mark.parametrize("minimum", [None, Minimum(M("588.68"), M("0.1"), plus_charges=True)])
def test_charges_growing_past_the_engine_s_limit_as_the_reference(
        strategy: Strategy, minimum: Minimum | None) -> None:
    """¥1,000,000 at 150 % a year with ¥1.00 a month passes ¥1,000,000,000,000 after about
    ten years. The fast path hands such a run to the reference simulation, so the plan is
    what the reference gives (pro rata with a percent minimum: the amount is too large,
    where the fast path used to show balances past the limit)."""
    from xieshang.engine.strategy._simulate import run_strategy

    debt = PlanDebt("a", balance=M("1000000.00"), annual_rate=M("1.5"), minimum=minimum)
    plan_input = PlanInput((debt,), M("1.00"), date(2026, 4, 5), horizon_months=240)
    reference = _outcome(plan_input, strategy,
                         lambda: simulate(plan_input, heuristic_policy(strategy, plan_input)))
    assert _outcome(plan_input, strategy, lambda: run_strategy(plan_input, strategy)) \
        == reference
    if minimum is not None and strategy is Strategy.PRO_RATA:
        assert "too large" in reference
