"""The person's situation over time: savings or a lump sum, a time without income, dated
changes of income — and what the budget leaves for the debts in each month because of them.

The budget statement (:mod:`xieshang.engine.budget`) describes one ordinary month. A
:class:`Situation` says how the months ahead differ from it:

* ``no_income_until`` — no income at all before this day ("no income until 2027-01-15");
* ``income_changes`` — from each day, the household's monthly income is this amount
  ("¥7,000 from 2027-01-15", "falls to ¥3,000 from March"); before the first change the
  statement's income lines apply;
* ``savings`` — an amount the person can use, available from ``savings_on`` (default: now),
  either towards a lump-sum settlement or to fund the first months (``savings_use``), and
  either to one debt the person chooses (``savings_to``) or spread over all the debts in
  proportion to what each owes (the default). What goes to the chosen debt stops at what it
  owes; the rest is spread over the others (:func:`savings_parts`).

Month ``m`` of a plan starting on ``start`` is paid on ``add_months(start, m)``; its money is
what the statement leaves with the income in force on that day (the buffer follows the
income, as :func:`~xieshang.engine.budget.affordability` computes it). Money arrives on its
day: income that starts on the 15th is not there on a payment day before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from xieshang.engine.budget import (
    BudgetLine,
    BudgetStatement,
    Norms,
    Section,
    affordability,
)
from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import ZERO, money
from xieshang.engine.schedules import add_months

__all__ = [
    "INCOME_CATEGORY",
    "IncomeChange",
    "SavingsUse",
    "Situation",
    "first_month_with_money",
    "monthly_available",
    "parse_income_changes",
    "savings_by_month",
    "savings_parts",
    "statement_income",
    "with_income",
]

#: The category that stands for a changed income (the statement's own lines are replaced by
#: one line of the new total; a norms category, so the checks accept it).
INCOME_CATEGORY: Final = "other_income"


class SavingsUse(StrEnum):
    """What the savings go to."""

    SETTLEMENT = "settlement"  # a lump sum towards settling a debt (with a discount asked)
    MONTHS = "months"  # the money of the first months


@dataclass(frozen=True, slots=True)
class IncomeChange:
    """From ``on``, the household's monthly income is ``monthly``."""

    on: date
    monthly: Decimal


@dataclass(frozen=True, slots=True)
class Situation:
    """How the months ahead differ from the budget statement.

    Attributes:
        savings: what the person can use at once (0: nothing).
        savings_on: the day it is available (None: now).
        savings_use: a lump-sum settlement, or the first months.
        no_income_until: no income before this day.
        income_changes: dated monthly incomes, by date.
        savings_to: the key of the debt the savings go to (None: spread over all the
            debts in proportion to what each owes).
    """

    savings: Decimal = ZERO
    savings_on: date | None = None
    savings_use: SavingsUse = SavingsUse.SETTLEMENT
    no_income_until: date | None = None
    income_changes: tuple[IncomeChange, ...] = ()
    savings_to: str | None = None

    def __post_init__(self) -> None:
        if money(self.savings, "savings") < 0:
            raise InputError("savings", N_("must not be negative (got {value})"),
                             value=self.savings)
        days = [change.on for change in self.income_changes]
        if days != sorted(set(days)):
            raise InputError("income_change", N_("give each date once, in order"))
        for change in self.income_changes:
            if money(change.monthly, "income_change") < 0:
                raise InputError("income_change", N_("must not be negative (got {value})"),
                                 value=change.monthly)

    @property
    def plain(self) -> bool:
        """True when nothing differs from the statement (no savings, no dated income)."""
        return (self.savings == 0 and self.no_income_until is None
                and not self.income_changes)

    def income_on(self, day: date, ordinary: Decimal) -> Decimal:
        """The monthly income in force on ``day`` (``ordinary``: the statement's)."""
        if self.no_income_until is not None and day < self.no_income_until:
            return ZERO
        income = ordinary
        for change in self.income_changes:
            if change.on <= day:
                income = change.monthly
        return income

    def savings_ready(self, day: date) -> bool:
        """Whether the savings can be used on ``day``."""
        return self.savings > 0 and (self.savings_on is None or self.savings_on <= day)


def parse_income_changes(values: Mapping[str, str] | None) -> tuple[IncomeChange, ...]:
    """The stored changes (ISO day → monthly income text), in date order.

    Raises:
        InputError: (field ``income_change``) a day or an amount that does not read.
    """
    if not values:
        return ()
    changes = []
    for key, text in values.items():
        try:
            day = date.fromisoformat(key)
        except (TypeError, ValueError):
            raise InputError("income_change", N_("'{value}' is not a date (YYYY-MM-DD)"),
                             value=str(key)[:40]) from None
        amount = money(text, "income_change")
        if amount < 0:
            raise InputError("income_change", N_("must not be negative (got {value})"),
                             value=text)
        changes.append(IncomeChange(on=day, monthly=amount))
    return tuple(sorted(changes, key=lambda change: change.on))


def statement_income(statement: BudgetStatement) -> Decimal:
    """The statement's monthly income (its income lines added up)."""
    return sum((line.amount for line in statement.lines if line.section is Section.INCOME),
               ZERO)


def with_income(statement: BudgetStatement, income: Decimal) -> BudgetStatement:
    """The statement with its income lines replaced by one line of ``income`` (the same
    statement when that is already its income)."""
    if income == statement_income(statement):
        return statement
    lines = tuple(line for line in statement.lines if line.section is not Section.INCOME)
    if income > 0:
        lines += (BudgetLine(section=Section.INCOME, category=INCOME_CATEGORY, amount=income),)
    return replace(statement, lines=lines)


def monthly_available(statement: BudgetStatement, norms: Norms, situation: Situation,
                      start: date, months: int) -> tuple[Decimal, ...]:
    """What the statement leaves for the debts in each of ``months`` months from ``start``
    (month ``m`` on ``add_months(start, m)``), with the income in force on that day. Savings
    are not included (see :func:`savings_by_month`)."""
    ordinary = statement_income(statement)
    cache: dict[Decimal, Decimal] = {}
    result = []
    for month in range(months):
        income = situation.income_on(add_months(start, month), ordinary)
        if income not in cache:
            cache[income] = affordability(with_income(statement, income), norms).available
        result.append(cache[income])
    return tuple(result)


def savings_by_month(situation: Situation, available: Sequence[Decimal], ordinary: Decimal,
                     start: date) -> dict[int, Decimal]:
    """The savings added to each month's money when they fund the first months (empty when
    they go to a settlement, or there are none).

    From the month they are available, each month below ``ordinary`` (what the statement
    leaves in an ordinary month) is topped up to it, in order, until the savings run out;
    what is left after that goes to the first month they are available.

    Example: savings ¥5,000 now, months (0, 0, 3,000), ordinary 3,000 → {0: 3,000, 1: 2,000}.
    """
    if situation.savings_use is not SavingsUse.MONTHS or situation.savings <= 0:
        return {}
    ready = next((month for month in range(len(available))
                  if situation.savings_ready(add_months(start, month))), None)
    if ready is None:
        return {}
    left = situation.savings
    added: dict[int, Decimal] = {}
    for month in range(ready, len(available)):
        if left <= 0:
            break
        gap = ordinary - available[month]
        if gap > 0:
            part = min(gap, left)
            added[month] = part
            left -= part
    if left > 0:
        added[ready] = added.get(ready, ZERO) + left
    return added


def savings_parts(savings: Decimal, owed: Sequence[tuple[str, Decimal]],
                  target: str | None) -> dict[str, Decimal]:
    """Each debt's part of ``savings`` (debt key → amount; ``owed``: each open debt's key
    and what it owes, in the case's order).

    ``target`` None (or a debt not in ``owed``): in proportion to what each owes (the
    budget's own pro-rata split). Otherwise the chosen debt gets the savings up to what it
    owes, and what is left beyond its bill is spread over the other debts in proportion to
    what each owes; what no debt can take is in no part.

    Example: ¥8,000 to 借呗 owing 6,500, the others owing 62,000 and 12,000 →
    借呗 6,500; the 1,500 left: 62,000 ÷ 74,000 × 1,500 = 1,256.76 and 243.24.
    """
    from xieshang.engine.budget import DebtShare, split

    if savings <= 0:
        return {}
    known = dict(owed)
    if target is None or target not in known:
        shares = [DebtShare(key=key, balance=amount) for key, amount in owed]
        return {a.key: a.amount for a in split(savings, shares, "pro_rata")} if shares else {}
    taken = min(savings, known[target])
    parts = {target: taken}
    rest = savings - taken
    others = [DebtShare(key=key, balance=amount) for key, amount in owed if key != target]
    if rest > 0 and others:
        for allocation in split(rest, others, "pro_rata"):
            parts[allocation.key] = allocation.amount
    return parts


def first_month_with_money(available: Sequence[Decimal]) -> int | None:
    """The index of the first month with money for the debts (None: none in the horizon)."""
    return next((month for month, amount in enumerate(available) if amount > 0), None)
