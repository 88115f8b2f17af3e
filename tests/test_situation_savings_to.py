"""Issue 12 ④, what was left: savings go to the debt the person chooses (or are spread, as
before). Stored on the statement, asked on the command line and the web form (a debt that
is not open is refused naming the field), used by the budget's split (Today, the lender's
budget statement), the plan and the ladder's settlement; beyond what that debt owes, the
rest is spread over the other debts, and the budget says so. Figures worked by hand."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from test_cli_case import clean_home, invoke, ok, ok_json
from xieshang.engine.situation import savings_parts

M = Decimal


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    return folder


def test_savings_parts_to_one_debt_then_the_rest_spread() -> None:
    """¥8,000 to 借呗 owing 6,500, the two cards owing 62,000 and 12,000: 借呗 6,500; the
    1,500 left beyond its bill by what the cards owe: 62,000 ÷ 74,000 × 1,500 = 1,256.76
    and 12,000 ÷ 74,000 × 1,500 = 243.24. Spread (no debt chosen): by what each of the
    three owes (80,500): 6,161.49, 645.96, 1,192.55. Less than the bill: all to it."""
    owed = [("1", M("62000.00")), ("4", M("6500.00")), ("3", M("12000.00"))]
    assert savings_parts(M("8000.00"), owed, "4") == {
        "4": M("6500.00"), "1": M("1256.76"), "3": M("243.24")}
    assert savings_parts(M("8000.00"), owed, None) == {
        "1": M("6161.49"), "4": M("645.96"), "3": M("1192.55")}
    assert savings_parts(M("5000.00"), owed, "4") == {"4": M("5000.00")}
    assert savings_parts(M("5000.00"), owed, "9") == savings_parts(M("5000.00"), owed, None)


def _three_cards_and_jiebei() -> None:
    """Three cards (¥62,000, ¥48,000, ¥12,000) and 借呗 ¥20,000 in 12 annuity installments
    at 0.045 %/day, first due 2026-09-10, one paid: the installments of 10-10 and 11-10
    are missed on 2026-12-07. Wages 12,000, rent 2,500, food 1,500, buffer 5 % = 600:
    12,000 − 2,500 − 1,500 − 600 = 7,400 a month for the debts."""
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "62000", "--overdue-since",
       "2026-10-20")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "48000", "--overdue-since",
       "2026-11-05")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "12000", "--overdue-since",
       "2026-11-20")
    ok("debt", "add", "--product", "jiebei", "--borrowed", "20000", "--periods", "12",
       "--daily-rate", "0.045%", "--method", "annuity", "--first-due", "2026-09-10",
       "--paid-periods", "1")
    ok("budget", "set", "--income", "wages=12000", "--priority", "rent=2500", "--flexible",
       "food=1500")


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_savings_next_month_go_to_the_jiebei_in_every_plan() -> None:
    """¥8,000 of savings on 2027-01-07 for the first months, to 借呗 (#4): month 1 has
    7,400 + 8,000 = 15,400 (the month is not short, so the whole 8,000 goes to the first
    month they are available). Whatever the strategy, #4 is paid at least the 8,000 that
    month (on top of what the strategy gives it from the 7,400), and the month's payments
    add up to 15,400. This month is unchanged: 7,400."""
    _three_cards_and_jiebei()
    ok("budget", "set", "--savings", "8000", "--savings-on", "2027-01-07", "--savings-use",
       "months", "--savings-to", "4")
    report = ok_json("budget", "show")
    situation = report["situation"]
    assert (situation["savings_to"], situation["savings_rest"]) == (4, "0.00")
    assert [m["available"] for m in situation["months"][:3]] == [
        "7400.00", "15400.00", "7400.00"]
    text = ok("budget", "show", "--lang", "en")
    assert "They go to #4" in text
    for strategy in ("avalanche", "snowball", "pro-rata", "optimal"):
        plan = ok_json("plan", "--strategy", strategy)["plans"][0]
        month = plan["months"][1]
        paid = {row["debt"]: M(row["paid"]) for row in month["debts"]}
        assert paid["4"] >= M("8000.00"), strategy
        assert sum(paid.values(), M(0)) == M("15400.00"), strategy
        assert sum((M(row["paid"]) for row in plan["months"][0]["debts"]), M(0)) == \
            M("7400.00")


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_savings_beyond_the_chosen_debt_are_spread_and_the_budget_says_so() -> None:
    """花呗 ¥1,200, 5 days late on 2026-12-07 (overdue since 12-03): 5 × 0.05 % × 1,200 = 3.00,
    owed 1,203.00; a card ¥12,000 overdue since 11-20 (owed 12,168.00 as `status` shows).
    Savings ¥2,000 for a settlement, to 花呗: it takes its 1,203.00, the 797.00 left goes to
    the card (the only other debt). The budget says so; the card's ladder offers a
    settlement of 797.00."""
    ok("debt", "add", "--product", "huabei", "--amount", "1200", "--overdue-since",
       "2026-12-03")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "12000", "--overdue-since",
       "2026-11-20")
    ok("budget", "set", "--income", "wages=3000", "--flexible", "food=1500", "--savings",
       "2000", "--savings-to", "#1")
    situation = ok_json("budget", "show")["situation"]
    assert (situation["savings_to"], situation["savings_to_owed"],
            situation["savings_rest"]) == (1, "1203.00", "797.00")
    text = " ".join(ok("budget", "show", "--lang", "en").split())
    assert "That is more than #1 Huabei (Alipay) owes (¥1,203.00): the ¥797.00 left is " \
           "spread over your other debts" in text
    huabei = ok_json("ladder", "--debt", "1")["settlement"]
    assert huabei["amount"] == "1203.00"
    card = ok_json("ladder", "--debt", "2")["settlement"]
    assert card["amount"] == "797.00"


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_a_student_with_500_of_savings_pays_huabei_now() -> None:
    """A student: 花呗 ¥1,200 5 days late (owed 1,203.00); ¥1,500 a month from parents,
    food 900, buffer at least 100: 1,500 − 900 − 100 = 500 for the debt. ¥500 of savings
    now, for the first months, to 花呗: this month 500 + 500 = 1,000, all to 花呗 (Today
    and `plan month`); next month 500."""
    ok("debt", "add", "--product", "huabei", "--amount", "1200", "--overdue-since",
       "2026-12-03")
    ok("budget", "set", "--income", "other_income=1500", "--flexible", "food=900",
       "--savings", "500", "--savings-use", "months", "--savings-to", "1")
    split = ok_json("budget", "show")["split"]["debts"]
    assert [(part["debt"], part["amount"]) for part in split] == [(1, "1000.00")]
    actions = ok_json("plan", "month")["actions"]
    assert [(a["debt"], a["amount"]) for a in actions] == [("1", "1000.00")]


def test_a_debt_that_is_not_open_is_refused_naming_the_field() -> None:
    """--savings-to 9 in a case with one debt: exit 2, the field and the choices named;
    nothing saved. "spread" puts the savings back over all the debts."""
    ok("debt", "add", "--product", "huabei", "--amount", "1200", "--overdue-since",
       "2026-12-03")
    ok("budget", "set", "--income", "wages=3000", "--savings", "500")
    code, _out, err = invoke("budget", "set", "--savings-to", "9", "--lang", "en")
    assert code == 2
    assert "debt the savings go to (--savings-to)" in err
    assert "give one of #1, or 'spread'" in err
    code, _out, err = invoke("budget", "set", "--savings-to", "huabei", "--lang", "en")
    assert code == 2
    assert ok_json("budget", "show")["situation"]["savings_to"] is None
    ok("budget", "set", "--savings-to", "1")
    assert ok_json("budget", "show")["situation"]["savings_to"] == 1
    ok("budget", "set", "--savings-to", "spread")
    assert ok_json("budget", "show")["situation"]["savings_to"] is None


def test_the_chosen_debt_round_trips_through_export_and_import(tmp_path: Path) -> None:
    """The chosen debt is written as the debt's ref in the file and read back as the new
    case's own debt."""
    ok("debt", "add", "--product", "huabei", "--amount", "1200", "--overdue-since",
       "2026-12-03")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "12000", "--overdue-since",
       "2026-11-20")
    ok("budget", "set", "--income", "wages=3000", "--savings", "500", "--savings-to", "2")
    target = tmp_path / "case.json"
    ok("export", "--output", str(target))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["budgets"][0]["savings_debt"] == 2
    ok("import", str(target))
    second = tmp_path / "again.json"
    ok("export", "--case", "2", "--output", str(second))
    again = json.loads(second.read_text(encoding="utf-8"))
    assert again["budgets"][0]["savings_debt"] == 2
    assert ok_json("budget", "show", "--case", "2")["situation"]["savings_to"] == 4


def test_budget_page_asks_which_debt(home: Path) -> None:
    """The situation form lists "spread" and each open debt; a debt that is not in the
    case answers 422 with the form again and the field named; a good choice is saved."""
    from webclient import WebClient
    from xieshang.store.db import open_store

    ok("debt", "add", "--product", "huabei", "--amount", "1200", "--overdue-since",
       "2026-12-03")
    ok("budget", "set", "--income", "wages=3000", "--flexible", "food=1500")
    with WebClient(lambda: open_store(data_dir=home), lang="en") as web:
        page = web.get("/budget").text
        assert 'name="savings_debt"' in page
        assert '<option value="1"' in page
        bad = web.post("/budget/situation", {"savings": "500", "savings_use": "settlement",
                                             "savings_debt": "7"})
        assert bad.status_code == 422
        assert 'id="f-savings_debt-error"' in bad.text
        assert "is not an open debt of this case" in bad.text
        good = web.post("/budget/situation", {"savings": "500", "savings_use": "settlement",
                                              "savings_debt": "1"})
        assert good.status_code in (200, 303)
        shown = web.get("/budget").text
        assert "They go to #1" in shown
    assert ok_json("budget", "show")["situation"]["savings_to"] == 1


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_the_lenders_budget_statement_says_where_the_savings_go() -> None:
    """The three cards and 借呗, ¥8,000 of savings now for the first months, to 借呗: this
    month's parts are 7,400 pro rata plus the 8,000 to 借呗 (Today pays it). The lender's
    budget statement keeps the month's 7,400 shared in proportion to what each owes
    (借呗 19,035.38 ÷ 144,624.11 × 7,400 = 973.99), and says the savings go to 借呗 once."""
    _three_cards_and_jiebei()
    ok("budget", "set", "--savings", "8000", "--savings-use", "months", "--savings-to", "4")
    split = {part["debt"]: part["amount"]
             for part in ok_json("budget", "show")["split"]["debts"]}
    assert split[4] == "8973.99"
    assert sum((M(amount) for amount in split.values()), M(0)) == M("15400.00")
    text = ok("script", "--channel", "budget", "--debt", "1", "--lang", "en")
    assert "¥7,400.00 a month is available for all my debts" in text
    assert "owed ¥19,035.38, ¥973.99 a month" in text
    assert "I have ¥8,000.00 of savings, which I am putting towards " \
           "Chongqing Ant Consumer Finance Co., Ltd. (Jiebei (Alipay))." in text
    zh = ok("script", "--channel", "budget", "--debt", "1")
    assert "此外，本人有存款 ¥8,000.00，将用于偿还重庆蚂蚁消费金融有限公司（借呗）的欠款。" in zh


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_savings_for_a_settlement_of_the_jiebei_loan() -> None:
    """The three cards and 借呗; ¥8,000 of savings now for a settlement, to 借呗. Its bill
    (the two missed installments with their penalty) is 3,727.82; with the principal not
    yet due (15,307.56) it owes 19,035.38 in all. The 8,000 is more than the arrears, so
    the settlement offered is of the whole balance: 8,000 for 19,035.38, 11,035.38 asked
    off (8,000 ÷ 19,035.38 = 42 %), rather than the arrears paid with 4,272.18 left
    unsaid. The cards get no part of the savings (none is left beyond 借呗's 19,035.38)."""
    _three_cards_and_jiebei()
    ok("budget", "set", "--savings", "8000", "--savings-to", "4")
    ladder = ok_json("ladder", "--debt", "4")
    assert ladder["owed"] == "3727.82"
    assert (ladder["settlement"]["amount"], ladder["settlement"]["discount"]) == (
        "8000.00", "11035.38")
    assert "42%" in ladder["settlement"]["text"]
    assert ok_json("ladder", "--debt", "1").get("settlement") is None


def test_removing_the_chosen_debt_puts_the_savings_back_over_all_the_debts() -> None:
    """The savings go to debt #2 (借呗); #2 is removed and a card is added. SQLite gives
    the card the freed id 2, but the person never chose the card: the savings are spread
    again (``savings_to`` null), not silently sent to it."""
    ok("debt", "add", "--product", "huabei", "--amount", "3000", "--overdue-since",
       "2026-11-01")
    ok("debt", "add", "--product", "jiebei", "--amount", "5000", "--overdue-since",
       "2026-11-01")
    ok("budget", "set", "--income", "wages=8000", "--savings", "5000", "--savings-to", "2")
    assert ok_json("budget", "show")["situation"]["savings_to"] == 2
    ok("debt", "rm", "2", "--yes")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "20000", "--overdue-since",
       "2026-10-01")
    assert [debt["id"] for debt in ok_json("debt", "list")["debts"]] == [1, 2]
    assert ok_json("budget", "show")["situation"]["savings_to"] is None


def test_savings_that_pay_part_of_the_chosen_debt_leave_no_money_idle() -> None:
    """Two loans at 0 %: #1 owes ¥1,000.00, #2 ¥9,000.00; ¥4,200.00 a month for the debts
    (6,000 − 1,500 food − 300 buffer) and ¥900.00 of savings this month, to #1. The month's
    4,200 is split in proportion to what each owes: #1 420, #2 3,780; #1 with the 900 would
    be 1,320, more than the 1,000 it owes, so it gets 1,000.00 and the 320 over goes to #2:
    4,100.00. Together 5,100.00, all of the month's money (before, the ¥320.00 went
    nowhere)."""
    for amount in ("1000", "9000"):
        ok("debt", "add", "--product", "generic_loan", "--amount", amount,
           "--overdue-since", "2026-12-05", "--annual-rate", "0%")
    ok("budget", "set", "--income", "wages=6000", "--flexible", "food=1500", "--savings",
       "900", "--savings-on", "now", "--savings-use", "months", "--savings-to", "1")
    shown = ok_json("budget", "show")
    assert shown["situation"]["months"][0]["available"] == "5100.00"
    parts = [(part["debt"], part["amount"]) for part in shown["split"]["debts"]]
    assert parts == [(1, "1000.00"), (2, "4100.00")]
