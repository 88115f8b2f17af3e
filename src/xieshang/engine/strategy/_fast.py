"""A fast path of the simulator for the common plan: debts given by balance and rate, paid
in one fixed order (avalanche, snowball or the person's own).

Same rules as :func:`~xieshang.engine.strategy._simulate.simulate` with
:class:`~xieshang.engine.strategy._ledger.Ledger` in its ``TERMS`` phase and the
``_Ordered`` policy, computed on **integer fen** with plain lists: a month's charge is the
exact rational balance × rate ÷ 12 (or × days ÷ day basis) rounded half up, as
``round_money`` rounds it; a rate is taken as the exact fraction its Decimal is. Frozen
records (:class:`DebtMonth`, :class:`Month`) are built only for the result, their slots
filled directly. Anything this path does not cover (an overdue debt, an arrangement, a card
principal, a token payment, pro rata, risk first, the optimal targets) returns ``None`` and
the general simulator runs: it stays the reference, and a property test
(``tests/test_strategy_fast.py``) requires both to give the same months to the fen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from xieshang.engine.accrual import late_fee_due
from xieshang.engine.money import ZERO
from xieshang.engine.schedules import add_months
from xieshang.engine.strategy._ledger import Calendar, _day_in_month, cost_rate, make_debt_month
from xieshang.engine.strategy._model import (
    Accrual,
    Month,
    PlanDebt,
    PlanInput,
    Strategy,
)

__all__ = ["fast_run"]

_ORDERED = (Strategy.AVALANCHE, Strategy.SNOWBALL, Strategy.CUSTOM)


def _maker(cls: type, names: tuple[str, ...]) -> Callable[..., Any]:
    """A constructor of the frozen slots record ``cls`` filling its slots directly."""
    new = object.__new__
    setters = tuple(getattr(cls, name).__set__ for name in names)

    def make(*values: object) -> Any:
        record: Any = new(cls)
        for setter, value in zip(setters, values, strict=True):
            setter(record, value)
        return record

    return make


_MONTH = _maker(Month, ("index", "pay_date", "budget", "paid", "unspent", "card_principal",
                        "debts"))


_DEBT_MONTH = make_debt_month


def _fen(value: Decimal) -> int:
    """An amount of at most 2 places as integer fen (exact)."""
    return int(value.scaleb(2))


class _Cents(dict[int, Decimal]):
    """Integer fen → Decimal with 2 places, cached (a plan repeats many amounts)."""

    def __missing__(self, fen: int) -> Decimal:
        value = self[fen] = Decimal(fen).scaleb(-2)
        return value


class _Final:
    """What :func:`assemble` reads of a debt's final state."""

    __slots__ = ("balance_out", "charges_before", "debt", "grows", "principal")

    def __init__(self, debt: PlanDebt, principal: Decimal, charges_before: Decimal,
                 grows: bool, balance_out: int) -> None:
        self.debt = debt
        self.principal = principal
        self.charges_before = charges_before
        self.grows = grows
        self.balance_out = balance_out

    def finished(self) -> bool:
        return self.balance_out <= 0


def _covered(plan_input: PlanInput, strategy: Strategy) -> bool:
    if strategy not in _ORDERED or plan_input.token:
        return False
    return all(debt.balance is not None and debt.overdue_debt is None
               and debt.arrangement is None and debt.card_principal is None
               for debt in plan_input.debts)


def fast_run(plan_input: PlanInput, strategy: Strategy) -> Any:
    """The :class:`~xieshang.engine.strategy._simulate.Run` of an ordered strategy over
    debts on their own terms, or ``None`` when this path does not cover the input."""
    if not _covered(plan_input, strategy):
        return None
    from xieshang.engine.strategy._simulate import Run

    debts = plan_input.debts
    count = len(debts)
    dates = Calendar(plan_input.start)
    cents = _Cents().__getitem__
    zero = ZERO
    # the debts' terms as integers
    balance = [_fen(d.balance or ZERO) for d in debts]
    fees_due = [_fen(d.fees) for d in debts]
    arrears = [_fen(d.past_due) for d in debts]
    rate = [(d.annual_rate or ZERO).as_integer_ratio() for d in debts]
    monthly = [d.accrual is Accrual.MONTHLY for d in debts]
    basis = [d.day_basis.days for d in debts]
    rules: list[tuple[int, tuple[int, int] | None, bool, bool] | None] = []
    for d in debts:
        minimum = d.minimum
        if minimum is None:
            rules.append(None)
        else:
            rules.append((_fen(minimum.amount), minimum.percent.as_integer_ratio()
                          if minimum.percent else None,
                          bool(minimum.percent or minimum.plus_charges), minimum.plus_charges))
    keys = [d.key for d in debts]
    principal = [cents(b) for b in balance]
    charges_before = [cents(f) for f in fees_due]
    grows = [False] * count
    # the order, as _Ordered takes it on month 0
    costs = [cost_rate(d) for d in debts]
    avalanche = sorted(range(count), key=lambda i: (-costs[i], i))
    if strategy is Strategy.SNOWBALL:
        order = sorted(range(count), key=lambda i: (balance[i] + fees_due[i], i))
    elif strategy is Strategy.CUSTOM:
        first = [keys.index(key) for key in plan_input.order]
        order = first + [i for i in avalanche if i not in first]
    else:
        order = avalanche
    done = [False] * count
    owed = [0] * count
    required = [0] * count
    months: list[Month] = []
    finished = False
    previous = add_months(plan_input.start, -1)
    for month in range(plan_input.horizon_months):
        day = dates[month]
        days = (day - previous).days
        previous = day
        interest = [0] * count
        past_due = [0] * count
        due_by: list[date] = [day] * count
        for i in range(count):
            if done[i]:
                owed[i] = required[i] = 0
                continue
            past_due[i] = arrears[i]
            numerator, denominator = rate[i]
            if monthly[i]:
                numerator, denominator = balance[i] * numerator, 12 * denominator
            else:
                numerator, denominator = balance[i] * numerator * days, denominator * basis[i]
            charge = (2 * numerator + denominator) // (2 * denominator)  # half up, ≥ 0
            interest[i] = charge
            balance[i] += charge
            owed[i] = owe = balance[i] + fees_due[i]
            if debts[i].due_day is not None:
                due_by[i] = _day_in_month(day, debts[i].due_day or 1)
            base = 0
            rule = rules[i]
            if rule is not None and owe > 0:
                base = rule[0]
                if rule[2]:
                    share = 0
                    if rule[1] is not None:
                        pn, pd = rule[1]
                        share = (2 * (owe - charge) * pn + pd) // (2 * pd)
                    base = max(base, share + (charge if rule[3] else 0))
                if base < charge:
                    grows[i] = True
            required[i] = min(owe, base + arrears[i])
        budget_dec = plan_input.budget_of(month)
        budget = _fen(budget_dec)
        # what each requires, then the rest in order (the _Ordered policy)
        total = sum(required)
        if budget >= total:
            pay = list(required)
            left = budget - total
        else:
            pay = [0] * count
            left = budget
            for i in order:
                taken = min(left, required[i])
                pay[i] = taken
                left -= taken
            left = 0
        for i in order:
            if left <= 0:
                break
            room = owed[i] - pay[i]
            taken = min(left, room)
            if taken > 0:
                pay[i] += taken
                left -= taken
        rows = []
        paid_total = 0
        for i in range(count):
            if done[i]:
                rows.append(_DEBT_MONTH(keys[i], zero, zero, zero, zero, zero, zero, zero,
                                        zero, False, zero, day, zero))
                continue
            amount = pay[i]
            if amount > 0:
                taken = min(amount, fees_due[i])
                fees_due[i] -= taken
                balance[i] = max(0, balance[i] - (amount - taken))
            paid_total += amount
            unpaid = max(0, required[i] - amount)
            fee = 0
            late_fee = debts[i].late_fee
            if unpaid > 0 and late_fee is not None:
                fee = _fen(late_fee_due(late_fee, cents(required[i]), cents(amount)))
                fees_due[i] += fee
            arrears[i] = unpaid
            balance_out = balance[i] + fees_due[i]
            rows.append(_DEBT_MONTH(
                keys[i], cents(owed[i]), cents(required[i]), cents(amount), cents(balance_out),
                cents(interest[i]), zero, cents(fee), zero, unpaid > 0, cents(unpaid),
                due_by[i], cents(min(past_due[i], required[i]))))
            if balance_out <= 0:
                done[i] = True
        months.append(_MONTH(month, day, budget_dec, cents(paid_total),
                             cents(max(0, budget - paid_total)), zero, tuple(rows)))
        if all(done):
            finished = True
            break
    ledgers = tuple(_Final(debts[i], principal[i], charges_before[i], grows[i],
                           balance[i] + fees_due[i]) for i in range(count))
    return Run(tuple(months), ledgers, finished)  # type: ignore[arg-type]
