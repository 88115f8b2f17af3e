"""Step 2, "Debts": the case's debts with each one's itemised bill today, and the forms to
add, change, close or remove one.

Routes:
    GET  /debts                   every debt: today's bill (as ``xieshang status``), the rules
                                  used and their sources
    GET  /debts/new               choose the product, then the form with its defaults
    POST /debts/new               add a debt (as ``xieshang debt add``)
    POST /debts/check             check one field while typing (htmx): the field, re-rendered
    GET  /debts/{id}/edit         the form, filled in
    POST /debts/{id}/edit         change a debt (as ``xieshang debt edit``)
    GET  /debts/{id}/remove       ask first
    POST /debts/{id}/remove       remove it and its payments (as ``xieshang debt rm``)
    POST /debts/{id}/close        keep it, marked closed

Every field is parsed by the service the command line uses too
(:func:`~xieshang.services.debts.debt_fields`), so the web accepts and refuses exactly what
``debt add`` does. Account numbers are never sent back to
the browser: they are shown masked and a new one is typed to replace them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from xieshang.engine.errors import N_, XieshangError
from xieshang.store.db import StaleRecord
from xieshang.web.page import Errors, Form, Page, choice, is_id, show_stale

if TYPE_CHECKING:
    from xieshang.engine.preset import Preset, Source
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Debt

__all__ = ["PRODUCT_ORDER", "debt_card", "parse_debt_form", "preset_facts", "rate_text", "router",
           "show_refused_write"]

router = APIRouter()

#: The built-in products in the order they are offered (a person's own presets follow).
PRODUCT_ORDER: tuple[str, ...] = ("huabei", "jiebei", "credit_card_cn", "weilidai",
                                  "jd_baitiao", "meituan_yuefu", "generic_loan", "informal_loan")

#: How a contract rate is quoted (msgids).
RATE_BASES: dict[str, str] = {"daily": N_("a day"), "annual": N_("a year")}

#: What each confidence mark means for the person (msgids; as ``xieshang calc overdue``).
MARKS: dict[str, str] = {
    "V": N_("verified"),
    "S": N_("secondary source, not verified against the contract"),
    "C": N_("computed"),
    "NF": N_("not verified: a default you can change"),
    "USER": N_("set by you"),
}

#: Fields checked while typing (``POST /debts/check?field=…``). The account number is not
#: among them: a personal number is never sent back to the browser.
CHECKED: tuple[str, ...] = ("label", "lender", "amount", "interest", "fees", "not_yet_due",
                            "overdue_since", "due_day", "rate", "penalty_rate", "minimum",
                            "priority", "borrowed", "periods", "first_due", "paid_periods",
                            "contract_date", "posted_on", "period_fee")

#: Repayment methods of an installment loan (msgids).
LOAN_METHODS: dict[str, str] = {
    "annuity": N_("equal installments (等额本息)"),
    "equal_principal": N_("equal principal (等额本金)"),
    "interest_only": N_("interest first, principal at the end (先息后本)"),
}

#: Card interest bases (msgids); "" is the product's.
CARD_BASES: dict[str, str] = {
    "": N_("as the product's rules say"),
    "full": N_("on the whole statement (全额计息)"),
    "unpaid": N_("only on the unpaid part (按未还部分计息)"),
}


def is_loan_product(preset: Preset | None) -> bool:
    """Whether the form asks for the loan as its app shows it (a product repaid by
    installments: 等额本息 / 等额本金 / 先息后本)."""
    return preset is not None and "annuity" in preset.repayment_methods


def is_split_product(preset: Preset | None) -> bool:
    """Whether a bill of the product may be split into installments with a fee every
    period (白条 分期, 花呗分期, 信用卡分期): the form offers the installment terms too."""
    return preset is not None and "bill_installment" in preset.repayment_methods


def is_card_product(preset: Preset | None) -> bool:
    """Whether the product charges interest from the posting date (a credit card)."""
    return preset is not None and preset.penalty.card_interest_basis is not None


def is_private_product(preset: Preset | None) -> bool:
    """Whether the lender is a private person (the legal cap depends on the contract date)."""
    return preset is not None and preset.lender_type.value == "private"


def rate_text(value: Decimal) -> str:
    """A rate fraction as an exact percentage: 0.00075 → ``0.075%``."""
    return f"{(value * 100).normalize():f}%"


# ------------------------------------------------------------------------------ reading


@router.get("/debts", response_class=HTMLResponse)
def debts(request: Request) -> HTMLResponse:
    page = Page.of(request)
    return page.render("debts.html", step=2, **page.cached("debts", lambda: _list(page)))


def _list(page: Page) -> dict[str, Any]:
    """The list's values: every open debt's card, the others, and the totals."""
    from xieshang.present.views import status_lines
    from xieshang.store.model import Debt

    zero = Decimal("0.00")
    with page.read() as tx:
        case = tx.current_case()
        if case is None:
            return {"case": None}
        lines = {line["id"]: line for line in status_lines(page.out, tx, case.id, page.today)}
        found = tx.find(Debt, case_id=case.id)
        cards = [debt_card(page, tx, debt, lines[debt.id]) for debt in found
                 if debt.id in lines]
        others = [_closed_row(page, debt) for debt in found if debt.id not in lines]
    total = sum((line["total"] for line in lines.values()), zero)
    daily = sum((line["daily_cost"] for line in lines.values()), zero)
    return {"case": {"id": case.id}, "debts": cards, "others": others,
            "total": page.money(total), "daily": page.money(daily),
            "as_of": page.today.isoformat()}


def debt_card(page: Page, tx: Tx, debt: Debt, line: dict[str, Any]) -> dict[str, Any]:
    """One open debt as the page shows it: what was entered, today's bill (``line`` from
    ``status_lines``), the payments, the next milestone and the rules used."""
    from xieshang.present import masked
    from xieshang.services.cases import preset_of
    from xieshang.store.model import Payment

    _ = page._
    money = page.money
    preset = preset_of(debt)
    payments = tx.find(Payment, debt_id=debt.id)
    rows = [
        (_("Principal"), money(line["principal"])),
        (_("Contract interest"), money(line["interest"])),
        (_("Penalty interest"), money(line["penalty"])),
        (_("Late fees and other fees"), money(line["fees"])),
    ]
    from xieshang.present.views import installment_lines, private_loan_lines

    event = line["next"]
    upcoming = None
    if event is not None:
        upcoming = {"on": event["on"].isoformat() if event["on"] else _("date not known"),
                    "title": event["title"],
                    "amount": money(event["amount_due"])
                    if event["amount_due"] is not None else None}
    return {
        "id": debt.id, "name": line["name"], "product": preset.name.get(page.out.lang),
        "lender": debt.lender or preset.lender.get(page.out.lang),
        "account": masked(page.out, "account", debt.account_number),
        "status": _(_statuses()[debt.status]), "arrangement": debt.status == "arrangement",
        "overdue": line["overdue"], "days": line["days_overdue"],
        "overdue_since": (debt.due_date + timedelta(days=1)).isoformat()
        if debt.due_date else None,
        "rows": rows, "total": money(line["total"]), "daily": money(line["daily_cost"]),
        "not_yet_due": money(line["not_yet_due"]) if line["not_yet_due"] else None,
        "installments": installment_lines(page.out, line)
        + private_loan_lines(page.out, line.get("private_loan")),
        "minimum": money(debt.minimum) if debt.minimum is not None else None,
        "due_day": debt.due_day, "priority": debt.priority,
        "payments": len(payments),
        "paid": money(sum((p.amount for p in payments), Decimal("0.00"))),
        "adjusted": line["adjusted"],
        "adjustments": sorted((debt.adjustments or {}).items()),
        "adjusted_on": debt.adjustments_confirmed_on.isoformat()
        if debt.adjustments_confirmed_on else None,
        "next": upcoming, "rules": debt_rules(page, preset, debt),
        "effective_from": preset.effective_from.isoformat(),
        "reviewed": preset.reviewed.isoformat(),
    }


def _statuses() -> dict[str, str]:
    from xieshang.services.debts import STATUSES

    return STATUSES


def _closed_row(page: Page, debt: Debt) -> dict[str, Any]:
    from xieshang.present import debt_name, masked

    return {"id": debt.id, "name": debt_name(page.out, debt),
            "status": page._(_statuses().get(debt.status, debt.status)),
            "principal": page.money(debt.principal),
            "account": masked(page.out, "account", debt.account_number)}


def _source(page: Page, source: Source) -> dict[str, Any]:
    mark = source.confidence.value
    from xieshang.engine.preset import public_sources

    # the law's title where the rule comes from a law; the web addresses are listed apart
    laws = [text for text in public_sources(source.urls) if not text.startswith("http")]
    return {"ref": "；".join(laws), "mark": mark,
            "meaning": page._(MARKS.get(mark, MARKS["NF"])),
            "urls": [url for url in source.urls if url.startswith(("https://", "http://"))][:2]}


def _user_source(page: Page) -> dict[str, Any]:
    return {"ref": page._("your bill or contract"), "mark": "USER",
            "meaning": page._(MARKS["USER"]), "urls": []}


def preset_facts(page: Page, preset: Preset) -> list[dict[str, Any]]:
    """The preset's rules a person should know, each with its source: overdue rate,
    compounding, contract rate, grace days, late fee, minimum payment."""
    from xieshang.engine.preset import LateFeeKind, PenaltyModel

    _ = page._
    facts: list[dict[str, Any]] = []
    penalty = preset.penalty
    rate = preset.penalty_daily_rate
    if rate is not None:
        value = _("{rate} a day").format(rate=rate_text(rate))
        if penalty.model in (PenaltyModel.CONTRACT_MULTIPLE, PenaltyModel.ON_TOP) \
                and penalty.multiplier is not None:
            value += " " + _("({multiple} × the contract rate)").format(
                multiple=f"{penalty.multiplier.normalize():f}")
        if penalty.model is PenaltyModel.ON_TOP:
            value += " " + _("on top of the contract interest")
    elif penalty.multiplier is not None:
        value = _("{multiple} × the contract rate").format(
            multiple=f"{penalty.multiplier.normalize():f}")
    else:
        value = "—"
    facts.append({"label": _("Overdue daily rate"), "value": value,
                  "source": _source(page, preset.source_of("penalty"))})
    facts.append({"label": _("Charges on unpaid charges (compounding)"),
                  "value": _("yes") if penalty.compounding else _("no"),
                  "source": _source(page, preset.source_of("penalty.compounding"))})
    if preset.contract_daily_rate is not None:
        facts.append({"label": _("Contract rate"),
                      "value": _("{rate} a day").format(
                          rate=rate_text(preset.contract_daily_rate)),
                      "source": _source(page, preset.source_of("contract_daily_rate"))})
    if "grace_days" in preset.sources:
        facts.append({"label": _("Grace days"),
                      "value": _("{days} days").format(days=preset.grace_days),
                      "source": _source(page, preset.source_of("grace_days"))})
    fee = preset.late_fee
    if fee.kind is LateFeeKind.FIXED:
        fee_text = page.money(fee.amount)
    elif fee.kind is LateFeeKind.PERCENT_OF_UNPAID_MINIMUM:
        fee_text = _("{rate} of the unpaid minimum, at least {minimum}").format(
            rate=rate_text(fee.rate), minimum=page.money(fee.minimum))
        if fee.maximum is not None:
            fee_text += _(", at most {maximum}").format(maximum=page.money(fee.maximum))
    else:
        fee_text = _("none")
    facts.append({"label": _("Late fee"), "value": fee_text,
                  "source": _source(page, preset.source_of("late_fee"))})
    if preset.minimum_payment is not None:
        facts.append({"label": _("Minimum payment"),
                      "value": _("{percent} of the bill").format(
                          percent=rate_text(preset.minimum_payment.percent))
                      + (" " + _("plus fees and interest")
                         if preset.minimum_payment.plus_fees_and_interest else ""),
                      "source": _source(page, preset.source_of("minimum_payment"))})
    return facts


def debt_rules(page: Page, preset: Preset, debt: Debt) -> list[dict[str, Any]]:
    """The rules used for a stored debt: the preset's, with the person's own values."""
    _ = page._
    facts = preset_facts(page, preset)
    if debt.penalty_daily_rate is not None:
        facts[0] = {"label": _("Overdue daily rate"),
                    "value": _("{rate} a day").format(rate=rate_text(debt.penalty_daily_rate)),
                    "source": _user_source(page)}
    if debt.contract_rate is not None:
        basis = RATE_BASES.get(debt.contract_rate_basis or "daily", RATE_BASES["daily"])
        own = {"label": _("Contract rate"),
               "value": f"{rate_text(debt.contract_rate)} {_(basis)}",
               "source": _user_source(page)}
        labels = [fact["label"] for fact in facts]
        if own["label"] in labels:
            facts[labels.index(own["label"])] = own
        else:
            facts.insert(2, own)
    return facts


# -------------------------------------------------------------------------------- forms


def _presets() -> list[Preset]:
    from xieshang.paths import preset_dir
    from xieshang.rules import load_presets

    presets = load_presets(preset_dir())
    ordered = [presets[key] for key in PRODUCT_ORDER if key in presets]
    return ordered + [presets[key] for key in sorted(presets) if key not in PRODUCT_ORDER]


def _preset(product: str) -> Preset | None:
    from xieshang.rules import load_preset

    try:
        return load_preset(product) if product else None
    except XieshangError:
        return None


def _product_options(page: Page) -> list[tuple[str, str]]:
    lang = page.out.lang
    return [(p.id, f"{p.name.get(lang)} — {p.lender.get(lang)}") for p in _presets()]


def _source_hint(page: Page, source: dict[str, Any]) -> str:
    text = page._("Source:") + " " + source["ref"] if source["ref"] else page._("Source:")
    return f"{text} [{source['mark']}] {source['meaning']}"


def _checked(name: str, extra: str = "") -> str:
    return (f'hx-post="/debts/check?field={name}" hx-trigger="change" '
            f'hx-target="closest .field" hx-swap="outerHTML"{extra}')


def _fields_of(page: Page, preset: Preset | None, debt: Debt | None) -> dict[str, dict[str, Any]]:
    """Every control of the debt form: label, hint (with the product's default and its
    source), type and attributes. The same specs render the form and the inline check."""
    from xieshang.present import masked

    _ = page._
    lang = page.out.lang
    yuan = _("yuan")
    decimal = ' inputmode="decimal"'
    numeric = ' inputmode="numeric"'

    def spec(name: str, label: str, hint: str | None = None, *, kind: str = "text",
             type_: str = "text", required: bool = False, attrs: str = "",
             suffix: str | None = None, options: list[tuple[str, str]] | None = None,
             ) -> dict[str, Any]:
        return {"name": name, "label": label, "hint": hint, "kind": kind, "type": type_,
                "required": required, "attrs": attrs, "suffix": suffix,
                "options": options or []}

    fields: dict[str, dict[str, Any]] = {}
    fields["product"] = spec("product", _("Product"), _(
        "The product's rules (rates, fees, grace days) are used for every figure."),
        kind="select", required=True, options=_product_options(page))
    fields["label"] = spec("label", _("Your name for this debt"),
                           _("So you recognise it, e.g. “招行信用卡” or “借呗 12 期”."),
                           attrs=_checked("label"))
    lender_hint = _("Leave empty for the product's lender: {lender}.").format(
        lender=preset.lender.get(lang)) if preset else None
    fields["lender"] = spec("lender", _("Lender"), lender_hint, attrs=_checked("lender"))
    account_hint = _("Optional. A card number is checked by its check digit. It is only "
                     "ever shown masked.")
    if debt is not None and debt.account_number is not None:
        account_hint = _("Leave empty to keep the saved number ({masked}). It is only ever "
                         "shown masked.").format(masked=masked(page.out, "account",
                                                               debt.account_number))
    fields["account"] = spec("account", _("Card or account number"), account_hint,
                             attrs='autocomplete="off" spellcheck="false"')
    fields["clear_account"] = spec("clear_account", _("Remove the saved card or account "
                                                      "number"), kind="checkbox")
    fields["amount"] = spec("amount", _("Amount overdue (principal, or the unpaid bill)"),
                            _("From the lender's bill or app."),
                            required=not (is_loan_product(preset)
                                          or is_split_product(preset)),
                            attrs=_checked("amount", decimal), suffix=yuan)
    fields["interest"] = spec("interest", _("Contract interest due and unpaid"),
                              _("Interest of the contract that was due on the missed day "
                                "(empty: none)."), attrs=_checked("interest", decimal),
                              suffix=yuan)
    fields["fees"] = spec("fees", _("Fees already charged"), _("Empty: none."),
                          attrs=_checked("fees", decimal), suffix=yuan)
    fields["not_yet_due"] = spec("not_yet_due", _("Loans: principal not yet due"),
                                 _("The later installments' principal (empty: none)."),
                                 attrs=_checked("not_yet_due", decimal), suffix=yuan)
    fields["overdue_since"] = spec("overdue_since", _("First day overdue"), _(
        "The day after the missed repayment day (YYYY-MM-DD). Leave empty if the debt is "
        "not overdue."), type_="date", attrs=_checked("overdue_since"))
    fields["due_day"] = spec("due_day", _("Repayment day of the month"),
                             _("1 to 31 (empty: not known)."),
                             attrs=_checked("due_day", numeric))
    if preset is not None and preset.contract_daily_rate is not None:
        rate_hint = _("Leave empty to use the product's rate: {rate} a day.").format(
            rate=rate_text(preset.contract_daily_rate))
        rate_hint += " " + _source_hint(page, _source(
            page, preset.source_of("contract_daily_rate")))
    else:
        rate_hint = _("This product has no standard rate: enter the rate in your contract or "
                      "IOU, e.g. 18% a year.")
    fields["rate"] = spec("rate", _("Contract rate"), rate_hint,
                          attrs=_checked("rate", decimal))
    fields["rate_basis"] = spec("rate_basis", _("The rate is"), kind="select",
                                options=[(key, _(text)) for key, text in RATE_BASES.items()])
    if preset is not None and preset.penalty_daily_rate is not None:
        penalty_hint = _("Only when your bill shows another overdue rate. Leave empty to use "
                         "the product's: {rate} a day.").format(
            rate=rate_text(preset.penalty_daily_rate))
        penalty_hint += " " + _source_hint(page, _source(page, preset.source_of("penalty")))
    else:
        penalty_hint = _("Only when your bill or contract states an overdue daily rate.")
    fields["penalty_rate"] = spec("penalty_rate", _("Overdue daily rate"), penalty_hint,
                                  attrs=_checked("penalty_rate", decimal))
    minimum_hint = _("The minimum payment that was missed (empty: none or not known).")
    if preset is not None and preset.minimum_payment is not None:
        minimum_hint += " " + _("For this product it is usually {percent} of the bill.").format(
            percent=rate_text(preset.minimum_payment.percent))
        minimum_hint += " " + _source_hint(page, _source(
            page, preset.source_of("minimum_payment")))
    fields["minimum"] = spec("minimum", _("Minimum payment"), minimum_hint,
                             attrs=_checked("minimum", decimal), suffix=yuan)
    fields["priority"] = spec("priority", _("Your priority"),
                              _("Your order for splitting money between debts: 1 first "
                                "(empty: none)."), attrs=_checked("priority", numeric))
    fields["borrowed"] = spec("borrowed", _("Amount borrowed (借款金额)"), _(
        "In the lender's app open the loan (借款详情 or 还款计划): it shows the amount "
        "borrowed, the number of periods, the rate, the repayment method and each period's "
        "due date. Fill these in and the installments, what is overdue and what is not yet "
        "due are worked out for you; leave empty to type the amounts from the bill instead."),
        attrs=_checked("borrowed", decimal), suffix=yuan)
    fields["periods"] = spec("periods", _("Number of periods (期数)"),
                             _("E.g. 12 for a 12-month loan."),
                             attrs=_checked("periods", numeric))
    fields["method"] = spec("method", _("Repayment method (还款方式)"), kind="select",
                            options=[(key, _(text)) for key, text in LOAN_METHODS.items()])
    fields["first_due"] = spec("first_due", _("First repayment date (首期还款日)"),
                               _("The due date of period 1 (YYYY-MM-DD)."), type_="date",
                               attrs=_checked("first_due"))
    fields["paid_periods"] = spec("paid_periods", _("Periods already repaid (已还期数)"),
                                  _("How many periods the app shows as repaid (empty: 0)."),
                                  attrs=_checked("paid_periods", numeric))
    fields["period_fee"] = spec("period_fee", _("Fee per period (服务费 / 手续费)"), _(
        "Only when each installment carries a fee instead of (or besides) interest, as "
        "京东白条 分期 or 花呗分期 do: type it as your bill shows it, a rate of the amount "
        "borrowed (0.5%) or an amount (30元); a number without its unit is not accepted."),
        attrs=_checked("period_fee"))
    fields["contract_date"] = spec("contract_date", _("Date the loan was made"), _(
        "The date on the IOU or contract (YYYY-MM-DD): the legal cap on a private loan's "
        "interest depends on it."), type_="date", attrs=_checked("contract_date"))
    fields["posted_on"] = spec("posted_on", _("Posting date of the purchases"), _(
        "On the statement, the posting date (记账日) of the purchases; with the earliest one, "
        "interest from that day is counted once the statement is not paid in full "
        "(empty: only the charges after the due date)."), type_="date",
        attrs=_checked("posted_on"))
    fields["card_basis"] = spec("card_basis", _("Interest when the statement is not paid in "
                                                "full"), kind="select",
                                options=[(key, _(text)) for key, text in CARD_BASES.items()])
    fields["confirm_rates"] = spec("confirm_rates", _("The rates are right"), _(
        "Tick this when a rate above is unusually high but is what your bill or contract "
        "says."), kind="checkbox")
    fields["notes"] = spec("notes", _("Notes"), kind="textarea")
    fields["status"] = spec("status", _("Status"), kind="select", required=True,
                            options=[(key, _(text)) for key, text in _statuses().items()])
    fields["clear_adjustments"] = spec(
        "clear_adjustments", _("Stop using the parameters matched to the lender's figures"),
        kind="checkbox")
    return fields


def _take(errors: Errors, values: dict[str, Any], name: str, **given: Any) -> None:
    """Parse one field with :func:`~xieshang.services.debts.debt_fields`; its error goes under
    ``name``."""
    from xieshang.services.debts import debt_fields

    parsed = errors.check(name, lambda: debt_fields(**given))
    if parsed is not None:
        values.update(parsed)


def parse_debt_form(page: Page, form: Form, errors: Errors,
                    debt: Debt | None = None) -> tuple[Preset | None, dict[str, Any]]:
    """The checked fields of the debt form (new when ``debt`` is None), as ``Debt`` values.

    Every error is recorded in ``errors`` under its field. Empty amounts mean 0; an empty
    rate or minimum means the product's (or none); an empty account number keeps the saved
    one when editing.
    """
    from xieshang.rules import load_preset
    from xieshang.services.debts import due_date_of

    values: dict[str, Any] = {}
    preset = None
    product = errors.required(form, "product")
    if product is not None:
        preset = errors.check("product", lambda: load_preset(product))
        if preset is not None:
            values["preset_id"] = preset.id
    borrowed = form.get("borrowed")
    if borrowed:
        _take(errors, values, "borrowed", borrowed=borrowed)
        _take(errors, values, "periods", periods=form.get("periods"))
        _take(errors, values, "first_due", first_due=form.get("first_due"))
        _take(errors, values, "paid_periods", paid_periods=form.get("paid_periods") or "0")
        _take(errors, values, "method", method=form.get("method") or "annuity")
        _take(errors, values, "period_fee", period_fee=form.get("period_fee") or "")
    else:
        if debt is not None and debt.borrowed is not None:  # back to amounts from the bill
            values.update(borrowed=None, periods=None, paid_periods=None,
                          repayment_method=None, first_due=None, period_fee_rate=None,
                          period_fee=None)
        amount = errors.required(form, "amount")
        if amount is not None:
            _take(errors, values, "amount", amount=amount)
    if "contract_date" in form.values:
        _take(errors, values, "contract_date", contract_date=form.get("contract_date"))
    if "posted_on" in form.values:
        _take(errors, values, "posted_on", posted_on=form.get("posted_on"))
    if "card_basis" in form.values:
        _take(errors, values, "card_basis", card_basis=form.get("card_basis"))
    _take(errors, values, "lender", lender=form.get("lender"))
    _take(errors, values, "label", label=form.get("label"))
    for name in ("interest", "fees", "not_yet_due"):
        _take(errors, values, name, **{name: form.get(name) or "0"})
    overdue_since = form.get("overdue_since")
    due = errors.check("overdue_since", lambda: due_date_of(overdue_since, as_of=page.today))
    if "overdue_since" not in errors:
        values["due_date"] = due
    rate = form.get("rate")
    if rate:
        basis = choice(errors, form, "rate_basis", RATE_BASES)
        if basis == "daily":
            _take(errors, values, "rate", daily_rate=rate)
        elif basis == "annual":
            _take(errors, values, "rate", annual_rate=rate)
    else:
        values.update(contract_rate=None, contract_rate_basis=None)
    _take(errors, values, "penalty_rate", penalty_rate=form.get("penalty_rate"))
    if not form.get("confirm_rates"):
        _ask_high_rates(page, errors, values)
    if borrowed and not errors:
        from xieshang.services.debts import loan_fields

        loan = errors.check_fields(lambda: loan_fields(values, debt))
        if loan is not None:
            values = loan
    if not {"posted_on", "contract_date", "overdue_since"} & set(errors.fields):
        from xieshang.services.debts import check_terms

        errors.check_fields(lambda: check_terms(values, debt))
    _take(errors, values, "minimum", minimum=form.get("minimum"))
    _take(errors, values, "due_day", due_day=form.get("due_day"))
    _take(errors, values, "priority", priority=form.get("priority"))
    values["notes"] = form.get("notes")
    account = form.get("account")
    if debt is not None and form.get("clear_account"):
        values["account_number"] = None
    elif account:
        _take(errors, values, "account", account=account)
    if debt is not None:
        status = choice(errors, form, "status", _statuses())
        if status is not None:
            values["status"] = status
        if form.get("clear_adjustments"):
            values.update(adjustments=None, adjustments_basis=None,
                          adjustments_confirmed_on=None)
    return preset, values


#: A rate typed on the form that is unusually high (msgids): confirmed with a tick.
HIGH_RATE_ON_FORM: dict[str, str] = {
    "rate": N_("{rate} a day is unusually high for a contract rate (above {limit} a day): "
               "check it against your bill or app; if it is right, tick “The rates are "
               "right” below and save again"),
    "penalty_rate": N_("{rate} a day is unusually high for an overdue rate (above {limit} a "
                       "day): check it against your bill; if it is right, tick “The rates "
                       "are right” below and save again"),
}


def _ask_high_rates(page: Page, errors: Errors, values: dict[str, Any]) -> None:
    """A contract rate above 0.1 % a day or an overdue rate above 0.5 % a day is asked to be
    confirmed (as ``--yes`` on the command line)."""
    from xieshang.engine.parsing import HIGH_RATE, high_rate

    checks = []
    if values.get("contract_rate_basis") == "daily" and values.get("contract_rate") is not None:
        checks.append(("rate", "daily_rate", values["contract_rate"]))
    if values.get("penalty_daily_rate") is not None:
        checks.append(("penalty_rate", "penalty_rate", values["penalty_daily_rate"]))
    for name, field, value in checks:
        if name not in errors and high_rate(value, field):
            errors.add(name, page._(HIGH_RATE_ON_FORM[name]).format(
                rate=rate_text(value), limit=rate_text(HIGH_RATE[field])))


def _safe_values(form: Form) -> dict[str, str]:
    """What the person typed, to show again, without the account number."""
    return {key: value for key, value in form.values.items() if key != "account"}


def _form_values(page: Page, debt: Debt) -> dict[str, str]:
    """A stored debt as the form shows it (the account number left out)."""

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        "product": debt.preset_id, "label": debt.label, "lender": debt.lender,
        "amount": text(debt.principal),
        "interest": text(debt.interest) if debt.interest else "",
        "fees": text(debt.fees) if debt.fees else "",
        "not_yet_due": text(debt.not_yet_due) if debt.not_yet_due else "",
        "overdue_since": (debt.due_date + timedelta(days=1)).isoformat()
        if debt.due_date else "",
        "rate": rate_text(debt.contract_rate) if debt.contract_rate is not None else "",
        "rate_basis": debt.contract_rate_basis or "daily",
        "penalty_rate": rate_text(debt.penalty_daily_rate)
        if debt.penalty_daily_rate is not None else "",
        "minimum": text(debt.minimum), "due_day": text(debt.due_day),
        "priority": text(debt.priority), "notes": debt.notes, "status": debt.status,
        "version": str(debt.version),
        "borrowed": text(debt.borrowed), "periods": text(debt.periods),
        "paid_periods": text(debt.paid_periods), "method": debt.repayment_method or "annuity",
        "first_due": text(debt.first_due), "contract_date": text(debt.contract_date),
        "posted_on": text(debt.posted_on), "card_basis": debt.card_interest_basis or "",
        "period_fee": rate_text(debt.period_fee_rate) if debt.period_fee_rate is not None
        else f"{debt.period_fee}元" if debt.period_fee is not None else "",
    }


def _render_form(page: Page, *, debt: Debt | None, preset: Preset | None,
                 values: dict[str, str], errors: Errors | None,
                 status: int = 200) -> HTMLResponse:
    from xieshang.present import debt_name
    from xieshang.web.pages.welcome import where_to_look

    lang = page.out.lang
    where = None if preset is None else {
        "bill": where_to_look(preset.id, lang),
        "loan": where_to_look(preset.id, lang, loan=True) if is_loan_product(preset) else None}
    return page.render(
        "debts_form.html", step=2, status=status, values=values, errors=errors, where=where,
        fields=_fields_of(page, preset, debt), preset=preset and {
            "id": preset.id, "name": preset.name.get(page.out.lang),
            "lender": preset.lender.get(page.out.lang),
            "facts": preset_facts(page, preset),
            "effective_from": preset.effective_from.isoformat(),
            "reviewed": preset.reviewed.isoformat(),
            "loan": is_loan_product(preset), "card": is_card_product(preset),
            "split": is_split_product(preset),
            "private": is_private_product(preset)},
        debt=debt and {"id": debt.id, "name": debt_name(page.out, debt),
                       "has_account": debt.account_number is not None,
                       "adjusted": bool(debt.adjustments)})


def _chooser(page: Page, *, errors: Errors | None = None, product: str = "",
             status: int = 200) -> HTMLResponse:
    lang = page.out.lang
    presets = [{"id": p.id, "name": p.name.get(lang), "lender": p.lender.get(lang),
                "facts": preset_facts(page, p)} for p in _presets()]
    return page.render("debts_choose.html", step=2, status=status, errors=errors,
                       values={"product": product}, presets=presets,
                       options=_product_options(page))


@router.get("/debts/new", response_class=HTMLResponse)
def new_debt(request: Request, product: str = "") -> HTMLResponse:
    page = Page.of(request)
    with page.read() as tx:
        case = tx.current_case()
    if case is None:
        return page.render("debts.html", step=2, case=None)
    if not product:
        return _chooser(page)
    preset = _preset(product)
    if preset is None:
        errors = page.errors()
        errors.add("product", page._("Choose one of the listed products."))
        return _chooser(page, errors=errors, product=product, status=422)
    values = {"product": preset.id, "label": preset.name.get(page.out.lang),
              "rate_basis": "daily" if preset.contract_daily_rate is not None else "annual",
              "method": "annuity"}
    return _render_form(page, debt=None, preset=preset, values=values, errors=None)


@router.post("/debts/new")
async def add_debt(request: Request) -> Response:
    from xieshang.store.model import Debt

    page = Page.of(request)
    form = await page.form()
    errors = page.errors()
    with page.read() as tx:
        case = tx.current_case()
    if case is None:
        errors.add("product", page._("There is no case yet: create it in step 1 first."))
    preset, values = parse_debt_form(page, form, errors)
    if errors or case is None or preset is None:
        return _render_form(page, debt=None, preset=preset or _preset(form.get("product")),
                            values=_safe_values(form), errors=errors, status=422)
    try:
        with page.write() as tx:
            debt = tx.add(Debt(case_id=case.id, **values))
    except XieshangError as error:  # e.g. personal data is encrypted and still locked
        show_refused_write(page, errors, "account", error)
        return _render_form(page, debt=None, preset=preset, values=_safe_values(form),
                            errors=errors, status=422)
    return page.redirect(f"/debts#debt-{debt.id}")


@router.post("/debts/check", response_class=HTMLResponse)
async def check_field(request: Request, field: str = "") -> HTMLResponse:
    """One field of the debt form, re-rendered with its error (always 200, so htmx swaps)."""
    page = Page.of(request)
    form = await page.form()
    if field not in CHECKED:
        raise HTTPException(404)
    errors = page.errors()
    preset, _values = parse_debt_form(page, form, errors)
    shown = page.errors()
    message = errors.get(field)
    if message is not None:
        shown.add(field, message)
    return page.render("debts_field.html", field=_fields_of(page, preset, None)[field],
                       values=_safe_values(form), errors=shown)


def show_refused_write(page: Page, errors: Errors, name: str, error: XieshangError) -> None:
    """A refused write, shown by the field that caused it."""
    if getattr(error, "field", "") == "passphrase":
        errors.add(name, page._("Personal details are encrypted and locked: unlock them with "
                                "the passphrase at the top of the page, then save again."))
    else:
        errors.add_error(name, error)


def _debt_of(page: Page, ident: str) -> tuple[Case, Debt]:
    """The current case's debt with this id, or 404."""
    from xieshang.store.model import Debt

    if not is_id(ident):
        raise HTTPException(404)
    with page.read() as tx:
        case = tx.current_case()
        debt = tx.get(Debt, int(ident))
    if case is None or debt is None or debt.case_id != case.id:
        raise HTTPException(404)
    return case, debt


@router.get("/debts/{ident}/edit", response_class=HTMLResponse)
def edit_form(request: Request, ident: str) -> HTMLResponse:
    page = Page.of(request)
    _case, debt = _debt_of(page, ident)
    return _render_form(page, debt=debt, preset=_preset(debt.preset_id),
                        values=_form_values(page, debt), errors=None)


@router.post("/debts/{ident}/edit")
async def edit_debt(request: Request, ident: str) -> Response:
    from xieshang.store.model import Debt

    page = Page.of(request)
    form = await page.form()
    _case, debt = _debt_of(page, ident)
    errors = page.errors()
    preset, values = parse_debt_form(page, form, errors, debt)
    if errors:
        return _render_form(page, debt=debt, preset=preset or _preset(debt.preset_id),
                            values=_safe_values(form), errors=errors, status=422)
    try:
        with page.write() as tx:
            current = tx.get(Debt, debt.id)
            if current is None:
                raise HTTPException(404)
            tx.expect_version(current, form.get("version"))
            tx.update(replace(current, **values))
    except StaleRecord:  # changed in another tab or by the command line: nothing written
        _case, now = _debt_of(page, ident)
        saved = _form_values(page, now)
        fields = _fields_of(page, _preset(now.preset_id), now)
        labels = {name: str(fields[name]["label"]) for name in saved if name in fields}
        show_stale(page, errors, labels, saved, form.values)
        return _render_form(page, debt=now, preset=_preset(now.preset_id), values=saved,
                            errors=errors, status=422)
    except XieshangError as error:  # e.g. personal data is encrypted and still locked
        show_refused_write(page, errors, "account", error)
        return _render_form(page, debt=debt, preset=preset, values=_safe_values(form),
                            errors=errors, status=422)
    return page.redirect(f"/debts#debt-{debt.id}")


# ------------------------------------------------------------------------ remove, close


def _removal(page: Page, debt: Debt, errors: Errors | None, status: int = 200) -> HTMLResponse:
    from xieshang.present import debt_name
    from xieshang.store.model import Payment, Proposal

    with page.read() as tx:
        payments = tx.count(Payment, debt_id=debt.id)
        proposals = tx.count(Proposal, debt_id=debt.id)
    return page.render("debts_remove.html", step=2, status=status, errors=errors,
                       debt={"id": debt.id, "name": debt_name(page.out, debt),
                             "status": debt.status, "payments": payments,
                             "proposals": proposals, "principal": page.money(debt.principal)})


@router.get("/debts/{ident}/remove", response_class=HTMLResponse)
def confirm_remove(request: Request, ident: str) -> HTMLResponse:
    page = Page.of(request)
    _case, debt = _debt_of(page, ident)
    return _removal(page, debt, None)


@router.post("/debts/{ident}/remove")
async def remove_debt(request: Request, ident: str) -> Response:
    from xieshang.store.model import Debt

    page = Page.of(request)
    form = await page.form()
    _case, debt = _debt_of(page, ident)
    if not form.get("confirm"):
        errors = page.errors()
        errors.add("confirm", page._("Tick the box to confirm."))
        return _removal(page, debt, errors, status=422)
    from xieshang.services.undo import snapshot

    with page.write() as tx:
        before = snapshot(tx, debt.case_id)
        tx.delete(Debt, debt.id)
    page.web.remember_undo(page.sid, N_("the debt you removed"), debt.case_id, before)
    return page.redirect("/debts")


@router.post("/debts/{ident}/close")
async def close_debt(request: Request, ident: str) -> Response:
    from xieshang.store.model import Debt

    page = Page.of(request)
    await page.form()
    _case, debt = _debt_of(page, ident)
    with page.write() as tx:
        current = tx.get(Debt, debt.id)
        if current is None:
            raise HTTPException(404)
        tx.update(replace(current, status="closed"))
    return page.redirect("/debts#closed")
