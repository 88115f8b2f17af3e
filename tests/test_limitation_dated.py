"""The limitation period of a loan between people is dated from its agreed repayment date
(Civil Code Art. 188, 195, 201, 202); a lender that collects gets no date (every demand
restarts it). The day counted is an estimate and says so; with no repayment date entered,
status says how to enter it instead of "date not known"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from test_cli_case import clean_home, ok, ok_json
from xieshang.engine.accrual import OverdueDebt
from xieshang.engine.money import D
from xieshang.engine.timeline import timeline
from xieshang.rules import law, load_preset

NOW = "2026-12-07T10:00+08:00"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    return folder


def _limitation(preset: str, due: date, as_of: date) -> object:
    debt = OverdueDebt(load_preset(preset), D("30000.00"), due,
                       contract_daily_rate=D("0") if preset == "informal_loan" else None)
    return next(e for e in timeline(debt, as_of, law()) if e.id == "limitation")


def test_a_family_loan_due_2020_12_31_is_dated_2023_12_31() -> None:
    """Due 2020-12-31, first overdue day 2021-01-01: three years counted from the day after
    the due date (the first day is not counted, Art. 201) end on the corresponding date,
    2023-12-31 (Art. 202). Seen from 2026-12-07 it has passed; the text keeps the hedging."""
    event = _limitation("informal_loan", date(2020, 12, 31), date(2026, 12, 7))
    assert event.on == date(2023, 12, 31)  # type: ignore[attr-defined]
    assert event.passed  # type: ignore[attr-defined]
    zh = event.detail.zh  # type: ignore[attr-defined]
    assert "2021-01-01" in zh
    assert "2023-12-31" in zh
    assert "第195条" in zh
    assert "不是法律意见" in zh
    assert "estimate" in event.title.en  # type: ignore[attr-defined]


def test_a_leap_day_due_date_ends_on_the_last_day_of_february() -> None:
    """Due 2024-02-29: 2027 has no 29 February, so the month's last day, 2027-02-28
    (Art. 202). Seen from 2026-12-07 it is ahead, beyond the one-year horizon of other
    events, and still listed."""
    event = _limitation("informal_loan", date(2024, 2, 29), date(2026, 12, 7))
    assert event.on == date(2027, 2, 28)  # type: ignore[attr-defined]
    event = _limitation("informal_loan", date(2026, 6, 30), date(2026, 12, 7))
    assert event.on == date(2029, 6, 30)  # type: ignore[attr-defined]


def test_a_bank_card_limitation_stays_undated() -> None:
    """Every demand by a bank restarts the period (Art. 195): no date is computed."""
    assert _limitation("credit_card_cn", date(2020, 12, 31), date(2026, 12, 7)).on is None  # type: ignore[attr-defined]


@pytest.mark.now(NOW)
def test_the_brother_in_laws_loan_shows_its_limitation_date_everywhere() -> None:
    """The issue's case: ¥30,000 at 0 %, contract 2020-12-01, overdue since 2021-01-01.
    The timeline shows 2023-12-31 (passed), not "日期不明"; before then, status names it as
    the next milestone."""
    ok("debt", "add", "--product", "informal_loan", "--amount", "30000", "--overdue-since",
       "2021-01-01", "--annual-rate", "0%", "--contract-date", "2020-12-01", "--label", "姐夫",
       "--lender", "姐夫")
    events = ok_json("calc", "timeline", "--product", "informal_loan", "--amount", "30000",
                     "--overdue-since", "2021-01-01", "--annual-rate", "0%",
                     "--contract-date", "2020-12-01")["events"]
    limitation = next(e for e in events if e["id"] == "limitation")
    assert (limitation["on"], limitation["passed"]) == ("2023-12-31", True)
    text = ok("calc", "timeline", "--product", "informal_loan", "--amount", "30000",
              "--overdue-since", "2021-01-01", "--annual-rate", "0%", "--contract-date",
              "2020-12-01")
    assert "日期不明" not in text
    assert "2023-12-31 (已过)" in text
    status = ok("status", "--as-of", "2023-06-01")
    assert "下一个节点：2023-12-31 诉讼时效" in status
    assert "日期不明" not in ok("status")


@pytest.mark.now(NOW)
def test_a_family_loan_without_a_due_date_says_how_to_enter_it() -> None:
    ok("debt", "add", "--product", "informal_loan", "--amount", "5000", "--annual-rate", "0%",
       "--label", "表哥", "--lender", "表哥")
    status = ok("status")
    assert "日期不明" not in status
    assert "--overdue-since" in status
    assert "诉讼时效" in status
    assert "no repayment date is entered" in ok("status", "--lang", "en")
