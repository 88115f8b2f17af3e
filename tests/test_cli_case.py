"""The case-file commands end to end through the real entry point (click's runner), each in
its own data folder (``XIESHANG_HOME`` is a temporary path; the person's real data folder is
never touched).

Every personal number here is made up by the test; no real person's data.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from xieshang.cli.main import run
from xieshang.clock import today as _today
from xieshang.engine.accrual import OverdueDebt, bill_on
from xieshang.engine.identity import id_check_character
from xieshang.engine.reconcile import apply_adjustments
from xieshang.rules import load_preset

ID_BODY = "44030419850615321"
ID_NUMBER = ID_BODY + id_check_character(ID_BODY)
PHONE = "13712345678"
CARD = "6222021234567890128"  # Luhn-valid, made up
TODAY = _today()


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run(list(ctx.args))


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run ``xieshang ARGS``; return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(_entry, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str, input: str | None = None) -> str:
    code, out, err = invoke(*args, input=input)
    assert code == 0, err + out
    return out


def ok_json(*args: str) -> Any:
    return json.loads(ok(*args, "--json"))


def clean_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new data folder for the commands under test (``$XIESHANG_HOME``), with no database
    address, passphrase, language or progress setting taken from the environment."""
    folder = tmp_path / "home"
    monkeypatch.setenv("XIESHANG_HOME", str(folder))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG",
                 "XIESHANG_TEST_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return clean_home(tmp_path, monkeypatch)


def dump(home: Path) -> list[str]:
    """Everything in the database, as SQL (to compare before and after)."""
    with sqlite3.connect(home / "xieshang.db") as db:
        return list(db.iterdump())


def overdue_since(days: int) -> str:
    return (TODAY - timedelta(days=days - 1)).isoformat()


def new_case(*extra: str) -> None:
    ok("case", "new", "--name", "李明", *extra)


# -------------------------------------------------------------------------------- cases


def test_case_new_list_show_use_edit() -> None:
    data = ok_json("case", "new", "--name", "妈妈", "--id-number", ID_NUMBER, "--phone", PHONE,
                   "--full-name", "王芳")
    assert data["case"]["id"] == 1
    assert data["case"]["current"] is True
    ok("case", "new", "--name", "客户 12")
    cases = ok_json("case", "list")["cases"]
    assert [(c["id"], c["name"], c["current"]) for c in cases] == \
        [(1, "妈妈", False), (2, "客户 12", True)]
    shown = ok_json("case", "show", "1")["case"]
    assert shown["id_number"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert shown["phone"] == "137****5678"
    assert shown["full_name"] == "王*"
    ok("case", "use", "1")
    assert ok_json("case", "show")["case"]["name"] == "妈妈"
    ok("case", "edit", "--phone", "", "--notes", "helping")
    shown = ok_json("case", "show")["case"]
    assert shown["phone"] is None
    assert shown["notes"] == "helping"


def test_masked_output_never_contains_the_full_numbers() -> None:
    new_case("--id-number", ID_NUMBER, "--phone", PHONE)
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "18600",
       "--overdue-since", overdue_since(42), "--account", CARD)
    outputs = []
    for command in (["case", "show"], ["case", "list"], ["debt", "list"], ["status"],
                    ["budget", "show"]):
        for extra in ([], ["--json"], ["--lang", "en"]):
            outputs.append(ok(*command, *extra))
    outputs.append(ok("case", "new", "--name", "x", "--id-number", ID_NUMBER, "--json"))
    for text in outputs:
        assert ID_NUMBER not in text
        assert ID_NUMBER[:-1] not in text
        assert PHONE not in text
        assert CARD not in text
    assert "**** **** **** 0128" in ok("debt", "list", "--json", "--case", "1")


def test_commands_need_a_case() -> None:
    code, _, err = invoke("debt", "list", "--lang", "en")
    assert code == 2
    assert "case new" in err
    new_case()
    ok("case", "new", "--name", "other")
    ok("case", "use", "1")
    assert ok_json("debt", "list")["case"] == 1
    assert ok_json("debt", "list", "--case", "2")["case"] == 2


# -------------------------------------------------------------------------------- debts


def test_debt_add_with_flags_and_list() -> None:
    new_case()
    data = ok_json("debt", "add", "--product", "jiebei", "--amount", "1,000", "--interest", "162",
                   "--not-yet-due", "8000", "--overdue-since", overdue_since(35), "--daily-rate",
                   "0.04%", "--label", "借呗 12期", "--lender", "蚂蚁", "--due-day", "15",
                   "--priority", "1", "--notes", "n")["debt"]
    assert data["principal"] == "1000.00"
    assert data["not_yet_due"] == "8000.00"
    assert data["contract_rate"] == "0.0004"
    assert data["contract_rate_basis"] == "daily"
    assert data["overdue_since"] == overdue_since(35)
    assert data["due_day"] == 15
    listed = ok_json("debt", "list")["debts"]
    assert [d["label"] for d in listed] == ["借呗 12期"]


def test_interactive_debt_add_in_chinese() -> None:
    new_case()
    answers = "\n".join(["nonsense", "huabei", "", "我的花呗", "abc", "3280.50",
                         overdue_since(19), "", "328.05", "10"]) + "\n"
    out = ok("debt", "add", input=answers)
    assert "产品" in out  # asked in Chinese
    assert "unknown product" not in out  # the error is shown in Chinese too
    debt = ok_json("debt", "list")["debts"][0]
    assert (debt["product"], debt["label"], debt["principal"], debt["minimum"],
            debt["due_day"]) == ("huabei", "我的花呗", "3280.50", "328.05", 10)
    assert debt["overdue_since"] == overdue_since(19)
    assert debt["lender"] == ""  # the preset's lender was accepted


def test_interactive_debt_add_in_english_offers_the_preset_rate() -> None:
    new_case()
    answers = "\n".join(["jiebei", "", "", "1000", "", "", "", ""]) + "\n"
    out = ok("debt", "add", "--lang", "en", input=answers)
    assert "Contract daily rate [0.05%]" in out
    debt = ok_json("debt", "list")["debts"][0]
    assert debt["contract_rate"] is None
    assert debt["overdue_since"] is None


def test_debt_edit_and_rm() -> None:
    new_case()
    ok("debt", "add", "--product", "huabei", "--amount", "100")
    ok("debt", "edit", "--amount", "200", "--status", "settled", "--overdue-since",
       overdue_since(3))
    debt = ok_json("debt", "list")["debts"][0]
    assert (debt["principal"], debt["status"]) == ("200.00", "settled")
    out = ok("debt", "rm", "1", "--lang", "en", input="n\n")
    assert "Nothing removed" in out
    assert len(ok_json("debt", "list")["debts"]) == 1
    ok("debt", "rm", "1", input="y\n")
    assert ok_json("debt", "list")["debts"] == []


def test_pay_and_status_follow_the_engine() -> None:
    new_case()
    ok("debt", "add", "--product", "huabei", "--amount", "2000", "--overdue-since",
       overdue_since(30))
    status = ok_json("status")
    line = status["debts"][0]
    # rules-cn.md §9.1 H1 [S]: 2,000 at 0.05 %/day for 30 days → 30.00
    assert (line["penalty"], line["total"], line["daily_cost"]) == ("30.00", "2030.00", "1.00")
    paid_on = (TODAY - timedelta(days=10)).isoformat()
    data = ok_json("pay", "--amount", "1000", "--date", paid_on, "--method", "支付宝")
    debt = OverdueDebt(preset=load_preset("huabei"), principal=Decimal("2000.00"),
                       due_date=TODAY - timedelta(days=30),
                       payments=(_payment(TODAY - timedelta(days=10), "1000.00"),))
    expected = bill_on(debt, TODAY)
    assert data["status"]["total"] == str(expected.total)
    assert ok_json("status")["total"] == str(expected.total)


def _payment(day: date, amount: str) -> Any:
    from xieshang.engine.accrual import Payment

    return Payment(on=day, amount=Decimal(amount))


def test_status_text_lists_each_debt_and_the_next_milestone() -> None:
    new_case()
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "18600", "--overdue-since",
       overdue_since(42), "--label", "招行")
    ok("debt", "add", "--product", "generic_loan", "--amount", "500", "--due-day", "28")
    out = ok("status", "--lang", "en")
    assert "#1 招行" in out
    assert "(42 days overdue)" in out
    assert "Next:" in out
    data = ok_json("status")
    assert data["debts"][1]["overdue"] is False
    assert data["debts"][1]["next"]["id"] == "due_day"


def test_pay_needs_a_debt_when_there_are_several() -> None:
    new_case()
    ok("debt", "add", "--product", "huabei", "--amount", "100")
    ok("debt", "add", "--product", "huabei", "--amount", "200")
    code, _, err = invoke("pay", "--amount", "10", "--lang", "en")
    assert code == 2
    assert "ids: 1, 2" in err
    ok("pay", "--debt", "2", "--amount", "10")


def test_reconcile_adopts_the_matching_parameters() -> None:
    new_case()
    ok("debt", "add", "--product", "huabei", "--amount", "1000", "--overdue-since",
       overdue_since(20))
    preset = load_preset("huabei")
    theirs = bill_on(apply_adjustments(
        OverdueDebt(preset=preset, principal=Decimal("1000.00"),
                    due_date=TODAY - timedelta(days=20)),
        {"grace_days": "3", "charge_grace_days": "false"}), TODAY)
    report = ok_json("debt", "reconcile", "--lender-total", str(theirs.total))
    assert report["best"] is not None
    assert report["adopted"] is False
    out = ok("debt", "reconcile", "--lender-total", str(theirs.total), "--lang", "en",
             input="y\n")
    assert "Adopt these parameters" in out
    assert "Adopted for" in out
    debt = ok_json("debt", "list")["debts"][0]
    assert debt["adjustments"] == report["best"]["adjustments"]
    assert debt["adjustments_confirmed_on"] == TODAY.isoformat()
    assert ok_json("status")["debts"][0]["total"] == str(theirs.total)  # used from now on
    ok("debt", "edit", "--clear-adjustments")
    assert ok_json("debt", "list")["debts"][0]["adjustments"] is None


def test_reconcile_when_nothing_explains_the_gap() -> None:
    new_case()
    ok("debt", "add", "--product", "huabei", "--amount", "1000", "--overdue-since",
       overdue_since(20))
    before = ok_json("debt", "list")
    out = ok("debt", "reconcile", "--lender-total", "5000", "--adopt", "--lang", "en")
    assert "None of the causes" in out
    assert ok_json("debt", "list") == before


# ----------------------------------------------------------------------------- hardship


def test_hardship_and_evidence(tmp_path: Path) -> None:
    new_case()
    ok("hardship", "set", "--reason", "illness", "--since", "2026-01-05", "--note", "住院")
    ok("hardship", "set", "--reason", "income-loss", "--recovery", "2026-09-01")
    proof = tmp_path / "诊断.pdf"
    proof.write_bytes(b"%PDF-1.4 made up")
    added = ok_json("hardship", "evidence", "add", str(proof), "--kind", "medical")
    assert len(added["evidence"]["sha256"]) == 64
    data = ok_json("hardship", "show")
    # what a second `hardship set` is not given stays (the start date too); "" clears it
    assert data["hardship"] == {"reason": "income_loss", "since": "2026-01-05",
                                "recovery": "2026-09-01", "description": "住院"}
    ok("hardship", "set", "--reason", "income-loss", "--since", "")
    assert ok_json("hardship", "show")["hardship"]["since"] is None
    assert data["evidence"][0]["state"] == "ok"
    proof.write_bytes(b"changed")
    assert ok_json("hardship", "show")["evidence"][0]["state"] == "changed"
    assert "changed" in ok("hardship", "show", "--lang", "en")


# ---------------------------------------------------------------------------- encryption


def test_encrypt_locked_and_wrong_passphrase(home: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    new_case("--id-number", ID_NUMBER, "--phone", PHONE)
    ok("debt", "add", "--product", "huabei", "--amount", "100", "--account", CARD)
    secret = tmp_path / "pass.txt"
    secret.write_text("a long passphrase\n")
    ok("--passphrase-file", str(secret), "encrypt")
    raw = b"".join(p.read_bytes() for p in home.glob("xieshang.db*"))
    for value in (ID_NUMBER, PHONE, CARD):
        assert value.encode() not in raw
    locked = ok_json("case", "show")["case"]
    assert locked["id_number"].startswith("🔒")
    assert locked["name"] == "李明"
    assert ok_json("debt", "list")["debts"][0]["account"].startswith("🔒")
    assert ok_json("status")["total"] == "100.00"  # the rest still works
    monkeypatch.setenv("XIESHANG_PASSPHRASE", "a long passphrase")
    assert ok_json("case", "show")["case"]["phone"] == "137****5678"
    monkeypatch.setenv("XIESHANG_PASSPHRASE", "not the passphrase")
    before = dump(home)
    code, _, err = invoke("case", "edit", "--phone", "13800000000", "--lang", "en")
    assert code == 2
    assert "wrong passphrase" in err
    assert dump(home) == before
    monkeypatch.delenv("XIESHANG_PASSPHRASE")
    code, _, err = invoke("case", "edit", "--phone", "13800000000", "--lang", "en")
    assert code == 2
    assert "encrypted" in err
    ok("--passphrase-file", str(secret), "encrypt", "--off")
    assert ok_json("case", "show")["case"]["phone"] == "137****5678"


def test_encrypt_asks_for_a_new_passphrase_twice() -> None:
    new_case("--phone", PHONE)
    out = ok("encrypt", "--lang", "en", input="a long passphrase\na long passphrase\n")
    assert "1 personal values encrypted" in out


# ----------------------------------------------------------------------------- bad input


BAD = [
    (["case", "new", "--name", "x", "--id-number", ID_BODY + "0"], "id_number"),
    (["case", "new", "--name", ""], "name"),
    (["case", "use", "9"], "case"),
    (["case", "show", "abc"], "case"),
    (["debt", "add", "--product", "nosuch", "--amount", "100"], "product"),
    (["debt", "add", "--product", "huabei", "--amount", "12.345"], "amount"),
    (["debt", "add", "--product", "huabei", "--amount", "0"], "amount"),
    (["debt", "add", "--product", "huabei"], "amount"),
    (["debt", "add", "--product", "huabei", "--amount", "1", "--account", "6222021234567890127"],
     "account"),
    (["debt", "add", "--product", "huabei", "--amount", "1", "--overdue-since", "2026-02-30"],
     "overdue_since"),
    (["debt", "add", "--product", "huabei", "--amount", "1", "--annual-rate", "5"],
     "annual_rate"),
    (["debt", "add", "--product", "huabei", "--amount", "1", "--due-day", "32"], "due_day"),
    (["debt", "add", "--product", "huabei", "--amount", "1", "--annual-rate", "5%",
      "--daily-rate", "0.05%"], "annual_rate"),
    (["debt", "edit", "7", "--amount", "5"], "debt"),
    (["debt", "edit", "1", "--status", "gone"], "status"),
    (["debt", "rm", "7", "--yes"], "debt"),
    (["debt", "reconcile", "1"], "lender_total"),
    (["debt", "reconcile", "1", "--lender-total", "-5"], "lender_total"),
    (["pay", "--amount", "abc"], "amount"),
    (["pay", "--debt", "8", "--amount", "10"], "debt"),
    (["pay", "--amount", "10", "--date", "2999-01-01"], "date"),
    (["status", "--as-of", "yesterday"], "as_of"),
    (["hardship", "set", "--reason", "bored"], "reason"),
    (["hardship", "set", "--reason", "other", "--since", "2026-05-01", "--recovery",
      "2026-01-01"], "recovery"),
    (["hardship", "evidence", "add", "/no/such/file.pdf"], "file"),
    (["budget", "set", "--fixed", "rent=2500"], "fixed"),
    (["budget", "set", "--flexible", "caviar=100"], "category"),
    (["budget", "set", "--income", "wages"], "income"),
    (["budget", "set", "--adults", "0"], "adults"),
    (["budget", "set", "--city-tier", "moon"], "city_tier"),
    (["budget", "show", "--split", "random"], "split"),
    (["case", "edit", "--id-number", "123"], "id_number"),
    (["case", "edit"], "case"),
    (["debt", "add", "--product", "huabei", "--amount", "1", "--account", "x" * 101],
     "account"),
    (["export", "--output", "/no/such/folder/case.json"], "output"),
    (["backup", "--output", "/no/such/folder/x.db"], "output"),
    (["import", "/no/such/file.json"], "file"),
]


@pytest.mark.parametrize(("args", "field"), BAD, ids=[" ".join(a[:3]) for a, _ in BAD])
def test_bad_input_exits_2_names_the_field_and_writes_nothing(home: Path, args: list[str],
                                                              field: str) -> None:
    new_case()
    ok("debt", "add", "--product", "huabei", "--amount", "100", "--overdue-since",
       overdue_since(5))
    before = dump(home)
    code, out, err = invoke(*args, "--lang", "en")
    assert code == 2, out + err
    assert err.startswith("error: "), err
    from xieshang.i18n import field_label

    assert field_label(field) in err or field.replace("_", " ") in err.lower(), err
    assert "Traceback" not in err
    assert dump(home) == before


def test_a_short_new_passphrase_is_refused(home: Path, tmp_path: Path) -> None:
    new_case("--phone", PHONE)
    secret = tmp_path / "pass.txt"
    secret.write_text("short")
    before = dump(home)
    code, _, err = invoke("--passphrase-file", str(secret), "encrypt", "--lang", "en")
    assert code == 2
    assert "at least 8" in err
    assert dump(home) == before


def test_the_data_dir_option(home: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    ok("--data-dir", str(other), "case", "new", "--name", "x")
    assert (other / "xieshang.db").is_file()
    assert not home.exists()
