"""Output helpers shared by every command: language, JSON, rich tables, errors.

Commands build plain values (dicts of strings and numbers) and hand them here; money is
always shown as ``¥1,234.50`` in tables and as the string ``"1234.50"`` in JSON.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from xieshang.engine.money import format_money
from xieshang.i18n import gettext_for, normalize_lang

__all__ = ["Out", "jsonable", "safe_markup"]

#: The rich style tags the fronts use on purpose; any other "[...]" in a text is data
#: (a source mark "[S]", a placeholder "[lender]") and is shown as written.
_OUR_TAGS = re.compile(
    r"\[(?!/?(?:bold|dim|italic|underline|red|green|yellow|cyan|magenta|blue)"
    r"(?: [a-z ]+)?\]|/\])")


def safe_markup(text: str) -> str:
    """Escape every ``[`` that does not open one of our own style tags."""
    return _OUR_TAGS.sub(r"\\[", text)


def jsonable(value: Any) -> Any:
    """Plain JSON values: Decimal → string with its places, date → ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date,)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@dataclass
class Out:
    """Where a command writes: the language, JSON or tables, and the console."""

    lang: str
    as_json: bool

    @classmethod
    def make(cls, lang: str | None, as_json: bool) -> Out:
        from xieshang.engine.errors import N_, InputError

        try:
            code = normalize_lang(lang)
        except ValueError:
            raise InputError("lang", N_("'{value}' is not a language; use zh or en"),
                             value=lang) from None
        return cls(code, as_json)

    @property
    def _(self) -> Callable[[str], str]:
        return gettext_for(self.lang)

    def money(self, value: Decimal | None) -> str:
        return "—" if value is None else format_money(value)

    def percent(self, value: Decimal | None, places: int = 2) -> str:
        if value is None:
            return "—"
        return f"{(value * 100).quantize(Decimal(1).scaleb(-places))}%"

    def json(self, payload: Mapping[str, Any]) -> None:
        sys.stdout.write(json.dumps(jsonable(payload), ensure_ascii=False, indent=2) + "\n")

    def console(self) -> Any:
        from rich.console import Console

        return Console(highlight=False)

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        right: Iterable[int] = (),
        caption: str | None = None,
    ) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(show_lines=False)
        right_set = set(right)
        for index, column in enumerate(columns):
            numeric = index in right_set
            table.add_column(column, justify="right" if numeric else "left",
                             overflow="fold", no_wrap=numeric)
        for row in rows:
            table.add_row(*(safe_markup(c) if isinstance(c, str) else c for c in row))
        parts: list[Any] = [Text(title, style="bold"), table]
        if caption:
            parts.append(Text(caption, style="dim"))
        return Group(*parts)

    def bullets(self, lines: Iterable[str], *, indent: int = 2, mark: str = "•") -> Any:
        """A bullet list that wraps Chinese text in place (rich would move a long run of
        Chinese, which has no spaces to break at, to a line of its own after the bullet)."""
        from rich.padding import Padding
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for line in lines:
            grid.add_row(mark, safe_markup(line))
        return Padding(grid, (0, 0, 0, indent))

    def print(self, *items: Any) -> None:
        console = self.console()
        for item in items:
            console.print(safe_markup(item) if isinstance(item, str) else item)
