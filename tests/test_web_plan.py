"""Step 5 of the web app, the plan: the same figures as ``xieshang plan --json`` and
``xieshang plan month --json`` on the same store, to the fen (in process, no port opened)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from webclient import WebClient
from xieshang.cli.main import app as cli
from xieshang.cli.serve import build_demo_store
from xieshang.clock import today
from xieshang.engine.money import format_money
from xieshang.engine.strategy import Strategy, compare_strategies
from xieshang.output import Output
from xieshang.present import namer
from xieshang.services.plan import owed_series
from xieshang.services.plan import plan_input as plan_input_of
from xieshang.store.db import Store, open_store
from xieshang.store.exchange import dumps, export_case
from xieshang.store.model import Case, Debt

DAY = today()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo")
    build_demo_store(path)
    return path


@pytest.fixture(scope="module")
def demo(folder: Path) -> Callable[[], Store]:
    return lambda: open_store(data_dir=folder)


@pytest.fixture(scope="module")
def client(demo: Callable[[], Store]) -> Any:
    with WebClient(demo, lang="en", today=DAY) as web:
        yield web


def cli_json(folder: Path, *args: str) -> dict[str, Any]:
    """``xieshang --data-dir FOLDER ARGS --json`` (the command line on the same store)."""
    result = CliRunner().invoke(cli, ["--data-dir", str(folder), *args, "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def compared(folder: Path) -> dict[str, dict[str, Any]]:
    """``xieshang plan --json``: every strategy, the optimal one included."""
    data = cli_json(folder, "plan")
    return {plan["strategy"]: plan for plan in data["plans"]}


def money(text: str) -> str:
    return format_money(Decimal(text))


def compare_rows(text: str) -> dict[str, str]:
    """The comparison table's rows by strategy."""
    table = text[text.index('<table id="compare-table">'):]
    table = table[:table.index("</table>")]
    return dict(re.findall(r'<tr data-strategy="([a-z-]+)">(.*?)</tr>', table))


def cells(row: str) -> list[str]:
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def assert_row_matches(row: str, plan: dict[str, Any]) -> None:
    totals = plan["totals"]
    when, months, paid, charges, overdue, milestones, left = cells(row)
    assert when == (totals["payoff_date"] or "not within 120 months")
    assert months == (str(totals["months"]) if totals["payoff_date"] else "—")
    assert paid == money(totals["paid"])
    assert charges == format_money(Decimal(totals["interest"]) + Decimal(totals["penalty"])
                                   + Decimal(totals["fees"]))
    assert overdue == str(totals["months_overdue"])
    assert milestones == str(totals["milestones_crossed"])
    assert left == money(totals["unpaid_end"])


def test_default_page_compares_the_rule_based_strategies_as_the_cli(
        client: Any, compared: dict[str, dict[str, Any]]) -> None:
    response = client.get("/plan")
    assert response.status_code == 200
    text = response.text
    rows = compare_rows(text)
    # the solver runs only when asked for: the default page stays fast
    assert list(rows) == ["avalanche", "snowball", "pro-rata", "risk-first"]
    for key, row in rows.items():
        assert_row_matches(row, compared[key])
    assert 'chosen</span>' in rows["pro-rata"]
    assert 'href="/plan?strategy=pro-rata&amp;optimal=1"' in text
    lowest = min(Decimal(p["totals"]["interest"]) + Decimal(p["totals"]["penalty"])
                 + Decimal(p["totals"]["fees"]) for k, p in compared.items() if k in rows)
    for key, row in rows.items():
        charges = cells(row)[3]
        assert ("lowest charges" in row) == (charges == format_money(lowest)), key


def test_where_the_budget_figure_comes_from(client: Any, folder: Path) -> None:
    text = client.get("/plan").text
    data = cli_json(folder, "plan", "month")
    assert data["budget_source"] == "what the budget statement leaves for debts"
    assert (f"From {DAY.isoformat()}: {money(data['budget'])} a month for the debts, what the "
            "budget statement leaves for debts.") in text
    assert 'href="/budget"' in text


def test_this_month_is_plan_month(client: Any, folder: Path) -> None:
    text = client.get("/plan").text
    data = cli_json(folder, "plan", "month")
    assert data["strategy"] == "pro-rata"
    block = text[text.index('<ol class="actions" id="month-actions">'):]
    block = block[:block.index("</ol>")]
    items = re.findall(r'<li data-debt="(\d+)"><strong>([^<]+)</strong>: Pay (¥[\d,.]+) by '
                       r'([\d-]+) · ([^\n]+)\n\s*<div>Required this month: (¥[\d,.]+)'
                       r'(?: · <span class="tag">Not covered (¥[\d,.]+)</span>)?</div>', block)
    assert len(items) == len(data["actions"]) >= 2
    for (key, name, amount, by, _why, required, unpaid), action in zip(
            items, data["actions"], strict=True):
        assert key == action["debt"]
        assert name == action["name"]
        assert amount == money(action["amount"])
        assert by == action["by"]
        assert required == money(action["required"])
        assert unpaid == (money(action["unpaid"]) if Decimal(action["unpaid"]) else "")
    total = sum((Decimal(a["amount"]) for a in data["actions"]), Decimal("0.00"))
    assert f"In all {format_money(total)} of {money(data['budget'])}." in text
    # the demo's money does not cover the card's minimum: say so, and where to go
    assert "Some required payments are not covered this month" in text
    assert 'href="/negotiate"' in text


def test_the_chosen_strategy_month_by_month_is_the_cli_s(client: Any, folder: Path) -> None:
    text = client.get("/plan?strategy=avalanche").text
    plan = cli_json(folder, "plan", "--strategy", "avalanche")["plans"][0]
    assert 'chosen</span>' in compare_rows(text)["avalanche"]
    assert "Avalanche month by month" in text
    for debt in plan["debts"]:
        block = text[text.index(f'<details id="months-{debt["debt"]}">'):]
        block = block[:block.index("</details>")]
        rows = re.findall(r'<tr><th scope="row" class="num">(\d+)</th>'
                          r'<td class="num">([\d-]+)</td>((?:<td class="num">.*?</td>)+)</tr>',
                          block)
        # each debt month by month, to the month it is repaid
        dates = [m["pay_date"] for m in plan["months"]]
        shown = plan["months"][:dates.index(debt["payoff_date"]) + 1] \
            if debt["payoff_date"] else plan["months"]
        assert len(rows) == len(shown)
        for (number, pay_date, rest), month in zip(rows, shown, strict=True):
            figures = re.findall(r'<td class="num">(?:<span class="tag">)?([^<]*)', rest)
            mine = next(d for d in month["debts"] if d["debt"] == debt["debt"])
            assert int(number) == month["month"]
            assert pay_date == month["pay_date"]
            _owed, _required, paid, charges, balance, unpaid = figures
            assert paid == money(mine["paid"])
            assert balance == money(mine["balance"])
            assert charges == format_money(Decimal(mine["interest"]) + Decimal(mine["penalty"])
                                           + Decimal(mine["fees"]))
            assert unpaid == (money(mine["unpaid"]) if Decimal(mine["unpaid"]) else "")
        summary = text[text.index('<table id="detail-table">'):]
        assert f'<a href="#months-{debt["debt"]}">' in summary
        assert money(debt["paid"]) in summary


def test_the_optimal_split_on_request(client: Any,
                                      compared: dict[str, dict[str, Any]]) -> None:
    for path in ("/plan?strategy=avalanche&optimal=1", "/plan?strategy=optimal"):
        response = client.get(path)
        assert response.status_code == 200
        rows = compare_rows(response.text)
        assert list(rows) == ["avalanche", "snowball", "pro-rata", "risk-first", "optimal"]
        assert_row_matches(rows["optimal"], compared["optimal"])
        assert "Compute the optimal split too" not in response.text
    assert 'chosen</span>' in rows["optimal"]
    assert "Optimal month by month" in response.text


def test_your_own_order_and_the_chinese_comma(client: Any, folder: Path) -> None:
    plan = cli_json(folder, "plan", "--strategy", "custom", "--order", "3,1")["plans"][0]
    for order in ("3,1", "3，1", "#3 #1", "3、1"):
        response = client.get("/plan", params={"strategy": "custom", "order": order})
        assert response.status_code == 200, order
        rows = compare_rows(response.text)
        assert "custom" in rows
        assert_row_matches(rows["custom"], plan)
    assert "Your order month by month" in response.text


def test_a_monthly_amount_typed_in(client: Any, folder: Path) -> None:
    response = client.get("/plan", params={"budget": "3,000", "strategy": "snowball"})
    assert response.status_code == 200
    data = cli_json(folder, "plan", "--budget", "3000")
    plans = {p["strategy"]: p for p in data["plans"]}
    for key, row in compare_rows(response.text).items():
        assert_row_matches(row, plans[key])
    assert "¥3,000.00 a month for the debts, the amount you gave." in response.text
    statement = cli_json(folder, "plan", "month")["budget"]
    assert f"The budget statement leaves {money(statement)}." in response.text
    assert 'value="3,000"' in response.text


def test_the_chart_is_well_formed_svg_with_its_figures(client: Any,
                                                       demo: Callable[[], Store]) -> None:
    text = client.get("/plan").text
    figure = text[text.index('<figure class="chart"'):text.index("</figure>")]
    root = ET.fromstring(figure[figure.index("<svg"):figure.index("</svg>") + 6])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Total owed over time"
    lines = [p for p in root.iter("{http://www.w3.org/2000/svg}path")
             if "clip-path" in p.attrib and "stroke-width: 2" in p.get("style", "")]
    assert len(lines) == 4  # one line per strategy compared
    assert "<figcaption" in figure
    assert "Estimates from the preset rules." in figure
    with demo() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        given, _names, _source = plan_input_of(namer(Output.make("en", False)), tx, case, None,
                                               None, None, Strategy.PRO_RATA, today=DAY)
    plans = compare_strategies(given, optimal=False)
    table = figure[figure.index('<table id="plan-chart-table">'):]
    rows = re.findall(r'<tr><th scope="row" class="num">([\d-]+)[^<]*</th>(.*?)</tr>', table)
    series = [owed_series(plan) for plan in plans]
    assert len(rows) == max(len(s) for s in series)
    assert rows[0][0] == DAY.isoformat()
    for index, (day, row) in enumerate(rows):
        figures = re.findall(r'<td class="num">([^<]*)</td>', row)
        for points, plan, shown in zip(series, plans, figures, strict=True):
            if index < len(points):
                assert points[index][0].isoformat() == day
                assert shown == format_money(points[index][1])
            else:
                assert plan.totals.payoff_date is not None
                assert shown == "¥0.00"
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_money_on_the_page_is_always_to_the_fen(client: Any) -> None:
    text = client.get("/plan?strategy=risk-first").text
    amounts = re.findall(r"¥[-\d,.]+", text)
    assert len(amounts) > 100
    for amount in amounts:
        assert re.fullmatch(r"¥-?\d{1,3}(,\d{3})*\.\d\d", amount.rstrip(".,")), amount


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"budget": "abc"}, "budget", "monthly amount"),
        ({"budget": "-5"}, "budget", "monthly amount"),
        ({"budget": "0"}, "budget", "must be more than 0 (got 0)"),
        ({"strategy": "lottery"}, "strategy", "choose one of the listed options"),
        ({"strategy": "custom"}, "order", "give the order of the debts for your own order"),
        ({"strategy": "custom", "order": "1,9"}, "order",
         "names a debt that is not in the case: 9"),
        ({"strategy": "avalanche", "order": "2,2"}, "order", "names debt 2 twice"),
    ],
)
def test_bad_choices_come_back_with_the_message_next_to_the_field(
        client: Any, demo: Callable[[], Store], params: dict[str, str], field: str,
        message: str) -> None:
    with demo() as store, store.begin(readonly=True) as tx:
        before = dumps(export_case(tx, 1))
    response = client.get("/plan", params=params)
    assert response.status_code == 422
    text = response.text
    error = re.search(rf'<p class="error" id="f-{field}-error">([^<]*)</p>', text)
    assert error is not None
    assert message in error.group(1).replace("&#39;", "'")
    assert f'aria-describedby="f-{field}-error' in text
    assert 'id="error-summary"' in text
    assert f'<a href="#f-{field}">' in text
    for name, value in params.items():
        if name != "strategy":
            assert f'value="{value}"' in text  # what was typed stays
    assert "compare-table" not in text
    with demo() as store, store.begin(readonly=True) as tx:
        assert dumps(export_case(tx, 1)) == before


def test_in_chinese_the_figures_are_the_same(demo: Callable[[], Store],
                                             compared: dict[str, dict[str, Any]]) -> None:
    with WebClient(demo, lang="zh", today=DAY) as web:
        response = web.get("/plan")
        hant = web.get("/plan?lang=zh-Hant")
        wrong = web.get("/plan?budget=abc")
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.text
    for key, row in compare_rows(response.text).items():
        assert cells(row)[2] == money(compared[key]["totals"]["paid"])
    assert hant.status_code == 200
    assert wrong.status_code == 422
    assert 'id="f-budget-error"' in wrong.text


def test_no_case_no_debts_no_budget(tmp_path: Path) -> None:
    opener = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    with WebClient(opener, lang="en", today=DAY) as web:
        assert "There is no case yet" in web.get("/plan").text
        with opener() as store, store.begin() as tx:
            case = tx.add(Case(name="测试"))
            tx.use_case(case.id)
        assert "No open debts in case 1." in web.get("/plan").text
        with opener() as store, store.begin() as tx:
            tx.add(Debt(case_id=case.id, preset_id="huabei", principal=Decimal("3000.00"),
                        due_date=DAY - timedelta(days=20), label="花呗"))
        response = web.get("/plan")
        assert response.status_code == 200
        assert "There is no budget yet" in response.text
        assert 'href="/budget"' in response.text
        assert 'id="plan-form"' in response.text
        typed = web.get("/plan", params={"budget": "500"})
    assert typed.status_code == 200
    assert "¥500.00 a month for the debts, the amount you gave." in typed.text
    assert "The budget statement leaves" not in typed.text
    rows = compare_rows(typed.text)
    assert set(rows) == {"avalanche", "snowball", "pro-rata", "risk-first"}


def test_a_private_loan_without_a_rate_is_planned_without_interest(tmp_path: Path) -> None:
    """Issue 12: a family loan with no agreed rate bears no interest (Civil Code Art. 680);
    the plan no longer needs --annual-rate 0."""
    opener = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    with opener() as store, store.begin() as tx:
        case = tx.add(Case(name="测试"))
        tx.use_case(case.id)
        # not overdue and no rate anywhere (the informal-loan preset has none)
        tx.add(Debt(case_id=case.id, preset_id="informal_loan", principal=Decimal("5000.00")))
    with WebClient(opener, lang="en", today=DAY) as web:
        response = web.get("/plan", params={"budget": "800"})
    assert response.status_code == 200
    assert 'id="problem"' not in response.text
    assert "has no interest rate" not in response.text


def test_the_plan_page_only_reads(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en", today=DAY, read_only=True) as web:
        assert web.get("/plan").status_code == 200
        assert web.post("/plan", {"strategy": "avalanche"}).status_code == 405
