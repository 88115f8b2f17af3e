"""Output helpers shared by every command: language, JSON, rich tables, errors.

Commands build plain values (dicts of strings and numbers) and hand them here; money is
always shown as ``¥1,234.50`` in tables and as the string ``"1234.50"`` in JSON.
"""

from __future__ import annotations

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

__all__ = ["FittedTable", "Flow", "Output", "Titled", "jsonable", "plain_target", "plain_width",
           "safe_markup"]

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
class Output:
    """Where a command writes: the language, JSON or tables, and the console."""

    lang: str
    as_json: bool

    @classmethod
    def make(cls, lang: str | None, as_json: bool) -> Output:
        from xieshang.engine.errors import N_, InputError

        try:
            code = normalize_lang(lang)
        except ValueError:
            if lang is None:  # the environment's
                import os

                raise InputError("lang", N_("XIESHANG_LANG is '{value}', which is not a "
                                            "language; use zh or en"),
                                 value=os.environ.get("XIESHANG_LANG")) from None
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
        import json

        sys.stdout.write(json.dumps(jsonable(payload), ensure_ascii=False, indent=2) + "\n")

    def console(self) -> Any:
        from rich.console import Console

        return Console(highlight=False)

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        right: Iterable[int] = (),
        caption: str | None = None,
    ) -> Any:
        """A titled table that fits the terminal: figures are never cut (see `FittedTable`)."""
        return Titled(title, FittedTable(columns, rows, right), caption or None)

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

    def flow(self, parts: Sequence[str], *, indent: int = 2, sep: str = " · ") -> Any:
        """Short phrases ("Principal ¥1,234.50") run on in lines, each phrase kept whole
        on one line, the lines indented (see `Flow`)."""
        return Flow(parts, indent=indent, sep=sep)

    def indented(self, text: str, indent: int = 2) -> Any:
        """A paragraph indented as a whole, so that its wrapped lines stay indented too."""
        from rich.padding import Padding
        from rich.text import Text

        return Padding(Text.from_markup(safe_markup(text)), (0, 0, 0, indent), expand=False)

    def print(self, *items: Any) -> None:
        target = plain_target()
        if target is not None:
            width, styled = target
            texts = [_plain(item, width, styled=styled) for item in items]
            if None not in texts:
                # what rich would write, without importing it (issue 16: start-up)
                sys.stdout.write("".join(t for t in texts if t is not None))
                sys.stdout.flush()
                return
        console = self.console()
        for item in items:
            console.print(safe_markup(item) if isinstance(item, str) else item)


# ------------------------------------------------------------------ plain output (no rich)
#
# Importing rich and laying a table out is a fifth of a calculator's start-up. Where rich
# would write no colours (the output is not a terminal), a text that fits the width and a
# table whose columns fit at their natural width come out the same written directly: the
# functions below do that, and give None (rich then does it) for anything else — markup,
# emoji codes, tabs, text to wrap, a table to fit. tests/test_startup.py compares the two.

#: Markup or an emoji code rich would interpret (``[bold]``, ``:smile:``), a backslash
#: (rich's escape), a control character (a tab is expanded): left to rich.
_RICH_SYNTAX = re.compile(r"[\\\x00-\x09\x0b-\x1f\x7f]|:\S*?:")


def plain_target() -> tuple[int, bool] | None:
    """The width of rich's console on standard output and whether it writes styles (a
    terminal: bold and dim as ANSI codes, the only styles written here), by its own rules:
    ``TTY_COMPATIBLE``, ``FORCE_COLOR``, whether the output is a terminal; ``COLUMNS``, else
    the size of a terminal on standard input, output or error, else 80. None where rich
    could write otherwise: Windows, Jupyter, IDLE, a dumb terminal, a non-UTF encoding."""
    import builtins
    import os

    stdout = sys.stdout
    if stdout is None or sys.platform == "win32" or hasattr(builtins, "get_ipython") \
            or getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return None
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    force = os.environ.get("FORCE_COLOR")
    if compatible in ("0", "1"):
        styled = compatible == "1"
    elif force is not None:
        styled = force != ""
    else:
        try:
            styled = bool(stdout.isatty())
        except (AttributeError, ValueError):
            styled = False
    if styled and os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return None
    if not (getattr(stdout, "encoding", "utf-8") or "utf-8").lower().startswith("utf"):
        return None
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return (int(columns), styled) if int(columns) else None  # rich keeps COLUMNS=0
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor)[0]
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80, styled
    return 80, styled


def plain_width() -> int | None:
    """:func:`plain_target`'s width where rich writes no styles, else None."""
    target = plain_target()
    return None if target is None or target[1] else target[0]


def _styled(text: str, code: str, styled: bool) -> str:
    """``text`` as rich writes it in a style (``1`` bold, ``2`` dim) to a terminal."""
    return f"\x1b[{code}m{text}\x1b[0m" if styled else text


#: Characters whose width in cells rich gives as 1 (narrow) or 2 (wide), each on its own
#: and beside any other of them: printable ASCII and Latin-1 (not the soft hyphen), dashes,
#: quotes, the bullet and the ellipsis; CJK punctuation and brackets, the unified
#: ideographs, the full-width forms. tests/test_output_plain.py checks them against rich.
_NARROW = ((0x20, 0x7E), (0xA1, 0xAC), (0xAE, 0xFF), (0x2014, 0x2014), (0x2018, 0x201D),
           (0x2022, 0x2022), (0x2026, 0x2026))
_WIDE = ((0x3001, 0x3003), (0x3008, 0x3011), (0x4E00, 0x9FFF), (0xFF01, 0xFF60))


def cell_len(text: str) -> int:
    """``rich.cells.cell_len``: the cells ``text`` takes in a terminal; counted here for the
    usual letters (rich's tables of every character take a millisecond to load)."""
    if text.isascii() and text.isprintable():
        return len(text)
    cells = 0
    for character in text:
        code = ord(character)
        if any(low <= code <= high for low, high in _NARROW):
            cells += 1
        elif any(low <= code <= high for low, high in _WIDE):
            cells += 2
        else:
            from rich.cells import cell_len as rich_cell_len

            return rich_cell_len(text)
    return cells


def _fits(text: str, width: int, *, markup: bool) -> bool:
    """Whether rich would write ``text`` as it is (one line per line, nothing wrapped)."""
    if markup and "[" in text and "[" in _OUR_TAGS.sub("", text):
        return False  # one of our style tags
    return _RICH_SYNTAX.search(text) is None \
        and all(cell_len(line) <= width for line in text.split("\n"))


def _plain(item: Any, width: int, *, styled: bool = False) -> str | None:
    """What rich writes for ``item`` (with its bold and dim where ``styled``), or None when
    that is left to rich."""
    if isinstance(item, str):
        return item + "\n" if _fits(item, width, markup=True) else None
    if isinstance(item, Titled):
        return item.plain(width, styled=styled)
    return None


class Titled:
    """A table with its title above (bold) and a caption below (dim): rich's
    ``Group(Text(title), table, Text(caption))``, made only when rich draws it."""

    def __init__(self, title: str, table: FittedTable, caption: str | None = None) -> None:
        self.title, self.table, self.caption = title, table, caption

    def group(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        parts: list[Any] = [Text(self.title, style="bold"), self.table]
        if self.caption:
            parts.append(Text(self.caption, style="dim"))
        return Group(*parts)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield self.group()

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        return self.group().__rich_measure__(console, options)

    def plain(self, width: int, *, styled: bool = False) -> str | None:
        """The title (bold), the table and the caption (dim) as rich writes them."""
        texts = [self.title, *([self.caption] if self.caption else [])]
        if not all(_fits(text, width, markup=False) for text in texts) \
                or (styled and any(text == "" or "\n" in text for text in texts)):
            return None
        table = self.table.plain(width, styled=styled)
        if table is None:
            return None
        caption = f"{_styled(self.caption, '2', styled)}\n" if self.caption else ""
        return f"{_styled(self.title, '1', styled)}\n{table}{caption}"


#: A word of this many cells or fewer is not broken while the table has room for it; a
#: longer one folds where it must. Chinese has no spaces and may break between any two
#: characters, so a run of it keeps only three characters together.
_SOFT_WORD = 10
_SOFT_CHINESE = 6

#: A figure: ASCII with a digit in it (an amount, a date, "penalty=30.00", "10%"); never
#: broken. A web address is not a figure (it may fold).
_FIGURE = re.compile(r"[!-~¥×]*[0-9][!-~¥×]*")


def _text_widths(text: Any) -> tuple[int, int]:
    """(narrowest, natural) width of one cell's text: a cell marked no_wrap (an amount) is
    as wide as its widest line; otherwise its figures stay whole and its words may fold."""
    from rich.cells import cell_len

    lines = text.plain.split("\n")
    natural = max(cell_len(line) for line in lines)
    if text.no_wrap:
        return natural, natural
    narrowest = 1
    for word in text.plain.split():
        width = cell_len(word)
        if _FIGURE.fullmatch(word) and "://" not in word:
            narrowest = max(narrowest, width)
        else:
            soft = _SOFT_WORD if width == len(word) else _SOFT_CHINESE
            narrowest = max(narrowest, min(width, soft))
    return min(narrowest, natural) if natural else 1, natural or 1


def _spread(room: int, narrowest: list[int], *wanted: list[int]) -> list[int] | None:
    """Column widths within ``room``, or None when even the narrowest widths do not fit.

    Every column gets its narrowest width; the spare cells then go towards each list of
    ``wanted`` widths in turn (what the rows need, then what the headings need), first to
    the columns that lack the least, so that short values stay on one line and the long
    text takes the folding."""
    if sum(narrowest) > room:
        return None
    widths = list(narrowest)
    spare = room - sum(widths)
    for target in wanted:
        for index in sorted(range(len(widths)), key=lambda k: target[k] - widths[k]):
            grow = max(0, min(target[index] - widths[index], spare))
            widths[index] += grow
            spare -= grow
    return widths


def _cells_widths(console: Any, options: Any, cells: Iterable[Any]) -> tuple[int, int]:
    """(narrowest, natural) width of a column's cells."""
    from rich.measure import Measurement
    from rich.text import Text

    narrowest, natural = 1, 1
    for value in cells:
        if isinstance(value, Text):
            low, high = _text_widths(value)
        else:
            low, high = Measurement.get(console, options, value)
        narrowest, natural = max(narrowest, low), max(natural, high)
    return narrowest, natural


class FittedTable:
    """A table laid out for the width it is given.

    Amounts (the ``right`` columns) never wrap or lose a digit, figures in text cells
    (dates, "penalty=30.00") stay whole, and the text columns share what is left, folding
    where they must; no column is squeezed to nothing. When that does not fit, columns
    empty in every row are left out, then the outer border; if it still does not fit, each
    row becomes a block of "heading  value" lines (a key: value layout)."""

    def __init__(self, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                 right: Iterable[int] = ()) -> None:
        self.right = set(right)
        self.columns = list(columns)
        self.values = [list(row) for row in rows]
        self._cells: tuple[list[Any], list[list[Any]]] | None = None

    def _made(self) -> tuple[list[Any], list[list[Any]]]:
        """The headers and rows as rich texts (made once, when rich draws the table)."""
        if self._cells is None:
            from rich.text import Text

            def cell(value: Any, numeric: bool) -> Any:
                if isinstance(value, str):
                    value = Text.from_markup(safe_markup(value))
                if isinstance(value, Text):
                    value.overflow = "fold"
                    value.no_wrap = numeric or None
                return value

            self._cells = ([cell(column, False) for column in self.columns],
                           [[cell(value, index in self.right) for index, value in enumerate(row)]
                            for row in self.values])
        return self._cells

    @property
    def headers(self) -> list[Any]:
        return self._made()[0]

    @property
    def rows(self) -> list[list[Any]]:
        return self._made()[1]

    def plain(self, width: int, *, styled: bool = False) -> str | None:
        """The table as rich draws it (the headings bold where ``styled``) when every column
        fits at its natural width (then no cell wraps and the layout below gives exactly
        those widths); None otherwise, and for a table of no rows or with a cell that is not
        plain text."""
        cells = [self.columns, *self.values]
        if not self.values or not all(
                isinstance(value, str) and "\n" not in value and value == value.strip()
                and _fits(value, width, markup=True) for row in cells for value in row):
            return None
        widths = [max(1, *(cell_len(row[i]) for row in cells)) for i in range(len(self.columns))]
        if sum(widths) > width - 3 * len(widths) - 1:
            return None

        def line(row: list[str], bar: str, bold: bool = False) -> str:
            gaps = [" " * (w - cell_len(v)) for v, w in zip(row, widths, strict=True)]
            padded = [gap + v if i in self.right else v + gap
                      for i, (v, gap) in enumerate(zip(row, gaps, strict=True))]
            if bold:  # rich styles the padding and the text apart
                space = _styled(" ", "1", True)
                return bar + bar.join(space + _styled(v, "1", True) + space
                                      for v in padded) + bar + "\n"
            return bar + bar.join(f" {v} " for v in padded) + bar + "\n"

        def rule(left: str, fill: str, cross: str, end: str) -> str:
            return left + cross.join(fill * (w + 2) for w in widths) + end + "\n"

        return (rule("┏", "━", "┳", "┓") + line(self.columns, "┃", styled)
                + rule("┡", "━", "╇", "┩")
                + "".join(line(row, "│") for row in self.values) + rule("└", "─", "┴", "┘"))

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.table import Table

        every = list(range(len(self.headers)))
        filled = [i for i in every if i == 0 or any(str(row[i]).strip() for row in self.rows)]
        heads = [_cells_widths(console, options, [header]) for header in self.headers]
        bodies = [_cells_widths(console, options, [row[i] for row in self.rows]) for i in every]
        # Each column has a border and a space either side; without the outer edge, two
        # borders and two spaces fewer.
        layouts = [(keep, edge, options.max_width - 3 * len(keep) - (1 if edge else -3))
                   for keep, edge in ((every, True), (filled, True), (filled, False))]
        fits = [(keep, edge, room) for keep, edge, room in layouts
                if sum(max(heads[i][1], bodies[i][1]) for i in keep) <= room]
        for keep, edge, room in fits[:1] or layouts:
            widths = _spread(room, [max(heads[i][0], bodies[i][0]) for i in keep],
                             [bodies[i][1] for i in keep],
                             [max(heads[i][1], bodies[i][1]) for i in keep])
            if widths is None:
                continue
            table = Table(show_lines=False, show_edge=edge, pad_edge=edge)
            for index, width in zip(keep, widths, strict=True):
                table.add_column(self.headers[index], width=width, overflow="fold",
                                 justify="right" if index in self.right else "left")
            for row in self.rows:
                table.add_row(*(row[i] for i in keep))
            yield table
            return
        yield self._records(console, options)

    def _records(self, console: Any, options: Any) -> Any:
        """Each row as a block of "heading  value" lines, blocks ruled apart."""
        from rich.table import Table

        blocks = [[(self.headers[i], value) for i, value in enumerate(row)
                   if i == 0 or str(value).strip()] for row in self.rows]
        room = options.max_width - 7  # three borders and two spaces per column
        label_low, label_high = _cells_widths(console, options, self.headers)
        value_low, value_high = _cells_widths(console, options,
                                              [value for block in blocks for _h, value in block])
        label = max(min(label_high, room // 3), label_low)
        value = min(value_high, room - label) if room - label >= value_low else None
        table = Table(show_header=False, show_lines=False)
        table.add_column(width=label if value else None, overflow="fold")
        table.add_column(width=value, overflow="fold")
        for block in blocks:
            for number, (heading, cell) in enumerate(block):
                table.add_row(heading, cell, end_section=number == len(block) - 1)
        return table


class Flow:
    """Phrases joined by ``sep`` into lines as wide as the output allows, a phrase never
    split between two lines (unless it is wider than a line by itself)."""

    def __init__(self, parts: Sequence[str], *, indent: int = 2, sep: str = " · ") -> None:
        self.parts, self.indent, self.sep = list(parts), indent, sep

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.padding import Padding
        from rich.text import Text

        room = options.max_width - self.indent
        lines: list[str] = []
        for part in self.parts:
            joined = f"{lines[-1]}{self.sep}{part}" if lines else part
            if lines and cell_len(joined.rstrip()) <= room:
                lines[-1] = joined
            else:
                lines.append(part)
        for line in lines:
            yield Padding(Text.from_markup(safe_markup(line)), (0, 0, 0, self.indent), expand=False)
