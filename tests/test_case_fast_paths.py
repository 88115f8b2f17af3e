"""The faster paths of one case evaluated equal the exact slow paths (issues 16 and 17).

Each shortcut taken to make a batch case cheaper is checked against what it replaced, on
random inputs (derandomised):

* ``to_fen``'s one-step path (a Decimal worth a whole number of fen, scaled by 100 in a
  trapping context) against the checked path it skips (``money`` then × 100);
* a timeline made once with no horizon and cut at a horizon (``services.case_view``'s
  ``debt_timeline``, which the view, the risk flags and the plan share) against the engine's
  ``timeline`` made with that horizon; a timeline's bills each asked once against
  :func:`~xieshang.engine.accrual.bill_on` on every event's day (the days from today on
  walked forward by one :class:`~xieshang.engine.accrual.Walker`, today's bill given by the
  caller or not);
* schedules built with their due dates (``dues=``) against the same schedule built from
  ``start``; an arrangement's rows dated when built against the rule the old second pass
  applied (period ``k`` due ``add_months(today, deferral + k)``, the deferral's interest
  on the first payment).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_accrual_segments import debts
from xieshang.engine.accrual import OverdueDebt, bill_on
from xieshang.engine.arrangements import Kind, Method, Proposal, evaluate
from xieshang.engine.bill import Bill
from xieshang.engine.errors import InputError
from xieshang.engine.money import money, to_fen
from xieshang.engine.preset import Preset
from xieshang.engine.schedules import (
    add_months,
    annuity,
    equal_principal,
    fixed_fee_installment,
    interest_only,
)
from xieshang.engine.timeline import timeline
from xieshang.rules import law, load_presets
from xieshang.services import _memo
from xieshang.services.case_view import debt_timeline

PROFILE = settings(max_examples=150, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])
D = Decimal


def _reference_fen(value: Decimal) -> int:
    """``to_fen`` as it was: every value through ``money`` (the checks), then × 100."""
    exact = money(value)
    fen = int(exact * 100)
    if abs(fen) >= 2**63:
        raise InputError("amount", "too large")
    return fen


decimals = st.builds(lambda digits, exponent, sign: D(f"{sign}{digits}E{exponent}"),
                     st.integers(0, 10**22), st.integers(-8, 20), st.sampled_from(["", "-"]))


@PROFILE
@given(value=st.one_of(decimals, st.integers(-(10**14), 10**14).map(lambda f: D(f) / 100)))
def test_to_fen_one_step_equals_the_checked_path(value: Decimal) -> None:
    try:
        expected: int | None = _reference_fen(value)
    except InputError:
        expected = None
    if expected is None:
        with pytest.raises(InputError):
            to_fen(value)
    else:
        assert to_fen(value) == expected


def test_to_fen_by_hand() -> None:
    """1,234.56 yuan = 123,456 fen; 1,234.5600 too; −0.00 is 0; 12.345 has a third place
    (refused); 92,233,720,368,547,758.08 yuan is 2⁶³ fen (refused: a 64-bit column holds
    less), one fen less is accepted."""
    assert to_fen(D("1234.56")) == 123456
    assert to_fen(D("1234.5600")) == 123456
    assert to_fen(D("-0.00")) == 0
    with pytest.raises(InputError):
        to_fen(D("12.345"))
    with pytest.raises(InputError):
        to_fen(D("92233720368547758.08"))
    assert to_fen(D("92233720368547758.07")) == 2**63 - 1


@PROFILE
@given(debt=debts(), ahead=st.integers(0, 420), horizon=st.sampled_from([0, 30, 365, 3720]))
def test_the_shared_timeline_equals_the_engines(debt: OverdueDebt, ahead: int,
                                                horizon: int) -> None:
    day = debt.due_date + timedelta(days=ahead)
    expected = timeline(debt, day, law(), horizon_days=horizon)
    assert list(debt_timeline(debt, day, horizon)) == expected
    with _memo.reading():  # made once, cut twice
        assert list(debt_timeline(debt, day, 365)) == timeline(debt, day, law())
        assert list(debt_timeline(debt, day, horizon)) == expected


@PROFILE
@given(debt=debts(), ahead=st.integers(0, 420))
def test_a_timelines_amounts_are_the_bills_of_their_days(debt: OverdueDebt, ahead: int) -> None:
    day = debt.due_date + timedelta(days=ahead)
    found = timeline(debt, day, law())
    # given today's bill (the case view has it), the same timeline
    assert timeline(debt, day, law(), today=bill_on(debt, day)) == found
    for event in found:
        if event.amount_due is not None and event.on is not None:
            known = [p for p in debt.payments if p.on <= day]
            assert event.amount_due == bill_on(replace(debt, payments=tuple(known)),
                                               event.on).total


amounts = st.integers(100, 10_000_000).map(lambda fen: D(fen) / 100)
starts = st.integers(0, 2000).map(lambda n: date(2024, 1, 1) + timedelta(days=n))


@PROFILE
@given(principal=amounts, periods=st.integers(1, 60), start=starts,
       rate=st.sampled_from([D(0), D("0.005"), D("0.0152083333"), D("0.02")]),
       fee=st.sampled_from([D(0), D("0.045"), D("0.1315")]))
def test_schedules_with_due_dates_equal_schedules_from_a_start(
        principal: Decimal, periods: int, start: date, rate: Decimal, fee: Decimal) -> None:
    dues = tuple(add_months(start, k) for k in range(1, periods + 1))
    for build in (annuity, equal_principal, interest_only):
        assert build(principal, rate, periods, dues=dues) == build(principal, rate, periods,
                                                                   start=start)
    assert fixed_fee_installment(principal, periods, total_fee_rate=fee, dues=dues) == \
        fixed_fee_installment(principal, periods, total_fee_rate=fee, start=start)


PRESETS = sorted(load_presets().values(), key=lambda p: p.id)


@PROFILE
@given(preset=st.sampled_from(PRESETS), principal=amounts, today=starts,
       periods=st.integers(1, 60), deferral=st.integers(0, 6), token=st.booleans(),
       interest=st.booleans(), method=st.sampled_from(["annuity", "equal_principal"]),
       waive=st.sampled_from([D(0), D(1)]))
def test_arrangement_rows_are_dated_as_the_second_pass_dated_them(
        preset: Preset, principal: Decimal, today: date, periods: int, deferral: int,
        token: bool, interest: bool, method: str, waive: Decimal) -> None:
    bill = Bill(as_of=today, principal=principal, interest=D("12.34"), penalty=D("56.78"),
                fees=D("0.00"))
    kind = Kind.DEFERRAL if deferral else Kind.INSTALLMENTS
    proposal = Proposal(kind, periods=periods, deferral_months=deferral,
                        annual_rate=D("0.1825"), waive_penalty=waive,
                        interest_during_deferral=interest and deferral > 0,
                        token_payment=D("10.00") if token and deferral else D("0.00"),
                        method=Method(method))
    try:
        found = evaluate(bill, preset, proposal, today=today)
    except InputError:
        return
    rows = found.schedule.rows
    tokens = deferral if token and deferral else 0
    rate = D("0.1825") / 12
    build = annuity if method == "annuity" else equal_principal
    rest = found.rescheduled - D("10.00") * tokens
    undated = build(rest, rate, periods).rows
    assert len(rows) == tokens + len(undated)
    for index, row in enumerate(rows[tokens:]):
        plain = undated[index]
        assert row.period == plain.period + tokens
        assert row.due == add_months(today, deferral + plain.period)
        extra = row.payment - plain.payment
        assert extra == (0 if index else row.interest - plain.interest)
        assert (row.principal, row.fee, row.balance) == (plain.principal, plain.fee,
                                                          plain.balance)


def test_a_plans_payment_made_directly_is_a_payment() -> None:
    """The plan's payments of an overdue debt are made with their slots filled directly
    (``_ledger._payment``): the same record as ``Payment(...)``, equal and hashed alike."""
    from xieshang.engine.accrual import Payment
    from xieshang.engine.strategy._ledger import _payment

    made = _payment(date(2026, 12, 7), D("123.45"))
    assert type(made) is Payment
    assert made == Payment(date(2026, 12, 7), D("123.45"))
    assert hash(made) == hash(Payment(date(2026, 12, 7), D("123.45")))


def _shortest_before(self: Any, rule: Any, *, soft: Decimal, hard: Decimal,
                     min_periods: int = 1) -> Any:
    """``_Planner.shortest`` as it was: the longest term evaluated first, its
    ``rescheduled`` giving the bound (the reference of the test below)."""
    from xieshang.engine.negotiation import CONTEXT

    terms = self.terms(rule)
    longer = [periods for periods in terms if periods >= min_periods]
    if longer and len(longer) < len(terms):
        terms = longer
    if not terms or self.owed(rule) <= 0:
        return None
    longest = self.evaluate(rule, terms[-1])
    if soft > 0:
        lower = CONTEXT.divide(longest.rescheduled, soft)
        for periods in terms:
            if periods < lower:
                continue
            evaluation = longest if periods == terms[-1] else self.evaluate(rule, periods)
            if evaluation.max_payment <= soft:
                return evaluation, True
    if longest.max_payment <= hard:
        return longest, False
    return None


@PROFILE
@given(preset=st.sampled_from(PRESETS), principal=amounts, today=starts,
       interest=st.sampled_from([D("0.00"), D("12.34"), D("250.01")]),
       penalty=st.sampled_from([D("0.00"), D("56.78"), D("1234.56")]),
       fees=st.sampled_from([D("0.00"), D("5.00"), D("80.00")]),
       share=st.integers(0, 500_000).map(lambda fen: D(fen) / 100),
       income=st.sampled_from([None, D("3000.00"), D("12000.00")]),
       deferral=st.sampled_from([0, 0, 2]))
def test_the_ladder_evaluates_the_longest_term_only_when_needed(
        preset: Preset, principal: Decimal, today: date, interest: Decimal, penalty: Decimal,
        fees: Decimal, share: Decimal, income: Decimal | None, deferral: int) -> None:
    """The ladder searching each rung's shortest term with the bound taken from what the
    rung's waivers leave owed equals the ladder that evaluated the longest term first for
    it (the same rungs, terms and figures)."""
    from xieshang.engine import negotiation
    from xieshang.services.negotiation import negotiation_data

    bill = Bill(as_of=today, principal=principal, interest=interest, penalty=penalty,
                fees=fees)

    def ladder() -> Any:
        try:
            return negotiation.build_ladder(bill, preset, share, today=today, income=income,
                                            settings=negotiation_data(),
                                            deferral_months=deferral)
        except InputError as error:
            return ("refused", error.field, error.message)

    found = ladder()
    planner: Any = negotiation._Planner
    now = planner.shortest
    planner.shortest = _shortest_before
    try:
        expected = ladder()
    finally:
        planner.shortest = now
    assert found == expected
