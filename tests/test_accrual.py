"""Overdue charges to the fen: published examples, hand-computed cases and invariants.

Golden examples come from ``rules-cn.md`` §9.1; each carries its source address and mark.
The presets of the golden tests are built here with exactly the parameters the example
states, so a later change of a shipped default cannot silently change what is tested;
:func:`test_shipped_presets_reproduce_the_published_examples` checks the shipped files too.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.accrual import (
    CardNote,
    CardTransaction,
    OverdueDebt,
    Payment,
    SegmentKind,
    Walker,
    bill_on,
    card_interest,
    compounding_dates,
    daily_costs,
    late_fee_due,
    minimum_due_of,
    overdue_charge,
    principal_outstanding_principal_first,
)
from xieshang.engine.errors import InputError
from xieshang.engine.money import D, Rounding
from xieshang.engine.preset import LateFee, LateFeeKind, Preset, RoundingRule, preset_from_dict
from xieshang.rules import load_presets

DUE = date(2026, 3, 10)


def make_preset(**changes: Any) -> Preset:
    """A minimal preset: Huabei-like simple daily 0.05 %, overridable table by table."""
    data: dict[str, Any] = {
        "schema": 1,
        "id": "test",
        "name": {"zh": "测试", "en": "Test"},
        "lender": {"zh": "测试", "en": "Test"},
        "lender_type": "consumer_finance",
        "product_kind": "bill",
        "effective_from": date(2021, 1, 1),
        "reviewed": date(2026, 3, 31),
        "repayment_methods": ["full"],
        "penalty": {"model": "simple_daily", "base": "overdue_amount", "daily_rate": "0.0005"},
        "sources": {"penalty": {"confidence": "S", "urls": ["https://example.invalid/t"]},
                    "repayment_methods": {"confidence": "USER", "note": "test value"}},
    }
    for key, value in changes.items():
        data[key] = value
        if key not in ("penalty", "product_kind", "lender_type", "id"):
            data["sources"][key] = {"confidence": "USER", "note": "test value"}
    return preset_from_dict(data, "test")


HUABEI = make_preset(rounding={"mode": "half_up", "daily_amount": True})


def day(n: int) -> date:
    """Overdue day ``n`` (day 1 is the day after the due date)."""
    return DUE + timedelta(days=n)


# --------------------------------------------------------------- published examples §9.1


def test_h1_huabei_2000_for_30_days() -> None:
    # H1 — https://en.4hw.com.cn/646/36784.html [S]: 2,000 × 0.05 %/day × 30 days = 30.00
    bill = bill_on(OverdueDebt(HUABEI, D("2000.00"), DUE), day(30))
    assert bill.days_overdue == 30
    assert bill.penalty == Decimal("30.00")
    assert bill.total == Decimal("2030.00")
    assert bill.daily_cost == Decimal("1.00")
    assert overdue_charge(D("2000"), D("0.0005"), 30, HUABEI.rounding) == Decimal("30.00")


def test_h2_huabei_1000_for_3_days() -> None:
    # H2 — http://anju.szhome.com/info/guangda/7284712.html [S]: 0.50 a day, 1.50 in 3 days
    bill = bill_on(OverdueDebt(HUABEI, D("1000.00"), DUE), day(3))
    assert bill.penalty == Decimal("1.50")
    assert bill.daily_cost == Decimal("0.50")
    assert bill_on(OverdueDebt(HUABEI, D("1000.00"), DUE), day(1)).penalty == Decimal("0.50")


def test_h3_huabei_10000_for_10_days() -> None:
    # H3 — https://m.combofin.com/article/3390683.html [S]: 10,000 due, 10 days → 50.00
    assert bill_on(OverdueDebt(HUABEI, D("10000.00"), DUE), day(10)).penalty == Decimal("50.00")
    assert overdue_charge(D("10000"), D("0.0005"), 10) == Decimal("50.00")


def test_h4_huabei_partial_payment_by_the_due_date() -> None:
    # H4 — https://littlestuffedanimals.com/blog-1221500.html [S]: 10,000 due on the 10th,
    # 5,000 paid by the 10th, the rest repaid on the 11th (1 day): (10000−5000)×1×0.05% = 2.50
    debt = OverdueDebt(HUABEI, D("10000.00"), DUE, payments=(Payment(DUE, D("5000.00")),))
    bill = bill_on(debt, day(1))
    assert (bill.principal, bill.penalty, bill.total) == (
        Decimal("5000.00"), Decimal("2.50"), Decimal("5002.50"))
    # repaying that amount on the 11th clears it
    repaid = OverdueDebt(HUABEI, D("10000.00"), DUE,
                         payments=(Payment(DUE, D("5000.00")), Payment(day(1), D("5002.50"))))
    assert bill_on(repaid, day(1)).total == 0
    assert bill_on(repaid, day(40)).total == 0


def test_h5_published_figure_is_rejected() -> None:
    # H5 — http://www.gu12345.com/thread/9117.html [S] publishes 100 overdue, 1 day → 0.50.
    # REJECTED EXAMPLE: 100 × 0.05 % = 0.05 a day. 0.50 would need 0.5 %/day (ten times the
    # rate every other source gives, §1.2) or an amount of 1,000; no rounding mode or reading
    # of day counting turns 0.05 into 0.50. The engine keeps the rule and gives 0.05.
    bill = bill_on(OverdueDebt(HUABEI, D("100.00"), DUE), day(1))
    assert bill.penalty == Decimal("0.05")
    for mode in Rounding:
        rule = RoundingRule(mode=mode, daily_amount=True)
        assert overdue_charge(D("100"), D("0.0005"), 1, rule) != Decimal("0.50")
    assert overdue_charge(D("100"), D("0.0005"), 2) != Decimal("0.50")


def test_h6_huabei_minimum_payment() -> None:
    # H6 — https://en.doing.city/2406/065943cd8fc9ac16.html [S]: bill 1,000, repayment date
    # the 10th, pays the 100 minimum → 900 accrues 0.05 %/day from the 11th = 0.45 a day
    debt = OverdueDebt(HUABEI, D("1000.00"), DUE, payments=(Payment(DUE, D("100.00")),))
    assert minimum_due_of(OverdueDebt(make_preset(minimum_payment={"percent": "0.10"}),
                                      D("1000.00"), DUE)) == Decimal("100.00")
    assert bill_on(debt, DUE).penalty == 0
    first = bill_on(debt, day(1))
    assert (first.principal, first.penalty, first.daily_cost) == (
        Decimal("900.00"), Decimal("0.45"), Decimal("0.45"))
    assert bill_on(debt, day(20)).penalty == Decimal("9.00")


JIEBEI = make_preset(
    product_kind="cash_loan", contract_daily_rate="0.0004",
    penalty={"model": "contract_multiple", "base": "overdue_principal", "multiplier": "1.5"})


def test_j2_jiebei_penalty_is_1_5_times_the_contract_rate() -> None:
    # J2 — https://yuqile.com/html/yuqi/xuiffiihg22.html [S]: 10,000 overdue at a contract
    # rate of 0.04 %/day → 6.00 a day (1.5 × 0.04 % = 0.06 %), in place of normal interest
    bill = bill_on(OverdueDebt(JIEBEI, D("10000.00"), DUE), day(1))
    assert (bill.interest, bill.penalty, bill.daily_cost) == (
        Decimal("0.00"), Decimal("6.00"), Decimal("6.00"))
    assert bill_on(OverdueDebt(JIEBEI, D("10000.00"), DUE), day(10)).penalty == Decimal("60.00")


WEILIDAI = make_preset(
    product_kind="cash_loan", lender_type="bank", contract_daily_rate="0.0005",
    penalty={"model": "on_top", "base": "overdue_principal", "multiplier": "0.5"})


def test_w2_weilidai_penalty_on_top_of_interest() -> None:
    # W2 — https://m.mzbkw.com/baike/688417.html [S]: 1,000 overdue at 0.05 %/day → extra
    # penalty 0.25 a day on top of 0.50 normal interest
    bill = bill_on(OverdueDebt(WEILIDAI, D("1000.00"), DUE), day(1))
    assert (bill.interest, bill.penalty, bill.daily_cost) == (
        Decimal("0.50"), Decimal("0.25"), Decimal("0.75"))
    week = bill_on(OverdueDebt(WEILIDAI, D("1000.00"), DUE), day(7))
    assert (week.interest, week.penalty) == (Decimal("3.50"), Decimal("1.75"))


JD = make_preset(penalty={"model": "simple_daily", "base": "overdue_amount",
                          "daily_rate": "0.0007", "minimum_per_day": "0.01"})


def test_d1_jd_baitiao_due_3_17_paid_3_22() -> None:
    # D1 — http://www.hpgipv.com/laws-1161270.html [S]: 1,000 unpaid, due 3/17, paid 3/22
    # (5 days) at 0.07 %/day → 3.50
    due = date(2026, 3, 17)
    bill = bill_on(OverdueDebt(JD, D("1000.00"), due), date(2026, 3, 22))
    assert (bill.days_overdue, bill.penalty, bill.total) == (5, Decimal("3.50"),
                                                             Decimal("1003.50"))
    paid = OverdueDebt(JD, D("1000.00"), due,
                       payments=(Payment(date(2026, 3, 22), D("1003.50")),))
    assert bill_on(paid, date(2026, 3, 22)).total == 0
    assert bill_on(paid, date(2026, 4, 22)).total == 0


def test_jd_minimum_charge_per_day() -> None:
    # §2.1: "minimum of 0.01 yuan per day": 10 × 0.07 % = 0.007 → 0.01 a day
    bill = bill_on(OverdueDebt(JD, D("10.00"), DUE), day(5))
    assert bill.penalty == Decimal("0.05")
    assert overdue_charge(D("10"), D("0.0007"), 5, RoundingRule(), D("0.01")) == Decimal("0.05")


CARD_FEE = LateFee(kind=LateFeeKind.PERCENT_OF_UNPAID_MINIMUM, rate=D("0.05"), minimum=D("10"))


@pytest.mark.parametrize(
    ("minimum", "paid", "fee"),
    [
        ("1000.00", "0.00", "50.00"),   # 5 % of 1,000
        ("1000.00", "900.00", "10.00"),  # 5 % of 100 = 5 → at least 10
        ("100.00", "0.00", "10.00"),   # 5 → at least 10
        ("1000.00", "1000.00", "0.00"),  # minimum paid: no fee
        ("1234.56", "0.00", "61.73"),  # 61.728 → 61.73
    ],
)
def test_c4_card_late_fee(minimum: str, paid: str, fee: str) -> None:
    # C4 — https://wodefinance.com/Creditcardoverdue/yzxwojdnte.html [S] (CMB): 5 % of the
    # unpaid part of the minimum payment, at least 10 yuan
    assert late_fee_due(CARD_FEE, D(minimum), D(paid)) == Decimal(fee)


def test_late_fee_maximum_and_fixed() -> None:
    capped = LateFee(kind=LateFeeKind.PERCENT_OF_UNPAID_MINIMUM, rate=D("0.05"),
                     minimum=D("5"), maximum=D("20"))
    assert late_fee_due(capped, D("1000"), D("0")) == Decimal("20.00")
    fixed = LateFee(kind=LateFeeKind.FIXED, amount=D("30"))
    assert late_fee_due(fixed, D("100"), D("50")) == Decimal("30.00")
    assert late_fee_due(fixed, D("100"), D("100")) == Decimal("0.00")
    assert late_fee_due(LateFee(), D("100"), D("0")) == Decimal("0.00")


def test_shipped_presets_reproduce_the_published_examples() -> None:
    presets = load_presets()
    assert bill_on(OverdueDebt(presets["huabei"], D("2000.00"), DUE), day(30)).penalty == 30
    jiebei = OverdueDebt(presets["jiebei"], D("10000.00"), DUE, contract_daily_rate=D("0.0004"))
    assert bill_on(jiebei, day(1)).penalty == Decimal("6.00")
    weilidai = bill_on(OverdueDebt(presets["weilidai"], D("1000.00"), DUE), day(1))
    assert (weilidai.interest, weilidai.penalty) == (Decimal("0.50"), Decimal("0.25"))
    jd = bill_on(OverdueDebt(presets["jd_baitiao"], D("1000.00"), date(2026, 3, 17)),
                 date(2026, 3, 22))
    assert jd.penalty == Decimal("3.50")


# ---------------------------------------------------------------- hand-computed cases

CARD = make_preset(
    product_kind="credit_card", lender_type="bank", grace_days=3, tolerance="10.00",
    penalty={"model": "compound_monthly", "base": "overdue_amount", "daily_rate": "0.0005"},
    late_fee={"kind": "percent_of_unpaid_minimum", "rate": "0.05", "minimum": "10.00"},
    minimum_payment={"percent": "0.10", "plus_fees_and_interest": True},
)


def test_card_paid_within_grace_counts_as_on_time() -> None:
    # §3.3: paying within the grace days counts as on time — no interest, no late fee
    debt = OverdueDebt(CARD, D("5000.00"), DUE, payments=(Payment(day(3), D("5000.00")),))
    assert bill_on(debt, day(3)).total == 0
    assert bill_on(debt, day(60)).total == 0
    assert bill_on(debt, day(60)).days_overdue == 3


def test_card_unpaid_after_grace_charges_from_day_1_plus_late_fee() -> None:
    # Unpaid after the 3 grace days: 4 days × 5,000 × 0.05 % = 10.00 from day 1, and a late
    # fee of 5 % × the 500 minimum = 25.00. On the last grace day nothing is charged yet,
    # and the cost of waiting one more day is the whole jump.
    debt = OverdueDebt(CARD, D("5000.00"), DUE)
    last_grace = bill_on(debt, day(3))
    assert last_grace.total == Decimal("5000.00")
    assert last_grace.daily_cost == Decimal("35.00")
    after = bill_on(debt, day(4))
    assert (after.penalty, after.fees, after.total) == (
        Decimal("10.00"), Decimal("25.00"), Decimal("5035.00"))


def test_card_tolerance_counts_a_small_remainder_as_paid() -> None:
    # §3.3: an unpaid remainder ≤ 10 yuan counts as full repayment; it is still owed
    debt = OverdueDebt(CARD, D("5000.00"), DUE, payments=(Payment(DUE, D("4992.00")),))
    bill = bill_on(debt, day(45))
    assert (bill.principal, bill.penalty, bill.fees) == (Decimal("8.00"), 0, 0)
    paid_later = OverdueDebt(CARD, D("5000.00"), DUE,
                             payments=(Payment(DUE, D("4992.00")), Payment(day(50), D("8.00"))))
    assert bill_on(paid_later, day(50)).total == 0


def test_card_compounds_monthly_on_the_due_day_of_the_month() -> None:
    # Due 2026-01-10, no late fee, no grace: 10,000 × 0.05 % = 5.00 a day. On 2026-02-10
    # (day 31) the 155.00 accrued joins the balance; each later day is 10,155 × 0.05 % =
    # 5.0775. On 2026-02-12: 155 + 2 × 5.0775 = 165.155 → 165.16 (half up). Without
    # compounding: 33 × 5 = 165.00.
    preset = make_preset(product_kind="credit_card", penalty={
        "model": "compound_monthly", "base": "overdue_amount", "daily_rate": "0.0005"})
    due = date(2026, 1, 10)
    debt = OverdueDebt(preset, D("10000.00"), due)
    assert compounding_dates(debt, due, date(2026, 4, 30)) == [
        date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 10)]
    assert bill_on(debt, date(2026, 2, 10)).penalty == Decimal("155.00")
    assert bill_on(debt, date(2026, 2, 12)).penalty == Decimal("165.16")
    simple = OverdueDebt(preset, D("10000.00"), due, compounding=False)
    assert bill_on(simple, date(2026, 2, 12)).penalty == Decimal("165.00")
    assert compounding_dates(simple, due, date(2026, 4, 30)) == []


def test_month_steps_from_the_31st_use_the_last_day_of_shorter_months() -> None:
    debt = OverdueDebt(make_preset(penalty={"model": "compound_monthly",
                                            "base": "overdue_amount", "daily_rate": "0.0005"}),
                       D("100.00"), date(2026, 1, 31))
    assert compounding_dates(debt, date(2026, 1, 1), date(2026, 5, 31)) == [
        date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


def test_payment_allocation_fees_penalty_interest_principal() -> None:
    # 1,000 principal, 30 interest and 20 fees overdue; 0.05 %/day on principal + interest
    # (fees bear nothing): 1,030 × 0.05 % = 0.515 a day, 5.15 after 10 days. A payment of
    # 40 on day 10 pays fees 20, penalty 5.15, then 14.85 of interest (15.15 left).
    # Day 11: (1,000 + 15.15) × 0.05 % = 0.507575; penalty 5.657575 → 5.66 − 5.15 = 0.51.
    debt = OverdueDebt(make_preset(), D("1000.00"), DUE, interest=D("30.00"), fees=D("20.00"),
                       payments=(Payment(day(10), D("40.00")),))
    assert bill_on(OverdueDebt(make_preset(), D("1000.00"), DUE, interest=D("30.00"),
                               fees=D("20.00")), day(10)).penalty == Decimal("5.15")
    paid = bill_on(debt, day(10))
    assert (paid.fees, paid.penalty, paid.interest, paid.principal) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("15.15"), Decimal("1000.00"))
    after = bill_on(debt, day(11))
    assert (after.penalty, after.total) == (Decimal("0.51"), Decimal("1015.66"))


def test_all_principal_base_charges_principal_not_yet_due() -> None:
    # yuqile.com [S, weak]: the penalty base may be all unpaid principal. 1,000 overdue +
    # 8,000 not yet due at 0.05 % × 1.5 = 0.075 %/day: 9,000 × 0.075 % = 6.75 a day.
    preset = make_preset(product_kind="cash_loan", contract_daily_rate="0.0005",
                         penalty={"model": "contract_multiple", "base": "all_principal",
                                  "multiplier": "1.5"})
    debt = OverdueDebt(preset, D("1000.00"), DUE, not_yet_due_principal=D("8000.00"))
    assert bill_on(debt, day(2)).penalty == Decimal("13.50")
    assert bill_on(debt, day(2)).principal == Decimal("1000.00")
    narrow = OverdueDebt(JIEBEI, D("1000.00"), DUE, not_yet_due_principal=D("8000.00"))
    assert bill_on(narrow, day(2)).penalty == Decimal("1.20")  # 1,000 × 0.06 % × 2


def test_on_top_interest_uses_the_same_principal_as_the_penalty() -> None:
    preset = make_preset(product_kind="cash_loan", contract_daily_rate="0.0005",
                         penalty={"model": "on_top", "base": "all_principal",
                                  "multiplier": "0.5"})
    debt = OverdueDebt(preset, D("1000.00"), DUE, not_yet_due_principal=D("3000.00"))
    bill = bill_on(debt, day(1))  # 4,000 × 0.05 % = 2.00 interest; × 50 % = 1.00 penalty
    assert (bill.interest, bill.penalty) == (Decimal("2.00"), Decimal("1.00"))
    plain = bill_on(OverdueDebt(WEILIDAI, D("1000.00"), DUE,
                                not_yet_due_principal=D("3000.00")), day(1))
    assert (plain.interest, plain.penalty) == (Decimal("0.50"), Decimal("0.25"))


def test_penalty_rate_override_and_contract_rate_override() -> None:
    debt = OverdueDebt(HUABEI, D("1000.00"), DUE, penalty_daily_rate=D("0.001"))
    assert bill_on(debt, day(3)).penalty == Decimal("3.00")
    jiebei = OverdueDebt(JIEBEI, D("1000.00"), DUE, contract_daily_rate=D("0.0002"))
    assert bill_on(jiebei, day(10)).penalty == Decimal("3.00")  # 0.03 %/day
    on_top = OverdueDebt(WEILIDAI, D("1000.00"), DUE, penalty_daily_rate=D("0.001"))
    bill = bill_on(on_top, day(1))
    assert (bill.interest, bill.penalty) == (Decimal("0.50"), Decimal("1.00"))


def test_grace_override_per_debt() -> None:
    debt = OverdueDebt(HUABEI, D("1000.00"), DUE, grace_days=3,
                       payments=(Payment(day(3), D("1000.00")),))
    assert bill_on(debt, day(10)).total == 0
    late = OverdueDebt(HUABEI, D("1000.00"), DUE, grace_days=3)
    assert bill_on(late, day(3)).penalty == 0
    assert bill_on(late, day(4)).penalty == Decimal("2.00")


def test_before_the_due_date_nothing_accrues() -> None:
    debt = OverdueDebt(HUABEI, D("1000.00"), DUE, payments=(Payment(DUE - timedelta(days=5),
                                                                    D("300.00")),))
    early = bill_on(debt, DUE - timedelta(days=10))
    assert (early.total, early.days_overdue, early.daily_cost) == (Decimal("1000.00"), 0, 0)
    assert bill_on(debt, DUE).total == Decimal("700.00")
    assert bill_on(debt, DUE).daily_cost == Decimal("0.35")


def test_daily_costs_match_bill_on() -> None:
    debt = OverdueDebt(CARD, D("3000.00"), DUE, payments=(Payment(day(20), D("1000.00")),))
    series = daily_costs(debt, DUE - timedelta(days=2), day(70))
    assert len(series) == 73
    assert series[0] == (DUE - timedelta(days=2), Decimal("3000.00"))
    for when, total in series[::7]:
        assert bill_on(debt, when).total == total


def test_principal_first_count_for_malicious_overdraft() -> None:
    # §5: the amount is the unpaid principal; repayments count against principal first
    debt = OverdueDebt(CARD, D("60000.00"), DUE, interest=D("900.00"), fees=D("300.00"),
                       payments=(Payment(day(5), D("5000.00")), Payment(day(90), D("1.00"))))
    assert principal_outstanding_principal_first(debt, day(30)) == Decimal("55000.00")
    assert principal_outstanding_principal_first(debt, day(90)) == Decimal("54999.00")
    assert principal_outstanding_principal_first(
        OverdueDebt(CARD, D("100.00"), DUE, payments=(Payment(DUE, D("500.00")),)), DUE) == 0


# ----------------------------------------------------------------- credit-card interest

RATE = D("0.0005")


def test_card_interest_example_from_posting_date() -> None:
    """Hand-computed (rules-cn §3.5, day counts per §9 conventions).

    Purchase 10,000 posted 2025-12-20; statement 2026-01-05; due 2026-01-25; 1,000 paid on
    2026-01-25; next statement 2026-02-05; 0.05 %/day. Not paid in full, so interest runs
    from the posting date:

    * the repaid 1,000: 2025-12-20 .. 2026-01-24 = 12 + 24 = 36 days → 1,000 × 0.05 % × 36
      = 18.00;
    * the unpaid 9,000: 2025-12-20 .. 2026-02-05 inclusive = 12 + 31 + 5 = 48 days →
      9,000 × 0.05 % × 48 = 216.00.

    Total 234.00 — the same as 10,000 × 36 days (12-20..01-24) + 9,000 × 12 days
    (01-25..02-05) = 180 + 54.
    """
    purchase = CardTransaction(date(2025, 12, 20), D("10000.00"))
    result = card_interest(RATE, date(2026, 1, 5), date(2026, 1, 25), date(2026, 2, 5),
                           [purchase], [Payment(date(2026, 1, 25), D("1000.00"))])
    assert result.interest == Decimal("234.00")
    assert not result.full_payment
    assert [(s.kind, s.start, s.end, s.balance, s.days, s.interest) for s in result.segments] == [
        (SegmentKind.REPAID, date(2025, 12, 20), date(2026, 1, 24), Decimal("1000.00"), 36,
         Decimal("18.00")),
        (SegmentKind.UNPAID, date(2025, 12, 20), date(2026, 2, 5), Decimal("9000.00"), 48,
         Decimal("216.00")),
    ]
    assert result.segments[0].repaid_on == date(2026, 1, 25)
    assert result.segments[0].transaction == purchase
    assert CardNote.INTEREST_FREE_LOST in result.notes
    assert CardNote.OLDEST_FIRST in result.notes


def test_card_interest_two_postings_two_payments_oldest_first() -> None:
    """Hand-computed: payments go to the oldest posting first.

    Postings 2025-12-10 ¥3,000 (A) and 2025-12-28 ¥2,000 (B); statement 2026-01-05; due
    2026-01-25; payments 2026-01-20 ¥3,500 and 2026-01-30 ¥1,000; next statement 2026-02-05.

    * 01-20 pays A 3,000: 12-10..01-19 = 22 + 19 = 41 days → 3,000 × 0.05 % × 41 = 61.50;
      and B 500: 12-28..01-19 = 4 + 19 = 23 days → 5.75;
    * 01-30 pays B 1,000: 12-28..01-29 = 4 + 29 = 33 days → 16.50;
    * B's last 500: 12-28..02-05 = 4 + 31 + 5 = 40 days → 10.00.

    Total 93.75.
    """
    a = CardTransaction(date(2025, 12, 10), D("3000.00"))
    b = CardTransaction(date(2025, 12, 28), D("2000.00"))
    result = card_interest(RATE, date(2026, 1, 5), date(2026, 1, 25), date(2026, 2, 5), [b, a],
                           [Payment(date(2026, 1, 30), D("1000.00")),
                            Payment(date(2026, 1, 20), D("3500.00"))])
    assert [(s.transaction.posted, s.balance, s.days, s.interest) for s in result.segments] == [
        (date(2025, 12, 10), Decimal("3000.00"), 41, Decimal("61.50")),
        (date(2025, 12, 28), Decimal("500.00"), 23, Decimal("5.75")),
        (date(2025, 12, 28), Decimal("1000.00"), 33, Decimal("16.50")),
        (date(2025, 12, 28), Decimal("500.00"), 40, Decimal("10.00")),
    ]
    assert result.interest == Decimal("93.75")
    assert result.statement_balance == Decimal("5000.00")
    assert result.paid_by_due == Decimal("3500.00")


def test_card_interest_full_payment_grace_and_tolerance() -> None:
    postings = [CardTransaction(date(2025, 12, 20), D("10000.00"))]
    dates = (date(2026, 1, 5), date(2026, 1, 25), date(2026, 2, 5))
    on_time = card_interest(RATE, *dates, postings, [Payment(date(2026, 1, 25), D("10000"))])
    assert (on_time.full_payment, on_time.interest, on_time.segments) == (True, 0, ())
    assert on_time.notes == (CardNote.INTEREST_FREE_KEPT,)
    in_grace = card_interest(RATE, *dates, postings, [Payment(date(2026, 1, 28), D("10000"))],
                             grace_days=3)
    assert (in_grace.full_payment, in_grace.paid_in_grace) == (True, True)
    too_late = card_interest(RATE, *dates, postings, [Payment(date(2026, 1, 29), D("10000"))],
                             grace_days=3)
    # 10,000 × 0.05 % × 40 days (12-20..01-28) = 200.00
    assert (too_late.full_payment, too_late.interest) == (False, Decimal("200.00"))
    tolerated = card_interest(RATE, *dates, postings, [Payment(date(2026, 1, 25), D("9992"))],
                              tolerance=D("10"))
    assert tolerated.full_payment
    assert CardNote.WITHIN_TOLERANCE in tolerated.notes
    short = card_interest(RATE, *dates, postings, [Payment(date(2026, 1, 25), D("9989"))],
                          tolerance=D("10"))
    assert not short.full_payment


def test_card_interest_rounding_and_late_payments() -> None:
    # 333.33 × 0.05 % × 7 days (12-30..01-05) = 1.166655 → 1.17 (half up); with the daily
    # amount rounded first: 0.17 × 7 = 1.19. A payment after the next statement is ignored.
    posting = [CardTransaction(date(2025, 12, 30), D("333.33"))]
    late = [Payment(date(2026, 1, 6), D("100.00"))]
    result = card_interest(RATE, date(2025, 12, 31), date(2026, 1, 3), date(2026, 1, 5),
                           posting, late)
    assert result.interest == Decimal("1.17")
    assert CardNote.LATE_PAYMENTS_IGNORED in result.notes
    daily = card_interest(RATE, date(2025, 12, 31), date(2026, 1, 3), date(2026, 1, 5), posting,
                          [], rounding=RoundingRule(daily_amount=True))
    assert daily.interest == Decimal("1.19")


def test_card_interest_refuses_bad_input() -> None:
    posting = [CardTransaction(date(2026, 1, 6), D("100"))]
    with pytest.raises(InputError) as caught:
        card_interest(RATE, date(2026, 1, 5), date(2026, 1, 25), date(2026, 2, 5), posting, [])
    assert caught.value.field == "transactions"
    with pytest.raises(InputError) as caught:
        card_interest(RATE, date(2026, 1, 5), date(2026, 2, 25), date(2026, 2, 5), [], [])
    assert caught.value.field == "due_date"


# ------------------------------------------------------------------------ input errors


def test_input_errors_name_the_field() -> None:
    cases: list[tuple[str, Any]] = [
        ("principal", lambda: OverdueDebt(HUABEI, D("-1"), DUE)),
        ("principal", lambda: OverdueDebt(HUABEI, D("1.001"), DUE)),
        ("fees", lambda: OverdueDebt(HUABEI, D("1"), DUE, fees=D("-2"))),
        ("grace_days", lambda: OverdueDebt(HUABEI, D("1"), DUE, grace_days=-1)),
        ("payments", lambda: Payment(DUE, D("0"))),
        ("penalty_daily_rate", lambda: OverdueDebt(HUABEI, D("1"), DUE,
                                                   penalty_daily_rate=D("-0.1"))),
        ("contract_daily_rate", lambda: bill_on(OverdueDebt(
            make_preset(penalty={"model": "on_top", "base": "overdue_principal",
                                 "multiplier": "0.5"}), D("1"), DUE), day(1))),
        ("end", lambda: daily_costs(OverdueDebt(HUABEI, D("1"), DUE), day(5), day(1))),
        ("days", lambda: overdue_charge(D("1"), D("0.0005"), -1)),
    ]
    for field, make in cases:
        with pytest.raises(InputError) as caught:
            make()
        assert caught.value.field == field


# ---------------------------------------------------------------------------- invariants

PRESETS = [
    HUABEI, JIEBEI, WEILIDAI, JD, CARD,
    make_preset(product_kind="cash_loan", contract_daily_rate="0.00035", grace_days=2,
                penalty={"model": "on_top", "base": "all_principal", "multiplier": "0.5",
                         "compounding": True},
                late_fee={"kind": "fixed", "amount": "25.00"}),
]

amounts = st.integers(min_value=1, max_value=5_000_000).map(lambda fen: D(fen) / 100)


@st.composite
def debts(draw: st.DrawFn) -> OverdueDebt:
    preset = draw(st.sampled_from(PRESETS))
    principal = draw(amounts)
    payments = tuple(
        Payment(DUE + timedelta(days=draw(st.integers(-5, 120))), draw(amounts))
        for _ in range(draw(st.integers(0, 4)))
    )
    return OverdueDebt(preset, principal, DUE, interest=draw(st.sampled_from(
        [D("0.00"), D("12.34")])), fees=draw(st.sampled_from([D("0.00"), D("5.00")])),
        not_yet_due_principal=draw(st.sampled_from([D("0.00"), D("3000.00")])),
        payments=payments)


@settings(max_examples=150, deadline=None)
@given(debt=debts(), first=st.integers(-3, 150), extra=st.integers(0, 150))
def test_more_days_overdue_never_cost_less(debt: OverdueDebt, first: int, extra: int) -> None:
    unpaid = OverdueDebt(debt.preset, debt.principal, DUE, interest=debt.interest,
                         fees=debt.fees, not_yet_due_principal=debt.not_yet_due_principal)
    earlier, later = bill_on(unpaid, day(first)), bill_on(unpaid, day(first + extra))
    assert later.total >= earlier.total
    assert earlier.daily_cost >= 0


@settings(max_examples=150, deadline=None)
@given(debt=debts(), when=st.integers(-5, 150), extra_day=st.integers(-5, 150), extra=amounts)
def test_a_payment_never_increases_the_total(debt: OverdueDebt, when: int, extra_day: int,
                                             extra: Decimal) -> None:
    more = OverdueDebt(debt.preset, debt.principal, DUE, interest=debt.interest,
                       fees=debt.fees, not_yet_due_principal=debt.not_yet_due_principal,
                       payments=(*debt.payments, Payment(day(extra_day), extra)))
    assert bill_on(more, day(when)).total <= bill_on(debt, day(when)).total


@settings(max_examples=150, deadline=None)
@given(debt=debts(), when=st.integers(-5, 200))
def test_balances_are_never_negative_and_exact_to_the_fen(debt: OverdueDebt, when: int) -> None:
    bill = bill_on(debt, day(when))
    for amount in (bill.principal, bill.interest, bill.penalty, bill.fees, bill.daily_cost):
        assert amount >= 0
        assert amount == amount.quantize(Decimal("0.01"))
    assert bill.total <= debt.principal + debt.interest + debt.fees + bill.charges


@settings(max_examples=150, deadline=None)
@given(debt=debts(), steps=st.lists(st.tuples(st.integers(0, 45), st.one_of(st.none(), amounts),
                                              st.integers(0, 3)), min_size=1, max_size=8),
       start=st.integers(-5, 40))
def test_the_walker_gives_the_bill_of_a_fresh_walk(
        debt: OverdueDebt, steps: list[tuple[int, Decimal | None, int]], start: int) -> None:
    """Month by month as a plan asks (dates forward, payments added as it goes, sometimes a
    payment dated in the past, which makes it start again): always bill_on's answer."""
    walker = Walker(debt)
    payments = list(debt.payments)
    when = day(start)
    for gap, amount, back in steps:
        when = when + timedelta(days=gap)
        expected = bill_on(replace(debt, payments=tuple(payments)), when)
        assert walker.bill_on(payments, when) == expected
        if amount is not None:
            payments.append(Payment(when - timedelta(days=back), amount))


def test_the_days_of_a_month_are_the_calendar_s() -> None:
    """accrual counts a month's days without importing calendar (issue 16, start-up): the
    same count as ``calendar.monthrange`` for every month of years 1 to 9999."""
    import calendar

    from xieshang.engine.accrual import _days_in_month

    assert all(_days_in_month(year, month) == calendar.monthrange(year, month)[1]
               for year in range(1, 10000) for month in range(1, 13))
