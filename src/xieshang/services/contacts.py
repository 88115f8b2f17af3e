"""The contact log and the promises: reading a contact or a promise as typed, recording
evidence, what needs attention today (alerts) and the reminders as a calendar."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xieshang.clock import now_utc, today
from xieshang.engine.errors import N_, InputError
from xieshang.services.cases import parse_id

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from xieshang.documents.calendar import CalendarItem
    from xieshang.engine.followup import Alert, Promise
    from xieshang.output import Out
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Commitment, Contact


__all__ = [
    "CALL_ALERTS",
    "CHANNELS",
    "CONTACT_TEXTS",
    "OUTCOMES",
    "PARTIES",
    "PROMISE_STATUSES",
    "alerts_of",
    "attach_evidence",
    "call_alerts",
    "checked_text",
    "contact_when",
    "one_of",
    "outcome_kind",
    "promise_amount",
    "promise_due",
    "promises_of",
    "reminders_ics",
    "shown_rights",
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


def _out(lang: str | None, as_json: bool) -> Out:
    from xieshang.output import Out

    return Out.make(lang, as_json)


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


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _evidence_files(files: tuple[Path, ...]) -> list[tuple[str, str]]:
    """(absolute path, SHA-256) of each evidence file, read before anything is written."""
    result = []
    for file in files:
        if not file.is_file():
            raise InputError("evidence", N_("file not found: {file}"), file=str(file))
        try:
            result.append((str(file.resolve()), _sha256(file)))
        except OSError as error:
            raise InputError("evidence", N_("cannot read {file}: {error}"), file=str(file),
                             error=error.strerror or str(error)) from None
    return result


def _find_contact(tx: Tx, case: Case, ref: str, field: str = "contact") -> Contact:
    from xieshang.store.model import Contact

    contact = tx.get(Contact, parse_id(ref, field))
    if contact is None or contact.case_id != case.id:
        raise InputError(field, N_("case {case} has no contact {id}; see `xieshang log list`"),
                         case=case.id, id=ref)
    return contact


def _find_commitment(tx: Tx, case: Case, ref: str) -> Commitment:
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


def _contact_fields(*, when: str | None, channel: str | None, agent: str | None,
                    agent_id: str | None, reference: str | None, asked: str | None,
                    offered: str | None, outcome: str | None,
                    notes: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if when is not None:
        values["happened_at"] = contact_when(when)
    if channel is not None:
        values["channel"] = one_of(channel, CHANNELS, "channel")
    given = {"agent": agent, "agent_id": agent_id, "reference": reference, "asked": asked,
             "offered": offered, "outcome": outcome, "notes": notes}
    for key, field, maximum in CONTACT_TEXTS:
        value = given[field]
        if value is not None:
            values[key] = checked_text(value, field, maximum)
    return values


def attach_evidence(tx: Tx, contact: Contact, files: list[tuple[str, str]],
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


def alerts_of(tx: Tx, case: Case, day: date) -> list[Alert]:
    """What needs following up on ``day``: the case's commitments and logged collector calls
    through :func:`xieshang.engine.followup.follow_up` (the rules of ``_law.toml``)."""
    from xieshang.engine.followup import CallRecord, follow_up
    from xieshang.rules import law
    from xieshang.store.model import Contact

    calls = [CallRecord(c.id, c.happened_at)
             for c in tx.find(Contact, case_id=case.id, channel="collector_call")]
    alerts: list[Alert] = follow_up(promises_of(tx, case), calls, day, law())
    return alerts


# The alerts about collectors' calls: where the know-your-rights card is shown.
CALL_ALERTS = ("calls_over_limit", "call_in_quiet_hours")


def call_alerts(contacts: Sequence[Contact], day: date) -> list[Alert]:
    """The alerts about the collector calls among ``contacts`` (e.g. one debt's) seen on
    ``day``: calls in the quiet hours, more calls a day than the rules allow
    (:func:`xieshang.engine.followup.follow_up` with no commitments)."""
    from xieshang.engine.followup import CallRecord, follow_up
    from xieshang.rules import law

    calls = [CallRecord(c.id, c.happened_at) for c in contacts
             if c.channel == "collector_call" and c.happened_at.date() <= day]
    return follow_up([], calls, day, law())


def shown_rights(out: Out, shown: bool) -> list[str] | None:
    """The know-your-rights card's key lines, when ``shown`` (else ``None``)."""
    from xieshang.services.negotiation import rights_lines

    return rights_lines(out.lang) if shown else None


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
                  stamp: datetime | None = None) -> tuple[list[CalendarItem], bytes]:
    """The case's reminders seen from ``day`` and their ``.ics`` text (DTSTAMP ``stamp``,
    default: now in UTC)."""
    from xieshang.documents.calendar import build_calendar, reminder_items
    from xieshang.rules import law

    items = reminder_items(case.id, promises_of(tx, case), day, law(), _credit_report_where(),
                           gettext)
    items = sorted([*items, *_agreed_items(tx, case, day, gettext)],
                   key=lambda item: (item.on, item.uid))
    moment = stamp if stamp is not None else now_utc()
    return items, build_calendar(items, moment)


def _agreed_items(tx: Tx, case: Case, day: date,
                  gettext: Callable[[str], str]) -> list[CalendarItem]:
    """The reminders of every accepted arrangement's payments still to pay."""
    from xieshang.documents.calendar import AgreedDue, agreement_items
    from xieshang.services.arrangements import accepted_arrangement
    from xieshang.services.cases import debt_name
    from xieshang.services.debts import open_debts

    items: list[CalendarItem] = []
    for debt in open_debts(tx, case.id, "arrangement"):
        agreed = accepted_arrangement(tx, debt, day)
        if agreed is None:
            continue
        dues = [AgreedDue(number, item.payment.on, item.missing)
                for number, item in enumerate(agreed.progress.installments, 1)
                if item.missing > 0]
        items += agreement_items(case.id, agreed.proposal_id, debt_name(_out(None, False), debt),
                                 agreed.accepted_on, agreed.periods, dues, day, gettext)
    return items
