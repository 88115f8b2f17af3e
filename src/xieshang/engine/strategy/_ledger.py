"""One debt walked month by month (mutable, private to the strategy package).

A ledger is in one of four phases:

* ``TERMS`` — a balance charged by :class:`~xieshang.engine.strategy.Accrual` (monthly:
  balance × rate ÷ 12; daily: × days ÷ day basis), rounded half-up to the fen each month and
  added to the balance; fees are kept apart and bear nothing; a missed minimum is carried as
  arrears and charged the lender's late fee;
* ``OVERDUE`` — an :class:`~xieshang.engine.accrual.OverdueDebt`: the amount owed on each
  pay date is :func:`~xieshang.engine.accrual.bill_on` with every earlier payment (walked
  once, in integer fen by :class:`~xieshang.engine.accrual_fen.FenWalker` when it covers
  the debt, else by :class:`~xieshang.engine.accrual.Walker`), so the
  daily charges, penalty models, compounding, grace days and late fees are the accrual
  engine's own; a month's charges are the change of each component;
* ``ARRANGEMENT`` — fixed dated payments: each falls due in the month whose pay date is the
  last on or before its due date; what is not paid is carried as arrears;
* ``EMPTY`` — a debt that only exists through an arrangement from month 0.

Each month: :meth:`Ledger.open` (charges up to the pay date, what is owed and required),
:meth:`Ledger.pay` (any number of payments), :meth:`Ledger.close` (arrears, late fee, the
month's row).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Final

from xieshang.engine._record import filler
from xieshang.engine.accrual import OverdueDebt, Payment, Walker, late_fee_due
from xieshang.engine.accrual_fen import FenWalker, fen_of
from xieshang.engine.errors import StateError
from xieshang.engine.money import ZERO, round_money
from xieshang.engine.preset import PenaltyModel
from xieshang.engine.schedules import add_months
from xieshang.engine.strategy._model import (
    Accrual,
    DebtMonth,
    Month,
    PlanDebt,
    ScheduledPayment,
)

__all__ = ["Calendar", "Ledger", "Phase", "cost_rate", "make_debt_month", "make_month_record",
           "month_of"]

_TWELVE = Decimal(12)


class _Cents(dict[int, Decimal]):
    """Integer fen → Decimal with 2 places, cached (a plan repeats many amounts)."""

    def __missing__(self, fen: int) -> Decimal:
        value = Decimal(fen).scaleb(-2)
        if len(self) < 100_000:
            self[fen] = value
        return value


_CENTS: Final = _Cents()


class Phase(Enum):
    """Which rules a debt follows this month."""

    TERMS = "terms"
    OVERDUE = "overdue"
    ARRANGEMENT = "arrangement"
    EMPTY = "empty"


class Calendar:
    """The pay dates: month ``k`` is paid on ``start`` + ``k`` calendar months."""

    __slots__ = ("_cache", "start")

    def __init__(self, start: date) -> None:
        self.start = start
        self._cache: dict[int, date] = {}

    def __getitem__(self, month: int) -> date:
        day = self._cache.get(month)
        if day is None:
            day = add_months(self.start, month)
            self._cache[month] = day
        return day


def month_of(start: date, day: date) -> int:
    """The month whose pay date is the last on or before ``day`` (−1 and below: before)."""
    months = (day.year - start.year) * 12 + day.month - start.month
    if add_months(start, months) > day:
        months -= 1
    return months


def cost_rate(debt: PlanDebt) -> Decimal:
    """The annual rate the debt is charged at, for ordering by cost (avalanche).

    A debt charged daily: its rate × 365 ÷ the day basis. An overdue debt: its overdue
    daily rate × 365, plus the contract rate when the penalty
    comes on top of it; compounding and the penalty base are left out of this ranking
    (they are in the plan's figures).
    """
    if debt.annual_rate is not None:
        if debt.accrual is Accrual.DAILY:
            return debt.annual_rate * 365 / debt.day_basis.days
        return debt.annual_rate
    if debt.overdue_debt is None:
        return ZERO
    od = debt.overdue_debt
    preset = od.preset
    penalty = preset.penalty
    contract = (od.contract_daily_rate if od.contract_daily_rate is not None
                else preset.contract_daily_rate) or ZERO
    if od.penalty_daily_rate is not None:
        daily = od.penalty_daily_rate
    elif penalty.model in (PenaltyModel.CONTRACT_MULTIPLE, PenaltyModel.ON_TOP):
        daily = contract * (penalty.multiplier if penalty.multiplier is not None else 1)
    else:
        daily = penalty.daily_rate or ZERO
    if penalty.model is PenaltyModel.ON_TOP:
        daily += contract
    return daily * 365


class _DebtMonthTwin:
    """A builder of :class:`DebtMonth`: the same slots in the same order, so an instance
    filled here (plain slot stores, the fastest way CPython fills an object) becomes a
    :class:`DebtMonth` by assigning ``__class__`` — the layouts are the same, which CPython
    checks on the assignment. The frozen dataclass's own ``__init__`` goes through
    ``object.__setattr__`` for each of its 13 fields, and a plan makes one per debt and
    month. ``tests/test_strategy_fast.py`` checks a twin-built row equals the dataclass's."""

    __slots__ = DebtMonth.__slots__

    def __init__(self, key: str, owed: Decimal, required: Decimal, paid: Decimal,
                 balance: Decimal, interest: Decimal, penalty: Decimal, fees: Decimal,
                 adjustment: Decimal, overdue: bool, unpaid: Decimal, due_by: date,
                 past_due: Decimal) -> None:
        self.key = key
        self.owed = owed
        self.required = required
        self.paid = paid
        self.balance = balance
        self.interest = interest
        self.penalty = penalty
        self.fees = fees
        self.adjustment = adjustment
        self.overdue = overdue
        self.unpaid = unpaid
        self.due_by = due_by
        self.past_due = past_due
        self.__class__ = DebtMonth  # type: ignore[assignment]


class _MonthTwin:
    """A builder of :class:`Month` filled by plain slot stores, then made a :class:`Month`
    by assigning ``__class__`` (the same slots in the same order), as
    :class:`_DebtMonthTwin` builds the rows."""

    __slots__ = Month.__slots__

    def __init__(self, index: int, pay_date: date, budget: Decimal, paid: Decimal,
                 unspent: Decimal, card_principal: Decimal, debts: tuple[DebtMonth, ...]) -> None:
        self.index = index
        self.pay_date = pay_date
        self.budget = budget
        self.paid = paid
        self.unspent = unspent
        self.card_principal = card_principal
        self.debts = debts
        self.__class__ = Month  # type: ignore[assignment]


#: A :class:`Payment` with its slots filled directly (:func:`filler`), for an amount
#: already known to be more than 0 and exact to the fen (what its ``__post_init__``
#: checks): the plan makes one per overdue debt and month.
_payment: Final[Callable[[date, Decimal], Payment]] = filler(Payment, ("on", "amount"))


#: :class:`DebtMonth` by position, slots filled directly (one per debt and month).
make_debt_month: Final[Callable[..., DebtMonth]] = _DebtMonthTwin  # type: ignore[assignment]
#: :class:`Month` by position, slots filled directly (one per plan month).
make_month_record: Final[Callable[..., Month]] = _MonthTwin  # type: ignore[assignment]


class Ledger:
    """The state of one debt, walked month by month."""

    def __init__(self, debt: PlanDebt, index: int, dates: Calendar) -> None:
        self.debt = debt
        self.index = index
        self.calendar = dates
        self.rate = cost_rate(debt)
        self.card = debt.card_principal
        self.arrears = debt.past_due
        # TERMS
        self.balance = debt.balance if debt.balance is not None else ZERO
        self.fees_due = debt.fees
        # OVERDUE
        self.payments: list[Payment] = []
        self.ndp = ZERO
        self.c_principal = self.c_interest = self.c_penalty = self.c_fees = ZERO
        self.closing = ZERO
        self.tolerance = ZERO
        self.due_now = ZERO
        self.installment_loan = False
        self._od: OverdueDebt | None = None
        self._walker: Walker | None = None
        #: the integer walk of the overdue debt while it covers it (else ``_walker``)
        self._fen: FenWalker | None = None
        self._fen_tried = False
        if debt.overdue_debt is not None:
            self.phase = Phase.OVERDUE
            self._od = debt.overdue_debt
            self.payments = list(debt.overdue_debt.payments)
            self.ndp = debt.overdue_debt.not_yet_due_principal
            self.tolerance = debt.overdue_debt.preset.tolerance
            # a loan with installments ahead: what is due each month is the installments
            # past due and their charges (the bill), not nothing
            self.installment_loan = bool(debt.overdue_debt.later) or self.ndp > 0
        elif debt.balance is not None:
            self.phase = Phase.TERMS
        else:
            self.phase = Phase.EMPTY
        # ARRANGEMENT
        self.outstanding = ZERO
        self.due_unpaid = ZERO
        self.credit = ZERO
        self.rows: dict[int, list[ScheduledPayment]] = {}
        self.last_row_month = -1
        # opening and the month's figures
        self.principal = ZERO
        self.charges_before = ZERO
        self.opened = False
        self.grows = False
        self.month = -1
        self.day = dates[0]
        self.owed = ZERO
        self.required = ZERO
        self.paid = ZERO
        self.interest = ZERO
        self.penalty = ZERO
        self.fees = ZERO
        self.adjustment = ZERO
        self.past_due = ZERO
        self.due_by = self.day
        self.balance_out = ZERO

    # -- properties the strategies read ---------------------------------------------------

    @property
    def pending(self) -> bool:
        """An arrangement is agreed but has not started yet."""
        return self.debt.arrangement is not None and self.phase is not Phase.ARRANGEMENT

    @property
    def prepayable(self) -> bool:
        """More than required may be paid (not under, or waiting for, an arrangement)."""
        return self.debt.arrangement is None and self.phase in (Phase.TERMS, Phase.OVERDUE)

    @property
    def under_arrangement(self) -> bool:
        """The arrangement's fixed payments apply this month."""
        return self.phase is Phase.ARRANGEMENT

    @property
    def all_past_due(self) -> bool:
        """Everything owed is past due (an overdue debt): only repaying it ends that."""
        return self.phase is Phase.OVERDUE

    # -- the month ------------------------------------------------------------------------

    def open(self, month: int) -> None:
        """Charges up to the month's pay date; what is owed and what is required."""
        self.month = month
        self.day = self.calendar[month]
        self.due_by = self.day
        self.paid = self.interest = self.penalty = self.fees = self.adjustment = ZERO
        self.past_due = self.due_unpaid if self.phase is Phase.ARRANGEMENT else self.arrears
        debt = self.debt
        if debt.arrangement is not None and self.phase is not Phase.ARRANGEMENT and (
                month >= debt.arrangement_from_month):
            self._switch(month)
        elif self.phase is Phase.TERMS:
            self._accrue_terms(month)
        elif self.phase is Phase.OVERDUE:
            self._accrue_overdue(month)
        if self.phase is Phase.ARRANGEMENT:
            self._rows_due(month)
            self.owed = self.required = self.due_unpaid
            return
        base = ZERO
        rule = debt.minimum
        if rule is not None and self.owed > 0:
            charges = self.interest + self.penalty + self.fees
            base = rule.amount
            if rule.percent or rule.plus_charges:
                share = round_money((self.owed - charges) * rule.percent) if rule.percent else ZERO
                base = max(base, share + (charges if rule.plus_charges else ZERO))
            if base < charges:
                self.grows = True
        self.required = min(self.owed, base + self.arrears)
        if self.phase is Phase.OVERDUE and self.installment_loan:
            # the overdue installments and their charges are due now (status's "due")
            self.required = min(self.owed, max(self.required, self.due_now))

    def pay(self, amount: Decimal, on: date | None = None) -> None:
        """A payment this month (on the pay date unless ``on`` says otherwise)."""
        if amount <= 0:
            return
        self.paid += amount
        if self.card is not None:
            self.card = max(ZERO, self.card - amount)
        if self.phase is Phase.TERMS:
            taken = min(amount, self.fees_due)
            self.fees_due -= taken
            self.balance = max(ZERO, self.balance - (amount - taken))
        elif self.phase is Phase.OVERDUE:
            if round_money(amount) == amount:  # Payment's own checks, passed: made directly
                self.payments.append(_payment(on or self.day, amount))
            else:
                self.payments.append(Payment(on or self.day, amount))  # raises
            if self._fen is not None:
                if on is None or on == self.day:
                    self._fen.pay(fen_of(amount))
                else:  # a payment on another day: the Decimal walk takes over
                    self._fen = None
            # fees, then penalty, then interest, then principal
            left = amount
            taken = min(left, self.c_fees)
            self.c_fees -= taken
            left -= taken
            taken = min(left, self.c_penalty)
            self.c_penalty -= taken
            left -= taken
            taken = min(left, self.c_interest)
            self.c_interest -= taken
            left -= taken
            taken = min(left, self.c_principal)
            self.c_principal -= taken
            left -= taken
            self.ndp = max(ZERO, self.ndp - left)
        elif self.phase is Phase.ARRANGEMENT:
            taken = min(amount, self.due_unpaid)
            self.due_unpaid -= taken
            self.credit += amount - taken
            self.outstanding = max(ZERO, self.outstanding - amount)

    def close(self) -> DebtMonth:
        """The month's row, after its payments; arrears and late fee for the next month."""
        unpaid = max(ZERO, self.required - self.paid)
        overdue = False
        if self.phase is Phase.TERMS:
            late_fee = self.debt.late_fee
            if unpaid > 0 and late_fee is not None:
                fee = late_fee_due(late_fee, self.required, self.paid)
                self.fees_due += fee
                self.fees += fee
            self.arrears = unpaid
            overdue = unpaid > 0
            self.balance_out = self.balance + self.fees_due
        elif self.phase is Phase.OVERDUE:
            self.closing = max(ZERO, self.owed - self.paid)
            self.arrears = unpaid
            overdue = self.closing > self.tolerance
            self.balance_out = self.closing
        elif self.phase is Phase.ARRANGEMENT:
            overdue = self.due_unpaid > 0
            self.balance_out = self.outstanding
        else:
            self.balance_out = ZERO
        return make_debt_month(
            self.debt.key, self.owed, self.required, self.paid, self.balance_out,
            self.interest, self.penalty, self.fees, self.adjustment, overdue, unpaid,
            self.due_by, min(self.past_due, self.required))

    def idle(self, month: int) -> DebtMonth:
        """The row of a month after the debt is finished (nothing owed, nothing to come)."""
        self.month = month
        self.day = self.calendar[month]
        self.owed = self.required = self.paid = self.interest = self.penalty = ZERO
        self.fees = self.adjustment = self.past_due = ZERO
        return make_debt_month(self.debt.key, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO,
                               False, ZERO, self.day, ZERO)

    def finished(self) -> bool:
        """Nothing owed and nothing more to come (after :meth:`close`)."""
        if self.balance_out > 0 or self.pending:
            return False
        return self.phase is not Phase.ARRANGEMENT or self.last_row_month <= self.month

    # -- the phases -----------------------------------------------------------------------

    def _accrue_terms(self, month: int) -> None:
        debt = self.debt
        rate = debt.annual_rate or ZERO
        if debt.accrual is Accrual.MONTHLY:
            charge = round_money(self.balance * rate / _TWELVE)
        else:
            days = (self.day - self.calendar[month - 1]).days
            charge = round_money(self.balance * rate * days / debt.day_basis.days)
        if not self.opened:
            self.opened = True
            self.principal = self.balance
            self.charges_before = self.fees_due
        self.interest = charge
        self.balance += charge
        self.owed = self.balance + self.fees_due
        if debt.due_day is not None:
            self.due_by = _day_in_month(self.day, debt.due_day)

    def _accrue_overdue(self, month: int) -> None:
        if self._od is None:
            raise StateError("self._od")
        if self.opened and self.closing == 0 and self.ndp == 0:
            self.owed = self.due_now = ZERO
            return
        if not self._fen_tried:
            self._fen_tried = True
            self._fen = FenWalker.of(self._od, self.day)
        figures = None if self._fen is None else self._fen.advance(self.day)
        if figures is not None:
            principal, interest, penalty, fees, ndp = (_CENTS[f] for f in figures)
        else:
            self._fen = None  # the Decimal walk from here on (it walks from the due date)
            if self._walker is None:
                self._walker = Walker(self._od)
            bill = self._walker.bill_forward(self.payments, self.day)
            principal, interest, penalty, fees, ndp = (
                bill.principal, bill.interest, bill.penalty, bill.fees, bill.not_yet_due)
        self.ndp = ndp  # later installments that fell due are in the bill
        self.due_now = principal + interest + penalty + fees
        total = self.due_now + ndp
        if not self.opened:
            self.opened = True
            self.principal = principal + ndp
            self.charges_before = interest + penalty + fees
        else:
            self.interest = interest - self.c_interest
            self.fees = fees - self.c_fees
            self.penalty = total - self.closing - self.interest - self.fees
        self.c_principal, self.c_interest = principal, interest
        self.c_penalty, self.c_fees = penalty, fees
        self.owed = total

    def _switch(self, month: int) -> None:
        arrangement = self.debt.arrangement
        if arrangement is None:
            raise StateError("arrangement")
        amount = arrangement.principal
        if self.phase is Phase.TERMS:
            self._accrue_terms(month)
            self.adjustment = amount - self.owed
        elif self.phase is Phase.OVERDUE:
            self._accrue_overdue(month)
            self.adjustment = amount - self.owed
        else:
            self.opened = True
            self.principal = amount
        self.phase = Phase.ARRANGEMENT
        self.outstanding = amount
        self.due_unpaid = ZERO
        self.arrears = ZERO
        start = self.calendar.start
        for payment in arrangement.payments:
            index = max(month, month_of(start, payment.on))
            self.rows.setdefault(index, []).append(payment)
            self.last_row_month = max(self.last_row_month, index)

    def _rows_due(self, month: int) -> None:
        rows = self.rows.get(month, ())
        for row in rows:
            self.interest += row.interest
            self.fees += row.fee
            self.outstanding += row.charges
            due = row.amount
            used = min(due, self.credit)
            self.credit -= used
            self.due_unpaid += due - used
        if rows:
            self.due_by = min(row.on for row in rows)
            self.due_by = max(self.due_by, self.day)


def _day_in_month(start: date, day: int) -> date:
    """The first date on or after ``start`` whose day of month is ``day`` (clamped)."""
    candidate = date(start.year, start.month, min(day, _last_day(start.year, start.month)))
    if candidate < start:
        following = add_months(date(start.year, start.month, 1), 1)
        candidate = date(following.year, following.month,
                         min(day, _last_day(following.year, following.month)))
    return candidate


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]
