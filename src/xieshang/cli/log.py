"""``xieshang log …``, ``xieshang promise …``, ``xieshang alerts`` and ``xieshang remind``:
the contact log (edits keep the previous version), what either side promised, what needs
attention today, and the reminders as an ``.ics`` calendar."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.cli.session import (
    case_option,
    debt_name,
    find_case,
    find_debt,
    parse_id,
    session,
)
from xieshang.clock import now_utc, today
from xieshang.engine.errors import N_, InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from xieshang.cli.output import Out
    from xieshang.documents.calendar import CalendarItem
    from xieshang.engine.followup import Alert, Promise
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Commitment, Contact

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

#: Who promised (msgids).
PARTIES = {"me": N_("me"), "lender": N_("lender")}

#: Commitment statuses (msgids).
PROMISE_STATUSES = {"pending": N_("not yet kept"), "kept": N_("kept"), "broken": N_("broken")}


def _out(lang: str | None, as_json: bool) -> Out:
    from xieshang.cli.output import Out

    return Out.make(lang, as_json)


# ------------------------------------------------------------------------------ values


def _choice(value: str, known: dict[str, str], field: str) -> str:
    key = value.strip().lower()
    if key not in known:
        raise InputError(field, N_("'{value}' is not one of: {known}"), value=value,
                         known=", ".join(known))
    return key


def _text(value: str, field: str, maximum: int = 2000) -> str:
    cleaned = value.strip()
    if len(cleaned) > maximum:
        raise InputError(field, N_("must be at most {maximum} characters"), maximum=maximum)
    return cleaned


def _when(text: str, latest: datetime | None = None) -> datetime:
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


# ---------------------------------------------------------------------------- contacts


@app.group("log", context_settings=CONTEXT,
           help="联系记录：每次与贷款机构或催收的联系（修改会保留旧版本）。\n\n"
                "The contact log: every contact with a lender or collector (edits keep the "
                "previous version).")
def log_app() -> None:
    """The contact-log commands."""


_CONTACT_OPTIONS = [
    click.option("--when", "when", default=None, help="时间 YYYY-MM-DD HH:MM（默认现在）. When (default: now)."),
    click.option("--agent", "agent", default=None, help="对方姓名. Who answered."),
    click.option("--agent-id", "agent_id", default=None, help="对方工号. Their staff number (工号)."),
    click.option("--reference", "reference", default=None, help="工单号或受理编号. Reference or ticket number."),
    click.option("--asked", "asked", default=None, help="我提出的请求. What you asked for."),
    click.option("--offered", "offered", default=None, help="对方给出的方案. What they offered."),
    click.option("--outcome", "outcome", default=None, help="结果，如 accepted、refused、pending. Outcome."),
    click.option("--notes", "notes", default=None, help="备注. Notes."),
    click.option("--evidence", "evidence", multiple=True, type=click.Path(path_type=Path, dir_okay=False), help="证据文件（录音、截图，可多次；记录 SHA-256）. Evidence file (repeatable; hashed)."),
]


def _contact_options(function: Any) -> Any:
    for option in reversed(_CONTACT_OPTIONS):
        function = option(function)
    return function


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
        values["happened_at"] = _when(when)
    if channel is not None:
        values["channel"] = _choice(channel, CHANNELS, "channel")
    given = {"agent": agent, "agent_id": agent_id, "reference": reference, "asked": asked,
             "offered": offered, "outcome": outcome, "notes": notes}
    for key, field, maximum in CONTACT_TEXTS:
        value = given[field]
        if value is not None:
            values[key] = _text(value, field, maximum)
    return values


def _add_evidence(tx: Tx, contact: Contact, files: list[tuple[str, str]],
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


def _contact_json(tx: Tx, out: Out, contact: Contact) -> dict[str, Any]:
    from xieshang.store.model import Evidence

    return {
        "id": contact.id, "when": contact.happened_at.isoformat(sep=" ", timespec="minutes"),
        "channel": contact.channel, "debt": contact.debt_id, "agent": contact.agent_name,
        "agent_id": contact.agent_id, "reference": contact.reference, "asked": contact.asked,
        "offered": contact.offered, "outcome": contact.outcome, "notes": contact.notes,
        "evidence": [{"id": e.id, "path": e.path, "sha256": e.sha256}
                     for e in tx.find(Evidence, contact_id=contact.id)],
    }


@log_app.command("add")
@common_options
@case_option
@click.option("--debt", "debt_ref", default=None, metavar="ID", help="哪笔债务（案例只有一笔时可省略）. Which debt.")
@click.option("--channel", "channel", required=True, help="phone | chat | app | letter | social | branch | collector_call")
@_contact_options
def log_add(debt_ref: str | None, channel: str, evidence: tuple[Path, ...],
            case_id: str | None = None, lang: str | None = None, as_json: bool = False,
            **options: str | None) -> None:
    """记录一次联系 (record a contact with a lender or collector)."""
    from xieshang.clock import now_local
    from xieshang.store.model import Contact

    out = _out(lang, as_json)
    values = _contact_fields(channel=channel, **options)
    values.setdefault("happened_at", now_local().replace(second=0))
    files = _evidence_files(evidence)
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        debt = find_debt(tx, case, debt_ref)
        contact = tx.add(Contact(case_id=case.id, debt_id=debt.id, **values))
        _add_evidence(tx, contact, files)
        payload = _contact_json(tx, out, contact)
    rights = _rights(out, contact.channel == "collector_call")
    if out.as_json:
        out.json({"contact": payload, "rights": rights})
        return
    out.print(out._("Contact {id} recorded for {name}.").format(id=contact.id,
                                                                 name=debt_name(out, debt)))
    _print_rights(out, rights)


@log_app.command("list")
@common_options
@case_option
@click.option("--debt", "debt_ref", default=None, metavar="ID", help="只看这笔债务. Only this debt.")
def log_list(debt_ref: str | None, case_id: str | None = None, lang: str | None = None,
             as_json: bool = False) -> None:
    """列出联系记录 (list the contacts)."""
    from xieshang.store.model import Contact

    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        where: dict[str, Any] = {"case_id": case.id}
        if debt_ref is not None:
            where["debt_id"] = find_debt(tx, case, debt_ref).id
        contacts = sorted(tx.find(Contact, **where), key=lambda c: (c.happened_at, c.id))
        payload = [_contact_json(tx, out, c) for c in contacts]
    if out.as_json:
        out.json({"case": case.id, "contacts": payload})
        return
    if not payload:
        out.print(_("No contacts recorded yet; add one with `xieshang log add`."))
        return
    rows = [(str(c["id"]), c["when"], _(CHANNELS.get(c["channel"], c["channel"])),
             "" if c["debt"] is None else f"#{c['debt']}",
             " ".join(x for x in (c["agent"], c["agent_id"]) if x), c["reference"],
             c["outcome"], str(len(c["evidence"]))) for c in payload]
    out.print(out.table(_("Contact log"), [_("ID"), _("When"), _("Channel"), _("Debt"),
                                           _("Agent"), _("Reference"), _("Outcome"),
                                           _("Evidence")], rows))


@log_app.command("edit")
@common_options
@case_option
@click.argument("contact_ref", metavar="ID")
@click.option("--channel", "channel", default=None, help="phone | chat | app | letter | social | branch | collector_call")
@_contact_options
def log_edit(contact_ref: str, channel: str | None, evidence: tuple[Path, ...],
             case_id: str | None = None, lang: str | None = None, as_json: bool = False,
             **options: str | None) -> None:
    """修改一条联系记录（旧版本保留） (change a contact; the previous version is kept)."""
    from dataclasses import replace

    out = _out(lang, as_json)
    values = _contact_fields(channel=channel, **options)
    files = _evidence_files(evidence)
    if not values and not files:
        raise InputError("contact", N_("nothing to change: give at least one option"))
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        contact = tx.update(replace(_find_contact(tx, case, contact_ref), **values))
        _add_evidence(tx, contact, files)
        payload = _contact_json(tx, out, contact)
    if out.as_json:
        out.json({"contact": payload})
        return
    out.print(out._("Contact {id} updated; the previous version is kept.").format(id=contact.id))


@log_app.command("show")
@common_options
@case_option
@click.argument("contact_ref", metavar="ID")
@click.option("--history", "history", is_flag=True, help="同时显示以前的版本. Also show the earlier versions.")
def log_show(contact_ref: str, history: bool, case_id: str | None = None,
             lang: str | None = None, as_json: bool = False) -> None:
    """显示一条联系记录 (show one contact, and with --history its earlier versions)."""
    from xieshang.store.model import ContactRevision

    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        contact = _find_contact(tx, case, contact_ref)
        payload = _contact_json(tx, out, contact)
        revisions: list[dict[str, Any]] = [{"revised_at": r.revised_at.isoformat(sep=" "),
                      "previous": dict(r.previous)}
                     for r in tx.find(ContactRevision, contact_id=contact.id)] if history else []
    if out.as_json:
        out.json({"contact": payload, **({"history": revisions} if history else {})})
        return
    labels = {"when": _("When"), "channel": _("Channel"), "debt": _("Debt"),
              "agent": _("Agent"), "agent_id": _("Staff number"),
              "reference": _("Reference"), "asked": _("Asked"), "offered": _("Offered"),
              "outcome": _("Outcome"), "notes": _("Notes")}
    title = _("Contact {id}").format(id=contact.id)
    lines: list[Any] = [f"[bold]{title}[/bold]"]
    for key, label in labels.items():
        value = payload[key]
        if key == "channel":
            value = _(CHANNELS.get(value, value))
        if value not in (None, ""):
            lines.append(f"  {label}: {value}")
    for item in payload["evidence"]:
        lines.append("  " + _("Evidence {id}: {file} (SHA-256 {digest}…)").format(
            id=item["id"], file=item["path"], digest=item["sha256"][:12]))
    if history:
        if not revisions:
            lines.append(_("No earlier versions."))
        for revision in revisions:
            lines.append(_("Version before {time}:").format(time=revision["revised_at"]))
            previous = revision["previous"]
            for key in ("happened_at", "channel", "agent_name", "agent_id", "reference",
                        "asked", "offered", "outcome", "notes"):
                if previous.get(key) not in (None, ""):
                    lines.append(f"  {key}: {previous[key]}")
    out.print(*lines)


# ------------------------------------------------------------------------- commitments


@app.group("promise", context_settings=CONTEXT,
           help="承诺：双方答应的事（金额、期限、条件、是否书面确认）。\n\n"
                "Commitments: what either side promised (amount, due date, condition, "
                "confirmed in writing or not).")
def promise_app() -> None:
    """The commitment commands."""


def _promise_amount(party: str, text: str | None) -> Decimal | None:
    """A commitment's amount: more than 0 when given; required for a payment I promise."""
    value = _amount(text, "amount") if text is not None and text.strip() else None
    if party == "me" and value is None:
        raise InputError("amount", N_("is required for a payment you promise"))
    return value


def _due(text: str, day: date) -> date:
    """A commitment's due date: ``YYYY-MM-DD``, not before ``day``."""
    from xieshang.engine.parsing import parse_date

    due_on = parse_date(text, "due")
    if due_on < day:
        raise InputError("due", N_("must not be in the past (got {value})"),
                         value=due_on.isoformat())
    return due_on


def _commitment_json(commitment: Commitment) -> dict[str, Any]:
    return {"id": commitment.id, "by": commitment.party, "debt": commitment.debt_id,
            "contact": commitment.contact_id, "amount": commitment.amount,
            "due": commitment.due_on, "condition": commitment.condition,
            "written": commitment.confirmed_in_writing, "status": commitment.status}


@promise_app.command("add")
@common_options
@case_option
@click.option("--debt", "debt_ref", default=None, metavar="ID", help="哪笔债务（案例只有一笔时可省略）. Which debt.")
@click.option("--by", "by", required=True, help="谁承诺：me（我）| lender（贷款机构）. Who promised.")
@click.option("--amount", "amount", default=None, help="金额（我方承诺的还款必填）. Amount (required for your payments).")
@click.option("--due", "due", required=True, help="期限 YYYY-MM-DD（不早于今天）. Due date (not in the past).")
@click.option("--condition", "condition", default="", help="条件，如“先还 10%”. Any condition.")
@click.option("--written", "written", is_flag=True, help="对方已书面确认. The lender confirmed it in writing.")
@click.option("--contact", "contact_ref", default=None, metavar="ID", help="在哪次联系中答应的. The contact where it was agreed.")
def promise_add(debt_ref: str | None, by: str, amount: str | None, due: str, condition: str,
                written: bool, contact_ref: str | None, case_id: str | None = None,
                lang: str | None = None, as_json: bool = False) -> None:
    """记录一项承诺（我方或贷款机构） (record a commitment by you or the lender)."""
    from xieshang.store.model import Commitment

    out = _out(lang, as_json)
    party = _choice(by, PARTIES, "by")
    value = _promise_amount(party, amount)
    due_on = _due(due, today())
    condition = _text(condition, "condition")
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        debt = find_debt(tx, case, debt_ref)
        contact = _find_contact(tx, case, contact_ref) if contact_ref is not None else None
        commitment = tx.add(Commitment(
            case_id=case.id, party=party, debt_id=debt.id,
            contact_id=contact.id if contact else None, amount=value, due_on=due_on,
            condition=condition, confirmed_in_writing=written))
    if out.as_json:
        out.json({"commitment": _commitment_json(commitment)})
        return
    out.print(out._("Commitment {id} recorded for {name}, due {date}.").format(
        id=commitment.id, name=debt_name(out, debt), date=due_on.isoformat()))


@promise_app.command("list")
@common_options
@case_option
def promise_list(case_id: str | None = None, lang: str | None = None,
                 as_json: bool = False) -> None:
    """列出承诺及其状态 (list the commitments and their status)."""
    from xieshang.store.model import Commitment

    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        items = [_commitment_json(c) for c in tx.find(Commitment, case_id=case.id)]
    if out.as_json:
        out.json({"case": case.id, "commitments": items})
        return
    if not items:
        out.print(_("No commitments recorded yet; add one with `xieshang promise add`."))
        return
    rows = [(str(c["id"]), _(PARTIES[c["by"]]), out.money(c["amount"]),
             c["due"].isoformat() if c["due"] else "", c["condition"],
             _("yes") if c["written"] else _("no"), _(PROMISE_STATUSES[c["status"]]),
             "" if c["contact"] is None else str(c["contact"])) for c in items]
    out.print(out.table(_("Commitments"), [_("ID"), _("Who promised"), _("Amount"), _("Due"),
                                           _("Condition"), _("In writing"), _("Status"),
                                           _("Contact")], rows, right=[2]))


def _set_status(commitment_ref: str, status: str, case_id: str | None, lang: str | None,
                as_json: bool) -> None:
    from dataclasses import replace

    out = _out(lang, as_json)
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        commitment = tx.update(replace(_find_commitment(tx, case, commitment_ref),
                                       status=status))
    if out.as_json:
        out.json({"commitment": _commitment_json(commitment)})
        return
    out.print(out._("Commitment {id} marked {status}.").format(
        id=commitment.id, status=out._(PROMISE_STATUSES[status])))


@promise_app.command("kept")
@common_options
@case_option
@click.argument("commitment_ref", metavar="ID")
def promise_kept(commitment_ref: str, case_id: str | None = None, lang: str | None = None,
                 as_json: bool = False) -> None:
    """标记承诺已履行 (mark a commitment kept)."""
    _set_status(commitment_ref, "kept", case_id, lang, as_json)


@promise_app.command("broken")
@common_options
@case_option
@click.argument("commitment_ref", metavar="ID")
def promise_broken(commitment_ref: str, case_id: str | None = None, lang: str | None = None,
                   as_json: bool = False) -> None:
    """标记承诺未履行 (mark a commitment broken)."""
    _set_status(commitment_ref, "broken", case_id, lang, as_json)


# ----------------------------------------------------------------------- alerts, remind


def _promises(tx: Tx, case: Case) -> list[Promise]:
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


@app.command("alerts", context_settings=CONTEXT)
@common_options
@case_option
def alerts_command(case_id: str | None = None, lang: str | None = None,
                   as_json: bool = False) -> None:
    """今天需要跟进的事：到期还款、未收到书面确认、逾期未处理的承诺、违规催收电话
    (what needs following up today)."""
    out = _out(lang, as_json)
    _ = out._
    day = today()
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        alerts = alerts_of(tx, case, day)
    rights = _rights(out, any(a.code in CALL_ALERTS for a in alerts))
    if out.as_json:
        out.json({"case": case.id, "as_of": day, "alerts": [
            {"code": a.code, "message": _(a.msgid).format(**a.params), "params": dict(a.params),
             "on": a.on, "commitment": a.commitment_id, "contacts": list(a.contact_ids),
             "source": a.source} for a in alerts], "rights": rights})
        return
    if not alerts:
        out.print(_("Nothing needs following up today."))
        return
    for alert in alerts:
        line = "• " + _(alert.msgid).format(**alert.params)
        if alert.source:
            source = _("source: {ref}").format(ref=alert.source)
            line += f" [dim]({source})[/dim]"
        out.print(line)
    _print_rights(out, rights)


def alerts_of(tx: Tx, case: Case, day: date) -> list[Alert]:
    """What needs following up on ``day``: the case's commitments and logged collector calls
    through :func:`xieshang.engine.followup.follow_up` (the rules of ``_law.toml``)."""
    from xieshang.cli.rulesdata import law
    from xieshang.engine.followup import CallRecord, follow_up
    from xieshang.store.model import Contact

    calls = [CallRecord(c.id, c.happened_at)
             for c in tx.find(Contact, case_id=case.id, channel="collector_call")]
    alerts: list[Alert] = follow_up(_promises(tx, case), calls, day, law())
    return alerts


# The alerts about collectors' calls: where the know-your-rights card is shown.
CALL_ALERTS = ("calls_over_limit", "call_in_quiet_hours")


def _rights(out: Out, shown: bool) -> list[str] | None:
    """The know-your-rights card's key lines, when ``shown`` (else ``None``)."""
    from xieshang.cli.negotiate import rights_lines

    return rights_lines(out.lang) if shown else None


def _print_rights(out: Out, lines: list[str] | None) -> None:
    if lines:
        out.print("", f"[bold]{lines[0]}[/bold]", *lines[1:],
                  out._("The whole card, with sources: `xieshang prepare`."))


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
    from xieshang.cli.rulesdata import law
    from xieshang.documents.calendar import build_calendar, reminder_items

    items = reminder_items(case.id, _promises(tx, case), day, law(), _credit_report_where(),
                           gettext)
    moment = stamp if stamp is not None else now_utc()
    return items, build_calendar(items, moment)


@app.command("remind", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--ics", "ics", required=True, type=click.Path(path_type=Path, dir_okay=False), help="写入的 .ics 日历文件（可导入手机日历）. The .ics file to write.")
def remind_command(ics: Path, case_id: str | None = None, lang: str | None = None,
                   as_json: bool = False) -> None:
    """把提醒写成 .ics 日历：还款、跟进、书面确认、每年两次免费查信用报告
    (write the reminders as an .ics calendar)."""
    out = _out(lang, as_json)
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        items, data = reminders_ics(tx, case, today(), out._)
    try:
        ics.write_bytes(data)
    except OSError as error:
        raise InputError("ics", N_("cannot write {file}: {error}"), file=str(ics),
                         error=error.strerror or str(error)) from None
    if out.as_json:
        out.json({"file": str(ics), "events": [
            {"uid": i.uid, "on": i.on, "kind": i.kind, "summary": i.summary} for i in items]})
        return
    out.print(out._("{count} reminders written to {file}; import it into your phone's "
                    "calendar.").format(count=len(items), file=str(ics)))
