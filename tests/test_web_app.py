"""The web app's shared machinery: htmx pin, CSRF, languages, sign-in, unlock, remote serving."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner

from webclient import WebClient
from xieshang.cli.main import run
from xieshang.cli.serve import PASSWORD_SETTING, build_demo_store, remote_password
from xieshang.output import Output
from xieshang.store.db import Store, open_store
from xieshang.store.model import Case
from xieshang.web.app import check_password, hash_password

STATIC = Path(__file__).parent.parent / "src" / "xieshang" / "web" / "static"
TEMPLATES = STATIC.parent / "templates"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


def test_vendored_htmx_matches_its_pin() -> None:
    pin = tomllib.loads((STATIC / "vendor.toml").read_text(encoding="utf-8"))["htmx"]
    data = (STATIC / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == pin["sha256"]
    assert pin["version"].startswith("2.")
    assert pin["tarball"] == (f"https://registry.npmjs.org/htmx.org/-/htmx.org-"
                              f"{pin['version']}.tgz")
    assert pin["integrity"].startswith("sha512-")
    assert f'version:"{pin["version"]}"' in data.decode("utf-8")


def test_pages_load_only_our_own_files(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as client:
        page = client.get("/").text
        assert '<script src="/static/htmx.min.js" defer></script>' in page
        assert client.get("/static/htmx.min.js").status_code == 200
        assert client.get("/static/xieshang.js").status_code == 200
    # no address of another site in any template, stylesheet or script of ours
    for path in [*TEMPLATES.glob("*.html"), STATIC / "style.css", STATIC / "xieshang.js"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:src|href)=\"(?:https?:)?//", text), path
        assert "@import" not in text, path
        assert "url(http" not in text, path


def test_a_form_without_its_token_is_refused(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as client:
        client.get("/")
        refused = client.post("/unlock", {"passphrase": "x"}, csrf=False)
        assert refused.status_code == 403
        assert "nothing was saved" in refused.text
        client.csrf = "0" * 64
        assert client.post("/unlock", {"passphrase": "x"}).status_code == 403
    # a token from another session (another browser) is refused too
    with WebClient(demo, lang="en") as first, WebClient(demo, lang="en") as second:
        first.get("/")
        second.get("/")
        second.csrf = first.csrf
        assert second.post("/unlock", {"passphrase": "x"}).status_code == 403


def test_traditional_chinese_is_converted_and_remembered(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="zh") as client:
        simplified = client.get("/").text
        assert "最重要的三笔还款" in simplified
        traditional = client.get("/?lang=zh-Hant")
        assert 'lang="zh-Hant"' in traditional.text
        assert "最重要的三筆還款" in traditional.text
        assert "最重要的三笔还款" not in traditional.text
        # the figures are the same in both
        total = re.search(r'id="total">([^<]+)<', simplified)
        assert total is not None
        assert f'id="total">{total.group(1)}<' in traditional.text
        again = client.get("/")  # the cookie keeps the choice
        assert 'lang="zh-Hant"' in again.text
        assert 'lang="en"' in client.get("/?lang=en").text


def test_unknown_page_is_a_404_page(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as client:
        page = client.get("/no-such-page")
        assert page.status_code == 404
        assert "There is no such page or record." in page.text


def test_password_hash_round_trip() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in hashed
    assert check_password("correct horse battery", hashed)
    assert not check_password("correct horse batterY", hashed)
    assert not check_password("x", "not-a-hash")
    assert hash_password("same") != hash_password("same")  # salted


def test_remote_mode_needs_signing_in(demo: Callable[[], Store]) -> None:
    hashed = hash_password("a long password")
    with WebClient(demo, lang="en", password_hash=hashed, https=True) as client:
        first = client.get("/")
        assert first.status_code == 303
        assert first.headers["location"] == "/login"
        assert client.post("/unlock", {"passphrase": "x"}, csrf=False).status_code == 401
        form = client.get("/login")
        assert form.status_code == 200
        wrong = client.post("/login", {"password": "not it"})
        assert wrong.status_code == 422
        assert 'id="f-password-error"' in wrong.text
        assert "That is not the password." in wrong.text
        right = client.post("/login", {"password": "a long password"})
        assert right.status_code == 303
        cookie = right.headers["set-cookie"]
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        # the session id changes at sign-in (the old cookie is not the signed-in one)
        assert client.get("/").status_code == 200
        assert client.get("/static/style.css").status_code == 200


def test_sign_in_waits_after_five_wrong_passwords(demo: Callable[[], Store]) -> None:
    hashed = hash_password("a long password")
    with WebClient(demo, lang="en", password_hash=hashed, https=True) as client:
        client.get("/login")
        for _attempt in range(5):
            assert client.post("/login", {"password": "guess"}).status_code == 422
        locked = client.post("/login", {"password": "a long password"})
        assert locked.status_code == 422
        assert "Too many wrong passwords" in locked.text


def test_encrypted_fields_ask_for_the_passphrase(tmp_path: Path) -> None:
    number = "11010519491231002X"
    with open_store(data_dir=tmp_path) as store:
        with store.begin() as tx:
            case = tx.add(Case(name="王小红", full_name="王小红", id_number=number))
            tx.use_case(case.id)
        with store.begin() as tx:
            tx.enable_encryption("open sesame 123")
    with WebClient(lambda: open_store(data_dir=tmp_path), lang="en") as client:
        page = client.get("/").text
        assert 'action="/unlock"' in page
        wrong = client.post("/unlock", {"passphrase": "wrong one", "next": "/"})
        assert wrong.status_code == 422
        assert 'id="f-passphrase-error"' in wrong.text
        right = client.post("/unlock", {"passphrase": "open sesame 123",
                                        "next": "//evil.example/"})
        assert right.status_code == 303
        assert right.headers["location"] == "/"  # never to another site
        page = client.get("/").text
        assert 'action="/unlock"' not in page
        assert number not in page
        locked = client.post("/lock", {"next": "/"})
        assert locked.status_code == 303
        assert 'action="/unlock"' in client.get("/").text


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run(list(ctx.args))


@pytest.mark.parametrize(("args", "field"), [
    (["--host", "0.0.0.0"], "--allow-remote"),
    (["--host", "0.0.0.0", "--allow-remote"], "--certfile"),
    (["--lang", "fr"], "zh-Hant"),
])
def test_serve_refuses_unsafe_or_wrong_options(args: list[str], field: str,
                                               tmp_path: Path) -> None:
    result = CliRunner().invoke(_entry, ["--data-dir", str(tmp_path), "serve", *args],
                                catch_exceptions=False)
    assert result.exit_code == 2
    assert field in result.output + (result.stderr or "")


def test_remote_password_is_asked_once_and_stored_hashed(tmp_path: Path) -> None:
    opener = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    out = Output.make("en", False)
    runner = CliRunner()
    with runner.isolation(input="short\nshort\nlong enough pw\nlong enough pw\n"):
        hashed = remote_password(opener, out, reset=False)
    assert check_password("long enough pw", hashed)
    with opener() as store, store.begin(readonly=True) as tx:
        assert tx.setting(PASSWORD_SETTING) == hashed
    # the second start uses the stored hash without asking
    assert remote_password(opener, out, reset=False) == hashed


def test_a_change_made_elsewhere_shows_at_once(tmp_path: Path) -> None:
    """Figures are remembered between requests only until the data changes, also when the
    change comes from the command line (another connection)."""
    from xieshang.clock import today
    from xieshang.engine.money import money
    from xieshang.store.model import Debt, Payment

    opener = build_demo_store(tmp_path)
    with WebClient(opener, lang="en") as client:
        before = re.search(r'id="total">([^<]+)<', client.get("/").text)
        assert before is not None
        assert client.get("/").text.count(before.group(1)) >= 1  # served again, unchanged
        with opener() as store, store.begin() as tx:
            debt = tx.find(Debt)[0]
            tx.add(Payment(debt_id=debt.id, paid_on=today(), amount=money("100.00")))
        after = re.search(r'id="total">([^<]+)<', client.get("/").text)
        assert after is not None
        assert after.group(1) != before.group(1)


def test_traditional_pages_keep_what_was_typed(demo: Callable[[], Store]) -> None:
    from xieshang.web.page import Page

    class Fake:
        lang = "zh-Hant"

    html = ('<p>还款</p><input name="note" value="还款计划"><textarea name="d">还款\n说明'
            '</textarea><option value="还款">还款</option>')
    converted = Page.convert(Fake(), html)  # type: ignore[arg-type]
    assert converted == ('<p>還款</p><input name="note" value="还款计划">'
                         '<textarea name="d">还款\n说明</textarea>'
                         '<option value="还款">還款</option>')


def test_a_remembered_page_carries_each_session_s_own_token(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as client:
        first = client.get("/debts").text
        token = client.csrf
        assert client.get("/debts").text == first  # the same page, from memory
        client.client.cookies.clear()  # another browser: a new session
        second = client.get("/debts").text
        assert client.csrf != token
        assert token not in second
        assert second.replace(client.csrf, token) == first
        # the new session's token is accepted, the old one is not
        assert client.post("/unlock", {"passphrase": ""}).status_code == 422
        client.csrf = token
        assert client.post("/unlock", {"passphrase": ""}).status_code == 403


def test_the_guides_walk_through_every_step() -> None:
    docs = Path(__file__).parent.parent / "docs"
    readme = (docs.parent / "README.md").read_text(encoding="utf-8")
    assert "![" in readme.split("## What works today")[0]  # the screenshot comes first
    assert (docs / "images" / "dashboard.png").read_bytes().startswith(b"\x89PNG")
    english = (docs / "guide.en.md").read_text(encoding="utf-8")
    chinese = (docs / "guide.zh.md").read_text(encoding="utf-8")
    for number, (title_en, title_zh) in enumerate([
            ("Start", "开始"), ("Debts", "债务"), ("Consequences", "后果"), ("Budget", "收支"),
            ("Plan", "计划"), ("Negotiate", "协商"), ("Log & promises", "记录与承诺"),
            ("Dossier", "汇总材料")], start=1):
        assert f"## Step {number} — {title_en}" in english
        assert f"## 第 {number} 步：{title_zh}" in chinese
    for text in (english, chinese):
        assert "make run" in text
        assert "images/dashboard.png" in text


def _routes(routes: Any) -> Any:
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)
        elif getattr(route, "methods", None):
            yield route


def test_every_route_is_tested_and_every_form_needs_its_token(
        demo: Callable[[], Store]) -> None:
    tests = "\n".join(path.read_text(encoding="utf-8")
                      for path in Path(__file__).parent.glob("test_*.py"))
    with WebClient(demo, lang="en") as client:
        client.get("/")
        before = export_state(demo)
        posts = 0
        for route in _routes(client.app.routes):
            pattern = re.sub(r"\\\{[^}]*\\\}", "[^\"' ?]+", re.escape(route.path))
            # the path as written, or its parts around a variable (f"{location}/discard")
            head, _, tail = route.path.partition("{")
            assert re.search(pattern, tests) or (
                head in tests and tail.partition("}")[2] in tests), f"{route.path} untested"
            if "POST" in route.methods:
                posts += 1
                path = re.sub(r"\{[^}]*\}", "1", route.path).replace("/1/1", "/1/kept")
                refused = client.post(path, {"amount": "1"}, csrf=False)
                assert refused.status_code == 403, (route.path, refused.status_code)
        assert posts >= 20
        assert export_state(demo) == before


def export_state(opener: Callable[[], Store]) -> str:
    from xieshang.store.exchange import dumps, export_case

    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        return dumps(export_case(tx, case.id))


def test_another_site_cannot_reach_the_app_by_its_own_name(demo: Callable[[], Store]) -> None:
    """DNS rebinding: a web site pointing its own name at 127.0.0.1 gets nothing."""
    with WebClient(demo, lang="en") as client:
        client.get("/")
        before = export_state(demo)
        foreign = client.get("/dossier.html", headers={"Host": "attacker.example:8123"})
        assert foreign.status_code == 400
        assert "李" not in foreign.text
        for host in ("127.0.0.1:8123", "localhost:8123", "[::1]:8123"):
            assert client.get("/", headers={"Host": host}).status_code == 200
        # a form posted from another origin, or marked cross-site by the browser
        other = client.post("/start/prevent", {"done": "reminders"},
                            headers={"Origin": "http://attacker.example:8123"})
        assert other.status_code == 403
        cross = client.post("/start/prevent", {"done": "reminders"},
                            headers={"Sec-Fetch-Site": "cross-site"})
        assert cross.status_code == 403
        assert export_state(demo) == before
        same = client.post("/unlock", {"passphrase": ""},
                           headers={"Origin": "http://127.0.0.1"})
        assert same.status_code == 422  # our own origin: the form is read


def test_pages_are_not_kept_in_the_browser_cache(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as client:
        for path in ("/", "/debts", "/dossier.html"):
            assert client.get(path).headers["cache-control"] == "no-store"
        assert "cache-control" not in client.get("/static/style.css").headers
        assert "strict-transport-security" not in client.get("/").headers
    with WebClient(demo, lang="en", https=True, password_hash=hash_password("long enough pw"),
                   allowed_hosts=None) as remote:
        assert remote.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_one_stranger_cannot_lock_the_owner_out(demo: Callable[[], Store]) -> None:
    hashed = hash_password(" spaced password ")
    with WebClient(demo, lang="en", password_hash=hashed, https=True) as client:
        client.get("/login")
        for _attempt in range(5):
            client.post("/login", {"password": "guess"})
        # the lock-out is per address; the owner (another address) can still sign in
        app = client.app
    with WebClient(demo, lang="en", password_hash=hashed, https=True) as owner:
        owner.app = app
        owner.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.2", 5000)),
            base_url="https://127.0.0.1")
        owner.get("/login")
        signed = owner.post("/login", {"password": " spaced password "})  # spaces kept
        assert signed.status_code == 303


def test_user_text_that_looks_like_the_token_marker_is_shown_as_typed(tmp_path: Path) -> None:
    from dataclasses import replace

    from xieshang.store.model import Debt

    opener = build_demo_store(tmp_path)
    with opener() as store, store.begin() as tx:
        debt = tx.find(Debt)[0]
        tx.update(replace(debt, label="<xieshang-csrf-token/> 花呗"))
    with WebClient(opener, lang="en") as client:
        for _visit in range(2):  # made, then served from memory
            page = client.get("/debts").text
            assert "&lt;xieshang-csrf-token/&gt; 花呗" in page
            assert page.count(client.csrf) == 2  # the meta tag and the htmx header only


def test_odd_input_is_a_clear_answer_never_a_server_error(tmp_path: Path) -> None:
    opener = build_demo_store(tmp_path)
    with WebClient(opener, lang="en") as client:
        for path in ("/debts/%C2%B2/edit", "/negotiate/%C2%B2",
                     "/debts/99999999999999999999999/edit", "/start/evidence/99999999999999/file"):
            assert client.get(path).status_code == 404, path
        assert client.get("/budget?imported=99999999999999999999").status_code == 200
        client.get("/log/promises/new")
        huge = client.post("/log/promises/new", {"debt": "1", "by": "me",
                                                 "amount": "1" * 25, "due": "2099-01-01"})
        assert huge.status_code == 422
        assert "is too large" in huge.text
        client.csrf = "é" * 64  # not even ASCII
        assert client.post("/unlock", {"passphrase": "x"}).status_code == 403


def test_removing_one_evidence_record_keeps_a_file_another_record_uses(tmp_path: Path) -> None:
    from xieshang.store.model import Evidence

    opener = build_demo_store(tmp_path)
    letter = ("letter.pdf", b"%PDF-1.4 the same letter", "application/pdf")
    with WebClient(opener, lang="en") as client:
        client.get("/log/contacts/new")
        added = client.post("/log/contacts/new", {"debt": "1", "channel": "phone",
                                                  "asked": "6 installments"},
                            files={"evidence": letter})
        assert added.status_code == 303, added.text
        client.get("/start")
        again = client.post("/start/evidence", {"kind": "other", "note": "copy"},
                            files={"file": letter})
        assert again.status_code == 303, again.text
        with opener() as store, store.begin(readonly=True) as tx:
            records = tx.find(Evidence)
        assert len(records) == 2
        assert records[0].sha256 == records[1].sha256
        stored = Path(records[0].path)
        assert stored.is_file()
        start_record = next(r for r in records if r.contact_id is None)
        client.get(f"/start/evidence/{start_record.id}/remove")
        removed = client.post(f"/start/evidence/{start_record.id}/remove", {"confirm": "1"})
        assert removed.status_code == 303
        assert stored.is_file()  # the contact's evidence is still there


@pytest.mark.parametrize("slots", [1, 2])
def test_pages_are_computed_a_few_at_a_time(demo: Callable[[], Store], slots: int,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages not in memory are computed at most ``PAGE_SLOTS`` at once (the others wait
    their turn): six Today pages asked at once, with nothing remembered, never compute more
    than ``slots`` dashboards together — and with 2 slots two of them do meet (a barrier
    of two: with one slot it could never be passed)."""
    import asyncio
    import threading

    from xieshang.web import app as web_app
    from xieshang.web import page as kit
    from xieshang.web.pages import today

    monkeypatch.setattr(web_app, "PAGE_SLOTS", slots)
    monkeypatch.setattr(kit.Web, "data_version", lambda self: None)  # nothing remembered
    inside = {"now": 0, "most": 0}
    guard = threading.Lock()
    meet = threading.Barrier(2, timeout=30)
    dashboard = today.dashboard

    def counted(*args: Any, **kwargs: Any) -> Any:
        with guard:
            inside["now"] += 1
            inside["most"] = max(inside["most"], inside["now"])
        try:
            if slots == 2 and not meet.broken:
                meet.wait()
            return dashboard(*args, **kwargs)
        finally:
            with guard:
                inside["now"] -= 1

    monkeypatch.setattr(today, "dashboard", counted)
    with WebClient(demo, lang="en") as client:
        client.get("/start")  # a session first

        async def all_at_once() -> list[httpx.Response]:
            return list(await asyncio.gather(*(client.client.get("/") for _ in range(6))))

        answers = client.loop.run_until_complete(all_at_once())
    assert [answer.status_code for answer in answers] == [200] * 6
    assert inside["most"] == slots
