"""The integer walk of an overdue debt equals the Decimal walk, to the fen (issue 16/17).

:class:`xieshang.engine.accrual_fen.FenWalker` advances an overdue debt month by month in
integer fen, adding up the days between events in one multiplication; the Decimal
:class:`xieshang.engine.accrual.Walker` (itself proven equal to the day walk by
``tests/test_accrual_segments.py``) stays the reference. Every bill — principal, interest,
penalty, fees, principal not yet due — is compared on 10,000 seeded random debts over every
shipped preset with random overrides (daily rounding on and off, compounding, grace days
and whether they are charged, penalty base, odd rates, fees and interest carried in,
payments before the plan), each walked over random gaps with random payments on the dates
asked (as the plan pays), and on hypothesis examples. What the integer walk leaves to the
Decimal one (``FenWalker.of`` → ``None``) is named and checked too.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xieshang.engine.accrual import LaterInstallment, OverdueDebt, Payment, Walker
from xieshang.engine.accrual_fen import FenWalker
from xieshang.engine.errors import InputError
from xieshang.engine.preset import PenaltyBase
from xieshang.rules import load_presets

PRESETS = sorted(load_presets().values(), key=lambda p: p.id)
D = Decimal
#: 0.27 ÷ 365 and 0.18 ÷ 360 have 34 digits in the engine's context (a Decimal walk of
#: their charges), the others a few
RATES = [None, D("0.0005"), D("0.00075"), D("0.000137"), D("0.0003333"), D("0.001"),
         D("0.00049"), D("0.0002777777777777"), D("0.0007397260273972602739726027397260"),
         D("0.0005000000000000000000000000000001"),
         D("0.00073972602739726027397260273972602739726")]
CONTRACT = [None, D("0.0004"), D("0.000175"), D("0.00035"), D("0.0001369863"),
            D("0.0004931506849315068493150684931507")]


def _amount(rng: random.Random, low: int = 1, high: int = 5_000_000) -> Decimal:
    fen = rng.randint(low, high) if rng.random() < 0.8 else rng.choice([1, 99, 100, 2500])
    return D(fen).scaleb(-2)


def random_debt(rng: random.Random) -> tuple[OverdueDebt, date]:
    """A random overdue debt and the plan's first date (on or after its due date, after its
    payments)."""
    preset = rng.choice(PRESETS)
    due = date(2024, 1, 1) + timedelta(days=rng.randint(0, 1095))
    if rng.random() < 0.2:  # the end of a month (monthly steps on shorter months)
        due = date(due.year, due.month, 28) + timedelta(days=rng.randint(0, 3))
        while due.month != (due - timedelta(days=3)).month:
            due -= timedelta(days=1)
    start = due + timedelta(days=rng.randint(0, 120))  # (0: a debt due on the first date)
    payments = tuple(Payment(due + timedelta(days=rng.randint(-5, (start - due).days - 1)),
                             _amount(rng, high=300_000))
                     for _ in range(rng.choice([0, 0, 0, 1, 2])))
    debt = OverdueDebt(
        preset, _amount(rng), due,
        interest=rng.choice([D("0.00"), D("12.34"), D("250.01")]),
        fees=rng.choice([D("0.00"), D("5.00")]),
        not_yet_due_principal=rng.choice([D("0.00"), D("3000.00"), D("777.77")]),
        contract_daily_rate=rng.choice(CONTRACT),
        penalty_daily_rate=rng.choice(RATES),
        payments=payments,
        grace_days=rng.choice([None, 0, 1, 3, 5]),
        compounding=rng.choice([None, True, False]),
        rounding_daily=rng.choice([None, True, False]),
        penalty_base=rng.choice([None, *PenaltyBase]),
        charge_grace_days=rng.choice([None, True, False]),
        extra_fee=rng.choice([D("0.00"), D("0.00"), D("18.50")]),
    )
    return debt, start


def _needs_contract(debt: OverdueDebt) -> bool:
    try:
        Walker(debt)
    except InputError:  # a preset that needs a contract rate not given
        return True
    return False


def _compare(debt: OverdueDebt, start: date, steps: list[tuple[int, Decimal | None]]) -> bool:
    """Walk ``debt`` both ways; True when the integer walk covered it."""
    fen = FenWalker.of(debt, start)
    if fen is None:
        return False
    walker = Walker(debt)
    payments = list(debt.payments)
    when = start
    for gap, amount in steps:
        bill = walker.bill_forward(payments, when)
        got = fen.advance(when)
        assert got is not None
        expected = tuple(int(v.scaleb(2)) for v in (
            bill.principal, bill.interest, bill.penalty, bill.fees, bill.not_yet_due))
        assert got == expected, (debt, start, when, payments)
        if amount is not None:
            payments.append(Payment(when, amount))
            fen.pay(int(amount.scaleb(2)))
        when += timedelta(days=gap)
    return True


def _steps(rng: random.Random) -> list[tuple[int, Decimal | None]]:
    monthly = rng.random() < 0.6
    return [(rng.choice([28, 29, 30, 31]) if monthly else rng.randint(1, 62),
             None if rng.random() < 0.3 else _amount(rng, high=rng.choice([2000, 300_000])))
            for _ in range(rng.randint(1, 14))]


def test_ten_thousand_random_debts_bill_the_same_both_ways() -> None:
    rng = random.Random(20261207)
    covered = 0
    tried = 0
    while tried < 10_000:
        debt, start = random_debt(rng)
        if _needs_contract(debt):
            continue
        tried += 1
        covered += _compare(debt, start, _steps(rng))
    assert covered == tried  # every one of these is the integer walk's


amounts = st.integers(min_value=1, max_value=5_000_000).map(lambda fen: D(fen) / 100)


@st.composite
def debts(draw: st.DrawFn) -> tuple[OverdueDebt, date]:
    seed = draw(st.integers(0, 2**32))
    debt, start = random_debt(random.Random(seed))
    return debt, start


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=debts(),
       steps=st.lists(st.tuples(st.integers(1, 62), st.one_of(st.none(), amounts)),
                      min_size=1, max_size=14))
def test_the_integer_walk_equals_the_walker(case: tuple[OverdueDebt, date],
                                            steps: list[tuple[int, Decimal | None]]) -> None:
    debt, start = case
    if not _needs_contract(debt):
        assert _compare(debt, start, steps)


def test_what_the_integer_walk_leaves_to_the_walker() -> None:
    """Installments falling due later, a card's interest from its posting date, a first
    date before the due date, a payment on or after the first date: ``None``. A rate of
    more than 18 places is walked with charges rounded to 34 digits."""
    preset = next(p for p in PRESETS if p.id == "huabei")
    due = date(2025, 3, 10)
    debt = OverdueDebt(preset, D("1000.00"), due)
    assert FenWalker.of(debt, date(2025, 4, 10)) is not None
    assert FenWalker.of(debt, due) is not None  # due on the first date
    assert FenWalker.of(debt, due - timedelta(days=1)) is None
    later = OverdueDebt(preset, D("1000.00"), due, not_yet_due_principal=D("500.00"),
                        later=(LaterInstallment(date(2025, 4, 10), D("500.00")),))
    assert FenWalker.of(later, date(2025, 4, 10)) is None
    card = OverdueDebt(preset, D("1000.00"), due, interest_from=date(2025, 2, 1))
    assert FenWalker.of(card, date(2025, 4, 10)) is None
    paid = OverdueDebt(preset, D("1000.00"), due,
                       payments=(Payment(date(2025, 4, 10), D("10.00")),))
    assert FenWalker.of(paid, date(2025, 4, 10)) is None
    assert FenWalker.of(paid, date(2025, 4, 11)) is not None
    odd = OverdueDebt(preset, D("1000.00"), due, penalty_daily_rate=D("0.5") / 3)
    assert type(FenWalker.of(odd, date(2025, 4, 10))).__name__ == "_Digits34"
    tiny = OverdueDebt(preset, D("1000.00"), due, penalty_daily_rate=D("1E-130"))
    assert FenWalker.of(tiny, date(2025, 4, 10)) is None  # more than 120 places


def test_a_debt_due_on_the_first_date_then_paid_each_month() -> None:
    """A debt due on the plan's first date (its first bill on the due date itself, the
    payment of that day within the grace days), on every preset: the Walker's bills."""
    rng = random.Random(16)
    for preset in PRESETS:
        debt = OverdueDebt(preset, D("2400.00"), date(2026, 1, 31),
                           contract_daily_rate=rng.choice(CONTRACT[1:]))
        if _needs_contract(debt):
            continue
        steps: list[tuple[int, Decimal | None]] = [
            (rng.choice([28, 30, 31]), rng.choice([None, D("100.00"), D("0.01")]))
            for _ in range(13)]
        assert _compare(debt, debt.due_date, steps)


def test_a_card_a_year_unpaid_then_paid_off() -> None:
    """¥10,000 on the card preset (compounding, grace days, a late fee each statement),
    nothing paid for a year, then ¥2,000 a month: the integer bills are the Walker's."""
    card = next(p for p in PRESETS if p.id == "credit_card_cn")
    debt = OverdueDebt(card, D("10000.00"), date(2025, 1, 31))
    steps: list[tuple[int, Decimal | None]] = [(30, None)] * 12 + [(31, D("2000.00"))] * 10
    assert _compare(debt, date(2025, 2, 28), steps)


def test_a_rate_of_more_than_34_digits_is_taken_whole() -> None:
    """A daily rate typed with 41 digits: the integer walk takes the rate's own digits, as
    the Walker multiplies by the exact rate, whatever the caller's Decimal context (28
    digits by default, which made the penalty 5,104.25 instead of 5,104.26 a year on)."""
    generic = next(p for p in PRESETS if p.id == "generic_loan")
    debt = OverdueDebt(generic, D("20306.41"), date(2026, 5, 7), interest=D("12.34"),
                       fees=D("5.00"), not_yet_due_principal=D("3000.00"),
                       contract_daily_rate=D("0.0004"),
                       penalty_daily_rate=D("0.00073972602739726027397260273972602739726"),
                       compounding=False, charge_grace_days=False, extra_fee=D("18.50"))
    steps: list[tuple[int, Decimal | None]] = [(365, D("2263.78")), (31, D("456.67"))]
    assert _compare(debt, date(2026, 7, 1), steps)
    walker = FenWalker.of(debt, date(2026, 7, 1))
    assert walker is not None
    walker.advance(date(2026, 7, 1))
    walker.pay(226378)
    assert walker.advance(date(2027, 7, 1)) == (1890463, 0, 510426, 0, 300000)


def test_more_than_a_hundred_years_is_left_to_the_walker() -> None:
    """The Walker refuses a date more than 100 years after the due date; the integer walk
    hands such a date over (``None``) so that the plan says the same."""
    preset = next(p for p in PRESETS if p.id == "huabei")
    debt = OverdueDebt(preset, D("1000.00"), date(1925, 3, 10))
    walker = FenWalker.of(debt, date(1925, 4, 10))
    assert walker is not None
    assert walker.advance(date(2025, 3, 9)) is not None
    assert walker.advance(date(2025, 3, 10)) is None


def _units(value: Decimal, places: int = 80) -> int:
    import decimal

    scaled = value.scaleb(places, context=decimal.Context(prec=300, traps=[decimal.Rounded]))
    assert scaled == scaled.to_integral_value()
    return int(scaled)


def test_the_34_digit_sums_on_integers_equal_the_decimal_day_loop() -> None:
    """``_added34`` (integers in units of 10^-80 yuan) equals adding the charge day by day
    in the engine's 34-digit context, on the seeded random totals and charges of the
    Decimal step's own test (34-digit quotients, charges to the fen, charges half way at
    some digit), and ``_round34`` equals the context's rounding."""
    from test_accrual_added_days import _by_day, _charge
    from xieshang.engine.accrual import _CONTEXT
    from xieshang.engine.accrual_fen import _added34, _digits, _round34

    rng = random.Random(1634)
    for _ in range(3000):
        charge = _charge(rng)
        total = rng.choice([D(0), D(rng.randint(0, 10**9)) / 100,
                            _CONTEXT.multiply(D(rng.randint(1, 500)), charge)])
        days = rng.choice([1, 2, rng.randint(1, 40), rng.randint(1, 1500)])
        assert _added34(_units(total), _units(charge), days) == _units(
            _by_day(total, charge, days)), (total, charge, days)
    for _ in range(3000):
        value = rng.randint(1, 10 ** rng.randint(1, 120))
        assert _round34(value) == int(_CONTEXT.plus(D(value)))
        assert _digits(value) == len(str(value))
    for power in range(1, 300):  # the digit counts at every boundary
        for value in (10**power - 1, 10**power, 10**power + 1, 2**power, 2**power - 1):
            assert _digits(value) == len(str(value))
