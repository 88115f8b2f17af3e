"""Installment loans as the lender's app shows them: what is overdue, by installment.

A person with a 借呗, 微粒贷 or bank loan knows what the app shows — the amount borrowed
(借款金额), the number of periods (期数), the rate (日利率 or 年化利率), the repayment method
(还款方式), the first due date (首期还款日) and how many periods were repaid (已还期数) — not
"overdue principal, interest and principal not yet due". From those :func:`loan_schedule`
builds the schedule (:mod:`xieshang.engine.schedules`: a daily rate by the actual days
between due dates, an annual rate by months), and :func:`position` says, on a day, which
installments are overdue (each with its own due date), the principal not yet due and the
regular installments ahead. A per-period fee (京东白条 分期's 服务费, 花呗分期's 手续费: a
fraction of the *original* principal, or a fixed amount, every period) is added to each
installment on top of its principal and interest; :func:`loan_apr` gives the annual rate of
the real flows (the IRR of the amount borrowed against every installment), the figure
lenders must show. :func:`overdue_debt_parts` gives the pieces an
:class:`~xieshang.engine.accrual.OverdueDebt` is made of: the first unpaid installment is the
missed one, every later one a :class:`~xieshang.engine.accrual.LaterInstallment` that falls
due on its own date and bears its own penalty from the day after.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from xieshang.engine.accrual import LaterInstallment
from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import ZERO, Rounding, round_money
from xieshang.engine.rates import AnnualRates, annualised
from xieshang.engine.schedules import (
    MAX_PERIODS,
    Method,
    Schedule,
    add_months,
    annuity,
    daily_rate_loan,
    equal_principal,
    interest_only,
)

__all__ = [
    "METHODS",
    "Installment",
    "LoanParts",
    "LoanPosition",
    "LoanTerms",
    "installments",
    "loan_apr",
    "loan_schedule",
    "overdue_debt_parts",
    "position",
]

#: The repayment methods a loan may be entered with (等额本息, 等额本金, 先息后本).
METHODS = tuple(method.value for method in Method)


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """A loan as its app shows it.

    Attributes:
        borrowed: the amount borrowed (借款金额).
        periods: the number of monthly periods (期数).
        method: 等额本息 ``annuity``, 等额本金 ``equal_principal`` or 先息后本
            ``interest_only``.
        first_due: the first repayment date (首期还款日); period k is due k − 1 months later.
        paid_periods: the periods already repaid (已还期数), in order from the first.
        daily_rate: the contract rate per day (借呗, 微粒贷), or
        annual_rate: the contract rate per year (bank loans: monthly rate = annual ÷ 12).
        rounding: how the lender rounds each payment and interest amount.
        period_fee_rate: a fee every period as a fraction of the amount borrowed (白条 分期
            服务费 0.5 % a period: ``0.005``), or
        period_fee: a fixed fee every period (yuan). With either and no rate given, the
            loan bears no interest (rate 0): its cost is the fee.
    """

    borrowed: Decimal
    periods: int
    method: Method
    first_due: date
    paid_periods: int = 0
    daily_rate: Decimal | None = None
    annual_rate: Decimal | None = None
    rounding: Rounding = Rounding.HALF_UP
    period_fee_rate: Decimal | None = None
    period_fee: Decimal | None = None

    def __post_init__(self) -> None:
        if self.borrowed <= 0:
            raise InputError("borrowed", N_("must be more than 0 (got {value})"),
                             value=str(self.borrowed))
        if not 1 <= self.periods <= MAX_PERIODS:
            raise InputError("periods", N_("must be between {minimum} and {maximum} (got "
                                           "{value})"),
                             minimum=1, maximum=MAX_PERIODS, value=self.periods)
        if not 0 <= self.paid_periods <= self.periods:
            raise InputError("paid_periods", N_("must be between {minimum} and {maximum} (got "
                                                "{value})"),
                             minimum=0, maximum=self.periods, value=self.paid_periods)
        if self.period_fee_rate is not None and self.period_fee is not None:
            raise InputError("period_fee", N_("give the fee per period either as a rate of "
                                              "the amount borrowed or as an amount, not both"))
        for name in ("period_fee_rate", "period_fee"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InputError("period_fee", N_("must not be negative (got {value})"),
                                 value=str(value))
        has_fee = self.period_fee_rate is not None or self.period_fee is not None
        both = self.daily_rate is not None and self.annual_rate is not None
        neither = self.daily_rate is None and self.annual_rate is None
        if both or (neither and not has_fee):
            raise InputError("daily_rate", N_("give the loan's rate: either a daily rate or "
                                              "an annual rate"))

    @property
    def fee_per_period(self) -> Decimal:
        """The fee added to every installment: the fixed fee, or the amount borrowed × the
        fee rate rounded to the fen as the lender rounds (0 without a fee)."""
        if self.period_fee is not None:
            return self.period_fee
        if self.period_fee_rate is not None:
            return round_money(self.borrowed * self.period_fee_rate, self.rounding)
        return ZERO


@dataclass(frozen=True, slots=True)
class Installment:
    """One period of a loan.

    Attributes:
        period: 1 for the first.
        due: its due date.
        principal: its principal part.
        interest: everything else it asks for: interest and the period fee.
        fee: of ``interest``, the period fee (服务费 / 手续费), 0 without one.
    """

    period: int
    due: date
    principal: Decimal
    interest: Decimal
    fee: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        """What the period asks for: principal + interest (with the fee)."""
        return self.principal + self.interest


@dataclass(frozen=True, slots=True)
class LoanPosition:
    """A loan on one day, before any payment beyond the periods repaid.

    Attributes:
        as_of: the day.
        overdue: the unpaid installments whose due date has passed, oldest first.
        ahead: the unpaid installments not yet due — the regular installments to come.
        not_yet_due: the principal of ``ahead``.
    """

    as_of: date
    overdue: tuple[Installment, ...]
    ahead: tuple[Installment, ...]
    not_yet_due: Decimal

    @property
    def arrears(self) -> Decimal:
        """What the overdue installments ask for (principal + interest, before penalty)."""
        return sum((item.amount for item in self.overdue), ZERO)

    @property
    def next_installment(self) -> Installment | None:
        """The next regular installment."""
        return self.ahead[0] if self.ahead else None


@dataclass(frozen=True, slots=True)
class LoanParts:
    """The pieces of the engine's overdue debt for a loan (see the module docstring).

    Attributes:
        due_date: the due date of the first unpaid installment.
        principal: its principal.
        interest: its interest.
        not_yet_due: the principal of every later installment.
        later: the later installments, each falling due on its own date.
    """

    due_date: date
    principal: Decimal
    interest: Decimal
    not_yet_due: Decimal
    later: tuple[LaterInstallment, ...]


def loan_schedule(terms: LoanTerms) -> Schedule:
    """The loan's full schedule, from the loan date one month before the first due date.

    Period k is due ``k − 1`` months after the first due date, counted from the first due
    date itself: a loan first due on 31 March is due on 30 April and 31 May, not on the
    28th of every month (one month before 31 March is 28 February).
    """
    first_due = terms.first_due
    method = Method(terms.method)
    fee = terms.fee_per_period
    if terms.daily_rate is not None:
        schedule = daily_rate_loan(terms.borrowed, terms.daily_rate, terms.periods, method,
                                   add_months(first_due, -1), rounding=terms.rounding,
                                   first_due=first_due)
    else:
        monthly = (terms.annual_rate or ZERO) / 12
        build = {Method.ANNUITY: annuity, Method.EQUAL_PRINCIPAL: equal_principal,
                 Method.INTEREST_ONLY: interest_only}[method]
        # each period dated as it is due (not by the loan date): rows made with their dates
        schedule = build(terms.borrowed, monthly, terms.periods,
                         dues=[add_months(first_due, k) for k in range(terms.periods)],
                         rounding=terms.rounding)
    if not fee:
        return schedule  # its rows are made when read (engine.schedules)
    dated = tuple(replace(row, fee=row.fee + fee, payment=row.payment + fee)
                  for row in schedule.rows)
    return replace(schedule, rows=dated)


def loan_apr(terms: LoanTerms) -> AnnualRates:
    """The annual rates of the loan's real flows: the amount borrowed received, every
    installment (principal, interest and fee) paid a month apart — the monthly IRR, the
    nominal rate (× 12, the 年化利率 lenders must show) and the effective rate."""
    return annualised(loan_schedule(terms).cash_flows(terms.borrowed))


def installments(terms: LoanTerms) -> tuple[Installment, ...]:
    """Every period of the loan (repaid ones included)."""
    rows = loan_schedule(terms).rows
    return tuple(Installment(period=row.period, due=row.due or terms.first_due,
                             principal=row.principal, interest=row.interest + row.fee,
                             fee=row.fee)
                 for row in rows)


def _unpaid(terms: LoanTerms) -> tuple[Installment, ...]:
    return installments(terms)[terms.paid_periods:]


def position(terms: LoanTerms, as_of: date) -> LoanPosition:
    """Which installments are overdue on ``as_of`` (due before it) and which are ahead."""
    unpaid = _unpaid(terms)
    overdue = tuple(item for item in unpaid if item.due < as_of)
    ahead = tuple(item for item in unpaid if item.due >= as_of)
    return LoanPosition(as_of=as_of, overdue=overdue, ahead=ahead,
                        not_yet_due=sum((item.principal for item in ahead), ZERO))


def overdue_debt_parts(terms: LoanTerms) -> LoanParts | None:
    """The first unpaid installment and the later ones (``None``: every period is repaid)."""
    unpaid = _unpaid(terms)
    if not unpaid:
        return None
    first, rest = unpaid[0], unpaid[1:]
    return LoanParts(
        due_date=first.due, principal=first.principal, interest=first.interest,
        not_yet_due=sum((item.principal for item in rest), ZERO),
        later=tuple(LaterInstallment(due=item.due, principal=item.principal,
                                     interest=item.interest) for item in rest))
