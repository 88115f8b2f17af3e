"""Step 3, consequences: per debt, what it costs each day, the itemised bill today, what
happens next (the dated timeline) and what waiting costs (a chart and its figures).

Every figure is the one the command line shows, from the same services: the bill is
:func:`xieshang.services.debts.current_bill` (what ``xieshang status`` shows), the timeline
:func:`xieshang.engine.timeline.timeline` (what ``xieshang calc timeline`` shows) and the
cost of waiting the exact accrual engine on each later day, counting only the payments made
up to today.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from xieshang.engine.errors import N_, XieshangError
from xieshang.web.page import Page

if TYPE_CHECKING:
    from collections.abc import Sequence

    from xieshang.engine.accrual import OverdueDebt
    from xieshang.engine.preset import Confidence
    from xieshang.engine.timeline import Event
    from xieshang.store.db import Tx
    from xieshang.store.model import Debt

__all__ = ["EVENT_QUESTIONS", "WAIT_DAYS", "consequences_view", "router", "waiting_costs"]

router = APIRouter()

#: Days from today in "what waiting costs" (0 = paying everything today).
WAIT_DAYS: tuple[int, ...] = (0, 7, 30, 60, 90, 180, 365)

#: The questions people ask that arise at a timeline event (event id → question slugs).
EVENT_QUESTIONS: dict[str, tuple[str, ...]] = {
    "grace_end": ("grace-period",),
    "charges_start": ("one-day-late", "grace-period"),
    "credit_report": ("credit-report-duration",),
    "credit_report_retention": ("credit-report-duration",),
    "credit_repair": ("credit-report-duration",),
    "limitation": ("sued-or-crime",),
    "malicious_overdraft": ("sued-or-crime",),
}

#: How a confidence mark is shown (msgids for the marks that are words).
_MARK_WORDS = {"USER": N_("set by you")}


@router.get("/consequences", response_class=HTMLResponse)
def consequences(request: Request) -> HTMLResponse:
    page = Page.of(request)
    with page.read() as tx:
        view = consequences_view(page, tx, page.today)
    return page.render("consequences.html", step=3, **view)


def waiting_costs(debt: OverdueDebt, today: date,
                  days: tuple[int, ...] = WAIT_DAYS) -> list[tuple[int, date, Decimal]]:
    """What is due in all if everything is paid ``d`` days from ``today`` and nothing more is
    paid before (the exact accrual engine, counting the payments made up to today).

    Returns:
        (days from today, that day, total due) for each of ``days``.
    """
    from xieshang.engine.accrual import daily_costs

    known = replace(debt, payments=tuple(p for p in debt.payments if p.on <= today))
    last = today + timedelta(days=max(days))
    totals = dict(daily_costs(known, today, last))
    return [(d, today + timedelta(days=d), totals[today + timedelta(days=d)]) for d in days]


def consequences_view(page: Page, tx: Tx, today: date) -> dict[str, Any]:
    """The figures of the consequences page, formatted for the page's language.

    Returns a dict with ``case`` (None when there is no case), ``debts`` (one dict per open
    debt, see :func:`_debt_view`), ``total``, ``daily``, ``month_more`` (what 30 more days
    add over all overdue debts) and ``collection`` (the collection limits, with their
    source).
    """
    from xieshang.rules import law
    from xieshang.services.debts import open_debts

    case = tx.current_case()
    if case is None:
        return {"case": None, "debts": []}
    rules = law()
    debts = [_debt_view(page, tx, debt, today, rules)
             for debt in open_debts(tx, case.id)]
    zero = Decimal("0.00")
    total = sum((d["figures"]["total"] for d in debts), zero)
    daily = sum((d["figures"]["daily"] for d in debts), zero)
    month_more = sum((d["figures"]["month_more"] for d in debts), zero)
    collection = rules.collection
    source = rules.source_of("collection")
    return {
        "case": {"id": case.id},
        "debts": debts,
        "total": page.money(total),
        "daily": page.money(daily),
        "month_more": page.money(month_more),
        "any_overdue": any(d["overdue"] for d in debts),
        "collection": {
            "text": page._("The 2024 industry guideline on collection by online lenders and "
                           "the national standard that followed it (they may also apply to "
                           "credit cards) say: no collection from {start} to {end} unless you "
                           "agreed to it, and at most {calls} effective collection calls a "
                           "day.").format(start=collection.quiet_from.strftime("%H:%M"),
                                          end=collection.quiet_until.strftime("%H:%M"),
                                          calls=collection.max_effective_calls_per_day),
            "source": _source(page, source.ref, source.confidence, source.urls),
        },
    }


def _source(page: Page, ref: str, confidence: Confidence,
            urls: Sequence[str] = ()) -> dict[str, str]:
    """Where a figure or rule comes from: its public source (or the product's settings)
    and its mark."""
    from xieshang.web.page import public_ref

    mark = str(confidence.value)
    return {"ref": public_ref(ref, urls) or page._("the product's settings"),
            "mark": page._(_MARK_WORDS[mark]) if mark in _MARK_WORDS else mark}


def _debt_view(page: Page, tx: Tx, debt: Debt, today: date, rules: Any) -> dict[str, Any]:
    """One debt: its bill today, its timeline and what waiting costs (or, when it is not
    overdue, what is entered for it)."""
    from xieshang.engine.timeline import timeline
    from xieshang.present import debt_name
    from xieshang.services.cases import preset_of
    from xieshang.services.debts import STATUSES, balance_of, current_bill, next_due

    _ = page._
    name = debt_name(page.out, debt)
    view: dict[str, Any] = {
        "id": debt.id, "name": name, "status": _(STATUSES.get(debt.status, debt.status)),
        "arrangement": debt.status == "arrangement", "adjusted": bool(debt.adjustments),
        "not_yet_due": page.money(debt.not_yet_due) if debt.not_yet_due else None,
        "error": None,
    }
    zero = Decimal("0.00")
    try:
        preset = preset_of(debt)
        bill, engine_debt = current_bill(tx, debt, today)
    except XieshangError as error:
        view.update(overdue=False, error=page.error_text(error),
                    figures={"total": zero, "daily": zero, "month_more": zero})
        return view
    view["product"] = preset.name.get(page.out.lang)
    from xieshang.web.pages.negotiate import agreed_view

    agreed = agreed_view(page, tx, debt, today)
    if agreed is not None:  # owed on the arrangement's terms: its payments, not the timeline
        view.update(overdue=bool(agreed["missed"]), days=agreed["days"], agreed=agreed,
                    figures={"total": agreed["remaining_amount"], "daily": zero,
                             "month_more": zero})
        return view
    if bill is None or engine_debt is None:
        owed = balance_of(tx, debt, today) - debt.not_yet_due
        view.update(overdue=False, owed=page.money(owed),
                    due_day=next_due(today, debt.due_day).isoformat() if debt.due_day else None,
                    first_overdue=(debt.due_date + timedelta(days=1)).isoformat()
                    if debt.due_date else None,
                    figures={"total": owed, "daily": zero, "month_more": zero})
        return view
    events = timeline(engine_debt, today, rules)
    penalty = preset.source_of("penalty")
    waits = waiting_costs(engine_debt, today)
    now = waits[0][2]
    month = next(total for d, _day, total in waits if d == 30)
    view.update(
        overdue=True, days=bill.days_overdue,
        total=page.money(bill.total), daily=page.money(bill.daily_cost),
        month_more=page.money(month - now),
        bill=[(_("Principal"), page.money(bill.principal)),
              (_("Contract interest"), page.money(bill.interest)),
              (_("Penalty interest"), page.money(bill.penalty)),
              (_("Late fees and other fees"), page.money(bill.fees))],
        bill_source=_source(page, penalty.ref, penalty.confidence, penalty.urls),
        events=[_event_view(page, event) for event in events if event.applies],
        other_rules=[_event_view(page, event) for event in events if not event.applies],
        wait=[{"days": d, "on": day.isoformat(), "total": page.money(total),
               "more": page.money(total - now)} for d, day, total in waits],
        chart=_wait_chart(page, debt.id, name, waits),
        figures={"total": bill.total, "daily": bill.daily_cost, "month_more": month - now},
    )
    return view


def _event_view(page: Page, event: Event) -> dict[str, Any]:
    lang = page.out.lang
    return {
        "id": event.id,
        "on": event.on.isoformat() if event.on else None,
        "days": event.days_overdue,
        "title": event.title.get(lang),
        "detail": event.detail.get(lang),
        "amount": page.money(event.amount_due) if event.amount_due is not None else None,
        "source": _source(page, event.source_ref, event.confidence, event.urls),
        "passed": event.passed,
        "applies": event.applies,
        "asks": EVENT_QUESTIONS.get(event.id, ()),
    }


def _wait_chart(page: Page, debt_id: int, name: str,
                waits: list[tuple[int, date, Decimal]]) -> str:
    """The chart of what waiting costs, labelled in the page's language when the charts
    can draw Chinese (in English otherwise)."""
    from xieshang.documents.charts import chart_lang, growth_bars_svg
    from xieshang.i18n import gettext_for

    lang = chart_lang(page.out.lang)
    _ = page._ if lang == page.out.lang else gettext_for(lang)
    now = waits[0][2]
    rows = []
    for d, _day, total in waits:
        label = _("Today") if d == 0 else _("In {days} days").format(days=d)
        text = page.money(total) if d == 0 else f"{page.money(total)}  (+{page.money(total - now)})"
        rows.append((label, total, text))
    return growth_bars_svg(f"wait-{debt_id}",
                           page._("What waiting costs: {debt}").format(debt=name), rows)
