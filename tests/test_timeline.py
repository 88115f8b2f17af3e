"""The timeline: legal rules from ``_law.toml``, milestones with real dates and amounts."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.accrual import OverdueDebt, Payment, bill_on
from xieshang.engine.errors import PresetError
from xieshang.engine.money import D
from xieshang.engine.preset import Confidence, Preset, preset_from_dict
from xieshang.engine.timeline import Event, Law, parse_law, timeline
from xieshang.rules import builtin_text, load_presets

LAW_TEXT = builtin_text("_law.toml")
LAW = parse_law(LAW_TEXT, "presets/_law.toml")
PRESETS = load_presets()
HUABEI = PRESETS["huabei"]
CARD = PRESETS["credit_card_cn"]


def by_id(events: list[Event]) -> dict[str, Event]:
    return {event.id: event for event in events}


# ------------------------------------------------------------------------------ the law


def test_law_file_holds_the_reference_numbers() -> None:
    # rules-cn.md §6.4, §5, §9.2, §6.1, §8
    repair = LAW.credit_repair
    assert (repair.overdue_from, repair.overdue_to, repair.repaid_by) == (
        date(2020, 1, 1), date(2025, 12, 31), date(2026, 3, 31))
    assert repair.max_amount == Decimal("10000.00")
    assert (repair.early_repaid_by, repair.early_hidden_from) == (
        date(2025, 11, 30), date(2026, 1, 1))
    overdraft = LAW.malicious_overdraft
    assert overdraft.min_principal == Decimal("50000.00")
    assert (overdraft.demands, overdraft.demand_gap_days,
            overdraft.months_unpaid_after_demands) == (2, 30, 3)
    assert LAW.limitation.years == 3
    assert (LAW.credit_report.retention_years, LAW.credit_report.free_reports_per_year) == (5, 2)
    assert (LAW.collection.quiet_from, LAW.collection.quiet_until) == (time(22), time(8))
    assert LAW.collection.max_effective_calls_per_day == 3


def test_law_sources_carry_the_reference_marks() -> None:
    assert LAW.source_of("credit_repair").confidence is Confidence.SECONDARY
    assert LAW.source_of("credit_repair.repaid_by").ref == "§6.4"
    basis = LAW.source_of("credit_repair.max_amount")
    assert basis.confidence is Confidence.SECONDARY
    assert "https://mip.maxlaw.cn/top/20251222/11590200996107.shtml" in basis.urls
    assert LAW.source_of("malicious_overdraft").confidence is Confidence.VERIFIED
    assert LAW.source_of("malicious_overdraft.repeat_offender_min_principal").confidence \
        is Confidence.SECONDARY
    assert LAW.source_of("limitation.years").confidence is Confidence.VERIFIED
    assert LAW.source_of("credit_report.retention_years").confidence is Confidence.VERIFIED
    assert LAW.source_of("collection").confidence is Confidence.SECONDARY
    assert LAW.origin == "presets/_law.toml"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("years = 3\n", "years = 3\nmonths = 2\n", "limitation.months"),
        ('max_amount = "10000.00"', 'max_amount = "lots"', "credit_repair.max_amount"),
        ("repaid_by = 2026-03-31", "repaid_by = 2019-03-31", "credit_repair.repaid_by"),
        ("quiet_from = 22:00:00", 'quiet_from = "late"', "collection.quiet_from"),
        ("[sources.collection]", "[sources.collection_rules]", "sources.collection"),
        ('[sources."credit_repair.max_amount"]', '[sources."credit_repair.amount"]',
         "sources.credit_repair.amount"),
        (LAW_TEXT[LAW_TEXT.index("[limitation]"):LAW_TEXT.index('dated_for = ["informal"]\n')
                  + len('dated_for = ["informal"]\n')], "", "limitation"),
    ],
)
def test_parse_law_names_the_field_of_a_problem(old: str, new: str, field: str) -> None:
    assert old in LAW_TEXT
    with pytest.raises(PresetError) as caught:
        parse_law(LAW_TEXT.replace(old, new, 1), "my_law.toml")
    assert caught.value.field == field
    assert caught.value.source == "my_law.toml"


def test_parse_law_refuses_broken_toml() -> None:
    with pytest.raises(PresetError, match="not valid TOML"):
        parse_law("schema = ", "x.toml")


# -------------------------------------------------------------------------- timelines


def test_huabei_seen_on_2026_11_29() -> None:
    # A Huabei bill of 3,280.50 due 2026-11-10, unpaid, seen on 2026-11-29 (day 19).
    debt = OverdueDebt(HUABEI, D("3280.50"), date(2026, 11, 10))
    events = timeline(debt, date(2026, 11, 29), LAW)
    found = by_id(events)
    repair = found["credit_repair"]
    assert (repair.on, repair.passed, repair.applies) == (date(2026, 3, 31), True, False)
    assert repair.amount_due is None  # the deadline is before this debt was due
    assert "2026年起新发生的逾期不在这项政策范围内" in repair.detail.zh
    assert "from 2026 on are not covered" in repair.detail.en
    assert "2026-03-31 has also passed" in repair.detail.en
    assert repair.confidence is Confidence.SECONDARY
    assert repair.source_ref == "§6.4"
    start = found["charges_start"]
    # day 1 is 2026-11-11: 3,280.50 × 0.05 % = 1.64025 → 1.64 (daily amount rounded)
    assert (start.on, start.days_overdue, start.amount_due) == (
        date(2026, 11, 11), 1, Decimal("3282.14"))
    # Huabei's credit-report milestone has no known day: undated, its text says "not verified"
    report = found["credit_report"]
    assert (report.on, report.amount_due) == (None, None)
    assert "not verified" in report.title.en
    assert "malicious_overdraft" not in found  # only for credit cards
    assert {"limitation", "credit_report_retention", "free_credit_reports"} <= set(found)
    undated = [e.on is None for e in events]
    assert undated == sorted(undated)  # dated first, undated last


def test_card_60000_shows_malicious_overdraft_conditions() -> None:
    debt = OverdueDebt(CARD, D("60000.00"), date(2026, 10, 25), minimum_due=D("6000.00"))
    event = by_id(timeline(debt, date(2026, 11, 29), LAW))["malicious_overdraft"]
    assert event.applies
    assert (event.on, event.confidence) == (None, Confidence.VERIFIED)
    assert "¥60,000.00" in event.detail.zh
    assert "¥50,000.00" in event.detail.zh
    assert "2次有效催收（两次间隔至少30天）后超过3个月仍不归还" in event.detail.zh
    assert "以非法占有为目的" in event.detail.zh
    assert "not to prosecute" in event.detail.en
    assert "3 months after 2 effective demands" in event.detail.en
    assert "LawRefBook/Laws/刑法/刑法.md" in event.urls


def test_card_40000_is_below_the_threshold() -> None:
    debt = OverdueDebt(CARD, D("40000.00"), date(2026, 10, 25))
    event = by_id(timeline(debt, date(2026, 11, 29), LAW))["malicious_overdraft"]
    assert not event.applies
    assert "¥40,000.00" in event.detail.zh
    assert "低于¥50,000.00" in event.detail.zh
    assert "below ¥50,000.00" in event.detail.en


def test_repayments_count_against_principal_first_for_the_threshold() -> None:
    # 60,000 principal and 2,000 interest; 15,000 repaid → 45,000 principal: below 50,000
    debt = OverdueDebt(CARD, D("60000.00"), date(2026, 10, 25), interest=D("2000.00"),
                       payments=(Payment(date(2026, 11, 5), D("15000.00")),))
    event = by_id(timeline(debt, date(2026, 11, 29), LAW))["malicious_overdraft"]
    assert not event.applies
    assert "¥45,000.00" in event.detail.zh


def test_card_grace_charges_and_compounding_are_dated_with_amounts() -> None:
    # credit_card_cn: 3 grace days, 0.05 %/day compounding monthly, late fee 5 % of the
    # unpaid minimum (at least 10). 18,600 due 2026-10-25, minimum 1,860.
    debt = OverdueDebt(CARD, D("18600.00"), date(2026, 10, 25), minimum_due=D("1860.00"))
    found = by_id(timeline(debt, date(2026, 11, 29), LAW))
    grace = found["grace_end"]
    assert (grace.on, grace.days_overdue, grace.amount_due, grace.passed) == (
        date(2026, 10, 28), 3, Decimal("18600.00"), True)
    start = found["charges_start"]
    # day 4: 4 × 9.30 = 37.20 and a late fee of 5 % × 1,860 = 93.00
    assert (start.on, start.amount_due) == (date(2026, 10, 29), Decimal("18730.20"))
    assert "¥93.00" in start.detail.zh
    step = found["compounding"]
    assert step.on == date(2026, 12, 25)
    assert step.amount_due == bill_on(debt, date(2026, 12, 25)).total
    assert not step.passed


def test_credit_repair_applies_before_the_deadline() -> None:
    # A card overdue of 8,000 that arose on 2025-12-16, seen on 2026-01-20, not yet repaid.
    debt = OverdueDebt(CARD, D("8000.00"), date(2025, 12, 15))
    repair = by_id(timeline(debt, date(2026, 1, 20), LAW))["credit_repair"]
    assert (repair.applies, repair.passed, repair.on) == (True, False, date(2026, 3, 31))
    assert repair.amount_due == bill_on(debt, date(2026, 3, 31)).total
    assert repair.days_overdue == 106
    assert "诈骗" in repair.detail.zh  # the fraud warning
    assert "利息和罚息尚未明确" in repair.detail.zh  # the open question [S, weak]
    assert "https://mip.maxlaw.cn/top/20251222/11590200996107.shtml" in repair.urls


def test_credit_repair_after_the_deadline() -> None:
    repaid = OverdueDebt(HUABEI, D("2000.00"), date(2025, 10, 10),
                         payments=(Payment(date(2025, 11, 15), D("2100.00")),))
    event = by_id(timeline(repaid, date(2026, 4, 10), LAW))["credit_repair"]
    assert (event.applies, event.passed) == (True, True)
    assert "2026-01-01" in event.detail.zh
    unpaid = OverdueDebt(HUABEI, D("2000.00"), date(2025, 10, 10))
    event = by_id(timeline(unpaid, date(2026, 5, 1), LAW))["credit_repair"]
    assert (event.applies, event.passed) == (False, True)
    assert "不再适用" in event.detail.zh


def test_credit_repair_refuses_large_and_old_overdues() -> None:
    large = OverdueDebt(HUABEI, D("12000.00"), date(2025, 10, 10))
    event = by_id(timeline(large, date(2026, 1, 10), LAW))["credit_repair"]
    assert not event.applies
    assert "¥12,000.00" in event.detail.zh
    old = OverdueDebt(HUABEI, D("500.00"), date(2019, 6, 10))
    event = by_id(timeline(old, date(2026, 1, 10), LAW))["credit_repair"]
    assert not event.applies
    assert "早于2020-01-01" in event.detail.zh


def preset_with_milestones(*milestones: dict[str, Any]) -> Preset:
    return preset_from_dict({
        "schema": 1, "id": "test", "name": {"zh": "测试", "en": "Test"},
        "lender": {"zh": "测试", "en": "Test"}, "lender_type": "consumer_finance",
        "product_kind": "bill", "effective_from": date(2021, 1, 1),
        "reviewed": date(2026, 3, 31), "repayment_methods": ["full"],
        "penalty": {"model": "simple_daily", "base": "overdue_amount", "daily_rate": "0.0005"},
        "milestones": list(milestones),
        "sources": {
            "penalty": {"confidence": "S", "urls": ["https://example.invalid/p"]},
            "repayment_methods": {"confidence": "USER", "note": "test"},
            "milestones": {"confidence": "NF", "note": "not found"},
            "milestones.collection": {"confidence": "S", "urls": ["https://example.invalid/c"],
                                      "ref": "§8"},
        },
    }, "test")


def test_preset_milestones_dated_by_after_days_and_the_horizon() -> None:
    text = {"zh": "甲", "en": "A"}
    preset = preset_with_milestones(
        {"id": "collection", "label": text, "detail": text, "after_days": 30},
        {"id": "far", "label": text, "detail": text, "after_days": 400},
        {"id": "unknown", "label": text, "detail": text},
    )
    debt = OverdueDebt(preset, D("1000.00"), date(2026, 5, 10))
    found = by_id(timeline(debt, date(2026, 5, 20), LAW))
    collection = found["collection"]
    # day 30 = 2026-06-09: 1,000 × 0.05 % × 30 = 15.00
    assert (collection.on, collection.days_overdue, collection.amount_due) == (
        date(2026, 6, 9), 30, Decimal("1015.00"))
    assert (collection.confidence, collection.source_ref) == (Confidence.SECONDARY, "§8")
    assert "far" not in found  # 2027-06-14 is beyond the 365-day horizon
    assert found["unknown"].on is None
    assert found["unknown"].confidence is Confidence.NOT_FOUND
    longer = by_id(timeline(debt, date(2026, 5, 20), LAW, horizon_days=500))
    assert longer["far"].amount_due == Decimal("1200.00")  # 400 days × 0.50


def test_a_repaid_debt_has_no_charge_events() -> None:
    debt = OverdueDebt(HUABEI, D("1000.00"), date(2026, 5, 10),
                       payments=(Payment(date(2026, 5, 15), D("1002.50")),))
    found = by_id(timeline(debt, date(2026, 6, 1), LAW))
    assert "charges_start" not in found
    assert "credit_report_retention" in found


def test_only_payments_up_to_as_of_count() -> None:
    future = OverdueDebt(HUABEI, D("1000.00"), date(2026, 5, 10),
                         payments=(Payment(date(2026, 7, 1), D("1000.00")),))
    found = by_id(timeline(future, date(2026, 6, 1), LAW))
    assert "charges_start" in found


@settings(max_examples=60, deadline=None)
@given(principal=st.integers(100, 8_000_000).map(lambda fen: D(fen) / 100),
       due_offset=st.integers(-400, 60), card=st.booleans())
def test_timeline_is_sorted_and_amounts_grow_with_time(principal: Decimal, due_offset: int,
                                                       card: bool) -> None:
    as_of = date(2026, 11, 29)
    debt = OverdueDebt(CARD if card else HUABEI, principal, as_of + timedelta(days=due_offset))
    events = timeline(debt, as_of, LAW)
    dated = [e for e in events if e.on is not None]
    assert events[: len(dated)] == dated
    assert [e.on for e in dated] == sorted(e.on for e in dated if e.on is not None)
    amounts = [e.amount_due for e in dated if e.amount_due is not None]
    assert amounts == sorted(amounts)
    for event in events:
        assert event.source_ref
        assert event.passed == (event.on is not None and event.on < as_of)


def test_law_type_is_exported() -> None:
    assert isinstance(LAW, Law)


def test_charges_start_follows_an_adopted_after_grace_rule() -> None:
    from dataclasses import replace

    from xieshang.engine.timeline import parse_law
    from xieshang.rules import builtin_text, load_presets

    card = load_presets()["credit_card_cn"]
    law = parse_law(builtin_text("_law.toml"), "presets/_law.toml")
    debt = OverdueDebt(preset=card, principal=D("1000.00"), due_date=date(2026, 11, 1))
    adopted = replace(debt, charge_grace_days=False)
    events = {e.id: e for e in timeline(adopted, date(2026, 11, 2), law)}
    assert "grace period" in events["charges_start"].detail.en
    assert "day 1" not in events["charges_start"].detail.en
    default = {e.id: e for e in timeline(debt, date(2026, 11, 2), law)}
    assert "day 1" in default["charges_start"].detail.en
