"""What the case-file commands share: opening the store, finding the case and the debt,
the passphrase, masking personal fields, and the few options every such command takes.

Only click is imported at module level (``xieshang --help`` stays fast); the store and
SQLAlchemy are imported when a command runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from xieshang.engine.errors import N_, InputError

if TYPE_CHECKING:
    from xieshang.cli.output import Out
    from xieshang.engine.preset import Preset
    from xieshang.store.db import Store, Tx
    from xieshang.store.model import Case, Debt

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "case_option",
    "find_case",
    "find_debt",
    "masked",
    "open_cli_store",
    "session",
]


def case_option(function: F) -> F:
    """``--case ID``: work on this case instead of the current one."""
    return click.option("--case", "case_id", default=None, metavar="ID",
                        help="案例编号（默认当前案例）. The case (default: the current one).")(function)


# ------------------------------------------------------------------------------- store


def _global(name: str) -> Any:
    context = click.get_current_context(silent=True)
    if context is None:
        return None
    root = context.find_root()
    return (root.obj or {}).get(name) if isinstance(root.obj, dict) else None


def passphrase_source(*, prompt: bool, lang: str | None = None) -> Callable[[], str | None]:
    """Where the passphrase comes from: ``--passphrase-file``, ``$XIESHANG_PASSPHRASE``, or
    (when ``prompt`` and a person is at the terminal) a hidden prompt."""

    def source() -> str | None:
        file = _global("passphrase_file")
        if file:
            try:
                return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as error:
                raise InputError("passphrase_file", N_("cannot read {file}: {error}"),
                                 file=str(file), error=error.strerror or str(error)) from None
        env = os.environ.get("XIESHANG_PASSPHRASE")
        if env:
            return env
        if prompt and sys.stdin.isatty():
            from xieshang.i18n import gettext_for

            _ = gettext_for(lang)
            text: str = click.prompt(_("Passphrase (Enter to leave personal data locked)"),
                                     default="", show_default=False, hide_input=True)
            return text or None
        return None

    return source


def open_cli_store(*, prompt: bool = False, lang: str | None = None) -> Store:
    """The store chosen by ``--data-dir`` / ``--db-url`` (or their environment variables).

    ``prompt``: ask for the passphrase at the terminal when it is needed and not given.
    """
    from xieshang.store.db import open_store

    return open_store(data_dir=_global("data_dir"), url=_global("db_url"),
                      passphrase=passphrase_source(prompt=prompt, lang=lang))


@contextmanager
def session(out: Out | None = None, *, prompt: bool = False,
            readonly: bool = False) -> Iterator[Tx]:
    """The command's one transaction: committed at the end, rolled back on any error."""
    lang = out.lang if out is not None else None
    with open_cli_store(prompt=prompt, lang=lang) as store, \
            store.begin(readonly=readonly) as tx:
        yield tx


# ------------------------------------------------------------------------ case and debt


def parse_id(text: str | int, field: str) -> int:
    """A record id typed by a person."""
    value = str(text).strip().lstrip("#")
    if not value.isdigit() or int(value) < 1:
        raise InputError(field, N_("'{value}' is not an id; ids are whole numbers such as 1"),
                         value=str(text))
    return int(value)


def find_case(tx: Tx, case_id: str | None) -> Case:
    """The case to work on: ``--case ID``, else the current one."""
    from xieshang.store.model import Case

    if case_id is not None:
        case = tx.get(Case, parse_id(case_id, "case"))
        if case is None:
            raise InputError("case", N_("there is no case {id}; see `xieshang case list`"),
                             id=case_id)
        return case
    case = tx.current_case()
    if case is None:
        if tx.count(Case) == 0:
            raise InputError("case", N_("there is no case yet; create one with "
                                        "`xieshang case new --name NAME`"))
        raise InputError("case", N_("no case is chosen; choose one with `xieshang case use ID` "
                                    "or give --case ID"))
    return case


def find_debt(tx: Tx, case: Case, debt_id: str | None, field: str = "debt") -> Debt:
    """The debt to work on: the id given, or the case's only debt."""
    from xieshang.store.model import Debt

    if debt_id is None:
        debts = tx.find(Debt, case_id=case.id)
        if len(debts) == 1:
            return debts[0]
        if not debts:
            raise InputError(field, N_("the case has no debts yet; add one with "
                                       "`xieshang debt add`"))
        raise InputError(field, N_("the case has {count} debts: say which one (ids: {ids})"),
                         count=len(debts), ids=", ".join(str(d.id) for d in debts))
    debt = tx.get(Debt, parse_id(debt_id, field))
    if debt is None or debt.case_id != case.id:
        raise InputError(field, N_("case {case} has no debt {id}; see `xieshang debt list`"),
                         case=case.id, id=debt_id)
    return debt


def preset_of(debt: Debt) -> Preset:
    """The preset a stored debt names."""
    from xieshang.cli.calc import load_preset

    return load_preset(debt.preset_id)


def debt_name(out: Out, debt: Debt) -> str:
    """``#3 花呗 账单``: the id and the label (or the product's name)."""
    label = debt.label
    if not label:
        try:
            label = preset_of(debt).name.get(out.lang)
        except InputError:
            label = debt.preset_id
    return f"#{debt.id} {label}"


# ------------------------------------------------------------------------------ masking


def masked(out: Out, kind: str, value: Any) -> str | None:
    """A personal value as it may be shown: masked, or locked when encrypted."""
    from xieshang.store.model import Sealed

    if value is None or value == "":
        return None
    if isinstance(value, Sealed):
        return "🔒 " + out._("encrypted")
    from xieshang.engine import identity

    text = str(value)
    if kind == "id_number":
        return identity.mask_id(text)
    if kind == "phone":
        return identity.mask_phone(text)
    if kind == "account":
        digits = text.replace(" ", "").replace("-", "")
        return identity.mask_card(text) if digits.isdigit() else identity.mask_account(text)
    if kind == "name":
        return text[:1] + "*" * max(1, len(text) - 1)
    raise ValueError(kind)


def validate_account(text: str) -> str:
    """A card or account number: Luhn-checked when it is a card number (12–19 digits)."""
    from xieshang.engine.identity import validate_card_number, validate_phone

    value = text.strip()
    digits = value.replace(" ", "").replace("-", "")
    try:
        if digits.isdigit() and 12 <= len(digits) <= 19:
            return validate_card_number(value)
        if digits.lstrip("+").isdigit() and len(digits.lstrip("+")) in (11, 13):
            return validate_phone(value)
    except InputError as error:
        raise InputError("account", error.message, **error.params) from None
    if not value:
        raise InputError("account", N_("an account number is needed"))
    if len(value) > 100:
        # never echo what may be a card or ID number
        raise InputError("account", N_("is too long for an account number (at most 100 "
                                       "characters)"))
    return value


# ------------------------------------------------------------------------------ helpers


def progress(message: str) -> None:
    """A progress line for tests (``XIESHANG_TEST_PROGRESS``), on stderr.

    With ``XIESHANG_TEST_PROGRESS=pause`` the ``commit`` line then waits for a line on
    stdin, so a test can stop the process at that exact point.
    """
    mode = os.environ.get("XIESHANG_TEST_PROGRESS")
    if not mode:
        return
    sys.stderr.write(f"xieshang-progress: {message}\n")
    sys.stderr.flush()
    if mode == "pause" and message == "commit":
        sys.stdin.readline()
