"""A fee every period on an installment loan (京东白条 分期's 服务费, 花呗分期's 手续费): entered
as the bill shows it, added to each installment, the real annual rate from the flows.

Every figure is worked by hand in the test's docstring.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from test_cli_case import clean_home, invoke, ok, ok_json
from webclient import WebClient
from xieshang.cli.serve import build_demo_store
from xieshang.engine.errors import InputError
from xieshang.engine.installments import LoanTerms, installments, loan_apr, position
from xieshang.engine.parsing import parse_period_fee
from xieshang.engine.schedules import Method
from xieshang.store.db import Store
from xieshang.store.model import Debt

NOW = "2026-12-07T10:00+08:00"
BAITIAO = ("debt", "add", "--product", "jd_baitiao", "--borrowed", "6000", "--periods", "12",
           "--first-due", "2026-09-15", "--paid-periods", "1", "--label", "白条分期")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    return folder


def _terms(**fee: Decimal) -> LoanTerms:
    return LoanTerms(borrowed=Decimal("6000"), periods=12, method=Method.EQUAL_PRINCIPAL,
                     first_due=date(2026, 9, 15), paid_periods=1, **fee)


@pytest.mark.parametrize("fee", [{"period_fee_rate": Decimal("0.005")},
                                 {"period_fee": Decimal("30.00")}])
def test_each_installment_is_principal_plus_the_fee(fee: dict[str, Decimal]) -> None:
    """白条 ¥6,000 in 12 periods at 0.5 % a period of the original principal (or ¥30 a
    period): each installment is 6,000 / 12 = 500.00 principal + 6,000 × 0.5 % = 30.00 fee =
    530.00, due on the 15th from 2026-09-15.

    The real rate: 530 a month for 12 months against 6,000 received, a monthly IRR r with
    530 × (1 − (1 + r)^−12) / r = 6,000: r = 0.908 % (530 × 11.3212 = 6,000.2 at r =
    0.00908), nominal 12 × r = 10.90 % a year, effective (1 + r)^12 − 1 = 11.46 % — not the
    6 % that "0.5 % × 12" suggests, because the fee stays on the original principal while
    the balance falls.

    On 2026-12-07, with period 1 repaid, periods 2 (10-15) and 3 (11-15) are overdue and
    4,500.00 of principal is not yet due."""
    terms = _terms(**fee)
    rows = installments(terms)
    assert {(item.principal, item.fee, item.amount) for item in rows} == {
        (Decimal("500.00"), Decimal("30.00"), Decimal("530.00"))}
    assert rows[1].due == date(2026, 10, 15)
    rates = loan_apr(terms)
    assert rates.nominal.quantize(Decimal("0.0001")) == Decimal("0.1090")
    assert rates.effective.quantize(Decimal("0.0001")) == Decimal("0.1146")
    loan = position(terms, date(2026, 12, 7))
    assert [item.period for item in loan.overdue] == [2, 3]
    assert loan.not_yet_due == Decimal("4500.00")


def test_a_fee_needs_its_unit() -> None:
    """``0.5`` could be 0.5 % of the amount borrowed or ¥0.50 a period: refused with both;
    ``0.5%``, ``0.5%/期``, ``千分之5`` are the rate 0.005, ``30元`` and ``¥30`` an amount, ``0``
    no fee. A rate above 30 % a period is refused as a unit typed wrongly."""
    with pytest.raises(InputError) as caught:
        parse_period_fee("0.5")
    assert "0.5%" in caught.value.render()
    assert "¥0.50" in caught.value.render()
    for text in ("0.5%", "0.5%/期", "千分之5"):
        assert parse_period_fee(text) == (Decimal("0.005"), None)
    assert parse_period_fee("30元") == parse_period_fee("¥30") == (None, Decimal("30.00"))
    assert parse_period_fee("0") == (None, None)
    with pytest.raises(InputError):
        parse_period_fee("40%")


@pytest.mark.now(NOW)
def test_baitiao_with_two_missed_periods_through_the_command_line(tmp_path: Path) -> None:
    """白条 ¥6,000, 12 periods, 0.5 %/period fee, first due 2026-09-15, period 1 repaid; on
    2026-12-07 periods 2 and 3 are missed: 2 × 530.00 = 1,000.00 principal + 60.00 fee.

    Overdue charge (preset: 0.07 % a day on the overdue amount, the fee included): period 2
    from 10-16, 53 days: 530 × 0.0007 × 53 = 19.663; period 3 from 11-16, 22 days:
    530 × 0.0007 × 22 = 8.162; together 27.825 → 27.83. Total 1,087.83; each further day
    1,060 × 0.0007 = 0.742 → 0.74. The bare ``--period-fee 0.5`` is refused (exit 2) and
    nothing is saved. Export and import keep the fee."""
    code, _out, err = invoke(*BAITIAO, "--period-fee", "0.5")
    assert code == 2
    assert "--period-fee" in err or "period" in err
    assert ok_json("debt", "list")["debts"] == []
    ok(*BAITIAO, "--period-fee", "0.5%")
    line = ok_json("status")["debts"][0]
    assert (line["principal"], line["interest"], line["penalty"], line["total"],
            line["daily_cost"]) == ("1000.00", "60.00", "27.83", "1087.83", "0.74")
    overdue = line["installments"]["overdue"]
    assert [(item["due"], item["fee"], item["amount"]) for item in overdue] == [
        ("2026-10-15", "30.00", "530.00"), ("2026-11-15", "30.00", "530.00")]
    assert line["installments"]["apr"]["nominal"].startswith("0.1089")
    text = ok("status", "--lang", "en")
    assert "fee ¥30.00" in text
    assert "10.90%" in text
    exported = tmp_path / "case.json"
    ok("export", "--output", str(exported))
    debt = json.loads(exported.read_text())["debts"][0]
    assert debt["period_fee_rate"] == "0.005"
    ok("import", str(exported))
    ok("case", "use", "2")
    assert ok_json("status")["debts"][0]["total"] == "1087.83"


@pytest.fixture
def fresh(tmp_path: Path) -> Callable[[], Store]:
    return build_demo_store(tmp_path / "web")


@pytest.fixture
def client(fresh: Callable[[], Store]) -> Iterator[WebClient]:
    with WebClient(fresh, lang="en") as web:
        web.get("/debts")
        yield web


def test_the_web_debt_form_takes_the_fee(client: WebClient, fresh: Callable[[], Store]) -> None:
    """The Debts form offers the installment terms for 白条 (a bill split into periods);
    ``0.5`` is answered 422 naming the fee, ``0.5%`` is saved with no rate needed."""
    form = {"product": "jd_baitiao", "borrowed": "6000", "periods": "12",
            "first_due": "2026-09-15", "paid_periods": "1", "method": "equal_principal",
            "rate_basis": "daily", "period_fee": "0.5"}
    assert 'name="period_fee"' in client.get("/debts/new?product=jd_baitiao").text
    refused = client.post("/debts/new", form)
    assert refused.status_code == 422
    assert 'id="f-period_fee-error"' in refused.text
    saved = client.post("/debts/new", {**form, "period_fee": "0.5%"})
    assert saved.status_code == 303
    with fresh() as store, store.begin(readonly=True) as tx:
        added = tx.find(Debt)[-1]
    assert (added.period_fee_rate, added.period_fee, added.contract_rate) == (
        Decimal("0.005"), None, None)


def test_first_run_takes_the_fee_and_leaves_the_rate_empty(tmp_path: Path) -> None:
    """The first-run loan terms of a 白条 row: borrowed 6,000, 12 periods, first due
    2026-09-15, 1 repaid, fee 0.5 %, no rate: stored with the fee, due date the first
    unpaid installment's (2026-10-15), principal 500.00 and fee 30.00 as its interest.
    A bare ``0.5`` is answered 422 under the fee field."""
    from xieshang.store.db import open_store

    row = {"d1_product": "jd_baitiao", "d1_borrowed": "6000", "d1_periods": "12",
           "d1_method": "equal_principal", "d1_first_due": "2026-09-15", "d1_paid": "1",
           "income": "6000", "rent": "1800", "food": "1500"}
    with WebClient(lambda: open_store(data_dir=tmp_path / "first"), lang="en",
                   today=date(2026, 12, 7)) as web:
        web.get("/")
        refused = web.post("/first-run", {**row, "d1_fee": "0.5"})
        assert refused.status_code == 422
        assert 'id="f-d1_fee-error"' in refused.text
        assert web.post("/first-run", {**row, "d1_fee": "0.5%"}).status_code == 303
    with open_store(data_dir=tmp_path / "first") as store, store.begin(readonly=True) as tx:
        debt = tx.find(Debt)[0]
    assert (debt.period_fee_rate, debt.contract_rate, debt.due_date, debt.principal,
            debt.interest) == (Decimal("0.005"), None, date(2026, 10, 15),
                               Decimal("500.00"), Decimal("30.00"))


def test_an_empty_fee_clears_it() -> None:
    """``--period-fee ""`` (and an empty form field) means no fee, not an error."""
    from xieshang.services.debts import debt_fields

    assert debt_fields(period_fee="") == {"period_fee_rate": None, "period_fee": None}
    assert debt_fields(period_fee=" 30元 ") == {"period_fee_rate": None,
                                               "period_fee": Decimal("30.00")}


@pytest.mark.now(NOW)
def test_a_fee_without_the_installment_terms_is_refused() -> None:
    """A fee every period needs the installments it is charged on: ``--period-fee`` with
    only ``--amount`` exits 2 naming the fee and saves nothing."""
    code, _out, err = invoke("debt", "add", "--product", "jd_baitiao", "--amount", "1060",
                             "--overdue-since", "2026-10-16", "--period-fee", "0.5%")
    assert code == 2
    assert "--period-fee" in err
    assert ok_json("debt", "list")["debts"] == []
