"""What is owed on one date, by component (the itemised bill)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from xieshang.engine._record import record

__all__ = ["Bill"]


@record
class Bill:
    """The amount due on ``as_of``, itemised.

    Attributes:
        as_of: the date the amounts are computed for.
        principal: unpaid principal (for a monthly bill: the unpaid bill amount).
        interest: contract interest due and unpaid (正常利息).
        penalty: penalty interest accrued (罚息 / 逾期利息).
        fees: late fees and other fees due (违约金 / 滞纳金 / 手续费).
        days_overdue: days past the missed due date (0 when not overdue).
        daily_cost: what one more day adds if nothing is paid (the next day's charge).
        not_yet_due: loans — principal of later installments not yet due on ``as_of``
            (not part of :attr:`total`).
    """

    as_of: date
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    days_overdue: int = 0
    daily_cost: Decimal = Decimal("0.00")
    not_yet_due: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        """Everything due: principal + interest + penalty + fees."""
        return self.principal + self.interest + self.penalty + self.fees

    @property
    def charges(self) -> Decimal:
        """Everything due on top of principal."""
        return self.interest + self.penalty + self.fees
