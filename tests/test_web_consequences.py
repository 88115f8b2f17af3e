"""Step 3 of the web app, consequences: per debt the bill, the timeline and what waiting
costs, to the fen of the command line's own functions (in process, no port opened)."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from webclient import WebClient
from xieshang.cli.serve import build_demo_store
from xieshang.clock import today
from xieshang.engine.accrual import Payment as EnginePayment
from xieshang.engine.accrual import bill_on
from xieshang.engine.money import format_money
from xieshang.engine.timeline import timeline
from xieshang.output import Output
from xieshang.present.views import status_lines
from xieshang.rules import law
from xieshang.services.debts import current_bill
from xieshang.store.db import Store, open_store
from xieshang.store.exchange import dumps, export_case
from xieshang.store.model import Case, Debt, Payment
from xieshang.web.page import public_ref
from xieshang.web.pages.consequences import EVENT_QUESTIONS, WAIT_DAYS, waiting_costs

DAY = today()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def page(demo: Callable[[], Store]) -> str:
    with WebClient(demo, lang="en", today=DAY) as client:
        response = client.get("/consequences")
    assert response.status_code == 200
    return response.text


def section(text: str, debt_id: int) -> str:
    """The card of one debt."""
    start = text.index(f'<section class="card" id="debt-{debt_id}"')
    return text[start:text.index("</section>", start)]


def stored_debts(opener: Callable[[], Store]) -> Iterator[tuple[Debt, object, object]]:
    """Each open debt with its bill today and its engine debt (``current_bill``)."""
    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        for debt in tx.find(Debt, case_id=case.id, status=("open", "arrangement")):
            bill, engine_debt = current_bill(tx, debt, DAY)
            yield debt, bill, engine_debt


def test_every_debt_shows_the_bill_of_status_to_the_fen(demo: Callable[[], Store],
                                                         page: str) -> None:
    with demo() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        lines = status_lines(Output.make("en", False), tx, case.id, DAY)
    assert len(lines) == 3
    for line in lines:
        card = section(page, line["id"])
        assert f'id="debt-{line["id"]}-total">{format_money(line["total"])}<' in card
        assert f'id="debt-{line["id"]}-daily">{format_money(line["daily_cost"])}<' in card
        for key in ("principal", "interest", "penalty", "fees"):
            assert f'<td class="num">{format_money(line[key])}</td>' in card
        assert f"({line['days_overdue']} days overdue)" in card
        # the penalty rule's public source (a law, the lender's page) or the product's
        # settings — never a section of our own reference files
        assert "Source: " in card
        assert "§" not in card
    total = sum((line["total"] for line in lines), Decimal("0.00"))
    daily = sum((line["daily_cost"] for line in lines), Decimal("0.00"))
    assert f'id="total">{format_money(total)}<' in page
    assert f'id="daily">{format_money(daily)}<' in page
    # the jiebei loan's later installments are named, not added to what is due
    assert "Principal not yet due (later installments): ¥8,000.00." in section(page, 2)


def test_what_waiting_costs_is_the_accrual_engine_on_each_day(demo: Callable[[], Store],
                                                              page: str) -> None:
    month_more = Decimal("0.00")
    for debt, bill, engine_debt in stored_debts(demo):
        assert bill is not None
        card = section(page, debt.id)
        table = card[card.index(f'<table id="wait-{debt.id}-table">'):]
        table = table[:table.index("</table>")]
        rows = re.findall(r'<tr data-days="(\d+)"><th scope="row" class="num">([\d-]+)</th>'
                          r'<td class="num">([^<]+)</td><td class="num">([^<]+)</td></tr>',
                          table)
        assert [int(days) for days, *_rest in rows] == list(WAIT_DAYS)
        for days, on, total, more in rows:
            later = bill_on(engine_debt, DAY + timedelta(days=int(days)))  # type: ignore[arg-type]
            assert on == (DAY + timedelta(days=int(days))).isoformat()
            assert total == format_money(later.total)
            assert more == format_money(later.total - bill.total)
        assert rows[0][2] == format_money(bill.total)
        month = bill_on(engine_debt, DAY + timedelta(days=30)).total  # type: ignore[arg-type]
        month_more += month - bill.total
        assert month > bill.total  # waiting costs money on every demo debt
    assert f'id="month-more">{format_money(month_more)}<' in page


def test_waiting_costs_equal_the_bill_of_status_on_each_later_day(
        demo: Callable[[], Store]) -> None:
    with demo() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        for debt in tx.find(Debt, case_id=case.id):
            _bill, engine_debt = current_bill(tx, debt, DAY)
            costs = waiting_costs(engine_debt, DAY)
            assert [d for d, _on, _total in costs] == list(WAIT_DAYS)
            for days, on, total in costs:
                later, _engine = current_bill(tx, debt, on)
                assert later is not None
                assert on == DAY + timedelta(days=days)
                assert total == later.total
                assert total == total.quantize(Decimal("0.01"))


def test_waiting_costs_count_only_payments_made_up_to_today() -> None:
    from dataclasses import replace

    from xieshang.engine.accrual import OverdueDebt
    from xieshang.rules import load_preset

    debt = OverdueDebt(preset=load_preset("huabei"), principal=Decimal("1000.00"),
                       due_date=DAY - timedelta(days=10),
                       payments=(EnginePayment(on=DAY - timedelta(days=2),
                                               amount=Decimal("300.00")),
                                 EnginePayment(on=DAY + timedelta(days=5),
                                               amount=Decimal("200.00"))))
    known = replace(debt, payments=debt.payments[:1])
    for days, _on, total in waiting_costs(debt, DAY):
        assert total == bill_on(known, DAY + timedelta(days=days)).total
    # 704.00 left after the payment (its first 4.00 paid the penalty), charged
    # 0.05 %/day rounded per day: 0.35 a day
    assert waiting_costs(debt, DAY, (0, 30))[1][2] - waiting_costs(debt, DAY, (0, 30))[0][2] \
        == Decimal("10.50")


def test_the_timeline_is_the_engine_s_with_dates_amounts_sources_and_past_marked(
        demo: Callable[[], Store], page: str) -> None:
    for debt, _bill, engine_debt in stored_debts(demo):
        card = section(page, debt.id)
        events = timeline(engine_debt, DAY, law())  # type: ignore[arg-type]
        assert events
        for event in events:
            start = card.index(f'data-event="{event.id}"')
            item = card[start:card.index("</li>", start)]
            assert event.title.en.replace("'", "&#39;") in item
            if event.on is not None:
                assert f'<span class="when">{event.on.isoformat()}</span>' in item
            else:
                assert "date not known" in item
            if event.amount_due is not None:
                assert f"Amount due {format_money(event.amount_due)}" in item
            mark = event.confidence.value
            shown = public_ref(event.source_ref, event.urls) or "the product's settings"
            assert f"{shown} [{mark}]".replace("'", "&#39;") in item
            assert "rules-cn" not in item
            assert ("passed" in item) == event.passed
            assert ("does not apply" in item) == (not event.applies)
            for slug in EVENT_QUESTIONS.get(event.id, ()):
                assert f'href="/questions#q-{slug}"' in item
        past = [e for e in events if e.passed and e.applies]
        for event in past:
            assert f'<li class="past" data-event="{event.id}">' in card
    # the demo debts have been overdue for weeks: charges started in the past
    assert '<li class="past" data-event="charges_start">' in section(page, 1)


def test_the_questions_people_ask_are_linked_where_they_arise(page: str) -> None:
    for slug in ("grace-period", "one-day-late", "credit-report-duration", "family-calls",
                 "sued-or-crime"):
        assert f'href="/questions#q-{slug}"' in page
    collection = law().collection
    assert (f"no collection from {collection.quiet_from.strftime('%H:%M')} to "
            f"{collection.quiet_until.strftime('%H:%M')}") in page
    assert f"at most {collection.max_effective_calls_per_day} effective collection calls" in page


def test_the_charts_are_well_formed_svg_with_a_table_alternative(page: str) -> None:
    figures = re.findall(r'<figure class="chart".*?</figure>', page, flags=re.DOTALL)
    assert len(figures) == 3
    for figure in figures:
        svg = figure[figure.index("<svg"):figure.index("</svg>") + len("</svg>")]
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("role") == "img"
        assert (root.get("aria-label") or "").startswith("What waiting costs: #")
        texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert len(texts) == len(WAIT_DAYS)
        assert texts[0].startswith("Today")
        assert "<figcaption" in figure
        assert "Estimates from the preset rules." in figure
        assert '<div class="table-wrap">' in figure
        # every money figure drawn is a Decimal formatted to the fen
        for text in texts:
            for amount in re.findall(r"¥[-\d,.]+", text):
                assert re.fullmatch(r"¥-?\d{1,3}(,\d{3})*\.\d\d", amount), amount
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids must be unique in the page"


def test_money_on_the_page_is_always_to_the_fen(page: str) -> None:
    # the rules' own explanations (inside "What this means") may quote round amounts
    figures = re.sub(r"<details><summary>.*?</details>", "", page, flags=re.DOTALL)
    amounts = re.findall(r"¥[-\d,.]+", figures)
    assert len(amounts) > 50
    for amount in amounts:
        assert re.fullmatch(r"¥-?\d{1,3}(,\d{3})*\.\d\d", amount.rstrip(".,")), amount


def test_in_chinese_the_figures_are_the_same(demo: Callable[[], Store], page: str) -> None:
    with WebClient(demo, lang="zh", today=DAY) as client:
        zh = client.get("/consequences")
        hant = client.get("/consequences?lang=zh-Hant")
    assert zh.status_code == 200
    assert 'lang="zh-Hans"' in zh.text
    for debt, bill, _engine in stored_debts(demo):
        assert bill is not None
        assert f'id="debt-{debt.id}-total">{format_money(bill.total)}<' in zh.text
    assert "每多一天增加" in zh.text
    assert hant.status_code == 200
    assert 'lang="zh-Hant"' in hant.text


def test_the_page_is_the_same_when_read_only(demo: Callable[[], Store], page: str) -> None:
    with WebClient(demo, lang="en", today=DAY, read_only=True) as client:
        response = client.get("/consequences")
        posted = client.post("/consequences", {})
    assert response.status_code == 200
    assert re.sub(r'content="[0-9a-f]+"|value="[0-9a-f]{64}"', "", response.text).count(
        "debt-1-total") == page.count("debt-1-total")
    assert posted.status_code == 405  # the page only reads


def test_no_case_and_no_debts(tmp_path: Path) -> None:
    opener = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    with WebClient(opener, lang="en", today=DAY) as client:
        assert "There is no case yet" in client.get("/consequences").text
        with opener() as store, store.begin() as tx:
            case = tx.add(Case(name="空"))
            tx.use_case(case.id)
        text = client.get("/consequences").text
    assert "No open debts in case 1." in text
    assert 'href="/debts"' in text


def test_a_debt_not_yet_overdue_and_one_with_an_unknown_product(tmp_path: Path) -> None:
    opener = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    with opener() as store, store.begin() as tx:
        case = tx.add(Case(name="测试"))
        tx.use_case(case.id)
        tx.add(Debt(case_id=case.id, preset_id="huabei", principal=Decimal("500.00"),
                    due_day=9, label="花呗 下月"))
        tx.add(Debt(case_id=case.id, preset_id="huabei", principal=Decimal("800.00"),
                    due_date=DAY + timedelta(days=3), label="花呗 将到期"))
        tx.add(Debt(case_id=case.id, preset_id="no_such_product", principal=Decimal("1.00"),
                    due_date=DAY - timedelta(days=3)))
        overdue = tx.add(Debt(case_id=case.id, preset_id="huabei",
                              principal=Decimal("1000.00"), due_date=DAY - timedelta(days=10)))
        tx.add(Payment(debt_id=overdue.id, paid_on=DAY - timedelta(days=2),
                       amount=Decimal("300.00")))
        before = dumps(export_case(tx, case.id))
    with WebClient(opener, lang="en", today=DAY) as client:
        response = client.get("/consequences")
    assert response.status_code == 200
    text = response.text
    first = section(text, 1)
    assert "Not overdue: no overdue charges are added." in first
    assert "Owed: ¥500.00." in first
    assert "Next repayment day:" in first
    assert 'href="/questions#q-grace-period"' in first
    assert 'href="/questions#q-one-day-late"' in first
    second = section(text, 2)
    assert f"it becomes overdue on {(DAY + timedelta(days=4)).isoformat()}" in second
    assert "no_such_product" in section(text, 3)
    assert 'class="notice warn"' in section(text, 3)
    fourth = section(text, 4)
    with opener() as store, store.begin(readonly=True) as tx:
        debt = tx.find(Debt, id=overdue.id)[0]
        bill, _engine = current_bill(tx, debt, DAY)
        assert dumps(export_case(tx, case.id)) == before  # reading wrote nothing
    assert bill is not None
    # the payment went to the 8 days of penalty first (8 × 0.50), then to principal
    assert bill.principal == Decimal("704.00")
    assert f'id="debt-4-total">{format_money(bill.total)}<' in fourth
    # the overdue debt is the only one that adds up each day
    assert f'id="daily">{format_money(bill.daily_cost)}<' in text


def test_pages_do_not_import_matplotlib_until_a_chart_is_drawn() -> None:
    code = ("import sys; import xieshang.web.app as a, xieshang.documents.charts, "
            "xieshang.web.pages.consequences, xieshang.web.pages.plan; "
            "a.create_app(lambda: None); "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.strip() == "False"


def test_no_float_touches_money_in_the_chart_and_page_code() -> None:
    for name in ("documents/charts.py", "web/pages/consequences.py", "web/pages/plan.py"):
        for number, line in enumerate(
                (ROOT / "src" / "xieshang" / name).read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bfloat\(|: float\b|-> float\b", line):
                assert "# float-ok" in line, f"{name}:{number}: {line.strip()}"


def test_a_date_of_the_page_is_the_page_s_today(demo: Callable[[], Store]) -> None:
    earlier = DAY - timedelta(days=5)
    with WebClient(demo, lang="en", today=earlier) as client:
        text = client.get("/consequences").text
    assert f"Itemised, on {earlier.isoformat()}" in text
    with demo() as store, store.begin(readonly=True) as tx:
        debt = tx.find(Debt, id=1)[0]
        bill, _engine = current_bill(tx, debt, earlier)
    assert bill is not None
    assert f'id="debt-1-total">{format_money(bill.total)}<' in text
    assert isinstance(earlier, date)
