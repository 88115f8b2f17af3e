"""Step 4 of the web app, the budget: the statement, its flags, the affordable amount and its
split (the same figures as ``xieshang budget show``, to the fen), the statement form, and
importing an Alipay / WeChat Pay statement with a preview before anything is saved."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from webclient import WebClient
from xieshang.cli.serve import build_demo_store
from xieshang.clock import today
from xieshang.engine.budget import (
    BudgetLine,
    BudgetStatement,
    Household,
    Section,
    affordability,
    reference_ranges,
)
from xieshang.engine.money import format_money
from xieshang.importers import read_statement
from xieshang.output import Output
from xieshang.present.views import budget_report
from xieshang.services.budget import imported_lines, norms
from xieshang.store.db import Store, open_store
from xieshang.store.model import (
    Budget,
    BudgetEntry,
    Case,
    Debt,
    StatementImport,
    StatementRow,
    budget_statement,
)
from xieshang.web.pages import budget as budget_page

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = ROOT / "tests" / "data" / "statements"
TODAY = today()  # the demo case is built relative to the command line's today
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Opener = Callable[[], Store]


# ------------------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Opener:
    """The demo case, for reading tests (never written)."""
    return build_demo_store(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store built once, copied for each writing test."""
    folder = tmp_path_factory.mktemp("template")
    build_demo_store(folder)
    return folder


@pytest.fixture
def folder(tmp_path: Path, template: Path) -> Path:
    """A fresh copy of the demo store, for writing tests."""
    copy = tmp_path / "store"
    shutil.copytree(template, copy)
    return copy


@pytest.fixture
def client(folder: Path) -> Iterator[WebClient]:
    with WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY) as web:
        yield web


def dump(folder: Path) -> list[str]:
    """Everything in the database, as SQL (to compare before and after)."""
    with sqlite3.connect(folder / "xieshang.db") as db:
        return list(db.iterdump())


def report(opener: Opener, method: str = "pro_rata") -> dict[str, Any]:
    """What ``xieshang budget show --json`` works from."""
    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        found = budget_report(Output.make("en", False), tx, case, method, as_of=TODAY)
    assert found is not None
    return found


def lines_of(folder: Path) -> dict[str, tuple[str, Decimal, str]]:
    """The current case's budget lines: category → (section, amount, note)."""
    with open_store(data_dir=folder) as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        budget = tx.find(Budget, case_id=case.id)[-1]
        entries = tx.find(BudgetEntry, statement_id=budget.id)
    return {line.category: (line.section, line.amount, line.note) for line in entries}


def cells(page: str, table_id: str) -> list[list[str]]:
    """The text of each row's cells of the element with ``id=table_id`` (a table or a
    section holding one)."""
    start = page.index(f'id="{table_id}"')
    end = page.index("</table>", start)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page[start:end], flags=re.S):
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found])
    return rows


def text_of(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, flags=re.S)
    assert found is not None, element_id
    return html.unescape(found.group(1)).strip()


def form_values(page: str) -> dict[str, str]:
    """The values of every text input and selected option of the statement form."""
    values = {name: html.unescape(value) for name, value in re.findall(
        r'<input id="f-[^"]+" name="([^"]+)" type="text" value="([^"]*)"', page)}
    for name, body in re.findall(r'<select id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</select>',
                                 page, flags=re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = chosen.group(1) if chosen else ""
    return values


def upload(client: WebClient, name: str, fmt: str = "auto", column_map: str = "",
           data: bytes | None = None, media: str = "text/csv", **options: Any) -> Any:
    client.get("/budget/import")
    body = (STATEMENTS / name).read_bytes() if data is None else data
    return client.post("/budget/import", {"format": fmt, "column_map": column_map},
                       files={"file": (name, body, media)}, **options)


def waiting(client: WebClient) -> dict[str, budget_page.Pending]:
    uploads = getattr(client.app.state, "budget_uploads", None)
    return {} if uploads is None else dict(uploads.items)


# ------------------------------------------------------------------------ the budget page


def test_the_page_shows_the_cli_figures_to_the_fen(demo: Opener) -> None:
    expected = report(demo)
    working = expected["affordability"]
    with WebClient(demo, lang="en", today=TODAY) as web:
        page = web.get("/budget")
    assert page.status_code == 200
    assert text_of(page.text, "available") == format_money(working["available"]) == "¥1,125.00"
    assert text_of(page.text, "outcome-title") == "An amount to offer"
    assert text_of(page.text, "explanation") == working["explanation"]
    steps = [row for row in cells(page.text, "working") if len(row) == 3][1:]
    assert [(row[1], row[2]) for row in steps] == [
        (step["label"], format_money(step["amount"])) for step in working["steps"]]
    assert steps[0][0] == "+"
    assert steps[1][0] == "−"
    shares = cells(page.text, "split")[1:-1]
    assert [(row[0], row[1], row[2], row[3]) for row in shares] == [
        (share["name"], format_money(share["balance"]), f"{share['share'] * 100:.1f}%",
         format_money(share["amount"])) for share in expected["split"]["debts"]]
    assert len(shares) == 3
    assert text_of(page.text, "split-total") == format_money(working["available"])
    # the statement itself, section by section, with the notes
    income = cells(page.text, "section-income")
    assert income[0][:2] == ["Income", "¥8,300.00"]
    assert ["Wages after tax (you)", "¥4,800.00", "新工作"] in income
    assert "Tier-2 city (provincial capitals and similar)" in page.text
    assert 'href="/budget/edit"' in page.text
    assert 'href="/budget/import"' in page.text
    assert 'aria-current="step"' in page.text.split('href="/budget"', 1)[1][:30]


def test_the_page_in_chinese_has_the_same_figures(demo: Opener) -> None:
    expected = report(demo)["affordability"]["available"]
    with WebClient(demo, lang="zh", today=TODAY) as web:
        page = web.get("/budget")
    assert page.status_code == 200
    assert 'lang="zh-Hans"' in page.text
    assert text_of(page.text, "available") == format_money(expected)
    assert "工资（本人，税后）" in page.text
    assert "二线城市" in page.text


def test_the_priority_split_is_the_clis(folder: Path) -> None:
    opener = lambda: open_store(data_dir=folder)  # noqa: E731
    with WebClient(opener, lang="en", today=TODAY) as web:
        page = web.get("/budget?split=priority")
        assert page.status_code == 200
        assert 'id="no-priority"' in page.text  # no debt has a number: they share pro rata
        with open_store(data_dir=folder) as store, store.begin() as tx:
            debts = tx.find(Debt)
            tx.update(replace(debts[0], priority=1))
            tx.update(replace(debts[2], priority=2))
        page = web.get("/budget?split=priority")
    expected = report(opener, "priority")["split"]["debts"]
    shares = cells(page.text, "split")[1:-1]
    assert [(row[0], row[1], row[4]) for row in shares] == [
        (share["name"], str(index), format_money(share["amount"]))
        for share, index in zip(expected, ("1", "—", "2"), strict=True)]
    # number 1 takes everything (¥1,125.00 is less than what it is owed)
    assert [share["amount"] for share in expected] == [
        Decimal("1125.00"), Decimal("0.00"), Decimal("0.00")]
    assert 'id="no-priority"' not in page.text
    assert '<option value="priority" selected>' in page.text


def test_an_unknown_split_is_refused_next_to_its_field(demo: Opener) -> None:
    with WebClient(demo, lang="en", today=TODAY) as web:
        page = web.get("/budget?split=largest_first")
    assert page.status_code == 422
    assert 'id="f-split-error"' in page.text
    assert "choose one of the listed options" in page.text
    assert text_of(page.text, "available") == "¥1,125.00"  # shown pro rata meanwhile


def test_no_case_and_no_budget(tmp_path: Path) -> None:
    opener = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    with WebClient(opener, lang="en", today=TODAY) as web:
        page = web.get("/budget")
        assert page.status_code == 200
        assert "There is no case yet" in page.text
        assert 'href="/start"' in page.text
        edit = web.get("/budget/edit")
        assert 'id="f-case"' in edit.text
        before = dump(tmp_path)
        response = web.post("/budget/edit", {"adults": "1", "city_tier": "tier2",
                                             "amount_wages": "5000"})
        assert response.status_code == 422
        assert "There is no case yet: start at step 1." in response.text
        response = upload(web, "alipay_sample.csv")
        assert response.status_code == 422
        assert 'id="f-file-error"' in response.text
        assert waiting(web) == {}
        assert dump(tmp_path) == before
        with opener() as store, store.begin() as tx:
            case = tx.add(Case(name="李明"))
            tx.use_case(case.id)
        page = web.get("/budget")
    assert "No budget yet" in page.text
    assert 'href="/budget/edit"' in page.text


def test_a_stored_line_the_norms_do_not_know_is_explained(folder: Path) -> None:
    with open_store(data_dir=folder) as store, store.begin() as tx:
        entry = tx.find(BudgetEntry)[0]
        tx.update(replace(entry, category="lottery"))
    with WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY) as web:
        page = web.get("/budget")
        assert page.status_code == 200
        assert 'id="problem"' in page.text
        assert "'lottery' is not a budget category" in html.unescape(page.text)
        # the form says the line will go, and saving it makes the budget work again
        edit = web.get("/budget/edit")
        assert "<code>lottery</code>: ¥4,800.00 (新工作)" in edit.text
        values = form_values(edit.text) | {"amount_wages": "4800"}
        assert web.post("/budget/edit", values).status_code == 303
        page = web.get("/budget")
    assert 'id="problem"' not in page.text
    assert text_of(page.text, "available") == "¥1,125.00"
    assert "lottery" not in lines_of(folder)


# ----------------------------------------------------------------------- flags, sources


def test_flags_carry_the_lenders_question_and_their_sources(client: WebClient,
                                                            folder: Path) -> None:
    values = form_values(client.get("/budget/edit").text)
    values |= {"amount_food": "9000", "amount_transport": "", "amount_communications": ""}
    response = client.post("/budget/edit", values)
    assert response.status_code == 303
    page = client.get("/budget").text
    expected = report(lambda: open_store(data_dir=folder))
    groups = {flag["group"]: flag for flag in expected["flags"]}
    assert set(groups) == {"food", "transport_comm"}
    food = page.split('id="flag-food"', 1)[1].split("</li>", 1)[0]
    assert "far above" in food
    assert (f"{format_money(groups['food']['amount'])} is far above the reference of "
            f"{format_money(groups['food']['reference'])} (NBS 2024 [S])") in food
    assert groups["food"]["question"] in html.unescape(food)
    assert "Could you say why" in html.unescape(food)
    low = page.split('id="flag-transport_comm"', 1)[1].split("</li>", 1)[0]
    assert "far below" in low
    assert "Do they include the whole household" in html.unescape(low)
    assert "reference figure, estimate" in food
    # the sources: NBS figures [S], our scaling [C]
    assert "NBS: Household income and consumption expenditure in 2024" in page
    assert "[S]" in page
    assert "our modelling [C]" in page
    assert "https://www.stats.gov.cn/sj/zxfb/" in page
    # every group's reference figure, as the engine computes it
    with open_store(data_dir=folder) as store, store.begin(readonly=True) as tx:
        budget = tx.find(Budget)[-1]
        entries = tx.find(BudgetEntry, statement_id=budget.id)
        refs = reference_ranges(budget_statement(budget, entries), norms())
    table = page.split("Spending group (NBS)", 1)[1]
    for ref in refs:
        assert (f"<td class=\"num\">{format_money(ref.reference)}</td><td class=\"num\">"
                f"{format_money(ref.low)}</td><td class=\"num\">{format_money(ref.high)}</td>"
                ) in table


# --------------------------------------------------------------------------- the form


def test_the_form_shows_the_stored_statement(demo: Opener) -> None:
    with WebClient(demo, lang="en", today=TODAY) as web:
        page = web.get("/budget/edit")
    assert page.status_code == 200
    values = form_values(page.text)
    assert values["adults"] == "2"
    assert values["children_5_10"] == "1"
    assert values["city_tier"] == "tier2"
    assert values["buffer"] == ""
    assert values["amount_wages"] == "4800.00"
    assert values["note_wages"] == "新工作"
    assert values["amount_rent"] == "2200.00"
    assert values["amount_mortgage"] == ""
    assert len([name for name in values if name.startswith("amount_")]) == len(
        norms().categories)
    assert '<label for="f-amount_food">Food and housekeeping (meals out included)' in page.text
    assert '<label for="f-note_food">Note: Food and housekeeping' in page.text
    assert "Not counted as essential" in page.text  # on tobacco, leisure, gifts, other


def test_saving_the_form_writes_the_statement_in_one_go(client: WebClient,
                                                        folder: Path) -> None:
    values = form_values(client.get("/budget/edit").text)
    values |= {"adults": "1", "children_5_10": "0", "city_tier": "tier1", "buffer": "300",
               "amount_wages": "9,500", "note_wages": "含加班费", "amount_wages_partner": "",
               "amount_leisure": "", "amount_gifts": "1.2千", "note_gifts": "春节"}
    response = client.post("/budget/edit", values)
    assert response.status_code == 303
    assert response.headers["location"] == "/budget?saved=1"
    lines = lines_of(folder)
    assert lines["wages"] == ("income", Decimal("9500.00"), "含加班费")
    assert lines["gifts"] == ("flexible", Decimal("1200.00"), "春节")
    assert "wages_partner" not in lines
    assert "leisure" not in lines
    assert lines["rent"] == ("priority", Decimal("2200.00"), "")
    expected = report(lambda: open_store(data_dir=folder))
    assert expected["household"]["adults"] == 1
    assert expected["household"]["city_tier"] == "tier1"
    statement = BudgetStatement(
        household=Household(adults=1, city_tier="tier1"),
        lines=tuple(BudgetLine(Section(section), category, amount)
                    for category, (section, amount, _note) in lines.items()),
        buffer=Decimal("300.00"))
    assert expected["affordability"]["available"] == affordability(statement,
                                                                   norms()).available
    page = client.get("/budget?saved=1")
    assert text_of(page.text, "notice") == "The budget was saved."
    assert text_of(page.text, "available") == format_money(
        expected["affordability"]["available"])
    # saving the same values again changes nothing
    before = dump(folder)
    again = form_values(client.get("/budget/edit").text)
    assert client.post("/budget/edit", again).status_code == 303
    assert dump(folder) == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("amount_food", "abc", "is not an amount"),
    ("amount_food", "-5", "must not be negative"),
    ("amount_rent", "12.345", "decimal places"),
    ("amount_gifts", "", "type an amount for this line, or clear its note"),
    ("note_food", "x" * 501, "at most 500 characters"),
    ("adults", "0", "must be between 1 and 30"),
    ("adults", "", "this field is needed"),
    ("children_0_4", "two", "is not a whole number"),
    ("dependants", "31", "must be between 0 and 30"),
    ("city_tier", "mars", "choose one of the listed options"),
    ("buffer", "-100", "must not be negative"),
])
def test_a_bad_field_is_refused_next_to_it_and_nothing_is_written(
        client: WebClient, folder: Path, field: str, value: str, message: str) -> None:
    values = form_values(client.get("/budget/edit").text)
    values[field] = value
    if field == "amount_gifts":
        values["note_gifts"] = "红包"
    values["amount_wages"] = "9999"  # a good change beside the bad one: not saved either
    before = dump(folder)
    response = client.post("/budget/edit", values)
    assert response.status_code == 422
    assert dump(folder) == before
    error = re.search(rf'<p class="error" id="f-{field}-error">(.*?)</p>', response.text)
    assert error is not None
    assert message in html.unescape(error.group(1))
    assert f'aria-describedby="f-{field}-error' in response.text
    assert 'class="error-summary"' in response.text
    assert f'href="#f-{field}"' in response.text
    assert form_values(response.text)["amount_wages"] == "9999"  # what was typed stays


def test_the_label_names_the_line_in_the_message(client: WebClient) -> None:
    values = form_values(client.get("/budget/edit").text) | {"amount_food": "lots"}
    response = client.post("/budget/edit", values)
    assert ("Food and housekeeping (meals out included): &#39;lots&#39; is not an amount"
            in response.text)


def test_checking_the_figures_saves_nothing(client: WebClient, folder: Path) -> None:
    values = form_values(client.get("/budget/edit").text)
    values |= {"amount_wages": "3000", "action": "check"}
    before = dump(folder)
    response = client.post("/budget/edit", values)
    assert response.status_code == 200
    assert dump(folder) == before
    lines = tuple(BudgetLine(Section(c.section), c.id, Decimal(values[f"amount_{c.id}"]))
                  for c in norms().categories if values.get(f"amount_{c.id}"))
    expected = affordability(BudgetStatement(Household(adults=2, children_5_10=1), lines),
                             norms())
    assert expected.outcome.value == "breathing_space"
    assert text_of(response.text, "check-available") == format_money(expected.available)
    assert "Shortfall: income does not cover these" in response.text
    assert "Nothing has been saved yet." in response.text
    assert form_values(response.text)["amount_wages"] == "3000"


# ------------------------------------------------------------------------------ import


def test_import_preview_then_confirm_saves_exactly_what_was_shown(client: WebClient,
                                                                   folder: Path) -> None:
    before = dump(folder)
    response = upload(client, "alipay_sample.csv")
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/budget/import/[A-Za-z0-9_-]{30,}", location)
    assert dump(folder) == before  # read and kept in memory only
    preview = client.get(location)
    assert preview.status_code == 200
    assert dump(folder) == before
    text = preview.text
    result = read_statement(STATEMENTS / "alipay_sample.csv")
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", text))
    assert facts["Kind"] == "Alipay (CSV)"
    assert facts["Period covered"] == "2025-01-01 – 2025-03-25"
    assert facts["Months covered"] == "3"
    assert facts["Transactions counted"] == str(len(result.rows)) == "34"
    assert facts["Rows left out"] == "3"
    assert ["Wages after tax (you)", "¥8,500.00"] in cells(text, "income")
    assert ["Total", format_money(result.monthly_income_total)] in cells(text, "income")
    assert ["Rent", "¥2,800.00"] in cells(text, "spending")
    assert ["Total", format_money(result.monthly_spending_total)] in cells(text, "spending")
    assert ["Huabei (Alipay)", "¥1,076.83", format_money(result.debt_payment_totals["huabei"])
            ] in cells(text, "debt-payments")
    assert "refund for row 49, which is left out too" in text
    assert "Refunds are paired with the purchase" in text
    assert "王**" in text  # as the app masked it
    # what saving will change: every line found, now and after
    changes = [row for row in cells(text, "changes") if len(row) == 4][1:]
    expected = imported_lines(result, norms())
    assert len(changes) == len(expected)
    after = {row[1]: row[3] for row in changes}
    assert after["Rent"] == "¥2,800.00"
    assert after["Wages after tax (you)"] == "¥8,500.00"
    assert {row[1]: row[2] for row in changes}["Wages after tax (you)"] == "¥4,800.00"
    # save
    saved = client.post(location, {})
    assert saved.status_code == 303
    assert saved.headers["location"].startswith("/budget?imported=")
    lines = lines_of(folder)
    labels = {c.id: c.label.en for c in norms().categories}
    for (section, category), amount in expected.items():
        assert lines[category] == (section, amount, "alipay_sample.csv")
        assert after[labels[category]] == format_money(amount)
    assert lines["food"][1] == expected[("flexible", "food")]
    assert lines["school"] != ("fixed", Decimal("400.00"), "")  # replaced by the import
    with open_store(data_dir=folder) as store, store.begin(readonly=True) as tx:
        imports = tx.find(StatementImport)
        assert [(i.filename, i.format, i.months) for i in imports] == [
            ("alipay_sample.csv", "alipay", 3)]
        rows = tx.find(StatementRow, import_id=imports[0].id)
        assert len(rows) == int(facts["Transactions counted"])
        assert sum((r.amount for r in rows), Decimal(0)) == sum(
            (r.amount for r in result.rows), Decimal(0))
    assert waiting(client) == {}
    page = client.get(saved.headers["location"])
    assert text_of(page.text, "notice").startswith("Saved: alipay_sample.csv, 34 transactions "
                                                   "over 3 months.")
    assert "Imported statements" in page.text
    # the token is spent
    assert client.post(location, {}).status_code == 422


def test_a_wechat_workbook_and_a_csv_with_a_column_map(client: WebClient,
                                                       folder: Path) -> None:
    response = upload(client, "wechat_sample.xlsx", fmt="wechat", media=XLSX)
    assert response.status_code == 303
    text = client.get(response.headers["location"]).text
    assert "WeChat Pay (XLSX or CSV)" in text
    assert "顾***" in text  # a counterparty's name: its first character only
    assert "招商银行(0000)" not in text  # counterparties are personal (docs/data.md)
    assert "招" + "*" * 9 in text
    assert client.post(response.headers["location"], {}).status_code == 303
    response = upload(client, "generic_sample.csv", fmt="csv",
                      column_map="date=日期,amount=金额,direction=类型,description=摘要,"
                                 "counterparty=对方")
    assert response.status_code == 303
    text = client.get(response.headers["location"]).text
    assert "Another CSV file" in text
    assert ["Wages after tax (you)", "¥7,800.00"] in cells(text, "income")
    assert client.post(response.headers["location"], {}).status_code == 303
    with open_store(data_dir=folder) as store, store.begin(readonly=True) as tx:
        assert [i.format for i in tx.find(StatementImport)] == ["wechat", "csv"]


@pytest.mark.parametrize(("name", "fmt", "data", "field", "message"), [
    ("alipay_bad_amount.csv", "auto", None, "file", "row"),
    ("alipay_truncated_header.csv", "auto", None, "file", "alipay_truncated_header.csv"),
    ("alipay_utf16.csv", "auto", None, "file", "not UTF-8 or GBK"),
    ("wechat_sample.xlsx", "alipay", None, "file", "XLSX workbook"),
    ("photo.jpg", "auto", b"\xff\xd8\xff\xe0 not a statement \x00\x01", "file", "photo.jpg"),
    ("empty.csv", "auto", b"", "file", "The file is empty."),
    ("alipay_sample.csv", "paypal", None, "format", "choose one of the listed options"),
    ("generic_sample.csv", "csv", None, "file", "lacks the column(s) 没有这一列"),
])
def test_a_bad_file_is_refused_at_the_file_field(client: WebClient, folder: Path, name: str,
                                                 fmt: str, data: bytes | None, field: str,
                                                 message: str) -> None:
    before = dump(folder)
    response = upload(client, name, fmt=fmt, data=data,
                      column_map="date=日期,amount=没有这一列" if fmt == "csv" else "")
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="f-{field}-error">(.*?)</p>', response.text)
    assert error is not None, response.text
    assert message in html.unescape(error.group(1))
    assert "Traceback" not in response.text
    assert waiting(client) == {}
    assert dump(folder) == before


def test_a_bad_column_map_is_refused_before_reading(client: WebClient) -> None:
    response = upload(client, "generic_sample.csv", fmt="csv", column_map="date")
    assert response.status_code == 422
    assert 'id="f-column_map-error"' in response.text


def test_no_file_chosen(client: WebClient) -> None:
    client.get("/budget/import")
    response = client.post("/budget/import", {"format": "auto"})
    assert response.status_code == 422
    assert "Choose the exported file." in response.text


def test_a_file_over_the_limit_is_refused(client: WebClient, folder: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    before = dump(folder)
    big = b"x" * (budget_page.MAX_UPLOAD + 1)
    response = upload(client, "big.csv", data=big)
    assert response.status_code == 422
    assert "The file is larger than 20 MB; nothing was read." in response.text
    assert 'id="f-file-error"' in response.text
    # a request declaring far more is refused before it is read (not even its CSRF token)
    response = upload(client, "huge.csv", data=b"x" * (budget_page.MAX_UPLOAD + 2 * 2**20),
                      csrf=False)
    assert response.status_code == 422
    assert "The file is larger than 20 MB; nothing was read." in response.text
    # exactly at the limit is read (and here refused for what it holds, not its size)
    monkeypatch.setattr(budget_page, "MAX_UPLOAD", 1000)
    assert "larger than" not in upload(client, "ok.csv", data=b"x" * 1000).text
    assert "larger than" in upload(client, "big.csv", data=b"x" * 1001).text
    assert waiting(client) == {}
    assert dump(folder) == before


def test_confirm_with_an_unknown_token_writes_nothing(client: WebClient,
                                                     folder: Path) -> None:
    before = dump(folder)
    client.get("/budget/import")
    response = client.post("/budget/import/not-a-token", {})
    assert response.status_code == 422
    assert "This preview is no longer here" in response.text
    assert 'id="f-file-error"' in response.text
    assert client.get("/budget/import/not-a-token").status_code == 404
    assert dump(folder) == before


def test_an_expired_upload_is_forgotten(client: WebClient, folder: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(budget_page, "_now", lambda: clock[0])
    before = dump(folder)
    location = upload(client, "alipay_sample.csv").headers["location"]
    clock[0] += budget_page.KEEP_SECONDS - 1
    assert client.get(location).status_code == 200
    clock[0] += 2
    assert client.get(location).status_code == 404
    assert client.post(location, {}).status_code == 422
    assert waiting(client) == {}
    assert dump(folder) == before


def test_an_upload_belongs_to_its_session(client: WebClient, folder: Path) -> None:
    before = dump(folder)
    location = upload(client, "alipay_sample.csv").headers["location"]
    client.client.cookies.clear()  # another browser: a new session
    client.get("/budget/import")
    assert client.get(location).status_code == 404
    assert client.post(location, {}).status_code == 422
    assert len(waiting(client)) == 1
    assert dump(folder) == before


def test_a_new_upload_replaces_the_previous_one_and_discard_forgets(client: WebClient,
                                                                    folder: Path) -> None:
    before = dump(folder)
    first = upload(client, "alipay_sample.csv").headers["location"]
    second = upload(client, "wechat_sample.xlsx", media=XLSX).headers["location"]
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    response = client.post(second + "/discard", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/budget/import"
    assert client.get(second).status_code == 404
    assert waiting(client) == {}
    assert dump(folder) == before


def test_the_same_file_is_not_imported_twice(client: WebClient, folder: Path) -> None:
    location = upload(client, "alipay_sample.csv").headers["location"]
    assert client.post(location, {}).status_code == 303
    before = dump(folder)
    response = upload(client, "alipay_sample.csv")
    assert response.status_code == 422
    assert "alipay_sample.csv was already imported on" in response.text
    assert waiting(client) == {}
    assert dump(folder) == before


def test_the_waiting_uploads_stay_under_their_memory_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget_page, "MAX_HELD", 25)
    clock = [0.0]
    monkeypatch.setattr(budget_page, "_now", lambda: clock[0])
    uploads = budget_page.Uploads()

    def pending(sid: str) -> budget_page.Pending:
        clock[0] += 1
        return budget_page.Pending(sid=sid, case_id=1, filename="a.csv", data=b"x" * 10,
                                   fmt=None, column_map=None, digest="", created=clock[0])

    first = uploads.put(pending("a"))
    second = uploads.put(pending("b"))
    third = uploads.put(pending("c"))  # 30 bytes would be too many: the oldest goes
    assert uploads.get(first, "a") is None
    assert uploads.get(second, "b") is not None
    assert uploads.get(third, "c") is not None
    assert uploads.get(third, "b") is None
    assert uploads.get(third, "") is None


# --------------------------------------------------------------------- CSRF, read-only


POSTS = [("/budget/edit", {"adults": "1", "city_tier": "tier2", "amount_wages": "1"}),
         ("/budget/import", {"format": "auto"})]


@pytest.mark.parametrize(("path", "data"), POSTS)
def test_a_form_without_its_csrf_token_is_refused(client: WebClient, folder: Path,
                                                  path: str, data: dict[str, str]) -> None:
    client.get("/budget")
    before = dump(folder)
    files = {"file": ("a.csv", (STATEMENTS / "alipay_sample.csv").read_bytes(), "text/csv")}
    response = client.post(path, data, csrf=False,
                           files=files if path == "/budget/import" else None)
    assert response.status_code == 403
    assert waiting(client) == {}
    assert dump(folder) == before


def test_confirm_and_discard_without_the_token_are_refused(client: WebClient,
                                                          folder: Path) -> None:
    before = dump(folder)
    location = upload(client, "alipay_sample.csv").headers["location"]
    assert client.post(location, {}, csrf=False).status_code == 403
    assert client.post(location + "/discard", {}, csrf=False).status_code == 403
    assert len(waiting(client)) == 1
    assert dump(folder) == before


def test_a_read_only_copy_refuses_every_form(folder: Path) -> None:
    before = dump(folder)
    with WebClient(lambda: open_store(data_dir=folder), lang="en", today=TODAY,
                   read_only=True) as web:
        edit = web.get("/budget/edit")
        assert edit.status_code == 200
        assert "This copy of xieshang is read-only." in edit.text
        assert 'value="save"' not in edit.text
        values = form_values(edit.text)
        assert web.post("/budget/edit", values).status_code == 403
        response = upload(web, "alipay_sample.csv")
        assert response.status_code == 403
        assert waiting(web) == {}
        assert web.post("/budget/import/whatever", {}).status_code == 403
        assert web.get("/budget").status_code == 200
    assert dump(folder) == before


# ------------------------------------------------------------------------------ masking


@pytest.mark.parametrize(("text", "masked"), [
    ("转账给13812345678", "转账给138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("6222021234567890123", "**** **** **** 0123"),
    ("卡号 6222 0212 3456 7890", "卡号 **** **** **** 7890"),
    ("身份证110101199001010007", "身份证1101**********0007"),
    ("11010119900101000X", "1101**********000X"),
    ("someone@example.com", "som***@example.com"),
    ("2025-03-01 房租", "2025-03-01 房租"),
    ("招商银行(0000)", "招商银行(0000)"),
    ("订单 123456", "订单 123456"),
    ("账号 12345678", "账号 ******78"),
])
def test_numbers_that_look_personal_are_masked(text: str, masked: str) -> None:
    assert budget_page.mask_numbers(text) == masked


def test_the_preview_masks_personal_numbers(client: WebClient) -> None:
    source = (STATEMENTS / "alipay_sample.csv").read_bytes().decode("gb18030")
    source = source.replace("启明在线教育", "13812345678", 1)
    data = source.encode("gb18030")
    location = upload(client, "alipay_phone.csv", data=data).headers["location"]
    text = client.get(location).text
    assert "13812345678" not in text
    assert "138****5678" in text
