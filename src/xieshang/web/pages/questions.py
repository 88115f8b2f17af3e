"""Questions people ask: plain answers with their sources, and the person's own figures.

The questions and answers are data (``presets/_questions.toml``, read by
:func:`xieshang.rules.questions`); the engine (:mod:`xieshang.engine.questions`)
fills them with the law's numbers and with the figures of the person's debts, gathered here
from the store the way the command line does (``status_lines``, ``current_bill``). Searching
works without JavaScript (``GET /questions?q=words``); the search box also filters as you
type where JavaScript runs.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from xieshang.engine.errors import N_, XieshangError
from xieshang.web.page import Page

if TYPE_CHECKING:
    from xieshang.engine.preset import Source
    from xieshang.engine.questions import Answer, Cited, Facts
    from xieshang.output import Output
    from xieshang.store.db import Tx

__all__ = ["MARKS", "PRESET_MARKS", "gather_facts", "question_title", "router"]

router = APIRouter()

#: What each confidence mark means, shown beside every source.
MARKS: dict[str, str] = {
    "V": N_("read in the rule itself"),
    "S": N_("secondary source"),
    "C": N_("our own calculation or advice, not a rule"),
    "NF": N_("not found: no authoritative rule"),
    "USER": N_("set by you"),
}

#: What a preset parameter's mark means (the command line's wording).
PRESET_MARKS: dict[str, str] = {
    "V": N_("verified"),
    "S": N_("secondary source, not verified against the contract"),
    "C": N_("computed"),
    "NF": N_("not verified: a default you can change"),
    "USER": N_("set by you"),
}

#: Longest search text taken into account.
_MAX_QUERY = 200


def question_title(slug: str, lang: str) -> str:
    """The title of question ``slug`` in ``lang`` (``zh`` or ``en``); the slug if unknown."""
    from xieshang.rules import questions

    found = questions().get(slug)
    return slug if found is None else str(found.title.get(lang))


@router.get("/questions", response_class=HTMLResponse)
def questions_page(request: Request, q: str = "") -> HTMLResponse:
    from xieshang.engine.questions import answer, search
    from xieshang.rules import questions

    page = Page.of(request)
    book = questions()
    query = " ".join(q.split())[:_MAX_QUERY]
    facts, note = _facts(page)
    lang = page.out.lang
    found = search(book, _simplified(query) if page.lang == "zh-Hant" else query, lang,
                   facts.law)
    answers = [_shown(page, answer(question, facts, lang)) for question in found]
    return page.render("questions.html", answers=answers, query=query, total=len(book),
                       has_debts=bool(facts.debts), note=note,
                       marks=[(mark, page._(MARKS[mark])) for mark in ("V", "S", "C", "NF")])


@router.get("/questions/{slug}", response_class=HTMLResponse)
def question_page(request: Request, slug: str) -> HTMLResponse:
    from xieshang.engine.questions import answer
    from xieshang.rules import questions

    page = Page.of(request)
    question = questions().get(slug)
    if question is None:
        raise HTTPException(404)
    facts, note = _facts(page)
    shown = _shown(page, answer(question, facts, page.out.lang))
    return page.render("questions_one.html", a=shown, has_debts=bool(facts.debts), note=note,
                       marks=[(mark, page._(MARKS[mark])) for mark in ("V", "S", "C", "NF")])


# ------------------------------------------------------------------------------ facts


def gather_facts(out: Output, tx: Tx, today: date) -> Facts:
    """The figures of the current case's debts for the questions (none without a case).

    Open debts (open or under an arrangement) come from ``status_lines`` — the same list and
    names as the command line's ``status`` — with their engine view from ``current_bill``;
    settled debts are added for the credit-report and settlement questions.
    """
    from xieshang.engine.questions import DebtState, Facts, debt_facts
    from xieshang.present import debt_name
    from xieshang.present.views import status_lines
    from xieshang.rules import law
    from xieshang.services.cases import preset_of
    from xieshang.services.debts import current_bill, open_debts
    from xieshang.store.model import Debt, Payment, overdue_debt

    case = tx.current_case()
    if case is None:
        return Facts(today=today, law=law())
    debts = []
    for line in status_lines(out, tx, case.id, today):
        stored = tx.get(Debt, line["id"])
        if stored is None:  # pragma: no cover - the line was just read from the store
            continue
        _bill, engine = current_bill(tx, stored, today)
        debts.append(debt_facts(line["name"], preset_of(stored), today, engine,
                                total=line["total"], not_yet_due=line["not_yet_due"]))
    for stored in open_debts(tx, case.id, "settled"):
        preset = preset_of(stored)
        engine = None
        if stored.due_date is not None and stored.due_date <= today:
            engine = overdue_debt(stored, preset, tx.find(Payment, debt_id=stored.id))
        debts.append(debt_facts(debt_name(out, stored), preset, today, engine,
                                not_yet_due=stored.not_yet_due, state=DebtState.SETTLED))
    return Facts(today=today, law=law(), debts=tuple(debts))


def _facts(page: Page) -> tuple[Facts, str | None]:
    """The person's facts, or the general ones and why, when the case cannot be read."""
    from xieshang.engine.questions import Facts
    from xieshang.rules import law

    try:
        with page.read() as tx:
            return gather_facts(page.out, tx, page.today), None
    except XieshangError as error:
        return Facts(today=page.today, law=law()), page.error_text(error)


# ---------------------------------------------------------------------------- display


def _shown(page: Page, answer: Answer) -> dict[str, Any]:
    """An answer as the templates show it: sources with their marks in words."""
    return {
        "slug": answer.slug, "title": answer.title, "paragraphs": answer.paragraphs,
        "personal": [{"parts": line.parts, "debt": line.debt, "variant": line.variant,
                      "source": _preset_source(page, line.source)}
                     for line in answer.personal],
        "sources": [_cited(page, cited) for cited in answer.sources],
    }


def _cited(page: Page, cited: Cited) -> dict[str, Any]:
    source = cited.source
    return {"label": cited.label.get(page.out.lang), "mark": source.confidence.value,
            "meaning": page._(MARKS[source.confidence.value]), "ref": _ref(source.ref),
            "links": [_link(url) for url in source.urls]}


def _preset_source(page: Page, source: Source | None) -> dict[str, str] | None:
    """Where a debt's own figure comes from: the preset parameter's source, or the person."""
    if source is None:
        return None
    from xieshang.engine.preset import public_sources

    meaning = page._(PRESET_MARKS[source.confidence.value])
    laws = "；".join(public_sources(source.urls))
    text = f"{laws} · {meaning}" if laws else meaning
    return {"text": text, "mark": source.confidence.value}


def _ref(ref: str) -> str:
    """A source's reference as a reader may see it: a section of our own reference files
    (a bare ``§``, or a ``.md`` file) is not a public source, so it is not shown — the
    source's label and links say where to look."""
    return "" if ref.startswith("§") or ".md" in ref else ref


def _link(url: str) -> dict[str, str | None]:
    """A web address as a link named by its site; a repository path as plain text."""
    from xieshang.engine.preset import public_sources

    if url.startswith(("http://", "https://")):
        return {"href": url, "text": urlsplit(url).netloc or url}
    titles = public_sources([url])
    return {"href": None, "text": titles[0] if titles else ""}


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """Traditional characters typed on the zh-Hant page, as the Simplified texts use."""
    if not text:
        return text
    result: str = _converter().convert(text)
    return result
