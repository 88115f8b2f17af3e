"""An accepted arrangement: the agreed payments stored when an offer is accepted, and the
arrangement as kept on a day — the one place the bill, the status, the plan, the reminders
and the documents read it from.

From the day it is accepted, a debt under an arrangement is owed on the arrangement's
terms: the agreed payments (the lender's own figures, to the fen) fall due on their dates,
no penalty runs while they are kept, and a payment missed is shown as missed
(:mod:`xieshang.engine.agreement`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xieshang.engine.errors import StateError

# The agreement and the planner (engine.strategy imports the whole planner) are imported
# by the functions that use them: a debt under no arrangement (``status``) needs neither.
if TYPE_CHECKING:
    from xieshang.engine.agreement import Progress
    from xieshang.engine.arrangements import Phase
    from xieshang.engine.negotiation import OfferCheck
    from xieshang.engine.strategy import Arrangement, ScheduledPayment
    from xieshang.store.db import Tx
    from xieshang.store.model import Debt, Proposal

__all__ = ["AcceptedArrangement", "accepted_arrangement", "agreed_payments", "phase_params",
           "plan_arrangement", "schedule_params"]


@dataclass(frozen=True)
class AcceptedArrangement:
    """A debt's accepted arrangement, as kept on a day.

    Attributes:
        proposal_id: the accepted proposal.
        accepted_on: the day it was accepted (its start).
        payments: the agreed payments, in date order (a down payment first).
        progress: what has been paid against them, what was missed, what is next.
        phases: its phases as agreed (a deferral or token phase, the installments, a
            settlement), in order.
        regular_shift: for an arrangement on a loan's arrears, the months its regular
            installments are taken to move back (0: they keep their dates).
    """

    proposal_id: int
    accepted_on: date
    payments: tuple[ScheduledPayment, ...]
    progress: Progress
    phases: tuple[Phase, ...] = ()
    regular_shift: int = 0

    def phase_on(self, day: date) -> Phase | None:
        """The phase ``day`` falls in (the next one between two phases; ``None`` after the
        last)."""
        return next((phase for phase in self.phases if day <= phase.end), None)

    @property
    def total(self) -> Decimal:
        """Everything the arrangement asks for."""
        return self.progress.total

    @property
    def periods(self) -> int:
        """How many agreed payments (a down payment counts as one)."""
        return len(self.payments)


def agreed_payments(check: OfferCheck) -> list[ScheduledPayment]:
    """The agreed payments of a checked offer, to the fen of what the lender stated: the
    down payment on the day, then each payment on its date. An offer given as "N payments
    of X" keeps X exactly (its cost is spread evenly over the payments); otherwise the
    evaluated schedule's rows are the payments."""
    from xieshang.engine.agreement import split_level
    from xieshang.engine.strategy import ScheduledPayment

    first, *dates = check.dates
    payments = []
    if check.down_payment > 0:
        payments.append(ScheduledPayment(first, check.down_payment))
    if check.evaluation is not None:
        for row in check.evaluation.schedule.rows:
            payments.append(ScheduledPayment(row.due or first, row.principal, row.interest,
                                          row.fee))
        return payments
    scheduled = sum(check.payments, Decimal("0.00"))
    parts = split_level(scheduled, len(check.payments), check.rescheduled)
    for day, (principal, interest) in zip(dates, parts, strict=True):
        payments.append(ScheduledPayment(day, principal, interest))
    return payments


def schedule_params(payments: list[ScheduledPayment]) -> list[list[str]]:
    """The agreed payments as stored with the accepted proposal (exact strings)."""
    return [[p.on.isoformat(), str(p.principal), str(p.interest), str(p.fee)]
            for p in payments]


def phase_params(found: tuple[Phase, ...]) -> list[list[Any]]:
    """The phases as stored with the accepted proposal (exact strings)."""
    return [[p.kind, p.start.isoformat(), p.end.isoformat(), str(p.amount), p.count]
            for p in found]


def _phases(params: Mapping[str, Any], start: date,
            payments: list[ScheduledPayment]) -> tuple[Phase, ...]:
    """The stored phases; for an arrangement accepted before they were stored, the ones its
    payments show (a first payment on the day, then installments)."""
    from xieshang.engine.arrangements import Phase, phases

    if "phases" in params:
        return tuple(Phase(kind, date.fromisoformat(first), date.fromisoformat(last),
                           Decimal(amount), int(count))
                     for kind, first, last, amount, count in params["phases"])
    ordered = sorted(payments, key=lambda p: p.on)
    down = Decimal("0.00")
    if len(ordered) > 1 and ordered[0].on == start:
        down = ordered.pop(0).amount
    return phases(start, [(p.on, p.amount) for p in ordered], down=down)


def _stored(params: Mapping[str, Any]) -> list[ScheduledPayment]:
    from xieshang.engine.strategy import ScheduledPayment

    return [ScheduledPayment(date.fromisoformat(on), Decimal(principal), Decimal(interest),
                          Decimal(fee)) for on, principal, interest, fee in params["schedule"]]


def _rebuilt(tx: Tx, debt: Debt, proposal: Proposal) -> list[ScheduledPayment]:
    """An arrangement accepted before its payments were stored: its schedule rebuilt with
    ``arrangements.evaluate`` on the debt's bill of the day it was accepted."""
    from xieshang.engine.accrual import bill_on
    from xieshang.engine.arrangements import evaluate
    from xieshang.engine.bill import Bill
    from xieshang.engine.strategy import ScheduledPayment
    from xieshang.services.cases import preset_of
    from xieshang.services.negotiation import arrangement_proposal
    from xieshang.store.model import Payment

    day = proposal.created_on
    if debt.due_date is not None and day >= debt.due_date:
        from xieshang.services.debts import check_usable, engine_debt

        check_usable(tx, debt)
        engine = engine_debt(debt, tx.find(Payment, debt_id=debt.id), day)
        bill = bill_on(engine, day)
    else:
        bill = Bill(as_of=day, principal=debt.principal, interest=debt.interest,
                    penalty=debt.penalty, fees=debt.fees)
    evaluation = evaluate(bill, preset_of(debt),
                          arrangement_proposal(proposal.params["arrangement"]), today=day)
    payments = []
    if evaluation.down_payment > 0:
        payments.append(ScheduledPayment(day, evaluation.down_payment))
    for row in evaluation.schedule.rows:
        payments.append(ScheduledPayment(row.due or day, row.principal, row.interest, row.fee))
    return payments


def accepted_arrangement(tx: Tx, debt: Debt, as_of: date) -> AcceptedArrangement | None:
    """The debt's arrangement as kept on ``as_of`` (its latest accepted proposal), or
    ``None`` when the debt is not under one or ``as_of`` is before it started."""
    if debt.status != "arrangement":
        return None
    from xieshang.store.model import Payment, Proposal

    accepted = [p for p in tx.find(Proposal, debt_id=debt.id, status="accepted")
                if "arrangement" in p.params or "schedule" in p.params]
    if not accepted:
        return None
    proposal = max(accepted, key=lambda p: (p.decided_on or p.created_on, p.id))
    start = proposal.decided_on or proposal.created_on
    if as_of < start:
        return None
    payments = _stored(proposal.params) if "schedule" in proposal.params \
        else _rebuilt(tx, debt, proposal)
    after = proposal.params.get("after_payment")
    paid = [(p.paid_on, p.amount) for p in tx.find(Payment, debt_id=debt.id)
            if ((p.id or 0) > int(after) if after is not None else p.paid_on >= start)]
    if proposal.id is None:
        raise StateError("proposal.id")
    from xieshang.engine.agreement import follow

    return AcceptedArrangement(proposal_id=proposal.id, accepted_on=start,
                               payments=tuple(sorted(payments, key=lambda p: p.on)),
                               progress=follow(payments, paid, as_of),
                               phases=_phases(proposal.params, start, payments),
                               regular_shift=int(proposal.params.get("regular_shift") or 0))


def plan_arrangement(agreed: AcceptedArrangement) -> Arrangement | None:
    """What is still to pay under the arrangement, for the plan: each agreed payment's
    unpaid part on its date (a missed one is due at once, on the plan's first day).
    ``None`` when everything is paid."""
    from xieshang.engine.strategy import Arrangement, ScheduledPayment

    day = agreed.progress.as_of
    left = []
    for item in agreed.progress.installments:
        if item.missing <= 0:
            continue
        unpaid = item.unpaid()
        left.append(ScheduledPayment(max(unpaid.on, day), unpaid.principal, unpaid.interest,
                                     unpaid.fee))
    if not left:
        return None
    return Arrangement(tuple(left))
