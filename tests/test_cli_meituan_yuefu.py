"""美团月付 (Meituan's monthly bill, lent by a microloan company) from the command line: the
figures are estimates from secondary pages [S], shown with the source and "check your bill",
never as fact (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli_case import ok, ok_json, overdue_since


@pytest.fixture(autouse=True)
def yuefu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "李明")
    ok("debt", "add", "--product", "meituan_yuefu", "--amount", "3000", "--overdue-since",
       overdue_since(10))


def test_status_of_3000_overdue_10_days() -> None:
    """Worked by hand (an estimate: the rate is from secondary pages, not the contract):
    0.05 % a day on the overdue principal, no grace period by default →
    3,000.00 × 0.0005 = 1.50 a day; × 10 days = 15.00; total 3,015.00."""
    debt = ok_json("status")["debts"][0]
    assert debt["product"] == "meituan_yuefu"
    assert debt["days_overdue"] == 10
    assert (debt["principal"], debt["penalty"], debt["fees"]) == ("3000.00", "15.00", "0.00")
    assert (debt["total"], debt["daily_cost"]) == ("3015.00", "1.50")
    text = ok("status")
    assert "美团月付" in text
    flat = "".join(text.split())
    assert "估算" in flat
    assert "账单核对" in flat


def test_calc_shows_the_figure_as_secondary_and_checkable() -> None:
    data = ok_json("calc", "overdue", "--product", "meituan_yuefu", "--amount", "3000",
                   "--days", "10")
    assert (data["penalty"], data["total"], data["daily_cost"]) == ("15.00", "3015.00", "1.50")
    assert data["source"]["confidence"] == "S"
    assert "请以账单为准" in data["source"]["note"]
    # the person's own bill overrides the preset: e.g. 0.04 % a day → 12.00
    own = ok_json("calc", "overdue", "--product", "meituan_yuefu", "--amount", "3000",
                  "--days", "10", "--penalty-rate", "0.04%")
    assert own["penalty"] == "12.00"
    assert own["source"] == {"confidence": "USER"}


def test_the_rights_card_after_a_call_holds_the_points_for_this_lender() -> None:
    """A microloan company's monthly bill: the online-lending points, never the banks' or the
    card's."""
    rights = ok_json("log", "add", "--channel", "collector_call")["rights"]
    text = "\n".join(rights)
    assert "网络贷款：每天22:00至次日08:00不得催收" in text
    assert "银行信用卡和消费贷款" not in text
    assert "信用卡：银行只能向持卡人本人" not in text


def test_the_complaint_goes_to_the_local_regulator_and_names_the_online_rules() -> None:
    complaint = ok("script", "--channel", "complaint")
    assert "当地地方金融管理部门" in complaint
    assert "12378" not in complaint
    assert "工号" in complaint or "工单号" in complaint  # a lender: the lender-first step
    assert "《金融机构个人消费类贷款催收工作指引" not in complaint  # not a bank
