"""Debts: reading what a person typed about a debt, and each debt's bill as of a day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any

from xieshang.clock import today
from xieshang.engine.errors import N_, InputError
from xieshang.engine.limits import MAX_NOTES
from xieshang.services._memo import remembered

if TYPE_CHECKING:
    from xieshang.engine.accrual import OverdueDebt
    from xieshang.engine.accrual_fen import DayBills
    from xieshang.engine.bill import Bill
    from xieshang.store.db import Tx
    from xieshang.store.model import Debt


__all__ = [
    "STATUSES",
    "balance_of",
    "broken_debts",
    "check_terms",
    "check_usable",
    "current_bill",
    "day_bills",
    "debt_amount",
    "debt_fields",
    "debt_problems",
    "debt_text",
    "due_date_of",
    "engine_debt",
    "fix_options",
    "loan_fields",
    "loan_position",
    "next_due",
    "open_debts",
    "own_preset",
    "parse_due_day",
    "parse_method",
    "parse_overdue_since",
    "parse_rate_option",
    "private_loan_rate",
    "private_loan_terms",
]

#: The statuses whose debts are counted in every figure of a case.
OPEN_STATUSES = ("open", "arrangement")


#: Debt statuses (msgids).
STATUSES = {
    "open": N_("open"),
    "arrangement": N_("under an arrangement"),
    "settled": N_("settled"),
    "closed": N_("closed"),
}


def debt_amount(text: str, field: str, *, positive: bool = False) -> Decimal:
    from xieshang.engine.money import parse_amount

    value = parse_amount(text, field)
    if positive and value <= 0:
        raise InputError(field, N_("must be more than 0 (got {value})"), value=text)
    return value


def parse_rate_option(text: str, field: str) -> Decimal:
    from xieshang.engine.parsing import parse_rate

    return parse_rate(text, field)


def parse_due_day(text: str) -> int:
    from xieshang.engine.parsing import parse_count

    return parse_count(text, "due_day", minimum=1, maximum=31)


def _priority(text: str) -> int:
    from xieshang.engine.parsing import parse_count

    return parse_count(text, "priority", minimum=1, maximum=999)


def parse_overdue_since(text: str, *, as_of: date | None = None) -> date:
    """The first day overdue: a date, at most one day after ``as_of`` (default: today)."""
    from xieshang.engine.parsing import parse_date

    first = parse_date(text, "overdue_since")
    if first > (as_of or today()) + timedelta(days=1):
        raise InputError("overdue_since", N_("must not be in the future (got {value})"),
                         value=text)
    return first


def due_date_of(overdue_since: str, *, as_of: date | None = None) -> date | None:
    """The missed repayment date, from the first day overdue as typed (``""``: not overdue).

    ``as_of`` is the day the first overdue day may not be more than one day after
    (default: today).
    """
    if not overdue_since.strip():
        return None
    return parse_overdue_since(overdue_since, as_of=as_of) - timedelta(days=1)


def debt_text(value: str, field: str, maximum: int = 200) -> str:
    cleaned = value.strip()
    if len(cleaned) > maximum:
        raise InputError(field, N_("must be at most {maximum} characters"), maximum=maximum)
    return cleaned


def debt_fields(*, lender: str | None = None, label: str | None = None,
            account: str | None = None, amount: str | None = None,
            interest: str | None = None, fees: str | None = None,
            not_yet_due: str | None = None, overdue_since: str | None = None,
            annual_rate: str | None = None, daily_rate: str | None = None,
            penalty_rate: str | None = None, minimum: str | None = None,
            due_day: str | None = None, priority: str | None = None,
            notes: str | None = None, borrowed: str | None = None,
            periods: str | None = None, method: str | None = None,
            first_due: str | None = None, paid_periods: str | None = None,
            contract_date: str | None = None, posted_on: str | None = None,
            card_basis: str | None = None, period_fee: str | None = None) -> dict[str, Any]:
    """Checked debt fields from the options given (``""`` clears an optional one).

    An installment loan is given by its terms (``borrowed``, ``periods``, ``method``,
    ``first_due``, ``paid_periods`` and a contract rate) instead of its amounts: the
    amounts stored are then the first unpaid installment's (see :func:`loan_fields`).
    """
    values: dict[str, Any] = {}
    values.update(_term_fields(borrowed=borrowed, periods=periods, method=method,
                               first_due=first_due, paid_periods=paid_periods,
                               contract_date=contract_date, posted_on=posted_on,
                               card_basis=card_basis))
    if lender is not None:
        values["lender"] = debt_text(lender, "lender")
    if label is not None:
        values["label"] = debt_text(label, "label")
    if account is not None:
        from xieshang.services.cases import validate_account

        values["account_number"] = validate_account(account) if account.strip() else None
    if amount is not None:
        values["principal"] = debt_amount(amount, "amount", positive=True)
    if interest is not None:
        values["interest"] = debt_amount(interest, "interest")
    if fees is not None:
        values["fees"] = debt_amount(fees, "fees")
    if not_yet_due is not None:
        values["not_yet_due"] = debt_amount(not_yet_due, "not_yet_due")
    if overdue_since is not None:
        values["due_date"] = due_date_of(overdue_since)
    if annual_rate is not None and daily_rate is not None:
        raise InputError("annual_rate", N_("give either --annual-rate or --daily-rate, "
                                           "not both"))
    if annual_rate is not None:
        values["contract_rate"] = (parse_rate_option(annual_rate, "annual_rate")
                                   if annual_rate else None)
        values["contract_rate_basis"] = "annual" if annual_rate else None
    if daily_rate is not None:
        values["contract_rate"] = (parse_rate_option(daily_rate, "daily_rate")
                                   if daily_rate else None)
        values["contract_rate_basis"] = "daily" if daily_rate else None
    if penalty_rate is not None:
        values["penalty_daily_rate"] = (parse_rate_option(penalty_rate, "penalty_rate")
                                        if penalty_rate else None)
    if minimum is not None:
        values["minimum"] = debt_amount(minimum, "minimum") if minimum.strip() else None
    if due_day is not None:
        values["due_day"] = parse_due_day(due_day) if due_day.strip() else None
    if priority is not None:
        values["priority"] = _priority(priority) if priority.strip() else None
    if period_fee is not None:
        from xieshang.engine.parsing import parse_period_fee

        values["period_fee_rate"], values["period_fee"] = (
            parse_period_fee(period_fee) if period_fee.strip() else (None, None))
    if notes is not None:
        if len(notes) > MAX_NOTES:
            raise InputError("notes", N_("must be at most {maximum} characters"),
                             maximum=MAX_NOTES)
        values["notes"] = notes
    return values


def _term_fields(*, borrowed: str | None, periods: str | None, method: str | None,
                 first_due: str | None, paid_periods: str | None,
                 contract_date: str | None, posted_on: str | None,
                 card_basis: str | None) -> dict[str, Any]:
    from xieshang.engine.parsing import parse_count, parse_date

    values: dict[str, Any] = {}
    if borrowed is not None:
        values["borrowed"] = (debt_amount(borrowed, "borrowed", positive=True)
                              if borrowed.strip() else None)
    if periods is not None:
        values["periods"] = (parse_count(periods, "periods", minimum=1, maximum=600)
                             if periods.strip() else None)
    if paid_periods is not None:
        values["paid_periods"] = (parse_count(paid_periods, "paid_periods", minimum=0,
                                              maximum=600) if paid_periods.strip() else None)
    if method is not None:
        values["repayment_method"] = parse_method(method) if method.strip() else None
    if first_due is not None:
        values["first_due"] = parse_date(first_due, "first_due") if first_due.strip() else None
    if contract_date is not None:
        values["contract_date"] = (parse_date(contract_date, "contract_date")
                                   if contract_date.strip() else None)
    if posted_on is not None:
        values["posted_on"] = parse_date(posted_on, "posted_on") if posted_on.strip() else None
    if card_basis is not None:
        key = card_basis.strip().lower()
        if key and key not in CARD_BASES:
            raise InputError("card_basis", N_("'{value}' is not one of: {known}"),
                             value=card_basis, known=", ".join(CARD_BASES))
        values["card_interest_basis"] = key or None
    return values


#: How card interest is counted once a statement is not paid in full.
CARD_BASES = ("full", "unpaid")

#: Repayment methods and the words people use for them.
METHOD_WORDS = {
    "annuity": "annuity", "等额本息": "annuity", "每月等额": "annuity",
    "equal_principal": "equal_principal", "equal-principal": "equal_principal",
    "等额本金": "equal_principal",
    "interest_only": "interest_only", "interest-only": "interest_only",
    "先息后本": "interest_only",
}


def parse_method(text: str) -> str:
    """A repayment method: ``annuity`` / 等额本息, ``equal_principal`` / 等额本金,
    ``interest_only`` / 先息后本."""
    key = text.strip().lower()
    if key not in METHOD_WORDS:
        raise InputError("method", N_("'{value}' is not one of: {known}"), value=text[:40],
                         known="annuity (等额本息), equal_principal (等额本金), "
                               "interest_only (先息后本)")
    return METHOD_WORDS[key]


def loan_fields(values: dict[str, Any], existing: Debt | None = None) -> dict[str, Any]:
    """``values`` with an installment loan's amounts derived from its terms.

    When the terms are complete (borrowed, periods, first due date; the rate from
    ``values`` or ``existing``), principal, interest, principal not yet due and the due
    date become the first unpaid installment's; when some are given but not all, the
    missing ones are named.
    """
    from dataclasses import replace

    from xieshang.store.model import Debt

    names = ("borrowed", "periods", "first_due")
    if not any(name in values for name in (*names, "paid_periods", "repayment_method",
                                           "period_fee_rate", "period_fee")) \
            and (existing is None or existing.borrowed is None):
        return values
    base = existing or Debt(case_id=0, preset_id="", principal=Decimal("0.00"))
    merged = replace(base, **{k: v for k, v in values.items() if k in Debt.__slots__})
    if merged.borrowed is None and merged.periods is None and merged.first_due is None:
        if merged.period_fee_rate is not None or merged.period_fee is not None:
            raise InputError("period_fee", N_("is charged on installments: give the loan's "
                                              "--borrowed, --periods and --first-due too"))
        return values
    for name in names:
        if getattr(merged, name) is None:
            raise InputError(name, N_("is needed for an installment loan (with --borrowed, "
                                      "--periods, --first-due and the loan's rate)"))
    if merged.contract_rate is None and merged.period_fee_rate is None \
            and merged.period_fee is None:
        raise InputError("daily_rate", N_("is needed for an installment loan: give the "
                                          "loan's --daily-rate or --annual-rate (or, for a "
                                          "fee every period, --period-fee)"))
    terms = merged.loan_terms()
    from xieshang.engine.installments import overdue_debt_parts

    parts = overdue_debt_parts(terms)
    result = dict(values)
    if parts is None:
        result.update(principal=Decimal("0.00"), interest=Decimal("0.00"),
                      not_yet_due=Decimal("0.00"), due_date=None)
    else:
        result.update(principal=parts.principal, interest=parts.interest,
                      not_yet_due=parts.not_yet_due, due_date=parts.due_date)
    if "repayment_method" not in result and merged.repayment_method is None:
        result["repayment_method"] = "annuity"
    if "paid_periods" not in result and merged.paid_periods is None:
        result["paid_periods"] = 0
    return result


def check_terms(values: dict[str, Any], existing: Debt | None = None) -> None:
    """Refuse terms that contradict each other (``values`` over ``existing``): a card's
    posting date after the due date it was to be repaid by (the statement's interest runs
    from the posting date up to the due date, so none could be computed), or a loan
    contract made after the repayment it missed (a mistyped year would take the legal
    limit from the wrong LPR).

    Raises:
        InputError: (field ``posted_on`` or ``contract_date``) it is after the due date.
    """
    due = values.get("due_date", existing.due_date if existing is not None else None)
    if due is None:
        return
    for name in ("posted_on", "contract_date"):
        day = values.get(name, getattr(existing, name) if existing is not None else None)
        if day is not None and day > due:
            raise InputError(name, N_("must not be after the due date {due}"),
                             due=due.isoformat())


def loan_position(debt: Debt, as_of: date) -> Any:
    """The installments of a loan entered by its terms on ``as_of``
    (:class:`~xieshang.engine.installments.LoanPosition`), or ``None``."""
    terms = debt.loan_terms()
    if terms is None:
        return None
    from xieshang.engine.installments import position

    return position(terms, as_of)


def private_loan_terms(engine: Any, contract_date: date | None, as_of: date) -> Any:
    """An engine debt of a private lender charged at the rate the rules allow
    (:mod:`xieshang.engine.private_loans`); any other debt unchanged."""
    return private_loan_rate(engine, contract_date, as_of)[0]


def private_loan_rate(engine: Any, contract_date: date | None, as_of: date) -> tuple[Any, Any]:
    """:func:`private_loan_terms` and how its rate was found
    (:class:`~xieshang.engine.private_loans.PrivateRate`, ``None`` for other lenders)."""
    from xieshang.engine.preset import LenderType

    if engine.preset.lender_type is not LenderType.PRIVATE:
        return engine, None
    from xieshang.engine.private_loans import with_private_rate
    from xieshang.rules import lpr_table, rate_law

    return with_private_rate(engine, contract_date, as_of, lpr_table(), rate_law()["law"])


def engine_debt(debt: Debt, payments: Any, as_of: date) -> Any:
    """The engine's overdue debt of a stored one as of ``as_of``: its own terms (entered
    rate, installments, adopted reconciliation) and, for a private loan, the legal cap."""
    from xieshang.services.cases import preset_of
    from xieshang.store.model import overdue_debt

    engine = overdue_debt(debt, preset_of(debt), payments)
    return private_loan_terms(engine, debt.contract_date, as_of)


def own_preset(debt: Debt) -> Any:
    """The debt's preset with the debt's own contract rate in place of the preset's (the
    rate the person entered comes before the preset's default in every figure)."""
    from dataclasses import replace

    from xieshang.services.cases import preset_of

    preset = preset_of(debt)
    if debt.contract_rate is None:
        return preset
    daily = debt.contract_rate
    if debt.contract_rate_basis == "annual":
        daily = daily / preset.day_basis.days
    return replace(preset, contract_daily_rate=daily)


@cache
def _debt_fields() -> tuple[str, ...]:
    """The names of a stored debt's fields, in order."""
    from dataclasses import fields

    from xieshang.store.model import Debt

    return tuple(item.name for item in fields(Debt))


@remembered(lambda tx, debt: ((id(tx), debt.id), (tx, debt)), copy=list)
def debt_problems(tx: Tx, debt: Debt) -> list[InputError]:
    """What is out of bounds in a stored debt (saved by an older version, or by hand):
    each an :class:`InputError` naming the field as ``debt edit`` names it; [] when the
    debt can be used. Its payments are checked too (field ``payment``)."""
    from xieshang.engine.checks import value_problems
    from xieshang.store.model import Payment

    # (a field left empty is never out of bounds: value_problems passes over None)
    values = {name: value for name in _debt_fields()
              if (value := getattr(debt, name)) is not None}
    if debt.due_date is not None and debt.due_date < date.max:
        values["due_date"] = debt.due_date + timedelta(days=1)  # shown as --overdue-since
    found = [error for _name, error in value_problems(values)]
    try:
        check_terms({}, debt)
    except InputError as contradiction:
        found.append(contradiction)
    for payment in tx.find(Payment, debt_id=debt.id):
        for _name, error in value_problems({"amount": payment.amount,
                                             "paid_on": payment.paid_on}):
            found.append(InputError("payment", N_("payment {id}: {problem}"), id=payment.id,
                                    problem=error.render()))
    return found


def fix_options(problems: list[InputError]) -> str:
    """The ``debt edit`` options that fix ``problems`` (``--penalty-rate …``)."""
    names = dict.fromkeys(error.field.replace("_", "-") for error in problems
                          if error.field != "payment")
    return " ".join(f"--{name} …" for name in names)


def check_usable(tx: Tx, debt: Debt) -> None:
    """Refuse to compute with a debt that has values out of bounds (InputError naming how
    to fix it) instead of failing inside a calculation."""
    problems = debt_problems(tx, debt)
    if problems:
        options = fix_options(problems)
        raise InputError("debt", N_("debt #{id} has values xieshang cannot use ({fields}); "
                                    "`xieshang status` says what is wrong — fix it with "
                                    "`xieshang debt edit {id} {options}` or on its edit page"),
                         id=debt.id, fields=", ".join(dict.fromkeys(e.field for e in problems)),
                         options=options or "…")


@remembered(lambda tx, case_id, status=OPEN_STATUSES: ((id(tx), case_id, status), tx),
            copy=list)
def open_debts(tx: Tx, case_id: int,
               status: str | tuple[str, ...] = OPEN_STATUSES) -> list[Debt]:
    """A case's debts with ``status`` that can be computed with (those needing a fix are
    left out: :func:`broken_debts` lists them). Found once while a case is read."""
    from xieshang.store.model import Debt

    return [debt for debt in tx.find(Debt, case_id=case_id, status=status)
            if not debt_problems(tx, debt)]


def broken_debts(tx: Tx, case_id: int, status: str | tuple[str, ...] = OPEN_STATUSES
                 ) -> list[tuple[Debt, list[InputError]]]:
    """A case's debts with ``status`` that need fixing, each with what is wrong."""
    from xieshang.store.model import Debt

    found = []
    for debt in tx.find(Debt, case_id=case_id, status=status):
        problems = debt_problems(tx, debt)
        if problems:
            found.append((debt, problems))
    return found


@remembered(lambda tx, debt, as_of: ((id(tx), debt.id, as_of), (tx, debt)))
def current_bill(tx: Tx, debt: Debt, as_of: date) -> tuple[Bill | None, Any]:
    """Today's bill of a stored debt (None when it is not overdue) and its engine debt.

    A debt under an accepted arrangement is owed on the arrangement's terms from its start:
    the bill is what is still to pay of the agreed payments (no penalty runs), and there is
    no engine debt (see :func:`xieshang.services.arrangements.accepted_arrangement`).
    """
    from xieshang.services.arrangements import accepted_arrangement
    from xieshang.store.model import Payment

    check_usable(tx, debt)
    agreed = accepted_arrangement(tx, debt, as_of)
    if agreed is not None:
        return agreed.progress.bill(), None
    if debt.due_date is None or as_of < debt.due_date:
        return None, None
    try:
        engine = engine_debt(debt, tx.find(Payment, debt_id=debt.id), as_of)
        return day_bills(engine, as_of).bill(as_of, daily_cost=True), engine
    except (InvalidOperation, OverflowError):
        raise too_large(debt.id) from None


@remembered(lambda engine, as_of: ((id(engine), as_of), engine))
def day_bills(engine: OverdueDebt, as_of: date) -> DayBills:
    """The bills of an engine debt seen from ``as_of``
    (:func:`xieshang.engine.timeline.day_bills`): today's bill, what one more day costs and
    the days its timeline dates, walked once while a case is read."""
    from xieshang.engine.timeline import day_bills as walk

    return walk(engine, as_of)


def too_large(debt_id: int | None) -> InputError:
    """The error for charges that compound past what can be computed (every value within
    its bounds, but e.g. 1 % a day for decades)."""
    return InputError("debt", N_("the charges of debt #{id} grow beyond what xieshang can "
                                 "compute; check its rates, amounts and dates "
                                 "(`xieshang debt edit {id}`)"), id=debt_id)


def balance_of(tx: Tx, debt: Debt, as_of: date) -> Decimal:
    """What is owed in all on a debt on a date: the bill of that day (or the amounts
    entered less payments, when it is not overdue) and the principal not yet due."""
    bill, engine = current_bill(tx, debt, as_of)
    if bill is not None:
        return bill.total + (bill.not_yet_due if engine is not None else debt.not_yet_due)
    from xieshang.store.model import Payment

    paid = sum((p.amount for p in tx.find(Payment, debt_id=debt.id) if p.paid_on <= as_of),
               Decimal("0.00"))
    entered = debt.principal + debt.interest + debt.penalty + debt.fees + debt.not_yet_due
    return max(Decimal("0.00"), entered - paid)


def next_due(as_of: date, day: int) -> date:
    import calendar

    year, month = as_of.year, as_of.month
    for _step in range(2):
        last = calendar.monthrange(year, month)[1]
        candidate = date(year, month, min(day, last))
        if candidate >= as_of:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable")  # pragma: no cover


