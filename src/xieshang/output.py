"""Output helpers shared by every command: language, JSON, rich tables, errors.

Commands build plain values (dicts of strings and numbers) and hand them here; money is
always shown as ``¥1,234.50`` in tables and as the string ``"1234.50"`` in JSON.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from xieshang.engine.money import format_money
from xieshang.i18n import chinese_variant, gettext_for, normalize_lang, to_traditional

__all__ = ["FittedTable", "Flow", "Output", "Titled", "chinese_breaks", "jsonable",
           "plain_target", "plain_width", "safe_markup"]

#: The rich style tags the fronts use on purpose; any other "[...]" in a text is data
#: (a source mark "[S]", a placeholder "[lender]") and is shown as written.
@cache
def _our_tags() -> re.Pattern[str]:
    """Any ``[`` but one of our style tags' (compiled on first use, as the patterns below:
    a calculator's start-up compiled a dozen patterns it never used, issue 16)."""
    return re.compile(r"\[(?!/?(?:bold|dim|italic|underline|red|green|yellow|cyan|magenta|"
                      r"blue)(?: [a-z ]+)?\]|/\])")


def safe_markup(text: str) -> str:
    """Escape every ``[`` that does not open one of our own style tags."""
    return _our_tags().sub(r"\\[", text)


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


class Output:
    """Where a command writes: the language, JSON or tables, and the console.

    A plain class with what ``@dataclass`` would give it (the fields in order, ``==``,
    ``repr``): making a dataclass costs a calculator's start-up about half a millisecond
    (issue 16)."""

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value

    lang: str
    as_json: bool
    #: Traditional Chinese on the screen ("tw" or "hk", see `chinese_variant`): the text
    #: is written in Simplified Chinese and converted as it is printed.
    variant: str | None

    def __init__(self, lang: str, as_json: bool, variant: str | None = None) -> None:
        self.lang = lang
        self.as_json = as_json
        self.variant = variant

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(lang={self.lang!r}, as_json={self.as_json!r}, "
                f"variant={self.variant!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Output) or other.__class__ is not self.__class__:
            return NotImplemented
        return (self.lang, self.as_json, self.variant) == (
            other.lang, other.as_json, other.variant)

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
        return cls(code, as_json, chinese_variant(lang) if code == "zh" else None)

    def screen(self, text: str) -> str:
        """``text`` as the screen shows it: in Traditional Chinese when that was chosen."""
        return to_traditional(text, self.variant) if self.variant else text

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

        text = json.dumps(jsonable(payload), ensure_ascii=False, indent=2)
        sys.stdout.write(self.screen(text) + "\n")

    def console(self) -> Any:
        """A rich console; in Chinese one that lays out Chinese text as Chinese (see
        `chinese_breaks`); English text (a Chinese name in it too) wraps at its spaces."""
        if self.lang == "en":
            from rich.console import Console

            return Console(highlight=False)
        console = _console_class()(highlight=False)
        console.convert = self.screen if self.variant else None
        return console

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
                sys.stdout.write(self.screen("".join(t for t in texts if t is not None)))
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

@cache
def _rich_syntax() -> re.Pattern[str]:
    """Markup or an emoji code rich would interpret (``[bold]``, ``:smile:``), a backslash
    (rich's escape), a control character (a tab is expanded): left to rich."""
    return re.compile(r"[\\\x00-\x09\x0b-\x1f\x7f]|:\S*?:")


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
_WIDE_RANGES = ((0x3001, 0x3003), (0x3008, 0x3011), (0x4E00, 0x9FFF), (0xFF01, 0xFF60))


#: The cells of each character met so far (0: not one of the usual letters).
_CELLS: dict[str, int] = {}


def _cells_of(character: str) -> int:
    """1 or 2 cells for one of the usual letters (:data:`_NARROW`, :data:`_WIDE_RANGES`),
    else 0."""
    code = ord(character)
    if any(low <= code <= high for low, high in _NARROW):
        return 1
    if any(low <= code <= high for low, high in _WIDE_RANGES):
        return 2
    return 0


def cell_len(text: str) -> int:
    """``rich.cells.cell_len``: the cells ``text`` takes in a terminal; counted here for the
    usual letters (rich's tables of every character take a millisecond to load), each
    letter looked up once."""
    if text.isascii() and text.isprintable():
        return len(text)
    cells = 0
    known = _CELLS
    for character in text:
        width = known.get(character)
        if width is None:
            width = known[character] = _cells_of(character)
        if not width:
            from rich.cells import cell_len as rich_cell_len

            return rich_cell_len(text)
        cells += width
    return cells


def _fits(text: str, width: int, *, markup: bool) -> bool:
    """Whether rich would write ``text`` as it is (one line per line, nothing wrapped)."""
    if markup and "[" in text and "[" in _our_tags().sub("", text):
        return False  # one of our style tags
    return _rich_syntax().search(text) is None \
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

@cache
def _figure() -> re.Pattern[str]:
    """A figure: ASCII with a digit in it (an amount, a date, "penalty=30.00", "10%"); never
    broken. A web address is not a figure (it may fold)."""
    return re.compile(r"[!-~¥×]*[0-9][!-~¥×]*")


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
        if _figure().fullmatch(word) and "://" not in word:
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


# ------------------------------------------------------------- Chinese line breaking

#: Never at the start of a line (closing punctuation) / at the end of one (opening).
_NO_START = frozenset("，。、；：？！）」』】》〉’”…—·％,.;:!?)]}%")
_NO_END = frozenset("（「『【《〈‘“([{")
#: Any wide character (Chinese, full-width punctuation): text with none wraps as rich does.
_WIDE_CLASS = (r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
               r"\uff00-\uff60\uffe0-\uffe6]")


@cache
def _wide_pattern() -> re.Pattern[str]:
    """:data:`_WIDE_CLASS` compiled on first use: compiling its large ranges takes about
    5 ms, which a command that wraps no Chinese (``calc`` written plainly) need not pay."""
    return re.compile(_WIDE_CLASS)


@cache
def _aside_and_word() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A short aside in full-width parentheses; a word set off by spaces."""
    return re.compile(r"（[^（）\n]+）"), re.compile(r"\S+")


#: A short aside or word is kept on one line (up to this many cells).
_ASIDE_CELLS = 18


def _wide(char: str) -> bool:
    return bool(_wide_pattern().match(char))


def chinese_breaks(text: str, width: int, fold: bool = True) -> list[int]:
    """Where to break one line of mixed Chinese and ASCII text to fit ``width`` cells (the
    offsets of the lines after the first, as rich's ``divide_line`` gives them).

    Chinese may break between any two characters, but not before closing punctuation
    (，。）…) nor after opening punctuation (（“…); an ASCII run (a figure, a date, an
    English word) is never broken unless it is wider than a line, nor parted from the
    Chinese written against it ("第188条", "3个月"); a space between Chinese and a figure
    binds them ("年利率 3.85%", "约为 ¥6,857.22": a label stays with its figure); and a
    short aside in full-width parentheses, or a short word set off by spaces, stays whole.
    Rich itself breaks only at spaces and moves a long run of Chinese after a space to a
    line of its own, leaving "（年利率" alone at the end of a half-empty line."""
    from rich.cells import cell_len, chop_cells

    # the places a line may start: the start of each unit that may begin a line
    starts: list[int] = [0]
    for index in range(1, len(text)):
        char, before = text[index], text[index - 1]
        if char.isspace():
            continue
        if before.isspace():
            start = index
            while start > 0 and text[start - 1].isspace():
                start -= 1
            # Chinese, a space, then ASCII (a figure): bound together
            if not (start > 0 and _wide(text[start - 1]) and not _wide(char)):
                starts.append(index)
            continue
        if char in _NO_START or before in _NO_END:
            continue
        if char.isdigit() != before.isdigit() and (char.isascii() or before.isascii()):
            continue  # a number and the word it counts: "第188条", "3个月", "20日内"
        if _wide(char) or _wide(before):
            starts.append(index)
    # a short aside in full-width parentheses ("（年利率 3.85%）", "（第二十八条）") is one
    # unit, and so is a short word set off by spaces ("《民法典》人格权编" after its mark)
    aside, word = _aside_and_word()
    for found in (*aside.finditer(text), *word.finditer(text)):
        if cell_len(found.group()) <= _ASIDE_CELLS:
            starts = [start for start in starts
                      if not found.start() < start < found.end()]
    starts.append(len(text))
    breaks: list[int] = []
    used = 0  # cells on the current line
    for begin, end in itertools.pairwise(starts):
        unit = text[begin:end]
        visible = cell_len(unit.rstrip())
        if used + visible <= width:
            used += cell_len(unit)
            continue
        if visible > width and fold:  # wider than a line by itself: folded
            pieces = chop_cells(unit, width)
            offset = begin
            for number, piece in enumerate(pieces):
                if offset and (number or used):
                    breaks.append(offset)
                offset += len(piece)
            used = cell_len(pieces[-1])
            continue
        if begin and used:
            breaks.append(begin)
        used = cell_len(unit)
    return breaks


@cache
def _console_class() -> type:
    """A rich Console whose texts containing Chinese wrap by `chinese_breaks` (defined on
    first use: rich is imported only by the commands that print)."""
    from rich.console import Console
    from rich.containers import Lines
    from rich.text import Text

    class ChineseText(Text):
        """A rich Text wrapped the Chinese way where a line has wide characters."""

        @classmethod
        def of(cls, text: Text, convert: Callable[[str], str] | None = None) -> ChineseText:
            """``text`` as a ChineseText, converted by ``convert`` when given (its styled
            parts kept where the conversion keeps the length, as it nearly always does)."""
            plain = convert(text.plain) if convert is not None else text.plain
            made = cls(plain, style=text.style, justify=text.justify,
                       overflow=text.overflow, no_wrap=text.no_wrap, end=text.end,
                       tab_size=text.tab_size)
            if len(plain) == len(text.plain):
                made._spans[:] = text._spans
            return made

        def wrap(self, console: Any, width: int, *, justify: Any = None,
                 overflow: Any = None, tab_size: int = 8, no_wrap: bool | None = None
                 ) -> Any:
            wrap_justify = justify or self.justify or "default"
            wrap_overflow = overflow or self.overflow or "fold"
            unwrapped = (self.no_wrap if no_wrap is None else no_wrap) or overflow == "ignore"
            if unwrapped:
                return super().wrap(console, width, justify=justify, overflow=overflow,
                                    tab_size=tab_size, no_wrap=no_wrap)
            lines = Lines()
            for line in self.split(allow_blank=True):
                if "\t" in line:
                    line.expand_tabs(tab_size)
                plain = line.plain
                if not _wide_pattern().search(plain):
                    lines.extend(Text.wrap(line, console, width, justify=justify,
                                           overflow=overflow, tab_size=tab_size))
                    continue
                parts = line.divide(chinese_breaks(plain, width, wrap_overflow == "fold"))
                for part in parts:
                    part.rstrip_end(width)
                if wrap_justify:
                    parts.justify(console, width, justify=wrap_justify,
                                  overflow=wrap_overflow)
                for part in parts:
                    part.truncate(width, overflow=wrap_overflow)
                lines.extend(parts)
            return lines

    class ChineseConsole(Console):
        """Every Text it renders that holds Chinese wraps the Chinese way, and is converted
        by ``convert`` first (Traditional Chinese) when one is set."""

        convert: Callable[[str], str] | None = None

        def render_str(self, text: str, **options: Any) -> Any:
            if self.convert is not None and _wide_pattern().search(text):
                text = self.convert(text)
            made = super().render_str(text, **options)
            wide = type(made) is Text and _wide_pattern().search(text)
            return ChineseText.of(made) if wide else made

        def render(self, renderable: Any, options: Any = None) -> Any:
            if type(renderable) is Text and _wide_pattern().search(renderable.plain):
                renderable = ChineseText.of(renderable, self.convert)
            return super().render(renderable, options)

    return ChineseConsole
