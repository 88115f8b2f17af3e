"""Tests of xieshang.engine.schedules: published examples, peer figures and invariants."""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.errors import InputError
from xieshang.engine.money import Rounding, round_money
from xieshang.engine.preset import Residue
from xieshang.engine.schedules import (
    EARLY_PAYOFF_NOTE,
    Method,
    Row,
    Schedule,
    add_months,
    annuity,
    daily_rate_loan,
    early_repayment_interest,
    equal_principal,
    fixed_fee_installment,
    interest_only,
)

M = Decimal
RATE_49 = M("0.049") / 12  # 4.9 % a year as a monthly rate


# ------------------------------------------------------------------ peer figures (verified)
# /work/shared/reference/peers-and-style.md §1.3.1 and §1.3.4: mortgagemath and loankit,
# both run with ROUND_HALF_UP, agree to the fen on these.


def test_annuity_100000_at_4_9_percent_over_12_months() -> None:
    schedule = annuity("100000", RATE_49, 12)
    assert schedule.first_payment == M("8556.17")
    assert [row.payment for row in schedule.rows[:-1]] == [M("8556.17")] * 11
    assert schedule.rows[-1].payment == M("8556.12")
    assert schedule.total_interest == M("2673.99")
    assert schedule.total_paid == M("102673.99")
    assert schedule.rows[0].interest == M("408.33")
    assert schedule.rows[0].balance == M("91852.16")
    assert schedule.method == "annuity"
    assert schedule.periods == 12


def test_equal_principal_100000_at_4_9_percent_over_12_months() -> None:
    schedule = equal_principal("100000", RATE_49, 12)
    assert schedule.first_payment == M("8741.66")
    assert schedule.rows[0].principal == M("8333.33")
    assert schedule.rows[-1].principal == M("8333.37")
    assert schedule.total_interest == M("2654.17")
    assert schedule.max_payment == schedule.first_payment


def test_annuity_6000_at_11_5_percent_over_36_months() -> None:
    schedule = annuity("6000", M("0.115") / 12, 36)
    assert schedule.first_payment == M("197.86")
    assert schedule.rows[0].interest == M("57.50")


def test_zero_rate_annuity_is_an_equal_split() -> None:
    schedule = annuity("1000", 0, 3)
    assert [row.payment for row in schedule.rows] == [M("333.33"), M("333.33"), M("333.34")]
    assert schedule.total_interest == M("0.00")


def test_interest_only_pays_interest_then_principal() -> None:
    schedule = interest_only("12000", M("0.06") / 12, 3)
    assert [row.payment for row in schedule.rows] == [M("60.00"), M("60.00"), M("12060.00")]
    assert [row.balance for row in schedule.rows] == [M("12000.00"), M("12000.00"), M("0.00")]
    assert schedule.total_cost == M("180.00")


def test_due_dates_clamp_to_month_end() -> None:
    schedule = equal_principal("300", 0, 3, start=date(2024, 1, 31))
    assert [row.due for row in schedule.rows] == [
        date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)
    ]
    dates, flows = schedule.dated_flows(date(2024, 1, 31), M("290.00"))
    assert dates[0] == date(2024, 1, 31)
    assert flows == [M("-290.00"), M("100.00"), M("100.00"), M("100.00")]


def test_cash_flows_start_with_the_principal() -> None:
    schedule = annuity("1000", 0, 2)
    assert schedule.cash_flows() == [M("-1000.00"), M("500.00"), M("500.00")]


def test_dated_flows_need_due_dates() -> None:
    with pytest.raises(InputError) as caught:
        annuity("1000", 0, 2).dated_flows(date(2026, 1, 1))
    assert caught.value.field == "start"


def test_add_months() -> None:
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 15), -3) == date(2023, 12, 15)
    assert add_months(date(2024, 3, 15), 0) == date(2024, 3, 15)


def test_annuity_rounding_is_not_monotone_in_principal() -> None:
    # A property of the convention, not a bug: mortgagemath 0.7.1 (ROUND_HALF_UP) gives the
    # same figures. One fen less principal rounds the payment one fen down, and the last
    # payment makes up for 33 periods of it with interest.
    more = annuity("27464.03", M("0.02"), 34)
    less = annuity("27464.02", M("0.02"), 34)
    assert (more.first_payment, more.rows[-1].payment, more.total_paid) == (
        M("1121.05"), M("1120.83"), M("38115.48"))
    assert (less.first_payment, less.rows[-1].payment, less.total_paid) == (
        M("1121.04"), M("1121.29"), M("38115.61"))


def test_rounding_mode_is_used() -> None:
    # 1000 / 3 = 333.333…: DOWN and UP differ on the regular share; the last row evens out.
    down = equal_principal("1000", 0, 3, rounding=Rounding.DOWN)
    up = equal_principal("1000", 0, 3, rounding=Rounding.UP)
    assert [r.principal for r in down.rows] == [M("333.33"), M("333.33"), M("333.34")]
    assert [r.principal for r in up.rows] == [M("333.34"), M("333.34"), M("333.32")]


# ------------------------------------------------------- installments (rules-cn.md §9.1)


def test_h8_huabei_2000_in_6_periods_at_4_5_percent() -> None:
    # H8: fee/period = 2000×4.5%/6 = 15. http://f8195.cn/b/321664.html [S]
    schedule = fixed_fee_installment("2000", 6, total_fee_rate="0.045")
    assert [row.fee for row in schedule.rows] == [M("15.00")] * 6
    assert [row.principal for row in schedule.rows] == [M("333.33")] * 5 + [M("333.35")]
    assert [row.payment for row in schedule.rows] == [M("348.33")] * 5 + [M("348.35")]
    assert schedule.total_fees == M("90.00")
    assert schedule.total_interest == M("0.00")
    assert schedule.total_paid == M("2090.00")


def test_residue_first_puts_the_odd_fen_in_period_1() -> None:
    # Ping An convention, rules-cn.md §1.6 (http://glnlw.com/zhufuduanxin/x34dgwnhrs.html [S]).
    schedule = fixed_fee_installment("1000", 3, total_fee_rate="0.025", residue=Residue.FIRST)
    assert [row.principal for row in schedule.rows] == [M("333.34"), M("333.33"), M("333.33")]
    assert [row.fee for row in schedule.rows] == [M("8.34"), M("8.33"), M("8.33")]
    assert [row.balance for row in schedule.rows] == [M("666.66"), M("333.33"), M("0.00")]


def test_i1_cmb_30000_in_12_at_0_66_percent_a_month() -> None:
    # I1: 198 + 2,500 = 2,698/month.
    # https://wodefinance.com/Creditcardoverdue/qyxrnmpbta.html [S]
    schedule = fixed_fee_installment("30000", 12, monthly_fee_rate="0.0066")
    assert {row.payment for row in schedule.rows} == {M("2698.00")}
    assert schedule.total_fees == M("2376.00")


def test_i3_icbc_36000_in_24_at_0_68_percent_a_month() -> None:
    # I3: 1,500 + 244.8 = 1,744.80/month.
    # https://wodefinance.com/Creditcardoverdue/ivqikunlpo.html [S]
    schedule = fixed_fee_installment("36000", 24, monthly_fee_rate="0.0068")
    assert {row.payment for row in schedule.rows} == {M("1744.80")}
    assert schedule.rows[0].fee == M("244.80")


def test_i4_boc_20000_in_12_at_0_60_percent_a_month() -> None:
    # I4: total fee 20000×0.006×12 = 1,440. https://51a.net/1866059204287295587.html [S]
    schedule = fixed_fee_installment("20000", 12, monthly_fee_rate="0.006")
    assert schedule.total_fees == M("1440.00")
    assert schedule.rows[0].payment == M("1786.67")
    assert schedule.rows[-1].principal == M("1666.63")


def test_installment_needs_exactly_one_fee_rate() -> None:
    with pytest.raises(InputError) as caught:
        fixed_fee_installment("1000", 3)
    assert caught.value.field == "total_fee_rate"
    with pytest.raises(InputError):
        fixed_fee_installment("1000", 3, total_fee_rate="0.02", monthly_fee_rate="0.01")


def test_tiny_split_never_goes_negative() -> None:
    # 0.15 over 10: 0.015 rounds to 0.02, and 9 × 0.02 > 0.15, so the share is rounded down.
    schedule = fixed_fee_installment("0.15", 10, total_fee_rate="0")
    assert [row.principal for row in schedule.rows] == [M("0.01")] * 9 + [M("0.06")]


# ------------------------------------------------------------------- daily-rate loans


def test_j3_jiebei_early_repayment_after_10_days() -> None:
    # J3: 10,000 at 0.04%/day repaid on day 10 → 40.00. https://csai.cn/wenda/977598.html [S]
    assert early_repayment_interest(
        "10000", "0.0004", date(2026, 3, 1), date(2026, 3, 11)
    ) == M("40.00")


def test_early_repayment_before_start_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        early_repayment_interest("10000", "0.0004", date(2026, 3, 11), date(2026, 3, 1))
    assert caught.value.field == "repaid_on"


def test_daily_equal_principal_accrues_actual_days() -> None:
    # 微粒贷 style: 3,000 at 0.05 %/day over 3 months from 2026-01-31.
    schedule = daily_rate_loan("3000", "0.0005", 3, Method.EQUAL_PRINCIPAL, date(2026, 1, 31))
    assert [row.due for row in schedule.rows] == [
        date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)
    ]
    # 28 days on 3,000; 31 days on 2,000; 30 days on 1,000.
    assert [row.interest for row in schedule.rows] == [M("42.00"), M("31.00"), M("15.00")]
    assert [row.payment for row in schedule.rows] == [M("1042.00"), M("1031.00"), M("1015.00")]
    assert schedule.method == "daily_rate_equal_principal"


def test_daily_interest_only() -> None:
    schedule = daily_rate_loan("10000", "0.0004", 2, Method.INTEREST_ONLY, date(2026, 1, 1))
    # 31 days then 28 days on 10,000 at 4.00/day.
    assert [row.payment for row in schedule.rows] == [M("124.00"), M("10112.00")]


def test_daily_annuity_is_level_and_ends_at_zero() -> None:
    schedule = daily_rate_loan("10000", "0.0004", 12, Method.ANNUITY, date(2026, 1, 31))
    payments = [row.payment for row in schedule.rows]
    assert payments[:-1] == [M("900.20")] * 11
    assert payments[-1] == M("900.16")
    assert schedule.rows[0].interest == M("112.00")  # 28 days × 4.00
    assert schedule.rows[1].interest == M("114.23")  # 9,211.80 × 0.0004 × 31
    assert schedule.rows[-1].balance == M("0.00")


def test_daily_annuity_at_zero_rate() -> None:
    schedule = daily_rate_loan("900", 0, 3, Method.ANNUITY, date(2026, 1, 1))
    assert [row.payment for row in schedule.rows] == [M("300.00")] * 3


# ------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: annuity("0", 0, 12), "principal"),
        (lambda: annuity("-5", 0, 12), "principal"),
        (lambda: annuity("1.005", 0, 12), "principal"),
        (lambda: annuity("100", "-0.01", 12), "monthly_rate"),
        (lambda: annuity("100", 0, 0), "months"),
        (lambda: equal_principal("100", 0, 601), "months"),
        (lambda: interest_only("100", 0, 0), "months"),
        (lambda: fixed_fee_installment("100", 0, total_fee_rate="0.01"), "periods"),
        (lambda: fixed_fee_installment("100", 3, total_fee_rate="-0.01"), "total_fee_rate"),
        (lambda: fixed_fee_installment("100", 3, monthly_fee_rate="-0.01"), "monthly_fee_rate"),
        (lambda: daily_rate_loan("100", "-1", 3, Method.ANNUITY, date(2026, 1, 1)), "daily_rate"),
    ],
)
def test_bad_input_names_the_field(call: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.field == field


def test_600_months_is_accepted() -> None:
    assert annuity("1000000", M("0.0325") / 12, 600).rows[-1].balance == M("0.00")


# ------------------------------------------------------------------------- properties

amounts = st.integers(min_value=1, max_value=10**9).map(lambda fen: M(fen) / 100)
monthly_rates = st.integers(min_value=0, max_value=50_000).map(lambda r: M(r) / 1_000_000)
daily_rates = st.integers(min_value=0, max_value=100).map(lambda r: M(r) / 100_000)
counts = st.integers(min_value=1, max_value=120)
modes = st.sampled_from(list(Rounding))
fee_rates = st.integers(min_value=0, max_value=3000).map(lambda r: M(r) / 10_000)


def _check(schedule: Schedule, principal: Decimal) -> None:
    rows = schedule.rows
    assert sum(row.principal for row in rows) == principal  # no fen lost or invented
    assert schedule.total_paid == principal + schedule.total_interest + schedule.total_fees
    assert all(row.payment == row.principal + row.interest + row.fee for row in rows)
    assert all(row.balance >= 0 for row in rows)
    assert rows[-1].balance == 0
    assert all(row.interest >= 0 and row.fee >= 0 for row in rows)
    assert all(row.payment.as_tuple().exponent == -2 for row in rows)
    balance = principal
    for row in rows:
        balance -= row.principal
        assert row.balance == balance


@settings(max_examples=150, deadline=None)
@given(amounts, monthly_rates, counts, modes, st.sampled_from(list(Method)))
def test_monthly_schedules_add_up(
    principal: Decimal, rate: Decimal, n: int, mode: Rounding, method: Method
) -> None:
    build = {Method.ANNUITY: annuity, Method.EQUAL_PRINCIPAL: equal_principal,
             Method.INTEREST_ONLY: interest_only}[method]
    schedule = build(principal, rate, n, start=date(2026, 1, 31), rounding=mode)
    _check(schedule, principal)
    assert schedule.periods == n or schedule.note


@settings(max_examples=100, deadline=None)
@given(amounts, daily_rates, st.integers(min_value=1, max_value=60), modes,
       st.sampled_from(list(Method)))
def test_daily_schedules_add_up(
    principal: Decimal, rate: Decimal, n: int, mode: Rounding, method: Method
) -> None:
    schedule = daily_rate_loan(principal, rate, n, method, date(2026, 1, 31), rounding=mode)
    _check(schedule, principal)


@settings(max_examples=150, deadline=None)
@given(amounts, counts, fee_rates, modes, st.sampled_from(list(Residue)), st.booleans())
def test_installments_add_up(
    principal: Decimal, n: int, rate: Decimal, mode: Rounding, residue: Residue, total: bool
) -> None:
    if total:
        schedule = fixed_fee_installment(principal, n, total_fee_rate=rate, residue=residue,
                                         rounding=mode)
    else:
        schedule = fixed_fee_installment(principal, n, monthly_fee_rate=rate / 10,
                                         residue=residue, rounding=mode)
    _check(schedule, principal)
    assert schedule.periods == n
    assert schedule.total_interest == 0


@settings(max_examples=150, deadline=None)
@given(amounts, counts, fee_rates, fee_rates)
def test_installment_fee_rises_with_its_rate(
    principal: Decimal, n: int, low: Decimal, high: Decimal
) -> None:
    low, high = min(low, high), max(low, high)
    cheap = fixed_fee_installment(principal, n, total_fee_rate=low)
    dear = fixed_fee_installment(principal, n, total_fee_rate=high)
    assert cheap.total_fees <= dear.total_fees
    assert cheap.total_paid <= dear.total_paid


# ------------------------------------------- the optimised row loops vs the plain algorithm
# The row loops of schedules.py inline their rounding for speed. This is the algorithm as it
# was first written (every amount through round_money, rows built field by field); the
# optimised functions must give the very same rows: value, exponent and sign of every amount.

_REF_CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN)


def _ref_fen(value: Decimal, rounding: Rounding) -> Decimal:
    return round_money(value.quantize(M("1E-10"), rounding=decimal.ROUND_HALF_EVEN), rounding)


def _ref_row(k: int, due: date | None, part: Decimal, interest: Decimal,
             balance: Decimal) -> Row:
    zero = M("0.00")
    return Row(period=k, due=due, payment=part + interest + zero, principal=part,
               interest=interest, fee=zero, balance=balance)


def _ref_level(principal: Decimal, payment: Decimal, rates: list[Decimal],
               dues: list[date | None], rounding: Rounding) -> tuple[list[Row], str]:
    rows: list[Row] = []
    balance = principal
    n = len(rates)
    for k, (rate, due) in enumerate(zip(rates, dues, strict=True), start=1):
        interest = _ref_fen(balance * rate, rounding)
        pays_off = k == n or payment - interest >= balance
        part = balance if pays_off else payment - interest
        balance -= part
        rows.append(_ref_row(k, due, part, interest, balance))
        if balance == 0 and k < n:
            return rows, EARLY_PAYOFF_NOTE
    return rows, ""


def _ref_equal_principal(principal: Decimal, rates: list[Decimal],
                         dues: list[date | None], rounding: Rounding) -> list[Row]:
    n = len(rates)
    share = _ref_fen(principal / n, rounding)
    if share * (n - 1) > principal:
        share = _ref_fen(principal / n, Rounding.DOWN)
    rows: list[Row] = []
    balance = principal
    for k, (rate, due) in enumerate(zip(rates, dues, strict=True), start=1):
        interest = _ref_fen(balance * rate, rounding)
        part = balance if k == n else share
        balance -= part
        rows.append(_ref_row(k, due, part, interest, balance))
    return rows


def _ref_interest_only(principal: Decimal, rates: list[Decimal],
                       dues: list[date | None], rounding: Rounding) -> list[Row]:
    n = len(rates)
    rows = []
    for k, (rate, due) in enumerate(zip(rates, dues, strict=True), start=1):
        part = principal if k == n else M("0.00")
        rows.append(_ref_row(k, due, part, _ref_fen(principal * rate, rounding),
                             principal - part))
    return rows


def _ref_monthly(method: Method, principal: Decimal, rate: Decimal, n: int,
                 start: date | None, rounding: Rounding) -> tuple[list[Row], str]:
    dues: list[date | None] = (
        [None] * n if start is None else [add_months(start, k) for k in range(1, n + 1)])
    with decimal.localcontext(_REF_CONTEXT):
        if method is Method.EQUAL_PRINCIPAL:
            return _ref_equal_principal(principal, [rate] * n, dues, rounding), ""
        if method is Method.INTEREST_ONLY:
            return _ref_interest_only(principal, [rate] * n, dues, rounding), ""
        if rate == 0:
            raw = principal / n
        else:
            factor = (1 + rate) ** n
            raw = principal * rate * factor / (factor - 1)
        return _ref_level(principal, _ref_fen(raw, rounding), [rate] * n, dues, rounding)


def _ref_daily(method: Method, principal: Decimal, rate: Decimal, n: int, start: date,
               rounding: Rounding) -> tuple[list[Row], str]:
    dates = [add_months(start, k) for k in range(n + 1)]
    dues: list[date | None] = list(dates[1:])
    with decimal.localcontext(_REF_CONTEXT):
        rates = [rate * (dates[k] - dates[k - 1]).days for k in range(1, n + 1)]
        if method is Method.EQUAL_PRINCIPAL:
            return _ref_equal_principal(principal, rates, dues, rounding), ""
        if method is Method.INTEREST_ONLY:
            return _ref_interest_only(principal, rates, dues, rounding), ""
        growth, tail = Decimal(1), Decimal(0)
        for period_rate in reversed(rates):
            tail += growth
            growth *= 1 + period_rate
        payment = _ref_fen(principal * growth / tail, rounding)
        return _ref_level(principal, payment, rates, dues, rounding)


def _exactly(rows: tuple[Row, ...] | list[Row]) -> list[tuple[object, ...]]:
    """Every field, amounts as (sign, digits, exponent): 1.0 and 1.00 count as different."""
    return [(row.period, row.due, row.payment.as_tuple(), row.principal.as_tuple(),
             row.interest.as_tuple(), row.fee.as_tuple(), row.balance.as_tuple())
            for row in rows]


# Rates as callers make them: annual ÷ 1200 in the default 28-digit context (no exact
# decimal), or an exact fraction with a few places; up to 50 % a month.
exact_rates = st.integers(min_value=0, max_value=500_000).map(lambda r: M(r) / 1_000_000)
annual_over_1200 = st.integers(min_value=0, max_value=60_000).map(
    lambda r: (M(r) / 100) / 1200)
any_rates = st.one_of(exact_rates, annual_over_1200)
any_amounts = st.one_of(amounts, st.integers(min_value=1, max_value=10**13).map(M),
                        st.integers(min_value=1, max_value=300).map(lambda fen: M(fen) / 100))
starts = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(Method)), any_amounts, any_rates,
       st.integers(min_value=1, max_value=360), starts, modes)
def test_monthly_rows_match_the_plain_algorithm(
    method: Method, principal: Decimal, rate: Decimal, n: int, start: date | None,
    mode: Rounding,
) -> None:
    build = {Method.ANNUITY: annuity, Method.EQUAL_PRINCIPAL: equal_principal,
             Method.INTEREST_ONLY: interest_only}[method]
    schedule = build(principal, rate, n, start=start, rounding=mode)
    rows, note = _ref_monthly(method, principal.quantize(M("0.01")), rate, n, start, mode)
    assert _exactly(schedule.rows) == _exactly(rows)
    assert schedule.note == note


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(Method)), st.integers(min_value=1, max_value=10**5),
       st.integers(min_value=1, max_value=2400), st.integers(min_value=1, max_value=120), modes)
def test_rows_on_exact_fen_boundaries_match_the_plain_algorithm(
    method: Method, m: int, j: int, n: int, mode: Rounding
) -> None:
    # 600·m yuan at j × 0.25 % a year: the first interest is exactly 12.5·m·j fen, on a fen
    # (m·j even) or a half fen (m·j odd), while annual ÷ 1200 is rounded to 28 digits just
    # above or below. Settling to 10 places before rounding decides these rows.
    principal, rate = M(600 * m), (M(25 * j) / 100) / 1200
    build = {Method.ANNUITY: annuity, Method.EQUAL_PRINCIPAL: equal_principal,
             Method.INTEREST_ONLY: interest_only}[method]
    schedule = build(principal, rate, n, rounding=mode)
    rows, note = _ref_monthly(method, principal.quantize(M("0.01")), rate, n, None, mode)
    assert _exactly(schedule.rows) == _exactly(rows)
    assert schedule.note == note


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(list(Method)), any_amounts, daily_rates,
       st.integers(min_value=1, max_value=60), starts.filter(lambda d: d is not None), modes)
def test_daily_rows_match_the_plain_algorithm(
    method: Method, principal: Decimal, rate: Decimal, n: int, start: date, mode: Rounding
) -> None:
    schedule = daily_rate_loan(principal, rate, n, method, start, rounding=mode)
    rows, note = _ref_daily(method, principal.quantize(M("0.01")), rate, n, start, mode)
    assert _exactly(schedule.rows) == _exactly(rows)
    assert schedule.note == note


@pytest.mark.parametrize(("principal", "rate", "n", "paid"), [
    ("0.06", "0.01", 4, ["0.02", "0.02", "0.02"]),  # 3 level payments clear it
    ("0.07", "0.05", 5, ["0.02", "0.02", "0.02", "0.01"]),  # the payoff row is smaller
])
def test_early_payoff_matches_the_plain_algorithm(
    principal: str, rate: str, n: int, paid: list[str]
) -> None:
    schedule = annuity(principal, M(rate), n)
    rows, note = _ref_monthly(Method.ANNUITY, M(principal), M(rate), n, None, Rounding.HALF_UP)
    assert _exactly(schedule.rows) == _exactly(rows)
    assert [row.payment for row in schedule.rows] == [M(p) for p in paid]
    assert schedule.note == note == EARLY_PAYOFF_NOTE
