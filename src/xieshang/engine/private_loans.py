"""Loans from family, friends or another private lender: what a court would support if asked.

民间借贷 (``rules-cn.md`` §4.1, the SPC provisions as amended 2020). Every figure here is the
most a court would support *if the lender sued and asked for it* — not what a relative must
charge (most never ask) — and an estimate: the fronts say both.

* **Article 28** — an agreed overdue rate applies; with only a loan-period rate agreed, that
  rate continues after the due date; with neither agreed (a loan at 0 %: Article 24 keeps the
  loan period itself free) the overdue interest follows the 1-year LPR "of that time"
  (``law.no_rate_lpr_multiple`` × the LPR in force on the first overdue day);
* **Articles 25, 28, 29** — the overdue interest, 违约金 and other fees *together* are
  supported only up to ``law.lpr_multiple`` × the 1-year LPR in force when the contract was
  formed: the rate is capped, and the fees (the debt's ``fees``, where a 违约金 is entered)
  are supported only up to what the cap leaves over the interest for the days overdue;
* **Article 31** — for a contract formed before ``law.old_contracts_before`` the earlier
  rule (2015) applies to interest up to the day before it: an agreed rate up to
  ``law.old_protected``, with no rate agreed ``law.old_no_rate_overdue``, everything
  together up to ``law.old_overdue_combined``; for interest from that day the current
  limit with the LPR *when the suit is filed*, which is not known in advance: the latest
  fixing up to the day of the figure stands for it (an estimate).

A contract with no date but a due date before ``law.old_contracts_before`` was made before it
too (a loan is made before it falls due). Without a contract date otherwise, the LPR on the
due date stands for the one at formation (an estimate, said so by the fronts).

How it is charged: the accrual engine charges one overdue rate a day. The current rule's
rate is that rate; for the days under the earlier rule the difference (earlier rate −
current rate) × principal × days ÷ day basis is carried as interest already due (it bears
no charges: a private loan's base is the overdue principal). With the rule data the earlier
rates are never below the current ones (24 % is above 4 × every LPR fixing so far, 6 % above
every fixing), so the difference is never negative; were it negative, it would be left at 0
(the figure errs high, never hiding a cost). Payments made during the earlier days are not
split between the two rules (an estimate).

Rates are fractions per year; the debt's daily rate is the annual ÷ the preset's day
basis. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from xieshang.engine.accrual import OverdueDebt
from xieshang.engine.money import CONTEXT, ZERO, round_money
from xieshang.engine.preset import LenderType
from xieshang.engine.rates import LprFixing, RateLaw, lpr_on

__all__ = ["EarlierRule", "PrivateRate", "private_rate", "with_private_rate"]


@dataclass(frozen=True, slots=True)
class EarlierRule:
    """Article 31: the overdue days of an older contract that fall under the earlier rule.

    Attributes:
        start: the first overdue day.
        until: the last day under the earlier rule (the day before
            ``law.old_contracts_before``, or the day of the figure when earlier).
        days: the days from ``start`` to ``until``, both included.
        annual: the overdue rate a year the earlier rule supports.
        combined: the earlier limit for overdue interest, 违约金 and fees together.
        interest: principal × ``annual`` × ``days`` ÷ day basis, to the fen.
        extra: what the earlier rule adds over the current rate for those days, carried
            as interest already due (see the module docstring).
    """

    start: date
    until: date
    days: int
    annual: Decimal
    combined: Decimal
    interest: Decimal
    extra: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class PrivateRate:
    """The overdue rate of a private loan and where it comes from.

    Attributes:
        agreed: the overdue rate a year that was agreed (or the loan-period rate, Art. 28
            ¶2 (2)), ``None`` when no rate was agreed (a loan at 0 %).
        lpr_default: no rate was agreed: the overdue rate follows the LPR (Art. 28 ¶2 (1)).
        lpr: the LPR fixing of the first overdue day the rate follows (``None`` when a rate
            was agreed).
        cap: the limit a year, ``law.lpr_multiple`` × ``cap_lpr``.
        cap_lpr: the LPR fixing the limit is taken from.
        cap_basis: ``contract_date`` (Article 25), ``as_of`` (Article 31, a contract formed
            before the current rule: the latest fixing stands for the one when a suit is
            filed) or ``due_date`` (no contract date given: an estimate).
        annual: the rate used under the current rule: the agreed rate (or the LPR) capped.
        capped: whether the cap lowered it.
        earlier: the days under the earlier rule (Article 31), ``None`` when there are none.
        fees_entered: the 违约金 and other fees entered on the debt.
        fees_supported: the part of them within the combined limit (Art. 29) for the days
            overdue so far.
        loan_period_rate: the rate used is the loan-period rate continuing after the due
            date (no overdue rate of its own was agreed, Art. 28 ¶2 (2)).
        fees_daily: while part of the fees is not yet supported, what each further day
            adds to the supported part (principal × (cap − rate) ÷ day basis, to the fen);
            0 otherwise. The accrual's daily cost leaves it out (the fees are fixed on the
            day of the figure), so the fronts say it.
        claimable: with no rate agreed (``lpr_default``), the interest a court would
            support from the first overdue day to the day of the figure *if the lender
            asked for it* (Art. 28 ¶2 (1); the earlier rule's days included). It is not
            counted in what is owed: nobody agreed to it, and many relatives and friends
            never ask. 0 when a rate was agreed (that interest is owed and charged).
    """

    agreed: Decimal | None
    lpr_default: bool
    cap: Decimal
    cap_lpr: LprFixing
    cap_basis: str
    annual: Decimal
    capped: bool
    lpr: LprFixing | None = None
    earlier: EarlierRule | None = None
    fees_entered: Decimal = ZERO
    fees_supported: Decimal = ZERO
    loan_period_rate: bool = False
    fees_daily: Decimal = ZERO
    claimable: Decimal = ZERO

    @property
    def fees_cut(self) -> bool:
        """Whether the combined limit leaves part of the fees unsupported."""
        return self.fees_supported < self.fees_entered


def private_rate(agreed_daily: Decimal | None, day_basis: int, due_date: date,
                 contract_date: date | None, as_of: date,
                 fixings: Sequence[LprFixing], law: RateLaw) -> PrivateRate:
    """The overdue rate a year of a private loan under the current rule (see the module
    docstring); ``agreed_daily`` ``None`` means no rate was agreed."""
    agreed = None if agreed_daily is None else CONTEXT.multiply(agreed_daily, day_basis)
    if _older_contract(contract_date, due_date, law):
        basis, cap_day = "as_of", max(as_of, law.old_contracts_before)
    elif contract_date is None:
        basis, cap_day = "due_date", due_date
    else:
        basis, cap_day = "contract_date", contract_date
    first = fixings[0].effective_from
    cap_lpr = lpr_on(fixings, max(cap_day, first))
    cap = CONTEXT.multiply(law.lpr_multiple, cap_lpr.rate)
    lpr = None
    wanted = agreed
    if wanted is None:
        lpr = lpr_on(fixings, max(due_date + timedelta(days=1), first))
        wanted = CONTEXT.multiply(law.no_rate_lpr_multiple, lpr.rate)
    annual = min(wanted, cap)
    return PrivateRate(agreed=agreed, lpr_default=agreed is None, cap=cap, cap_lpr=cap_lpr,
                       cap_basis=basis, annual=annual, capped=wanted > cap, lpr=lpr)


def _older_contract(contract_date: date | None, due_date: date, law: RateLaw) -> bool:
    """Formed before the current rule: by its date, or (no date) by a due date before it."""
    made = contract_date if contract_date is not None else due_date
    return made < law.old_contracts_before


def _agreed_daily(debt: OverdueDebt) -> Decimal | None:
    """The agreed overdue rate a day: the debt's own overdue rate, else its contract rate ×
    the preset's multiplier (Art. 28 ¶2 (2)); ``None`` when no rate was agreed — a contract
    rate of 0 with no overdue rate is a loan without interest (Art. 28 ¶2 (1))."""
    if debt.penalty_daily_rate is not None:
        return debt.penalty_daily_rate
    contract = debt.contract_daily_rate
    if contract is None or contract == 0:
        return None
    multiplier = debt.preset.penalty.multiplier
    return CONTEXT.multiply(contract, multiplier if multiplier is not None else Decimal(1))


def _times(principal: Decimal, annual: Decimal, days: int, day_basis: int) -> Decimal:
    return CONTEXT.divide(CONTEXT.multiply(CONTEXT.multiply(principal, annual), days),
                          day_basis)


def with_private_rate(debt: OverdueDebt, contract_date: date | None, as_of: date,
                      fixings: Sequence[LprFixing],
                      law: RateLaw) -> tuple[OverdueDebt, PrivateRate | None]:
    """A private loan charged as a court would support if asked (other debts unchanged).

    The overdue daily rate becomes the current rule's rate; the earlier rule's extra for the
    days before ``law.old_contracts_before`` is added to the interest already due; the fees
    (违约金 and others) are kept only up to what the combined limit leaves for the days
    overdue up to ``as_of``.
    """
    preset = debt.preset
    if preset.lender_type is not LenderType.PRIVATE:
        return debt, None
    days = preset.day_basis.days
    agreed_daily = _agreed_daily(debt)
    rate = private_rate(agreed_daily, days, debt.due_date, contract_date, as_of, fixings, law)
    start = debt.due_date + timedelta(days=1)
    overdue_days = max((as_of - start).days + 1, 0)
    earlier = None
    extra = ZERO
    if _older_contract(contract_date, debt.due_date, law) and start < law.old_contracts_before \
            and overdue_days:
        until = min(law.old_contracts_before - timedelta(days=1), as_of)
        old_days = (until - start).days + 1
        old_annual = (law.old_no_rate_overdue if rate.agreed is None
                      else min(rate.agreed, law.old_protected))
        extra = max(round_money(_times(debt.principal, old_annual - rate.annual, old_days,
                                       days)), ZERO)
        earlier = EarlierRule(
            start=start, until=until, days=old_days, annual=old_annual,
            combined=law.old_overdue_combined,
            interest=round_money(_times(debt.principal, old_annual, old_days, days)),
            extra=extra)
    current_days = overdue_days - (earlier.days if earlier is not None else 0)
    headroom = _times(debt.principal, rate.cap - rate.annual, current_days, days)
    if earlier is not None:
        headroom += _times(debt.principal, earlier.combined - earlier.annual, earlier.days,
                           days)
    supported = min(debt.fees, max(round_money(headroom), ZERO))
    fees_daily = ZERO
    if supported < debt.fees:
        fees_daily = round_money(_times(debt.principal, rate.cap - rate.annual, 1, days))
    rate = replace(rate, earlier=earlier, fees_entered=debt.fees, fees_supported=supported,
                   loan_period_rate=debt.penalty_daily_rate is None and not rate.lpr_default,
                   fees_daily=fees_daily)
    if rate.lpr_default:
        # no rate agreed: what a court would support if asked is said, not charged
        claimable = round_money(_times(debt.principal, rate.annual, current_days, days))
        if earlier is not None:
            claimable += earlier.interest
        rate = replace(rate, claimable=claimable)
        return replace(debt, penalty_daily_rate=ZERO, fees=supported), rate
    charged = replace(debt, penalty_daily_rate=CONTEXT.divide(rate.annual, days),
                      interest=debt.interest + extra, fees=supported)
    return charged, rate
