"""The first run: three questions on one page (what you owe, what comes in, what must go
out), then Today shows the bill, what you can afford, the recommendation, the ladder and the
phone script. Everything else (the full debt form, the whole budget) is refinement.

The debts are checked and built by the service the debt form uses
(:func:`~xieshang.services.debts.debt_fields`), the budget is written by
:func:`~xieshang.services.budget.save_statement`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from xieshang.engine.errors import N_, InputError, XieshangError
from xieshang.web.page import Errors, Form, Page

if TYPE_CHECKING:
    from collections.abc import Callable

    from xieshang.store.db import Tx

__all__ = ["DEBT_ROWS", "SPENDING", "first_run_context", "router", "where_to_look"]

router = APIRouter()

#: How many debts the first-run page asks for (the rest: the Debts page).
DEBT_ROWS = 2

#: The budget lines the first run asks for: form field → (section, category, label msgid).
INCOME: dict[str, tuple[str, str, str]] = {
    "income": ("income", "wages", N_("What comes in each month, after tax")),
}
SPENDING: dict[str, tuple[str, str, str]] = {
    "rent": ("priority", "rent", N_("Rent or mortgage a month")),
    "food": ("flexible", "food", N_("Food a month")),
    "bills": ("priority", "utilities", N_("Water, power, gas and phone a month")),
    "transport": ("fixed", "transport", N_("Getting to work a month")),
}


@cache
def _where() -> dict[str, dict[str, str]]:
    import tomllib
    from importlib import resources

    text = resources.files("xieshang").joinpath("data", "where_to_look.toml").read_text("utf-8")
    return {key: dict(value) for key, value in tomllib.loads(text).items()}


def where_to_look(product: str, lang: str, *, loan: bool = False) -> str | None:
    """Where that product's app or bill shows the amount and the missed day, or with
    ``loan`` the installment loan's terms (借款金额, 期数, 日利率, 还款方式, 首期还款日,
    已还期数); None: no text."""
    entry = _where().get(product)
    key = ("loan_" if loan else "") + ("en" if lang == "en" else "zh")
    return None if entry is None else entry.get(key)


def first_run_context(page: Page, values: dict[str, str] | None = None,
                      errors: Errors | None = None) -> dict[str, Any]:
    """What the first-run form needs."""
    from xieshang.present import masked
    from xieshang.web.pages.debts import _presets

    lang = page.out.lang
    products = [(p.id, p.name.get(lang)) for p in _presets()]
    _ = page._
    existing = None
    with page.read() as tx:
        case = tx.current_case()
        if case is not None:
            existing = {"id": case.id, "name": masked(page.out, "name", case.name)}
    return {
        "existing": existing,
        "first_run": True,
        "products": [("", _("Choose…")), *products],
        "where": [(name, where_to_look(key, lang)) for key, name in products
                  if where_to_look(key, lang)],
        "debt_rows": list(range(1, DEBT_ROWS + 1)),
        "income_fields": [(name, _(label)) for name, (_s, _c, label) in INCOME.items()],
        "starts_label": _("My income starts on"),
        "starts_hint": _("Only if no money comes in before then, e.g. a new job that pays "
                         "from next month. Leave empty if it comes in already."),
        "loan_rows": {row: loan_row_context(page, row, (values or {}).get(f"d{row}_product",
                                                                          ""),
                                            values, errors)
                      for row in range(1, DEBT_ROWS + 1)},
        "spending_fields": [(name, _(label)) for name, (_s, _c, label) in SPENDING.items()],
        "values": values or {}, "errors": errors,
    }


#: The terms of an installment loan, as its app shows them (借款详情 / 还款计划): form
#: field suffix → (the name :func:`~xieshang.services.debts.debt_fields` takes, label msgid).
LOAN_FIELDS: dict[str, tuple[str, str]] = {
    "borrowed": ("borrowed", N_("Amount borrowed (借款金额)")),
    "periods": ("periods", N_("Number of periods (期数)")),
    "rate": ("daily_rate", N_("Daily rate (日利率)")),
    "method": ("method", N_("Repayment method (还款方式)")),
    "first_due": ("first_due", N_("First repayment date (首期还款日)")),
    "paid": ("paid_periods", N_("Periods already repaid (已还期数)")),
    "fee": ("period_fee", N_("Fee per period (服务费 / 手续费)")),
}

#: Terms that may stay empty: the fee (most loans have none), and the rate when a fee is
#: given (白条 分期 charges a fee, no interest).
_OPTIONAL_TERMS = frozenset({"fee"})

#: The service's field names → the first-run form's suffixes (for the errors it names).
_LOAN_ERROR_FIELDS = {"borrowed": "borrowed", "periods": "periods", "first_due": "first_due",
                      "paid_periods": "paid", "method": "method", "daily_rate": "rate",
                      "annual_rate": "rate", "period_fee": "fee"}


def loan_row_context(page: Page, row: int, product: str,
                     values: dict[str, str] | None = None,
                     errors: Errors | None = None) -> dict[str, Any]:
    """The loan terms of one debt row: open when the product is repaid by installments (or
    the terms were typed), with the methods and where the app shows them."""
    from xieshang.web.pages.debts import LOAN_METHODS, _preset, is_loan_product

    values = values or {}
    preset = _preset(product) if product else None
    typed = any(values.get(f"d{row}_{name}") for name in LOAN_FIELDS if name != "method")
    wrong = errors is not None and any(f"d{row}_{name}" in errors for name in LOAN_FIELDS)
    lang = page.out.lang
    return {"row": row, "open": is_loan_product(preset) or typed or wrong,
            "loan_fields": [(f"d{row}_{name}", page._(label)) for name, (_f, label)
                            in LOAN_FIELDS.items() if name != "method"],
            "methods": [(key, page._(text)) for key, text in LOAN_METHODS.items()],
            "method_label": page._(LOAN_FIELDS["method"][1]),
            "where_loan": (where_to_look(preset.id, lang, loan=True) if preset else None)
            or where_to_look("generic_loan", lang, loan=True)}


def _loan_terms(page: Page, form: Form, errors: Errors, row: int) -> dict[str, Any] | None:
    """The loan's terms typed in the row, as ``Debt`` values with the amounts of the first
    unpaid installment (None: no terms typed, or an error recorded)."""
    from xieshang.services.debts import debt_fields, loan_fields

    typed = {name: form.get(f"d{row}_{name}") for name in LOAN_FIELDS}
    if not any(value for name, value in typed.items() if name != "method"):
        return None
    values: dict[str, Any] = {}
    optional = _OPTIONAL_TERMS | ({"rate"} if typed.get("fee") else set())
    for name, (option, _label) in LOAN_FIELDS.items():
        text = typed[name] or ("annuity" if name == "method" else "0" if name == "paid"
                               else "")
        if not text and name in optional:
            continue
        if not text:
            errors.add(f"d{row}_{name}", page._("this field is needed"))
            continue
        parsed = errors.check(f"d{row}_{name}", partial(debt_fields, **{option: text}))
        if parsed is not None:
            values.update(parsed)
    if any(f"d{row}_{name}" in errors for name in LOAN_FIELDS):
        return None
    if not form.get(f"d{row}_confirm_rate"):  # as the full debt form and ``--yes`` ask
        from xieshang.engine.parsing import HIGH_RATE, high_rate
        from xieshang.web.pages.debts import HIGH_RATE_ON_FORM, rate_text

        rate = values.get("contract_rate")
        if values.get("contract_rate_basis") == "daily" and rate is not None \
                and high_rate(rate, "daily_rate"):
            errors.add(f"d{row}_rate", page._(HIGH_RATE_ON_FORM["rate"]).format(
                rate=rate_text(rate), limit=rate_text(HIGH_RATE["daily_rate"])))
            return None
    try:
        return loan_fields(values)
    except InputError as error:
        errors.add_error(f"d{row}_{_LOAN_ERROR_FIELDS.get(error.field, 'borrowed')}", error)
        return None


def _debt_row(page: Page, form: Form, errors: Errors, row: int) -> dict[str, Any] | None:
    """One debt of the form as ``Debt`` values (None: the row is empty or wrong). An
    installment loan is given by its terms (the amounts then come from them), any other
    debt by the amount its bill shows and the repayment date missed."""
    from xieshang.engine.parsing import parse_date
    from xieshang.services.debts import debt_fields, due_date_of
    from xieshang.web.pages.debts import _preset

    _ = page._
    product, amount, missed = (form.get(f"d{row}_{name}")
                               for name in ("product", "amount", "missed"))
    terms_typed = any(form.get(f"d{row}_{name}") for name in LOAN_FIELDS if name != "method")
    if row > 1 and not (product or amount or missed or terms_typed):
        return None
    preset = None
    if not product:
        errors.add(f"d{row}_product", _("this field is needed"))
    else:
        preset = _preset(product)
        if preset is None:
            errors.add(f"d{row}_product", _("Choose one of the listed products."))
    values: dict[str, Any] = {}
    loan = _loan_terms(page, form, errors, row)
    if loan is not None:
        values.update(loan)
    elif not terms_typed:
        if not amount:
            errors.add(f"d{row}_amount", _("this field is needed"))
        else:
            parsed = errors.check(f"d{row}_amount", lambda: debt_fields(amount=amount))
            if parsed is not None:
                values.update(parsed)
        if missed:
            day = errors.check(f"d{row}_missed", lambda: parse_date(missed, "missed"))
            if day is not None:
                # the service takes the first day overdue: the day after the missed
                # repayment day
                due = errors.check(f"d{row}_missed", lambda: due_date_of(
                    (day + timedelta(days=1)).isoformat(), as_of=page.today))
                values["due_date"] = due
    if preset is None or any(key.startswith(f"d{row}_") for key in errors.fields):
        return None
    values.update(debt_fields(label=preset.name.get(page.out.lang)))
    values["preset_id"] = preset.id
    return values


def _lines(page: Page, form: Form, errors: Errors) -> dict[tuple[str, str],
                                                            tuple[Decimal, str] | None]:
    from xieshang.engine.money import parse_amount

    lines: dict[tuple[str, str], tuple[Decimal, str] | None] = {}
    for name, (section, category, _label) in {**INCOME, **SPENDING}.items():
        text = form.get(name)
        if not text:
            if name in INCOME:
                errors.add(name, page._("this field is needed"))
            continue
        amount = errors.check(name, partial(parse_amount, text, "amount"))
        if amount is not None:
            if amount < 0:
                errors.add_error(name, InputError("amount", N_("must not be negative")))
            else:
                lines[(section, category)] = (amount, "")
    return lines


def _income_starts(page: Page, form: Form, errors: Errors) -> Any:
    """The day the income starts (nothing comes in before it), or None when not given."""
    from xieshang.engine.parsing import parse_date

    text = form.get("income_starts")
    if not text:
        return None
    return errors.check("income_starts", partial(parse_date, text, "no_income_until"))


@router.get("/first-run/loan")
def loan_terms(request: Request, row: int = 1) -> Response:
    """The loan terms of a debt row for the product just chosen (htmx swaps them in: open
    for an installment product, folded away otherwise)."""
    page = Page.of(request)
    if row not in range(1, DEBT_ROWS + 1):
        row = 1
    product = request.query_params.get(f"d{row}_product", "")
    return page.render("today_loan.html", **loan_row_context(page, row, product))


@router.post("/first-run")
async def first_run(request: Request) -> Response:
    """Save the three answers in one transaction, then show Today."""
    from xieshang.services.budget import current_budget, save_statement, set_situation
    from xieshang.store.model import Case, Debt

    page = Page.of(request)
    form = await page.form()
    errors = page.errors()
    debts = [_debt_row(page, form, errors, row) for row in range(1, DEBT_ROWS + 1)]
    lines = _lines(page, form, errors)
    starts = _income_starts(page, form, errors)
    if errors:
        return page.render("today.html", status=422, case=None,
                           **first_run_context(page, form.values, errors))
    try:
        with page.write() as tx:
            if not needs_first_run(tx):  # sent twice, or another tab was first
                return page.redirect("/#answer")
            case = tx.current_case()
            if case is None:
                case = tx.add(Case(name=page._("My case")))
                tx.use_case(case.id)
            for values in debts:
                if values is not None:
                    tx.add(Debt(case_id=case.id, **values))
            if current_budget(tx, case, create=False) is None:
                budget = save_statement(tx, case, {}, None, lines)
                if starts is not None:
                    set_situation(tx, budget, {"no_income_until": starts}, {})
    except XieshangError as error:
        errors.add_error("d1_product", error)
        return page.render("today.html", status=422, case=None,
                           **first_run_context(page, form.values, errors))
    return page.redirect("/#answer")


def needs_first_run(tx: Tx) -> bool:
    """No case yet, or a case without debts and without a budget."""
    from xieshang.services.budget import current_budget
    from xieshang.services.debts import open_debts

    case = tx.current_case()
    if case is None:
        return True
    return not open_debts(tx, case.id) and current_budget(tx, case, create=False) is None


#: Up to this many debts with something owed, every lender's ask is in the Today page;
#: beyond it the page works out the first ask alone and the others are loaded when their
#: list is opened (``/answer/asks``: htmx, or a link without JavaScript): each ask builds
#: its debt's ladder, most of the page's work for 20 debts.
INLINE_ASKS = 5

#: Where the Today page loads every lender's ask from (:data:`INLINE_ASKS`).
ASKS_URL = "/answer/asks"


def answer_view(page: Page, tx: Tx,
                lines_of: Callable[[], list[dict[str, Any]]] | None = None, *,
                every_ask: bool = False) -> dict[str, Any] | None:
    """The recommendation of :func:`~xieshang.services.advice.recommend`, in words: which
    debt first, what to ask each lender for and by when, each with its reasons
    (``lines_of``: the case's status lines, when the page has them already). With more
    than :data:`INLINE_ASKS` debts owing, only the first ask is worked out (``asks_url``
    says where the others are loaded from) unless ``every_ask``."""
    from xieshang.present.views import status_lines
    from xieshang.services.advice import recommend
    from xieshang.web.pages.negotiate import _rung_phrase

    case = tx.current_case()
    if case is None:
        return None
    tx.preload(case.id)
    lines = lines_of() if lines_of is not None else status_lines(page.out, tx, case.id,
                                                                 page.today)
    on_demand = not every_ask and sum(1 for line in lines if line["total"] > 0) > INLINE_ASKS
    found = recommend(tx, case, page.today, lines, limit=1 if on_demand else None)
    if not found.asks:
        return None
    _ = page._

    def shown(value: Any) -> Any:
        return page.money(value) if isinstance(value, Decimal) else (
            value.isoformat() if hasattr(value, "isoformat") else value)

    asks = []
    for ask in found.asks:
        asks.append({
            "id": ask.debt, "name": ask.name, "when": ask.when.isoformat(),
            "today": ask.when == page.today,
            "ask": None if ask.rung is None else _rung_phrase(page, ask.rung),
            "starts": None if ask.starts is None else ask.starts.isoformat(),
            "reasons": [_(msgid).format(**{k: shown(v) for k, v in values.items()})
                        for msgid, values in ask.reasons]})
    return {"asks": asks, "first": asks[0], "needs_budget": found.needs_budget,
            "asks_url": ASKS_URL if on_demand else None,
            "affordable": None if found.affordable is None else page.money(found.affordable),
            "money_starts": None if found.starts is None else found.starts.isoformat(),
            "later": None if found.later is None else page.money(found.later)}


@router.post("/undo")
async def undo(request: Request) -> Response:
    """Put the case back as it was before this session's last destructive change."""
    from xieshang.services.undo import restore

    page = Page.of(request)
    await page.form()
    kept = page.web.undo.pop(page.sid, None)
    if kept is None:
        return page.redirect("/")
    _what, case_id, document, after = kept
    from xieshang.web.page import case_digest

    with page.write() as tx:
        if case_digest(tx, case_id) != after:  # changed since: undo would lose that change
            raise HTTPException(409, page._("The case changed while you were editing; "
                                            "nothing was saved. Reload the page."))
        restore(tx, case_id, document)
    return page.redirect("/?undone=1")
