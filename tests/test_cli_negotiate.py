"""``xieshang ladder``, ``xieshang offer`` and ``xieshang script`` end to end: the figures
equal the engine's for the stored case, bad input exits 2 with nothing written."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from html import escape
from pathlib import Path

import pytest

from test_cli_case import TODAY, clean_home, dump, invoke, ok, ok_json, overdue_since
from xieshang.documents import cited
from xieshang.engine.accrual import bill_on
from xieshang.engine.money import format_money
from xieshang.engine.negotiation import Ladder, build_ladder
from xieshang.engine.timeline import timeline
from xieshang.rules import law, load_preset
from xieshang.services.negotiation import negotiation_data
from xieshang.store.db import open_store
from xieshang.store.model import Debt, overdue_debt


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
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


# ------------------------------------------------ one case, one truth: the log everywhere

YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
PHONE = "13812345678"  # made up
THREAT = "说要打电话给我儿子"


def _log_a_refusal_and_a_night_call(tmp_path: Path) -> str:
    """A refusal logged by ``xieshang refused --log phone`` and a collector's call at 22:40
    yesterday with a note and a recording; returns the recording's SHA-256."""
    ok("refused", "--reason", "offer_too_low", "--log", "phone")
    recording = tmp_path / "call-2240.m4a"
    recording.write_bytes(b"a recording")
    ok("log", "add", "--channel", "collector_call", "--when", f"{YESTERDAY} 22:40",
       "--agent", f"催收 {PHONE}", "--notes", THREAT, "--evidence", str(recording))
    return hashlib.sha256(b"a recording").hexdigest()


def test_documents_claim_no_contact_while_the_log_is_empty() -> None:
    complaint = ok("script", "--channel", "complaint")
    assert "本人已主动联系" not in complaint
    assert "联系记录里还没有与该机构联系的记录" in complaint
    post = ok("script", "--channel", "social")
    assert "暂未得到答复" not in post
    assert "已通过客服联系" not in post


def test_documents_follow_the_logged_refusal_and_the_night_call(tmp_path: Path) -> None:
    _log_a_refusal_and_a_night_call(tmp_path)
    assert "22:40" in ok("alerts")  # the call the alerts flag …
    # … against the banks' guideline, the debt being a bank's card
    flagged = [a for a in ok_json("alerts")["alerts"] if a["code"] == "call_in_quiet_hours"]
    assert len(flagged) == 1
    assert law().source_of("bank_collection.quiet_from").urls[0] in flagged[0]["source"]
    assert "行业自律规范，不是法律法规" in flagged[0]["message"]
    complaint = ok("script", "--channel", "complaint")
    # … is in the complaint, flagged against the rule for a bank's card: the China Banking
    # Association's 2026 collection guideline (self-regulation, not a law), never the
    # online-lending rules (issue 14)
    assert (f"{YESTERDAY} 22:40，催收人员来电，这是每天 22:00 至次日 08:00 不得催收的时段"
            in complaint)
    assert "《金融机构个人消费类贷款催收工作指引（试行）》" in complaint
    assert "是行业自律规范，不是法律法规" in complaint
    assert "《商业银行信用卡业务监督管理办法》" in complaint  # the binding rule, as the basis
    assert "《互联网金融贷后催收业务指引》" not in complaint
    assert law().source_of("collection.quiet_from").urls[0] not in complaint
    assert law().source_of("bank_collection.quiet_from").urls[0] in complaint
    assert f"本人当时的记录：{THREAT}。" in complaint
    assert "本人的请求：协商还款（本人先提出的方案）。对方拒绝了。" in complaint
    assert PHONE not in complaint
    post = ok("script", "--channel", "social")
    assert "被拒绝了" in post
    assert "暂未得到答复" not in post
    english = ok("script", "--channel", "complaint", "--lang", "en")
    assert f"On {YESTERDAY} at 22:40 a collector called me" in english
    assert "They refused." in english


def _ahead(html: str) -> str:
    return html.split("接下来的时间线", 1)[1].split("四、收支与还款能力", 1)[0]


def test_dossier_holds_the_notes_the_evidence_index_and_the_timeline_ahead(
        tmp_path: Path) -> None:
    digest = _log_a_refusal_and_a_night_call(tmp_path)
    target = tmp_path / "dossier.html"
    ok("dossier", "--html", str(target))
    html = target.read_text(encoding="utf-8")
    contacts = html.split("七、联系记录", 1)[1].split("八、承诺", 1)[0]
    assert f"<td>{THREAT}</td>" in contacts
    assert "offer_too_low" in contacts  # the refusal's note
    # in time order: yesterday's call, then today's refusal (what was asked, in words)
    assert contacts.index(THREAT) < contacts.index("被拒绝")
    assert "<td>协商还款（本人先提出的方案）</td>" in contacts
    assert "催收 138****5678" in contacts
    assert PHONE not in html
    index = html.split("九、证据材料索引", 1)[1]
    assert "<td>call-2240.m4a</td>" in index
    assert f'<td class="hash">{digest}</td>' in index
    assert "未改动" in index
    assert f"联系记录的证据：{YESTERDAY} 22:40，催收来电" in index
    (tmp_path / "call-2240.m4a").write_bytes(b"edited")
    ok("dossier", "--html", str(target))
    assert "改动过" in target.read_text(encoding="utf-8").split("九、证据材料索引", 1)[1]
    # the timeline ahead: each milestone still to come, with its public source and mark
    with open_store() as store, store.begin(readonly=True) as tx:
        debt = tx.find(Debt, case_id=1)[0]
        events = timeline(overdue_debt(debt, load_preset("credit_card_cn"), ()), TODAY, law())
    ahead = _ahead(html)
    coming = [e for e in events if e.applies and not e.passed]
    assert any(e.on is not None and e.on > TODAY for e in coming)
    for event in coming:
        assert escape(event.title.zh) in ahead
        if event.on is not None:
            assert f"<td>{event.on.isoformat()}</td>" in ahead
        assert f"[{event.confidence.value}]" in ahead
        for source in cited(event.urls):
            assert escape(source) in ahead
    assert "《民法典》总则" in ahead  # the limitation period, by the law's title
    assert "rules-cn" not in ahead


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (poppler-utils) is not installed")
def test_dossier_pdf_holds_the_notes_and_the_hashes(tmp_path: Path) -> None:
    digest = _log_a_refusal_and_a_night_call(tmp_path)
    target = tmp_path / "dossier.pdf"
    ok("dossier", "--pdf", str(target))
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    joined = "".join(text.split())  # a long hash wraps in its narrow column
    assert THREAT in joined
    assert digest in joined
    assert "证据材料索引" in text
    assert "接下来的时间线" in text
    assert "《民法典》总则" in joined
