"""Step 6, negotiate: per debt, what to ask for (the proposal ladder), whom to contact and
how, the scripts and letters (copy or download), the counter-offer check (and recording an
offer as a proposal), what to do when the lender says no, and the know-your-rights and
anti-scam cards.

Every figure and text comes from the negotiation kit of the command line
(``xieshang ladder / offer / refused / prepare / script``): the same functions, the same
figures to the fen.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from xieshang.engine.errors import N_, InputError, XieshangError
from xieshang.web.page import Page, choice, is_id

if TYPE_CHECKING:
    from datetime import date

    from xieshang.engine.negotiation import Offer, OfferCheck
    from xieshang.services.negotiation import DebtInputs
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Debt
    from xieshang.web.page import Errors, Form

__all__ = ["DOCUMENTS", "OFFER_FIELDS", "document_filename", "router"]

router = APIRouter()

STEP = 6

#: The documents, in the order they are shown: kind → (title msgid, what it is msgid).
DOCUMENTS: dict[str, tuple[str, str]] = {
    "phone": (N_("Phone call guide"),
              N_("Step by step: who you are, the account, why you fell behind, what you can "
                 "pay, the ask, the fallback and the limit not to cross.")),
    "chat": (N_("Online chat messages"),
             N_("The same, as short messages to send one at a time in the lender's online "
                "customer service.")),
    "letter": (N_("Written application"),
               N_("A formal request for a repayment arrangement, asking for a written "
                  "agreement.")),
    "hardship": (N_("Hardship statement"),
                 N_("Why you fell behind, since when, your income and what your budget "
                    "leaves.")),
    "confirm": (N_("Request for written confirmation"),
                N_("After you agree: ask them to confirm the amounts, dates, charges, waivers, "
                   "collection and credit reporting in writing.")),
    "social": (N_("Public post to the lender's official account"),
               N_("A measured public request when other channels do not answer: no name, "
                  "phone, ID, account or amounts.")),
    "complaint": (N_("Complaint draft for 12378"),
                  N_("For the financial regulator's hotline, if the lender broke the rules; "
                     "add your contact log.")),
    "budget": (N_("Income and expenditure statement"),
               N_("For the lender, attached to the application: income, essential spending, "
                  "what is left and each creditor's share — never your limit.")),
    "noreply": (N_("Follow-up: no reply"),
                N_("When the lender has not answered your request.")),
    "reconsider": (N_("Request to reconsider"),
                   N_("After a refusal: ask for the reasons in writing and propose the next "
                      "step.")),
    "statement": (N_("Request for an itemised statement"),
                  N_("Ask for every amount of the debt, item by item (账单明细).")),
    "collector": (N_("Letter to collectors"),
                  N_("How and when they may contact you; stop contacting your relatives and "
                     "employer.")),
    "agreement": (N_("Written repayment agreement"),
                  N_("For a loan from family or friends: the schedule, for both of you to "
                     "sign.")),
}

#: Which document goes with a lender's channel (the preset's ``kind``).
CHANNEL_DOCUMENTS = {"hotline": "phone", "app": "chat", "letter": "letter", "branch": "letter",
                     "in_person": "letter", "social": "social"}

#: The counter-offer form's fields (also the names the command line's options use).
OFFER_FIELDS = ("periods", "monthly", "annual_rate", "monthly_fee_rate", "fee_rate",
                "waive_penalty", "down_payment", "scope", "defer_months", "token", "settle",
                "settle_on")

#: The engine's field names → the form's.
_OFFER_FIELD_OF = {"monthly_amount": "monthly", "total_fee_rate": "fee_rate",
                   "waive_fees": "waive_penalty", "down_payment_percent": "down_payment",
                   "conditions": "periods", "deferral_months": "defer_months",
                   "token_payment": "token", "settlement_amount": "settle"}

#: Statuses of a recorded proposal (msgids).
PROPOSAL_STATUSES = {
    "draft": N_("draft"), "asked": N_("asked"), "offered": N_("offered by the lender"),
    "accepted": N_("accepted"), "refused": N_("refused"), "withdrawn": N_("withdrawn"),
}

#: The rungs a refusal can be about (msgids of the select).
RUNG_CHOICES = {"ask": N_("The first ask"), "fallback": N_("The fallback"),
                "walk_away": N_("The walk-away point")}

#: Debt statuses this page can negotiate.
_OPEN = ("open", "arrangement")


def document_filename(debt_id: int, kind: str, lang: str) -> str:
    """The name a downloaded document is saved under (``xieshang-debt3-phone-zh.txt``)."""
    return f"xieshang-debt{debt_id}-{kind}-{lang}.txt"


# ------------------------------------------------------------------------------- routes


@router.get("/negotiate", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    page = Page.of(request)
    with page.read() as tx:
        values = _overview(page, tx)
    return page.render("negotiate.html", step=STEP, **values)


@router.get("/negotiate/{debt_id}", response_class=HTMLResponse)
def debt_page(request: Request, debt_id: str) -> Response:
    page = Page.of(request)
    params = request.query_params
    errors = page.errors()
    refused_form = {"reason": params.get("reason", ""), "rung": params.get("rung", "ask")}
    with page.read() as tx:
        case, debt = _find(tx, debt_id)
        view = _view(page, tx, case, debt)
        answer = None
        if "reason" in params:
            answer = _refused(page, tx, case, debt, refused_form, errors)
        notice = _recorded_notice(page, tx, debt, params.get("recorded", ""),
                                  params.get("logged", ""))
    return page.render("negotiate_debt.html", step=STEP, status=422 if errors else 200,
                       offer_form={}, offer_errors=page.errors(), offer=None,
                       refused_form=refused_form, refused_errors=errors, refused=answer,
                       notice=notice, **view)


@router.get("/negotiate/{debt_id}/documents/{kind}")
def download(request: Request, debt_id: str, kind: str) -> Response:
    page = Page.of(request)
    from xieshang.documents import render_document
    from xieshang.present.documents import document_context
    from xieshang.services.negotiation import debt_inputs

    name = kind.removesuffix(".txt")
    if name not in DOCUMENTS:
        raise HTTPException(404)
    with page.read() as tx:
        case, debt = _find(tx, debt_id)
        try:
            inputs = debt_inputs(tx, str(case.id), str(debt.id), today=page.today)
            context = document_context(page.out, tx, inputs)
        except XieshangError as error:
            raise HTTPException(404, page.error_text(error)) from None
    try:  # a family loan has no document for an institution, a lender no family agreement
        text = render_document(name, context, page.lang)
    except XieshangError as error:
        raise HTTPException(404, page.error_text(error)) from None
    return page.download(text, document_filename(debt.id, name, page.lang),
                         "text/plain; charset=utf-8")


@router.post("/negotiate/{debt_id}/offer", response_class=HTMLResponse)
async def offer(request: Request, debt_id: str) -> Response:
    page = Page.of(request)
    form = await page.form()
    from xieshang.services.negotiation import (
        check_offer_for,
        debt_inputs,
        offer_scope,
        record_offer,
    )

    errors = page.errors()
    action = form.get("action", "check")
    if action not in ("check", "save", "accept"):
        action = "check"
    offer_value = _parse_offer(page, form, errors)
    scope = errors.check("scope", lambda: offer_scope(form.get("scope")))
    with page.read() as tx:
        case, debt = _find(tx, debt_id)
        view = _view(page, tx, case, debt)
        check = None
        if offer_value is not None and view["inputs"] is not None:
            inputs: DebtInputs = view["inputs"]
            try:
                check = check_offer_for(inputs, offer_value, scope, tx)
            except InputError as error:
                errors.add_error(_OFFER_FIELD_OF.get(error.field, error.field), error)
            except XieshangError as error:
                errors.add_error("periods", error)
    blocked = view["inputs"] is None
    if errors or blocked or check is None or offer_value is None:
        return page.render("negotiate_debt.html", step=STEP, status=422, offer_form=form.values,
                           offer_errors=errors, offer=None, refused_form={"rung": "ask"},
                           refused_errors=page.errors(), refused=None, notice=None, **view)
    if action == "check":
        return page.render("negotiate_debt.html", step=STEP, offer_form=form.values,
                           offer_errors=errors, offer=_check_view(page, view, check),
                           refused_form={"rung": "ask"}, refused_errors=page.errors(),
                           refused=None, notice=None, **view)
    typed: dict[str, Any] = {name: form.optional(name) for name in OFFER_FIELDS
                             if name != "periods"}
    typed["waive_penalty"] = bool(form.get("waive_penalty"))
    with page.write() as tx:
        case, debt = _find(tx, debt_id)
        inputs = debt_inputs(tx, str(case.id), str(debt.id), today=page.today)
        check = check_offer_for(inputs, offer_value, scope, tx)
        saved = record_offer(tx, inputs, offer_value, check, typed, accept=action == "accept")
    return page.redirect(f"/negotiate/{debt.id}?recorded={saved}#proposals")


@router.post("/negotiate/{debt_id}/refused", response_class=HTMLResponse)
async def refused(request: Request, debt_id: str) -> Response:
    page = Page.of(request)
    form = await page.form()
    from xieshang.clock import now_local
    from xieshang.present.views import refusal_answer
    from xieshang.services.contacts import CHANNELS
    from xieshang.services.negotiation import log_refusal

    errors = page.errors()
    reason = choice(errors, form, "reason", _refusal_choices())
    level = choice(errors, form, "rung", RUNG_CHOICES)
    channel = choice(errors, form, "channel", CHANNELS)
    refused_form = {"reason": form.get("reason"), "rung": form.get("rung"),
                    "channel": form.get("channel")}
    with page.read() as tx:
        case, debt = _find(tx, debt_id)
        if errors or reason is None or level is None or channel is None:
            view = _view(page, tx, case, debt)
            answer = None
            if reason is not None and level is not None:
                answer = _refused(page, tx, case, debt, refused_form, page.errors())
            return page.render("negotiate_debt.html", step=STEP, status=422, offer_form={},
                               offer_errors=page.errors(), offer=None,
                               refused_form=refused_form, refused_errors=errors,
                               refused=answer, notice=None, **view)
    moment = now_local().replace(second=0)
    with page.write() as tx:
        case, debt = _find(tx, debt_id)
        answer_record = refusal_answer(page.out, tx, str(case.id), str(debt.id), reason, level,
                                       today=page.today)
        contact = log_refusal(tx, answer_record, channel, moment, page.out.lang)
    return page.redirect(f"/negotiate/{debt.id}?reason={reason}&rung={level}"
                         f"&logged={contact}#refused")


# ------------------------------------------------------------------------------ helpers


def _find(tx: Tx, debt_id: str) -> tuple[Case, Debt]:
    """The current case and its debt ``debt_id`` (404 when either is missing)."""
    from xieshang.services.debts import debt_problems
    from xieshang.store.model import Debt

    case = tx.current_case()
    if case is None or not is_id(debt_id):
        raise HTTPException(404)
    debt = tx.get(Debt, int(debt_id))
    if debt is None or debt.case_id != case.id:
        raise HTTPException(404)
    if debt_problems(tx, debt):  # values out of bounds: the page's banner says what to fix
        raise HTTPException(422, N_("This debt holds values xieshang cannot use: fix it on "
                                    "its edit page first (what is wrong is shown above)."))
    return case, debt


def _refusal_choices() -> dict[str, str]:
    from xieshang.services.negotiation import negotiation_data

    return {item.id: item.id for item in negotiation_data().refusals}


def _inputs(page: Page, tx: Tx, case: Case,
            debt: Debt) -> tuple[DebtInputs | None, str | None, bool]:
    """The debt's negotiation inputs, or why there are none (a message to show), and
    whether the reason is a missing budget."""
    from xieshang.services.negotiation import debt_inputs

    _ = page._
    if debt.status not in _OPEN:
        return None, _("This debt is closed (status: {status}): there is nothing to "
                       "negotiate.").format(status=debt.status), False
    try:
        inputs = debt_inputs(tx, str(case.id), str(debt.id), today=page.today)
    except InputError as error:
        if error.field == "budget_statement":
            return None, _("Fill in your budget first: the proposal ladder, the scripts and "
                           "the offer check all start from what your budget leaves for this "
                           "debt each month."), True
        return None, page.error_text(error), False
    except XieshangError as error:
        return None, page.error_text(error), False
    return inputs, None, False


def _overview(page: Page, tx: Tx) -> dict[str, Any]:
    """The step's first page: each open debt with its owed total and first ask."""
    from xieshang.present import debt_name
    from xieshang.services.debts import open_debts
    from xieshang.services.negotiation import scam_line

    case = tx.current_case()
    if case is None:
        return {"case": None, "debts": [], "scam": scam_line(page.out.lang)}
    debts = []
    for debt in open_debts(tx, case.id, _OPEN):
        inputs, problem, no_budget = _inputs(page, tx, case, debt)
        item: dict[str, Any] = {"id": debt.id, "name": debt_name(page.out, debt),
                                "status": debt.status, "problem": problem,
                                "no_budget": no_budget}
        if inputs is not None:
            first = inputs.ladder.rungs[0]
            item.update(owed=page.money(inputs.bill.total),
                        affordable=page.money(inputs.affordable),
                        first=_rung_phrase(page, first))
        debts.append(item)
    return {"case": {"id": case.id}, "debts": debts, "scam": scam_line(page.out.lang),
            "no_budget": any(d["no_budget"] for d in debts)}


def _rung_phrase(page: Page, rung: Any) -> str:
    """``¥91.13 a month for 36 months`` (or one payment, or the rung's name)."""
    _ = page._
    if rung.evaluation is None:
        return str(rung.label.get(page.out.lang))
    if rung.periods == 1:
        return _("one payment of {amount}").format(amount=page.money(rung.monthly))
    return _("{monthly} a month for {periods} months").format(
        monthly=page.money(rung.monthly), periods=rung.periods)


def _view(page: Page, tx: Tx, case: Case, debt: Debt) -> dict[str, Any]:
    """Everything the debt's page shows except the two forms' results."""
    from xieshang.present import debt_name, masked
    from xieshang.present.documents import document_context
    from xieshang.present.views import prepare_payload
    from xieshang.services.cases import preset_of
    from xieshang.services.negotiation import OFFER_SCOPES

    out = page.out
    inputs, problem, no_budget = _inputs(page, tx, case, debt)
    try:
        preset = preset_of(debt)
        prepared = prepare_payload(out, tx, case, debt)
    except XieshangError as error:
        raise HTTPException(404, page.error_text(error)) from None
    view: dict[str, Any] = {
        "inputs": inputs, "problem": problem, "no_budget": no_budget,
        "debt": {"id": debt.id, "name": debt_name(out, debt), "status": debt.status,
                 "lender": debt.lender or preset.lender.get(out.lang),
                 "account": masked(out, "account", debt.account_number)},
        "materials": prepared["materials"], "rights": prepared["rights"],
        "scam": prepared["scam"], "ladder": None, "documents": [], "channels": [],
        "first_ask": None, "proposals": _proposals(page, tx, debt),
        "refusals": [(item.id, item.label.get(out.lang)) for item in _data().refusals],
        "rung_choices": [(key, page._(label)) for key, label in RUNG_CHOICES.items()],
        "channel_choices": _log_channels(page),
    }
    context = None
    # a loan with installments ahead: the offer form asks what an offer covers
    view["loan"] = inputs is not None and inputs.loan is not None
    view["offer_scopes"] = [(key, page._(label)) for key, label in OFFER_SCOPES.items()]
    view["agreed"] = agreed_view(page, tx, debt, page.today)
    if inputs is not None:
        # once the lender agreed there is nothing left to ask for: no ladder
        view["ladder"] = None if view["agreed"] else _ladder(page, inputs)
        context = document_context(out, tx, inputs)
        view["first_ask"] = _first_ask(context, out.lang)
        view["documents"] = _documents(page, debt, context)
    view["channels"] = [dict(item, document=CHANNEL_DOCUMENTS.get(item["id"], "phone"),
                             document_title=page._(DOCUMENTS[CHANNEL_DOCUMENTS.get(
                                 item["id"], "phone")][0]))
                        for item in prepared["channels"]]
    return view


def agreed_view(page: Page, tx: Tx, debt: Debt, today: date) -> dict[str, Any] | None:
    """The arrangement accepted for this debt, as kept on ``today``, for the pages
    (``None`` when there is none)."""
    from xieshang.services.arrangements import accepted_arrangement
    from xieshang.services.negotiation import agreed_terms

    agreed = accepted_arrangement(tx, debt, today)
    terms = agreed_terms(tx, debt, today)
    if agreed is None or terms is None:
        return None
    from xieshang.present.views import phase_lines

    progress = agreed.progress
    upcoming = progress.next
    plain = all(phase.kind in ("installments", "down_payment") for phase in agreed.phases)
    phases = [] if plain else phase_lines(page.out, {
        "phases": [{"kind": p.kind, "start": p.start, "end": p.end, "amount": p.amount,
                    "count": p.count} for p in agreed.phases],
        "now": next((k for k, p in enumerate(agreed.phases) if today <= p.end), None)}, today)
    return {
        "phases": phases,
        "accepted_on": agreed.accepted_on.isoformat(), "periods": len(terms.payments),
        "monthly": page.money(terms.monthly), "total": page.money(agreed.total),
        "down": page.money(terms.down_payment) if terms.down_payment > 0 else "",
        "paid": page.money(progress.paid), "remaining": page.money(progress.remaining),
        "remaining_amount": progress.remaining,
        "due": page.money(progress.due_now), "due_amount": progress.due_now,
        "daily": page.money(Decimal("0.00")), "days": progress.days_late,
        "next": None if upcoming is None else {"on": upcoming.payment.on.isoformat(),
                                               "amount": page.money(upcoming.missing)},
        "missed": [{"on": item.payment.on.isoformat(), "amount": page.money(item.missing)}
                   for item in progress.missed],
    }


def _data() -> Any:
    from xieshang.services.negotiation import negotiation_data

    return negotiation_data()


def _log_channels(page: Page) -> list[tuple[str, str]]:
    from xieshang.services.contacts import CHANNELS

    return [("", "—")] + [(key, page._(label)) for key, label in CHANNELS.items()]


def _source(source: Any) -> dict[str, Any] | None:
    from xieshang.services.negotiation import source_json

    return None if source is None else source_json(source)


def _rungs(page: Page, ladder: Any, affordable: Decimal) -> list[dict[str, Any]]:
    """Each rung of ``ladder`` for the page, with its schedule and its share of
    ``affordable``."""
    from xieshang.services.negotiation import format_percent

    _ = page._
    rungs = []
    for rung in ladder.rungs:
        evaluation = rung.evaluation
        schedule = [] if evaluation is None else [
            {"period": row.period, "due": "" if row.due is None else row.due.isoformat(),
             "payment": page.money(row.payment), "principal": page.money(row.principal),
             "charges": page.money(row.interest + row.fee)}
            for row in evaluation.schedule.rows]
        share = None
        if affordable > 0:
            share = f"{(rung.monthly * 100 / affordable).quantize(Decimal('0.1'))}%"
        rungs.append({
            "level": rung.level.value, "label": rung.label.get(page.out.lang),
            "periods": str(rung.periods or "—"), "monthly": page.money(rung.monthly),
            "total_paid": "—" if rung.total_paid is None else page.money(rung.total_paid),
            "cost": "—" if evaluation is None else page.money(evaluation.schedule.total_cost),
            "waived": None if evaluation is None or evaluation.waived == 0
            else page.money(evaluation.waived),
            "apr": "—" if evaluation is None else format_percent(evaluation.apr_nominal),
            "fits": rung.monthly <= affordable, "share": share,
            "first_due": schedule[0]["due"] if schedule else "",
            "last_due": schedule[-1]["due"] if schedule else "",
            "schedule": schedule,
            "reasons": [{"text": reason.render(_(reason.message)),
                         "source": _source(reason.source)} for reason in rung.reasons],
        })
    return rungs


def _ladder(page: Page, inputs: DebtInputs) -> dict[str, Any]:
    """The proposal ladder as ``xieshang ladder`` shows it, with each rung's schedule; for
    an installment loan with regular installments ahead also the second ladder
    (``loan.whole``: reschedule the whole balance), and the day every plan starts when the
    budget has nothing for this debt before then."""
    _ = page._
    ladder = inputs.ladder
    affordable = ladder.affordable
    loan = None
    if inputs.loan is not None:
        found = inputs.loan
        loan = {"regular": page.money(found.regular), "share": page.money(inputs.affordable),
                "left": page.money(found.arrears.affordable),
                "whole_owed": page.money(found.whole_bill.total),
                "not_yet_due": page.money(inputs.bill.not_yet_due),
                "whole": _rungs(page, found.whole, inputs.affordable)}
    starts = None
    if inputs.deferral_months:
        days = [rung.evaluation.schedule.rows[0].due for rung in ladder.rungs
                if rung.evaluation is not None and rung.evaluation.schedule.rows
                and rung.evaluation.schedule.rows[0].due is not None]
        starts = min(days).isoformat() if days else None
    return {"owed": page.money(inputs.bill.total), "affordable": page.money(affordable),
            "share": page.money(inputs.affordable),
            "income": None if ladder.income is None else page.money(ladder.income),
            "max_term": ladder.max_term, "max_term_assumed": ladder.max_term_assumed,
            "outcome": ladder.outcome.value, "rungs": _rungs(page, ladder, affordable),
            "loan": loan, "starts": starts,
            "days_overdue": inputs.bill.days_overdue,
            "bill": [(_(label), page.money(getattr(inputs.bill, key)))
                     for key, label in _bill_rows()]}


def _bill_rows() -> tuple[tuple[str, str], ...]:
    from xieshang.services.negotiation import BILL_ROWS

    return BILL_ROWS


def _first_ask(context: dict[str, Any], lang: str) -> str:
    """The first ask in the documents' own words (their ``proposal()`` phrase)."""
    from xieshang.documents.render import _environment

    template = _environment("en" if lang == "en" else "zh").from_string(
        '{% from "_common.j2" import proposal with context %}{{ proposal() }}')
    return template.render(**context).strip()


def _documents(page: Page, debt: Debt, context: dict[str, Any]) -> list[dict[str, str]]:
    """Each document rendered in the page's language (zh-Hant: converted with the page)."""
    from xieshang.documents import kinds_for, render_document

    lang = page.out.lang
    kinds = {kind.value for kind in kinds_for(context["product_kind"])}
    return [{"kind": kind, "title": page._(title), "about": page._(about),
             "text": render_document(kind, context, lang), "id": f"doc-{kind}",
             "download": f"/negotiate/{debt.id}/documents/{kind}.txt",
             "filename": document_filename(debt.id, kind, page.lang)}
            for kind, (title, about) in DOCUMENTS.items() if kind in kinds]


def _proposals(page: Page, tx: Tx, debt: Debt) -> list[dict[str, Any]]:
    """The proposals recorded for the debt, newest first."""
    from xieshang.services.negotiation import VERDICTS
    from xieshang.store.model import Proposal

    _ = page._
    rows = []
    for item in sorted(tx.find(Proposal, debt_id=debt.id), key=lambda p: (p.created_on, p.id),
                       reverse=True):
        params = item.params
        cost = next((f"{params[key]} ({_(label)})" for key, label in (
            ("annual_rate", N_("a year")), ("monthly_fee_rate", N_("fee a month")),
            ("fee_rate", N_("fee over the term"))) if params.get(key)), "—")
        verdict = params.get("verdict")
        rows.append({
            "id": item.id, "created_on": item.created_on.isoformat(),
            "status": _(PROPOSAL_STATUSES.get(item.status, item.status)),
            "accepted": item.status == "accepted",
            "periods": str(params.get("periods", "—")),
            "monthly": str(params.get("monthly") or "—"), "cost": cost,
            "waive_penalty": bool(params.get("waive_penalty")),
            "down_payment": str(params.get("down_payment") or "—"),
            "verdict": _(VERDICTS[verdict]) if verdict in VERDICTS else "—",
            "decided_on": "" if item.decided_on is None else item.decided_on.isoformat()})
    return rows


def _recorded_notice(page: Page, tx: Tx, debt: Debt, recorded: str,
                     logged: str) -> str | None:
    """What the last form did (after its redirect), or None."""
    from xieshang.store.model import Contact, Proposal

    _ = page._
    if is_id(recorded):
        proposal = tx.get(Proposal, int(recorded))
        if proposal is not None and proposal.debt_id == debt.id:
            if proposal.status == "accepted":
                return _("Accepted: recorded as proposal {id}; the debt is now under an "
                         "arrangement and the plan follows it. Keep the lender's written "
                         "confirmation.").format(id=proposal.id)
            return _("Recorded as proposal {id}.").format(id=proposal.id)
    if is_id(logged):
        contact = tx.get(Contact, int(logged))
        if contact is not None and contact.debt_id == debt.id:
            return _("The refusal is recorded in the contact log (contact {id}).").format(
                id=contact.id)
    return None


def _parse_offer(page: Page, form: Form, errors: Errors) -> Offer | None:
    """The counter-offer typed in the form, parsed as ``xieshang offer`` parses its options;
    every field's problem is recorded, not only the first."""
    from xieshang.engine.negotiation import Offer
    from xieshang.engine.parsing import parse_count
    from xieshang.engine.schedules import MAX_PERIODS
    from xieshang.services.negotiation import offer_phase_fields, optional_amount, optional_rate

    phase: dict[str, Any] = {}
    for name in ("defer_months", "token", "settle", "settle_on"):
        values = {key: form.optional(key) if key == name else None
                  for key in ("defer_months", "token", "settle", "settle_on")}
        found = errors.check(name, partial(offer_phase_fields, values["defer_months"],
                                           values["token"], values["settle"],
                                           values["settle_on"]))
        if found is not None:
            phase |= {key: value for key, value in found.items() if value}
    if form.optional("settle") and not form.optional("periods"):
        periods_text: str | None = "1"  # a settlement is one payment
    else:
        periods_text = errors.required(form, "periods")
    periods = None if periods_text is None else errors.check(
        "periods", lambda: parse_count(periods_text, "periods", minimum=1,
                                       maximum=MAX_PERIODS))
    monthly = errors.check("monthly", lambda: optional_amount(form.optional("monthly"),
                                                               "monthly"))
    rates: dict[str, Decimal | None] = {}
    for name in ("annual_rate", "monthly_fee_rate", "fee_rate"):
        rates[name] = errors.check(name, partial(optional_rate, form.optional(name), name))
    down = errors.check("down_payment", lambda: optional_amount(form.optional("down_payment"),
                                                                 "down_payment"))
    if errors or periods is None:
        return None
    waiver = Decimal(1) if form.get("waive_penalty") else Decimal(0)
    try:
        return Offer(periods=periods, monthly_amount=monthly, annual_rate=rates["annual_rate"],
                     monthly_fee_rate=rates["monthly_fee_rate"],
                     total_fee_rate=rates["fee_rate"], waive_penalty=waiver,
                     waive_fees=waiver, down_payment=down, **phase)
    except InputError as error:
        errors.add_error(_OFFER_FIELD_OF.get(error.field, error.field), error)
    except XieshangError as error:
        errors.add_error("periods", error)
    return None


def _check_view(page: Page, view: dict[str, Any], check: OfferCheck) -> dict[str, Any]:
    """The counter-offer check as ``xieshang offer`` shows it, with the comparisons."""
    from xieshang.services.negotiation import VERDICTS, format_percent

    _ = page._
    inputs: DebtInputs = view["inputs"]
    labels = {rung.level.value: rung.label.get(page.out.lang) for rung in inputs.ladder.rungs}

    def signed(value: Decimal) -> str:
        return ("+" if value > 0 else "") + page.money(value)

    settlement = [  # one lump sum on its day, against that day's bill (as `xieshang offer`)
        (_("Settlement (one payment)"), page.money(check.total_paid)),
        (_("Paid on"), check.dates[-1].isoformat()),
        (_("You can pay by then"), page.money(check.total_paid - check.monthly_gap)),
        (_("Waived"), page.money(check.waived)),
    ]
    return {
        "verdict": check.verdict.value, "verdict_text": _(VERDICTS[check.verdict.value]),
        "affordable": check.affordable,
        "rows": settlement if check.offer.settlement else [
            (_("Regular monthly payment"), page.money(check.monthly)),
            (_("Largest monthly payment"), page.money(check.max_payment)),
            (_("Your budget for this debt"), page.money(inputs.affordable)),
            (_("Paid first"), page.money(check.down_payment)),
            (_("Total paid"), page.money(check.total_paid)),
            (_("Waived"), page.money(check.waived)),
            (_("Owed today"), page.money(inputs.bill.total)),
            (_("Paid beyond what is owed today"), signed(check.extra_over_bill)),
            (_("APR"), format_percent(check.apr_nominal)),
            (_("Effective annual rate"), format_percent(check.apr_effective)),
        ],
        "gap": page.money(check.monthly_gap) if check.monthly_gap > 0
        and not check.offer.settlement else None,
        "implied": check.implied,
        "comparisons": [{"label": labels.get(c.level.value, c.level.value),
                         "monthly": signed(c.monthly_difference),
                         "total": signed(c.total_difference),
                         "periods": ("+" if c.periods_difference > 0 else "")
                         + str(c.periods_difference)}
                        for c in check.comparisons],
        "payments": [{"on": day.isoformat(), "amount": page.money(amount)}
                     for day, amount in zip(check.dates[1:], check.payments, strict=False)],
        "advice": [advice.render(_(advice.message)) for advice in check.advice],
    }


def _refused(page: Page, tx: Tx, case: Case, debt: Debt, form: dict[str, str],
             errors: Errors) -> dict[str, Any] | None:
    """The "they said no" answer for the reason and rung chosen (errors when unknown)."""
    from xieshang.present.views import refusal_answer
    from xieshang.services.negotiation import RUNGS

    _ = page._
    reason = form.get("reason", "")
    level = form.get("rung", "") or "ask"
    if not reason:
        errors.add("reason", _("this field is needed"))
    elif reason not in _refusal_choices():
        errors.add("reason", _("choose one of the listed options"))
    if level not in RUNGS:
        errors.add("rung", _("choose one of the listed options"))
    if errors:
        return None
    try:
        answer = refusal_answer(page.out, tx, str(case.id), str(debt.id), reason, level,
                                today=page.today)
    except XieshangError as error:
        errors.add_error("reason", error)
        return None
    payload = answer.payload
    return {"label": payload["label"], "cause": payload["cause"],
            "source": payload["source"], "moves": payload["moves"],
            "channels": payload["channels"], "official": payload["official"],
            "general": not payload["ladder"], "reason": reason, "rung": level}
