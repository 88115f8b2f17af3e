"""Output written without rich (issue 16: start-up) is exactly what rich writes.

`Output.print` writes a text or a titled table itself when rich would write no styles (the
output is not a terminal) and nothing needs wrapping or fitting; anything else is left to
rich. Here both are made for the same items and compared character for character.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.output import FittedTable, Titled, _plain, plain_target, plain_width, safe_markup


def _rich(item: object, width: int, environ: dict[str, str] | None = None) -> str:
    """What rich writes: to a file, or to a terminal (``environ``: its TERM, NO_COLOR)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, highlight=False,
                      force_terminal=None if environ is None else True, _environ=environ or {})
    console.print(safe_markup(item) if isinstance(item, str) else item)
    return buffer.getvalue()


#: Letters that matter to the layout: wide Chinese, narrow ASCII, the yen sign, markup and
#: emoji syntax (brackets, colons, backslashes), spaces, a tab and new lines.
_PIECES = [*"ab1¥,.-%（）：项目金额本利息 []:\\/\t\n", "[bold]", "[/]", ":smile:", "[S]"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=20).map("".join)
#: Table cells: mostly what rich writes as it is (a source mark, a lone colon or bracket).
_CELL = st.lists(st.sampled_from([*"ab1¥,.%（）项目金额:[", " ", "[S]", "¥1,000.00", "[bold]"]),
                 max_size=8).map("".join)


@settings(max_examples=300)
@given(text=_TEXT, width=st.integers(min_value=10, max_value=120))
def test_a_text_is_written_as_rich_writes_it(text: str, width: int) -> None:
    plain = _plain(text, width)
    if plain is not None:
        assert plain == _rich(text, width)


@settings(max_examples=300)
@given(title=_CELL, caption=st.none() | _CELL,
       columns=st.integers(min_value=1, max_value=4),
       cells=st.lists(st.lists(_CELL, min_size=4, max_size=4), min_size=1, max_size=5),
       right=st.sets(st.integers(min_value=0, max_value=3)),
       width=st.integers(min_value=10, max_value=120))
def test_a_table_is_written_as_rich_writes_it(title: str, caption: str | None, columns: int,
                                              cells: list[list[str]], right: set[int],
                                              width: int) -> None:
    heads, rows = cells[0][:columns] if cells else ["a"] * columns, \
        [row[:columns] for row in cells[1:]]
    item = Titled(title, FittedTable(heads, rows, right), caption)
    plain = _plain(item, width)
    if plain is not None:
        assert plain == _rich(item, width)
    styled = _plain(item, width, styled=True)
    if styled is not None:
        for environ in _TERMINALS:
            assert styled == _rich(item, width, environ)


#: Terminals rich writes bold and dim to, with colours of every kind or none.
_TERMINALS = ({"TERM": "xterm-256color"}, {"TERM": "xterm", "COLORTERM": "truecolor"},
              {"TERM": "linux"}, {"TERM": "xterm-256color", "NO_COLOR": "1"})


def test_the_calculator_table_is_written_without_rich() -> None:
    """The bill table of ``calc overdue`` (worked: 16 + 9 cells of text, two borders, four
    spaces → 32 cells wide, within 80) is written directly, as rich draws it."""
    rows = [("本金", "¥1,000.00"), ("罚息（逾期利息）", "¥1.50"), ("应还合计", "¥1,001.50")]
    title = "花呗：2026-12-07 应还金额（已逾期 3 天）"
    item = Titled(title, FittedTable(["项目", "金额"], rows, [1]))
    plain = _plain(item, 80)
    assert plain == _rich(item, 80)
    assert plain is not None
    assert plain.splitlines()[1] == "┏" + "━" * 18 + "┳" + "━" * 11 + "┓"
    styled = _plain(item, 80, styled=True)  # in a terminal: the title and headings bold
    assert styled == _rich(item, 80, {"TERM": "xterm-256color"})
    assert styled is not None
    assert styled.startswith(f"\x1b[1m{title}\x1b[0m\n")
    source = "来源: rules-cn.md §1.2 [S] 二手来源"
    assert _plain(source, 80) == source + "\n"


def test_styles_and_what_does_not_fit_are_left_to_rich() -> None:
    assert _plain("[bold]总计[/bold]", 80) is None
    assert _plain("a :smile: b", 80) is None
    assert _plain("一" * 41, 80) is None  # 82 cells: rich wraps it
    wide = Titled("t", FittedTable(["a", "b"], [("x" * 40, "y" * 40)]))
    assert _plain(wide, 80) is None  # rich fits the columns


def test_the_width_is_rich_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "63")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert plain_width() == 63
    monkeypatch.setenv("COLUMNS", "0")  # rich's own oddity: left to rich
    assert plain_width() is None
    monkeypatch.setenv("COLUMNS", "63")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich would write styles
    assert plain_width() is None
    monkeypatch.setenv("TERM", "xterm")
    assert plain_target() == (63, True)
    monkeypatch.setenv("TERM", "dumb")  # rich writes no styles and takes 80 columns
    assert plain_target() is None
    monkeypatch.setenv("TTY_COMPATIBLE", "0")  # not a terminal, whatever FORCE_COLOR says
    assert plain_target() == (63, False)


def test_the_cells_of_each_usual_letter_are_rich_s() -> None:
    """Every character counted without rich (ASCII, Latin-1, CJK: 21,000 and more) takes
    the cells rich gives it (e.g. 本 2, ¥ 1, — 1, ， 2)."""
    from rich.cells import cell_len as rich_cell_len

    from xieshang.output import _NARROW, _WIDE_RANGES, cell_len

    for ranges, cells in ((_NARROW, 1), (_WIDE_RANGES, 2)):
        for low, high in ranges:
            for code in range(low, high + 1):
                assert cell_len(chr(code)) == rich_cell_len(chr(code)) == cells, hex(code)
    assert cell_len("本金 ¥1,000.00 — ，") == 2 + 2 + 1 + 9 + 1 + 1 + 1 + 2


@settings(max_examples=300)
@given(text=st.text(alphabet=st.sampled_from([*"a ¥—·•…本，。（）\u00ad\u0301\ufe0f\u200d",
                                             "\U0001f600", "\u3000", "\t"])))
def test_a_text_s_cells_are_rich_s(text: str) -> None:
    from rich.cells import cell_len as rich_cell_len

    from xieshang.output import cell_len

    assert cell_len(text) == rich_cell_len(text)
