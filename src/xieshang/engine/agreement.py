"""An accepted arrangement as it is kept: its agreed payments, what has been paid against
them, what was missed, and what is still owed under it.

Once a lender agrees to an arrangement (a personalised installment plan, 个性化分期), the
debt is owed on the arrangement's terms from its start: the agreed payments fall due on
their dates and no penalty runs while they are kept. Payments made since the start count
against the agreed payments oldest first. An agreed payment whose date has passed and that
is not fully paid is *missed*: the arrangement is then broken, and what happens next is the
lender's decision under the agreement (many agreements let the lender cancel it and ask for
the whole balance on the original terms) — this module only says that it was missed and by
how much.

Pure: no I/O, no clock ("today" is an argument).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from xieshang.engine.bill import Bill
from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import ZERO, money
from xieshang.engine.strategy import ScheduledPayment

__all__ = ["Installment", "Progress", "follow", "split_level"]


@dataclass(frozen=True, slots=True)
class Installment:
    """An agreed payment as followed on a day.

    Attributes:
        payment: the agreed payment.
        paid: how much of it the payments made so far cover (oldest payment first).
    """

    payment: ScheduledPayment
    paid: Decimal

    @property
    def missing(self) -> Decimal:
        """What is still to pay of it."""
        return self.payment.amount - self.paid

    def unpaid(self) -> ScheduledPayment:
        """What is still to pay of it, by part: what was paid covers the fee, then the
        interest, then the principal."""
        left = self.paid
        parts = []
        for part in (self.payment.fee, self.payment.interest, self.payment.principal):
            covered = min(part, left)
            left -= covered
            parts.append(part - covered)
        fee, interest, principal = parts
        return ScheduledPayment(self.payment.on, principal, interest, fee)


@dataclass(frozen=True, slots=True)
class Progress:
    """An arrangement as kept on ``as_of``.

    Attributes:
        as_of: the day.
        installments: every agreed payment, with what covers it.
        paid: the payments made from the start up to ``as_of`` (at most the total).
        extra: paid beyond every agreed payment (none is owed any more).
        missed: agreed payments due before ``as_of`` that are not fully paid.
        next: the next agreed payment: the first one due on or after ``as_of`` that is not
            fully paid (``None`` when there is none; a missed one is in ``missed``).
    """

    as_of: date
    installments: tuple[Installment, ...]
    paid: Decimal
    extra: Decimal
    missed: tuple[Installment, ...]
    next: Installment | None

    @property
    def total(self) -> Decimal:
        """Everything the arrangement asks for."""
        return sum((i.payment.amount for i in self.installments), ZERO)

    @property
    def remaining(self) -> Decimal:
        """What is still to pay under the arrangement."""
        return self.total - self.paid

    @property
    def kept(self) -> bool:
        """No agreed payment is late."""
        return not self.missed

    @property
    def overdue_amount(self) -> Decimal:
        """What the missed payments still lack."""
        return sum((i.missing for i in self.missed), ZERO)

    @property
    def days_late(self) -> int:
        """Days since the first missed payment fell due (0 while kept)."""
        return (self.as_of - self.missed[0].payment.on).days if self.missed else 0

    @property
    def due_now(self) -> Decimal:
        """What is due on ``as_of``: the unpaid part of every agreed payment due by then."""
        return sum((i.missing for i in self.installments if i.payment.on <= self.as_of), ZERO)

    def bill(self, *, due_only: bool = False) -> Bill:
        """What is owed under the arrangement on ``as_of`` (with ``due_only``: only what is
        due by then), by part: each agreed payment's unpaid fee, interest and principal (a
        part payment covers the fee, then the interest, then the principal). No penalty and
        no daily cost: none runs under the arrangement; ``days_overdue`` counts from the
        first missed payment."""
        principal = interest = fee = ZERO
        for item in self.installments:
            if due_only and item.payment.on > self.as_of:
                continue
            unpaid = item.unpaid()
            principal += unpaid.principal
            interest += unpaid.interest
            fee += unpaid.fee
        return Bill(as_of=self.as_of, principal=principal, interest=interest, penalty=ZERO,
                    fees=fee, days_overdue=self.days_late, daily_cost=ZERO)


def follow(payments: Sequence[ScheduledPayment], paid: Sequence[tuple[date, Decimal]],
           as_of: date) -> Progress:
    """The arrangement ``payments`` as kept on ``as_of``, given the payments made since it
    started (``paid``: date and amount; those after ``as_of`` are not counted).

    An agreed payment due on ``as_of`` itself is not missed yet.

    Raises:
        InputError: no agreed payment, or a negative amount paid.
    """
    if not payments:
        raise InputError("arrangement", N_("needs at least one payment"))
    ordered = sorted(payments, key=lambda p: p.on)
    made = ZERO
    for day, amount in paid:
        if money(amount, "amount") < 0:
            raise InputError("amount", N_("must not be negative (got {value})"),
                             value=str(amount))
        if day <= as_of:
            made += amount
    left = made
    installments = []
    for payment in ordered:
        covered = min(payment.amount, left)
        left -= covered
        installments.append(Installment(payment, covered))
    missed = tuple(i for i in installments if i.missing > 0 and i.payment.on < as_of)
    upcoming = next((i for i in installments if i.missing > 0 and i.payment.on >= as_of),
                    None)
    return Progress(as_of=as_of, installments=tuple(installments), paid=made - left,
                    extra=left, missed=missed, next=upcoming)


def split_level(total: Decimal, periods: int, principal: Decimal) -> list[tuple[Decimal,
                                                                              Decimal]]:
    """``periods`` equal payments adding up to ``total`` (the last takes the fen left over),
    each split into (principal, interest): the cost (``total − principal``) spread evenly
    (the last taking the fen left over), so the principal parts add up to ``principal``
    and no part is negative.

    For an offer stated only as "N payments of X": the lender's figure is kept to the fen
    and the cost (``total − principal``) is spread evenly over the payments. When the
    payments add up to less than ``principal`` each payment is all principal.
    """
    if periods < 1:
        raise InputError("periods", N_("must be at least 1 (got {value})"), value=periods)
    cent = Decimal("0.01")
    each = (total / periods).quantize(cent, rounding="ROUND_DOWN")
    amounts = [each] * (periods - 1) + [total - each * (periods - 1)]
    if total <= principal:
        return [(amount, ZERO) for amount in amounts]
    cost = total - principal
    fee = (cost / periods).quantize(cent, rounding="ROUND_DOWN")
    costs = [fee] * (periods - 1) + [cost - fee * (periods - 1)]
    split = [(amount - part, part) for amount, part in zip(amounts, costs, strict=True)]
    if all(principal_part >= 0 for principal_part, _part in split):
        return split
    # a cost of a few fen over many payments: principal first, the cost in the last ones
    result = []
    left = principal
    for amount in amounts:
        taken = min(amount, left)
        left -= taken
        result.append((taken, amount - taken))
    return result
