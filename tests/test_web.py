"""The web app, in process (httpx ASGI transport; no port is opened)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from xieshang.cli.main import app as cli
from xieshang.cli.serve import HOST, build_demo_store, free_port
from xieshang.clock import today
from xieshang.engine.money import format_money
from xieshang.output import Output
from xieshang.present.views import status_lines
from xieshang.store.db import Store, open_store
from xieshang.web.app import SECURITY_HEADERS, create_app


def fetch(opener: Callable[[], Store], path: str, lang: str = "zh") -> httpx.Response:
    """GET ``path`` from the app in process."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(opener, lang=lang))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get(path)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


def expected_totals(opener: Callable[[], Store]) -> tuple[str, str]:
    """Total owed and cost per day, straight from ``status_lines`` (what `status` prints)."""
    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        lines = status_lines(Output.make("en", False), tx, case.id, today())
    total = sum((line["total"] for line in lines), Decimal("0.00"))
    daily = sum((line["daily_cost"] for line in lines), Decimal("0.00"))
    assert len(lines) == 3
    assert total > 0
    assert daily > 0
    return format_money(total), format_money(daily)


def test_dashboard_shows_the_real_total_in_chinese(demo: Callable[[], Store]) -> None:
    total, daily = expected_totals(demo)
    page = fetch(demo, "/")
    assert page.status_code == 200
    assert f'<span class="value" id="total">{total}</span>' in page.text
    assert f'<span class="value" id="daily">{daily}</span>' in page.text
    assert 'lang="zh-Hans"' in page.text
    assert "每多一天增加" in page.text
    assert "花呗" in page.text
    assert "招商银行信用卡" in page.text
    assert "下一个节点" in page.text


def test_dashboard_in_english_and_its_actions(demo: Callable[[], Store]) -> None:
    total, daily = expected_totals(demo)
    page = fetch(demo, "/?lang=en")
    assert page.status_code == 200
    assert f'id="total">{total}<' in page.text
    assert f'id="daily">{daily}<' in page.text
    assert 'lang="en"' in page.text
    assert "Each further day adds" in page.text
    # the demo's Jiebei loan has later installments: shown beside what is due today
    later = Decimal("8000.00")
    everything = format_money(Decimal(total.lstrip("¥").replace(",", "")) + later)
    assert (f"Plus {format_money(later)} of principal not yet due (later installments): "
            f"{everything} in all.") in page.text
    assert "This month: the three most important payments" in page.text
    actions = page.text.split('<ol class="actions" id="actions">', 1)[1].split("</ol>", 1)[0]
    expected = month_payments(demo)
    # the demo owes three this month: the card's and Huabei's minimums, and the Jiebei loan's
    # overdue installment with its charges (issue 12: it showed "required ¥0.00")
    assert actions.count("<li>") == min(3, len(expected)) == 3
    for action in expected[:3]:
        assert f"pay {format_money(action.amount)} by {action.by.isoformat()}" in actions


def month_payments(opener: Callable[[], Store]) -> list[Any]:
    """This month's payments of the pro-rata plan, as `xieshang plan month` computes them."""
    from xieshang.engine.strategy import Strategy, make_plan, this_month
    from xieshang.present import namer
    from xieshang.services.plan import plan_input

    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        given, _names, _source = plan_input(namer(Output.make("en", False)), tx, case, None, None,
                                            None, Strategy.PRO_RATA, today=today())
    return this_month(make_plan(given, Strategy.PRO_RATA))


def test_default_language_and_unknown_language(demo: Callable[[], Store]) -> None:
    assert 'lang="en"' in fetch(demo, "/", lang="en").text
    assert 'lang="zh-Hans"' in fetch(demo, "/?lang=xx").text


def test_the_eight_steps_are_shown(demo: Callable[[], Store]) -> None:
    steps = fetch(demo, "/?lang=en").text.split('<ol class="steps">', 1)[1].split("</ol>")[0]
    assert steps.count("<li") == 9  # "Today" and the eight steps, each a link
    for path in ("/start", "/debts", "/consequences", "/budget", "/plan", "/negotiate", "/log",
                 "/dossier"):
        assert f'href="{path}"' in steps
    assert "Start" in steps
    assert "Dossier" in steps


def test_empty_store_says_how_to_start(tmp_path: Path) -> None:
    page = fetch(lambda: open_store(data_dir=tmp_path), "/?lang=en")
    assert page.status_code == 200
    # the first run: three questions on the page itself, never a terminal command
    assert 'action="/first-run"' in page.text
    assert 'href="/start"' in page.text
    assert "xieshang serve" not in page.text


def test_security_headers_on_pages_and_static_files(demo: Callable[[], Store]) -> None:
    for path in ("/", "/static/style.css"):
        response = fetch(demo, path)
        assert response.status_code == 200
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    page = fetch(demo, "/").text
    # scripts only from files of our own (no inline script, no event-handler attributes)
    assert page.count("<script") == page.count('<script src="/static/')
    assert " onclick=" not in page
    assert "http://" not in page
    assert "https://" not in page


def test_no_full_id_number_and_masked_name(tmp_path: Path) -> None:
    from xieshang.store.model import Case

    number = "11010519491231002X"  # GB 11643 example number (check digit X)
    with open_store(data_dir=tmp_path) as store, store.begin() as tx:
        case = tx.add(Case(name="王小红", full_name="王小红", id_number=number))
        tx.use_case(case.id)
    page = fetch(lambda: open_store(data_dir=tmp_path), "/?lang=en").text
    assert number not in page
    assert number[:-4] not in page
    assert "王小红" not in page
    assert "王**" in page
    assert "No open debts in case 1." in page


def test_serve_is_documented_and_binds_loopback() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--demo", "--open"):
        assert option in result.output
    docs = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "### `xieshang serve`" in docs
    assert HOST == "127.0.0.1"
    assert 1024 <= free_port() <= 65535


def test_help_does_not_import_the_web_stack() -> None:
    code = ("import sys, xieshang.cli.main; "
            "print(sorted(m for m in ('fastapi', 'uvicorn', 'jinja2', 'starlette') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


#: What our own reference files look like when named (a person must see public sources only).
_OWN_FILES = ("rules-cn", "anchors.md", "peers-and-style", ".toml", "seed/", "§")


@pytest.mark.parametrize("lang", ["zh", "en", "zh-Hant"])
def test_no_page_names_our_own_reference_files(demo: Callable[[], Store], lang: str) -> None:
    """Every page of the demo case cites public sources (a law's title, a regulator's
    page), never rules-cn.md, anchors.md, a .toml data file or a § of them (a section of
    the person's own guide, shipped with the app as docs/guide.*.md, may be named)."""
    import re

    pages = ["/", "/start", "/debts", "/debts/1/edit", "/debts/new?product=jiebei",
             "/consequences", "/budget", "/budget/edit", "/plan", "/negotiate",
             "/negotiate/1", "/negotiate/2", "/negotiate/3", "/log", "/dossier", "/questions",
             "/glossary"]
    for path in pages:
        response = fetch(demo, path, lang)
        assert response.status_code == 200, path
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", response.text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        text = re.sub(r"(指南|the guide) §[\d.]+(?:[,，、] ?§[\d.]+)*", "", text)
        found = [name for name in _OWN_FILES if name in text]
        assert not found, (path, found, text[max(0, text.find(found[0]) - 80):][:200])


def test_many_debts_load_each_lenders_ask_on_demand(demo: Callable[[], Store],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """With more debts owing than :data:`INLINE_ASKS`, the Today page works out the first
    ask alone (one ladder, not one per debt) and loads the others when their list is opened
    (``/answer/asks``: the list for htmx, a page of its own without JavaScript). What is
    shown is the same as the page that has every ask in it: the demo's 3 debts, the same
    recommendation, the same list, byte for byte."""
    import re

    from webclient import WebClient
    from xieshang.web.pages import welcome

    def asks_list(html: str) -> str:
        found = re.search(r"\n    <ol>\n.*?\n    </ol>\n", html, re.DOTALL)
        assert found is not None
        return found.group(0)

    def rest(html: str, token: str) -> str:  # the page but the list of asks
        return html.replace(html[html.index("  <details"):html.index("  </details>")],
                            "").replace(token, "")

    with WebClient(demo, lang="en") as client:
        inline = client.get("/").text
        inline_rest = rest(inline, client.csrf)
    assert 'id="reasons-list"' not in inline
    every = asks_list(inline)
    assert every.count('<li><strong><a href="/negotiate/') == 3
    monkeypatch.setattr(welcome, "INLINE_ASKS", 2)
    with WebClient(demo, lang="en") as client:
        page = client.get("/").text
        assert ('<details id="reasons" hx-get="/answer/asks" hx-trigger="toggle once" '
                'hx-target="#reasons-list" hx-swap="innerHTML">') in page
        assert '<div id="reasons-list"><p><a href="/answer/asks">Show</a></p></div>' in page
        assert '<li><strong><a href="/negotiate/' not in page
        # the rest of the page is the same: the recommendation names the same first ask
        assert rest(page, client.csrf) == inline_rest
        fragment = client.get("/answer/asks", headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        assert "<html" not in fragment.text
        assert fragment.text == every.strip("\n")
        alone = client.get("/answer/asks")
        assert alone.status_code == 200
        assert asks_list(alone.text) == every
        assert '<a class="button" href="/#answer">Back to today</a>' in alone.text
        # remembered until the data changes, as the other pages
        assert client.get("/answer/asks", headers={"HX-Request": "true"}).text == fragment.text
