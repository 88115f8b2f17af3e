"""/plan with many debts sends a summary; each debt's months are loaded when asked for.

Up to ``INLINE_ROWS`` month rows the page holds every debt's months (the demo case); a
bigger plan (here the demo case plus 17 debts, as bench/web.py builds it) holds the summary
and, per debt, a link to ``/plan/months/KEY`` with the same choices: htmx loads the table
into the page, and without JavaScript the link opens a page of its own. Either way the rows
are the plan's own (the same as the page shows for a small case).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from webclient import WebClient

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sys.path.insert(0, str(ROOT / "bench"))
    from web import build_store
    from xieshang.clock import today
    from xieshang.store.db import open_store

    folder = tmp_path_factory.mktemp("many")
    build_store(folder, today())
    with WebClient(lambda: open_store(data_dir=folder)) as http:
        yield http


def test_a_big_plan_sends_the_summary_and_links_each_debts_months(client: Any) -> None:
    page = client.get("/plan?strategy=avalanche")
    assert page.status_code == 200
    text = page.text
    links = re.findall(r'<a href="(/plan/months/(\d+)\?strategy=avalanche)" hx-get="\1"', text)
    assert len(links) == 20
    assert "<tr><th scope=\"row\" class=\"num\">1</th>" not in text  # no month rows inline
    url, _key = links[0]
    alone = client.get(url)  # without JavaScript: a page of its own
    assert alone.status_code == 200
    assert "<h1>" in alone.text
    assert "Back to the plan" in alone.text or "返回还款计划" in alone.text
    fragment = client.get(url, headers={"HX-Request": "true"})  # htmx: the table alone
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    rows = re.findall(r'<tr><th scope="row" class="num">(\d+)</th>', fragment.text)
    assert rows
    assert rows[0] == "1"
    assert rows == [str(n) for n in range(1, len(rows) + 1)]
    assert client.get("/plan/months/999999?strategy=avalanche").status_code == 404


def test_the_page_is_smaller_than_150_kb(client: Any) -> None:
    assert len(client.get("/plan?strategy=avalanche").content) <= 150 * 1024
