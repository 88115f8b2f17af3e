"""``xieshang log|promise|alerts|remind`` end to end through the real entry point, each test
in its own data folder (``XIESHANG_HOME`` is a temporary path). Names and numbers are made up.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from icalendar import Calendar

from test_cli_case import clean_home
from xieshang.cli.main import run
from xieshang.clock import today as _today

TODAY = _today()


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run(list(ctx.args))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_entry, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> str:
    code, out, err = invoke(*args)
    assert code == 0, err + out
    return out


def ok_json(*args: str) -> Any:
    return json.loads(ok(*args, "--json"))


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "测试")
    ok("debt", "add", "--product", "huabei", "--amount", "3000")
    return folder


def dump(home: Path) -> list[str]:
    with sqlite3.connect(home / "xieshang.db") as db:
        return list(db.iterdump())


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def test_log_add_with_evidence_list_and_edit_keeps_history(tmp_path: Path) -> None:
    recording = tmp_path / "call.m4a"
    recording.write_bytes(b"made-up recording")
    added = ok_json("log", "add", "--channel", "phone", "--when", f"{day(-2)} 10:30",
                    "--agent", "王女士", "--agent-id", "A1234", "--reference", "T-77",
                    "--asked", "12 期分期，免罚息", "--offered", "6 期", "--outcome", "pending",
                    "--evidence", str(recording))["contact"]
    assert added["when"] == f"{day(-2)} 10:30"
    assert added["agent_id"] == "A1234"
    assert added["evidence"][0]["sha256"] == hashlib.sha256(b"made-up recording").hexdigest()
    assert added["evidence"][0]["path"] == str(recording.resolve())
    edited = ok_json("log", "edit", str(added["id"]), "--outcome", "accepted",
                     "--offered", "12 期")["contact"]
    assert (edited["outcome"], edited["offered"], edited["asked"]) == (
        "accepted", "12 期", "12 期分期，免罚息")
    shown = ok_json("log", "show", str(added["id"]), "--history")
    assert len(shown["history"]) == 1
    previous = shown["history"][0]["previous"]
    assert (previous["outcome"], previous["offered"]) == ("pending", "6 期")
    text = ok("log", "show", str(added["id"]), "--history", "--lang", "en")
    assert "Version before" in text
    assert "6 期" in text
    listed = ok_json("log", "list", "--debt", "1")["contacts"]
    assert [c["id"] for c in listed] == [added["id"]]
    assert "T-77" in ok("log", "list", "--lang", "en")


def test_promises_statuses_and_alerts() -> None:
    contact = ok_json("log", "add", "--channel", "chat", "--when", f"{day(-8)} 09:00",
                      "--asked", "分期")["contact"]["id"]
    mine = ok_json("promise", "add", "--by", "me", "--amount", "500", "--due", day(2),
                   "--contact", str(contact))["commitment"]
    assert (mine["amount"], mine["due"], mine["status"]) == ("500.00", day(2), "pending")
    theirs = ok_json("promise", "add", "--by", "lender", "--due", day(30), "--contact",
                     str(contact), "--condition", "先还 10%")["commitment"]
    for hour in ("09", "10", "11", "12"):
        ok("log", "add", "--channel", "collector_call", "--when", f"{day(-1)} {hour}:00")
    ok("log", "add", "--channel", "collector_call", "--when", f"{day(-3)} 22:30")
    alerts = ok_json("alerts")["alerts"]
    assert [(a["code"], a["commitment"]) for a in alerts] == [
        ("confirmation_missing", theirs["id"]), ("call_in_quiet_hours", None),
        ("calls_over_limit", None), ("payment_due", mine["id"])]
    assert alerts[2]["params"] == {"count": 4, "date": day(-1), "limit": 3}
    assert alerts[2]["source"].endswith("[S]")
    assert "rules-cn" not in alerts[2]["source"]
    assert alerts[3]["params"]["days"] == 2
    ok("promise", "kept", str(mine["id"]))
    ok("promise", "broken", str(theirs["id"]))
    statuses = [c["status"] for c in ok_json("promise", "list")["commitments"]]
    assert statuses == ["kept", "broken"]
    codes = [a["code"] for a in ok_json("alerts")["alerts"]]
    assert codes == ["call_in_quiet_hours", "calls_over_limit"]
    assert "Commitments" in ok("promise", "list", "--lang", "en")


def test_remind_writes_an_importable_calendar(tmp_path: Path) -> None:
    ok("promise", "add", "--by", "me", "--amount", "800", "--due", day(10))
    ok("promise", "add", "--by", "lender", "--due", day(20), "--written")
    target = tmp_path / "xieshang.ics"
    out = ok_json("remind", "--ics", str(target), "--lang", "en")
    calendar = Calendar.from_ical(target.read_bytes())
    events = {str(e["categories"].cats[0]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == ["credit_report", "lender_promise", "payment"]
    assert len(out["events"]) == 3
    # the entry names the lender, the debt and the amount (issue 14)
    assert str(events["payment"]["summary"]) == (
        "Chongqing Ant Consumer Finance Co., Ltd. · Huabei (Alipay): pay ¥800.00 "
        "(commitment #1)")
    assert events["payment"]["dtstart"].dt == TODAY + timedelta(days=10)
    assert "ipcrs.pbccrc.org.cn" in str(events["credit_report"]["description"])
    assert "400-810-8866" in str(events["credit_report"]["description"])
    assert all(len(e.walk("VALARM")) == 1 for e in events.values())


@pytest.mark.parametrize(("args", "field"), [
    (("promise", "add", "--by", "me", "--amount", "500", "--due", "2020-01-01"), "due"),
    (("promise", "add", "--by", "me", "--amount", "-5", "--due", "2099-01-01"), "amount"),
    (("promise", "add", "--by", "me", "--due", "2099-01-01"), "amount"),
    (("promise", "add", "--by", "bank", "--amount", "5", "--due", "2099-01-01"), "by"),
    (("promise", "add", "--by", "me", "--amount", "5", "--due", "2099-01-01", "--contact", "9"),
     "contact"),
    (("promise", "kept", "9"), "commitment"),
    (("log", "add", "--channel", "pigeon"), "channel"),
    (("log", "add", "--channel", "phone", "--when", "2099-01-01 10:00"), "when"),
    (("log", "add", "--channel", "phone", "--when", "yesterday"), "when"),
    (("log", "add", "--channel", "phone", "--evidence", "/no/such/file"), "evidence"),
    (("log", "add", "--channel", "phone", "--debt", "7"), "debt"),
    (("log", "edit", "1"), "contact"),
    (("log", "edit", "1", "--channel", "pigeon"), "channel"),
    (("log", "edit", "5", "--outcome", "x"), "contact"),
])
def test_bad_input_exits_2_and_writes_nothing(home: Path, args: tuple[str, ...],
                                              field: str) -> None:
    ok("log", "add", "--channel", "phone", "--when", f"{day(-1)} 10:00")
    before = dump(home)
    code, out, err = invoke(*args, "--lang", "en")
    assert code == 2, out + err
    assert err.startswith(f"error: {field}"), err
    assert dump(home) == before


def test_debt_is_required_when_the_case_has_two(home: Path) -> None:
    ok("debt", "add", "--product", "jiebei", "--amount", "1000")
    before = dump(home)
    code, _out, err = invoke("log", "add", "--channel", "phone", "--lang", "en")
    assert code == 2
    assert "2 debts" in err
    assert dump(home) == before
    assert ok_json("log", "add", "--channel", "phone", "--debt", "2")["contact"]["debt"] == 2


def test_unknown_status_constant_matches_engine() -> None:
    from xieshang.engine.followup import Status
    from xieshang.services.contacts import PROMISE_STATUSES

    assert list(PROMISE_STATUSES) == [s.value for s in Status]
    assert date.fromisoformat(day(0)) == TODAY


@pytest.mark.parametrize(("typed", "kind"), [
    ("refused", "refused"), ("被拒绝", "refused"), ("不同意分期", "refused"),
    ("拒絕", "refused"), ("pending", "pending"), ("待定", "pending"),
    ("等待审核", "pending"), ("accepted", "accepted"), ("同意了", "accepted"),
    ("转人工", ""), ("", ""),
])
def test_an_outcome_typed_in_words_is_read(typed: str, kind: str) -> None:
    from xieshang.services.contacts import outcome_kind

    assert outcome_kind(typed) == kind


def test_phone_numbers_in_a_contact_are_masked_on_screen_and_kept_in_the_store() -> None:
    ok("log", "add", "--channel", "collector_call", "--agent", "催收 13812345678",
       "--notes", "他说打 13900001111 找我儿子")
    listed = ok("log", "list")
    shown = ok("log", "show", "1")
    payload = ok_json("log", "show", "1")["contact"]
    for text in (listed, shown, str(payload)):
        assert "13812345678" not in text
        assert "13900001111" not in text
    assert "138****5678" in listed
    assert (payload["agent"], payload["notes"]) == ("催收 138****5678",
                                                    "他说打 139****1111 找我儿子")
    from xieshang.store.db import open_store
    from xieshang.store.model import Contact

    with open_store() as store, store.begin(readonly=True) as tx:
        (contact,) = tx.find(Contact)
    assert (contact.agent_name, contact.notes) == ("催收 13812345678",
                                                   "他说打 13900001111 找我儿子")
