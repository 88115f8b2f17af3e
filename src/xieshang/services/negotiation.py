"""Negotiation: what is known about one debt, the ladder of asks, an offer checked against
the budget and recorded, what to do after a refusal, the documents and the dossier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from xieshang.clock import today as session_today
from xieshang.engine.errors import N_, InputError
from xieshang.services.cases import debt_name, find_case, find_debt

if TYPE_CHECKING:
    from xieshang.documents import AgreedTerms, BudgetStatement, Identifiers
    from xieshang.engine.bill import Bill
    from xieshang.engine.negotiation import (
        Card,
        Ladder,
        LoanLadders,
        Move,
        NegotiationData,
        Offer,
        OfferCheck,
        Refusal,
    )
    from xieshang.engine.preset import Preset, Source
    from xieshang.output import Out
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Debt


__all__ = [
    "ASKED",
    "BILL_ROWS",
    "CASE_REASONS",
    "COMPLAINT_CHANNELS",
    "IDENTIFIED",
    "MARK_WORDS",
    "NO_BUDGET",
    "OVERDRAFT_PANEL",
    "PAY_NOW",
    "RUNGS",
    "VERDICTS",
    "WITHOUT_BUDGET",
    "DebtInputs",
    "OverdraftRisk",
    "RefusalAnswer",
    "agreed_terms",
    "arrangement_params",
    "arrangement_proposal",
    "budgetless_context",
    "card_json",
    "case_dossier",
    "case_facts",
    "channel_line",
    "check_json",
    "check_offer_for",
    "debt_inputs",
    "document_context",
    "document_history",
    "format_percent",
    "identifiers_of",
    "ladder_json",
    "lender_statement",
    "log_refusal",
    "mark_label",
    "mark_words",
    "negotiation_data",
    "optional_amount",
    "optional_rate",
    "overdraft_risks",
    "pay_now_lines",
    "prepare_payload",
    "record_offer",
    "refusal_answer",
    "rights_lines",
    "scam_line",
    "source_json",
]


VERDICTS = {
    "affordable": N_("Affordable"),
    "ask_changes": N_("Not affordable as offered: ask for changes"),
    "overpriced": N_("Costs more than the legal reference: you can ask for changes"),
    "unaffordable": N_("Not affordable"),
}


# The case file's hardship reasons → the data file's (``other``: none, so every item shows).
CASE_REASONS = {
    "income_loss": ("unemployment", "income_drop"),
    "family_emergency": ("family_hardship",),
    "other": (),
}


@cache
def negotiation_data() -> NegotiationData:
    """The negotiation data of ``presets/_negotiation.toml``."""
    from xieshang.engine.negotiation import parse_negotiation_data
    from xieshang.rules import builtin_text

    return parse_negotiation_data(builtin_text("_negotiation.toml"),
                                  "presets/_negotiation.toml")


@dataclass(frozen=True, slots=True)
class DebtInputs:
    """What the negotiation commands need about one debt.

    Attributes:
        case: the case.
        debt: the debt.
        preset: its product's rules.
        bill: what is owed today.
        affordable: the monthly amount the budget's split gives this debt.
        income: the household's monthly income.
        ladder: the proposal ladder.
        day: today.
        deferral_months: months with nothing to pay before the ladder's plans start (the
            budget has nothing for this debt until then).
        settlement: a settlement funded from savings
            (:class:`xieshang.engine.negotiation.SettlementAsk`), when the person has savings
            for a settlement.
        available: what the whole budget leaves for all debts this month (``None``: not
            known).
    """

    case: Case
    debt: Debt
    preset: Preset
    bill: Bill
    affordable: Decimal
    income: Decimal | None
    ladder: Ladder
    day: date
    deferral_months: int = 0
    settlement: Any = None
    loan: LoanLadders | None = None
    available: Decimal | None = None

    @property
    def pay_now(self) -> bool:
        """Whether this month's budget can clear the whole amount owed at once (the
        small-amount path: pay it now rather than negotiate)."""
        return (self.available is not None and self.bill.total > 0
                and self.bill.total <= self.available)


def debt_inputs(out: Out, tx: Tx, case_id: str | None, debt_id: str | None, *,
                today: date | None = None) -> DebtInputs:
    """The case, the debt, the bill on ``today`` (default: the command line's clock), the
    budget's share for it and its ladder.

    Raises:
        InputError: no case, no such debt, no budget, or nothing owed.
    """
    from xieshang.engine.negotiation import build_ladder, build_loan_ladders
    from xieshang.services.budget import budget_view
    from xieshang.services.debts import own_preset

    case = find_case(tx, case_id)
    debt = find_debt(tx, case, debt_id)
    day = today if today is not None else session_today()
    view = budget_view(tx, case, "pro_rata", as_of=day)
    if view is None:
        raise InputError("budget_statement", NO_BUDGET)
    share = view.share_of(debt.id)
    if share is None:
        raise InputError("debt", N_("debt {id} is not open: nothing to negotiate"), id=debt.id)
    bill = _bill_today(tx, debt, day)
    income = view.income
    preset = own_preset(debt)
    share, deferral = _phased_share(tx, case, debt.id, day, share)
    settlement = _savings_settlement(view, debt.id, bill, preset, day)
    pause = _months_to_recovery(tx, case, day) if share == 0 else None
    regular = regular_installment(debt, bill, day)
    if regular is not None:
        loan = build_loan_ladders(bill, preset, share, regular=regular, today=day,
                                  income=income, settings=negotiation_data(),
                                  deferral_months=deferral, pause_months=pause)
        return DebtInputs(case=case, debt=debt, preset=preset, bill=bill, affordable=share,
                          income=income or None, ladder=loan.arrears, day=day,
                          deferral_months=deferral, settlement=settlement, loan=loan,
                          available=view.available)
    ladder = build_ladder(bill, preset, share, today=day, income=income,
                          settings=negotiation_data(), deferral_months=deferral,
                          pause_months=pause)
    return DebtInputs(case=case, debt=debt, preset=preset, bill=bill, affordable=share,
                      income=income or None, ladder=ladder, day=day, deferral_months=deferral,
                      settlement=settlement, available=view.available)


def _savings_settlement(view: Any, debt_id: int, bill: Bill, preset: Preset,
                        day: date) -> Any:
    """This debt's settlement from the savings, when the person keeps them for a settlement:
    its part of the savings is its share of what all the open debts owe (the budget's own
    pro-rata split), paid on the day the savings are available."""
    from xieshang.engine.budget import DebtShare, split
    from xieshang.engine.negotiation import savings_settlement
    from xieshang.engine.situation import SavingsUse

    situation = view.situation
    if situation is None or situation.savings <= 0 \
            or situation.savings_use is not SavingsUse.SETTLEMENT:
        return None
    shares = [DebtShare(key=str(part.debt), balance=part.balance) for part in view.parts]
    parts = {a.key: a.amount for a in split(situation.savings, shares, "pro_rata")}
    return savings_settlement(bill, preset, parts.get(str(debt_id), Decimal("0.00")),
                              today=day, on=situation.savings_on,
                              rules=negotiation_data().ladder)


def _months_to_recovery(tx: Tx, case: Case, day: date) -> int | None:
    """Whole months from ``day`` to the hardship record's expected recovery (rounded up;
    ``None`` without a recovery date ahead): the breathing space asked for lasts that long."""
    from xieshang.engine.schedules import add_months
    from xieshang.store.model import Hardship

    found = tx.find(Hardship, case_id=case.id)
    recovery = found[-1].recovery if found else None
    if recovery is None or recovery <= day:
        return None
    months = (recovery.year - day.year) * 12 + recovery.month - day.month
    return months + 1 if add_months(day, months) < recovery else max(months, 1)


#: How far ahead the ladder looks for the month the person can start paying, in months.
_START_WITHIN = 12


def _phased_share(tx: Tx, case: Case, debt_id: int, day: date,
                  share: Decimal) -> tuple[Decimal, int]:
    """(the monthly share the ladder is built on, months with nothing to pay first).

    When the budget has nothing for this debt this month but will have within
    :data:`_START_WITHIN` months (income that starts or comes back on a date), the plans
    start then: month ``k`` (paid on ``add_months(day, k)``) is the first with money, so
    ``k − 1`` months are deferred after the month that follows today. The share is the least
    of the months from then on over the longest term looked at, so no month of the plan asks
    for more than the person has that month."""
    from xieshang.engine.situation import first_month_with_money
    from xieshang.services.budget import debt_shares_by_month

    months = debt_shares_by_month(tx, case, day, debt_id, _START_WITHIN + 60)
    if not months:
        return share, 0
    start = first_month_with_money(months[:_START_WITHIN + 1])
    if start is None:
        return share, 0
    ahead = months[max(start, 1):]
    least = min(ahead) if ahead else share
    if start <= 1:
        return min(share, least) if share > 0 else least, 0
    return least, start - 1


def debt_ladder(debt: Debt, bill: Bill, share: Decimal, day: date,
                income: Decimal | None) -> Ladder:
    """The ladder of one debt on the debt's own terms: for a loan with regular installments
    ahead, the one that brings the arrears current within the share less the regular
    installment (see :func:`debt_inputs`)."""
    from xieshang.engine.negotiation import build_ladder, build_loan_ladders
    from xieshang.services.debts import own_preset

    preset = own_preset(debt)
    regular = regular_installment(debt, bill, day)
    if regular is not None:
        return build_loan_ladders(bill, preset, share, regular=regular, today=day,
                                  income=income, settings=negotiation_data()).arrears
    return build_ladder(bill, preset, share, today=day, income=income,
                        settings=negotiation_data())


def regular_installment(debt: Debt, bill: Bill, day: date) -> Decimal | None:
    """The next regular installment of a loan entered by its terms that still has
    installments ahead on ``day`` (``None`` otherwise)."""
    from xieshang.services.debts import loan_position

    loan = loan_position(debt, day)
    if loan is None or not loan.ahead or bill.not_yet_due <= 0:
        return None
    amount: Decimal = loan.ahead[0].amount
    return amount


#: What a command that needs the budget says when there is none (one line: the command and
#: the web page that add it).
NO_BUDGET = N_("there is no budget yet: add it with `xieshang budget set …` or on the web "
               "Budget page")


def _bill_today(tx: Tx, debt: Debt, day: date) -> Bill:
    """What the debt owes on ``day`` (the engine's bill; the recorded amounts when the
    engine cannot compute one)."""
    from xieshang.engine.bill import Bill
    from xieshang.services.debts import current_bill

    bill, _engine = current_bill(tx, debt, day)
    if bill is None:
        bill = Bill(as_of=day, principal=debt.principal, interest=debt.interest,
                    penalty=debt.penalty, fees=debt.fees)
    return bill


def _rate(value: Decimal | None) -> Decimal | None:
    """A rate to 6 places (a fraction: 0.144123 = 14.4123 %)."""
    return None if value is None else value.quantize(Decimal("0.000001")) + 0


def format_percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.01'))}%"


def source_json(source: Source) -> dict[str, Any]:
    return {"confidence": source.confidence.value, "ref": source.ref,
            "urls": list(source.urls)}


def mark_label(source: Source) -> str:
    """A source mark for text output: the confidence mark and the public sources a reader
    can look up (a law's title, a web address; at most two), never our reference files:
    ``[V] 《民法典》人格权编``."""
    from xieshang.documents import cited

    return f"[{source.confidence.value}] {'; '.join(cited(source.urls)[:2])}".strip()


def card_json(card: Card, lang: str, kind: str | None = None) -> dict[str, Any]:
    """A card (know-your-rights or anti-scam) as plain values in one language: the points
    that apply to a product of ``kind`` (``None``: all), each with its public sources."""
    from xieshang.documents import cited

    return {"title": card.title.get(lang), "intro": card.intro.get(lang),
            "items": [{"id": item.id, "text": item.text.get(lang),
                       "source": source_json(item.source),
                       "cited": cited(item.source.urls)} for item in card.for_kind(kind)]}


def scam_line(lang: str) -> str:
    """The anti-scam card's one-line reminder (its intro)."""
    return negotiation_data().scam.intro.get(lang)


def rights_lines(lang: str, kind: str | None = None) -> list[str]:
    """The know-your-rights card as lines to print: its title, its intro, then each point
    that applies to a product of ``kind`` (``None``: every point, each naming the products
    it is about) with its confidence mark and public sources."""
    card = negotiation_data().rights
    return [card.title.get(lang), card.intro.get(lang),
            *(f"{item.text.get(lang)} {mark_label(item.source)}"
              for item in card.for_kind(kind))]


def _hardship_ids(tx: Tx, case: Case) -> tuple[str, ...]:
    """The case's hardship reason as a data id (none when unknown or not filled in)."""
    from xieshang.store.model import Hardship

    found = tx.find(Hardship, case_id=case.id)
    if not found:
        return ()
    known = {item.id for item in negotiation_data().hardship_reasons}
    reason = found[-1].reason
    return tuple(r for r in CASE_REASONS.get(reason, (reason,)) if r in known)


def ladder_json(inputs: DebtInputs, lang: str) -> dict[str, Any]:
    """The ladder as plain values (amounts as strings in JSON); an installment loan with
    regular installments ahead also has ``loan``: the regular installment and the
    whole-balance ladder (``rungs`` then bring the arrears current)."""
    result = _ladder_values(inputs.ladder, inputs.bill.total, inputs.debt.id, lang,
                            inputs.deferral_months)
    result["affordable"] = inputs.affordable
    settlement = inputs.settlement
    result["settlement"] = None if settlement is None else {
        "amount": settlement.evaluation.total_paid,
        "on": settlement.evaluation.schedule.rows[0].due,
        "discount": settlement.discount,
        "text": settlement.reason.render(),
    }
    if inputs.loan is not None:
        loan = inputs.loan
        result["loan"] = {
            "regular": loan.regular, "arrears_share": loan.arrears.affordable,
            "not_yet_due": inputs.bill.not_yet_due,
            "whole": _ladder_values(loan.whole, loan.whole_bill.total, inputs.debt.id, lang,
                                    inputs.deferral_months)}
    return result


def _ladder_values(ladder: Ladder, owed: Decimal, debt_id: int, lang: str,
                   deferral_months: int) -> dict[str, Any]:
    return {
        "debt": debt_id, "preset": ladder.preset_id, "owed": owed,
        "affordable": ladder.affordable, "income": ladder.income,
        "max_term": ladder.max_term, "max_term_assumed": ladder.max_term_assumed,
        "outcome": ladder.outcome.value,
        "rungs": [{
            "level": rung.level.value, "label": rung.label.get(lang), "periods": rung.periods,
            "monthly": rung.monthly, "total_paid": rung.total_paid,
            "cost": None if rung.evaluation is None else rung.evaluation.schedule.total_cost,
            "waived": None if rung.evaluation is None else rung.evaluation.waived,
            "apr": None if rung.evaluation is None else _rate(rung.evaluation.apr_nominal),
            "first_due": None if rung.evaluation is None
            else rung.evaluation.schedule.rows[0].due,
            "deferral_months": deferral_months,
            "reasons": [{"code": reason.code, "ref": reason.ref,
                         "confidence": None if reason.source is None
                         else reason.source.confidence.value}
                        for reason in rung.reasons],
        } for rung in ladder.rungs],
    }


def optional_amount(text: str | None, field: str) -> Decimal | None:
    from xieshang.engine.money import parse_amount

    return None if text is None else parse_amount(text, field)


def optional_rate(text: str | None, field: str) -> Decimal | None:
    from xieshang.engine.parsing import parse_rate

    return None if text is None else parse_rate(text, field)


def check_offer_for(inputs: DebtInputs, offer: Offer) -> OfferCheck:
    """A lender's offer checked against this debt's share of the budget and its ladder
    (the share is the one the budget and the plan show: :attr:`DebtInputs.affordable`)."""
    from xieshang.engine.negotiation import check_offer, offer_covers_whole_balance
    from xieshang.engine.schedules import add_months
    from xieshang.rules import lpr_table, rate_law

    start = add_months(inputs.day, inputs.deferral_months + 1) if inputs.deferral_months \
        else None
    priced = {"law": rate_law()["law"], "fixings": lpr_table(), "pay_from": start}
    loan = inputs.loan
    if loan is not None:
        if offer_covers_whole_balance(inputs.bill, offer):
            return check_offer(loan.whole_bill, inputs.preset, offer, inputs.affordable,
                               loan.whole, today=inputs.day, **priced)
        return check_offer(inputs.bill, inputs.preset, offer,
                           max(Decimal("0.00"), inputs.affordable - loan.regular),
                           loan.arrears, today=inputs.day, **priced)
    return check_offer(inputs.bill, inputs.preset, offer, inputs.affordable, inputs.ladder,
                       today=inputs.day, law=rate_law()["law"], fixings=lpr_table(),
                       pay_from=start)


def check_json(check: OfferCheck, _: Callable[[str], str], *, share: Decimal) -> dict[str, Any]:
    """The counter-offer check as plain values (``_`` translates the advice); ``share`` is
    the debt's monthly share of the budget the offer was checked against."""
    return {
        "verdict": check.verdict.value, "affordable": check.affordable, "share": share,
        "monthly": check.monthly, "max_payment": check.max_payment,
        "monthly_gap": check.monthly_gap, "down_payment": check.down_payment,
        "total_paid": check.total_paid, "waived": check.waived, "owed": check.owed,
        "extra_over_bill": check.extra_over_bill, "apr_nominal": _rate(check.apr_nominal),
        "apr_effective": _rate(check.apr_effective), "implied": check.implied,
        "comparisons": [{"level": c.level.value, "monthly_difference": c.monthly_difference,
                         "total_difference": c.total_difference,
                         "periods_difference": c.periods_difference}
                        for c in check.comparisons],
        "advice": [{"code": a.code, "text": a.render(_(a.message))} for a in check.advice],
    }


def arrangement_params(offer: Any, check: OfferCheck) -> dict[str, Any]:
    """What rebuilds an accepted offer's schedule with ``arrangements.evaluate``: the
    proposal's fields as JSON values (rates and amounts as exact strings). When only the
    monthly amount was given, the rate implied by it (never below 0) stands for the cost."""
    annual = offer.annual_rate
    if check.implied:
        annual = max(check.apr_nominal or Decimal(0), Decimal(0))
    elif not offer.has_cost:
        annual = Decimal(0)
    values = {"periods": offer.periods, "annual_rate": annual,
              "monthly_fee_rate": offer.monthly_fee_rate,
              "total_fee_rate": offer.total_fee_rate, "waive_penalty": offer.waive_penalty,
              "waive_fees": offer.waive_fees, "waive_interest": offer.waive_interest,
              "down_payment": check.down_payment, "method": offer.method.value}
    return {key: value if isinstance(value, int) or value is None else str(value)
            for key, value in values.items()}


def arrangement_proposal(params: dict[str, Any]) -> Any:
    """The :class:`xieshang.engine.arrangements.Proposal` of stored ``arrangement_params``."""
    from xieshang.engine.arrangements import Kind, Proposal
    from xieshang.engine.schedules import Method

    def number(key: str) -> Decimal | None:
        value = params.get(key)
        return None if value is None else Decimal(str(value))

    return Proposal(Kind.INSTALLMENTS, periods=int(params["periods"]),
                    annual_rate=number("annual_rate"),
                    monthly_fee_rate=number("monthly_fee_rate"),
                    total_fee_rate=number("total_fee_rate"),
                    waive_penalty=number("waive_penalty") or Decimal(0),
                    waive_fees=number("waive_fees") or Decimal(0),
                    waive_interest=number("waive_interest") or Decimal(0),
                    down_payment=number("down_payment") or Decimal("0.00"),
                    method=Method(params["method"]))


def record_offer(tx: Tx, inputs: DebtInputs, offer: Offer, check: OfferCheck,
                 typed: dict[str, Any], *, accept: bool) -> int:
    """Record a counter-offer as a proposal of the debt (status ``offered``), or accept it
    (status ``accepted``, with the parameters that rebuild its schedule, and the debt put
    under an arrangement). Returns the proposal's id.

    Args:
        tx: a write transaction.
        inputs: the debt's :func:`debt_inputs`.
        offer: the offer checked.
        check: its :func:`xieshang.engine.negotiation.check_offer`.
        typed: the values as the person typed them (``monthly``, ``fee_rate``,
            ``monthly_fee_rate``, ``annual_rate``, ``waive_penalty``, ``down_payment``;
            ``None`` when not given).
        accept: accept it instead of only recording it.
    """
    from dataclasses import replace

    from xieshang.store.model import Proposal

    params: dict[str, Any] = {
        "periods": offer.periods, "monthly": typed.get("monthly"),
        "fee_rate": typed.get("fee_rate"), "monthly_fee_rate": typed.get("monthly_fee_rate"),
        "annual_rate": typed.get("annual_rate"),
        "waive_penalty": bool(typed.get("waive_penalty")),
        "down_payment": typed.get("down_payment"), "verdict": check.verdict.value}
    params = {k: v for k, v in params.items() if v is not None}
    if accept:
        from xieshang.services.arrangements import agreed_payments, schedule_params
        from xieshang.store.model import Payment

        params["arrangement"] = arrangement_params(offer, check)
        params["schedule"] = schedule_params(agreed_payments(check))
        # the payments already taken off the bill the arrangement reschedules: the payments
        # that count against it are those recorded after this one
        params["after_payment"] = max((p.id or 0 for p in tx.find(Payment,
                                                                     debt_id=inputs.debt.id)),
                                      default=0)
    saved = tx.add(Proposal(debt_id=inputs.debt.id, kind="offer", params=params,
                            created_on=inputs.day,
                            status="accepted" if accept else "offered",
                            decided_on=inputs.day if accept else None)).id
    if accept:
        tx.update(replace(inputs.debt, status="arrangement"))
    return saved


RUNGS = ("ask", "fallback", "walk_away")


def _channel_json(channel: Any, lang: str, source: Source | None = None) -> dict[str, Any]:
    """A lender's channel (preset, its ``source`` given) or an official one (data file) as
    plain values."""
    data: dict[str, Any] = {
        "id": getattr(channel, "id", None) or getattr(channel, "kind", ""),
        "name": channel.name.get(lang), "value": channel.value,
        "hours": None if channel.hours is None else channel.hours.get(lang),
        "good_for": None if channel.good_for is None else channel.good_for.get(lang)}
    source = getattr(channel, "source", source)
    data["source"] = None if source is None else source_json(source)
    return data


def channel_line(item: dict[str, Any]) -> str:
    parts = [f"{item['name']}: {item['value']}" if item["value"] else item["name"]]
    if item["hours"]:
        parts.append(item["hours"])
    line = " · ".join(parts)
    if item["good_for"]:
        line += f" — {item['good_for']}"
    if item["source"] is not None:
        line += f" [dim][{item['source']['confidence']}] {item['source']['ref']}[/dim]"
    return line


# The official channels shown after every refusal: complaints and the credit-report objection.
COMPLAINT_CHANNELS = ("nfra_12378", "pboc_12363", "credit_centre_web", "credit_centre_hotline")


@dataclass(frozen=True, slots=True)
class RefusalAnswer:
    """What to do after a refusal (``xieshang refused``).

    Attributes:
        case: the case.
        debt: the debt.
        name: the debt's name (``#3 花呗 账单``).
        refusal: the refusal, from the negotiation data.
        level: the rung that was refused (``ask``, ``fallback`` or ``walk_away``).
        moves: the next moves with the person's numbers filled in.
        ladder: the debt's ladder (``None`` when there is no budget yet).
        payload: everything as plain values in one language (the command's JSON without
            ``contact``): label, cause, source, moves, the lender's channels, the official
            channels.
    """

    case: Case
    debt: Debt
    name: str
    refusal: Refusal
    level: str
    moves: tuple[Move, ...]
    ladder: Ladder | None
    payload: dict[str, Any]


def refusal_answer(out: Out, tx: Tx, case_id: str | None, debt_id: str | None, reason: str,
                   level: str, *, today: date | None = None) -> RefusalAnswer:
    """The likely cause and the next moves after the lender refused rung ``level`` for
    ``reason`` (a refusal id of the data file), with the bill on ``today`` (default: the
    command line's clock). Without a budget the moves are the general ones.

    Raises:
        InputError: no case, no such debt, an unknown reason (field ``reason``).
    """
    from xieshang.engine.negotiation import next_moves
    from xieshang.services.cases import preset_of

    data = negotiation_data()
    refusal = data.refusal(reason.strip())
    case = find_case(tx, case_id)
    ladder = None
    try:
        inputs = debt_inputs(out, tx, case_id, debt_id, today=today)
        debt, preset, ladder = inputs.debt, inputs.preset, inputs.ladder
    except InputError as error:
        if error.field != "budget_statement":
            raise
        debt = find_debt(tx, case, debt_id)
        preset = preset_of(debt)
    hardship = _hardship_ids(tx, case)
    moves = tuple(next_moves(refusal.id, preset, ladder, data, refused=level,
                             hardship=hardship))
    wanted = {channel.id for move in moves for channel in move.official}
    wanted.update(COMPLAINT_CHANNELS)
    official = [_channel_json(c, out.lang) for c in data.official if c.id in wanted]
    payload: dict[str, Any] = {
        "debt": debt.id, "reason": refusal.id, "label": refusal.label.get(out.lang),
        "cause": refusal.cause.get(out.lang), "source": source_json(refusal.source),
        "rung": level, "ladder": ladder is not None,
        "moves": [{"code": move.code, "kind": move.kind.value,
                   "text": move.render(out.lang), "source": source_json(move.source),
                   "materials": [{"id": m.id, "label": m.label.get(out.lang),
                                  "detail": m.detail.get(out.lang),
                                  "source": source_json(m.source)} for m in move.materials],
                   "official": [c.id for c in move.official],
                   "channels": [_channel_json(c, out.lang, preset.source_of("channels"))
                                for c in move.channels]}
                  for move in moves],
        "channels": [_channel_json(c, out.lang, preset.source_of("channels"))
                     for c in preset.channels],
        "official": official,
    }
    return RefusalAnswer(case=case, debt=debt, name=debt_name(out, debt), refusal=refusal,
                         level=level, moves=moves, ladder=ladder, payload=payload)


def log_refusal(tx: Tx, answer: RefusalAnswer, channel: str, when: datetime,
                lang: str) -> int:
    """Record the refusal as a contact on ``channel`` at ``when`` (outcome ``refused``);
    returns the contact's id."""
    from xieshang.store.model import Contact

    refusal = answer.refusal
    return tx.add(Contact(case_id=answer.case.id, debt_id=answer.debt.id, channel=channel,
                          happened_at=when, asked=answer.level, outcome="refused",
                          notes=f"{refusal.id}: {refusal.label.get(lang)}")).id


def prepare_payload(out: Out, tx: Tx, case: Case, debt: Debt) -> dict[str, Any]:
    """What to prepare before contacting the lender about ``debt``, as plain values in
    ``out``'s language: the materials checklist for the product and the case's hardship
    reason, the lender's channels (with the preset's source), the know-your-rights card and
    the warning card about paid agents."""
    from xieshang.engine.negotiation import materials_for
    from xieshang.services.cases import preset_of

    data = negotiation_data()
    hardship = _hardship_ids(tx, case)
    preset = preset_of(debt)
    materials = materials_for(data, preset.product_kind, hardship)
    return {
        "debt": debt.id, "preset": preset.id, "product_kind": preset.product_kind.value,
        "hardship": list(hardship),
        "materials": [{"id": m.id, "label": m.label.get(out.lang),
                       "detail": m.detail.get(out.lang), "source": source_json(m.source)}
                      for m in materials],
        "channels": [_channel_json(c, out.lang, preset.source_of("channels"))
                     for c in preset.channels],
        "rights": card_json(data.rights, out.lang, preset.product_kind.value),
        "scam": card_json(data.scam, out.lang),
    }


#: What was asked at a contact logged by ``xieshang refused`` (the rung's level), as a
#: document says it (msgids).
ASKED = {
    "ask": N_("a repayment arrangement (my first proposal)"),
    "fallback": N_("a repayment arrangement (my second proposal)"),
    "walk_away": N_("a repayment arrangement (the most I can pay)"),
}

#: The collection rule each call alert applies (a parameter of ``_law.toml``) and its kind
#: in the documents.
_CALL_RULES = {"call_in_quiet_hours": ("collection.quiet_from", "quiet_hours"),
               "calls_over_limit": ("collection.max_effective_calls_per_day", "over_limit")}


def _debt_contacts(tx: Tx, case: Case, debt: Debt, day: date) -> list[Any]:
    """The contacts about ``debt`` up to ``day``, oldest first: those logged for it, and
    those logged for no debt when the case has only this one."""
    from xieshang.store.model import Contact, Debt

    alone = tx.count(Debt, case_id=case.id) == 1
    found = [c for c in tx.find(Contact, case_id=case.id)
             if (c.debt_id == debt.id or (c.debt_id is None and alone))
             and c.happened_at.date() <= day]
    return sorted(found, key=lambda c: (c.happened_at, c.id))


def _agent(out: Out, contact: Any) -> str:
    """Who answered, as a document names them: name and staff number, phone numbers
    masked."""
    from xieshang.engine.identity import mask_phone_numbers

    name, staff = contact.agent_name, contact.agent_id
    if name and staff:
        text = out._("{name}, staff number {id}").format(name=name, id=staff)
    elif staff:
        text = out._("staff number {id}").format(id=staff)
    else:
        text = name
    return mask_phone_numbers(text)


def document_history(out: Out, tx: Tx, case: Case, debt: Debt, day: date) -> dict[str, Any]:
    """What the contact log says about ``debt`` for its documents (the ``contacts`` and
    ``calls`` of :func:`xieshang.documents.build_context`): every contact about repayment
    (a collector's call counts when something was asked, offered or answered in it), in
    ``out``'s language with the agent's phone numbers masked, and the collector calls that
    break the collection rules with the rule's public source."""
    from xieshang.documents import FlaggedCall, LoggedContact
    from xieshang.engine.identity import mask_phone_numbers
    from xieshang.rules import law
    from xieshang.services.contacts import CHANNELS, OUTCOMES, call_alerts, outcome_kind

    _ = out._
    found = _debt_contacts(tx, case, debt, day)
    contacts = []
    for contact in found:
        collector = contact.channel == "collector_call"
        if collector and not (contact.asked or contact.offered or contact.outcome):
            continue
        kind = outcome_kind(contact.outcome)
        asked = contact.asked
        if asked in ASKED:
            asked = _(ASKED[asked])
        contacts.append(LoggedContact(
            when=contact.happened_at, channel=_(CHANNELS.get(contact.channel, contact.channel)),
            collector=collector,
            agent=_agent(out, contact),
            reference=contact.reference, asked=asked, offered=contact.offered, outcome=kind,
            outcome_text="" if kind else _(OUTCOMES.get(contact.outcome, contact.outcome))))
    rules = law()
    by_id = {contact.id: contact for contact in found}
    calls = []
    for alert in call_alerts(found, day):
        parameter, rule = _CALL_RULES[alert.code.value]
        source = rules.source_of(parameter)
        collection = rules.collection
        notes = "" if len(alert.contact_ids) != 1 else by_id[alert.contact_ids[0]].notes
        calls.append(FlaggedCall(
            when=min(by_id[i].happened_at for i in alert.contact_ids), rule=rule,
            notes=mask_phone_numbers(notes),
            start=collection.quiet_from.strftime("%H:%M"),
            end=collection.quiet_until.strftime("%H:%M"),
            count=len(alert.contact_ids), limit=collection.max_effective_calls_per_day,
            confidence=source.confidence.value, urls=source.urls))
    return {"contacts": contacts, "calls": calls}


def _shown(value: str | None) -> str:
    """A masked value for a document: "" when absent or locked (encrypted)."""
    return "" if value is None or value.startswith("🔒") else value


def agreed_terms(tx: Tx, debt: Debt, day: date) -> AgreedTerms | None:
    """The arrangement accepted for this debt, as the documents state it (``None`` when the
    debt is not under one)."""
    from xieshang.documents import AgreedTerms
    from xieshang.services.arrangements import accepted_arrangement

    agreed = accepted_arrangement(tx, debt, day)
    if agreed is None:
        return None
    payments = list(agreed.payments)
    down = Decimal("0.00")
    if len(payments) > 1 and payments[0].on == agreed.accepted_on:
        down = payments.pop(0).amount
    return AgreedTerms(accepted_on=agreed.accepted_on, down_payment=down,
                       payments=tuple((p.on, p.amount) for p in payments))


def case_facts(out: Out, tx: Tx, case: Case, debt: Debt) -> dict[str, Any]:
    """What the case file says about the person's situation, as
    :func:`xieshang.documents.build_context` takes it: the hardship (reason, the person's
    note, since, expected recovery), the kinds of hardship evidence recorded (for the case
    or this debt; contact evidence left out), the budget's essential spending categories
    with an amount (named in ``out``'s language) and whether its income is a household's."""
    from xieshang.documents import base_lang
    from xieshang.services.budget import current_budget, norms
    from xieshang.store.model import BudgetEntry, Evidence, Hardship

    found = tx.find(Hardship, case_id=case.id)
    hardship = found[-1] if found else None
    evidence = [item.kind for item in sorted(tx.find(Evidence, case_id=case.id),
                                             key=lambda e: (e.added_on, e.id))
                if item.contact_id is None and item.debt_id in (None, debt.id)]
    spending: list[str] = []
    household = False
    budget = current_budget(tx, case, create=False)
    if budget is not None:
        rules = norms()
        code = base_lang(out.lang)
        entries = tx.find(BudgetEntry, statement_id=budget.id)
        known = {category.id: category for category in rules.categories}
        for entry in entries:
            category = known.get(entry.category)
            if (entry.section != "income" and entry.amount > 0 and category is not None
                    and category.essential):
                spending.append(category.label.get(code))
        household = budget.adults > 1 or any(
            entry.section == "income" and entry.category == "wages_partner"
            and entry.amount > 0 for entry in entries)
    return {"reason": hardship.reason if hardship else "other",
            "reason_note": hardship.description if hardship else "",
            "since": hardship.since if hardship else None,
            "recovery": hardship.recovery if hardship else None,
            "evidence": evidence, "spending": spending, "household": household}


def document_context(out: Out, tx: Tx, inputs: DebtInputs, *,
                     with_identifiers: bool = False) -> dict[str, Any]:
    """The values the debt's documents are rendered from (``xieshang script``): the bill,
    the ladder, the case's hardship (:func:`case_facts`), the person's name and the account
    masked (left out when encrypted and locked), the contact log about the debt and the
    collector calls that break the rules (:func:`document_history`), the budget as a lender
    may see it (:func:`lender_statement`), in ``out``'s language (for zh-Hant: zh).

    ``with_identifiers``: the person chose, and confirmed, to put their name, ID number,
    phone and card or account number unmasked in the document they will send
    (:func:`identifiers_of`); they go into that document only, never into a log."""
    return _context(out, tx, inputs.case, inputs.debt, inputs.day, bill=inputs.bill,
                    preset=inputs.preset, ladder=inputs.ladder,
                    with_identifiers=with_identifiers,
                    statement=lender_statement(out, tx, inputs.case, inputs.day))


def _plain(value: Any) -> str:
    """A personal value as stored in clear ("" when absent or sealed: the store is
    locked)."""
    from xieshang.store.model import Sealed

    return "" if value is None or isinstance(value, Sealed) else str(value)


def identifiers_of(case: Case, debt: Debt) -> Identifiers:
    """The person's identifiers unmasked, for the one document they chose to send with them
    (name, ID number, phone, the debt's card or account number; "" for what is not recorded
    or still encrypted)."""
    from xieshang.documents import Identifiers

    return Identifiers(name=_plain(case.full_name), id_number=_plain(case.id_number),
                       phone=_plain(case.phone), account=_plain(debt.account_number))


def lender_statement(out: Out, tx: Tx, case: Case, day: date) -> BudgetStatement | None:
    """The budget as a lender may see it (the ``budget`` document, attached to the
    application): monthly income, the essential spending the working subtracts (priority
    obligations and essential costs, by category, and the emergency buffer), what is left for
    all debts, and each open debt's fair share with what it owes — no ladder, no walk-away
    point. ``None`` without a budget."""
    from xieshang.documents import BudgetStatement, base_lang
    from xieshang.services.budget import budget_view, norms
    from xieshang.store.model import Debt

    view = budget_view(tx, case, "pro_rata", as_of=day)
    if view is None:
        return None
    code = base_lang(out.lang)
    known = {category.id: category for category in norms().categories}
    spending: dict[str, Decimal] = {}
    for entry in view.entries:
        category = known.get(entry.category)
        if entry.section == "income" or entry.amount <= 0 or category is None:
            continue
        if entry.section == "priority" or category.essential:
            label = category.label.get(code)
            spending[label] = spending.get(label, Decimal("0.00")) + entry.amount
    result = view.affordability
    if result.buffer > 0:
        spending[out._("Emergency buffer")] = result.buffer
    debts = {debt.id: debt for debt in tx.find(Debt, case_id=case.id)}
    creditors = tuple((_creditor(out, debts[part.debt]), part.balance, part.amount)
                      for part in view.parts)
    return BudgetStatement(income=result.income, spending=tuple(spending.items()),
                           available=view.available, creditors=creditors)


def _creditor(out: Out, debt: Debt) -> str:
    """A creditor as the budget statement names it: the lender as entered, or the
    product's lender, with the product."""
    from xieshang.services.cases import preset_of

    preset = preset_of(debt)
    lender = debt.lender or preset.lender.get("en" if out.lang == "en" else "zh")
    product = debt.label or preset.name.get("en" if out.lang == "en" else "zh")
    for qualifier in ("（通用）", " (generic)"):
        product = product.removesuffix(qualifier)
    return f"{lender}（{product}）" if out.lang != "en" else f"{lender} ({product})"


#: The documents that state no share of the budget and no proposal from it: they can be
#: written before a budget exists.
WITHOUT_BUDGET = frozenset({"complaint", "social", "confirm", "noreply", "reconsider",
                            "statement", "collector", "agreement"})

#: The documents that can carry the person's identifiers unmasked (sent to the lender, or
#: signed by both sides); a script, a chat, a public post never do.
IDENTIFIED = frozenset({"letter", "hardship", "confirm", "budget", "noreply", "reconsider",
                        "statement", "collector", "complaint", "agreement"})


def budgetless_context(out: Out, tx: Tx, case_id: str | None, debt_id: str | None, *,
                       today: date | None = None,
                       with_identifiers: bool = False) -> dict[str, Any]:
    """The values for the documents in :data:`WITHOUT_BUDGET` when the case has no budget
    yet: as :func:`document_context`, without a ladder (``budget`` false)."""
    from xieshang.services.cases import preset_of

    case = find_case(tx, case_id)
    debt = find_debt(tx, case, debt_id)
    day = today if today is not None else session_today()
    return _context(out, tx, case, debt, day, bill=_bill_today(tx, debt, day),
                    preset=preset_of(debt), ladder=None, with_identifiers=with_identifiers)


def _context(out: Out, tx: Tx, case: Case, debt: Debt, day: date, *, bill: Bill,
             preset: Preset, ladder: Ladder | None, with_identifiers: bool = False,
             statement: BudgetStatement | None = None) -> dict[str, Any]:
    from xieshang.documents import build_context
    from xieshang.services.cases import masked

    person = case.full_name or case.name
    history = document_history(out, tx, case, debt, day)
    return build_context(
        identifiers=identifiers_of(case, debt) if with_identifiers else None,
        statement=statement,
        agreed=agreed_terms(tx, debt, day),
        lang=out.lang, today=day, applicant=_shown(masked(out, "name", person)),
        account=_shown(masked(out, "account", debt.account_number)),
        preset=preset, bill=bill, ladder=ladder, settings=negotiation_data(),
        lender=debt.lender, **case_facts(out, tx, case, debt), **history)


#: What each confidence mark means (the same words as the questions page).
MARK_WORDS = {
    "V": N_("read in the rule itself"),
    "S": N_("secondary source"),
    "C": N_("our own calculation or advice, not a rule"),
    "NF": N_("not found: no authoritative rule"),
    "USER": N_("set by you"),
}


def mark_words(out: Out, mark: str) -> str:
    """A confidence mark with what it means: ``[S] 二手资料``."""
    return f"[{mark}] {out._(MARK_WORDS[mark])}" if mark in MARK_WORDS else f"[{mark}]"


def _evidence_index(out: Out, tx: Tx, case: Case) -> list[tuple[str, ...]]:
    """The case's evidence files, oldest first: (file, kind, note, added, SHA-256, check).
    Contact evidence names the contact (when and channel); the check says whether the file
    is still where it was and unchanged (only the fingerprint is kept when it was recorded
    without a path)."""
    from pathlib import Path

    from xieshang.services.cases import EVIDENCE_KINDS, file_state
    from xieshang.services.contacts import CHANNELS
    from xieshang.store.model import Contact, Evidence

    _ = out._
    states = {"ok": _("unchanged"), "changed": _("changed since added"),
              "missing": _("file not found")}
    rows: list[tuple[str, ...]] = []
    for item in sorted(tx.find(Evidence, case_id=case.id), key=lambda e: (e.added_on, e.id)):
        path = Path(item.path)
        kind = _(EVIDENCE_KINDS.get(item.kind, EVIDENCE_KINDS["other"]))
        contact = None if item.contact_id is None else tx.get(Contact, item.contact_id)
        if contact is not None:
            kind = _("Contact evidence: {when}, {channel}").format(
                when=contact.happened_at.isoformat(sep=" ", timespec="minutes"),
                channel=_(CHANNELS.get(contact.channel, contact.channel)))
        else:
            kind = _("Hardship evidence: {kind}").format(kind=kind)
        state = (_("only the fingerprint is kept") if not path.is_absolute()
                 else states[file_state(item)])
        note = "" if item.note == "contact" and contact is not None else item.note
        rows.append((path.name, kind, note, item.added_on.isoformat(), item.sha256, state))
    return rows


def _ahead(out: Out, tx: Tx, debts: list[Debt], day: date) -> list[Any]:
    """The milestones still to come for the debts (from ``day`` on, then the undated ones),
    each with its public sources and confidence mark. A rule that reads the same for several
    debts (the limitation period …) is listed once, naming them all."""
    from xieshang.documents import cited
    from xieshang.documents.dossier import DossierMilestone
    from xieshang.engine.timeline import timeline
    from xieshang.rules import law
    from xieshang.services.debts import current_bill

    rules = law()
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for debt in debts:
        _bill, engine_debt = current_bill(tx, debt, day)
        if engine_debt is None:
            continue
        name = debt_name(out, debt)
        for event in timeline(engine_debt, day, rules):
            if not event.applies or event.passed:
                continue
            title, detail = event.title.get(out.lang), event.detail.get(out.lang)
            key = (event.on, title, detail) if event.on is None else (debt.id, event.id)
            entry = merged.setdefault(key, {"event": event, "debts": []})
            entry["debts"].append(name)
    rows = []
    for entry in merged.values():
        event = entry["event"]
        rows.append(DossierMilestone(
            on=out._("date not known") if event.on is None else event.on.isoformat(),
            debts=", ".join(entry["debts"]), title=event.title.get(out.lang),
            detail=event.detail.get(out.lang),
            amount="" if event.amount_due is None else out.money(event.amount_due),
            sources="; ".join(cited(event.urls)) or out._("no public source recorded"),
            mark=mark_words(out, event.confidence.value)))
    return sorted(rows, key=lambda row: (row.on == out._("date not known"), row.on))


BILL_ROWS = (
    ("principal", N_("Principal")),
    ("interest", N_("Interest")),
    ("penalty", N_("Penalty")),
    ("fees", N_("Fees")),
    ("total", N_("Owed in all")),
)


def case_dossier(out: Out, tx: Tx, case_id: str | None, *, today: date | None = None) -> Any:
    """Gather the case into a :class:`xieshang.documents.dossier.Dossier`."""
    from xieshang.documents import DocumentKind, build_context, render_document
    from xieshang.documents.dossier import Dossier, DossierDebt
    from xieshang.engine.bill import Bill
    from xieshang.services.budget import budget_report, budget_view
    from xieshang.services.cases import REASONS, masked
    from xieshang.services.debts import current_bill, open_debts, own_preset
    from xieshang.store.model import Commitment, Contact, Debt, Hardship

    _ = out._
    case = find_case(tx, case_id)
    day = today if today is not None else session_today()
    found = tx.find(Hardship, case_id=case.id)
    hardship = found[-1] if found else None
    situation: list[tuple[str, str]] = []
    timeline: list[tuple[str, str]] = []
    if hardship is not None:
        situation.append((_("Why behind"), _(REASONS.get(hardship.reason, REASONS["other"]))))
        if hardship.since:
            situation.append((_("Since"), hardship.since.isoformat()))
            timeline.append((hardship.since.isoformat(), _(REASONS.get(hardship.reason,
                                                                       REASONS["other"]))))
        if hardship.recovery:
            situation.append((_("Expected recovery"), hardship.recovery.isoformat()))
        if hardship.description:
            situation.append((_("In your own words"), hardship.description))
    view = budget_view(tx, case, "pro_rata", as_of=day)
    report = budget_report(out, tx, case, "pro_rata", as_of=day)  # the working, in words
    shares = {} if view is None else {part.debt: part.amount for part in view.parts}
    income = None if view is None else view.income
    applicant = _shown(masked(out, "name", case.full_name or case.name))
    debts = []
    for debt in open_debts(tx, case.id):
        preset = own_preset(debt)
        bill, _engine = current_bill(tx, debt, day)
        if bill is None:
            bill = Bill(as_of=day, principal=debt.principal, interest=debt.interest,
                        penalty=debt.penalty, fees=debt.fees)
        name = debt_name(out, debt)
        if debt.due_date is not None:
            timeline.append((debt.due_date.isoformat(),
                             _("{debt}: payment missed").format(debt=name)))
        account = _shown(masked(out, "account", debt.account_number))
        rows, scripts = [], []
        terms = agreed_terms(tx, debt, day)
        if terms is not None:  # the lender agreed: the arrangement, not the ladder
            timeline.append((terms.accepted_on.isoformat(),
                             _("{debt}: arrangement accepted").format(debt=name)))
            rows = [(_("Agreed arrangement"), str(len(terms.payments)),
                     out.money(terms.monthly), out.money(terms.total), "—", "—")]
        if debt.id in shares and bill.total > 0 and terms is not None:
            ladder = debt_ladder(debt, bill, shares[debt.id], day, income)
            context = build_context(
                lang=out.lang, today=day, applicant=applicant, account=account,
                preset=preset, bill=bill, ladder=ladder, settings=negotiation_data(),
                lender=debt.lender, **case_facts(out, tx, case, debt),
                agreed=terms, **document_history(out, tx, case, debt, day))
            scripts = [(_("Request for written confirmation"),
                        render_document(DocumentKind.CONFIRM, context, out.lang))]
        elif debt.id in shares and bill.total > 0:
            ladder = debt_ladder(debt, bill, shares[debt.id], day, income)
            rows = [(rung.label.get(out.lang), str(rung.periods or "—"),
                     out.money(rung.monthly), out.money(rung.total_paid),
                     "—" if rung.evaluation is None
                     else out.money(rung.evaluation.schedule.total_cost),
                     "—" if rung.evaluation is None
                     else format_percent(rung.evaluation.apr_nominal))
                    for rung in ladder.rungs]
            context = build_context(
                lang=out.lang, today=day, applicant=applicant, account=account,
                preset=preset, bill=bill, ladder=ladder, settings=negotiation_data(),
                lender=debt.lender, **case_facts(out, tx, case, debt),
                **document_history(out, tx, case, debt, day))
            scripts = [(_("Phone script"), render_document(DocumentKind.PHONE, context,
                                                           out.lang)),
                       (_("Written application"), render_document(DocumentKind.LETTER,
                                                                  context, out.lang))]
        debts.append(DossierDebt(
            name=name, lender=debt.lender or preset.lender.get(out.lang), account=account,
            bill=[(_(label), out.money(getattr(bill, key))) for key, label in BILL_ROWS],
            days_overdue=bill.days_overdue, ladder=rows, scripts=scripts))
    from xieshang.engine.identity import mask_phone_numbers
    from xieshang.services.contacts import CHANNELS, OUTCOMES, PARTIES, PROMISE_STATUSES

    contacts = []
    found_contacts = sorted(tx.find(Contact, case_id=case.id),
                            key=lambda c: (c.happened_at, c.id))
    for contact in found_contacts:
        when = contact.happened_at.isoformat(sep=" ", timespec="minutes")
        channel = _(CHANNELS.get(contact.channel, contact.channel))
        outcome = _(OUTCOMES[contact.outcome]) if contact.outcome in OUTCOMES \
            else contact.outcome
        contacts.append((when, channel, mask_phone_numbers(
            " / ".join(v for v in (contact.agent_name, contact.agent_id) if v)),
            contact.reference,
            _(ASKED[contact.asked]) if contact.asked in ASKED
            else mask_phone_numbers(contact.asked),
            mask_phone_numbers(contact.offered), outcome, mask_phone_numbers(contact.notes)))
        timeline.append((when, _("Contact by {channel}: {outcome}").format(
            channel=channel, outcome=outcome or "—")))
    commitments = []
    names = {debt.id: debt_name(out, debt) for debt in tx.find(Debt, case_id=case.id)}
    for item in tx.find(Commitment, case_id=case.id):
        party = _(PARTIES.get(item.party, item.party))
        what = item.description or " · ".join(
            part for part in (names.get(item.debt_id or 0, ""), item.condition) if part)
        commitments.append((party, what, out.money(item.amount),
                            "" if item.due_on is None else item.due_on.isoformat(),
                            _("yes") if item.confirmed_in_writing else _("no"),
                            _(PROMISE_STATUSES.get(item.status, item.status))))
        if item.due_on is not None:
            timeline.append((item.due_on.isoformat(), _("{party} promised: {what}").format(
                party=party, what=what or out.money(item.amount))))
    budget = [] if report is None else [
        (step["label"], out.money(step["amount"])) for step in report["affordability"]["steps"]]
    note = "" if report is None else report["affordability"]["explanation"]
    open_ones = open_debts(tx, case.id)
    return Dossier(title=applicant or _("Case {id}").format(id=case.id), today=day.isoformat(),
                   situation=situation, debts=debts, timeline=sorted(timeline),
                   budget=budget, budget_note=note, contacts=contacts,
                   commitments=commitments, evidence=_evidence_index(out, tx, case),
                   ahead=_ahead(out, tx, open_ones, day),
                   risks=[(risk.debt, risk.paragraphs, risk.sources, risk.mark)
                          for risk in overdraft_risks(out, tx, case, day)])


#: The small-amount path (issue 14): when this month's budget clears the whole amount owed,
#: say so first, what waiting costs and what to do after paying (msgids).
PAY_NOW = (
    N_("You can clear {debt} now: your budget leaves {available} this month and it owes "
       "{total}. Paying it in full is simpler than negotiating."),
    N_("Waiting costs about {daily} a day (estimate) and the overdue record keeps "
       "growing."),
    N_("After paying: ask the lender to confirm it is settled (a screenshot or a settlement "
       "certificate); check your credit report in a month or two; set a reminder of the "
       "repayment day (`xieshang remind`) so it does not happen again."),
)


def pay_now_lines(out: Out, inputs: DebtInputs) -> list[str]:
    """The small-amount path in ``out``'s language, when it applies (else none)."""
    if not inputs.pay_now or inputs.available is None:
        return []
    values = {"debt": debt_name(out, inputs.debt), "available": out.money(inputs.available),
              "total": out.money(inputs.bill.total),
              "daily": out.money(inputs.bill.daily_cost)}
    return [out._(text).format(**values) for text in PAY_NOW]


#: The case-level legal-risk panel for cards above the malicious-overdraft amount: each
#: paragraph a msgid whose figures come from ``_law.toml`` (issue 14).
OVERDRAFT_PANEL = (
    N_("Counting repayments against principal first, the unpaid overdraft principal of "
       "{debt} is {principal}: at or above {floor}, where the \"large amount\" of malicious "
       "card overdraft (Criminal Law, Article 196) starts. The amount that counts is the "
       "overdraft principal still unpaid when the police open a case (interest and fees "
       "excluded), so every payment lowers it."),
    N_("This alone is not a crime. Malicious overdraft needs all of: intent of illegal "
       "possession; overdrawing beyond the limit or term; and still not repaying more than "
       "{months} months after {demands} effective demands from the bank, at least {gap} days "
       "apart. Not paying on time is not by itself proof of that intent."),
    N_("The intent is presumed, unless evidence shows otherwise, when for example someone "
       "overdrew heavily knowing they could not repay, absconded or changed contact details "
       "to avoid the bank, or hid or moved assets to avoid repaying."),
    N_("Where the amount is large, repaying in full before prosecution allows the "
       "prosecutors not to prosecute, and before the first-instance judgment allows no "
       "criminal penalty — except for someone with {penalties} or more earlier credit-card "
       "fraud penalties."),
    N_("What helps: keep your phone on and keep the same number, answer or reply to the "
       "bank, keep a record of every contact and offer (`xieshang log add`), and pay what "
       "you can, even a little."),
)


@dataclass(frozen=True, slots=True)
class OverdraftRisk:
    """One card whose unpaid overdraft principal reaches the malicious-overdraft amount,
    as the risk panel states it.

    Attributes:
        debt: the debt's name (``#2 招行信用卡``).
        principal: the unpaid overdraft principal, repayments against principal first.
        paragraphs: the panel's text in the person's language, figures filled in.
        sources: the public sources (the law's and the interpretation's titles).
        mark: the confidence mark with what it means.
    """

    debt: str
    principal: Decimal
    paragraphs: tuple[str, ...]
    sources: str
    mark: str


def overdraft_risks(out: Out, tx: Tx, case: Case, day: date) -> list[OverdraftRisk]:
    """The case's open cards whose unpaid overdraft principal (repayments against principal
    first) is at or above the malicious-overdraft amount of ``_law.toml``, each with the
    calm, sourced explanation of :data:`OVERDRAFT_PANEL` (the verified conditions: the
    presumption and its exception, the amount counted when the police open a case, full
    repayment and the repeat-offender exception). A card under an accepted arrangement is
    left out (the bank agreed how it is repaid)."""
    from xieshang.engine.accrual import principal_outstanding_principal_first
    from xieshang.engine.preset import ProductKind
    from xieshang.rules import law
    from xieshang.services.cases import preset_of
    from xieshang.services.debts import current_bill, open_debts

    rules = law()
    rule = rules.malicious_overdraft
    source = rules.source_of("malicious_overdraft")
    found = []
    for debt in open_debts(tx, case.id):
        try:
            if preset_of(debt).product_kind is not ProductKind.CREDIT_CARD:
                continue
            _bill, engine_debt = current_bill(tx, debt, day)
        except InputError:
            continue
        if engine_debt is None:
            continue
        principal = principal_outstanding_principal_first(engine_debt, day)
        if principal < rule.min_principal:
            continue
        name = debt_name(out, debt)
        values = {"debt": name, "principal": out.money(principal),
                  "floor": out.money(rule.min_principal), "months":
                  rule.months_unpaid_after_demands, "demands": rule.demands,
                  "gap": rule.demand_gap_days, "penalties": rule.repeat_offender_penalties}
        found.append(OverdraftRisk(
            debt=name, principal=principal,
            paragraphs=tuple(out._(text).format(**values) for text in OVERDRAFT_PANEL),
            sources="; ".join(source.public), mark=mark_words(out, source.confidence.value)))
    return found
