"""Hardening of files, the web app and the passphrase: one test for each defect found.

Files with personal data are written ``0600`` whole or not at all (folders ``0700``); logs
hold no traceback and no statement values; every web answer carries the security headers;
an upload is counted while it arrives; sessions expire; the sign-in lock-out cannot be
flushed; the passphrase can be changed in one transaction, and is asked before the store
is locked; the import preview masks counterparties; no ``assert`` guards production code.
"""

from __future__ import annotations

import ast
import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from webclient import WebClient
from xieshang.cli.main import run as run_cli
from xieshang.cli.serve import build_demo_store
from xieshang.clock import today
from xieshang.store import backup as backup_module
from xieshang.store.crypto import TOKEN_PREFIX
from xieshang.store.db import DB_FILE, open_store
from xieshang.store.model import Contact, Debt
from xieshang.web import app as web_app
from xieshang.web.app import SECURITY_HEADERS, LockOut, OneLineFormatter, hash_password
from xieshang.web.pages.budget import MAX_UPLOAD

SRC = Path(__file__).resolve().parent.parent / "src" / "xieshang"
STATEMENTS = Path(__file__).parent / "data" / "statements"
TODAY = today()
CARD = 3  # the demo's credit-card debt (data/demo.toml)
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
ACCOUNT = "6225880212345678"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with a full name, ID number, phone and card number (built once)."""
    folder = tmp_path_factory.mktemp("template")
    build_demo_store(folder)
    with open_store(data_dir=folder) as store, store.begin() as tx:
        case = tx.current_case()
        debt = tx.get(Debt, CARD)
        assert case is not None
        assert debt is not None
        tx.update(replace(case, full_name="李明华", id_number=ID_NUMBER, phone=PHONE))
        tx.update(replace(debt, account_number=ACCOUNT))
    with open_store(data_dir=folder) as store:
        store.checkpoint()
    return folder


@pytest.fixture
def folder(tmp_path: Path, template: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(template, copy)
    return copy


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask (files 0644 unless the program says otherwise)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run_cli(list(ctx.args))


def run(folder: Path, *args: str, input: str | None = None,
        env: dict[str, str] | None = None) -> Any:
    """``xieshang --data-dir FOLDER ARGS`` as a person runs it (errors: exit 2, no
    traceback)."""
    result = CliRunner().invoke(_entry, ["--data-dir", str(folder), *args], input=input,
                                env=env, catch_exceptions=False)
    result.text = result.stdout + result.stderr
    return result


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


# ------------------------------------------------------------------------------ 7. files


def test_an_export_is_written_0600_atomically(folder: Path, tmp_path: Path,
                                              loose_umask: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "case.json"
    result = run(folder, "export", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600
    assert ID_NUMBER in target.read_text(encoding="utf-8")  # the person's own file, whole
    assert leftovers(out) == []
    # a write that fails half-way: the old file stays as it was, no temporary file is left
    before = target.read_bytes()

    def refuse(*_args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    failed = run(folder, "export", "--output", str(target), "--force")
    assert failed.exit_code == 2
    assert "磁盘已满" in failed.text  # a full disk is named as such
    assert "Traceback" not in failed.text
    assert target.read_bytes() == before
    assert leftovers(out) == []


def test_dossiers_scripts_and_calendars_are_written_0600(folder: Path, tmp_path: Path,
                                                         loose_umask: None) -> None:
    script = tmp_path / "letter.txt"
    dossier = tmp_path / "dossier.html"
    ics = tmp_path / "reminders.ics"
    for args in (["script", "--channel", "phone", "--debt", str(CARD), "--output",
                  str(script)],
                 ["dossier", "--html", str(dossier)],
                 ["remind", "--ics", str(ics)]):
        result = run(folder, *args)
        assert result.exit_code == 0, result.output
    for written in (script, dossier, ics):
        assert written.stat().st_size > 0
        assert mode(written) == 0o600, written
    assert leftovers(tmp_path) == []


def test_a_killed_backup_leaves_no_readable_partial(folder: Path, loose_umask: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, int] = {}
    real_connect = sqlite3.connect

    def killed(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(database).endswith(".partial"):
            seen["mode"] = mode(Path(database))  # the file exists before a byte is copied
            raise KeyboardInterrupt  # killed here
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(backup_module.sqlite3, "connect", killed)
    with open_store(data_dir=folder) as store, pytest.raises(KeyboardInterrupt):
        backup_module.backup(store)
    assert seen["mode"] == 0o600
    backups = folder / "backups"
    assert mode(backups) == 0o700
    assert list(backups.iterdir()) == []  # and it is removed when the program can
    monkeypatch.setattr(backup_module.sqlite3, "connect", real_connect)
    with open_store(data_dir=folder) as store:
        written = backup_module.backup(store)
    assert mode(written) == 0o600
    assert [p.name for p in backups.iterdir()] == [written.name]


def test_sql_parameters_are_hidden_in_errors(folder: Path) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    with open_store(data_dir=folder) as store:
        assert store.engine.hide_parameters is True
        with store.engine.connect() as connection, pytest.raises(IntegrityError) as caught:
            connection.execute(text("INSERT INTO cases (id, name, phone) VALUES (:i, :n, :p)"),
                               {"i": 1, "n": "x", "p": PHONE})
    assert PHONE not in str(caught.value)
    assert "hidden" in str(caught.value)


def test_a_server_error_is_logged_on_one_line_without_a_traceback() -> None:
    try:
        secret = PHONE  # noqa: F841 - a local a traceback with locals would show
        raise RuntimeError("boom " + PHONE)
    except RuntimeError:
        import sys

        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                                   "Exception in ASGI application", None, sys.exc_info())
    line = OneLineFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert line == "ERROR uvicorn.error: Exception in ASGI application (RuntimeError)"
    assert web_app.LOG_CONFIG["loggers"]["uvicorn.access"]["handlers"] == []


# --------------------------------------------------------------------------------- 8. web


def test_a_500_page_has_the_security_headers(folder: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    with WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY) as client:
        def boom() -> None:
            raise RuntimeError("failed with " + PHONE)

        client.app.add_api_route("/boom", boom, methods=["GET", "POST"])
        with caplog.at_level(logging.ERROR, logger="xieshang.web"):
            response = client.get("/boom?phone=" + PHONE)
        assert response.status_code == 500
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        assert response.headers["cache-control"] == "no-store"
        assert "Error id:" in response.text
        assert PHONE not in response.text
        [record] = [r for r in caplog.records if r.name == "xieshang.web"]
        assert record.exc_info is None
        message = record.getMessage()
        assert "RuntimeError" in message
        assert "/boom" in message
        assert PHONE not in message
        assert message.split("error ")[1].split(":")[0] in response.text  # the same id
        for status, answer in ((404, client.get("/no-such-page")),
                               (405, client.loop.run_until_complete(client.client.put("/"))),
                               (422, client.post("/negotiate/3/refused", {"reason": "x"}))):
            assert answer.status_code == status
            for name, value in SECURITY_HEADERS.items():
                assert answer.headers[name] == value


def _multipart_chunks(boundary: str, total: int, size: int = 1 << 20) -> Iterator[bytes]:
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\nauto\r\n"
           f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size
    yield f"\r\n--{boundary}--\r\n".encode()


def test_a_large_chunked_upload_is_refused_while_streaming(folder: Path) -> None:
    """A 300 MB upload without Content-Length: refused once it passes the limit, with the
    rest never read."""
    with WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY) as client:
        boundary = "xieshangboundary"
        chunks = _multipart_chunks(boundary, 300 * (1 << 20))
        read = 0
        messages: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal read
            chunk = next(chunks, None)
            if chunk is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            read += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": "/budget/import",
                 "raw_path": b"/budget/import", "query_string": b"", "root_path": "",
                 "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000),
                 "headers": [(b"host", b"127.0.0.1"),
                             (b"content-type",
                              f"multipart/form-data; boundary={boundary}".encode()),
                             (b"transfer-encoding", b"chunked")]}
        client.loop.run_until_complete(client.app(scope, receive, send))
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages
                        if m["type"] == "http.response.body").decode()
        assert start["status"] == 413
        assert read <= MAX_UPLOAD + 2 * (1 << 20) + 4096  # the limit and one chunk, no more
        headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        assert headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
        assert "larger than 20 MB" in body
        assert 'name="file"' in body  # the form again


def _remote(folder: Path) -> WebClient:
    return WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY,
                     password_hash=hash_password("a long password"), https=True)


def test_a_session_expires_when_idle(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(web_app, "_monotonic", lambda: now[0])
    with _remote(folder) as client:
        client.get("/login")
        signed = client.post("/login", {"password": "a long password"})
        assert signed.status_code == 303
        assert f"Max-Age={web_app.ABSOLUTE_SECONDS}" in signed.headers["set-cookie"]
        now[0] += web_app.IDLE_SECONDS - 60
        assert client.get("/").status_code == 200  # still in use
        now[0] += web_app.IDLE_SECONDS + 1
        gone = client.get("/")
        assert gone.status_code == 303
        assert gone.headers["location"] == "/login"


def test_a_session_ends_twelve_hours_after_signing_in(folder: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(web_app, "_monotonic", lambda: now[0])
    with _remote(folder) as client:
        client.get("/login")
        assert client.post("/login", {"password": "a long password"}).status_code == 303
        while now[0] - 1000.0 < web_app.ABSOLUTE_SECONDS - 20 * 60:
            now[0] += 20 * 60  # busy: never idle
            assert client.get("/").status_code == 200
        now[0] += 20 * 60 + 1
        assert client.get("/").headers["location"] == "/login"


def test_the_form_session_cookie_has_a_lifetime(folder: Path) -> None:
    with WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY) as client:
        cookie = client.get("/").headers["set-cookie"]
        assert "xs_sid=" in cookie
        assert "Max-Age=43200" in cookie


def test_many_addresses_cannot_flush_the_lock_out() -> None:
    lockout = LockOut(size=10_000, max_failures=5, wait=60.0)
    for _attempt in range(5):
        assert not lockout.waiting("attacker", 0.0)
        lockout.failed("attacker", 0.0)
    assert lockout.waiting("attacker", 1.0)
    for number in range(30_000):  # the old table was wiped at 10,000 addresses
        address = f"10.{number // 65536}.{number // 256 % 256}.{number % 256}"
        if not lockout.waiting(address, 2.0):
            lockout.failed(address, 2.0)
    assert len(lockout) <= 10_000
    assert lockout.waiting("attacker", 3.0)  # still waiting
    assert not lockout.waiting("attacker", 61.0)  # until the minute is over
    # a store full of running locks: a new address shares one slow rate, never more
    full = LockOut(size=3, max_failures=1, wait=60.0)
    for address in ("a", "b", "c"):
        full.failed(address, 0.0)
    assert not full.waiting("new-1", 1.0)
    assert full.waiting("new-2", 2.0)
    assert not full.waiting("new-3", 61.0 + 12.0)


def test_a_refusal_on_a_closed_debt_is_not_a_500(folder: Path) -> None:
    with open_store(data_dir=folder) as store, store.begin() as tx:
        debt = tx.get(Debt, CARD)
        assert debt is not None
        tx.update(replace(debt, status="closed"))
        contacts = len(tx.find(Contact))
    with WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY) as client:
        client.get(f"/negotiate/{CARD}")
        response = client.post(f"/negotiate/{CARD}/refused",
                               {"reason": "app_only", "rung": "ask", "channel": "phone"})
        assert response.status_code in (404, 422)
        assert "is not open: nothing to negotiate" in response.text
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
    with open_store(data_dir=folder) as store, store.begin(readonly=True) as tx:
        assert len(tx.find(Contact)) == contacts


def test_the_import_preview_masks_counterparties(folder: Path) -> None:
    with WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY) as client:
        client.get("/budget/import")
        body = (STATEMENTS / "generic_sample.csv").read_bytes()
        response = client.post("/budget/import", {
            "format": "csv",
            "column_map": ("date=日期,amount=金额,direction=类型,description=摘要,"
                           "counterparty=对方")},
            files={"file": ("generic_sample.csv", body, "text/csv")})
        assert response.status_code == 303, response.text
        page = client.get(response.headers["location"]).text
    assert "杭州明远科技有限公司" not in page
    assert "杭" + "*" * 9 in page


# ------------------------------------------------------------------------- 9. passphrase


def raw_values(folder: Path) -> dict[str, Any]:
    with sqlite3.connect(folder / DB_FILE) as db:
        case = db.execute("SELECT full_name, id_number, phone FROM cases").fetchone()
        account = db.execute("SELECT account_number FROM debts WHERE id = ?",
                             (CARD,)).fetchone()
        crypto = db.execute("SELECT value FROM settings WHERE key = 'crypto'").fetchone()
    return {"case": case, "account": account, "crypto": crypto}


def personal(folder: Path, passphrase: str) -> tuple[Any, ...]:
    with open_store(data_dir=folder, passphrase=passphrase) as store, \
            store.begin(readonly=True) as tx:
        case = tx.current_case()
        debt = tx.get(Debt, CARD)
        assert case is not None
        assert debt is not None
        return case.full_name, case.id_number, case.phone, debt.account_number


def test_change_passphrase_re_encrypts_in_one_transaction(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = "old passphrase", "new passphrase"
    assert run(folder, "encrypt", env={"XIESHANG_PASSPHRASE": old}).exit_code == 0
    before = raw_values(folder)
    assert str(before["case"][1]).startswith(TOKEN_PREFIX)
    # too short, or typed differently twice: refused, nothing changed
    short = run(folder, "encrypt", "--change-passphrase", "--lang", "en", input="short\nshort\n",
                env={"XIESHANG_PASSPHRASE": old})
    assert short.exit_code == 2
    assert "new passphrase" in short.text
    assert raw_values(folder) == before
    wrong = run(folder, "encrypt", "--change-passphrase", input=f"{new}\n{new}\n",
                env={"XIESHANG_PASSPHRASE": "not the passphrase"})
    assert wrong.exit_code == 2
    assert raw_values(folder) == before
    # a failure half-way through the values: none of them changed
    from xieshang.store.crypto import Vault

    real_seal = Vault.seal
    calls = [0]

    def failing(self: Vault, text: str, context: str) -> str:
        calls[0] += 1
        if calls[0] == 3:
            raise OSError("disk gone")
        return real_seal(self, text, context)

    monkeypatch.setattr(Vault, "seal", failing)
    with open_store(data_dir=folder) as store, pytest.raises(OSError, match="disk gone"), \
            store.begin() as tx:
        tx.change_passphrase(old, new)
    monkeypatch.setattr(Vault, "seal", real_seal)
    assert raw_values(folder) == before
    # the change itself
    result = run(folder, "encrypt", "--change-passphrase", input=f"{new}\n{new}\n",
                 env={"XIESHANG_PASSPHRASE": old})
    assert result.exit_code == 0, result.output
    after = raw_values(folder)
    for kind in ("case", "account"):
        for was, now in zip(before[kind], after[kind], strict=True):
            assert str(now).startswith(TOKEN_PREFIX)
            assert now != was
    assert after["crypto"] != before["crypto"]
    assert personal(folder, new) == ("李明华", ID_NUMBER, PHONE, ACCOUNT)
    from xieshang.engine.errors import InputError

    with pytest.raises(InputError, match="passphrase"):
        personal(folder, old)


def test_encrypt_asks_before_it_locks_the_store(folder: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """While a passphrase is being typed, another program can write."""
    writes: list[str] = []

    def prompt(text: str, **_kwargs: Any) -> str:
        with sqlite3.connect(folder / DB_FILE, timeout=0.2) as other:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" if encrypt held it
            other.execute("UPDATE settings SET value = value WHERE key = 'current_case'")
            other.execute("COMMIT")
        writes.append(text)
        return "a good passphrase"

    monkeypatch.setattr(click, "prompt", prompt)
    monkeypatch.delenv("XIESHANG_PASSPHRASE", raising=False)
    result = run(folder, "encrypt")
    assert result.exit_code == 0, result.output
    assert writes
    result = run(folder, "encrypt", "--change-passphrase",
                 env={"XIESHANG_PASSPHRASE": "a good passphrase"})
    assert result.exit_code == 0, result.output
    assert len(writes) == 2


# ------------------------------------------------------------------------------ asserts

#: ``assert`` statements allowed in ``src/`` (file → how many): none — a check of input or
#: state raises the project's errors, and ``python -O`` would strip an assert.
ALLOWED_ASSERTS: dict[str, int] = {}


def test_production_code_has_no_assert_statements() -> None:
    found: dict[str, int] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        count = sum(isinstance(node, ast.Assert) for node in ast.walk(tree))
        if count:
            found[str(path.relative_to(SRC))] = count
    assert found == ALLOWED_ASSERTS

