"""A fast path of the simulator for the plan every case gets: overdue debts shared pro rata.

Same rules as :func:`~xieshang.engine.strategy._simulate.simulate` with
:class:`~xieshang.engine.strategy._ledger.Ledger` in its ``OVERDUE`` phase and the
``_pro_rata`` policy, computed on **integer fen** with plain lists: each debt's bill on the
pay dates comes from :class:`~xieshang.engine.accrual_fen.FenWalker` (the integer walk of the
accrual engine's rules) or, for what that walk does not cover, from the Decimal
:class:`~xieshang.engine.accrual.Walker`, read as fen; the month's charges, what is
required, the budget's fair shares (:func:`xieshang.engine.budget._webster`, the one pro-rata
rule), the split of the rest (largest remainders), the allocation of each payment and the
rows are integers. Frozen records (:class:`DebtMonth`, :class:`Month`) are built only for
the result, their slots filled directly. Anything else (a debt on its own terms or under an
arrangement, earmarked money, amounts too large for the Decimal reference to stay exact)
returns ``None`` and the general simulator runs: it stays the reference, and a property test
(``tests/test_strategy_fast_pro_rata.py``) requires both to give the same plan to the fen.
"""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal
from typing import Any, Final

from xieshang.engine.accrual import OverdueDebt, Payment, Walker
from xieshang.engine.accrual_fen import FenWalker, fen_of
from xieshang.engine.budget import _webster
from xieshang.engine.money import CENT, ZERO
from xieshang.engine.strategy._fast import _Cents, _Final, _minimum_of, _minimum_rules
from xieshang.engine.strategy._ledger import Calendar, make_debt_month, make_month_record
from xieshang.engine.strategy._model import PlanInput

__all__ = ["fast_pro_rata_run"]

#: Every amount of the plan stays below this (10^13 fen), so the Decimal reference's
#: divisions (34 digits) order the remainders as exact fractions do.
_LIMIT: Final = 10**13


class _Decimal:
    """A debt the integer walk does not cover: the Decimal walker, read as fen."""

    __slots__ = ("_day", "_payments", "_walker")

    def __init__(self, debt: OverdueDebt, history: list[tuple[date, int]]) -> None:
        self._walker = Walker(debt)
        self._payments = list(debt.payments) + [
            Payment(on, Decimal(fen).scaleb(-2)) for on, fen in history]
        self._day: date | None = None

    def advance(self, as_of: date) -> tuple[int, int, int, int, int]:
        self._day = as_of
        bill = self._walker.bill_forward(self._payments, as_of)
        return (fen_of(bill.principal), fen_of(bill.interest), fen_of(bill.penalty),
                fen_of(bill.fees), fen_of(bill.not_yet_due))

    def pay(self, amount: int) -> None:
        if self._day is None:
            raise ValueError("pay before advance")
        self._payments.append(Payment(self._day, Decimal(amount).scaleb(-2)))


def _covered(plan_input: PlanInput) -> bool:
    if plan_input.earmarked:
        return False
    for debt in plan_input.debts:
        od = debt.overdue_debt
        if od is None or debt.arrangement is not None:
            return False
        if (od.principal + od.interest + od.fees + od.extra_fee + od.not_yet_due_principal
                + debt.past_due) * 100 >= _LIMIT:
            return False
    return plan_input.monthly_budget * 100 < _LIMIT and all(
        abs(value) * 100 < _LIMIT for value in plan_input.adjustments.values())


def _split(total: int, weights: list[int]) -> list[int]:
    """``_simulate.split`` on integer fen: each share rounded down, the fen left to the
    largest remainders (then the first debts)."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    shares = []
    gaps = []  # share − exact, × whole
    for weight in weights:
        n = total * weight
        if n >= 0:
            share, rest = divmod(n, whole)
            gaps.append(-rest)
        else:
            share = -((-n) // whole)
            gaps.append(share * whole - n)
        shares.append(share)
    fens = total - sum(shares)
    if fens:  # (a stable sort on the gaps: equal gaps stay in the debts' order)
        for index in sorted(range(len(weights)), key=gaps.__getitem__)[:fens]:
            shares[index] += 1
    return shares


def _fair(budget: int, left: int, pay: list[int], owed: list[int],
          interest: list[int]) -> list[int]:
    """The rest of ``_pro_rata`` once what is required is in ``pay`` and ``left`` is the
    money left: each debt brought up towards its fair share (the budget's Webster split of
    what is owed before the month's interest), then the rest in proportion to what is
    still owed."""
    weights = [o - i for o, i in zip(owed, interest, strict=True)]
    fair = _webster(min(budget if budget > 0 else 0, sum(weights)), weights)
    wants = []
    for o, f, p in zip(owed, fair, pay, strict=True):
        want = f - p if f > p else 0
        room = o - p
        wants.append(room if room < want else want)
    wanted = sum(wants)
    if left <= wanted:
        extra = wants if left == wanted else _split(left, wants)
    else:
        extra = _split(left - wanted, [o - p - w for o, p, w in zip(owed, pay, wants,
                                                                    strict=True)])
        extra = [w + m for w, m in zip(wants, extra, strict=True)]
    return [p + e for p, e in zip(pay, extra, strict=True)]


def fast_pro_rata_run(plan_input: PlanInput) -> Any:
    """The :class:`~xieshang.engine.strategy._simulate.Run` of the pro-rata strategy over
    overdue debts, or ``None`` when this path does not cover the input."""
    if not _covered(plan_input):
        return None
    from xieshang.engine.strategy._simulate import CONTEXT

    with decimal.localcontext(CONTEXT):
        return _run(plan_input)


def _run(plan_input: PlanInput) -> Any:
    from xieshang.engine.strategy._simulate import Run, Sums

    debts = plan_input.debts
    count = len(debts)
    indices = range(count)
    dates = Calendar(plan_input.start)
    cents = _Cents().__getitem__
    zero = ZERO
    make_row = make_debt_month
    make_month = make_month_record
    cent = CENT
    keys = [d.key for d in debts]
    ods = [d.overdue_debt for d in debts]
    sources: list[Any] = []
    first = dates[0]
    for od in ods:
        if od is None:
            raise ValueError("an overdue debt")
        walker = FenWalker.of(od, first)
        sources.append(walker if walker is not None else _Decimal(od, []))
    arrears = [fen_of(d.past_due) for d in debts]
    cards = [None if d.card_principal is None else fen_of(d.card_principal) for d in debts]
    any_card = any(card is not None for card in cards)
    tolerance = [fen_of(od.preset.tolerance) if od else 0 for od in ods]
    installment_loan = [bool(od.later) or od.not_yet_due_principal > 0 if od else False
                        for od in ods]
    rules = _minimum_rules(debts)
    #: the bill's interest, penalty and fees less the month's payment (paid in that order
    #: after the fees): the month's charges next month are the new bill's less these
    c_interest = [0] * count
    c_penalty = [0] * count
    c_fees = [0] * count
    closing = [0] * count  # what is owed after the month's payment (more than 0: not done)
    principal = [0] * count
    charges_before = [0] * count
    grows = [False] * count
    done = [False] * count
    owed = [0] * count
    required = [0] * count
    interest = [0] * count
    penalty = [0] * count
    fees = [0] * count
    past_due = [0] * count
    sum_paid = [0] * count
    sum_interest = [0] * count
    sum_penalty = [0] * count
    sum_fees = [0] * count
    sum_overdue = [0] * count
    sum_newly = [0] * count
    live = list(indices)  # the debts not done, in order
    short = 0
    months: list[Any] = []
    adjusted = plan_input.adjustments
    plain_dec = max(ZERO, plan_input.monthly_budget + ZERO)  # budget_of, no adjustment
    plain = fen_of(plain_dec)
    finished = False
    for month in range(plan_input.horizon_months):
        day = dates[month]
        # -- open (a debt not done owes something: its first month, or more than 0 after
        # the last payment)
        total_required = total_owed = 0
        for i in live:
            figures = sources[i].advance(day)
            if figures is None:  # too large for the integer walk: the Decimal one
                od = ods[i]
                if od is None:
                    raise ValueError("an overdue debt")
                # (every payment so far, from the months' rows)
                sources[i] = _Decimal(od, [(m.pay_date, fen_of(m.debts[i].paid))
                                           for m in months if m.debts[i].paid > 0])
                figures = sources[i].advance(day)
            p, it, pe, f, n = figures
            now = p + it + pe + f
            owe = owed[i] = now + n
            if month:
                charged = interest[i] = it - c_interest[i]
                fee = fees[i] = f - c_fees[i]
                charges = owe - closing[i]  # the month's interest, penalty and fees
                penalty[i] = charges - charged - fee
            else:
                principal[i] = p + n
                charges_before[i] = it + pe + f
                charges = 0
            c_interest[i] = it
            c_penalty[i] = pe
            c_fees[i] = f
            arrear = past_due[i] = arrears[i]
            rule = rules[i]
            if rule is not None and owe > 0:
                base = _minimum_of(rule, owe, charges) if rule[2] else rule[0]
                if base < charges:
                    grows[i] = True
                need = base + arrear
            else:
                need = arrear
            if need > owe:
                need = owe
            if installment_loan[i] and need < now:
                need = now if now < owe else owe
            required[i] = need
            total_required += need
            total_owed += owe
        # -- the policy (_pro_rata)
        if month in adjusted:
            budget_dec = plan_input.budget_of(month)
            budget = fen_of(budget_dec)
        else:
            budget_dec, budget = plain_dec, plain
        if budget >= total_required:
            left = budget - total_required
            if left >= total_owed - total_required:  # every debt can be paid what it owes
                pay = owed
            else:
                pay = _fair(budget, left, required, owed, interest)
        else:
            # nothing left: ``_fair`` with no money left adds nothing (each share of the
            # budget is at most its debt's requirement, hence at most what it owes: no
            # debt's room is negative); no room left either: what is owed
            pay = _split(budget, required)
            if sum(pay) >= total_owed:
                pay = owed
        # -- pay and close
        rows: list[Any] = [None] * count
        paid_total = 0
        unpaid_month = 0
        ended = False
        for i in indices:
            if done[i]:
                rows[i] = make_row(keys[i], zero, zero, zero, zero, zero, zero, zero, zero,
                                   False, zero, day, zero)
                continue
            amount = pay[i]
            owe = owed[i]
            if amount > 0:
                card = cards[i]
                if card is not None:
                    cards[i] = card - amount if card > amount else 0
                sources[i].pay(amount)
                rest = amount - c_fees[i]
                if rest < 0:
                    c_fees[i] = -rest
                else:
                    c_fees[i] = 0
                    rest -= c_penalty[i]
                    if rest > 0:
                        it = c_interest[i]
                        c_interest[i] = it - rest if rest < it else 0
            need = required[i]
            close = closing[i] = owe - amount if owe > amount else 0
            arrear = past_due[i]
            if arrear > need:
                arrear = need
            paid_total += amount
            sum_paid[i] += amount
            charged = interest[i]
            penal = penalty[i]
            fee = fees[i]
            sum_interest[i] += charged
            sum_penalty[i] += penal
            sum_fees[i] += fee
            overdue = close > tolerance[i]
            if overdue:
                sum_overdue[i] += 1
            # amounts nearly always new: made directly (2 places, exact: ``cent × fen``
            # makes the same Decimal as Decimal(fen) × cent, without the int's own Decimal)
            owe_dec = cent * owe
            need_dec = owe_dec if need == owe else cent * need
            if need > amount:
                unpaid = arrears[i] = need - amount
                unpaid_month += unpaid
                newly = need - arrear
                sum_newly[i] += unpaid if unpaid < newly else newly
                rows[i] = make_row(
                    keys[i], owe_dec, need_dec, cent * amount,
                    cent * close if close else zero, cent * charged, cent * penal,
                    cent * fee if fee else zero, zero, overdue, cent * unpaid, day,
                    cent * arrear if arrear else zero)
            else:
                arrears[i] = 0
                rows[i] = make_row(
                    keys[i], owe_dec, need_dec,
                    need_dec if amount == need else (
                        owe_dec if amount == owe else cent * amount),
                    cent * close if close else zero, cent * charged, cent * penal,
                    cent * fee if fee else zero, zero, overdue, zero, day,
                    cent * arrear if arrear else zero)
            if not close:
                done[i] = ended = True
        if unpaid_month:
            short += 1
        card_total = cents(sum(card or 0 for card in cards)) if any_card else zero
        spare = budget - paid_total
        months.append(make_month(month, day, budget_dec, cent * paid_total,
                                 cent * spare if spare > 0 else zero, card_total,
                                 tuple(rows)))
        if ended:
            live = []
            for i in indices:
                if done[i]:
                    owed[i] = required[i] = interest[i] = penalty[i] = fees[i] = 0
                    past_due[i] = 0
                else:
                    live.append(i)
            if not live:
                finished = True
                break
    ledgers = tuple(_Final(debts[i], cents(principal[i]), cents(charges_before[i]), grows[i],
                           closing[i]) for i in indices)
    sums = None
    if months:
        sums = tuple(Sums(cents(sum_paid[i]), cents(sum_interest[i]), cents(sum_penalty[i]),
                          cents(sum_fees[i]), zero, sum_overdue[i], cents(sum_newly[i]))
                     for i in indices)
    return Run(tuple(months), ledgers, finished, sums, short)  # type: ignore[arg-type]
