"""An overdue debt walked forward in integer fen, for the plan's month-by-month walk.

:class:`FenWalker` computes what :meth:`xieshang.engine.accrual.Walker.bill_forward` computes
— the bill of an overdue debt on later and later dates, payments only added on the last
date asked — with the same rules as :mod:`xieshang.engine.accrual` (its ``_Ledger`` and
``_Cursor``, day by day), on integers:

* amounts due are integer fen; charges accrue in units of 1/R fen, where R = 10^k is the
  smallest power of ten that makes the daily rates whole numbers (0.00075/day: R = 10^5),
  so base × rate × days is an exact integer, as the Decimal walk's sums are exact;
* a day's charge is rounded to the fen (``rounding.daily_amount``) or the running total
  is, with the preset's mode, as ``round_money`` rounds;
* the days between two events (a payment, the end of the grace days, a monthly step that
  compounds or charges a statement's late fee) are added in one multiplication — exact,
  hence the day walk;
* late fees are :func:`~xieshang.engine.accrual.late_fee_due` itself.

A rate of more than 18 places (a yearly rate ÷ 365 has 34 in the engine's context) makes
charges that the Decimal walk rounds to 34 digits: for such a debt (``_Digits34``) R is the
power of ten of the rate's places all the same, each day's charge is rounded to 34
significant digits and each day's sum too (half even, as the Decimal context rounds: in
units of a power of ten of a yuan, rounding a value to 34 digits is rounding the integer),
the days between two events added a decade at a time as
:func:`~xieshang.engine.accrual._added_days` adds them (``_added34``).

:meth:`FenWalker.of` returns ``None`` for what this walk does not cover — installments
falling due later, a card's interest from the posting date, a first date before the due
date, payments on or after the first date asked, amounts too large for the exact Decimal
walk to stay exact, a tolerance or a minimum daily charge not in whole fen — and the
Decimal :class:`~xieshang.engine.accrual.Walker` stays the reference: a property test
(``tests/test_accrual_fen.py``) requires both to give the same bills to the fen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar, Final

from xieshang.engine._record import replace
from xieshang.engine.accrual import (
    _CONTEXT,
    _MAX_DAYS,
    OverdueDebt,
    Payment,
    Walker,
    _add_months,
    _Terms,
    _terms,
    late_fee_due,
)
from xieshang.engine.bill import Bill
from xieshang.engine.money import CENT, ZERO, Rounding
from xieshang.engine.preset import LateFee, LateFeeKind, PenaltyBase

__all__ = ["DayBills", "FenWalker", "fen_of"]

#: Most places of the daily rates whose charges are exact integers (R ≤ 10^18); more
#: places: the charges rounded to 34 digits (``_Digits34``), up to :data:`_MAX_PLACES`.
_EXACT_PLACES: Final = 18
_MAX_PLACES: Final = 120
#: Largest amount in fen a debt may start with (10^13 fen: 100 billion yuan).
_MAX_FEN: Final = 10**13
#: While every running total stays below this, the Decimal walk (34 digits) is exact.
_MAX_UNITS: Final = 10**30
_NEVER: Final = 1 << 62


def fen_of(value: Decimal) -> int:
    """An amount of at most 2 places as integer fen (exact)."""
    return int(value.scaleb(2))


def _places_of(*rates: Decimal) -> int | None:
    """The places of the rate with the most (``None``: not a finite rate)."""
    places = 0
    for rate in rates:
        if not rate.is_finite():
            return None
        exponent = rate.as_tuple().exponent
        if not isinstance(exponent, int):
            return None
        places = max(places, -exponent)
    return places


def _whole(rate: Decimal, scale: int) -> int:
    """``rate × scale`` as an integer, from the rate's own digits (``scale`` a power of ten
    with at least the rate's places): exact whatever the caller's Decimal context, as the
    Decimal walk multiplies by the exact rate."""
    sign, digits, exponent = rate.as_tuple()
    if not isinstance(exponent, int):  # (a finite rate: _places_of said so)
        raise ValueError(f"not a finite rate: {rate}")
    value: int = int("".join(map(str, digits))) * scale
    value = value * 10**exponent if exponent >= 0 else value // 10**-exponent
    return -value if sign else value


def _scale_of(*rates: Decimal) -> int | None:
    """R: the power of ten that makes every rate whole, when the products are exact
    integers (``None``: more places, or not a finite rate)."""
    places = _places_of(*rates)
    return None if places is None or places > _EXACT_PLACES else 10**places


class FenWalker:
    """The bills of one overdue debt on later and later dates, in integer fen.

    :meth:`advance` to a date returns the bill there (principal, interest, penalty, fees,
    principal not yet due) as ``Walker.bill_forward`` gives it with the payments
    registered by :meth:`pay`, which are made on the last date advanced to.
    """

    __slots__ = (
        "_all_principal", "_charge_grace", "_charges", "_compounding", "_confirmed",
        "_cycle_paid", "_day", "_due", "_fee_maximum", "_fee_minimum", "_fee_percent",
        "_fees", "_grace_days", "_grace_end", "_grace_interest", "_grace_penalty", "_half",
        "_half_scale", "_interest_accrued", "_interest_bearing", "_interest_paid",
        "_interest_rate", "_late_fee", "_late_fees", "_minimum_due", "_minimum_due_fen",
        "_minimum_units", "_mode", "_months", "_not_yet_due", "_paid_on_time",
        "_penalty_accrued", "_penalty_bearing", "_penalty_paid", "_penalty_rate",
        "_pending", "_per_statement", "_principal", "_round_daily", "_scale", "_settled",
        "_step", "_steps", "_today", "_tolerance", "_too_large", "_yuan",
    )

    #: the running totals are exact sums (``_accrue`` adds ``days`` × the charge)
    _EXACT: ClassVar[bool] = True

    @classmethod
    def of(cls, debt: OverdueDebt, first: date) -> FenWalker | None:
        """A walker of ``debt`` whose first :meth:`advance` is to ``first`` or later, or
        ``None`` when the integer walk does not cover it (see the module docstring)."""
        if debt.later or debt.interest_from is not None or first < debt.due_date:
            return None
        if any(payment.on >= first for payment in debt.payments):
            return None
        terms = _terms(debt)
        places = _places_of(terms.penalty_rate, terms.interest_rate)
        if places is None or places > _MAX_PLACES:
            return None
        if places > _EXACT_PLACES:  # a rate of many places (0.27 ÷ 365): 34-digit charges
            cls = _Digits34
        scale = 10**places
        minimum = terms.minimum_per_day * 100
        tolerance = terms.tolerance * 100
        if minimum != minimum.to_integral_value() or tolerance != tolerance.to_integral_value():
            return None
        start = (debt.principal + debt.interest + debt.fees + debt.extra_fee
                 + debt.not_yet_due_principal)
        if start * 100 >= _MAX_FEN:
            return None
        walker = object.__new__(cls)
        walker._init(debt, terms, scale, int(minimum), int(tolerance))
        return walker

    def _init(self, debt: OverdueDebt, terms: _Terms, scale: int, minimum: int,
              tolerance: int) -> None:
        self._due = debt.due_date
        self._scale = scale
        self._penalty_rate = _whole(terms.penalty_rate, scale)
        self._interest_rate = _whole(terms.interest_rate, scale)
        self._minimum_units = minimum * scale
        self._round_daily = terms.rounding.daily_amount
        self._mode = terms.rounding.mode
        self._compounding = terms.compounding
        self._per_statement = terms.late_fee.per_statement
        self._steps = terms.compounding or terms.late_fee.per_statement
        self._months = 1
        #: the next monthly step (day number); only walked when it does something
        self._step = self._step_of(1) if self._steps else _NEVER
        self._too_large = False
        #: units of a running total that make what :data:`_MAX_UNITS` counts (1: the
        #: units; the 34-digit walk: a yuan, as the Decimal walk's totals count)
        self._yuan = self._unit_of_limit(scale)
        #: half a unit's scale for half-up rounding (−1: another mode; R is 1 or even)
        self._half_scale = scale // 2 if self._mode is Rounding.HALF_UP else -1
        self._late_fees: dict[int, int] = {}
        self._late_fee = terms.late_fee
        self._fee_percent, self._fee_minimum, self._fee_maximum = _percent_fee(
            terms.late_fee, terms.minimum_due)
        #: the minimum due × 100 (a Decimal: it may have more places than fen)
        self._minimum_due_fen = terms.minimum_due * 100
        self._minimum_due = terms.minimum_due
        self._all_principal = terms.base is PenaltyBase.ALL_PRINCIPAL
        self._grace_days = terms.grace_days
        self._grace_end = terms.grace_days + 1  # the day number the grace days end on
        self._charge_grace = terms.charge_grace_days
        self._tolerance = tolerance
        self._principal = fen_of(debt.principal)
        self._not_yet_due = fen_of(debt.not_yet_due_principal)
        self._fees = fen_of(debt.fees) + fen_of(debt.extra_fee)
        self._interest_accrued = self._units(fen_of(debt.interest))
        self._interest_paid = 0
        self._penalty_accrued = self._units(0)
        self._penalty_paid = 0
        self._grace_interest = self._units(0)
        self._grace_penalty = self._units(0)
        self._interest_bearing = (self._interest_due()
                                  if terms.base is PenaltyBase.OVERDUE_AMOUNT else 0)
        self._penalty_bearing = 0
        self._paid_on_time = 0
        self._cycle_paid = 0
        self._confirmed = False
        self._settled: int | None = 0 if self._outstanding() <= tolerance else None
        self._charges: tuple[int, int] | None = None
        self._day = 0  # the next day number to walk (0: the due date)
        self._half = False  # the morning of ``_day - 1`` is walked, its evening is not
        self._today: list[int] = []  # payments of the half-walked day
        #: the debt's own payments from the due date on (before the first date asked),
        #: (day number, fen), walked on their days
        self._pending: list[tuple[int, int]] = []
        before = sorted(debt.payments, key=_on_date)
        for payment in before:  # all before the first date (``of`` checks it)
            number = (payment.on - debt.due_date).days
            if number < 0:
                self._pay(fen_of(payment.amount), number)
            else:
                self._pending.append((number, fen_of(payment.amount)))

    def pay(self, amount: int) -> None:
        """A payment of ``amount`` fen (more than 0) on the last date advanced to."""
        self._today.append(amount)

    def advance(self, as_of: date) -> tuple[int, int, int, int, int] | None:
        """The bill on ``as_of`` (later than the last date advanced to): principal,
        interest, penalty, fees and principal not yet due, in fen; ``None`` when a running
        total grew too large to be sure of the Decimal walk (take the Walker then)."""
        target = (as_of - self._due).days
        if target >= _MAX_DAYS:  # the Walker refuses it (more than 100 years): let it say so
            return None
        day = self._day
        if self._half:
            day -= 1
            today = self._today
            if today:
                self._today = []
                for amount in today:
                    self._pay(amount, day)
            if day == self._step:
                self._monthly_step()
            day += 1
        if day > self._grace_end and not self._pending:
            # past the grace days, no payment of its own left: only monthly steps happen
            # before ``target``, each walked with the plain days before it (its charges,
            # then the step); then the plain days and the morning of ``target``
            if self._confirmed and self._settled is None:
                # (``_accrue`` inline: the charges are added to the confirmed totals, exact
                # sums or (``_Digits34``) each day's sum rounded to 34 digits)
                exact = self._EXACT
                if self._steps:
                    while self._step < target:
                        step = self._step
                        penalty, interest = self._charges or self._day_charges()
                        if exact:
                            self._penalty_accrued += penalty * (step - day + 1)
                            self._interest_accrued += interest * (step - day + 1)
                        else:
                            self._penalty_accrued = _added34(self._penalty_accrued, penalty,
                                                             step - day + 1)
                            self._interest_accrued = _added34(self._interest_accrued,
                                                              interest, step - day + 1)
                        self._monthly_step()
                        day = step + 1
                penalty, interest = self._charges or self._day_charges()
                if exact:
                    penalty_total = self._penalty_accrued + penalty * (target - day + 1)
                    interest_total = self._interest_accrued + interest * (target - day + 1)
                else:
                    penalty_total = _added34(self._penalty_accrued, penalty, target - day + 1)
                    interest_total = _added34(self._interest_accrued, interest,
                                              target - day + 1)
                self._penalty_accrued = penalty_total
                self._interest_accrued = interest_total
                self._day = target + 1
                self._half = True
                fees = self._fees
                if self._per_statement and target == self._step and self._settled is None:
                    fees += self._late_fee_fen(self._cycle_paid)
                limit = _MAX_UNITS * self._yuan
                if self._too_large or interest_total >= limit or penalty_total >= limit:
                    return None
                half = self._half_scale
                if half >= 0:
                    scale = self._scale
                    return (self._principal,
                            (interest_total + half) // scale - self._interest_paid,
                            (penalty_total + half) // scale - self._penalty_paid,
                            fees, self._not_yet_due)
            else:
                if self._steps:
                    while self._step < target:
                        step = self._step
                        self._accrue(step - day + 1)
                        self._monthly_step()
                        day = step + 1
                self._accrue(target - day + 1)
        else:
            self._day = day
            self._walk_to(target)
        self._day = target + 1
        self._half = True
        fees = self._fees
        if self._per_statement and target == self._step and self._confirmed \
                and self._settled is None:
            fees += self._late_fee_fen(self._cycle_paid)
        limit = _MAX_UNITS * self._yuan
        if self._too_large or self._interest_accrued >= limit \
                or self._penalty_accrued >= limit:
            return None
        half, scale = self._half_scale, self._scale
        if half >= 0:
            interest = (self._interest_accrued + half) // scale - self._interest_paid
            penalty = (self._penalty_accrued + half) // scale - self._penalty_paid
        else:
            interest, penalty = self._interest_due(), self._penalty_due()
        return (self._principal, interest, penalty, fees, self._not_yet_due)

    def _walk_to(self, target: int) -> None:
        """From ``self._day`` through the morning of ``target``, any day: the days before
        charges start, the end of the grace days and the debt's own payments are each walked
        as a day; the plain days between them added up."""
        pending = self._pending
        grace_end = self._grace_end
        steps = self._steps
        morning = True  # the morning of ``target`` is still to walk
        while self._day < target:
            day = self._day
            if pending and pending[0][0] == day:
                payments = []
                while pending and pending[0][0] == day:
                    payments.append(pending.pop(0)[1])
                self._morning(day)
                self._evening(day, payments)
                self._day = day + 1
                continue
            if day < 1 or day == grace_end or (steps and day == self._step):
                self._morning(day)
                self._evening(day, ())
                self._day = day + 1
                continue
            stop = target
            if pending and pending[0][0] < stop:
                stop = pending[0][0]
            if day < grace_end < stop:
                stop = grace_end
            if steps and self._step < stop:
                stop = self._step
            if stop == target and target != grace_end:
                # the plain days and the morning of ``target`` (its charges only)
                self._accrue(stop - day + 1)
                morning = False
            elif steps and stop == self._step and stop != grace_end and not (
                    pending and pending[0][0] == stop):
                # the plain days and the whole monthly step day (its charges, the step)
                self._accrue(stop - day + 1)
                self._evening(stop, ())
                stop += 1
            else:
                self._accrue(stop - day)
            self._day = stop
        if morning:
            self._morning(target)

    # -- the day walk (accrual._Cursor) ---------------------------------------------------

    def _step_of(self, months: int) -> int:
        return (_add_months(self._due, months) - self._due).days

    def _morning(self, day: int) -> None:
        if day == self._grace_end:
            self._end_grace()
        if day >= 1:
            self._accrue(1)

    def _evening(self, day: int, payments: Sequence[int]) -> None:
        for amount in payments:
            self._pay(amount, day)
        if day == self._step:
            self._monthly_step()

    def _monthly_step(self) -> None:
        """The end of a monthly step day, after its payments."""
        if self._compounding:
            self._compound()
        if self._per_statement:
            self._statement_fee()
        self._months += 1
        self._step = self._step_of(self._months)

    # -- the balances (accrual._Ledger) ---------------------------------------------------

    def _units(self, fen: int) -> int:
        """``fen`` as a running total of charges."""
        return fen * self._scale

    @staticmethod
    def _unit_of_limit(scale: int) -> int:
        return 1

    @staticmethod
    def _plus(total: int, more: int) -> int:
        """Two running totals added."""
        return total + more

    @staticmethod
    def _times(base: int, rate: int) -> int:
        """A day's charge on ``base`` at ``rate`` (exact)."""
        return base * rate

    def _round(self, units: int) -> int:
        """``units`` (1/R fen, ≥ 0) to the fen, with the preset's mode."""
        scale = self._scale
        if self._half_scale >= 0:  # half up (R is 1 or even)
            return (units + self._half_scale) // scale
        if scale == 1:
            return units
        whole, rest = divmod(units, scale)
        mode = self._mode
        if mode is Rounding.HALF_UP:
            return whole + 1 if 2 * rest >= scale else whole
        if mode is Rounding.HALF_EVEN:
            return whole + 1 if 2 * rest > scale or (2 * rest == scale and whole % 2) else whole
        if mode is Rounding.DOWN:
            return whole
        return whole + 1 if rest else whole

    def _interest_due(self) -> int:
        return self._round(self._interest_accrued) - self._interest_paid

    def _penalty_due(self) -> int:
        return self._round(self._penalty_accrued) - self._penalty_paid

    def _outstanding(self) -> int:
        return self._principal + self._interest_due() + self._penalty_due() + self._fees

    def _late_fee_fen(self, paid: int) -> int:
        """:func:`late_fee_due` of the minimum due with ``paid`` fen paid, in fen."""
        rule = self._late_fee
        if rule.kind is LateFeeKind.NONE or paid >= self._minimum_due_fen:
            return 0  # (an unpaid part of the minimum of less than a fen still counts)
        fee = self._late_fees.get(paid)
        if fee is None:
            percent = self._fee_percent
            if percent is not None:  # the same steps on integer fen
                numerator, denominator = percent
                unpaid = int(self._minimum_due_fen) - paid  # whole fen (_percent_fee)
                fee = max(_rounded(unpaid * numerator, denominator, self._mode),
                          self._fee_minimum)
                if self._fee_maximum is not None:
                    fee = min(fee, self._fee_maximum)
            else:
                fee = fen_of(late_fee_due(rule, self._minimum_due, Decimal(paid) * CENT,
                                          self._mode))
            self._late_fees[paid] = fee
        return fee

    def _end_grace(self) -> None:
        if self._settled is not None:
            return
        self._confirmed = True
        if self._charge_grace:
            self._interest_accrued = self._plus(self._interest_accrued, self._grace_interest)
            self._penalty_accrued = self._plus(self._penalty_accrued, self._grace_penalty)
        self._grace_interest = 0
        self._grace_penalty = 0
        self._fees += self._late_fee_fen(self._paid_on_time)
        self._cycle_paid = 0

    def _charge(self, base: int, rate: int, minimum: int) -> int:
        if base <= 0 or rate <= 0:
            return 0
        amount = self._times(base, rate)
        if amount < minimum:
            amount = minimum
        if self._round_daily:
            return self._round(amount) * self._scale
        return amount

    def _bases(self) -> tuple[int, int]:
        """What bears the penalty and what bears the interest today (fen)."""
        principal = self._principal
        if self._all_principal:
            principal += self._not_yet_due
        return principal + self._interest_bearing + self._penalty_bearing, principal

    def _day_charges(self) -> tuple[int, int]:
        charges = self._charges
        if charges is None:
            principal = self._principal  # (_bases, inline)
            if self._all_principal:
                principal += self._not_yet_due
            base = principal + self._interest_bearing + self._penalty_bearing
            if self._round_daily:
                charges = self._charges = (
                    self._charge(base, self._penalty_rate, self._minimum_units),
                    self._charge(principal, self._interest_rate, 0))
            else:  # _charge without rounding, inline
                penalty = base * self._penalty_rate if base > 0 else 0
                if 0 < penalty < self._minimum_units:
                    penalty = self._minimum_units
                charges = self._charges = (
                    penalty, principal * self._interest_rate if principal > 0 else 0)
            if charges[0] >= _MAX_UNITS or charges[1] >= _MAX_UNITS:
                self._too_large = True
        return charges

    def _accrue(self, days: int) -> None:
        if self._settled is not None or days <= 0:
            return
        penalty, interest = self._day_charges()
        if self._confirmed:
            self._penalty_accrued += penalty * days
            self._interest_accrued += interest * days
        else:
            self._grace_penalty += penalty * days
            self._grace_interest += interest * days

    def _compound(self) -> None:
        if not self._confirmed or self._settled is not None:
            return
        self._interest_bearing = self._interest_due()
        self._penalty_bearing = self._penalty_due()
        self._charges = None

    def _statement_fee(self) -> None:
        if self._confirmed and self._settled is None:
            self._fees += self._late_fee_fen(self._cycle_paid)
        self._cycle_paid = 0

    def _pay(self, amount: int, day: int) -> None:
        # (``a if a < b else b`` is ``min(a, b)``, without the call)
        if day <= self._grace_days:
            self._paid_on_time += amount
        self._cycle_paid += amount
        self._charges = None
        fees = self._fees
        taken = amount if amount < fees else fees
        fees = self._fees = fees - taken
        left = amount - taken
        half = self._half_scale
        if half >= 0:  # the due amounts, rounded half up inline
            scale = self._scale
            penalty = (self._penalty_accrued + half) // scale - self._penalty_paid
            interest = (self._interest_accrued + half) // scale - self._interest_paid
        else:
            penalty = self._penalty_due()
            interest = self._interest_due()
        taken = left if left < penalty else penalty
        if taken:
            self._penalty_paid += taken
            bearing = self._penalty_bearing - taken
            self._penalty_bearing = bearing if bearing > 0 else 0
            penalty -= taken
            left -= taken
        taken = left if left < interest else interest
        if taken:
            self._interest_paid += taken
            bearing = self._interest_bearing - taken
            self._interest_bearing = bearing if bearing > 0 else 0
            interest -= taken
            left -= taken
        principal = self._principal
        taken = left if left < principal else principal
        principal = self._principal = principal - taken
        left -= taken
        if left:
            later = self._not_yet_due
            self._not_yet_due = later - (left if left < later else later)
        if self._settled is None and principal + interest + penalty + fees <= self._tolerance:
            self._settled = day if day > 0 else 0
            self._grace_interest = 0
            self._grace_penalty = 0


def _whole_fen(value: Decimal) -> int | None:
    """``value`` in fen when it is a whole number of fen, else ``None``."""
    scaled = value * 100
    return int(scaled) if scaled == scaled.to_integral_value() else None


def _percent_fee(rule: LateFee, minimum_due: Decimal
                 ) -> tuple[tuple[int, int] | None, int, int | None]:
    """A percent-of-unpaid-minimum late fee as integers: (rate as a fraction, minimum,
    maximum); the fraction is ``None`` for any other rule or amounts not in whole fen."""
    if rule.kind is not LateFeeKind.PERCENT_OF_UNPAID_MINIMUM:
        return None, 0, None
    minimum = _whole_fen(rule.minimum)
    maximum = None if rule.maximum is None else _whole_fen(rule.maximum)
    if (minimum is None
            or (rule.maximum is not None and maximum is None)
            or _whole_fen(minimum_due) is None or not rule.rate.is_finite()
            or _scale_of(rule.rate) is None):  # (unpaid × rate exact in 34 digits)
        return None, 0, None
    return rule.rate.as_integer_ratio(), minimum, maximum


def _rounded(numerator: int, denominator: int, mode: Rounding) -> int:
    """numerator ÷ denominator (both > 0) to a whole number with ``mode``, as
    ``round_money`` rounds an amount to the fen."""
    whole, rest = divmod(numerator, denominator)
    if mode is Rounding.HALF_UP:
        return whole + 1 if 2 * rest >= denominator else whole
    if mode is Rounding.HALF_EVEN:
        return whole + 1 if 2 * rest > denominator or (
            2 * rest == denominator and whole % 2) else whole
    if mode is Rounding.DOWN:
        return whole
    return whole + 1 if rest else whole


class _Digits34(FenWalker):
    """A debt charged at a rate of more places than the exact integer walk takes (a yearly
    rate ÷ 365: 34 digits): the Decimal walk rounds each day's charge to 34 digits and each
    day's sum of a running total too. Here R is a power of ten all the same, so a running
    total and a charge are integers (units of 1/R fen) and rounding a value to 34
    significant digits is rounding that integer (:func:`_round34`); the days between two
    events are added as :func:`xieshang.engine.accrual._added_days` adds them
    (:func:`_added34`). Everything else is :class:`FenWalker`'s."""

    __slots__ = ()
    _EXACT: ClassVar[bool] = False

    @staticmethod
    def _unit_of_limit(scale: int) -> int:
        return 100 * scale  # the Decimal walk's limit counts yuan

    @staticmethod
    def _plus(total: int, more: int) -> int:
        return _round34(total + more)

    @staticmethod
    def _times(base: int, rate: int) -> int:
        return _round34(base * rate)

    def _day_charges(self) -> tuple[int, int]:
        charges = self._charges
        if charges is None:
            base, principal = self._bases()
            charges = self._charges = (
                self._charge(base, self._penalty_rate, self._minimum_units),
                self._charge(principal, self._interest_rate, 0))
        return charges

    def _accrue(self, days: int) -> None:
        if self._settled is not None or days <= 0:
            return
        penalty, interest = self._day_charges()
        if self._confirmed:
            self._penalty_accrued = _added34(self._penalty_accrued, penalty, days)
            self._interest_accrued = _added34(self._interest_accrued, interest, days)
        else:
            self._grace_penalty = _added34(self._grace_penalty, penalty, days)
            self._grace_interest = _added34(self._grace_interest, interest, days)


#: 10^k for the digit counts and quanta of :func:`_round34` and :func:`_added34`
_TENS: Final[tuple[int, ...]] = tuple(10**k for k in range(256))
_P34: Final = 10**34


def _ten(power: int) -> int:
    return _TENS[power] if power < 256 else int(10**power)


def _digits(value: int) -> int:
    """How many digits ``value`` (> 0) has."""
    guess = (value.bit_length() * 1292913986) >> 32  # ⌊bits × log10 2⌋
    if guess >= 255:
        return len(str(value))
    return guess + 1 if value >= _TENS[guess] else guess


def _round34(value: int) -> int:
    """``value`` (≥ 0) rounded to 34 significant digits, half even (the Decimal walk's
    context)."""
    if value < _P34:
        return value
    guess = (value.bit_length() * 1292913986) >> 32  # _digits, inline
    if guess < 255:
        quantum = _TENS[guess - 33] if value >= _TENS[guess] else _TENS[guess - 34]
    else:
        quantum = _ten(_digits(value) - 34)
    whole, rest = divmod(value, quantum)
    twice = 2 * rest
    if twice > quantum or (twice == quantum and whole & 1):
        whole += 1
    return whole * quantum


def _added34(total: int, charge: int, days: int) -> int:
    """``total`` after adding ``charge`` ``days`` times, each sum rounded to 34 digits
    (:func:`_round34`): :func:`xieshang.engine.accrual._added_days` on integers, the same
    steps. A sum below 10^34 is exact; else, once a sum has ``top`` digits it is a multiple
    of q = 10^(top−34), so while the next sum stays below 10^top each day adds ``charge``
    rounded to q (a charge half way between two multiples: those days one by one); the day
    a sum reaches the next decade is added on its own."""
    if charge > 0 and total >= 0 and days > 0:
        exact = total + charge * days
        if exact < _P34:  # every day's sum, smaller, is exact too
            return exact
        if total >= _P34:  # the steps below in one when no sum leaves the total's decade
            top = _digits(total)
            quantum = _ten(top - 34)
            if not total % quantum:
                whole, rest = divmod(charge, quantum)
                twice = 2 * rest
                if twice != quantum:
                    step = (whole + 1 if twice > quantum else whole) * quantum
                    if total + (days - 1) * step + charge < _ten(top):
                        return total + days * step
    elif charge == 0 or days <= 0:
        return total
    else:  # (not reached: charges and totals are not negative)
        for _ in range(days):
            total = _round34(total + charge) if total + charge >= 0 else total + charge
        return total
    while days > 0:
        total = _round34(total + charge)  # the first day of a decade, on its own
        days -= 1
        if days == 0:
            break
        top = _digits(total)
        if top > 34:
            quantum = _ten(top - 34)
            whole, rest = divmod(charge, quantum)
            twice = 2 * rest
            if twice == quantum:
                continue  # half way: rounded by the total's last digit
            step = (whole + 1 if twice > quantum else whole) * quantum
            if step == 0:
                return total  # each day's sum rounds back to the total
        else:
            step = charge
        room = _ten(top) - total - charge
        if room <= 0:
            continue  # the next sum is in the next decade
        count, rest = divmod(room, step)  # the days j = 0, 1 … with j·step < room
        plain = min(days, count + (1 if rest else 0))
        total = _round34(total + step * plain)
        days -= plain
    return total


def _on_date(payment: Payment) -> date:
    return payment.on


_ONE_DAY: Final = timedelta(days=1)


class DayBills:
    """The bills of one overdue debt on the days asked, each day's computed once: what a
    case view asks of a debt (today's bill and what one more day costs, the days its
    timeline dates) from one walk instead of a walk for each.

    ``bill(day)`` equals :func:`~xieshang.engine.accrual.bill_on` of ``debt`` with its
    payments up to ``paid_by`` (those after it left out, as a timeline seen from
    ``paid_by`` leaves them), with :attr:`Bill.daily_cost` 0; ``bill(day, daily_cost=True)``
    gives it too, on ``paid_by`` or later (nothing is paid after it). Days asked in
    increasing order are walked once, in integer fen by :class:`FenWalker` (from the first
    day it covers on); anything else — a day before the last one walked, a day the integer
    walk does not cover — is the Decimal :class:`~xieshang.engine.accrual.Walker`'s, the
    reference (``tests/test_accrual_fen.py`` requires both to give the same bills).
    """

    __slots__ = ("_day", "_debt", "_fen", "_known", "_uncovered", "_walker", "paid_by")

    def __init__(self, debt: OverdueDebt, paid_by: date) -> None:
        if any(payment.on > paid_by for payment in debt.payments):
            debt = replace(debt, payments=tuple(p for p in debt.payments if p.on <= paid_by))
        self._debt = debt
        self.paid_by = paid_by
        self._known: dict[date, Bill] = {}
        self._fen: FenWalker | None = None
        self._day = date.min  # the last day the integer walk was advanced to
        #: FenWalker.of said no (a debt it does not cover), or its walk grew too large
        self._uncovered = False
        self._walker: Walker | None = None

    @property
    def debt(self) -> OverdueDebt:
        """The debt walked (its payments up to ``paid_by``)."""
        return self._debt

    def bill(self, day: date, *, daily_cost: bool = False) -> Bill:
        """The bill on ``day`` (see the class); ``daily_cost`` on a day before ``paid_by``
        is refused (a payment the day after would count in it)."""
        found = self._known.get(day)
        if found is None:
            found = self._known[day] = self._walk(day)
        if not daily_cost:
            return found
        if day < self.paid_by:
            raise ValueError("daily_cost is known from paid_by on")
        if day >= self._debt.due_date and (day - self._debt.due_date).days + 1 >= _MAX_DAYS:
            # the day after is the last the walks accept: bill_on walks it with the day's
            # cost, but not as a day of its own (that would be refused)
            walker = self._walker = self._walker or Walker(self._debt)
            return walker.bill_on(self._debt.payments, day)
        following = self.bill(day + _ONE_DAY)
        return Bill(found.as_of, found.principal, found.interest, found.penalty, found.fees,
                    found.days_overdue, max(ZERO, following.total - found.total),
                    found.not_yet_due)

    def _walk(self, day: date) -> Bill:
        debt = self._debt
        if day >= debt.due_date and day > self._day:
            fen = self._fen
            if fen is None and not self._uncovered and all(
                    payment.on < day for payment in debt.payments):
                # (a walk from the due date itself: its day is walked as any other)
                fen = self._fen = FenWalker.of(debt, max(day, debt.due_date + _ONE_DAY))
                self._uncovered = fen is None
            if fen is not None:
                amounts = fen.advance(day)
                if amounts is not None:
                    self._day = day
                    return _bill(day, (day - debt.due_date).days, fen._settled, amounts)
                self._fen, self._uncovered = None, True  # too large: the Decimal walk says
        walker = self._walker = self._walker or Walker(debt)
        return walker.bill_on(debt.payments, day, daily_cost=False)


class _Yuan(dict[int, Decimal]):
    """Integer fen → Decimal with 2 places (as :func:`round_money` gives it), cached (the
    bills of a case repeat their principals and many amounts)."""

    def __missing__(self, fen: int) -> Decimal:
        value = Decimal(fen).scaleb(-2, _CONTEXT)  # (exact: not the caller's context)
        if len(self) < 100_000:
            self[fen] = value
        return value


_YUAN: Final = _Yuan()


def _bill(day: date, number: int, settled: int | None,
          amounts: tuple[int, int, int, int, int], yuan: _Yuan = _YUAN) -> Bill:
    """The bill of the integer walk's ``amounts`` on overdue day ``number``."""
    principal, interest, penalty, fees, not_yet_due = amounts
    days = number if settled is None else min(number, settled)
    return Bill(day, yuan[principal], yuan[interest], yuan[penalty], yuan[fees],
                days if days > 0 else 0, ZERO, yuan[not_yet_due])
