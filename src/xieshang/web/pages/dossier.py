"""Step 8, the dossier: the whole case in one printable document — the situation, each
debt's itemised bill, the timeline so far and ahead (with its sources), the budget
statement, the proposal ladders, the phone script and written application, the contact log
with its notes, the commitments and the index of evidence files — shown in the page and
downloadable as HTML or PDF.

The document is the one ``xieshang dossier`` writes
(:func:`xieshang.present.documents.case_dossier` gathers it;
:mod:`xieshang.documents.dossier` renders it). WeasyPrint is imported only by the PDF
download.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from xieshang.engine.errors import XieshangError
from xieshang.web.page import Page

if TYPE_CHECKING:
    from xieshang.documents.dossier import Dossier

__all__ = ["router"]

router = APIRouter()

STEP = 8


def _doc_lang(page: Page) -> str:
    """The document's language: the page's (zh-Hant converted from zh)."""
    return "zh-Hant" if page.lang == "zh-Hant" else page.out.lang


def _gather(page: Page) -> tuple[Dossier, str] | None:
    """The case's dossier and the total owed on its day, or None when there is no case."""
    from xieshang.present.documents import case_dossier
    from xieshang.present.views import status_lines

    with page.read() as tx:
        case = tx.current_case()
        if case is None:
            return None
        dossier = case_dossier(page.out, tx, str(case.id), today=page.today)
        lines = status_lines(page.out, tx, case.id, date.fromisoformat(dossier.today))
    total = sum((line["total"] for line in lines), Decimal("0.00"))
    return dossier, page.money(total)


@router.get("/dossier", response_class=HTMLResponse)
def dossier_page(request: Request) -> HTMLResponse:
    """The dossier's content inside the page, with the downloads."""
    page = Page.of(request)
    try:
        found = _gather(page)
    except XieshangError as error:
        return page.render("dossier.html", step=STEP, case=True, dossier=None,
                           problem=page.error_text(error))
    if found is None:
        return page.render("dossier.html", step=STEP, case=None, dossier=None)
    dossier, total = found
    return page.render("dossier.html", step=STEP, case=True, dossier=_shown(page, dossier),
                       total=total, problem=None)


def _shown(page: Page, dossier: Dossier) -> dict[str, Any]:
    """The dossier's values for the page: channels, parties and statuses translated, an
    agent's phone-length number masked."""
    from xieshang.services.contacts import CHANNELS, PARTIES, PROMISE_STATUSES
    from xieshang.web.pages.log import shown_agent

    values = asdict(dossier)
    values["contacts"] = [
        (row[0], page._(CHANNELS.get(row[1], row[1])), shown_agent(row[2]), *row[3:])
        for row in dossier.contacts]
    values["commitments"] = [
        (page._(PARTIES.get(row[0], row[0])), *row[1:5],
         page._(PROMISE_STATUSES.get(row[5], row[5])))
        for row in dossier.commitments]
    return values


def _document(page: Page) -> tuple[str, str]:
    """(the dossier's HTML, its day) — 404 when there is no case, 409 when it cannot be
    made (the reason in the person's language)."""
    from xieshang.documents.dossier import render_dossier_html

    try:
        found = _gather(page)
    except XieshangError as error:
        raise HTTPException(409, page.error_text(error)) from None
    if found is None:
        raise HTTPException(404)
    dossier, _total = found
    return render_dossier_html(dossier, _doc_lang(page)), dossier.today


@router.get("/dossier.html")
def dossier_html(request: Request) -> Response:
    """The dossier as one HTML file (to keep, print or send)."""
    page = Page.of(request)
    html, day = _document(page)
    return page.download(html, f"xieshang-dossier-{day}.html", "text/html")


@router.get("/dossier.pdf")
def dossier_pdf(request: Request) -> Response:
    """The dossier as a PDF (WeasyPrint, imported only here; Chinese fonts embedded)."""
    from xieshang.documents.dossier import pdf_bytes

    page = Page.of(request)
    html, day = _document(page)
    return page.download(pdf_bytes(html), f"xieshang-dossier-{day}.pdf", "application/pdf")

