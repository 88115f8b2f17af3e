"""Issue 16: the ladder's faster paths give the old figures, to the fen and to the
representation (property tests against the old algorithms, kept here).

* the regular payment taken from a majority of one amount, against counting every amount;
* an evaluation's record filled directly, against the dataclass built field by field;
* a rung's proposal filled directly (with a deferral too), against the ``Proposal(...)`` and
  ``replace(...)`` the planner built before;
* the search's bounds: a term skipped because what it repays (and a fixed fee) spread over
  its payments is above the cap never fits the cap; the longest term is not tried when what
  is owed spread over it is above the hard cap;
* the whole ladder (the shared answers by cost, amount owed and term, the bounds) against
  the planner of the previous version (every bound but the plain rescheduled ÷ cap off,
  answers remembered by rule), rung for rung, reason for reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from test_case_perf import DATA, PRESETS, TODAY
from xieshang.engine import negotiation
from xieshang.engine.arrangements import (
    Evaluation,
    Kind,
    Method,
    Proposal,
    _regular,
    _result,
    _sum_and_max,
    evaluate,
)
from xieshang.engine.bill import Bill
from xieshang.engine.errors import InputError
from xieshang.engine.money import CONTEXT, Rounding
from xieshang.engine.negotiation import Cost, RungRule, build_ladder
from xieshang.engine.preset import Preset
from xieshang.engine.schedules import MAX_PERIODS, interest_free_max_payment

M = Decimal
RULES = (DATA.ladder.ask, DATA.ladder.fallback, DATA.ladder.walk_away,
         replace(DATA.ladder.walk_away, cost=Cost.NONE),
         replace(DATA.ladder.ask, cost=Cost.PRODUCT))

cents = st.integers


# ------------------------------------------------------------------ the old algorithms


def _old_regular(payments: list[Decimal]) -> Decimal:
    counts = Counter(payments)
    return max(counts, key=lambda payment: (counts[payment], payment))


def _old_result(bill: Bill, proposal: Proposal, schedule: Any, waived: Decimal,
                rescheduled: Decimal, down: Decimal, today: date, warnings: list[str], *,
                ask: bool) -> Evaluation:
    payments = [row.payment for row in schedule.rows]
    total_paid = down + sum(payments, M("0.00"))
    dues = [row.due if row.due is not None else today for row in schedule.rows]
    return Evaluation(
        proposal=proposal, schedule=schedule, waived=waived, rescheduled=rescheduled,
        down_payment=down, total_paid=total_paid, cost_over_principal=total_paid - bill.principal,
        monthly_amount=_old_regular(payments), max_payment=max(payments),
        flows=(-rescheduled, *payments), dates=(today, *dues), warnings=tuple(warnings),
        ask=ask)


def _old_proposal(self: Any, rule: RungRule, periods: int) -> Proposal:
    """``_Planner.proposal`` as it was (and the deferral's ``replace`` of ``_evaluate``)."""
    kind = Kind.PERSONALISED if self.personalised else Kind.INSTALLMENTS
    waivers: dict[str, Any] = {"waive_penalty": rule.waive_penalty,
                               "waive_fees": rule.waive_fees}
    if rule.cost is Cost.NONE:
        rate = None if kind is Kind.PERSONALISED else M(0)
        proposal = Proposal(kind, periods=periods, annual_rate=rate, **waivers)
    else:
        fee = self.preset.installments.total_rate(periods)
        daily = self.preset.contract_daily_rate
        if fee is not None:
            proposal = Proposal(kind, periods=periods, total_fee_rate=fee, **waivers)
        elif daily is None:
            return _old_proposal(self, replace(rule, cost=Cost.NONE), periods)
        else:
            annual = CONTEXT.multiply(daily, self.preset.day_basis.days)
            proposal = Proposal(kind, periods=periods, annual_rate=annual,
                                method=Method.ANNUITY, **waivers)
    return proposal


def _old_deferred(self: Any, rule: RungRule, periods: int) -> Proposal:
    proposal = _old_proposal(self, rule, periods)
    if self.deferral:
        proposal = replace(proposal, kind=Kind.DEFERRAL, deferral_months=self.deferral,
                           annual_rate=proposal.annual_rate
                           if proposal.annual_rate is not None
                           or proposal.monthly_fee_rate is not None
                           or proposal.total_fee_rate is not None else M(0))
    return proposal


def _old_shortest(self: Any, rule: RungRule, *, soft: Decimal, hard: Decimal,
                  min_periods: int = 1) -> tuple[Evaluation, bool] | None:
    """``_Planner.shortest`` of the previous version: terms below rescheduled ÷ soft
    skipped one by one, every other term tried by its largest payment, the longest always
    tried against the hard cap."""
    terms = self.terms(rule)
    longer = [periods for periods in terms if periods >= min_periods]
    if longer and len(longer) < len(terms):
        terms = longer
    owed = self.owed(rule)
    if not terms or owed <= 0:
        return None
    if soft > 0:
        lower = CONTEXT.divide(owed, soft)
        for periods in terms:
            if periods < lower:
                continue
            if self.max_payment(rule, periods) <= soft:
                return self.evaluate(rule, periods), True
    if self.max_payment(rule, terms[-1]) <= hard:
        return self.evaluate(rule, terms[-1]), False
    return None


@contextmanager
def _old_planner() -> Iterator[None]:
    """The planner of the previous version: its search, each largest payment remembered by
    rule and term (not shared by cost and amount owed), proposals built field by field."""
    planner: Any = negotiation._Planner
    saved = (planner.shortest, planner.max_payment, planner._proposal)
    largest: dict[tuple[int, int, int], Decimal] = {}

    def max_payment(self: Any, rule: RungRule, periods: int) -> Decimal:
        key = (id(self), id(rule), periods)
        if key not in largest:
            largest[key] = self._max_payment(rule, periods)
        return largest[key]

    planner.shortest = _old_shortest
    planner.max_payment = max_payment
    planner._proposal = lambda self, rule, periods, deferral: _old_deferred(self, rule, periods)
    try:
        yield
    finally:
        planner.shortest, planner.max_payment, planner._proposal = saved


@st.composite
def _ladder_cases(draw: st.DrawFn) -> tuple[Bill, Preset, Decimal, int]:
    bill = Bill(as_of=TODAY, principal=M(draw(cents(1, 20_000_000))) / 100,
                interest=M(draw(cents(0, 50_000))) / 100,
                penalty=M(draw(cents(0, 100_000))) / 100,
                fees=M(draw(cents(0, 20_000))) / 100)
    preset = draw(st.sampled_from(PRESETS))
    affordable = M(draw(st.one_of(cents(0, 800_000), cents(0, 20_000)))) / 100
    return bill, preset, affordable, draw(st.sampled_from([0, 0, 1, 3]))


# ------------------------------------------------------------------------- the figures


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([M("1.00"), M("1.0"), M("2.50"), M("2.5"), M("0.00"),
                                 M("3.00")]), min_size=1, max_size=12),
       st.sampled_from([M("7.77"), M("7.770"), M("7.7700")]), st.integers(0, 60),
       st.integers(0, 60))
def test_regular_payment_of_a_run_is_the_counted_one(payments: list[Decimal], run: Decimal,
                                                     before: int, after: int) -> None:
    """A long run of one amount (as written in different ways) among other payments: the
    same object as counting every amount gives."""
    mixed = payments[:before % (len(payments) + 1)] + [run] * (before + after) \
        + payments[before % (len(payments) + 1):]
    assert _regular(mixed) is _old_regular(mixed)
    assert _regular(payments) is _old_regular(payments)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([M("1.00"), M("1.0"), M("2.50"), M("2.5"),
                                           M("0.00"), M("-0.00"), M("3.001"),
                                           M("123456789012.34")]),
                          st.integers(1, 40), st.booleans()), min_size=1, max_size=6))
def test_sum_and_largest_by_runs_are_sum_and_max(runs: list[tuple[Decimal, int, bool]]
                                                 ) -> None:
    """Runs of one object (and of equal amounts written alike, as separate objects): the
    same total, to the exponent, and the same object as ``max``."""
    payments = []
    for amount, count, same in runs:
        payments += [amount] * count if same else [M(str(amount)) for _ in range(count)]
    total, largest = _sum_and_max(payments)
    assert repr(total) == repr(sum(payments, M("0.00")))
    assert largest is max(payments)


@settings(max_examples=200, deadline=None)
@given(_ladder_cases(), st.integers(1, 80), st.sampled_from(RULES))
def test_an_evaluation_and_its_proposal_are_the_old_ones(
        case: tuple[Bill, Preset, Decimal, int], periods: int, rule: RungRule) -> None:
    """A rung's proposal (filled directly) and its evaluation (the record filled directly,
    the regular payment from a majority) are those built field by field."""
    bill, preset, _affordable, deferral = case
    planner: Any = negotiation._Planner(bill, preset, TODAY, 80, deferral)
    proposal = planner._proposal(rule, periods, deferral)
    old = _old_deferred(planner, rule, periods)
    assert repr(proposal) == repr(old)
    assert repr(planner.proposal(rule, periods)) == repr(_old_proposal(planner, rule, periods))
    try:
        found = evaluate(bill, preset, proposal, today=TODAY)
    except InputError:
        return  # the same proposal as before (above): the same refusal
    again = _old_result(bill, found.proposal, found.schedule, found.waived, found.rescheduled,
                        found.down_payment, TODAY, list(found.warnings), ask=found.ask)
    assert repr(found) == repr(again)
    assert found == again
    assert repr(_result(bill, found.proposal, found.schedule, found.waived, found.rescheduled,
                        found.down_payment, TODAY, list(found.warnings),
                        ask=found.ask)) == repr(again)


@settings(max_examples=600, deadline=None)
@given(st.one_of(cents(1, 10_000), cents(1, 10**14)).map(lambda fen: M(fen) / 100),
       st.one_of(st.integers(1, 60), st.integers(1, MAX_PERIODS)),
       st.sampled_from(list(Rounding)), st.booleans())
def test_an_interest_free_splits_largest_payment_in_fen_is_the_schedules(
        owed: Decimal, periods: int, mode: Rounding, half: bool) -> None:
    """The largest payment of an interest-free split worked out in integer fen: the same
    amount and representation as the schedules' closed form (amounts of a few fen a period,
    and amounts on a rounding boundary, included)."""
    if half:  # whole fen a period and half the periods over: (for an even term) a share
        # exactly on a half-fen boundary
        owed = M(periods * (int(owed) + 1) + periods // 2) / 100
    expected = interest_free_max_payment(owed, periods, rounding=mode)
    assert repr(negotiation._split_largest(owed, periods, mode)) == repr(expected)


@settings(max_examples=300, deadline=None)
@given(_ladder_cases(), st.integers(1, 80), st.sampled_from(RULES),
       cents(1, 5_000_000).map(lambda fen: M(fen) / 100),
       st.sampled_from([M(1), M("0.9"), M("0.85"), M("0.7")]))
def test_a_term_the_bounds_skip_never_fits(case: tuple[Bill, Preset, Decimal, int],
                                           periods: int, rule: RungRule, cap: Decimal,
                                           fraction: Decimal) -> None:
    """A term skipped by a bound (what it repays, with a fixed fee, over its payments above
    the cap) pays more than the cap at least once."""
    bill, preset, _affordable, deferral = case
    cap = CONTEXT.multiply(cap, fraction)
    planner: Any = negotiation._Planner(bill, preset, TODAY, 80, deferral)
    owed = planner.owed(rule)
    if owed <= 0 or periods > MAX_PERIODS:
        return
    try:
        largest = planner._evaluate(rule, periods).max_payment
    except InputError:
        return
    if CONTEXT.multiply(cap, periods) < owed:  # the hard cap's bound, and ⌈owed ÷ cap⌉
        assert largest > cap
    if rule.cost is Cost.PRODUCT and planner._fee_above(owed, periods, cap):
        assert largest > cap


@settings(max_examples=300, deadline=None)
@given(_ladder_cases(), st.sampled_from([None, M("3000.00")]))
def test_the_ladder_is_the_previous_planners(case: tuple[Bill, Preset, Decimal, int],
                                             income: Decimal | None) -> None:
    """Every rung, schedule, reason and figure is the one the previous planner finds."""
    bill, preset, affordable, deferral = case

    def ladder() -> Any:
        try:
            return build_ladder(bill, preset, affordable, today=TODAY, settings=DATA,
                                income=income, deferral_months=deferral)
        except InputError as error:
            return ("refused", error.field, error.message)

    new = ladder()
    with _old_planner():
        old = ladder()
    assert repr(new) == repr(old)


def test_a_fixed_fee_bound_by_hand() -> None:
    """15,000 owed at a card's 0.66 % a month: over 24 months the fee is 2,376.00, so the
    24 payments average 724.00 (at least 723.99916… whatever the rounding) — a cap of 723.99
    is surely exceeded, 724.00 is not."""
    card = next(preset for preset in PRESETS if preset.id == "credit_card_cn")
    assert card.installments.monthly_fee_rate == M("0.0066")
    bill = Bill(as_of=TODAY, principal=M("15000.00"), interest=M("0.00"), penalty=M("0.00"),
                fees=M("0.00"))
    planner: Any = negotiation._Planner(bill, card, TODAY, 60)
    assert planner._fee_above(M("15000.00"), 24, M("723.99"))
    assert not planner._fee_above(M("15000.00"), 24, M("724.00"))
    assert planner._evaluate(DATA.ladder.walk_away, 24).max_payment == M("724.00")
