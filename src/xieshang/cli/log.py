"""``xieshang log …``, ``xieshang promise …``, ``xieshang alerts`` and ``xieshang remind``:
the contact log (edits keep the previous version), what either side promised, what needs
attention today, and the reminders as an ``.ics`` calendar."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.casefile import case_option, session
from xieshang.cli.casefile import command_out as _out
from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.clock import today
from xieshang.engine.errors import N_, InputError, StateError
from xieshang.present import debt_name
from xieshang.services.cases import find_case

if TYPE_CHECKING:

    from xieshang.output import Output
    from xieshang.services.contacts import LoggedContact
    from xieshang.store.db import Tx
    from xieshang.store.model import Commitment, Debt

from xieshang.present import namer, shown_rights
from xieshang.services.contacts import (
    CALL_ALERTS,
    CHANNELS,
    OUTCOMES,
    PARTIES,
    PROMISE_STATUSES,
    add_contact,
    add_promise,
    alerts_of,
    contact_fields,
    contact_log,
    contact_versions,
    edit_contact,
    evidence_files,
    find_contact,
    logged_contact,
    promise_fields,
    reminders_ics,
    set_promise_status,
)


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


def _contact_json(contact: LoggedContact) -> dict[str, Any]:
    """A contact as shown (phone-length numbers in its texts masked, as on the web pages; the
    full text stays in the store and in `xieshang export`)."""
    return {
        "id": contact.id, "when": contact.when.isoformat(sep=" ", timespec="minutes"),
        "channel": contact.channel, "debt": contact.debt_id,
        "agent": contact.agent, "agent_id": contact.agent_id,
        "reference": contact.reference, "asked": contact.asked,
        "offered": contact.offered, "outcome": contact.outcome, "notes": contact.notes,
        "evidence": [{"id": e.id, "path": e.path, "sha256": e.sha256}
                     for e in contact.evidence],
    }


@log_app.command("add")
@common_options
@case_option
@click.option("--debt", "debt_ref", default=None, metavar="ID", help="哪笔债务（案例只有一笔时可省略）. Which debt.")
@click.option("--channel", "channel", required=True, help="phone | chat | app | letter | social | branch | collector_call")
@_contact_options
def log_add(debt_ref: str | None, channel: str, evidence: tuple[Path, ...],
            case_id: str | None = None, lang: str | None = None, as_json: bool = False,
            **options: Any) -> None:
    """记录一次联系 (record a contact with a lender or collector)."""
    out = _out(lang, as_json)
    fields = contact_fields(channel=channel, **options)
    files = evidence_files(evidence)
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        contact = add_contact(tx, case, debt_id=debt_ref, fields=fields, evidence=files)
        debt = _debt_of(tx, contact.debt_id)
        payload = _contact_json(logged_contact(tx, contact))
        from xieshang.services.negotiation import rights_products
        products = rights_products(tx, case, debt.id)
    rights = shown_rights(out, contact.channel == "collector_call", products)
    if out.as_json:
        out.json({"contact": payload, "rights": rights})
        return
    out.print(out._("Contact {id} recorded for {name}.").format(id=contact.id,
                                                                 name=debt_name(out, debt)))
    _print_rights(out, rights)


def _debt_of(tx: Tx, debt_id: int | None) -> Debt:
    """The debt a contact or commitment just recorded is about."""
    from xieshang.store.model import Debt

    debt = tx.get(Debt, debt_id) if debt_id is not None else None
    if debt is None:
        raise StateError("debt")
    return debt


@log_app.command("list")
@common_options
@case_option
@click.option("--debt", "debt_ref", default=None, metavar="ID", help="只看这笔债务. Only this debt.")
def log_list(debt_ref: str | None, case_id: str | None = None, lang: str | None = None,
             as_json: bool = False) -> None:
    """列出联系记录 (list the contacts)."""
    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        payload = [_contact_json(c) for c in contact_log(tx, case, debt_ref)]
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
             **options: Any) -> None:
    """修改一条联系记录（旧版本保留） (change a contact; the previous version is kept)."""
    out = _out(lang, as_json)
    fields = contact_fields(channel=channel, **options)
    files = evidence_files(evidence)
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        contact = edit_contact(tx, case, contact_ref, fields, files)
        payload = _contact_json(logged_contact(tx, contact))
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
    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        contact = find_contact(tx, case, contact_ref)
        payload = _contact_json(logged_contact(tx, contact))
        versions = contact_versions(tx, contact) if history else []
    if out.as_json:
        revisions = [{"revised_at": v.revised_at.isoformat(sep=" "), "previous": v.previous}
                     for v in versions]
        out.json({"contact": payload, **({"history": revisions} if history else {})})
        return
    labels = {"when": _("When"), "channel": _("Channel"), "debt": _("Debt"),
              "agent": _("Agent"), "agent_id": _("Staff number"),
              "reference": _("Reference"), "asked": _("Asked"), "offered": _("Offered"),
              "outcome": _("Outcome"), "notes": _("Notes")}

    def shown(key: str, value: str) -> str:
        if key == "channel":
            return _(CHANNELS.get(value, value))
        if key == "outcome" and value in OUTCOMES:
            return _(OUTCOMES[value])
        return value

    title = _("Contact {id}").format(id=contact.id)
    lines: list[Any] = [f"[bold]{title}[/bold]"]
    for key, label in labels.items():
        value = payload[key]
        if value not in (None, ""):
            lines.append(f"  {label}: {shown(key, str(value))}")
    for item in payload["evidence"]:
        lines.append("  " + _("Evidence {id}: {file} (SHA-256 {digest}…)").format(
            id=item["id"], file=item["path"], digest=item["sha256"][:12]))
    if history:
        if not versions:
            lines.append(_("No earlier versions."))
        for version in versions:
            lines.append(_("Version before {time}:").format(
                time=version.revised_at.isoformat(sep=" ", timespec="minutes")))
            lines.extend(f"  {labels[name]}: {shown(name, text)}"
                         for name, text in version.fields)
    out.print(*lines)


@app.group("promise", context_settings=CONTEXT,
           help="承诺：双方答应的事（金额、期限、条件、是否书面确认）。\n\n"
                "Commitments: what either side promised (amount, due date, condition, "
                "confirmed in writing or not).")
def promise_app() -> None:
    """The commitment commands."""


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
    out = _out(lang, as_json)
    fields = promise_fields(party=by, amount=amount, due=due, condition=condition,
                            written=written, today=today())
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        commitment = add_promise(tx, case, debt_id=debt_ref, fields=fields,
                                 contact_id=contact_ref)
        debt = _debt_of(tx, commitment.debt_id)
    if out.as_json:
        out.json({"commitment": _commitment_json(commitment)})
        return
    out.print(out._("Commitment {id} recorded for {name}, due {date}.").format(
        id=commitment.id, name=debt_name(out, debt), date=fields.due_on.isoformat()))


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
    out = _out(lang, as_json)
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        commitment = set_promise_status(tx, case, commitment_ref, status)
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
        alerts = alerts_of(tx, case, day, namer(out))
        from xieshang.services.negotiation import rights_products
        products = rights_products(tx, case)
    rights = shown_rights(out, any(a.code in CALL_ALERTS for a in alerts), products)
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


def _print_rights(out: Output, lines: list[str] | None) -> None:
    if lines:
        out.print("", f"[bold]{lines[0]}[/bold]", *lines[1:],
                  out._("The whole card, with sources: `xieshang prepare`."))


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
        items, data = reminders_ics(tx, case, today(), out._, lang=out.lang)
    try:
        from xieshang.paths import write_private

        write_private(ics, data)
    except OSError as error:
        raise InputError("ics", N_("cannot write {file}: {error}"), file=str(ics),
                         error=error.strerror or str(error)) from None
    if out.as_json:
        out.json({"file": str(ics), "events": [
            {"uid": i.uid, "on": i.on, "kind": i.kind, "summary": i.summary} for i in items]})
        return
    out.print(out._("{count} reminders written to {file}; import it into your phone's "
                    "calendar.").format(count=len(items), file=str(ics)))
