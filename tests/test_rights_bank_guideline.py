"""The China Banking Association's collection guideline of 2026-01-30 (《金融机构个人消费类贷款催收
工作指引（试行）》, self-regulation of its members, not a law) for a bank's cards and loans: the
rights points with their sources, and a collector's call checked against it (issue 14)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from xieshang.engine.followup import CallRecord, CallRules, call_rules_for, follow_up
from xieshang.engine.negotiation import parse_negotiation_data
from xieshang.rules import builtin_text, law, load_preset

DATA = parse_negotiation_data(builtin_text("_negotiation.toml"), "presets/_negotiation.toml")
LAW = law()
TODAY = date(2026, 3, 10)
BANK_POINTS = {"bank_quiet_hours", "bank_call_attempts", "bank_third_parties",
               "bank_banned_practices"}


def _ids(product: str) -> set[str]:
    preset = load_preset(product)
    return {item.id for item in DATA.rights.for_kind(preset.product_kind, preset.lender_type)}


@pytest.mark.parametrize("product", ["credit_card_cn", "generic_loan", "weilidai"])
def test_every_bank_product_gets_the_guidelines_points(product: str) -> None:
    # 微粒贷 is lent by 微众银行, a bank (weilidai.toml's lender_type)
    assert load_preset(product).lender_type.value == "bank"
    assert _ids(product) >= BANK_POINTS


@pytest.mark.parametrize("product", ["huabei", "jiebei", "jd_baitiao", "meituan_yuefu",
                                     "informal_loan"])
def test_no_other_lender_gets_them(product: str) -> None:
    assert not BANK_POINTS & _ids(product)


def test_the_points_say_what_the_guideline_is_and_cite_news_reports() -> None:
    items = {item.id: item for item in DATA.rights.items}
    for ident in BANK_POINTS:
        item = items[ident]
        assert "行业自律规范" in item.text.zh, ident
        assert "self-regulation" in item.text.en, ident
        assert item.source.confidence.value == "S"  # news reports, not the text itself
        assert "这是行业自律规范，不是法律法规" in item.source.note
        assert len(item.source.urls) >= 2
        assert item.rule is None  # the documents name the guideline once, with the calls
    first = items["bank_quiet_hours"].text.zh
    assert "这是行业自律规范，不是法律法规" in first
    assert "22:00至次日08:00" in first
    assert "不宜超过6次" in items["bank_call_attempts"].text.zh
    assert "不得透露你的欠款情况" in items["bank_third_parties"].text.zh
    banned = items["bank_banned_practices"].text.zh
    for practice in ("冒用行政机关、司法机关", "黑名单", "收取额外费用", "借新还旧",
                     "公共场所张贴", "私人手机或社交软件", "住宅或办公场所"):
        assert practice in banned


def test_article_41_cites_the_news_report_and_its_prohibitions() -> None:
    item = next(item for item in DATA.rights.items if item.id == "bank_consumer_rules")
    assert item.source.urls == ("https://finance.eastmoney.com/a/202212302601739220.html",)
    for words in ("冒用行政机关、司法机关等名义", "暴力、恐吓、欺诈", "违背公序良俗"):
        assert words in item.text.zh
    assert "233.com" not in " ".join(item.source.urls)


def test_which_rules_a_call_is_checked_against() -> None:
    assert call_rules_for("credit_card", "bank") is CallRules.BANK
    assert call_rules_for("loan", "bank") is CallRules.BANK
    # a bank's online loan (微粒贷) keeps the online rules, whose call limit is stricter
    assert call_rules_for("cash_loan", "bank") is CallRules.ONLINE
    assert call_rules_for("bill", "consumer_finance") is CallRules.ONLINE
    assert call_rules_for("bill", "microloan") is CallRules.ONLINE


def test_a_banks_call_at_23_00_is_flagged_against_the_guideline() -> None:
    alerts = follow_up([], [CallRecord(1, datetime(2026, 3, 9, 23, 0), CallRules.BANK)],
                       TODAY, LAW)
    assert [(a.code.value, a.rule) for a in alerts] == [
        ("call_in_quiet_hours", "bank_collection.quiet_from")]
    assert alerts[0].params == {"time": "23:00", "date": "2026-03-09", "start": "22:00",
                                "end": "08:00"}
    assert "self-regulation, not a law" in alerts[0].msgid
    source = LAW.source_of("bank_collection.quiet_from")
    assert alerts[0].source == f"{'; '.join(source.urls[:2])} [S]"
    assert "office369" in alerts[0].source


def test_a_banks_calls_a_day_are_checked_against_six_unanswered_attempts() -> None:
    """The guideline: when the debtor does not answer, at most 6 attempts a day to the same
    number. 4 logged calls (over the online rules' 3) are not flagged for a bank; 7 are."""
    assert LAW.bank_collection.max_unanswered_attempts_per_day == 6
    four = [CallRecord(i, datetime(2026, 3, 9, 9 + i), CallRules.BANK) for i in range(4)]
    seven = [CallRecord(10 + i, datetime(2026, 3, 8, 9 + i), CallRules.BANK)
             for i in range(7)]
    alerts = follow_up([], four + seven, TODAY, LAW)
    assert [(a.code.value, a.on, a.rule) for a in alerts] == [
        ("calls_over_limit", date(2026, 3, 8),
         "bank_collection.max_unanswered_attempts_per_day")]
    assert alerts[0].params == {"count": 7, "date": "2026-03-08", "limit": 6}
    # the same four calls about an online loan break the online rules' 3 a day
    online = [CallRecord(i, datetime(2026, 3, 9, 9 + i)) for i in range(4)]
    assert [a.params["limit"] for a in follow_up([], online, TODAY, LAW)] == [3]


def test_a_bank_cards_rights_card_after_a_call_holds_the_banks_points(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The card printed after a collector's call on a bank card: the card's and the banks'
    points (the guideline named as self-regulation), not the online lenders'."""
    from test_cli_case import ok, ok_json, overdue_since

    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "王芳")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "20000", "--overdue-since",
       overdue_since(40), "--minimum", "1000")
    text = "\n".join(ok_json("log", "add", "--channel", "collector_call")["rights"])
    assert "信用卡：银行只能向持卡人本人" in text
    assert "这是行业自律规范，不是法律法规" in text
    assert "不宜超过6次" in text
    assert "网络贷款：" not in text
    assert "消费金融公司：" not in text
