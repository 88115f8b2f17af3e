"""The values a debt's documents are rendered from, and the case dossier: the case file
(hardship, budget, contact log, evidence) put in words in the language the document is
written in (an :class:`xieshang.output.Output`), for :func:`xieshang.documents.build_context`
and :class:`xieshang.documents.dossier.Dossier`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xieshang.clock import today as session_today
from xieshang.present import debt_name, mark_words, masked
from xieshang.services.cases import find_case, find_debt
from xieshang.services.negotiation import (
    ASKED,
    BILL_ROWS,
    DebtInputs,
    agreed_terms,
    bill_today,
    debt_contacts,
    debt_ladder,
    format_percent,
    identifiers_of,
    negotiation_data,
    )

if TYPE_CHECKING:
    from xieshang.documents import BudgetStatement
    from xieshang.engine.bill import Bill
    from xieshang.engine.negotiation import Ladder
    from xieshang.engine.preset import Preset
    from xieshang.engine.timeline import Law
    from xieshang.output import Output
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Debt

__all__ = ["budgetless_context", "case_dossier", "case_facts", "document_context",
           "document_history", "lender_statement"]


#: Each call alert's kind in the documents.
_CALL_RULES = {"call_in_quiet_hours": "quiet_hours", "calls_over_limit": "over_limit"}


def _agent(out: Output, contact: Any) -> str:
    """Who answered, as a document names them: name and staff number, phone numbers
    masked."""
    from xieshang.engine.identity import mask_phone_numbers

    name, staff = contact.agent_name, contact.agent_id
    if name and staff:
        text = out._("{name}, staff number {id}").format(name=name, id=staff)
    elif staff:
        text = out._("staff number {id}").format(id=staff)
    else:
        text = name
    return mask_phone_numbers(text)


def document_history(out: Output, tx: Tx, case: Case, debt: Debt, day: date) -> dict[str, Any]:
    """What the contact log says about ``debt`` for its documents (the ``contacts`` and
    ``calls`` of :func:`xieshang.documents.build_context`): every contact about repayment
    (a collector's call counts when something was asked, offered or answered in it), in
    ``out``'s language with the agent's phone numbers masked, and the collector calls that
    break the collection rules with the rule's public source."""
    from xieshang.documents import FlaggedCall, LoggedContact
    from xieshang.engine.identity import mask_phone_numbers
    from xieshang.rules import law
    from xieshang.services.contacts import CHANNELS, OUTCOMES, call_alerts, outcome_kind

    _ = out._
    found = debt_contacts(tx, case, debt, day)
    contacts = []
    for contact in found:
        collector = contact.channel == "collector_call"
        if collector and not (contact.asked or contact.offered or contact.outcome):
            continue
        kind = outcome_kind(contact.outcome)
        asked = contact.asked
        if asked in ASKED:
            asked = _(ASKED[asked])
        contacts.append(LoggedContact(
            when=contact.happened_at, channel=_(CHANNELS.get(contact.channel, contact.channel)),
            collector=collector,
            agent=_agent(out, contact),
            reference=contact.reference, asked=asked, offered=contact.offered, outcome=kind,
            outcome_text="" if kind else _(OUTCOMES.get(contact.outcome, contact.outcome))))
    rules = law()
    by_id = {contact.id: contact for contact in found}
    calls = []
    for alert in call_alerts(found, day, debt):
        # the alert names the rule it applies: the online-lending rules or the banks' guideline
        source = rules.source_of(alert.rule)
        bank = alert.rule.startswith("bank_collection.")
        quiet = rules.bank_collection if bank else rules.collection
        limit = (rules.bank_collection.max_unanswered_attempts_per_day if bank
                 else rules.collection.max_effective_calls_per_day)
        notes = "" if len(alert.contact_ids) != 1 else by_id[alert.contact_ids[0]].notes
        calls.append(FlaggedCall(
            when=min(by_id[i].happened_at for i in alert.contact_ids),
            rule=_CALL_RULES[alert.code.value], notes=mask_phone_numbers(notes),
            start=quiet.quiet_from.strftime("%H:%M"), end=quiet.quiet_until.strftime("%H:%M"),
            count=len(alert.contact_ids), limit=limit,
            confidence=source.confidence.value, urls=source.urls))
    return {"contacts": contacts, "calls": calls, "quiet_hours": quiet_hours()}


def quiet_hours(rules: Law | None = None) -> dict[str, dict[str, str]]:
    """The hours without collection, from the rule data (``rules``, by default the built-in
    law): ``online`` (the online-lending rules) and ``bank`` (the banks' guideline), each
    ``{"start": "HH:MM", "end": "HH:MM"}`` (the documents' ``quiet_hours``)."""
    if rules is None:
        from xieshang.rules import law

        rules = law()
    return {kind: {"start": quiet.quiet_from.strftime("%H:%M"),
                   "end": quiet.quiet_until.strftime("%H:%M")}
            for kind, quiet in (("online", rules.collection), ("bank", rules.bank_collection))}


def _shown(value: str | None) -> str:
    """A masked value for a document: "" when absent or locked (encrypted)."""
    return "" if value is None or value.startswith("🔒") else value


def case_facts(out: Output, tx: Tx, case: Case, debt: Debt) -> dict[str, Any]:
    """What the case file says about the person's situation, as
    :func:`xieshang.documents.build_context` takes it: the hardship (reason, the person's
    note, since, expected recovery), the kinds of hardship evidence recorded (for the case
    or this debt; contact evidence left out), the budget's essential spending categories
    with an amount (named in ``out``'s language) and whether its income is a household's."""
    from xieshang.documents import base_lang
    from xieshang.services.budget import current_budget, norms
    from xieshang.store.model import BudgetEntry, Evidence, Hardship

    found = tx.find(Hardship, case_id=case.id)
    hardship = found[-1] if found else None
    evidence = [item.kind for item in sorted(tx.find(Evidence, case_id=case.id),
                                             key=lambda e: (e.added_on, e.id))
                if item.contact_id is None and item.debt_id in (None, debt.id)]
    spending: list[str] = []
    household = False
    budget = current_budget(tx, case, create=False)
    if budget is not None:
        rules = norms()
        code = base_lang(out.lang)
        entries = tx.find(BudgetEntry, statement_id=budget.id)
        known = {category.id: category for category in rules.categories}
        for entry in entries:
            category = known.get(entry.category)
            if (entry.section != "income" and entry.amount > 0 and category is not None
                    and category.essential):
                spending.append(category.label.get(code))
        household = budget.adults > 1 or any(
            entry.section == "income" and entry.category == "wages_partner"
            and entry.amount > 0 for entry in entries)
    return {"reason": hardship.reason if hardship else "other",
            "reason_note": hardship.description if hardship else "",
            "since": hardship.since if hardship else None,
            "recovery": hardship.recovery if hardship else None,
            "evidence": evidence, "spending": spending, "household": household}


def document_context(out: Output, tx: Tx, inputs: DebtInputs, *,
                     with_identifiers: bool = False) -> dict[str, Any]:
    """The values the debt's documents are rendered from (``xieshang script``): the bill,
    the ladder, the case's hardship (:func:`case_facts`), the person's name and the account
    masked (left out when encrypted and locked), the contact log about the debt and the
    collector calls that break the rules (:func:`document_history`), the budget as a lender
    may see it (:func:`lender_statement`), in ``out``'s language (for zh-Hant: zh).

    ``with_identifiers``: the person chose, and confirmed, to put their name, ID number,
    phone and card or account number unmasked in the document they will send
    (:func:`~xieshang.services.negotiation.identifiers_of`); they go into that document only,
    never into a log."""
    return _context(out, tx, inputs.case, inputs.debt, inputs.day, bill=inputs.bill,
                    preset=inputs.preset, ladder=inputs.ladder,
                    with_identifiers=with_identifiers,
                    statement=lender_statement(out, tx, inputs.case, inputs.day))


def lender_statement(out: Output, tx: Tx, case: Case, day: date) -> BudgetStatement | None:
    """The budget as a lender may see it (the ``budget`` document, attached to the
    application): monthly income, the essential spending the working subtracts (priority
    obligations and essential costs, by category, and the emergency buffer), what is left for
    all debts, and each open debt's fair share with what it owes — no ladder, no walk-away
    point. ``None`` without a budget."""
    from xieshang.documents import BudgetStatement, base_lang
    from xieshang.services.budget import budget_view, norms, savings_split
    from xieshang.store.model import Debt

    view = budget_view(tx, case, "pro_rata", as_of=day)
    if view is None:
        return None
    code = base_lang(out.lang)
    known = {category.id: category for category in norms().categories}
    spending: dict[str, Decimal] = {}
    for entry in view.entries:
        category = known.get(entry.category)
        if entry.section == "income" or entry.amount <= 0 or category is None:
            continue
        if entry.section == "priority" or category.essential:
            label = category.label.get(code)
            spending[label] = spending.get(label, Decimal("0.00")) + entry.amount
    result = view.affordability
    if result.buffer > 0:
        spending[out._("Emergency buffer")] = result.buffer
    debts = {debt.id: debt for debt in tx.find(Debt, case_id=case.id)}
    # savings put towards one debt are said once, not mixed into the monthly shares (the
    # statement says the month's money is shared in proportion to what each is owed)
    directed = view.directed
    creditors = tuple((_creditor(out, debts[part.debt]), part.balance,
                       part.amount - directed.get(part.debt, Decimal("0.00")))
                      for part in view.parts)
    savings = None
    split_now = savings_split(tx, case, day)
    if split_now is not None and split_now["to"] is not None:
        savings = (_creditor(out, debts[split_now["to"]]),
                   split_now["parts"][split_now["to"]])
    budget = view.budget
    return BudgetStatement(income=result.income, spending=tuple(spending.items()),
                           available=view.available - sum(directed.values(), Decimal("0.00")),
                           creditors=creditors, savings=savings,
                           adults=budget.adults,
                           children=budget.children_0_4 + budget.children_5_10
                           + budget.children_11_17,
                           dependants=budget.dependants)


def _creditor(out: Output, debt: Debt) -> str:
    """A creditor as the budget statement names it: the lender as entered, or the
    product's lender, with the product."""
    from xieshang.services.cases import preset_of

    preset = preset_of(debt)
    lender = debt.lender or preset.lender.get("en" if out.lang == "en" else "zh")
    product = debt.label or preset.name.get("en" if out.lang == "en" else "zh")
    for qualifier in ("（通用）", " (generic)"):
        product = product.removesuffix(qualifier)
    return f"{lender}（{product}）" if out.lang != "en" else f"{lender} ({product})"


def budgetless_context(out: Output, tx: Tx, case_id: str | None, debt_id: str | None, *,
                       today: date | None = None,
                       with_identifiers: bool = False) -> dict[str, Any]:
    """The values for the documents in :data:`WITHOUT_BUDGET` when the case has no budget
    yet: as :func:`document_context`, without a ladder (``budget`` false)."""
    from xieshang.services.cases import preset_of

    case = find_case(tx, case_id)
    debt = find_debt(tx, case, debt_id)
    day = today if today is not None else session_today()
    return _context(out, tx, case, debt, day, bill=bill_today(tx, debt, day),
                    preset=preset_of(debt), ladder=None, with_identifiers=with_identifiers)


def _context(out: Output, tx: Tx, case: Case, debt: Debt, day: date, *, bill: Bill,
             preset: Preset, ladder: Ladder | None, with_identifiers: bool = False,
             statement: BudgetStatement | None = None) -> dict[str, Any]:
    from xieshang.documents import build_context

    person = case.full_name or case.name
    history = document_history(out, tx, case, debt, day)
    return build_context(
        identifiers=identifiers_of(case, debt) if with_identifiers else None,
        statement=statement,
        agreed=agreed_terms(tx, debt, day),
        lang=out.lang, today=day, applicant=_shown(masked(out, "name", person)),
        account=_shown(masked(out, "account", debt.account_number)),
        preset=preset, bill=bill, ladder=ladder, settings=negotiation_data(),
        no_rate=(preset.product_kind.value == "informal" and not debt.contract_rate
                 and not debt.penalty_daily_rate),
        lender=debt.lender, **case_facts(out, tx, case, debt), **history)


def _evidence_index(out: Output, tx: Tx, case: Case) -> list[tuple[str, ...]]:
    """The case's evidence files, oldest first: (file, kind, note, added, SHA-256, check).
    Contact evidence names the contact (when and channel); the check says whether the file
    is still where it was and unchanged (only the fingerprint is kept when it was recorded
    without a path)."""
    from pathlib import Path

    from xieshang.services.cases import EVIDENCE_KINDS, file_state
    from xieshang.services.contacts import CHANNELS
    from xieshang.store.model import Contact, Evidence

    _ = out._
    states = {"ok": _("unchanged"), "changed": _("changed since added"),
              "missing": _("file not found")}
    rows: list[tuple[str, ...]] = []
    for item in sorted(tx.find(Evidence, case_id=case.id), key=lambda e: (e.added_on, e.id)):
        path = Path(item.path)
        kind = _(EVIDENCE_KINDS.get(item.kind, EVIDENCE_KINDS["other"]))
        contact = None if item.contact_id is None else tx.get(Contact, item.contact_id)
        if contact is not None:
            kind = _("Contact evidence: {when}, {channel}").format(
                when=contact.happened_at.isoformat(sep=" ", timespec="minutes"),
                channel=_(CHANNELS.get(contact.channel, contact.channel)))
        else:
            kind = _("Hardship evidence: {kind}").format(kind=kind)
        state = (_("only the fingerprint is kept") if not path.is_absolute()
                 else states[file_state(item)])
        note = "" if item.note == "contact" and contact is not None else item.note
        rows.append((path.name, kind, note, item.added_on.isoformat(), item.sha256, state))
    return rows


def _ahead(out: Output, tx: Tx, debts: list[Debt], day: date) -> list[Any]:
    """The milestones still to come for the debts (from ``day`` on, then the undated ones),
    each with its public sources and confidence mark. A rule that reads the same for several
    debts (the limitation period …) is listed once, naming them all."""
    from xieshang.documents import cited
    from xieshang.documents.dossier import DossierMilestone
    from xieshang.engine.timeline import timeline
    from xieshang.rules import law
    from xieshang.services.debts import current_bill

    rules = law()
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for debt in debts:
        _bill, engine_debt = current_bill(tx, debt, day)
        if engine_debt is None:
            continue
        name = debt_name(out, debt)
        for event in timeline(engine_debt, day, rules):
            if not event.applies or event.passed:
                continue
            title, detail = event.title.get(out.lang), event.detail.get(out.lang)
            key = (event.on, title, detail) if event.on is None else (debt.id, event.id)
            entry = merged.setdefault(key, {"event": event, "debts": []})
            entry["debts"].append(name)
    rows = []
    for entry in merged.values():
        event = entry["event"]
        rows.append(DossierMilestone(
            on=out._("date not known") if event.on is None else event.on.isoformat(),
            debts=(", " if out.lang == "en" else "、").join(entry["debts"]),
            title=event.title.get(out.lang),
            detail=event.detail.get(out.lang),
            amount="" if event.amount_due is None else out.money(event.amount_due),
            sources="; ".join(cited(event.urls)) or out._("no public source recorded"),
            mark=mark_words(out, event.confidence.value)))
    return sorted(rows, key=lambda row: (row.on == out._("date not known"), row.on))


def case_dossier(out: Output, tx: Tx, case_id: str | None, *, today: date | None = None) -> Any:
    """Gather the case into a :class:`xieshang.documents.dossier.Dossier`."""
    from xieshang.documents import DocumentKind, build_context, render_document
    from xieshang.documents.dossier import Dossier, DossierDebt
    from xieshang.engine.bill import Bill
    from xieshang.present.views import budget_report, overdraft_risks, risk_panels
    from xieshang.services.budget import budget_view
    from xieshang.services.cases import REASONS
    from xieshang.services.debts import current_bill, open_debts, own_preset
    from xieshang.store.model import Commitment, Contact, Debt, Hardship

    _ = out._
    case = find_case(tx, case_id)
    day = today if today is not None else session_today()
    found = tx.find(Hardship, case_id=case.id)
    hardship = found[-1] if found else None
    situation: list[tuple[str, str]] = []
    timeline: list[tuple[str, str]] = []
    if hardship is not None:
        situation.append((_("Why behind"), _(REASONS.get(hardship.reason, REASONS["other"]))))
        if hardship.since:
            situation.append((_("Since"), hardship.since.isoformat()))
            timeline.append((hardship.since.isoformat(), _(REASONS.get(hardship.reason,
                                                                       REASONS["other"]))))
        if hardship.recovery:
            situation.append((_("Expected recovery"), hardship.recovery.isoformat()))
        if hardship.description:
            situation.append((_("In your own words"), hardship.description))
    view = budget_view(tx, case, "pro_rata", as_of=day)
    report = budget_report(out, tx, case, "pro_rata", as_of=day)  # the working, in words
    shares = {} if view is None else {part.debt: part.amount for part in view.parts}
    income = None if view is None else view.income
    applicant = _shown(masked(out, "name", case.full_name or case.name))
    debts = []
    for debt in open_debts(tx, case.id):
        preset = own_preset(debt)
        bill, _engine = current_bill(tx, debt, day)
        if bill is None:
            bill = Bill(as_of=day, principal=debt.principal, interest=debt.interest,
                        penalty=debt.penalty, fees=debt.fees)
        name = debt_name(out, debt)
        if debt.due_date is not None:
            timeline.append((debt.due_date.isoformat(),
                             _("{debt}: payment missed").format(debt=name)))
        account = _shown(masked(out, "account", debt.account_number))
        rows, scripts = [], []
        terms = agreed_terms(tx, debt, day)
        if terms is not None:  # the lender agreed: the arrangement, not the ladder
            timeline.append((terms.accepted_on.isoformat(),
                             _("{debt}: arrangement accepted").format(debt=name)))
            rows = [(_("Agreed arrangement"), str(len(terms.payments)),
                     out.money(terms.monthly), out.money(terms.total), "—", "—")]
        if debt.id in shares and bill.total > 0 and terms is not None:
            ladder = debt_ladder(debt, bill, shares[debt.id], day, income)
            context = build_context(
                lang=out.lang, today=day, applicant=applicant, account=account,
                preset=preset, bill=bill, ladder=ladder, settings=negotiation_data(),
                lender=debt.lender, **case_facts(out, tx, case, debt),
                agreed=terms, **document_history(out, tx, case, debt, day))
            scripts = [(_("Request for written confirmation"),
                        render_document(DocumentKind.CONFIRM, context, out.lang))]
        elif debt.id in shares and bill.total > 0:
            ladder = debt_ladder(debt, bill, shares[debt.id], day, income)
            rows = [(rung.label.get(out.lang), str(rung.periods or "—"),
                     out.money(rung.monthly), out.money(rung.total_paid),
                     "—" if rung.evaluation is None
                     else out.money(rung.evaluation.schedule.total_cost),
                     "—" if rung.evaluation is None
                     else format_percent(rung.evaluation.apr_nominal))
                    for rung in ladder.rungs]
            context = build_context(
                lang=out.lang, today=day, applicant=applicant, account=account,
                preset=preset, bill=bill, ladder=ladder, settings=negotiation_data(),
                lender=debt.lender, **case_facts(out, tx, case, debt),
                **document_history(out, tx, case, debt, day))
            scripts = [(_("Phone script"), render_document(DocumentKind.PHONE, context,
                                                           out.lang)),
                       (_("Written application"), render_document(DocumentKind.LETTER,
                                                                  context, out.lang))]
        debts.append(DossierDebt(
            name=name, lender=debt.lender or preset.lender.get(out.lang), account=account,
            bill=[(_(label), out.money(getattr(bill, key))) for key, label in BILL_ROWS],
            days_overdue=bill.days_overdue, ladder=rows, scripts=scripts))
    from xieshang.engine.identity import mask_phone_numbers
    from xieshang.services.contacts import CHANNELS, OUTCOMES, PARTIES, PROMISE_STATUSES

    contacts = []
    found_contacts = sorted(tx.find(Contact, case_id=case.id),
                            key=lambda c: (c.happened_at, c.id))
    for contact in found_contacts:
        when = contact.happened_at.isoformat(sep=" ", timespec="minutes")
        channel = _(CHANNELS.get(contact.channel, contact.channel))
        outcome = _(OUTCOMES[contact.outcome]) if contact.outcome in OUTCOMES \
            else contact.outcome
        contacts.append((when, channel, mask_phone_numbers(
            " / ".join(v for v in (contact.agent_name, contact.agent_id) if v)),
            contact.reference,
            _(ASKED[contact.asked]) if contact.asked in ASKED
            else mask_phone_numbers(contact.asked),
            mask_phone_numbers(contact.offered), outcome, mask_phone_numbers(contact.notes)))
        timeline.append((when, _("Contact by {channel}: {outcome}").format(
            channel=channel, outcome=outcome or "—")))
    commitments = []
    names = {debt.id: debt_name(out, debt) for debt in tx.find(Debt, case_id=case.id)}
    for item in tx.find(Commitment, case_id=case.id):
        party = _(PARTIES.get(item.party, item.party))
        what = item.description or " · ".join(
            part for part in (names.get(item.debt_id or 0, ""), item.condition) if part)
        commitments.append((party, what, out.money(item.amount),
                            "" if item.due_on is None else item.due_on.isoformat(),
                            _("yes") if item.confirmed_in_writing else _("no"),
                            _(PROMISE_STATUSES.get(item.status, item.status))))
        if item.due_on is not None:
            timeline.append((item.due_on.isoformat(), _("{party} promised: {what}").format(
                party=party, what=what or out.money(item.amount))))
    budget = [] if report is None else [
        (step["label"], out.money(step["amount"])) for step in report["affordability"]["steps"]]
    note = "" if report is None else report["affordability"]["explanation"]
    open_ones = open_debts(tx, case.id)
    return Dossier(title=applicant or _("Case {id}").format(id=case.id), today=day.isoformat(),
                   situation=situation, debts=debts, timeline=sorted(timeline),
                   budget=budget, budget_note=note, contacts=contacts,
                   commitments=commitments, evidence=_evidence_index(out, tx, case),
                   ahead=_ahead(out, tx, open_ones, day),
                   risks=[(risk.debt, risk.paragraphs, risk.sources, risk.mark)
                          for risk in risk_panels(out, overdraft_risks(out, tx, case, day))])
