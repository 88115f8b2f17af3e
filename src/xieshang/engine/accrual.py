"""Overdue charges to the fen: the itemised amount due on any date, and credit-card interest.

Two calculations live here.

**An overdue debt** (:class:`OverdueDebt`, :func:`bill_on`, :func:`daily_costs`): principal,
contract interest, penalty interest and late fees on any date, by the preset's
:class:`~xieshang.engine.preset.PenaltyModel`, counting actual calendar days:

* day 1 overdue is the day after the missed repayment date ("从到期还款日的次日开始计算",
  ``rules-cn.md`` §1.2), and the amount due on a date includes that date's charge: 1,000
  due on the 10th and repaid on the 11th pays one day (§9.1 H4, D1);
* a payment stops charges on the part it repays from the day after it (the payment day
  itself is charged, as in H4 and D1);
* ``simple_daily`` — base × daily rate per day. With ``rounding.daily_amount`` each day's
  charge is rounded to the fen first, then the days are added up (花呗: "逾期本金×0.05%四舍五入
  精确到分", §1.2); otherwise the exact charges are added up and only their running total is
  rounded to the fen;
* ``compound_monthly`` — the same, and once a month the unpaid interest joins the balance that
  bears interest (the card rule, §3.1 "按月计收复利"). The statement day of an overdue debt is
  not known, so the month steps are taken **on the due date's day of each following month**
  (the 10th → the 10th; the 31st → the last day of shorter months). Fees never bear interest
  (2016 card notice, §3.1). ``preset.penalty.compounding`` (or the per-debt override) turns
  the same monthly step on or off for any model;
* ``contract_multiple`` — the contract daily rate × the multiplier replaces contract interest
  on the penalty base (借呗: 1.5×, §2);
* ``on_top`` — contract interest keeps running on the overdue principal and a penalty of
  contract rate × multiplier is added (微粒贷: 50 %, §2.1).

What the penalty is charged on follows ``preset.penalty.base``: ``overdue_amount`` is the
unpaid principal and contract interest (never fees), ``overdue_principal`` the principal only,
``all_principal`` the overdue principal plus :attr:`OverdueDebt.not_yet_due_principal`. Under
``on_top`` the contract interest runs on the principal of the same base. Interest that the
principal not yet due earns under its own schedule belongs to the later installments and is
not part of this bill.

Grace (宽限期): paid in full within the grace days (an unpaid remainder no larger than
``preset.tolerance`` counts as paid), the debt counts as paid on time — no penalty, no late
fee (§3.3). The reference says nothing about a debt still unpaid after the grace days; this
module then charges **from day 1 after the due date**, the grace days included, which is the
reading least likely to understate the cost. When a lender's own figures show that it starts
charging after the grace days, :attr:`OverdueDebt.charge_grace_days` set to ``False`` does
that.

The per-debt overrides (``grace_days``, ``compounding``, ``rounding_daily``, ``penalty_base``,
``charge_grace_days``, ``penalty_daily_rate``, ``extra_fee``) are what
:mod:`xieshang.engine.reconcile` adopts when the lender's bill shows a different rule.

Payments are allocated **fees → penalty → interest → principal** (then principal not yet due).
This is the common allocation, but ``rules-cn.md`` does not state one: it is an assumption.
Money beyond everything owed is not tracked (no credit balance). Once the unpaid remainder is
within ``preset.tolerance`` no further charges accrue; later payments still reduce it.
The one exception the reference does state — for the malicious-overdraft amount, repayments
count against principal first (§5) — is :func:`principal_outstanding_principal_first`.

**Credit-card interest when a statement is not paid in full** (:func:`card_interest`, §3.5).

All arithmetic runs in a local :mod:`decimal` context, so a caller's context never changes a
result. Rates are fractions per day (0.0005 = 0.05 %/day).
"""

from __future__ import annotations

import decimal
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from xieshang.engine._record import record, replace
from xieshang.engine.bill import Bill
from xieshang.engine.errors import N_, InputError, StateError
from xieshang.engine.money import ZERO, Rounding, round_money
from xieshang.engine.preset import (
    LateFee,
    LateFeeKind,
    PenaltyBase,
    PenaltyModel,
    Preset,
    RoundingRule,
)

__all__ = [
    "CardInterest",
    "CardNote",
    "CardTransaction",
    "LaterInstallment",
    "OverdueDebt",
    "Payment",
    "Segment",
    "SegmentKind",
    "Walker",
    "bill_on",
    "card_interest",
    "compounding_dates",
    "daily_costs",
    "late_fee_due",
    "minimum_due_of",
    "overdue_charge",
    "principal_outstanding_principal_first",
]

#: Intermediate arithmetic: far more digits than any amount or day count needs.
_CONTEXT: Final = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)
#: The same, refusing any inexact result: a run of days is added in one step only when that
#: step is exact, hence equal to adding the days one by one (see :meth:`_Cursor.run`).
_EXACT: Final = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN,
                                traps=[decimal.Inexact, decimal.InvalidOperation,
                                       decimal.Overflow, decimal.DivisionByZero])
#: The same, refusing any result that was rounded, even when only zeros were dropped (a sum
#: that kept every digit keeps its operands' lowest place: see :func:`_added_days`).
_UNROUNDED: Final = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN,
                                    traps=[decimal.Rounded, decimal.InvalidOperation,
                                           decimal.Overflow, decimal.DivisionByZero])
#: Wide enough for every sum and product of :func:`_added_days` to be exact (amounts below
#: 10**40, charges and rates of 34 digits); its roundings are asked for explicitly.
_WIDE: Final = decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN)
_ONE_DAY: Final = timedelta(days=1)
_ONE: Final = Decimal(1)
#: Longest span walked day by day (100 years): guards against a mistyped year.
_MAX_DAYS: Final = 36_525


# ------------------------------------------------------------------------------ records


@record
class Payment:
    """A repayment.

    Attributes:
        on: the day the money reached the lender.
        amount: the amount paid, more than 0.
    """

    on: date
    amount: Decimal

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise InputError("payments", N_("a payment must be more than 0 (got {value})"),
                             value=str(self.amount))
        _check_fen("payments", self.amount)


@record
class LaterInstallment:
    """An installment of a loan that falls due after the missed one.

    On its due date its principal moves from the principal not yet due to the overdue
    principal and its interest is added to the contract interest due; if it is not paid
    that day, charges on it start the next day — each installment has its own due date and
    its own penalty. Its interest counts in proportion to the part of its principal still
    unpaid on that day (a repayment beyond what is due repays the last installments first,
    as an early repayment does).

    Attributes:
        due: its due date.
        principal: its principal part.
        interest: its contract interest part.
    """

    due: date
    principal: Decimal
    interest: Decimal = ZERO


@record
class OverdueDebt:
    """One missed repayment and what was paid since.

    Attributes:
        preset: the product's rules.
        principal: the overdue amount — for a bill (花呗 / 白条 / card statement) the unpaid
            bill, for a loan the overdue principal.
        due_date: the repayment date that was missed; day 1 overdue is the day after.
        interest: contract interest already due and unpaid on ``due_date``.
        fees: fees already due and unpaid on ``due_date`` (they never bear charges).
        not_yet_due_principal: loans — principal of the later installments; it only counts
            when the penalty base is ``all_principal``.
        contract_daily_rate: overrides ``preset.contract_daily_rate``.
        penalty_daily_rate: overrides the preset's overdue rate entirely (for ``on_top`` only
            the penalty part; contract interest keeps the contract rate).
        minimum_due: the minimum payment that was missed (for late fees); ``None`` takes it
            from ``preset.minimum_payment`` (see :func:`minimum_due_of`).
        payments: repayments, in any order.
        grace_days: overrides ``preset.grace_days``.
        compounding: overrides the preset (``True`` adds the monthly compounding step).
        rounding_daily: overrides ``preset.rounding.daily_amount`` (``True`` rounds each
            day's charge to the fen before adding it up).
        penalty_base: overrides ``preset.penalty.base``.
        charge_grace_days: still unpaid after the grace days, whether the grace days are
            charged too. ``None`` or ``True``: charges count from day 1 (the reading that
            does not understate the cost, see the module docstring); ``False``: charges
            start the day after the grace days. Set it only when the lender's own figures
            show it (:mod:`xieshang.engine.reconcile`).
        extra_fee: a fee the lender charges that no rule here describes, found by comparing
            with the lender's own figure; added to the fees due on ``due_date`` (it bears
            no charges and does not change the minimum payment).
        later: installments of a loan falling due after ``due_date`` (their principal is
            part of ``not_yet_due_principal``), in date order.
        interest_from: cards — the posting date from which the statement bears interest
            once it is not paid in full (the day the interest-free period is lost, that
            interest is added to the interest due); ``None``: no such interest.
        card_interest_basis: overrides ``preset.penalty.card_interest_basis`` (``full`` or
            ``unpaid``).
    """

    preset: Preset
    principal: Decimal
    due_date: date
    interest: Decimal = ZERO
    fees: Decimal = ZERO
    not_yet_due_principal: Decimal = ZERO
    contract_daily_rate: Decimal | None = None
    penalty_daily_rate: Decimal | None = None
    minimum_due: Decimal | None = None
    payments: tuple[Payment, ...] = ()
    grace_days: int | None = None
    compounding: bool | None = None
    rounding_daily: bool | None = None
    penalty_base: PenaltyBase | None = None
    charge_grace_days: bool | None = None
    extra_fee: Decimal = ZERO
    later: tuple[LaterInstallment, ...] = ()
    interest_from: date | None = None
    card_interest_basis: str | None = None

    def __post_init__(self) -> None:
        for name in ("principal", "interest", "fees", "not_yet_due_principal", "extra_fee"):
            value: Decimal = getattr(self, name)
            if value < 0:
                raise InputError(name, N_("must not be negative (got {value})"),
                                 value=str(value))
            _check_fen(name, value)
        for name in ("contract_daily_rate", "penalty_daily_rate", "minimum_due"):
            optional: Decimal | None = getattr(self, name)
            if optional is not None and optional < 0:
                raise InputError(name, N_("must not be negative (got {value})"),
                                 value=str(optional))
        if self.grace_days is not None and self.grace_days < 0:
            raise InputError("grace_days", N_("must not be negative (got {value})"),
                             value=self.grace_days)
        previous = self.due_date
        for item in self.later:
            if item.due <= previous or item.principal < 0 or item.interest < 0:
                raise InputError("later", N_("installments must fall due one after another, "
                                             "after {due}"), due=self.due_date.isoformat())
            previous = item.due
        if sum((item.principal for item in self.later), ZERO) > self.not_yet_due_principal:
            raise InputError("not_yet_due_principal",
                             N_("is less than the principal of the later installments"))
        if self.interest_from is not None and self.interest_from > self.due_date:
            raise InputError("interest_from", N_("must not be after the due date {due}"),
                             due=self.due_date.isoformat())


# ------------------------------------------------------------------------ simple helpers


def overdue_charge(amount: Decimal, daily_rate: Decimal, days: int,
                   rounding: RoundingRule | None = None,
                   minimum_per_day: Decimal = ZERO) -> Decimal:
    """Simple overdue charge on a fixed amount: amount × daily rate × days.

    With ``rounding.daily_amount`` the daily charge is rounded to the fen first and then
    multiplied by the days (花呗, §1.2); otherwise the total is rounded once.
    ``minimum_per_day`` is the lowest daily charge (京东白条: 0.01, §2.1).

    >>> overdue_charge(Decimal("2000"), Decimal("0.0005"), 30)
    Decimal('30.00')
    """
    rule = rounding or RoundingRule()
    _check_not_negative("amount", amount)
    _check_not_negative("daily_rate", daily_rate)
    _check_not_negative("minimum_per_day", minimum_per_day)
    if days < 0:
        raise InputError("days", N_("must not be negative (got {value})"), value=days)
    with decimal.localcontext(_CONTEXT):
        if amount == 0 or daily_rate == 0 or days == 0:
            return ZERO
        daily = max(amount * daily_rate, minimum_per_day)
        if rule.daily_amount:
            return round_money(daily, rule.mode) * days
        return round_money(daily * days, rule.mode)


def late_fee_due(rule: LateFee, minimum_due: Decimal, paid: Decimal,
                 mode: Rounding = Rounding.HALF_UP) -> Decimal:
    """The one-off late fee for one missed due date (违约金 / 滞纳金).

    ``percent_of_unpaid_minimum``: rate × (minimum due − paid by the due date), rounded to
    the fen, at least ``rule.minimum`` and at most ``rule.maximum`` — only when part of the
    minimum is unpaid (card pattern, §3.2: 5 %, at least ¥10 at CMB). ``fixed``: the fixed
    amount, when part of the minimum is unpaid. ``none``: nothing.
    """
    with decimal.localcontext(_CONTEXT):
        unpaid = minimum_due - paid
        if rule.kind is LateFeeKind.NONE or unpaid <= 0:
            return ZERO
        if rule.kind is LateFeeKind.FIXED:
            return round_money(rule.amount, mode)
        fee = max(round_money(unpaid * rule.rate, mode), rule.minimum)
        if rule.maximum is not None:
            fee = min(fee, rule.maximum)
        return round_money(fee, mode)


def minimum_due_of(debt: OverdueDebt) -> Decimal:
    """The minimum payment of the missed due date.

    ``debt.minimum_due`` if given; else ``preset.minimum_payment``: percent × principal,
    plus the interest and fees when the preset says so, rounded with the preset's mode and
    never more than everything due; with no minimum-payment rule, everything due.
    """
    whole = debt.principal + debt.interest + debt.fees
    if debt.minimum_due is not None:
        return debt.minimum_due
    rule = debt.preset.minimum_payment
    if rule is None:
        return whole
    with decimal.localcontext(_CONTEXT):
        amount = debt.principal * rule.percent
        if rule.plus_fees_and_interest:
            amount += debt.interest + debt.fees
        return min(round_money(amount, debt.preset.rounding.mode), whole)


def principal_outstanding_principal_first(debt: OverdueDebt, as_of: date) -> Decimal:
    """Unpaid principal on ``as_of`` when every repayment counts against principal first.

    This is how the malicious-overdraft amount is counted (§5: "the unpaid actual overdraft
    principal … repayments are counted against principal first"; interest, compound
    interest and fees excluded). Principal not yet due is included: it is overdraft
    principal too.
    """
    paid = sum((p.amount for p in debt.payments if p.on <= as_of), ZERO)
    return max(ZERO, debt.principal + debt.not_yet_due_principal - paid)


def compounding_dates(debt: OverdueDebt, start: date, end: date) -> list[date]:
    """The days in ``start..end`` on which unpaid interest joins the balance (may be empty).

    Monthly on the due date's day of the month (see the module docstring); empty when the
    debt does not compound.
    """
    if not _compounds(debt):
        return []
    result = []
    months = 1
    day = _add_months(debt.due_date, months)
    while day <= end:
        if day >= start:
            result.append(day)
        months += 1
        day = _add_months(debt.due_date, months)
    return result


# -------------------------------------------------------------------- the overdue bill


def bill_on(debt: OverdueDebt, as_of: date) -> Bill:
    """The itemised amount due on ``as_of`` (paying on that day), from payments up to it.

    ``daily_cost`` is what waiting one more day adds when nothing more is paid: the next
    day's charges, and on the day before they start, the late fee and any grace-day charges.
    """
    paid = tuple(p for p in debt.payments if p.on <= as_of)
    today, tomorrow = _walk(debt, paid, as_of, as_of + _ONE_DAY)
    return replace(today, daily_cost=max(ZERO, tomorrow.total - today.total))


def daily_costs(debt: OverdueDebt, start: date, end: date) -> list[tuple[date, Decimal]]:
    """The total amount due on each day from ``start`` to ``end`` (inclusive).

    Payments count on their dates; for the "cost of waiting" chart.
    """
    if end < start:
        raise InputError("end", N_("must not be before the start date {start}"),
                         start=start.isoformat())
    return [(bill.as_of, bill.total) for bill in _walk(debt, debt.payments, start, end)]


@record
class _Terms:
    """The rules one debt is charged by, preset and overrides resolved."""

    base: PenaltyBase
    penalty_rate: Decimal
    interest_rate: Decimal
    minimum_per_day: Decimal
    compounding: bool
    grace_days: int
    charge_grace_days: bool
    tolerance: Decimal
    rounding: RoundingRule
    late_fee: LateFee
    minimum_due: Decimal
    card_basis: str | None


def _terms(debt: OverdueDebt) -> _Terms:
    preset = debt.preset
    penalty = preset.penalty
    contract = (debt.contract_daily_rate if debt.contract_daily_rate is not None
                else preset.contract_daily_rate)
    needs_contract = penalty.model is PenaltyModel.ON_TOP or (
        penalty.model is PenaltyModel.CONTRACT_MULTIPLE and debt.penalty_daily_rate is None)
    if needs_contract and contract is None:
        raise InputError("contract_daily_rate",
                         N_("is needed for the {model} model: the preset {preset} gives none"),
                         model=penalty.model.value, preset=preset.id)
    if debt.penalty_daily_rate is not None:
        rate = debt.penalty_daily_rate
    elif penalty.model in (PenaltyModel.CONTRACT_MULTIPLE, PenaltyModel.ON_TOP):
        if contract is None:
            raise StateError("contract")
        rate = contract * (penalty.multiplier if penalty.multiplier is not None else 1)
    elif penalty.daily_rate is not None:
        rate = penalty.daily_rate
    else:
        raise InputError("penalty_daily_rate",
                         N_("is needed: the preset {preset} gives no overdue rate"),
                         preset=preset.id)
    interest_rate = contract if penalty.model is PenaltyModel.ON_TOP and contract else ZERO
    compounding = _compounds(debt)
    rounding = preset.rounding
    if debt.rounding_daily is not None:
        rounding = replace(rounding, daily_amount=debt.rounding_daily)
    return _Terms(
        base=debt.penalty_base if debt.penalty_base is not None else penalty.base,
        penalty_rate=rate,
        interest_rate=interest_rate,
        minimum_per_day=penalty.minimum_per_day,
        compounding=compounding,
        grace_days=debt.grace_days if debt.grace_days is not None else preset.grace_days,
        charge_grace_days=debt.charge_grace_days is not False,
        tolerance=preset.tolerance,
        rounding=rounding,
        late_fee=preset.late_fee,
        minimum_due=minimum_due_of(debt),
        card_basis=(None if debt.interest_from is None else
                    debt.card_interest_basis or penalty.card_interest_basis or "full"),
    )


def _compounds(debt: OverdueDebt) -> bool:
    """Whether unpaid interest joins the balance monthly (the debt's own setting, else its
    preset's)."""
    penalty = debt.preset.penalty
    return (debt.compounding if debt.compounding is not None else
            penalty.compounding or penalty.model is PenaltyModel.COMPOUND_MONTHLY)


def _added_days(total: Decimal, charge: Decimal, days: int) -> Decimal:
    """``total`` after adding ``charge`` ``days`` times in :data:`_CONTEXT` (each sum rounded
    to 34 digits, as the day walk adds it), the same value in a few exact steps.

    One step when ``days`` × ``charge`` and its sum with ``total`` are not rounded at all:
    the last sum then has every place down to the lowest of ``total`` and ``charge``, and
    each day's sum, smaller, fits too. (An exact final sum is not enough: a day's sum may
    have lost a digit that the last one has again, 0 only at the end.)
    Otherwise: once a sum is in the decade [10**(k-1), 10**k) it is a multiple of
    q = 10**(k-34), so while the next sum stays below 10**k each day adds exactly ``charge``
    rounded to q (half-even; a charge exactly half way between two multiples of q depends on
    the total's last digit: those days are added one by one); the day a sum reaches the next
    decade is added on its own.
    """
    if charge > 0 and total >= 0 and days > 0:
        try:  # not rounded at all (not even a 0 dropped): the last sum, hence each, fits
            return _UNROUNDED.add(total, _UNROUNDED.multiply(charge, days))
        except decimal.Rounded:
            pass
    elif charge == 0 or days <= 0:
        return total
    else:
        for _ in range(days):
            total = _CONTEXT.add(total, charge)
        return total
    precision = _CONTEXT.prec
    while days > 0:
        total = _CONTEXT.add(total, charge)  # the first day of a decade, on its own
        days -= 1
        if days == 0:
            break
        top = total.adjusted() + 1  # 10**(top-1) <= total < 10**top
        quantum = _WIDE.scaleb(_ONE, top - precision)
        step = charge.quantize(quantum, context=_WIDE)
        if _WIDE.multiply(abs(_WIDE.subtract(charge, step)), 2) == quantum:
            continue  # half way: rounded by the total's last digit
        if step == 0:
            return total  # each day's sum rounds back to the total
        room = _WIDE.subtract(_WIDE.subtract(_WIDE.scaleb(_ONE, top), total), charge)
        if room <= 0:
            continue  # the next sum is in the next decade
        count, rest = _WIDE.divmod(room, step)  # the days j = 0, 1 … with j·step < room
        plain = min(days, int(count) + (1 if rest else 0))
        total = _CONTEXT.plus(_WIDE.add(total, _WIDE.multiply(step, plain)))
        days -= plain
    return total


class _Ledger:
    """The balances of one debt, walked day by day (mutable, private to this module).

    Charges are kept as exact running totals (``*_accrued``, contract interest due on the due
    date included) and what was paid towards them (``*_paid``); the amount due is the running
    total rounded to the fen minus what was paid. Rounding the running total once, instead
    of each posting, keeps a payment from ever adding a fen. With ``rounding.daily_amount``
    every day's charge is rounded before it is added. Charges of the grace days wait in
    ``grace_*`` until the grace days end unpaid.

    ``interest_bearing`` / ``penalty_bearing`` are the parts of the unpaid interest and
    penalty that bear charges: contract interest due on the due date under the
    ``overdue_amount`` base, and everything unpaid after a compounding step. Payments reduce
    them first (the oldest amounts are repaid first).
    """

    __slots__ = (
        "charges", "confirmed", "cycle_paid", "due", "fees", "grace_interest", "grace_penalty",
        "interest_accrued", "interest_bearing", "interest_paid", "later", "later_at",
        "not_yet_due", "on_time", "paid_on_time", "penalty_accrued", "penalty_bearing",
        "penalty_paid", "posted", "principal", "settled_day", "statement", "terms",
    )

    def __init__(self, debt: OverdueDebt, terms: _Terms) -> None:
        self.terms = terms
        self.principal = round_money(debt.principal)  # exact: only sets 2 places
        self.not_yet_due = round_money(debt.not_yet_due_principal)
        self.fees = round_money(debt.fees) + round_money(debt.extra_fee)
        self.interest_accrued = round_money(debt.interest)
        self.interest_paid = ZERO
        self.penalty_accrued = ZERO
        self.penalty_paid = ZERO
        self.grace_interest = ZERO
        self.grace_penalty = ZERO
        overdue_amount = terms.base is PenaltyBase.OVERDUE_AMOUNT
        self.interest_bearing = self.interest_due() if overdue_amount else ZERO
        self.penalty_bearing = ZERO
        self.paid_on_time = ZERO
        self.confirmed = False  # past the grace days and not paid: charges are real
        self.settled_day: int | None = 0 if self._outstanding() <= terms.tolerance else None
        self.later = debt.later
        self.later_at = 0  # the next of ``later`` to fall due
        self.on_time: tuple[tuple[int, Decimal], ...] = ()  # (day, amount) within grace
        self.cycle_paid = ZERO  # paid since the last statement step (late fee per statement)
        self.posted = debt.interest_from
        self.due = debt.due_date
        self.statement = self.principal
        #: one day's (penalty, interest) on the balances as they stand; None once a payment,
        #: an installment falling due or a compounding step changed them
        self.charges: tuple[Decimal, Decimal] | None = None

    def interest_due(self) -> Decimal:
        """Contract interest due and unpaid, to the fen."""
        return round_money(self.interest_accrued, self.terms.rounding.mode) - self.interest_paid

    def penalty_due(self) -> Decimal:
        """Penalty due and unpaid, to the fen."""
        return round_money(self.penalty_accrued, self.terms.rounding.mode) - self.penalty_paid

    def _outstanding(self) -> Decimal:
        return self.principal + self.interest_due() + self.penalty_due() + self.fees

    def _charge(self, base: Decimal, rate: Decimal, minimum: Decimal) -> Decimal:
        if base <= 0 or rate <= 0:
            return ZERO
        amount = max(base * rate, minimum)
        rounding = self.terms.rounding
        return round_money(amount, rounding.mode) if rounding.daily_amount else amount

    def end_grace(self) -> None:
        """Start of the first day after the grace days: not paid in time → charges stand."""
        if self.settled_day is not None:
            return
        self.confirmed = True
        if self.terms.charge_grace_days:
            self.interest_accrued += self.grace_interest
            self.penalty_accrued += self.grace_penalty
        self.grace_interest = ZERO
        self.grace_penalty = ZERO
        terms = self.terms
        self.fees += late_fee_due(terms.late_fee, terms.minimum_due, self.paid_on_time,
                                  terms.rounding.mode)
        self.cycle_paid = ZERO
        if self.posted is not None:
            self.interest_accrued += self._posted_interest()

    def _days_charge(self, base: Decimal, days: int) -> Decimal:
        if base <= 0 or days <= 0:
            return ZERO
        rounding = self.terms.rounding
        if rounding.daily_amount:
            return round_money(base * self.terms.penalty_rate, rounding.mode) * days
        return base * self.terms.penalty_rate * days

    def _posted_interest(self) -> Decimal:
        """Cards: the interest from the posting date up to the due date, charged once the
        statement is not paid in full (全额计息 or 按未还部分计息, ``terms.card_basis``).

        Under ``full`` a part repaid on or before the due date counts up to the day before
        its payment (as :func:`card_interest`); the unpaid part, and a part repaid in the
        grace days, up to the due date — the days after it are charged day by day.
        """
        if self.posted is None:
            return ZERO
        before = (self.due - self.posted).days  # days from posting to the day before due
        unpaid = self.statement
        total = ZERO
        for day, amount in self.on_time:
            part = min(amount, unpaid)
            if part <= 0:
                break
            unpaid -= part
            if self.terms.card_basis == "full":
                total += self._days_charge(part, before + day if day <= 0 else before + 1)
        return total + self._days_charge(unpaid, before + 1)

    def fall_due(self, day: date) -> None:
        """The later installments due on ``day`` join the overdue principal and interest."""
        later = self.later
        while self.later_at < len(later) and later[self.later_at].due <= day:
            item = later[self.later_at]
            self.later_at += 1
            take = min(item.principal, self.not_yet_due)
            if take <= 0:
                continue
            self.not_yet_due -= take
            self.principal += take
            self.charges = None
            interest = item.interest if take == item.principal else round_money(
                item.interest * take / item.principal, self.terms.rounding.mode)
            self.interest_accrued += interest
            if self.terms.base is PenaltyBase.OVERDUE_AMOUNT:
                self.interest_bearing += interest
            if self.settled_day is not None and self._outstanding() > self.terms.tolerance:
                self.settled_day = None
                self.confirmed = True

    def statement_fee(self) -> None:
        """A later statement step: its late fee when the minimum is still unpaid."""
        terms = self.terms
        if self.confirmed and self.settled_day is None:
            self.fees += late_fee_due(terms.late_fee, terms.minimum_due, self.cycle_paid,
                                      terms.rounding.mode)
        self.cycle_paid = ZERO

    def _day_charges(self) -> tuple[Decimal, Decimal]:
        """(penalty, interest) of one day on the balances as they stand."""
        if self.charges is not None:
            return self.charges
        terms = self.terms
        principal = self.principal
        if terms.base is PenaltyBase.ALL_PRINCIPAL:
            principal += self.not_yet_due
        base = principal + self.interest_bearing + self.penalty_bearing
        charges = self.charges = (self._charge(base, terms.penalty_rate, terms.minimum_per_day),
                                  self._charge(principal, terms.interest_rate, ZERO))
        return charges

    def accrue(self) -> None:
        """One day's charges on the balances at the start of the day."""
        if self.settled_day is not None:
            return
        penalty, interest = self._day_charges()
        if self.confirmed:
            self.penalty_accrued += penalty
            self.interest_accrued += interest
        else:
            self.grace_penalty += penalty
            self.grace_interest += interest

    def accrue_days(self, days: int) -> None:
        """``days`` days of :meth:`accrue` on unchanged balances, in one exact step.

        Between two events (a payment, the end of the grace days, a monthly step) the base
        and the rates do not change, so every day's charge is the same (each day's amount
        rounded first when the preset says so); ``days`` × the charge, added once, equals
        adding it ``days`` times whenever the step is exact; otherwise (a rate of 34 digits
        such as 12 % / 365) :func:`_added_days` repeats the day's rounding a decade at a time.
        """
        if self.settled_day is not None:
            return
        penalty, interest = self._day_charges()
        if self.confirmed:
            penalty_total = _added_days(self.penalty_accrued, penalty, days)
            interest_total = _added_days(self.interest_accrued, interest, days)
            self.penalty_accrued, self.interest_accrued = penalty_total, interest_total
        else:
            penalty_total = _added_days(self.grace_penalty, penalty, days)
            interest_total = _added_days(self.grace_interest, interest, days)
            self.grace_penalty, self.grace_interest = penalty_total, interest_total

    def compound(self) -> None:
        """Monthly step: all unpaid interest and penalty joins the balance that bears them."""
        if not self.confirmed or self.settled_day is not None:
            return
        self.interest_bearing = self.interest_due()
        self.penalty_bearing = self.penalty_due()
        self.charges = None

    def pay(self, amount: Decimal, day: int) -> None:
        """Allocate a payment made on overdue day ``day`` (≤ 0 before the due date)."""
        if day <= self.terms.grace_days:
            self.paid_on_time += amount
            self.on_time += ((day, amount),)
        self.cycle_paid += amount
        self.charges = None
        left = amount
        taken = min(left, self.fees)
        self.fees -= taken
        left -= taken
        penalty = self.penalty_due()  # what stays due is this less what is taken (exact:
        taken = min(left, penalty)  # amounts to the fen), not rounded a second time
        self.penalty_paid += taken
        self.penalty_bearing = max(ZERO, self.penalty_bearing - taken)
        penalty -= taken
        left -= taken
        interest = self.interest_due()
        taken = min(left, interest)
        self.interest_paid += taken
        self.interest_bearing = max(ZERO, self.interest_bearing - taken)
        interest -= taken
        left -= taken
        taken = min(left, self.principal)
        self.principal -= taken
        left -= taken
        self.not_yet_due -= min(left, self.not_yet_due)
        if (self.settled_day is None
                and self.principal + interest + penalty + self.fees <= self.terms.tolerance):
            self.settled_day = max(day, 0)
            self.grace_interest = ZERO
            self.grace_penalty = ZERO

    def bill(self, as_of: date, day: int) -> Bill:
        """The amounts due at the end of overdue day ``day``."""
        days = day if self.settled_day is None else min(day, self.settled_day)
        return Bill(as_of=as_of, principal=self.principal, interest=self.interest_due(),
                    penalty=self.penalty_due(), fees=self.fees, days_overdue=max(0, days),
                    not_yet_due=self.not_yet_due)


#: (read, write) of each slot of :class:`_Ledger`, for :meth:`_Cursor.copy`
_LEDGER_SLOTS: Final = tuple((getattr(_Ledger, name).__get__, getattr(_Ledger, name).__set__)
                             for name in _Ledger.__slots__)


class _Cursor:
    """A ledger walked one day at a time from ``day`` on (the due date or an earlier start)."""

    __slots__ = ("day", "debt", "ledger", "months", "step", "terms")

    def __init__(self, debt: OverdueDebt, terms: _Terms, first: date) -> None:
        self.debt = debt
        self.terms = terms
        self.ledger = _Ledger(debt, terms)
        self.months = 1
        self.step = _add_months(debt.due_date, 1)
        self.day = first  # the next day to walk

    def copy(self) -> _Cursor:
        twin = object.__new__(_Cursor)
        twin.debt, twin.terms, twin.months, twin.step, twin.day = (
            self.debt, self.terms, self.months, self.step, self.day)
        ledger = object.__new__(_Ledger)
        source = self.ledger
        for read, write in _LEDGER_SLOTS:
            write(ledger, read(source))
        twin.ledger = ledger
        return twin

    def walk_day(self, payments: Sequence[Payment]) -> int:
        """Walk ``self.day`` (charges, then that day's ``payments``, then the monthly step);
        returns the day's number (days after the due date)."""
        number = self.morning()
        self.evening(payments, number)
        return number

    def morning(self) -> int:
        """The first part of :meth:`walk_day`: the end of the grace days, the day's charges,
        installments falling due (``self.day`` stays; :meth:`evening` ends the day)."""
        day, ledger, terms = self.day, self.ledger, self.terms
        number = (day - self.debt.due_date).days
        if number == terms.grace_days + 1:
            ledger.end_grace()
        if number >= 1:
            ledger.accrue()
        if ledger.later_at < len(ledger.later):
            ledger.fall_due(day)
        return number

    def evening(self, payments: Sequence[Payment], number: int) -> None:
        """The rest of :meth:`walk_day` after :meth:`morning`: the day's ``payments``, then
        the monthly step; the cursor moves to the next day."""
        day, ledger, terms = self.day, self.ledger, self.terms
        for payment in payments:
            ledger.pay(payment.amount, number)
        if day == self.step:
            if terms.compounding:
                ledger.compound()
            if terms.late_fee.per_statement:
                ledger.statement_fee()
            self.months += 1
            self.step = _add_months(self.debt.due_date, self.months)
        self.day = day + _ONE_DAY


    def run(self, last: date) -> None:
        """Walk every day from ``self.day`` to ``last`` (inclusive) with no payment: the
        same as :meth:`walk_day` on each, with the plain days between two events added up
        in one step (:meth:`_Ledger.accrue_days`).

        The events, walked as a day each: the days before charges start, the end of the
        grace days, a later installment falling due, and a monthly step that does something
        (compounding or a statement's late fee; without either a monthly step only counts
        the months, and the run passes over it).
        """
        debt, terms, ledger = self.debt, self.terms, self.ledger
        grace_end = debt.due_date + timedelta(days=terms.grace_days + 1)
        first_charged = debt.due_date + _ONE_DAY
        steps = terms.compounding or terms.late_fee.per_statement
        later = ledger.later
        while self.day <= last:
            day = self.day
            if ledger.later_at < len(later):
                falls = later[ledger.later_at].due
                if falls <= day:  # only on the day itself (walk_day took the earlier ones)
                    self.walk_day(())
                    continue
                stop = min(last, falls - _ONE_DAY)
            else:
                stop = last
            if day < first_charged or day == grace_end or (steps and day == self.step):
                self.walk_day(())
                continue
            if steps:
                stop = min(stop, self.step - _ONE_DAY)
            if day < grace_end:
                stop = min(stop, grace_end - _ONE_DAY)
            days = (stop - day).days + 1
            if ledger.settled_day is None:
                try:
                    ledger.accrue_days(days)
                except decimal.Inexact:
                    while self.day <= stop:  # not exact in one step: day by day
                        self.walk_day(())
                    continue
            while self.step <= stop:  # monthly steps passed over (nothing to do on them)
                self.months += 1
                self.step = _add_months(debt.due_date, self.months)
            self.day = stop + _ONE_DAY


    def through(self, last: date) -> int | None:
        """Walk from ``self.day`` to the morning of ``last`` (:meth:`morning`, the cursor
        left on ``last``) in one exact step when every one of those days is plain — charged,
        not the end of the grace days, no installment falling due, no monthly step that does
        something before ``last`` — and no payment is made on them; returns ``last``'s number
        (days after the due date). ``None``: nothing was done (an event in the stretch, or
        the step is not exact); walk it with :meth:`run` and :meth:`morning`.

        The same as :meth:`run` up to the day before ``last`` then :meth:`morning`: on those
        days the balances and rates do not change, each morning only adds the day's charges,
        and :meth:`_Ledger.accrue_days` adds them all at once only when that is exact.
        """
        day, debt, terms, ledger = self.day, self.debt, self.terms, self.ledger
        if day <= debt.due_date or day > last:
            return None
        grace_end = debt.due_date + timedelta(days=terms.grace_days + 1)
        if day <= grace_end <= last:
            return None
        if ledger.later_at < len(ledger.later) and ledger.later[ledger.later_at].due <= last:
            return None
        steps = terms.compounding or terms.late_fee.per_statement
        if steps and self.step < last:
            return None
        if ledger.settled_day is None:
            try:
                ledger.accrue_days((last - day).days + 1)
            except decimal.Inexact:
                return None
        while self.step < last:  # monthly steps passed over (nothing to do on them)
            self.months += 1
            self.step = _add_months(debt.due_date, self.months)
        self.day = last
        return (last - debt.due_date).days


def _walk(debt: OverdueDebt, payments: Sequence[Payment], start: date, end: date, *,
          segments: bool = True) -> list[Bill]:
    """The bill at the end of each day from ``start`` to ``end``, walking from the due date.

    ``segments`` adds up the days before ``start`` between events in one step
    (:meth:`_Cursor.run`); ``False`` walks every day (the reference the property tests
    compare it with)."""
    terms = _terms(debt)
    first = min(start, debt.due_date)
    if (end - first).days > _MAX_DAYS:
        raise InputError("as_of", N_("is more than 100 years after the due date {due}"),
                         due=debt.due_date.isoformat())
    cursor = _Cursor(debt, terms, first)
    pending = sorted(payments, key=lambda p: p.on)
    index = 0
    with decimal.localcontext(_CONTEXT):
        while index < len(pending) and pending[index].on < first:
            cursor.ledger.pay(pending[index].amount, (pending[index].on - debt.due_date).days)
            index += 1
        bills = []
        while cursor.day <= end:
            day = cursor.day
            if segments and day < start:
                following = pending[index].on if index < len(pending) else start
                if following > day:
                    cursor.run(min(following, start) - _ONE_DAY)
                    continue
            today: list[Payment] = []
            while index < len(pending) and pending[index].on == day:
                today.append(pending[index])
                index += 1
            number = cursor.walk_day(today)
            if day >= start:
                bills.append(cursor.ledger.bill(day, number))
    return bills


class Walker:
    """The bills of one overdue debt on later and later dates, each day walked once.

    ``bill_on(payments, as_of)`` equals :func:`bill_on` of the debt with ``payments`` (its
    own payments are ignored). Between calls, payments may only be added on or after the
    previous ``as_of``, and ``as_of`` may only move forward; otherwise the walk starts again
    from the due date (same result, more work). For month-by-month plans.
    """

    __slots__ = ("_applied", "_cursor", "_debt", "_half", "_last", "_seen", "_sorted",
                 "_source", "_terms", "segments")

    def __init__(self, debt: OverdueDebt, *, segments: bool = True) -> None:
        #: add up the days between events in one step (``False``: walk every day, the
        #: reference the property tests compare with)
        self.segments = segments
        self._debt = debt
        self._terms = _terms(debt)
        self._cursor: _Cursor | None = None
        self._applied: list[Payment] = []
        #: the day :meth:`bill_forward` left after its :meth:`_Cursor.morning` (None: the
        #: cursor is between two days)
        self._half: date | None = None
        #: bill_forward's payments sorted by date, of the sequence it was given last
        #: (``_source``, ``_seen`` long, ending with ``_last``)
        self._sorted: list[Payment] = []
        self._source: Sequence[Payment] | None = None
        self._seen = 0
        self._last: Payment | None = None

    def bill_on(self, payments: Sequence[Payment], as_of: date, *,
                daily_cost: bool = True) -> Bill:
        """The itemised amount due on ``as_of`` with ``payments`` (those up to ``as_of``);
        ``daily_cost=False`` leaves :attr:`Bill.daily_cost` at 0 and saves walking the
        next day (a plan reads only the amounts)."""
        debt = self._debt
        if self._half is not None:  # left in the middle of a day by bill_forward
            self._cursor, self._half = None, None
        paid = sorted((p for p in payments if p.on <= as_of), key=_on_date)
        if as_of < debt.due_date:
            return bill_on(replace(debt, payments=tuple(paid)), as_of)
        if (as_of + _ONE_DAY - debt.due_date).days > _MAX_DAYS:
            raise InputError("as_of", N_("is more than 100 years after the due date {due}"),
                             due=debt.due_date.isoformat())
        cursor = self._cursor
        done = len(self._applied)
        if (cursor is None or cursor.day > as_of or paid[:done] != self._applied
                or any(p.on < cursor.day for p in paid[done:])):
            cursor = self._cursor = _Cursor(debt, self._terms, debt.due_date)
            self._applied = []
            done = 0
            with decimal.localcontext(_CONTEXT):
                while done < len(paid) and paid[done].on < debt.due_date:
                    cursor.ledger.pay(paid[done].amount, (paid[done].on - debt.due_date).days)
                    self._applied.append(paid[done])
                    done += 1
        index = done
        with decimal.localcontext(_CONTEXT):
            while cursor.day < as_of:
                following = paid[index].on if index < len(paid) else as_of
                if self.segments and following > cursor.day:
                    cursor.run(min(following, as_of) - _ONE_DAY)
                    continue
                today: list[Payment] = []
                while index < len(paid) and paid[index].on == cursor.day:
                    today.append(paid[index])
                    index += 1
                cursor.walk_day(today)
            self._applied.extend(paid[done:index])
            ahead = cursor.copy()
            bill = ahead.ledger.bill(as_of, ahead.walk_day(paid[index:]))
            if not daily_cost:
                return bill
            tomorrow = ahead.ledger.bill(as_of + _ONE_DAY, ahead.walk_day(()))
        return replace(bill, daily_cost=max(ZERO, tomorrow.total - bill.total))

    def _sorted_until(self, payments: Sequence[Payment], as_of: date) -> list[Payment]:
        """``payments`` up to ``as_of`` by date. The same list asked again with payments
        appended (as a plan appends them, in date order) is not sorted again."""
        known = self._sorted
        if payments is not self._source or len(payments) < self._seen or (
                self._seen and payments[self._seen - 1] is not self._last):
            known = self._sorted = sorted(payments, key=_on_date)
        elif len(payments) > self._seen:
            added = payments[self._seen:]
            if (known and added[0].on < known[-1].on) or any(
                    added[k].on > added[k + 1].on for k in range(len(added) - 1)):
                known = self._sorted = sorted(payments, key=_on_date)
            else:
                known.extend(added)
        self._source, self._seen = payments, len(payments)
        self._last = payments[-1] if payments else None
        if not known or known[-1].on <= as_of:
            return list(known)
        return known[:bisect_right(known, as_of, key=_on_date)]

    def bill_forward(self, payments: Sequence[Payment], as_of: date) -> Bill:
        """:meth:`bill_on` with ``daily_cost=False``, for a walk month by month where each
        ``as_of`` is later than the last and payments are only added, dated on or after the
        last ``as_of`` (a plan paying on its pay dates): each day is walked once.

        The day ``as_of`` is walked up to its payments (:meth:`_Cursor.morning`) and left
        there; the bill then is the bill of the day without payments (the monthly step adds
        no amount due, except a statement's late fee: that day is finished on a copy). The
        next call finishes the day with the payments made on it meanwhile. Anything else —
        a payment dated on ``as_of`` itself or before the day left, an earlier or the same
        ``as_of``, a date before the due date — takes :meth:`bill_on`, from the due date.
        """
        debt = self._debt
        paid = self._sorted_until(payments, as_of)
        cursor, half, done = self._cursor, self._half, len(self._applied)
        if as_of < debt.due_date or (paid and paid[-1].on == as_of):
            return self.bill_on(payments, as_of, daily_cost=False)
        if (as_of + _ONE_DAY - debt.due_date).days > _MAX_DAYS:
            raise InputError("as_of", N_("is more than 100 years after the due date {due}"),
                             due=debt.due_date.isoformat())
        with decimal.localcontext(_CONTEXT):
            if (cursor is None or half is None or as_of <= half or paid[:done] != self._applied
                    or (done < len(paid) and paid[done].on < half)):
                cursor = self._cursor = _Cursor(debt, self._terms, debt.due_date)
                self._applied = []
                half = self._half = None
                done = 0
                while done < len(paid) and paid[done].on < debt.due_date:
                    cursor.ledger.pay(paid[done].amount, (paid[done].on - debt.due_date).days)
                    self._applied.append(paid[done])
                    done += 1
            index = done
            if half is not None:  # finish the day left, with its payments
                today: list[Payment] = []
                while index < len(paid) and paid[index].on == half:
                    today.append(paid[index])
                    index += 1
                cursor.evening(today, (half - debt.due_date).days)
            number = (cursor.through(as_of) if self.segments and index == len(paid)
                      else None)
            while number is None and cursor.day < as_of:
                following = paid[index].on if index < len(paid) else as_of
                if self.segments and following > cursor.day:
                    cursor.run(min(following, as_of) - _ONE_DAY)
                    continue
                today = []
                while index < len(paid) and paid[index].on == cursor.day:
                    today.append(paid[index])
                    index += 1
                cursor.walk_day(today)
            self._applied.extend(paid[done:index])
            if number is None:
                number = cursor.morning()
            self._half = as_of
            if as_of == cursor.step and self._terms.late_fee.per_statement:
                ahead = cursor.copy()
                ahead.evening((), number)
                return ahead.ledger.bill(as_of, number)
            return cursor.ledger.bill(as_of, number)


def _on_date(payment: Payment) -> date:
    """A payment's date (the sort key of the walks)."""
    return payment.on


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if day.day <= 28:  # every month has the day
        return date(year, month, day.day)
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    """``calendar.monthrange(year, month)[1]`` without importing calendar (issue 16)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _check_fen(field: str, value: Decimal) -> None:
    if round_money(value) != value:
        raise InputError(field, N_("{value} has more than 2 decimal places; amounts are in "
                                   "yuan and fen"), value=str(value))


def _check_not_negative(field: str, value: Decimal) -> None:
    if value < 0:
        raise InputError(field, N_("must not be negative (got {value})"), value=str(value))


# ------------------------------------------------------------------ credit-card interest


@record
class CardTransaction:
    """A posting on a card statement.

    Attributes:
        posted: the posting date (记账日); interest counts from this day.
        amount: the amount, more than 0.
    """

    posted: date
    amount: Decimal


class SegmentKind(StrEnum):
    """What a :class:`Segment` of card interest is."""

    REPAID = "repaid"  # the part of a posting repaid on a date: accrues until the day before
    UNPAID = "unpaid"  # the part still unpaid: accrues to the next statement date


class CardNote(StrEnum):
    """Facts about a :func:`card_interest` result, for the fronts to explain."""

    INTEREST_FREE_KEPT = "interest_free_kept"  # paid in full by the due date: no interest
    PAID_IN_GRACE = "paid_in_grace"  # ... but only within the grace days after it
    WITHIN_TOLERANCE = "within_tolerance"  # a remainder within the tolerance counted as paid
    INTEREST_FREE_LOST = "interest_free_lost"  # not paid in full: interest from posting dates
    OLDEST_FIRST = "payments_oldest_first"  # payments were applied to the oldest postings
    LATE_PAYMENTS_IGNORED = "payments_after_next_statement_ignored"


@record
class Segment:
    """One line of card interest: part of one posting, over a run of days.

    Attributes:
        start: first day counted (the posting date).
        end: last day counted (inclusive).
        balance: the part of the posting this line is for.
        days: days counted, ``start``..``end`` inclusive.
        interest: balance × daily rate × days, rounded to the fen.
        kind: repaid part or unpaid part.
        transaction: the posting this part belongs to.
        repaid_on: the payment day, for a repaid part.
    """

    start: date
    end: date
    balance: Decimal
    days: int
    interest: Decimal
    kind: SegmentKind
    transaction: CardTransaction
    repaid_on: date | None = None


@record
class CardInterest:
    """Interest that a statement's postings bear on the next statement.

    Attributes:
        statement_balance: the postings added up.
        paid_by_due: payments up to the due date plus the grace days.
        segments: the lines the interest is made of (empty when there is none).
        interest: the interest, the sum of the segments.
        full_payment: the statement counts as paid in full in time: no interest.
        paid_in_grace: it only counts so thanks to the grace days.
        notes: facts the fronts should show with the result.
    """

    statement_balance: Decimal
    paid_by_due: Decimal
    segments: tuple[Segment, ...]
    interest: Decimal
    full_payment: bool
    paid_in_grace: bool
    notes: tuple[CardNote, ...]


def card_interest(daily_rate: Decimal, statement_date: date, due_date: date,
                  next_statement_date: date, transactions: Sequence[CardTransaction],
                  payments: Sequence[Payment], *, rounding: RoundingRule | None = None,
                  tolerance: Decimal = ZERO, grace_days: int = 0,
                  basis: str = "full") -> CardInterest:
    """Interest on a card statement that was not paid in full (全额计息, §3.5).

    Paid in full by the due date (or within ``grace_days`` after it; an unpaid remainder no
    larger than ``tolerance`` counts as paid, §3.3): no interest. Otherwise the
    interest-free period is lost for the whole statement:

    * every posting accrues from its posting date;
    * a repaid part stops accruing on the payment date — it is counted from the posting date
      up to the day before the payment (days = payment date − posting date);
    * the rest accrues up to the next statement date, inclusive, where the interest appears.

    Payments are applied to the oldest postings first (an assumption: banks do not publish
    the order); payments after ``next_statement_date`` belong to the next cycle and are left
    out. Each line is rounded to the fen (each day's amount first when
    ``rounding.daily_amount``) and the interest is the sum of the lines. The late fee is
    separate (:func:`late_fee_due`) and bears no interest.

    ``basis="unpaid"`` (按未还部分计息, the bank's rule when the bill shows it) leaves out
    the repaid parts: only what is still unpaid bears interest from its posting date.
    """
    rule = rounding or RoundingRule()
    _check_not_negative("daily_rate", daily_rate)
    _check_not_negative("tolerance", tolerance)
    if grace_days < 0:
        raise InputError("grace_days", N_("must not be negative (got {value})"),
                         value=grace_days)
    if not statement_date <= due_date <= next_statement_date \
            or statement_date >= next_statement_date:
        raise InputError("due_date", N_("dates must be in order: statement_date ≤ due_date ≤ "
                                        "next_statement_date"))
    for item in transactions:
        if item.amount <= 0:
            raise InputError("transactions", N_("a posting must be more than 0 (got {value})"),
                             value=str(item.amount))
        if item.posted > statement_date:
            raise InputError("transactions",
                             N_("the posting of {posted} is after the statement date {date}"),
                             posted=item.posted.isoformat(), date=statement_date.isoformat())
    if basis not in ("full", "unpaid"):
        raise InputError("basis", N_("must be one of: {known}"), known="full, unpaid")
    with decimal.localcontext(_CONTEXT):
        result = _card_interest(daily_rate, due_date, next_statement_date, transactions,
                                payments, rule, tolerance, grace_days)
    if basis == "unpaid" and not result.full_payment:
        kept = tuple(s for s in result.segments if s.kind is SegmentKind.UNPAID)
        result = replace(result, segments=kept, interest=sum((s.interest for s in kept), ZERO))
    return result


def _card_interest(daily_rate: Decimal, due_date: date, next_statement_date: date,
                   transactions: Sequence[CardTransaction], payments: Sequence[Payment],
                   rule: RoundingRule, tolerance: Decimal, grace_days: int) -> CardInterest:
    balance = sum((item.amount for item in transactions), ZERO)
    last_on_time = due_date + timedelta(days=grace_days)
    paid_by_due = sum((p.amount for p in payments if p.on <= last_on_time), ZERO)
    paid_by_due_date = sum((p.amount for p in payments if p.on <= due_date), ZERO)
    notes: list[CardNote] = []
    if balance - paid_by_due <= tolerance:
        in_grace = balance - paid_by_due_date > tolerance
        notes.append(CardNote.INTEREST_FREE_KEPT)
        if in_grace:
            notes.append(CardNote.PAID_IN_GRACE)
        if paid_by_due < balance:
            notes.append(CardNote.WITHIN_TOLERANCE)
        return CardInterest(balance, paid_by_due, (), ZERO, True, in_grace, tuple(notes))
    notes.append(CardNote.INTEREST_FREE_LOST)
    counted = sorted((p for p in payments if p.on <= next_statement_date), key=lambda p: p.on)
    if len(counted) < len(payments):
        notes.append(CardNote.LATE_PAYMENTS_IGNORED)
    if counted:
        notes.append(CardNote.OLDEST_FIRST)
    postings = sorted(transactions, key=lambda item: item.posted)
    unpaid = [item.amount for item in postings]
    segments: list[Segment] = []
    for payment in counted:
        left = payment.amount
        for index, item in enumerate(postings):
            if left <= 0:
                break
            part = min(left, unpaid[index])
            if part <= 0:
                continue
            unpaid[index] -= part
            left -= part
            days = max(0, (payment.on - item.posted).days)
            if days:
                segments.append(_segment(item, part, days, payment.on - _ONE_DAY, daily_rate,
                                         rule, SegmentKind.REPAID, payment.on))
    for index, item in enumerate(postings):
        if unpaid[index] > 0:
            days = (next_statement_date - item.posted).days + 1
            segments.append(_segment(item, unpaid[index], days, next_statement_date,
                                     daily_rate, rule, SegmentKind.UNPAID, None))
    segments.sort(key=lambda s: (s.start, s.end))
    interest = sum((s.interest for s in segments), ZERO)
    return CardInterest(balance, paid_by_due, tuple(segments), interest, False, False,
                        tuple(notes))


def _segment(item: CardTransaction, balance: Decimal, days: int, end: date, rate: Decimal,
             rule: RoundingRule, kind: SegmentKind, repaid_on: date | None) -> Segment:
    if rule.daily_amount:
        interest = round_money(balance * rate, rule.mode) * days
    else:
        interest = round_money(balance * rate * days, rule.mode)
    return Segment(start=item.posted, end=end, balance=balance, days=days, interest=interest,
                   kind=kind, transaction=item, repaid_on=repaid_on)
