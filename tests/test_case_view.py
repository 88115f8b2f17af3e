"""One case, one truth: :func:`xieshang.services.case_view.case_view` gives the figures every
command shows for the same case — the status, the budget's shares, the ladder, the alerts —
and carries the log, the promises, the payments and the evidence in order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from test_cli_case import clean_home, ok, ok_json, overdue_since
from xieshang.clock import today
from xieshang.services.case_view import case_view
from xieshang.store.db import open_store


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "王先生")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       overdue_since(40), "--minimum", "1500", "--label", "招行信用卡")
    ok("debt", "add", "--product", "informal_loan", "--amount", "20000", "--overdue-since",
       overdue_since(90), "--annual-rate", "0", "--label", "表哥借款")
    ok("debt", "add", "--product", "huabei", "--amount", "3000", "--overdue-since",
       overdue_since(3), "--label", "花呗")
    ok("budget", "set", "--income", "wages=7000", "--priority", "rent=2000", "--fixed",
       "transport=300", "--flexible", "food=1500")
    yesterday = (today() - timedelta(days=1)).isoformat()
    ok("log", "add", "--debt", "1", "--channel", "collector_call", "--when",
       f"{yesterday} 22:40", "--notes", "说要打电话给我儿子")
    ok("log", "add", "--debt", "1", "--channel", "phone", "--when", f"{yesterday} 10:00",
       "--outcome", "refused")
    ok("promise", "add", "--debt", "3", "--by", "me", "--amount", "500", "--due",
       (today() + timedelta(days=3)).isoformat())
    ok("pay", "--debt", "3", "--amount", "100")
    return folder


def _view(home: Path):  # type: ignore[no-untyped-def]
    with open_store(data_dir=home) as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        return case_view(tx, case, today())


def test_the_view_has_the_figures_every_command_shows(home: Path) -> None:
    view = _view(home)
    status = ok_json("status")
    assert [d.debt.id for d in view.debts] == [line["id"] for line in status["debts"]]
    for line in status["debts"]:
        debt = view.debt(line["id"])
        assert str(debt.due) == line["total"]
        assert str(debt.daily_cost) == line["daily_cost"]
        assert debt.days_overdue == line["days_overdue"]
    assert (str(view.due), str(view.daily_cost)) == (status["total"], status["daily_cost"])
    budget = ok_json("budget", "show")
    assert view.budget is not None
    assert str(view.budget.available) == budget["affordability"]["available"]
    for part in budget["split"]["debts"]:
        assert str(view.debt(part["debt"]).share) == part["amount"]
        assert str(view.debt(part["debt"]).owed) == part["balance"]
    for debt in (1, 2, 3):
        assert ok_json("ladder", "--debt", str(debt))["affordable"] == str(
            view.debt(debt).share)
    assert [a.code.value for a in view.alerts] == [
        a["code"] for a in ok_json("alerts")["alerts"]]


def test_the_view_s_figures_by_hand(home: Path) -> None:
    """Figures worked out here, not read back from another command."""
    from fractions import Fraction

    view = _view(home)
    assert view.budget is not None
    # 7,000 − rent 2,000 − transport 300 − food 1,500 − the buffer (5 % of income: 350)
    assert view.budget.available == Decimal("2850.00")
    # from a cousin, no interest agreed: nothing is added (a court would support interest at
    # the LPR only if the cousin asked, Art. 28: said beside the bill, not owed)
    loan = view.debt(2)
    assert (loan.due, loan.owed, loan.daily_cost) == (Decimal("20000.00"),) * 2 + (
        Decimal("0.00"),)
    # each share is the exact pro-rata part, to within a fen, and they add up to 2,850.00
    owed = {d.debt.id: d.owed for d in view.debts}
    whole = sum(owed.values(), Decimal(0))
    for debt_id, amount in owed.items():
        exact = Fraction(2850) * Fraction(amount) / Fraction(whole)
        share = view.debt(debt_id).share
        assert share is not None
        assert abs(Fraction(share) - exact) <= Fraction(1, 100)
    assert sum((d.share or Decimal(0) for d in view.debts), Decimal(0)) == Decimal("2850.00")
    # what is due today is what each debt owes, later installments aside
    assert view.due == sum((d.due for d in view.debts), Decimal(0)) == whole


def test_the_view_carries_the_log_promises_payments_in_order(home: Path) -> None:
    view = _view(home)
    assert [(c.channel, c.happened_at.strftime("%H:%M")) for c in view.contacts] == [
        ("phone", "10:00"), ("collector_call", "22:40")]
    assert view.contacts[1].notes == "说要打电话给我儿子"
    assert [(p.amount, p.due_on) for p in view.promises] == [
        (Decimal("500.00"), today() + timedelta(days=3))]
    assert [(p.debt_id, p.amount) for p in view.payments] == [(3, Decimal("100.00"))]
    assert "call_in_quiet_hours" in [a.code.value for a in view.alerts]
    huabei = view.debt(3)
    assert huabei.overdue
    assert huabei.engine is not None
    assert huabei.next is not None


def test_an_accepted_arrangement_is_in_the_view(home: Path) -> None:
    accepted = ok_json("offer", "--debt", "1", "--periods", "24", "--monthly", "1300",
                       "--accept")
    view = _view(home)
    card = view.debt(1)
    assert card.arrangement is not None
    assert card.arrangement.total == Decimal(accepted["total_paid"]) == Decimal("31200.00")
    assert (card.due, card.daily_cost, card.engine) == (Decimal("0.00"), Decimal("0.00"), None)
    assert card.owed == Decimal("31200.00")
    assert card.next is not None
    assert (card.next.id, card.next.amount_due) == ("arrangement_payment", Decimal("1300.00"))
    assert not card.overdue
