"""What each arrangement (协商方案) would cost: the dated schedule, totals and APR.

A :class:`Proposal` is evaluated against a :class:`~xieshang.engine.bill.Bill` (what is owed
today, by component) and the product's :class:`~xieshang.engine.preset.Preset`:

* ``PAY_NOW`` — pay everything today (the baseline the others are compared with);
* ``INSTALLMENTS`` — the product's installments (分期), fee-based (the preset's fee table or a
  given fee rate) or rate-based (an annual rate, repaid by :class:`Method`);
* ``PERSONALISED`` — personalised installments (个性化分期), at most the preset's longest term
  when it states one; without a rate or fee, interest-free (the usual ask, 停息分期);
* ``DEFERRAL`` — nothing paid for N months (or a token payment each of those months), then
  one payment, or installments that start after the deferral; with or without interest
  during it;
* ``SETTLEMENT`` — one lump sum (结清), today or on a given date.

Any proposal may also waive part of the penalty, fees or interest (减免) and take a down
payment today; these combine freely with installments and a deferral.

The amount rescheduled is ``bill.total − waived − down payment``. ``Evaluation.flows`` are
``−rescheduled`` on ``today`` followed by every payment (the down payment is paid today and so
nets out); the annualised rates come from those flows through :mod:`xieshang.engine.rates`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from xieshang.engine._record import filler
from xieshang.engine.bill import Bill
from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import ZERO, D, money, round_money
from xieshang.engine.preset import Preset
from xieshang.engine.schedules import (
    MAX_PERIODS,
    Method,
    Row,
    Schedule,
    add_months,
    annuity,
    equal_principal,
    fixed_fee_installment,
    interest_only,
)

if TYPE_CHECKING:
    from xieshang.engine.rates import AnnualRates

__all__ = [
    "ASK",
    "ASK_INSTALLMENT_TERMS",
    "DEFERRAL_COST_UNKNOWN",
    "DEFERRAL_LONGER",
    "NOT_LISTED",
    "PERSONALISED_TERMS",
    "SETTLEMENT_NOT_BELOW",
    "TERM_ABOVE_MAX",
    "Evaluation",
    "Kind",
    "Phase",
    "Proposal",
    "evaluate",
    "phases",
    "standard_options",
]

# Warnings (English msgids; the fronts translate them).
ASK: Final = N_(
    "These terms are not published for this product: they are something to ask for, "
    "and the lender may refuse or offer something else."
)
TERM_ABOVE_MAX: Final = N_(
    "The term is longer than the longest term this product's rules allow."
)
NOT_LISTED: Final = N_("This product's rules do not mention personalised installments.")
DEFERRAL_LONGER: Final = N_(
    "The deferral is longer than the one this product's rules mention."
)
DEFERRAL_COST_UNKNOWN: Final = N_(
    "What the lender charges during a deferral is not known; this assumes nothing, so ask "
    "before agreeing."
)
SETTLEMENT_NOT_BELOW: Final = N_("The settlement amount is not less than what is owed today.")

#: Terms offered as personalised installments by :func:`standard_options` (capped by the
#: preset's maximum; the maximum itself is always offered when the preset states one).
PERSONALISED_TERMS: Final = (12, 24, 36, 60)
#: Installment terms offered as an ask where a product publishes no installment terms.
ASK_INSTALLMENT_TERMS: Final = (6, 12)

_ONE: Final = Decimal(1)


class Kind(StrEnum):
    """The kind of arrangement."""

    PAY_NOW = "pay_now"
    INSTALLMENTS = "installments"
    PERSONALISED = "personalised"
    DEFERRAL = "deferral"
    SETTLEMENT = "settlement"


@dataclass(frozen=True, slots=True)
class Proposal:
    """An arrangement to evaluate; fields that do not apply to its kind keep their defaults.

    Attributes:
        kind: the kind of arrangement.
        periods: number of monthly installments (≥ 1 for installment kinds; with a deferral,
            the installments that follow it; 0 = one payment).
        deferral_months: months with nothing to pay before the first payment.
        interest_during_deferral: charge ``annual_rate`` ÷ 12 a month on the rescheduled
            amount during the deferral (paid with the first payment).
        annual_rate: interest as a fraction a year (0.12 = 12 %): rate-based installments,
            and the deferral interest.
        monthly_fee_rate: installment fee per period as a fraction of the amount.
        total_fee_rate: installment fee over the whole term as a fraction of the amount.
        waive_penalty: share of the penalty waived, 0 to 1.
        waive_fees: share of the fees waived, 0 to 1.
        waive_interest: share of the interest due waived, 0 to 1.
        settlement_amount: the lump sum of a settlement.
        down_payment: paid today, before the rest is rescheduled.
        method: how rate-based installments repay principal.
        pay_on: the date of a settlement payment (default: today).
        token_payment: with a deferral, paid in each deferred month (a token phase: the
            first ``deferral_months`` payments), then the installments repay the rest;
            needs at least one installment.
    """

    kind: Kind
    periods: int = 0
    deferral_months: int = 0
    interest_during_deferral: bool = False
    annual_rate: Decimal | None = None
    monthly_fee_rate: Decimal | None = None
    total_fee_rate: Decimal | None = None
    waive_penalty: Decimal = Decimal(0)
    waive_fees: Decimal = Decimal(0)
    waive_interest: Decimal = Decimal(0)
    settlement_amount: Decimal | None = None
    down_payment: Decimal = Decimal("0.00")
    method: Method = Method.EQUAL_PRINCIPAL
    pay_on: date | None = None
    token_payment: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What a proposal costs.

    Attributes:
        proposal: the proposal evaluated.
        schedule: the dated payments after the down payment.
        waived: the amount waived (for a settlement: what is owed minus the settlement).
        rescheduled: the amount the schedule repays (bill total − waived − down payment).
        down_payment: paid today.
        total_paid: down payment + every scheduled payment.
        cost_over_principal: ``total_paid − bill.principal`` (negative when waivers or a
            settlement take off more than the charges).
        monthly_amount: the regular payment (the most frequent one; for equal principal,
            the first and largest).
        max_payment: the largest single payment (a balloon or a lump sum).
        flows: ``−rescheduled``, then each payment, for the APR.
        dates: the date of each flow (``today`` first).
        warnings: English msgids to show with the option.
        ask: True when the terms are not the product's published terms: the person has to
            ask for them and the lender may refuse.
    """

    proposal: Proposal
    schedule: Schedule
    waived: Decimal
    rescheduled: Decimal
    down_payment: Decimal
    total_paid: Decimal
    cost_over_principal: Decimal
    monthly_amount: Decimal
    max_payment: Decimal
    flows: tuple[Decimal, ...]
    dates: tuple[date, ...]
    warnings: tuple[str, ...] = ()
    ask: bool = False

    @property
    def monthly_flows(self) -> tuple[Decimal, ...] | None:
        """The flows on a monthly grid from ``dates[0]`` (zeros for months without payment).

        ``None`` when a payment does not fall on a whole month after the first date (a
        settlement on an arbitrary day): a per-period IRR would then be wrong.
        """
        dates = self.dates
        start = dates[0]
        year, month = start.year, start.month
        if len(dates) > 1:
            # the usual schedule: a payment on each month from the first one's on, all
            # on the start's day (the dates the schedules were built with)
            first = (dates[1].year - year) * 12 + dates[1].month - month
            count = len(dates) - 1
            if first >= 1 and first + count <= MAX_PERIODS + 1 and _month_dues(
                    start, 0, first + count - 1)[first - 1:] == dates[1:]:
                zero = ZERO
                return (zero + self.flows[0], *(zero,) * (first - 1),
                        *map(zero.__add__, self.flows[1:]))
        counts = [(day.year - year) * 12 + day.month - month for day in dates]
        if min(counts) < 0:
            return None
        last = max(counts)
        if last <= MAX_PERIODS:
            # add_months(start, m) for m ≥ 1, from the table the schedules' dates come from
            whole = _month_dues(start, 0, last)
            if any((whole[months - 1] if months else start) != day
                   for months, day in zip(counts, dates, strict=True)):
                return None
        elif any(add_months(start, months) != day
                 for months, day in zip(counts, dates, strict=True)):
            return None
        grid: dict[int, Decimal] = {}
        for months, flow in zip(counts, self.flows, strict=True):
            grid[months] = grid.get(months, ZERO) + flow
        return tuple(grid.get(k, ZERO) for k in range(max(grid) + 1))

    @property
    def apr_nominal(self) -> Decimal | None:
        """Monthly IRR × 12 (None when nothing is paid later than today, or rates is absent)."""
        rates = self._annual_rates()
        return None if rates is None else rates.nominal

    @property
    def apr_effective(self) -> Decimal | None:
        """(1 + monthly IRR)^12 − 1 (None as for :attr:`apr_nominal`)."""
        rates = self._annual_rates()
        return None if rates is None else rates.effective

    def _annual_rates(self) -> AnnualRates | None:
        flows = self.monthly_flows
        if flows is None or len(flows) < 2:
            return None
        try:  # imported here so this module does not depend on rates being present
            from xieshang.engine.rates import annualised
        except ImportError:  # pragma: no cover
            return None
        return annualised(flows)


# ------------------------------------------------------------------------------- checks


def _fraction(value: Decimal | int | str, field: str) -> Decimal:
    share = value if value.__class__ is Decimal else D(value)
    if not 0 <= share <= 1:
        raise InputError(field, N_("must be between 0 and 1 (got {value})"), value=value)
    return share


def _rate(value: Decimal | int | str | None, field: str) -> Decimal | None:
    if value is None:
        return None
    rate = D(value)
    if rate < 0:
        raise InputError(field, N_("must not be negative (got {value})"), value=value)
    return rate


def _whole(value: int, field: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (
        minimum <= value <= MAX_PERIODS
    ):
        raise InputError(field, N_("must be a whole number from {minimum} to {maximum} "
                                   "(got {value})"),
                         minimum=minimum, maximum=MAX_PERIODS, value=value)
    return value


#: each kind's proposal with every field at its default (frozen, so shared)
_DEFAULTS: Final = {kind: Proposal(kind) for kind in Kind}


def _must_be_unset(proposal: Proposal, kind: Kind, *fields: str) -> None:
    defaults = _DEFAULTS[kind]
    for name in fields:
        if getattr(proposal, name) != getattr(defaults, name):
            raise InputError(name, N_("does not apply to this kind of arrangement ({kind})"),
                             kind=kind.value)


# ----------------------------------------------------------------------------- evaluate


def evaluate(bill: Bill, preset: Preset, proposal: Proposal, *, today: date) -> Evaluation:
    """Evaluate one proposal against what is owed today.

    Args:
        bill: what is owed on ``today``, by component.
        preset: the product's rules (fee table, rounding, negotiation limits).
        proposal: the arrangement.
        today: the date the arrangement starts (the bill's date, normally).

    Returns:
        The dated schedule, totals, the regular payment, flows for the APR and warnings.

    Raises:
        InputError: a value is out of range or does not apply to the kind; the field is
            named ("periods", "waive_penalty", "down_payment", "settlement_amount", …).
    """
    kind = proposal.kind if proposal.kind.__class__ is Kind else Kind(proposal.kind)
    mode = preset.rounding.mode
    warnings: list[str] = []
    limits = preset.negotiation

    if kind is Kind.SETTLEMENT:
        _must_be_unset(proposal, kind, "periods", "deferral_months", "interest_during_deferral",
                       "waive_penalty", "waive_fees", "waive_interest", "down_payment",
                       "token_payment")
        if proposal.settlement_amount is None:
            raise InputError("settlement_amount", N_("give the settlement amount"))
        amount = money(proposal.settlement_amount, "settlement_amount")
        if amount <= 0:
            raise InputError("settlement_amount", N_("must be more than 0 (got {value})"),
                             value=proposal.settlement_amount)
        pay_on = today if proposal.pay_on is None else proposal.pay_on
        if pay_on < today:
            raise InputError("pay_on", N_("must not be before {today} (got {value})"),
                             today=today.isoformat(), value=pay_on.isoformat())
        warnings.append(ASK)
        if amount >= bill.total:
            warnings.append(SETTLEMENT_NOT_BELOW)
        schedule = _lump(amount, pay_on, ZERO)
        return _result(bill, proposal, schedule, max(bill.total - amount, ZERO), amount, ZERO,
                       today, warnings, ask=True)
    _must_be_unset(proposal, kind, "settlement_amount", "pay_on")

    waived = (
        round_money(bill.penalty * _fraction(proposal.waive_penalty, "waive_penalty"), mode)
        + round_money(bill.fees * _fraction(proposal.waive_fees, "waive_fees"), mode)
        + round_money(bill.interest * _fraction(proposal.waive_interest, "waive_interest"), mode)
    )
    owed = bill.total - waived
    if owed <= 0:
        raise InputError("amount", N_("nothing is owed on this debt after the waivers"))
    ask = waived > 0

    if kind is Kind.PAY_NOW:
        _must_be_unset(proposal, kind, "periods", "deferral_months", "interest_during_deferral",
                       "annual_rate", "monthly_fee_rate", "total_fee_rate", "down_payment",
                       "token_payment")
        return _result(bill, proposal, _lump(owed, today, ZERO), waived, owed, ZERO, today,
                       [ASK] if ask else [], ask=ask)

    down = money(proposal.down_payment, "down_payment")
    if not 0 <= down < owed:
        raise InputError("down_payment",
                         N_("must be at least 0 and less than the {owed} owed (got {value})"),
                         owed=owed, value=proposal.down_payment)
    rescheduled = owed - down
    minimum_periods = 0 if kind is Kind.DEFERRAL else 1
    periods = _whole(proposal.periods, "periods", minimum_periods)
    deferral = _whole(proposal.deferral_months, "deferral_months",
                      1 if kind is Kind.DEFERRAL else 0)
    annual = _rate(proposal.annual_rate, "annual_rate")
    monthly_fee = _rate(proposal.monthly_fee_rate, "monthly_fee_rate")
    total_fee = _rate(proposal.total_fee_rate, "total_fee_rate")
    fee_given = monthly_fee is not None or total_fee is not None
    if annual is not None and fee_given and not proposal.interest_during_deferral:
        raise InputError("annual_rate", N_("give either an annual rate or a fee rate, not both"))
    if proposal.interest_during_deferral and not deferral:
        raise InputError("interest_during_deferral", N_("applies only with a deferral"))
    if proposal.interest_during_deferral and annual is None:
        raise InputError("annual_rate", N_("give the annual rate charged during the deferral"))
    if fee_given and periods == 0:
        raise InputError("periods", N_("a fee rate needs a number of installments"))

    if kind is Kind.PERSONALISED:
        ask = True
        if limits.max_term_months is not None and periods > limits.max_term_months:
            raise InputError("periods",
                             N_("must be at most {maximum} months for this product (got {value})"),
                             maximum=limits.max_term_months, value=periods)
        if not limits.personalised_installments:
            warnings.append(NOT_LISTED)
    elif (kind is Kind.INSTALLMENTS and limits.max_term_months is not None
          and periods > limits.max_term_months):
        warnings.append(TERM_ABOVE_MAX)
    if deferral:
        ask = True
        if limits.deferral_months is not None and deferral > limits.deferral_months:
            warnings.append(DEFERRAL_LONGER)
        if not proposal.interest_during_deferral:
            warnings.append(DEFERRAL_COST_UNKNOWN)

    token = money(proposal.token_payment, "token_payment")
    if token < 0:
        raise InputError("token_payment", N_("must not be negative (got {value})"),
                         value=proposal.token_payment)
    if token and not deferral:
        raise InputError("token_payment", N_("applies only with a deferral"))
    if token and periods == 0:
        raise InputError("periods", N_("token payments need installments after them"))
    if token * deferral >= rescheduled:
        raise InputError("token_payment",
                         N_("the token payments must add up to less than the {owed} "
                            "rescheduled (got {value})"),
                         owed=rescheduled, value=token * deferral)

    deferral_interest = ZERO
    if proposal.interest_during_deferral and annual is not None and deferral:
        # on what is still owed in each deferred month (less after each token payment)
        deferral_interest = sum(
            (round_money((rescheduled - token * month) * annual / 12, mode)
             for month in range(deferral)), ZERO) if token else round_money(
            rescheduled * annual / 12 * deferral, mode)

    if token:
        rest = rescheduled - token * deferral
        built, published = _installments(rest, periods, kind, annual, monthly_fee, total_fee,
                                         proposal.method, preset,
                                         _month_dues(today, deferral, periods))
        ask = True
        schedule = _token_phase(_with_deferral_interest(built, deferral_interest), today,
                                deferral, token, rescheduled)
    elif periods == 0:
        schedule = _lump(rescheduled, add_months(today, deferral), deferral_interest)
    else:
        built, published = _installments(rescheduled, periods, kind, annual, monthly_fee,
                                          total_fee, proposal.method, preset,
                                          _month_dues(today, deferral, periods))
        ask = ask or not published
        schedule = _with_deferral_interest(built, deferral_interest)
    if ask:
        warnings.insert(0, ASK)
    return _result(bill, proposal, schedule, waived, rescheduled, down, today, warnings, ask=ask)


def _installments(
    amount: Decimal,
    periods: int,
    kind: Kind,
    annual: Decimal | None,
    monthly_fee: Decimal | None,
    total_fee: Decimal | None,
    method: Method,
    preset: Preset,
    dues: Sequence[date],
) -> tuple[Schedule, bool]:
    """The installment schedule, period ``k`` due on ``dues[k − 1]``, and whether its terms
    are the preset's own."""
    mode = preset.rounding.mode
    residue = preset.installments.residue
    listed = preset.installments.total_rate(periods)
    if monthly_fee is not None or total_fee is not None:
        schedule = fixed_fee_installment(amount, periods, total_fee_rate=total_fee,
                                         monthly_fee_rate=monthly_fee, residue=residue,
                                         rounding=mode, dues=dues)
        rate = total_fee if total_fee is not None else (monthly_fee or ZERO) * periods
        return schedule, kind is Kind.INSTALLMENTS and rate == listed
    if annual is None and kind is Kind.INSTALLMENTS:
        if listed is None:
            offered = ", ".join(str(row.periods) for row in preset.installments.fees) or "-"
            raise InputError("periods",
                             N_("this product lists no installment fee for {periods} periods "
                                "(it lists: {offered}); give a fee rate or an annual rate"),
                             periods=periods, offered=offered)
        schedule = fixed_fee_installment(amount, periods, total_fee_rate=listed,
                                         residue=residue, rounding=mode, dues=dues)
        return schedule, True
    build = _BUILDERS[method if method.__class__ is Method else Method(method)]
    monthly = (annual or Decimal(0)) / 12
    return build(amount, monthly, periods, rounding=mode, dues=dues), False


_BUILDERS: Final = {Method.ANNUITY: annuity, Method.EQUAL_PRINCIPAL: equal_principal,
                    Method.INTEREST_ONLY: interest_only}


def _lump(amount: Decimal, due: date, interest: Decimal) -> Schedule:
    row = Row(period=1, due=due, payment=amount + interest, principal=amount,
              interest=interest, fee=ZERO, balance=ZERO)
    return Schedule(principal=amount, rows=(row,), method="lump_sum")


#: the due dates ``add_months(today, deferral + k)``, k = 1, 2, …, by (today, deferral):
#: every term a ladder looks at uses a prefix of the same dates (a tuple replaced whole,
#: never changed in place, so threads sharing it never see it half made)
_DUES: dict[tuple[date, int], tuple[date, ...]] = {}


def _month_dues(today: date, deferral: int, periods: int) -> tuple[date, ...]:
    """Period ``k`` of an arrangement starting ``today`` after ``deferral`` months with
    nothing to pay is due ``add_months(today, deferral + k)``: the ``periods`` dates."""
    known = _DUES.get((today, deferral))
    if known is None or len(known) < periods:
        if len(_DUES) >= 256:
            _DUES.clear()
        known = _DUES[(today, deferral)] = tuple(
            add_months(today, deferral + k) for k in range(1, max(periods, 60) + 1))
    return known[:periods]


def _with_deferral_interest(schedule: Schedule, interest: Decimal) -> Schedule:
    """The deferral interest added to the first payment."""
    if not interest:
        return schedule
    first = schedule.rows[0]
    rows = (replace(first, interest=first.interest + interest,
                    payment=first.payment + interest), *schedule.rows[1:])
    return replace(schedule, rows=rows)


def _token_phase(installments: Schedule, today: date, deferral: int, token: Decimal,
                 rescheduled: Decimal) -> Schedule:
    """A token payment in each deferred month (1 … ``deferral`` months after today), then
    the installments, numbered on."""
    rows = [Row(period=month, due=add_months(today, month), payment=token, principal=token,
                interest=ZERO, fee=ZERO, balance=rescheduled - token * month)
            for month in range(1, deferral + 1)]
    rows += [replace(row, period=row.period + deferral) for row in installments.rows]
    return Schedule(principal=rescheduled, rows=tuple(rows), method=installments.method,
                    note=installments.note)


def _regular(payments: Sequence[Decimal]) -> Decimal:
    """The most frequent payment (the largest of the most frequent; of equal payments the
    first: the one ``Counter`` keeps).

    A schedule's payments are mostly one amount repeated (a first or last one differs): when
    the middle payment's amount is more than half of them, it is the most frequent alone,
    and the first payment of that amount is the one ``Counter`` keeps."""
    middle = payments[len(payments) // 2]
    if payments.count(middle) * 2 > len(payments):
        return payments[payments.index(middle)]
    counts = Counter(payments)
    return max(counts, key=lambda payment: (counts[payment], payment))


def _sum_and_max(payments: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """``(sum(payments, ZERO), max(payments))``, a run of one payment object (a schedule's
    regular payment is one object, row after row) taken at once: ``count`` times it is the
    sum of the run to the digit and exponent (amounts in fen are added exactly), and its
    first is what ``max`` keeps of it."""
    total = ZERO
    largest = run = payments[0]
    count = 0
    for payment in payments:
        if payment is run:
            count += 1
            continue
        total += run * count if count > 1 else run
        if run > largest:
            largest = run
        run, count = payment, 1
    total += run * count if count > 1 else run
    return total, run if run > largest else largest


#: ``Evaluation`` by position, its slots filled directly (:func:`filler`; one a term tried).
_make_evaluation: Final[Callable[
    [Proposal, Schedule, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal,
     tuple[Decimal, ...], tuple[date, ...], tuple[str, ...], bool], Evaluation]] = filler(
    Evaluation, ("proposal", "schedule", "waived", "rescheduled", "down_payment",
                 "total_paid", "cost_over_principal", "monthly_amount", "max_payment",
                 "flows", "dates", "warnings", "ask"))


def _result(
    bill: Bill,
    proposal: Proposal,
    schedule: Schedule,
    waived: Decimal,
    rescheduled: Decimal,
    down: Decimal,
    today: date,
    warnings: list[str],
    *,
    ask: bool,
) -> Evaluation:
    payments = schedule.payments()  # (the schedule's rows are made only when read)
    total, largest = _sum_and_max(payments)
    total_paid = down + total  # Schedule.total_paid, the payments at hand
    return _make_evaluation(
        proposal, schedule, waived, rescheduled, down, total_paid,
        total_paid - bill.principal, _regular(payments), largest,
        (-rescheduled, *payments),
        (today, *[due if due is not None else today for due in schedule.due_dates()]),
        tuple(warnings), ask)


# ----------------------------------------------------------------------- standard options


def standard_options(bill: Bill, preset: Preset, *, today: date) -> list[Evaluation]:
    """The options a person should see for this debt, from the preset's own terms.

    In order: pay everything now; pay now asking for the penalty to be waived (when there
    is a penalty; the guide's §6.3); each row of the preset's installment fee table (e.g.
    Huabei 3/6/9/12); where the product publishes no installment terms, asks for 6 and 12
    monthly installments at the contract rate with the penalty waived (the guide's §6.2);
    personalised installments of 12/24/36/60 months up to the preset's
    longest term (only when the preset mentions personalised installments; interest-free
    with the penalty waived — marked as an ask); a deferral of the preset's length (only
    when the preset mentions one; marked as an ask). Nothing the preset does not state is
    offered.
    """
    proposals = [Proposal(Kind.PAY_NOW)]
    if bill.penalty > 0:
        # the guide (§6.3): pay what you can and ask for the penalty to be waived
        proposals.append(Proposal(Kind.PAY_NOW, waive_penalty=_ONE))
    proposals += [Proposal(Kind.INSTALLMENTS, periods=row.periods, total_fee_rate=row.total_rate)
                  for row in preset.installments.fees]
    limits = preset.negotiation
    if not preset.installments.fees and not limits.personalised_installments:
        # the guide (§6.2): ask to repay in installments — at the contract rate when the
        # preset knows it, with the penalty waived; an ask, never a published term
        annual = (preset.contract_daily_rate * preset.day_basis.days
                  if preset.contract_daily_rate is not None else None)
        proposals += [Proposal(Kind.INSTALLMENTS, periods=t, annual_rate=annual,
                               waive_penalty=_ONE if bill.penalty > 0 else ZERO)
                      for t in ASK_INSTALLMENT_TERMS]
    if limits.personalised_installments:
        maximum = limits.max_term_months
        terms = [t for t in PERSONALISED_TERMS if maximum is None or t <= maximum]
        if maximum is not None and maximum not in terms:
            terms.append(maximum)
        proposals += [Proposal(Kind.PERSONALISED, periods=t, waive_penalty=_ONE)
                      for t in terms]
    if limits.deferral_months is not None:
        proposals.append(Proposal(Kind.DEFERRAL, deferral_months=limits.deferral_months))
    return [evaluate(bill, preset, proposal, today=today) for proposal in proposals]


# ---------------------------------------------------------------------------------- phases


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase of an arrangement, as the person keeps it.

    Attributes:
        kind: ``down_payment`` (paid on the first day), ``deferral`` (nothing to pay),
            ``token`` (a small payment each month), ``installments`` or ``settlement``
            (one lump sum).
        start: its first day (a deferral) or its first payment's date.
        end: its last day (a deferral) or its last payment's date.
        amount: each payment (the regular one for installments; 0 in a deferral).
        count: how many payments (0 in a deferral).
    """

    kind: str
    start: date
    end: date
    amount: Decimal
    count: int

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in this phase (up to its last day)."""
        return self.start <= day <= self.end


def phases(start: date, payments: Sequence[tuple[date, Decimal]], *, down: Decimal,
           deferral_months: int = 0, token: bool = False,
           settlement: bool = False) -> tuple[Phase, ...]:
    """The phases of an arrangement that starts on ``start``, from its dated payments
    (``payments``: after the down payment, in date order).

    A deferral without token payments is the time from the start to the day before the
    first payment; with token payments, the first ``deferral_months`` payments are the
    token phase. Example: defer 2 months from 2026-11-20, then 12 installments of 1,000:
    deferral 2026-11-20 … 2027-02-19, installments 2027-02-20 … 2028-01-20.
    """
    out: list[Phase] = []
    if down > 0:
        out.append(Phase("down_payment", start, start, down, 1))
    rest = list(payments)
    if not rest:
        return tuple(out)
    if settlement:
        day, amount = rest[0]
        return (*out, Phase("settlement", day, day, amount, 1))
    if deferral_months and token:
        lead, rest = rest[:deferral_months], rest[deferral_months:]
        out.append(Phase("token", lead[0][0], lead[-1][0], lead[0][1], len(lead)))
    elif deferral_months:
        out.append(Phase("deferral", start, rest[0][0] - timedelta(days=1), ZERO, 0))
    if rest:
        out.append(Phase("installments", rest[0][0], rest[-1][0],
                         _regular([amount for _day, amount in rest]), len(rest)))
    return tuple(out)
