"""The values a document shows, built once from the engine's results.

:func:`build_context` is a pure function: it takes what the case file and the engine hold
(the bill, the preset, the ladder, the budget's share for the debt) and returns plain,
already formatted values for the templates. Every amount is formatted here with
:func:`xieshang.engine.money.format_money` (and, where a letter states it, in capitals with
:func:`xieshang.engine.money.money_in_capitals`), so no template computes or retypes a figure.
Personal values (name, account) come in already masked by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from xieshang.engine.bill import Bill
from xieshang.engine.followup import CallRules, call_rules_for
from xieshang.engine.money import format_money, money_in_capitals
from xieshang.engine.negotiation import Ladder, NegotiationData, Rung
from xieshang.engine.preset import Preset, public_sources
from xieshang.engine.timeline import Law

__all__ = ["AgreedTerms", "BudgetStatement", "FlaggedCall", "Identifiers", "LoggedContact",
           "base_lang", "build_context", "cited", "figures", "sentence"]


@dataclass(frozen=True, slots=True)
class Identifiers:
    """What a lender needs to find the account, unmasked: given only when the person chose
    to put them in the document they send and confirmed it (``--with-identifiers``); never
    logged or shown on a screen. Each is "" when not recorded.

    Attributes:
        name: the legal name.
        id_number: the resident ID number.
        phone: the mobile number registered with the lender.
        account: the card or account number.
    """

    name: str = ""
    id_number: str = ""
    phone: str = ""
    account: str = ""


@dataclass(frozen=True, slots=True)
class BudgetStatement:
    """The budget as a lender may see it: income, essential spending, what is left for all
    creditors and each creditor's fair share — never the walk-away point.

    Attributes:
        income: the monthly income (the household's when ``household``).
        spending: (category as named in the document's language, monthly amount), essential
            spending only.
        available: what is left each month for all the debts.
        creditors: (creditor's name, owed, monthly share), one per open debt.
        adults: adults in the household (the statement's, 1 or more).
        children: children under 18 in the household.
        dependants: other people the household supports.
        savings: (creditor's name, amount) when the person puts savings towards one debt
            (the monthly figures are then those of an ordinary month, without them).
    """

    income: Decimal
    spending: tuple[tuple[str, Decimal], ...]
    available: Decimal
    creditors: tuple[tuple[str, Decimal, Decimal], ...]
    adults: int = 1
    children: int = 0
    dependants: int = 0
    savings: tuple[str, Decimal] | None = None


@dataclass(frozen=True, slots=True)
class LoggedContact:
    """A contact about the debt, from the case's contact log, as a document may state it
    (texts already in the document's language; the agent's phone numbers masked).

    Attributes:
        when: when it happened (the lender's local time).
        channel: the channel's name (电话, 在线客服 …).
        collector: whether it was a collector's call (not the person contacting the lender).
        agent: the agent's name or staff number, masked ("" for none).
        reference: a reference or ticket number ("" for none).
        asked: what the person asked for ("" for none).
        offered: what the lender offered ("" for none).
        outcome: what came of it: ``refused``, ``pending``, ``accepted`` or "" (not one of
            these; see ``outcome_text``).
        outcome_text: the outcome as logged, shown when ``outcome`` is "".
    """

    when: datetime
    channel: str
    collector: bool = False
    agent: str = ""
    reference: str = ""
    asked: str = ""
    offered: str = ""
    outcome: str = ""
    outcome_text: str = ""


@dataclass(frozen=True, slots=True)
class FlaggedCall:
    """A logged collector call that breaks the collection rules (an alert of
    :func:`xieshang.engine.followup.follow_up`), with the rule's public source.

    Attributes:
        when: when the call came.
        rule: ``quiet_hours`` (a call in the hours collection is not allowed) or
            ``over_limit`` (more calls that day than allowed).
        start: the quiet hours' start (``22:00``).
        end: their end (``08:00``).
        count: the calls logged that day (``over_limit``).
        limit: the calls a day allowed.
        confidence: the rule's confidence mark (``S`` …).
        urls: the rule's public sources.
        notes: what the person noted about the call (phone numbers masked; "" for none).
    """

    when: datetime
    rule: str
    start: str = ""
    end: str = ""
    count: int = 0
    limit: int = 0
    confidence: str = ""
    urls: tuple[str, ...] = ()
    notes: str = ""


#: The product kinds the online-lending collection rules (quiet hours, calls a day) bind:
#: a platform's monthly bill (花呗, 白条) and a cash loan (借呗, 微粒贷).
ONLINE_KINDS = frozenset({"bill", "cash_loan"})

#: At most this many web addresses are cited for the collection rules in a document.
CALL_SOURCES = 2


def cited(urls: Sequence[str]) -> list[str]:
    """Public sources as a reader can look them up: a law's text from the LawRefBook
    collection (``LawRefBook/Laws/民法典/总则.md``) as the law's title (``《民法典》总则``),
    a web address as it is (:func:`xieshang.engine.preset.public_sources`)."""
    return list(public_sources(urls))


def base_lang(lang: str) -> str:
    """The language a context is built in: ``en`` or ``zh`` (zh-Hant is converted from zh)."""
    return "en" if lang.lower().startswith("en") else "zh"


def _percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


def _first_due(rung: Rung) -> str:
    if rung.evaluation is None or not rung.evaluation.schedule.rows:
        return ""
    due = rung.evaluation.schedule.rows[0].due
    return "" if due is None else due.isoformat()


def _rung(rung: Rung, lang: str) -> dict[str, Any]:
    evaluation = rung.evaluation
    return {
        "level": rung.level.value,
        "label": rung.label.get(lang),
        "periods": rung.periods,
        "monthly": format_money(rung.monthly),
        "monthly_capitals": money_in_capitals(rung.monthly),
        "total": "" if evaluation is None else format_money(evaluation.total_paid),
        "total_capitals": "" if evaluation is None else money_in_capitals(
            evaluation.total_paid),
        "cost": "" if evaluation is None else format_money(evaluation.schedule.total_cost),
        "no_cost": evaluation is not None and evaluation.schedule.total_cost == 0,
        "waived": "" if evaluation is None or evaluation.waived == 0
        else format_money(evaluation.waived),
        "apr": "" if evaluation is None else _percent(evaluation.apr_nominal),
        "first_due": _first_due(rung),
        "last_due": "" if evaluation is None or not evaluation.schedule.rows
        or evaluation.schedule.rows[-1].due is None
        else evaluation.schedule.rows[-1].due.isoformat(),
        "rows": [] if evaluation is None else [
            {"period": row.period, "due": "" if row.due is None else row.due.isoformat(),
             "amount": format_money(row.payment)} for row in evaluation.schedule.rows],
    }


def build_context(
    *,
    lang: str,
    today: date,
    applicant: str,
    account: str,
    preset: Preset,
    bill: Bill,
    ladder: Ladder | None,
    settings: NegotiationData,
    reason: str = "other",
    reason_note: str = "",
    since: date | None = None,
    recovery: date | None = None,
    evidence: Sequence[str] = (),
    spending: Sequence[str] = (),
    household: bool = False,
    lender: str = "",
    contacts: Sequence[LoggedContact] = (),
    calls: Sequence[FlaggedCall] = (),
    agreed: AgreedTerms | None = None,
    identifiers: Identifiers | None = None,
    statement: BudgetStatement | None = None,
    law: Law,
) -> dict[str, Any]:
    """The template values for one debt.

    Args:
        lang: ``zh``, ``zh-Hant`` or ``en`` (zh-Hant uses the zh values).
        today: the date the document is written.
        applicant: the person's name as it may appear (masked by the caller; "" for none).
        account: the account or card number, masked by the caller ("" for none).
        preset: the product's rules (names, channels, personalised installments).
        bill: what is owed today (from the engine).
        ladder: the debt's proposal ladder (:func:`xieshang.engine.negotiation.build_ladder`);
            ``None`` without a budget (``budget`` is then false: only the documents that state
            no share or proposal can be rendered — complaint, public post, confirmation).
        settings: the negotiation data (official channels: 12378 …).
        reason: the hardship reason id (``income_loss``, ``forgot`` …).
        reason_note: the person's own words about it (shown as one sentence, its end
            punctuation added when missing).
        since: when the hardship began, if known.
        recovery: when the person expects it to improve, if known.
        evidence: the kinds of hardship evidence recorded (``medical``, ``income`` …; see
            :data:`xieshang.services.cases.EVIDENCE_KINDS`), each once, in the order given.
        spending: the budget's essential spending categories with an amount, as named in the
            document's language (``房租``, ``饮食`` …).
        household: whether the budget's income is a household's (more than one adult or a
            partner's wages), not the person's alone.
        lender: the lender's name as the person entered it ("" for the preset's).
        contacts: the contacts about the debt logged so far (none: the documents claim no
            contact).
        calls: the logged collector calls that break the collection rules (the online-lending
            rules, which bind an online lender's product — a monthly bill or a cash loan,
            ``online`` true; the banks' collection guideline for a bank's card or loan,
            ``bank_rules`` true; for any other product the documents state the calls as facts
            and cite the product's own rule).
        agreed: the arrangement the lender agreed to, once an offer is accepted: the
            documents then state it instead of the ladder's ask.
        identifiers: the person's identifiers unmasked, only when they chose to put them in
            the document they send (``None``: the masked ``applicant`` and ``account``).
        statement: the budget as the lender may see it (the budget statement; ``None``
            without a budget).
        law: the rules whose quiet hours the letters state (``quiet``: the banks'
            guideline for a bank's card or loan, the online-lending rules otherwise).

    Returns:
        A dict of plain values (strings, numbers, lists and dicts, never ``None``).
    """
    code = base_lang(lang)
    bank_rules = call_rules_for(preset.product_kind.value,
                                preset.lender_type.value) is CallRules.BANK
    quiet = law.bank_collection if bank_rules else law.collection
    official = {item.id: {"name": item.name.get(code), "value": item.value,
                          "good_for": item.good_for.get(code)}
                for item in settings.official}
    return {
        "lang": code,
        "today": today.isoformat(),
        "applicant": applicant,
        "account": account,
        "lender": lender or preset.lender.get(code),
        "lender_named": bool(lender),
        # the lender inside an English sentence ("complain to the card-issuing bank")
        "lender_mid": _mid(lender or preset.lender.get(code)),
        "product": _spoken_name(preset.name.get(code)),
        "product_kind": preset.product_kind.value,
        "lender_type": preset.lender_type.value,
        "with_ids": identifiers is not None,
        "ids": {"name": "", "id_number": "", "phone": "", "account": ""}
        if identifiers is None else {
            "name": identifiers.name, "id_number": identifiers.id_number,
            "phone": identifiers.phone, "account": identifiers.account},
        "statement": {} if statement is None else _statement(statement),
        "personalised": preset.negotiation.personalised_installments,
        "bill": {
            "as_of": bill.as_of.isoformat(),
            "total": format_money(bill.total),
            "total_capitals": money_in_capitals(bill.total),
            "principal": format_money(bill.principal),
            "interest": format_money(bill.interest),
            "penalty": format_money(bill.penalty),
            "fees": format_money(bill.fees),
            "has_penalty": bill.penalty > 0,
            "has_interest": bill.interest > 0,
            "has_fees": bill.fees > 0,
            "days_overdue": bill.days_overdue,
            "daily": format_money(bill.daily_cost),
        },
        # the small-amount path: this month's budget clears the whole amount owed
        "pay_now": statement is not None and 0 < bill.total <= statement.available,
        "reason": reason,
        "reason_note": sentence(reason_note, code),
        "since": "" if since is None else since.isoformat(),
        "recovery": "" if recovery is None else recovery.isoformat(),
        "evidence": list(dict.fromkeys(evidence)),
        "spending": list(dict.fromkeys(spending)),
        "household": household,
        **_ladder(ladder, code),
        "channels": [{"kind": channel.kind, "name": channel.name.get(code),
                      "value": channel.value,
                      "hours": "" if channel.hours is None else channel.hours.get(code),
                      "good_for": "" if channel.good_for is None
                      else channel.good_for.get(code)}
                     for channel in preset.channels],
        "nfra": official.get("nfra_12378", {"name": "12378", "value": "12378"}),
        "lender_complaint": official.get("lender_complaint",
                                         {"name": "", "value": "", "good_for": ""}),
        "rights": [{"text": item.text.get(code), "cited": cited(item.source.urls)[:2]}
                   for item in settings.rights.for_kind(preset.product_kind,
                                                        preset.lender_type)],
        # the rules a complaint names as broken for this kind of lender (rights data)
        "lender_rules": [rule.get(code) for rule in settings.rights.rules_broken(
            preset.product_kind, preset.lender_type)],
        "agreed": {} if agreed is None else _agreed(agreed),
        "online": preset.product_kind.value in ONLINE_KINDS,
        # a bank's card or loan: calls are checked against the banks' collection guideline
        # (self-regulation, not a law); "checked": the calls are checked against some rules
        "bank_rules": bank_rules,
        # the quiet hours of those rules (no collection from … until …)
        "quiet": {"start": quiet.quiet_from.strftime("%H:%M"),
                  "end": quiet.quiet_until.strftime("%H:%M")},
        "checked": preset.product_kind.value in ONLINE_KINDS or call_rules_for(
            preset.product_kind.value, preset.lender_type.value) is CallRules.BANK,
        **_history(contacts, calls, agreed=agreed is not None, today=today),
    }


def _mid(name: str) -> str:
    return "the " + name[4:] if name.startswith("The ") else name


def _statement(statement: BudgetStatement) -> dict[str, Any]:
    return {"income": format_money(statement.income),
            "spending": [{"label": label, "amount": format_money(amount)}
                         for label, amount in statement.spending],
            "spent": format_money(sum((amount for _l, amount in statement.spending),
                                      Decimal("0.00"))),
            "available": format_money(statement.available),
            "creditors": [{"name": name, "owed": format_money(owed),
                           "share": format_money(share)}
                          for name, owed, share in statement.creditors],
            "owed": format_money(sum((owed for _n, owed, _s in statement.creditors),
                                     Decimal("0.00"))),
            "adults": statement.adults, "children": statement.children,
            "dependants": statement.dependants,
            "savings": None if statement.savings is None else {
                "name": statement.savings[0], "amount": format_money(statement.savings[1])}}


def _ladder(ladder: Ladder | None, code: str) -> dict[str, Any]:
    """The ladder's values (``budget`` false and empty values without one)."""
    if ladder is None:
        return {"budget": False, "affordable": "", "affordable_capitals": "", "income": "",
                "outcome": "", "max_term": 0, "rungs": [], "ask": {}, "fallback": {},
                "walk_away": {}, "review_months": 0, "breathing_months": 0}
    rungs = [_rung(rung, code) for rung in ladder.rungs]
    plan = ladder.outcome.value == "plan"
    return {
        "budget": True,
        "affordable": format_money(ladder.affordable),
        "affordable_capitals": money_in_capitals(ladder.affordable),
        "income": "" if ladder.income is None else format_money(ladder.income),
        "outcome": ladder.outcome.value,
        "max_term": ladder.max_term,
        "rungs": rungs,
        "ask": rungs[0],
        "fallback": rungs[1] if plan and len(rungs) > 2 else {},
        "walk_away": rungs[-1],
        "review_months": ladder.rules.token_review_months,
        "breathing_months": ladder.rules.breathing_months,
    }


#: Sentence ends a person's note may already have.
_ENDS = "。．.!！?？…”\"'）)"


def sentence(text: str, lang: str = "zh") -> str:
    """A person's own words as a sentence of a document: one line, and a full stop (``。``,
    or ``.`` in English) added when the text does not end a sentence already ("" stays "")."""
    line = " ".join(text.split()).rstrip(",，;；、:： ")
    line = re.sub(r"\s*([，。；：、！？）”])\s*", r"\1", line)  # no space beside 。，
    if not line or line.endswith(tuple(_ENDS)):
        return line
    return line + ("." if lang == "en" else "。")


#: Confidence marks from the surest to the least sure.
_WEAKNESS = {"V": 0, "USER": 0, "S": 1, "C": 2, "NF": 3}


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _history(contacts: Sequence[LoggedContact], calls: Sequence[FlaggedCall], *,
             agreed: bool = False, today: date | None = None) -> dict[str, Any]:
    """The contact log as the documents state it: every contact in time order, the latest
    one's outcome (``none`` when nothing is logged, ``other`` when the outcome is not one of
    refused / pending / accepted; ``accepted`` whenever an arrangement was ``agreed``) and
    the flagged collector calls."""
    ordered = sorted(contacts, key=lambda contact: contact.when)
    shown = [{"when": _when(c.when), "channel": c.channel, "collector": c.collector,
              "agent": c.agent, "reference": c.reference, "asked": _phrase(c.asked),
              "offered": _phrase(c.offered), "outcome": c.outcome,
              "outcome_text": _phrase(c.outcome_text)}
             for c in ordered]
    status = "none" if not ordered else (ordered[-1].outcome or "other")
    if agreed:  # an accepted arrangement is the latest word, whatever the log says
        status = "accepted"
    sources = cited([url for call in calls for url in call.urls])[:CALL_SOURCES]
    # the weakest mark among the rules cited
    marks = sorted({call.confidence for call in calls if call.confidence},
                   key=lambda mark: _WEAKNESS.get(mark, len(_WEAKNESS)))
    # the days since the person last contacted the lender (collector calls left out)
    own = [c for c in ordered if not c.collector]
    waited = 0 if not own or today is None else (today - own[-1].when.date()).days
    return {
        "contacts": shown,
        "latest": shown[-1] if shown else {},
        "waited": waited,
        "refusals": [row for row, c in zip(shown, ordered, strict=True)
                     if c.outcome == "refused"],
        "status": status,
        "calls": [{"when": _when(call.when), "date": call.when.date().isoformat(),
                   "time": call.when.strftime("%H:%M"), "rule": call.rule,
                   "start": call.start, "end": call.end, "count": call.count,
                   "limit": call.limit, "confidence": call.confidence,
                   "notes": _phrase(call.notes),
                   "sources": cited(call.urls)}
                  for call in sorted(calls, key=lambda call: (call.when, call.rule))],
        "call_sources": sources,
        "call_confidence": marks[-1] if marks else "",
    }


def _phrase(text: str) -> str:
    """A logged text as part of a sentence: one line, without its own closing punctuation
    (the template ends the sentence)."""
    return " ".join(text.split()).rstrip("。．.;；,，!！ ")


@dataclass(frozen=True)
class AgreedTerms:
    """An accepted arrangement as the documents state it.

    Attributes:
        accepted_on: the day it was agreed.
        down_payment: paid first (0 for none).
        payments: the regular payments after it: (date, amount), in date order.
    """

    accepted_on: date
    down_payment: Decimal
    payments: tuple[tuple[date, Decimal], ...]

    @property
    def total(self) -> Decimal:
        return self.down_payment + sum((amount for _day, amount in self.payments), Decimal(0))

    @property
    def monthly(self) -> Decimal:
        """The regular payment: the most frequent amount (the first on a tie)."""
        amounts = [amount for _day, amount in self.payments]
        return max(amounts, key=lambda amount: (amounts.count(amount), -amounts.index(amount)))


def _agreed(terms: AgreedTerms) -> dict[str, Any]:
    monthly = terms.monthly
    return {
        "rows": [{"period": index, "due": day.isoformat(), "amount": format_money(amount)}
                 for index, (day, amount) in enumerate(terms.payments, start=1)],
        "accepted_on": terms.accepted_on.isoformat(),
        "periods": len(terms.payments),
        "monthly": format_money(monthly),
        "uneven": any(amount != monthly for _day, amount in terms.payments),
        "first": terms.payments[0][0].isoformat() if terms.payments else "",
        "last": terms.payments[-1][0].isoformat() if terms.payments else "",
        "total": format_money(terms.total),
        "down": format_money(terms.down_payment) if terms.down_payment > 0 else "",
    }


def figures(bill: Bill, ladder: Ladder | None, agreed: AgreedTerms | None = None,
            statement: BudgetStatement | None = None) -> frozenset[str]:
    """Every amount (``¥1,234.50``) a document of this debt may show: the bill, the budget's
    share and income, each rung's payment, total, cost and waiver, an agreed arrangement's
    payments and total, and the budget statement's lines and totals."""
    values: list[Decimal] = [bill.total, bill.principal, bill.interest, bill.penalty,
                             bill.fees, bill.daily_cost]
    if statement is not None:
        values += [statement.income, statement.available,
                   *(amount for _label, amount in statement.spending),
                   sum((amount for _label, amount in statement.spending), Decimal("0.00")),
                   *(owed for _n, owed, _s in statement.creditors),
                   *(share for _n, _o, share in statement.creditors),
                   sum((owed for _n, owed, _s in statement.creditors), Decimal("0.00")),
                   *((statement.savings[1],) if statement.savings is not None else ())]
    if agreed is not None:
        values += [agreed.total, agreed.down_payment, *(a for _day, a in agreed.payments)]
    if ladder is None:
        return frozenset(format_money(value) for value in values)
    values.append(ladder.affordable)
    if ladder.income is not None:
        values.append(ladder.income)
    for rung in ladder.rungs:
        values.append(rung.monthly)
        if rung.evaluation is not None:
            values += [rung.evaluation.total_paid, rung.evaluation.schedule.total_cost,
                       rung.evaluation.waived]
    return frozenset(format_money(value) for value in values)


def _spoken_name(name: str) -> str:
    """A product's name as a person says it: a generic preset's "（通用）" / " (generic)"
    qualifier is for choosing the preset, not for a letter ("我是银行信用卡用户")."""
    for qualifier in ("（通用）", " (generic)"):
        name = name.removesuffix(qualifier)
    return name
