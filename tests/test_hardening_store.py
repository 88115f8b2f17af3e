"""Hardening of the store: lost updates (optimistic concurrency with a ``version`` on every
edited record), a busy store, a full disk. Each test is named after the defect it pins."""

from __future__ import annotations

import errno
import html
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from webclient import WebClient
from xieshang.cli.main import run
from xieshang.cli.serve import build_demo_store
from xieshang.store import db
from xieshang.store.db import Store, open_store
from xieshang.store.exchange import dumps, export_case, import_case, loads
from xieshang.store.model import (
    Budget,
    BudgetEntry,
    Case,
    Commitment,
    Contact,
    Debt,
    Hardship,
)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run(list(ctx.args))


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``xieshang ARGS`` in English; return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(_entry, [*args, "--lang", "en"], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> str:
    code, out, err = invoke(*args)
    assert code == 0, err + out
    return out


def form_values(page: str, form_id: str | None = None) -> dict[str, str]:
    """Every input, textarea and selected option of a page's form (the first one, or the
    one with ``form_id``), as a browser would send it."""
    if form_id is not None:
        found = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, flags=re.S)
        assert found is not None, form_id
        page = found.group(0)
    else:
        found = re.search(r'<form[^>]*class="form".*?</form>', page, flags=re.S)
        assert found is not None
        page = found.group(0)
    values: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or name.group(1) == "_csrf":
            continue
        if kind is not None and kind.group(1) in ("checkbox", "file", "radio"):
            continue
        values[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page,
                                 flags=re.S):
        values[name] = html.unescape(body).strip("\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page,
                                 flags=re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = html.unescape(chosen.group(1)) if chosen else ""
    return values


def summary(page: str) -> str:
    found = re.search(r'id="error-summary">(.*?)</div>', page, flags=re.S)
    assert found is not None, "no error summary"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("XIESHANG_HOME", str(folder))
    monkeypatch.delenv("XIESHANG_DB_URL", raising=False)
    monkeypatch.delenv("XIESHANG_PASSPHRASE", raising=False)
    return folder


@pytest.fixture
def opener(home: Path) -> Callable[[], Store]:
    return build_demo_store(home)


@pytest.fixture
def client(opener: Callable[[], Store]) -> Iterator[WebClient]:
    with WebClient(opener, lang="en") as web:
        web.get("/")
        yield web


def first(opener: Callable[[], Store], kind: Any) -> Any:
    with opener() as store, store.begin(readonly=True) as tx:
        return tx.find(kind)[0]


# ------------------------------------------------------------------------ lost updates


def test_a_stale_debt_edit_form_is_refused_not_silently_applied(
        client: WebClient, opener: Callable[[], Store]) -> None:
    debt = first(opener, Debt)
    assert debt.principal == Decimal("3280.50")
    page = client.get(f"/debts/{debt.id}/edit").text
    sent = form_values(page, "debt-form")
    assert sent["amount"] == "3280.50"
    assert sent["version"] == "1"
    ok("debt", "edit", str(debt.id), "--amount", "4444.44")
    sent["notes"] = "my own change"
    response = client.post(f"/debts/{debt.id}/edit", sent)
    assert response.status_code == 422
    text = summary(response.text)
    assert "Changed since you opened it" in text
    assert "here is what changed: Amount overdue" in text
    # the form shows the newer values, at the newer version
    shown = form_values(response.text, "debt-form")
    assert shown["amount"] == "4444.44"
    assert shown["version"] == "2"
    stored = first(opener, Debt)
    assert (stored.principal, stored.notes, stored.version) == (Decimal("4444.44"),
                                                                debt.notes, 2)
    # sent again from the re-shown form, the change goes through
    shown["notes"] = "my own change"
    assert client.post(f"/debts/{debt.id}/edit", shown).status_code == 303
    stored = first(opener, Debt)
    assert (stored.principal, stored.notes, stored.version) == (Decimal("4444.44"),
                                                                "my own change", 3)


def test_a_stale_case_edit_form_is_refused_not_silently_applied(
        client: WebClient, opener: Callable[[], Store]) -> None:
    case = first(opener, Case)
    page = client.get("/start").text
    sent = form_values(page, "case-form")
    assert sent["version"] == "1"
    ok("case", "edit", str(case.id), "--notes", "changed on the command line")
    sent["notes"] = "changed in the browser"
    response = client.post("/start/case", sent)
    assert response.status_code == 422
    assert "here is what changed: Notes" in summary(response.text)
    shown = form_values(response.text, "case-form")
    assert (shown["notes"], shown["version"]) == ("changed on the command line", "2")
    stored = first(opener, Case)
    assert (stored.notes, stored.version) == ("changed on the command line", 2)


def test_a_stale_budget_edit_form_is_refused_not_silently_applied(
        client: WebClient, opener: Callable[[], Store]) -> None:
    page = client.get("/budget/edit").text
    sent = form_values(page, "budget-form")
    before = sent["version"]
    assert re.fullmatch(r"1-[0-9a-f]{12}", before)
    ok("budget", "set", "--flexible", "food=1234")
    response = client.post("/budget/edit", sent)
    assert response.status_code == 422
    assert "Changed since you opened it" in summary(response.text)
    shown = form_values(response.text, "budget-form")
    assert shown["amount_food"] == "1234.00"
    assert shown["version"] != before
    with opener() as store, store.begin(readonly=True) as tx:
        food = [e for e in tx.find(BudgetEntry) if e.category == "food"]
    assert [(e.amount, e.version) for e in food] == [(Decimal("1234.00"), 2)]
    # a line removed elsewhere changes the version too
    page = client.get("/budget/edit").text
    sent = form_values(page, "budget-form")
    ok("budget", "set", "--remove", "food")
    assert client.post("/budget/edit", sent).status_code == 422
    with opener() as store, store.begin(readonly=True) as tx:
        assert [e for e in tx.find(BudgetEntry) if e.category == "food"] == []


def test_a_stale_contact_edit_form_is_refused_not_silently_applied(
        client: WebClient, opener: Callable[[], Store]) -> None:
    with opener() as store, store.begin() as tx:
        case = tx.find(Case)[0]
        contact = tx.add(Contact(case_id=case.id, happened_at=datetime(2026, 1, 5, 9, 30),
                                 channel="phone", offered="6期"))
    page = client.get(f"/log/contacts/{contact.id}/edit").text
    sent = form_values(page)
    assert sent["version"] == "1"
    ok("log", "edit", str(contact.id), "--offered", "12期")
    sent["notes"] = "browser"
    response = client.post(f"/log/contacts/{contact.id}/edit", sent)
    assert response.status_code == 422
    assert "here is what changed: What they offered" in summary(response.text)
    assert form_values(response.text)["offered"] == "12期"
    stored = first(opener, Contact)
    assert (stored.offered, stored.notes, stored.version) == ("12期", "", 2)


def test_a_stale_hardship_edit_form_is_refused_not_silently_applied(
        client: WebClient, opener: Callable[[], Store]) -> None:
    """The reason and recovery date (the demo case's hardship is illness): the Start page's
    form, opened at version 1, is refused after `hardship set` moved the recovery date, and
    shows the saved values at version 2; nothing the browser sent is written."""
    page = client.get("/start").text
    sent = form_values(page, "hardship-form")
    assert sent["version"] == "1"
    ok("hardship", "set", "--reason", sent["reason"], "--recovery", "2027-03-01")
    sent["description"] = "changed in the browser"
    response = client.post("/start/hardship", sent)
    assert response.status_code == 422
    assert "here is what changed: Expected recovery" in summary(response.text)
    shown = form_values(response.text, "hardship-form")
    assert (shown["recovery"], shown["version"]) == ("2027-03-01", "2")
    stored = first(opener, Hardship)
    assert (stored.recovery, stored.version) == (date(2027, 3, 1), 2)
    assert stored.description != "changed in the browser"
    # sent again from the fresh form, it is saved
    shown["description"] = "changed in the browser"
    assert client.post("/start/hardship", shown).status_code == 303
    stored = first(opener, Hardship)
    assert (stored.description, stored.version) == ("changed in the browser", 3)


def test_hardship_set_names_every_refused_field_and_changes_nothing(
        opener: Callable[[], Store]) -> None:
    before = first(opener, Hardship)
    for option, value, said in (("--reason", "bored", "reason (--reason): 'bored' is not one"),
                                ("--since", "2026-13-01", "since (--since)"),
                                ("--note", "x" * 4001, "at most 4000 characters"),
                                ("--since", "2027-06-01", "not be before the start date")):
        args = [option, value] if option != "--reason" else []
        code, _out, err = invoke("hardship", "set", "--reason",
                                 value if option == "--reason" else before.reason,
                                 *args, *(["--recovery", "2027-01-01"] if value == "2027-06-01"
                                          else []))
        assert (code, said in err) == (2, True), err
    assert first(opener, Hardship) == before


def test_hardship_set_keeps_what_it_is_not_given(opener: Callable[[], Store]) -> None:
    """`hardship set --recovery D` changes the recovery date only: the start date and the
    person's words stay (it used to clear the start date)."""
    before = first(opener, Hardship)
    assert before.since is not None
    ok("hardship", "set", "--reason", before.reason, "--recovery", "2027-05-01")
    after = first(opener, Hardship)
    assert (after.since, after.recovery, after.description) == (
        before.since, date(2027, 5, 1), before.description)


def test_the_version_goes_up_on_every_update(opener: Callable[[], Store]) -> None:
    from xieshang.store.db import StaleRecord

    with opener() as store, store.begin() as tx:
        case = tx.find(Case)[0]
        debt = tx.find(Debt)[0]
        budget = tx.find(Budget)[0]
        line = tx.find(BudgetEntry)[0]
        promise = tx.add(Commitment(case_id=case.id, party="me", description="pay 500"))
        assert {r.version for r in (case, debt, budget, line, promise)} == {1}
        for record in (case, debt, budget, line, promise):
            once = tx.update(record)
            twice = tx.update(replace(once, **_changed(once)))
            assert (once.version, twice.version) == (2, 3)
            assert tx.get(type(record), record.id).version == 3  # type: ignore[union-attr]
        # an update based on an older version, with other values, is refused
        with pytest.raises(StaleRecord):
            tx.update(replace(debt, notes="from an old copy"))
    with opener() as store, store.begin(readonly=True) as tx:
        assert tx.find(Debt)[0].version == 3
        assert tx.find(Debt)[0].notes != "from an old copy"
    # the command line's edits read and write in one transaction: each bumps it
    ok("debt", "edit", str(debt.id), "--amount", "100")
    ok("debt", "edit", str(debt.id), "--amount", "200")
    stored = first(opener, Debt)
    assert (stored.principal, stored.version) == (Decimal("200.00"), 5)


def _changed(record: Any) -> dict[str, Any]:
    if isinstance(record, Case | Debt):
        return {"notes": "x"}
    if isinstance(record, Budget):
        return {"adults": record.adults + 1}
    if isinstance(record, BudgetEntry | Commitment):
        return {"note": "x"}
    raise AssertionError(record)


def test_export_import_round_trips_the_version(opener: Callable[[], Store]) -> None:
    ok("debt", "edit", "1", "--amount", "100")
    ok("debt", "edit", "1", "--amount", "200")
    ok("hardship", "set", "--reason", "illness", "--recovery", "2027-05-01")
    with opener() as store, store.begin() as tx:
        document = export_case(tx, 1)
        assert document["debts"][0]["version"] == 3
        assert [h["version"] for h in document["hardship"]] == [2]
        assert document["case"]["version"] == 1
        text = dumps(document)
        copy = import_case(tx, loads(text, "x.json"), "x.json")
        again = dumps(export_case(tx, copy.id))
        assert again == text
        assert tx.find(Debt, case_id=copy.id)[0].version == 3
        # an export made before records had a version still imports (at version 1)
        old = json.loads(text)
        for entries in old.values():
            if isinstance(entries, list):
                for entry in entries:
                    entry.pop("version", None)
        old["case"].pop("version")
        older = import_case(tx, old, "old.json")
        assert {d.version for d in tx.find(Debt, case_id=older.id)} == {1}


def test_a_backup_keeps_the_version(opener: Callable[[], Store], tmp_path: Path) -> None:
    from xieshang.store.backup import backup, restore

    ok("debt", "edit", "1", "--amount", "100")
    with opener() as store:
        saved = backup(store, tmp_path / "b.db")
    ok("debt", "edit", "1", "--amount", "200")
    with opener() as store:
        restore(store, saved)
    with open_store() as store, store.begin(readonly=True) as tx:
        debt = tx.find(Debt)[0]
    assert (debt.principal, debt.version) == (Decimal("100.00"), 2)


# ------------------------------------------------------------------------- a busy store


@pytest.fixture
def write_lock(home: Path, opener: Callable[[], Store],
               monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    """Another program holding a write transaction on the case file; xieshang waits for
    it only 0.2 s."""
    monkeypatch.setattr(db, "_BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(home / "xieshang.db", isolation_level=None, timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE cases SET notes = 'held' WHERE id = 1")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


BUSY = "another xieshang is writing to this case file; try again in a moment"


def test_a_busy_store_gets_a_clear_message_in_the_cli(
        write_lock: sqlite3.Connection, opener: Callable[[], Store]) -> None:
    started = time.monotonic()
    code, out, err = invoke("debt", "edit", "1", "--amount", "1")
    assert time.monotonic() - started < 5
    assert (code, out) == (2, "")
    assert err.strip() == f"error: {BUSY}"
    assert "Traceback" not in err
    # reading goes on while another program writes (WAL readers are not blocked)
    assert "3,280.50" in ok("status")
    write_lock.execute("ROLLBACK")
    write_lock.execute("BEGIN")  # the fixture's ROLLBACK then ends this one
    assert first(opener, Debt).principal == Decimal("3280.50")  # nothing was written


def test_a_busy_store_gets_a_503_page_on_the_web(
        client: WebClient, write_lock: sqlite3.Connection,
        opener: Callable[[], Store]) -> None:
    from xieshang.web.app import SECURITY_HEADERS

    # the form was opened before the lock was taken
    page = client.get("/start").text
    sent = form_values(page, "case-form")
    sent["notes"] = "from the browser"
    response = client.post("/start/case", sent)
    assert response.status_code == 503
    assert BUSY.capitalize() in html.unescape(response.text) or BUSY in html.unescape(
        response.text)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["Cache-Control"] == "no-store"
    # a page that only reads still answers
    assert client.get("/debts").status_code == 200
    write_lock.execute("ROLLBACK")
    write_lock.execute("BEGIN")
    assert first(opener, Case).notes != "from the browser"


# ---------------------------------------------------------------------------- disk full


FULL = "the disk is full: free some space and try again"
_WRITES = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP",
           "PRAGMA WAL_CHECKPOINT")


@pytest.fixture
def disk_full(opener: Callable[[], Store]) -> Iterator[list[str]]:
    """Every statement that writes (or takes the write lock) fails as SQLite fails on a
    full disk; yields the statements refused."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    refused: list[str] = []

    def refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(_WRITES):
            refused.append(statement.split()[0].upper())
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(Engine, "before_cursor_execute", refuse)
    yield refused
    event.remove(Engine, "before_cursor_execute", refuse)


def test_disk_full_is_named_as_such(disk_full: list[str], client: WebClient,
                                    opener: Callable[[], Store], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    code, _out, err = invoke("debt", "edit", "1", "--amount", "1")
    assert (code, err.strip()) == (2, f"error: {FULL}")
    assert "disk I/O" not in err
    assert disk_full  # the write was tried, and refused
    response = client.post("/debts/1/edit", {"product": "huabei", "amount": "1",
                                             "status": "open"})
    assert response.status_code == 507
    assert FULL.capitalize() in html.unescape(response.text) or FULL in html.unescape(
        response.text)
    assert "Content-Security-Policy" in response.headers
    # writing the export file on a full disk: named as such too, no half file left
    output = tmp_path / "case.json"

    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)  # the export is written whole, then renamed
    code, _out, err = invoke("export", "--output", str(output))
    monkeypatch.undo()
    assert (code, err.strip()) == (2, f"error: {FULL}")
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".case.json")] == []
    # any other I/O error names the case file
    from xieshang.store.db import StoreIOError, store_trouble

    trouble = store_trouble(sqlite3.OperationalError("disk I/O error"))
    assert isinstance(trouble, StoreIOError)
    assert str(trouble) == "the case file could not be read or written: disk I/O error"


def test_status_works_when_the_disk_is_full(disk_full: list[str], client: WebClient,
                                            tmp_path: Path) -> None:
    out = ok("status")
    assert "3,280.50" in out
    output = tmp_path / "case.json"
    ok("export", "--output", str(output))
    assert json.loads(output.read_text("utf-8"))["debts"][0]["principal"] == "3280.50"
    assert client.get("/debts").status_code == 200
    assert disk_full == []  # reading tried to write nothing


def test_pre_restore_copies_are_pruned(opener: Callable[[], Store], tmp_path: Path) -> None:
    from xieshang import clock
    from xieshang.store.backup import KEEP_PRE_RESTORE, backup, backup_dir, restore

    with opener() as store:
        saved = backup(store, tmp_path / "saved.db")
        other = backup(store)  # an ordinary backup: never pruned
        for minute in range(8):
            with clock.pinned(datetime(2026, 3, 1, 10, minute, 0)):
                restore(store, saved)
        folder = backup_dir(store)
    kept = sorted(file.name for file in folder.glob("before-restore-*.db"))
    assert KEEP_PRE_RESTORE == 5
    assert kept == [f"before-restore-20260301-10{minute:02d}00.db" for minute in range(3, 8)]
    assert other.exists()
