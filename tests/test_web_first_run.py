"""Issue 15 in process: the first run, the recommendation, the glossary and its inline links,
the step bar, errors naming their field, the language switch after a form, upload errors
saying what the file is, and the support card."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from webclient import WebClient
from xieshang.cli.serve import build_demo_store
from xieshang.engine.money import format_money
from xieshang.output import Out
from xieshang.services.debts import status_lines
from xieshang.store.db import Store, open_store
from xieshang.store.model import Budget, BudgetEntry, Debt

DAY = date(2026, 12, 7)

#: The persona: a Huabei bill 20 days overdue, income 6,000, rent 1,800, food 1,500.
PERSONA = {"d1_product": "huabei", "d1_amount": "3,200",
           "d1_missed": (DAY - timedelta(days=20)).isoformat(),
           "income": "6000", "rent": "1800", "food": "1500"}


@pytest.fixture
def empty(tmp_path: Path) -> Callable[[], Store]:
    return lambda: open_store(data_dir=tmp_path)


@pytest.fixture
def client(empty: Callable[[], Store]) -> Iterator[WebClient]:
    with WebClient(empty, lang="en", today=DAY) as web:
        web.get("/")
        yield web


def text_of(page: str, ident: str) -> str:
    found = re.search(rf'id="{ident}"[^>]*>(.*?)</(?:p|span|section|div)>', page, re.DOTALL)
    assert found is not None, ident
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_the_empty_store_asks_three_questions_and_no_terminal_command(
        client: WebClient) -> None:
    page = client.get("/").text
    assert 'action="/first-run"' in page
    for legend in ("1. What do you owe?", "2. What comes in?", "3. What must go out?"):
        assert legend in page
    assert "xieshang serve" not in page
    # where the figures are, in words, per product
    assert "Open Huabei in Alipay" in page
    assert 'href="/debts/new"' in page  # the full form (installment loans)


def test_first_run_saves_one_case_debt_and_budget_then_shows_the_answer(
        client: WebClient, empty: Callable[[], Store]) -> None:
    """Affordable: 6,000 income − 1,800 rent (priority) − 1,500 food (essential) − the
    automatic buffer 5% of 6,000 = 300 → 2,400.00 a month. The Huabei bill's daily cost:
    3,200 × 0.05% = 1.60 a day (the preset's overdue rate)."""
    response = client.post("/first-run", PERSONA)
    assert response.status_code == 303
    assert response.headers["location"] == "/#answer"
    with empty() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        debts = tx.find(Debt, case_id=case.id)
        assert [(d.preset_id, d.principal, d.due_date) for d in debts] == [
            ("huabei", Decimal("3200.00"), DAY - timedelta(days=20))]
        budget = tx.find(Budget, case_id=case.id)
        entries = tx.find(BudgetEntry, statement_id=budget[0].id)
        assert sorted((e.category, e.amount) for e in entries) == [
            ("food", Decimal("1500.00")), ("rent", Decimal("1800.00")),
            ("wages", Decimal("6000.00"))]
        lines = status_lines(Out.make("en", False), tx, case.id, DAY)
    # sent twice (a double tap): nothing more is written
    assert client.post("/first-run", PERSONA).status_code == 303
    with empty() as store, store.begin(readonly=True) as tx:
        assert tx.count(Debt) == 1
        assert tx.count(Budget) == 1
    page = client.get("/").text
    assert text_of(page, "total") == format_money(lines[0]["total"])
    assert lines[0]["daily_cost"] == Decimal("1.60")
    assert "¥2,400.00 a month" in text_of(page, "affordable")
    recommendation = text_of(page, "recommendation")
    assert recommendation.startswith("Contact #1 Huabei (Alipay) first today: ask for ")
    assert "20 days overdue: each further day adds ¥1.60." in page
    assert 'href="/negotiate/1#act"' in page
    negotiate = client.get("/negotiate/1").text
    assert 'id="act"' in negotiate
    assert 'href="#document-phone"' in negotiate
    # the step bar: debts, consequences, budget and plan are in
    assert negotiate.count('class="done"') + negotiate.count('class="current done"') == 4


def test_first_run_errors_name_their_fields_and_save_nothing(
        client: WebClient, empty: Callable[[], Store]) -> None:
    response = client.post("/first-run", {"d1_product": "huabei", "d1_amount": "abc",
                                          "d2_amount": "100"})
    assert response.status_code == 422
    summary = re.findall(r'<li><a href="#f-([a-z0-9_]+)">([^<]*)', response.text)
    assert [name for name, _text in summary] == ["d1_amount", "d2_product", "income"]
    named = dict(summary)
    assert named["d2_product"] == "Debt 2: product: this field is needed"
    assert named["income"] == "What comes in each month, after tax: this field is needed"
    with empty() as store, store.begin(readonly=True) as tx:
        assert tx.current_case() is None


def test_an_empty_required_field_is_named_in_chinese(empty: Callable[[], Store]) -> None:
    with WebClient(empty, lang="zh", today=DAY) as web:
        web.get("/")
        response = web.post("/first-run", {"d1_product": "huabei"})
    assert response.status_code == 422
    assert "应还金额（App或账单上写的）：这一项需要填写" in response.text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


def test_the_language_switch_after_a_form_asks_a_page_that_answers(
        demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as web:
        web.get("/negotiate/1")
        response = web.post("/negotiate/1/offer", {"periods": ""})
        assert response.status_code == 422
        switches = re.findall(r'href="([^"?]*)\?lang=', response.text)
        assert switches == ["/negotiate/1", "/negotiate/1"]
        assert web.get(switches[0] + "?lang=zh").status_code == 200


def test_glossary_page_and_first_occurrence_linked(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="zh") as web:
        page = web.get("/glossary").text
        for term in ("征信", "个性化分期", "停息挂账", "等额本息", "等额本金", "年化利率", "罚息",
                     "最低还款", "宽限期", "逾期"):
            assert f">{term}" in page
        assert page.count('class="source"') >= 10
        negotiate = web.get("/negotiate/1").text
        assert negotiate.count('href="/glossary#term-penalty-interest"') == 1
        hant = web.get("/glossary?lang=zh-Hant").text
        assert "徵信" in hant


def test_a_picture_named_xlsx_is_called_a_picture(demo: Callable[[], Store]) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    with WebClient(demo, lang="zh") as web:
        web.get("/budget/import")
        response = web.post("/budget/import", {"format": "auto"},
                            files={"file": ("账单.xlsx", png, "application/octet-stream")})
    assert response.status_code == 422
    assert "账单.xlsx是一张图片，不是表格" in html.unescape(response.text)


def test_the_support_card_is_sourced_and_shown_with_the_hardship(
        demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="zh") as web:
        page = web.get("/start").text
    assert 'id="support"' in page
    assert "12356" in page
    assert "12348" in page
    assert 'href="https://www.12348.gov.cn"' in page


def test_a_promise_without_a_debt_says_the_debt_is_missing(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="zh") as web:
        web.get("/log/promises/new")
        response = web.post("/log/promises/new", {"debt": "", "by": "me", "amount": "300",
                                                  "due": "2100-01-01"})
    assert response.status_code == 422
    assert re.findall(r'<li><a href="#f-([a-z]+)">([^<]*)', response.text) == [
        ("debt", "债务：这一项需要填写")]


def test_a_removed_debt_can_be_put_back_in_the_same_session(tmp_path: Path) -> None:
    opener = build_demo_store(tmp_path / "store")

    def debts() -> list[tuple[str | None, Decimal]]:
        with opener() as store, store.begin(readonly=True) as tx:
            case = tx.current_case()
            assert case is not None
            return sorted((d.label, d.principal) for d in tx.find(Debt, case_id=case.id))

    before = debts()
    with WebClient(opener, lang="en") as web:
        web.get("/debts/1/remove")
        assert web.post("/debts/1/remove", {"confirm": "1"}).status_code == 303
        assert len(debts()) == len(before) - 1
        page = web.get("/debts").text
        assert "You can undo your last change: put back the debt you removed." in page
        with WebClient(opener, lang="en") as other:  # another session has nothing to undo
            assert 'action="/undo"' not in other.get("/debts").text
        assert web.post("/undo", {}).status_code == 303
        assert debts() == before
        assert 'action="/undo"' not in web.get("/debts").text


def test_no_arguments_start_the_web_app_and_open_the_browser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from xieshang.cli import main

    seen: list[list[str]] = []
    monkeypatch.setattr(main.app, "main", lambda args, **_kw: seen.append(list(args)))
    main.run([])
    main.run(["status"])
    assert seen == [["open"], ["status"]]
    assert "open" in main.app.commands


def test_an_import_can_be_undone(tmp_path: Path) -> None:
    from xieshang.store.model import StatementImport

    opener = build_demo_store(tmp_path / "store")
    sample = Path(__file__).parent / "data" / "statements" / "alipay_sample.csv"

    def imports() -> int:
        with opener() as store, store.begin(readonly=True) as tx:
            case = tx.current_case()
            assert case is not None
            return tx.count(StatementImport, case_id=case.id)

    before = imports()
    with WebClient(opener, lang="en") as web:
        web.get("/budget/import")
        sent = web.post("/budget/import", {"format": "auto"},
                        files={"file": ("alipay_sample.csv", sample.read_bytes(), "text/csv")})
        assert sent.status_code == 303
        location = sent.headers["location"]
        web.get(location)
        assert web.post(location, {}).status_code == 303
        assert imports() == before + 1
        assert "put back the budget as it was before the import" in web.get("/budget").text
        assert web.post("/undo", {}).status_code == 303
        assert imports() == before
