"""Loans from family, friends or another private lender: the overdue rate the rules allow.

民间借贷 (``rules-cn.md`` §4.1, the SPC provisions as amended 2020):

* **Article 28** — an agreed overdue rate applies; with only an in-term rate agreed, the
  overdue rate is that rate; with neither agreed, the overdue interest follows the 1-year
  LPR (here: the LPR in force on the day after the due date, the first day overdue);
* **Articles 25, 28, 29** — the overdue interest, 违约金 and other fees together are
  supported only up to 4 × the 1-year LPR in force when the contract was formed;
* **Article 31** — for a contract formed before 2020-08-20 the earlier rule applies to
  interest up to 2020-08-19; for interest after it this module uses 4 × the LPR on the day
  the figure is computed, standing for the day a suit would be filed (an estimate: the
  day a court would use is not known in advance).

Without a contract date the LPR on the due date stands for it (an estimate, said so by the
fronts). Rates are fractions per year; the debt's daily rate is the annual ÷ the preset's
day basis. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from xieshang.engine.accrual import OverdueDebt
from xieshang.engine.money import CONTEXT
from xieshang.engine.preset import LenderType
from xieshang.engine.rates import LprFixing, RateLaw, lpr_on

__all__ = ["PrivateRate", "private_rate", "with_private_rate"]


@dataclass(frozen=True, slots=True)
class PrivateRate:
    """The overdue rate of a private loan and where it comes from.

    Attributes:
        agreed: the overdue rate a year that was agreed (or the in-term rate), ``None``
            when no rate was agreed.
        lpr_default: no rate was agreed: the overdue rate is the LPR (Article 28).
        cap: the limit a year, ``law.lpr_multiple`` × ``cap_lpr``.
        cap_lpr: the LPR fixing the limit is taken from.
        cap_basis: ``contract_date`` (Article 25), ``as_of`` (Article 31, a contract formed
            before the new rule) or ``due_date`` (no contract date given: an estimate).
        annual: the rate used: the agreed rate (or the LPR) capped.
        capped: whether the cap lowered it.
    """

    agreed: Decimal | None
    lpr_default: bool
    cap: Decimal
    cap_lpr: LprFixing
    cap_basis: str
    annual: Decimal
    capped: bool


def private_rate(agreed_daily: Decimal | None, day_basis: int, due_date: date,
                 contract_date: date | None, as_of: date,
                 fixings: Sequence[LprFixing], law: RateLaw) -> PrivateRate:
    """The overdue rate a year of a private loan (see the module docstring)."""
    agreed = None if agreed_daily is None else CONTEXT.multiply(agreed_daily, day_basis)
    if contract_date is None:
        basis, cap_day = "due_date", due_date
    elif contract_date < law.old_contracts_before:
        basis, cap_day = "as_of", max(as_of, law.old_contracts_before)
    else:
        basis, cap_day = "contract_date", contract_date
    first = fixings[0].effective_from
    cap_lpr = lpr_on(fixings, max(cap_day, first))
    cap = CONTEXT.multiply(law.lpr_multiple, cap_lpr.rate)
    wanted = agreed
    if wanted is None:
        wanted = lpr_on(fixings, max(due_date + timedelta(days=1), first)).rate
    annual = min(wanted, cap)
    return PrivateRate(agreed=agreed, lpr_default=agreed is None, cap=cap, cap_lpr=cap_lpr,
                       cap_basis=basis, annual=annual, capped=wanted > cap)


def with_private_rate(debt: OverdueDebt, contract_date: date | None, as_of: date,
                      fixings: Sequence[LprFixing],
                      law: RateLaw) -> tuple[OverdueDebt, PrivateRate | None]:
    """A private loan charged at the rate the rules allow (other debts unchanged).

    The overdue rate is the agreed overdue rate (the debt's own overdue rate, else its
    contract rate × the preset's multiplier), or the LPR when none was agreed, capped at
    4 × LPR; it replaces the preset's rule as the debt's overdue daily rate.
    """
    preset = debt.preset
    if preset.lender_type is not LenderType.PRIVATE:
        return debt, None
    days = preset.day_basis.days
    agreed = debt.penalty_daily_rate
    if agreed is None and debt.contract_daily_rate is not None:
        multiplier = preset.penalty.multiplier if preset.penalty.multiplier is not None \
            else Decimal(1)
        agreed = CONTEXT.multiply(debt.contract_daily_rate, multiplier)
    rate = private_rate(agreed, days, debt.due_date, contract_date, as_of, fixings, law)
    daily = CONTEXT.divide(rate.annual, days)
    return replace(debt, penalty_daily_rate=daily), rate
