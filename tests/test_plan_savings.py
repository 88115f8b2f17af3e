"""`plan` and `plan month` say the same about the first month: its money, what is paid to
each debt, and what the savings pay (issue 12: savings; the plan used to announce "¥3,700
a month" while its first month spent ¥6,700 with the savings, and said nothing of them).

The case (2026-12-07): 花呗 ¥8,000 overdue since 2026-10-28 (41 days counted to today:
penalty 8,000 × 0.05 % × 41 = 164.00, owed 8,164.00); income 6,000, rent 2,000, so the
budget leaves 6,000 − 2,000 − the 5 % buffer of 300 = 3,700 a month; savings 3,000 to #1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli_case import clean_home, ok, ok_json

NOW = "2026-12-07T10:00+08:00"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    ok("debt", "add", "--product", "huabei", "--amount", "8000", "--overdue-since",
       "2026-10-28")
    return folder


def _both(strategy: str) -> tuple[dict, dict]:  # type: ignore[type-arg]
    return (ok_json("plan", "--strategy", strategy),
            ok_json("plan", "month", "--strategy", strategy))


@pytest.mark.now(NOW)
@pytest.mark.parametrize("strategy", ["pro-rata", "avalanche"])
def test_savings_for_the_first_months_agree(strategy: str) -> None:
    """Savings funding the first months: month 1 has 3,700 + 3,000 = 6,700, all to #1
    (balance 8,164 − 6,700 = 1,464.00); months 2 on have 3,700. Both commands give 6,700,
    the 3,000 of savings, and 6,700 paid to #1."""
    ok("budget", "set", "--income", "wages=6000", "--priority", "rent=2000", "--savings",
       "3000", "--savings-on", "now", "--savings-to", "1", "--savings-use", "months")
    plan, month = _both(strategy)
    first = plan["plans"][0]["months"][0]
    assert (plan["first_month_budget"], month["budget"], first["budget"]) == (
        "6700.00", "6700.00", "6700.00")
    assert plan["savings"] == {"use": "months", "to": "1", "by_month": {"1": "3000.00"}}
    assert (month["savings"], month["savings_to"]) == ("3000.00", "1")
    assert [(d["debt"], d["paid"], d["balance"]) for d in first["debts"]] == [
        ("1", "6700.00", "1464.00")]
    assert [(a["debt"], a["amount"]) for a in month["actions"]] == [("1", "6700.00")]
    assert plan["plans"][0]["months"][1]["budget"] == "3700.00"
    text = " ".join(ok("plan", "--strategy", strategy, "--lang", "en").split())
    assert "¥6,700.00 this month, then ¥3,700.00 a month" in text
    assert "Your savings in the plan: ¥3,000.00 in month 1 (for #1" in text
    text = " ".join(ok("plan", "month", "--strategy", strategy, "--lang", "en").split())
    assert "Of this month's ¥6,700.00, ¥3,000.00 comes from your savings (for #1" in text
    zh = " ".join(ok("plan", "month", "--strategy", strategy).split())
    assert "本月可用的 ¥6,700.00 中，有 ¥3,000.00 来自你的存款" in zh


@pytest.mark.now(NOW)
def test_savings_for_an_accepted_settlement_agree() -> None:
    """Savings of 3,000 kept for a settlement, available 2026-12-20; the lender accepts
    5,000 on 2026-12-20. Month 1 has 3,700 + the 3,000 = 6,700, and pays the 5,000 (3,000
    from the savings, 2,000 from the month's money). `plan` used to say "3,700 a month"
    and nothing of the savings."""
    ok("budget", "set", "--income", "wages=6000", "--priority", "rent=2000", "--savings",
       "3000", "--savings-on", "2026-12-20", "--savings-to", "1")
    assert ok_json("plan")["savings"] is None  # kept for a settlement not yet agreed
    ok("offer", "--settle", "5000", "--settle-on", "2026-12-20", "--accept")
    plan, month = _both("pro-rata")
    assert (plan["first_month_budget"], month["budget"]) == ("6700.00", "6700.00")
    assert plan["savings"] == {"use": "settlement", "to": "1", "by_month": {"1": "3000.00"}}
    assert month["savings"] == "3000.00"
    assert plan["plans"][0]["months"][0]["debts"][0]["paid"] == "5000.00"
    assert [(a["amount"], a["by"]) for a in month["actions"]] == [("5000.00", "2026-12-20")]
    text = " ".join(ok("plan", "--lang", "en").split())
    assert "¥6,700.00 this month, then ¥3,700.00 a month" in text
    assert "¥3,000.00 in month 1 (for the agreed settlement of #1" in text
