"""The repayment plan: the inputs a plan is made from (the debts as they stand, the budget,
an accepted arrangement), the strategies and their names."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xieshang.clock import today as session_today
from xieshang.engine.errors import N_, InputError

if TYPE_CHECKING:
    from xieshang.engine.strategy import Action, Plan, PlanInput, Strategy
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Debt


__all__ = [
    "ABOVE_SHARE",
    "ACTION_KINDS",
    "BELOW_SHARE",
    "SHORT_NAMES",
    "STRATEGIES",
    "STRATEGY_HELP",
    "STRATEGY_NAMES",
    "PlanSavings",
    "ShareNote",
    "owed_series",
    "parse_strategy",
    "plan_input",
    "plan_savings",
    "share_notes",
]


STRATEGIES = ("avalanche", "snowball", "pro-rata", "risk-first", "custom", "optimal")


def parse_strategy(text: str) -> Any:
    from xieshang.engine.strategy import Strategy

    key = text.strip().lower().replace("_", "-")
    if key not in STRATEGIES:
        raise InputError("strategy", N_("'{value}' is not a strategy; use one of {allowed}"),
                         value=text, allowed=", ".join(STRATEGIES))
    return Strategy(key)


def plan_input(name: Callable[[Debt], str], tx: Tx, case: Case, budget_text: str | None,
               order_text: str | None, horizon_text: str | None, strategy: Any, *,
               today: date | None = None, token: bool = False
               ) -> tuple[PlanInput, dict[str, str], str]:
    """The plan input from the case file: its open debts, the budget and the order
    (as of ``today``; default: the command line's clock); ``token`` keeps a token payment
    to every creditor (the amount of the budget norms' token rule). ``name`` names a debt
    in the plan's notes (the fronts: :func:`xieshang.present.namer`)."""
    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_count
    from xieshang.engine.strategy import Minimum, PlanDebt, plan_input_from_case
    from xieshang.rules import law
    from xieshang.services.arrangements import accepted_arrangement, plan_arrangement
    from xieshang.services.budget import (
        available_by_month,
        budget_view,
        savings_to_debt_by_month,
    )
    from xieshang.services.case_view import debt_timeline
    from xieshang.services.debts import balance_of, current_bill, open_debts

    day = today if today is not None else session_today()
    debts = open_debts(tx, case.id)
    if not debts:
        from xieshang.services.debts import broken_debts

        broken = broken_debts(tx, case.id)
        if broken:
            raise InputError("debt", N_("every open debt of the case needs fixing first "
                                        "({ids}): `xieshang status` says what is wrong"),
                             ids=", ".join(f"#{debt.id}" for debt, _problems in broken))
        raise InputError("debt", N_("the case has no open debts: add one with "
                                    "`xieshang debt add`"))
    names = {str(debt.id): name(debt) for debt in debts}
    horizon = parse_count(horizon_text, "horizon", minimum=1, maximum=600) if horizon_text else 120
    adjustments: dict[int, Decimal] = {}
    earmarked: dict[int, dict[str, Decimal]] = {}
    if budget_text is not None:
        amount = parse_amount(budget_text, "budget")
        source = N_("the amount you gave")
    else:
        view = budget_view(tx, case, "pro_rata", as_of=day)
        if view is None:
            raise InputError("budget", N_("give --budget, or fill in the budget statement "
                                          "first (`xieshang budget set`)"))
        amount = view.available
        source = N_("what the budget statement leaves for debts")
        # the dated income and savings: each month's money, as a change from this month's
        # (the strategies read it month by month through PlanInput.budget_of)
        by_month = available_by_month(tx, case, day, horizon)
        adjustments = {month: money - amount for month, money in enumerate(by_month)
                       if money != amount}
        # savings the person put towards one debt go to it, whatever the strategy
        directed = savings_to_debt_by_month(tx, case, day, horizon)
        if directed is not None:
            key, parts = directed
            earmarked = {month: {key: part} for month, part in parts.items()}
        for month, funded in settlement_savings(tx, view, debts, day).items():
            adjustments[month] = adjustments.get(month, Decimal("0.00")) + funded
    overdue: dict[str, Any] = {}
    current: list[Any] = []
    paid_off: list[int] = []
    for debt in debts:
        key = str(debt.id)
        agreed = accepted_arrangement(tx, debt, day)
        if agreed is not None:  # owed only on the arrangement's terms, from month 0
            left = with_regular_installments(tx, debt, agreed, plan_arrangement(agreed), day)
            if left is None:
                paid_off.append(debt.id or 0)
            else:
                current.append(PlanDebt(key=key, label=names[key], arrangement=left))
            continue
        _bill, engine_debt = current_bill(tx, debt, day)
        if engine_debt is not None:
            overdue[key] = engine_debt
            continue
        rate = _annual_rate(debt)
        if rate is None:
            raise InputError("annual_rate", N_("debt #{debt} has no interest rate: set it with "
                                               "`xieshang debt edit {debt} --annual-rate R`"),
                             debt=debt.id)
        current.append(PlanDebt(key=key, label=names[key], balance=balance_of(tx, debt, day),
                                annual_rate=rate,
                                minimum=Minimum(amount=debt.minimum) if debt.minimum else None,
                                due_day=_repayment_day(debt)))
    if not overdue and not current:  # every open debt is repaid under its arrangement
        raise InputError("debt", N_("everything agreed on debt #{debt} is paid: once the "
                                    "lender confirms, mark it settled with `xieshang debt edit "
                                    "{debt} --status settled`"), debt=paid_off[0])
    minimums = {str(d.id): Minimum(amount=d.minimum) for d in debts
                if str(d.id) in overdue and d.minimum}
    order: list[str] = []
    if order_text:
        order = [part.strip().lstrip("#") for part in order_text.split(",") if part.strip()]
        unknown = [key for key in order if key not in names]
        if unknown:
            raise InputError("order", N_("names a debt that is not in the case: {key}"),
                             key=unknown[0])
    elif strategy is not None and strategy.value == "custom":
        raise InputError("order", N_("the custom strategy needs --order, e.g. --order 2,1,3"))
    # the timelines the case view made already (one walk of each debt's milestones)
    timelines = {key: debt_timeline(engine_debt, day, horizon * 31)
                 for key, engine_debt in overdue.items()}
    plan_input = plan_input_from_case(overdue, amount, day, law=law(), labels=names,
                                      current=current, minimums=minimums, order=order,
                                      adjustments=adjustments, horizon_months=horizon,
                                      timelines=timelines)
    from dataclasses import replace

    if earmarked and all(key in names for parts in earmarked.values() for key in parts):
        plan_input = replace(plan_input, earmarked=earmarked)
    if token:
        from xieshang.services.budget import norms

        plan_input = replace(plan_input, token=norms().token.per_creditor_min)
    return plan_input, names, source


def settlement_savings(tx: Tx, view: Any, debts: Sequence[Debt],
                       day: date) -> dict[int, Decimal]:
    """The savings kept for a settlement that fund an accepted settlement: for each debt
    whose accepted arrangement is one lump sum paid on or after the day the savings are
    available, the plan month of that payment gets ``min(savings left, the lump sum)``
    on top of the month's budget (the monthly money is not asked for it). Month ``m`` is
    paid on ``add_months(day, m)``."""
    from xieshang.engine.situation import SavingsUse
    from xieshang.services.arrangements import accepted_arrangement

    situation = view.situation
    if situation is None or situation.savings <= 0 \
            or situation.savings_use is not SavingsUse.SETTLEMENT:
        return {}
    left = situation.savings
    funded: dict[int, Decimal] = {}
    for debt in debts:
        agreed = accepted_arrangement(tx, debt, day)
        phase = None if agreed is None else agreed.phase_on(day)
        if phase is None or phase.kind != "settlement" or left <= 0 or (
                situation.savings_on is not None and situation.savings_on > phase.start):
            continue
        unpaid = agreed.progress.remaining if agreed is not None else Decimal("0.00")
        part = min(left, unpaid)
        month = max(0, _month_of(day, phase.start))
        funded[month] = funded.get(month, Decimal("0.00")) + part
        left -= part
    return funded


@dataclass(frozen=True, slots=True)
class PlanSavings:
    """The savings in the plan's money (the same amounts :func:`plan_input` adds).

    Attributes:
        by_month: plan month (0: this month) → the savings in that month's money.
        use: ``"months"`` (they fund the first months) or ``"settlement"`` (they pay an
            accepted settlement).
        to: the debt they go to (its id), or ``None`` when they are spread.
    """

    by_month: Mapping[int, Decimal]
    use: str
    to: int | None

    def of(self, month: int) -> Decimal:
        """The savings in month ``month``'s money (0 when none)."""
        return self.by_month.get(month, Decimal("0.00"))


def plan_savings(tx: Tx, case: Case, day: date, months: int) -> PlanSavings | None:
    """The savings the plan from ``day`` counts in its months' money: the first months'
    (``--savings-use months``, the same split as the budget) or an accepted settlement's;
    ``None`` when the plan counts none (no statement, no savings, or savings kept for a
    settlement not yet agreed). ``plan`` and ``plan month`` say the same from it."""
    from xieshang.services.budget import budget_view, savings_added_by_month
    from xieshang.services.debts import open_debts

    view = budget_view(tx, case, "pro_rata", as_of=day)
    if view is None or view.situation is None or view.situation.savings <= 0:
        return None
    situation = view.situation
    if situation.savings_use.value == "settlement":
        debts = open_debts(tx, case.id)
        funded = settlement_savings(tx, view, debts, day)
        if not funded:
            return None
        from xieshang.services.arrangements import accepted_arrangement

        settled = [debt.id for debt in debts
                   if (agreed := accepted_arrangement(tx, debt, day)) is not None
                   and (phase := agreed.phase_on(day)) is not None
                   and phase.kind == "settlement"]
        return PlanSavings(funded, "settlement", settled[0] if len(settled) == 1 else None)
    added = {month: amount for month, amount in savings_added_by_month(tx, case, day,
                                                                       months).items()
             if amount > 0}
    if not added:
        return None
    to = int(situation.savings_to) if situation.savings_to else None
    return PlanSavings(added, "months", to)


def _month_of(start: date, day: date) -> int:
    """The plan month whose pay date is the last on or before ``day``."""
    from xieshang.engine.schedules import add_months

    months = (day.year - start.year) * 12 + day.month - start.month
    return months - 1 if add_months(start, months) > day else months


def _repayment_day(debt: Any) -> int | None:
    """The lender's repayment day of the month: the one entered, else the day of an
    installment loan's first due date (each debt is paid by its own day)."""
    if debt.due_day is not None:
        day: int = debt.due_day
        return day
    if debt.first_due is not None:
        first: int = debt.first_due.day
        return first
    return None


def _annual_rate(debt: Any) -> Decimal | None:
    from xieshang.services.cases import preset_of

    preset = preset_of(debt)
    if debt.contract_rate is not None:
        if debt.contract_rate_basis == "daily":
            return Decimal(debt.contract_rate) * preset.day_basis.days
        return Decimal(debt.contract_rate)
    if preset.lender_type.value == "private":
        # no rate agreed: no interest (Civil Code Art. 680, rules-cn.md §4.4)
        return Decimal(0)
    if preset.contract_daily_rate is not None:
        return preset.contract_daily_rate * preset.day_basis.days
    if preset.penalty.daily_rate is not None:
        return preset.penalty.daily_rate * preset.day_basis.days
    return None


def owed_series(plan: Plan) -> list[tuple[date, Decimal]]:
    """Total owed after each month's payments, starting with what is owed today."""
    start = sum((d.principal + d.charges_before for d in plan.debts), Decimal("0.00"))
    series = [(plan.input.start, start)]
    for month in plan.months:
        series.append((month.pay_date, sum((d.balance for d in month.debts), Decimal("0.00"))))
    return series


#: What each strategy does, for the person (msgids).
STRATEGY_NAMES = {
    "avalanche": N_("highest cost first"),
    "snowball": N_("smallest first"),
    "pro-rata": N_("in proportion to what each is owed"),
    "risk-first": N_("first stop what is about to be reported or escalated"),
    "custom": N_("in the order you chose"),
    "optimal": N_("least cost and risk, computed"),
}


#: What each strategy does, in a sentence or two (msgids).
STRATEGY_HELP = {
    "avalanche": N_("After what each debt requires, every extra yuan goes to the debt that "
                    "costs the most per yuan owed. Usually the least paid in charges."),
    "snowball": N_("After what each debt requires, the extra goes to the smallest debt first. "
                   "Fewer debts sooner; it can cost more in charges."),
    "pro-rata": N_("Each lender gets a share of the money in proportion to what it is owed "
                   "(the same shares as on the budget page); a debt whose terms require more "
                   "gets what they require. Fair to every lender, and the usual basis of an "
                   "offer to them."),
    "risk-first": N_("Money goes first where a dated risk is near (being reported, a card "
                     "amount reaching the criminal threshold), then to the smallest overdue "
                     "debts, then by cost."),
    "custom": N_("After what each debt requires, the extra goes to the debts in the order you "
                 "give; the others follow by cost."),
    "optimal": N_("A solver looks for the split with the least charges and risk over the "
                  "whole plan, and checks it against every other strategy. Takes a few "
                  "seconds."),
}


#: Short names for tables (msgids).
SHORT_NAMES = {
    "avalanche": N_("Avalanche"),
    "snowball": N_("Snowball"),
    "pro-rata": N_("Pro rata"),
    "risk-first": N_("Risk first"),
    "custom": N_("Your order"),
    "optimal": N_("Optimal"),
}


ACTION_KINDS = {
    "arrangement": N_("agreed arrangement"),
    "clear": N_("pays it off"),
    "minimum": N_("minimum or arrears"),
    "extra": N_("extra, by the strategy"),
    "unpaid": N_("required, but the money does not reach"),
}


@dataclass(frozen=True)
class ShareNote:
    """Why a debt's payment this month is not its share of the budget (language-free).

    Attributes:
        key: the debt's key in the plan.
        message: the msgid; its fields are ``debt`` and the amounts in ``amounts``.
        amounts: ``amount`` (this month's payment), ``share`` and ``required``.
    """

    key: str
    message: str
    amounts: dict[str, Decimal]


#: Messages of :class:`ShareNote` (msgids).
ABOVE_SHARE = N_("{debt}: its terms (the bill) require at least {required} this month, more "
                 "than its share of your budget ({share}): the plan pays what is required, "
                 "and the other debts get less. Ask the lender for an arrangement of at most "
                 "{share} a month (`xieshang ladder`, or the Negotiate page).")
#: The same for the web pages, which never send a person to the terminal.
ABOVE_SHARE_WEB = N_("{debt}: its terms (the bill) require at least {required} this month, "
                     "more than its share of your budget ({share}): the plan pays what is "
                     "required, and the other debts get less. Ask the lender for an "
                     "arrangement of at most {share} a month (see the Negotiate page).")
#: msgid → the web pages' msgid, where the command line's names a command.
FOR_THE_WEB = {ABOVE_SHARE: ABOVE_SHARE_WEB}
BELOW_SHARE = N_("{debt}: {amount} this month, less than its share of your budget ({share}), "
                 "because other debts' required payments come first.")


def share_notes(actions: Sequence[Action], shares: Mapping[int, Decimal] | None,
                strategy: Strategy) -> list[ShareNote]:
    """For the pro-rata plan, where this month's payment differs from the budget's share and
    why (a required payment above the share, or less left because of one). Other strategies
    put the money where they choose by design, so they get no notes; a debt under an
    arrangement pays what was agreed, so it gets none either."""
    from xieshang.engine.strategy import ActionKind, Strategy

    if shares is None or strategy is not Strategy.PRO_RATA:
        return []
    notes = []
    for action in actions:
        if action.kind is ActionKind.ARRANGEMENT:
            continue
        share = shares.get(int(action.key)) if action.key.isdigit() else None
        if share is None or action.amount == share:
            continue
        amounts = {"amount": action.amount, "share": share, "required": action.required}
        if action.required > share:
            notes.append(ShareNote(action.key, ABOVE_SHARE, amounts))
        elif action.amount < share:
            notes.append(ShareNote(action.key, BELOW_SHARE, amounts))
    return notes


def with_regular_installments(tx: Tx, debt: Any, agreed: Any, left: Any, day: date) -> Any:
    """An arrangement on a loan's arrears leaves its principal not yet due to the regular
    installments: they are added to what the plan pays (the loan's own installments when it
    was entered by its terms; otherwise the principal not yet due, one month after the last
    agreed payment — an assumption, as its schedule is not known). An arrangement whose
    principal covers the whole balance is left as it is."""
    from xieshang.engine.accrual import bill_on
    from xieshang.engine.money import ZERO
    from xieshang.engine.schedules import add_months
    from xieshang.engine.strategy import Arrangement, ScheduledPayment
    from xieshang.services.cases import preset_of
    from xieshang.services.debts import loan_position
    from xieshang.store.model import Payment, overdue_debt

    if debt.due_date is None or (debt.not_yet_due <= 0 and debt.borrowed is None):
        return left
    start = agreed.accepted_on
    engine = overdue_debt(debt, preset_of(debt),
                          [p for p in tx.find(Payment, debt_id=debt.id) if p.paid_on < start])
    at_start = bill_on(engine, max(start, engine.due_date))
    if at_start.not_yet_due <= 0:
        return left
    covered = sum((p.principal for p in agreed.payments), ZERO)
    if covered >= at_start.principal + at_start.not_yet_due:
        return left  # the whole balance was rescheduled
    # moved back as the arrears are deferred (the arrangement's regular_shift): the
    # installments ahead on the day it started, on their new dates from today on
    shift = agreed.regular_shift
    loan = loan_position(debt, start if shift else max(start, day))
    if loan is not None:
        extra = [ScheduledPayment(max(add_months(item.due, shift), day), item.principal,
                                  item.interest)
                 for item in loan.ahead
                 if item.due >= start and add_months(item.due, shift) >= day]
    else:
        last = max((p.on for p in agreed.payments), default=day)
        extra = [ScheduledPayment(max(add_months(last, 1), day), at_start.not_yet_due)]
    if not extra:
        return left
    payments = (*(left.payments if left is not None else ()), *extra)
    return Arrangement(tuple(sorted(payments, key=lambda p: p.on)))
