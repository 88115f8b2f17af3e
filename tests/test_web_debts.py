"""Step 2 of the web app, "Debts": each debt's bill today (the same figures as
``xieshang status``, to the fen), and the forms to add, change, close and remove a debt (the
same parsing as ``xieshang debt add``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from webclient import WebClient
from xieshang.cli.main import app as cli
from xieshang.cli.render import debt_json
from xieshang.cli.serve import build_demo_store
from xieshang.clock import today
from xieshang.engine.money import format_money
from xieshang.output import Output
from xieshang.present.views import status_lines
from xieshang.services.debts import current_bill
from xieshang.store.db import Store, open_store
from xieshang.store.model import RECORDS, Case, Debt, Payment
from xieshang.web.pages.debts import PRODUCT_ORDER, rate_text

CARD = "4111 1111 1111 1111"  # the well-known Luhn-valid test card number
CARD_DIGITS = CARD.replace(" ", "")


def snapshot(opener: Callable[[], Store]) -> dict[str, Any]:
    """Every record and every setting: equal snapshots mean nothing was written."""
    from sqlalchemy import select

    from xieshang.store import schema

    with opener() as store, store.begin(readonly=True) as tx:
        records: dict[str, Any] = {kind.TABLE: tx.find(kind) for kind in RECORDS}
        records["settings"] = sorted(tuple(row) for row in
                                     tx.connection.execute(select(schema.settings)).all())
    return records


def error_ids(html: str) -> set[str]:
    return set(re.findall(r'id="f-([a-z_]+)-error"', html))


def cell(html: str, ident: str) -> str:
    found = re.search(rf'id="{re.escape(ident)}">([^<]*)<', html)
    assert found, ident
    return found.group(1)


def debts_of(opener: Callable[[], Store]) -> list[Debt]:
    with opener() as store, store.begin(readonly=True) as tx:
        return tx.find(Debt)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def fresh(tmp_path: Path) -> Callable[[], Store]:
    return build_demo_store(tmp_path)


@pytest.fixture
def client(fresh: Callable[[], Store]) -> Iterator[WebClient]:
    with WebClient(fresh, lang="en") as web:
        web.get("/debts")
        yield web


# ---------------------------------------------------------------------------- the list


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_debts_bill_equals_the_status_command(demo: Callable[[], Store],
                                                   lang: str) -> None:
    day = today()
    with demo() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        lines = status_lines(Output.make(lang, False), tx, case.id, day)
    with WebClient(demo, lang=lang) as web:
        page = web.get("/debts")
    assert page.status_code == 200
    html = page.text
    assert len(lines) == 3
    for line in lines:
        ident = line["id"]
        assert cell(html, f"total-{ident}") == format_money(line["total"])
        assert cell(html, f"daily-{ident}") == format_money(line["daily_cost"])
        bill = html.split(f'id="bill-{ident}"', 1)[1].split("</table>", 1)[0]
        amounts = re.findall(r'<td class="num">([^<]*)</td>', bill)
        assert amounts[:4] == [format_money(line[key]) for key in
                               ("principal", "interest", "penalty", "fees")]
        assert f'href="/consequences#debt-{ident}"' in html
        assert f'id="debt-{ident}"' in html
    total = sum((line["total"] for line in lines), Decimal("0.00"))
    daily = sum((line["daily_cost"] for line in lines), Decimal("0.00"))
    assert cell(html, "total") == format_money(total)
    assert cell(html, "daily") == format_money(daily)
    assert html.count("<h1") == 1


def test_the_rules_used_are_shown_with_their_sources(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as web:
        html = web.get("/debts").text
    huabei = html.split('id="rules-1"', 1)[1].split("</ul>", 1)[0]
    assert "0.05% a day" in huabei
    assert "Source: [S]" in " ".join(huabei.split())  # the lender's pages are the links
    assert "rules-cn" not in huabei
    assert "secondary source, not verified against the contract" in huabei
    assert "[NF]" in huabei  # grace days: a default, not a fact
    assert "not verified: a default you can change" in huabei
    jiebei = html.split('id="rules-2"', 1)[1].split("</ul>", 1)[0]
    assert "0.075% a day (1.5 × the contract rate)" in jiebei
    card = html.split('id="rules-3"', 1)[1].split("</ul>", 1)[0]
    assert "5% of the unpaid minimum, at least ¥10.00" in card
    assert "Principal not yet due (later installments): ¥8,000.00." in html
    assert 'href="/questions#q-one-day-late"' in html
    assert "Overdue since" in html


def test_a_debt_not_overdue_and_a_closed_one(fresh: Callable[[], Store]) -> None:
    with fresh() as store, store.begin() as tx:
        case = tx.current_case()
        assert case is not None
        fine = tx.add(Debt(case_id=case.id, preset_id="jd_baitiao", principal=Decimal("500.00"),
                           due_day=15, account_number=CARD_DIGITS))
        tx.add(Payment(debt_id=fine.id, paid_on=today(), amount=Decimal("100.00")))
        closed = tx.add(Debt(case_id=case.id, preset_id="huabei", principal=Decimal("9.99"),
                             status="settled"))
    with WebClient(fresh, lang="en") as web:
        html = web.get("/debts").text
    card = html.split(f'id="debt-{fine.id}"', 1)[1].split("</section>", 1)[0]
    assert "Not overdue" in card
    assert cell(card, f"total-{fine.id}") == "¥400.00"  # entered less payments
    assert cell(card, f"daily-{fine.id}") == "¥0.00"
    assert "Payments recorded: 1, together ¥100.00" in card
    assert "Repayment day of the month: 15." in card
    assert "**** **** **** 1111" in card
    settled = html.split('id="closed"', 1)[1]
    assert f'id="debt-{closed.id}"' in settled
    assert "settled" in settled
    assert "¥9.99" in settled
    assert CARD_DIGITS not in html
    assert CARD_DIGITS[:12] not in html


def test_no_case_yet(tmp_path: Path) -> None:
    with WebClient(lambda: open_store(data_dir=tmp_path), lang="en") as web:
        for path in ("/debts", "/debts/new"):
            page = web.get(path)
            assert page.status_code == 200
            assert 'href="/start"' in page.text
        web.get("/debts")
        response = web.post("/debts/new", {"product": "huabei", "amount": "100"})
    assert response.status_code == 422
    assert "create it in step 1 first" in response.text
    with open_store(data_dir=tmp_path) as store, store.begin(readonly=True) as tx:
        assert tx.count(Debt) == 0


# ------------------------------------------------------------------------------- add


def test_the_rules_list_writes_the_colon_of_the_page_language(
        demo: Callable[[], Store]) -> None:
    """The rules list is an imported macro: imported ``with context`` it sees the page's
    language, so a Chinese page reads 「日费率：0.05%」 with a full-width colon."""
    with WebClient(demo, lang="zh") as web:
        html = web.get("/debts").text
        form = web.get("/debts/new?product=huabei").text
    for page in (html, form):
        rules = page.split('class="rules"', 1)[1].split("</ul>", 1)[0]
        items = re.findall(r"<li><strong>[^<]*</strong>(.)", rules)
        assert items
        assert set(items) == {"："}


def test_choose_the_product_first(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as web:
        page = web.get("/debts/new")
        assert page.status_code == 200
        options = re.findall(r'<option value="([a-z_]+)"', page.text)
        assert options[:len(PRODUCT_ORDER)] == list(PRODUCT_ORDER)
        assert 'method="get" action="/debts/new"' in page.text
        for product in PRODUCT_ORDER:
            assert f'id="preset-{product}"' in page.text
        wrong = web.get("/debts/new?product=nonsense")
    from xieshang.paths import preset_dir
    from xieshang.rules import load_presets

    assert set(PRODUCT_ORDER) <= set(load_presets(preset_dir()))
    assert wrong.status_code == 422
    assert "product" in error_ids(wrong.text)


def test_the_form_shows_the_products_defaults_and_sources(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as web:
        jiebei = web.get("/debts/new?product=jiebei").text
        informal = web.get("/debts/new?product=informal_loan").text
    assert '<input type="hidden" name="product" value="jiebei">' in jiebei
    assert 'name="label" type="text" value="Jiebei (Alipay)"' in jiebei
    assert "Leave empty to use the product&#39;s rate: 0.05% a day." in jiebei
    assert "Leave empty to use the product&#39;s: 0.075% a day." in jiebei
    assert "rules-cn" not in jiebei
    assert "Chongqing Ant Consumer Finance Co., Ltd." in jiebei
    assert '<option value="daily" selected>' in jiebei
    # a product without a standard rate asks for the contract's, quoted a year by default
    assert "enter the rate in your contract or IOU" in informal
    assert '<option value="annual" selected>' in informal
    # inline checks (htmx) on the fields, never on the account number
    assert 'hx-post="/debts/check?field=amount"' in jiebei
    assert 'hx-trigger="change"' in jiebei
    account = jiebei.split('id="f-account"', 1)[1].split(">", 1)[0]
    assert "hx-post" not in account


def test_add_a_debt_as_the_command_line_does(client: WebClient, fresh: Callable[[], Store],
                                             tmp_path: Path) -> None:
    first = (today() - timedelta(days=10)).isoformat()
    form = {"product": "credit_card_cn", "label": "招行信用卡", "lender": "招商银行",
            "account": CARD, "amount": "¥12,000.50", "interest": "35.5", "fees": "",
            "not_yet_due": "", "overdue_since": first, "rate": "18%", "rate_basis": "annual",
            "penalty_rate": "万分之五", "minimum": "1200", "due_day": "5", "priority": "1",
            "notes": "工资卡"}
    response = client.post("/debts/new", form)
    assert response.status_code == 303
    added = debts_of(fresh)[-1]
    assert response.headers["location"] == f"/debts#debt-{added.id}"
    # the same options through `xieshang debt add` give the same debt
    other = tmp_path / "cli"
    runner = CliRunner()
    assert runner.invoke(cli, ["--data-dir", str(other), "case", "new", "--name", "x"],
                         catch_exceptions=False).exit_code == 0
    result = runner.invoke(cli, [
        "--data-dir", str(other), "debt", "add", "--product", "credit_card_cn",
        "--label", "招行信用卡", "--lender", "招商银行", "--account", CARD,
        "--amount", "¥12,000.50", "--interest", "35.5", "--overdue-since", first,
        "--annual-rate", "18%", "--penalty-rate", "万分之五", "--minimum", "1200",
        "--due-day", "5", "--priority", "1", "--notes", "工资卡"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = Output.make("en", False)
    with open_store(data_dir=other) as store, store.begin(readonly=True) as tx:
        expected = tx.find(Debt)[0]
    keys = set(debt_json(out, added)) - {"id"}
    assert {k: debt_json(out, added)[k] for k in keys} == \
        {k: debt_json(out, expected)[k] for k in keys}
    assert added.account_number == CARD_DIGITS
    # and its bill on the page is the engine's, to the fen
    with fresh() as store, store.begin(readonly=True) as tx:
        bill, _engine = current_bill(tx, added, today())
    assert bill is not None
    page = client.get("/debts").text
    assert cell(page, f"total-{added.id}") == format_money(bill.total)
    assert cell(page, f"daily-{added.id}") == format_money(bill.daily_cost)
    assert CARD_DIGITS not in page
    assert CARD not in page


def test_add_with_only_the_amount_uses_the_products_rules(client: WebClient,
                                                           fresh: Callable[[], Store]) -> None:
    response = client.post("/debts/new", {"product": "weilidai", "amount": "800",
                                          "rate_basis": "daily"})
    assert response.status_code == 303
    added = debts_of(fresh)[-1]
    assert (added.preset_id, added.principal, added.interest, added.due_date,
            added.contract_rate, added.penalty_daily_rate, added.account_number,
            added.minimum, added.lender) == ("weilidai", Decimal("800.00"), Decimal("0.00"),
                                             None, None, None, None, None, "")


def test_add_errors_are_shown_by_their_fields_and_save_nothing(
        client: WebClient, fresh: Callable[[], Store]) -> None:
    before = snapshot(fresh)
    wrong_card = CARD_DIGITS[:-1] + "2"
    response = client.post("/debts/new", {
        "product": "huabei", "amount": "-5", "account": wrong_card, "interest": "abc",
        "overdue_since": (today() + timedelta(days=30)).isoformat(), "rate": "5",
        "rate_basis": "daily", "penalty_rate": "-1%", "minimum": "x", "due_day": "40",
        "priority": "0", "label": "x" * 201})
    assert response.status_code == 422
    assert error_ids(response.text) == {"amount", "account", "interest", "overdue_since",
                                        "rate", "penalty_rate", "minimum", "due_day",
                                        "priority", "label"}
    assert "the check digit does not match" in response.text
    assert "must be between 1 and 31 (got 40)" in response.text
    assert "must not be in the future" in response.text
    assert "Nothing was saved" in response.text
    assert wrong_card not in response.text  # a personal number is never sent back
    assert 'value="-5"' in response.text  # other fields come back as typed
    response = client.post("/debts/new", {"product": "huabei", "amount": "",
                                          "rate": "1%", "rate_basis": "weekly"})
    assert response.status_code == 422
    assert error_ids(response.text) == {"amount", "rate_basis"}
    response = client.post("/debts/new", {"product": "nonsense", "amount": "5"})
    assert response.status_code == 422
    assert error_ids(response.text) == {"product"}
    assert snapshot(fresh) == before


def test_the_inline_check_returns_the_field(client: WebClient) -> None:
    client.get("/debts/new?product=huabei")
    bad = client.post("/debts/check?field=due_day", {"product": "huabei", "due_day": "0"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 200
    assert bad.text.strip().startswith('<div class="field invalid">')
    assert 'id="f-due_day-error"' in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert 'hx-post="/debts/check?field=due_day"' in bad.text  # keeps checking
    good = client.post("/debts/check?field=amount", {"product": "huabei", "amount": "1,000"},
                       headers={"HX-Request": "true"})
    assert good.status_code == 200
    assert "error" not in good.text
    assert 'value="1,000"' in good.text
    rate = client.post("/debts/check?field=rate", {"product": "huabei", "rate": "5",
                                                   "rate_basis": "annual"})
    assert 'id="f-rate-error"' in rate.text
    assert client.post("/debts/check?field=account",
                       {"account": CARD}).status_code == 404
    assert client.post("/debts/check?field=amount", {"amount": "1"},
                       csrf=False).status_code == 403


# ------------------------------------------------------------------------------ edit


def test_edit_form_is_filled_in_without_the_account_number(
        client: WebClient, fresh: Callable[[], Store]) -> None:
    debt = debts_of(fresh)[0]
    with fresh() as store, store.begin() as tx:
        tx.update(replace(debt, account_number=CARD_DIGITS, contract_rate=Decimal("0.18"),
                          contract_rate_basis="annual"))
    page = client.get(f"/debts/{debt.id}/edit").text
    assert 'name="amount" type="text" value="3280.50"' in page
    assert 'name="rate" type="text" value="18%"' in page
    assert '<option value="annual" selected>' in page
    assert '<option value="huabei" selected>' in page
    assert "Leave empty to keep the saved number (**** **** **** 1111)" in page
    assert 'name="clear_account"' in page
    assert CARD_DIGITS not in page
    assert 'name="account" type="text" value=""' in page


def test_edit_a_debt(client: WebClient, fresh: Callable[[], Store]) -> None:
    debt = debts_of(fresh)[0]
    with fresh() as store, store.begin() as tx:
        tx.update(replace(debt, account_number=CARD_DIGITS,
                          adjustments={"grace_days": "3"}, adjustments_confirmed_on=today()))
    form = {"product": "huabei", "label": "花呗", "amount": "3000", "overdue_since":
            (today() - timedelta(days=5)).isoformat(), "rate_basis": "daily",
            "status": "arrangement", "account": "", "clear_adjustments": "1", "notes": "改"}
    assert client.post(f"/debts/{debt.id}/edit", form).status_code == 303
    changed = debts_of(fresh)[0]
    assert (changed.principal, changed.label, changed.status, changed.account_number,
            changed.adjustments, changed.notes) == (Decimal("3000.00"), "花呗", "arrangement",
                                                    CARD_DIGITS, None, "改")
    assert changed.due_date == today() - timedelta(days=6)
    form.update(clear_account="1", status="open")
    assert client.post(f"/debts/{debt.id}/edit", form).status_code == 303
    assert debts_of(fresh)[0].account_number is None


def test_edit_errors_save_nothing(client: WebClient, fresh: Callable[[], Store]) -> None:
    debt = debts_of(fresh)[0]
    before = snapshot(fresh)
    response = client.post(f"/debts/{debt.id}/edit", {
        "product": "huabei", "amount": "0", "status": "forgotten", "rate_basis": "daily"})
    assert response.status_code == 422
    assert error_ids(response.text) == {"amount", "status"}
    assert "must be more than 0" in response.text
    assert f'action="/debts/{debt.id}/edit"' in response.text
    assert snapshot(fresh) == before


def test_unknown_or_foreign_debts_are_not_found(client: WebClient,
                                                fresh: Callable[[], Store]) -> None:
    with fresh() as store, store.begin() as tx:
        other = tx.add(Case(name="someone else"))
        foreign = tx.add(Debt(case_id=other.id, preset_id="huabei", principal=Decimal("1")))
    before = snapshot(fresh)
    for ident in ("999", str(foreign.id), "abc"):
        assert client.get(f"/debts/{ident}/edit").status_code == 404
        assert client.get(f"/debts/{ident}/remove").status_code == 404
        for action in ("edit", "remove", "close"):
            response = client.post(f"/debts/{ident}/{action}",
                                   {"product": "huabei", "amount": "5", "confirm": "1"})
            assert response.status_code == 404
    assert snapshot(fresh) == before


# ----------------------------------------------------------------------- remove, close


def test_remove_asks_first_then_removes_the_debt_and_its_payments(
        client: WebClient, fresh: Callable[[], Store]) -> None:
    debt = debts_of(fresh)[0]
    with fresh() as store, store.begin() as tx:
        tx.add(Payment(debt_id=debt.id, paid_on=today(), amount=Decimal("50.00")))
    page = client.get(f"/debts/{debt.id}/remove")
    assert page.status_code == 200
    assert "Remove debt #1 花呗 账单 and its payments? This cannot be undone." in page.text
    assert "Payments recorded: 1." in page.text
    before = snapshot(fresh)
    refused = client.post(f"/debts/{debt.id}/remove", {})
    assert refused.status_code == 422
    assert error_ids(refused.text) == {"confirm"}
    assert snapshot(fresh) == before
    assert client.post(f"/debts/{debt.id}/remove", {"confirm": "1"}).status_code == 303
    with fresh() as store, store.begin(readonly=True) as tx:
        assert tx.get(Debt, debt.id) is None
        assert tx.find(Payment, debt_id=debt.id) == []
    assert f'id="debt-{debt.id}"' not in client.get("/debts").text


def test_close_keeps_the_debt_out_of_the_totals(client: WebClient,
                                                fresh: Callable[[], Store]) -> None:
    debt = debts_of(fresh)[0]
    response = client.post(f"/debts/{debt.id}/close", {})
    assert response.status_code == 303
    assert debts_of(fresh)[0].status == "closed"
    with fresh() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        lines = status_lines(Output.make("en", False), tx, case.id, today())
    html = client.get("/debts").text
    assert len(lines) == 2
    assert cell(html, "total") == format_money(sum((line["total"] for line in lines),
                                                   Decimal("0.00")))
    assert f'id="debt-{debt.id}"' in html.split('id="closed"', 1)[1]
    assert "Mark it closed" not in client.get(f"/debts/{debt.id}/remove").text


# ------------------------------------------------------------------------- security

POSTS: list[tuple[str, dict[str, str]]] = [
    ("/debts/new", {"product": "huabei", "amount": "100"}),
    ("/debts/1/edit", {"product": "huabei", "amount": "100", "status": "open"}),
    ("/debts/1/remove", {"confirm": "1"}),
    ("/debts/1/close", {}),
]


def test_posts_without_the_csrf_token_are_refused(client: WebClient,
                                                  fresh: Callable[[], Store]) -> None:
    before = snapshot(fresh)
    for path, data in POSTS:
        assert client.post(path, data, csrf=False).status_code == 403, path
    assert snapshot(fresh) == before


def test_read_only_refuses_every_change(fresh: Callable[[], Store]) -> None:
    before = snapshot(fresh)
    with WebClient(fresh, lang="en", read_only=True) as web:
        assert web.get("/debts").status_code == 200
        assert web.get("/debts/1/edit").status_code == 200
        for path, data in POSTS:
            response = web.post(path, data)
            assert response.status_code == 403, path
    assert snapshot(fresh) == before


def test_a_locked_store_refuses_a_new_account_number(tmp_path: Path) -> None:
    """With personal data encrypted and no passphrase, a new number cannot be saved: the
    form says so by the field and nothing is written."""
    opener = build_demo_store(tmp_path)
    with opener() as store, store.begin() as tx:
        tx.enable_encryption("correct horse")
    locked = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    before = snapshot(locked)
    with WebClient(locked, lang="en") as web:
        web.get("/debts")
        response = web.post("/debts/new", {"product": "huabei", "amount": "10",
                                           "account": CARD})
    assert response.status_code == 422
    assert "account" in error_ids(response.text)
    assert "Personal details are encrypted and locked" in response.text
    assert snapshot(locked) == before


def test_rate_text_is_exact() -> None:
    assert rate_text(Decimal("0.00075")) == "0.075%"
    assert rate_text(Decimal("0.18")) == "18%"
    assert rate_text(Decimal("0.0005")) == "0.05%"
