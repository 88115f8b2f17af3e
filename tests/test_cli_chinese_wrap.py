"""Chinese text in the terminal wraps as Chinese: between characters, never at the space
between a label and its figure, never inside a figure, a short aside in full-width
parentheses or a number and the word it counts ("第188条"), and never starting a line with
closing punctuation. Rich breaks only at spaces: a long run of Chinese after a space went
to a line of its own, leaving "（年利率" alone at the end of a half-empty line and
"3.85%）" at the start of the next (issue 12/14, the brother-in-law's loan at 80 columns)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rich.cells import cell_len

from test_cli_case import clean_home, ok
from xieshang.output import Output, chinese_breaks

NOW = "2026-12-07T10:00+08:00"


def _lines(text: str, width: int) -> list[str]:
    cuts = [0, *chinese_breaks(text, width), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(cuts)]


def test_chinese_breaks_between_characters_and_keeps_figures_whole() -> None:
    """Width 20 cells = 10 Chinese characters. "向法院请求保护民事权" is 10 characters
    (20 cells); "利的诉讼时效期间" 16 cells and the next unit "为3年" (5 cells) would make
    21; "为3年（依民法典" is 15 cells and "第188条" (7, a number with the word it counts)
    would make 22 (the aside "（依民法典第188条规定）" is 21 cells, too long to keep whole);
    "第188条规定）。贷款" 19 cells (closing punctuation never first); the rest 18."""
    text = ("向法院请求保护民事权利的诉讼时效期间为3年（依民法典第188条规定）。"
            "贷款机构每一次要求还款")
    assert _lines(text, 20) == ["向法院请求保护民事权", "利的诉讼时效期间", "为3年（依民法典",
                                "第188条规定）。贷款", "机构每一次要求还款"]
    assert all(cell_len(line) <= 20 for line in _lines(text, 20))


def test_a_source_set_off_by_spaces_stays_whole() -> None:
    """"《民法典》人格权编" (18 cells) after its confidence mark is kept on one line, as
    rich kept it (a word between spaces)."""
    text = "也不得泄露你的私密信息。 [V] 《民法典》人格权编"
    assert _lines(text, 30) == ["也不得泄露你的私密信息。 [V] ", "《民法典》人格权编"]


def test_a_label_its_figure_and_a_short_aside_stay_together() -> None:
    """"（年利率 3.85%）" is 16 cells (2 + 6 + 1 + 5 + 2): one unit (up to 18). At 24 cells the line
    "参照当时的报价利率" (18 cells) has no room for it, so it starts the next line whole,
    followed by "计算的逾" (24 cells in all).
    "约为 ¥6,857.22" keeps the label's last character with the amount."""
    assert _lines("参照当时的报价利率（年利率 3.85%）计算的逾期利息", 24) == [
        "参照当时的报价利率", "（年利率 3.85%）计算的逾", "期利息"]
    assert _lines("到今天为止，这部分利息约为 ¥6,857.22。这里的欠款", 28) == [
        "到今天为止，这部分利息约", "为 ¥6,857.22。这里的欠款"]


def test_english_and_plain_ascii_wrap_as_rich_does() -> None:
    """A line with no Chinese is left to rich; English output uses rich's own console."""
    assert type(Output("en", False).console()).__name__ == "Console"
    assert type(Output("zh", False).console()).__name__ == "ChineseConsole"


def brother_in_law_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new home holding one case: ¥30,000 from a brother-in-law at 0 %, lent 2020-12-01,
    overdue since 2021-01-01 (the terminal's width left to each test)."""
    folder = clean_home(tmp_path, monkeypatch)
    monkeypatch.delenv("COLUMNS", raising=False)
    ok("case", "new", "--name", "李明")
    ok("debt", "add", "--product", "informal_loan", "--amount", "30000", "--overdue-since",
       "2021-01-01", "--annual-rate", "0%", "--contract-date", "2020-12-01", "--label", "姐夫",
       "--lender", "姐夫")
    return folder


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return brother_in_law_home(tmp_path, monkeypatch)


@pytest.mark.now(NOW)
@pytest.mark.parametrize("width", [80, 60])
def test_status_keeps_the_rate_and_the_amount_with_their_labels(
        home: Path, width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The brother-in-law's ¥30,000 at 0 %: the court line cites the LPR "（年利率 3.85%）"
    and the interest so far "约为 ¥6,857.22" (30,000 × 3.85 % × 2,167 / 365 = 6,857.22);
    each stays on one line at 80 and at 60 columns, and every wrapped line of a paragraph
    but its last is filled to within 18 cells of the width: the widest unit kept whole is an
    18-cell aside (rich left a line of 44 cells of 78: "…报价利率（年利率")."""
    monkeypatch.setenv("COLUMNS", str(width))
    text = ok("status")
    lines = [line.rstrip() for line in text.splitlines()]
    assert all(cell_len(line) <= width for line in lines)
    assert any("（年利率 3.85%）" in line for line in lines)
    assert any("为 ¥6,857.22" in line for line in lines)
    assert not any(line.lstrip().startswith(("3.85%", "¥6,857.22", "）", "，", "。"))
                   for line in lines)
    start = next(i for i, line in enumerate(lines) if "因为没有约定利率" in line)
    paragraph = lines[start:next(i for i in range(start, len(lines))
                                 if lines[i].endswith("。"))]
    assert len(paragraph) >= 1
    assert all(cell_len(line) >= width - 18 for line in paragraph), paragraph
