"""Step 4, the budget: the income and spending statement, its reasonableness flags, what can
be paid each month and its split across the debts, and importing a payment app's statement.

Every figure comes from the services the command line uses too
(:func:`xieshang.present.views.budget_report`,
the engine's :mod:`~xieshang.engine.budget`, the importers of ``budget import``); this module
parses the forms, calls them, saves through the store and lays the result out.

**Uploads wait in memory, not in the database.** An uploaded statement is read and checked,
then kept in this server's memory (:class:`Uploads`, on the app's state) under a random token
bound to the browser's session, for at most :data:`KEEP_SECONDS`; the preview page shows what
was read, and only the "save" button writes anything. Nothing about the file reaches the
database before that, a restart forgets it, and a token from another session or an expired
one finds nothing. One waiting upload per session; a new upload replaces the previous one;
all of them together stay under :data:`MAX_HELD` bytes. (While a request is read, the web
framework spools an upload over 1 MB to a temporary file, deleted when the request ends; a
request whose declared size is already far over :data:`MAX_UPLOAD` is refused unread.)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Final, TypeVar

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from xieshang.engine.errors import N_, StateError, XieshangError, fill
from xieshang.store.db import StaleRecord
from xieshang.web.page import BodyTooLarge, Errors, Form, Page, choice, is_id

if TYPE_CHECKING:
    from xieshang.engine.budget import Affordability, Flag, Norms
    from xieshang.importers.model import ImportResult
    from xieshang.store.db import Tx
    from xieshang.store.model import Case

__all__ = ["KEEP_SECONDS", "MAX_UPLOAD", "Pending", "Uploads", "mask_counterparty",
           "mask_numbers", "router"]

router = APIRouter()

T = TypeVar("T")

#: The largest statement file accepted (bytes).
MAX_UPLOAD: Final = 20 * 1024 * 1024
#: How long an uploaded file waits for the person to confirm it (seconds).
KEEP_SECONDS: Final = 30 * 60
#: All waiting uploads together stay under this many bytes (the oldest is forgotten first).
MAX_HELD: Final = 100 * 1024 * 1024
#: Transactions shown as a sample on the preview.
SAMPLE_ROWS: Final = 12
#: Room for the rest of an upload form beside the file (bytes).
_FORM_OVERHEAD: Final = 1024 * 1024
#: The longest note on a line (characters).
MAX_NOTE: Final = 500

#: The split methods of ``budget show --split``: value → label msgid.
SPLITS: Final = {"pro_rata": N_("Pro rata to what each is owed"),
                 "priority": N_("In your priority order (set on each debt)")}
#: The file kinds of ``budget import --format``: value → label msgid.
FORMATS: Final = {"auto": N_("Find out from the file"), "alipay": N_("Alipay (CSV)"),
                  "wechat": N_("WeChat Pay (XLSX or CSV)"),
                  "csv": N_("Another CSV file (a bank's download)")}
#: The household counts of ``budget set``: field → (label msgid, smallest value).
COUNTS: Final = {"adults": (N_("Adults, you included"), 1),
                 "children_0_4": (N_("Children aged 0–4"), 0),
                 "children_5_10": (N_("Children aged 5–10"), 0),
                 "children_11_17": (N_("Children aged 11–17"), 0),
                 "dependants": (N_("Other adults you support who live with you"), 0)}
#: How an imported row counts: direction → label msgid.
DIRECTIONS: Final = {"income": N_("Income"), "expense": N_("Spending"),
                     "neutral": N_("Not counted (transfer, top-up, loan paid out)"),
                     "refund": N_("Refund"), "debt_payment": N_("Debt repayment")}
#: How the working's lines count, as shown.
_SIGNS: Final = {"+": "+", "-": "−", "=": "=", "i": "ⓘ"}
#: Which fields the importers' errors name; anything else is shown at the file field.
_IMPORT_FIELDS: Final = ("file", "format", "column_map")

#: The clock of the waiting uploads (monotonic seconds; tests replace it).
_now: Callable[[], float] = time.monotonic


# ------------------------------------------------------------------------ waiting uploads


@dataclass(frozen=True, slots=True)
class Pending:
    """An uploaded statement waiting for the person to confirm it (memory only).

    Attributes:
        sid: the session it belongs to.
        case_id: the case it will be saved in.
        filename: the file's name (no folder).
        data: the file's bytes.
        fmt: ``alipay``, ``wechat``, ``csv`` or ``None`` (found out from the file).
        column_map: the column map for a plain CSV, or ``None``.
        digest: the SHA-256 of the bytes.
        created: when it was uploaded (:data:`_now` seconds).
    """

    sid: str
    case_id: int
    filename: str
    data: bytes
    fmt: str | None
    column_map: Mapping[str, str] | None
    digest: str
    created: float  # float-ok: a time.monotonic() reading (seconds), not money


@dataclass
class Uploads:
    """The uploads waiting for confirmation, by token (one app's, in memory only)."""

    items: dict[str, Pending] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, pending: Pending) -> str:
        """Keep ``pending`` (replacing the session's earlier one); returns its token."""
        token = secrets.token_urlsafe(24)
        with self.lock:
            self._purge()
            for key in [k for k, item in self.items.items() if item.sid == pending.sid]:
                del self.items[key]
            while self.items and (sum(len(item.data) for item in self.items.values())
                                  + len(pending.data) > MAX_HELD):
                del self.items[min(self.items, key=lambda k: self.items[k].created)]
            self.items[token] = pending
        return token

    def get(self, token: str, sid: str) -> Pending | None:
        """The upload under ``token`` when it belongs to session ``sid`` and has not
        expired."""
        with self.lock:
            self._purge()
            item = self.items.get(token)
        if item is None or not sid or not hmac.compare_digest(item.sid, sid):
            return None
        return item

    def drop(self, token: str) -> None:
        with self.lock:
            self.items.pop(token, None)

    def _purge(self) -> None:
        limit = _now() - KEEP_SECONDS
        for key in [k for k, item in self.items.items() if item.created < limit]:
            del self.items[key]


def uploads_of(page: Page) -> Uploads:
    """The app's waiting uploads (created on first use)."""
    state = page.request.app.state
    found: Uploads | None = getattr(state, "budget_uploads", None)
    if found is None:
        found = Uploads()
        state.budget_uploads = found
    return found


# ------------------------------------------------------------------------------- helpers


def _norms() -> Norms:
    from xieshang.services.budget import norms

    return norms()


def _colon(page: Page) -> str:
    return ": " if page.out.lang == "en" else "："


def _body(page: Page, error: XieshangError) -> str:
    """An error's message in the page's language, without the field name."""
    return error.render(page._(error.message))


def _checked(page: Page, errors: Errors, name: str, label: str,
             parse: Callable[[], T]) -> T | None:
    """Run ``parse``; on a XieshangError record "label: message" under ``name``."""
    try:
        return parse()
    except XieshangError as error:
        errors.add(name, label + _colon(page) + _body(page, error))
        return None


_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_NUMBER_RUN = re.compile(r"\+?(?<![0-9])[0-9][0-9 \-./]{5,}[0-9](?![0-9])")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
_PHONE = re.compile(r"(?:86)?1[3-9][0-9]{9}")


def mask_numbers(text: str) -> str:
    """``text`` with what looks like a personal number masked: ID numbers, e-mail
    addresses, mobile numbers, card and account numbers (7 digits or more). Dates stay."""
    import unicodedata

    from xieshang.engine import identity

    text = unicodedata.normalize("NFKC", text)  # full-width digits are digits too

    def number(found: re.Match[str]) -> str:
        raw = found.group()
        digits = re.sub(r"[^0-9]", "", raw)
        if len(digits) < 7 or _DATE.fullmatch(raw.strip()):
            return raw
        if ("." in raw or "/" in raw) and len(digits) < 11:
            return raw  # an amount (12345.67) or a date (2026/11/29), not a phone number
        if _PHONE.fullmatch(digits):
            return identity.mask_phone(digits)
        if 12 <= len(digits) <= 19:
            return identity.mask_card(digits)
        return identity.mask_account(digits)

    text = _ID_NUMBER.sub(lambda found: identity.mask_id(found.group()), text)
    text = _EMAIL.sub(lambda found: identity.mask_account(found.group()), text)
    return _NUMBER_RUN.sub(number, text)


def _category_label(page: Page, category: str) -> str:
    try:
        return _norms().category(category).label.get(page.out.lang)
    except XieshangError:
        return category


def _sources(page: Page) -> dict[str, dict[str, str]]:
    """Where the reference figures and the rules come from (text, mark, address)."""
    rules = _norms()
    stats = rules.statistics
    lang = page.out.lang

    def one(key: str, text: str) -> dict[str, str]:
        source = rules.source_of(key)
        return {"text": text, "mark": source.confidence.value,
                "url": source.urls[0] if source.urls else ""}

    return {
        "statistics": one("groups", page._("{release}, published {date}").format(
            release=stats.release.get(lang), date=stats.published.isoformat())),
        "scaling": one("flags", page._("Scaled to your household and city tier, and the "
                                       "far above / far below bounds: our modelling")),
        "buffer": one("buffer", page._("The emergency buffer rule: our choice")),
        "token": one("token", page._("Token payments: the practice of UK debt-advice "
                                     "services, not a rule in China")),
    }


def _flags_view(page: Page, flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's flags, worded as the command line words them."""
    _ = page._
    shown = []
    for flag in flags:
        text = _("{amount} is far above the reference of {reference} (NBS {year} [S])") \
            if flag["level"] == "high" else \
            _("{amount} is far below the reference of {reference} (NBS {year} [S])")
        shown.append({
            "group": flag["group"], "label": flag["label"], "level": flag["level"],
            "text": text.format(amount=page.money(flag["amount"]),
                                reference=page.money(flag["reference"]), year=flag["year"]),
            "range": _("A household like yours: usually between {low} and {high} a month "
                       "(reference figure, estimate)").format(low=page.money(flag["low"]),
                                                              high=page.money(flag["high"])),
            "question": flag["question"],
        })
    return shown


def _engine_flags(page: Page, flags: list[Flag]) -> list[dict[str, Any]]:
    """Engine flags in the report's shape (for the figures of a form not saved yet)."""
    lang = page.out.lang
    return _flags_view(page, [
        {"group": f.category, "level": f.level.value, "label": f.label.get(lang),
         "amount": f.amount, "low": f.low, "high": f.high, "reference": f.reference,
         "year": f.year, "question": f.question.get(lang)} for f in flags])


def _working_view(page: Page, working: Mapping[str, Any]) -> dict[str, Any]:
    """The affordability working of the report, formatted."""
    from xieshang.services.budget import OUTCOMES

    return {
        "outcome": working["outcome"],
        "title": page._(OUTCOMES[working["outcome"]]),
        "available": page.money(working["available"]),
        "shortfall": page.money(working["shortfall"]) if working["shortfall"] else None,
        "explanation": working["explanation"],
        "steps": [{"sign": _SIGNS[step["sign"]], "kind": step["sign"], "label": step["label"],
                   "amount": page.money(step["amount"])} for step in working["steps"]],
    }


def _engine_working(page: Page, result: Affordability, automatic: bool) -> dict[str, Any]:
    """An engine result in the report's shape (as ``budget_report`` builds it)."""
    _ = page._
    view = _working_view(page, {
        "outcome": result.outcome.value, "available": result.available,
        "shortfall": result.shortfall, "explanation": result.render(_(result.explanation)),
        "steps": [{"label": step.render(_(step.label)), "amount": step.amount,
                   "sign": step.sign.value} for step in result.steps]})
    view["automatic_buffer"] = automatic
    return view


# ------------------------------------------------------------------------------ the page


@router.get("/budget", response_class=HTMLResponse)
def show(request: Request) -> Response:
    """The statement, its flags, the affordable amount and its split."""
    page = Page.of(request)
    errors = page.errors()
    method = request.query_params.get("split", "pro_rata")
    if method not in SPLITS:
        errors.add("split", page._("choose one of the listed options"))
        method = "pro_rata"
    with page.read() as tx:
        values = statement_page(page, tx, method)
        values["notice"] = _notice(page, tx)
    return page.render("budget.html", step=4, status=422 if errors else 200, errors=errors,
                       values={"split": method}, **values)


def _notice(page: Page, tx: Tx) -> str | None:
    """What the last form did (after its redirect)."""
    from xieshang.store.model import StatementImport, StatementRow

    query = page.request.query_params
    if query.get("saved") == "1":
        return page._("The budget was saved.")
    imported = query.get("imported", "")
    if is_id(imported):
        record = tx.get(StatementImport, int(imported))
        case = tx.current_case()
        if record is not None and case is not None and record.case_id == case.id:
            return page._("Saved: {file}, {rows} transactions over {months} months. The "
                          "budget lines it set carry the file's name as their note.").format(
                file=record.filename, rows=tx.count(StatementRow, import_id=record.id),
                months=record.months)
    return None


def statement_page(page: Page, tx: Tx, method: str) -> dict[str, Any]:
    """Everything the budget page shows, formatted for the page's language.

    Returns a dict with ``case`` (None when there is none), ``report`` (None when the case
    has no budget yet), ``problem`` (a message when the stored statement cannot be
    worked out), the household ``facts``, the statement's ``sections``, the ``working``,
    the ``split``, the ``flags``, the ``references`` of every NBS group, the ``sources``
    and the ``imports`` made so far.
    """
    from xieshang.engine.budget import reference_ranges
    from xieshang.present.views import budget_report
    from xieshang.services.budget import SECTIONS, current_budget
    from xieshang.store.model import (
        BudgetEntry,
        Debt,
        StatementImport,
        StatementRow,
        budget_statement,
    )

    empty: dict[str, Any] = {"case": None, "report": None, "problem": None}
    case = tx.current_case()
    if case is None:
        return empty
    empty["case"] = {"id": case.id}
    try:
        report = budget_report(page.out, tx, case, method, as_of=page.today)
    except XieshangError as error:
        return empty | {"problem": page.error_text(error)}
    if report is None:
        return empty
    rules = _norms()
    lang = page.out.lang
    budget = current_budget(tx, case, create=False)
    if budget is None:
        raise StateError("budget")
    household = report["household"]
    facts = [(page._(label), str(household[name])) for name, (label, _min) in COUNTS.items()]
    facts.append((page._("City tier"), rules.tier(household["city_tier"]).label.get(lang)))
    facts.append((page._("Emergency buffer"), page._("automatic") if budget.buffer is None
                  else page.money(budget.buffer)))
    sections = []
    for section, title in SECTIONS.items():
        lines = [line for line in report["lines"] if line["section"] == section]
        total = sum((line["amount"] for line in lines), Decimal("0.00"))
        sections.append({"id": section, "title": page._(title), "total": page.money(total),
                         "lines": [{"label": line["label"], "amount": page.money(line["amount"]),
                                    "note": line["note"]} for line in lines]})
    # the reference of every NBS group (the flags are the groups outside their bounds)
    statement = budget_statement(budget, tx.find(BudgetEntry, statement_id=budget.id))
    flagged = {flag["group"]: flag["level"] for flag in report["flags"]}
    references = [{"label": ref.label.get(lang), "amount": page.money(ref.amount),
                   "reference": page.money(ref.reference), "low": page.money(ref.low),
                   "high": page.money(ref.high), "level": flagged.get(ref.group)}
                  for ref in reference_ranges(statement, rules)]
    split_rows = []
    for share in report["split"]["debts"]:
        debt = tx.get(Debt, share["debt"])
        split_rows.append({"id": share["debt"], "name": share["name"],
                           "priority": debt.priority if debt is not None else None,
                           "balance": page.money(share["balance"]),
                           "share": page.out.percent(share["share"], 1),
                           "amount": page.money(share["amount"])})
    allocated = sum((share["amount"] for share in report["split"]["debts"]), Decimal("0.00"))
    working = report["affordability"]
    unallocated = working["available"] - allocated if split_rows else Decimal("0.00")
    imports = [{"id": record.id, "file": record.filename,
                "format": page._(FORMATS.get(record.format, record.format)),
                "months": record.months,
                "on": record.imported_at.date().isoformat() if record.imported_at else "",
                "rows": tx.count(StatementRow, import_id=record.id)}
               for record in tx.find(StatementImport, case_id=case.id)]
    view = _working_view(page, working)
    view["automatic_buffer"] = budget.buffer is None
    return {
        "charts": _charts(page, tx, case, report),
        "case": {"id": case.id}, "report": report, "problem": None, "facts": facts,
        "sections": sections, "working": view,
        "split": {"method": method, "rows": split_rows, "total": page.money(allocated),
                  "unallocated": page.money(unallocated) if unallocated > 0 else None,
                  "no_priority": method == "priority"
                  and all(row["priority"] is None for row in split_rows)},
        "splits": [(value, page._(label)) for value, label in SPLITS.items()],
        "flags": _flags_view(page, report["flags"]), "references": references,
        "sources": _sources(page), "imports": imports,
        "situation": _situation_view(page, report["situation"]),
        "situation_values": _situation_values(budget),
        "savings_debts": [("spread", page._("spread over all my debts"))] + [
            (str(part["debt"]), part["name"]) for part in report["split"]["debts"]],
    }


# ------------------------------------------------------------------- the situation


def _situation_values(budget: Any) -> dict[str, str]:
    """The situation form's fields from the stored statement."""
    changes = budget.income_changes or {}
    return {"savings": "" if budget.savings is None else str(budget.savings),
            "savings_on": budget.savings_on.isoformat() if budget.savings_on else "",
            "savings_use": budget.savings_use,
            "savings_debt": "spread" if budget.savings_debt_id is None
            else str(budget.savings_debt_id),
            "no_income_until": budget.no_income_until.isoformat()
            if budget.no_income_until else "",
            "income_changes": "\n".join(f"{day}={amount}"
                                         for day, amount in sorted(changes.items()))}


def _situation_view(page: Page, situation: Mapping[str, Any]) -> dict[str, Any]:
    """The months ahead, formatted (the money for the debts on each pay date), and — when
    this month leaves nothing but a later one does — the first such month (``later``), so
    the page does not speak of this month's shortfall as if it lasted."""
    months = list(situation["months"])
    later = None
    if months and months[0]["available"] <= 0:
        ahead = next((month for month in months[1:] if month["available"] > 0), None)
        if ahead is not None:
            later = {"on": ahead["on"].isoformat(), "amount": page.money(ahead["available"])}
    return {"months": [(month["on"].isoformat(), page.money(month["available"]))
                       for month in months],
            "recovery": situation["recovery"].isoformat() if situation["recovery"] else "",
            "later": later, "savings_to": _savings_to(page, situation)}


def _savings_to(page: Page, situation: Mapping[str, Any]) -> list[str]:
    """Where the savings go, in a sentence or two (none without savings)."""
    if not situation["savings"]:
        return []
    if not situation.get("savings_to"):
        return [page._("They are spread over your debts in proportion to what each owes.")]
    lines = [page._("They go to {debt}.").format(debt=situation["savings_to_name"])]
    if situation.get("savings_rest"):
        lines.append(page._("That is more than {debt} owes ({owed}): the {rest} left is spread "
                            "over your other debts in proportion to what each owes.").format(
            debt=situation["savings_to_name"], owed=page.money(situation["savings_to_owed"]),
            rest=page.money(situation["savings_rest"])))
    return lines


@router.post("/budget/situation")
async def save_situation(request: Request) -> Response:
    """Save the savings, the time without income and the dated income changes."""
    from datetime import date

    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_date
    from xieshang.services.budget import (
        current_budget,
        parse_income_changes,
        parse_savings_debt,
        parse_savings_use,
        set_situation,
    )

    page = Page.of(request)
    form = await page.form()
    errors = page.errors()
    changes: dict[str, Any] = {}
    savings_text = (form.get("savings") or "").strip()
    changes["savings"] = errors.check("savings", lambda: parse_amount(savings_text, "savings")
                                      or None) if savings_text else None
    on_text = (form.get("savings_on") or "").strip()
    changes["savings_on"] = errors.check("savings_on", lambda: parse_date(
        on_text, "savings_on")) if on_text else None
    changes["savings_use"] = errors.check("savings_use", lambda: parse_savings_use(
        form.get("savings_use") or "settlement"))
    debt_text = (form.get("savings_debt") or "spread").strip()
    with page.read() as tx:
        current = tx.current_case()
        if current is not None:
            changes["savings_debt_id"] = errors.check("savings_debt", partial(
                parse_savings_debt, tx, current, debt_text))
    until_text = (form.get("no_income_until") or "").strip()
    changes["no_income_until"] = errors.check("no_income_until", lambda: parse_date(
        until_text, "no_income_until")) if until_text else None
    dated: dict[date, Decimal | None] = errors.check("income_changes", partial(
        parse_income_changes, (form.get("income_changes") or "").splitlines())) or {}
    if errors:
        with page.read() as tx:
            values = statement_page(page, tx, "pro_rata")
        values["situation_values"] = form.values
        return page.render("budget.html", step=4, status=422, errors=errors,
                           values={"split": "pro_rata"}, notice=None, **values)
    with page.write() as tx:
        case = tx.current_case()
        if case is None:
            raise HTTPException(409, page._("There is no case yet: start at step 1."))
        budget = current_budget(tx, case, create=True)
        if budget is None:
            raise HTTPException(409, page._("There is no case yet: start at step 1."))
        # the form holds the whole list: a change no longer listed is removed
        removed: dict[date, Decimal | None] = {
            date.fromisoformat(day): None for day in (budget.income_changes or {})}
        set_situation(tx, budget, changes, {**removed, **dated})
    return page.redirect("/budget?saved=1")


def _charts(page: Page, tx: Tx, case: Case, report: Mapping[str, Any]) -> dict[str, str]:
    """Two charts: what comes in against what must go out and what is left for the debts,
    and where the spending goes (the six largest lines, then the rest); labelled in the
    page's language when the charts can draw Chinese (in English otherwise)."""
    from xieshang.documents.charts import bars_svg, chart_lang
    from xieshang.i18n import gettext_for
    from xieshang.services.budget import budget_view

    lang = chart_lang(page.out.lang)
    _ = page._ if lang == page.out.lang else gettext_for(lang)
    found = budget_view(tx, case, "pro_rata", as_of=page.today)
    if found is None:
        return {}
    result = found.affordability
    rows = [(_("Comes in"), result.income, page.money(result.income), 0),
            (_("Priority bills"), result.priority, page.money(result.priority), 3),
            (_("Essential costs"), result.essential, page.money(result.essential), 1),
            (_("Buffer kept back"), result.buffer, page.money(result.buffer), 5),
            (_("Left for the debts"), result.available, page.money(result.available), 2)]
    # the largest spending lines, the rest together
    rules = _norms()
    lines = sorted(((rules.category(line["category"]).label.get(lang), line["amount"])
                    for line in report["lines"]
                    if line["section"] != "income" and line["amount"] > 0),
                   key=lambda item: -item[1])
    # the chart's labels without their explanations in brackets, to fit a phone's width
    spending = [(re.sub(r"\s*[（(].*?[）)]", "", label), amount, page.money(amount), 1)
                for label, amount in lines[:6]]
    rest = sum((amount for _label, amount in lines[6:]), Decimal("0.00"))
    if rest:
        spending.append((_("Everything else"), rest, page.money(rest), 5))
    return {"balance": bars_svg("budget-balance", page._("What comes in, what must go out "
                                                         "and what is left"), rows),
            "where": bars_svg("budget-where", page._("Where the money goes"), spending)}


# --------------------------------------------------------------------------- the form


#: The lines the budget form shows first (about twelve: what most households have); the
#: others, the notes and the household's details are under "more lines".
MAIN_LINES: Final = ("wages", "wages_partner", "benefits", "family_support", "rent",
                     "mortgage", "utilities", "transport", "medical", "school", "food",
                     "communications")


def _form_layout(page: Page) -> list[dict[str, Any]]:
    """The statement's sections and categories, as the form lays them out."""
    from xieshang.engine.budget import Section
    from xieshang.services.budget import SECTIONS

    rules = _norms()
    lang = page.out.lang
    return [{"id": section, "title": page._(title),
             "categories": [{"id": c.id, "label": c.label.get(lang),
                             "essential": c.essential or c.section is Section.INCOME,
                             "main": c.id in MAIN_LINES}
                            for c in rules.categories_in(Section(section))]}
            for section, title in SECTIONS.items()]


def _form_context(page: Page) -> dict[str, Any]:
    rules = _norms()
    return {"layout": _form_layout(page),
            "counts": [(name, page._(label)) for name, (label, _min) in COUNTS.items()],
            "tiers": [(tier.id, tier.label.get(page.out.lang)) for tier in rules.tiers.values()],
            "buffer_rule": page._("Leave empty for the automatic buffer: {percent} of income, "
                                  "at least {minimum} a month.").format(
                percent=f"{(rules.buffer.percent * 100).normalize():f}%",
                minimum=page.money(rules.buffer.minimum)),
            "sources": _sources(page), "colon": _colon(page)}


def _stored_values(tx: Tx, case: Case) -> dict[str, str]:
    """The form's values from the stored statement (a category's lines add up)."""
    from xieshang.services.budget import current_budget, statement_version
    from xieshang.store.model import BudgetEntry

    budget = current_budget(tx, case, create=False)
    if budget is None:
        return {"adults": "1", "children_0_4": "0", "children_5_10": "0",
                "children_11_17": "0", "dependants": "0", "city_tier": "tier2", "buffer": "",
                "version": "0"}
    values = {name: str(getattr(budget, name)) for name in COUNTS}
    values["version"] = statement_version(tx, budget)
    values["city_tier"] = budget.city_tier
    values["buffer"] = "" if budget.buffer is None else str(budget.buffer)
    amounts: dict[str, Decimal] = {}
    notes: dict[str, list[str]] = {}
    for entry in tx.find(BudgetEntry, statement_id=budget.id):
        amounts[entry.category] = amounts.get(entry.category, Decimal("0.00")) + entry.amount
        if entry.note and entry.note not in notes.setdefault(entry.category, []):
            notes[entry.category].append(entry.note)
    for category, amount in amounts.items():
        values[f"amount_{category}"] = str(amount)
        values[f"note_{category}"] = "; ".join(notes.get(category, []))
    return values


def _unknown_lines(page: Page, tx: Tx, case: Case | None) -> list[dict[str, str]]:
    """Stored lines whose category the norms do not know (the form cannot show them;
    saving the form removes them, and the page says so first)."""
    from xieshang.services.budget import current_budget
    from xieshang.store.model import BudgetEntry

    budget = current_budget(tx, case, create=False) if case is not None else None
    if budget is None:
        return []
    known = {category.id for category in _norms().categories}
    return [{"section": entry.section, "category": entry.category,
             "amount": page.money(entry.amount), "note": entry.note}
            for entry in tx.find(BudgetEntry, statement_id=budget.id)
            if entry.category not in known]


@router.get("/budget/edit", response_class=HTMLResponse)
def edit_form(request: Request) -> Response:
    """The statement as a form."""
    page = Page.of(request)
    with page.read() as tx:
        case = tx.current_case()
        values = _stored_values(tx, case) if case is not None else {}
        unknown = _unknown_lines(page, tx, case)
    return page.render("budget_edit.html", step=4, case=case is not None, values=values,
                       errors=page.errors(), check=None, unknown=unknown,
                       **_form_context(page))


@dataclass(frozen=True, slots=True)
class StatementForm:
    """A statement form, parsed and checked.

    Attributes:
        household: the household counts and ``city_tier``.
        buffer: the buffer, or ``None`` for the automatic one.
        lines: (section, category) → (amount, note), or ``None`` for an empty line.
    """

    household: dict[str, Any]
    buffer: Decimal | None
    lines: dict[tuple[str, str], tuple[Decimal, str] | None]


def parse_statement_form(page: Page, form: Form, errors: Errors) -> StatementForm | None:
    """Every field of the statement form, checked; ``None`` when any is wrong (its
    message is in ``errors``, next to the field)."""
    from xieshang.engine.budget import BudgetLine, Household, Section
    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_count

    _ = page._
    rules = _norms()
    household: dict[str, Any] = {}
    for name, (label, minimum) in COUNTS.items():
        text = form.get(name) or ("" if name == "adults" else "0")
        if not text:
            errors.add(name, _(label) + _colon(page) + _("this field is needed"))
            continue
        household[name] = _checked(page, errors, name, _(label), partial(
            parse_count, text, "", minimum=minimum, maximum=30))
    household["city_tier"] = choice(errors, form, "city_tier",
                                    {tier: tier for tier in rules.tiers})
    buffer_text = form.get("buffer")
    buffer = None
    if buffer_text and buffer_text.lower() not in {"auto", "自动"}:
        buffer = _checked(page, errors, "buffer", _("Emergency buffer"),
                          partial(parse_amount, buffer_text, ""))
    lines: dict[tuple[str, str], tuple[Decimal, str] | None] = {}
    for category in rules.categories:
        label = category.label.get(page.out.lang)
        name, note_name = f"amount_{category.id}", f"note_{category.id}"
        text, note = form.get(name), form.get(note_name)
        if len(note) > MAX_NOTE:
            errors.add(note_name, _("Note: {category}").format(category=label) + _colon(page)
                       + _("at most {count} characters (got {value})").format(
                           count=MAX_NOTE, value=len(note)))
        if not text:
            if note:
                errors.add(name, label + _colon(page)
                           + _("type an amount for this line, or clear its note"))
            lines[(category.section.value, category.id)] = None
            continue
        amount = _checked(page, errors, name, label, partial(parse_amount, text, ""))
        if amount is not None and _checked(page, errors, name, label, partial(
                BudgetLine, Section(category.section), category.id, amount, note)) is not None:
            lines[(category.section.value, category.id)] = (amount, note)
    if errors:
        return None
    try:
        Household(**household)
    except XieshangError as error:
        where = getattr(error, "field", "")
        errors.add(where if where in household else "adults", _body(page, error))
        return None
    return StatementForm(household=household, buffer=buffer, lines=lines)


@router.post("/budget/edit")
async def save(request: Request) -> Response:
    """Check the figures without saving (``action=check``), or save the statement."""
    page = Page.of(request)
    form = await page.form()
    errors = page.errors()
    parsed = parse_statement_form(page, form, errors)
    with page.read() as tx:
        case = tx.current_case()
        unknown = _unknown_lines(page, tx, case)
    if case is None:
        errors.add("case", page._("There is no case yet: start at step 1."))
    if parsed is None or case is None:
        return page.render("budget_edit.html", step=4, status=422, case=case is not None,
                           values=form.values, errors=errors, check=None, unknown=unknown,
                           **_form_context(page))
    if form.get("action") == "check":
        return page.render("budget_edit.html", step=4, case=True, values=form.values,
                           errors=errors, check=_check(page, parsed), unknown=unknown,
                           **_form_context(page))
    from xieshang.services.budget import current_budget, save_statement
    from xieshang.services.undo import snapshot

    before = None
    lines = dict(parsed.lines)
    for line in unknown:  # shown on the form as "removed when you save"
        lines[(line["section"], line["category"])] = None
    try:
        with page.write() as tx:
            current = tx.current_case()
            if current is None or current.id != case.id:
                raise HTTPException(409, page._("The case changed while you were editing; "
                                                "nothing was saved. Reload the page."))
            if current_budget(tx, current, create=False) is not None:
                before = snapshot(tx, current.id)
            save_statement(tx, current, parsed.household, parsed.buffer, lines,
                           opened=form.get("version"))
    except StaleRecord:  # changed in another tab or by the command line: nothing written
        return _stale(page, form, errors, case)
    page.web.remember_undo(page.sid, N_("the budget as it was before you saved"), case.id,
                           before)
    return page.redirect("/budget?saved=1")


def _stale(page: Page, form: Form, errors: Errors, case: Case) -> HTMLResponse:
    """The statement form sent from a page opened before the statement changed: what
    differs, and the form again with the saved values (and their version)."""
    from xieshang.web.page import show_stale

    with page.read() as tx:
        saved = _stored_values(tx, case)
        unknown = _unknown_lines(page, tx, case)
    labels = {name: page._(label) for name, (label, _min) in COUNTS.items()}
    labels["city_tier"] = page._("City tier")
    labels["buffer"] = page._("Emergency buffer")
    for category in _norms().categories:
        name = category.label.get(page.out.lang)
        labels[f"amount_{category.id}"] = name
        labels[f"note_{category.id}"] = page._("Note: {category}").format(category=name)
    show_stale(page, errors, labels, saved, form.values)
    return page.render("budget_edit.html", step=4, status=422, case=True, values=saved,
                       errors=errors, check=None, unknown=unknown, **_form_context(page))


def _check(page: Page, parsed: StatementForm) -> dict[str, Any]:
    """The working and the flags of a form, not saved."""
    from xieshang.engine.budget import (
        BudgetLine,
        BudgetStatement,
        Household,
        Section,
        affordability,
        check_reasonableness,
    )

    rules = _norms()
    statement = BudgetStatement(
        household=Household(**parsed.household),
        lines=tuple(BudgetLine(Section(section), category, amount, note)
                    for (section, category), value in parsed.lines.items() if value is not None
                    for amount, note in (value,)),
        buffer=parsed.buffer)
    return {"working": _engine_working(page, affordability(statement, rules),
                                       parsed.buffer is None),
            "flags": _engine_flags(page, check_reasonableness(statement, rules))}


# ------------------------------------------------------------------------------ import


def _import_context(page: Page, case: bool) -> dict[str, Any]:
    from xieshang.importers import DEFAULT_COLUMN_MAP

    return {"case": case, "formats": [(value, page._(label)) for value, label in FORMATS.items()],
            "max_mb": MAX_UPLOAD // (1024 * 1024), "keep_minutes": KEEP_SECONDS // 60,
            "default_map": ",".join(f"{k}={v}" for k, v in DEFAULT_COLUMN_MAP.items())}


def _import_page(page: Page, *, status: int = 200, values: Mapping[str, str] | None = None,
                 errors: Errors | None = None) -> Response:
    with page.read() as tx:
        case = tx.current_case() is not None
    return page.render("budget_import.html", step=4, status=status,
                       values=dict(values or {"format": "auto"}),
                       errors=errors if errors is not None else page.errors(),
                       **_import_context(page, case))


@router.get("/budget/import", response_class=HTMLResponse)
def import_form(request: Request) -> Response:
    """The upload form."""
    return _import_page(Page.of(request))


def _filename(raw: str | None) -> str:
    name = PurePosixPath((raw or "").replace("\\", "/")).name.strip()
    return name[:200] or "statement"


def _read(data: bytes, fmt: str | None, filename: str,
          column_map: Mapping[str, str] | None) -> ImportResult:
    from xieshang.importers import parse_statement

    return parse_statement(data, fmt, file=filename, column_map=column_map)


@router.post("/budget/import")
async def upload(request: Request) -> Response:
    """Read an uploaded statement and keep it in memory for the preview (nothing saved)."""
    from xieshang.importers import parse_column_map

    page = Page.of(request)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_UPLOAD + _FORM_OVERHEAD:
        errors = page.errors()  # refused unread: nothing of it is kept or written
        errors.add("file", _too_big(page))
        return _import_page(page, status=422, errors=errors)
    try:
        form = await page.form(limit=MAX_UPLOAD + _FORM_OVERHEAD)
    except BodyTooLarge:  # a chunked upload (no Content-Length) stopped once it passed
        errors = page.errors()
        errors.add("file", _too_big(page))
        return _import_page(page, status=413, errors=errors)
    if page.web.read_only:
        raise HTTPException(403, page._("This copy of xieshang is read-only."))
    errors = page.errors()
    fmt = choice(errors, form, "format", FORMATS)
    column_map = None
    if form.get("column_map"):
        column_map = _checked(page, errors, "column_map", page._("Column map"),
                              lambda: parse_column_map(form.get("column_map")))
    file = form.files.get("file")
    data = b""
    if file is None:
        errors.add("file", page._("Choose the exported file."))
    else:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            errors.add("file", _too_big(page))
        elif not data:
            errors.add("file", page._("The file is empty."))
    filename = _filename(file.filename if file is not None else None)
    chosen = None if fmt in (None, "auto") else fmt
    kind = (what_file(page, data, _filename(file.filename if file else None))
            if data and not errors else None)
    if kind is not None:
        errors.add("file", kind)
    if not errors:
        try:
            await run_in_threadpool(_read, data, chosen, filename, column_map)
        except XieshangError as error:
            where = getattr(error, "field", "")
            # the file's own cells may hold personal numbers: never shown in full
            errors.add(where if where in _IMPORT_FIELDS else "file",
                       mask_numbers(_body(page, error)))
    digest = hashlib.sha256(data).hexdigest()
    case_id = 0
    with page.read() as tx:
        case = tx.current_case()
        if case is None:
            errors.add("file", page._("There is no case yet: start at step 1."))
        elif not errors:
            from xieshang.services.budget import check_not_imported

            case_id = case.id
            try:
                check_not_imported(tx, case, filename, digest)
            except XieshangError as error:
                errors.add("file", _body(page, error))
    if errors:
        return _import_page(page, status=422, values=form.values, errors=errors)
    token = uploads_of(page).put(Pending(sid=page.sid, case_id=case_id, filename=filename,
                                         data=data, fmt=chosen, column_map=column_map,
                                         digest=digest, created=_now()))
    return page.redirect(f"/budget/import/{token}")


#: The first bytes of files that are not a statement: (signature, offset, what it is).
_NOT_A_TABLE: Final = (
    (b"\x89PNG\r\n\x1a\n", 0, "picture"), (b"\xff\xd8\xff", 0, "picture"),
    (b"GIF8", 0, "picture"), (b"WEBP", 8, "picture"), (b"ftypheic", 4, "picture"),
    (b"ftypmif1", 4, "picture"), (b"BM", 0, "picture"), (b"%PDF", 0, "pdf"),
)


def what_file(page: Page, data: bytes, filename: str) -> str | None:
    """Why ``data`` cannot be a statement when its first bytes say what it is (a picture,
    a PDF), whatever its name; None when it may be one."""
    for signature, offset, kind in _NOT_A_TABLE:
        if data[offset:offset + len(signature)] == signature:
            if kind == "picture":
                return page._("{file} is a picture, not a spreadsheet. In the payment app, "
                              "export the bill as a file (CSV or Excel) and choose that "
                              "file here.").format(file=filename)
            return page._("{file} is a PDF document, not a spreadsheet. In the payment app, "
                          "export the bill as a CSV or Excel file and choose that file "
                          "here.").format(file=filename)
    return None


def _too_big(page: Page) -> str:
    return page._("The file is larger than {size} MB; nothing was read. Export a shorter "
                  "period (for example 3 months) and try again.").format(
        size=MAX_UPLOAD // (1024 * 1024))


def _expired(page: Page, status: int) -> Response:
    errors = page.errors()
    errors.add("file", page._("This preview is no longer here (it is kept for {minutes} "
                              "minutes, in this session only); nothing was saved. Choose the "
                              "file again.").format(minutes=KEEP_SECONDS // 60))
    return _import_page(page, status=status, errors=errors)


@router.get("/budget/import/{token}", response_class=HTMLResponse)
def preview(request: Request, token: str) -> Response:
    """What the uploaded file holds, and what saving it would change."""
    from xieshang.store.model import Case

    page = Page.of(request)
    pending = uploads_of(page).get(token, page.sid)
    if pending is None:
        return _expired(page, 404)
    try:
        result = _read(pending.data, pending.fmt, pending.filename, pending.column_map)
    except XieshangError:  # it was read once already; the importers are pure
        uploads_of(page).drop(token)
        return _expired(page, 404)
    with page.read() as tx:
        case = tx.get(Case, pending.case_id)
        if case is None:
            return _expired(page, 404)
        values = preview_values(page, tx, case, result)
    return page.render("budget_preview.html", step=4, token=token, **values)


def mask_counterparty(text: str) -> str:
    """A counterparty as the preview shows it (docs/data.md: personal, masked): a number in
    it masked as :func:`mask_numbers` does, otherwise — often a person's name, a transfer
    to a friend — only its first character, as the command line shows a name."""
    from xieshang.engine import identity

    masked = mask_numbers(text)
    return masked if masked != text else identity.mask_name(text)


def preview_values(page: Page, tx: Tx, case: Case, result: ImportResult) -> dict[str, Any]:
    """The preview of an import, formatted: ``facts``, ``income``, ``spending``,
    ``debts``, ``changes`` (the budget lines saving would set), ``skipped``, ``refunds``
    and a ``sample`` of the rows. Personal numbers are masked."""
    from xieshang.importers import Direction
    from xieshang.rules import load_preset
    from xieshang.services.budget import SECTIONS, current_budget, imported_lines
    from xieshang.store.model import BudgetEntry

    _ = page._
    rules = _norms()
    lines = imported_lines(result, rules)
    zero = Decimal("0.00")

    def found(totals: Mapping[str, Decimal], hint: str) -> dict[str, Any]:
        from xieshang.services.budget import map_category

        rows = [{"label": _category_label(page, map_category(key, hint, rules)[1]),
                 "amount": page.money(value)} for key, value in totals.items()]
        return {"rows": rows, "total": page.money(sum(totals.values(), zero))}

    debts = []
    for key, value in result.debt_payments.items():
        try:
            name = load_preset(key).name.get(page.out.lang)
        except XieshangError:
            name = key
        debts.append({"name": name, "amount": page.money(value),
                      "total": page.money(result.debt_payment_totals.get(key, zero))})
    current: dict[str, Decimal] = {}
    budget = current_budget(tx, case, create=False)
    if budget is not None:
        for entry in tx.find(BudgetEntry, statement_id=budget.id):
            current[entry.category] = current.get(entry.category, zero) + entry.amount
    order = {c.id: i for i, c in enumerate(rules.categories)}
    sections = list(SECTIONS)
    changes = [{"section": _(SECTIONS[section]), "label": _category_label(page, category),
                "now": page.money(current[category]) if category in current else "—",
                "new": page.money(amount)}
               for (section, category), amount in sorted(
                   lines.items(), key=lambda item: (sections.index(item[0][0]),
                                                    order.get(item[0][1], 999)))]

    def row_view(row: Any) -> dict[str, str]:
        return {"row": str(row.row), "when": row.when.strftime("%Y-%m-%d %H:%M"),
                "direction": _(DIRECTIONS.get(str(row.direction), str(row.direction))),
                "category": _category_label(page, row.category) if row.category else "—",
                "amount": page.money(row.amount),
                "counterparty": mask_counterparty(row.counterparty or ""),
                "description": mask_numbers(row.description)}

    counts = dict.fromkeys(DIRECTIONS, 0)
    for row in result.rows:
        counts[str(row.direction)] = counts.get(str(row.direction), 0) + 1
    period = (f"{result.first_day.isoformat()} – {result.last_day.isoformat()}"
              if result.first_day and result.last_day else "—")
    return {
        "facts": [(_("File"), result.file), (_("Kind"), _(FORMATS.get(result.format,
                                                                       result.format))),
                  (_("Period covered"), period), (_("Months covered"), str(result.months)),
                  (_("Transactions counted"), str(len(result.rows))),
                  (_("Rows left out"), str(len(result.skipped)))],
        "counts": [(_(label), counts.get(value, 0)) for value, label in DIRECTIONS.items()],
        "income": found(result.monthly_income, "income"),
        "spending": found(result.monthly_spending, "spending"),
        "debts": debts, "changes": changes, "rows": len(result.rows),
        "skipped": [{"row": str(s.row), "when": s.when.strftime("%Y-%m-%d %H:%M"),
                     "amount": page.money(s.amount),
                     "description": mask_numbers(s.description),
                     "reason": fill(_(s.reason.message), s.message_params())}
                    for s in result.skipped],
        "refunds": [row_view(row) for row in result.rows if row.direction is Direction.REFUND],
        "sample": [row_view(row) for row in result.rows[:SAMPLE_ROWS]],
    }


@router.post("/budget/import/{token}")
async def confirm(request: Request, token: str) -> Response:
    """Save the previewed import: its budget lines and its transactions, in one
    transaction."""
    page = Page.of(request)
    await page.form()
    if page.web.read_only:
        raise HTTPException(403, page._("This copy of xieshang is read-only."))
    uploads = uploads_of(page)
    pending = uploads.get(token, page.sid)
    if pending is None:
        return _expired(page, 422)
    return await run_in_threadpool(_save_import, page, uploads, token, pending)


def _save_import(page: Page, uploads: Uploads, token: str, pending: Pending) -> Response:
    from xieshang.services.budget import imported_lines, save_import
    from xieshang.services.undo import snapshot
    from xieshang.store.model import Case

    errors = page.errors()
    try:
        result = _read(pending.data, pending.fmt, pending.filename, pending.column_map)
        with page.write() as tx:
            case = tx.get(Case, pending.case_id)
            if case is None:
                uploads.drop(token)
                return _expired(page, 422)
            before = snapshot(tx, case.id)
            saved = save_import(tx, case, result, pending.filename, pending.digest,
                                imported_lines(result, _norms()))
    except XieshangError as error:
        uploads.drop(token)
        errors.add("file", _body(page, error))
        return _import_page(page, status=422, errors=errors)
    uploads.drop(token)
    page.web.remember_undo(page.sid, N_("the budget as it was before the import"),
                           pending.case_id, before)
    return page.redirect(f"/budget?imported={saved}")


@router.post("/budget/import/{token}/discard")
async def discard(request: Request, token: str) -> Response:
    """Forget the uploaded file without saving anything."""
    page = Page.of(request)
    await page.form()
    uploads = uploads_of(page)
    if uploads.get(token, page.sid) is not None:
        uploads.drop(token)
    return page.redirect("/budget/import")
