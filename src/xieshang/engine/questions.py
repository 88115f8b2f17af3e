"""Questions people ask: plain answers with their sources, and the person's own figures.

The questions live in ``presets/_questions.toml`` (:func:`parse_questions`), not in code or
templates. Each question has a title, search keywords, a general answer and at least one
source with its confidence mark (``rules-cn.md``: V, S, C, NF), in Simplified Chinese and
English. Some questions also have *personal* texts: one line per debt, chosen by the debt's
situation (a *variant*: the grace period still running, already ended, none …) and filled
with that debt's figures.

Texts hold ``{placeholders}``. The general answers may use the legal numbers of
``_law.toml`` (:data:`LAW_PLACEHOLDERS`, filled from a :class:`~xieshang.engine.timeline.Law`),
so a legal number lives in one file only. A personal text may use those and the figures of
its variant (:data:`VARIANTS`). Loading checks that every placeholder is one the engine
fills, that every question has both languages, a title, keywords and a source, and that
the eight questions the pages link to are all there; a problem raises
:class:`~xieshang.engine.errors.PresetError` naming the file and the dotted field.

The figures come in as values (:class:`DebtFacts`, :class:`Facts`, built by
:func:`debt_facts` from an :class:`~xieshang.engine.accrual.OverdueDebt`); today is an
argument. :func:`answer` fills one question; :func:`search` finds questions by words.
This module is pure: no I/O, no clock.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from xieshang.engine.accrual import OverdueDebt, bill_on, principal_outstanding_principal_first
from xieshang.engine.errors import N_, PresetError, StateError
from xieshang.engine.money import ZERO, format_money
from xieshang.engine.preset import (
    Confidence,
    Preset,
    ProductKind,
    RepaymentMethod,
    Source,
    TableReader,
    Text,
)
from xieshang.engine.timeline import Law

__all__ = [
    "LAW_PLACEHOLDERS",
    "SLUGS",
    "VARIANTS",
    "Answer",
    "Cited",
    "DebtFacts",
    "DebtState",
    "Facts",
    "Part",
    "PersonalLine",
    "Question",
    "QuestionBook",
    "Words",
    "answer",
    "debt_facts",
    "law_values",
    "parse_questions",
    "search",
    "settled_on",
    "years_after",
]

_SCHEMA: Final = 1

#: The questions the pages link to (``page.ask(slug)``); the data file must have them all.
SLUGS: Final = (
    "credit-report-duration",
    "grace-period",
    "one-day-late",
    "split-after-minimum",
    "family-calls",
    "sued-or-crime",
    "settlement-certificate",
    "negotiation-agent",
)

#: Placeholders every text may use: the legal numbers of ``_law.toml`` (see :func:`law_values`).
LAW_PLACEHOLDERS: Final = frozenset({
    "retention_years", "free_reports_per_year", "objection_reply_days", "complaint_reply_days",
    "repair_overdue_from", "repair_overdue_to", "repair_max_amount", "repair_repaid_by",
    "limitation_years", "overdraft_min_principal", "overdraft_demands",
    "overdraft_demand_gap_days", "overdraft_months_unpaid", "quiet_from", "quiet_until",
    "max_calls_per_day",
})

#: Per question, its personal variants and the debt figures each may use (beside the law's).
VARIANTS: Final[Mapping[str, Mapping[str, frozenset[str]]]] = {
    "credit-report-duration": {
        "open": frozenset({"debt", "days_overdue", "today", "until"}),
        "settled": frozenset({"debt", "settled_on", "until"}),
        "settled_unknown": frozenset({"debt"}),
        "not_overdue": frozenset({"debt"}),
    },
    "grace-period": {
        "running": frozenset({"debt", "product", "grace_days", "due_date", "grace_end"}),
        "ended": frozenset({"debt", "product", "grace_days", "due_date", "grace_end",
                            "days_overdue"}),
        "none": frozenset({"debt", "product", "due_date"}),
        "not_overdue": frozenset({"debt", "product", "grace_days"}),
    },
    "one-day-late": {
        "overdue": frozenset({"debt", "days_overdue", "daily_cost", "total"}),
        "not_overdue": frozenset({"debt"}),
    },
    "split-after-minimum": {
        "fee_table": frozenset({"debt", "product", "installment_terms"}),
        "monthly_rate": frozenset({"debt", "product", "monthly_rate"}),
        "listed": frozenset({"debt", "product"}),
        "not_listed": frozenset({"debt", "product"}),
    },
    "sued-or-crime": {
        "card_below": frozenset({"debt", "principal"}),
        "card_at_or_above": frozenset({"debt", "principal"}),
    },
    "settlement-certificate": {
        "open": frozenset({"debt", "owed", "today"}),
        "settled": frozenset({"debt", "settled_on"}),
        "settled_unknown": frozenset({"debt"}),
    },
}

#: Placeholders that are the person's own figures (shown highlighted); names and the
#: law's numbers are not.
_FIGURES: Final = frozenset({
    "days_overdue", "daily_cost", "total", "owed", "grace_days", "due_date", "grace_end", "until",
    "settled_on", "installment_terms", "monthly_rate", "principal",
})

_MARKS: Final = (Confidence.VERIFIED, Confidence.SECONDARY, Confidence.COMPUTED,
                 Confidence.NOT_FOUND)


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True)
class Words:
    """Search keywords in Simplified Chinese and English.

    Attributes:
        zh: the Chinese keywords.
        en: the English keywords.
    """

    zh: tuple[str, ...]
    en: tuple[str, ...]

    def get(self, lang: str) -> tuple[str, ...]:
        """The keywords for a language code (``zh``, ``en`` …)."""
        return self.en if lang.startswith("en") else self.zh


@dataclass(frozen=True, slots=True)
class Cited:
    """One source of an answer.

    Attributes:
        label: what the source is, in a few words (its meaning for an NF mark: not found).
        source: its ``rules-cn.md`` section, confidence mark, addresses and a note.
    """

    label: Text
    source: Source


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the data file.

    Attributes:
        slug: its fixed identifier (the page anchor is ``q-<slug>``).
        title: the question as people ask it.
        keywords: words people search with.
        answer: the general answer (paragraphs separated by a blank line); may use
            :data:`LAW_PLACEHOLDERS`.
        personal: variant → the text of one debt's line (see :data:`VARIANTS`).
        sources: where the answer comes from, at least one.
    """

    slug: str
    title: Text
    keywords: Words
    answer: Text
    personal: Mapping[str, Text]
    sources: tuple[Cited, ...]


@dataclass(frozen=True, slots=True)
class QuestionBook:
    """All questions of ``_questions.toml``, in the file's order.

    Attributes:
        questions: the questions.
        origin: the file they were read from.
    """

    questions: tuple[Question, ...]
    origin: str = ""

    def get(self, slug: str) -> Question | None:
        """The question with this slug, or ``None``."""
        for question in self.questions:
            if question.slug == slug:
                return question
        return None

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)


class DebtState(StrEnum):
    """Where a debt stands, for the questions."""

    OPEN = "open"  # open or under an arrangement
    SETTLED = "settled"  # repaid in full


@dataclass(frozen=True, slots=True)
class DebtFacts:
    """The figures of one debt that the questions use.

    Attributes:
        name: how the debt is called on the pages (``#3 花呗 账单``).
        product: the preset's product name.
        state: open or settled.
        due_date: the missed repayment date (``None``: not overdue).
        days_overdue: days past it today (0 when not overdue).
        daily_cost: what one more day adds today.
        total: everything due today.
        not_yet_due: principal of later installments not yet due (owed in all = ``total``
            + this).
        grace_days: the grace days that apply (the debt's adopted value, else the preset's).
        grace_source: where the grace days come from (USER when adopted for this debt).
        installment_method: the preset lists bill installments as a way to repay.
        installment_fees: the preset's installment table: (periods, total fee rate).
        monthly_fee_rate: the preset's monthly installment fee rate, if it gives one.
        installment_source: where the installment terms come from.
        card_principal: credit cards only — the unpaid overdraft principal counting
            repayments against principal first (the malicious-overdraft amount); ``None``
            for other products or a card that is not overdue.
        settled_on: the day the debt was repaid in full, when the payments show it.
    """

    name: str
    product: Text
    state: DebtState
    due_date: date | None
    days_overdue: int
    daily_cost: Decimal
    total: Decimal
    not_yet_due: Decimal
    grace_days: int
    grace_source: Source
    installment_method: bool
    installment_fees: tuple[tuple[int, Decimal], ...]
    monthly_fee_rate: Decimal | None
    installment_source: Source
    card_principal: Decimal | None = None
    settled_on: date | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything an answer may be filled with.

    Attributes:
        today: the day the answers are seen from.
        law: the legal rules (``_law.toml``).
        debts: the person's debts (empty: general answers only).
    """

    today: date
    law: Law
    debts: tuple[DebtFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a filled text.

    Attributes:
        text: the text.
        figure: it is one of the person's own figures (shown highlighted).
    """

    text: str
    figure: bool = False


@dataclass(frozen=True, slots=True)
class PersonalLine:
    """One debt's line under an answer.

    Attributes:
        debt: the debt's name.
        variant: which personal text was used.
        parts: the filled text, in pieces.
        source: where the debt's figure comes from (a preset parameter), if it has its own.
    """

    debt: str
    variant: str
    parts: tuple[Part, ...]
    source: Source | None = None

    @property
    def text(self) -> str:
        """The whole line as plain text."""
        return "".join(part.text for part in self.parts)


@dataclass(frozen=True, slots=True)
class Answer:
    """A question answered in one language.

    Attributes:
        slug: the question's slug.
        title: its title.
        paragraphs: the general answer, filled with the law's numbers.
        personal: one line per debt it concerns (empty when there are none).
        sources: its sources.
    """

    slug: str
    title: str
    paragraphs: tuple[str, ...]
    personal: tuple[PersonalLine, ...]
    sources: tuple[Cited, ...]


# ---------------------------------------------------------------------------- parsing


def parse_questions(text: str, source: str) -> QuestionBook:
    """Validate the TOML ``text`` of ``_questions.toml`` (named ``source``).

    Checks: every question has a slug (lower-case letters, digits and ``-``, unique), a
    title, keywords and an answer in ``zh`` and ``en``, and at least one source with a mark
    (V, S, C or NF; V and S give an address); every placeholder is one the engine fills
    there, and both languages use the same ones; a question of :data:`VARIANTS` has all its
    variants and no others; the questions of :data:`SLUGS` are all present.

    Raises:
        PresetError: naming ``source`` and the dotted field of the first problem.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(source, "", N_("is not valid TOML: {error}"), error=str(error)) from None
    top = TableReader(source, data)
    top.integer("schema", minimum=1, maximum=_SCHEMA)
    questions: list[Question] = []
    for reader in top.tables("questions"):
        questions.append(_question(reader, {q.slug for q in questions}))
    top.done()
    present = {q.slug for q in questions}
    for slug in SLUGS:
        if slug not in present:
            raise PresetError(source, "questions", N_("is missing the question {slug}"),
                              slug=slug)
    return QuestionBook(tuple(questions), source)


def _question(reader: TableReader, taken: set[str]) -> Question:
    slug = reader.text("slug")
    if not slug.isascii() or not slug.replace("-", "").isalnum() or slug != slug.lower():
        raise reader.fail("slug", N_("must be lower-case letters, digits and -, got {value!r}"),
                          value=slug)
    if slug in taken:
        raise reader.fail("slug", N_("lists the question {slug} twice"), slug=slug)
    title = _text(reader, "title", frozenset())
    keywords = _words(reader, "keywords")
    general = _text(reader, "answer", LAW_PLACEHOLDERS)
    known = VARIANTS.get(slug, {})
    personal: dict[str, Text] = {}
    sub = reader.table("personal", required=bool(known))
    if sub is not None:
        for name in list(sub.data):
            if name not in known:
                allowed = ", ".join(sorted(known)) or "—"
                raise sub.fail(name, N_("is not a known variant; known: {known}"),
                               known=allowed)
            personal[name] = _text(sub, name, known[name] | LAW_PLACEHOLDERS)
        for name in known:
            if name not in personal:
                raise sub.fail(name, N_("is required"))
        sub.done()
    sources = tuple(_cited(item) for item in reader.tables("sources"))
    if not sources:
        raise reader.fail("sources", N_("must list at least one source"))
    reader.done()
    return Question(slug=slug, title=title, keywords=keywords, answer=general,
                    personal=personal, sources=sources)


def _text(reader: TableReader, key: str, allowed: frozenset[str]) -> Text:
    sub = reader.table(key, required=True)
    if sub is None:
        raise StateError("sub")
    values = {lang: sub.text(lang) for lang in ("zh", "en")}
    used = {lang: _placeholders(sub, lang, value, allowed) for lang, value in values.items()}
    sub.done()
    if used["zh"] != used["en"]:
        names = ", ".join("{" + name + "}" for name in sorted(used["zh"] ^ used["en"]))
        raise sub.fail("en", N_("uses other placeholders than the zh text: {names}"),
                       names=names)
    return Text(zh=values["zh"], en=values["en"])


def _placeholders(reader: TableReader, key: str, value: str,
                  allowed: frozenset[str]) -> frozenset[str]:
    try:
        pieces = list(string.Formatter().parse(value))
    except ValueError as error:
        raise reader.fail(key, N_("has a brace that is not a placeholder: {error}"),
                          error=str(error)) from None
    found = set()
    for _literal, name, spec, conversion in pieces:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            known = ", ".join(sorted(allowed)) or "—"
            raise reader.fail(key, N_("uses the placeholder {name}, which is not known here; "
                                      "known: {known}"), name="{" + name + "}", known=known)
        found.add(name)
    return frozenset(found)


def _words(reader: TableReader, key: str) -> Words:
    sub = reader.table(key, required=True)
    if sub is None:
        raise StateError("sub")
    lists: dict[str, tuple[str, ...]] = {}
    for lang in ("zh", "en"):
        values = sub.raw(lang, kind=list)
        if not values:
            raise sub.fail(lang, N_("must list at least one word"))
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise PresetError(sub.source, f"{sub.path}.{lang}[{index}]",
                                  N_("must be a non-empty text"))
        lists[lang] = tuple(value.strip() for value in values)
    sub.done()
    return Words(zh=lists["zh"], en=lists["en"])


def _cited(reader: TableReader) -> Cited:
    label = _text(reader, "label", frozenset())
    urls = reader.raw("urls", [], kind=list)
    for index, url in enumerate(urls):
        if not isinstance(url, str) or not url.strip():
            raise PresetError(reader.source, f"{reader.path}.urls[{index}]",
                              N_("must be a non-empty text"))
    confidence = reader.choice("confidence", Confidence)
    if confidence not in _MARKS:
        raise reader.fail("confidence", N_("must be one of {allowed}, got {value!r}"),
                          allowed=", ".join(mark.value for mark in _MARKS),
                          value=confidence.value)
    note = reader.raw("note", "", kind=str)
    if confidence in (Confidence.VERIFIED, Confidence.SECONDARY) and not urls:
        raise reader.fail("urls", N_("a {mark} source needs at least one address"),
                          mark=confidence.value)
    if not urls and not note:
        raise reader.fail("note", N_("say why there is no address"))
    result = Source(confidence=confidence, urls=tuple(urls), note=note, ref=reader.text("ref"))
    reader.done()
    return Cited(label=label, source=result)


# ------------------------------------------------------------------------------ facts


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def settled_on(debt: OverdueDebt) -> date | None:
    """The first payment day after which nothing beyond the preset's tolerance is owed."""
    for day in sorted({payment.on for payment in debt.payments}):
        if day >= debt.due_date and bill_on(debt, day).total <= debt.preset.tolerance:
            return day
    return None


def debt_facts(name: str, preset: Preset, as_of: date, debt: OverdueDebt | None = None, *,
               total: Decimal = ZERO, not_yet_due: Decimal = ZERO,
               state: DebtState = DebtState.OPEN) -> DebtFacts:
    """The figures of one debt seen on ``as_of``.

    Args:
        name: the debt's name on the pages.
        preset: its product's rules.
        as_of: today.
        debt: the engine's view of an overdue debt (with its payments and adopted
            adjustments); ``None`` when it is not overdue.
        total: what is owed when it is not overdue (ignored when ``debt`` is given: the
            bill of ``as_of`` is used).
        not_yet_due: principal of later installments, not part of the bill (as the store
            keeps it).
        state: open or settled.
    """
    days, daily = 0, ZERO
    due: date | None = None
    grace = preset.grace_days
    grace_source = preset.source_of("grace_days")
    card: Decimal | None = None
    repaid: date | None = None
    if debt is not None:
        bill = bill_on(debt, as_of)
        days, daily, total, due = bill.days_overdue, bill.daily_cost, bill.total, debt.due_date
        if debt.grace_days is not None:
            grace = debt.grace_days
            grace_source = Source(Confidence.USER, note="set for this debt")
        if preset.product_kind is ProductKind.CREDIT_CARD:
            card = principal_outstanding_principal_first(debt, as_of)
        if state is DebtState.SETTLED:
            repaid = settled_on(debt)
    installments = preset.installments
    has_terms = bool(installments.fees) or installments.monthly_fee_rate is not None
    return DebtFacts(
        name=name, product=preset.name, state=state, due_date=due, days_overdue=days,
        daily_cost=daily, total=total, not_yet_due=not_yet_due, grace_days=grace,
        grace_source=grace_source,
        installment_method=RepaymentMethod.BILL_INSTALLMENT in preset.repayment_methods,
        installment_fees=tuple((row.periods, row.total_rate) for row in installments.fees),
        monthly_fee_rate=installments.monthly_fee_rate,
        installment_source=preset.source_of("installments" if has_terms
                                            else "repayment_methods"),
        card_principal=card, settled_on=repaid,
    )


def law_values(law: Law) -> dict[str, str]:
    """The law's numbers as they appear in the texts (:data:`LAW_PLACEHOLDERS`)."""
    repair, report = law.credit_repair, law.credit_report
    overdraft, collection = law.malicious_overdraft, law.collection
    return {
        "retention_years": str(report.retention_years),
        "free_reports_per_year": str(report.free_reports_per_year),
        "objection_reply_days": str(report.objection_reply_days),
        "complaint_reply_days": str(report.complaint_reply_days),
        "repair_overdue_from": repair.overdue_from.isoformat(),
        "repair_overdue_to": repair.overdue_to.isoformat(),
        "repair_max_amount": format_money(repair.max_amount),
        "repair_repaid_by": repair.repaid_by.isoformat(),
        "limitation_years": str(law.limitation.years),
        "overdraft_min_principal": format_money(overdraft.min_principal),
        "overdraft_demands": str(overdraft.demands),
        "overdraft_demand_gap_days": str(overdraft.demand_gap_days),
        "overdraft_months_unpaid": str(overdraft.months_unpaid_after_demands),
        "quiet_from": collection.quiet_from.strftime("%H:%M"),
        "quiet_until": collection.quiet_until.strftime("%H:%M"),
        "max_calls_per_day": str(collection.max_effective_calls_per_day),
    }


# ----------------------------------------------------------------------------- answers


def answer(question: Question, facts: Facts, lang: str) -> Answer:
    """``question`` in ``lang`` (``zh`` or ``en``), filled with the law and the debts.

    Each debt the question concerns gets one line, in the variant its figures call for; a
    question without personal texts, or a person without debts, gets the general answer
    only.
    """
    law = law_values(facts.law)
    paragraphs = _paragraphs(_fill(question.answer.get(lang), law), lang)
    lines = []
    for debt in facts.debts:
        chosen = _variant(question.slug, debt, facts)
        if chosen is None or chosen[0] not in question.personal:
            continue
        variant, values, source = chosen
        parts = _parts(question.personal[variant].get(lang),
                       {**law, **_debt_values(values, lang)})
        lines.append(PersonalLine(debt=debt.name, variant=variant, parts=parts, source=source))
    return Answer(slug=question.slug, title=question.title.get(lang), paragraphs=paragraphs,
                  personal=tuple(lines), sources=question.sources)


def search(book: QuestionBook, query: str, lang: str, law: Law) -> tuple[Question, ...]:
    """The questions whose title, keywords or general answer in ``lang`` contain every word
    of ``query`` (case does not matter); all of them for an empty query."""
    words = query.lower().split()
    if not words:
        return book.questions
    values = law_values(law)
    found = []
    for question in book:
        haystack = " ".join((question.title.get(lang), *question.keywords.get(lang),
                             _fill(question.answer.get(lang), values))).lower()
        if all(word in haystack for word in words):
            found.append(question)
    return tuple(found)


def _variant(slug: str, debt: DebtFacts, facts: Facts
             ) -> tuple[str, dict[str, Any], Source | None] | None:
    """Which personal text fits ``debt`` for question ``slug``, with the figures it needs."""
    law = facts.law
    overdue = debt.due_date is not None
    settled = debt.state is DebtState.SETTLED
    common: dict[str, Any] = {"debt": debt.name, "product": debt.product}
    if slug == "credit-report-duration":
        years = law.credit_report.retention_years
        if settled:
            if debt.settled_on is None:
                return "settled_unknown", common, None
            return "settled", {**common, "settled_on": debt.settled_on,
                               "until": years_after(debt.settled_on, years)}, None
        if not overdue:
            return "not_overdue", common, None
        return "open", {**common, "days_overdue": debt.days_overdue, "today": facts.today,
                        "until": years_after(facts.today, years)}, None
    if slug == "settlement-certificate":
        if settled:
            if debt.settled_on is None:
                return "settled_unknown", common, None
            return "settled", {**common, "settled_on": debt.settled_on}, None
        return "open", {**common, "owed": debt.total + debt.not_yet_due,
                        "today": facts.today}, None
    if settled:
        return None
    if slug == "grace-period":
        values = {**common, "grace_days": debt.grace_days}
        if debt.due_date is None:
            return "not_overdue", values, debt.grace_source
        values["due_date"] = debt.due_date
        if debt.grace_days == 0:
            return "none", values, debt.grace_source
        end = debt.due_date.toordinal() + debt.grace_days
        values["grace_end"] = date.fromordinal(end)
        if facts.today.toordinal() <= end:
            return "running", values, debt.grace_source
        return "ended", {**values, "days_overdue": debt.days_overdue}, debt.grace_source
    if slug == "one-day-late":
        if not overdue:
            return "not_overdue", common, None
        return "overdue", {**common, "days_overdue": debt.days_overdue,
                           "daily_cost": debt.daily_cost, "total": debt.total}, None
    if slug == "split-after-minimum":
        source = debt.installment_source
        if not debt.installment_method:
            return "not_listed", common, source
        if debt.installment_fees:
            return "fee_table", {**common, "installment_terms": debt.installment_fees}, source
        if debt.monthly_fee_rate is not None:
            return "monthly_rate", {**common, "monthly_rate": debt.monthly_fee_rate}, source
        return "listed", common, source
    if slug == "sued-or-crime" and debt.card_principal is not None:
        floor = law.malicious_overdraft.min_principal
        variant = "card_at_or_above" if debt.card_principal >= floor else "card_below"
        return variant, {**common, "principal": debt.card_principal}, None
    return None


def _debt_values(values: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The figures as text in ``lang``."""
    shown: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, Text):
            shown[key] = value.get(lang)
        elif isinstance(value, date):
            shown[key] = value.isoformat()
        elif key == "installment_terms":
            shown[key] = _terms(value, lang)
        elif key == "monthly_rate":
            shown[key] = _percent(value)
        elif isinstance(value, Decimal):
            shown[key] = format_money(value)
        else:
            shown[key] = str(value)
    return shown


def _terms(rows: tuple[tuple[int, Decimal], ...], lang: str) -> str:
    if lang.startswith("en"):
        return ", ".join(f"{periods} periods {_percent(rate)}" for periods, rate in rows)
    return "、".join(f"{periods}期{_percent(rate)}" for periods, rate in rows)


def _percent(rate: Decimal) -> str:
    text = format((rate * 100).normalize(), "f")
    return f"{text}%"


def _fill(template: str, values: Mapping[str, str]) -> str:
    return "".join(part.text for part in _parts(template, values))


def _parts(template: str, values: Mapping[str, str]) -> tuple[Part, ...]:
    parts: list[Part] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            parts.append(Part(literal))
        if name is not None:
            parts.append(Part(values[name], figure=name in _FIGURES))
    return tuple(parts)


def _paragraphs(text: str, lang: str) -> tuple[str, ...]:
    joiner = " " if lang.startswith("en") else ""
    blocks = text.strip().split("\n\n")
    return tuple(joiner.join(line.strip() for line in block.splitlines() if line.strip())
                 for block in blocks if block.strip())
