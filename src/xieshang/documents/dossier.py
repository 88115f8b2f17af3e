"""The dossier: one HTML document of the whole case (situation, itemised bills, timeline so
far, the timeline ahead with its sources, budget statement, proposal ladder, scripts, contact
log with its notes, commitments, the index of evidence files) and its PDF.

The caller gathers the values (already formatted, personal ones masked) into a
:class:`Dossier`; :func:`render_dossier_html` renders ``templates/{zh,en}/dossier.html.j2``
(autoescaped, :class:`jinja2.StrictUndefined`); zh-Hant is the zh output converted with
OpenCC. :func:`write_pdf` imports WeasyPrint only when called (it is slow to import); the
stylesheet names the Noto CJK fonts on the page boxes and the body so Chinese is embedded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from xieshang.documents.render import to_traditional
from xieshang.engine.errors import N_, InputError

__all__ = ["Dossier", "DossierDebt", "DossierMilestone", "pdf_bytes", "render_dossier_html",
           "write_pdf"]


@dataclass(frozen=True, slots=True)
class DossierDebt:
    """One debt in the dossier (every amount already formatted as ``¥1,234.50``).

    Attributes:
        name: the debt's name (``#1 花呗``).
        lender: the lender.
        account: the masked account ("" for none).
        bill: rows of (component, amount) — principal, interest, penalty, fees, total.
        days_overdue: days past due.
        ladder: rows of (level, months, monthly, total paid, cost, APR).
        scripts: (title, text) of the scripts included.
    """

    name: str
    lender: str
    account: str
    bill: Sequence[tuple[str, str]]
    days_overdue: int
    ladder: Sequence[tuple[str, str, str, str, str, str]] = ()
    scripts: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True, slots=True)
class DossierMilestone:
    """A milestone still to come (from the engine's timeline), with where its rule comes from.

    Attributes:
        on: the day (ISO), or words saying it is not known.
        debts: the debts it concerns (``#1 花呗, #2 借呗``).
        title: what happens.
        detail: what it means.
        amount: everything due on that day if nothing more is paid ("" when undated).
        sources: the public sources (a law's title, a web address).
        mark: the confidence mark with its meaning (``[S] 二手资料``).
    """

    on: str
    debts: str
    title: str
    detail: str
    amount: str
    sources: str
    mark: str


@dataclass(frozen=True, slots=True)
class Dossier:
    """The whole case, ready to render.

    Attributes:
        title: the case's name (masked).
        today: the date written (ISO).
        situation: rows of (item, value): why behind, since when, household.
        debts: the debts.
        timeline: rows of (date, event) so far, oldest first.
        budget: rows of (line, amount) of the affordability working.
        budget_note: its explanation.
        contacts: rows of (when, channel, agent / 工号, reference, asked, offered, outcome,
            notes), oldest first; phone numbers masked.
        commitments: rows of (party, what, amount, due, in writing, status).
        evidence: rows of (file, kind, note, added, SHA-256, check) of the evidence files.
        ahead: the milestones still to come, dated ones first.
        risks: the case-level legal-risk panel: (debt, paragraphs, sources, mark) for each
            card at or above the malicious-overdraft amount.
    """

    title: str
    today: str
    situation: Sequence[tuple[str, str]]
    debts: Sequence[DossierDebt]
    timeline: Sequence[tuple[str, str]] = ()
    budget: Sequence[tuple[str, str]] = ()
    budget_note: str = ""
    contacts: Sequence[tuple[str, ...]] = ()
    commitments: Sequence[tuple[str, ...]] = ()
    evidence: Sequence[tuple[str, ...]] = ()
    ahead: Sequence[DossierMilestone] = ()
    risks: Sequence[tuple[str, Sequence[str], str, str]] = ()


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("xieshang.documents", "templates"),
        undefined=jinja2.StrictUndefined, autoescape=True, trim_blocks=True,
        lstrip_blocks=True)


def render_dossier_html(dossier: Dossier, lang: str) -> str:
    """The dossier as one HTML document in ``lang`` (``zh``, ``en`` or ``zh-Hant``)."""
    lowered = lang.lower().replace("_", "-")
    folder = "en" if lowered.startswith("en") else "zh"
    values: dict[str, Any] = asdict(dossier)
    html = _environment().get_template(f"{folder}/dossier.html.j2").render(
        **values, html_lang="zh-Hant" if lowered in ("zh-hant", "zh-tw") else folder)
    return to_traditional(html) if lowered in ("zh-hant", "zh-tw") else html


def write_pdf(html: str, target: Path) -> None:
    """Write the HTML as a PDF with WeasyPrint (CJK fonts from the stylesheet).

    Raises:
        InputError: (field ``pdf``) the file cannot be written.
    """
    import weasyprint  # slow to import: only here

    try:
        weasyprint.HTML(string=html).write_pdf(str(target))
    except OSError as error:
        raise InputError("pdf", N_("cannot write {file}: {error}"), file=str(target),
                         error=error.strerror or str(error)) from None


def pdf_bytes(html: str) -> bytes:
    """The HTML as a PDF in memory (WeasyPrint, imported only here), e.g. for a download."""
    import weasyprint  # slow to import: only here

    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data
