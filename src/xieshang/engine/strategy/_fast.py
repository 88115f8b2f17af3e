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

import decimal
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from xieshang.engine.accrual import late_fee_due
from xieshang.engine.money import CENT, ZERO
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


MinimumRule = tuple[int, tuple[int, int] | None, bool, bool]


def _minimum_rules(debts: Sequence[PlanDebt]) -> list[MinimumRule | None]:
    """Each debt's minimum rule on integers: (fixed amount in fen, percent as (top, bottom)
    or None, whether it takes the larger of the two, plus the month's charges); None for no
    minimum. Also the pro-rata fast path's (:mod:`._fast_pro_rata`)."""
    rules: list[MinimumRule | None] = []
    for d in debts:
        minimum = d.minimum
        if minimum is None:
            rules.append(None)
        else:
            rules.append((_fen(minimum.amount), minimum.percent.as_integer_ratio()
                          if minimum.percent else None,
                          bool(minimum.percent or minimum.plus_charges), minimum.plus_charges))
    return rules


class _Cents(dict[int, Decimal]):
    """Integer fen → Decimal with 2 places, cached (a plan repeats many amounts)."""

    def __missing__(self, fen: int) -> Decimal:
        value = self[fen] = Decimal(fen) * CENT
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
    debts on their own terms, or ``None`` when this path does not cover the input.

    Each month works on the debts still owed only (a repaid debt's row is its idle row),
    and the sums :func:`~xieshang.engine.strategy._simulate.assemble` reads (paid,
    interest, fees, months overdue, unpaid requirements, months short) are kept as
    integers along the way (:class:`~xieshang.engine.strategy._simulate.Sums`)."""
    if not _covered(plan_input, strategy):
        return None
    from xieshang.engine.strategy._simulate import CONTEXT

    with decimal.localcontext(CONTEXT):  # Decimal(fen) × 0.01 exact, as the reference
        return _run(plan_input, strategy)


def _run(plan_input: PlanInput, strategy: Strategy) -> Any:
    from xieshang.engine.strategy._simulate import Run, Sums

    debts = plan_input.debts
    count = len(debts)
    dates = Calendar(plan_input.start)
    cents = _Cents().__getitem__
    zero = ZERO
    cent = CENT
    D = Decimal
    make_row = _DEBT_MONTH
    # the debts' terms as integers
    balance = [_fen(d.balance or ZERO) for d in debts]
    fees_due = [_fen(d.fees) for d in debts]
    arrears = [_fen(d.past_due) for d in debts]
    # a month's charge is half up of (balance × top ÷ bottom): top and bottom of the rate
    # per month (monthly) or per day of the basis (daily; × the days of the month)
    # (kept doubled: half up of n ÷ d is (2n + d) // 2d)
    tops: list[int] = []
    bottoms: list[int] = []
    doubled: list[int] = []
    for d in debts:
        numerator, denominator = (d.annual_rate or ZERO).as_integer_ratio()
        bottom = (12 * denominator if d.accrual is Accrual.MONTHLY
                  else denominator * d.day_basis.days)
        tops.append(2 * numerator)
        bottoms.append(bottom)
        doubled.append(2 * bottom)
    daily = [d.accrual is not Accrual.MONTHLY for d in debts]
    due_days = [None if d.due_day is None else (d.due_day or 1) for d in debts]
    dated = [i for i in range(count) if due_days[i] is not None]
    late_fees = [d.late_fee for d in debts]
    rules = _minimum_rules(debts)
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
    owed = [0] * count
    required = [0] * count
    interest = [0] * count
    past_due = [0] * count
    due_by: list[date | None] = [None] * count  # None: the pay date
    pay = [0] * count
    # the sums assemble reads, per debt
    sum_interest = [0] * count
    sum_fees = [0] * count
    sum_overdue = [0] * count
    sum_newly = [0] * count
    short = 0
    active = list(range(count))  # owed something, in input order
    repaid: list[int] = []  # repaid, in input order
    months: list[Month] = []
    finished = False
    previous = add_months(plan_input.start, -1)
    due_cache: dict[tuple[date, int], date] = {}
    for month in range(plan_input.horizon_months):
        day = dates[month]
        days = (day - previous).days
        previous = day
        total = 0
        for i in dated:
            due_day = due_days[i] or 1
            found = due_cache.get((day, due_day))
            if found is None:
                found = due_cache[(day, due_day)] = _day_in_month(day, due_day)
            due_by[i] = found
        for i in active:
            arrear = arrears[i]
            past_due[i] = arrear
            old = balance[i]
            if daily[i]:
                charge = (old * tops[i] * days + bottoms[i]) // doubled[i]
            else:
                charge = (old * tops[i] + bottoms[i]) // doubled[i]  # half up, ≥ 0
            interest[i] = charge
            balance[i] = old = old + charge
            owed[i] = owe = old + fees_due[i]
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
            need = base + arrear
            if need > owe:
                need = owe
            required[i] = need
            pay[i] = need
            total += need
        budget_dec = plan_input.budget_of(month)
        budget = _fen(budget_dec)
        # what each requires, then the rest in order (the _Ordered policy)
        if budget >= total:
            left = budget - total
            if left > 0:
                for i in order:
                    room = owed[i] - pay[i]
                    if room > 0:
                        if room >= left:
                            pay[i] += left
                            left = 0
                            break
                        pay[i] += room
                        left -= room
        else:
            left = budget
            for i in order:
                taken = required[i] if required[i] < left else left
                pay[i] = taken
                left -= taken
        rows: list[Any] = [None] * count
        for i in repaid:
            rows[i] = make_row(keys[i], zero, zero, zero, zero, zero, zero, zero, zero,
                               False, zero, day, zero)
        paid_total = 0
        unpaid_month = 0
        ended = []
        for i in active:
            amount = pay[i]
            if amount > 0:
                fee_due = fees_due[i]
                if fee_due:
                    taken = amount if amount < fee_due else fee_due
                    fees_due[i] = fee_due - taken
                    left_over = balance[i] - (amount - taken)
                else:
                    left_over = balance[i] - amount
                balance[i] = left_over if left_over > 0 else 0
            paid_total += amount
            need = required[i]
            need_d = cents(need)
            amount_d = need_d if amount == need else cents(amount)
            unpaid = need - amount
            arrear = past_due[i]
            if arrear > need:
                arrear = need
            arrear_d = cents(arrear) if arrear else zero
            if unpaid > 0:
                fee = 0
                late_fee = late_fees[i]
                if late_fee is not None:
                    fee = _fen(late_fee_due(late_fee, need_d, amount_d))
                    fees_due[i] += fee
                    sum_fees[i] += fee
                sum_overdue[i] += 1
                sum_newly[i] += min(unpaid, need - arrear)
                unpaid_month += unpaid
                arrears[i] = unpaid
                fee_d, unpaid_d, overdue = cents(fee), cents(unpaid), True
            else:
                arrears[i] = 0
                fee_d = unpaid_d = zero
                overdue = False
            balance_out = balance[i] + fees_due[i]
            charge = interest[i]
            sum_interest[i] += charge
            # owed and interest: new amounts nearly always; the balance after paying is
            # what was owed less the payment (never more than owed), plus a late fee
            owed_d = D(owed[i]) * cent
            rows[i] = make_row(
                keys[i], owed_d, need_d, amount_d,
                owed_d - amount_d if fee_d is zero else D(balance_out) * cent,
                D(charge) * cent, zero, fee_d, zero, overdue, unpaid_d, due_by[i] or day,
                arrear_d)
            if balance_out <= 0:
                ended.append(i)
        if unpaid_month:
            short += 1
        months.append(_MONTH(month, day, budget_dec, cents(paid_total),
                             cents(max(0, budget - paid_total)), zero, tuple(rows)))
        if ended:
            for i in ended:
                pay[i] = owed[i] = required[i] = 0
            active = [i for i in active if i not in ended]
            repaid = sorted(repaid + ended)
            order = [i for i in order if i not in ended]
        if not active:
            finished = True
            break
    ledgers = tuple(_Final(debts[i], principal[i], charges_before[i], grows[i],
                           balance[i] + fees_due[i]) for i in range(count))
    sums = None
    if months:
        # Σ paid: what was owed at the start + the charges − what is owed at the end (a
        # payment never exceeds what is owed, so nothing is clamped)
        sums = tuple(Sums(cents(_fen(principal[i]) + _fen(charges_before[i]) + sum_interest[i]
                                + sum_fees[i] - balance[i] - fees_due[i]),
                          cents(sum_interest[i]), zero, cents(sum_fees[i]), zero,
                          sum_overdue[i], cents(sum_newly[i])) for i in range(count))
    return Run(tuple(months), ledgers, finished, sums, short)  # type: ignore[arg-type]
