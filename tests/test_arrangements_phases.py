"""Issue 12, leftovers: an accepted offer keeps its phases (a deferral, token payments, a
lump-sum settlement), a loan's regular installments move back while its arrears are
deferred, a settlement is measured against the bill on the day it is paid, and `plan month`
shows what an overdue loan requires.

Every figure is worked by hand in the test's docstring. The cases are invented:

* a card and 花呗 (¥8,000 overdue since 2026-10-11) on 2026-11-20, with no income before
  2027-01-05; the lender offers to defer 2 months, then 12 interest-free installments;
* 借呗 ¥20,000, 12 annuity periods at 0.045 %/day, first due 2026-09-10, period 1 repaid
  (so periods 2 and 3 are overdue on 2026-11-20), and no income until 2026-12-15;
* 花呗 ¥10,000 overdue since 2026-11-11 on 2026-12-07, settled from ¥6,000 of savings that
  are available in 3 weeks (2026-12-28).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_cli_case import clean_home, ok, ok_json
from webclient import WebClient
from xieshang import clock
from xieshang.engine.arrangements import Phase, phases
from xieshang.store.db import open_store

M = Decimal


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    return folder


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Move the clock to another day inside a test."""
    pins: list[Any] = []

    def move(moment: str) -> None:
        monkeypatch.setenv(clock.ENV, moment)
        pin = clock.pinned(datetime.fromisoformat(moment))
        pin.__enter__()
        pins.append(pin)

    yield move
    for pin in reversed(pins):
        pin.__exit__(None, None, None)


def _card_and_huabei() -> None:
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       "2026-10-26", "--annual-rate", "18.25%")
    ok("debt", "add", "--product", "huabei", "--amount", "8000", "--overdue-since",
       "2026-10-11")
    ok("budget", "set", "--adults", "1", "--city-tier", "tier2", "--income", "wages=3000",
       "--priority", "rent=1000", "--flexible", "food=800", "--no-income-until",
       "2027-01-05")


def _jiebei() -> None:
    ok("debt", "add", "--product", "jiebei", "--borrowed", "20000", "--periods", "12",
       "--daily-rate", "0.045%", "--method", "annuity", "--first-due", "2026-09-10",
       "--paid-periods", "1")
    ok("budget", "set", "--adults", "1", "--city-tier", "tier2", "--income", "wages=6000",
       "--priority", "rent=1500", "--flexible", "food=1000", "--no-income-until",
       "2026-12-15")


# ------------------------------------------------------------------------- the engine


def test_phases_of_a_deferral_then_installments() -> None:
    """Start 2026-11-20, defer 2 months, then 12 payments from 2027-02-20 (3 months on):
    the deferral runs 2026-11-20 … 2027-02-19 and the installments 2027-02-20 … 2028-01-20;
    the regular payment is the most frequent one (666.67 × 11, then 666.63)."""
    days = [date(2027, 2, 20), *(date(2027 + (m + 1) // 12, (m + 1) % 12 + 1, 20)
                                  for m in range(1, 12))]
    amounts = [M("666.67")] * 11 + [M("666.63")]
    found = phases(date(2026, 11, 20), list(zip(days, amounts, strict=True)),
                   down=M("0.00"), deferral_months=2)
    assert found == (Phase("deferral", date(2026, 11, 20), date(2027, 2, 19), M("0.00"), 0),
                     Phase("installments", date(2027, 2, 20), date(2028, 1, 20),
                           M("666.67"), 12))


def test_phases_of_token_payments_and_of_a_settlement() -> None:
    """Token 100 in each of 2 deferred months (12-20, 01-20), then 2 installments of 500:
    a token phase of 2 payments, then the installments. A settlement of 6,000 on 2026-12-28
    is one phase of one payment."""
    token = phases(date(2026, 11, 20), [(date(2026, 12, 20), M("100.00")),
                                        (date(2027, 1, 20), M("100.00")),
                                        (date(2027, 2, 20), M("500.00")),
                                        (date(2027, 3, 20), M("500.00"))],
                   down=M("0.00"), deferral_months=2, token=True)
    assert [(p.kind, p.start, p.end, p.amount, p.count) for p in token] == [
        ("token", date(2026, 12, 20), date(2027, 1, 20), M("100.00"), 2),
        ("installments", date(2027, 2, 20), date(2027, 3, 20), M("500.00"), 2)]
    settle = phases(date(2026, 12, 7), [(date(2026, 12, 28), M("6000.00"))],
                    down=M("0.00"), settlement=True)
    assert settle == (Phase("settlement", date(2026, 12, 28), date(2026, 12, 28),
                            M("6000.00"), 1),)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(periods=st.integers(min_value=1, max_value=24),
       deferral=st.integers(min_value=0, max_value=6), token=st.booleans(),
       down=st.integers(min_value=0, max_value=500),
       amount=st.integers(min_value=1, max_value=100_000))
def test_phases_cover_every_payment_once(periods: int, deferral: int, token: bool, down: int,
                                         amount: int) -> None:
    """Whatever the offer (a first payment, a deferral with or without token payments, any
    number of installments), the phases count every payment exactly once, each payment falls
    in a phase that asks for payments, and a deferral ends the day before the first payment.
    Built as :func:`xieshang.engine.arrangements.evaluate` dates them: month k after
    2026-11-20 for token payments, months ``deferral + 1 …`` for the installments."""
    from xieshang.engine.schedules import add_months

    start = date(2026, 11, 20)
    token = token and deferral > 0
    lead = [(add_months(start, k), M("50.00")) for k in range(1, deferral + 1)] if token \
        else []
    first = deferral + 1
    rows = [(add_months(start, first + k), M(amount) / 100) for k in range(periods)]
    found = phases(start, lead + rows, down=M(down), deferral_months=deferral, token=token)
    assert sum(p.count for p in found) == len(lead) + len(rows) + (1 if down else 0)
    for day, _amount in lead + rows:
        assert any(p.covers(day) and p.kind in ("token", "installments") for p in found)
    pause = [p for p in found if p.kind == "deferral"]
    if deferral and not token:
        assert pause[0].end == date.fromordinal(rows[0][0].toordinal() - 1)
    else:
        assert not pause


# ----------------------------------------------- 1. an accepted offer keeps its phases


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_accepting_defer_2_months_then_12_installments(later: Any) -> None:
    """花呗 ¥8,000 overdue since 2026-10-11: on 2026-11-20, 41 days × 0.05 % × 8,000 =
    164.00 of penalty, owed 8,164.00. The offer: penalty waived (164.00), nothing for 2
    months, then 12 interest-free installments of the 8,000: 8,000 ÷ 12 = 666.67 × 11 and
    666.63 last (8,000 − 7,333.37), from add_months(2026-11-20, 3) = 2027-02-20 to
    2028-01-20. Stored with its phases: status says the deferral now, the plan asks
    nothing of 花呗 before 2027-02-20, and on 2027-02-21 the first 666.67 is missed."""
    _card_and_huabei()
    check = ok_json("offer", "--debt", "2", "--defer-months", "2", "--periods", "12",
                    "--waive-penalty", "--accept")
    assert (check["waived"], check["total_paid"], check["max_payment"]) == (
        "164.00", "8000.00", "666.67")
    [line] = [d for d in ok_json("status")["debts"] if d["id"] == 2]
    agreed = line["arrangement"]
    assert [(p["kind"], p["start"], p["end"], p["amount"], p["count"])
            for p in agreed["phases"]] == [
        ("deferral", "2026-11-20", "2027-02-19", "0.00", 0),
        ("installments", "2027-02-20", "2028-01-20", "666.67", 12)]
    assert agreed["now"] == 0
    text = " ".join(ok("status", "--lang", "en").split())
    assert "Now: Deferral: nothing to pay under the arrangement before 2027-02-20." in text
    assert "Installments: ¥666.67 a month, 12 payments from 2027-02-20 to 2028-01-20." in text
    # no payment asked of 花呗 during the deferral
    month = ok_json("plan", "month")
    assert all(a["required"] == "0.00" for a in month["actions"] if a["debt"] == "2")
    # the confirmation letter states the phases
    letter = " ".join(ok("script", "--debt", "2", "--channel", "confirm").split())
    assert ("2027-02-20 之前暂不还款，之后分 12 期，每月 ¥666.67（最后一期金额略有不同），"
            "从 2027-02-20 到 2028-01-20，合计 ¥8,000.00") in letter
    later("2027-02-21T10:00+08:00")
    text = " ".join(ok("status", "--lang", "en").split())
    assert "Now: Installments: ¥666.67 a month" in text
    assert "Missed: ¥666.67 due on 2027-02-20 is still unpaid." in text


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_token_payments_are_asked_during_the_token_phase(tmp_path: Path) -> None:
    """The same 花呗 offer with a token of ¥50 in each of the 2 deferred months: 2 × 50 =
    100 paid on 2026-12-20 and 2027-01-20, then 8,000 − 100 = 7,900 in 12 installments from
    2027-02-20: 7,900 ÷ 12 = 658.33 (× 11) and 658.37 last. The reminders ask 50.00 on
    2026-12-20 first, and the letter names the token phase."""
    _card_and_huabei()
    ok("offer", "--debt", "2", "--defer-months", "2", "--token", "50", "--periods", "12",
       "--waive-penalty", "--accept")
    [line] = [d for d in ok_json("status")["debts"] if d["id"] == 2]
    assert [(p["kind"], p["start"], p["end"], p["amount"], p["count"])
            for p in line["arrangement"]["phases"]] == [
        ("token", "2026-12-20", "2027-01-20", "50.00", 2),
        ("installments", "2027-02-20", "2028-01-20", "658.33", 12)]
    assert line["next"]["on"] == "2026-12-20"
    assert line["next"]["amount_due"] == "50.00"
    letter = " ".join(ok("script", "--debt", "2", "--channel", "confirm").split())
    assert "从 2026-12-20 到 2027-01-20 每月先还 ¥50.00（共 2 期），然后分 12 期，每月 ¥658.33" \
        in letter
    events = ok_json("remind", "--ics", str(tmp_path / "r.ics"), "--lang", "en")
    agreed = [e for e in events["events"] if "arrangement" in e["uid"]]
    assert [(e["on"], e["summary"].split(": ")[-1]) for e in agreed[:3]] == [
        ("2026-12-20", "pay ¥50.00"), ("2027-01-20", "pay ¥50.00"),
        ("2027-02-20", "pay ¥658.33")]


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_the_phases_survive_export_and_import(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Export the case with the accepted deferral and import it elsewhere: the same phases
    (deferral to 2027-02-19, 12 × 666.67 from 2027-02-20)."""
    _card_and_huabei()
    ok("offer", "--debt", "2", "--defer-months", "2", "--periods", "12", "--waive-penalty",
       "--accept")
    before = next(d for d in ok_json("status")["debts"] if d["id"] == 2)["arrangement"]
    ok("export", "--output", str(tmp_path / "case.json"))
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "other"))
    ok("import", str(tmp_path / "case.json"))
    ok("case", "use", "1")
    after = next(d for d in ok_json("status")["debts"] if d["name"].endswith("花呗"))
    assert after["arrangement"]["phases"] == before["phases"]


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_the_web_offer_form_accepts_a_deferral_and_today_says_the_phase(home: Path) -> None:
    """The Negotiate page takes the same offer (2 months deferred, 12 installments, penalty
    waived) and stores the same phases as the command line; the Today page says the debt is
    in its deferral until 2027-02-20."""
    _card_and_huabei()
    with WebClient(lambda: open_store(data_dir=home), lang="en",
                   today=date(2026, 11, 20)) as web:
        web.get("/negotiate/2")
        response = web.post("/negotiate/2/offer", {
            "periods": "12", "defer_months": "2", "waive_penalty": "1", "action": "accept"})
        assert response.status_code == 303, response.text
        today = " ".join(web.get("/").text.split())
        negotiate = " ".join(web.get("/negotiate/2").text.split())
    assert "Now: Deferral: nothing to pay under the arrangement before 2027-02-20." in today
    assert ("Installments: ¥666.67 a month, 12 payments from 2027-02-20 to 2028-01-20."
            in negotiate)
    [line] = [d for d in ok_json("status")["debts"] if d["id"] == 2]
    assert [p["kind"] for p in line["arrangement"]["phases"]] == ["deferral", "installments"]


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_a_token_without_a_deferral_is_refused_naming_the_field() -> None:
    """--token needs --defer-months; --settle with a rate is refused; exit 2, nothing
    stored."""
    from test_cli_case import invoke

    _card_and_huabei()
    code, _out, err = invoke("offer", "--debt", "2", "--periods", "12", "--token", "50",
                             "--accept", "--lang", "en")
    assert code == 2
    assert "token payment (--token)" in err
    code, _out, err = invoke("offer", "--debt", "2", "--settle", "5000", "--annual-rate",
                             "12%", "--accept", "--lang", "en")
    assert code == 2
    assert "does not apply to a settlement" in err
    assert all(d["arrangement"] is None for d in ok_json("status")["debts"])


# ------------------------------- 2. a loan's regular installments during a deferral


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_jiebei_regular_installments_move_back_while_there_is_no_income() -> None:
    """借呗 with periods 2 (2026-10-10) and 3 (2026-11-10) missed; no income before
    2026-12-15, so nothing this month and the plans start on add_months(2026-11-20, 1) =
    2026-12-20. The next regular installment (1,818.76, due 2026-12-10) would fall before
    that: the arrears rungs assume it moves back 1 month, to 2027-01-10.

    Owed on 2026-11-20: principal 1,569.55 + 1,583.13 = 3,152.68, interest 249.21 +
    235.63 = 484.84, penalty at 1.5 × 0.045 % = 0.0675 %/day on each installment's principal
    from its own date: 0.000675 × (1,569.55 × 41 + 1,583.13 × 10) = 0.000675 × 80,182.85 =
    54.12 → 3,691.64. Accepting 4 interest-free payments of the arrears with the penalty
    waived: (3,691.64 − 54.12) ÷ 4 = 909.38 from 2026-12-20. The plan: month 1 (from
    2026-11-20) asks nothing; month 2 (from 2026-12-20) asks 909.38 + 1,818.76 = 2,728.14,
    within the 3,200 the budget then leaves (6,000 − 1,500 − 1,000 − the 300 buffer)."""
    _jiebei()
    ladder = ok_json("ladder")
    assert all(rung["reasons"][-1]["code"] == "REGULAR_SHIFTED" for rung in ladder["rungs"])
    assert ("moves your regular installments back by 1 month(s): the next one of ¥1,818.76 "
            "would fall due on 2027-01-10 instead of 2026-12-10") in " ".join(
        ok("ladder", "--lang", "en").split())
    check = ok_json("offer", "--scope", "arrears", "--periods", "4", "--waive-penalty",
                    "--accept")
    assert (check["waived"], check["max_payment"], check["total_paid"]) == (
        "54.12", "909.38", "3637.52")
    plan = ok_json("plan", "--strategy", "avalanche")
    months = [m["debts"][0] for m in plan["plans"][0]["months"][:3]]
    assert [m["paid"] for m in months] == ["0.00", "2728.14", "2728.14"]
    status = " ".join(ok("status", "--lang", "en").split())
    assert "the next ¥1,818.76 on 2027-01-10" in status
    assert "taken as moved back by 1 month(s)" in status


# ---------------------------------------------- 3. a settlement on the day it is paid


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_a_settlement_paid_from_savings_in_3_weeks_uses_that_days_bill() -> None:
    """花呗 ¥10,000 overdue since 2026-11-11; ¥6,000 of savings available on 2026-12-28 for
    a settlement. On 2026-12-28 the penalty is 48 days (20 in November, 28 in December) ×
    0.05 % × 10,000 = 240.00, so 10,240.00 is owed (today's bill, 27 days, is 10,135.00):
    settling for 6,000 asks 4,240.00 off, not 4,135.00. The budget leaves 9,000 − 1,500 −
    1,000 − the 450 buffer = 6,050 a month; by 2026-12-28 the person can pay 6,050 + 6,000
    = 12,050. Accepted, the plan pays the 6,000 on 2026-12-28 from the savings: with wages
    of 5,000 the budget leaves 5,000 − 1,500 − 1,000 − the 250 buffer = 2,250 a month, and
    that month has 2,250 + 6,000 = 8,250, so nothing is left uncovered."""
    ok("debt", "add", "--product", "huabei", "--amount", "10000", "--overdue-since",
       "2026-11-11")
    ok("budget", "set", "--income", "wages=9000", "--priority", "rent=1500", "--flexible",
       "food=1000", "--savings", "6000", "--savings-on", "2026-12-28", "--savings-use",
       "settlement")
    ladder = ok_json("ladder")
    assert (ladder["owed"], ladder["settlement"]["discount"]) == ("10135.00", "4240.00")
    check = ok_json("offer", "--settle", "6000", "--settle-on", "2026-12-28", "--lang", "en")
    assert (check["verdict"], check["waived"], check["total_paid"]) == (
        "affordable", "4240.00", "6000.00")
    assert "On that day ¥10,240.00 is owed" in " ".join(check["advice"][0]["text"].split())
    assert "(¥12,050.00)" in check["advice"][0]["text"]
    ok("offer", "--settle", "6000", "--settle-on", "2026-12-28", "--accept")
    [line] = ok_json("status")["debts"]
    assert [(p["kind"], p["start"], p["amount"]) for p in line["arrangement"]["phases"]] == [
        ("settlement", "2026-12-28", "6000.00")]
    ok("budget", "set", "--income", "wages=5000")
    month = ok_json("plan", "month")
    [action] = month["actions"]
    assert month["budget"] == "8250.00"  # 2,250 + the 6,000 of savings
    assert (action["amount"], action["by"], action["unpaid"]) == (
        "6000.00", "2026-12-28", "0.00")
    letter = " ".join(ok("script", "--channel", "confirm").split())
    assert "2026-12-28 一次性还款 ¥6,000.00，结清这笔欠款" in letter


# --------------------------------------------- 4. plan month for an overdue loan


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_plan_month_shows_what_the_overdue_loan_requires() -> None:
    """借呗 as above, with wages from now (no date): the budget leaves 3,200 a month. The
    loan requires the two overdue installments and their penalty, 3,691.64 (worked in the
    test above) — the `status` total — not "required ¥0.00"; the plan pays the 3,200 it has
    and leaves 491.64 uncovered."""
    _jiebei()
    ok("budget", "set", "--no-income-until", "none")
    assert ok_json("status")["debts"][0]["total"] == "3691.64"
    [action] = ok_json("plan", "month")["actions"]
    assert (action["amount"], action["required"], action["unpaid"]) == (
        "3200.00", "3691.64", "491.64")


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_the_web_checks_a_settlement_on_its_day(home: Path) -> None:
    """The Negotiate page with the settlement of the test above (6,000 on 2026-12-28, no
    number of payments): the same figures, 4,240.00 waived against that day's 10,240.00; a
    settlement with a rate is refused with 422 naming the settlement field."""
    ok("debt", "add", "--product", "huabei", "--amount", "10000", "--overdue-since",
       "2026-11-11")
    ok("budget", "set", "--income", "wages=9000", "--priority", "rent=1500", "--flexible",
       "food=1000", "--savings", "6000", "--savings-on", "2026-12-28", "--savings-use",
       "settlement")
    with WebClient(lambda: open_store(data_dir=home), lang="en",
                   today=date(2026, 12, 7)) as web:
        web.get("/negotiate/1")
        response = web.post("/negotiate/1/offer", {"settle": "6000",
                                                   "settle_on": "2026-12-28"})
        assert response.status_code == 200, response.text
        page = " ".join(response.text.split())
        assert "Settlement (one payment)" in page
        assert "¥4,240.00" in page
        assert "On that day ¥10,240.00 is owed" in page
        refused = web.post("/negotiate/1/offer", {"settle": "6000", "annual_rate": "12%"})
        assert refused.status_code == 422
        assert "does not apply to a settlement" in refused.text


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_today_says_the_regular_installments_move_back_too(home: Path) -> None:
    """The 借呗 case before any offer: the Today page's recommendation for it says the
    regular installment of 1,818.76 is taken to move back 1 month, the next on 2027-01-10
    (as the ladder's rungs say), not that it still falls due every month."""
    _jiebei()
    with WebClient(lambda: open_store(data_dir=home), lang="en",
                   today=date(2026, 11, 20)) as web:
        page = " ".join(web.get("/").text.split())
    assert ("the regular installment of ¥1,818.76 is taken to move back 1 month(s) too, the "
            "next on 2027-01-10") in page
    assert "still falls due every month" not in page


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_a_family_loan_letter_states_the_token_phase() -> None:
    """A family loan of ¥20,000 at 0 %: the lender agrees 2 months of ¥100, then 10 months
    for the rest: (20,000 − 2 × 100) ÷ 10 = 1,980.00 from 2027-02-20 to 2027-11-20. The
    message to the lender says both phases, 20,000 in all (the interest a court would
    support if he asked, Art. 28, is not owed and not offered)."""
    ok("debt", "add", "--product", "informal_loan", "--amount", "20000", "--overdue-since",
       "2026-10-01", "--contract-date", "2025-10-01", "--annual-rate", "0%")
    ok("budget", "set", "--income", "wages=6000", "--priority", "rent=1500", "--flexible",
       "food=1000")
    ok("offer", "--defer-months", "2", "--token", "100", "--periods", "10", "--accept")
    chat = " ".join(ok("script", "--channel", "chat").split())
    assert ("从 2026-12-20 到 2027-01-20 每月先还您 ¥100.00，然后每月还您 ¥1,980.00，分 10 个月，"
            "从 2027-02-20 到 2027-11-20，一共 ¥20,000.00") in chat


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_an_arrears_offer_deferred_2_months_moves_the_regular_installments_too() -> None:
    """借呗 with income now (3,200 a month): the lender defers the arrears 2 months, then 4
    payments of 909.38 (as above) from add_months(2026-11-20, 3) = 2027-02-20. The regular
    installments are taken to move back the same 2 months: the next, due 2026-12-10, on
    2027-02-10. The plan asks nothing in its first two months (from 2026-11-20 and
    2026-12-20), 1,818.76 in the third (from 2027-01-20: the 2027-02-10 installment), then
    909.38 + 1,818.76 = 2,728.14."""
    ok("debt", "add", "--product", "jiebei", "--borrowed", "20000", "--periods", "12",
       "--daily-rate", "0.045%", "--method", "annuity", "--first-due", "2026-09-10",
       "--paid-periods", "1")
    ok("budget", "set", "--adults", "1", "--city-tier", "tier2", "--income", "wages=6000",
       "--priority", "rent=1500", "--flexible", "food=1000")
    ok("offer", "--scope", "arrears", "--defer-months", "2", "--periods", "4",
       "--waive-penalty", "--accept")
    status = " ".join(ok("status", "--lang", "en").split())
    assert "Regular installments ahead: 9, the next ¥1,818.76 on 2027-02-10." in status
    assert "Now: Deferral: nothing to pay under the arrangement before 2027-02-20." in status
    plan = ok_json("plan", "--strategy", "avalanche")
    assert [m["debts"][0]["paid"] for m in plan["plans"][0]["months"][:4]] == [
        "0.00", "0.00", "1818.76", "2728.14"]
