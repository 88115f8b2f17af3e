"""The plan's records: what goes in (plain values) and what comes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from xieshang.engine.accrual import OverdueDebt
from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import ZERO, D, money
from xieshang.engine.preset import DayBasis, LateFee
from xieshang.engine.schedules import MAX_PERIODS, Schedule

__all__ = [
    "DEFAULT_HORIZON",
    "HEURISTICS",
    "Accrual",
    "Action",
    "ActionKind",
    "ActualPayment",
    "Arrangement",
    "DebtMonth",
    "DebtResult",
    "Minimum",
    "Month",
    "Note",
    "Plan",
    "PlanDebt",
    "PlanInput",
    "RiskMilestone",
    "RiskWeights",
    "ScheduledPayment",
    "SolverReport",
    "Strategy",
    "Totals",
    "arrangement_from_schedule",
]

#: The longest plan looked at when nothing says otherwise: 10 years.
DEFAULT_HORIZON: Final = 120


class Strategy(StrEnum):
    """How the monthly money is split between the debts."""

    AVALANCHE = "avalanche"  # highest cost first
    SNOWBALL = "snowball"  # smallest balance first
    PRO_RATA = "pro-rata"  # in proportion to what each creditor is owed
    RISK_FIRST = "risk-first"  # first stop what is about to be reported or escalated
    CUSTOM = "custom"  # the person's own order
    OPTIMAL = "optimal"  # the HiGHS model, checked against every other strategy


#: The rule-based strategies, in the order they are compared.
HEURISTICS: Final = (Strategy.AVALANCHE, Strategy.SNOWBALL, Strategy.PRO_RATA,
                     Strategy.RISK_FIRST)


class Accrual(StrEnum):
    """How a debt given by balance and annual rate is charged each month."""

    MONTHLY = "monthly"  # balance × annual rate ÷ 12, on the balance after last month's payment
    DAILY = "daily"  # balance × annual rate ÷ day basis × the days since the last pay date


@dataclass(frozen=True, slots=True)
class Minimum:
    """A minimum-payment rule: ``max(amount, percent × balance + charges)``, never more than
    what is owed.

    Attributes:
        amount: a fixed amount (the peers' ``minPayment``), or the floor of a percent rule.
        percent: a fraction of the balance before this month's charges (0.10 = 10 %).
        plus_charges: add this month's interest and fees (the card rule "10 % of principal
            plus all interest and fees").
    """

    amount: Decimal = ZERO
    percent: Decimal = ZERO
    plus_charges: bool = False

    def __post_init__(self) -> None:
        money(self.amount, "minimum")
        if self.amount < 0:
            raise InputError("minimum", N_("must not be negative (got {value})"),
                             value=str(self.amount))
        if not 0 <= self.percent <= 1:
            raise InputError("minimum", N_("must be between 0 and 1 (got {value})"),
                             value=str(self.percent))


@dataclass(frozen=True, slots=True)
class ScheduledPayment:
    """One payment of an agreed arrangement.

    Attributes:
        on: its due date.
        principal: the part that repays the amount rescheduled.
        interest: the interest part.
        fee: the fee part (installment fee, 手续费).
    """

    on: date
    principal: Decimal
    interest: Decimal = ZERO
    fee: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("principal", "interest", "fee"):
            value: Decimal = money(getattr(self, name), "arrangement")
            if value < 0:
                raise InputError("arrangement", N_("must not be negative (got {value})"),
                                 value=str(value))

    @property
    def amount(self) -> Decimal:
        """What is paid: principal + interest + fee."""
        return self.principal + self.interest + self.fee

    @property
    def charges(self) -> Decimal:
        """Interest + fee."""
        return self.interest + self.fee


@dataclass(frozen=True, slots=True)
class Arrangement:
    """An agreed arrangement: a fixed, dated schedule that replaces a debt's own terms.

    Attributes:
        payments: the payments, each with its due date; at least one.
    """

    payments: tuple[ScheduledPayment, ...]

    def __post_init__(self) -> None:
        if not self.payments:
            raise InputError("arrangement", N_("needs at least one payment"))

    @property
    def principal(self) -> Decimal:
        """The amount the arrangement repays (Σ principal parts)."""
        return sum((p.principal for p in self.payments), ZERO)


def arrangement_from_schedule(schedule: Schedule, *, down_payment: Decimal = ZERO,
                              down_payment_on: date | None = None) -> Arrangement:
    """An :class:`Arrangement` from a dated schedule (``arrangements.evaluate(...).schedule``).

    A down payment is a first payment of principal on ``down_payment_on``.

    Raises:
        InputError: a row has no due date ("arrangement"), or a down payment has no date.
    """
    payments = []
    if down_payment > 0:
        if down_payment_on is None:
            raise InputError("arrangement", N_("a down payment needs its date"))
        payments.append(ScheduledPayment(down_payment_on, money(down_payment, "down_payment")))
    for row in schedule.rows:
        if row.due is None:
            raise InputError("arrangement", N_("every payment needs a due date"))
        payments.append(ScheduledPayment(row.due, row.principal, row.interest, row.fee))
    return Arrangement(tuple(payments))


@dataclass(frozen=True, slots=True)
class RiskMilestone:
    """A dated event a debt should not reach while overdue (credit reporting, the repay-by
    date of the one-off credit repair, a collection step…).

    Attributes:
        id: a stable identifier (a timeline event id).
        on: the day; it counts as crossed when the debt is still overdue after the last
            pay date on or before it.
        weight: the penalty for crossing it, in yuan; ``None`` takes
            :attr:`RiskWeights.milestone`.
    """

    id: str
    on: date
    weight: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RiskWeights:
    """How much the person would pay, in yuan, to avoid each risk (all 0: cost only).

    Attributes:
        overdue_month: per debt, per month it ends overdue.
        milestone: per milestone crossed (unless the milestone has its own weight).
        over_threshold_month: per month the credit-card principal is at or above the
            malicious-overdraft threshold.
    """

    overdue_month: Decimal = ZERO
    milestone: Decimal = ZERO
    over_threshold_month: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("overdue_month", "milestone", "over_threshold_month"):
            value: Decimal = getattr(self, name)
            if D(value) < 0:
                raise InputError("weights", N_("must not be negative (got {value})"),
                                 value=str(value))

    @property
    def any(self) -> bool:
        """True when some risk has a weight."""
        return bool(self.overdue_month or self.milestone or self.over_threshold_month)


@dataclass(frozen=True, slots=True)
class PlanDebt:
    """One debt of the plan. Give either ``balance`` and ``annual_rate`` (a debt charged by
    :class:`Accrual`) or ``overdue_debt`` (charged day by day by the exact accrual engine and
    its preset); a debt under an arrangement from month 0 needs neither.

    Attributes:
        key: a unique identifier (the case file's debt id).
        label: the lender or product, as the person calls it.
        balance: the balance this month's interest is charged on (the last statement's
            balance; the peers' opening balance).
        annual_rate: the annual rate as a fraction (0.1899 = 18.99 %); 0 is allowed.
        overdue_debt: an overdue debt and its preset; everything it owes is past due until
            it is repaid.
        minimum: the minimum payment each month; ``None``: nothing is required (an overdue
            debt: everything is already due).
        accrual: how ``annual_rate`` is charged.
        day_basis: days in a year for :attr:`Accrual.DAILY`.
        past_due: the part of ``balance`` already past due (missed minimums); due now.
        fees: fees due that bear no interest (paid before the balance).
        late_fee: the lender's late-fee rule, charged when a minimum is missed.
        due_day: the day of the month the payment is due (for "pay by"); ``None``: the
            pay date itself.
        card_principal: for a credit card, the unpaid overdraft principal counted with
            repayments against principal first (the malicious-overdraft measure);
            ``None`` for other debts.
        milestones: dated risk milestones of this debt.
        arrangement: an agreed arrangement, or ``None``.
        arrangement_from_month: the plan month (0 = the first) from which the arrangement
            replaces the debt's own terms; before it, only the minimum is paid.
    """

    key: str
    label: str = ""
    balance: Decimal | None = None
    annual_rate: Decimal | None = None
    overdue_debt: OverdueDebt | None = None
    minimum: Minimum | None = None
    accrual: Accrual = Accrual.MONTHLY
    day_basis: DayBasis = DayBasis.ACT_365
    past_due: Decimal = ZERO
    fees: Decimal = ZERO
    late_fee: LateFee | None = None
    due_day: int | None = None
    card_principal: Decimal | None = None
    milestones: tuple[RiskMilestone, ...] = ()
    arrangement: Arrangement | None = None
    arrangement_from_month: int = 0

    def __post_init__(self) -> None:
        if not self.key:
            raise InputError("debts", N_("every debt needs a key"))
        from_start = self.arrangement is not None and self.arrangement_from_month == 0
        if self.overdue_debt is not None:
            if self.balance is not None or self.annual_rate is not None:
                raise InputError("balance", N_("give either a balance and an annual rate or an "
                                               "overdue debt for {debt}, not both"),
                                 debt=self.key)
        elif self.balance is None:
            if not from_start:
                raise InputError("balance", N_("is needed for {debt}"), debt=self.key)
        else:
            if money(self.balance, "balance") < 0:
                raise InputError("balance", N_("must not be negative (got {value})"),
                                 value=str(self.balance))
            if self.annual_rate is None:
                raise InputError("annual_rate", N_("is needed for {debt}"), debt=self.key)
            if self.annual_rate < 0:
                raise InputError("annual_rate", N_("must not be negative (got {value})"),
                                 value=str(self.annual_rate))
        for name in ("past_due", "fees"):
            value: Decimal = money(getattr(self, name), name)
            if value < 0:
                raise InputError(name, N_("must not be negative (got {value})"),
                                 value=str(value))
        if self.past_due > (self.balance or ZERO) + self.fees:
            raise InputError("past_due", N_("must not be more than the balance {balance}"),
                             balance=str((self.balance or ZERO) + self.fees))
        if self.card_principal is not None and money(self.card_principal, "card_principal") < 0:
            raise InputError("card_principal", N_("must not be negative (got {value})"),
                             value=str(self.card_principal))
        if self.due_day is not None and not 1 <= self.due_day <= 31:
            raise InputError("due_day", N_("must be a whole number from {minimum} to {maximum} "
                                           "(got {value})"),
                             minimum=1, maximum=31, value=self.due_day)
        if self.arrangement_from_month < 0:
            raise InputError("arrangement_from_month", N_("must not be negative (got {value})"),
                             value=self.arrangement_from_month)

    @property
    def overdue(self) -> bool:
        """True when something is already past due at the start."""
        return self.overdue_debt is not None or self.past_due > 0


@dataclass(frozen=True, slots=True)
class PlanInput:
    """Everything the plan needs.

    Attributes:
        debts: the debts, at least one, with unique keys.
        monthly_budget: the money available for the debts each month (the whole amount,
            minimums included — not the peers' "extra").
        start: the first pay date; month ``k`` is paid ``k`` calendar months later.
        adjustments: one-off changes to the budget by month index (+ income, − expense).
        horizon_months: the longest plan looked at (1 to 600).
        weights: the risk weights of the objective.
        card_threshold: the credit-card principal at which the malicious-overdraft amount
            starts (from ``presets/_law.toml`` through the law record), or ``None``.
        order: debt keys in the order of the custom strategy (the rest follow by cost).
        token: keep a token payment to every creditor each month (after what each debt
            requires, before the strategy's extra money): the amount from the budget norms'
            token rule (``presets/_budget.toml``); ``None``: no token payments. Pro rata
            needs none: it already pays every creditor its share.
        earmarked: money of a month that goes to one debt whatever the strategy (month
            index → debt key → amount; the savings the person put towards that debt): part
            of that month's budget, paid to the debt up to what it owes, on top of what the
            strategy gives it from the rest.
    """

    debts: tuple[PlanDebt, ...]
    monthly_budget: Decimal
    start: date
    adjustments: Mapping[int, Decimal] = field(default_factory=dict)
    horizon_months: int = DEFAULT_HORIZON
    weights: RiskWeights = field(default_factory=RiskWeights)
    card_threshold: Decimal | None = None
    order: tuple[str, ...] = ()
    token: Decimal | None = None
    earmarked: Mapping[int, Mapping[str, Decimal]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.debts, tuple):
            object.__setattr__(self, "debts", tuple(self.debts))
        if not isinstance(self.order, tuple):
            object.__setattr__(self, "order", tuple(self.order))
        if not self.debts:
            raise InputError("debts", N_("give at least one debt"))
        budget = money(self.monthly_budget, "budget")
        if budget < 0:
            raise InputError("budget", N_("must not be negative (got {value})"),
                             value=str(self.monthly_budget))
        if isinstance(self.horizon_months, bool) or not 1 <= self.horizon_months <= MAX_PERIODS:
            raise InputError("horizon_months", N_("must be a whole number from {minimum} to "
                                                  "{maximum} (got {value})"),
                             minimum=1, maximum=MAX_PERIODS, value=self.horizon_months)
        keys = set()
        for debt in self.debts:
            if debt.key in keys:
                raise InputError("debts", N_("two debts have the same key {key}"), key=debt.key)
            keys.add(debt.key)
            if debt.overdue_debt is not None and any(
                    p.on > self.start for p in debt.overdue_debt.payments):
                raise InputError("payments", N_("a payment of {debt} is dated after the plan's "
                                                "start {start}"),
                                 debt=debt.key, start=self.start.isoformat())
        for month, amount in self.adjustments.items():
            if isinstance(month, bool) or not 0 <= month < MAX_PERIODS:
                raise InputError("adjustments", N_("must be a whole number from {minimum} to "
                                                   "{maximum} (got {value})"),
                                 minimum=0, maximum=MAX_PERIODS - 1, value=month)
            money(amount, "adjustments")
        for key in self.order:
            if key not in keys:
                raise InputError("order", N_("names a debt that is not in the plan: {key}"),
                                 key=key)
        for month, parts in self.earmarked.items():
            if isinstance(month, bool) or not 0 <= month < MAX_PERIODS:
                raise InputError("earmarked", N_("must be a whole number from {minimum} to "
                                                 "{maximum} (got {value})"),
                                 minimum=0, maximum=MAX_PERIODS - 1, value=month)
            for key, amount in parts.items():
                if key not in keys:
                    raise InputError("earmarked", N_("names a debt that is not in the plan: "
                                                     "{key}"), key=key)
                if money(amount, "earmarked") < 0:
                    raise InputError("earmarked", N_("must not be negative (got {value})"),
                                     value=str(amount))
        if self.token is not None and money(self.token, "token") < 0:
            raise InputError("token", N_("must not be negative (got {value})"),
                             value=str(self.token))
        if self.card_threshold is not None and self.card_threshold <= 0:
            raise InputError("card_threshold", N_("must be more than 0 (got {value})"),
                             value=str(self.card_threshold))

    def budget_of(self, month: int) -> Decimal:
        """The money of month ``month``: the budget plus its adjustment, at least 0."""
        return max(ZERO, self.monthly_budget + self.adjustments.get(month, ZERO))


@dataclass(frozen=True, slots=True)
class ActualPayment:
    """A payment actually made (from the case file), for :func:`recast`.

    Attributes:
        key: the debt paid.
        on: the day it was paid.
        amount: the amount, more than 0.
    """

    key: str
    on: date
    amount: Decimal

    def __post_init__(self) -> None:
        if money(self.amount, "payments") <= 0:
            raise InputError("payments", N_("a payment must be more than 0 (got {value})"),
                             value=str(self.amount))


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class Note:
    """A fact about a plan for the fronts to show: an English msgid and its parameters."""

    message: str
    params: Mapping[str, str] = field(default_factory=dict)

    def render(self) -> str:
        """The English text with its parameters filled in."""
        return self.message.format(**self.params)


@dataclass(frozen=True, slots=True)
class DebtMonth:
    """One debt in one month of a plan.

    Attributes:
        key: the debt.
        owed: everything owed on the pay date, before paying (for an arrangement: what is
            due under it).
        required: what must be paid this month (minimum, arrears, arrangement payments).
        paid: what the plan pays.
        balance: what is still owed after paying.
        interest: interest charged this month.
        penalty: penalty interest charged this month.
        fees: fees charged this month (late fees, installment fees).
        adjustment: the change when an arrangement replaces the debt's terms (its amount
            minus what was owed; negative: waived).
        overdue: something is still past due after this month's payment.
        unpaid: the part of ``required`` not paid.
        due_by: the day to pay by.
        past_due: the part of ``required`` already unpaid from earlier months.
    """

    key: str
    owed: Decimal
    required: Decimal
    paid: Decimal
    balance: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    adjustment: Decimal
    overdue: bool
    unpaid: Decimal
    due_by: date
    past_due: Decimal = ZERO

    @property
    def newly_unpaid(self) -> Decimal:
        """The part of this month's own requirement not paid (payments go to what is past
        due first)."""
        return min(self.unpaid, self.required - self.past_due)

    @property
    def charges(self) -> Decimal:
        """Interest + penalty + fees of the month."""
        return self.interest + self.penalty + self.fees


@dataclass(frozen=True, slots=True)
class Month:
    """One month of a plan.

    Attributes:
        index: 0 for the first month.
        pay_date: the day the month's money is paid.
        budget: the money of the month (budget plus adjustment, at least 0).
        paid: what the plan pays in all.
        unspent: money left over (nothing more can be paid).
        card_principal: credit-card principal after the month's payments (principal-first).
        debts: each debt, in input order.
    """

    index: int
    pay_date: date
    budget: Decimal
    paid: Decimal
    unspent: Decimal
    card_principal: Decimal
    debts: tuple[DebtMonth, ...]

    @property
    def unpaid(self) -> Decimal:
        """Required payments that go unpaid this month."""
        return sum((d.unpaid for d in self.debts), ZERO)


@dataclass(frozen=True, slots=True)
class DebtResult:
    """One debt over the whole plan.

    Attributes:
        key: the debt.
        label: its label.
        principal: the principal at the start.
        charges_before: interest, penalty and fees already due at the start.
        paid: Σ payments.
        interest: interest charged during the plan.
        penalty: penalty interest charged during the plan.
        fees: fees charged during the plan.
        adjustment: Σ arrangement adjustments.
        balance_end: still owed at the end of the plan.
        payoff_month: the month it is repaid (index), or ``None``.
        payoff_date: that month's pay date, or ``None``.
        months_overdue: months it ends overdue.
        milestones_crossed: ids of the risk milestones it reaches while overdue.
    """

    key: str
    label: str
    principal: Decimal
    charges_before: Decimal
    paid: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    adjustment: Decimal
    balance_end: Decimal
    payoff_month: int | None
    payoff_date: date | None
    months_overdue: int
    milestones_crossed: tuple[str, ...]

    @property
    def cost(self) -> Decimal:
        """What the plan adds to the debt: interest + penalty + fees + adjustment."""
        return self.interest + self.penalty + self.fees + self.adjustment


@dataclass(frozen=True, slots=True)
class Totals:
    """All debts over the whole plan.

    ``paid + unpaid_end == principal + charges_before + interest + penalty + fees +
    adjustment`` always holds.

    Attributes:
        paid: Σ payments.
        principal: Σ principal at the start.
        charges_before: Σ charges already due at the start.
        interest: Σ interest charged during the plan.
        penalty: Σ penalty charged during the plan.
        fees: Σ fees charged during the plan.
        adjustment: Σ arrangement adjustments.
        unpaid_end: still owed at the end.
        months: months the plan runs (to the last payment, or the horizon).
        payoff_date: the day everything is repaid, or ``None`` within the horizon.
        months_overdue: Σ months each debt ends overdue.
        milestones_crossed: number of risk milestones crossed.
        months_over_threshold: months the card principal is at or above the threshold.
        unpaid_required: Σ each month's own required payments that went unpaid.
        objective: cost plus the weighted risks (what the strategies are compared on).
    """

    paid: Decimal
    principal: Decimal
    charges_before: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    adjustment: Decimal
    unpaid_end: Decimal
    months: int
    payoff_date: date | None
    months_overdue: int
    milestones_crossed: int
    months_over_threshold: int
    unpaid_required: Decimal
    objective: Decimal

    @property
    def cost(self) -> Decimal:
        """What the plan adds: interest + penalty + fees + adjustment."""
        return self.interest + self.penalty + self.fees + self.adjustment


@dataclass(frozen=True, slots=True)
class SolverReport:
    """How the optimal plan was found.

    Attributes:
        status: ``optimal``; ``work_limit`` (stopped at its work limit: iterations or
            nodes) or ``time_limit`` (a wall-clock limit a caller asked for), with the best
            plan found; ``failed`` (no model plan: stopped at a limit before any plan,
            then ``limit_hit``, or no plan at all); ``not_needed``.
        model: ``lp`` or ``milp`` (binary variables for the risks).
        source: the plan returned: :attr:`Strategy.OPTIMAL` for the model's own plan,
            or the heuristic whose exact plan was at least as good.
        gap: the solver's relative gap between its best plan and its bound (0 when
            proven optimal; ``None`` when there is no model plan).
        model_objective: the model's objective (linearised), to the fen.
        bound: the solver's lower bound on it, to the fen.
        variables: the model's columns.
        binaries: how many of them are binary.
        seconds: the solver's own run time (a figure to show, never a limit).
        limit_hit: the solver stopped at its limit (the plan says so in its notes).
        orders_searched: how many fixed orders were also simulated exactly (small cases).
    """

    status: str
    model: str
    source: Strategy
    gap: Decimal | None
    model_objective: Decimal | None
    bound: Decimal | None
    variables: int
    binaries: int
    seconds: float  # float-ok: solver time, not money
    limit_hit: bool = False
    orders_searched: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    """A repayment plan.

    Attributes:
        strategy: the strategy asked for.
        input: what it was computed from.
        months: month by month, to the last payment (or the horizon).
        debts: per debt, in input order.
        totals: all debts.
        notes: facts to show with the plan.
        solver: for :attr:`Strategy.OPTIMAL`, how it was found.
    """

    strategy: Strategy
    input: PlanInput
    months: tuple[Month, ...]
    debts: tuple[DebtResult, ...]
    totals: Totals
    notes: tuple[Note, ...] = ()
    solver: SolverReport | None = None

    def debt(self, key: str) -> DebtResult:
        """The result of one debt."""
        for result in self.debts:
            if result.key == key:
                return result
        raise KeyError(key)

    def payments_of(self, key: str) -> tuple[Decimal, ...]:
        """The debt's payment in each month."""
        index = [d.key for d in self.input.debts].index(key)
        return tuple(month.debts[index].paid for month in self.months)


class ActionKind(StrEnum):
    """Why a payment of "this month" is made."""

    ARRANGEMENT = "arrangement"  # a payment of an agreed arrangement
    CLEAR = "clear"  # pays the debt off
    MINIMUM = "minimum"  # the minimum (or arrears)
    EXTRA = "extra"  # more than required, by the strategy
    UNPAID = "unpaid"  # required but the money does not reach


@dataclass(frozen=True, slots=True)
class Action:
    """What to pay to whom this month, and by when.

    Attributes:
        key: the debt.
        label: its label.
        amount: what to pay.
        by: the day to pay by.
        required: what is required this month.
        unpaid: the part of ``required`` the money does not reach.
        kind: why.
    """

    key: str
    label: str
    amount: Decimal
    by: date
    required: Decimal
    unpaid: Decimal
    kind: ActionKind

