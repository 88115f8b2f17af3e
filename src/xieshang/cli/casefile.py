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
    from xieshang.output import Output
    from xieshang.store.db import Store, Tx


__all__ = ["F", "case_option", "open_cli_store", "passphrase_source", "session"]


F = TypeVar("F", bound=Callable[..., Any])


def command_out(lang: str | None, as_json: bool) -> Output:
    """Where a command writes: its language (``--lang``) and JSON or tables (``--json``)."""
    from xieshang.output import Output

    return Output.make(lang, as_json)


def case_option(function: F) -> F:
    """``--case ID``: work on this case instead of the current one."""
    return click.option("--case", "case_id", default=None, metavar="ID",
                        help="案例编号（默认当前案例）. The case (default: the current one).")(function)


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
            except UnicodeDecodeError:
                raise InputError("passphrase_file", N_("{file} is not UTF-8 text: the "
                                                       "passphrase file holds the passphrase "
                                                       "as one line of text"),
                                 file=str(file)) from None
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
def session(out: Output | None = None, *, prompt: bool = False,
            readonly: bool = False) -> Iterator[Tx]:
    """The command's one transaction: committed at the end, rolled back on any error."""
    lang = out.lang if out is not None else None
    with open_cli_store(prompt=prompt, lang=lang) as store, \
            store.begin(readonly=readonly) as tx:
        yield tx
