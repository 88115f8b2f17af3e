"""The schedule walks (issue 16): rows made on demand and the integer-fen annuity walk give
the very rows the eager Decimal construction gave — value, exponent and sign (compared by
``repr``) — and a deferred :class:`Schedule` behaves as any other."""

from __future__ import annotations

import copy
import dataclasses
import decimal
import pickle
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine import schedules
from xieshang.engine.money import CENT, Rounding
from xieshang.engine.money import CONTEXT as MONEY_CONTEXT
from xieshang.engine.schedules import (
    EARLY_PAYOFF_NOTE,
    Method,
    Row,
    Schedule,
    annuity,
    daily_rate_loan,
    equal_principal,
    interest_only,
)

M = Decimal
SETTLE = M("1E-10")


# ------------------------------------------------- the previous construction (reference)


def _interest(balance: Decimal, rate: Decimal, rounding: Rounding) -> Decimal:
    return (balance * rate).quantize(SETTLE, decimal.ROUND_HALF_EVEN).quantize(
        CENT, rounding.decimal_mode, MONEY_CONTEXT)


def old_level(principal: Decimal, payment: Decimal, rates: list[Decimal],
              dues: list[date | None], rounding: Rounding, method: str) -> Schedule:
    """``_level`` as it was: a Row object per period, in the 50-digit context."""
    zero = M("0.00")
    rows = []
    balance = principal
    note = ""
    n = len(rates)
    with decimal.localcontext(schedules._CONTEXT):
        for k, rate, due in zip(range(1, n + 1), rates, dues, strict=True):
            interest = _interest(balance, rate, rounding)
            part = payment - interest
            if k < n and part < balance:
                balance -= part
                rows.append(Row(k, due, payment, part, interest, zero, balance))
                continue
            rows.append(Row(k, due, balance + interest, balance, interest, zero,
                            balance - balance))
            if k < n:
                note = EARLY_PAYOFF_NOTE
            break
    return Schedule(principal=principal, rows=tuple(rows), method=method, note=note)


def old_annuity(principal: Decimal, rate: Decimal, n: int, rounding: Rounding,
                start: date | None = None) -> Schedule:
    with decimal.localcontext(schedules._CONTEXT):
        if rate == 0:
            raw = principal / n
        else:
            factor = (1 + rate) ** n
            raw = principal * rate * factor / (factor - 1)
        payment = schedules._fen(raw, rounding)
        return old_level(principal, payment, [rate] * n, schedules._dues(start, n),
                         rounding, "annuity")


def old_equal_principal(principal: Decimal, rate: Decimal, n: int,
                        rounding: Rounding) -> Schedule:
    zero = M("0.00")
    with decimal.localcontext(schedules._CONTEXT):
        share = schedules._share(principal, principal / n, n, rounding)
        rows = []
        balance = principal
        for k in range(1, n + 1):
            interest = _interest(balance, rate, rounding)
            part = balance if k == n else share
            balance -= part
            rows.append(Row(k, None, part + interest, part, interest, zero, balance))
    return Schedule(principal=principal, rows=tuple(rows), method="equal_principal")


def old_interest_only(principal: Decimal, rate: Decimal, n: int,
                      rounding: Rounding) -> Schedule:
    zero = M("0.00")
    with decimal.localcontext(schedules._CONTEXT):
        rows = []
        for k in range(1, n + 1):
            interest = _interest(principal, rate, rounding)
            part = principal if k == n else zero
            rows.append(Row(k, None, part + interest, part, interest, zero,
                            principal - part))
    return Schedule(principal=principal, rows=tuple(rows), method="interest_only")


def same(ours: Schedule, reference: Schedule) -> None:
    """Equal to the fen, exponents and signs included, and the same note and method."""
    assert repr(ours.rows) == repr(reference.rows)
    assert ours == reference
    assert (ours.principal, ours.method, ours.note) == (
        reference.principal, reference.method, reference.note)


# ----------------------------------------------------------------------------- strategies

principals = st.integers(min_value=1, max_value=10**13).map(lambda fen: M(fen).scaleb(-2))
small_principals = st.integers(min_value=1, max_value=5_000).map(lambda fen: M(fen).scaleb(-2))


@st.composite
def monthly_rates(draw: st.DrawFn) -> Decimal:
    """Rates as callers make them: an annual rate ÷ 12 (28 or 50 digits), short rates
    whose products hit exact half-fen ties, long ones whose products fall a hair from a
    half fen (settling decides), zeros, and large rates."""
    kind = draw(st.sampled_from(["annual", "annual50", "short", "zero", "large"]))
    if kind in ("annual", "annual50"):
        annual = M(draw(st.integers(min_value=1, max_value=360_000))).scaleb(
            -draw(st.integers(min_value=2, max_value=7)))
        if kind == "annual":
            with decimal.localcontext(decimal.Context(prec=28)):
                return annual / 12
        with decimal.localcontext(decimal.Context(prec=50)):
            return annual / 12
    if kind == "short":
        return M(draw(st.integers(min_value=1, max_value=999))).scaleb(
            -draw(st.integers(min_value=2, max_value=12)))
    if kind == "zero":
        return M(draw(st.sampled_from(["0", "0.000", "-0", "0E-9"])))
    return M(draw(st.integers(min_value=1, max_value=5_000))).scaleb(
        -draw(st.integers(min_value=0, max_value=3)))


roundings = st.sampled_from(list(Rounding))
terms = st.integers(min_value=1, max_value=600)


# ------------------------------------------------------------------------------ properties


@settings(max_examples=300, deadline=None)
@given(principals, monthly_rates(), terms, roundings)
def test_annuity_rows_are_the_eager_walks(principal: Decimal, rate: Decimal, n: int,
                                          rounding: Rounding) -> None:
    same(annuity(principal, rate, n, rounding=rounding),
         old_annuity(principal, rate, n, rounding))


@settings(max_examples=300, deadline=None)
@given(small_principals, monthly_rates(), st.integers(min_value=1, max_value=120),
       roundings)
def test_annuity_of_small_loans_and_early_payoffs(principal: Decimal, rate: Decimal, n: int,
                                                  rounding: Rounding) -> None:
    same(annuity(principal, rate, n, rounding=rounding),
         old_annuity(principal, rate, n, rounding))


@settings(max_examples=300, deadline=None)
@given(principals, monthly_rates(), terms, roundings)
def test_the_fen_walk_is_the_decimal_walk(principal: Decimal, rate: Decimal, n: int,
                                          rounding: Rounding) -> None:
    """Given the same payment (any payment that covers the first interest, so also
    payments that end the schedule early), the integer walk — where it applies — gives
    ``_level``'s rows; its integers are the rows' amounts in fen."""
    with decimal.localcontext(schedules._CONTEXT):
        first = _interest(principal, rate, rounding)
        for payment in (schedules.annuity(principal, rate, n, rounding=rounding)
                        .first_payment, first + M("0.01") * n, first):
            dues: list[date | None] = [None] * n
            fast = schedules._fen_walk(principal, payment, rate, dues, rounding, "annuity")
            if fast is None:
                continue
            walk = schedules._pending_of(fast)
            assert walk is not None
            assert walk.payment is not None
            reference = old_level(principal, payment, [rate] * n, dues, rounding, "annuity")
            fen = [int(amount.scaleb(2)) for row in reference.rows
                   for amount in (row.payment, row.principal, row.interest, row.balance)]
            assert walk.amounts == fen
            same(fast, reference)
            same(schedules._level(principal, payment, [rate] * n, dues, rounding, "annuity"),
                 reference)


def test_the_fen_walk_applies_to_ordinary_loans() -> None:
    """The walk the benchmark times is the integer one (and the settling case of
    ``_fen``'s docstring: 15,000 × 18.25 % ÷ 12 is 228.125 → 228.13 half-up, which the
    remainder alone cannot tell)."""
    for principal, rate, n in (("1000000", M("3.25") / 1200, 360),
                               ("15000", M("0.1825") / 12, 12),
                               ("100000", M("0.049") / 12, 12)):
        schedule = annuity(principal, rate, n)
        walk = schedules._pending_of(schedule)
        assert walk is not None
        assert walk.payment is not None
        same(schedule, old_annuity(M(principal).quantize(CENT), rate, n, Rounding.HALF_UP))
    assert annuity("15000", M("0.1825") / 12, 12).rows[0].interest == M("228.13")
    assert annuity("15000", M("0.1825") / 12, 12, rounding=Rounding.DOWN
                   ).rows[0].interest == M("228.12")


@settings(max_examples=150, deadline=None)
@given(principals, monthly_rates(), terms, roundings)
def test_equal_principal_and_interest_only_rows(principal: Decimal, rate: Decimal, n: int,
                                                rounding: Rounding) -> None:
    same(equal_principal(principal, rate, n, rounding=rounding),
         old_equal_principal(principal, rate, n, rounding))
    same(interest_only(principal, rate, n, rounding=rounding),
         old_interest_only(principal, rate, n, rounding))


@settings(max_examples=100, deadline=None)
@given(principals, st.integers(min_value=1, max_value=100).map(lambda k: M(k).scaleb(-5)),
       st.integers(min_value=1, max_value=60), roundings,
       st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
def test_daily_rate_annuity_rows(principal: Decimal, daily: Decimal, n: int,
                                 rounding: Rounding, start: date) -> None:
    """Daily-rate annuities take the Decimal walk (a rate per period); their dated rows are
    those of the eager walk."""
    schedule = daily_rate_loan(principal, daily, n, Method.ANNUITY, start, rounding=rounding)
    dates = [schedules.add_months(start, k) for k in range(n + 1)]
    rates = [daily * (dates[k] - dates[k - 1]).days for k in range(1, n + 1)]
    with decimal.localcontext(schedules._CONTEXT):
        growth, tail = M(1), M(0)
        for period_rate in reversed(rates):
            tail += growth
            growth *= 1 + period_rate
        payment = schedules._fen(principal * growth / tail, rounding)
    same(schedule, old_level(principal, payment, rates, list(dates[1:]), rounding,
                             "daily_rate_annuity"))


@settings(max_examples=60, deadline=None)
@given(principals, monthly_rates(), st.integers(min_value=1, max_value=60), roundings)
def test_a_deferred_schedule_is_a_schedule(principal: Decimal, rate: Decimal, n: int,
                                           rounding: Rounding) -> None:
    """Totals without making rows; equality, hash, repr, copies, pickling and replace as
    the eager schedule's."""
    eager = old_annuity(principal, rate, n, rounding)
    lazy = annuity(principal, rate, n, rounding=rounding)
    assert schedules._pending_of(lazy) is not None
    assert (lazy.periods, lazy.total_paid, lazy.total_interest, lazy.total_fees,
            lazy.total_cost, lazy.first_payment, lazy.max_payment, lazy.cash_flows(),
            lazy.cash_flows(principal / 2)) == (
        eager.periods, eager.total_paid, eager.total_interest, eager.total_fees,
        eager.total_cost, eager.first_payment, eager.max_payment, eager.cash_flows(),
        eager.cash_flows(principal / 2))
    assert repr(lazy.total_paid) == repr(eager.total_paid)
    assert repr(lazy.total_fees) == repr(eager.total_fees)
    assert schedules._pending_of(lazy) is not None  # none of the above made rows
    assert repr(pickle.loads(pickle.dumps(annuity(principal, rate, n, rounding=rounding)))
                ) == repr(eager)
    assert copy.copy(annuity(principal, rate, n, rounding=rounding)) == eager
    assert hash(annuity(principal, rate, n, rounding=rounding)) == hash(eager)
    assert dataclasses.replace(annuity(principal, rate, n, rounding=rounding), note="x") == \
        dataclasses.replace(eager, note="x")
    assert repr(lazy) == repr(eager)
    assert lazy.rows is lazy.rows  # made once, then kept
    assert schedules._pending_of(lazy) is None
    assert pickle.loads(pickle.dumps(lazy)) == eager


def test_deferred_schedules_keep_the_record_interface() -> None:
    schedule = annuity("1000", M("0.01"), 3, start=date(2024, 1, 31))
    assert [field.name for field in dataclasses.fields(Schedule)] == [
        "principal", "rows", "method", "note"]
    assert "_pending" not in dataclasses.asdict(schedule)
    assert [row.due for row in schedule.rows] == [
        date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    with pytest.raises(AttributeError, match="no_such_thing"):
        schedule.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.rows = ()  # type: ignore[misc]
    eager = Schedule(principal=M("1.00"), rows=(), method="lump_sum")
    assert schedules._pending_of(eager) is None
    assert eager.periods == 0
    assert eager.total_paid == M("0.00")
    assert eager.cash_flows() == [M("-1.00")]
    with pytest.raises(IndexError):
        _ = eager.first_payment


@settings(max_examples=200, deadline=None)
@given(small_principals | principals, monthly_rates(), st.integers(min_value=1, max_value=120),
       roundings, st.sampled_from([None, date(2026, 1, 31), date(2028, 2, 29)]),
       st.sampled_from(["annuity", "equal_principal", "interest_only", "fixed_fee"]))
def test_payments_and_due_dates_are_the_rows_without_making_them(
        principal: Decimal, rate: Decimal, n: int, rounding: Rounding, start: date | None,
        kind: str) -> None:
    """What a ladder reads of a schedule (each payment and due date) is each row's, early
    payoffs and due dates at month ends included; a deferred schedule makes no rows for it."""
    if kind == "fixed_fee":
        made = schedules.fixed_fee_installment(principal, min(n, 24), start=start,
                                               total_fee_rate=abs(rate) % 1)
    else:
        build = {"annuity": annuity, "equal_principal": equal_principal,
                 "interest_only": interest_only}[kind]
        made = build(principal, abs(rate), n, start=start, rounding=rounding)
    deferred = schedules._pending_of(made) is not None
    payments, dues = made.payments(), made.due_dates()
    assert (schedules._pending_of(made) is not None) is deferred
    assert repr(payments) == repr([row.payment for row in made.rows])
    assert dues == [row.due for row in made.rows]
    assert len(payments) == made.periods
