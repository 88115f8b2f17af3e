"""Issues 16 and 17: the faster ways one batch case is evaluated give the old figures, to the
fen and to the representation (property tests against the old algorithms, kept here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine import budget, negotiation, schedules
from xieshang.engine.arrangements import Evaluation, _regular
from xieshang.engine.bill import Bill
from xieshang.engine.budget import (
    BudgetLine,
    BudgetStatement,
    Household,
    Section,
    _webster,
    affordability,
    pro_rata,
)
from xieshang.engine.errors import InputError
from xieshang.engine.money import CENT, CONTEXT, Rounding, from_fen
from xieshang.engine.negotiation import RungRule, build_ladder, parse_negotiation_data
from xieshang.engine.preset import Preset, Residue, parse_preset
from xieshang.engine.schedules import (
    Row,
    Schedule,
    equal_principal,
    fixed_fee_installment,
    fixed_fee_max_payment,
    interest_free_max_payment,
)
from xieshang.engine.situation import Situation, monthly_available
from xieshang.rules import builtin_text
from xieshang.services.budget import norms

M = Decimal
TODAY = date(2026, 3, 31)
DATA = parse_negotiation_data(builtin_text("_negotiation.toml"), "presets/_negotiation.toml")
PRESETS = [parse_preset(builtin_text(f"{name}.toml"), f"presets/{name}.toml")
           for name in ("credit_card_cn", "huabei", "jiebei", "weilidai", "jd_baitiao",
                        "generic_loan", "meituan_yuefu", "informal_loan")]

amounts = st.integers(min_value=1, max_value=10**10).map(lambda fen: (M(fen) / 100).quantize(CENT))
counts = st.integers(min_value=1, max_value=120)
modes = st.sampled_from(list(Rounding))
fee_rates = st.integers(min_value=0, max_value=3000).map(lambda r: M(r) / 10_000)


# ------------------------------------------------------------------ the old algorithms


def _old_equal_principal_rows(principal: Decimal, rates: list[Decimal],
                              dues: list[date | None], rounding: Rounding,
                              method: str) -> Schedule:
    """The equal-principal row loop before its interest-free path (every rate the same)."""
    settle, cent, mode = Decimal("1E-10"), CENT, rounding.decimal_mode
    n = len(rates)
    share = schedules._share(principal, principal / n, n, rounding)
    rows = []
    balance = principal
    for k, rate, due in zip(range(1, n + 1), rates, dues, strict=True):
        interest = (balance * rate).quantize(settle, "ROUND_HALF_EVEN").quantize(
            cent, mode, CONTEXT)
        part = balance if k == n else share
        balance -= part
        rows.append(Row(k, due, part + interest, part, interest, M("0.00"), balance))
    return Schedule(principal=principal, rows=tuple(rows), method=method)


def _old_regular(payments: list[Decimal]) -> Decimal:
    counts = Counter(payments)
    return max(payments, key=lambda payment: (counts[payment], payment))


def _old_shortest(self: Any, rule: RungRule, *, soft: Decimal, hard: Decimal,
                  min_periods: int = 1) -> tuple[Evaluation, bool] | None:
    """``_Planner.shortest`` before it tried terms by their largest payment alone."""
    terms = self.terms(rule)
    longer = [periods for periods in terms if periods >= min_periods]
    if longer and len(longer) < len(terms):
        terms = longer
    owed = self.owed(rule)
    if not terms or owed <= 0:
        return None
    longest: Evaluation | None = None
    if soft > 0:
        lower = CONTEXT.divide(owed, soft)
        for periods in terms:
            if periods < lower:
                continue
            evaluation = self._evaluate(rule, periods)
            if periods == terms[-1]:
                longest = evaluation
            if evaluation.max_payment <= soft:
                return evaluation, True
    if longest is None:
        longest = self._evaluate(rule, terms[-1])
    if longest.max_payment <= hard:
        return longest, False
    return None


@contextmanager
def _old_planner() -> Iterator[None]:
    """The ladder's planner as it was: every term tried evaluated, nothing remembered."""
    planner = negotiation._Planner
    saved = (planner.shortest, planner.max_payment, planner.evaluate)
    planner.shortest = _old_shortest  # type: ignore[method-assign]
    planner.max_payment = lambda self, rule, periods: (  # type: ignore[method-assign]
        self._evaluate(rule, periods).max_payment)
    planner.evaluate = planner._evaluate  # type: ignore[method-assign]
    try:
        yield
    finally:
        planner.shortest, planner.max_payment, planner.evaluate = saved  # type: ignore[method-assign]


# ------------------------------------------------------------------------------ schedules


@settings(max_examples=300, deadline=None)
@given(amounts, counts, modes, st.sampled_from([M(0), M("0E-8"), M("0.00")]))
def test_interest_free_rows_and_largest_payment_are_the_old_ones(
        principal: Decimal, months: int, mode: Rounding, zero: Decimal) -> None:
    new = equal_principal(principal, zero, months, start=TODAY, rounding=mode)
    with schedules._local():
        old = _old_equal_principal_rows(principal, [zero] * months,
                                        [schedules.add_months(TODAY, k)
                                         for k in range(1, months + 1)], mode,
                                        "equal_principal")
    assert repr(new) == repr(old)
    assert interest_free_max_payment(principal, months, rounding=mode) == old.max_payment


def test_a_negative_zero_rate_keeps_its_signed_interest() -> None:
    new = equal_principal(M("0.01"), M("-0"), 3)
    assert str(new.rows[0].interest) == "-0.00"


@settings(max_examples=300, deadline=None)
@given(amounts, counts, fee_rates, modes, st.sampled_from(list(Residue)))
def test_fixed_fee_largest_payment_is_the_schedules(principal: Decimal, periods: int,
                                                    rate: Decimal, mode: Rounding,
                                                    residue: Residue) -> None:
    schedule = fixed_fee_installment(principal, periods, total_fee_rate=rate, residue=residue,
                                     rounding=mode)
    assert fixed_fee_max_payment(principal, periods, total_fee_rate=rate,
                                 rounding=mode) == schedule.max_payment


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([M("1.00"), M("1.0"), M("2.50"), M("2.5"), M("0.00"),
                                 M("3.00")]), min_size=1, max_size=12))
def test_regular_payment_is_the_old_one_object_for_object(payments: list[Decimal]) -> None:
    assert _regular(payments) is _old_regular(payments)


# -------------------------------------------------------------------------------- ladders


@st.composite
def _ladder_cases(draw: st.DrawFn) -> tuple[Bill, Preset, Decimal, int]:
    cents = st.integers
    bill = Bill(as_of=TODAY, principal=M(draw(cents(1, 20_000_000))) / 100,
                interest=M(draw(cents(0, 50_000))) / 100,
                penalty=M(draw(cents(0, 100_000))) / 100,
                fees=M(draw(cents(0, 20_000))) / 100)
    preset = draw(st.sampled_from(PRESETS))
    affordable = M(draw(cents(0, 800_000))) / 100
    return bill, preset, affordable, draw(st.sampled_from([0, 0, 1, 3]))


@settings(max_examples=250, deadline=None)
@given(_ladder_cases())
def test_ladder_is_the_old_search_s(case: tuple[Bill, Preset, Decimal, int]) -> None:
    """Every rung, schedule, reason and figure of the ladder is the one the old search (each
    term tried evaluated in full) finds."""
    bill, preset, affordable, deferral = case
    new = build_ladder(bill, preset, affordable, today=TODAY, settings=DATA,
                       deferral_months=deferral)
    with _old_planner():
        old = build_ladder(bill, preset, affordable, today=TODAY, settings=DATA,
                           deferral_months=deferral)
    assert repr(new) == repr(old)


@settings(max_examples=200, deadline=None)
@given(_ladder_cases(), st.integers(1, 80))
def test_largest_payment_is_the_evaluations(case: tuple[Bill, Preset, Decimal, int],
                                            periods: int) -> None:
    bill, preset, _affordable, deferral = case
    planner = negotiation._Planner(bill, preset, TODAY, 80, deferral)
    rules = DATA.ladder
    for rule in (rules.ask, rules.fallback, rules.walk_away):
        if planner.owed(rule) <= 0 or not planner.terms(rule):
            continue
        try:
            expected = planner._evaluate(rule, periods).max_payment
        except Exception as error:  # the same refusal either way
            with pytest.raises(type(error)):
                planner.max_payment(rule, periods)
            continue
        assert planner.max_payment(rule, periods) == expected


# --------------------------------------------------------------------------------- budget


@st.composite
def _statements(draw: st.DrawFn) -> BudgetStatement:
    cents = st.integers
    lines = [BudgetLine(Section.INCOME, "wages", M(draw(cents(0, 3_000_000))) / 100),
             BudgetLine(Section.PRIORITY, "rent", M(draw(cents(0, 1_000_000))) / 100),
             BudgetLine(Section.FLEXIBLE, "food", M(draw(cents(0, 500_000))) / 100)]
    return BudgetStatement(household=Household(adults=draw(st.integers(1, 4))),
                           lines=tuple(lines))


@settings(max_examples=100, deadline=None)
@given(_statements(), st.integers(0, 80), st.dates(date(2024, 1, 1), date(2030, 12, 31)))
def test_a_plain_budgets_months_are_its_ordinary_month(statement: BudgetStatement,
                                                       months: int, day: date) -> None:
    """What services.budget takes for every month when no income is dated."""
    ordinary = affordability(statement, norms()).available
    assert monthly_available(statement, norms(), Situation(), day, months) == \
        (ordinary,) * months


@settings(max_examples=300, deadline=None)
@given(amounts, st.integers(min_value=0, max_value=50_000).map(lambda r: M(r) / 1_000_000),
       counts, modes)
def test_annuity_largest_payment_is_the_schedules(principal: Decimal, rate: Decimal,
                                                  months: int, mode: Rounding) -> None:
    schedule = schedules.annuity(principal, rate, months, rounding=mode)
    assert schedules.annuity_max_payment(principal, rate, months,
                                         rounding=mode) == schedule.max_payment


@pytest.mark.parametrize(("principal", "months"), [("0.01", 5), ("0.05", 12), ("1.00", 3)])
def test_annuity_largest_payment_of_an_early_payoff(principal: str, months: int) -> None:
    schedule = schedules.annuity(M(principal), M("0.02"), months)
    assert schedules.annuity_max_payment(M(principal), M("0.02"),
                                         months) == schedule.max_payment


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_pro_ratas_amounts_are_from_fens(fen: int) -> None:
    """engine.budget.pro_rata makes its amounts as ``Decimal(fen).scaleb(-2)``."""
    assert repr(Decimal(fen).scaleb(-2)) == repr(from_fen(fen))


def _old_webster(amount: int, balances: list[int]) -> list[int]:
    """_webster before its one-debt path."""
    total = sum(balances)
    if amount <= 0 or total <= 0:
        return [0] * len(balances)
    parts = [(2 * balance * amount + total) // (2 * total) for balance in balances]

    def rank(index: int, count: int) -> tuple[Fraction, int, int]:
        return Fraction(2 * balances[index], 2 * count + 1), balances[index], -index

    while sum(parts) < amount:
        best = max((i for i, b in enumerate(balances) if b > 0),
                   key=lambda i: rank(i, parts[i]))
        parts[best] += 1
    while sum(parts) > amount:
        worst = min((i for i in range(len(parts)) if parts[i] > 0),
                    key=lambda i: rank(i, parts[i] - 1))
        parts[worst] -= 1
    return parts


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=4),
       st.integers(min_value=0, max_value=10**12))
def test_pro_rata_is_the_old_one(balances: list[int], amount: int) -> None:
    amount = min(amount, sum(balances))
    assert _webster(amount, balances) == _old_webster(amount, balances)
    yuan = [from_fen(b) for b in balances]
    assert repr(pro_rata(from_fen(amount), yuan)) == repr(
        [from_fen(part) for part in _old_webster(amount, balances)])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=2, max_size=60),
       st.integers(min_value=0, max_value=10**9), st.booleans())
def test_webster_on_integers_is_the_fraction_one(balances: list[int], amount: int,
                                                  ties: bool) -> None:
    """Many debts, and equal balances (ties on the priority), as the plan's pro rata has."""
    if ties:
        balances = [balances[0]] * (len(balances) // 2) + balances[len(balances) // 2:]
    amount = min(amount, sum(balances))
    assert _webster(amount, balances) == _old_webster(amount, balances)


def _old_monthly_flows(evaluation: Evaluation) -> tuple[Decimal, ...] | None:
    start = evaluation.dates[0]
    grid: dict[int, Decimal] = {}
    for day, flow in zip(evaluation.dates, evaluation.flows, strict=True):
        months = (day.year - start.year) * 12 + day.month - start.month
        if months < 0 or schedules.add_months(start, months) != day:
            return None
        grid[months] = grid.get(months, M("0.00")) + flow
    return tuple(grid.get(k, M("0.00")) for k in range(max(grid) + 1))


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)),
       st.lists(st.tuples(st.integers(-2, 700), st.integers(-3, 3),
                          st.integers(-10**6, 10**6)), min_size=1, max_size=8))
def test_monthly_flows_are_the_old_ones(start: date,
                                        flows: list[tuple[int, int, int]]) -> None:
    """Flows on whole months after the first date (some a few days off, some before it)."""
    dates = [start]
    amounts = [M(-100)]
    for months, days, fen in flows:
        day = schedules.add_months(start, months) + timedelta(days=days)
        dates.append(day)
        amounts.append(M(fen) / 100)
    evaluation = Evaluation(
        proposal=None, schedule=None, waived=M(0), rescheduled=M(0),  # type: ignore[arg-type]
        down_payment=M(0), total_paid=M(0), cost_over_principal=M(0), monthly_amount=M(0),
        max_payment=M(0), flows=tuple(amounts), dates=tuple(dates))
    assert repr(evaluation.monthly_flows) == repr(_old_monthly_flows(evaluation))


def _old_reference_ranges(statement: BudgetStatement, norms: Any) -> list[Any]:
    """reference_ranges before the groups' figures were kept a kind of household."""
    import decimal

    from xieshang.engine.budget import Reference
    from xieshang.engine.money import ZERO, round_money

    budget._check_lines(statement, norms)
    household = statement.household
    tier = norms.tier(household.city_tier)
    stats = norms.statistics
    size = norms.scale.size(household)
    results = []
    with decimal.localcontext(budget._CONTEXT):
        for group in norms.groups:
            members = tuple(c.id for c in norms.categories if c.group == group.id)
            amount = sum((line.amount for line in statement.lines if line.category in members),
                         ZERO)
            exact = (group.per_capita * stats.total(tier.area) / stats.national_total / 12
                     * tier.multiplier * size)
            above = group.far_above if group.far_above is not None else norms.far_above
            below = group.far_below if group.far_below is not None else norms.far_below
            results.append(Reference(
                group=group.id, label=group.label, categories=members, amount=amount,
                reference=round_money(exact, Rounding.HALF_UP),
                low=round_money(exact * below, Rounding.HALF_UP),
                high=round_money(exact * above, Rounding.HALF_UP)))
    return results


@settings(max_examples=150, deadline=None)
@given(_statements(), st.integers(1, 3), st.integers(0, 3), st.integers(0, 2),
       st.sampled_from(sorted(norms().tiers)))
def test_reference_ranges_are_the_old_ones(statement: BudgetStatement, adults: int,
                                           children: int, dependants: int, tier: str) -> None:
    household = Household(adults=adults, children_5_10=children, dependants=dependants,
                          city_tier=tier)
    statement = BudgetStatement(household=household, lines=statement.lines)
    expected = repr(_old_reference_ranges(statement, norms()))
    assert repr(budget.reference_ranges(statement, norms())) == expected
    assert repr(budget.reference_ranges(statement, norms())) == expected  # remembered


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)), st.integers(0, 12),
       st.lists(st.integers(0, 10**7), min_size=1, max_size=80), st.booleans())
def test_a_schedules_monthly_flows_are_the_old_ones(start: date, deferral: int,
                                                    payments: list[int],
                                                    shifted: bool) -> None:
    """A payment on each month after a deferral (the schedules' own dates), one of them a
    day off or not."""
    dates = [start] + [schedules.add_months(start, deferral + k)
                       for k in range(1, len(payments) + 1)]
    if shifted:
        dates[-1] += timedelta(days=1)
    evaluation = Evaluation(
        proposal=None, schedule=None, waived=M(0), rescheduled=M(0),  # type: ignore[arg-type]
        down_payment=M(0), total_paid=M(0), cost_over_principal=M(0), monthly_amount=M(0),
        max_payment=M(0), flows=(M("-12.34"), *(M(fen) / 100 for fen in payments)),
        dates=tuple(dates))
    assert repr(evaluation.monthly_flows) == repr(_old_monthly_flows(evaluation))


def test_a_category_is_the_first_of_its_id_and_an_unknown_one_is_refused() -> None:
    rules = norms()
    for category in rules.categories:
        assert rules.category(category.id) is next(
            item for item in rules.categories if item.id == category.id)
    with pytest.raises(InputError) as caught:
        rules.category("no_such_category")
    assert caught.value.field == "category"
