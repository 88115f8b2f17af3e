"""The simulator every strategy runs on, the rule-based strategies, and the plan's results."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from xieshang.engine.budget import pro_rata
from xieshang.engine.errors import N_, InputError, StateError
from xieshang.engine.money import CENT, ZERO
from xieshang.engine.strategy._ledger import Calendar, Ledger, month_of
from xieshang.engine.strategy._model import (
    Action,
    ActionKind,
    DebtResult,
    Month,
    Note,
    Plan,
    PlanInput,
    SolverReport,
    Strategy,
    Totals,
)

__all__ = [
    "NOTE_GROWS",
    "NOTE_HORIZON",
    "NOTE_SHORTFALL",
    "Policy",
    "Run",
    "assemble",
    "avalanche_order",
    "heuristic_policy",
    "pay_in_order",
    "pay_required",
    "run_strategy",
    "simulate",
    "this_month",
]

NOTE_HORIZON: Final = N_("Not everything is repaid within {months} months: {amount} is still "
                         "owed at the end.")
NOTE_SHORTFALL: Final = N_("In {count} of the months the money does not cover what is due; "
                           "those months show what goes unpaid.")
NOTE_GROWS: Final = N_("The minimum payment of {debt} does not cover its charges: while only "
                       "the minimum is paid, the balance grows.")

#: Intermediate arithmetic: far more digits than any amount needs.
CONTEXT: Final = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)

#: ``policy(month, ledgers, budget)`` → the payment to each ledger (≤ its room, Σ ≤ budget).
Policy = Callable[[int, Sequence[Ledger], Decimal], list[Decimal]]


@dataclass(frozen=True, slots=True)
class Sums:
    """One debt's sums over the months of a run, as :func:`assemble` adds them up from the
    rows (kept along the way by the fast path, :mod:`._fast`)."""

    paid: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    adjustment: Decimal
    months_overdue: int
    newly_unpaid: Decimal


@dataclass(frozen=True, slots=True)
class Run:
    """A finished simulation.

    Attributes:
        months: each month simulated.
        ledgers: the debts' final state.
        finished: everything was repaid before the horizon.
        sums: each debt's sums over the months, when the simulator kept them (else
            :func:`assemble` adds up the rows).
        short_months: the months whose money does not cover what is required, with
            ``sums``.
    """

    months: tuple[Month, ...]
    ledgers: tuple[Ledger, ...]
    finished: bool
    sums: tuple[Sums, ...] | None = None
    short_months: int = 0


def simulate(plan_input: PlanInput, policy: Policy, *,
             fixed: Mapping[int, Sequence[tuple[int, date, Decimal]]] | None = None,
             months: int | None = None) -> Run:
    """Walk every debt month by month, paying what ``policy`` says.

    ``fixed`` replaces the policy for the months it names with payments actually made
    (ledger index, date, amount); ``months`` stops early (for the re-cast).
    """
    dates = Calendar(plan_input.start)
    ledgers = tuple(Ledger(debt, index, dates) for index, debt in enumerate(plan_input.debts))
    horizon = plan_input.horizon_months if months is None else months
    result: list[Month] = []
    finished = False
    threshold_card = any(debt.card_principal is not None for debt in plan_input.debts)
    with decimal.localcontext(CONTEXT):
        done = [False] * len(ledgers)
        for month in range(horizon):
            idle = {index: ledger.idle(month) for index, ledger in enumerate(ledgers)
                    if done[index]}
            for index, ledger in enumerate(ledgers):
                if not done[index]:
                    ledger.open(month)
            budget = plan_input.budget_of(month)
            if fixed is not None and month in fixed:
                for index, on, amount in fixed[month]:
                    ledgers[index].pay(amount, on)
            elif month in plan_input.earmarked:
                for ledger, amount in zip(ledgers, _earmarked(
                        policy, month, ledgers, budget, plan_input.earmarked[month]),
                        strict=True):
                    ledger.pay(amount)
            else:
                for ledger, amount in zip(ledgers, policy(month, ledgers, budget), strict=True):
                    ledger.pay(amount)
            rows = tuple(idle[index] if done[index] else ledger.close()
                         for index, ledger in enumerate(ledgers))
            for index, ledger in enumerate(ledgers):
                done[index] = done[index] or ledger.finished()
            paid = sum((row.paid for row in rows), ZERO)
            card = sum((ledger.card or ZERO for ledger in ledgers), ZERO) if threshold_card \
                else ZERO
            result.append(Month(index=month, pay_date=dates[month], budget=budget, paid=paid,
                                unspent=max(ZERO, budget - paid), card_principal=card,
                                debts=rows))
            if all(done):
                finished = True
                break
    return Run(tuple(result), ledgers, finished)


def _earmarked(policy: Policy, month: int, ledgers: Sequence[Ledger], budget: Decimal,
               parts: Mapping[str, Decimal]) -> list[Decimal]:
    """A month with money that goes to one debt whatever the strategy: the strategy splits
    the rest of the budget, then each earmarked debt gets its part on top, up to what it
    owes; a part it cannot take goes by the strategy's cost order (avalanche)."""
    marked: list[Decimal] = []
    room = budget
    for ledger in ledgers:
        part = min(parts.get(ledger.debt.key, ZERO), room) if ledger.prepayable else ZERO
        marked.append(part)
        room -= part
    pay = list(policy(month, ledgers, room))
    left = ZERO
    for index, ledger in enumerate(ledgers):
        taken = min(marked[index], max(ZERO, ledger.owed - pay[index]))
        pay[index] += taken
        left += marked[index] - taken
    if left > 0:
        pay_in_order(pay, left, ledgers, avalanche_order(ledgers))
    return pay


# --------------------------------------------------------------------------- allocating


def pay_required(ledgers: Sequence[Ledger], budget: Decimal,
                 order: Sequence[int] | None) -> tuple[list[Decimal], Decimal]:
    """Pay what each debt requires; with less money, in ``order`` (``None``: pro rata).

    Returns the payments and the money left.
    """
    required = [ledger.required for ledger in ledgers]
    total = sum(required, ZERO)
    if budget >= total:
        return required, budget - total
    if order is None:
        return split(budget, required), ZERO
    pay = [ZERO] * len(ledgers)
    left = budget
    for index in order:
        taken = min(left, required[index])
        pay[index] = taken
        left -= taken
    return pay, ZERO


def pay_in_order(pay: list[Decimal], left: Decimal, ledgers: Sequence[Ledger],
                 order: Sequence[int], limit: Sequence[Decimal] | None = None) -> Decimal:
    """Add to ``pay`` in ``order`` up to each debt's room (and ``limit``); money left."""
    for index in order:
        if left <= 0:
            break
        ledger = ledgers[index]
        if not ledger.prepayable:
            continue
        room = ledger.owed - pay[index]
        if limit is not None:
            room = min(room, limit[index] - pay[index])
        taken = min(left, room)
        if taken > 0:
            pay[index] += taken
            left -= taken
    return left


def pay_tokens(pay: list[Decimal], left: Decimal, ledgers: Sequence[Ledger],
               token: Decimal | None) -> Decimal:
    """Bring every debt still owed something up to a token payment this month (the amount
    from the budget norms' token rule), in input order while money lasts; money left."""
    if token is None or token <= 0:
        return left
    for index, ledger in enumerate(ledgers):
        if left <= 0:
            break
        if not ledger.prepayable or pay[index] >= token:
            continue
        taken = min(left, token - pay[index], ledger.owed - pay[index])
        if taken > 0:
            pay[index] += taken
            left -= taken
    return left


def split(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` in proportion to ``weights``, to the fen, adding up exactly.

    Each share is rounded down and the fens left go to the largest remainders (then the
    first debts). With ``total ≤ Σ weights`` no share exceeds its weight.
    """
    whole = sum(weights, ZERO)
    if whole <= 0 or total <= 0:
        return [ZERO] * len(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [value.quantize(CENT, rounding=decimal.ROUND_DOWN) for value in exact]
    fens = int((total - sum(shares, ZERO)) / CENT)
    ranked = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for index in ranked[:fens]:
        shares[index] += CENT
    return shares


def avalanche_order(ledgers: Sequence[Ledger]) -> list[int]:
    """Highest cost first (ties: input order)."""
    return sorted(range(len(ledgers)), key=lambda i: (-ledgers[i].rate, i))


def _obligations_first(ledgers: Sequence[Ledger], order: Sequence[int]) -> list[int]:
    """``order`` with the debts under an arrangement moved to the front."""
    return sorted(order, key=lambda i: not ledgers[i].under_arrangement)


class _Ordered:
    """Avalanche, snowball and custom: one fixed order for minimums and extra money."""

    def __init__(self, strategy: Strategy, plan_input: PlanInput) -> None:
        self.strategy = strategy
        self.plan_input = plan_input
        self.order: list[int] | None = None

    def _order(self, ledgers: Sequence[Ledger]) -> list[int]:
        avalanche = avalanche_order(ledgers)
        if self.strategy is Strategy.SNOWBALL:  # what each owed at the start
            return sorted(range(len(ledgers)), key=lambda i: (
                ledgers[i].principal + ledgers[i].charges_before, i))
        if self.strategy is Strategy.CUSTOM:
            keys = [ledger.debt.key for ledger in ledgers]
            first = [keys.index(key) for key in self.plan_input.order]
            return first + [i for i in avalanche if i not in first]
        return avalanche

    def __call__(self, month: int, ledgers: Sequence[Ledger], budget: Decimal) -> list[Decimal]:
        if self.order is None:
            self.order = self._order(ledgers)
        pay, left = pay_required(ledgers, budget, _obligations_first(ledgers, self.order))
        left = pay_tokens(pay, left, ledgers, self.plan_input.token)
        pay_in_order(pay, left, ledgers, self.order)
        return pay


def _pro_rata(month: int, ledgers: Sequence[Ledger], budget: Decimal) -> list[Decimal]:
    """Each debt's fair share of the month's money, but never less than its terms require.

    The fair share is the budget's own split (:func:`xieshang.engine.budget.pro_rata`: in
    proportion to what is owed before this month's interest, Webster rounding), so while
    every debt's required payment fits within its share the plan pays exactly the shares
    the budget shows. A debt under an arrangement takes only its agreed payments, set aside
    first; the others share the rest. A debt whose terms require more than its share (a
    card's minimum payment) is paid what they require first; the other debts are then
    brought up towards their shares with what is left; money beyond every share goes in
    proportion to what is still owed.
    """
    pay, left = pay_required(ledgers, budget, None)
    rooms = [ledger.owed - pay[i] if ledger.prepayable else ZERO
             for i, ledger in enumerate(ledgers)]
    if left >= sum(rooms, ZERO):
        return [pay[i] + rooms[i] for i in range(len(ledgers))]
    open_ = [i for i, ledger in enumerate(ledgers) if ledger.prepayable]
    fixed = sum((pay[i] for i in range(len(ledgers)) if i not in open_), ZERO)
    parts = pro_rata(max(ZERO, budget - fixed),
                     [ledgers[i].owed - ledgers[i].interest for i in open_])
    fair = [ZERO] * len(ledgers)
    for index, part in zip(open_, parts, strict=True):
        fair[index] = part
    wants = [min(rooms[i], max(ZERO, fair[i] - pay[i])) for i in range(len(ledgers))]
    wanted = sum(wants, ZERO)
    if left <= wanted:
        extra = wants if left == wanted else split(left, wants)
    else:
        more = split(left - wanted, [rooms[i] - wants[i] for i in range(len(ledgers))])
        extra = [wants[i] + more[i] for i in range(len(ledgers))]
    return [pay[i] + extra[i] for i in range(len(ledgers))]


class _RiskFirst:
    """Stop what is about to be escalated first.

    Required payments (arrangement payments first, then debts whose next milestone is
    soonest, then the smallest); then each credit card whose own principal is at or above
    the threshold brought just below it, one card after another (highest cost first); then
    overdue debts whose next milestone can still be avoided, soonest first, then the
    smallest; then the other overdue debts, smallest first (clearing a small overdue
    amount ends its reporting); the rest by cost.
    """

    def __init__(self, plan_input: PlanInput) -> None:
        self.plan_input = plan_input
        self.start = plan_input.start

    def _next_milestone(self, ledger: Ledger) -> date | None:
        ahead = [m.on for m in ledger.debt.milestones if m.on >= ledger.day]
        return min(ahead) if ahead else None

    def __call__(self, month: int, ledgers: Sequence[Ledger], budget: Decimal) -> list[Decimal]:
        far = date.max
        nexts = [self._next_milestone(ledger) for ledger in ledgers]
        order = sorted(range(len(ledgers)), key=lambda i: (
            not ledgers[i].under_arrangement, nexts[i] or far, ledgers[i].required, i))
        pay, left = pay_required(ledgers, budget, order)
        avalanche = avalanche_order(ledgers)
        left = pay_tokens(pay, left, ledgers, self.plan_input.token)
        threshold = self.plan_input.card_threshold
        if threshold is not None and left > 0:
            # each card in turn, only down to just below the threshold: once one card's
            # principal is below it, the money goes to the next card above it
            for i in avalanche:
                card = ledgers[i].card
                if card is None or left <= 0:
                    continue
                excess = max(ZERO, card - pay[i]) - threshold + CENT
                if excess <= 0:
                    continue
                give = min(left, excess)
                rest = pay_in_order(pay, give, ledgers, [i])
                left = left - give + rest
        overdue = [i for i in range(len(ledgers))
                   if ledgers[i].all_past_due and ledgers[i].prepayable]
        timed = [i for i in overdue if nexts[i] is not None]

        def avoidable(index: int) -> bool:
            on = nexts[index]
            if on is None:
                raise StateError("on")
            months = month_of(self.start, on) - month + 1
            return ledgers[index].owed - pay[index] <= left * months

        timed.sort(key=lambda i: (not avoidable(i), nexts[i] or far,
                                  ledgers[i].owed - pay[i], i))
        others = sorted((i for i in overdue if nexts[i] is None),
                        key=lambda i: (ledgers[i].owed - pay[i], i))
        left = pay_in_order(pay, left, ledgers, timed + others)
        pay_in_order(pay, left, ledgers, avalanche)
        return pay


def run_strategy(plan_input: PlanInput, strategy: Strategy) -> Run:
    """The simulation of a rule-based strategy: an integer fast path when one covers the
    input (:mod:`._fast`, :mod:`._fast_pro_rata`), else :func:`simulate` (the reference)."""
    from xieshang.engine.strategy._fast import fast_run
    from xieshang.engine.strategy._fast_pro_rata import fast_pro_rata_run

    run: Run | None = None
    if plan_input.earmarked:
        pass
    elif strategy is Strategy.PRO_RATA:
        run = fast_pro_rata_run(plan_input)
        if run is None:
            run = fast_run(plan_input, strategy)
    else:
        run = fast_run(plan_input, strategy)
    if run is None:
        run = simulate(plan_input, heuristic_policy(strategy, plan_input))
    return run


def heuristic_policy(strategy: Strategy, plan_input: PlanInput) -> Policy:
    """The policy of a rule-based strategy."""
    if strategy is Strategy.PRO_RATA:
        return _pro_rata
    if strategy is Strategy.RISK_FIRST:
        return _RiskFirst(plan_input)
    if strategy is Strategy.CUSTOM and not plan_input.order:
        raise InputError("order", N_("give the order of the debts for the custom strategy"))
    if strategy not in (Strategy.AVALANCHE, Strategy.SNOWBALL, Strategy.CUSTOM):
        raise InputError("strategy", N_("'{value}' is not a rule-based strategy"),
                         value=str(strategy))
    return _Ordered(strategy, plan_input)


# ------------------------------------------------------------------------------ results


def assemble(plan_input: PlanInput, strategy: Strategy, run: Run, *,
             notes: Sequence[Note] = (), solver: SolverReport | None = None) -> Plan:
    """The plan's per-debt results, totals, objective and notes from a simulation."""
    weights = plan_input.weights
    months = run.months
    debts = []
    crossed_weight = ZERO
    unpaid_required = ZERO
    with decimal.localcontext(CONTEXT):
        for index, (debt, ledger) in enumerate(zip(plan_input.debts, run.ledgers, strict=True)):
            count = len(months)
            payoff = None
            if ledger.finished():
                payoff = count
                while payoff > 0 and months[payoff - 1].debts[index].balance <= 0:
                    payoff -= 1
            crossed = []
            for milestone in debt.milestones:
                at = month_of(plan_input.start, milestone.on)
                if 0 <= at < count and months[at].debts[index].overdue:
                    crossed.append(milestone.id)
                    crossed_weight += (milestone.weight if milestone.weight is not None
                                       else weights.milestone)
            if run.sums is not None:
                sums = run.sums[index]
            else:
                rows = [month.debts[index] for month in months]
                sums = Sums(sum((r.paid for r in rows), ZERO),
                            sum((r.interest for r in rows), ZERO),
                            sum((r.penalty for r in rows), ZERO),
                            sum((r.fees for r in rows), ZERO),
                            sum((r.adjustment for r in rows), ZERO),
                            sum(1 for r in rows if r.overdue),
                            sum((r.newly_unpaid for r in rows), ZERO))
            unpaid_required += sums.newly_unpaid
            debts.append(DebtResult(
                key=debt.key, label=debt.label, principal=ledger.principal,
                charges_before=ledger.charges_before,
                paid=sums.paid, interest=sums.interest, penalty=sums.penalty,
                fees=sums.fees, adjustment=sums.adjustment,
                balance_end=months[-1].debts[index].balance if months else ZERO,
                payoff_month=payoff,
                payoff_date=None if payoff is None else months[payoff].pay_date,
                months_overdue=sums.months_overdue,
                milestones_crossed=tuple(crossed),
            ))
        threshold = plan_input.card_threshold
        over = 0 if threshold is None else sum(1 for m in months if m.card_principal >= threshold)
        months_overdue = sum(d.months_overdue for d in debts)
        interest = sum((d.interest for d in debts), ZERO)
        penalty = sum((d.penalty for d in debts), ZERO)
        fees = sum((d.fees for d in debts), ZERO)
        adjustment = sum((d.adjustment for d in debts), ZERO)
        cost = interest + penalty + fees + adjustment
        objective = (cost + weights.overdue_month * months_overdue + crossed_weight
                     + weights.over_threshold_month * over)
        unpaid_end = sum((d.balance_end for d in debts), ZERO)
        totals = Totals(
            paid=sum((d.paid for d in debts), ZERO),
            principal=sum((d.principal for d in debts), ZERO),
            charges_before=sum((d.charges_before for d in debts), ZERO),
            interest=interest, penalty=penalty, fees=fees, adjustment=adjustment,
            unpaid_end=unpaid_end, months=len(months),
            payoff_date=months[-1].pay_date if run.finished and months else None,
            months_overdue=months_overdue,
            milestones_crossed=sum(len(d.milestones_crossed) for d in debts),
            months_over_threshold=over,
            unpaid_required=unpaid_required,
            objective=objective,
        )
    found: list[Note] = []
    if not run.finished:
        found.append(Note(NOTE_HORIZON, {"months": str(len(months)),
                                         "amount": str(unpaid_end)}))
    short = run.short_months if run.sums is not None else sum(
        1 for m in months if m.unpaid > 0)
    if short:
        found.append(Note(NOTE_SHORTFALL, {"count": str(short)}))
    for ledger in run.ledgers:
        if ledger.grows:
            found.append(Note(NOTE_GROWS, {"debt": ledger.debt.label or ledger.debt.key}))
    return Plan(strategy=strategy, input=plan_input, months=months, debts=tuple(debts),
                totals=totals, notes=tuple(found) + tuple(notes), solver=solver)


def this_month(plan: Plan) -> tuple[Action, ...]:
    """What to pay to whom in the plan's first month, and by when (earliest first)."""
    if not plan.months:
        return ()
    month = plan.months[0]
    actions = []
    for debt, row in zip(plan.input.debts, month.debts, strict=True):
        if row.paid <= 0 and row.required <= 0:
            continue
        arranged = debt.arrangement is not None and debt.arrangement_from_month == 0
        if arranged and row.unpaid == 0:
            if debt.arrangement is None:
                raise StateError("debt.arrangement")
            # each agreed payment of the month by its own date (a missed one: today)
            due = [p for p in debt.arrangement.payments if month_of(plan.input.start, p.on) <= 0]
            if len(due) > 1 and sum((p.amount for p in due), ZERO) == row.paid:
                actions += [Action(key=debt.key, label=debt.label, amount=p.amount,
                                   by=max(p.on, plan.input.start), required=p.amount,
                                   unpaid=ZERO, kind=ActionKind.ARRANGEMENT) for p in due]
                continue
        if arranged:
            kind = ActionKind.ARRANGEMENT
        elif row.paid <= 0:
            kind = ActionKind.UNPAID
        elif row.balance <= 0:
            kind = ActionKind.CLEAR
        elif row.paid > row.required:
            kind = ActionKind.EXTRA
        else:
            kind = ActionKind.MINIMUM
        actions.append(Action(key=debt.key, label=debt.label, amount=row.paid, by=row.due_by,
                              required=row.required, unpaid=row.unpaid, kind=kind))
    actions.sort(key=lambda a: (a.by, -a.amount))
    return tuple(actions)

