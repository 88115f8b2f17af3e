"""Step 7 of the web app, log & promises: the contact log (add, show with history, edit),
commitments (add, kept / broken), the alerts and the calendar download — in process, on the
demo case. Names and numbers are made up."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from icalendar import Calendar

from webclient import WebClient
from xieshang.cli.serve import build_demo_store
from xieshang.clock import now_local as now
from xieshang.clock import today
from xieshang.engine.followup import in_quiet_hours
from xieshang.output import Output
from xieshang.rules import law
from xieshang.services.contacts import alerts_of, reminders_ics
from xieshang.store.db import Store, open_store
from xieshang.store.exchange import dumps, export_case
from xieshang.store.model import Commitment, Contact, ContactRevision, Evidence
from xieshang.web.pages.log import shown_agent, store_upload

TODAY = today()
PHONE = "13812345678"  # made up


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def fresh(tmp_path: Path) -> Callable[[], Store]:
    return build_demo_store(tmp_path)


def client(opener: Callable[[], Store], lang: str = "en", **options: Any) -> WebClient:
    return WebClient(opener, lang=lang, today=TODAY, **options)


def snapshot(opener: Callable[[], Store]) -> str:
    """The whole case as exported (contacts, revisions, commitments, evidence …)."""
    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        return dumps(export_case(tx, case.id))


def records(opener: Callable[[], Store], kind: Any, **where: Any) -> list[Any]:
    with opener() as store, store.begin(readonly=True) as tx:
        return tx.find(kind, **where)


def evidence_folder(opener: Callable[[], Store]) -> Path:
    with opener() as store:
        path = store.sqlite_path
    assert path is not None
    return path.parent / "evidence"


CONTACT = {"debt": "1", "channel": "phone", "when": f"{day(-2)} 10:30", "agent": "王女士",
           "agent_id": "A1234", "reference": "T-77", "asked": "12 期分期，免罚息",
           "offered": "6 期", "outcome": "pending", "notes": "她说要审核"}


def add_contact(web: WebClient, **changes: str) -> int:
    web.get("/log/contacts/new")
    response = web.post("/log/contacts/new", {**CONTACT, **changes})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/log/contacts/")
    return int(location.rsplit("/", 1)[1])


# ------------------------------------------------------------------------------- reading


def test_log_page_of_the_demo_case(demo: Callable[[], Store]) -> None:
    with client(demo) as web:
        page = web.get("/log")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Log &amp; promises</h1>" in text
    assert 'href="/log" aria-current="step"' in text
    assert "No contacts recorded yet." in text
    assert "No commitments recorded yet." in text
    assert "Nothing needs following up today." in text
    assert 'href="/log/calendar.ics"' in text
    assert 'href="/log/contacts/new"' in text
    assert 'href="/log/promises/new"' in text
    # the debt filter lists the three debts
    assert '<option value="3">#3 招商银行信用卡（示例）</option>' in text


def test_the_forms_start_with_sensible_values(demo: Callable[[], Store]) -> None:
    with client(demo) as web:
        form = web.get("/log/contacts/new").text
        promise = web.get("/log/promises/new").text
    assert 'enctype="multipart/form-data"' in form
    assert f'name="when" type="datetime-local" value="{TODAY.isoformat()}T' in form
    assert '<option value="phone" selected>phone</option>' in form
    assert '<option value="collector_call">collector&#39;s call</option>' in form
    assert 'type="file"' in form
    assert 'name="_csrf"' in form
    assert '<option value="me" selected>I promised (a payment)</option>' in promise
    assert 'name="due" type="date"' in promise


def test_without_a_case_the_page_says_how_to_start(tmp_path: Path) -> None:
    with client(lambda: open_store(data_dir=tmp_path)) as web:
        page = web.get("/log")
        assert page.status_code == 200
        assert "There is no case yet" in page.text
        assert 'href="/start"' in page.text
        assert web.get("/log/calendar.ics").status_code == 404
        assert web.get("/log/contacts/1").status_code == 404


def test_shown_agent_masks_phone_numbers_only() -> None:
    assert shown_agent(PHONE) == "138****5678"
    assert shown_agent(f"催收 {PHONE}") == "催收 138****5678"
    assert shown_agent("+86 138 1234 5678") == "138****5678"
    assert shown_agent("A1234") == "A1234"  # a staff number stays readable
    assert shown_agent("工号 10086") == "工号 10086"
    assert shown_agent("") == ""


# ----------------------------------------------------------------------------- contacts


def test_add_a_contact_with_evidence(fresh: Callable[[], Store]) -> None:
    data = b"made-up recording"
    digest = hashlib.sha256(data).hexdigest()
    with client(fresh) as web:
        web.get("/log/contacts/new")
        response = web.post("/log/contacts/new",
                            {**CONTACT, "channel": "collector_call", "agent": f"催收 {PHONE}"},
                            files={"evidence": ("call.M4A", data, "audio/mp4")})
        assert response.status_code == 303
        assert response.headers["location"] == "/log/contacts/1"
        listing = web.get("/log").text
        shown = web.get("/log/contacts/1").text
    (contact,) = records(fresh, Contact)
    assert contact.happened_at == datetime.fromisoformat(f"{day(-2)} 10:30")
    assert contact.channel == "collector_call"
    assert contact.debt_id == 1
    assert contact.agent_name == f"催收 {PHONE}"
    assert (contact.agent_id, contact.reference, contact.outcome) == ("A1234", "T-77",
                                                                      "pending")
    assert contact.asked == "12 期分期，免罚息"
    (evidence,) = records(fresh, Evidence)
    kept = evidence_folder(fresh) / f"{digest}.m4a"
    assert evidence.sha256 == digest
    assert evidence.path == str(kept.resolve())
    assert kept.read_bytes() == data
    assert (evidence.contact_id, evidence.debt_id, evidence.added_on) == (1, 1, TODAY)
    assert evidence.kind == "other"
    # the list: time, channel, debt, masked agent, what was said, outcome, evidence count
    row = listing.split('<tr id="contact-1">', 1)[1].split("</tr>", 1)[0]
    assert f'<a href="/log/contacts/1">{day(-2)} 10:30</a>' in row
    assert "collector&#39;s call" in row
    assert "#1 花呗 账单" in row
    assert "催收 138****5678" in row
    assert "<strong>Asked:</strong> 12 期分期，免罚息" in row
    assert "<strong>Offered:</strong> 6 期" in row
    assert '<td class="num">1</td>' in row
    assert PHONE not in listing
    assert PHONE not in shown
    assert digest in shown
    assert "No earlier versions." in shown


def test_the_time_defaults_to_now(fresh: Callable[[], Store]) -> None:
    before = now().replace(second=0)
    with client(fresh) as web:
        add_contact(web, when="")
    (contact,) = records(fresh, Contact)
    assert before <= contact.happened_at <= now()
    assert contact.happened_at.second == 0


CONTACT_ERRORS = [
    ("when", "2026-02-30 10:00", "is not a time; write YYYY-MM-DD HH:MM"),
    ("when", "yesterday", "is not a time"),
    ("when", f"{day(2)} 10:00", "must not be in the future"),
    ("channel", "fax", "&#39;fax&#39; is not one of: phone, chat, app"),
    ("channel", "", "this field is needed"),
    ("debt", "99", "choose one of the listed options"),
    ("debt", "", "this field is needed"),
    ("agent_id", "x" * 65, "must be at most 64 characters"),
    ("reference", "r" * 65, "must be at most 64 characters"),
    ("outcome", "o" * 33, "must be at most 32 characters"),
    ("notes", "n" * 4001, "must be at most 4000 characters"),
]


@pytest.mark.parametrize(("name", "value", "message"), CONTACT_ERRORS)
def test_a_contact_with_a_bad_field_is_not_saved(fresh: Callable[[], Store], name: str,
                                                 value: str, message: str) -> None:
    before = snapshot(fresh)
    with client(fresh) as web:
        web.get("/log/contacts/new")
        response = web.post("/log/contacts/new", {**CONTACT, name: value},
                            files={"evidence": ("call.m4a", b"not kept", "audio/mp4")})
    assert response.status_code == 422
    text = response.text
    error = text.split(f'id="f-{name}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert 'id="error-summary"' in text
    assert f'aria-describedby="f-{name}-error' in text
    # what was typed is shown again
    assert 'value="王女士"' in text
    assert "12 期分期，免罚息</textarea>" in text
    assert snapshot(fresh) == before
    assert not evidence_folder(fresh).exists()


def test_edit_keeps_the_previous_version(fresh: Callable[[], Store]) -> None:
    with client(fresh) as web:
        ident = add_contact(web, agent=PHONE)
        form = web.get(f"/log/contacts/{ident}/edit").text
        assert 'value="138****5678"' in form  # the agent's number is not put in the form
        assert PHONE not in form
        values = {**CONTACT, "agent": "138****5678", "outcome": "accepted", "offered": "12 期"}
        values.pop("debt")
        response = web.post(f"/log/contacts/{ident}/edit", values,
                            files={"evidence": ("reply.png", b"screenshot", "image/png")})
        assert response.status_code == 303
        assert response.headers["location"] == f"/log/contacts/{ident}"
        shown = web.get(f"/log/contacts/{ident}").text
        # the same values again: nothing changes, no new version
        assert web.post(f"/log/contacts/{ident}/edit", values).status_code == 303
    (contact,) = records(fresh, Contact)
    assert contact.outcome == "accepted"
    assert contact.offered == "12 期"
    assert contact.agent_name == PHONE  # left as shown (masked): the stored value stays
    (revision,) = records(fresh, ContactRevision)
    assert revision.previous["outcome"] == "pending"
    assert revision.previous["offered"] == "6 期"
    assert revision.previous["agent_name"] == PHONE
    assert len(records(fresh, Evidence, contact_id=ident)) == 1
    history = shown.split('<ol id="history">', 1)[1].split("</ol>", 1)[0]
    assert "Version before " in history
    assert "<dt>Outcome</dt><dd>pending</dd>" in history
    assert "<dt>Offered</dt><dd>6 期</dd>" in history
    assert "<dt>Agent</dt><dd>138****5678</dd>" in history
    assert "<dt>Outcome</dt><dd>accepted</dd>" in shown.split('id="history"')[0]
    assert PHONE not in shown


@pytest.mark.parametrize(("name", "value", "message"), [
    ("when", "", "this field is needed"),
    ("when", "2026-13-01 10:00", "is not a time"),
    ("channel", "telegram", "is not one of"),
    ("outcome", "o" * 33, "must be at most 32 characters"),
])
def test_an_edit_with_a_bad_field_changes_nothing(fresh: Callable[[], Store], name: str,
                                                  value: str, message: str) -> None:
    with client(fresh) as web:
        ident = add_contact(web)
        before = snapshot(fresh)
        web.get(f"/log/contacts/{ident}/edit")
        response = web.post(f"/log/contacts/{ident}/edit",
                            {**CONTACT, "outcome": "accepted", name: value})
    assert response.status_code == 422
    assert message in response.text.split(f'id="f-{name}-error">', 1)[1].split("</p>")[0]
    assert snapshot(fresh) == before
    assert records(fresh, ContactRevision) == []


def test_the_log_filters_by_debt(fresh: Callable[[], Store]) -> None:
    with client(fresh) as web:
        add_contact(web, debt="1", reference="ONE")
        add_contact(web, debt="2", reference="TWO")
        everything = web.get("/log").text
        second = web.get("/log?debt=2").text
        assert web.get("/log?debt=9").status_code == 404
        assert web.get("/log?debt=x").status_code == 404
    assert 'id="contact-1"' in everything
    assert 'id="contact-2"' in everything
    assert 'id="contact-1"' not in second
    assert 'id="contact-2"' in second
    assert '<option value="2" selected>' in second


def test_unknown_ids_are_not_found(fresh: Callable[[], Store]) -> None:
    with client(fresh) as web:
        add_contact(web)
        for path in ("/log/contacts/99", "/log/contacts/abc", "/log/contacts/99/edit",
                     "/log/promises/new?contact=99"):
            assert web.get(path).status_code == 404, path
        before = snapshot(fresh)
        assert web.post("/log/contacts/99/edit", CONTACT).status_code == 404
        assert web.post("/log/promises/99/kept", {}).status_code == 404
        assert web.post("/log/promises/1/forgotten", {}).status_code == 404
        missing = web.get("/log/contacts/42")
    assert "There is no such page or record." in missing.text
    assert snapshot(fresh) == before


# -------------------------------------------------------------------------- commitments


def test_promises_their_status_and_the_alerts(fresh: Callable[[], Store]) -> None:
    with client(fresh) as web:
        ident = add_contact(web, when=f"{day(-8)} 09:00")
        form = web.get(f"/log/promises/new?contact={ident}").text
        assert f'<option value="{ident}" selected>' in form
        mine = web.post("/log/promises/new", {"debt": "1", "by": "me", "amount": "1,200.5",
                                              "due": day(2), "condition": "先还 10%"})
        assert mine.status_code == 303
        assert mine.headers["location"] == "/log#promises"
        theirs = web.post("/log/promises/new", {"debt": "1", "by": "lender", "due": day(30),
                                                "contact": str(ident),
                                                "condition": "免除罚息"})
        assert theirs.status_code == 303
        page = web.get("/log").text
        with fresh() as store, store.begin(readonly=True) as tx:
            case = tx.current_case()
            assert case is not None
            expected = alerts_of(tx, case, TODAY)
        assert web.post("/log/promises/1/kept", {}).status_code == 303
        kept = web.get("/log").text
        assert web.post("/log/promises/2/broken", {}).status_code == 303
        assert web.post("/log/promises/1/pending", {}).status_code == 303
    first, second = records(fresh, Commitment)
    assert (first.party, first.amount, first.due_on, first.condition) == (
        "me", Decimal("1200.50"), date.fromisoformat(day(2)), "先还 10%")
    assert first.contact_id is None
    assert (second.party, second.amount, second.contact_id) == ("lender", None, ident)
    assert second.confirmed_in_writing is False
    assert (first.status, second.status) == ("pending", "broken")
    # the commitments table
    row = page.split('<tr id="promise-1">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">¥1,200.50</td>' in row
    assert f"<td>{day(2)}</td>" in row
    assert "先还 10%" in row
    assert '<span class="badge info" id="status-1">not yet kept</span>' in row
    assert 'action="/log/promises/1/kept"' in row
    assert 'action="/log/promises/1/broken"' in row
    # the alerts are the command line's, word for word
    assert [a.code.value for a in expected] == ["confirmation_missing", "payment_due"]
    out = Output.make("en", False)
    for alert in expected:
        assert out._(alert.msgid).format(**alert.params) in page
    assert f"Your payment of 1200.50 (commitment #1) is due on {day(2)}, in 2 days." in page
    assert "No written confirmation of commitment #2 (agreed on" in page
    assert '<span class="badge ok" id="status-1">kept</span>' in kept
    assert 'action="/log/promises/1/pending"' in kept
    assert "Your payment of 1200.50" not in kept


PROMISE = {"debt": "1", "by": "me", "amount": "500", "due": day(3)}


@pytest.mark.parametrize(("name", "value", "message"), [
    ("amount", "abc", "is not an amount"),
    ("amount", "0", "must be more than 0"),
    ("amount", "", "is required for a payment you promise"),
    ("due", day(-1), "must not be in the past"),
    ("due", "next week", "is not a date"),
    ("due", "", "this field is needed"),
    ("by", "someone", "choose one of the listed options"),
    ("debt", "7", "choose one of the listed options"),
    ("contact", "99", "choose one of the listed options"),
    ("condition", "c" * 2001, "must be at most 2000 characters"),
])
def test_a_promise_with_a_bad_field_is_not_saved(fresh: Callable[[], Store], name: str,
                                                 value: str, message: str) -> None:
    before = snapshot(fresh)
    with client(fresh) as web:
        web.get("/log/promises/new")
        response = web.post("/log/promises/new", {**PROMISE, name: value})
    assert response.status_code == 422
    error = response.text.split(f'id="f-{name}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert snapshot(fresh) == before


def test_a_lender_promise_needs_no_amount_but_a_given_one_is_checked(
        fresh: Callable[[], Store]) -> None:
    with client(fresh) as web:
        web.get("/log/promises/new")
        bad = web.post("/log/promises/new", {**PROMISE, "by": "lender", "amount": "-3"})
        good = web.post("/log/promises/new", {**PROMISE, "by": "lender", "amount": "",
                                              "written": "1"})
    assert bad.status_code == 422
    assert 'id="f-amount-error"' in bad.text
    assert good.status_code == 303
    (item,) = records(fresh, Commitment)
    assert (item.party, item.amount, item.confirmed_in_writing) == ("lender", None, True)


# ------------------------------------------------------------------------------ alerts


def test_collector_calls_over_the_limit_and_in_quiet_hours(fresh: Callable[[], Store]) -> None:
    rules = law().collection
    calls = rules.max_effective_calls_per_day + 1
    assert calls <= 10
    late = "23:00"
    assert in_quiet_hours(time(23, 0), law())
    with client(fresh) as web:
        for index in range(calls):
            add_contact(web, channel="collector_call", when=f"{day(-1)} 1{index}:00")
        add_contact(web, channel="collector_call", when=f"{day(-3)} {late}")
        page = web.get("/log").text
    assert f"{calls} collector calls were logged on {day(-1)}" in page
    assert f"A collector called at {late} on {day(-3)}" in page
    assert "https://m.csai.cn/wenda/1022378.html" in page  # each rule alert: its source
    assert "rules-cn.md" not in page  # a public one, not our reference file (issue 14)
    assert 'class="source"' in page
    assert 'id="rights"' in page  # the know-your-rights card's key lines
    assert 'href="/log/contacts/1"' in page


# ----------------------------------------------------------------------------- calendar


def test_the_calendar_download(fresh: Callable[[], Store]) -> None:
    with client(fresh) as web:
        ident = add_contact(web, when=f"{day(-10)} 09:00")
        web.post("/log/promises/new", {**PROMISE, "amount": "300", "due": day(5)})
        web.post("/log/promises/new", {"debt": "2", "by": "lender", "due": day(20),
                                       "contact": str(ident)})
        response = web.get("/log/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="xieshang-reminders-{TODAY.isoformat()}.ics"' in disposition
    calendar = Calendar.from_ical(response.content)
    events = {str(e["categories"].cats[0]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"payment", "lender_promise", "confirmation", "credit_report"}
    assert events["payment"].decoded("dtstart") == date.fromisoformat(day(5))
    assert str(events["payment"]["summary"]) == (  # the lender, the debt, the amount
        "Chongqing Ant Consumer Finance Co., Ltd. · 花呗 账单: pay ¥300.00 (commitment #1)")
    assert events["lender_promise"].decoded("dtstart") == date.fromisoformat(day(20))
    assert str(events["lender_promise"]["summary"]).endswith(
        ": check the lender kept commitment #2")
    assert events["confirmation"].decoded("dtstart") == TODAY  # 10 days ago + 7: late, today
    first = date(TODAY.year + (TODAY.month == 12), TODAY.month % 12 + 1, 1)
    assert events["credit_report"].decoded("dtstart") == first
    # the same items as `xieshang remind` builds
    with fresh() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        items, _data = reminders_ics(tx, case, TODAY, Output.make("en", False)._)
    assert sorted((str(e["uid"]), e.decoded("dtstart")) for e in events.values()) == sorted(
        (item.uid, item.on) for item in items)


def test_the_calendar_in_traditional_chinese(fresh: Callable[[], Store]) -> None:
    with client(fresh, lang="zh-Hant") as web:
        web.get("/log")
        web.post("/log/promises/new", {**PROMISE, "amount": "300", "due": day(5)})
        calendar = Calendar.from_ical(web.get("/log/calendar.ics").content)
    summaries = sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))
    # zh: 重庆蚂蚁消费金融有限公司 · 花呗 账单：还款 ¥300.00（承诺 #1）
    assert "重慶螞蟻消費金融有限公司 · 花唄 帳單：還款 ¥300.00（承諾 #1）" in summaries


# -------------------------------------------------------------------- forbidden writes


def test_a_form_without_its_token_writes_nothing(fresh: Callable[[], Store]) -> None:
    with client(fresh) as web:
        add_contact(web)
        web.post("/log/promises/new", PROMISE)
        before = snapshot(fresh)
        for path, data in (("/log/contacts/new", CONTACT), ("/log/contacts/1/edit", CONTACT),
                           ("/log/promises/new", PROMISE), ("/log/promises/1/kept", {}),
                           ("/log/promises/1/broken", {})):
            assert web.post(path, data, csrf=False).status_code == 403, path
    assert snapshot(fresh) == before


def test_a_read_only_copy_refuses_every_change(fresh: Callable[[], Store]) -> None:
    before = snapshot(fresh)
    with client(fresh, read_only=True) as web:
        web.get("/log")
        response = web.post("/log/contacts/new", CONTACT,
                            files={"evidence": ("call.m4a", b"not kept", "audio/mp4")})
        assert response.status_code == 403
        assert "read-only" in response.text
        assert web.post("/log/promises/new", PROMISE).status_code == 403
        assert web.post("/log/promises/1/kept", {}).status_code == 403
    assert snapshot(fresh) == before
    assert not evidence_folder(fresh).exists()


# ------------------------------------------------------------------- uploads, language


def test_without_a_data_folder_only_the_hash_and_name_are_kept() -> None:
    from starlette.datastructures import UploadFile

    data = b"chat screenshot"
    page: Any = SimpleNamespace(web=SimpleNamespace(store=SimpleNamespace(sqlite_path=None)))
    upload = UploadFile(io.BytesIO(data), filename="C:\\Users\\me\\聊天记录.png")
    path, digest = asyncio.run(store_upload(page, upload))
    assert (path, digest) == ("聊天记录.png", hashlib.sha256(data).hexdigest())


def test_the_page_in_chinese(fresh: Callable[[], Store]) -> None:
    with client(fresh, lang="zh") as web:
        add_contact(web, channel="chat")
        web.post("/log/promises/new", PROMISE)
        page = web.get("/log").text
        bad = web.post("/log/promises/new", {**PROMISE, "amount": "0"})
    assert 'lang="zh-Hans"' in page
    assert "¥500.00" in page
    assert 'id="status-1"' in page
    assert bad.status_code == 422
    assert 'id="f-amount-error"' in bad.text


def test_a_contact_or_promise_without_a_debt_re_shows_the_form(
        demo: Callable[[], Store]) -> None:
    """The demo case has three debts, so a contact or a promise must say which one. Sent
    without it, the refusal came from inside the transaction and reached the general error
    page (422 without the form; found by `make fuzz`); now the form comes back with the
    error under its field and nothing is written."""
    before = snapshot(demo)
    web = client(demo)
    web.get("/log/contacts/new")
    response = web.post("/log/contacts/new", {**CONTACT, "debt": ""})
    assert response.status_code == 422
    assert 'name="channel"' in response.text  # the form again
    assert "Debt" in response.text.split('id="error-summary"', 1)[1][:600]
    web.get("/log/promises/new")
    response = web.post("/log/promises/new", {"by": "me", "amount": "500",
                                              "due": day(3), "debt": ""})
    assert response.status_code == 422
    assert 'name="amount"' in response.text  # the form again
    assert snapshot(demo) == before
