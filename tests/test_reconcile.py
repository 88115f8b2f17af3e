"""Reconciling with the lender's own figures, and the per-debt overrides it adopts.

The lender figures below are worked out by hand (each test shows the arithmetic) under the
rule the test says the lender uses; the reconciliation must find that rule.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.accrual import OverdueDebt, bill_on
from xieshang.engine.errors import InputError
from xieshang.engine.money import D
from xieshang.engine.preset import PenaltyBase, Preset, preset_from_dict
from xieshang.engine.reconcile import (
    ADJUSTMENT_KEYS,
    apply_adjustments,
    current_parameters,
    describe_adjustments,
    reconcile,
)
from xieshang.rules import load_presets

DUE = date(2026, 3, 10)
HUABEI = load_presets()["huabei"]  # simple daily 0.05 %, each day rounded to the fen


def day(n: int, due: date = DUE) -> date:
    return due + timedelta(days=n)


def make_preset(**changes: Any) -> Preset:
    """A minimal preset (simple daily 0.05 % on the overdue amount, no rounding per day)."""
    data: dict[str, Any] = {
        "schema": 1, "id": "test", "name": {"zh": "测试", "en": "Test"},
        "lender": {"zh": "测试", "en": "Test"}, "lender_type": "bank",
        "product_kind": "loan", "effective_from": date(2021, 1, 1),
        "reviewed": date(2026, 3, 31), "repayment_methods": ["full"],
        "penalty": {"model": "simple_daily", "base": "overdue_amount", "daily_rate": "0.0005"},
        "sources": {"penalty": {"confidence": "S", "urls": ["https://example.invalid/t"]},
                    "repayment_methods": {"confidence": "USER", "note": "test value"}},
    }
    data.update(changes)
    return preset_from_dict(data, "test")


# ------------------------------------------------------------- the overrides themselves


def test_huabei_shipped_preset_rounds_each_day() -> None:
    assert HUABEI.rounding.daily_amount
    assert HUABEI.grace_days == 0


def test_overrides_change_the_bill() -> None:
    debt = OverdueDebt(HUABEI, D("1234.56"), DUE)
    # 1234.56 × 0.05 % = 0.61728 → 0.62 a day; 30 days = 18.60
    assert bill_on(debt, day(30)).penalty == Decimal("18.60")
    # not rounded per day: 0.61728 × 30 = 18.5184 → 18.52
    assert bill_on(OverdueDebt(HUABEI, D("1234.56"), DUE, rounding_daily=False),
                   day(30)).penalty == Decimal("18.52")
    # 3 grace days not charged: 27 × 0.62 = 16.74
    later = OverdueDebt(HUABEI, D("1234.56"), DUE, grace_days=3, charge_grace_days=False)
    assert bill_on(later, day(30)).penalty == Decimal("16.74")
    assert bill_on(later, day(3)).penalty == Decimal("0.00")
    assert bill_on(later, day(4)).penalty == Decimal("0.62")
    # an unknown fee is added to the fees and bears nothing
    fee = bill_on(OverdueDebt(HUABEI, D("1234.56"), DUE, extra_fee=D("5.00")), day(30))
    assert (fee.fees, fee.penalty) == (Decimal("5.00"), Decimal("18.60"))


def test_penalty_base_override() -> None:
    preset = make_preset()
    debt = OverdueDebt(preset, D("5000.00"), DUE, interest=D("200.00"))
    # overdue amount: 5200 × 0.05 % × 30 = 78.00; principal only: 5000 × 0.05 % × 30 = 75.00
    assert bill_on(debt, day(30)).penalty == Decimal("78.00")
    only = OverdueDebt(preset, D("5000.00"), DUE, interest=D("200.00"),
                       penalty_base=PenaltyBase.OVERDUE_PRINCIPAL)
    assert bill_on(only, day(30)).penalty == Decimal("75.00")


def test_extra_fee_is_checked() -> None:
    with pytest.raises(InputError) as caught:
        OverdueDebt(HUABEI, D("100"), DUE, extra_fee=D("-1"))
    assert caught.value.field == "extra_fee"


# ------------------------------------------------------------------------- reconcile


def test_huabei_3000_for_20_days_matches_the_app() -> None:
    # 3000 × 0.05 % = 1.50 a day × 20 days = 30.00 — the app's "30.00" matches as it is.
    result = reconcile(OverdueDebt(HUABEI, D("3000.00"), DUE), day(20),
                       lender_penalty=D("30.00"))
    assert result.matches
    assert result.difference == Decimal("0.00")
    assert result.ours.penalty == Decimal("30.00")
    assert result.candidates == ()
    assert result.best is None


def test_lender_total_implies_three_grace_days() -> None:
    # The lender starts charging on day 4: 27 days × 0.62 = 16.74; 1234.56 + 16.74 = 1251.30.
    # Ours: 30 × 0.62 = 18.60 → 1253.16.
    debt = OverdueDebt(HUABEI, D("1234.56"), DUE)
    result = reconcile(debt, day(30), lender_total=D("1251.30"))
    assert result.ours.total == Decimal("1253.16")
    assert result.difference == Decimal("-1.86")
    assert not result.matches
    best = result.best
    assert best is not None
    assert best.adjustments == {"grace_days": "3", "charge_grace_days": "false"}
    assert best.bill.total == Decimal("1251.30")
    assert best.description.en == "3 grace days; charges start on day 4"
    assert "宽限期3天" in best.description.zh
    assert result.candidates[0] is best
    # the nearest clean rate (0.045 %: 0.555552 → 0.56 × 30 = 16.80) is close but not it
    rates = [c for c in result.candidates if c.code == "penalty_daily_rate"]
    assert rates[0].bill.penalty == Decimal("16.80")
    assert not rates[0].matches
    adopted = apply_adjustments(debt, best.adjustments)
    assert bill_on(adopted, day(30)).total == Decimal("1251.30")
    assert bill_on(adopted, day(45)).penalty == Decimal("26.04")  # 42 days × 0.62


def test_lender_penalty_implies_no_daily_rounding() -> None:
    # Not rounded per day: 0.61728 × 30 = 18.5184 → 18.52 (ours, rounded daily: 18.60).
    result = reconcile(OverdueDebt(HUABEI, D("1234.56"), DUE), day(30),
                       lender_penalty=D("18.52"))
    assert result.difference == Decimal("-0.08")
    assert result.best is not None
    assert result.best.adjustments == {"rounding_daily": "false"}
    assert result.best.description.en.startswith("daily charges are not rounded")


def test_card_lender_total_implies_compounding() -> None:
    # A card entered as simple interest; the bank compounds monthly on the 10th.
    # 10,000 due 2026-01-10, seen 2026-04-10 (90 days), 0.05 % a day, no late fee:
    #   Jan 11–Feb 10, 31 days × 5.00                 = 155.00
    #   Feb 11–Mar 10, 28 days × 10,155.00 × 0.05 %   = 142.17
    #   Mar 11–Apr 10, 31 days × 10,297.17 × 0.05 %   = 159.606135
    #   penalty 456.776135 → 456.78; total 10,456.78 (simple: 450.00 → 10,450.00)
    card = make_preset(product_kind="credit_card")
    debt = OverdueDebt(card, D("10000.00"), date(2026, 1, 10))
    result = reconcile(debt, date(2026, 4, 10), lender_total=D("10456.78"))
    assert result.ours.total == Decimal("10450.00")
    assert result.best is not None
    assert result.best.adjustments == {"compounding": "true"}
    assert result.best.bill.penalty == Decimal("456.78")
    assert "monthly compounding" in result.best.description.en


def test_loan_penalty_on_principal_only() -> None:
    # 5,000 principal + 200 interest overdue 30 days; the lender charges 5000 × 0.05 % × 30
    # = 75.00 (ours, on the overdue amount: 78.00).
    debt = OverdueDebt(make_preset(), D("5000.00"), DUE, interest=D("200.00"))
    result = reconcile(debt, day(30), lender_penalty=D("75.00"), lender_total=D("5275.00"))
    assert result.total_difference == Decimal("-3.00")
    assert result.penalty_difference == Decimal("-3.00")
    assert result.best is not None
    assert result.best.adjustments == {"penalty_base": "overdue_principal"}


def test_clean_penalty_rate_is_solved() -> None:
    # The lender charges 0.07 % a day: 3000 × 0.07 % = 2.10 × 20 = 42.00.
    result = reconcile(OverdueDebt(HUABEI, D("3000.00"), DUE), day(20),
                       lender_penalty=D("42.00"))
    assert result.best is not None
    assert result.best.adjustments == {"penalty_daily_rate": "0.0007"}
    assert result.best.description.en == "penalty rate 0.07% a day"


def test_clean_annual_rate_is_solved() -> None:
    # 24 % a year on a 365-day basis, not rounded per day: 10,000 × 0.24 / 365 × 30 = 197.26
    debt = OverdueDebt(make_preset(), D("10000.00"), DUE)
    result = reconcile(debt, day(30), lender_penalty=D("197.26"))
    assert result.best is not None
    assert result.best.adjustments == {"penalty_annual_rate": "0.24"}
    assert bill_on(apply_adjustments(debt, result.best.adjustments),
                   day(30)).penalty == Decimal("197.26")


def test_unexplained_remainder_is_a_possible_unknown_fee() -> None:
    # Ours 3030.00; the lender says 3043.21. No clean rate, grace, rounding or base gives it
    # (0.07 %: 3042.00, 0.075 %: 3045.00, 26.5 % a year: 2.18 × 20 → 3043.60).
    debt = OverdueDebt(HUABEI, D("3000.00"), DUE)
    result = reconcile(debt, day(20), lender_total=D("3043.21"))
    assert result.best is None
    assert result.difference == Decimal("13.21")
    assert result.unexplained == Decimal("-0.39")  # the closest: 26.5 % a year → 3043.60
    fee = result.candidates[-1]
    assert fee.code == "extra_fee"
    assert fee.adjustments == {"extra_fee": "13.21"}
    assert fee.matches
    assert fee.bill.fees == Decimal("13.21")
    assert "does not know" in fee.description.en
    assert all(c.code != "extra_fee" for c in result.candidates[:-1])


def test_lender_asking_less_gets_no_fee_candidate() -> None:
    # The lender says 3010.00 (penalty 10.00): no tested rule gives it (0.015 %: 9.00,
    # 0.02 %: 12.00; 6 % a year: 3000 × 0.06 / 365 = 0.4932 → 0.49 × 20 = 9.80; 5 grace days
    # not charged: 22.50), and a fee cannot make it smaller.
    result = reconcile(OverdueDebt(HUABEI, D("3000.00"), DUE), day(20),
                       lender_total=D("3010.00"))
    assert result.best is None
    assert result.difference == Decimal("-20.00")
    assert result.unexplained == Decimal("0.20")  # the closest: 6 % a year → 3009.80
    assert all(c.code != "extra_fee" for c in result.candidates)


def test_candidates_are_sorted_and_distinct() -> None:
    result = reconcile(OverdueDebt(HUABEI, D("1234.56"), DUE), day(30),
                       lender_total=D("1251.30"))
    distances = [abs(c.difference) for c in result.candidates if c.code != "extra_fee"]
    assert distances == sorted(distances)
    bills = [(c.bill.total, c.bill.penalty, c.bill.fees) for c in result.candidates]
    assert len(bills) == len(set(bills))
    assert len(result.candidates) < 80  # bounded


def test_reconcile_needs_a_figure() -> None:
    with pytest.raises(InputError) as caught:
        reconcile(OverdueDebt(HUABEI, D("100"), DUE), day(3))
    assert caught.value.field == "lender_total"
    with pytest.raises(InputError) as caught:
        reconcile(OverdueDebt(HUABEI, D("100"), DUE), day(3), lender_penalty=D("1.001"))
    assert caught.value.field == "lender_penalty"


# --------------------------------------------------------------- apply_adjustments


def test_apply_adjustments_reads_every_key() -> None:
    debt = OverdueDebt(HUABEI, D("1000.00"), DUE)
    adopted = apply_adjustments(debt, {
        "grace_days": "3", "charge_grace_days": "false", "rounding_daily": "false",
        "compounding": "true", "penalty_base": "overdue_principal",
        "penalty_annual_rate": "0.1825", "extra_fee": "2.50", "confirmed_on": "2026-04-01"})
    assert adopted.grace_days == 3
    assert adopted.charge_grace_days is False
    assert adopted.rounding_daily is False
    assert adopted.compounding is True
    assert adopted.penalty_base is PenaltyBase.OVERDUE_PRINCIPAL
    assert adopted.penalty_daily_rate == Decimal("0.0005")  # 18.25 % / 365
    assert adopted.extra_fee == Decimal("2.50")
    assert current_parameters(adopted) == {
        "grace_days": "3", "charge_grace_days": "false", "rounding_daily": "false",
        "compounding": "true", "penalty_base": "overdue_principal"}
    assert set(ADJUSTMENT_KEYS) >= {"grace_days", "extra_fee", "penalty_daily_rate"}


@pytest.mark.parametrize(("adjustments", "field"), [
    ({"grace": "3"}, "adjustments"),
    ({"grace_days": "-1"}, "grace_days"),
    ({"grace_days": "99"}, "grace_days"),
    ({"rounding_daily": "maybe"}, "rounding_daily"),
    ({"penalty_base": "everything"}, "penalty_base"),
    ({"penalty_daily_rate": "0.5"}, "penalty_daily_rate"),
    ({"penalty_daily_rate": "abc"}, "penalty_daily_rate"),
    ({"extra_fee": "1.001"}, "extra_fee"),
    ({"penalty_daily_rate": "0.0005", "penalty_annual_rate": "0.18"}, "adjustments"),
])
def test_apply_adjustments_refuses_bad_values(adjustments: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as caught:
        apply_adjustments(OverdueDebt(HUABEI, D("1000.00"), DUE), adjustments)
    assert caught.value.field == field


def test_describe_adjustments_in_both_languages() -> None:
    debt = OverdueDebt(HUABEI, D("1000.00"), DUE)
    text = describe_adjustments({"grace_days": "1", "charge_grace_days": "true",
                                 "compounding": "false"}, debt)
    assert text.en == ("1 grace day (nothing charged if paid within the grace period; after "
                       "it, charges count from day 1); no compounding")
    assert text.zh.startswith("宽限期1天")


@settings(max_examples=40, deadline=None)
@given(fen=st.integers(min_value=10_000, max_value=5_000_000),
       days=st.integers(min_value=1, max_value=120),
       change=st.sampled_from([{"grace_days": "2", "charge_grace_days": "false"},
                               {"grace_days": "5", "charge_grace_days": "false"},
                               {"rounding_daily": "false"}, {"compounding": "true"},
                               {"penalty_daily_rate": "0.0004"}]))
def test_a_lender_using_one_tested_rule_is_always_matched(fen: int, days: int,
                                                          change: dict[str, str]) -> None:
    debt = OverdueDebt(HUABEI, D(fen) / 100, DUE)
    lender = bill_on(apply_adjustments(debt, change), day(days))
    result = reconcile(debt, day(days), lender_total=lender.total,
                       lender_penalty=lender.penalty)
    if result.matches:  # the rule makes no difference for this debt on this day
        assert result.ours.total == lender.total
        return
    assert result.best is not None
    adopted = bill_on(apply_adjustments(debt, result.best.adjustments), day(days))
    assert (adopted.total, adopted.penalty) == (lender.total, lender.penalty)
