"""``xieshang case …``, ``xieshang hardship …`` and ``xieshang encrypt``: the person behind
the debts, why they fell behind, and keeping their personal data safe."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.casefile import case_option, session
from xieshang.cli.casefile import command_out as _out
from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.clock import today
from xieshang.engine.errors import N_, InputError
from xieshang.services.cases import find_case

if TYPE_CHECKING:
    pass

from xieshang.cli.render import case_json
from xieshang.services.cases import (
    EVIDENCE_KINDS,
    REASONS,
    check_name,
    choice_of,
    file_sha256,
    file_state,
    hardship_json,
    personal_values,
)


@app.group("case", context_settings=CONTEXT,
           help="案例：一个人及其债务（一个数据库可以放几个案例）。\n\n"
                "Cases: a person and their debts (one store can hold several).")
def case_app() -> None:
    """The case commands."""


@case_app.command("new")
@common_options
@click.option("--name", "name", required=True, help="案例名称（可以用称呼，如“妈妈”）. What to call the case.")
@click.option("--full-name", "full_name", default=None, help="姓名（加密保存、显示时打码）. Full name (personal).")
@click.option("--id-number", "id_number", default=None, help="身份证号（校验 GB 11643）. Resident ID number (personal).")
@click.option("--phone", "phone", default=None, help="手机号. Mobile number (personal).")
@click.option("--notes", "notes", default="", help="备注. Notes.")
def case_new(name: str, full_name: str | None, id_number: str | None, phone: str | None,
             notes: str, lang: str | None = None, as_json: bool = False) -> None:
    """新建案例并设为当前案例 (create a case and make it the current one)."""
    from xieshang.store.model import Case

    out = _out(lang, as_json)
    _ = out._
    personal = personal_values(full_name, id_number, phone)
    with session(out, prompt=True) as tx:
        case = tx.add(Case(name=check_name(name), notes=notes,
                           full_name=personal.get("full_name"),
                           id_number=personal.get("id_number"), phone=personal.get("phone")))
        tx.use_case(case.id)
        payload = case_json(out, tx, case)
    if out.as_json:
        out.json({"case": payload})
        return
    out.print(_("Case {id} “{name}” created; it is now the current case.").format(
        id=case.id, name=case.name))


@case_app.command("list")
@common_options
def case_list(lang: str | None = None, as_json: bool = False) -> None:
    """列出所有案例 (list the cases)."""
    from xieshang.store.model import Case

    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        rows = [case_json(out, tx, case) for case in tx.find(Case)]
    if out.as_json:
        out.json({"cases": rows})
        return
    if not rows:
        out.print(_("No cases yet. Create one with `xieshang case new --name NAME`."))
        return
    out.print(out.table(_("Cases"), [_("Id"), _("Name"), _("Debts"), _("Current")],
                        [(str(r["id"]), r["name"], str(r["debts"]), "✓" if r["current"] else "")
                         for r in rows], right=[0, 2]))


@case_app.command("show")
@common_options
@click.argument("case_ref", metavar="[ID]", required=False)
def case_show(case_ref: str | None, lang: str | None = None, as_json: bool = False) -> None:
    """案例详情（个人信息打码显示） (a case, personal data masked)."""
    from xieshang.store.model import Hardship

    out = _out(lang, as_json)
    _ = out._
    with session(out, prompt=True, readonly=True) as tx:
        case = find_case(tx, case_ref)
        payload = case_json(out, tx, case)
        hardship = tx.find(Hardship, case_id=case.id)
        payload["hardship"] = hardship[0].reason if hardship else None
    if out.as_json:
        out.json({"case": payload})
        return
    dash = "—"
    rows = [
        (_("Id"), str(payload["id"])),
        (_("Name"), payload["name"]),
        (_("Full name"), payload["full_name"] or dash),
        (_("ID number"), payload["id_number"] or dash),
        (_("Phone"), payload["phone"] or dash),
        (_("Debts"), str(payload["debts"])),
        (_("Why behind"), _(REASONS[payload["hardship"]]) if payload["hardship"] else dash),
        (_("Notes"), payload["notes"] or dash),
        (_("Created"), payload["created_at"].isoformat(sep=" ")),
    ]
    out.print(out.table(_("Case"), [_("Item"), _("Value")], rows,
                        caption=_("Personal data is shown masked.")))


@case_app.command("use")
@common_options
@click.argument("case_ref", metavar="ID")
def case_use(case_ref: str, lang: str | None = None, as_json: bool = False) -> None:
    """选择当前案例 (choose the current case)."""
    out = _out(lang, as_json)
    with session(out) as tx:
        case = find_case(tx, case_ref)
        tx.use_case(case.id)
    if out.as_json:
        out.json({"current": case.id})
        return
    out.print(out._("Case {id} “{name}” is now the current case.").format(
        id=case.id, name=case.name))


@case_app.command("edit")
@common_options
@click.argument("case_ref", metavar="[ID]", required=False)
@click.option("--name", "name", default=None, help="案例名称. What to call the case.")
@click.option("--full-name", "full_name", default=None, help="姓名（空字符串表示删除）. Full name ('' clears it).")
@click.option("--id-number", "id_number", default=None, help="身份证号（空字符串表示删除）. ID number ('' clears it).")
@click.option("--phone", "phone", default=None, help="手机号（空字符串表示删除）. Mobile number ('' clears it).")
@click.option("--notes", "notes", default=None, help="备注. Notes.")
def case_edit(case_ref: str | None, name: str | None, full_name: str | None,
              id_number: str | None, phone: str | None, notes: str | None,
              lang: str | None = None, as_json: bool = False) -> None:
    """修改案例信息 (change a case's details)."""
    from dataclasses import replace

    out = _out(lang, as_json)
    changes: dict[str, Any] = personal_values(full_name, id_number, phone)
    if name is not None:
        changes["name"] = check_name(name)
    if notes is not None:
        changes["notes"] = notes
    if not changes:
        raise InputError("case", N_("nothing to change: give at least one option"))
    with session(out, prompt=True) as tx:
        case = tx.update(replace(find_case(tx, case_ref), **changes))
        payload = case_json(out, tx, case)
    if out.as_json:
        out.json({"case": payload})
        return
    out.print(out._("Case {id} updated.").format(id=case.id))


@app.group("hardship", context_settings=CONTEXT,
           help="困难情况：为什么逾期、从什么时候、预计何时恢复，以及证明材料。\n\n"
                "Hardship: why you fell behind, since when, expected recovery, and evidence.")
def hardship_app() -> None:
    """The hardship commands."""


@hardship_app.command("set")
@common_options
@case_option
@click.option("--reason", "reason", required=True, help="income_loss | illness | business_failure | family_emergency | forgot | misread_due_date | other")
@click.option("--since", "since", default=None, help="从哪天开始 YYYY-MM-DD（\"\" 清除；不给则保留原值）. Since when (\"\" clears; omitted: kept).")
@click.option("--recovery", "recovery", default=None, help="预计恢复日期 YYYY-MM-DD（\"\" 清除；不给则保留原值）. Expected recovery (\"\" clears; omitted: kept).")
@click.option("--note", "note", default=None, help="用自己的话说明情况. In your own words.")
def hardship_set(reason: str, since: str | None, recovery: str | None, note: str | None,
                 case_id: str | None = None, lang: str | None = None,
                 as_json: bool = False) -> None:
    """记录逾期原因 (record why you fell behind)."""
    from xieshang.services.cases import hardship_fields, set_hardship

    out = _out(lang, as_json)
    fields = hardship_fields(reason=reason, since=since, recovery=recovery, note=note)
    with session(out) as tx:
        record = set_hardship(tx, find_case(tx, case_id), fields)
    if out.as_json:
        out.json({"hardship": hardship_json(record)})
        return
    out.print(out._("Saved: {reason}.").format(reason=out._(REASONS[fields.reason])))


@hardship_app.command("show")
@common_options
@case_option
def hardship_show(case_id: str | None = None, lang: str | None = None,
                  as_json: bool = False) -> None:
    """逾期原因和证明材料 (why you fell behind, and the evidence)."""
    from xieshang.store.model import Evidence, Hardship

    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        found = tx.find(Hardship, case_id=case.id)
        items = tx.find(Evidence, case_id=case.id)
    evidence: list[dict[str, Any]] = [
        {"id": e.id, "kind": e.kind, "path": e.path, "sha256": e.sha256, "note": e.note,
         "added_on": e.added_on, "state": file_state(e)} for e in items]
    if out.as_json:
        out.json({"hardship": hardship_json(found[0]) if found else None,
                  "evidence": evidence})
        return
    dash = "—"
    if found:
        record = found[0]
        out.print(out.table(_("Why behind"), [_("Item"), _("Value")], [
            (_("Reason"), _(REASONS[record.reason])),
            (_("Since"), record.since.isoformat() if record.since else dash),
            (_("Expected recovery"), record.recovery.isoformat() if record.recovery else dash),
            (_("In your words"), record.description or dash),
        ]))
    else:
        out.print(_("No reason recorded yet: `xieshang hardship set --reason …`."))
    if evidence:
        states = {"ok": _("unchanged"), "changed": _("changed since added"),
                  "missing": _("file not found")}
        out.print(out.table(_("Evidence"), [_("Id"), _("Kind"), _("File"), _("Added"),
                                            _("Check")],
                            [(str(e["id"]), _(EVIDENCE_KINDS[e["kind"]]), e["path"],
                              e["added_on"].isoformat(), states[e["state"]])
                             for e in evidence], right=[0]))


@hardship_app.group("evidence", context_settings=CONTEXT,
                    help="证明材料（诊断书、失业证明、收入流水……）。\n\n"
                         "Evidence files (diagnosis, dismissal letter, bank statement …).")
def evidence_app() -> None:
    """The evidence commands."""


@evidence_app.command("add")
@common_options
@case_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--kind", "kind", default="other", show_default=True, help="medical | unemployment | income | business | family | bill | chat | contract | other")
@click.option("--note", "note", default="", help="说明. Notes.")
def evidence_add(file: Path, kind: str, note: str, case_id: str | None = None,
                 lang: str | None = None, as_json: bool = False) -> None:
    """登记一份证明材料（记录文件的 SHA-256 和位置） (record an evidence file: hash and path)."""
    from xieshang.store.model import Evidence

    out = _out(lang, as_json)
    key = choice_of(kind, EVIDENCE_KINDS, "kind")
    if not file.is_file():
        raise InputError("file", N_("file not found: {file}"), file=str(file))
    try:
        digest = file_sha256(file)
    except OSError as error:
        raise InputError("file", N_("cannot read {file}: {error}"), file=str(file),
                         error=error.strerror or str(error)) from None
    with session(out) as tx:
        case = find_case(tx, case_id)
        record = tx.add(Evidence(case_id=case.id, sha256=digest, path=str(file.resolve()),
                                 added_on=today(), kind=key, note=note))
    if out.as_json:
        out.json({"evidence": {"id": record.id, "sha256": digest, "path": record.path,
                               "kind": key}})
        return
    out.print(out._("Evidence {id} added: {file} (SHA-256 {digest}…).").format(
        id=record.id, file=file.name, digest=digest[:12]))


@app.command("encrypt", context_settings=CONTEXT)
@common_options
@click.option("--off", "off", is_flag=True, help="解除加密（需要口令）. Turn encryption off (needs the passphrase).")
@click.option("--change-passphrase", "change", is_flag=True, help="更换口令（先输入旧口令，再输入两次新口令）. Change the passphrase (the old one, then the new one twice).")
def encrypt_command(off: bool, change: bool, lang: str | None = None,
                    as_json: bool = False) -> None:
    """用口令加密保存个人信息（姓名、身份证号、手机号、卡号） (encrypt personal data at rest).

    Every passphrase is asked before the store is locked for writing, so other commands
    are not kept waiting while one is typed; the change is then one transaction.
    """
    from xieshang.cli.casefile import open_cli_store, passphrase_source
    from xieshang.store.crypto import MIN_PASSPHRASE, unlock

    out = _out(lang, as_json)
    _ = out._
    if off and change:
        raise InputError("passphrase", N_("give --off or --change-passphrase, not both"))
    old = ""
    with open_cli_store(lang=out.lang) as store:
        with store.begin(readonly=True) as tx:  # a reader: nothing is locked
            setting = tx.setting("crypto")
        if off or change:
            if setting is None:
                raise InputError("passphrase", N_("personal data is not encrypted"))
            given = passphrase_source(prompt=True, lang=out.lang)()
            if given is None:
                raise InputError("passphrase", N_("personal data in this store is encrypted: "
                                                  "give the passphrase (--passphrase-file or "
                                                  "XIESHANG_PASSPHRASE)"))
            old = given
            store.remember(unlock(old, setting))  # a wrong passphrase stops here
        elif setting is not None:
            raise InputError("passphrase", N_("personal data is already encrypted"))
        new = ""
        if change:
            new = click.prompt(_("New passphrase"), hide_input=True, confirmation_prompt=True)
        elif not off:
            new = passphrase_source(prompt=False)() or click.prompt(
                _("New passphrase"), hide_input=True, confirmation_prompt=True)
        if (change or not off) and len(new) < MIN_PASSPHRASE:
            raise InputError("new_passphrase" if change else "passphrase",
                             N_("must be at least {minimum} characters"),
                             minimum=MIN_PASSPHRASE)
        with store.begin() as tx:  # every answer is in: one short write transaction
            if off:
                count = tx.disable_encryption()
                message = _("Encryption is off: {count} personal values are stored as plain "
                            "text.")
            elif change:
                count = tx.change_passphrase(old, new)
                message = _("{count} personal values re-encrypted with the new passphrase. "
                            "The old one no longer opens them.")
            else:
                count = tx.enable_encryption(new)
                message = _("{count} personal values encrypted. Keep the passphrase safe: "
                            "without it they cannot be read (everything else still works).")
        store.checkpoint()
    if out.as_json:
        out.json({"encrypted": not off, "values": count, "changed": change})
        return
    out.print(message.format(count=count))
