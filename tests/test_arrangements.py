"""Tests of xieshang.engine.arrangements: worked cases with real numbers and invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.arrangements import (
    ASK,
    DEFERRAL_COST_UNKNOWN,
    DEFERRAL_LONGER,
    NOT_LISTED,
    SETTLEMENT_NOT_BELOW,
    TERM_ABOVE_MAX,
    Evaluation,
    Kind,
    Proposal,
    evaluate,
    standard_options,
)
from xieshang.engine.bill import Bill
from xieshang.engine.errors import InputError
from xieshang.engine.preset import Negotiation, Preset, parse_preset
from xieshang.engine.schedules import Method
from xieshang.rules import builtin_text, load_presets

M = Decimal
TODAY = date(2026, 3, 10)


def _preset(name: str) -> Preset:
    return parse_preset(builtin_text(f"{name}.toml"), f"presets/{name}.toml")


HUABEI = _preset("huabei")  # fee table 3/6/9/12 = 2.5/4.5/6.5/8.8 % (rules-cn.md §1.6 [S])
CARD = _preset("credit_card_cn")  # personalised up to 60 months (rules-cn.md §3.6 [S])


def _bill(principal: str, interest: str = "0", penalty: str = "0", fees: str = "0") -> Bill:
    return Bill(as_of=TODAY, principal=M(principal), interest=M(interest), penalty=M(penalty),
                fees=M(fees))


def _npv(evaluation: Evaluation, monthly: Decimal) -> Decimal:
    flows = evaluation.monthly_flows
    assert flows is not None
    return sum((flow / (1 + monthly) ** k for k, flow in enumerate(flows)), M(0))


# --------------------------------------------------------------------------- worked cases


def test_huabei_2000_in_6_installments_at_4_5_percent() -> None:
    # H8 of rules-cn.md §9.1: fee/period = 2000×4.5%/6 = 15 (http://f8195.cn/b/321664.html [S]);
    # principal 2000/6 = 333.33, residue 0.02 in the last period (preset: residue = last).
    result = evaluate(_bill("2000"), HUABEI, Proposal(Kind.INSTALLMENTS, periods=6), today=TODAY)
    payments = [row.payment for row in result.schedule.rows]
    assert payments == [M("348.33")] * 5 + [M("348.35")]
    assert result.total_paid == M("2090.00")
    assert result.cost_over_principal == M("90.00")
    assert result.monthly_amount == M("348.33")
    assert result.max_payment == M("348.35")
    assert result.waived == M("0")
    assert result.rescheduled == M("2000.00")
    assert result.dates == (TODAY, date(2026, 4, 10), date(2026, 5, 10), date(2026, 6, 10),
                            date(2026, 7, 10), date(2026, 8, 10), date(2026, 9, 10))
    assert result.flows == (M("-2000.00"), *payments)
    assert result.warnings == ()
    assert not result.ask
    # The IRR-method APR (rules-cn.md §4.5): far above the 4.5 % headline.
    assert result.apr_nominal is not None
    assert result.apr_effective is not None
    assert result.apr_nominal.quantize(M("0.0001")) == M("0.1527")
    assert abs(_npv(result, result.apr_nominal / 12)) < M("0.000001")
    assert result.apr_effective == ((1 + result.apr_nominal / 12) ** 12 - 1).quantize(
        M("1e-12"))


def test_pay_now_is_the_whole_bill_today() -> None:
    bill = _bill("10000", interest="100", penalty="50", fees="20")
    result = evaluate(bill, HUABEI, Proposal(Kind.PAY_NOW), today=TODAY)
    assert result.total_paid == M("10170.00")
    assert result.cost_over_principal == M("170.00")
    assert result.schedule.rows[0].due == TODAY
    assert result.apr_nominal is None  # nothing is paid later than today
    assert result.warnings == ()


def test_deferral_without_interest() -> None:
    bill = _bill("10000", interest="100", penalty="50")
    result = evaluate(bill, HUABEI, Proposal(Kind.DEFERRAL, deferral_months=3), today=TODAY)
    assert [(row.due, row.payment) for row in result.schedule.rows] == [
        (date(2026, 6, 10), M("10150.00"))
    ]
    assert result.total_paid == M("10150.00")
    assert result.apr_nominal == 0
    assert result.warnings == (ASK, DEFERRAL_COST_UNKNOWN)
    assert result.ask


def test_deferral_with_interest() -> None:
    # 10,150 × 12 % ÷ 12 × 3 months = 304.50, paid with the deferred amount.
    bill = _bill("10000", interest="100", penalty="50")
    proposal = Proposal(Kind.DEFERRAL, deferral_months=3, interest_during_deferral=True,
                        annual_rate=M("0.12"))
    result = evaluate(bill, HUABEI, proposal, today=TODAY)
    row = result.schedule.rows[0]
    assert (row.due, row.interest, row.payment) == (date(2026, 6, 10), M("304.50"),
                                                    M("10454.50"))
    assert result.monthly_flows == (M("-10150.00"), M("0.00"), M("0.00"), M("10454.50"))
    # (10454.50 / 10150)^(1/3) − 1 = 0.990163… % a month.
    assert result.apr_nominal is not None
    assert result.apr_nominal.quantize(M("0.000001")) == M("0.118820")
    assert DEFERRAL_COST_UNKNOWN not in result.warnings


def test_deferral_then_installments() -> None:
    # 3,000 deferred 2 months at 12 % (60.00, paid with the first installment), then 3
    # equal-principal installments at 1 % a month, the first due 3 months from today.
    proposal = Proposal(Kind.DEFERRAL, deferral_months=2, periods=3,
                        interest_during_deferral=True, annual_rate=M("0.12"))
    result = evaluate(_bill("3000"), HUABEI, proposal, today=TODAY)
    assert [(row.due, row.interest, row.payment) for row in result.schedule.rows] == [
        (date(2026, 6, 10), M("90.00"), M("1090.00")),
        (date(2026, 7, 10), M("20.00"), M("1020.00")),
        (date(2026, 8, 10), M("10.00"), M("1010.00")),
    ]
    assert result.total_paid == M("3120.00")
    assert result.monthly_flows == (M("-3000.00"), M("0.00"), M("0.00"), M("1090.00"),
                                    M("1020.00"), M("1010.00"))


def test_waiver_reduces_the_total_by_exactly_the_waived_amount() -> None:
    bill = _bill("5000", interest="40", penalty="33.33", fees="50")
    full = evaluate(bill, HUABEI, Proposal(Kind.PAY_NOW), today=TODAY)
    waived = evaluate(bill, HUABEI, Proposal(Kind.PAY_NOW, waive_penalty=M("0.5"),
                                             waive_fees=M(1), waive_interest=M("0.25")),
                      today=TODAY)
    # 33.33 × 0.5 = 16.665 → 16.67 (preset rounding half-up); 50; 40 × 0.25 = 10.
    assert waived.waived == M("76.67")
    assert full.total_paid - waived.total_paid == M("76.67")
    assert waived.ask
    assert waived.warnings == (ASK,)


def test_waiver_with_installments_lowers_the_fee_base() -> None:
    bill = _bill("2000", penalty="30")
    plain = evaluate(bill, HUABEI, Proposal(Kind.INSTALLMENTS, periods=6), today=TODAY)
    waived = evaluate(bill, HUABEI, Proposal(Kind.INSTALLMENTS, periods=6, waive_penalty=M(1)),
                      today=TODAY)
    assert plain.rescheduled == M("2030.00")
    assert plain.schedule.total_fees == M("91.35")  # 2030 × 4.5 %
    assert waived.total_paid == M("2090.00")
    assert waived.ask  # the installment terms are published, the waiver is not


def test_settlement() -> None:
    bill = _bill("30000", interest="500", penalty="300", fees="50")
    result = evaluate(bill, CARD, Proposal(Kind.SETTLEMENT, settlement_amount=M("20000")),
                      today=TODAY)
    assert result.total_paid == M("20000.00")
    assert result.waived == M("10850.00")
    assert result.cost_over_principal == M("-10000.00")
    assert result.schedule.rows[0].due == TODAY
    assert result.warnings == (ASK,)


def test_settlement_on_a_later_day_has_no_monthly_apr() -> None:
    bill = _bill("1000")
    result = evaluate(bill, CARD, Proposal(Kind.SETTLEMENT, settlement_amount=M("1200"),
                                           pay_on=date(2026, 3, 25)), today=TODAY)
    assert result.dates == (TODAY, date(2026, 3, 25))
    assert result.monthly_flows is None
    assert result.apr_nominal is None
    assert SETTLEMENT_NOT_BELOW in result.warnings
    assert result.waived == M("0")


def test_combination_waiver_down_payment_deferral_installments() -> None:
    # Owed 30,850; penalty 300 waived; 2,550 paid today; 28,000 in 24 fee-based periods at
    # 0.66 %/month after a 1-month deferral without interest.
    bill = _bill("30000", interest="500", penalty="300", fees="50")
    proposal = Proposal(Kind.PERSONALISED, periods=24, deferral_months=1,
                        monthly_fee_rate=M("0.0066"), waive_penalty=M(1),
                        down_payment=M("2550"))
    result = evaluate(bill, CARD, proposal, today=TODAY)
    assert result.waived == M("300.00")
    assert result.rescheduled == M("28000.00")
    assert result.schedule.rows[0].due == date(2026, 5, 10)
    assert result.schedule.rows[-1].due == date(2028, 4, 10)
    # 28,000 / 24 = 1,166.666… → 1,166.67; fee 28,000 × 0.66 % = 184.80.
    assert result.monthly_amount == M("1351.47")
    assert result.schedule.total_fees == M("4435.20")
    assert result.total_paid == M("2550.00") + M("28000.00") + M("4435.20")
    assert result.total_paid == bill.total - result.waived + result.schedule.total_cost
    assert result.warnings == (ASK, DEFERRAL_COST_UNKNOWN)
    assert result.monthly_flows is not None
    assert result.monthly_flows[1] == 0


def test_rate_based_installments_use_the_method() -> None:
    # 12,000 at 12 % a year over 12 months, annuity: the textbook payment 1,066.19.
    proposal = Proposal(Kind.PERSONALISED, periods=12, annual_rate=M("0.12"),
                        method=Method.ANNUITY)
    result = evaluate(_bill("12000"), CARD, proposal, today=TODAY)
    assert result.monthly_amount == M("1066.19")
    assert result.apr_nominal is not None
    assert abs(result.apr_nominal - M("0.12")) < M("0.0001")


def test_personalised_without_rate_is_interest_free() -> None:
    result = evaluate(_bill("6000"), CARD, Proposal(Kind.PERSONALISED, periods=60), today=TODAY)
    assert result.monthly_amount == M("100.00")
    assert result.total_paid == M("6000.00")
    assert result.apr_nominal == 0


# ---------------------------------------------------------------------------- warnings


def test_personalised_on_a_product_that_does_not_list_it() -> None:
    # Huabei states no maximum term, so a long term is allowed, with the warnings.
    result = evaluate(_bill("2000"), HUABEI, Proposal(Kind.PERSONALISED, periods=72),
                      today=TODAY)
    assert result.warnings == (ASK, NOT_LISTED)


def test_installments_above_the_maximum_warn() -> None:
    proposal = Proposal(Kind.INSTALLMENTS, periods=72, monthly_fee_rate=M("0.0066"))
    result = evaluate(_bill("36000"), CARD, proposal, today=TODAY)
    assert TERM_ABOVE_MAX in result.warnings


def test_deferral_longer_than_the_preset_warns() -> None:
    preset = replace(HUABEI, negotiation=Negotiation(deferral_months=1))
    result = evaluate(_bill("2000"), preset, Proposal(Kind.DEFERRAL, deferral_months=2),
                      today=TODAY)
    assert DEFERRAL_LONGER in result.warnings


# -------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("proposal", "field"),
    [
        (Proposal(Kind.INSTALLMENTS), "periods"),
        (Proposal(Kind.INSTALLMENTS, periods=5), "periods"),  # not in Huabei's fee table
        (Proposal(Kind.PERSONALISED, periods=0), "periods"),
        (Proposal(Kind.PAY_NOW, periods=3), "periods"),
        (Proposal(Kind.DEFERRAL), "deferral_months"),
        (Proposal(Kind.PAY_NOW, waive_penalty=M("1.5")), "waive_penalty"),
        (Proposal(Kind.PAY_NOW, waive_fees=M("-0.1")), "waive_fees"),
        (Proposal(Kind.PAY_NOW, waive_interest=M(2)), "waive_interest"),
        (Proposal(Kind.SETTLEMENT), "settlement_amount"),
        (Proposal(Kind.SETTLEMENT, settlement_amount=M(0)), "settlement_amount"),
        (Proposal(Kind.SETTLEMENT, settlement_amount=M(5), pay_on=date(2026, 3, 9)), "pay_on"),
        (Proposal(Kind.SETTLEMENT, settlement_amount=M(5), waive_penalty=M(1)), "waive_penalty"),
        (Proposal(Kind.INSTALLMENTS, periods=3, settlement_amount=M(5)), "settlement_amount"),
        (Proposal(Kind.INSTALLMENTS, periods=3, down_payment=M("2000")), "down_payment"),
        (Proposal(Kind.INSTALLMENTS, periods=3, down_payment=M("-1")), "down_payment"),
        (Proposal(Kind.INSTALLMENTS, periods=3, annual_rate=M("0.1"),
                  total_fee_rate=M("0.02")), "annual_rate"),
        (Proposal(Kind.DEFERRAL, deferral_months=1, interest_during_deferral=True),
         "annual_rate"),
        (Proposal(Kind.INSTALLMENTS, periods=3, annual_rate=M("-0.1")), "annual_rate"),
        (Proposal(Kind.PERSONALISED, periods=601), "periods"),
        (Proposal(Kind.INSTALLMENTS, periods=3, total_fee_rate=M("0.02"), annual_rate=M("0.1"),
                  interest_during_deferral=True), "interest_during_deferral"),
    ],
)
def test_bad_proposals_name_the_field(proposal: Proposal, field: str) -> None:
    with pytest.raises(InputError) as caught:
        evaluate(_bill("2000"), HUABEI, proposal, today=TODAY)
    assert caught.value.field == field


def test_personalised_above_the_stated_maximum_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        evaluate(_bill("2000"), CARD, Proposal(Kind.PERSONALISED, periods=61), today=TODAY)
    assert caught.value.field == "periods"
    assert "60" in str(caught.value)


# -------------------------------------------------------------------- standard options


def test_standard_options_for_huabei() -> None:
    options = standard_options(_bill("2000", penalty="30"), HUABEI, today=TODAY)
    assert [(o.proposal.kind, o.proposal.periods) for o in options] == [
        (Kind.PAY_NOW, 0), (Kind.PAY_NOW, 0), (Kind.INSTALLMENTS, 3), (Kind.INSTALLMENTS, 6),
        (Kind.INSTALLMENTS, 9), (Kind.INSTALLMENTS, 12),
    ]
    # only the penalty waiver is an ask: Huabei lists no personalised plan or deferral
    assert [o.ask for o in options] == [False, True, False, False, False, False]
    assert options[1].total_paid == M("2000.00")
    assert options[3].schedule.total_fees == M("91.35")


def test_standard_options_ask_for_installments_where_none_are_published() -> None:
    jiebei = load_presets()["jiebei"]
    options = standard_options(_bill("1000", penalty="26.25"), jiebei, today=TODAY)
    asks = [o for o in options if o.proposal.kind is Kind.INSTALLMENTS]
    assert [o.proposal.periods for o in asks] == [6, 12]
    assert all(o.ask and o.waived == M("26.25") for o in asks)
    # the contract rate 0.05 %/day × 365 = 18.25 % a year
    assert asks[0].proposal.annual_rate == M("0.1825")


def test_standard_options_for_a_card_ask_for_personalised_terms() -> None:
    options = standard_options(_bill("30000", penalty="300"), CARD, today=TODAY)
    personalised = [o for o in options if o.proposal.kind is Kind.PERSONALISED]
    assert [o.proposal.periods for o in personalised] == [12, 24, 36, 60]
    assert all(o.ask and o.warnings[0] == ASK for o in personalised)
    assert all(o.waived == M("300.00") for o in personalised)
    assert personalised[-1].monthly_amount == M("500.00")


def test_standard_options_follow_the_preset_limits() -> None:
    preset = replace(CARD, negotiation=Negotiation(max_term_months=48,
                                                   personalised_installments=True,
                                                   deferral_months=1))
    options = standard_options(_bill("4800"), preset, today=TODAY)
    assert [o.proposal.periods for o in options if o.proposal.kind is Kind.PERSONALISED] == [
        12, 24, 36, 48
    ]
    assert options[-1].proposal.kind is Kind.DEFERRAL
    assert options[-1].schedule.rows[0].due == date(2026, 4, 10)


# ------------------------------------------------------------------------- properties

fen = st.integers(min_value=0, max_value=10**8).map(lambda n: M(n) / 100)
shares = st.integers(min_value=0, max_value=100).map(lambda n: M(n) / 100)


@st.composite
def plans(draw: st.DrawFn) -> Proposal:
    kind = draw(st.sampled_from([Kind.INSTALLMENTS, Kind.PERSONALISED, Kind.DEFERRAL]))
    periods = draw(st.sampled_from([3, 6, 9, 12])) if kind is Kind.INSTALLMENTS else draw(
        st.integers(min_value=0 if kind is Kind.DEFERRAL else 1, max_value=60))
    deferral = draw(st.integers(min_value=1 if kind is Kind.DEFERRAL else 0, max_value=6))
    rate = draw(st.sampled_from([None, M("0.036"), M("0.18")]))
    method = draw(st.sampled_from(list(Method)))
    return Proposal(kind, periods=periods, deferral_months=deferral, annual_rate=rate,
                    interest_during_deferral=rate is not None and deferral > 0
                    and draw(st.booleans()),
                    method=method)


@settings(max_examples=150, deadline=None)
@given(fen.filter(lambda p: p > 0), fen, fen, fen, plans(), shares, shares, shares)
def test_total_paid_is_rescheduled_plus_interest_and_fees(
    principal: Decimal, interest: Decimal, penalty: Decimal, fees: Decimal,
    proposal: Proposal, wp: Decimal, wf: Decimal, wi: Decimal,
) -> None:
    bill = Bill(TODAY, principal, interest, penalty, fees)
    proposal = replace(proposal, waive_penalty=wp, waive_fees=wf, waive_interest=wi)
    result = evaluate(bill, HUABEI, proposal, today=TODAY)
    schedule = result.schedule
    assert result.rescheduled == bill.total - result.waived - result.down_payment
    assert schedule.total_paid == result.rescheduled + schedule.total_interest + \
        schedule.total_fees
    assert result.total_paid == bill.total - result.waived + schedule.total_cost
    assert result.cost_over_principal == result.total_paid - principal
    assert sum(row.principal for row in schedule.rows) == result.rescheduled
    assert sum(result.flows) == schedule.total_cost
    assert result.monthly_amount in {row.payment for row in schedule.rows}


@settings(max_examples=150, deadline=None)
@given(fen.filter(lambda p: p > 0), fen, fen, fen, plans(), shares, shares, shares, shares)
def test_waiving_more_never_costs_more(
    principal: Decimal, interest: Decimal, penalty: Decimal, fees: Decimal,
    proposal: Proposal, low: Decimal, extra: Decimal, wf: Decimal, wi: Decimal,
) -> None:
    bill = Bill(TODAY, principal, interest, penalty, fees)
    high = min(low + extra, M(1))
    less = evaluate(bill, HUABEI, replace(proposal, waive_penalty=low, waive_fees=wf,
                                          waive_interest=wi), today=TODAY)
    more = evaluate(bill, HUABEI, replace(proposal, waive_penalty=high, waive_fees=wf,
                                          waive_interest=wi), today=TODAY)
    assert more.waived >= less.waived
    fee_based = proposal.kind is Kind.INSTALLMENTS and proposal.annual_rate is None
    if proposal.periods > 0 and not fee_based:
        # Interest schedules rounded to the fen every row are not monotone in the principal
        # (test_schedules.test_annuity_rounding_is_not_monotone_in_principal; equal principal
        # likewise when principal ÷ n crosses a half fen): a fen less can cost a few fen more
        # in total. At these rates (≤ 18 %) and terms (≤ 60) it stays under a fen a period.
        slack = M("0.01") * less.schedule.periods
        assert more.total_paid <= less.total_paid + slack
    else:  # lump sums and fee-based installments: exactly monotone
        assert more.total_paid <= less.total_paid
