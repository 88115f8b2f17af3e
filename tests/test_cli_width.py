"""The main commands read well in a narrow terminal (``COLUMNS=80``, and 60 for some): no line
wider than the terminal, every amount the command's ``--json`` gives is in the table whole
(``¥1,234.56``, never cut with "…" or broken over two lines), and no table column is
squeezed to nothing. Chinese (two cells a character) and English.

One made-up case for the whole file: a credit card, Huabei, a loan from a cousin, a budget,
a hardship, a contact and two promises."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Generator, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from test_cli_case import TODAY, ok, ok_json, overdue_since
from xieshang.engine.money import format_money
from xieshang.output import FittedTable, Flow, Output


@pytest.fixture(scope="module")
def case_home(tmp_path_factory: pytest.TempPathFactory) -> Generator[Path, None, None]:
    folder = tmp_path_factory.mktemp("width") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XIESHANG_HOME", str(folder))
        for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG",
                     "XIESHANG_TEST_PROGRESS", "COLUMNS"):
            patch.delenv(name, raising=False)
        ok("case", "new", "--name", "李明")
        ok("debt", "add", "--product", "credit_card_cn", "--amount", "45678.90",
           "--overdue-since", overdue_since(200), "--lender", "招商银行")
        ok("debt", "add", "--product", "huabei", "--amount", "12345.67", "--overdue-since",
           overdue_since(60))
        ok("debt", "add", "--product", "informal_loan", "--amount", "20000", "--lender", "表哥",
           "--label", "向表哥借的钱", "--annual-rate", "6%", "--overdue-since",
           overdue_since(60))
        ok("budget", "set", "--income", "wages=8500", "--priority", "rent=2500", "--flexible",
           "food=1500")
        ok("hardship", "set", "--reason", "income_loss", "--note", "公司裁员，三个月没有工资")
        when = (TODAY - timedelta(days=2)).isoformat()
        ok("log", "add", "--debt", "1", "--channel", "phone", "--when", f"{when} 10:30",
           "--agent", "王女士", "--reference", "T-20261205-0042", "--asked", "12 期分期，免罚息",
           "--offered", "6 期", "--outcome", "pending")
        ok("promise", "add", "--debt", "1", "--by", "me", "--amount", "1234.56", "--due",
           (TODAY + timedelta(days=2)).isoformat(), "--contact", "1")
        ok("promise", "add", "--debt", "1", "--by", "lender", "--due",
           (TODAY + timedelta(days=30)).isoformat(), "--contact", "1", "--condition",
           "先还 10%")
        yield folder


@pytest.fixture(autouse=True)
def home(case_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XIESHANG_HOME", str(case_home))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG",
                 "XIESHANG_TEST_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    return case_home


# ------------------------------------------------------------------ what each command shows


def _at(data: Any, path: str) -> Iterator[Any]:
    """The values at a path like ``plans[].debts[].paid`` (``[]``: every item of a list)."""
    if not path:
        yield data
        return
    key, _dot, rest = path.partition(".")
    if key.endswith("[]"):
        for item in data[key[:-2]]:
            yield from _at(item, rest)
    else:
        yield from _at(data[key], rest)


def _amounts(*paths: str) -> Callable[[Any], list[str]]:
    """The amounts at these JSON paths, as the tables write them (``¥1,234.56``)."""
    def pick(data: Any) -> list[str]:
        return [format_money(Decimal(v)) for p in paths for v in _at(data, p) if v is not None]
    return pick


def _examples(data: Any) -> list[str]:
    """selfcheck writes its figures as ``name=value``."""
    return [f"{k}={v}" for e in data["examples"] for part in ("expected", "actual")
            for k, v in e[part].items()]


SCHEDULE = ("rows[].payment", "rows[].principal", "rows[].interest", "rows[].fee",
            "rows[].balance", "total_paid", "total_interest", "total_fees", "principal")

#: Each command, and the amounts of its JSON that its tables and lines show.
COMMANDS: dict[str, tuple[tuple[str, ...], Callable[[Any], list[str]]]] = {
    "status": (("status",), _amounts(
        "debts[].principal", "debts[].interest", "debts[].penalty", "debts[].fees",
        "debts[].total", "debts[].daily_cost", "debts[].next.amount_due", "total",
        "daily_cost")),
    "debt-list": (("debt", "list"), _amounts("debts[].principal")),
    "budget": (("budget", "show"), _amounts(
        "lines[].amount", "affordability.steps[].amount", "split.debts[].amount",
        "split.debts[].balance")),
    "plan": (("plan",), _amounts("plans[].totals.paid", "plans[].totals.cost",
                                 "plans[].totals.unpaid_end", "budget")),
    "plan-detail": (("plan", "--strategy", "avalanche"), _amounts(
        "plans[].debts[].paid", "plans[].debts[].balance_end", "plans[].totals.paid",
        "plans[].totals.cost", "plans[].months[].debts[].paid")),
    "plan-month": (("plan", "month"), _amounts("actions[].amount", "actions[].required",
                                               "budget")),
    "ladder": (("ladder", "--debt", "1"), _amounts(
        "rungs[].monthly", "rungs[].total_paid", "rungs[].cost", "owed", "affordable")),
    "offer": (("offer", "--debt", "1", "--periods", "24", "--monthly", "2300"), _amounts(
        "max_payment", "down_payment", "total_paid", "waived")),
    "log-list": (("log", "list"), _amounts()),
    "promise-list": (("promise", "list"), _amounts("commitments[].amount")),
    "alerts": (("alerts",), _amounts()),
    "calc-overdue": (("calc", "overdue", "--product", "huabei", "--amount", "12345.67",
                      "--days", "95"), _amounts(
        "principal", "interest", "penalty", "fees", "total", "daily_cost")),
    "calc-schedule": (("calc", "schedule", "--method", "annuity", "--principal", "123456.78",
                       "--months", "12", "--annual-rate", "18%"), _amounts(*SCHEDULE)),
    "calc-installment": (("calc", "installment", "--amount", "12345.67", "--periods", "12",
                          "--product", "huabei"), _amounts(*SCHEDULE)),
    "selfcheck": (("selfcheck",), _examples),
    "case-list": (("case", "list"), _amounts()),
    "hardship": (("hardship", "show"), _amounts()),
    "prepare": (("prepare", "--debt", "1"), _amounts()),
    "refused": (("refused", "--reason", "offer_too_low", "--debt", "1"), _amounts()),
}

#: Commands whose every amount must show (a sample, to know the test reads them).
MUST_SHOW = {"status": "¥45,678.90", "debt-list": "¥12,345.67", "promise-list": "¥1,234.56",
             "calc-schedule": "¥123,456.78", "budget": "¥8,500.00"}

# --------------------------------------------------------------------------- reading tables

_RULE = re.compile(r"[│┃─━]")


def _tables(text: str) -> list[list[list[str]]]:
    """The tables in the output, each as its lines split into columns (borders dropped)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if not _RULE.search(line) or line.startswith("━━ "):
            current = None
            continue
        if current is None:
            current = []
            tables.append(current)
        if "│" in line or "┃" in line:
            parts = line.replace("┃", "│").split("│")
            if line.startswith(("│", "┃")):  # a table with its outer border
                parts = parts[1:-1]
            current.append(parts)
    return [t for t in tables if t]


def _check(text: str, width: int, amounts: list[str]) -> None:
    wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not wide, f"wider than {width}: {wide[:3]}"
    missing = sorted({a for a in amounts if a not in text})
    assert not missing, f"not shown whole: {missing[:5]}"
    assert not re.search(r"\d…|…\d", text)
    for table in _tables(text):
        counts = {len(parts) for parts in table}
        assert len(counts) == 1, f"ragged table: {table[:3]}"
        for column in zip(*table, strict=True):
            assert any(cell.strip() for cell in column), f"empty column in {table[:3]}"
            assert all(len(cell) >= 1 for cell in column)


def _run(monkeypatch: pytest.MonkeyPatch, name: str, lang: str, width: int) -> str:
    args, pick = COMMANDS[name]
    monkeypatch.delenv("COLUMNS", raising=False)
    amounts = pick(ok_json(*args))
    monkeypatch.setenv("COLUMNS", str(width))
    text = ok(*args, "--lang", lang)
    if name in MUST_SHOW:
        assert MUST_SHOW[name] in amounts
    _check(text, width, amounts)
    return text


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_main_command_fits_80_columns(name: str, lang: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _run(monkeypatch, name, lang, 80)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", ["status", "debt-list", "budget", "plan", "plan-detail",
                                  "plan-month", "ladder", "promise-list", "log-list",
                                  "calc-schedule", "selfcheck"])
def test_the_busiest_commands_fit_60_columns(name: str, lang: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _run(monkeypatch, name, lang, 60)


# ------------------------------------------------------------------------- specific layouts


def test_plan_comparison_keeps_every_column_at_80_in_english(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The strategy names used to be squeezed out (a column 0 wide) and amounts cut. A name
    may fold onto a second line (a row with nothing else in it) when the amounts take six
    digits (a card charged a late fee for every missed statement, issue 12)."""
    text = _run(monkeypatch, "plan", "en", 80)
    table = _tables(text)[0]
    names: list[str] = []
    for parts in table:
        if not parts[0].strip():
            continue
        if names and not "".join(parts[1:]).strip():
            names[-1] += " " + parts[0].strip()
        else:
            names.append(parts[0].strip())
    assert names[1:] == ["Avalanche", "Snowball", "Pro rata", "Risk first", "Optimal"]
    assert "Months" in table[0][4] or "Months" in table[1][4]


def test_month_by_month_dates_stay_on_one_line_in_chinese(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = _run(monkeypatch, "plan-detail", "zh", 80)
    plan = ok_json("plan", "--strategy", "avalanche")["plans"][0]
    for month in plan["months"]:
        assert re.search(rf"│ +{month['month']} +│ {month['pay_date']} +│", text), month
    for debt in plan["debts"]:
        assert f"│ {format_money(Decimal(debt['paid']))} │" in text


def test_status_keeps_each_label_with_its_amount(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _run(monkeypatch, "status", "en", 60)
    debt = ok_json("status")["debts"][0]
    lines = text.splitlines()
    for label, key in (("Principal", "principal"), ("Penalty interest", "penalty"),
                       ("Late fees and other fees", "fees")):
        amount = format_money(Decimal(debt[key]))
        assert any(f"{label} {amount}" in line for line in lines), (label, amount)
    # the wrapped lines stay indented under their debt
    start = lines.index(next(x for x in lines if x.startswith("━━ #1")))
    block = lines[start + 1:lines.index(next(x for x in lines if x.startswith("━━ #2")))]
    assert block
    assert all(line.startswith("  ") for line in block)


def test_promises_in_60_columns_become_one_block_per_promise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = _run(monkeypatch, "promise-list", "zh", 60)
    assert "┃" not in text  # no header row: "heading  value" lines instead
    blocks = text.split("├")
    assert len(blocks) == 2
    assert "¥1,234.56" in blocks[0]
    assert "先还 10%" in blocks[1]
    assert "条件" not in blocks[0]  # a promise with no condition does not list one


# ------------------------------------------------------------------------ the table itself


def _render(item: Any, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False)
    console.print(item)
    return str(console.file.getvalue())


def test_fitted_table_never_cuts_an_amount_and_never_empties_a_column() -> None:
    out = Output("en", False)
    rows = [(f"#{n} A debt with a fairly long name", out.money(Decimal("1234567.89") * n),
             "2026-12-07", out.money(Decimal("12.5") * n), "a note")
            for n in range(1, 4)]
    for width in (100, 80, 60, 50, 40):
        text = _render(FittedTable(["Debt", "Owed in all", "Pay by", "A month", "Note"],
                                   rows, right=[1, 3]), width)
        _check(text, width, ["¥1,234,567.89", "¥2,469,135.78", "¥3,703,703.67",
                             "¥12.50", "¥25.00", "¥37.50"])
        assert text.count("2026-12-07") == 3


def test_a_column_empty_in_every_row_is_left_out_only_when_space_is_short() -> None:
    table = FittedTable(["Id", "When", "Reference", "Outcome"],
                        [("1", "2026-12-05 10:30", "", "pending")])
    assert "Reference" in _render(table, 80)
    narrow = _render(table, 36)
    assert "Reference" not in narrow
    assert "2026-12-05" in narrow
    assert "pending" in narrow


def test_flow_keeps_phrases_whole_and_indented() -> None:
    parts = ["Principal ¥45,678.90", "Contract interest ¥0.00", "Penalty interest ¥4,767.24",
             "Late fees and other fees ¥228.39"]
    text = _render(Flow(parts), 50)
    lines = text.splitlines()
    assert lines == ["  Principal ¥45,678.90 · Contract interest ¥0.00",
                     "  Penalty interest ¥4,767.24",
                     "  Late fees and other fees ¥228.39"]
