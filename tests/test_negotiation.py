"""Tests of xieshang.engine.negotiation: the ladder, the counter-offer check, "they said no"
and the negotiation data file — worked cases with real numbers, invariants, honest words."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.bill import Bill
from xieshang.engine.errors import InputError, PresetError
from xieshang.engine.negotiation import (
    ART70_MAY,
    Cost,
    Ladder,
    LadderOutcome,
    Level,
    MoveKind,
    NegotiationData,
    Offer,
    Verdict,
    build_ladder,
    check_offer,
    materials_for,
    next_moves,
    parse_negotiation_data,
)
from xieshang.engine.preset import Confidence, Preset, ProductKind, parse_preset
from xieshang.engine.rates import annualised
from xieshang.engine.timeline import parse_law
from xieshang.rules import builtin_text

M = Decimal
TODAY = date(2026, 3, 10)
DATA_FILE = "_negotiation.toml"
DATA_TEXT = builtin_text(DATA_FILE)
DATA: NegotiationData = parse_negotiation_data(DATA_TEXT, f"presets/{DATA_FILE}")


def _preset(name: str) -> Preset:
    return parse_preset(builtin_text(f"{name}.toml"), f"presets/{name}.toml")


CARD = _preset("credit_card_cn")  # personalised installments up to 60 months, rules-cn.md §3.6 [S]
HUABEI = _preset("huabei")  # fee table 3/6/9/12 = 2.5/4.5/6.5/8.8 %, §1.6 [S]; no longest term
JIEBEI = _preset("jiebei")  # contract 0.05 %/day, §2 [S]


def _bill(principal: str, interest: str = "0", penalty: str = "0", fees: str = "0") -> Bill:
    return Bill(as_of=TODAY, principal=M(principal), interest=M(interest), penalty=M(penalty),
                fees=M(fees))


def _ladder(bill: Bill, preset: Preset, affordable: str, **kwargs: object) -> Ladder:
    return build_ladder(bill, preset, M(affordable), today=TODAY, settings=DATA,
                        **kwargs)  # type: ignore[arg-type]


def _summary(ladder: Ladder) -> list[tuple[str, int, str, str, str]]:
    """(level, periods, largest payment, regular payment, total paid) per rung."""
    result = []
    for rung in ladder.rungs:
        assert rung.evaluation is not None
        result.append((rung.level.value, rung.periods, str(rung.monthly),
                       str(rung.evaluation.monthly_amount), str(rung.evaluation.total_paid)))
    return result


# ----------------------------------------------------------------------------- the ladder


CARD_BILL = _bill("30000.00", penalty="300.00")


def test_card_30000_with_300_penalty_and_1000_a_month() -> None:
    # Walk-away: the card's installment fee (0.66 %/month, rules-cn.md §9.1 I1 [S]), no waiver:
    # 30300/T + 30300×0.0066 = 30300/T + 199.98 ≤ 1000 → T ≥ 37.9 → 38 months:
    # 797.37 + 199.98 = 997.35 (last 797.31 + 199.98); total fee 30300×0.0066×38 = 7599.24.
    # Fallback: penalty waived, no interest, at most 997.35 and no fewer months than the
    # walk-away (31 months would fit, but a lower rung never takes fewer months): T = 38:
    # 30000/38 = 789.47 (last 30000 − 37×789.47 = 789.61). Ask: also fees waived, at most
    # 0.80 × 789.61 = 631.69, at least 38 months: 30000/631.69 = 47.5 → T = 48: 625.00.
    ladder = _ladder(CARD_BILL, CARD, "1000.00", income=M("8000.00"))
    assert ladder.outcome is LadderOutcome.PLAN
    assert (ladder.max_term, ladder.max_term_assumed) == (60, False)
    assert _summary(ladder) == [
        ("ask", 48, "625.00", "625.00", "30000.00"),
        ("fallback", 38, "789.61", "789.47", "30000.00"),
        ("walk_away", 38, "997.35", "997.35", "37899.24"),
    ]
    ask, fallback, walk = ladder.rungs
    assert ask.evaluation is not None
    assert walk.evaluation is not None
    assert ask.evaluation.waived == M("300.00")
    assert walk.evaluation.waived == M("0.00")
    assert ask.evaluation.apr_nominal == 0
    assert walk.evaluation.schedule.total_fees == M("7599.24")
    flows = walk.evaluation.monthly_flows
    assert flows is not None
    assert walk.evaluation.apr_nominal == annualised(flows).nominal
    assert M("0.1435") < walk.evaluation.apr_nominal < M("0.1440")  # type: ignore[operator]
    codes = [reason.code for reason in walk.reasons]
    assert codes == ["SHARE_OF_AFFORDABLE", "SHARE_OF_INCOME", "SHORTEST_TERM",
                     "WITHIN_PUBLISHED_MAX", "ART70_MAY", "PRODUCT_COST", "WALK_AWAY_LIMIT",
                     "ART70_AGREEMENT"]
    share = walk.reasons[0]
    assert share.params == {"monthly": "¥997.35", "affordable": "¥1,000.00",
                            "percent": "99.7%"}
    assert walk.reasons[1].params == {"percent": "12.5%", "income": "¥8,000.00"}
    assert walk.reasons[3].ref == "§3.6, §3.7"
    assert walk.reasons[3].source is not None
    assert walk.reasons[3].source.confidence is Confidence.SECONDARY
    room = next(r for r in ask.reasons if r.code == "ROOM_TO_MOVE_UP")
    assert room.params == {"room": "¥164.61"}  # 789.61 − 625.00
    assert "WAIVER_ASK" in [r.code for r in fallback.reasons]


def test_huabei_bill_with_its_own_installment_as_walk_away() -> None:
    # 5,000 overdue 15 days at 0.05 %/day (rules-cn.md §1.2 [S]) = 75 penalty; 600 a month.
    # Walk-away: Huabei's listed installments (§1.6 [S]); 9 periods: 5075×1.065/9 = 600.54 >
    # 600, 12 periods: 422.92 + 37.22 = 460.14 — published terms, not an ask.
    # Fallback ≤ 460.14 over at least the walk-away's 12 months: 5000/12 = 416.67 (11
    # months, 454.55, would be shorter than the walk-away). Ask ≤ 0.8 × 416.67 = 333.34:
    # 15 months is 333.33 but its last payment 5000 − 14×333.33 = 333.38 is above it, so
    # 16: 312.50. No longest term is published: 36 months is the data's assumption.
    ladder = _ladder(_bill("5000.00", penalty="75.00"), HUABEI, "600.00")
    assert (ladder.max_term, ladder.max_term_assumed) == (36, True)
    assert _summary(ladder) == [
        ("ask", 16, "312.50", "312.50", "5000.00"),
        ("fallback", 12, "416.67", "416.67", "5000.00"),
        ("walk_away", 12, "460.14", "460.14", "5521.60"),
    ]
    walk = ladder.rungs[-1]
    assert walk.evaluation is not None
    assert not walk.evaluation.ask
    codes = [r.code for r in walk.reasons]
    assert "PUBLISHED_TERMS" in codes
    assert "MAX_TERM_ASSUMED" in codes
    assumed = next(r for r in walk.reasons if r.code == "MAX_TERM_ASSUMED")
    assert assumed.source is not None
    assert assumed.source.confidence is Confidence.COMPUTED
    assert "NOT_PUBLISHED" in [r.code for r in ladder.rungs[0].reasons]


def test_huabei_walk_away_concedes_only_what_it_must() -> None:
    # At 300 a month the listed 12-period installment (460.14) does not fit; no interest
    # without any waiver does: 5075/17 = 298.53. The fallback (penalty waived) keeps 17
    # months at 294.12; the ask ≤ 0.8 × 294.12 = 235.30: 5000/22 = 227.27 (last 227.33).
    ladder = _ladder(_bill("5000.00", penalty="75.00"), HUABEI, "300.00")
    assert _summary(ladder) == [
        ("ask", 22, "227.33", "227.27", "5000.00"),
        ("fallback", 17, "294.12", "294.12", "5000.00"),
        ("walk_away", 17, "298.53", "298.53", "5075.00"),
    ]
    walk = ladder.rungs[-1]
    assert walk.rule is not None
    assert walk.rule.cost is Cost.NONE
    assert walk.evaluation is not None
    assert walk.evaluation.waived == 0
    assert "WALK_AWAY_NEEDS_CONCESSION" in [r.code for r in walk.reasons]


def test_jiebei_walk_away_at_the_contract_rate() -> None:
    # Jiebei 10,000 + 150 interest + 75 penalty; contract 0.05 %/day × 365 = 18.25 % a year
    # (rules-cn.md §2 [S]), repaid in level payments: P·r·(1+r)^n / ((1+r)^n − 1).
    bill = _bill("10000.00", interest="150.00", penalty="75.00")
    ladder = _ladder(bill, JIEBEI, "800.00")
    walk = ladder.rung(Level.WALK_AWAY)
    assert walk is not None
    assert walk.evaluation is not None
    with localcontext() as context:
        context.prec = 40
        rate = M("0.1825") / 12
        for n in (14, 15):
            factor = (1 + rate) ** n
            payment = (M("10225.00") * rate * factor / (factor - 1)).quantize(M("0.01"))
            assert (payment > 800) is (n == 14)  # 14 months does not fit, 15 does
    assert walk.periods == 15
    assert walk.evaluation.monthly_amount == payment == M("767.52")
    assert walk.monthly == M("767.55")  # the last payment takes the rounding
    assert walk.evaluation.rescheduled == M("10225.00")  # nothing waived at the walk-away
    assert M("0.1824") < walk.evaluation.apr_nominal < M("0.1826")  # type: ignore[operator]
    assert [r.level for r in ladder.rungs] == [Level.ASK, Level.FALLBACK, Level.WALK_AWAY]


def test_a_lower_rung_never_takes_fewer_months_than_the_walk_away() -> None:
    """借呗 ¥2,000 principal + ¥300 penalty, share ¥300. Walk-away at the contract rate
    0.05 %/day (monthly 0.0005 × 365 ÷ 12 = 1.52083 %) on 2,300: 8 months would need
    2,300 × r ÷ (1 − (1 + r)^−8) ≈ 307 > 300, 9 months 275.38 (total 2,478.41).
    The fallback waives the penalty and charges no interest: 2,000 would fit in 8 months at
    250.00 (≤ 275.38), shorter than the walk-away — paying more for longer as one concedes
    reads wrong, so it keeps the walk-away's 9 months: 2,000 ÷ 9 = 222.22 (the last
    222.24). The ask: at most 0.80 × 222.24 = 177.79 over at least 9 months: 2,000 ÷ 177.79
    = 11.2 → 12 months of 166.67."""
    bill = _bill("2000.00", penalty="300.00")
    ladder = build_ladder(bill, JIEBEI, M("300.00"), today=TODAY, settings=DATA)
    assert [(r.level, r.monthly, r.periods) for r in ladder.rungs] == [
        (Level.ASK, M("166.67"), 12), (Level.FALLBACK, M("222.24"), 9),
        (Level.WALK_AWAY, M("275.38"), 9)]
    walk = ladder.rung(Level.WALK_AWAY)
    assert walk is not None
    assert walk.total_paid == M("2478.41")
    fallback = ladder.rung(Level.FALLBACK)
    assert fallback is not None
    codes = [reason.code for reason in fallback.reasons]
    assert "NO_SHORTER_THAN_ABOVE" in codes  # not "the shortest term that fits"
    assert "SHORTEST_TERM" not in codes


def test_nothing_fits_gives_a_token_payment() -> None:
    # 30,000 over the longest (assumed) 36 months is at least 833.33 a month (the last
    # 30000 − 35 × 833.33 = 833.45) even with no interest and the penalty waived; 100 is left.
    ladder = _ladder(CARD_BILL, HUABEI, "100.00")
    assert ladder.outcome is LadderOutcome.TOKEN
    (rung,) = ladder.rungs
    assert (rung.level, rung.monthly, rung.evaluation) == (Level.TOKEN, M("100.00"), None)
    assert rung.reasons[0].code == "TOKEN_OFFER"
    assert rung.reasons[0].params == {"maximum": "36", "needed": "¥833.45",
                                      "affordable": "¥100.00", "review": "3"}
    assert rung.reasons[1].code == "NOT_A_RULE_HERE"


def test_nothing_left_gives_breathing_space() -> None:
    ladder = _ladder(CARD_BILL, CARD, "0")
    assert ladder.outcome is LadderOutcome.BREATHING_SPACE
    (rung,) = ladder.rungs
    assert (rung.level, rung.monthly) == (Level.BREATHING_SPACE, M("0.00"))
    assert rung.reasons[0].params == {"months": "2"}
    assert rung.label.zh == "申请暂缓还款（喘息期）"


def test_a_small_debt_is_paid_in_one_month() -> None:
    # 300 owed, 1,000 a month: every rung fits in 1 month; the rungs that are the same as the
    # one above are left out (the ask still asks for the 20 penalty to be waived).
    ladder = _ladder(_bill("280.00", penalty="20.00"), HUABEI, "1000.00")
    assert [(r.level.value, r.periods, str(r.monthly)) for r in ladder.rungs] == [
        ("fallback", 1, "280.00"), ("walk_away", 1, "300.00")]


def test_a_debt_of_only_penalty_is_never_asked_away_entirely() -> None:
    # Only 50 of penalty is left: waiving it would leave nothing, so the rungs that waive it
    # are left out; the walk-away is one payment with the card's 0.66 % fee (50.33).
    bill = _bill("0.00", penalty="50.00")
    ladder = _ladder(bill, CARD, "100.00")
    assert [(r.level.value, r.periods, str(r.monthly)) for r in ladder.rungs] == [
        ("walk_away", 1, "50.33")]
    assert "ONE_PAYMENT" in [r.code for r in ladder.rungs[0].reasons]
    token = _ladder(bill, CARD, "0.50")
    assert token.outcome is LadderOutcome.TOKEN
    # no interest over 60 months: 50/60 = 0.83 a month, the last 50 − 59 × 0.83 = 1.03
    assert token.rungs[0].reasons[0].params["needed"] == "¥1.03"


def test_ladder_bad_input() -> None:
    with pytest.raises(InputError) as caught:
        _ladder(CARD_BILL, CARD, "-1")
    assert caught.value.field == "affordable"
    with pytest.raises(InputError) as caught:
        _ladder(CARD_BILL, CARD, "1.005")
    assert caught.value.field == "affordable"
    with pytest.raises(InputError) as caught:
        _ladder(_bill("0"), CARD, "100")
    assert caught.value.field == "amount"


# ------------------------------------------------------------------- counter-offer check

CARD_LADDER = _ladder(CARD_BILL, CARD, "1000.00")


def test_an_affordable_offer() -> None:
    # 36 months, penalty waived, 0.5 % a month: 30000/36 = 833.33 + 150.00 fee = 983.33
    # (last 833.45 + 150.00); total 30000 × (1 + 0.005 × 36) = 35,400.
    check = check_offer(CARD_BILL, CARD, Offer(periods=36, monthly_fee_rate=M("0.005"),
                                               waive_penalty=M(1)),
                        M("1000.00"), CARD_LADDER, today=TODAY)
    assert check.verdict is Verdict.AFFORDABLE
    assert check.affordable
    assert (check.monthly, check.max_payment, check.total_paid) == (
        M("983.33"), M("983.45"), M("35400.00"))
    assert check.monthly_gap == M("-16.55")
    assert check.extra_over_bill == M("5100.00")
    assert M("0.110") < check.apr_nominal < M("0.111")  # type: ignore[operator]
    assert [a.code for a in check.advice] == ["ACCEPT_AND_CONFIRM_IN_WRITING"]
    walk = next(c for c in check.comparisons if c.level is Level.WALK_AWAY)
    assert (walk.monthly_difference, walk.total_difference, walk.periods_difference) == (
        M("-13.90"), M("-2499.24"), -2)


def test_an_offer_over_budget_asks_for_a_longer_term_and_a_lower_first_payment() -> None:
    # "Pay 10 % first": 10 % of 30,300 = 3,030; the rest 27,270 over 24 months at 0.5 %:
    # 1136.25 + 136.35 = 1272.60 — 272.60 over. 32 months: 852.19 + 136.35 = 988.54 fits
    # (31 months: 879.68 + 136.35 = 1016.03 does not).
    offer = Offer(periods=24, monthly_fee_rate=M("0.005"), down_payment_percent=M("0.10"),
                  conditions=("不得再申请新的信用卡",))
    check = check_offer(CARD_BILL, CARD, offer, M("1000.00"), CARD_LADDER, today=TODAY)
    assert check.verdict is Verdict.ASK_CHANGES
    assert not check.affordable
    assert (check.down_payment, check.max_payment, check.monthly_gap) == (
        M("3030.00"), M("1272.60"), M("272.60"))
    assert check.down_payment_gap == M("2030.00")
    assert [a.code for a in check.advice] == [
        "ASK_LONGER_TERM", "ASK_LOWER_DOWN_PAYMENT", "CHECK_CONDITION", "CONFIRM_IN_WRITING"]
    assert check.advice[0].params["periods"] == "32"
    assert check.advice[0].params["fit_monthly"] == "¥988.54"
    assert check.advice[2].params == {"condition": "不得再申请新的信用卡"}
    with_savings = check_offer(CARD_BILL, CARD, offer, M("1000.00"), CARD_LADDER, today=TODAY,
                               lump_sum=M("5000.00"))
    assert "ASK_LOWER_DOWN_PAYMENT" not in [a.code for a in with_savings.advice]


def test_an_offer_no_term_can_fix_is_declined_with_a_counter_offer() -> None:
    ladder = _ladder(CARD_BILL, CARD, "400.00")  # 30,000/60 = 500 > 400: a token ladder
    check = check_offer(CARD_BILL, CARD, Offer(periods=12, monthly_amount=M("3000.00")),
                        M("400.00"), ladder, today=TODAY)
    assert check.verdict is Verdict.UNAFFORDABLE
    assert [a.code for a in check.advice] == [
        "DECLINE_UNAFFORDABLE", "COUNTER_WITH_TOKEN", "CONFIRM_IN_WRITING"]
    assert check.advice[0].params == {"monthly": "¥3,000.00", "affordable": "¥400.00",
                                      "gap": "¥2,600.00", "maximum": "60"}
    plan = _ladder(CARD_BILL, CARD, "1000.00")
    declined = check_offer(CARD_BILL, CARD,
                           Offer(periods=60, monthly_amount=M("1200.00")), M("1000.00"), plan,
                           today=TODAY)
    assert [a.code for a in declined.advice][:2] == ["DECLINE_UNAFFORDABLE", "COUNTER_WITH_PLAN"]
    assert declined.advice[1].params == {"monthly": "¥997.35", "periods": "38"}


def test_implied_apr_from_the_monthly_amount_matches_a_hand_computation() -> None:
    # 1,000 owed, 2 × 520: 1000 = 520x + 520x² with x = 1/(1+r) →
    # x = (−520 + √(520² + 4·520·1000)) / (2·520); the nominal APR is 12r.
    bill = _bill("1000.00")
    ladder = _ladder(bill, CARD, "600.00")
    check = check_offer(bill, CARD, Offer(periods=2, monthly_amount=M("520.00")), M("600.00"),
                        ladder, today=TODAY)
    with localcontext() as context:
        context.prec = 40
        x = (-520 + (M(520) ** 2 + 4 * 520 * 1000).sqrt()) / (2 * 520)
        monthly = 1 / x - 1
    assert check.implied
    assert check.evaluation is None
    assert abs(check.apr_nominal - 12 * monthly) < M("1e-10")  # type: ignore[operator]
    assert abs(check.apr_effective - ((1 + monthly) ** 12 - 1)) < M("1e-9")  # type: ignore[operator]
    assert str(check.apr_nominal)[:8] == "0.318608"  # 31.86 % a year
    assert check.payments == (M("520.00"), M("520.00"))
    assert check.dates == (TODAY, date(2026, 4, 10), date(2026, 5, 10))
    assert check.total_paid == M("1040.00")


def test_offer_figures_that_do_not_add_up_are_pointed_out() -> None:
    differ = check_offer(CARD_BILL, CARD, Offer(periods=36, monthly_fee_rate=M("0.005"),
                                                waive_penalty=M(1),
                                                monthly_amount=M("950.00")),
                         M("1000.00"), CARD_LADDER, today=TODAY)
    assert "FIGURES_DIFFER" in [a.code for a in differ.advice]
    below = check_offer(CARD_BILL, CARD, Offer(periods=30, monthly_amount=M("900.00")),
                        M("1000.00"), CARD_LADDER, today=TODAY)  # 27,000 < 30,300
    assert "PAYMENTS_BELOW_OWED" in [a.code for a in below.advice]
    assert below.apr_nominal is not None
    assert below.apr_nominal < 0
    nothing = check_offer(CARD_BILL, CARD, Offer(periods=60), M("1000.00"), CARD_LADDER,
                          today=TODAY)
    assert nothing.monthly == M("505.00")  # no interest assumed: 30,300 / 60
    assert [a.code for a in nothing.advice] == ["ACCEPT_AND_CONFIRM_IN_WRITING",
                                                "NO_AMOUNT_GIVEN"]


def test_costlier_than_the_walk_away_suggests_asking_first() -> None:
    # 40 months at 0.8 %/month: 757.50 + 242.40 = 999.90 fits, but 39,996 in all is 2,096.76
    # more than the walk-away plan's 37,899.24.
    check = check_offer(CARD_BILL, CARD, Offer(periods=40, monthly_fee_rate=M("0.008")),
                        M("1000.00"), CARD_LADDER, today=TODAY)
    assert check.verdict is Verdict.AFFORDABLE
    assert [a.code for a in check.advice] == ["ASK_FOR_BETTER", "ACCEPT_AND_CONFIRM_IN_WRITING"]
    assert check.advice[0].params == {"extra": "¥2,096.76", "periods": "38",
                                      "monthly": "¥997.35"}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"periods": 0}, "periods"),
    ({"periods": 12, "monthly_amount": M("0")}, "monthly_amount"),
    ({"periods": 12, "annual_rate": M("0.1"), "monthly_fee_rate": M("0.01")},
     "monthly_fee_rate"),
    ({"periods": 12, "annual_rate": M("-0.1")}, "annual_rate"),
    ({"periods": 12, "waive_penalty": M("1.5")}, "waive_penalty"),
    ({"periods": 12, "down_payment": M("1"), "down_payment_percent": M("0.1")},
     "down_payment"),
    ({"periods": 12, "down_payment_percent": M("1")}, "down_payment_percent"),
    ({"periods": 12, "conditions": ("",)}, "conditions"),
])
def test_bad_offers_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        Offer(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_down_payment_must_be_below_what_is_owed() -> None:
    with pytest.raises(InputError) as caught:
        check_offer(CARD_BILL, CARD, Offer(periods=12, down_payment=M("30300.00")),
                    M("1000.00"), CARD_LADDER, today=TODAY)
    assert caught.value.field == "down_payment"


# ------------------------------------------------------------------------ they said no


def test_offer_too_low_moves_up_the_ladder_with_the_persons_numbers() -> None:
    moves = next_moves("offer_too_low", CARD, CARD_LADDER, DATA)
    assert [m.code for m in moves] == ["REVISED_OFFER", "ASK_REASON"]
    revised = moves[0]
    assert revised.params == {"monthly": "¥789.61", "periods": "38", "total": "¥30,000.00"}
    assert "¥789.61" in revised.render("zh")
    assert "38" in revised.render("en")
    assert [m.id for m in revised.materials] == ["budget_statement"]
    after_fallback = next_moves("offer_too_low", CARD, CARD_LADDER, DATA, refused="fallback")
    assert after_fallback[0].params["monthly"] == "¥997.35"
    at_limit = next_moves("offer_too_low", CARD, CARD_LADDER, DATA, refused=Level.WALK_AWAY)
    assert at_limit[0].code == "REVISED_OFFER_NO_ROOM"
    assert at_limit[0].params == {"affordable": "¥1,000.00"}
    general = next_moves("term_too_long", CARD, None, DATA)
    assert general[0].code == "REVISED_OFFER_GENERAL"
    assert general[0].params == {}


def test_app_only_suggests_the_other_channels() -> None:
    moves = next_moves("app_only", HUABEI, None, DATA)
    other = next(m for m in moves if m.kind is MoveKind.OTHER_CHANNEL)
    assert [c.kind for c in other.channels] == ["hotline", "social"]
    assert next(c.value for c in other.channels) == "95188"
    complaint = next(m for m in moves if m.kind is MoveKind.COMPLAINT)
    assert [o.id for o in complaint.official] == ["lender_complaint", "nfra_12378"]
    assert complaint.official[1].value == "12378"


def test_not_eligible_includes_the_credit_report_objection_and_complaints() -> None:
    moves = next_moves("not_eligible", CARD, CARD_LADDER, DATA)
    kinds = [m.kind for m in moves]
    assert MoveKind.CREDIT_OBJECTION in kinds
    assert MoveKind.COMPLAINT in kinds
    objection = moves[kinds.index(MoveKind.CREDIT_OBJECTION)]
    assert objection.source.confidence is Confidence.VERIFIED
    assert "第25条" in objection.text.zh
    assert "20" in objection.text.zh
    assert [o.value for o in objection.official] == ["https://ipcrs.pbccrc.org.cn",
                                                     "400-810-8866"]
    complaint = moves[kinds.index(MoveKind.COMPLAINT)]
    assert [o.value for o in complaint.official] == ["", "12378", "12363"]


def test_no_hardship_proof_lists_the_evidence_for_the_persons_reason() -> None:
    moves = next_moves("no_hardship_proof", HUABEI, None, DATA, hardship=["illness"])
    evidence = moves[0]
    assert evidence.kind is MoveKind.BETTER_EVIDENCE
    assert [m.id for m in evidence.materials] == [
        "income_proof", "hardship_statement", "medical_diagnosis", "community_certificate"]


def test_next_moves_bad_input() -> None:
    with pytest.raises(InputError) as caught:
        next_moves("they_were_rude", CARD, None, DATA)
    assert caught.value.field == "reason"
    with pytest.raises(InputError) as caught:
        next_moves("offer_too_low", CARD, None, DATA, refused="best")
    assert caught.value.field == "refused"
    with pytest.raises(InputError) as caught:
        next_moves("offer_too_low", CARD, None, DATA, hardship=["bored"])
    assert caught.value.field == "hardship"


# -------------------------------------------------------------------------- content data


def test_materials_checklist_per_product_and_reason() -> None:
    card = [m.id for m in materials_for(DATA, ProductKind.CREDIT_CARD, ["unemployment"])]
    assert card == ["id_card", "card_details", "itemised_bill", "budget_statement",
                    "income_proof", "hardship_statement", "unemployment_registration",
                    "community_certificate", "credit_report"]
    forgot = [m.id for m in materials_for(DATA, "bill", ["forgot"])]
    assert forgot == ["id_card", "app_account", "itemised_bill", "budget_statement",
                      "income_proof", "payment_record", "credit_report"]
    every = materials_for(DATA, "cash_loan")
    assert {"medical_diagnosis", "business_records", "payment_record"} <= {m.id for m in every}
    with pytest.raises(InputError) as caught:
        materials_for(DATA, "mortgage")
    assert caught.value.field == "product_kind"


def test_data_file_contents() -> None:
    assert [r.id for r in DATA.refusals] == [
        "no_hardship_proof", "offer_too_low", "term_too_long", "not_eligible", "app_only"]
    assert {"nfra_12378", "pboc_12363", "alipay_95188", "police_110", "antifraud_96110",
            "credit_centre_hotline", "credit_centre_web"} <= {o.id for o in DATA.official}
    assert DATA.channel("alipay_95188").hours is not None
    assert DATA.ladder.ask.fraction == M("0.80")
    assert DATA.ladder.walk_away.fraction == M("1.00")
    assert DATA.ladder.source_of("ladder.ask.fraction").ref.startswith("guide §6.2")
    assert DATA.ladder.source_of("ladder").confidence is Confidence.COMPUTED


def _all_sources(data: NegotiationData) -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = []
    items += [(f"materials.{m.id}", m.source) for m in data.materials]
    items += [(f"official.{o.id}", o.source) for o in data.official]
    for refusal in data.refusals:
        items.append((f"refusals.{refusal.id}", refusal.source))
        items += [(f"refusals.{refusal.id}.{m.kind}", m.source) for m in refusal.moves]
    items += [(f"rights.{i.id}", i.source) for i in data.rights.items]
    items += [(f"scam.{i.id}", i.source) for i in data.scam.items]
    items += list(data.ladder.sources.items())
    return items


def test_every_item_cites_a_section_and_a_mark() -> None:
    for name, source in _all_sources(DATA):
        assert source.ref, name  # type: ignore[attr-defined]
        mark = source.confidence  # type: ignore[attr-defined]
        assert mark is not Confidence.NOT_FOUND, name
        if mark in (Confidence.VERIFIED, Confidence.SECONDARY):
            assert source.urls, name  # type: ignore[attr-defined]


def test_the_rights_card_keeps_the_marks_of_the_reference() -> None:
    marks = {item.id: item.source.confidence for item in DATA.rights.items}
    assert marks["privacy"] is Confidence.VERIFIED  # Civil Code 1032/1033, §8 [V]
    assert marks["illegal_debts"] is Confidence.VERIFIED  # Criminal Law 293-1 [V]
    assert marks["quiet_hours"] is Confidence.SECONDARY  # NIFA 2024 guideline [S]
    assert marks["call_limit"] is Confidence.SECONDARY
    assert marks["only_debtor_cards"] is Confidence.SECONDARY  # Art. 68 [S]


def test_the_rights_card_agrees_with_the_law_table() -> None:
    law = parse_law(builtin_text("_law.toml"), "presets/_law.toml")
    texts = {item.id: item.text for item in DATA.rights.items}
    quiet_from = law.collection.quiet_from.strftime("%H:%M")
    quiet_until = law.collection.quiet_until.strftime("%H:%M")
    assert quiet_from in texts["quiet_hours"].zh
    assert quiet_until in texts["quiet_hours"].en
    calls = str(law.collection.max_effective_calls_per_day)
    assert f"不超过{calls}次" in texts["call_limit"].zh
    assert f"{law.credit_report.objection_reply_days}日" in texts["credit_notice"].zh


def test_the_scam_card_says_negotiating_is_free_and_names_reported_cases() -> None:
    assert "免费" in DATA.scam.intro.zh
    assert "free" in DATA.scam.intro.en
    ids = [item.id for item in DATA.scam.items]
    assert {"case_14350", "case_9000", "case_yinchuan"} <= set(ids)
    case = next(item for item in DATA.scam.items if item.id == "case_14350")
    assert "14350" in case.text.zh
    assert case.source.urls == ("https://news.pinpaifeng.com/n/108995.html",)


# ---------------------------------------------------------------------------- honest words

# Words that promise an outcome (zh and en), anywhere in the data file or the messages.
PROMISES = ("保证", "一定能", "肯定能", "百分之百", "guarantee", "will certainly", "100%")
# Claims rules-cn.md marks as not found (§3.7, §1.7, §8, §10): never stated as rules.
NOT_FOUND = ("不得计收复利", "复利已被禁止", "逾期90天", "21:00", "晚上9点", "9 pm", "有权要求")


def _message_texts() -> list[str]:
    import xieshang.engine.negotiation as module

    return [value for name, value in vars(module).items()
            if name.isupper() and isinstance(value, str)]


def test_no_promise_of_outcome_in_the_data_file_or_messages() -> None:
    for text in [DATA_TEXT, *_message_texts()]:
        for word in PROMISES:
            assert word not in text, word


def test_nothing_marked_not_found_is_stated_as_a_rule() -> None:
    for word in NOT_FOUND:
        assert word not in DATA_TEXT, word


def test_article_70_is_a_may_not_a_right() -> None:
    data = tomllib.loads(DATA_TEXT)
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            texts.append(value)

    walk(data)
    for text in texts:
        if "第70条" in text and ("同意" in text or "协商" in text):
            assert "权利" not in text.replace("持卡人的权利", ""), text
        assert not re.search(r"must (agree|grant)", text), text
    assert "may — not must —" in ART70_MAY


# --------------------------------------------------------------------------- data errors


def _broken(old: str, new: str) -> str:
    assert old in DATA_TEXT, old
    return DATA_TEXT.replace(old, new, 1)


@pytest.mark.parametrize(("old", "new", "field"), [
    ('fraction = "1.00"\nwaive_penalty = "0"', 'fraction = "1.20"\nwaive_penalty = "0"',
     "ladder.walk_away.fraction"),
    ('fraction = "0.80"', 'fraction = "0"', "ladder.ask.fraction"),
    ('fraction = "0.80"', 'fraction = "0.90"\nmystery = 1', "ladder.ask.mystery"),
    ('[ladder.fallback]\nlabel = { zh = "退一步的方案", en = "Fallback" }\nfraction = "1.00"',
     '[ladder.fallback]\nlabel = { zh = "退一步的方案", en = "Fallback" }\nfraction = "0.70"',
     "ladder.fallback.fraction"),
    ('waive_penalty = "0"\nwaive_fees = "0"\ncost = "product"',
     'waive_penalty = "0"\nwaive_fees = "1"\ncost = "product"', "ladder.walk_away.waive_fees"),
    ('cost = "none"          # no interest', 'cost = "free"          # no interest',
     "ladder.ask.cost"),
    ('materials = ["budget_statement"]\nsource = { ref = "§1.4"',
     'materials = ["budget_sheet"]\nsource = { ref = "§1.4"',
     "refusals[1].moves[0].materials[0]"),
    ('official = ["lender_complaint", "nfra_12378"]', 'official = ["lender_complaint", "x"]',
     "refusals[4].moves[2].official[1]"),
    ('source = { ref = "guide §3.1", confidence = "S", urls = ["seed/000_e733ecf6e7ec88a0.txt"],',
     'source = { ref = "guide §3.1", confidence = "S", urls = [],',
     "materials[1].source.urls"),
    ('product_kinds = ["credit_card"]', 'product_kinds = ["credit"]',
     "materials[2].product_kinds[0]"),
    ('reasons = ["illness"]', 'reasons = ["boredom"]', "materials[8].reasons[0]"),
    ('id = "forgot"', 'id = "illness"', "hardship_reasons"),
    ('[sources."ladder.token"]', '[sources."ladder.tokens"]', "sources.ladder.token"),
    ('[sources."ladder.fallback"]', '[sources."ladder.nothing"]\nref = "x"\nconfidence = "C"\n'
     'note = "x"\n\n[sources."ladder.fallback"]', "sources.ladder.nothing"),
])
def test_data_errors_name_the_file_and_field(old: str, new: str, field: str) -> None:
    with pytest.raises(PresetError) as caught:
        parse_negotiation_data(_broken(old, new), "presets/_negotiation.toml")
    assert caught.value.source == "presets/_negotiation.toml"
    assert caught.value.field == field


def test_a_revised_offer_needs_its_three_texts() -> None:
    text = re.sub(r"text_no_room = \{[^\n]*\}\n", "", DATA_TEXT, count=1)
    with pytest.raises(PresetError) as caught:
        parse_negotiation_data(text, "x.toml")
    assert caught.value.field == "refusals[1].moves[0].text_no_room"
    with pytest.raises(PresetError) as caught:
        parse_negotiation_data(DATA_TEXT + "\n[ladder.extra]\n", "x.toml")
    assert caught.value.field == "ladder.extra"
    with pytest.raises(PresetError) as caught:
        parse_negotiation_data(DATA_TEXT + "\n= =\n", "x.toml")
    assert (caught.value.source, caught.value.field) == ("x.toml", "")


# ------------------------------------------------------------------------------ invariants

PRESETS = [CARD, HUABEI, JIEBEI]


@st.composite
def _cases(draw: st.DrawFn) -> tuple[Bill, Preset, Decimal]:
    cents = st.integers
    principal = draw(cents(10_000, 10_000_000))  # 100.00 .. 100,000.00
    bill = Bill(as_of=TODAY, principal=M(principal) / 100,
                interest=M(draw(cents(0, 50_000))) / 100,
                penalty=M(draw(cents(0, 100_000))) / 100,
                fees=M(draw(cents(0, 20_000))) / 100)
    preset = draw(st.sampled_from(PRESETS))
    affordable = M(draw(cents(0, 600_000))) / 100
    return bill, preset, affordable


@settings(max_examples=120, deadline=None)
@given(_cases())
def test_ladder_invariants(case: tuple[Bill, Preset, Decimal]) -> None:
    bill, preset, affordable = case
    ladder = build_ladder(bill, preset, affordable, today=TODAY, settings=DATA)
    if affordable == 0:
        assert ladder.outcome is LadderOutcome.BREATHING_SPACE
    monthly = [rung.monthly for rung in ladder.rungs]
    assert all(amount <= affordable for amount in monthly)  # never above the budget
    assert monthly == sorted(monthly)  # walk-away ≥ fallback ≥ ask
    # each rung down from the walk-away asks less a month and takes no fewer months
    periods = [rung.periods for rung in ladder.rungs]
    assert periods == sorted(periods, reverse=True)
    if ladder.outcome is not LadderOutcome.PLAN:
        assert len(ladder.rungs) == 1
        assert ladder.rungs[0].evaluation is None
        return
    assert ladder.rungs[-1].level is Level.WALK_AWAY
    for rung in ladder.rungs:
        evaluation = rung.evaluation
        assert evaluation is not None
        assert all(row.payment <= affordable for row in evaluation.schedule.rows)
        assert rung.monthly == evaluation.max_payment
        assert 1 <= rung.periods <= ladder.max_term
        # total paid = rescheduled + costs; rescheduled = owed − waived
        assert evaluation.total_paid == evaluation.rescheduled + evaluation.schedule.total_cost
        assert evaluation.rescheduled == bill.total - evaluation.waived
        assert {r.code for r in rung.reasons} >= {"SHARE_OF_AFFORDABLE"}


@settings(max_examples=60, deadline=None)
@given(_cases(), st.integers(1, 72), st.integers(1, 400_000))
def test_offer_check_invariants(case: tuple[Bill, Preset, Decimal], periods: int,
                                cents: int) -> None:
    bill, preset, affordable = case
    ladder = build_ladder(bill, preset, affordable, today=TODAY, settings=DATA)
    offer = Offer(periods=periods, monthly_amount=M(cents) / 100)
    check = check_offer(bill, preset, offer, affordable, ladder, today=TODAY)
    codes = [a.code for a in check.advice]
    assert ("ACCEPT_AND_CONFIRM_IN_WRITING" in codes) != ("CONFIRM_IN_WRITING" in codes)
    assert check.affordable is (check.verdict is Verdict.AFFORDABLE)
    assert check.affordable is (check.max_payment <= affordable)
    assert check.total_paid == check.down_payment + sum(check.payments, M("0.00"))
    if check.verdict is Verdict.ASK_CHANGES:
        assert codes[0] == "ASK_LONGER_TERM"
