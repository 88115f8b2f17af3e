"""The contact log's and the promises' use cases called directly
(:mod:`xieshang.services.contacts`): what is stored, what is refused (the field and the
message the fronts show), and the command line and the web page storing the same record for
the same input. Names and numbers are made up."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from webclient import WebClient
from xieshang.clock import now_local, today
from xieshang.engine.errors import InputError, InputErrors
from xieshang.services.contacts import (
    ContactFields,
    add_contact,
    add_promise,
    contact_fields,
    edit_contact,
    evidence_files,
    promise_fields,
    set_promise_status,
)
from xieshang.store.db import Store, Tx, open_store
from xieshang.store.model import Case, Commitment, Contact, ContactRevision, Debt, Evidence

TODAY = today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A case with two debts (ids 1 and 2)."""
    with open_store(data_dir=tmp_path / "data") as opened:
        with opened.begin() as tx:
            case = tx.add(Case(name="测试"))
            tx.use_case(case.id)
            tx.add(Debt(case_id=case.id, preset_id="huabei", principal=Decimal("3000")))
            tx.add(Debt(case_id=case.id, preset_id="jiebei", principal=Decimal("1000")))
        yield opened


def current(tx: Tx) -> Case:
    case = tx.current_case()
    assert case is not None
    return case


def refused(error: pytest.ExceptionInfo[InputError]) -> list[tuple[str, str]]:
    """Every (field, English message) an error names."""
    errors = error.value.errors if isinstance(error.value, InputErrors) else (error.value,)
    return [(item.field, str(item)) for item in errors]


TYPED = {"when": f"{day(-2)} 10:30", "channel": "phone", "agent": "王女士",
         "agent_id": "A1234", "reference": "T-77", "asked": "12 期分期，免罚息",
         "offered": "6 期", "outcome": "pending", "notes": "她说要审核"}


# ----------------------------------------------------------------------------- contacts


def test_a_contact_with_evidence_stores_its_fields_and_the_files_hash(
        store: Store, tmp_path: Path) -> None:
    recording = tmp_path / "call.m4a"
    recording.write_bytes(b"made-up recording")
    fields = contact_fields(**TYPED)
    files = evidence_files([recording])
    with store.begin() as tx:
        contact = add_contact(tx, current(tx), debt_id="2", fields=fields, evidence=files)
    with store.begin(readonly=True) as tx:
        (stored,) = tx.find(Contact)
        (evidence,) = tx.find(Evidence)
    assert stored == contact
    assert stored.happened_at == datetime.fromisoformat(f"{day(-2)} 10:30")
    assert (stored.channel, stored.debt_id, stored.agent_name, stored.agent_id) == (
        "phone", 2, "王女士", "A1234")
    assert (stored.reference, stored.asked, stored.offered) == ("T-77", "12 期分期，免罚息",
                                                                "6 期")
    assert (stored.outcome, stored.notes) == ("pending", "她说要审核")
    assert evidence.sha256 == hashlib.sha256(b"made-up recording").hexdigest()
    assert evidence.path == str(recording.resolve())
    assert (evidence.contact_id, evidence.debt_id, evidence.added_on) == (contact.id, 2,
                                                                         TODAY)
    assert evidence.kind == "other"


def test_a_contact_without_a_time_happened_now_to_the_minute(store: Store) -> None:
    with store.begin() as tx:
        contact = add_contact(tx, current(tx), debt_id=1,
                              fields=contact_fields(channel="chat"))
    assert contact.happened_at == now_local().replace(second=0)
    assert contact.agent_name == ""


def test_every_refused_contact_field_is_named_with_its_message() -> None:
    with pytest.raises(InputErrors) as error:
        contact_fields(when="2026-02-30 10:00", channel="fax", agent="王女士",
                       agent_id="x" * 65, notes="n" * 4001)
    assert refused(error) == [
        ("when", "'2026-02-30 10:00' is not a time; write YYYY-MM-DD HH:MM, e.g. "
                 "2026-03-09 14:30"),
        ("channel", "'fax' is not one of: phone, chat, app, letter, social, branch, "
                    "collector_call"),
        ("agent_id", "must be at most 64 characters"),
        ("notes", "must be at most 4000 characters")]
    # it reads as the first one (what the command line says)
    assert (error.value.field, str(error.value)) == refused(error)[0]


def test_a_time_in_the_future_is_refused() -> None:
    with pytest.raises(InputError) as error:
        contact_fields(when=f"{day(2)} 10:00", channel="phone")
    assert refused(error) == [("when", f"must not be in the future (got {day(2)} 10:00)")]


def test_fields_that_are_needed_must_be_given() -> None:
    with pytest.raises(InputErrors) as error:
        contact_fields(outcome="accepted", needed=("when", "channel"))
    assert refused(error) == [("when", "this field is needed"),
                              ("channel", "this field is needed")]
    assert contact_fields(outcome="") == ContactFields(outcome="")


def test_a_new_contact_needs_its_channel_and_the_debt_when_the_case_has_two(
        store: Store) -> None:
    with store.begin() as tx:
        with pytest.raises(InputError) as no_channel:
            add_contact(tx, current(tx), debt_id="1", fields=ContactFields())
        with pytest.raises(InputError) as no_debt:
            add_contact(tx, current(tx), debt_id=None, fields=contact_fields(channel="app"))
        with pytest.raises(InputError) as unknown:
            add_contact(tx, current(tx), debt_id="7", fields=contact_fields(channel="app"))
    assert refused(no_channel) == [("channel", "this field is needed")]
    assert refused(no_debt) == [("debt", "the case has 2 debts: say which one (ids: 1, 2)")]
    assert refused(unknown) == [("debt", "case 1 has no debt 7; see `xieshang debt list`")]
    with store.begin(readonly=True) as tx:
        assert tx.find(Contact) == []


def test_an_edit_keeps_the_previous_version(store: Store, tmp_path: Path) -> None:
    reply = tmp_path / "reply.png"
    reply.write_bytes(b"screenshot")
    with store.begin() as tx:
        added = add_contact(tx, current(tx), debt_id="1", fields=contact_fields(**TYPED))
    with store.begin() as tx:
        edited = edit_contact(tx, current(tx), str(added.id),
                              contact_fields(outcome="accepted", offered="12 期"),
                              evidence_files([reply]))
    assert edited == replace(added, outcome="accepted", offered="12 期", version=2)
    with store.begin(readonly=True) as tx:
        (stored,) = tx.find(Contact)
        (revision,) = tx.find(ContactRevision, contact_id=added.id)
        (evidence,) = tx.find(Evidence, contact_id=added.id)
    assert stored == edited
    assert (revision.previous["outcome"], revision.previous["offered"]) == ("pending", "6 期")
    assert revision.previous["asked"] == "12 期分期，免罚息"
    assert evidence.sha256 == hashlib.sha256(b"screenshot").hexdigest()


def test_an_edit_that_changes_nothing_keeps_no_new_version(store: Store) -> None:
    with store.begin() as tx:
        added = add_contact(tx, current(tx), debt_id="1", fields=contact_fields(**TYPED))
        tx.update(replace(added, happened_at=added.happened_at.replace(second=42)))
    with store.begin() as tx:
        # the same minute (a form shows minutes) keeps the stored seconds
        again = edit_contact(tx, current(tx), added.id, contact_fields(**TYPED))
    assert again.happened_at.second == 42
    with store.begin(readonly=True) as tx:
        assert len(tx.find(ContactRevision)) == 1  # the seconds set above, nothing since


def test_an_edit_without_changes_or_of_an_unknown_contact_is_refused(store: Store) -> None:
    with store.begin() as tx:
        add_contact(tx, current(tx), debt_id="1", fields=contact_fields(channel="phone"))
        with pytest.raises(InputError) as nothing:
            edit_contact(tx, current(tx), "1", ContactFields())
        with pytest.raises(InputError) as unknown:
            edit_contact(tx, current(tx), "5", contact_fields(outcome="x"))
    assert refused(nothing) == [("contact", "nothing to change: give at least one option")]
    assert refused(unknown) == [("contact",
                                 "case 1 has no contact 5; see `xieshang log list`")]


def test_a_missing_evidence_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        evidence_files([tmp_path / "no-such-file.m4a"])
    assert refused(error) == [("evidence", f"file not found: {tmp_path / 'no-such-file.m4a'}")]


# -------------------------------------------------------------------------- commitments


def test_a_promise_is_stored_as_typed(store: Store) -> None:
    with store.begin() as tx:
        contact = add_contact(tx, current(tx), debt_id="1",
                              fields=contact_fields(channel="phone"))
        mine = add_promise(tx, current(tx), debt_id="1", fields=promise_fields(
            party="me", amount="1,200.5", due=day(2), condition=" 先还 10% ",
            today=TODAY))
        theirs = add_promise(tx, current(tx), debt_id="2", contact_id=str(contact.id),
                             fields=promise_fields(party="Lender", amount="", due=day(30),
                                                   written=True, today=TODAY))
    with store.begin(readonly=True) as tx:
        assert tx.find(Commitment) == [mine, theirs]
    assert (mine.party, mine.amount, mine.due_on, mine.condition, mine.status) == (
        "me", Decimal("1200.50"), date.fromisoformat(day(2)), "先还 10%", "pending")
    assert (mine.debt_id, mine.contact_id, mine.confirmed_in_writing) == (1, None, False)
    assert (theirs.party, theirs.amount, theirs.debt_id, theirs.contact_id) == (
        "lender", None, 2, contact.id)
    assert theirs.confirmed_in_writing is True


def test_a_payment_i_promise_needs_an_amount() -> None:
    with pytest.raises(InputError) as error:
        promise_fields(party="me", amount=None, due=day(3), today=TODAY)
    assert refused(error) == [("amount", "is required for a payment you promise")]


def test_a_due_date_in_the_past_is_refused() -> None:
    with pytest.raises(InputError) as error:
        promise_fields(party="lender", amount=None, due=day(-1), today=TODAY)
    assert refused(error) == [("due", f"must not be in the past (got {day(-1)})")]


def test_every_refused_promise_field_is_named() -> None:
    with pytest.raises(InputErrors) as error:
        promise_fields(party="bank", amount="-3", due=None, condition="c" * 2001, today=TODAY)
    assert refused(error) == [("by", "'bank' is not one of: me, lender"),
                              ("amount", "must not be negative (got -3)"),
                              ("due", "this field is needed"),
                              ("condition", "must be at most 2000 characters")]
    # with no party known the amount is checked for its own form only
    with pytest.raises(InputErrors) as unknown:
        promise_fields(party=None, amount="", due=day(1), today=TODAY)
    assert refused(unknown) == [("by", "this field is needed")]


def test_a_promise_without_a_debt_in_a_two_debt_case_asks_which(store: Store) -> None:
    fields = promise_fields(party="me", amount="500", due=day(3), today=TODAY)
    with store.begin() as tx:
        with pytest.raises(InputError) as no_debt:
            add_promise(tx, current(tx), debt_id=None, fields=fields)
        with pytest.raises(InputError) as no_contact:
            add_promise(tx, current(tx), debt_id="1", fields=fields, contact_id="9")
    assert refused(no_debt) == [("debt", "the case has 2 debts: say which one (ids: 1, 2)")]
    assert refused(no_contact) == [("contact",
                                    "case 1 has no contact 9; see `xieshang log list`")]
    with store.begin(readonly=True) as tx:
        assert tx.find(Commitment) == []


def test_a_promise_is_marked_kept_or_broken(store: Store) -> None:
    with store.begin() as tx:
        first = add_promise(tx, current(tx), debt_id="1", fields=promise_fields(
            party="me", amount="500", due=day(3), today=TODAY))
        second = add_promise(tx, current(tx), debt_id="2", fields=promise_fields(
            party="lender", amount=None, due=day(9), today=TODAY))
    with store.begin() as tx:
        kept = set_promise_status(tx, current(tx), str(first.id), "kept")
        broken = set_promise_status(tx, current(tx), second.id, "broken")
        with pytest.raises(InputError) as unknown:
            set_promise_status(tx, current(tx), "9", "kept")
        with pytest.raises(InputError) as forgotten:
            set_promise_status(tx, current(tx), "1", "forgotten")
    assert (kept.status, broken.status) == ("kept", "broken")
    with store.begin(readonly=True) as tx:
        assert [c.status for c in tx.find(Commitment)] == ["kept", "broken"]
    assert refused(unknown) == [
        ("commitment", "case 1 has no commitment 9; see `xieshang promise list`")]
    assert refused(forgotten) == [("status",
                                   "'forgotten' is not one of: pending, kept, broken")]
    with store.begin() as tx:
        again = set_promise_status(tx, current(tx), "1", "pending")
    assert again.status == "pending"


# --------------------------------------------------------- the command line and the web


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    from xieshang.cli.main import run

    run(list(ctx.args))


def _cli(home: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setenv("XIESHANG_HOME", str(home))
    result = CliRunner().invoke(_entry, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr + result.stdout


def _stored(home: Path) -> dict[str, Any]:
    """What the store holds, without ids' creation times and evidence paths (the command
    line records the file where it is, the web page the copy it keeps)."""
    with open_store(data_dir=home) as store, store.begin(readonly=True) as tx:
        return {
            "contacts": [replace(c, created_at=None) for c in tx.find(Contact)],
            "evidence": [replace(e, path="") for e in tx.find(Evidence)],
            "commitments": [replace(c, created_at=None) for c in tx.find(Commitment)],
        }


def test_the_command_line_and_the_web_page_store_the_same_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    recording = tmp_path / "call.m4a"
    recording.write_bytes(b"made-up recording")
    homes = {"cli": tmp_path / "cli", "web": tmp_path / "web"}
    for home in homes.values():
        _cli(home, monkeypatch, "case", "new", "--name", "测试")
        _cli(home, monkeypatch, "debt", "add", "--product", "huabei", "--amount", "3000")
        _cli(home, monkeypatch, "debt", "add", "--product", "jiebei", "--amount", "1000")
    typed = {**TYPED, "agent": " 王女士 ", "channel": "Collector_Call"}
    _cli(homes["cli"], monkeypatch, "log", "add", "--debt", "2", "--evidence", str(recording),
         *(item for key, value in typed.items()
           for item in (f"--{key.replace('_', '-')}", value)))
    _cli(homes["cli"], monkeypatch, "log", "edit", "1", "--outcome", "accepted")
    _cli(homes["cli"], monkeypatch, "promise", "add", "--debt", "2", "--by", "me",
         "--amount", "1,200.5", "--due", day(2), "--condition", "先还 10%", "--contact", "1")
    _cli(homes["cli"], monkeypatch, "promise", "kept", "1")
    with WebClient(lambda: open_store(data_dir=homes["web"]), lang="en", today=TODAY) as web:
        web.get("/log/contacts/new")
        assert web.post("/log/contacts/new", {**typed, "debt": "2"},
                        files={"evidence": ("call.m4a", recording.read_bytes(),
                                            "audio/mp4")}).status_code == 303
        assert web.post("/log/contacts/1/edit", {**typed, "outcome": "accepted"}
                        ).status_code == 303
        assert web.post("/log/promises/new", {
            "debt": "2", "by": "me", "amount": "1,200.5", "due": day(2),
            "condition": "先还 10%", "contact": "1"}).status_code == 303
        assert web.post("/log/promises/1/kept", {}).status_code == 303
    cli, page = _stored(homes["cli"]), _stored(homes["web"])
    assert cli == page
    (contact,) = cli["contacts"]
    assert (contact.channel, contact.agent_name, contact.outcome) == (
        "collector_call", "王女士", "accepted")
    (evidence,) = cli["evidence"]
    assert evidence.sha256 == hashlib.sha256(b"made-up recording").hexdigest()
    (commitment,) = cli["commitments"]
    assert (commitment.amount, commitment.status, commitment.contact_id) == (
        Decimal("1200.50"), "kept", 1)
    # the edit kept the previous version on both
    for home in homes.values():
        with open_store(data_dir=home) as store, store.begin(readonly=True) as tx:
            (revision,) = tx.find(ContactRevision)
            assert revision.previous["outcome"] == "pending"


def test_the_log_reads_the_same_in_the_cli_and_on_the_page(store: Store, tmp_path: Path) -> None:
    """`log list`/`log show --history` and the web pages read one service
    (:func:`contact_log`, :func:`contact_versions`): the same contacts in the same order, and
    a phone number typed into what was asked, what was offered or the notes is masked on
    both (138****5678; the full text stays in the store), as the agent always was."""
    from xieshang.cli.main import app
    from xieshang.services.contacts import contact_log, contact_versions

    phone = "13812345678"  # made up
    with store.begin() as tx:
        case = current(tx)
        later = add_contact(tx, case, debt_id=1, fields=contact_fields(
            when=f"{day(-1)} 09:00", channel="collector_call", agent=f"催收 {phone}",
            notes=f"说要打给我儿子 {phone}", outcome="pending"), evidence=[])
        first = add_contact(tx, case, debt_id=2, fields=contact_fields(
            when=f"{day(-3)} 15:00", channel="phone", asked=f"回电 {phone}",
            offered="6 期"), evidence=[])
        edit_contact(tx, case, later.id, contact_fields(outcome="refused"), [])
    with store.begin() as tx:
        log = contact_log(tx, current(tx))
        assert [c.id for c in log] == [first.id, later.id]
        assert log[0].asked == "回电 138****5678"
        assert (log[1].agent, log[1].notes, log[1].outcome) == (
            "催收 138****5678", "说要打给我儿子 138****5678", "refused")
        assert [c.id for c in contact_log(tx, current(tx), "2")] == [first.id]
        [version] = contact_versions(tx, tx.get(Contact, later.id))
        assert dict(version.fields)["outcome"] == "pending"
        assert dict(version.fields)["notes"] == "说要打给我儿子 138****5678"
        assert version.previous["agent_name"] == "催收 138****5678"
        assert tx.get(Contact, later.id).notes == f"说要打给我儿子 {phone}"

    env = {"XIESHANG_HOME": str(tmp_path / "data")}
    listed = CliRunner().invoke(app, ["log", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert phone not in listed.output
    assert "说要打给我儿子 138****5678" in listed.output
    shown = CliRunner().invoke(app, ["log", "show", str(later.id), "--history", "--lang", "en"],
                               env=env)
    assert shown.exit_code == 0, shown.output
    assert phone not in shown.output
    assert "Outcome: pending" in shown.output  # the earlier version, labelled as on the page
    assert "notes:" not in shown.output  # no stored field names

    web = WebClient(lambda: open_store(data_dir=tmp_path / "data"), lang="en")
    page = web.get("/log").text
    assert phone not in page
    assert page.index("回电 138****5678") < page.index("催收 138****5678")
    detail = web.get(f"/log/contacts/{later.id}").text
    assert phone not in detail
    assert "说要打给我儿子 138****5678" in detail
    assert "<dt>Outcome</dt><dd>pending</dd>" in detail
