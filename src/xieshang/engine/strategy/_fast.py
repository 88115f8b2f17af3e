"""A fast path of the simulator for the common plan: debts given by balance and rate, paid
in one fixed order (avalanche, snowball or the person's own), risk first (without
milestones), pro rata, or the optimal plan's re-simulation of the model's payments.

Same rules as :func:`~xieshang.engine.strategy._simulate.simulate` with
:class:`~xieshang.engine.strategy._ledger.Ledger` in its ``TERMS`` phase and the
strategy's policy (``_Ordered``, ``_RiskFirst``, ``_pro_rata``, ``_optimal._Targets``),
computed on **integer fen** with plain lists: a month's charge is the
exact rational balance × rate ÷ 12 (or × days ÷ day basis) rounded half up, as
``round_money`` rounds it; a rate is taken as the exact fraction its Decimal is. When every
month's money covers what is required, the ordered strategies (and risk first, which is
then avalanche) walk debt by debt (:func:`_by_debt`), else month by month. Frozen
records (:class:`DebtMonth`, :class:`Month`) are built only for the result, their slots
filled directly. Anything this path does not cover (an overdue debt, an arrangement, a card
principal, a token payment, earmarked money, risk first with milestones) returns ``None``
and the general simulator runs: it stays the reference, and property tests
(``tests/test_strategy_fast.py``) require both to give the same months to the fen.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

from xieshang.engine.accrual import late_fee_due
from xieshang.engine.limits import MAX_AMOUNT
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


def _half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up (away from zero on a tie), as
    ``round_money`` rounds (``denominator`` > 0)."""
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))


def _minimum_of(rule: MinimumRule, owe: int, charge: int) -> int:
    """The month's minimum in fen of a rule that takes the larger of its fixed amount and
    its percent of the balance before the month's charges (half up), plus those charges
    when the rule says so: ``owe`` is the balance with ``charge`` added."""
    share = 0 if rule[1] is None else _half_up((owe - charge) * rule[1][0], rule[1][1])
    return max(rule[0], share + (charge if rule[3] else 0))


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
        value = self[fen] = CENT * fen  # (Decimal × int: exact, 2 places)
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
    if plan_input.token or plan_input.earmarked:
        return False
    if strategy is Strategy.RISK_FIRST:
        # without milestones (nor cards, nor overdue debts) risk first's order is only the
        # order of the required payments when the money is short, then avalanche
        if any(debt.milestones for debt in plan_input.debts):
            return False
    elif strategy not in _ORDERED and strategy not in (Strategy.PRO_RATA, Strategy.OPTIMAL):
        return False
    return all(debt.balance is not None and debt.overdue_debt is None
               and debt.arrangement is None and debt.card_principal is None
               for debt in plan_input.debts)


def fast_run(plan_input: PlanInput, strategy: Strategy,
             targets: Sequence[Sequence[int]] | None = None,
             clears: Sequence[Sequence[bool]] | None = None) -> Any:
    """The :class:`~xieshang.engine.strategy._simulate.Run` of a rule-based strategy over
    debts on their own terms, or ``None`` when this path does not cover the input.

    Ordered strategies (avalanche, snowball, custom), risk first without milestones (the
    required payments smallest first when the money is short, then avalanche), pro rata
    (``_pro_rata``'s integer twin, as :mod:`._fast_pro_rata`), and :attr:`Strategy.OPTIMAL`
    with ``targets`` and ``clears`` (fen per month and debt, and the debts the model pays
    off): the model's payments re-simulated as ``_optimal._Targets`` does.

    Each month works on the debts still owed only (a repaid debt's row is its idle row),
    and the sums :func:`~xieshang.engine.strategy._simulate.assemble` reads (paid,
    interest, fees, months overdue, unpaid requirements, months short) are kept as
    integers along the way (:class:`~xieshang.engine.strategy._simulate.Sums`)."""
    if not _covered(plan_input, strategy):
        return None
    if strategy is Strategy.OPTIMAL and (targets is None or clears is None):
        return None
    from xieshang.engine.strategy._simulate import CONTEXT

    with decimal.localcontext(CONTEXT):  # Decimal(fen) × 0.01 exact, as the reference
        run = _run(plan_input, strategy, targets or (), clears or ())
    return run if run is None or _within_limit(plan_input, run) else None


#: The amounts the engine handles are below this many fen (:data:`MAX_AMOUNT`).
_LIMIT_FEN: Final = int(MAX_AMOUNT * 100)


def _within_limit(plan_input: PlanInput, run: Any) -> bool:
    """Whether no amount of ``run`` can reach :data:`MAX_AMOUNT`: what the debts owed at the
    start plus every charge added since bounds every balance, payment and total. When it
    does not (charges that grow for decades), the reference simulation runs instead and
    says the amount is too large, as it always has (``None`` from :func:`fast_run`)."""
    bound = sum(_fen(d.balance or ZERO) + _fen(d.fees)
                for d in plan_input.debts)
    for sums in run.sums or ():
        bound += _fen(sums.interest) + _fen(sums.penalty) + _fen(sums.fees) \
            + abs(_fen(sums.adjustment))
    return bound < _LIMIT_FEN


def _run(plan_input: PlanInput, strategy: Strategy, targets: Sequence[Sequence[int]],
         clears: Sequence[Sequence[bool]]) -> Any:
    from xieshang.engine.strategy._fast_pro_rata import _fair, _split
    from xieshang.engine.strategy._simulate import Run, Sums

    debts = plan_input.debts
    count = len(debts)
    dates = Calendar(plan_input.start)
    cents = _Cents().__getitem__
    zero = ZERO
    cent = CENT
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
    # 0: ordered; 1: risk first; 2: pro rata; 3: the model's targets
    mode = {Strategy.RISK_FIRST: 1, Strategy.PRO_RATA: 2, Strategy.OPTIMAL: 3}.get(strategy, 0)
    if mode < 2 and count and plan_input.horizon_months > 0:
        # nothing short: debt by debt (risk first is then avalanche)
        run = _by_debt(plan_input, order, balance, fees_due, arrears, tops, bottoms, doubled,
                       daily, rules, due_days, keys, principal, charges_before, cents)
        if run is not None:
            return run
    rank = {i: k for k, i in enumerate(avalanche)}
    targeted = len(targets)
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
                base = _minimum_of(rule, owe, charge) if rule[2] else rule[0]
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
        if mode == 2:
            # _pro_rata: each debt's fair share, never less than what it requires
            if budget >= total:
                left = budget - total
                if left >= sum(owed) - total:  # every debt can be paid what it owes
                    shares = owed
                else:
                    shares = _fair(budget, left, list(required), owed, interest)
            else:
                shares = _split(budget, required)
                if sum(shares) < sum(owed):
                    shares = _fair(budget, 0, shares, owed, interest)
                else:
                    shares = owed
            for i in active:
                pay[i] = shares[i]
        elif mode == 3 and month < targeted:
            # _Targets: what each requires (the larger targets first when short), the debts
            # the model pays off, up to the targets, then anything left by cost
            target = targets[month]
            if budget >= total:
                left = budget - total
            else:
                left = budget
                for i in sorted(active, key=lambda i: (-target[i], rank[i])):
                    taken = required[i] if required[i] < left else left
                    pay[i] = taken
                    left -= taken
                left = 0
            if left > 0:
                clear = clears[month]
                for i in order:
                    if left <= 0:
                        break
                    if clear[i]:
                        room = owed[i] - pay[i]
                        if room > 0:
                            taken = left if left < room else room
                            pay[i] += taken
                            left -= taken
                for i in order:
                    if left <= 0:
                        break
                    room = owed[i] - pay[i]
                    up = target[i] - pay[i]
                    if up < room:
                        room = up
                    if room > 0:
                        taken = left if left < room else room
                        pay[i] += taken
                        left -= taken
                for i in order:
                    if left <= 0:
                        break
                    room = owed[i] - pay[i]
                    if room > 0:
                        taken = left if left < room else room
                        pay[i] += taken
                        left -= taken
        elif budget >= total:
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
            for i in (sorted(active, key=lambda i: (required[i], i)) if mode == 1 else order):
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
            owed_d = cent * owed[i]
            rows[i] = make_row(
                keys[i], owed_d, need_d, amount_d,
                owed_d - amount_d if fee_d is zero else cent * balance_out,
                cent * charge, zero, fee_d, zero, overdue, unpaid_d, due_by[i] or day,
                arrear_d)
            if balance_out <= 0:
                ended.append(i)
        if unpaid_month:
            short += 1
        months.append(_MONTH(month, day, budget_dec, cents(paid_total),
                             cents(max(0, budget - paid_total)), zero, tuple(rows)))
        if ended:
            for i in ended:
                pay[i] = owed[i] = required[i] = interest[i] = 0
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


#: Months by which every debt's minimum-only path is extended at a time (:func:`_by_debt`).
_STRETCH: Final = 12


def _by_debt(plan_input: PlanInput, order: Sequence[int], opening: Sequence[int],
             fees: Sequence[int], arrears: Sequence[int], tops: Sequence[int],
             bottoms: Sequence[int], doubled: Sequence[int], daily: Sequence[bool],
             rules: Sequence[MinimumRule | None], due_days: Sequence[int | None],
             keys: Sequence[str], principal: Sequence[Decimal],
             charges_before: Sequence[Decimal], cents: Callable[[int], Decimal]) -> Any:
    """The ordered plan walked **debt by debt** (each debt's months in one tight loop), or
    ``None`` when some month's money does not cover what is required (the month-by-month
    walk of :func:`_run` then does it).

    While every month's money covers what every debt requires, each debt is paid what it
    requires and the rest goes to the debts in the order: a debt gets more than it
    requires only from the month the debts before it are repaid, and until then its months
    are its *minimum-only path*, which depends on nothing else. So the debts are taken in
    the order: each one's months are its minimum-only path until the month's money left —
    the budget less what the debts before it pay and what the others require — is more than
    0, then its own walk with that money, until it is repaid. ``money[t]`` keeps what the
    debts taken pay plus what the others require, so each month's money left is
    ``budget − money[t]``; the others' minimum-only paths are extended :data:`_STRETCH`
    months at a time as the walk needs them. A month whose money left is below 0 is short:
    ``None``. The figures are the month-by-month walk's, to the fen (a property test,
    ``tests/test_strategy_fast.py``, requires it of the whole fast path)."""
    from xieshang.engine.strategy._simulate import Run, Sums

    count = len(keys)
    horizon = plan_input.horizon_months
    dates = Calendar(plan_input.start)
    days: list[int] = []  # days since the previous pay date
    budgets: list[int] = []
    budget_of = plan_input.budget_of
    money: list[int] = []  # what the debts taken pay + what the others require, by month
    # each debt's months so far: owed, required, charge; and what it paid in the months it
    # paid more than required
    owed_of: list[list[int]] = [[] for _ in range(count)]
    need_of: list[list[int]] = [[] for _ in range(count)]
    charge_of: list[list[int]] = [[] for _ in range(count)]
    more_of: list[dict[int, int]] = [{} for _ in range(count)]
    state = [(opening[i], fees[i]) for i in range(count)]  # balance and fees after them
    repaid = [False] * count  # on its minimum-only path (then for good)
    grows_at: list[int | None] = [None] * count  # the first month the minimum < charges
    # a minimum of a fixed amount (or none) on a balance charged monthly: the short walk
    plain = [not daily[i] and (rules[i] is None or not (rules[i] or (0, None, False))[2])
             for i in range(count)]
    waiting = list(order)  # on their minimum-only paths
    known = 0
    previous = add_months(plan_input.start, -1)

    def extend(upto: int) -> None:
        """Months up to ``upto`` known: days, money, the waiting debts' minimum paths."""
        nonlocal known, previous
        upto = min(upto, horizon)
        for month in range(known, upto):
            day = dates[month]
            days.append((day - previous).days)
            previous = day
            budgets.append(_fen(budget_of(month)))
            money.append(0)
        for i in waiting:
            if repaid[i]:
                continue
            owed_l, need_l, charge_l = owed_of[i], need_of[i], charge_of[i]
            month = len(owed_l)
            balance, fee = state[i]
            top, bottom, twice, rule = tops[i], bottoms[i], doubled[i], rules[i]
            arrear = arrears[i] if month == 0 else 0
            if plain[i] and not fee and not arrear:
                # the same steps with nothing else to look at
                amount = 0 if rule is None else rule[0]
                grown = grows_at[i] if rule is not None else month
                for month in range(month, upto):  # noqa: B020 (resumes where it was)
                    charge = (balance * top + bottom) // twice
                    owe = balance + charge
                    need = amount if amount < owe else owe
                    if grown is None and amount < charge:
                        grown = month
                    balance = owe - need
                    owed_l.append(owe)
                    need_l.append(need)
                    charge_l.append(charge)
                    money[month] += need
                    if balance <= 0:
                        repaid[i] = True
                        break
                if rule is not None:
                    grows_at[i] = grown
                state[i] = (balance, 0)
                continue
            by_day = daily[i]
            for month in range(month, upto):  # noqa: B020 (resumes where it was)
                if by_day:
                    charge = (balance * top * days[month] + bottom) // twice
                else:
                    charge = (balance * top + bottom) // twice
                balance += charge
                owe = balance + fee
                need = 0
                if rule is not None and owe > 0:
                    need = _minimum_of(rule, owe, charge) if rule[2] else rule[0]
                    if need < charge and grows_at[i] is None:
                        grows_at[i] = month
                need += arrear
                arrear = 0
                if need > owe:
                    need = owe
                if need > 0:
                    if fee:
                        taken = need if need < fee else fee
                        fee -= taken
                        balance -= need - taken
                    else:
                        balance -= need
                    if balance < 0:
                        balance = 0
                owed_l.append(owe)
                need_l.append(need)
                charge_l.append(charge)
                money[month] += need
                if balance + fee <= 0:
                    repaid[i] = True
                    break
            state[i] = (balance, fee)
        known = upto

    extend(_STRETCH)
    for k in order:
        waiting.remove(k)
        owed_l, need_l, charge_l = owed_of[k], need_of[k], charge_of[k]
        more = more_of[k]
        walked = len(owed_l)
        # its minimum-only months while no money is left for it
        month = 0
        while month < walked:
            left = budgets[month] - money[month]
            if left < 0:
                return None  # the month is short
            if left > 0 and owed_l[month] > need_l[month]:
                break
            month += 1
        if month == walked and repaid[k]:
            continue
        if month < walked:  # more from this month: its own walk from here
            for later in range(month, walked):
                money[later] -= need_l[later]
            del owed_l[month:], need_l[month:], charge_l[month:]
            repaid[k] = False
            if grows_at[k] is not None and (grows_at[k] or 0) >= month:
                grows_at[k] = None
            fee = fees[k]  # fees are paid first
            for paid in need_l:
                if not fee:
                    break
                fee = fee - paid if fee > paid else 0
            balance = owed_l[-1] - need_l[-1] - fee if owed_l else opening[k]
        else:
            balance, fee = state[k]
        top, bottom, twice, rule = tops[k], bottoms[k], doubled[k], rules[k]
        by_day = daily[k]
        arrear = arrears[k] if month == 0 else 0
        out = 1
        while month < horizon:
            if month >= known:
                extend(month + _STRETCH)
            if by_day:
                charge = (balance * top * days[month] + bottom) // twice
            else:
                charge = (balance * top + bottom) // twice
            balance += charge
            owe = balance + fee
            need = 0
            if rule is not None and owe > 0:
                need = _minimum_of(rule, owe, charge) if rule[2] else rule[0]
                if need < charge and grows_at[k] is None:
                    grows_at[k] = month
            need += arrear
            arrear = 0
            if need > owe:
                need = owe
            left = budgets[month] - money[month] - need
            if left < 0:
                return None  # the month is short
            paid = need
            if left > 0:
                room = owe - need
                if room > 0:
                    paid += left if left < room else room
                    more[month] = paid
            if paid > 0:
                if fee:
                    taken = paid if paid < fee else fee
                    fee -= taken
                    balance -= paid - taken
                else:
                    balance -= paid
                if balance < 0:
                    balance = 0
            out = balance + fee
            owed_l.append(owe)
            need_l.append(need)
            charge_l.append(charge)
            money[month] += paid
            if out <= 0:
                break
            month += 1
        repaid[k] = out <= 0
        state[k] = (balance, fee)
    # the rows: each debt's months, then its idle rows, by month
    length = max(len(owed_l) for owed_l in owed_of)
    finished = all(repaid)
    zero = ZERO
    cent = CENT
    make_row = _DEBT_MONTH
    pay_dates = [dates[month] for month in range(length)]
    dues: dict[int, list[date]] = {}
    columns = []
    for i in range(count):
        walked = len(owed_of[i])
        due_day = due_days[i]
        if due_day is None:
            due = pay_dates
        else:
            due = dues.get(due_day) or dues.setdefault(
                due_day, [_day_in_month(day, due_day) for day in pay_dates])
        key = keys[i]
        more = more_of[i]
        rows: list[Any] = []
        append = rows.append
        for owe, need, charge, on in zip(owed_of[i], need_of[i], charge_of[i], due,
                                         strict=False):
            need_d = cents(need)
            owed_d = cent * owe
            append(make_row(key, owed_d, need_d, need_d, owed_d - need_d, cent * charge, zero,
                            zero, zero, False, zero, on, zero))
        for month, paid in more.items():  # the months it paid more than required
            row = rows[month]
            paid_d = cents(paid)
            rows[month] = make_row(key, row.owed, row.required, paid_d, row.owed - paid_d,
                                   row.interest, zero, zero, zero, False, zero, row.due_by, zero)
        arrear = arrears[i]
        if arrear and walked:  # month 0 pays what was past due first
            row = rows[0]
            rows[0] = make_row(key, row.owed, row.required, row.paid, row.balance,
                               row.interest, zero, zero, zero, False, zero, row.due_by,
                               cents(min(arrear, need_of[i][0])))
        if walked < length:
            rows += [make_row(key, zero, zero, zero, zero, zero, zero, zero, zero, False, zero,
                              day, zero) for day in pay_dates[walked:]]
        columns.append(rows)
    months = [_MONTH(month, pay_dates[month], budget_of(month), cents(money[month]),
                     cents(max(0, budgets[month] - money[month])), zero, rows)
              for month, rows in enumerate(zip(*columns, strict=True))]
    nothing = cents(0)
    ledgers: list[Any] = []
    sums = []
    for i in range(count):
        walked = len(owed_of[i])
        balance, fee = state[i]
        interest = sum(charge_of[i])
        at = grows_at[i]
        ledgers.append(_Final(plan_input.debts[i], principal[i], charges_before[i],
                              at is not None and at < walked, balance + fee))
        sums.append(Sums(cents(opening[i] + fees[i] + interest - balance - fee),
                         cents(interest), zero, nothing, zero, 0, nothing))
    return Run(tuple(months), tuple(ledgers), finished, tuple(sums), 0)
