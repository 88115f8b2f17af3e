"""Negotiation: what is known about one debt, the ladder of asks, an offer checked against
the budget and recorded, what to do after a refusal, the documents and the dossier."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from xieshang.clock import today as session_today
from xieshang.engine.errors import N_, InputError
from xieshang.services.cases import find_case, find_debt

if TYPE_CHECKING:
    from xieshang.documents import AgreedTerms, Identifiers
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
    "OFFER_SCOPES",
    "OVERDRAFT_PANEL",
    "PAY_NOW",
    "RUNGS",
    "VERDICTS",
    "WITHOUT_BUDGET",
    "DebtInputs",
    "RefusalAnswer",
    "agreed_terms",
    "arrangement_params",
    "arrangement_proposal",
    "bill_today",
    "card_json",
    "channel_json",
    "channel_line",
    "check_json",
    "check_offer_for",
    "debt_contacts",
    "debt_inputs",
    "format_percent",
    "hardship_ids",
    "identifiers_of",
    "ladder_json",
    "log_refusal",
    "mark_label",
    "negotiation_data",
    "offer_phase_fields",
    "offer_scope",
    "optional_amount",
    "optional_rate",
    "overdraft_cards",
    "record_offer",
    "rights_lines",
    "rights_products",
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
        savings: this debt's part of the savings or lump sum (0 for none), and
        savings_on: the day it is available (``None``: now).
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
    savings: Decimal = Decimal("0.00")
    savings_on: date | None = None

    @property
    def pay_now(self) -> bool:
        """Whether this month's budget can clear the whole amount owed at once (the
        small-amount path: pay it now rather than negotiate)."""
        return (self.available is not None and self.bill.total > 0
                and self.bill.total <= self.available)


def debt_inputs(tx: Tx, case_id: str | None, debt_id: str | None, *,
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
    bill = bill_today(tx, debt, day)
    income = view.income
    preset = own_preset(debt)
    part = _savings_part(view, debt.id)
    savings_on = view.situation.savings_on if view.situation is not None else None
    settlement = _savings_settlement(view, part, _bill_on_day(tx, debt, bill, savings_on),
                                     preset, day)
    pause = _months_to_recovery(tx, case, day) if share == 0 else None
    now = share
    share, deferral = _phased_share(tx, case, debt.id, day, share)
    regular = regular_installment(debt, bill, day)
    if regular is not None:
        due, shift = _regular_shift(debt, day, deferral) if now <= 0 else (None, 0)
        loan = build_loan_ladders(bill, preset, share, regular=regular, today=day,
                                  income=income, settings=negotiation_data(),
                                  deferral_months=deferral, pause_months=pause,
                                  regular_shift=shift, regular_due=due)
        return DebtInputs(case=case, debt=debt, preset=preset, bill=bill, affordable=share,
                          income=income or None, ladder=loan.arrears, day=day,
                          deferral_months=deferral, settlement=settlement, loan=loan,
                          available=view.available, savings=part, savings_on=savings_on)
    ladder = build_ladder(bill, preset, share, today=day, income=income,
                          settings=negotiation_data(), deferral_months=deferral,
                          pause_months=pause)
    return DebtInputs(case=case, debt=debt, preset=preset, bill=bill, affordable=share,
                      income=income or None, ladder=ladder, day=day, deferral_months=deferral,
                      settlement=settlement, available=view.available, savings=part,
                      savings_on=savings_on)


def _savings_part(view: Any, debt_id: int) -> Decimal:
    """This debt's part of the savings (:func:`xieshang.engine.situation.savings_parts`: all
    of them up to what it owes when the person put them towards this debt, the rest spread
    over the others; else its share of what all the open debts owe, the budget's own
    pro-rata split); 0 without savings."""
    from xieshang.engine.situation import savings_parts

    situation = view.situation
    if situation is None or situation.savings <= 0:
        return Decimal("0.00")
    parts = savings_parts(situation.savings,
                          [(str(part.debt), part.balance) for part in view.parts],
                          situation.savings_to)
    return parts.get(str(debt_id), Decimal("0.00"))


def _bill_on_day(tx: Tx, debt: Debt, bill: Bill, on: date | None) -> Bill:
    """What the debt owes on ``on`` (a settlement's day): the engine bills any day, so a
    settlement paid later is measured against that day's bill, not today's (``bill`` when
    ``on`` is not after it)."""
    if on is None or on <= bill.as_of:
        return bill
    return bill_today(tx, debt, on)


def _savings_settlement(view: Any, part: Decimal, bill: Bill, preset: Preset,
                        day: date) -> Any:
    """This debt's settlement from its part of the savings, when the person keeps them for
    a settlement, paid on the day the savings are available (``bill``: that day's)."""
    from xieshang.engine.negotiation import savings_settlement
    from xieshang.engine.situation import SavingsUse

    situation = view.situation
    if situation is None or part <= 0 or situation.savings_use is not SavingsUse.SETTLEMENT:
        return None
    if bill.not_yet_due > 0 and part > bill.total:
        # a loan's part beyond its arrears: the settlement is of the whole balance (as the
        # whole-balance ladder reschedules it), not arrears paid with money left unsaid
        from xieshang.engine.negotiation import whole_balance

        bill = whole_balance(bill)
    return savings_settlement(bill, preset, part, today=day, on=situation.savings_on,
                              rules=negotiation_data().ladder)


def _regular_shift(debt: Debt, day: date, deferral: int) -> tuple[date | None, int]:
    """(the next regular installment's date, the months it moves back) for a loan whose
    person has no money this month: the plan's first payment is on
    ``add_months(day, deferral + 1)``, and the regular installments are taken to move back
    (as a lender's deferral moves the rest of the schedule) until the first one falls on or
    after that day. Example: 2026-11-20, no deferral, next installment 2026-12-10 → the
    plan starts 2026-12-20, so it moves 1 month, to 2027-01-10."""
    from xieshang.engine.schedules import add_months
    from xieshang.services.debts import loan_position

    loan = loan_position(debt, day)
    if loan is None or not loan.ahead:
        return None, 0
    due: date = loan.ahead[0].due
    start = add_months(day, deferral + 1)
    months = 0
    while add_months(due, months) < start:
        months += 1
    return due, months


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


def bill_today(tx: Tx, debt: Debt, day: date) -> Bill:
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
    """A source as ``--json`` and the pages carry it: its confidence mark, the public
    addresses, and of its references only the sections of the person's own guide
    (``guide §3.1``, shipped as docs/guide.*.md); the sections of our reference files (a
    bare ``§1.15(b)``) are not public sources and are left out."""
    from xieshang.engine.preset import guide_sections

    guide = "; ".join(f"guide {section}" for section in guide_sections(source.ref))
    return {"confidence": source.confidence.value, "ref": guide, "urls": list(source.urls)}


def mark_label(source: Source) -> str:
    """A source mark for text output: the confidence mark and the public sources a reader
    can look up (a law's title, a web address; at most two), never our reference files:
    ``[V] 《民法典》人格权编``."""
    from xieshang.documents import cited

    return f"[{source.confidence.value}] {'; '.join(cited(source.urls)[:2])}".strip()


def card_json(card: Card, lang: str, kind: str | None = None,
              lender_type: str | None = None) -> dict[str, Any]:
    """A card (know-your-rights or anti-scam) as plain values in one language: the points
    that apply to a product of ``kind`` lent by a lender of ``lender_type`` (``None``: all),
    each with its public sources."""
    from xieshang.documents import cited

    return {"title": card.title.get(lang), "intro": card.intro.get(lang),
            "items": [{"id": item.id, "text": item.text.get(lang),
                       "source": source_json(item.source),
                       "cited": cited(item.source.urls)}
                      for item in card.for_kind(kind, lender_type)]}


def scam_line(lang: str) -> str:
    """The anti-scam card's one-line reminder (its intro)."""
    return negotiation_data().scam.intro.get(lang)


def rights_lines(lang: str, kind: str | None = None,
                 products: Sequence[tuple[str, str]] = ()) -> list[str]:
    """The know-your-rights card as lines to print: its title, its intro, then each point
    that applies to a product of ``kind`` (``None``: every point, each naming the products
    it is about) — or, when ``products`` are given (``(product kind, lender type)`` pairs, as
    :func:`rights_products` lists a case's debts), each point that applies to one of them —
    with its confidence mark and public sources."""
    card = negotiation_data().rights
    items = ([item for item in card.items
              if any(item.applies_to(k, t) for k, t in products)]
             if products else list(card.for_kind(kind)))
    return [card.title.get(lang), card.intro.get(lang),
            *(f"{item.text.get(lang)} {mark_label(item.source)}" for item in items)]


def rights_products(tx: Tx, case: Case, debt_id: int | None = None
                    ) -> tuple[tuple[str, str], ...]:
    """The ``(product kind, lender type)`` of the case's debts (or of debt ``debt_id``),
    each once, for the rights card: a bank card's case is shown the banks' rules, not the
    online lenders' (a debt whose product is not found is left out)."""
    from xieshang.services.cases import preset_of
    from xieshang.store.model import Debt

    found: dict[tuple[str, str], None] = {}
    for debt in tx.find(Debt, case_id=case.id):
        if debt_id is not None and debt.id != debt_id:
            continue
        try:
            preset = preset_of(debt)
        except InputError:
            continue
        found[(preset.product_kind.value, preset.lender_type.value)] = None
    return tuple(found)


def hardship_ids(tx: Tx, case: Case) -> tuple[str, ...]:
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
            "regular_shift": loan.regular_shift, "regular_next": loan.regular_next,
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


#: What an offer on a loan with installments still ahead covers (msgids): asked, not guessed.
OFFER_SCOPES = {"arrears": N_("only the overdue installments (the regular ones go on)"),
                "whole": N_("the whole balance, rescheduled (the overdue and the later "
                            "installments)")}


def offer_phase_fields(defer_months: str | None, token: str | None, settle: str | None,
                       settle_on: str | None) -> dict[str, Any]:
    """The offer's phases as typed (a deferral in months, a token payment, a settlement
    amount and its day) → :class:`xieshang.engine.negotiation.Offer` fields."""
    from xieshang.engine.parsing import parse_count, parse_date
    from xieshang.engine.schedules import MAX_PERIODS

    defer = (defer_months or "").strip()
    day = (settle_on or "").strip()
    return {
        "deferral_months": parse_count(defer, "defer_months", minimum=0,
                                       maximum=MAX_PERIODS) if defer else 0,
        "token_payment": optional_amount(token, "token"),
        "settlement_amount": optional_amount(settle, "settle"),
        "settle_on": parse_date(day, "settle_on") if day else None}


def offer_scope(text: str | None) -> str | None:
    """``--scope`` / the form's ``scope``: ``arrears`` or ``whole`` (None: not said)."""
    if text is None or not text.strip():
        return None
    key = text.strip().lower()
    if key not in OFFER_SCOPES:
        raise InputError("scope", N_("'{value}' is not one of: {known}"), value=text,
                         known=", ".join(OFFER_SCOPES))
    return key


def check_offer_for(inputs: DebtInputs, offer: Offer, scope: str | None = None,
                    tx: Tx | None = None) -> OfferCheck:
    """A lender's offer checked against this debt's share of the budget and its ladder
    (the share is the one the budget and the plan show: :attr:`DebtInputs.affordable`).

    On a loan with installments still ahead, ``scope`` says what the offer covers: the
    overdue installments (``arrears``: checked against the share less the regular
    installment) or the whole balance (``whole``). It is asked, never guessed.

    A settlement is checked against the bill on the day it is paid (``tx`` reads it) and
    what can be paid at once by then: this month's share, plus the debt's part of the
    savings when they are available by that day.

    Raises:
        InputError: (field ``scope``) a loan with installments ahead and no ``scope``.
    """
    from xieshang.engine.money import format_money
    from xieshang.engine.negotiation import check_offer, whole_balance
    from xieshang.engine.schedules import add_months
    from xieshang.rules import lpr_table, rate_law

    start = add_months(inputs.day, inputs.deferral_months + 1) if inputs.deferral_months \
        else None
    priced = {"law": rate_law()["law"], "fixings": lpr_table(), "pay_from": start}
    if offer.settlement_amount is not None:
        on = offer.settle_on or inputs.day
        bill = inputs.bill if tx is None else _bill_on_day(tx, inputs.debt, inputs.bill, on)
        if inputs.loan is not None:
            bill = whole_balance(bill)  # a settlement ends the loan: the whole balance
        ready = inputs.savings_on is None or inputs.savings_on <= on
        at_once = inputs.affordable + (inputs.savings if ready else Decimal("0.00"))
        return check_offer(bill, inputs.preset, offer, inputs.affordable, inputs.ladder,
                           today=inputs.day, lump_sum=at_once)
    loan = inputs.loan
    if loan is not None:
        if scope is None:
            raise InputError("scope", N_(
                "this loan also has {amount} of principal not yet due: say whether the offer "
                "covers only the overdue installments (arrears) or reschedules the whole "
                "balance (whole)"), amount=format_money(inputs.bill.not_yet_due))
        if scope == "whole":
            return check_offer(loan.whole_bill, inputs.preset, offer, inputs.affordable,
                               loan.whole, today=inputs.day, **priced)
        return check_offer(inputs.bill, inputs.preset, offer,
                           max(Decimal("0.00"), inputs.affordable - loan.regular),
                           loan.arrears, today=inputs.day, **priced)
    return check_offer(inputs.bill, inputs.preset, offer, inputs.affordable, inputs.ladder,
                       today=inputs.day, **priced)


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
              "down_payment": check.down_payment, "method": offer.method.value,
              "deferral_months": offer.deferral_months, "token_payment": offer.token_payment,
              "settlement_amount": offer.settlement_amount,
              "settle_on": None if offer.settle_on is None else offer.settle_on.isoformat()}
    return {key: value if isinstance(value, int) or value is None else str(value)
            for key, value in values.items()}


def arrangement_proposal(params: dict[str, Any]) -> Any:
    """The :class:`xieshang.engine.arrangements.Proposal` of stored ``arrangement_params``."""
    from xieshang.engine.arrangements import Kind, Proposal
    from xieshang.engine.schedules import Method

    def number(key: str) -> Decimal | None:
        value = params.get(key)
        return None if value is None else Decimal(str(value))

    if params.get("settlement_amount") is not None:
        on = params.get("settle_on")
        return Proposal(Kind.SETTLEMENT, settlement_amount=number("settlement_amount"),
                        pay_on=None if on is None else date.fromisoformat(on))
    deferral = int(params.get("deferral_months") or 0)
    return Proposal(Kind.DEFERRAL if deferral else Kind.INSTALLMENTS,
                    periods=int(params["periods"]), deferral_months=deferral,
                    token_payment=number("token_payment") or Decimal("0.00"),
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
        "down_payment": typed.get("down_payment"), "verdict": check.verdict.value,
        "defer_months": typed.get("defer_months"), "token": typed.get("token"),
        "settle": typed.get("settle"), "settle_on": typed.get("settle_on")}
    params = {k: v for k, v in params.items() if v is not None}
    if accept:
        from xieshang.engine.negotiation import offer_phases
        from xieshang.services.arrangements import (
            agreed_payments,
            phase_params,
            schedule_params,
        )
        from xieshang.store.model import Payment

        if inputs.loan is not None and typed.get("scope") == "arrears":
            # the regular installments move back with the arrears deferred (an assumption,
            # said with the ladder): by the plan's own shift, or the offer's deferral
            params["scope"] = "arrears"
            params["regular_shift"] = max(inputs.loan.regular_shift, offer.deferral_months)
        params["arrangement"] = arrangement_params(offer, check)
        params["schedule"] = schedule_params(agreed_payments(check))
        params["phases"] = phase_params(offer_phases(check))
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


def channel_json(channel: Any, lang: str, source: Source | None = None) -> dict[str, Any]:
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


def log_refusal(tx: Tx, answer: RefusalAnswer, channel: str, when: datetime,
                lang: str) -> int:
    """Record the refusal as a contact on ``channel`` at ``when`` (outcome ``refused``);
    returns the contact's id."""
    from xieshang.store.model import Contact

    refusal = answer.refusal
    return tx.add(Contact(case_id=answer.case.id, debt_id=answer.debt.id, channel=channel,
                          happened_at=when, asked=answer.level, outcome="refused",
                          notes=f"{refusal.id}: {refusal.label.get(lang)}")).id


#: What was asked at a contact logged by ``xieshang refused`` (the rung's level), as a
#: document says it (msgids).
ASKED = {
    "ask": N_("a repayment arrangement (my first proposal)"),
    "fallback": N_("a repayment arrangement (my second proposal)"),
    "walk_away": N_("a repayment arrangement (the most I can pay)"),
}

def debt_contacts(tx: Tx, case: Case, debt: Debt, day: date) -> list[Any]:
    """The contacts about ``debt`` up to ``day``, oldest first: those logged for it, and
    those logged for no debt when the case has only this one."""
    from xieshang.store.model import Contact, Debt

    alone = tx.count(Debt, case_id=case.id) == 1
    found = [c for c in tx.find(Contact, case_id=case.id)
             if (c.debt_id == debt.id or (c.debt_id is None and alone))
             and c.happened_at.date() <= day]
    return sorted(found, key=lambda c: (c.happened_at, c.id))


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
                       payments=tuple((p.on, p.amount) for p in payments),
                       phases=agreed.phases)


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


#: The documents that state no share of the budget and no proposal from it: they can be
#: written before a budget exists.
WITHOUT_BUDGET = frozenset({"complaint", "social", "confirm", "noreply", "reconsider",
                            "statement", "collector", "agreement"})

#: The documents that can carry the person's identifiers unmasked (sent to the lender, or
#: signed by both sides); a script, a chat, a public post never do.
IDENTIFIED = frozenset({"letter", "hardship", "confirm", "budget", "noreply", "reconsider",
                        "statement", "collector", "complaint", "agreement"})


#: What each confidence mark means (the same words as the questions page).
MARK_WORDS = {
    "V": N_("read in the rule itself"),
    "S": N_("secondary source"),
    "C": N_("our own calculation or advice, not a rule"),
    "NF": N_("not found: no authoritative rule"),
    "USER": N_("set by you"),
}


BILL_ROWS = (
    ("principal", N_("Principal")),
    ("interest", N_("Interest")),
    ("penalty", N_("Penalty")),
    ("fees", N_("Fees")),
    ("total", N_("Owed in all")),
)


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




def overdraft_cards(tx: Tx, case: Case, day: date) -> list[tuple[Debt, Decimal]]:
    """The case's open cards whose unpaid overdraft principal (repayments against principal
    first) is at or above the malicious-overdraft amount of ``_law.toml``, each with that
    principal (the fronts explain it with :data:`OVERDRAFT_PANEL`). A card under an accepted
    arrangement is left out (the bank agreed how it is repaid)."""
    from xieshang.engine.accrual import principal_outstanding_principal_first
    from xieshang.engine.preset import ProductKind
    from xieshang.rules import law
    from xieshang.services.cases import preset_of
    from xieshang.services.debts import current_bill, open_debts

    rule = law().malicious_overdraft
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
        found.append((debt, principal))
    return found
