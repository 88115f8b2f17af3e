"""One case as of one day, language-free: the single place the figures of a case come from.

:func:`case_view` gathers every open debt with its bill today, the arrangement in force and
how it is kept, what is owed and due, what one more day costs, its share of the budget and
its next milestone; the budget; the contact log, the promises and the alerts; the hardship
and its evidence; the payments made. The status lines, the "today" page and the checks in
the tests read it, so the same case shows the same figures everywhere. Nothing in it is
translated: names of events are the engine's bilingual texts, messages are msgids with
their parameters; the fronts translate and lay out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xieshang.services._memo import remembered
from xieshang.services.arrangements import accepted_arrangement
from xieshang.services.cases import preset_of
from xieshang.services.debts import balance_of, current_bill, day_bills, next_due

if TYPE_CHECKING:
    from xieshang.engine.bill import Bill
    from xieshang.engine.followup import Alert, Promise
    from xieshang.engine.preset import Preset
    from xieshang.services.arrangements import AcceptedArrangement
    from xieshang.services.budget import BudgetView
    from xieshang.store.db import Tx
    from xieshang.store.model import (
        Case,
        Contact,
        Debt,
        Evidence,
        Hardship,
        Payment,
    )

__all__ = ["CaseView", "DebtView", "Milestone", "case_view", "debt_timeline", "debt_view"]

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Milestone:
    """What comes next for a debt.

    Attributes:
        on: the day (``None`` when it cannot be dated).
        id: ``arrangement_payment`` (the next agreed payment), ``due_day`` (the next
            repayment day of a debt that is not overdue) or a timeline event id.
        title: the engine's bilingual title (``None`` for the first two: the fronts name
            them).
        amount_due: what is owed then, when known.
    """

    on: date | None
    id: str
    title: Any
    amount_due: Decimal | None


@dataclass(frozen=True)
class DebtView:
    """One open debt as of the view's day.

    Attributes:
        debt: the stored debt.
        preset: its product's rules.
        bill: what is owed by part: today's bill of an overdue debt, what is still to pay
            under an accepted arrangement, or ``None`` for a debt that is not overdue.
        engine: the engine's overdue debt (``None`` when not overdue or under an arrangement).
        arrangement: the accepted arrangement, as kept today.
        due: what is due today (an arrangement: the agreed payments due by now and unpaid;
            a debt not overdue: what was entered less the payments).
        owed: everything owed, later installments included (the budget split's basis).
        daily_cost: what one more day adds.
        days_overdue: days past the missed date (an arrangement: the first missed payment).
        share: its monthly share of what the budget leaves (``None`` without a budget).
        next: its next milestone.
    """

    debt: Debt
    preset: Preset
    bill: Bill | None
    engine: Any
    arrangement: AcceptedArrangement | None
    due: Decimal
    owed: Decimal
    daily_cost: Decimal
    days_overdue: int
    share: Decimal | None
    next: Milestone | None

    @property
    def overdue(self) -> bool:
        """Something is past due: an overdue debt, or an arrangement with a missed payment."""
        if self.arrangement is not None:
            return not self.arrangement.progress.kept
        return self.bill is not None

    @property
    def parts(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """What is due today by part: principal, interest, penalty, fees."""
        if self.arrangement is not None:
            due = self.arrangement.progress.bill(due_only=True)
            return due.principal, due.interest, due.penalty, due.fees
        if self.bill is not None:
            return self.bill.principal, self.bill.interest, self.bill.penalty, self.bill.fees
        debt = self.debt
        return debt.principal, debt.interest, debt.penalty, debt.fees


@dataclass(frozen=True)
class CaseView:
    """A case as of one day.

    Attributes:
        case: the stored case.
        as_of: the day.
        debts: its open debts (open or under an arrangement), in the case's order.
        budget: its budget (``None`` without a statement).
        contacts: the contact log, in time order.
        promises: the commitments, as the follow-up sees them.
        alerts: what needs attention today.
        hardship: the latest hardship record.
        evidence: the hardship's evidence files.
        payments: the payments recorded on its debts, in date order.
    """

    case: Case
    as_of: date
    debts: tuple[DebtView, ...]
    budget: BudgetView | None
    contacts: tuple[Contact, ...]
    promises: tuple[Promise, ...]
    alerts: tuple[Alert, ...]
    hardship: Hardship | None
    evidence: tuple[Evidence, ...]
    payments: tuple[Payment, ...]

    @property
    def due(self) -> Decimal:
        """What is due today on all the debts."""
        return sum((d.due for d in self.debts), ZERO)

    @property
    def daily_cost(self) -> Decimal:
        """What one more day adds on all the debts."""
        return sum((d.daily_cost for d in self.debts), ZERO)

    @property
    def owed(self) -> Decimal:
        """Everything owed, later installments and agreed payments included."""
        return sum((d.owed for d in self.debts), ZERO)

    def debt(self, debt_id: int) -> DebtView:
        """One debt of the view (KeyError when it is not open)."""
        for item in self.debts:
            if item.debt.id == debt_id:
                return item
        raise KeyError(debt_id)


def debt_view(tx: Tx, debt: Debt, as_of: date, share: Decimal | None = None) -> DebtView:
    """One debt as of ``as_of`` (``share``: its part of the budget, when known)."""
    preset = preset_of(debt)
    bill, engine = current_bill(tx, debt, as_of)
    agreed = accepted_arrangement(tx, debt, as_of)
    owed = balance_of(tx, debt, as_of)
    if agreed is not None:
        progress = agreed.progress
        upcoming = progress.next
        return DebtView(
            debt=debt, preset=preset, bill=bill, engine=None, arrangement=agreed,
            due=progress.due_now, owed=owed, daily_cost=ZERO,
            days_overdue=progress.days_late, share=share,
            next=None if upcoming is None else Milestone(
                upcoming.payment.on, "arrangement_payment", None, upcoming.missing))
    if bill is None or engine is None:
        milestone = None
        if debt.due_day is not None:
            milestone = Milestone(next_due(as_of, debt.due_day), "due_day", None, None)
        return DebtView(debt=debt, preset=preset, bill=None, engine=None, arrangement=None,
                        due=owed - debt.not_yet_due, owed=owed, daily_cost=ZERO,
                        days_overdue=0, share=share, next=milestone)
    events = [event for event in debt_timeline(engine, as_of, bill=bill) if event.applies]
    ahead = [event for event in events if event.on is not None and event.on > as_of]
    undated = [event for event in events if event.on is None]
    first = (ahead or undated)[:1]
    return DebtView(
        debt=debt, preset=preset, bill=bill, engine=engine, arrangement=None,
        due=bill.total, owed=owed, daily_cost=bill.daily_cost,
        days_overdue=bill.days_overdue, share=share,
        next=Milestone(first[0].on, first[0].id, first[0].title, first[0].amount_due)
        if first else None)


def debt_timeline(engine: Any, as_of: date, horizon_days: int = 365, *,
                  bill: Any = None) -> tuple[Any, ...]:
    """The timeline of an overdue debt as of ``as_of`` under the law's rules, dated events
    up to ``horizon_days`` ahead (as :func:`~xieshang.engine.timeline.timeline`). Built once
    while a case is read, with every dated event (:func:`_whole_timeline`): the view, the
    evaluation's risk flags and the plan's milestones all ask. ``bill``: the debt's bill on
    ``as_of``, when the caller has it (:func:`~xieshang.services.debts.current_bill`)."""
    from xieshang.engine.timeline import shown_by

    last = as_of + timedelta(days=horizon_days)
    return tuple(event for event in _whole_timeline(engine, as_of, bill)
                 if shown_by(event, last))


@remembered(lambda engine, as_of, bill=None: ((id(engine), as_of), engine))
def _whole_timeline(engine: Any, as_of: date, bill: Any = None) -> tuple[Any, ...]:
    """The timeline with no horizon (its dated events by date, then the undated ones): a
    horizon only leaves out what :func:`~xieshang.engine.timeline.shown_by` says. ``bill``
    is the engine's bill on ``as_of`` (the same for the same engine and day, so not part of
    the key)."""
    from xieshang.engine.timeline import timeline
    from xieshang.rules import law

    return tuple(timeline(engine, as_of, law(), horizon_days=(date.max - as_of).days,
                          today=bill, bills=day_bills(engine, as_of)))


def case_view(tx: Tx, case: Case, as_of: date) -> CaseView:
    """The case as of ``as_of`` (each bill, budget and check computed once:
    :func:`~xieshang.services._memo.reading`)."""
    from xieshang.services._memo import reading

    with reading():
        return _case_view(tx, case, as_of)


def _case_view(tx: Tx, case: Case, as_of: date) -> CaseView:
    from xieshang.services.budget import budget_view
    from xieshang.services.contacts import alerts_of, promises_of
    from xieshang.services.debts import open_debts
    from xieshang.store.model import Contact, Debt, Evidence, Hardship, Payment

    tx.preload(case.id)  # the case in a few queries, not a few for each debt
    budget = budget_view(tx, case, "pro_rata", as_of=as_of)
    debts = open_debts(tx, case.id)
    views = tuple(debt_view(tx, debt, as_of,
                            None if budget is None else budget.share_of(debt.id or 0))
                  for debt in debts)
    hardships = tx.find(Hardship, case_id=case.id)
    payments = [payment for debt in tx.find(Debt, case_id=case.id)
                for payment in tx.find(Payment, debt_id=debt.id)]
    return CaseView(
        case=case, as_of=as_of, debts=views, budget=budget,
        contacts=tuple(sorted(tx.find(Contact, case_id=case.id),
                              key=lambda c: (c.happened_at, c.id or 0))),
        promises=tuple(promises_of(tx, case)), alerts=tuple(alerts_of(tx, case, as_of)),
        hardship=hardships[-1] if hardships else None,
        evidence=tuple(tx.find(Evidence, case_id=case.id)),
        payments=tuple(sorted(payments, key=lambda p: (p.paid_on, p.id or 0))))
