"""The contact log and the promises: reading a contact or a promise as typed, logging and
editing a contact with its evidence (an edit keeps the previous version), recording a
promise and whether it was kept, what needs attention today (alerts) and the reminders as a
calendar.

The command line and the web pages call the same functions in the same two steps: read what
was typed (:func:`contact_fields`, :func:`promise_fields`, :func:`evidence_files`: every
check, no store, every refused field named at once in an
:class:`~xieshang.engine.errors.InputErrors`), then one call in the transaction
(:func:`add_contact`, :func:`edit_contact`, :func:`add_promise`, :func:`set_promise_status`)
that finds the records named and writes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from xieshang.clock import now_utc, today
from xieshang.engine.errors import N_, InputError, StateError
from xieshang.services.cases import FieldChecks, file_sha256, find_debt, parse_id

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from xieshang.documents.calendar import CalendarItem
    from xieshang.engine.followup import Alert, CallRules, Promise
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Commitment, Contact, Debt


__all__ = [
    "CALL_ALERTS",
    "CHANNELS",
    "CONTACT_FIELDS",
    "CONTACT_TEXTS",
    "OUTCOMES",
    "PARTIES",
    "PROMISE_STATUSES",
    "ContactFields",
    "ContactVersion",
    "EvidenceEntry",
    "EvidenceFile",
    "LoggedContact",
    "PromiseFields",
    "add_contact",
    "add_promise",
    "alerts_of",
    "attach_evidence",
    "call_alerts",
    "checked_text",
    "contact_fields",
    "contact_log",
    "contact_versions",
    "contact_when",
    "edit_contact",
    "evidence_files",
    "find_commitment",
    "find_contact",
    "logged_contact",
    "one_of",
    "outcome_kind",
    "promise_amount",
    "promise_due",
    "promise_fields",
    "promises_of",
    "reminders_ics",
    "set_promise_status",
    "shown_contact",
]

#: Contact channels (msgids).
CHANNELS = {
    "phone": N_("phone"),
    "chat": N_("online chat"),
    "app": N_("in the app"),
    "letter": N_("letter"),
    "social": N_("social media"),
    "branch": N_("at a branch"),
    "collector_call": N_("collector's call"),
}


#: Suggested outcomes (stored as typed; these three are shown translated).
OUTCOMES = {"accepted": N_("accepted"), "refused": N_("refused"), "pending": N_("pending")}

#: Words that say what came of a contact when the outcome was typed in words: checked in
#: this order (不同意 is a refusal, not an acceptance).
_OUTCOME_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("refused", ("refus", "declin", "reject", "拒", "不同意", "不接受", "没同意", "未同意")),
    ("pending", ("pending", "wait", "待", "等待", "等通知", "等回复", "审核", "未答复", "没答复",
                 "未回复", "没回复")),
    ("accepted", ("accept", "agreed", "同意", "接受", "答应")),
)


def outcome_kind(text: str) -> str:
    """What came of a contact, from its outcome as typed: ``refused``, ``pending`` or
    ``accepted`` (the codes, their translations or plain words such as 拒绝), or "" when it
    says none of these (or nothing)."""
    cleaned = text.strip().lower()
    if cleaned in OUTCOMES:
        return cleaned
    for kind, words in _OUTCOME_WORDS:
        if any(word in cleaned for word in words):
            return kind
    return ""


#: Who promised (msgids).
PARTIES = {"me": N_("me"), "lender": N_("lender")}


#: Commitment statuses (msgids).
PROMISE_STATUSES = {"pending": N_("not yet kept"), "kept": N_("kept"), "broken": N_("broken")}



def one_of(value: str, known: dict[str, str], field: str) -> str:
    key = value.strip().lower()
    if key not in known:
        raise InputError(field, N_("'{value}' is not one of: {known}"), value=value,
                         known=", ".join(known))
    return key


def checked_text(value: str, field: str, maximum: int = 2000) -> str:
    cleaned = value.strip()
    if len(cleaned) > maximum:
        raise InputError(field, N_("must be at most {maximum} characters"), maximum=maximum)
    return cleaned


def contact_when(text: str, latest: datetime | None = None) -> datetime:
    """``YYYY-MM-DD HH:MM`` (the lender's local time), not after ``latest`` (default: now)."""
    from xieshang.clock import now_local

    cleaned = " ".join(text.strip().replace("T", " ").split())
    try:
        moment = datetime.strptime(cleaned, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InputError("when", N_("'{value}' is not a time; write YYYY-MM-DD HH:MM, e.g. "
                                    "2026-03-09 14:30"), value=text) from None
    if moment > (latest if latest is not None else now_local()):
        raise InputError("when", N_("must not be in the future (got {value})"), value=text)
    return moment


def _amount(text: str, field: str) -> Decimal:
    from xieshang.engine.money import parse_amount

    value = parse_amount(text, field)
    if value <= 0:
        raise InputError(field, N_("must be more than 0 (got {value})"), value=text)
    return value


class EvidenceFile(NamedTuple):
    """An evidence file as recorded: where it is (absolute path, or the uploaded file's name
    when no copy is kept) and its SHA-256 (hex)."""

    path: str
    sha256: str


def evidence_files(files: Sequence[Path]) -> list[EvidenceFile]:
    """Each evidence file's absolute path and SHA-256, read before anything is written."""
    result = []
    for file in files:
        if not file.is_file():
            raise InputError("evidence", N_("file not found: {file}"), file=str(file))
        try:
            result.append(EvidenceFile(str(file.resolve()), file_sha256(file)))
        except OSError as error:
            raise InputError("evidence", N_("cannot read {file}: {error}"), file=str(file),
                             error=error.strerror or str(error)) from None
    return result


def find_contact(tx: Tx, case: Case, ref: str | int, field: str = "contact") -> Contact:
    """The contact ``ref`` (an id as typed) of ``case``."""
    from xieshang.store.model import Contact

    contact = tx.get(Contact, parse_id(ref, field))
    if contact is None or contact.case_id != case.id:
        raise InputError(field, N_("case {case} has no contact {id}; see `xieshang log list`"),
                         case=case.id, id=ref)
    return contact


def find_commitment(tx: Tx, case: Case, ref: str | int) -> Commitment:
    """The commitment ``ref`` (an id as typed) of ``case``."""
    from xieshang.store.model import Commitment

    commitment = tx.get(Commitment, parse_id(ref, "commitment"))
    if commitment is None or commitment.case_id != case.id:
        raise InputError("commitment", N_("case {case} has no commitment {id}; see "
                                          "`xieshang promise list`"), case=case.id, id=ref)
    return commitment


#: A contact's text fields: (record attribute, option/field name, most characters).
CONTACT_TEXTS: tuple[tuple[str, str, int], ...] = (
    ("agent_name", "agent", 200), ("agent_id", "agent_id", 64), ("reference", "reference", 64),
    ("asked", "asked", 2000), ("offered", "offered", 2000), ("outcome", "outcome", 32),
    ("notes", "notes", 4000))


@dataclass(frozen=True)
class ContactFields:
    """A contact's fields as typed and checked, named as the record names them; ``None``:
    not given (a new contact takes the default, an edit leaves the stored value)."""

    happened_at: datetime | None = None
    channel: str | None = None
    agent_name: str | None = None
    agent_id: str | None = None
    reference: str | None = None
    asked: str | None = None
    offered: str | None = None
    outcome: str | None = None
    notes: str | None = None

    def given(self) -> dict[str, Any]:
        """The fields given: record attribute → value."""
        return {item.name: getattr(self, item.name) for item in dataclass_fields(self)
                if getattr(self, item.name) is not None}


def contact_fields(*, when: str | None = None, channel: str | None = None,
                   agent: str | None = None, agent_id: str | None = None,
                   reference: str | None = None, asked: str | None = None,
                   offered: str | None = None, outcome: str | None = None,
                   notes: str | None = None, needed: Collection[str] = ()) -> ContactFields:
    """A contact's fields as typed (``None``: not given; "" is given, and clears a text).

    ``when``: ``YYYY-MM-DD HH:MM``, not in the future; ``channel``: one of
    :data:`CHANNELS`; each text at most as long as :data:`CONTACT_TEXTS` says. ``needed``:
    the fields that must be given (by their names here, e.g. ``("when", "channel")``).
    Raises :class:`InputErrors` naming every refused field, in this order."""
    typed = {"when": when, "channel": channel, "agent": agent, "agent_id": agent_id,
             "reference": reference, "asked": asked, "offered": offered, "outcome": outcome,
             "notes": notes}
    parsers: list[tuple[str, str, Callable[[str], Any]]] = [
        ("happened_at", "when", contact_when),
        ("channel", "channel", partial(one_of, known=CHANNELS, field="channel"))]
    parsers += [(key, name, partial(checked_text, field=name, maximum=maximum))
                for key, name, maximum in CONTACT_TEXTS]
    check = FieldChecks()
    values: dict[str, Any] = {}
    for key, name, parse in parsers:
        text = typed[name]
        if text is None:
            if name in needed:
                check.needed(name)
            continue
        value = check(partial(parse, text))
        if value is not None:
            values[key] = value
    check.done()
    return ContactFields(**values)


def add_contact(tx: Tx, case: Case, *, debt_id: str | int | None, fields: ContactFields,
                evidence: Sequence[EvidenceFile] = (), day: date | None = None) -> Contact:
    """Log a contact about a debt of ``case`` (``debt_id`` as typed; ``None``: the case's
    only debt) with its evidence files (added on ``day``, default: today). The time
    defaults to now, to the minute; the channel is needed."""
    from xieshang.clock import now_local
    from xieshang.store.model import Contact

    if fields.channel is None:
        raise InputError("channel", N_("this field is needed"))
    debt = find_debt(tx, case, None if debt_id is None else str(debt_id))
    values = fields.given()
    values.setdefault("happened_at", now_local().replace(second=0))
    contact = tx.add(Contact(case_id=case.id, debt_id=debt.id, **values))
    attach_evidence(tx, contact, evidence, day)
    return contact


def edit_contact(tx: Tx, case: Case, contact_id: str | int, fields: ContactFields,
                 evidence: Sequence[EvidenceFile] = (), day: date | None = None, *,
                 opened: str | None = None) -> Contact:
    """Change the fields given of the contact ``contact_id`` (as typed) of ``case`` and add
    evidence files; the previous version is kept as a revision (none when nothing changed).
    A time in the stored time's minute keeps the stored time (a form shows minutes).

    ``opened`` is the version an edit form was opened at: when the contact is at another
    one now, :class:`~xieshang.store.db.StaleRecord` is raised and nothing is written."""
    changes = fields.given()
    if not changes and not evidence:
        raise InputError("contact", N_("nothing to change: give at least one option"))
    contact = find_contact(tx, case, contact_id)
    tx.expect_version(contact, opened)
    moment = changes.get("happened_at")
    if moment is not None and moment.replace(second=0) == contact.happened_at.replace(second=0):
        changes["happened_at"] = contact.happened_at
    changed = replace(contact, **changes)
    if changed != contact:
        contact = tx.update(changed)
    attach_evidence(tx, contact, evidence, day)
    return contact


def attach_evidence(tx: Tx, contact: Contact, files: Sequence[tuple[str, str]],
                    day: date | None = None) -> None:
    """Record evidence files (path, SHA-256) for a contact, added on ``day`` (default:
    today)."""
    from xieshang.store.model import Evidence

    kind = "chat" if contact.channel in ("chat", "app", "social") else "other"
    added = day if day is not None else today()
    for path, digest in files:
        tx.add(Evidence(case_id=contact.case_id, sha256=digest, path=path, added_on=added,
                        kind=kind, note="contact", debt_id=contact.debt_id,
                        contact_id=contact.id))


def promise_amount(party: str, text: str | None) -> Decimal | None:
    """A commitment's amount: more than 0 when given; required for a payment I promise."""
    value = _amount(text, "amount") if text is not None and text.strip() else None
    if party == "me" and value is None:
        raise InputError("amount", N_("is required for a payment you promise"))
    return value


def promise_due(text: str, day: date) -> date:
    """A commitment's due date: ``YYYY-MM-DD``, not before ``day``."""
    from xieshang.engine.parsing import parse_date

    due_on = parse_date(text, "due")
    if due_on < day:
        raise InputError("due", N_("must not be in the past (got {value})"),
                         value=due_on.isoformat())
    return due_on


@dataclass(frozen=True)
class PromiseFields:
    """A commitment's fields as typed and checked."""

    party: str
    due_on: date
    amount: Decimal | None = None
    condition: str = ""
    written: bool = False


def promise_fields(*, party: str | None, amount: str | None, due: str | None,
                   condition: str = "", written: bool = False, today: date) -> PromiseFields:
    """A commitment as typed: who promised (``by``: one of :data:`PARTIES`), the amount
    (more than 0; needed for a payment I promise), the due date (``YYYY-MM-DD``, not before
    ``today``), any condition (at most 2,000 characters), whether the lender confirmed it in
    writing. ``None``: not given (the party and the due date are needed); with no known
    party the amount is checked for its own form only. Raises :class:`InputErrors` naming
    every refused field, in this order."""
    check = FieldChecks()
    code: str | None = None
    if party is None:
        check.needed("by")
    else:
        code = check(partial(one_of, party, PARTIES, "by"))
    value = check(partial(promise_amount, code or "lender", amount))
    due_on: date | None = None
    if due is None:
        check.needed("due")
    else:
        due_on = check(partial(promise_due, due, today))
    text = check(partial(checked_text, condition, "condition"))
    check.done()
    if code is None:
        raise StateError("code")
    if due_on is None:
        raise StateError("due_on")
    return PromiseFields(party=code, due_on=due_on, amount=value, condition=text or "",
                         written=written)


def add_promise(tx: Tx, case: Case, *, debt_id: str | int | None, fields: PromiseFields,
                contact_id: str | int | None = None) -> Commitment:
    """Record a commitment about a debt of ``case`` (``debt_id`` as typed; ``None``: the
    case's only debt), agreed in the contact ``contact_id`` when one is given."""
    from xieshang.store.model import Commitment

    debt = find_debt(tx, case, None if debt_id is None else str(debt_id))
    contact = find_contact(tx, case, contact_id) if contact_id is not None else None
    return tx.add(Commitment(
        case_id=case.id, party=fields.party, debt_id=debt.id,
        contact_id=contact.id if contact else None, amount=fields.amount,
        due_on=fields.due_on, condition=fields.condition,
        confirmed_in_writing=fields.written))


def set_promise_status(tx: Tx, case: Case, commitment_id: str | int,
                       status: str) -> Commitment:
    """Mark the commitment ``commitment_id`` (as typed) of ``case`` with ``status`` (one of
    :data:`PROMISE_STATUSES`: kept, broken, or pending again)."""
    code = one_of(status, PROMISE_STATUSES, "status")
    commitment = find_commitment(tx, case, commitment_id)
    if commitment.status != code:
        commitment = tx.update(replace(commitment, status=code))
    return commitment


def promises_of(tx: Tx, case: Case) -> list[Promise]:
    from xieshang.engine.followup import Party, Promise, Status
    from xieshang.store.model import Commitment, Contact

    result = []
    for commitment in tx.find(Commitment, case_id=case.id):
        agreed: date | None = None
        if commitment.contact_id is not None:
            contact = tx.get(Contact, commitment.contact_id)
            agreed = contact.happened_at.date() if contact else None
        elif commitment.created_at is not None:
            agreed = commitment.created_at.date()
        result.append(Promise(
            id=commitment.id, party=Party(commitment.party), due_on=commitment.due_on,
            status=Status(commitment.status), amount=commitment.amount,
            confirmed_in_writing=commitment.confirmed_in_writing, agreed_on=agreed,
            debt_id=commitment.debt_id))
    return result


@dataclass(frozen=True)
class EvidenceEntry:
    """An evidence file kept with a contact: where it is and its SHA-256 when it was added."""

    id: int
    path: str
    sha256: str
    added_on: date


@dataclass(frozen=True)
class LoggedContact:
    """A contact as every front shows it: the texts (agent, staff number, what was asked and
    offered, notes) with phone-length numbers masked — the full text stays in the store and
    in ``xieshang export``. ``channel`` and ``outcome`` are as stored (codes or the typed
    words); the fronts translate :data:`CHANNELS` and :data:`OUTCOMES`."""

    id: int
    when: datetime
    channel: str
    debt_id: int | None
    agent: str
    agent_id: str
    reference: str
    asked: str
    offered: str
    outcome: str
    notes: str
    evidence: tuple[EvidenceEntry, ...]
    version: int


#: A stored contact's fields → the names the fronts show them under (the CLI's options and
#: the web form's fields), in the order they are shown.
CONTACT_FIELDS = (("happened_at", "when"), ("channel", "channel"), ("agent_name", "agent"),
                  ("agent_id", "agent_id"), ("reference", "reference"), ("asked", "asked"),
                  ("offered", "offered"), ("outcome", "outcome"), ("notes", "notes"))


@dataclass(frozen=True)
class ContactVersion:
    """An earlier version of a contact: when it was replaced, its fields as stored (phone
    numbers masked; ``previous`` keyed as stored, for ``--json``) and its non-empty fields
    as shown (``fields``: (name from :data:`CONTACT_FIELDS`, text), in order)."""

    revised_at: datetime
    previous: dict[str, Any]
    fields: tuple[tuple[str, str], ...]


def shown_contact(contact: Contact, evidence: Sequence[EvidenceEntry] = ()) -> LoggedContact:
    """``contact`` as the fronts show it (phone-length numbers masked), with ``evidence``."""
    from xieshang.engine.identity import mask_phone_numbers as shown

    return LoggedContact(
        id=contact.id, when=contact.happened_at, channel=contact.channel,
        debt_id=contact.debt_id, agent=shown(contact.agent_name),
        agent_id=shown(contact.agent_id), reference=contact.reference,
        asked=shown(contact.asked), offered=shown(contact.offered), outcome=contact.outcome,
        notes=shown(contact.notes), evidence=tuple(evidence), version=contact.version)


def logged_contact(tx: Tx, contact: Contact) -> LoggedContact:
    """``contact`` as the fronts show it, with its evidence files."""
    from xieshang.store.model import Evidence

    return shown_contact(contact, [EvidenceEntry(e.id, e.path, e.sha256, e.added_on)
                                   for e in tx.find(Evidence, contact_id=contact.id)])


def contact_log(tx: Tx, case: Case, debt_ref: str | None = None) -> list[LoggedContact]:
    """The case's contacts (only those about debt ``debt_ref`` when given), in time order."""
    from xieshang.store.model import Contact

    where: dict[str, Any] = {"case_id": case.id}
    if debt_ref is not None:
        where["debt_id"] = find_debt(tx, case, debt_ref).id
    contacts = sorted(tx.find(Contact, **where), key=lambda c: (c.happened_at, c.id))
    return [logged_contact(tx, contact) for contact in contacts]


def contact_versions(tx: Tx, contact: Contact) -> list[ContactVersion]:
    """The earlier versions of ``contact``, oldest first (phone numbers masked)."""
    from xieshang.engine.identity import mask_phone_numbers
    from xieshang.store.model import ContactRevision

    versions = []
    for revision in tx.find(ContactRevision, contact_id=contact.id):
        previous = {key: mask_phone_numbers(value) if isinstance(value, str) else value
                    for key, value in dict(revision.previous).items()}
        shown = []
        for key, name in CONTACT_FIELDS:
            value = previous.get(key)
            if value in (None, ""):
                continue
            text = str(value)
            if key == "happened_at":
                text = text.replace("T", " ")[:16]
            shown.append((name, text))
        versions.append(ContactVersion(revision.revised_at, previous, tuple(shown)))
    return versions


def alerts_of(tx: Tx, case: Case, day: date,
              name: Callable[[Debt], str] | None = None) -> list[Alert]:
    """What needs following up on ``day``: the case's commitments and logged collector calls
    through :func:`xieshang.engine.followup.follow_up` (the rules of ``_law.toml``), and the
    payments of accepted arrangements, each naming its debt by the person's label or else by
    ``name`` (the front's namer, in the person's language; default: the product's name in
    the default language)."""
    from xieshang.engine.followup import CallRecord, agreement_alerts, follow_up
    from xieshang.i18n import normalize_lang
    from xieshang.rules import law
    from xieshang.services.arrangements import accepted_arrangement
    from xieshang.services.cases import debt_label
    from xieshang.store.model import Contact, Debt

    debts = {debt.id: debt for debt in tx.find(Debt, case_id=case.id)}
    alone = next(iter(debts.values())) if len(debts) == 1 else None
    calls = [CallRecord(c.id, c.happened_at,
                        _call_rules(debts.get(c.debt_id) if c.debt_id is not None else alone))
             for c in tx.find(Contact, case_id=case.id, channel="collector_call")]
    alerts: list[Alert] = follow_up(promises_of(tx, case), calls, day, law())
    for debt in tx.find(Debt, case_id=case.id, status="arrangement"):
        agreed = accepted_arrangement(tx, debt, day)
        if agreed is not None:
            named = debt.label or (name(debt) if name is not None
                                   else debt_label(debt, normalize_lang(None)))
            alerts += agreement_alerts(named, agreed.progress, day)
    return sorted(alerts, key=lambda alert: alert.on)


# The alerts about collectors' calls: where the know-your-rights card is shown.
CALL_ALERTS = ("calls_over_limit", "call_in_quiet_hours")


def call_alerts(contacts: Sequence[Contact], day: date, debt: Debt | None = None
                ) -> list[Alert]:
    """The alerts about the collector calls among ``contacts`` (e.g. one debt's) seen on
    ``day``: calls in the quiet hours, more calls a day than the rules allow
    (:func:`xieshang.engine.followup.follow_up` with no commitments), under the collection
    rules of ``debt``'s lender kind (the banks' guideline for a bank's card or loan; the
    online-lending rules otherwise, and when no debt is given)."""
    from xieshang.engine.followup import CallRecord, follow_up
    from xieshang.rules import law

    rules = _call_rules(debt)
    calls = [CallRecord(c.id, c.happened_at, rules) for c in contacts
             if c.channel == "collector_call" and c.happened_at.date() <= day]
    return follow_up([], calls, day, law())


def _call_rules(debt: Debt | None) -> CallRules:
    """The collection rules a collector's call about ``debt`` is checked against (the
    online-lending rules when the debt is unknown or its product is not found)."""
    from xieshang.engine.followup import CallRules, call_rules_for
    from xieshang.services.cases import preset_of

    if debt is None:
        return CallRules.ONLINE
    try:
        preset = preset_of(debt)
    except InputError:
        return CallRules.ONLINE
    return call_rules_for(preset.product_kind.value, preset.lender_type.value)


@cache
def _credit_report_where() -> str:
    """Where to get the credit report free: the official website and hotline."""
    from xieshang.engine.negotiation import parse_negotiation_data
    from xieshang.rules import builtin_text

    data = parse_negotiation_data(builtin_text("_negotiation.toml"),
                                  "presets/_negotiation.toml")
    return ", ".join(data.channel(name).value
                     for name in ("credit_centre_web", "credit_centre_hotline"))


def reminders_ics(tx: Tx, case: Case, day: date, gettext: Callable[[str], str],
                  stamp: datetime | None = None, lang: str | None = None,
                  convert: Callable[[str], str] | None = None
                  ) -> tuple[list[CalendarItem], bytes]:
    """The case's reminders seen from ``day`` and their ``.ics`` text (DTSTAMP ``stamp``,
    default: now in UTC): commitments, agreed payments, the credit report and a monthly
    reminder of each open debt's repayment day when it is known. Every entry about a debt
    names its lender and the debt in ``lang`` (``zh`` or ``en``; default: the language
    ``gettext`` speaks), passed through ``convert`` when given (Simplified → Traditional on a
    zh-Hant page)."""
    from xieshang.documents.calendar import DueDay, build_calendar, due_day_items, reminder_items
    from xieshang.rules import law
    from xieshang.services.debts import balance_of, open_debts

    code = lang or ("en" if gettext("Principal") == "Principal" else "zh")
    names = {debt.id: (convert or str)(_lender_and_debt(debt, code))
             for debt in open_debts(tx, case.id)}
    items = reminder_items(case.id, promises_of(tx, case), day, law(), _credit_report_where(),
                           gettext, names)
    dues = [DueDay(debt.id, names[debt.id], debt.due_day, balance_of(tx, debt, day))
            for debt in open_debts(tx, case.id)
            if debt.due_day and debt.status != "arrangement"]
    items = sorted([*items, *_agreed_items(tx, case, day, gettext, names),
                    *due_day_items(case.id, dues, day, gettext)],
                   key=lambda item: (item.on, item.uid))
    moment = stamp if stamp is not None else now_utc()
    return items, build_calendar(items, moment)


def _lender_and_debt(debt: Any, lang: str) -> str:
    """A debt as a calendar names it, in ``lang``: the lender and the person's label (or the
    product), e.g. ``招商银行 · 招行信用卡`` or ``发卡银行 · 银行信用卡``."""
    from xieshang.services.cases import preset_of

    try:
        preset = preset_of(debt)
        lender = debt.lender or preset.lender.get(lang)
        product = preset.name.get(lang).removesuffix("（通用）").removesuffix(" (generic)")
    except InputError:
        lender, product = debt.lender or "", debt.preset_id
    label = debt.label or product
    return f"{lender} · {label}" if lender and lender != label else label


def _agreed_items(tx: Tx, case: Case, day: date, gettext: Callable[[str], str],
                  names: dict[int, str]) -> list[CalendarItem]:
    """The reminders of every accepted arrangement's payments still to pay."""
    from xieshang.documents.calendar import AgreedDue, agreement_items
    from xieshang.i18n import normalize_lang
    from xieshang.services.arrangements import accepted_arrangement
    from xieshang.services.cases import debt_label
    from xieshang.services.debts import open_debts

    items: list[CalendarItem] = []
    for debt in open_debts(tx, case.id, "arrangement"):
        agreed = accepted_arrangement(tx, debt, day)
        if agreed is None:
            continue
        dues = [AgreedDue(number, item.payment.on, item.missing)
                for number, item in enumerate(agreed.progress.installments, 1)
                if item.missing > 0]
        name = names.get(debt.id) or debt_label(debt, normalize_lang(None))
        items += agreement_items(case.id, agreed.proposal_id, name,
                                 agreed.accepted_on, agreed.periods, dues, day, gettext)
    return items
