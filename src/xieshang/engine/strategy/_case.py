"""From the case file to a plan input, and the re-cast from the payments actually made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from xieshang.engine.accrual import OverdueDebt, Payment, principal_outstanding_principal_first
from xieshang.engine.errors import N_, InputError, StateError
from xieshang.engine.money import ZERO, money
from xieshang.engine.preset import ProductKind
from xieshang.engine.strategy._ledger import Calendar, Ledger, Phase, month_of
from xieshang.engine.strategy._model import (
    DEFAULT_HORIZON,
    ActualPayment,
    Arrangement,
    Minimum,
    PlanDebt,
    PlanInput,
    RiskMilestone,
    RiskWeights,
    ScheduledPayment,
)
from xieshang.engine.strategy._simulate import simulate
from xieshang.engine.timeline import Event, Law, timeline

__all__ = ["RISK_EVENTS", "Recast", "plan_input_from_case", "recast_input"]

#: Timeline events that are risk milestones besides the preset's own milestones.
RISK_EVENTS = frozenset({"credit_repair"})


def plan_input_from_case(
    debts: Mapping[str, OverdueDebt],
    budget: Decimal,
    start: date,
    *,
    law: Law | None = None,
    labels: Mapping[str, str] | None = None,
    current: Sequence[PlanDebt] = (),
    arrangements: Mapping[str, tuple[Arrangement, int]] | None = None,
    minimums: Mapping[str, Minimum] | None = None,
    adjustments: Mapping[int, Decimal] | None = None,
    weights: RiskWeights | None = None,
    horizon_months: int = DEFAULT_HORIZON,
    order: Sequence[str] = (),
    timelines: Mapping[str, Sequence[Event]] | None = None,
) -> PlanInput:
    """The plan input for a case: its overdue debts (by key) and the monthly budget.

    For each overdue debt: a credit card's principal counted with repayments against
    principal first (:func:`~xieshang.engine.accrual.principal_outstanding_principal_first`)
    for the malicious-overdraft threshold; with ``law``, the dated milestones ahead from
    :func:`~xieshang.engine.timeline.timeline` (the preset's dated milestones and the
    repay-by date of the one-off credit repair, where it applies) and the threshold itself
    (``law.malicious_overdraft.min_principal``).

    Args:
        debts: the case's overdue debts by key; their payments must not be after ``start``.
        budget: the monthly amount (the affordability statement's).
        start: the first pay date (today, normally).
        law: the legal rules (``presets/_law.toml`` through ``parse_law``).
        labels: how the person calls each debt (default: the key).
        current: debts that are not overdue, as plan debts.
        arrangements: an agreed arrangement by key, with the plan month it starts.
        minimums: a minimum payment by key (an overdue debt has none by default).
        adjustments: one-off budget changes by month index.
        weights: the risk weights.
        horizon_months: the longest plan looked at.
        order: the custom order (keys).
        timelines: with ``law``, each overdue debt's timeline as
            ``timeline(debt, start, law, horizon_days=horizon_months * 31)`` gives it, by key,
            when the caller has it already (a debt left out: computed here).

    Raises:
        InputError: a payment is after ``start`` ("payments"), a key is unknown, or the
            plan input is not valid.
    """
    labels = labels or {}
    arrangements = arrangements or {}
    minimums = minimums or {}
    plan_debts: list[PlanDebt] = []
    has_card = any(debt.card_principal is not None for debt in current)
    horizon_days = horizon_months * 31
    for key, debt in debts.items():
        card = None
        if debt.preset.product_kind is ProductKind.CREDIT_CARD:
            card = principal_outstanding_principal_first(debt, start)
            has_card = True
        milestones: tuple[RiskMilestone, ...] = ()
        if law is not None:
            ids = {m.id for m in debt.preset.milestones} | RISK_EVENTS
            given = None if timelines is None else timelines.get(key)
            events = (timeline(debt, start, law, horizon_days=horizon_days) if given is None
                      else given)
            milestones = tuple(
                RiskMilestone(event.id, event.on)
                for event in events
                if event.on is not None and event.id in ids and event.applies
                and not event.passed
            )
        arrangement, from_month = arrangements.get(key, (None, 0))
        plan_debts.append(PlanDebt(
            key=key, label=labels.get(key, key), overdue_debt=debt, minimum=minimums.get(key),
            card_principal=card, milestones=milestones, arrangement=arrangement,
            arrangement_from_month=from_month,
        ))
    plan_debts.extend(current)
    known = {debt.key for debt in plan_debts}
    for key in (*arrangements, *minimums):
        if key not in known:
            raise InputError("debts", N_("names a debt that is not in the plan: {key}"),
                             key=key)
    threshold = law.malicious_overdraft.min_principal if law is not None and has_card else None
    return PlanInput(
        debts=tuple(plan_debts), monthly_budget=money(budget, "budget"), start=start,
        adjustments=dict(adjustments or {}), horizon_months=horizon_months,
        weights=weights or RiskWeights(), card_threshold=threshold, order=tuple(order),
    )


@dataclass(frozen=True, slots=True)
class Recast:
    """The plan input as it stands after the payments actually made.

    Attributes:
        input: the new plan input, starting at the first pay date on or after today.
        elapsed_months: the months of the original plan that are history.
        paid: what was actually paid, by debt key.
    """

    input: PlanInput
    elapsed_months: int
    paid: Mapping[str, Decimal] = field(default_factory=dict)


def recast_input(plan_input: PlanInput, payments: Sequence[ActualPayment], today: date
                 ) -> Recast:
    """Re-cast a plan from today, given the payments actually made.

    The months whose pay date is before ``today`` are history: each is walked with the
    payments actually made in it (a payment counts for the month whose pay date is the last
    on or before it; one before the start, for the first month), with the same exact
    engine. The new input starts at the first pay date on or after ``today``, keeps the
    calendar, and carries every balance, arrears, arrangement payment still due and card
    principal as they stand; adjustments and the horizon move with it.

    Raises:
        InputError: a payment names an unknown debt or is dated after ``today``
            ("payments").
    """
    keys = {debt.key: index for index, debt in enumerate(plan_input.debts)}
    dates = Calendar(plan_input.start)
    elapsed = 0
    while dates[elapsed] < today and elapsed < plan_input.horizon_months:
        elapsed += 1
    by_month: dict[int, list[tuple[int, date, Decimal]]] = {}
    paid: dict[str, Decimal] = {}
    for payment in sorted(payments, key=lambda p: p.on):
        if payment.key not in keys:
            raise InputError("payments", N_("names a debt that is not in the plan: {key}"),
                             key=payment.key)
        if payment.on > today:
            raise InputError("payments", N_("a payment is dated after today ({today})"),
                             today=today.isoformat())
        month = min(max(0, month_of(plan_input.start, payment.on)), max(elapsed - 1, 0))
        by_month.setdefault(month, []).append((keys[payment.key], payment.on, payment.amount))
        paid[payment.key] = paid.get(payment.key, ZERO) + payment.amount
    if elapsed == 0:
        debts = tuple(_before_start(debt, [(on, amount) for index, on, amount
                                           in by_month.get(0, ()) if index == i])
                      for i, debt in enumerate(plan_input.debts))
        return Recast(replace(plan_input, debts=debts), 0, paid)
    run = simulate(plan_input, lambda _m, ledgers, _b: [ZERO] * len(ledgers),
                   fixed={m: by_month.get(m, ()) for m in range(elapsed)}, months=elapsed)
    new_start = dates[elapsed]
    if len(run.months) < elapsed:  # everything was repaid early: nothing left to walk
        new_start = dates[len(run.months)]
        elapsed = len(run.months)
    debts = tuple(_snapshot(ledger, elapsed, new_start) for ledger in run.ledgers)
    new_input = replace(
        plan_input, debts=debts, start=new_start,
        adjustments={m - elapsed: v for m, v in plan_input.adjustments.items() if m >= elapsed},
        earmarked={m - elapsed: v for m, v in plan_input.earmarked.items() if m >= elapsed},
        horizon_months=max(1, plan_input.horizon_months - elapsed),
    )
    return Recast(new_input, elapsed, paid)


def _snapshot(ledger: Ledger, elapsed: int, new_start: date) -> PlanDebt:
    """The plan debt as the ledger stands after the history months."""
    debt = ledger.debt
    card = ledger.card
    if ledger.phase is Phase.ARRANGEMENT:
        rows = []
        if ledger.due_unpaid > 0:
            rows.append(ScheduledPayment(new_start, ledger.due_unpaid))
        credit = ledger.credit
        for month in sorted(ledger.rows):
            if month < elapsed:
                continue
            for row in ledger.rows[month]:
                used = min(credit, row.principal)
                credit -= used
                if row.principal - used > 0 or row.charges > 0:
                    rows.append(replace(row, principal=row.principal - used))
        if not rows:
            rows.append(ScheduledPayment(new_start, ZERO))
        return replace(debt, balance=None, annual_rate=None, overdue_debt=None, past_due=ZERO,
                       fees=ZERO, arrangement=Arrangement(tuple(rows)),
                       arrangement_from_month=0, card_principal=card)
    from_month = max(0, debt.arrangement_from_month - elapsed)
    if ledger.phase is Phase.OVERDUE:
        if debt.overdue_debt is None:
            raise StateError("debt.overdue_debt")
        return replace(debt, overdue_debt=replace(debt.overdue_debt,
                                                  payments=tuple(ledger.payments)),
                       arrangement_from_month=from_month, card_principal=card)
    return replace(debt, balance=ledger.balance, fees=ledger.fees_due, past_due=ledger.arrears,
                   arrangement_from_month=from_month, card_principal=card)


def _before_start(debt: PlanDebt, payments: Sequence[tuple[date, Decimal]]) -> PlanDebt:
    """A plan debt with payments made before the plan starts taken off."""
    if not payments:
        return debt
    total = sum((amount for _, amount in payments), ZERO)
    card = None if debt.card_principal is None else max(ZERO, debt.card_principal - total)
    if debt.overdue_debt is not None:
        od = debt.overdue_debt
        extra = tuple(Payment(on, amount) for on, amount in payments)
        return replace(debt, overdue_debt=replace(od, payments=od.payments + extra),
                       card_principal=card)
    if debt.balance is not None:
        fees = max(ZERO, debt.fees - total)
        rest = total - (debt.fees - fees)
        return replace(debt, fees=fees, balance=max(ZERO, debt.balance - rest),
                       past_due=max(ZERO, debt.past_due - total), card_principal=card)
    if debt.arrangement is None:
        raise StateError("debt.arrangement")
    rows = []
    credit = total
    for row in debt.arrangement.payments:
        used = min(credit, row.principal)
        credit -= used
        rows.append(replace(row, principal=row.principal - used))
    return replace(debt, arrangement=Arrangement(tuple(rows)), card_principal=card)
