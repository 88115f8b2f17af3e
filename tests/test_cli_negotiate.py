"""``xieshang ladder``, ``xieshang offer`` and ``xieshang script`` end to end: the figures
equal the engine's for the stored case, bad input exits 2 with nothing written."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from test_cli_case import TODAY, dump, invoke, ok, ok_json, overdue_since
from xieshang.engine.accrual import bill_on
from xieshang.engine.money import format_money
from xieshang.engine.negotiation import Ladder, build_ladder
from xieshang.rules import load_preset
from xieshang.services.negotiation import negotiation_data
from xieshang.store.db import open_store
from xieshang.store.model import Debt, overdue_debt


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("XIESHANG_HOME", str(folder))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG",
                 "XIESHANG_TEST_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "李明")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       overdue_since(60), "--account", "4111111111111111")
    # Income 6,000; rent 2,000; food 1,200 → the budget leaves one amount for the one debt.
    ok("budget", "set", "--income", "wages=6000", "--priority", "rent=2000", "--flexible",
       "food=1200")
    ok("hardship", "set", "--reason", "income_loss", "--note", "公司裁员")
    return folder


def _engine_ladder() -> tuple[Decimal, Ladder]:
    """The ladder computed straight from the engine for the stored debt and budget."""
    preset = load_preset("credit_card_cn")
    report = ok_json("budget", "show")
    share = Decimal(report["split"]["debts"][0]["amount"])
    with open_store() as store, store.begin(readonly=True) as tx:
        debt = tx.find(Debt, case_id=1)[0]
        bill = bill_on(overdue_debt(debt, preset, ()), TODAY)
    ladder = build_ladder(bill, preset, share, today=TODAY, income=Decimal("6000.00"),
                          settings=negotiation_data())
    return share, ladder


def test_ladder_json_equals_the_engines() -> None:
    share, ladder = _engine_ladder()
    payload = ok_json("ladder")
    assert payload["affordable"] == str(share)
    assert payload["outcome"] == ladder.outcome.value
    rungs = ladder.rungs
    assert [(r["level"], r["periods"], r["monthly"]) for r in payload["rungs"]] == [
        (r.level.value, r.periods, str(r.monthly)) for r in rungs]
    assert all(Decimal(r["monthly"]) <= share for r in payload["rungs"])
    assert payload["rungs"][0]["reasons"][0]["code"] == "SHARE_OF_AFFORDABLE"
    text = ok("ladder", "--lang", "en")
    assert format_money(rungs[0].monthly) in text


def test_offer_check_and_save() -> None:
    share, _ladder = _engine_ladder()
    fits = ok_json("offer", "--periods", "36", "--monthly", "1000")
    assert fits["verdict"] == "affordable"
    assert fits["affordable"] is True
    assert fits["proposal"] is None
    assert Decimal(fits["total_paid"]) == Decimal("36000.00")
    assert any(a["code"] == "ACCEPT_AND_CONFIRM_IN_WRITING" for a in fits["advice"])
    too_much = ok_json("offer", "--periods", "3", "--annual-rate", "12%", "--save")
    assert too_much["verdict"] != "affordable"
    assert Decimal(too_much["monthly_gap"]) > 0
    assert Decimal(too_much["max_payment"]) - share == Decimal(too_much["monthly_gap"])
    assert too_much["proposal"] == 1
    text = ok("offer", "--periods", "24", "--fee-rate", "8%", "--waive-penalty")
    assert format_money(share) in text


def test_script_every_channel_and_language() -> None:
    for channel in ("phone", "chat", "letter", "hardship", "confirm", "social", "complaint"):
        for lang in ("zh", "en", "zh-Hant"):
            text = ok("script", "--channel", channel, "--lang", lang)
            assert "{{" not in text
            assert "None" not in text
            if channel == "social":
                assert "1111" not in text
                assert "李" not in text
    phone = ok("script", "--channel", "phone")
    assert "李*" in phone
    assert "**** **** **** 1111" in phone
    assert "公司裁员" in phone
    assert "4111111111111111" not in phone
    assert "協商" in ok("script", "--channel", "phone", "--lang", "zh-Hant")


def test_script_output_file(tmp_path: Path) -> None:
    target = tmp_path / "letter.txt"
    ok("script", "--channel", "letter", "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("个性化分期还款申请")
    payload = ok_json("script", "--channel", "confirm", "--lang", "en")
    assert payload["channel"] == "confirm"
    assert "written" in payload["text"]


def test_bad_input_exits_2_and_writes_nothing(home: Path, tmp_path: Path) -> None:
    before = dump(home)
    code, _out, err = invoke("offer", "--periods", "0", "--monthly", "100", "--save")
    assert code == 2
    assert "periods" in err
    code, _out, err = invoke("script", "--channel", "fax", "--output",
                             str(tmp_path / "x.txt"))
    assert code == 2
    assert "channel" in err
    assert not (tmp_path / "x.txt").exists()
    code, _out, err = invoke("offer", "--periods", "12", "--annual-rate", "-5%")
    assert code == 2
    assert dump(home) == before


def test_two_debts_need_debt() -> None:
    ok("debt", "add", "--product", "huabei", "--amount", "2000", "--overdue-since",
       overdue_since(20))
    code, _out, err = invoke("ladder")
    assert code == 2
    assert "debt" in err
    assert ok_json("ladder", "--debt", "2")["preset"] == "huabei"


def test_dossier_html_holds_every_section_and_the_engines_figures(tmp_path: Path) -> None:
    _share, ladder = _engine_ladder()
    target = tmp_path / "dossier.html"
    ok("dossier", "--html", str(target))
    html = target.read_text(encoding="utf-8")
    for heading in ("基本情况", "欠款明细", "时间线", "收支与还款能力", "还款方案", "话术与申请",
                    "联系记录", "承诺"):
        assert heading in html
    for rung in ladder.rungs:
        assert format_money(rung.monthly) in html
    assert "个性化分期还款申请" in html
    assert "**** **** **** 1111" in html
    assert "4111111111111111" not in html
    assert "{{" not in html
    english = ok("dossier", "--lang", "en")
    assert "Proposal ladder" in english
    assert "協商" in ok("dossier", "--lang", "zh-Hant")


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (poppler-utils) is not installed")
def test_dossier_pdf_text_is_chinese(tmp_path: Path) -> None:
    target = tmp_path / "dossier.pdf"
    ok("dossier", "--pdf", str(target))
    assert target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "协商材料" in text
    assert "个性化分期还款申请" in text
    assert "欠款明细" in text
