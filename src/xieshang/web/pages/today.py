"""The "today" dashboard: what matters first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from xieshang.engine.errors import XieshangError
from xieshang.web.page import Page, is_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from xieshang.output import Output
    from xieshang.store.db import Tx
    from xieshang.store.model import Case

__all__ = ["dashboard", "router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    page = Page.of(request)

    from xieshang.web.pages.welcome import answer_view, first_run_context, needs_first_run

    # one read transaction for the whole page: the case is read once (not once for the
    # figures, once for the recommendation and again for the guide's steps), and the debts'
    # status lines are made once for both
    with page.read() as tx:
        current = tx.current_case()
        if current is not None:
            tx.preload(current.id)
        if needs_first_run(tx):
            return page.render("today.html", case=None, **first_run_context(page))
        made: list[list[dict[str, Any]]] = []

        def lines() -> list[dict[str, Any]]:
            from xieshang.present.views import status_lines

            case = tx.current_case()
            if not made and case is not None:
                tx.preload(case.id)
                made.append(status_lines(page.out, tx, case.id, page.today))
            return made[0] if made else []

        return page.render(
            "today.html",
            answer=page.cached("today-answer", lambda: answer_view(page, tx, lines)),
            **page.cached("today", lambda: dashboard(page.out, tx, page.today, lines)))


@router.get("/answer/asks", response_class=HTMLResponse)
def every_ask(request: Request) -> Response:
    """What to ask each lender, every debt's ask with its reasons: the Today page loads
    them when their list is opened (a case with many debts: see
    :data:`~xieshang.web.pages.welcome.INLINE_ASKS`); a page of its own without
    JavaScript."""
    from xieshang.web.pages.welcome import answer_view

    page = Page.of(request)
    with page.read() as tx:
        answer = page.cached("today-asks", lambda: answer_view(page, tx, every_ask=True))
        if answer is None:
            return page.redirect("/")
        if request.headers.get("HX-Request"):
            return page.render("today_asks.html", answer=answer)
        return page.render("today_asks_page.html", answer=answer)


def dashboard(out: Output, tx: Tx, today: date,
              lines_of: Callable[[], list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The figures of the "today" page, formatted for ``out``'s language (``lines_of``: the
    case's status lines, when the page has them already).

    Returns a dict with ``case`` (None when there is no case yet), ``debts`` (one dict per
    open debt: name, overdue days, total, daily cost, next milestone), ``total``,
    ``daily_cost``, ``next`` (the earliest milestone of all debts), ``actions`` (the next
    three things to do), ``payments`` (this month's three most important payments) and
    ``plan_note`` (why there are no payments).
    """
    from xieshang.present import masked
    from xieshang.present.views import status_lines

    case = tx.current_case()
    if case is None:
        return {"case": None, "debts": [], "total": None, "daily_cost": None, "next": None,
                "actions": [], "payments": [], "plan_note": None, "risks": []}
    tx.preload(case.id)
    lines = lines_of() if lines_of is not None else status_lines(out, tx, case.id, today)
    zero = Decimal("0.00")
    total = sum((line["total"] for line in lines), zero)
    later = sum((line["not_yet_due"] for line in lines), zero)
    daily = sum((line["daily_cost"] for line in lines), zero)
    debts = []
    earliest: tuple[date, dict[str, Any]] | None = None
    for line in lines:
        event = line["next"]
        milestone = None
        if event is not None:
            milestone = {"on": event["on"].isoformat() if event["on"] else out._("date not known"),
                         "title": event["title"], "debt": line["name"],
                         "amount": out.money(event["amount_due"])
                         if event["amount_due"] is not None else None}
            if event["on"] is not None and (earliest is None or event["on"] < earliest[0]):
                earliest = (event["on"], milestone)
        debts.append({"id": line["id"], "name": line["name"], "overdue": line["overdue"],
                      "days": line["days_overdue"], "total": out.money(line["total"]),
                      "daily": out.money(line["daily_cost"]), "next": milestone,
                      "phase": _current_phase(line)})
    payments, note = _month_actions(out, tx, case, today) if lines else ([], None)
    from xieshang.present.views import overdraft_risks, risk_panels

    return {"case": {"id": case.id, "name": masked(out, "name", case.name)},
            "risks": risk_panels(out, overdraft_risks(out, tx, case, today)),
            "debts": debts, "total": out.money(total), "daily_cost": out.money(daily),
            "not_yet_due": out.money(later) if later else None,
            "everything": out.money(total + later),
            "next": earliest[1] if earliest else None,
            "actions": next_actions(out, tx, case, today, payments, lines),
            "payments": payments, "plan_note": note}


def _current_phase(line: dict[str, Any]) -> str | None:
    """The phase of the accepted arrangement the debt is in today ("Now: deferral until …"),
    or ``None`` when it is not under one."""
    agreed = line["arrangement"]
    if agreed is None or agreed["now"] is None or (len(agreed["phases"]) < 2 and all(
            phase["kind"] == "installments" for phase in agreed["phases"])):
        return None
    text: str = line["phase_text"][agreed["now"]]
    return text


#: How urgent each kind of action is (lower first).
_URGENCY = {"past_due": 0, "calls_over_limit": 0, "call_in_quiet_hours": 0,
            "agreed_payment_missed": 0, "agreed_payment_due": 1, "uncovered": 1,
            "payment_due": 1, "payment": 2, "confirmation_missing": 2, "step": 3}


def next_actions(out: Output, tx: Tx, case: Case, today: date, payments: list[dict[str, Any]],
                 lines: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The next three things to do: promises and calls that need following up, this month's
    payments, and the steps of the guide not done yet; the most urgent first."""
    from xieshang.present import namer
    from xieshang.services.contacts import alerts_of
    from xieshang.store.model import Budget, Contact, Hardship

    _ = out._
    found: list[tuple[int, date, dict[str, str]]] = []
    never = date.max
    for alert in alerts_of(tx, case, today, namer(out)):
        found.append((_URGENCY.get(alert.code.value, 2), alert.on, {
            "text": _(alert.msgid).format(**alert.params), "href": "/log",
            "when": alert.on.isoformat(), "kind": alert.code.value}))
    for payment in payments:
        kind = "uncovered" if payment["unpaid"] else "payment"
        text = _("Pay {amount} to {name} ({why}).").format(
            amount=payment["amount"], name=payment["name"], why=payment["why"])
        href = "/plan"
        if payment.get("nothing"):  # no money this month: nothing to pay is asked
            text = _("No money for {name} this month: it requires {amount} by {by}. Tell "
                     "them before then and ask for an arrangement.").format(
                name=payment["name"], amount=payment["unpaid"], by=payment["by"])
            href = f"/negotiate/{payment['debt']}" if is_id(payment["debt"]) else "/negotiate"
        elif payment["unpaid"]:
            text += ("" if out.lang == "zh" else " ") + _(
                "Your budget leaves {amount} of it uncovered: ask for an arrangement.").format(
                amount=payment["unpaid"])
            href = f"/negotiate/{payment['debt']}" if is_id(payment["debt"]) else "/negotiate"
        found.append((_URGENCY[kind], date.fromisoformat(payment["by"]),
                      {"text": text, "href": href, "when": payment["by"], "kind": kind}))
    if not tx.find(Hardship, case_id=case.id):
        found.append((3, never, {"text": _("Write down why you fell behind: lenders ask "
                                           "first."), "href": "/start", "when": "",
                                 "kind": "step"}))
    if not tx.find(Budget, case_id=case.id):
        found.append((3, never, {"text": _("Fill in your income and spending, to know what "
                                           "you can really pay."), "href": "/budget",
                                 "when": "", "kind": "step"}))
    contacted = {c.debt_id for c in tx.find(Contact, case_id=case.id)}
    # the overdue debt not yet contacted that costs the most each day
    for line in sorted(lines, key=lambda item: -item["daily_cost"]):
        if line["overdue"] and line["id"] not in contacted and line["arrangement"] is None:
            found.append((3, never, {
                "text": _("Ask {name} for an arrangement: the proposal and what to say are "
                          "ready.").format(name=line["name"]),
                "href": f"/negotiate/{line['id']}", "when": "", "kind": "step"}))
            break
    found.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in found[:3]]


def _month_actions(out: Output, tx: Tx, case: Case,
                   today: date) -> tuple[list[dict[str, str]], str | None]:
    """This month's three most important payments (pro-rata plan), or why there are none."""
    from xieshang.engine.strategy import Strategy, month_actions
    from xieshang.i18n import translate_error
    from xieshang.present import namer
    from xieshang.services.budget import available_by_month
    from xieshang.services.plan import ACTION_KINDS, plan_input

    try:
        # this month only: no 120-month plan to show three payments, and no input for the
        # months after it (a rule-based strategy decides month 0 from month 0 alone: neither
        # the budget of later months nor the milestones ahead change it)
        given, names, _source = plan_input(namer(out), tx, case, None, None, "1",
                                           Strategy.PRO_RATA, today=today)
        actions = month_actions(given, Strategy.PRO_RATA)
    except XieshangError as error:
        return [], translate_error(error, out.lang)
    note = None
    if not any(a.amount for a in actions) and not any(available_by_month(tx, case, today, 1)):
        # a month the budget leaves nothing for the debts (e.g. income not started yet):
        # what the debts require is still shown, none of it asked
        note = out._("Your budget leaves nothing for these debts this month: nothing is "
                     "asked of you now. Tell the lenders before their next date, and ask "
                     "for the plan to start when your money does.")
        if not actions:
            return [], note
    # Most important first: a payment not covered, then the earliest date, then the largest.
    ranked = sorted(actions, key=lambda a: (not a.unpaid, a.by, -a.amount))[:3]
    return [{"name": names.get(a.key, a.label), "debt": a.key, "amount": out.money(a.amount),
             "by": a.by.isoformat(),
             "why": out._(ACTION_KINDS.get(a.kind.value, a.kind.value)),
             "unpaid": out.money(a.unpaid) if a.unpaid else "",
             "nothing": "" if a.amount else "1"} for a in ranked], note
