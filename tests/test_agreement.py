"""An accepted arrangement: the engine's bookkeeping (:mod:`xieshang.engine.agreement`) and
what accepting an offer changes in the case — the bill, the status, the plan, the reminders
and the confirmation request all follow the agreed payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_cli_case import ok, ok_json, overdue_since
from xieshang.clock import today
from xieshang.engine.agreement import follow, split_level
from xieshang.engine.errors import InputError
from xieshang.engine.strategy import ScheduledPayment

M = Decimal
START = date(2026, 12, 7)


def _monthly(count: int, amount: str, first: date = date(2027, 1, 7)) -> list[ScheduledPayment]:
    days = [date(first.year + (first.month + k - 1) // 12, (first.month + k - 1) % 12 + 1,
                 first.day) for k in range(count)]
    return [ScheduledPayment(day, M(amount)) for day in days]


# ------------------------------------------------------------------------------ engine


def test_payments_cover_the_agreed_payments_oldest_first() -> None:
    plan = _monthly(3, "100.00")
    progress = follow(plan, [(date(2027, 1, 5), M("150.00"))], date(2027, 2, 10))
    assert [i.paid for i in progress.installments] == [M("100.00"), M("50.00"), M("0.00")]
    assert progress.paid == M("150.00")
    assert progress.remaining == M("150.00")
    assert [i.payment.on for i in progress.missed] == [date(2027, 2, 7)]  # half paid, past due
    assert progress.overdue_amount == M("50.00")
    assert progress.days_late == 3
    assert not progress.kept
    assert progress.due_now == M("50.00")
    assert progress.next is not None  # the next one to come, not the missed one
    assert progress.next.payment.on == date(2027, 3, 7)


def test_a_payment_due_today_is_not_missed_and_later_payments_do_not_count() -> None:
    plan = _monthly(2, "100.00")
    progress = follow(plan, [(date(2027, 3, 1), M("200.00"))], date(2027, 1, 7))
    assert progress.kept
    assert progress.paid == 0
    assert progress.due_now == M("100.00")
    assert progress.bill(due_only=True).total == M("100.00")
    assert progress.bill().total == M("200.00")


def test_the_bill_covers_fee_then_interest_then_principal_and_has_no_penalty() -> None:
    plan = [ScheduledPayment(date(2027, 1, 7), M("90.00"), M("8.00"), M("2.00"))]
    bill = follow(plan, [(date(2027, 1, 7), M("5.00"))], date(2027, 1, 20)).bill()
    assert (bill.fees, bill.interest, bill.principal, bill.penalty) == (
        M("0.00"), M("5.00"), M("90.00"), M("0.00"))
    assert bill.daily_cost == 0
    assert bill.days_overdue == 13


def test_overpaying_leaves_the_extra_and_nothing_remaining() -> None:
    progress = follow(_monthly(2, "100.00"), [(START, M("250.00"))], date(2027, 5, 1))
    assert (progress.paid, progress.extra, progress.remaining) == (M("200.00"), M("50.00"),
                                                                   M("0.00"))
    assert progress.kept
    assert progress.next is None


def test_follow_refuses_no_payments_and_negative_amounts() -> None:
    with pytest.raises(InputError, match="at least one payment"):
        follow([], [], START)
    with pytest.raises(InputError, match="must not be negative"):
        follow(_monthly(1, "10.00"), [(START, M("-1.00"))], START)
    with pytest.raises(InputError, match="must not be negative"):
        ScheduledPayment(START, M("10.00"), M("-0.01"))


@given(amounts=st.lists(st.integers(1, 500_000), min_size=1, max_size=24),
       paid=st.lists(st.tuples(st.integers(0, 800), st.integers(0, 600_000)), max_size=10),
       seen=st.integers(0, 800))
def test_follow_keeps_its_books(amounts: list[int], paid: list[tuple[int, int]],
                                seen: int) -> None:
    plan = [ScheduledPayment(START + timedelta(days=30 * k), M(fen) / 100)
            for k, fen in enumerate(amounts, 1)]
    made = [(START + timedelta(days=day), M(fen) / 100) for day, fen in paid]
    as_of = START + timedelta(days=seen)
    progress = follow(plan, made, as_of)
    counted = sum((amount for day, amount in made if day <= as_of), M(0))
    assert progress.paid + progress.extra == counted
    assert progress.paid + progress.remaining == progress.total == sum(
        (p.amount for p in plan), M(0))
    assert progress.bill().total == progress.remaining
    assert all(i.payment.on < as_of and i.missing > 0 for i in progress.missed)
    assert progress.kept == all(i.missing == 0 for i in progress.installments
                                if i.payment.on < as_of)


@given(total=st.integers(1, 10_000_000), periods=st.integers(1, 120),
       principal=st.integers(1, 10_000_000))
def test_split_level_keeps_the_total_and_the_principal(total: int, periods: int,
                                                       principal: int) -> None:
    parts = split_level(M(total) / 100, periods, M(principal) / 100)
    assert len(parts) == periods
    assert sum((p + i for p, i in parts), M(0)) == M(total) / 100
    assert all(p >= 0 and i >= 0 for p, i in parts)
    assert sum((p for p, _i in parts), M(0)) == min(M(total), M(principal)) / 100
    amounts = [p + i for p, i in parts]
    assert max(amounts) - min(amounts) <= M("0.01") * periods  # level, the last takes the rest


# -------------------------------------------------------------------------- the case


@pytest.fixture
def accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "张女士")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "60000", "--overdue-since",
       overdue_since(70), "--minimum", "3000", "--label", "工行信用卡")
    ok("budget", "set", "--income", "wages=9000", "--priority", "rent=3000", "--flexible",
       "food=2000")
    return ok_json("offer", "--periods", "60", "--monthly", "1150", "--accept")


def _later(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat() + "T10:00+08:00"


def test_after_accepting_the_case_follows_the_agreed_payments(
        accepted: dict[str, str]) -> None:
    assert accepted["total_paid"] == "69000.00"
    # the plan repays exactly what was agreed (60 × 1,150.00), not a re-computed schedule
    plan = ok_json("plan", "--strategy", "pro-rata")["plans"][0]["totals"]
    assert (plan["paid"], plan["penalty"], plan["unpaid_end"]) == ("69000.00", "0.00", "0.00")
    # a week on, nothing is due yet and no penalty is added
    status = ok_json("--now", _later(7), "status")
    (line,) = status["debts"]
    assert (line["total"], line["penalty"], line["daily_cost"]) == ("0.00", "0.00", "0.00")
    assert line["arrangement"]["remaining"] == "69000.00"
    assert line["arrangement"]["kept"] is True
    first = date.fromisoformat(line["next"]["on"])
    assert first == date.fromisoformat(accepted_first(today()))
    assert line["next"]["amount_due"] == "1150.00"


def accepted_first(day: date) -> str:
    month = day.month % 12 + 1
    year = day.year + (day.month == 12)
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1])).isoformat()


def test_a_missed_agreed_payment_is_shown_with_what_it_means(accepted: dict[str, str]) -> None:
    first = date.fromisoformat(accepted_first(today()))
    later = (first + timedelta(days=5)).isoformat() + "T10:00+08:00"
    text = " ".join(ok("--now", later, "status", "--lang", "en").split())
    assert f"Missed: ¥1,150.00 due on {first.isoformat()} is still unpaid." in text
    assert "If an agreed payment is missed, the lender may end the arrangement" in text
    assert "(5 days overdue)" in text
    ok("--now", later, "pay", "--amount", "1150", "--date", first.isoformat())
    text = " ".join(ok("--now", later, "status", "--lang", "en").split())
    assert "Missed:" not in text
    assert "¥1,150.00 paid, ¥67,850.00 to go" in text


def test_reminders_and_the_confirmation_request_state_the_agreed_payments(
        accepted: dict[str, str], tmp_path: Path) -> None:
    ics = tmp_path / "r.ics"
    ok("remind", "--ics", str(ics), "--lang", "en")
    # lines unfolded (RFC 5545 folds them at 75 octets); each names the lender and the debt
    text = ics.read_text(encoding="utf-8").replace("\r\n ", "").replace("\n ", "")
    assert text.count("SUMMARY:The card-issuing bank · 工行信用卡 payment ") == 60
    assert ("SUMMARY:The card-issuing bank · 工行信用卡 payment 1/60: pay ¥1\\,150.00"
            in text)  # RFC 5545 escapes commas
    first = accepted_first(today()).replace("-", "")
    assert f"DTSTART;VALUE=DATE:{first}" in text
    confirm = ok("script", "--channel", "confirm")
    assert (f"就本人名下的上述欠款商定了还款安排：分 60 期，每月 ¥1,150.00，从 "
            f"{accepted_first(today())}") in confirm
    assert "合计 ¥69,000.00" in confirm
    assert "本人申请的安排为" not in confirm


def test_the_dossier_shows_the_agreed_arrangement_not_the_ladder(
        accepted: dict[str, str], tmp_path: Path) -> None:
    page = tmp_path / "d.html"
    ok("dossier", "--html", str(page))
    import html
    import re

    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text("utf-8"))).split())
    assert "已商定的还款安排 60 ¥1,150.00 ¥69,000.00" in text
    assert "首选方案" not in text  # no ladder for a debt whose lender already agreed
    assert "就本人名下的上述欠款商定了还款安排：分 60 期，每月 ¥1,150.00" in text
    assert "#1 工行信用卡：接受了还款安排" in text


def test_the_negotiate_page_shows_the_agreed_arrangement_instead_of_the_ladder(
        accepted: dict[str, str], tmp_path: Path) -> None:
    from webclient import WebClient
    from xieshang.store.db import open_store

    with WebClient(lambda: open_store(data_dir=tmp_path / "home"), lang="en") as web:
        text = web.get("/negotiate/1").text
    assert 'id="agreed-terms"' in text
    assert (f"Accepted on {today().isoformat()}: 60 payments of ¥1,150.00, ¥69,000.00 in "
            "all.") in text
    assert "Paid so far ¥0.00; ¥69,000.00 to go." in text
    assert f"Next agreed payment: ¥1,150.00 by {accepted_first(today())}." in text
    assert 'id="ladder"' not in text


def test_every_document_states_the_agreed_arrangement_once_accepted(
        accepted: dict[str, str]) -> None:
    first = accepted_first(today())
    terms = f"分 60 期，每月 ¥1,150.00，从 {first} 到"
    phone = ok("script", "--channel", "phone")
    assert f"5. 已经商定的安排\n   “我们在 {today().isoformat()} 已商定：{terms}" in phone
    assert "我想申请" not in phone
    assert "底线" not in phone  # nothing left to bargain over
    assert "每期 ¥1,150.00 会按时还" in phone
    chat = ok("script", "--channel", "chat")
    assert f"⑤ 我们在 {today().isoformat()} 已商定：{terms}" in chat
    assert "我申请" not in chat
    letter = ok("script", "--channel", "letter")
    assert f"本人与贵行已于 {today().isoformat()} 商定：{terms}" in letter  # a bank: 贵行
    assert letter.splitlines()[0] == "个性化分期还款申请"
    complaint = ok("script", "--channel", "complaint")
    assert f"本人已于 {today().isoformat()} 与该机构商定还款安排：{terms}" in complaint
    assert "联系记录里还没有" not in complaint
    assert "已和客服初步谈好还款安排，希望得到书面确认" in ok("script", "--channel", "social")
    confirm = ok("script", "--channel", "confirm")
    assert "本人会按约定按时还款；请在首期还款日前回复。" in confirm
    assert "收到书面确认后" not in confirm


def test_agreed_payments_raise_alerts_when_due_and_when_missed(
        accepted: dict[str, str]) -> None:
    first = date.fromisoformat(accepted_first(today()))
    before = (first - timedelta(days=2)).isoformat() + "T10:00+08:00"
    alerts = ok_json("--now", before, "alerts", "--lang", "en")["alerts"]
    assert [(a["code"], a["message"]) for a in alerts] == [
        ("agreed_payment_due",
         f"The agreed payment of ¥1,150.00 to 工行信用卡 is due on {first.isoformat()}.")]
    after = (first + timedelta(days=1)).isoformat() + "T10:00+08:00"
    alerts = ok_json("--now", after, "alerts", "--lang", "en")["alerts"]
    assert [a["code"] for a in alerts] == ["agreed_payment_missed"]
    assert f"due on {first.isoformat()} has not been paid" in alerts[0]["message"]


def test_a_missed_payment_and_the_next_are_two_payments_this_month(
        accepted: dict[str, str]) -> None:
    first = date.fromisoformat(accepted_first(today()))
    after = (first + timedelta(days=1)).isoformat() + "T10:00+08:00"
    month = ok_json("--now", after, "plan", "month")
    card = [(a["amount"], a["by"], a["kind"]) for a in month["actions"] if a["debt"] == "1"]
    second = date.fromisoformat(accepted_first(first))
    # the missed one at once (today), the next one by its own date
    assert card == [("1150.00", (first + timedelta(days=1)).isoformat(), "arrangement"),
                    ("1150.00", second.isoformat(), "arrangement")]
    assert month["notes"] == []
    # the budget sets both agreed payments of the month ahead aside for this debt
    budget = ok_json("--now", after, "budget", "show")
    assert budget["split"]["debts"][0]["amount"] == "2300.00"


def test_the_ladder_of_a_debt_under_an_arrangement_says_there_is_nothing_to_ask(
        accepted: dict[str, str]) -> None:
    text = " ".join(ok("ladder", "--lang", "en").split())
    assert text.startswith("#1 工行信用卡 is under an arrangement you accepted: there is nothing "
                           "to ask for.")
    assert "Proposal ladder" not in text
    payload = ok_json("ladder")
    assert (payload["rungs"], payload["arrangement"]["total"]) == ([], "69000.00")


def test_the_consequences_page_shows_the_arrangement_not_the_original_terms(
        accepted: dict[str, str], tmp_path: Path) -> None:
    from webclient import WebClient
    from xieshang.store.db import open_store

    with WebClient(lambda: open_store(data_dir=tmp_path / "home"), lang="en") as web:
        text = web.get("/consequences").text
    assert 'id="total">¥69,000.00<' in text  # everything still owed under the arrangement
    assert 'id="daily">¥0.00<' in text  # nothing added while it is kept
    assert 'id="debt-1-agreed"' in text
    assert f"Next agreed payment: ¥1,150.00 by {accepted_first(today())}." in text
