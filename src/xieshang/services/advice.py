"""One overall recommendation for a case: which debt first, what to ask each lender for and
when, each with its reasons — all from the figures the other pages show (the bill of
:func:`~xieshang.present.views.status_lines`, the ladder of
:func:`~xieshang.services.negotiation.debt_inputs`). Language-free: msgids and values the
fronts translate (the debts' names and milestone titles come from the front's status lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xieshang.engine.errors import N_, XieshangError

if TYPE_CHECKING:
    from xieshang.store.db import Tx
    from xieshang.store.model import Case

__all__ = ["Ask", "Recommendation", "recommend"]


@dataclass(frozen=True)
class Ask:
    """What to ask one lender for.

    Attributes:
        debt: the debt's id.
        name: its name.
        rung: the first rung of its ladder (the engine's ``Rung``), or None without a budget.
        when: the day to ask by (today for an overdue debt; else its next milestone).
        reasons: (msgid, values) pairs saying why, most important first.
        starts: the day of the first payment of the plan asked for (None: no plan yet).
    """

    debt: int
    name: str
    rung: Any
    when: date
    reasons: tuple[tuple[str, dict[str, Any]], ...] = field(default=())
    starts: date | None = None


@dataclass(frozen=True)
class Recommendation:
    """The case's recommendation.

    Attributes:
        first: the debt to deal with first (the first of ``asks``).
        asks: one per open debt with something owed, in the order to contact them.
        affordable: what the budget leaves for all unsecured debts each month (None: no
            budget yet).
        needs_budget: the ladders need the budget first.
        starts: when this month leaves nothing for the debts but a later month does (income
            that starts on a date): the first day with money (None otherwise).
        later: what the budget leaves for the debts from ``starts`` on.
    """

    asks: tuple[Ask, ...]
    affordable: Decimal | None
    needs_budget: bool
    starts: date | None = None
    later: Decimal | None = None

    @property
    def first(self) -> Ask | None:
        return self.asks[0] if self.asks else None


def recommend(tx: Tx, case: Case, today: date,
              lines: list[dict[str, Any]], *, limit: int | None = None) -> Recommendation:
    """The recommendation for ``case`` on ``today``.

    Order: overdue debts before the others; among them the one whose each further day costs
    most, then the earliest next milestone (a report to the credit record, a transfer to
    collection) — so the first call stops the fastest-growing cost.

    ``lines``: the case's status lines as the front shows them
    (:func:`xieshang.present.views.status_lines`: each debt's figures, its name and its next
    milestone's title in the person's language), so the asks name them as the page does.

    ``limit``: only the first ``limit`` asks are worked out (each ask builds its debt's
    ladder; a front that loads the others on demand calls again without a limit).
    """
    from xieshang.services.budget import budget_view
    from xieshang.services.negotiation import debt_inputs

    lines = [line for line in lines if line["total"] > 0]
    view = budget_view(tx, case, "pro_rata", as_of=today)

    def milestone(line: dict[str, Any]) -> date:
        event = line["next"]
        return event["on"] if event is not None and event["on"] is not None else date.max

    lines.sort(key=lambda line: (not line["overdue"], -line["daily_cost"], milestone(line)))
    if limit is not None:
        del lines[limit:]
    starts_on, later = (None, None) if view is None else _money_starts(tx, case, today)
    nothing_now = starts_on is not None
    asks = []
    for line in lines:
        rung = None
        starts = None
        reasons: list[tuple[str, dict[str, Any]]] = []
        if line["overdue"]:
            reasons.append((N_("{days} days overdue: each further day adds {daily}."),
                            {"days": line["days_overdue"], "daily": line["daily_cost"]}))
        event = line["next"]
        if event is not None and event["on"] is not None:
            reasons.append((N_("Next on {date}: {title}."),
                            {"date": event["on"], "title": event["title"]}))
        if view is not None:
            try:
                inputs = debt_inputs(tx, str(case.id), str(line["id"]), today=today)
            except XieshangError:
                inputs = None
            if inputs is not None and inputs.ladder.rungs:
                rung = inputs.ladder.rungs[0]
                starts = _plan_start(rung)
                if not (inputs.deferral_months or nothing_now):
                    reasons.append((N_("Your budget gives this debt {amount} a month."),
                                    {"amount": inputs.affordable}))
                else:
                    reasons.append((N_("Your budget has nothing for this debt before {date}; "
                                       "from then it gives it {amount} a month."),
                                    {"date": starts or starts_on,
                                     "amount": inputs.affordable}))
                if inputs.loan is not None and inputs.loan.regular_shift:
                    # no money before the plan starts: the regular installments move back
                    reasons.append((N_("This asks for the overdue installments only. With "
                                       "nothing to pay before the plan starts, the regular "
                                       "installment of {regular} is taken to move back "
                                       "{months} month(s) too, the next on {date}: ask the "
                                       "lender to confirm the new dates in writing."),
                                    {"regular": inputs.loan.regular,
                                     "months": inputs.loan.regular_shift,
                                     "date": inputs.loan.regular_next}))
                elif inputs.loan is not None:
                    # the ask brings the arrears current: the regular installments go on
                    reasons.append((N_("This asks for the overdue installments only: the "
                                       "regular installment of {regular} still falls due "
                                       "every month. Rescheduling the whole balance is the "
                                       "other way to ask (see its ladder)."),
                                    {"regular": inputs.loan.regular}))
        when = today if line["overdue"] else min(milestone(line), date.max)
        asks.append(Ask(debt=line["id"], name=line["name"], rung=rung,
                        when=today if when == date.max else when, reasons=tuple(reasons),
                        starts=starts))
    return Recommendation(asks=tuple(asks),
                          affordable=None if view is None else view.available,
                          needs_budget=view is None, starts=starts_on, later=later)


#: How far ahead the first month with money for the debts is looked for, in months (the
#: ladders look as far: :data:`xieshang.services.negotiation._START_WITHIN`).
_LOOK_AHEAD = 12


def _money_starts(tx: Tx, case: Case, today: date) -> tuple[date | None, Decimal | None]:
    """(the first day with money for the debts, what the budget leaves then) when this
    month has none but a later one has; (None, None) otherwise. Month ``m`` is paid on
    ``add_months(today, m)``, as the ladders' plans."""
    from xieshang.engine.schedules import add_months
    from xieshang.engine.situation import first_month_with_money
    from xieshang.services.budget import available_by_month

    months = available_by_month(tx, case, today, _LOOK_AHEAD + 1)
    if not months or months[0] > 0:
        return None, None
    first = first_month_with_money(months)
    if first is None:
        return None, None
    return add_months(today, first), months[first]


def _plan_start(rung: Any) -> date | None:
    """The due day of the plan's first payment (None: the rung has no schedule)."""
    evaluation = rung.evaluation
    if evaluation is None or not evaluation.schedule.rows:
        return None
    due: date | None = evaluation.schedule.rows[0].due
    return due
