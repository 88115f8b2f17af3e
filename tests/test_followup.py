"""Commitment statuses and follow-up alerts (engine/followup.py), on real dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from xieshang.engine.errors import InputError
from xieshang.engine.followup import (
    AlertCode,
    CallRecord,
    Party,
    Promise,
    Status,
    follow_up,
    in_quiet_hours,
    mark,
)
from xieshang.rules import law as load_law

LAW = load_law()
TODAY = date(2026, 3, 10)


def codes(alerts: list) -> list[tuple[str, int | None]]:  # type: ignore[type-arg]
    return [(a.code.value, a.commitment_id) for a in alerts]


def test_my_payment_due_within_three_days() -> None:
    soon = Promise(1, Party.ME, date(2026, 3, 13), amount=Decimal("500.00"))
    later = Promise(2, Party.ME, date(2026, 3, 14), amount=Decimal("500.00"))
    alerts = follow_up([soon, later], [], TODAY, LAW)
    assert codes(alerts) == [("payment_due", 1)]
    assert alerts[0].params == {"id": 1, "date": "2026-03-13", "amount": "500.00", "days": 3}
    assert alerts[0].on == date(2026, 3, 13)
    assert alerts[0].source == ""


def test_due_today_is_still_payment_due_not_past_due() -> None:
    alerts = follow_up([Promise(1, Party.ME, TODAY)], [], TODAY, LAW)
    assert codes(alerts) == [("payment_due", 1)]
    assert alerts[0].params["days"] == 0


def test_past_due_pending_suggests_marking() -> None:
    late = Promise(4, Party.LENDER, date(2026, 3, 9), confirmed_in_writing=True)
    alerts = follow_up([late], [], TODAY, LAW)
    assert codes(alerts) == [("past_due", 4)]
    assert "kept or broken" in alerts[0].msgid


def test_kept_and_broken_give_no_alerts() -> None:
    base = Promise(5, Party.ME, date(2026, 3, 1), agreed_on=date(2026, 1, 1))
    assert follow_up([mark(base, "kept"), mark(base, Status.BROKEN)], [], TODAY, LAW) == []


def test_written_confirmation_chased_after_seven_days() -> None:
    six = Promise(6, Party.LENDER, None, agreed_on=date(2026, 3, 4))
    seven = Promise(7, Party.LENDER, None, agreed_on=date(2026, 3, 3))
    confirmed = replace(seven, id=8, confirmed_in_writing=True)
    mine = Promise(9, Party.ME, None, agreed_on=date(2026, 1, 1))
    alerts = follow_up([six, seven, confirmed, mine], [], TODAY, LAW)
    assert codes(alerts) == [("confirmation_missing", 7)]
    assert alerts[0].params == {"id": 7, "date": "2026-03-03", "days": 7}


def test_calls_above_the_daily_limit_cite_the_rule() -> None:
    limit = LAW.collection.max_effective_calls_per_day
    assert limit == 3  # _law.toml [collection], rules-cn.md §8 [S]
    day = [CallRecord(i, datetime(2026, 3, 9, 9 + i)) for i in range(1, limit + 2)]
    ok_day = [CallRecord(10 + i, datetime(2026, 3, 8, 9 + i)) for i in range(limit)]
    alerts = follow_up([], day + ok_day, TODAY, LAW)
    assert [a.code for a in alerts] == [AlertCode.CALLS_OVER_LIMIT]
    assert alerts[0].params == {"count": 4, "date": "2026-03-09", "limit": 3}
    assert alerts[0].contact_ids == (1, 2, 3, 4)
    # the public source and its mark, never our reference or preset files (issue 14)
    source = LAW.source_of("collection.max_effective_calls_per_day")
    assert alerts[0].source == f"{'; '.join(source.urls[:2])} [S]"
    assert "rules-cn" not in alerts[0].source
    assert ".toml" not in alerts[0].source


def test_calls_in_quiet_hours() -> None:
    calls = [CallRecord(1, datetime(2026, 3, 9, 22, 0)), CallRecord(2, datetime(2026, 3, 9, 7, 59)),
             CallRecord(3, datetime(2026, 3, 9, 8, 0)), CallRecord(4, datetime(2026, 3, 8, 21, 59))]
    alerts = follow_up([], calls, TODAY, LAW)
    assert [(a.code.value, a.contact_ids) for a in alerts] == [
        ("call_in_quiet_hours", (2,)), ("call_in_quiet_hours", (1,))]
    assert alerts[1].params == {"time": "22:00", "date": "2026-03-09", "start": "22:00",
                                "end": "08:00"}
    assert LAW.source_of("collection.quiet_from").urls[0] in alerts[0].source


def test_quiet_hours_come_from_the_law_record() -> None:
    other = replace(LAW, collection=replace(LAW.collection, quiet_from=time(21, 0),
                                            quiet_until=time(9, 0)))
    assert in_quiet_hours(time(21, 30), other)
    assert not in_quiet_hours(time(21, 30), LAW)
    assert in_quiet_hours(time(8, 30), other)


def test_mark_rejects_unknown_status() -> None:
    with pytest.raises(InputError) as caught:
        mark(Promise(1, Party.ME, None), "done")
    assert caught.value.field == "status"
