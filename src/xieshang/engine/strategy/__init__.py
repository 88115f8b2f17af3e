"""The repayment plan across all debts: strategies, triage and the optimal split.

Every strategy runs on one month-by-month simulator (:mod:`._ledger`): each month, on the
pay date, every debt is charged to that day — an overdue debt by the exact accrual engine
(:func:`~xieshang.engine.accrual.bill_on`, with every earlier payment), a debt given by
balance and rate by its :class:`Accrual`, an agreed arrangement by its fixed schedule —
then the month's money (budget plus one-off adjustments) is split:

1. what each debt requires (minimum, arrears, arrangement payments); when the money does
   not cover it, the strategy chooses (arrangement payments first, except pro rata) and the
   plan says what goes unpaid;
2. the rest by the strategy: :attr:`Strategy.AVALANCHE` (highest rate first),
   :attr:`~Strategy.SNOWBALL` (smallest starting balance first),
   :attr:`~Strategy.PRO_RATA` (in proportion to what is owed: creditor-fair, the default for
   negotiation offers), :attr:`~Strategy.RISK_FIRST`, :attr:`~Strategy.CUSTOM`, or
   :attr:`~Strategy.OPTIMAL` (:mod:`._optimal`, HiGHS).

Money freed when a debt is repaid stays in the budget (nothing is lost to the next
month's minimums), and the month a debt is repaid pays that month's charges too. Debts
waiting for an arrangement get only their minimum. Money is Decimal throughout; only the
solver sees floats, and its payments are re-simulated to the fen. Nothing here does I/O or
reads the clock: the solver stops at a work limit (iterations, nodes), never at a time.

The fronts call :func:`plan_input_from_case` (the case's debts and budget → a
:class:`PlanInput`), then :func:`make_plan`, :func:`compare_strategies`, :func:`this_month`
and :func:`recast`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from xieshang.engine.strategy._case import (
    RISK_EVENTS,
    Recast,
    plan_input_from_case,
    recast_input,
)
from xieshang.engine.strategy._ledger import cost_rate
from xieshang.engine.strategy._model import (
    DEFAULT_HORIZON,
    HEURISTICS,
    Accrual,
    Action,
    ActionKind,
    ActualPayment,
    Arrangement,
    DebtMonth,
    DebtResult,
    Minimum,
    Month,
    Note,
    Plan,
    PlanDebt,
    PlanInput,
    RiskMilestone,
    RiskWeights,
    ScheduledPayment,
    SolverReport,
    Strategy,
    Totals,
    arrangement_from_schedule,
)
from xieshang.engine.strategy._optimal import (
    DEFAULT_WORK_LIMIT,
    NOTE_HEURISTIC,
    NOTE_NO_MODEL_PLAN,
    NOTE_ORDER,
    NOTE_TIME_LIMIT,
    NOTE_WORK_LIMIT,
    ORDER_MOVES_MAX,
    ORDER_MOVES_WORK,
    ORDER_SEARCH_MAX,
    WorkLimit,
    optimal_plan,
)
from xieshang.engine.strategy._simulate import (
    NOTE_GROWS,
    NOTE_HORIZON,
    NOTE_SHORTFALL,
    assemble,
    heuristic_policy,
    run_strategy,
    this_month,
)

__all__ = [
    "DEFAULT_HORIZON",
    "DEFAULT_WORK_LIMIT",
    "HEURISTICS",
    "NOTE_GROWS",
    "NOTE_HEURISTIC",
    "NOTE_HORIZON",
    "NOTE_NO_MODEL_PLAN",
    "NOTE_ORDER",
    "NOTE_SHORTFALL",
    "NOTE_TIME_LIMIT",
    "NOTE_WORK_LIMIT",
    "ORDER_MOVES_MAX",
    "ORDER_MOVES_WORK",
    "ORDER_SEARCH_MAX",
    "RISK_EVENTS",
    "Accrual",
    "Action",
    "ActionKind",
    "ActualPayment",
    "Arrangement",
    "DebtMonth",
    "DebtResult",
    "Minimum",
    "Month",
    "Note",
    "Plan",
    "PlanDebt",
    "PlanInput",
    "Recast",
    "RiskMilestone",
    "RiskWeights",
    "ScheduledPayment",
    "SolverReport",
    "Strategy",
    "Totals",
    "WorkLimit",
    "arrangement_from_schedule",
    "compare_strategies",
    "cost_rate",
    "make_plan",
    "month_actions",
    "plan_input_from_case",
    "recast",
    "recast_input",
    "this_month",
]

def _rule_based(plan_input: PlanInput) -> dict[Strategy, Plan]:
    strategies = list(HEURISTICS)
    if plan_input.order:
        strategies.append(Strategy.CUSTOM)
    return {strategy: assemble(plan_input, strategy, run_strategy(plan_input, strategy))
            for strategy in strategies}


def make_plan(plan_input: PlanInput, strategy: Strategy | str = Strategy.AVALANCHE, *,
              limit: WorkLimit = DEFAULT_WORK_LIMIT,
              time_limit: float | None = None) -> Plan:  # float-ok: seconds
    """The plan of one strategy.

    Args:
        plan_input: the debts, budget, start and risk weights.
        strategy: the strategy (its value, e.g. ``"pro-rata"``, is accepted too).
        limit: the work the solver may do (:attr:`Strategy.OPTIMAL` only): iterations and
            nodes, so the same input gives the same plan on any machine.
        time_limit: a wall-clock limit in seconds on top, only when asked for (it makes
            the plan depend on the machine's load).

    Raises:
        InputError: the strategy is unknown ("strategy"), or custom without an order.
    """
    chosen = _strategy(strategy)
    if chosen is Strategy.OPTIMAL:
        return optimal_plan(plan_input, _rule_based(plan_input), limit=limit,
                            time_limit=time_limit)
    if chosen is Strategy.CUSTOM:
        heuristic_policy(chosen, plan_input)  # refuses custom without an order
    return assemble(plan_input, chosen, run_strategy(plan_input, chosen))


def compare_strategies(plan_input: PlanInput, *, optimal: bool = True,
                       limit: WorkLimit = DEFAULT_WORK_LIMIT,
                       time_limit: float | None = None  # float-ok: seconds
                       ) -> tuple[Plan, ...]:
    """The plans of every strategy on the same input (custom only with an order), the
    optimal one last; the best is the one with the lowest ``totals.objective``."""
    plans = _rule_based(plan_input)
    result = list(plans.values())
    if optimal:
        result.append(optimal_plan(plan_input, plans, limit=limit, time_limit=time_limit))
    return tuple(result)


def month_actions(plan_input: PlanInput, strategy: Strategy | str = Strategy.PRO_RATA
                  ) -> tuple[Action, ...]:
    """This month's payments (:func:`this_month`) without simulating the months after it.

    A rule-based strategy decides month 0 from month 0's state alone, so a one-month plan
    has the same first month as the whole plan (a test checks it); the optimal strategy
    looks ahead and gets its whole plan.
    """
    chosen = _strategy(strategy)
    if chosen is not Strategy.OPTIMAL:
        plan_input = replace(plan_input, horizon_months=1)
    return this_month(make_plan(plan_input, chosen))


def recast(plan_input: PlanInput, payments: Sequence[ActualPayment], today: date,
           strategy: Strategy | str = Strategy.AVALANCHE, *,
           limit: WorkLimit = DEFAULT_WORK_LIMIT,
           time_limit: float | None = None  # float-ok: seconds
           ) -> tuple[Recast, Plan]:
    """The plan recomputed from today after the payments actually made
    (:func:`recast_input`, then :func:`make_plan`)."""
    state = recast_input(plan_input, payments, today)
    return state, make_plan(state.input, strategy, limit=limit, time_limit=time_limit)


def _strategy(value: Strategy | str) -> Strategy:
    from xieshang.engine.errors import N_, InputError

    try:
        return Strategy(value)
    except ValueError:
        raise InputError("strategy", N_("'{value}' is not a strategy; use avalanche, snowball, "
                                        "pro-rata, risk-first, custom or optimal"),
                         value=str(value)) from None
