"""``xieshang budget …`` end to end, and an import killed half way (SIGKILL) leaves the
database intact with all or none of it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from test_cli_case import clean_home, dump, invoke, ok, ok_json, overdue_since
from xieshang.engine.budget import BudgetLine, BudgetStatement, Household, Section, affordability
from xieshang.services.budget import norms

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = ROOT / "tests" / "data" / "statements"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    return folder


def test_budget_set_show_and_the_engine_agree() -> None:
    ok("debt", "add", "--product", "huabei", "--amount", "3000", "--overdue-since",
       overdue_since(10))
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "9000", "--overdue-since",
       overdue_since(10), "--priority", "1")
    ok("budget", "set", "--adults", "2", "--children-5-10", "1", "--city-tier", "tier1",
       "--income", "wages=6500", "--income", "wages_partner=3000", "--priority", "rent=2800",
       "--fixed", "transport=300", "--flexible", "food=2000:含午餐", "--flexible",
       "leisure=500")
    ok("budget", "set", "--flexible", "food=1800", "--remove", "leisure", "--buffer", "300")
    report = ok_json("budget", "show")
    assert [(line["category"], line["amount"], line["note"]) for line in report["lines"]] == [
        ("wages", "6500.00", ""), ("wages_partner", "3000.00", ""), ("rent", "2800.00", ""),
        ("transport", "300.00", ""), ("food", "1800.00", "")]
    statement = BudgetStatement(
        household=Household(adults=2, children_5_10=1, city_tier="tier1"),
        lines=(BudgetLine(Section.INCOME, "wages", Decimal("6500.00")),
               BudgetLine(Section.INCOME, "wages_partner", Decimal("3000.00")),
               BudgetLine(Section.PRIORITY, "rent", Decimal("2800.00")),
               BudgetLine(Section.FIXED, "transport", Decimal("300.00")),
               BudgetLine(Section.FLEXIBLE, "food", Decimal("1800.00"))),
        buffer=Decimal("300.00"))
    expected = affordability(statement, norms())
    assert report["affordability"]["available"] == str(expected.available) == "4300.00"
    assert report["affordability"]["outcome"] == "surplus"
    shares = report["split"]["debts"]
    assert sum(Decimal(s["amount"]) for s in shares) == expected.available
    assert shares[0]["amount"] < shares[1]["amount"]  # pro rata to what each owes
    first = ok_json("budget", "show", "--split", "priority")["split"]["debts"]
    assert Decimal(first[1]["amount"]) == min(Decimal(first[1]["balance"]), expected.available)
    text = ok("budget", "show", "--lang", "en")
    assert "Available for unsecured debts" in text
    assert "Split across the debts" in text


def test_nothing_left_is_a_breathing_space_not_an_error() -> None:
    ok("budget", "set", "--income", "wages=2000", "--priority", "rent=1800", "--flexible",
       "food=900")
    report = ok_json("budget", "show")
    assert report["affordability"]["outcome"] == "breathing_space"
    assert report["affordability"]["available"] == "0.00"
    assert report["affordability"]["shortfall"] == "800.00"


def test_budget_categories_lists_the_ids() -> None:
    data = ok_json("budget", "categories")
    assert {"wages", "rent", "food"} <= {c["id"] for c in data["categories"]}


def test_import_dry_run_shows_and_saves_nothing(home: Path) -> None:
    before = dump(home)
    out = ok("budget", "import", str(STATEMENTS / "alipay_sample.csv"), "--dry-run",
             "--lang", "en")
    assert "Monthly spending found" in out
    assert "Debt repayments spotted" in out
    assert "Nothing saved" in out
    assert dump(home) == before


def test_import_asks_before_saving(home: Path) -> None:
    before = dump(home)
    out = ok("budget", "import", str(STATEMENTS / "alipay_sample.csv"), "--lang", "en",
             input="n\n")
    assert "Save these monthly figures" in out
    assert "Nothing saved." in out
    assert dump(home) == before
    data = ok_json("budget", "import", str(STATEMENTS / "wechat_sample.xlsx"), "--yes")
    assert data["saved"] is True
    assert data["format"] == "wechat"
    with sqlite3.connect(home / "xieshang.db") as db:
        count = db.execute("SELECT count(*) FROM transactions").fetchone()[0]
        lines = db.execute("SELECT count(*) FROM budget_lines").fetchone()[0]
    assert count == data["transactions"] > 0
    assert lines > 0
    report = ok_json("budget", "show")
    assert any(line["note"] == "wechat_sample.xlsx" for line in report["lines"])


def test_the_same_file_is_not_imported_twice(home: Path) -> None:
    ok("budget", "import", str(STATEMENTS / "alipay_sample.csv"), "--yes")
    before = dump(home)
    code, _, err = invoke("budget", "import", str(STATEMENTS / "alipay_sample.csv"), "--yes",
                          "--lang", "en")
    assert code == 2
    assert "already imported" in err
    assert dump(home) == before


@pytest.mark.parametrize(("name", "extra", "text"), [
    ("alipay_bad_amount.csv", [], "row"),
    ("alipay_truncated_header.csv", [], "alipay_truncated_header.csv"),
    ("generic_sample.csv", ["--map", "date=日期"], "column"),
    ("missing.csv", [], "missing.csv"),
    ("alipay_sample.csv", ["--format", "paypal"], "format"),
])
def test_a_bad_statement_writes_nothing(home: Path, name: str, extra: list[str],
                                        text: str) -> None:
    before = dump(home)
    code, _, err = invoke("budget", "import", str(STATEMENTS / name), "--yes", *extra,
                          "--lang", "en")
    assert code == 2, err
    assert text in err, err
    assert dump(home) == before


def test_generic_csv_with_a_column_map() -> None:
    data = ok_json("budget", "import", str(STATEMENTS / "generic_sample.csv"), "--format", "csv",
                   "--dry-run")
    assert data["format"] == "csv"
    assert data["saved"] is False
    assert data["transactions"] > 0


# ------------------------------------------------------------------------------ SIGKILL


def _large(path: Path, rows: int) -> Path:
    sys.path.insert(0, str(STATEMENTS))
    try:
        from make_samples import large_alipay
    finally:
        sys.path.remove(str(STATEMENTS))
    return large_alipay(path, rows)


def _kill_when(home: Path, file: Path, mode: str, wanted: str) -> list[str]:
    """Run the import in a process; SIGKILL it when a progress line starts with ``wanted``;
    return the progress lines read."""
    env = dict(os.environ, XIESHANG_HOME=str(home), XIESHANG_TEST_PROGRESS=mode)
    process = subprocess.Popen(
        [sys.executable, "-m", "xieshang", "budget", "import", str(file), "--yes"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        cwd=ROOT)
    assert process.stderr is not None
    lines = []
    try:
        for raw in process.stderr:  # blocks on the pipe; no sleeping, no polling
            line = raw.decode().strip()
            lines.append(line)
            if line.startswith(f"xieshang-progress: {wanted}"):
                process.send_signal(signal.SIGKILL)
                break
    finally:
        process.kill()
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, lines
    return lines


def _state(home: Path) -> tuple[str, int, int]:
    with sqlite3.connect(home / "xieshang.db") as db:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM transactions").fetchone()[0]
        imports = db.execute("SELECT count(*) FROM imports").fetchone()[0]
    return check, rows, imports


#: Enough rows that SQLite spills uncommitted pages to the log before the commit.
ROWS = 30_000


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _large(tmp_path_factory.mktemp("large") / "large.csv", ROWS)


def test_an_import_killed_before_commit_leaves_nothing(home: Path, large: Path) -> None:
    file = large
    lines = _kill_when(home, file, "pause", "commit")
    assert f"xieshang-progress: {ROWS}/{ROWS}" in lines  # every row was written, uncommitted
    wal = home / "xieshang.db-wal"
    assert wal.exists()
    assert wal.stat().st_size > 0
    assert _state(home) == ("ok", 0, 0)
    ok("budget", "show")  # the store still works


def test_an_import_killed_while_writing_holds_all_or_none(home: Path, large: Path) -> None:
    file = large
    lines = _kill_when(home, file, "1", "2000/")
    assert lines[-1] == f"xieshang-progress: 2000/{ROWS}"
    check, rows, imports = _state(home)
    assert check == "ok"
    assert (rows, imports) in ((0, 0), (ROWS, 1))
