"""The reminders calendar (documents/calendar.py) round-trips through icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from icalendar import Calendar

from xieshang.documents.calendar import PRODID, build_calendar, reminder_items
from xieshang.engine.followup import Party, Promise, Status
from xieshang.rules import law as load_law

LAW = load_law()
TODAY = date(2026, 3, 10)
WHERE = "https://ipcrs.pbccrc.org.cn, 400-810-8866"
PROMISES = [
    Promise(1, Party.ME, date(2026, 3, 20), amount=Decimal("800.00"), agreed_on=date(2026, 3, 1)),
    Promise(2, Party.LENDER, date(2026, 3, 25), agreed_on=date(2026, 3, 1)),
    Promise(3, Party.ME, date(2026, 3, 1), status=Status.KEPT),
]


def events(data: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(data)
    assert str(calendar["prodid"]) == PRODID
    assert str(calendar["version"]) == "2.0"
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_round_trip_holds_the_expected_events() -> None:
    items = reminder_items(7, PROMISES, TODAY, LAW, WHERE, lambda s: s)
    data = build_calendar(items, datetime(2026, 3, 10, 1, 2, 3))
    found = events(data)
    assert sorted(found) == [
        "xieshang-case7-commitment1-payment@xieshang",
        "xieshang-case7-commitment2-confirmation@xieshang",
        "xieshang-case7-commitment2-lender@xieshang",
        "xieshang-case7-credit-report@xieshang",
    ]
    pay = found["xieshang-case7-commitment1-payment@xieshang"]
    assert str(pay["summary"]) == "Pay ¥800.00 (commitment #1)"  # type: ignore[index]
    assert pay["dtstart"].dt == date(2026, 3, 20)  # type: ignore[index]
    assert pay["dtend"].dt == date(2026, 3, 21)  # type: ignore[index]
    assert pay["dtstamp"].dt == datetime(2026, 3, 10, 1, 2, 3, tzinfo=UTC)  # type: ignore[index]
    alarms = pay.walk("VALARM")  # type: ignore[attr-defined]
    assert len(alarms) == 1
    assert alarms[0]["trigger"].dt == timedelta(days=-3, hours=9)
    assert str(alarms[0]["action"]) == "DISPLAY"
    chase = found["xieshang-case7-commitment2-confirmation@xieshang"]
    assert chase["dtstart"].dt == date(2026, 3, 10)  # type: ignore[index]  # 03-08 passed → today
    report = found["xieshang-case7-credit-report@xieshang"]
    assert report["dtstart"].dt == date(2026, 4, 1)  # type: ignore[index]
    assert report["rrule"]["FREQ"] == ["MONTHLY"]  # type: ignore[index]
    assert report["rrule"]["INTERVAL"] == [6]  # type: ignore[index]  # 12 / 2 free reports
    assert "ipcrs.pbccrc.org.cn" in str(report["description"])  # type: ignore[index]
    for event in found.values():
        assert len(event.walk("VALARM")) == 1  # type: ignore[attr-defined]


def test_uids_are_stable_and_text_is_crlf() -> None:
    one = build_calendar(reminder_items(7, PROMISES, TODAY, LAW, WHERE, lambda s: s),
                         datetime(2026, 3, 10))
    two = build_calendar(reminder_items(7, PROMISES, TODAY + timedelta(days=1), LAW, WHERE,
                                        lambda s: s), datetime(2026, 3, 11))
    assert sorted(events(one)) == sorted(events(two))
    assert b"\r\n" in one
    assert b"DTSTART;VALUE=DATE:20260320" in one


def test_translated_summaries() -> None:
    items = reminder_items(1, PROMISES[:1], TODAY, LAW, WHERE, lambda s: "X" + s)
    assert items[0].summary.startswith("XPay")


def test_a_commitment_names_its_lender_and_debt_and_each_repayment_day_recurs() -> None:
    """Commitment 1 concerns debt 4 (招商银行 · 招行信用卡); debt 4's repayment day is the
    5th (next: 2026-04-05, the 10th of March having passed it), debt 5's the 31st (reminded
    of on the 28th, which every month has: next 2026-03-28)."""
    from xieshang.documents.calendar import DueDay, due_day_items

    promise = Promise(1, Party.ME, date(2026, 3, 20), amount=Decimal("800.00"), debt_id=4)
    items = reminder_items(7, [promise], TODAY, LAW, WHERE, lambda s: s,
                           {4: "招商银行 · 招行信用卡"})
    assert items[0].summary == "招商银行 · 招行信用卡: pay ¥800.00 (commitment #1)"
    dues = due_day_items(7, [DueDay(4, "招商银行 · 招行信用卡", 5, Decimal("31650.00")),
                             DueDay(5, "微众银行 · 微粒贷", 31, Decimal("5000.00"))],
                         TODAY, lambda s: s)
    found = events(build_calendar(dues, datetime(2026, 3, 10)))
    card = found["xieshang-case7-debt4-due-day@xieshang"]
    assert card["dtstart"].dt == date(2026, 4, 5)  # type: ignore[index]
    assert card["rrule"]["FREQ"] == ["MONTHLY"]  # type: ignore[index]
    assert str(card["summary"]) == "招商银行 · 招行信用卡: repayment day"  # type: ignore[index]
    assert "¥31,650.00" in str(card["description"])  # type: ignore[index]
    late = found["xieshang-case7-debt5-due-day@xieshang"]
    assert late["dtstart"].dt == date(2026, 3, 28)  # type: ignore[index]
    assert "due on day 31" in str(late["summary"])  # type: ignore[index]
