"""Alerts about an agreed payment name an unlabelled debt in the person's language (issue
14's leftovers): the front passes its namer to :func:`xieshang.services.contacts.alerts_of`,
so an English page says the product's English name and a Chinese one its Chinese name."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from test_agreement import accepted_first
from test_cli_case import ok, ok_json, overdue_since
from xieshang.clock import today


@pytest.fixture
def unlabelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "张女士")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "60000", "--overdue-since",
       overdue_since(70), "--minimum", "3000")
    ok("budget", "set", "--income", "wages=9000", "--priority", "rent=3000", "--flexible",
       "food=2000")
    ok_json("offer", "--periods", "60", "--monthly", "1150", "--accept")


def test_an_unlabelled_debt_is_named_in_the_alerts_language(unlabelled: None) -> None:
    first = date.fromisoformat(accepted_first(today()))
    before = (first - timedelta(days=2)).isoformat() + "T10:00+08:00"
    english = ok_json("--now", before, "alerts", "--lang", "en")["alerts"]
    chinese = ok_json("--now", before, "alerts", "--lang", "zh")["alerts"]
    assert [a["code"] for a in english] == ["agreed_payment_due"]
    assert english[0]["params"]["debt"] == "#1 Bank credit card (generic)"
    assert chinese[0]["params"]["debt"] == "#1 银行信用卡（通用）"
    assert "银行信用卡" not in english[0]["message"]
