"""Issue 12 on the web debt form: an installment loan entered as its app shows it, and
input that cannot be stored (a date in 1900, a 40-digit amount, a rate without a unit)
refused with 422 and the form shown again, nothing written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from test_web_debts import debts_of, error_ids, snapshot
from webclient import WebClient
from xieshang.cli.serve import build_demo_store
from xieshang.store.db import Store

LOAN = {"product": "jiebei", "label": "借呗 12 期", "borrowed": "20000", "periods": "12",
        "method": "annuity", "first_due": "2026-09-10", "paid_periods": "1",
        "rate": "0.045%", "rate_basis": "daily"}


@pytest.fixture
def fresh(tmp_path: Path) -> Callable[[], Store]:
    return build_demo_store(tmp_path)


@pytest.fixture
def client(fresh: Callable[[], Store]) -> Iterator[WebClient]:
    with WebClient(fresh, lang="en") as web:
        web.get("/debts")
        yield web


def test_the_form_asks_what_the_loan_app_shows(client: WebClient) -> None:
    html = client.get("/debts/new?product=jiebei").text
    for name in ("borrowed", "periods", "method", "first_due", "paid_periods", "rate"):
        assert f'name="{name}"' in html
    for words in ("借款金额", "首期还款日", "已还期数"):
        assert words in html


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_a_loan_by_its_terms_is_stored_with_its_first_unpaid_installment(
        client: WebClient, fresh: Callable[[], Store]) -> None:
    """20,000 over 12 periods at 0.045 %/day, period 1 repaid: the first unpaid one is
    period 2, due 2026-10-10, principal 1,569.55 and interest 249.21; the principal of
    periods 3–12 is 20,000 − 1,539.76 − 1,569.55 = 16,890.69 (see test_loans)."""
    before = len(debts_of(fresh))
    response = client.post("/debts/new", LOAN)
    assert response.status_code == 303, response.text
    debt = debts_of(fresh)[before]
    assert (debt.borrowed, debt.periods, debt.paid_periods) == (Decimal("20000.00"), 12, 1)
    assert (debt.principal, debt.interest, debt.not_yet_due) == (
        Decimal("1569.55"), Decimal("249.21"), Decimal("16890.69"))
    assert debt.due_date == date(2026, 10, 10)
    html = client.get("/debts").text
    assert "Installment 2 due 2026-10-10: ¥1,818.76" in html
    assert "Installment 3 due 2026-11-10: ¥1,818.76" in html


@pytest.mark.parametrize(("field", "value"), [
    ("first_due", "1900-01-01"),
    ("borrowed", "1" * 40),
    ("rate", "0.045"),
])
def test_unusable_loan_input_is_refused_and_nothing_is_written(
        client: WebClient, fresh: Callable[[], Store], field: str, value: str) -> None:
    before = snapshot(fresh)
    response = client.post("/debts/new", {**LOAN, field: value})
    assert response.status_code == 422
    assert field in error_ids(response.text)
    assert snapshot(fresh) == before


@pytest.mark.parametrize(("field", "value"), [
    ("overdue_since", "1900-01-01"),
    ("amount", "1" * 40),
])
def test_a_1900_date_and_a_40_digit_amount_on_the_bill_form(
        client: WebClient, fresh: Callable[[], Store], field: str, value: str) -> None:
    before = snapshot(fresh)
    form = {"product": "huabei", "amount": "100", "overdue_since": "2026-10-01", field: value}
    response = client.post("/debts/new", form)
    assert response.status_code == 422
    assert field in error_ids(response.text)
    assert snapshot(fresh) == before


def test_an_unusually_high_rate_is_confirmed_with_a_tick(
        client: WebClient, fresh: Callable[[], Store]) -> None:
    """0.2 % a day (73 % a year) is above the 0.1 % a day that asks for confirmation: 422
    with the question, nothing written; ticked, it is saved."""
    before = snapshot(fresh)
    form = {"product": "jiebei", "amount": "5000", "rate": "0.2%", "rate_basis": "daily"}
    response = client.post("/debts/new", form)
    assert response.status_code == 422
    assert "unusually high" in response.text
    assert 'name="confirm_rates"' in response.text
    assert snapshot(fresh) == before
    response = client.post("/debts/new", {**form, "confirm_rates": "on"})
    assert response.status_code == 303
    assert debts_of(fresh)[-1].contract_rate == Decimal("0.002")
