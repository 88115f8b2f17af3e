"""Issue 12, the debt level: installment loans entered as the lender's app shows them, cards
by statement, private loans capped at the legal rate, rates that cannot be misread.

Every figure is worked by hand in the test's docstring.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_cli_case import clean_home, invoke, ok, ok_json
from xieshang.engine.accrual import OverdueDebt, bill_on
from xieshang.engine.installments import (
    LoanTerms,
    installments,
    overdue_debt_parts,
    position,
)
from xieshang.engine.schedules import Method
from xieshang.rules import load_preset

NOW = "2026-11-20T10:00+08:00"
JIEBEI = ("debt", "add", "--product", "jiebei", "--borrowed", "20000", "--periods", "12",
          "--daily-rate", "0.045%", "--method", "annuity", "--first-due", "2026-09-10",
          "--paid-periods", "1")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    return folder


def _terms() -> LoanTerms:
    return LoanTerms(borrowed=Decimal("20000"), periods=12, method=Method.ANNUITY,
                     first_due=date(2026, 9, 10), paid_periods=1,
                     daily_rate=Decimal("0.00045"))


# ----------------------------------------------------------------- installment loans


def test_jiebei_installments_each_with_its_own_date() -> None:
    """借呗 ¥20,000, 12 periods, 0.045 %/day, 等额本息, first due 2026-09-10, 1 repaid.

    The loan date is 2026-08-10. Period 1: 31 days, 20,000 × 0.00045 × 31 = 279.00; the
    level payment is 1,818.76, so principal 1,539.76. Period 2 (09-10 → 10-10, 30 days):
    18,460.24 × 0.00045 × 30 = 249.21, principal 1,569.55. Period 3 (31 days):
    16,890.69 × 0.00045 × 31 = 235.625… → 235.63, principal 1,583.13.

    On 2026-11-20 periods 2 (due 10-10) and 3 (due 11-10) are overdue; not yet due:
    20,000 − 1,539.76 − 1,569.55 − 1,583.13 = 15,307.56; 9 regular installments ahead.
    """
    rows = installments(_terms())
    assert rows[0].interest == Decimal("279.00")
    assert rows[0].amount == Decimal("1818.76")
    seen = position(_terms(), date(2026, 11, 20))
    assert [(i.period, i.due, i.principal, i.interest) for i in seen.overdue] == [
        (2, date(2026, 10, 10), Decimal("1569.55"), Decimal("249.21")),
        (3, date(2026, 11, 10), Decimal("1583.13"), Decimal("235.63"))]
    assert seen.not_yet_due == Decimal("15307.56")
    assert len(seen.ahead) == 9


def test_jiebei_penalty_runs_from_each_installments_own_date() -> None:
    """The penalty is contract rate × 1.5 = 0.0675 %/day on each installment's principal
    from the day after its own due date (借呗: overdue principal, §2):

    * period 2, 10-11 … 11-20 = 41 days: 1,569.55 × 0.000675 × 41 = 43.437…
    * period 3, 11-11 … 11-20 = 10 days: 1,583.13 × 0.000675 × 10 = 10.686…

    Together 54.12 (rounded once). One shared date (both from 10-11) would give
    3,152.68 × 0.000675 × 41 = 87.25. Interest due 249.21 + 235.63 = 484.84.
    """
    parts = overdue_debt_parts(_terms())
    assert parts is not None
    debt = OverdueDebt(load_preset("jiebei"), parts.principal, parts.due_date,
                       interest=parts.interest, not_yet_due_principal=parts.not_yet_due,
                       later=parts.later, contract_daily_rate=Decimal("0.00045"))
    bill = bill_on(debt, date(2026, 11, 20))
    assert (bill.principal, bill.interest, bill.penalty) == (
        Decimal("3152.68"), Decimal("484.84"), Decimal("54.12"))
    assert bill.not_yet_due == Decimal("15307.56")
    # on 12-11 period 4 (1,612.11 + 206.65) has joined the arrears
    later = bill_on(debt, date(2026, 12, 11))
    assert later.principal == Decimal("4764.79")
    assert later.not_yet_due == Decimal("13695.45")


@pytest.mark.now(NOW)
def test_debt_add_by_terms_and_status() -> None:
    """The CLI stores the first unpaid installment and shows both overdue installments
    with their own dates; status total 3,152.68 + 484.84 + 54.12 = 3,691.64."""
    ok(*JIEBEI)
    line = ok_json("status")["debts"][0]
    assert line["total"] == "3691.64"
    assert line["not_yet_due"] == "15307.56"
    assert [(i["period"], i["due"]) for i in line["installments"]["overdue"]] == [
        (2, "2026-10-10"), (3, "2026-11-10")]
    assert "2026-10-10" in ok("status", "--lang", "en")
    listed = ok_json("debt", "list")["debts"][0]
    assert (listed["borrowed"], listed["periods"], listed["paid_periods"]) == (
        "20000.00", 12, 1)


@pytest.mark.now(NOW)
def test_ladder_asks_fit_the_share_with_the_regular_installments() -> None:
    """Budget: income 6,000 − rent 2,000 − food 1,500 leaves 2,500 for the one debt.

    The regular installment 1,818.76 keeps falling due, so the arrears ladder works with
    2,500.00 − 1,818.76 = 681.24 a month: every ask plus 1,818.76 is at most 2,500. The
    whole-balance ladder reschedules 3,691.64 + 15,307.56 = 18,999.20 within 2,500; its
    walk-away APR is the entered 0.045 %/day × 365 = 16.425 % (not the preset's 0.05 %),
    nowhere near 829 %.
    """
    ok(*JIEBEI)
    ok("budget", "set", "--adults", "1", "--buffer", "0", "--income", "wages=6000",
       "--priority", "rent=2000", "--flexible", "food=1500")
    payload = ok_json("ladder")
    loan = payload["loan"]
    assert payload["affordable"] == "2500.00"
    assert loan["regular"] == "1818.76"
    assert loan["arrears_share"] == "681.24"
    for rung in payload["rungs"]:
        assert Decimal(rung["monthly"]) + Decimal("1818.76") <= Decimal("2500.00")
    whole = loan["whole"]
    assert whole["owed"] == "18999.20"
    for rung in whole["rungs"]:
        assert Decimal(rung["monthly"]) <= Decimal("2500.00")
    walk = next(r for r in whole["rungs"] if r["level"] == "walk_away")
    assert Decimal("0.16") < Decimal(walk["apr"]) < Decimal("0.17")


@pytest.mark.now(NOW)
def test_an_offer_over_the_whole_balance_gets_a_real_apr() -> None:
    """The lender offers 12 payments of 1,700.00 = 20,400.00: more than the 3,691.64 overdue
    and half the 15,307.56 not yet due, so it reschedules the whole 18,999.20. Its APR is
    the monthly IRR of −18,999.20 then 12 × 1,700.00 (≈ 1.112 % a month) × 12 ≈ 13.34 %,
    not the hundreds of per cent it would be against the arrears alone."""
    ok(*JIEBEI)
    ok("budget", "set", "--adults", "1", "--buffer", "0", "--income", "wages=6000",
       "--priority", "rent=2000", "--flexible", "food=1500")
    check = ok_json("offer", "--periods", "12", "--monthly", "1700", "--scope", "whole")
    assert check["owed"] == "18999.20"
    assert Decimal("0.133") < Decimal(check["apr_nominal"]) < Decimal("0.134")
    assert check["verdict"] == "affordable"


@pytest.mark.now(NOW)
def test_an_incomplete_loan_is_named() -> None:
    """--borrowed without --periods names the missing field; nothing is stored."""
    code, _out, err = invoke("debt", "add", "--product", "jiebei", "--borrowed", "20000",
                             "--daily-rate", "0.045%", "--first-due", "2026-09-10")
    assert code == 2
    assert "periods" in err
    assert ok_json("debt", "list")["debts"] == []


# ------------------------------------------------------------ input that cannot be misread


@pytest.mark.now(NOW)
def test_a_daily_rate_without_its_unit_is_refused_with_both_readings() -> None:
    """``--daily-rate 0.045``: 0.045 % a day (the app's 日利率 with the % left off, ¥3,738.36
    on the 借呗 loan) or 4.5 % a day (¥13,698.24) — both readings are shown, exit 2,
    nothing stored."""
    args = [a if a != "0.045%" else "0.045" for a in JIEBEI]
    code, _out, err = invoke(*args, "--lang", "en")
    assert code == 2
    assert "0.045% a day" in err
    assert "4.5% a day" in err
    assert ok_json("debt", "list")["debts"] == []


def test_calc_overdue_daily_rate_is_the_contract_rate() -> None:
    """``--daily-rate`` is the contract rate in every command. 借呗's penalty is the
    contract rate × 1.5 on the overdue principal (preset jiebei, §2): 10,000 × 0.05 % × 1.5
    × 1 day = 7.50 (the preset's own example: "1万元、日利率万分之五，一天罚息7.5元").
    ``--penalty-rate 0.05%`` is the overdue rate itself: 10,000 × 0.05 % = 5.00."""
    data = ok_json("calc", "overdue", "--product", "jiebei", "--amount", "10000", "--days",
                   "1", "--daily-rate", "0.05%")
    assert data["penalty"] == "7.50"
    assert data["penalty_daily_rate"] == "0.00075"
    data = ok_json("calc", "overdue", "--product", "jiebei", "--amount", "10000", "--days",
                   "1", "--penalty-rate", "0.05%")
    assert data["penalty"] == "5.00"


@pytest.mark.parametrize(("option", "value", "limit"), [
    ("--daily-rate", "0.2%", "0.1%"),
    ("--penalty-rate", "0.6%", "0.5%"),
])
def test_unusually_high_rates_need_yes(option: str, value: str, limit: str) -> None:
    """A contract rate above 0.1 % a day or an overdue rate above 0.5 % a day is asked about
    (refused without a terminal) unless --yes accepts it."""
    args = ("calc", "overdue", "--product", "jiebei", "--amount", "10000", "--days", "1",
            option, value)
    code, _out, err = invoke(*args, "--lang", "en")
    assert code == 2
    assert limit in err
    assert "--yes" in err
    ok(*args, "--yes")


@pytest.mark.parametrize(("option", "value"), [
    ("--first-due", "1900-01-01"),
    ("--borrowed", "1" * 40),
])
def test_a_1900_date_and_a_40_digit_amount_are_refused(option: str, value: str) -> None:
    args = list(JIEBEI)
    args[args.index(option) + 1] = value
    code, _out, err = invoke(*args, "--lang", "en")
    assert code == 2
    assert f"({option})" in err
    assert ok_json("debt", "list")["debts"] == []


def test_the_loan_terms_travel_with_an_export(tmp_path: Path) -> None:
    """Export → import → export keeps the new debt fields (migration 0004) to the byte."""
    from xieshang.store.db import open_store
    from xieshang.store.exchange import dumps, export_case, import_case, loads
    from xieshang.store.model import Case, Debt

    store = open_store(data_dir=tmp_path / "x")
    try:
        with store.begin() as tx:
            case = tx.add(Case(name="李明"))
            tx.add(Debt(case_id=case.id, preset_id="jiebei", principal=Decimal("1569.55"),
                        interest=Decimal("249.21"), not_yet_due=Decimal("16890.69"),
                        due_date=date(2026, 10, 10), contract_rate=Decimal("0.00045"),
                        contract_rate_basis="daily", borrowed=Decimal("20000.00"), periods=12,
                        paid_periods=1, repayment_method="annuity",
                        first_due=date(2026, 9, 10), contract_date=date(2026, 8, 10),
                        posted_on=date(2026, 8, 20), card_interest_basis="unpaid"))
        with store.begin(readonly=True) as tx:
            first = dumps(export_case(tx, case.id))
        with store.begin() as tx:
            copy = import_case(tx, loads(first, "case.json"), "case.json")
            debt = tx.find(Debt, case_id=copy.id)[0]
        with store.begin(readonly=True) as tx:
            assert dumps(export_case(tx, copy.id)) == first
        assert (debt.borrowed, debt.periods, debt.paid_periods, debt.repayment_method,
                debt.first_due, debt.contract_date, debt.posted_on,
                debt.card_interest_basis) == (
            Decimal("20000.00"), 12, 1, "annuity", date(2026, 9, 10), date(2026, 8, 10),
            date(2026, 8, 20), "unpaid")
    finally:
        store.close()


# ----------------------------------------------------------------- cards by statement

CARD_FACTS = {"daily_rate": "0.05%", "statement_date": "2026-09-05", "due_date": "2026-09-25",
              "next_statement_date": "2026-10-05",
              "transactions": [{"posted": "2026-08-20", "amount": "10000"}], "payments": []}


@pytest.mark.now("2026-10-05T10:00+08:00")
def test_the_cards_status_equals_calc_card_interest(tmp_path: Path) -> None:
    """¥10,000 posted 08-20, due 09-25, seen on 10-05, 0.05 %/day (preset credit_card_cn).

    Not paid in full: interest from the posting date, 08-20 … 10-05 = 12 + 30 + 5 = 47
    days × 10,000 × 0.0005 = 235.00 (the preset's 全额计息). ``calc card-interest`` with the
    next statement on 10-05 counts the same 47 days. ``status`` shows it as 185.00 interest
    (08-20 … 09-25, 37 days) and 50.00 overdue interest (09-26 … 10-05, 10 days, the grace
    days included), plus the late fee 5 % × the 1,000 minimum (10 %) = 50.00.
    """
    path = tmp_path / "card.json"
    import json

    path.write_text(json.dumps(CARD_FACTS), encoding="utf-8")
    expected = ok_json("calc", "card-interest", "--input", str(path))["interest"]
    assert expected == "235.00"
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "10000", "--overdue-since",
       "2026-09-26", "--posted-on", "2026-08-20")
    line = ok_json("status")["debts"][0]
    assert Decimal(line["interest"]) + Decimal(line["penalty"]) == Decimal(expected)
    assert line["fees"] == "50.00"
    calc = ok_json("calc", "overdue", "--product", "credit_card_cn", "--amount", "10000",
                   "--from", "2026-09-25", "--to", "2026-10-05", "--posted-on", "2026-08-20")
    assert Decimal(calc["interest"]) + Decimal(calc["penalty"]) == Decimal(expected)


def test_full_and_unpaid_interest_bases() -> None:
    """The same card with 4,000 repaid on 09-20 (before the due date), seen on 10-05.

    全额计息: the repaid 4,000 bears interest 08-20 … 09-19 (31 days) = 62.00, the unpaid
    6,000 08-20 … 10-05 (47 days) = 141.00: 203.00. 按未还部分计息: only 141.00. Both
    equal :func:`card_interest` with the same basis.
    """
    from xieshang.engine.accrual import CardTransaction, Payment, card_interest

    preset = load_preset("credit_card_cn")
    paid = (Payment(on=date(2026, 9, 20), amount=Decimal("4000")),)
    for basis, expected in (("full", "203.00"), ("unpaid", "141.00")):
        debt = OverdueDebt(preset, Decimal("10000"), date(2026, 9, 25), payments=paid,
                           interest_from=date(2026, 8, 20), card_interest_basis=basis)
        bill = bill_on(debt, date(2026, 10, 5))
        assert bill.interest + bill.penalty == Decimal(expected)
        card = card_interest(Decimal("0.0005"), date(2026, 9, 5), date(2026, 9, 25),
                             date(2026, 10, 5),
                             (CardTransaction(date(2026, 8, 20), Decimal("10000")),), paid,
                             basis=basis)
        assert card.interest == Decimal(expected)


def test_a_late_fee_for_every_missed_statement() -> None:
    """¥62,000 missed on 2026-01-10, seen on 2026-05-10 (120 days): the minimum is 10 % =
    6,200 and each fee 5 % of it = 310.00 (preset credit_card_cn, ``per_statement``): one
    after the grace days and one at each later statement (02-10, 03-10, 04-10, 05-10):
    5 × 310.00 = 1,550.00, not one 310.00."""
    data = ok_json("calc", "overdue", "--product", "credit_card_cn", "--amount", "62000",
                   "--from", "2026-01-10", "--to", "2026-05-10")
    assert data["fees"] == "1550.00"


# --------------------------------------------------------------- family / private loans


@pytest.mark.now(NOW)
@pytest.mark.parametrize(("contract_date", "basis", "lpr_from"), [
    ("2026-01-01", "contract_date", "2025-05-20"),
    ("2019-10-01", "as_of", "2025-05-20"),
])
def test_a_private_loan_at_18_percent_is_capped_at_the_legal_rate(
        contract_date: str, basis: str, lpr_from: str) -> None:
    """¥20,000 lent at 18 % a year, 60 days overdue.

    Uncapped: 20,000 × 18 % × 60 / 365 = 591.78. The limit is 4 × the 1-year LPR: 3.00 %
    (in force from 2025-05-20) × 4 = 12 %, so 20,000 × 12 % × 60 / 365 = 394.52.
    A loan made 2026-01-01 takes the LPR then (Art. 25); one made 2019-10-01, before
    2020-08-20, takes for interest after 2020-08-19 the LPR now (Art. 31) — 3.00 % too, not
    the 4.20 % of October 2019 (which would give 16.8 %: 552.33).
    """
    data = ok_json("calc", "overdue", "--product", "informal_loan", "--amount", "20000",
                   "--days", "60", "--annual-rate", "18%", "--contract-date", contract_date)
    assert data["penalty"] == "394.52"
    private = data["private_loan"]
    assert (private["agreed"], private["cap"], private["capped"]) == ("0.18", "0.12", True)
    assert (private["cap_basis"], private["cap_lpr_from"]) == (basis, lpr_from)


@pytest.mark.now(NOW)
def test_a_family_loan_works_with_no_extra_flags() -> None:
    """No rate agreed: overdue interest follows the LPR (Art. 28), 3.00 % a year, if the
    lender asks: 20,000 × 3 % × 60 / 365 = 98.63, said, not charged (penalty 0.00). The
    timeline works and has no credit-report milestones (a private lender does not report);
    the plan needs no --annual-rate."""
    data = ok_json("calc", "overdue", "--product", "informal_loan", "--amount", "20000",
                   "--days", "60")
    assert data["penalty"] == "0.00"
    assert data["private_loan"]["claimable"] == "98.63"
    assert data["private_loan"]["lpr_default"] is True
    events = ok_json("calc", "timeline", "--product", "informal_loan", "--amount", "20000",
                     "--overdue-since", "2026-09-21")["events"]
    ids = {event["id"] for event in events}
    assert "limitation" in ids
    assert not ids & {"credit_repair", "credit_report", "credit_report_retention",
                      "free_credit_reports"}
    ok("debt", "add", "--product", "informal_loan", "--amount", "5000", "--label", "姐夫")
    ok("plan", "--budget", "800")
    ok("debt", "add", "--product", "informal_loan", "--amount", "20000", "--overdue-since",
       "2026-09-22", "--annual-rate", "18%", "--contract-date", "2026-01-01")
    line = ok_json("status")["debts"][1]
    assert line["penalty"] == "394.52"
    ok("plan", "--budget", "800")


# ------------------------------------------------------------- the debt's own terms first


@pytest.mark.now(NOW)
def test_each_debt_is_paid_by_its_own_repayment_day() -> None:
    """Seen on 2026-11-20: a loan that is not overdue, repaid on the 25th, is paid by
    2026-11-25 (its own day), not on the plan's day; the overdue 花呗 bill at once."""
    ok("debt", "add", "--product", "generic_loan", "--amount", "10000", "--due-day", "25",
       "--annual-rate", "12%")
    ok("debt", "add", "--product", "huabei", "--amount", "3000", "--overdue-since",
       "2026-11-01")
    actions = {a["debt"]: a["by"] for a in ok_json("plan", "month", "--budget", "3000")[
        "actions"]}
    assert actions == {"1": "2026-11-25", "2": "2026-11-20"}


def test_the_overdraft_threshold_counts_principal_only() -> None:
    """A card with ¥45,000 principal and ¥6,000 interest: ¥51,000 owed, but the
    malicious-overdraft amount counts principal only (rules-cn.md §5) — 45,000 is below
    50,000, so the milestone does not apply."""
    events = ok_json("calc", "timeline", "--product", "credit_card_cn", "--amount", "45000",
                     "--interest", "6000", "--overdue-since", "2026-05-01",
                     "--as-of", "2026-11-20")["events"]
    overdraft = next(e for e in events if e["id"] == "malicious_overdraft")
    assert overdraft["applies"] is False


# --------------------------------------------------------------------------- invariants


@settings(max_examples=40, deadline=None)
@given(borrowed=st.integers(min_value=100, max_value=200_000),
       periods=st.integers(min_value=1, max_value=36),
       paid=st.integers(min_value=0, max_value=36),
       rate=st.sampled_from(["0.0002", "0.00045", "0.0005", "0.001"]),
       method=st.sampled_from(list(Method)),
       days=st.integers(min_value=0, max_value=800))
def test_installments_never_lose_or_make_principal(borrowed: int, periods: int, paid: int,
                                                   rate: str, method: Method,
                                                   days: int) -> None:
    """Whatever the loan and the day: the installments' principal adds up to the amount
    borrowed; the bill's overdue principal plus the principal not yet due is everything
    not repaid (installments falling due only move principal from one to the other); each
    installment's own due date never charges more penalty than one shared date would."""
    paid = min(paid, periods)
    terms = LoanTerms(borrowed=Decimal(borrowed), periods=periods, method=method,
                      first_due=date(2026, 1, 31), paid_periods=paid, daily_rate=Decimal(rate))
    rows = installments(terms)
    assert sum((r.principal for r in rows), Decimal(0)) == Decimal(borrowed)
    parts = overdue_debt_parts(terms)
    if parts is None:
        assert paid == periods
        return
    left = sum((r.principal for r in rows[paid:]), Decimal(0))
    preset = load_preset("jiebei")
    debt = OverdueDebt(preset, parts.principal, parts.due_date, interest=parts.interest,
                       not_yet_due_principal=parts.not_yet_due, later=parts.later,
                       contract_daily_rate=Decimal(rate))
    day = parts.due_date + timedelta(days=days)
    bill = bill_on(debt, day)
    assert bill.principal + bill.not_yet_due == left
    seen = position(terms, day + timedelta(days=1))
    assert bill.not_yet_due == seen.not_yet_due
    shared = OverdueDebt(preset, bill.principal, parts.due_date,
                         contract_daily_rate=Decimal(rate))
    assert bill.penalty <= bill_on(shared, day).penalty


def test_loan_first_due_on_the_31st_keeps_its_repayment_day() -> None:
    """Defect: a loan first due on 2026-03-31 was scheduled from one month earlier
    (2026-02-28) and every due date, the first included, moved to the 28th.

    微粒贷-style ¥12,000, 3 periods, 0.04 %/day, 等额本金 (4,000 a period), first due
    2026-03-31. Loan date 2026-02-28. Period 1 (02-28 → 03-31, 31 days):
    12,000 × 0.0004 × 31 = 148.80 (was 134.40 on 28 days, due 03-28). Period 2
    (03-31 → 04-30, 30 days): 8,000 × 0.0004 × 30 = 96.00 (was 124.00). Period 3
    (04-30 → 05-31, 31 days): 4,000 × 0.0004 × 31 = 49.60 (was 96.00). On 2026-04-29 only
    period 1 is overdue (period 2 falls due 04-30; it was counted overdue since 04-28).
    A bank loan at 12 % a year keeps the same days: 03-31, 04-30, 05-31.
    """
    terms = LoanTerms(borrowed=Decimal("12000"), periods=3, method=Method.EQUAL_PRINCIPAL,
                      first_due=date(2026, 3, 31), daily_rate=Decimal("0.0004"))
    rows = installments(terms)
    assert [row.due for row in rows] == [date(2026, 3, 31), date(2026, 4, 30),
                                         date(2026, 5, 31)]
    assert [row.interest for row in rows] == [Decimal("148.80"), Decimal("96.00"),
                                              Decimal("49.60")]
    assert [row.principal for row in rows] == [Decimal("4000.00")] * 3
    on = position(terms, date(2026, 4, 29))
    assert [row.period for row in on.overdue] == [1]
    assert on.arrears == Decimal("4148.80")
    bank = LoanTerms(borrowed=Decimal("12000"), periods=3, method=Method.ANNUITY,
                     first_due=date(2026, 3, 31), annual_rate=Decimal("0.12"))
    assert [row.due for row in installments(bank)] == [date(2026, 3, 31), date(2026, 4, 30),
                                                        date(2026, 5, 31)]


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_a_posting_date_after_the_due_date_is_refused_not_stored(home: Path) -> None:
    """Defect: ``debt add --product credit_card_cn --overdue-since 2026-11-06 --posted-on
    2026-12-01`` was stored (exit 0), then every ``status`` failed with exit 2 on an internal
    field (interest_from): the statement's interest runs from the posting date up to the due
    date 2026-11-05, and a posting 26 days after it has no such period. The web form saved
    it too.

    Now: exit 2 naming --posted-on and nothing written; the web form answers 422 on the
    posting date field; a record stored before this fix is listed by ``status`` with the
    ``debt edit --posted-on …`` that fixes it, and fixed to 2026-10-01 it counts: 10-01 …
    11-05 = 36 days × 5,000 × 0.0005 = 90.00 interest.
    """
    from webclient import WebClient
    from xieshang.store.db import open_store
    from xieshang.store.model import Case, Debt

    code, _out, err = invoke("debt", "add", "--product", "credit_card_cn", "--amount", "5000",
                             "--overdue-since", "2026-11-06", "--posted-on", "2026-12-01")
    assert code == 2
    assert "--posted-on" in err
    assert "2026-11-05" in err
    assert ok_json("debt", "list")["debts"] == []
    with WebClient(lambda: open_store(data_dir=home), lang="en") as web:
        web.get("/debts/new")
        response = web.post("/debts/new", {"product": "credit_card_cn", "amount": "5000",
                                           "overdue_since": "2026-11-06",
                                           "posted_on": "2026-12-01"})
        assert response.status_code == 422
        assert 'id="f-posted_on-error"' in response.text
    assert ok_json("debt", "list")["debts"] == []
    with open_store(data_dir=home) as store, store.begin() as tx:  # as an older version did
        case = tx.find(Case)[0]
        tx.add(Debt(case_id=case.id, preset_id="credit_card_cn", principal=Decimal("5000"),
                    due_date=date(2026, 11, 5), posted_on=date(2026, 12, 1)))
    code, out, _err = invoke("status")
    assert code == 0
    assert "debt edit 1 --posted-on" in out
    ok("debt", "edit", "1", "--posted-on", "2026-10-01")
    assert ok_json("status")["debts"][0]["interest"] == "90.00"


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_a_loans_month_delay_is_not_its_next_regular_installment(home: Path) -> None:
    """Defect: the batch's ``month_delay`` (what waiting one more month adds) counted the
    loan's next regular installment as a cost of waiting: 1,915.20 for the 借呗 loan of
    ``JIEBEI`` on 2026-12-07, whose daily cost is 2.13.

    Periods 2 and 3 are overdue: principal 1,569.55 + 1,583.13 = 3,152.68; the overdue rate
    is 0.045 % × 1.5 = 0.0675 % a day. To 2027-01-07 (31 days): 3,152.68 × 0.000675 × 31 =
    65.9724; period 4 (principal 1,612.11, interest 206.65) falls due 2026-12-10 and, unpaid,
    bears 1,612.11 × 0.000675 × 28 days (12-11 … 01-07) = 30.4689. Waiting adds
    96.4413 → 96.44 (the bill's penalty is rounded once). The installment itself,
    1,612.11 + 206.65 = 1,818.76, is owed by the schedule either way: it was the
    difference (96.44 + 1,818.76 = 1,915.20).
    """
    from xieshang.services.evaluate import evaluate_case
    from xieshang.store.db import open_store

    ok(*JIEBEI)
    with open_store(data_dir=home) as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        figures = evaluate_case(tx, case, date(2026, 12, 7), plan=False, ladder=False)
    (debt,) = figures.debts
    assert debt.view.bill is not None
    assert debt.view.bill.principal == Decimal("3152.68")
    assert debt.month_delay == Decimal("96.44")
    assert figures.month_delay == Decimal("96.44")


@pytest.mark.now(NOW)
def test_a_contract_date_after_the_missed_repayment_is_refused() -> None:
    """Defect: a family loan overdue since 2026-09-22 (repayment missed 2026-09-21) with
    ``--contract-date 2062-01-01`` (a mistyped 2026) was stored, and its legal limit taken
    from the LPR in force in 2062 — the latest fixing — instead of the one at formation.

    Now exit 2 naming --contract-date and the due date, nothing written; 2026-01-01 is
    stored and capped at 4 × 3.00 % = 12 % (20,000 × 12 % × 60 / 365 = 394.52 on
    2026-11-20, as in the 18 % test above)."""
    code, _out, err = invoke("debt", "add", "--product", "informal_loan", "--amount", "20000",
                             "--overdue-since", "2026-09-22", "--annual-rate", "18%",
                             "--contract-date", "2062-01-01")
    assert code == 2
    assert "--contract-date" in err
    assert "2026-09-21" in err
    assert ok_json("debt", "list")["debts"] == []
    ok("debt", "add", "--product", "informal_loan", "--amount", "20000", "--overdue-since",
       "2026-09-22", "--annual-rate", "18%", "--contract-date", "2026-01-01")
    assert ok_json("status")["debts"][0]["penalty"] == "394.52"


@pytest.mark.now(NOW)
def test_what_an_offer_on_a_loan_covers_is_asked_not_guessed() -> None:
    """An offer on a loan with installments still ahead could mean the overdue installments
    or the whole balance; the total alone cannot tell (it used to be guessed from whether
    it passed the arrears plus half the principal not yet due). Without `--scope` the
    command asks (exit 2, the principal not yet due named); with it, the offer is checked
    against the 3,691.64 overdue or the whole 18,999.20."""
    ok(*JIEBEI)
    ok("budget", "set", "--adults", "1", "--buffer", "0", "--income", "wages=6000",
       "--priority", "rent=2000", "--flexible", "food=1500")
    code, _out, err = invoke("offer", "--periods", "12", "--monthly", "300")
    assert code == 2
    assert "--scope" in err
    assert "¥15,307.56 的本金尚未到期" in err
    arrears = ok_json("offer", "--periods", "12", "--monthly", "300", "--scope", "arrears")
    whole = ok_json("offer", "--periods", "12", "--monthly", "300", "--scope", "whole")
    assert (arrears["owed"], whole["owed"]) == ("3691.64", "18999.20")
    code, _out, err = invoke("offer", "--periods", "12", "--monthly", "300", "--scope", "all")
    assert code == 2
    assert "arrears, whole" in err
