"""The "questions people ask" pages, in process: every route, search, the person's figures."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from webclient import WebClient
from xieshang.cli.serve import build_demo_store
from xieshang.clock import today
from xieshang.engine.money import format_money
from xieshang.engine.questions import SLUGS, answer, years_after
from xieshang.output import Output
from xieshang.present.views import status_lines
from xieshang.rules import questions
from xieshang.services.debts import current_bill
from xieshang.store.db import Store, open_store
from xieshang.store.model import Debt, Payment
from xieshang.web.pages.questions import gather_facts, question_title

TODAY = today()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def en(demo: Callable[[], Store]) -> Iterator[WebClient]:
    with WebClient(demo, lang="en", today=TODAY) as client:
        yield client


@pytest.fixture(scope="module")
def zh(demo: Callable[[], Store]) -> Iterator[WebClient]:
    with WebClient(demo, lang="zh", today=TODAY) as client:
        yield client


def section(html: str, slug: str) -> str:
    """The part of the page that holds one question."""
    start = html.index(f'<section class="question card" id="q-{slug}"')
    return html[start:html.index("</section>", start)]


def shown_slugs(html: str) -> list[str]:
    return re.findall(r'<section class="question card" id="q-([a-z-]+)"', html)


def lines(opener: Callable[[], Store], lang: str = "en") -> list[dict[str, Any]]:
    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        return status_lines(Output.make(lang, False), tx, case.id, TODAY)


def test_all_questions_with_anchors_search_form_and_sources(en: WebClient) -> None:
    page = en.get("/questions")
    assert page.status_code == 200
    html = page.text
    assert shown_slugs(html) == list(SLUGS)
    assert html.count("<h1>") == 1
    assert "<h1>Questions people ask</h1>" in html
    for slug in SLUGS:
        assert f'<a href="#q-{slug}">' in html
        part = section(html, slug)
        assert "<h3>Sources</h3>" in part
        assert re.search(r'<span class="source">Source: [^<]+ \[(V|S|C|NF)\]</span>', part)
    assert '<form class="form" method="get" action="/questions" role="search">' in html
    assert 'name="q" type="search"' in html
    assert 'data-filter=".question"' in html
    assert '<label for="f-q">Search the questions</label>' in html
    assert "Is there a grace period?" in html
    assert "read in the rule itself" in html
    # the law's numbers are filled in, never left as placeholders
    assert "{" not in section(html, "family-calls")
    assert "22:00" in section(html, "family-calls")


def test_chinese_and_traditional_pages(zh: WebClient) -> None:
    page = zh.get("/questions")
    assert page.status_code == 200
    assert 'lang="zh-Hans"' in page.text
    assert "还款有宽限期吗？" in page.text
    assert shown_slugs(page.text) == list(SLUGS)
    hant = zh.get("/questions?lang=zh-Hant")
    assert hant.status_code == 200
    assert 'lang="zh-Hant"' in hant.text
    assert "還款有寬限期嗎？" in hant.text
    assert shown_slugs(hant.text) == list(SLUGS)
    zh.get("/questions?lang=zh")  # back to Simplified for the other tests


def test_search_by_a_chinese_keyword(zh: WebClient) -> None:
    page = zh.get("/questions", params={"q": "怎样拿到结清证明"})
    assert page.status_code == 200
    assert shown_slugs(page.text) == ["settlement-certificate"]
    assert 'value="怎样拿到结清证明"' in page.text
    assert 'id="results"' in page.text
    grace = zh.get("/questions", params={"q": "宽限期"})
    assert "grace-period" in shown_slugs(grace.text)
    assert "family-calls" not in shown_slugs(grace.text)


def test_search_by_an_english_keyword_and_no_match(en: WebClient) -> None:
    page = en.get("/questions", params={"q": "grace period"})
    assert page.status_code == 200
    found = shown_slugs(page.text)
    assert "grace-period" in found
    assert "negotiation-agent" not in found
    assert f"{len(found)} of 8 questions match “grace period”." in page.text
    assert '<a href="/questions">Show all questions</a>' in page.text
    family = en.get("/questions?q=family")
    assert shown_slugs(family.text)[0] == "family-calls"
    none = en.get("/questions", params={"q": "<script>xyzzy"})
    assert none.status_code == 200
    assert shown_slugs(none.text) == []
    assert "No question matches these words." in none.text
    assert "<script>xyzzy" not in none.text
    assert "&lt;script&gt;xyzzy" in none.text


def test_search_in_traditional_characters(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="zh-Hant", today=TODAY) as client:
        page = client.get("/questions", params={"q": "怎樣拿到結清證明"})
        assert page.status_code == 200
        assert shown_slugs(page.text) == ["settlement-certificate"]


def test_the_persons_figures_are_the_engines_and_the_commands(
        en: WebClient, demo: Callable[[], Store]) -> None:
    html = en.get("/questions").text
    late = section(html, "one-day-late")
    status = lines(demo)
    assert len(status) == 3
    for line in status:
        daily = format_money(line["daily_cost"])
        total = format_money(line["total"])
        expected = (f'{line["name"]}: <mark>{line["days_overdue"]}</mark> days overdue, '
                    f"<mark>{total}</mark> due today; if nothing is paid, each further day "
                    f"adds <mark>{daily}</mark>.")
        assert expected in late
    # the same figures, straight from the engine
    with demo() as store, store.begin(readonly=True) as tx:
        facts = gather_facts(Output.make("en", False), tx, TODAY)
    shown = answer(questions().get("one-day-late"), facts, "en")
    assert len(shown.personal) == 3
    for line, row in zip(shown.personal, status, strict=True):
        figures = [part.text for part in line.parts if part.figure]
        assert figures == [str(row["days_overdue"]), format_money(row["total"]),
                           format_money(row["daily_cost"])]
        for figure in figures:
            assert f"<mark>{figure}</mark>" in late
    report = section(html, "credit-report-duration")
    assert f"<mark>{years_after(TODAY, 5).isoformat()}</mark>" in report
    assert 'class="notice mine"' in report


def test_grace_installments_and_card_threshold_for_the_demo_debts(
        en: WebClient, demo: Callable[[], Store]) -> None:
    html = en.get("/questions").text
    with demo() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        card = next(d for d in tx.find(Debt, case_id=case.id)
                    if d.preset_id == "credit_card_cn")
    assert card.due_date is not None
    grace = section(html, "grace-period")
    assert "(Bank credit card (generic)): <mark>3</mark> days of grace." in grace  # §3.3 [S]
    grace_end = (card.due_date + timedelta(days=3)).isoformat()
    assert f"the grace period ended on <mark>{grace_end}</mark>" in grace
    assert "no grace period in the settings here (0 days)" in grace  # huabei, jiebei: §1.3 NF
    assert "not verified: a default you can change [NF]" in grace
    assert "rules-cn" not in grace
    split = section(html, "split-after-minimum")
    assert "<mark>3 periods 2.5%, 6 periods 4.5%, 9 periods 6.5%, 12 periods 8.8%</mark>" in split
    assert "<mark>0.66%</mark>" in split
    crime = section(html, "sued-or-crime")
    assert f"<mark>{format_money(card.principal)}</mark>, below ¥50,000.00" in crime
    settle = section(html, "settlement-certificate")
    jiebei = next(line for line in lines(demo) if "借呗" in str(line["name"]))
    owed = jiebei["total"] + jiebei["not_yet_due"]
    assert f"<mark>{format_money(owed)}</mark>" in settle


def test_one_question_on_its_own_page_and_an_unknown_one(en: WebClient) -> None:
    page = en.get("/questions/one-day-late")
    assert page.status_code == 200
    assert '<h1 id="q-one-day-late-title">Does being one day late matter?</h1>' in page.text
    assert page.text.count("<h1") == 1
    assert shown_slugs(page.text) == ["one-day-late"]
    assert "<h2>Your debts" in page.text
    assert "<h2>Sources</h2>" in page.text
    assert '<a href="/questions">All questions people ask</a>' in page.text
    for slug in SLUGS:
        assert en.get(f"/questions/{slug}").status_code == 200
    missing = en.get("/questions/no-such-question")
    assert missing.status_code == 404
    assert "There is no such page or record." in missing.text


def test_without_a_case_the_general_answers(tmp_path: Path) -> None:
    with WebClient(lambda: open_store(data_dir=tmp_path), lang="en", today=TODAY) as client:
        page = client.get("/questions")
        assert page.status_code == 200
        assert shown_slugs(page.text) == list(SLUGS)
        assert "notice mine" not in page.text
        assert "<mark>" not in page.text
        assert "No debts entered yet, so these are the general answers." in page.text
        one = client.get("/questions/grace-period")
        assert one.status_code == 200
        assert "notice mine" not in one.text


def test_a_settled_debt_shows_when_its_record_expires(tmp_path: Path) -> None:
    opener = build_demo_store(tmp_path)
    with opener() as store, store.begin() as tx:
        case = tx.current_case()
        assert case is not None
        huabei = next(d for d in tx.find(Debt, case_id=case.id) if d.preset_id == "huabei")
        bill, _engine = current_bill(tx, huabei, TODAY)
        assert bill is not None
        assert bill.total > Decimal("0")
        tx.add(Payment(debt_id=huabei.id, paid_on=TODAY, amount=bill.total))
        tx.update(replace(huabei, status="settled"))
    with WebClient(opener, lang="en", today=TODAY) as client:
        html = client.get("/questions").text
    report = section(html, "credit-report-duration")
    assert (f"repaid in full on <mark>{TODAY.isoformat()}</mark>; counting 5 years from "
            f"repayment, the record is kept until about "
            f"<mark>{years_after(TODAY, 5).isoformat()}</mark>.") in report
    assert f"#{huabei.id} 花呗 账单" in section(html, "settlement-certificate")
    # a settled debt has no cost per day any more
    assert f"#{huabei.id} 花呗 账单" not in section(html, "one-day-late")


def test_read_only_app_shows_the_questions(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en", today=TODAY, read_only=True) as client:
        page = client.get("/questions")
        assert page.status_code == 200
        assert len(shown_slugs(page.text)) == 8


def test_question_title_for_the_links_of_other_pages() -> None:
    assert question_title("grace-period", "zh") == "还款有宽限期吗？"
    assert question_title("grace-period", "en") == "Is there a grace period?"
    assert question_title("settlement-certificate", "zh") == "怎样拿到结清证明？"
    assert question_title("negotiation-agent", "en") == 'Is a paid "negotiation agent" worth it?'
    assert question_title("no-such", "en") == "no-such"
    for slug in SLUGS:
        assert question_title(slug, "zh") != slug
        assert question_title(slug, "en") != question_title(slug, "zh")


def test_the_ask_link_goes_to_the_anchor(en: WebClient) -> None:
    from starlette.requests import Request

    from xieshang.web.page import Page

    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [],
                       "query_string": b"lang=en", "app": en.app})
    link = str(Page.of(request).ask("one-day-late"))
    assert link == ('<a class="ask" href="/questions#q-one-day-late">'
                    "Does being one day late matter?</a>")
    assert 'id="q-one-day-late"' in en.get("/questions").text

