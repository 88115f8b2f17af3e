"""``xieshang export`` / ``import`` (one case as JSON) and ``backup`` / ``restore`` (the whole
SQLite store)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.casefile import case_option, open_cli_store, session
from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.engine.errors import N_, InputError
from xieshang.services.cases import find_case

if TYPE_CHECKING:
    from xieshang.output import Output


def _out(lang: str | None, as_json: bool) -> Output:
    from xieshang.output import Output

    return Output.make(lang, as_json)


@app.command("export", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--output", "output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="写入的 JSON 文件. The JSON file to write.")
@click.option("--no-personal", "no_personal", is_flag=True, help="不导出姓名、身份证号、手机号和卡号. Leave out personal data.")
@click.option("--force", "force", is_flag=True, help="覆盖已有文件. Overwrite an existing file.")
def export_command(output: Path, no_personal: bool, force: bool, case_id: str | None = None,
                   lang: str | None = None, as_json: bool = False) -> None:
    """把一个案例导出为一个 JSON 文件 (export one case as a JSON document)."""
    from xieshang.store.exchange import dumps, export_case

    out = _out(lang, as_json)
    if output.exists() and not force:
        raise InputError("output", N_("{file} already exists; add --force to overwrite it"),
                         file=str(output))
    with session(out, prompt=not no_personal, readonly=True) as tx:
        case = find_case(tx, case_id)
        text = dumps(export_case(tx, case.id, personal=not no_personal))
    try:
        from xieshang.paths import write_private

        write_private(output, text)  # personal data: this user only, whole or not at all
    except OSError as error:
        from xieshang.store.db import DiskFull, store_trouble

        if isinstance(store_trouble(error), DiskFull):
            # written whole or not at all: an earlier file of that name is left as it was
            raise DiskFull() from None
        raise InputError("output", N_("cannot write {file}: {error}"), file=str(output),
                         error=error.strerror or str(error)) from None
    if out.as_json:
        out.json({"case": case.id, "output": str(output), "bytes": len(text.encode())})
        return
    out.print(out._("Case {id} exported to {file}.").format(id=case.id, file=output))
    if not no_personal:
        out.print(out._("The file holds personal data in plain text: keep it safe."))


def _check_value(where: str, field: str, value: Any) -> None:
    """Refuse what the store would accept but xieshang cannot use (naming the entry)."""
    from xieshang.engine.identity import validate_id_number, validate_phone
    from xieshang.rules import load_preset

    try:
        if field == "preset_id":
            load_preset(str(value))
        elif field == "id_number" and isinstance(value, str):
            validate_id_number(value)
        elif field == "phone" and isinstance(value, str):
            validate_phone(value)
    except InputError as error:
        raise InputError(where, error.message, **error.params) from None


@app.command("import", context_settings=CONTEXT)
@common_options
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def import_command(file: Path, lang: str | None = None, as_json: bool = False) -> None:
    """从 JSON 文件导入一个案例（总是新建案例，不覆盖） (import a case as a new case)."""
    from xieshang.store.exchange import import_case, loads

    out = _out(lang, as_json)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file", N_("file not found: {file}"), file=str(file)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("file", N_("cannot read {file}: {error}"), file=str(file),
                         error=str(error)) from None
    document = loads(text, str(file))
    with session(out, prompt=True) as tx:
        case = import_case(tx, document, file.name, check=_check_value)
    if out.as_json:
        out.json({"case": case.id, "name": case.name})
        return
    out.print(out._("Imported as case {id} “{name}”; `xieshang case use {id}` to work on "
                    "it.").format(id=case.id, name=case.name))


@app.command("backup", context_settings=CONTEXT)
@common_options
@click.option("--output", "output", default=None, type=click.Path(path_type=Path, dir_okay=False), help="备份文件（默认数据文件夹的 backups/ 中带日期的文件）. Backup file.")
def backup_command(output: Path | None, lang: str | None = None,
                   as_json: bool = False) -> None:
    """备份整个数据库（一致的快照） (back up the whole store: a consistent snapshot)."""
    from xieshang.store.backup import backup

    out = _out(lang, as_json)
    with open_cli_store() as store:
        written = backup(store, output)
    if out.as_json:
        out.json({"backup": str(written)})
        return
    out.print(out._("Backup written to {file}.").format(file=written))


@app.command("restore", context_settings=CONTEXT)
@common_options
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", "yes", is_flag=True, help="不再确认. Do not ask for confirmation.")
def restore_command(file: Path, yes: bool, lang: str | None = None,
                    as_json: bool = False) -> None:
    """用备份替换当前数据库（先自动保留一份当前数据） (restore a backup; the current data is kept first)."""
    from xieshang.store.backup import check_backup, restore

    out = _out(lang, as_json)
    _ = out._
    check_backup(file)
    if not yes and not click.confirm(_("Replace all current data with {file}? A copy of the "
                                       "current data is kept first.").format(file=file),
                                     default=False):
        out.print(_("Nothing restored."))
        return
    with open_cli_store() as store:
        kept = restore(store, file)
    if out.as_json:
        out.json({"restored": str(file), "previous": str(kept)})
        return
    out.print(_("Restored from {file}. The previous data is kept in {kept}.").format(
        file=file, kept=kept))
