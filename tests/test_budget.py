"""The budget statement: norms data, reasonableness, affordability and the split.

Reference figures: NBS 《2024年居民收入和消费支出情况》 (stats.gov.cn/sj/zxfb/, [S]: read in a
reprint, to be checked against the official release). The scaling (equivalence scale, city
tier) is our modelling [C]; the expected values below are worked by hand from those figures.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.budget import (
    Area,
    BudgetLine,
    BudgetStatement,
    DebtShare,
    FlagLevel,
    Household,
    Norms,
    Outcome,
    Section,
    StepSign,
    affordability,
    buffer_for,
    check_reasonableness,
    parse_norms,
    reference_ranges,
    split,
    totals_by_section,
)
from xieshang.engine.errors import InputError, PresetError
from xieshang.engine.money import D
from xieshang.engine.preset import Confidence
from xieshang.rules import builtin_text

TEXT = builtin_text("_budget.toml")
NORMS = parse_norms(TEXT, "presets/_budget.toml")


def line(category: str, amount: str) -> BudgetLine:
    """A line in its category's section."""
    return BudgetLine(NORMS.category(category).section, category, D(amount))


def statement(*lines: BudgetLine, household: Household | None = None,
              buffer: Decimal | None = None) -> BudgetStatement:
    return BudgetStatement(household or Household(), tuple(lines), buffer)


# ------------------------------------------------------------------------- the norms


def test_shipped_norms_hold_the_2024_nbs_figures_with_their_source() -> None:
    stats = NORMS.statistics
    assert stats.year == 2024
    assert (stats.national_total, stats.urban_total, stats.rural_total) == (
        Decimal(28227), Decimal(34557), Decimal(19280))
    figures = {group.id: group.per_capita for group in NORMS.groups}
    assert figures == {"food": 8411, "clothing": 1521, "housing": 6263, "household": 1547,
                       "transport_comm": 3976, "education": 3189, "health": 2547,
                       "other": 773}
    source = NORMS.source_of("statistics")
    assert source.confidence is Confidence.SECONDARY
    assert any("stats.gov.cn" in url for url in source.urls)
    assert "figures to be checked against the official release" in source.note
    for key in ("scale", "tiers", "flags", "buffer", "token"):
        assert NORMS.source_of(key).confidence is Confidence.COMPUTED


def test_shipped_categories_cover_the_statement() -> None:
    ids = {category.id for category in NORMS.categories}
    assert {"wages", "rent", "mortgage", "utilities", "child_support", "secured_loan",
            "transport", "school", "medical", "insurance", "support_parents", "food",
            "communications", "personal"} <= ids
    assert {c.id for c in NORMS.categories_in(Section.PRIORITY)} >= {
        "rent", "utilities", "child_support", "secured_loan"}
    assert not NORMS.category("leisure").essential
    assert NORMS.category("food").group == "food"
    assert set(NORMS.tiers) == {"tier1", "tier2", "tier3", "county", "rural"}
    assert NORMS.tier("rural").area is Area.RURAL
    assert (NORMS.far_above, NORMS.far_below) == (Decimal("2.0"), Decimal("0.3"))


def _broken(old: str, new: str) -> str:
    assert old in TEXT
    return TEXT.replace(old, new, 1)


@pytest.mark.parametrize(("old", "new", "field"), [
    ('per_capita = "8411"', 'per_capita = "8412"', "groups"),
    ('group = "food"\n', 'group = "fod"\n', "categories[23].group"),
    ("far_below = \"0.3\"", "far_below = \"1.5\"", "flags.far_below"),
    ("far_above = \"2.0\"", "far_above = \"0.9\"", "flags.far_above"),
    ("[sources.scale]", "[sources.scale_x]", "sources.scale"),
    ("check_low = true\nquestion_high", "check_low = true\ncolour = 1\nquestion_high",
     "groups[0].colour"),
    ('area = "urban"', 'area = "suburb"', "tiers.tier1.area"),
    ('per_creditor_min = "1.00"', 'per_creditor_min = "20.00"', "token.per_creditor_min"),
    ('minimum = "100.00"', 'minimum = "100.005"', "buffer.minimum"),
])
def test_norms_errors_name_the_field(old: str, new: str, field: str) -> None:
    with pytest.raises(PresetError) as caught:
        parse_norms(_broken(old, new), "_budget.toml")
    assert caught.value.source == "_budget.toml"
    assert caught.value.field == field


def test_norms_refuse_broken_toml() -> None:
    with pytest.raises(PresetError, match="not valid TOML"):
        parse_norms("schema = ", "x.toml")


# ------------------------------------------------------------------- reasonableness


def test_reference_single_adult_tier2_food_worked_by_hand() -> None:
    # 8411 × 34557 / 28227 / 12 × 1.15 (tier 2) × 1.0 (one adult) = 986.8145… → 986.81
    refs = {r.group: r for r in reference_ranges(statement(), NORMS)}
    food = refs["food"]
    assert food.reference == Decimal("986.81")
    assert food.low == Decimal("296.04")  # 0.3 × 986.8145…
    assert food.high == Decimal("1973.63")  # 2 × 986.8145…
    assert food.categories == ("food", "tobacco_alcohol")


def test_reference_rural_uses_rural_total_and_tier1_family_scales() -> None:
    rural = {r.group: r for r in reference_ranges(
        statement(household=Household(city_tier="rural")), NORMS)}
    # 8411 × 19280 / 28227 / 12 = 478.7499 → 478.75
    assert rural["food"].reference == Decimal("478.75")
    family = Household(adults=2, children_0_4=1, children_11_17=1, city_tier="tier1")
    refs = {r.group: r for r in reference_ranges(statement(household=family), NORMS)}
    # housing: 6263 × 34557 / 28227 / 12 × 1.5 × (1 + 0.7 + 0.5 + 0.5) = 2587.78
    assert refs["housing"].reference == Decimal("2587.78")


def test_far_above_is_flagged_with_the_lenders_question() -> None:
    flags = check_reasonableness(statement(
        line("wages", "9000"), line("food", "1500.00"), line("tobacco_alcohol", "600.00"),
        line("rent", "1200"), line("transport", "400"), line("communications", "100")),
        NORMS)
    assert [(f.category, f.level) for f in flags] == [("food", FlagLevel.HIGH)]
    flag = flags[0]
    assert flag.amount == Decimal("2100.00")  # food and tobacco/alcohol are one NBS group
    assert flag.high == Decimal("1973.63")
    assert "special diet" in flag.question.en
    assert "特殊饮食" in flag.question.zh
    assert flag.year == 2024
    assert flag.source.confidence is Confidence.SECONDARY


def test_far_below_only_where_it_matters() -> None:
    flags = check_reasonableness(statement(line("wages", "5000")), NORMS)
    assert [(f.category, f.level) for f in flags] == [
        ("food", FlagLevel.LOW), ("housing", FlagLevel.LOW), ("transport_comm", FlagLevel.LOW)]
    assert "live with family" in flags[1].question.en


def test_spending_inside_the_band_raises_nothing() -> None:
    assert check_reasonableness(statement(
        line("wages", "6000"), line("food", "1000"), line("rent", "1500"),
        line("transport", "200"), line("communications", "100"), line("clothing", "0")),
        NORMS) == []


# -------------------------------------------------------------------- affordability


def test_affordability_line_by_line() -> None:
    result = affordability(statement(
        line("wages", "8000.00"), line("rent", "2500.00"), line("utilities", "300.00"),
        line("food", "2000.00"), line("transport", "200.00"), line("leisure", "300.00")),
        NORMS)
    # 8000 − 2800 − 2200 − 400 (5 % of 8000) = 2600
    assert (result.income, result.priority, result.essential) == (
        Decimal("8000.00"), Decimal("2800.00"), Decimal("2200.00"))
    assert result.buffer == Decimal("400.00")
    assert result.available == Decimal("2600.00")
    assert result.shortfall == Decimal("0.00")
    assert result.discretionary == Decimal("300.00")
    assert result.outcome is Outcome.SURPLUS
    assert [(s.sign, s.amount) for s in result.steps] == [
        (StepSign.ADD, Decimal("8000.00")), (StepSign.SUBTRACT, Decimal("2800.00")),
        (StepSign.SUBTRACT, Decimal("2200.00")), (StepSign.SUBTRACT, Decimal("400.00")),
        (StepSign.RESULT, Decimal("2600.00")), (StepSign.NOTE, Decimal("300.00"))]
    assert result.steps[3].render() == "Emergency buffer (5% of income, at least ¥100.00)"
    assert result.render().startswith("¥2,600.00 a month is available")


def test_nothing_left_is_a_breathing_space_not_an_error() -> None:
    result = affordability(statement(
        line("wages", "3000"), line("rent", "2000"), line("food", "1000")), NORMS)
    # 3000 − 2000 − 1000 − 150 = −150
    assert result.available == Decimal("0.00")
    assert result.shortfall == Decimal("150.00")
    assert result.outcome is Outcome.BREATHING_SPACE
    assert "breathing space" in result.render()
    assert result.steps[-2].label.startswith("Shortfall")


def test_a_little_left_is_a_token_payment() -> None:
    result = affordability(statement(
        line("wages", "4000"), line("rent", "2000"), line("food", "1770")), NORMS)
    # 4000 − 2000 − 1770 − 200 = 30, below the ¥50 threshold
    assert result.available == Decimal("30.00")
    assert result.outcome is Outcome.TOKEN
    assert (result.token_min, result.token_max) == (Decimal("1.00"), Decimal("10.00"))
    text = result.render()
    assert "¥1.00 to ¥10.00" in text
    assert "not a rule in China" in text


def test_no_income_at_all_is_still_an_answer() -> None:
    result = affordability(statement(), NORMS)
    assert result.outcome is Outcome.BREATHING_SPACE
    assert result.buffer == Decimal("100.00")
    assert result.shortfall == Decimal("100.00")


def test_buffer_rule_and_override() -> None:
    assert buffer_for(D("1000.00"), NORMS) == Decimal("100.00")  # 5 % = 50, at least 100
    assert buffer_for(D("3333.33"), NORMS) == Decimal("166.67")  # 166.6665 → half up
    result = affordability(statement(line("wages", "1000"), buffer=D("0")), NORMS)
    assert result.available == Decimal("1000.00")
    assert result.steps[3].label == "Emergency buffer (set by you)"


def test_totals_by_section() -> None:
    totals = totals_by_section(statement(line("wages", "100"), line("wages", "50.50"),
                                         line("food", "20")), NORMS)
    assert totals == {Section.INCOME: Decimal("150.50"), Section.PRIORITY: Decimal("0.00"),
                      Section.FIXED: Decimal("0.00"), Section.FLEXIBLE: Decimal("20.00")}


@pytest.mark.parametrize(("make", "field"), [
    (lambda: statement(BudgetLine(Section.FLEXIBLE, "caviar", D("1"))), "category"),
    (lambda: statement(BudgetLine(Section.FLEXIBLE, "rent", D("1"))), "section"),
    (lambda: statement(household=Household(city_tier="moon")), "city_tier"),
])
def test_statement_errors_name_the_field(make: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        affordability(make(), NORMS)  # type: ignore[operator]
    assert caught.value.field == field


@pytest.mark.parametrize(("make", "field"), [
    (lambda: BudgetLine(Section.INCOME, "wages", D("-1")), "amount"),
    (lambda: BudgetLine(Section.INCOME, "wages", D("1.001")), "amount"),
    (lambda: BudgetLine("savings", "wages", D("1")), "section"),  # type: ignore[arg-type]
    (lambda: Household(adults=0), "adults"),
    (lambda: Household(children_5_10=-1), "children_5_10"),
    (lambda: BudgetStatement(Household(), (), D("-5")), "buffer"),
])
def test_bad_values_are_refused(make: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        make()  # type: ignore[operator]
    assert caught.value.field == field


amounts = st.integers(min_value=0, max_value=2_000_000).map(lambda fen: D(fen) / 100)


@settings(max_examples=150, deadline=None)
@given(income=amounts, rent=amounts, food=amounts, leisure=amounts,
       buffer=st.one_of(st.none(), amounts))
def test_affordability_always_balances(income: Decimal, rent: Decimal, food: Decimal,
                                       leisure: Decimal, buffer: Decimal | None) -> None:
    result = affordability(statement(
        line("wages", str(income)), line("rent", str(rent)), line("food", str(food)),
        line("leisure", str(leisure)), buffer=buffer), NORMS)
    assert result.available >= 0
    assert result.shortfall >= 0
    assert result.available * result.shortfall == 0
    assert result.available - result.shortfall == income - rent - food - result.buffer
    expected = (Outcome.BREATHING_SPACE if result.available == 0 else
                Outcome.TOKEN if result.available < NORMS.token.threshold else Outcome.SURPLUS)
    assert result.outcome is expected


# ------------------------------------------------------------------------------ split


def test_pro_rata_money_advice_hub_example() -> None:
    # Money Advice Hub, "informal offers" (anchors.md §1.4) [S]: £500 ÷ £1,933 × £100 = £25.87
    parts = split(D("100.00"), [DebtShare("card", D("500.00")), DebtShare("loan", D("1433.00"))])
    assert [(p.key, p.amount) for p in parts] == [("card", Decimal("25.87")),
                                                  ("loan", Decimal("74.13"))]
    assert parts[0].share == Decimal("0.258665")


def test_pro_rata_three_equal_debts_share_the_odd_fen() -> None:
    parts = split(D("100.00"), [DebtShare(k, D("1000")) for k in "abc"])
    assert [p.amount for p in parts] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_priority_order_pays_in_the_persons_order() -> None:
    debts = [DebtShare("huabei", D("300.00"), priority=2),
             DebtShare("card", D("5000.00")),
             DebtShare("jiebei", D("1000.00"), priority=1)]
    parts = split(D("1200.00"), debts, "priority")
    assert [(p.key, p.amount) for p in parts] == [
        ("huabei", Decimal("200.00")), ("card", Decimal("0.00")),
        ("jiebei", Decimal("1000.00"))]
    same = split(D("90.00"), [DebtShare("a", D("100"), 1), DebtShare("b", D("200"), 1)],
                 "priority")
    assert [p.amount for p in same] == [Decimal("30.00"), Decimal("60.00")]


def test_split_never_pays_more_than_owed() -> None:
    parts = split(D("1000.00"), [DebtShare("a", D("100")), DebtShare("b", D("50.50"))])
    assert [p.amount for p in parts] == [Decimal("100.00"), Decimal("50.50")]


def test_split_edge_cases() -> None:
    assert split(D("0"), [DebtShare("a", D("100"))])[0].amount == Decimal("0.00")
    assert split(D("10"), []) == []
    zero = split(D("10"), [DebtShare("a", D("0"))])
    assert (zero[0].amount, zero[0].share) == (Decimal("0.00"), Decimal(0))


@pytest.mark.parametrize(("call", "field"), [
    (lambda: split(D("10"), [DebtShare("a", D("1")), DebtShare("a", D("2"))]), "debts"),
    (lambda: split(D("10"), [DebtShare("a", D("1"))], "snowball"), "method"),
    (lambda: split(D("-1"), [DebtShare("a", D("1"))]), "available"),
    (lambda: DebtShare("a", D("-1")), "balance"),
])
def test_split_errors(call: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.field == field


balances = st.lists(st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=8)


def _debts(fen: list[int]) -> list[DebtShare]:
    return [DebtShare(f"d{i}", D(b) / 100) for i, b in enumerate(fen)]


@settings(max_examples=200, deadline=None)
@given(fen=balances, data=st.data())
def test_pro_rata_properties(fen: list[int], data: st.DataObject) -> None:
    total = sum(fen)
    amount = data.draw(st.integers(min_value=0, max_value=total))
    more = data.draw(st.integers(min_value=amount, max_value=total))
    parts = [p.amount for p in split(D(amount) / 100, _debts(fen))]
    bigger = [p.amount for p in split(D(more) / 100, _debts(fen))]
    assert sum(parts) == D(amount) / 100  # exact to the fen
    assert all(p >= 0 for p in parts)
    for i, j in ((i, j) for i in range(len(fen)) for j in range(len(fen))):
        if fen[i] > fen[j]:
            assert parts[i] >= parts[j]  # monotone in balance
        if fen[i] == fen[j]:
            assert abs(parts[i] - parts[j]) <= Decimal("0.01")
    assert all(b >= a for a, b in zip(parts, bigger, strict=True))  # no Alabama paradox
    if total:
        for part, balance in zip(parts, fen, strict=True):
            exact = Fraction(amount * balance, total)
            assert abs(Fraction(int(part * 100)) - exact) < len(fen)  # close to pro rata


@settings(max_examples=100, deadline=None)
@given(fen=balances, priorities=st.lists(st.one_of(st.none(), st.integers(1, 3)), min_size=8,
                                         max_size=8), data=st.data())
def test_priority_properties(fen: list[int], priorities: list[int | None],
                             data: st.DataObject) -> None:
    debts = [DebtShare(f"d{i}", D(b) / 100, priorities[i]) for i, b in enumerate(fen)]
    total = sum(fen)
    amount = data.draw(st.integers(min_value=0, max_value=total))
    more = data.draw(st.integers(min_value=amount, max_value=total))
    parts = [p.amount for p in split(D(amount) / 100, debts, "priority")]
    bigger = [p.amount for p in split(D(more) / 100, debts, "priority")]
    assert sum(parts) == D(amount) / 100
    assert all(0 <= p <= D(b) / 100 for p, b in zip(parts, fen, strict=True))
    assert all(b >= a for a, b in zip(parts, bigger, strict=True))


def test_norms_type_is_exported() -> None:
    assert isinstance(NORMS, Norms)
