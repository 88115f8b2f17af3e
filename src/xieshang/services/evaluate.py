"""One case evaluated at once, language-free: the figures a caseload needs of each case.

:func:`evaluate_case` reads a case the way the commands do — :func:`case_view` (the bill,
cost per day and share of each debt, the budget), each debt's ladder from
:func:`~xieshang.services.negotiation.debt_inputs` (the one ``xieshang ladder`` prints),
the pro-rata plan from
:func:`~xieshang.services.plan.plan_input` — so a batch row equals what ``xieshang status``,
``budget show``, ``ladder`` and ``plan --strategy pro-rata`` print for the same case, to the
fen. It works on any transaction with the store's reading methods: the database's
:class:`~xieshang.store.db.Tx`, or :class:`~xieshang.store.memory.MemoryTx` when the case
comes from a table or a JSON export and is never stored.

Added to the views: the legal-risk flags of each overdue debt (the timeline's milestones
that apply and have been reached) and the cost of waiting one more month (the engine's bill
a month from the day, less today's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xieshang.engine.negotiation import Ladder
    from xieshang.engine.strategy import Plan
    from xieshang.services.case_view import CaseView, DebtView
    from xieshang.store.model import Case

__all__ = ["PLAN_STRATEGY", "CaseFigures", "DebtFigures", "evaluate_case"]

ZERO = Decimal("0.00")

#: The strategy of the plan summary: the budget's own split, the basis of an offer to every
#: lender (``xieshang plan --strategy pro-rata``).
PLAN_STRATEGY = "pro-rata"


@dataclass(frozen=True)
class DebtFigures:
    """One open debt of an evaluated case.

    Attributes:
        view: the debt as :func:`~xieshang.services.case_view.case_view` sees it.
        flags: ids of the legal-risk milestones reached (timeline events that apply, dated
            on or before the day; ``malicious_overdraft`` when a card's unpaid principal is
            at the legal threshold), in timeline order.
        month_delay: what waiting one more month adds (0 for a debt not overdue or under an
            arrangement: no overdue charges run on it).
        ladder: its proposal ladder (``None`` without a budget or under an arrangement).
    """

    view: DebtView
    flags: tuple[str, ...]
    month_delay: Decimal
    ladder: Ladder | None


@dataclass(frozen=True)
class CaseFigures:
    """An evaluated case.

    Attributes:
        view: the case view.
        debts: its open debts, in the case's order.
        plan: the pro-rata plan (``None`` without a budget or open debts).
        plan_problem: why there is no plan, when a budget and debts exist but the plan's
            input is refused (an :class:`InputError`; ``None`` otherwise).
    """

    view: CaseView
    debts: tuple[DebtFigures, ...]
    plan: Plan | None
    plan_problem: Any = None

    @property
    def month_delay(self) -> Decimal:
        """What waiting one more month adds across the case's debts."""
        return sum((d.month_delay for d in self.debts), ZERO)


def evaluate_case(tx: Any, case: Case, as_of: date, *, plan: bool = True,
                  ladder: bool = True) -> CaseFigures:
    """The case's figures as of ``as_of`` (``plan``/``ladder``: whether to compute them).

    Every bill, budget view and check the parts ask for again is answered from the first
    answer while the case is read (:func:`~xieshang.services._memo.reading`)."""
    from xieshang.services._memo import reading

    with reading():
        return _evaluate(tx, case, as_of, plan=plan, ladder=ladder)


def _evaluate(tx: Any, case: Case, as_of: date, *, plan: bool, ladder: bool) -> CaseFigures:
    from xieshang.engine.errors import InputError
    from xieshang.engine.strategy import Strategy, make_plan
    from xieshang.services.case_view import case_view
    from xieshang.services.cases import debt_label
    from xieshang.services.negotiation import debt_inputs
    from xieshang.services.plan import plan_input

    view = case_view(tx, case, as_of)
    debts = []
    for item in view.debts:
        rungs = None
        if ladder and view.budget is not None and item.share is not None \
                and item.arrangement is None:
            # the ladder exactly as `xieshang ladder` builds it (the debt's own terms, an
            # installment loan's arrears ladder, plans that start when money does)
            rungs = debt_inputs(tx, str(case.id), str(item.debt.id), today=as_of).ladder
        debts.append(DebtFigures(view=item, flags=_flags(item, as_of),
                                 month_delay=_month_delay(item, as_of), ladder=rungs))
    made = None
    problem = None
    if plan and view.budget is not None and view.debts:
        strategy = Strategy(PLAN_STRATEGY)
        try:
            given, _names, _source = plan_input(lambda debt: debt_label(debt, "en"), tx, case,
                                                None, None, None, strategy, today=as_of)
        except InputError as error:
            problem = error
        else:
            made = make_plan(given, strategy)
    return CaseFigures(view=view, debts=tuple(debts), plan=made, plan_problem=problem)


def _flags(item: DebtView, day: date) -> tuple[str, ...]:
    from xieshang.services.case_view import debt_timeline

    if item.engine is None:
        return ()
    found = []
    for event in debt_timeline(item.engine, day):
        if not event.applies:
            continue
        if event.id == "malicious_overdraft" or (event.on is not None and event.on <= day
                                                 and event.id not in ("charges_today",)):
            found.append(event.id)
    return tuple(dict.fromkeys(found))


def _month_delay(item: DebtView, day: date) -> Decimal:
    import decimal

    from xieshang.engine.accrual import bill_on
    from xieshang.engine.schedules import add_months
    from xieshang.services.debts import day_bills, too_large

    if item.engine is None or item.bill is None:
        return ZERO
    month = add_months(day, 1)
    engine = item.engine
    try:
        if item.bill.as_of == day and all(payment.on <= day for payment in engine.payments):
            # the walk of today's bill, a month further on (bill_on's bill, to the fen)
            later: Decimal = day_bills(engine, day).bill(month).total
        else:
            later = bill_on(engine, month).total
    except (decimal.InvalidOperation, OverflowError):
        raise too_large(item.debt.id) from None
    return later - item.bill.total - _scheduled(item.engine, item.bill.not_yet_due, day, month)


def _scheduled(engine: Any, not_yet_due: Decimal, day: date, month: date) -> Decimal:
    """What a loan's regular installments falling due after ``day`` up to ``month`` add to
    the bill by the schedule alone (their principal and contract interest, owed whether or
    not the person waits): not a cost of waiting. Taken as the engine takes them — each
    installment's principal up to the principal not yet due, its interest in proportion
    (:meth:`xieshang.engine.accrual._Ledger.fall_due`)."""
    from xieshang.engine.money import round_money

    left = not_yet_due
    total = ZERO
    for installment in engine.later:
        if not day < installment.due <= month:
            continue
        take = min(installment.principal, left)
        if take <= 0:
            continue
        left -= take
        total += take + (installment.interest if take == installment.principal else round_money(
            installment.interest * take / installment.principal,
            engine.preset.rounding.mode))
    return total
