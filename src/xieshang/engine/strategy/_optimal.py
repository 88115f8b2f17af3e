"""The optimal strategy: a linear (or mixed-integer) model solved with HiGHS.

The model (``docs/plan.md`` has it in full): for every debt ``i`` free to be paid down (not
under, or waiting for, an arrangement) and month ``t``, a payment ``x[i,t] ≥ 0`` and the
balance after it ``b[i,t] ≥ 0``:

* ``b[i,0] = O_i − x[i,0]`` and ``b[i,t] = g[i,t] · b[i,t−1] − x[i,t]``: what is owed grows
  by the month's charges (``g = 1 + rate ÷ 12``; for an overdue debt, the growth of its
  exact no-payment bill);
* ``Σ_i x[i,t] ≤ budget_t − arrangement payments_t``;
* minimums: ``b[i,t] ≤ M[i,t] + a[i,t]``, where ``M`` is the balance when only minimums are
  paid and ``a ≥ 0`` is the minimum left unpaid, priced at 1 yuan per yuan and month (so
  it is only used when the money cannot cover the minimums);
* objective: ``Σ (g[i,t+1] − 1) · b[i,t]`` (the charges) ``+ a`` ``+`` the risk weights,
  each through a binary variable: ``o[i,t]`` per month a debt ends overdue
  (``b ≤ U·o``, or ``a ≤ U·o`` for a missed minimum, ``U`` the no-payment balance),
  ``y`` per milestone crossed, ``q[t]`` per month the card principal
  (``c[i,t] ≥ c[i,t−1] − x[i,t]``, principal first) is at or above the threshold.

Without weights the model is a linear program. Its payments are turned into fen targets and
re-simulated with the exact engine (minimums and arrangement payments first, then the
debts the model pays off, then up to the targets, then anything left by cost); the plan
returned is the better of that and every rule-based plan, on the exact objective.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Final

from xieshang.engine.accrual import OverdueDebt, daily_costs
from xieshang.engine.errors import N_, StateError
from xieshang.engine.money import ZERO, D
from xieshang.engine.strategy._ledger import Calendar, Ledger, cost_rate, month_of
from xieshang.engine.strategy._model import (
    Accrual,
    Note,
    Plan,
    PlanDebt,
    PlanInput,
    SolverReport,
    Strategy,
)
from xieshang.engine.strategy._simulate import (
    assemble,
    avalanche_order,
    pay_in_order,
    pay_required,
    pay_tokens,
    simulate,
)

__all__ = ["DEFAULT_WORK_LIMIT", "NOTE_HEURISTIC", "NOTE_NO_MODEL_PLAN", "NOTE_ORDER",
           "NOTE_TIME_LIMIT", "NOTE_WORK_LIMIT", "ORDER_MOVES_MAX", "ORDER_MOVES_WORK",
           "ORDER_SEARCH_MAX", "WorkLimit",
           "optimal_plan"]

NOTE_HEURISTIC: Final = N_("No plan from the model was better than the {strategy} plan on "
                           "the exact figures, so that plan is shown.")
NOTE_TIME_LIMIT: Final = N_("The solver stopped at its time limit; the best plan found is "
                            "shown, within {gap} of the best possible.")

NOTE_WORK_LIMIT: Final = N_("The solver stopped at its work limit ({limit}); the best plan "
                            "found is shown, within {gap} of the best possible.")
NOTE_NO_MODEL_PLAN: Final = N_("The solver stopped at its work limit ({limit}) before it "
                               "found a plan.")
NOTE_ORDER: Final = N_("Paying the debts one after another in the order {order} was better "
                       "on the exact figures than the model's split, so that plan is shown.")


@dataclass(frozen=True, slots=True)
class WorkLimit:
    """How much work the solver may do: counted in steps, never in seconds, so the same
    input gives the same plan on any machine, busy or not.

    Attributes:
        iterations: simplex iterations of a linear program.
        nodes: branch-and-bound nodes of a mixed-integer program.
    """

    iterations: int = 60_000
    nodes: int = 500

    def describe(self) -> str:
        """The limit in words for the note (numbers only: the note's text is translated)."""
        return f"{self.iterations:,} / {self.nodes:,}"


DEFAULT_WORK_LIMIT: Final = WorkLimit()
#: Up to this many debts free to be paid down, every fixed order is also simulated exactly
#: and kept when it beats the model's split (the model is linear: it does not see that a
#: payment clears the non-bearing penalty first, nor that card interest compounds).
ORDER_SEARCH_MAX: Final = 5
#: Beyond that, fixed orders are improved one move at a time (a debt moved to another
#: place in the order) from the cheaper of the avalanche and snowball orders, for at most
#: this many exact simulations: a count, not a time, so the plan is the same on any machine.
ORDER_MOVES_MAX: Final = 60
#: … and for at most this much work: debts × months simulated (the debts free to be paid
#: down × the months of the better starting order), so that many debts or a long plan try
#: fewer orders — 7 debts over 36 months still try 60, 50 debts over 86 months 3 (issue
#: 16: the optimal plan of 50 debts in under half a second). Also a count: deterministic.
ORDER_MOVES_WORK: Final = 7 * 36 * 60

#: Price of a yuan of minimum left unpaid for a month: above any monthly charge rate.
ARREARS_PRICE: Final = 1.0  # float-ok: a solver weight, not money
#: Stop the mixed-integer search within this relative gap.
MIP_GAP: Final = 0.01  # float-ok: a solver tolerance
#: A balance the model leaves below this is one it pays off.
_CLEARED: Final = 0.005  # float-ok: a solver tolerance
#: Months the model looks beyond the slowest rule-based plan.
_LOOK_BEYOND: Final = 1
#: Room for the solver's rounding in rows that compare with a computed path.
_SLACK: Final = 1e-6  # float-ok: a solver tolerance
_INF: Final = 1e30  # float-ok: HiGHS' infinity


@dataclass
class _Model:
    """Columns and rows of the model as plain lists (built once, passed to HiGHS)."""

    cost: list[float] = field(default_factory=list)  # float-ok: solver data
    lower: list[float] = field(default_factory=list)  # float-ok: solver data
    upper: list[float] = field(default_factory=list)  # float-ok: solver data
    integer: list[int] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)  # float-ok: solver data
    row_upper: list[float] = field(default_factory=list)  # float-ok: solver data
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)  # float-ok: solver data
    over: list[int] = field(default_factory=list)

    def column(self, cost: float, upper: float = _INF, *, binary: bool = False) -> int:  # float-ok
        self.cost.append(cost)
        self.lower.append(0.0)
        self.upper.append(1.0 if binary else upper)
        self.integer.append(1 if binary else 0)
        return len(self.cost) - 1

    def row(self, entries: Sequence[tuple[int, float]], lower: float = -_INF,  # float-ok
            upper: float = _INF) -> None:  # float-ok
        for column, coefficient in entries:
            self.index.append(column)
            self.value.append(coefficient)
        self.starts.append(len(self.index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)


@dataclass
class _Debt:
    """What the model knows about one free debt (floats: solver data)."""

    index: int
    opening: float  # float-ok: owed at month 0
    growth: list[float]  # float-ok: g[t], t = 0..T
    upper: list[float]  # float-ok: owed with no payments, t = 0..T−1
    minimum: list[float] | None  # float-ok: balance paying only minimums
    all_past_due: bool
    tolerance: float  # float-ok
    card: float | None  # float-ok
    #: an installment loan: the principal not yet due after each month's pay date when
    #: every installment is paid as it falls due (N[t]), and the contract interest of the
    #: installments falling due in each month (I[t]; I[0] = 0: already in the bill)
    scheduled: list[float] | None = None  # float-ok
    due_interest: list[float] | None = None  # float-ok
    x: list[int] = field(default_factory=list)
    b: list[int] = field(default_factory=list)
    e: list[int] = field(default_factory=list)
    a: list[int] | None = None
    o: list[int] | None = None
    crossings: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Solution:
    status: str
    #: the model's payments, in fen per month and debt (its values to 2 places, as
    #: ``f"{value:.2f}"`` writes them)
    targets: list[list[int]]
    clears: list[list[bool]]
    free: list[int]
    objective: Decimal | None
    bound: Decimal | None
    gap: Decimal | None
    variables: int
    binaries: int
    seconds: float  # float-ok: solver time, not money


def _float(value: Decimal) -> float:  # float-ok: money into the solver only
    return float(value)  # float-ok


def _required_path(debt: PlanDebt, opening: float, growth: Sequence[float],  # float-ok
                   months: int) -> list[float] | None:  # float-ok
    """The balance after paying only the minimum each month, on the model's dynamics."""
    rule = debt.minimum
    if rule is None and debt.past_due == 0:
        return None
    amount, percent = _float(rule.amount) if rule else 0.0, _float(rule.percent) if rule else 0.0
    plus = bool(rule and rule.plus_charges)
    path: list[float] = []  # float-ok
    owed = opening
    arrears = _float(debt.past_due)
    before = owed / growth[0] if growth[0] else owed
    for t in range(months):
        if t:
            before = path[-1]
            owed = growth[t] * before
        charge = owed - before
        required = 0.0 if rule is None else max(amount, percent * before + (charge if plus
                                                                               else 0.0))
        required = min(owed, required + arrears)
        arrears = 0.0
        path.append(owed - required)
    return path


def _debt_data(plan_input: PlanInput, index: int, months: int) -> _Debt:
    debt = plan_input.debts[index]
    dates = Calendar(plan_input.start)
    if debt.overdue_debt is not None:
        od = debt.overdue_debt
        totals = dict(daily_costs(od, dates[0], dates[months]))
        # the principal not yet due on each pay date: a later installment that has fallen
        # due is in the bill's total already (counting it twice made a loan look larger)
        upper = [_float(totals[dates[t]] + _not_yet_due(od, dates[t]))
                 for t in range(months + 1)]
        # The debt's own rate on what is left: payments repay charges first, so what is
        # left after a payment is mostly principal, which bears the penalty rate.
        rate = _float(cost_rate(debt))
        growth = [1.0] + [1.0 + rate * (dates[t] - dates[t - 1]).days / 365.0
                          for t in range(1, months + 1)]
        opening = upper[0]
        tolerance = _float(od.preset.tolerance)
        if od.later:
            return _loan_data(plan_input, index, months, opening, growth, upper)
    else:
        rate = _float(debt.annual_rate or ZERO)
        if debt.accrual is Accrual.MONTHLY:
            growth = [1.0 + rate / 12.0] * (months + 1)
        else:
            basis = float(debt.day_basis.days)  # float-ok
            growth = [1.0 + rate * (dates[t] - dates[t - 1]).days / basis
                      for t in range(months + 1)]
        balance = _float(debt.balance or ZERO)
        opening = balance * growth[0] + _float(debt.fees)
        upper = [opening]
        for t in range(1, months + 1):
            upper.append(upper[-1] * growth[t])
        tolerance = 0.0
    upper = [value * 1.01 + 1.0 for value in upper]
    card = None if debt.card_principal is None else _float(debt.card_principal)
    return _Debt(index=index, opening=opening, growth=growth, upper=upper[:months],
                 minimum=_required_path(debt, opening, growth, months),
                 all_past_due=debt.overdue_debt is not None, tolerance=tolerance, card=card)


def _not_yet_due(od: OverdueDebt, day: date) -> Decimal:
    """The principal not yet due on ``day`` when nothing beyond what is due is repaid: the
    later installments falling due after it (and any not tied to one)."""
    fallen = sum((item.principal for item in od.later if item.due <= day), ZERO)
    return max(ZERO, od.not_yet_due_principal - fallen)


def _loan_data(plan_input: PlanInput, index: int, months: int, opening: float,  # float-ok
               growth: list[float], upper: list[float]) -> _Debt:  # float-ok
    """An installment loan: its later installments fall due on their own dates, each
    bearing the overdue charges only from then; before, the principal not yet due bears only
    the installment's contract interest, added on its due date. The model charges the
    overdue rate on the part past due (``e[t] ≥ b[t] − N[t]``, ``N`` the principal not yet
    due when each installment is paid as it falls due) and adds each installment's interest
    in its month (a constant): paying an installment when it falls due saves its overdue
    charges, paying the principal not yet due early saves nothing the model sees.

    The installments are not rows the plan must meet: the exact objective (charges and the
    risk weights) does not price an installment paid late beyond its charges, and rows
    priced like a missed minimum, or required whenever the money covers them, gave plans
    that cost more on the exact figures (40 random cases with a loan: the model's plan was
    above the best rule-based or fixed-order plan by ¥10,837.79 and ¥3,778.12 in all,
    against ¥3,294.40 without them).
    """
    debt = plan_input.debts[index]
    od = debt.overdue_debt
    if od is None:
        raise StateError("overdue_debt")
    dates = Calendar(plan_input.start)
    scheduled: list[float] = []  # float-ok
    due_interest: list[float] = []  # float-ok
    for t in range(months):
        scheduled.append(_float(_not_yet_due(od, dates[t])))
        due_interest.append(0.0 if t == 0 else _float(sum(
            (item.interest for item in od.later if dates[t - 1] < item.due <= dates[t]),
            ZERO)))
    upper = [value * 1.01 + 1.0 for value in upper]
    return _Debt(index=index, opening=opening, growth=growth, upper=upper[:months],
                 minimum=None, all_past_due=True, tolerance=_float(od.preset.tolerance),
                 card=None, scheduled=scheduled, due_interest=due_interest)


def _fixed_paths(plan_input: PlanInput, months: int, free: set[int]
                 ) -> tuple[list[float], list[float]]:  # float-ok
    """Payments due each month on debts under (or waiting for) an arrangement, and their card
    principal, when exactly what is required is paid."""
    due = [0.0] * months
    card = [0.0] * months
    for index, debt in enumerate(plan_input.debts):
        if index in free:
            continue
        alone = replace(plan_input, debts=(debt,), order=(), adjustments={}, earmarked={},
                        monthly_budget=ZERO)
        run = simulate(alone, lambda _m, ledgers, _b: [ledgers[0].required], months=months)
        for t, month in enumerate(run.months):
            due[t] += _float(month.debts[0].paid)
            card[t] += _float(month.card_principal)
    return due, card


def _build(plan_input: PlanInput, months: int) -> tuple[_Model, list[_Debt], float]:  # float-ok
    weights = plan_input.weights
    free = [i for i, debt in enumerate(plan_input.debts) if debt.arrangement is None]
    fixed_due, fixed_card = _fixed_paths(plan_input, months, set(free))
    debts = [_debt_data(plan_input, i, months) for i in free]
    model = _Model()
    offset = 0.0
    money_of = [max(0.0, _float(plan_input.budget_of(t)) - fixed_due[t]) for t in range(months)]
    # When the money covers every minimum in every month, minimums are hard rows.
    minimums = [0.0] * months
    for debt in debts:
        if debt.minimum is not None:
            before = debt.opening
            for t in range(months):
                owed = before if t == 0 else debt.growth[t] * before
                minimums[t] += owed - debt.minimum[t]
                before = debt.minimum[t]
    soft = any(minimums[t] > money_of[t] + _SLACK for t in range(months))
    for debt in debts:
        source = plan_input.debts[debt.index]
        if source.overdue_debt is None:
            offset += debt.opening - _float((source.balance or ZERO) + source.fees)
        loan = debt.scheduled is not None
        for t in range(months):
            charge = debt.growth[t + 1] - 1.0
            debt.x.append(model.column(0.0, debt.upper[t]))
            # a loan's overdue charges fall on its part past due only (e), not on the
            # principal not yet due
            debt.b.append(model.column(0.0 if loan else charge, debt.upper[t]))
            if loan:
                debt.e.append(model.column(charge, debt.upper[t]))
        if debt.due_interest is not None:
            offset += sum(debt.due_interest)
        if debt.minimum is not None and soft:
            debt.a = [model.column(ARREARS_PRICE, debt.upper[t]) for t in range(months)]
    for debt in debts:
        for t in range(months):
            entries = [(debt.b[t], 1.0), (debt.x[t], 1.0)]
            if debt.scheduled is not None and debt.due_interest is not None:
                if t == 0:
                    model.row(entries, debt.opening, debt.opening)
                else:
                    entries += [(debt.b[t - 1], -1.0), (debt.e[t - 1], 1.0 - debt.growth[t])]
                    model.row(entries, debt.due_interest[t], debt.due_interest[t])
                model.row([(debt.e[t], 1.0), (debt.b[t], -1.0)], lower=-debt.scheduled[t])
            elif t == 0:
                model.row(entries, debt.opening, debt.opening)
            else:
                entries.append((debt.b[t - 1], -debt.growth[t]))
                model.row(entries, 0.0, 0.0)
            if debt.minimum is not None and debt.a is not None:
                model.row([(debt.b[t], 1.0), (debt.a[t], -1.0)], upper=debt.minimum[t] + _SLACK)
            elif debt.minimum is not None:
                model.upper[debt.b[t]] = min(model.upper[debt.b[t]], debt.minimum[t] + _SLACK)
    for t in range(months):
        model.row([(debt.x[t], 1.0) for debt in debts], upper=money_of[t])
    # risks
    if weights.overdue_month > 0:
        price = _float(weights.overdue_month)
        for debt in debts:
            if debt.all_past_due:
                debt.o = [model.column(price, binary=True) for _ in range(months)]
                for t in range(months):
                    model.row([(debt.b[t], 1.0), (debt.o[t], -debt.upper[t])],
                              upper=debt.tolerance)
                    if t:
                        model.row([(debt.o[t], 1.0), (debt.o[t - 1], -1.0)], upper=0.0)
            elif debt.a is not None:
                debt.o = [model.column(price, binary=True) for _ in range(months)]
                for t in range(months):
                    model.row([(debt.a[t], 1.0), (debt.o[t], -debt.upper[t])], upper=0.01)
    for debt in debts:
        for milestone in plan_input.debts[debt.index].milestones:
            weight = milestone.weight if milestone.weight is not None else weights.milestone
            at = month_of(plan_input.start, milestone.on)
            if weight <= 0 or not 0 <= at < months:
                continue
            if debt.o is not None:
                model.cost[debt.o[at]] += _float(weight)
                continue
            if debt.all_past_due:
                crossed = model.column(_float(weight), binary=True)
                model.row([(debt.b[at], 1.0), (crossed, -debt.upper[at])],
                          upper=debt.tolerance)
            elif debt.a is not None:
                crossed = model.column(_float(weight), binary=True)
                model.row([(debt.a[at], 1.0), (crossed, -debt.upper[at])], upper=0.01)
            else:
                continue
            debt.crossings.append((crossed, at))
    _clearing_cuts(model, debts, money_of, months)
    threshold = plan_input.card_threshold
    cards = [debt for debt in debts if debt.card is not None]
    if threshold is not None and weights.over_threshold_month > 0 and (cards or any(fixed_card)):
        price = _float(weights.over_threshold_month)
        columns = {id(debt): [model.column(0.0) for _ in range(months)] for debt in cards}
        for debt in cards:
            if debt.card is None:
                raise StateError("debt.card")
            principal = columns[id(debt)]
            model.row([(principal[0], 1.0), (debt.x[0], 1.0)], lower=debt.card)
            for t in range(1, months):
                model.row([(principal[t], 1.0), (principal[t - 1], -1.0), (debt.x[t], 1.0)],
                          lower=0.0)
        top = sum(debt.card or 0.0 for debt in cards) + max(fixed_card, default=0.0) + 1.0
        for t in range(months):
            over = model.column(price, binary=True)
            model.over.append(over)
            entries = [(columns[id(debt)][t], 1.0) for debt in cards]
            entries.append((over, -top))
            model.row(entries, upper=_float(threshold) - 0.01 - fixed_card[t])
    return model, debts, offset


def _clearing_cuts(model: _Model, debts: Sequence[_Debt], money: Sequence[float],  # float-ok
                   months: int) -> None:
    """Valid rows that tighten the overdue binaries: a debt repaid by month ``t`` has been
    paid at least what it owed at the start, and those amounts fit in the money so far."""
    timed = [debt for debt in debts if debt.all_past_due and debt.o is not None]
    if not timed:
        return
    so_far = 0.0
    for t in range(months):
        so_far += money[t]
        for debt in timed:
            if debt.o is None:
                raise StateError("debt.o")
            need = max(0.0, debt.opening - debt.tolerance)
            entries = [(debt.x[tau], 1.0) for tau in range(t + 1)]
            entries.append((debt.o[t], need))
            model.row(entries, lower=need)
        total = sum(max(0.0, debt.opening - debt.tolerance) for debt in timed)
        entries = []
        for debt in timed:
            if debt.o is None:
                raise StateError("debt.o")
            entries.append((debt.o[t], max(0.0, debt.opening - debt.tolerance)))
        model.row(entries, lower=total - so_far)


def _solve(plan_input: PlanInput, months: int, limit: WorkLimit,
           time_limit: float | None,  # float-ok: seconds
           start: Plan | None = None) -> _Solution:
    model, debts, offset = _build(plan_input, months)
    binaries = sum(model.integer)
    free = [debt.index for debt in debts]
    empty = [[0] * len(plan_input.debts) for _ in range(months)]
    no_clears = [[False] * len(plan_input.debts) for _ in range(months)]
    if not debts:
        return _Solution("not_needed", empty, no_clears, free, None, None, None, 0, 0, 0.0)
    # Imported here: numpy and HiGHS take a while to load and only this strategy needs them.
    # The public ``highspy.Highs`` prints a banner when it starts its Python callbacks; the
    # engine prints nothing, so the core class is used with its output switched off.
    import numpy as np
    from highspy._core import HighsModelStatus, MatrixFormat, ObjSense, _Highs

    highs = _Highs()
    highs.setOptionValue("output_flag", False)
    # a work limit, not wall-clock time: the same plan for the same input on any machine
    highs.setOptionValue("simplex_iteration_limit", limit.iterations)
    highs.setOptionValue("mip_max_nodes", limit.nodes)
    if time_limit is not None:  # only when a caller asks for one explicitly
        highs.setOptionValue("time_limit", float(time_limit))  # float-ok: seconds
    highs.setOptionValue("mip_rel_gap", MIP_GAP)
    highs.setOptionValue("random_seed", 0)
    highs.passModel(
        len(model.cost), len(model.row_lower), len(model.index),
        int(MatrixFormat.kRowwise.value), int(ObjSense.kMinimize.value), offset,
        np.array(model.cost), np.array(model.lower), np.array(model.upper),
        np.array(model.row_lower), np.array(model.row_upper),
        np.array(model.starts[:-1], dtype=np.int32), np.array(model.index, dtype=np.int32),
        np.array(model.value), np.array(model.integer, dtype=np.int32),
    )
    if binaries and start is not None:
        columns, values = _start_values(plan_input, model, debts, start)
        highs.setSolution(len(columns), np.array(columns, dtype=np.int32), np.array(values))
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    seconds = highs.getRunTime()
    has_solution = info.primal_solution_status == 2
    stopped = {HighsModelStatus.kTimeLimit: "time_limit",
               HighsModelStatus.kIterationLimit: "work_limit",
               HighsModelStatus.kSolutionLimit: "work_limit",
               HighsModelStatus.kInterrupt: "time_limit"}
    if status == HighsModelStatus.kOptimal:
        label = "optimal"
    elif has_solution and status in stopped:
        label = stopped[status]
    else:
        # stopped before any plan: "failed", and the limit is named in a note
        failed = "failed_" + stopped[status] if status in stopped else "failed"
        return _Solution(failed, empty, no_clears, free, None, None, None, len(model.cost),
                         binaries, seconds)
    solved = np.asarray(highs.getSolution().col_value)
    targets = [[0] * len(plan_input.debts) for _ in range(months)]
    clears = [[False] * len(plan_input.debts) for _ in range(months)]
    for debt in debts:
        index = debt.index
        # each value to 2 places (half-even on the float), read as fen: the digits
        for t, fen in enumerate(int(f"{max(value, 0.0):.2f}".replace(".", ""))  # float-ok
                                for value in solved[debt.x].tolist()):
            targets[t][index] = fen
        for t, value in enumerate(solved[debt.b].tolist()):
            clears[t][index] = value < _CLEARED
    objective = info.objective_function_value
    if binaries:
        bound = info.mip_dual_bound
        gap = info.mip_gap if label != "optimal" or info.mip_gap < _INF else 0.0
    else:
        bound, gap = objective, 0.0
    return _Solution(label, targets, clears, free, _money_or_none(objective),
                     _money_or_none(bound), D(f"{max(gap, 0.0):.4f}"),  # float-ok
                     len(model.cost), binaries, seconds)


def _start_values(plan_input: PlanInput, model: _Model, debts: Sequence[_Debt], plan: Plan
                  ) -> tuple[list[int], list[float]]:  # float-ok
    """The binaries of a rule-based plan, as a starting point for the search."""
    columns: list[int] = []
    values: list[float] = []  # float-ok

    def overdue(index: int, month: int) -> float:  # float-ok
        if month >= len(plan.months):
            return 0.0
        return 1.0 if plan.months[month].debts[index].overdue else 0.0

    for debt in debts:
        for t, column in enumerate(debt.o or ()):
            columns.append(column)
            values.append(overdue(debt.index, t))
        for column, at in debt.crossings:
            columns.append(column)
            values.append(overdue(debt.index, at))
    threshold = plan_input.card_threshold
    for t, column in enumerate(model.over):
        over = (threshold is not None and t < len(plan.months)
                and plan.months[t].card_principal >= threshold)
        columns.append(column)
        values.append(1.0 if over else 0.0)
    return columns, values


def _money_or_none(value: float) -> Decimal | None:  # float-ok
    if not math.isfinite(value) or abs(value) >= _INF:
        return None
    return D(f"{value:.2f}")  # float-ok


class _Targets:
    """Re-simulates the model's payments with the exact engine."""

    def __init__(self, solution: _Solution, threshold: bool, token: Decimal | None) -> None:
        self.solution = solution
        self.threshold = threshold
        self.token = token

    def __call__(self, month: int, ledgers: Sequence[Ledger], budget: Decimal) -> list[Decimal]:
        avalanche = avalanche_order(ledgers)
        solution = self.solution
        if month >= len(solution.targets):
            order = sorted(avalanche, key=lambda i: not ledgers[i].under_arrangement)
            pay, left = pay_required(ledgers, budget, order)
            left = pay_tokens(pay, left, ledgers, self.token)
            pay_in_order(pay, left, ledgers, avalanche)
            return pay
        target = [Decimal(fen).scaleb(-2) for fen in solution.targets[month]]
        clear = solution.clears[month]
        order = sorted(range(len(ledgers)), key=lambda i: (
            ledgers[i].prepayable, -target[i], avalanche.index(i)))
        pay, left = pay_required(ledgers, budget, order)
        left = pay_tokens(pay, left, ledgers, self.token)
        clearing = [i for i in avalanche if clear[i] and ledgers[i].prepayable]
        left = pay_in_order(pay, left, ledgers, clearing)
        limit = [max(pay[i], target[i]) for i in range(len(ledgers))]
        cards = [i for i in avalanche if ledgers[i].card is not None] if self.threshold else []
        left = pay_in_order(pay, left, ledgers, cards + avalanche, limit)
        pay_in_order(pay, left, ledgers, avalanche)
        return pay


def optimal_plan(plan_input: PlanInput, heuristics: Mapping[Strategy, Plan], *,
                 limit: WorkLimit = DEFAULT_WORK_LIMIT,
                 time_limit: float | None = None) -> Plan:  # float-ok: seconds
    """The optimal plan, checked against the rule-based ``heuristics`` (same input).

    The model looks one month beyond the slowest rule-based plan (within the horizon). The
    solver stops at ``limit`` (work, not time: deterministic); ``time_limit`` adds a
    wall-clock limit only when a caller asks for one. With at most
    :data:`ORDER_SEARCH_MAX` debts free to be paid down, every fixed order is simulated
    exactly too, so no order beats the plan returned; with more, orders are improved by
    moves for at most :data:`ORDER_MOVES_MAX` simulations and :data:`ORDER_MOVES_WORK`
    debt-months of them (no guarantee then).
    """
    slowest = max((plan.totals.months for plan in heuristics.values()), default=0)
    months = max(1, min(plan_input.horizon_months, slowest + _LOOK_BEYOND))
    ranked = sorted(heuristics.values(), key=lambda plan: plan.totals.objective)
    solution = _solve(plan_input, months, limit, time_limit, ranked[0] if ranked else None)
    candidates: list[tuple[Strategy, Plan]] = []
    model = "milp" if solution.binaries else "lp"
    if solution.status in ("optimal", "time_limit", "work_limit"):
        from xieshang.engine.strategy._fast import fast_run

        run = fast_run(plan_input, Strategy.OPTIMAL, solution.targets, solution.clears)
        if run is None:
            run = simulate(plan_input, _Targets(solution, plan_input.card_threshold is not None,
                                               plan_input.token))
        candidates.append((Strategy.OPTIMAL, assemble(plan_input, Strategy.OPTIMAL, run)))
    candidates.extend(heuristics.items())
    orders = _order_plans(plan_input)
    candidates.extend((Strategy.CUSTOM, plan) for plan in orders)
    source, best = min(candidates, key=lambda item: item[1].totals.objective)
    notes = list(best.notes)
    limit_hit = solution.status in ("time_limit", "work_limit", "failed_time_limit",
                                    "failed_work_limit")
    if solution.status == "time_limit" and solution.gap is not None:
        notes.append(Note(NOTE_TIME_LIMIT, {"gap": f"{solution.gap * 100:.2f} %"}))
    elif solution.status == "work_limit" and solution.gap is not None:
        notes.append(Note(NOTE_WORK_LIMIT, {"limit": limit.describe(),
                                            "gap": f"{solution.gap * 100:.2f} %"}))
    elif solution.status == "failed_work_limit":
        notes.append(Note(NOTE_NO_MODEL_PLAN, {"limit": limit.describe()}))
    if source is Strategy.CUSTOM:
        notes.append(Note(NOTE_ORDER, {"order": " → ".join(
            _label(plan_input, key) for key in best.input.order)}))
    elif source is not Strategy.OPTIMAL and solution.status != "not_needed":
        notes.append(Note(NOTE_HEURISTIC, {"strategy": source.value}))
    status = "failed" if solution.status.startswith("failed") else solution.status
    report = SolverReport(status=status, model=model, source=source, gap=solution.gap,
                          model_objective=solution.objective, bound=solution.bound,
                          variables=solution.variables, binaries=solution.binaries,
                          seconds=solution.seconds, limit_hit=limit_hit,
                          orders_searched=len(orders))
    return replace(best, strategy=Strategy.OPTIMAL, input=plan_input, notes=tuple(notes),
                   solver=report)


def _label(plan_input: PlanInput, key: str) -> str:
    debt = next(debt for debt in plan_input.debts if debt.key == key)
    return debt.label or debt.key


def _order_plans(plan_input: PlanInput) -> list[Plan]:
    """Every fixed order of the debts free to be paid down, simulated exactly (small cases)."""
    from itertools import permutations

    from xieshang.engine.strategy._simulate import run_strategy

    free = [debt.key for debt in plan_input.debts
            if debt.arrangement is None and (debt.balance is not None
                                             or debt.overdue_debt is not None)]
    if len(free) < 2:
        return []
    if len(free) > ORDER_SEARCH_MAX:
        return _order_moves(plan_input, free)
    plans = []
    for order in permutations(free):
        ordered = replace(plan_input, order=order)
        plans.append(assemble(ordered, Strategy.CUSTOM, run_strategy(ordered, Strategy.CUSTOM)))
    return plans


def _size(debt: PlanDebt) -> Decimal:
    """What a debt owes at the start, for smallest first."""
    if debt.overdue_debt is not None:
        return debt.overdue_debt.principal + debt.overdue_debt.not_yet_due_principal
    return (debt.balance or ZERO) + debt.fees


def _order_moves(plan_input: PlanInput, free: Sequence[str]) -> list[Plan]:
    """Fixed orders of many debts, improved by moves (every order cannot be tried: 6 debts
    have 720): from the cheaper of highest cost first and smallest first, a debt is moved to
    another place whenever that lowers the exact objective, until no move does or
    :data:`ORDER_MOVES_MAX` orders, or :data:`ORDER_MOVES_WORK` debt-months, have been
    simulated (the two starting orders always are). Every order simulated is returned."""
    from xieshang.engine.strategy._simulate import run_strategy

    plans: list[Plan] = []

    def run(order: tuple[str, ...]) -> Plan:
        ordered = replace(plan_input, order=order)
        plan = assemble(ordered, Strategy.CUSTOM, run_strategy(ordered, Strategy.CUSTOM))
        plans.append(plan)
        return plan

    debts = {debt.key: debt for debt in plan_input.debts}
    by_cost = tuple(sorted(free, key=lambda key: -cost_rate(debts[key])))
    by_size = tuple(sorted(free, key=lambda key: _size(debts[key])))
    seeds = [run(by_cost)]
    if by_size != by_cost:
        seeds.append(run(by_size))
    best = min(seeds, key=lambda plan: plan.totals.objective)
    order = best.input.order
    allowed = min(ORDER_MOVES_MAX, ORDER_MOVES_WORK // (len(free) * max(1, best.totals.months)))
    improved = True
    while improved and len(plans) < allowed:
        improved = False
        for source in range(len(order)):
            for target in range(len(order)):
                if target == source or len(plans) >= allowed:
                    continue
                moved = list(order)
                moved.insert(target, moved.pop(source))
                plan = run(tuple(moved))
                if plan.totals.objective < best.totals.objective:
                    best, order, improved = plan, plan.input.order, True
                    break
            if improved:
                break
    return plans
