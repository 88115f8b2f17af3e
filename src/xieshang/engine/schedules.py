"""Repayment schedules, row by row, to the fen.

Methods (glossary of ``DESIGN.md``):

* :func:`annuity` — 等额本息, a level payment from the closed-form formula;
* :func:`equal_principal` — 等额本金, the same principal every period plus interest on the
  remaining principal;
* :func:`interest_only` — 先息后本, interest every period and all principal at the end;
* :func:`fixed_fee_installment` — card / Huabei installments (分期): equal principal plus an
  equal fee, the rounding residue in the last period (or the first);
* :func:`daily_rate_loan` — daily-rate loans (借呗 / 微粒贷 style) whose interest accrues on the
  remaining principal for the actual days between due dates;
* :func:`early_repayment_interest` — the interest for the days a daily-rate loan was used.

Conventions (the same as the peer programs loankit and mortgagemath with ``ROUND_HALF_UP``
and ``ROUND_EACH``): the monthly rate is the annual rate ÷ 12 (the caller converts); the
payment, each period's interest, principal and balance are quantized to the fen with the
given rounding on every row; the **last** period takes the residual so the balance ends at
exactly 0.00 and the principal parts add up to the principal exactly. All arithmetic runs in
a local :mod:`decimal` context, so a caller's global context (precision, rounding) never
changes a result.
"""

from __future__ import annotations

import calendar
import decimal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

from xieshang.engine.errors import N_, InputError, StateError
from xieshang.engine.money import CENT, D, Rounding, money, round_money
from xieshang.engine.money import CONTEXT as _MONEY_CONTEXT
from xieshang.engine.preset import Residue

__all__ = [
    "MAX_PERIODS",
    "Method",
    "Row",
    "Schedule",
    "add_months",
    "annuity",
    "annuity_max_payment",
    "daily_rate_loan",
    "early_repayment_interest",
    "equal_principal",
    "fixed_fee_installment",
    "fixed_fee_max_payment",
    "interest_free_max_payment",
    "interest_only",
]

#: The longest schedule accepted (50 years of monthly payments).
MAX_PERIODS: Final = 600

#: Intermediate arithmetic: far more digits than a 600-period compound factor needs.
_CONTEXT: Final = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN)
_ZERO: Final = Decimal("0.00")
#: Computed amounts are first settled to 10 decimal places (see :func:`_fen`).
_SETTLE: Final = Decimal("1E-10")
_HALF_EVEN: Final = decimal.ROUND_HALF_EVEN

#: Note set on a schedule that ends before its last period (see :func:`annuity`).
EARLY_PAYOFF_NOTE: Final = N_(
    "The rounded payment pays this small amount off before the last period; "
    "the schedule ends early."
)


class Method(StrEnum):
    """How principal is repaid over the periods of a rate-based loan."""

    ANNUITY = "annuity"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY = "interest_only"  # 先息后本


@dataclass(frozen=True, slots=True)
class Row:
    """One period of a schedule; every amount is exact to the fen.

    Attributes:
        period: 1 for the first payment.
        due: the due date, or ``None`` when the schedule was built without a start date.
        payment: what is paid this period: principal + interest + fee.
        principal: the principal part of the payment.
        interest: the interest part of the payment.
        fee: the fee part of the payment (installment fee, 手续费).
        balance: the principal remaining after this payment.
    """

    period: int
    due: date | None
    payment: Decimal
    principal: Decimal
    interest: Decimal
    fee: Decimal
    balance: Decimal


class _Deferred:
    """The slot a :class:`Schedule` keeps its amounts in until its rows are read (not a
    field: it takes no part in construction, equality, hashing, ``repr`` or pickling)."""

    __slots__ = ("_pending",)


@dataclass(frozen=True, slots=True)
class Schedule(_Deferred):
    """A complete repayment schedule.

    Attributes:
        principal: the amount repaid by the schedule (Σ row.principal == principal).
        rows: the periods, in order.
        method: how it was built: a :class:`Method` value, ``fixed_fee_installment``,
            ``daily_rate_<method>`` or ``lump_sum``.
        note: an English msgid explaining something unusual (e.g. an early payoff), or "".

    The builders of this module (except :func:`fixed_fee_installment`) compute every
    period's payment, principal, interest and balance but make the :class:`Row` objects
    only when ``rows`` is first read (then kept): :class:`_Walk` holds the amounts meanwhile.
    ``rows`` is the same tuple either way, and equality, hashing, ``repr``, pickling and
    :func:`dataclasses.replace` read it as any field; the totals below are summed from the
    amounts without making rows.
    """

    principal: Decimal
    rows: tuple[Row, ...]
    method: str
    note: str = ""

    if not TYPE_CHECKING:  # mypy keeps checking attribute names as for any record

        def __getattr__(self, name):
            """``rows`` on first reading, made from the amounts (any other missing
            attribute is an AttributeError as usual)."""
            if name == "rows":
                pending = _pending_of(self)
                if pending is not None:
                    rows = pending.rows()
                    object.__setattr__(self, "rows", rows)
                    # None, not deleted: two threads may make the rows at once (alike)
                    object.__setattr__(self, "_pending", None)
                    return rows
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}",
                                 name=name, obj=self)

    def _amounts(self, column: int) -> Iterator[Decimal]:
        """Each row's payment (0), principal (1), interest (2) or balance (3), in order,
        without making rows that are not made yet."""
        pending = _pending_of(self)
        if pending is not None:
            return pending.column(column)
        return map(_ROW_AMOUNTS[column], self.rows)

    @property
    def total_paid(self) -> Decimal:
        """Σ payments."""
        return sum(self._amounts(0), _ZERO)

    @property
    def total_interest(self) -> Decimal:
        """Σ interest."""
        return sum(self._amounts(2), _ZERO)

    @property
    def total_fees(self) -> Decimal:
        """Σ fees."""
        if _pending_of(self) is not None:  # the deferred builders charge no fee
            return _ZERO
        return sum((row.fee for row in self.rows), _ZERO)

    @property
    def total_cost(self) -> Decimal:
        """What the schedule costs on top of principal: interest + fees."""
        return self.total_interest + self.total_fees

    @property
    def first_payment(self) -> Decimal:
        """The payment of period 1."""
        for payment in self._amounts(0):
            return payment
        return self.rows[0].payment  # none: IndexError, as of an empty tuple

    @property
    def max_payment(self) -> Decimal:
        """The largest single payment."""
        return max(self._amounts(0))

    @property
    def periods(self) -> int:
        """The number of payments."""
        pending = _pending_of(self)
        return pending.periods if pending is not None else len(self.rows)

    def payments(self) -> list[Decimal]:
        """Each period's payment, in order (``row.payment`` of every row, without making
        rows that are not made yet)."""
        return list(self._amounts(0))

    def due_dates(self) -> list[date | None]:
        """Each period's due date, in order (``row.due`` of every row, without making rows
        that are not made yet)."""
        pending = _pending_of(self)
        if pending is not None:
            return pending.dues[:pending.periods]
        return [row.due for row in self.rows]

    def cash_flows(self, disbursed: Decimal | None = None) -> list[Decimal]:
        """Per-period cash flows for an IRR: ``[-disbursed, payment 1, payment 2, …]``.

        Args:
            disbursed: what the borrower actually received (default: the principal). Pass
                less than the principal when a fee is withheld up front.
        """
        received = self.principal if disbursed is None else disbursed
        return [-received, *self._amounts(0)]

    def dated_flows(
        self, start: date, disbursed: Decimal | None = None
    ) -> tuple[list[date], list[Decimal]]:
        """Dated cash flows for an XIRR: ``start`` with ``-disbursed``, then each due date.

        Raises:
            InputError: the schedule was built without due dates ("start").
        """
        dues: list[date] = []
        for row in self.rows:
            if row.due is None:
                raise InputError(
                    "start", N_("the schedule has no due dates; build it with a start date")
                )
            dues.append(row.due)
        return [start, *dues], self.cash_flows(disbursed)


_PENDING_SLOT: Final[Any] = _Deferred.__dict__["_pending"]
_ROW_AMOUNTS: Final = tuple(attrgetter(name)
                            for name in ("payment", "principal", "interest", "balance"))


def _pending_of(schedule: Schedule) -> _Walk | None:
    """What ``schedule`` holds until its rows are read, or ``None`` (they are made)."""
    try:
        pending: _Walk | None = _PENDING_SLOT.__get__(schedule, Schedule)
    except AttributeError:  # a schedule made with its rows
        return None
    return pending


class _Walk:
    """Every period's amounts of a schedule whose :class:`Row` objects are not made yet.

    ``amounts`` is flat, four per period in order: payment, principal, interest and balance
    after the payment — as :class:`~decimal.Decimal` amounts with 2 places, or, with
    ``payment`` given (:func:`_fen_walk`), as integer fen, every period but the last paying
    ``payment`` (then ``principal`` is the schedule's, where the balances start). The
    fee of every period is 0.00. ``dues`` has a due date (or ``None``) for each period.
    """

    __slots__ = ("amounts", "dues", "payment", "periods", "principal")

    def __init__(self, amounts: list[Any], dues: list[date | None],
                 payment: Decimal | None = None, principal: Decimal = _ZERO) -> None:
        self.amounts = amounts
        self.dues = dues
        self.payment = payment
        self.principal = principal
        self.periods = len(amounts) // 4

    def column(self, index: int) -> Iterator[Decimal]:
        """The ``index``-th amount of every period (0 payment … 3 balance), as Decimals."""
        if self.payment is None:
            return iter(self.amounts[index::4])
        if index == 0:
            last = _yuan(self.amounts[-4])
            return iter([*repeat(self.payment, self.periods - 1), last])
        return iter(self.columns()[index])

    def columns(self) -> list[list[Decimal]]:
        """The four amounts of every period, as four lists of Decimals."""
        amounts = self.amounts
        if self.payment is None:
            return [amounts[index::4] for index in range(4)]
        # Integer fen: each interest as a Decimal, then the Decimal walk's own operations
        # (payment - interest, balance - part; the last period: balance + interest, the
        # balance, balance - balance), exact in the 50-digit context: the same amounts,
        # exponents and signs as _level's.
        payment, cent = self.payment, CENT
        with decimal.localcontext(_CONTEXT):
            interests = [Decimal(fen) * cent for fen in amounts[2::4]]
            parts = [payment - interest for interest in interests[:-1]]
            balances: list[Decimal] = []
            append = balances.append
            balance = self.principal
            for part in parts:
                balance -= part
                append(balance)
            last = interests[-1]
            parts.append(balance)
            payments = [*repeat(payment, len(interests) - 1), balance + last]
            append(balance - balance)
        return [payments, parts, interests, balances]

    def rows(self) -> tuple[Row, ...]:
        """The rows, made now."""
        payments, parts, interests, balances = self.columns()
        n = self.periods
        return _make_rows(n, range(1, n + 1), self.dues, payments, parts, interests,
                          repeat(_ZERO, n), balances)


def _yuan(fen: int) -> Decimal:
    """Integer fen as a yuan amount with 2 places (exact in :data:`_CONTEXT`)."""
    return Decimal(fen).scaleb(-2, _CONTEXT)


def _deferred(principal: Decimal, walk: _Walk, method: str, note: str = "") -> Schedule:
    """A :class:`Schedule` of ``walk``'s amounts whose rows are made when first read."""
    schedule: Schedule = object.__new__(Schedule)
    setter = object.__setattr__
    setter(schedule, "principal", principal)
    setter(schedule, "method", method)
    setter(schedule, "note", note)
    setter(schedule, "_pending", walk)
    return schedule


# ----------------------------------------------------------------------------- helpers


def _row_maker() -> Callable[..., tuple[Row, ...]]:
    """``make_rows(n, periods, dues, payments, principals, interests, fees, balances)``:
    ``n`` :class:`Row` objects from seven columns (each at least ``n`` long), for the
    schedule walks. The same frozen record, its slots filled directly, each slot's setter
    mapped over its column: no Python call per row (a frozen dataclass's ``__init__`` goes
    through ``object.__setattr__`` for every field, more than half of a 360-row schedule's
    time when it made the rows). Only for values already checked, as the walks have them."""
    new = object.__new__
    setters = tuple(
        Row.__dict__[name].__set__
        for name in ("period", "due", "payment", "principal", "interest", "fee", "balance"))

    def make_rows(n: int, *columns: Iterable[Any]) -> tuple[Row, ...]:
        rows = tuple(map(new, repeat(Row, n)))
        for setter, column in zip(setters, columns, strict=True):
            deque(map(setter, rows, column), 0)
        return rows

    return make_rows


_make_rows: Final = _row_maker()


def _local() -> AbstractContextManager[decimal.Context]:
    """The schedules' own arithmetic context for a block (``decimal.localcontext`` itself:
    a generator around it costs more than many a closed form it guards)."""
    return decimal.localcontext(_CONTEXT)


def _fen(value: Decimal, rounding: Rounding) -> Decimal:
    """``value`` rounded to the fen with ``rounding``, after settling it to 10 places.

    A monthly rate is annual ÷ 12, which no decimal holds exactly: 15,000 × 18.25 % ÷ 12 is
    exactly 228.125 (→ 228.13 half-up), but 15,000 × 0.0152083…3 is 228.12499…9 (→ 228.12).
    Settling to 10 places first removes such representation error (it is far below 1e-10 for
    any amount) while every real amount keeps its value: a fen amount times a rate given with
    up to 8 places is exact at 10 places.
    """
    return round_money(value.quantize(_SETTLE, rounding=decimal.ROUND_HALF_EVEN), rounding)


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months, clamped to the month's last day.

    ``add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)``.
    """
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    if d.day <= 28:  # every month has the day
        return date(year, month0 + 1, d.day)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def _principal(value: Decimal | int | str) -> Decimal:
    amount = money(value, "principal")
    if amount <= 0:
        raise InputError("principal", N_("must be more than 0 (got {value})"), value=value)
    return amount


def _count(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(field, N_("must be a whole number (got {value})"), value=value)
    if not 1 <= value <= MAX_PERIODS:
        raise InputError(
            field,
            N_("must be between 1 and {maximum} (got {value})"),
            maximum=MAX_PERIODS,
            value=value,
        )
    return value


def _rate(value: Decimal | int | str, field: str) -> Decimal:
    rate = D(value)
    if rate < 0:
        raise InputError(field, N_("must not be negative (got {value})"), value=value)
    return rate


def _dues(start: date | None, n: int, dues: Sequence[date] | None = None
          ) -> list[date | None]:
    if dues is not None:
        if len(dues) != n:
            raise StateError("dues")
        return list(dues)
    if start is None:
        return [None] * n
    return [add_months(start, k) for k in range(1, n + 1)]


def _share(total: Decimal, raw: Decimal, n: int, rounding: Rounding) -> Decimal:
    """The regular part of an equal split of ``total`` over ``n`` periods.

    ``raw`` (the exact share) rounded to the fen. When that share taken ``n - 1`` times would
    already exceed ``total`` (only for amounts of a few fen per period) it is rounded down
    instead, so the period taking the residue never goes negative.
    """
    share = _fen(raw, rounding)
    if share * (n - 1) > total:
        share = _fen(total / n, Rounding.DOWN)
    return share


def _row(
    period: int,
    due: date | None,
    principal: Decimal,
    interest: Decimal,
    fee: Decimal,
    balance: Decimal,
) -> Row:
    return Row(period, due, principal + interest + fee, principal, interest, fee, balance)


# The walks below are the hot path (a 360-row schedule has 360 periods). They run inside
# :func:`_local` and inline :func:`_fen` as ``(x).quantize(_SETTLE, _HALF_EVEN)
# .quantize(CENT, mode, _MONEY_CONTEXT)`` — the very operations :func:`_fen` and
# :func:`~xieshang.engine.money.round_money` perform, in the same contexts, so every amount
# (value, exponent and sign) is the same. A period's payment is ``principal + interest``:
# the fee is 0.00 and adding 0.00 to an amount with 2 places changes nothing. They keep the
# four amounts of each period in one flat list (:class:`_Walk`); the :class:`Row` objects
# are made only when a schedule's ``rows`` is read (issue 16).


def _level(
    principal: Decimal,
    payment: Decimal,
    rates: list[Decimal],
    dues: list[date | None],
    rounding: Rounding,
    method: str,
) -> Schedule:
    """A level-payment schedule; ``rates[k]`` is period k's rate on the balance (the
    Decimal walk: the reference of :func:`_fen_walk`)."""
    settle, half_even, cent, mode, context = (
        _SETTLE, _HALF_EVEN, CENT, rounding.decimal_mode, _MONEY_CONTEXT)
    amounts: list[Decimal] = []
    extend = amounts.extend
    balance = principal
    note = ""
    n = len(rates)
    for k, rate in zip(range(1, n + 1), rates, strict=True):
        interest = (balance * rate).quantize(settle, half_even).quantize(cent, mode, context)
        part = payment - interest
        if k < n and part < balance:
            balance -= part
            # part + interest is payment itself: both amounts have 2 places and at most 34
            # digits, so payment - interest above was exact in the 50-digit context.
            extend((payment, part, interest, balance))
            continue
        # This payment clears the balance: the last period, or an early payoff.
        extend((balance + interest, balance, interest, balance - balance))
        if k < n:
            note = EARLY_PAYOFF_NOTE
        break
    return _deferred(principal, _Walk(amounts, dues), method, note)


#: Per rounding mode: (lower, upper) bounds of the remainder ``r`` of ``balance × rate`` in
#: :func:`_fen_walk`, as functions of the units of a fen ``unit`` and the settling step
#: ``step``: ``r ≥ upper`` rounds up, ``lower ≤ r < upper`` is too close to a boundary to
#: tell without settling (the Decimal operations decide), ``r < lower`` rounds down.
_FEN_BOUNDS: Final[dict[Rounding, Callable[[int, int], tuple[int, int]]]] = {
    Rounding.HALF_UP: lambda unit, step: (unit // 2 - step, unit // 2 + step),
    Rounding.HALF_EVEN: lambda unit, step: (unit // 2 - step, unit // 2 + step),
    Rounding.DOWN: lambda unit, step: (unit - step, unit + 1),
    Rounding.UP: lambda unit, step: (1, step + 1),
}


def _fen_walk(principal: Decimal, payment: Decimal, rate: Decimal, dues: list[date | None],
              rounding: Rounding, method: str) -> Schedule | None:
    """:func:`_level` at one rate for every period, in integer fen — the same amounts to
    the fen, in about half the time — or ``None`` where it does not apply (the caller then
    takes the Decimal walk): a rate that is not a positive fraction ``m × 10^e`` (e < 0),
    amounts too large for every Decimal step to be exact, or a payment below the first
    period's interest. Inside :func:`_local`.

    With the balance ``b`` in fen, ``b × m`` is the interest in units of ``10^e`` fen
    (``unit = 10^-e`` of them a fen), exact as the Decimal product is below 10^50. The
    Decimal walk settles it to 10^-8 fen (a step of ``10^(-e-8)`` units, half-even) and
    then rounds it to the fen: that is the fen ``b × m // unit``, or one more, decided by
    the remainder alone unless the remainder is within one settling step of where the mode
    turns (:data:`_FEN_BOUNDS`) — there (for the 28-digit rate of an annual rate ÷ 12, about
    2 periods in 10^8) the Decimal operations themselves give the interest. Since the
    payment covers the first period's interest, the balance never grows (rounding is
    monotonic) and the first product bounds them all.
    """
    sign, digits, exponent = rate.as_tuple()
    bounds = _FEN_BOUNDS.get(rounding)
    if sign or not isinstance(exponent, int) or exponent >= 0 or not rate or bounds is None:
        return None
    m = int("".join(map(str, digits)))
    unit = 10 ** -exponent
    lower, upper = bounds(unit, max(10 ** (-exponent - 8), 1))
    # below this, b × m, its settled value (at most 50 digits) and the interest (below 10^33
    # fen, for the 34-digit money context) are all exact
    limit = 10 ** min(50, 33 - exponent)
    b = int(principal.scaleb(2))
    pf = int(payment.scaleb(2))
    settle, half_even, cent, mode, context = (
        _SETTLE, _HALF_EVEN, CENT, rounding.decimal_mode, _MONEY_CONTEXT)

    def decimal_interest(fen: int) -> int:  # the Decimal walk's interest on ``fen``
        interest = (Decimal(fen) * cent * rate).quantize(settle, half_even).quantize(
            cent, mode, context)
        return int(interest.scaleb(2))

    if b * m >= limit or decimal_interest(b) > pf:
        return None
    amounts: list[int] = []
    extend = amounts.extend
    n = len(dues)
    for k in range(1, n + 1):
        interest, r = divmod(b * m, unit)
        if r >= upper:
            interest += 1
        elif r >= lower:
            interest = decimal_interest(b)
        part = pf - interest
        if k < n and part < b:
            b -= part
            extend((pf, part, interest, b))
            continue
        extend((b + interest, b, interest, 0))
        break
    return _deferred(principal, _Walk(amounts, dues, payment, principal), method,
                     EARLY_PAYOFF_NOTE if k < n else "")


def _equal_principal_rows(
    principal: Decimal,
    rates: list[Decimal],
    dues: list[date | None],
    rounding: Rounding,
    method: str,
) -> Schedule:
    settle, half_even, cent, mode, context = (
        _SETTLE, _HALF_EVEN, CENT, rounding.decimal_mode, _MONEY_CONTEXT)
    n = len(rates)
    share = _share(principal, principal / n, n, rounding)
    amounts: list[Decimal] = []
    extend = amounts.extend
    balance = principal
    for k, rate in zip(range(1, n + 1), rates, strict=True):
        interest = (balance * rate).quantize(settle, half_even).quantize(cent, mode, context)
        part = balance if k == n else share
        balance -= part
        extend((part + interest, part, interest, balance))
    return _deferred(principal, _Walk(amounts, dues), method)


def _interest_free_rows(
    principal: Decimal,
    dues: list[date | None],
    rounding: Rounding,
    method: str,
) -> Schedule:
    """:func:`_equal_principal_rows` at a rate of +0 every period: each period's interest is
    0.00 (a balance of 2 places, never negative, × +0, settled and rounded), and
    part + 0.00 is part itself."""
    zero = _ZERO
    n = len(dues)
    share = _share(principal, principal / n, n, rounding)
    amounts: list[Decimal] = []
    extend = amounts.extend
    balance = principal
    for _ in range(1, n):
        balance -= share
        extend((share, share, zero, balance))
    extend((balance, balance, zero, balance - balance))
    return _deferred(principal, _Walk(amounts, dues), method)


def _interest_only_rows(
    principal: Decimal,
    rates: list[Decimal],
    dues: list[date | None],
    rounding: Rounding,
    method: str,
) -> Schedule:
    settle, half_even, cent, mode, context = (
        _SETTLE, _HALF_EVEN, CENT, rounding.decimal_mode, _MONEY_CONTEXT)
    zero = _ZERO
    n = len(rates)
    amounts: list[Decimal] = []
    extend = amounts.extend
    for k, rate in zip(range(1, n + 1), rates, strict=True):
        interest = (principal * rate).quantize(settle, half_even).quantize(cent, mode, context)
        part = principal if k == n else zero
        extend((part + interest, part, interest, principal - part))
    return _deferred(principal, _Walk(amounts, dues), method)


# ------------------------------------------------------------------- monthly-rate loans


def annuity(
    principal: Decimal | int | str,
    monthly_rate: Decimal | int | str,
    months: int,
    *,
    start: date | None = None,
    rounding: Rounding = Rounding.HALF_UP,
    dues: Sequence[date] | None = None,
) -> Schedule:
    """等额本息: a level payment ``P·r·(1+r)^n / ((1+r)^n − 1)`` rounded to the fen.

    Each period's interest is the remaining principal × ``monthly_rate``, rounded; the
    principal part is the payment minus the interest; the last period pays the remaining
    principal plus its interest. A 0 % rate splits the principal equally. If the rounded
    payment would pay a very small loan off early, the schedule ends there (like
    mortgagemath) with :data:`EARLY_PAYOFF_NOTE`.

    Args:
        principal: the amount lent (yuan, at most 2 places, > 0).
        monthly_rate: the rate per month as a fraction (annual ÷ 12).
        months: the number of monthly payments (1–600).
        start: the loan date; period k is due ``add_months(start, k)``.
        rounding: how the payment and each interest amount are rounded.
        dues: each period's due date, given instead of ``start`` (``months`` of them).

    Raises:
        InputError: "principal", "monthly_rate" or "months" is out of range.
    """
    amount = _principal(principal)
    rate = _rate(monthly_rate, "monthly_rate")
    n = _count(months, "months")
    with _local():
        if rate == 0:
            raw = amount / n
        else:
            factor = (1 + rate) ** n
            raw = amount * rate * factor / (factor - 1)
        payment = _fen(raw, rounding)
        due_dates = _dues(start, n, dues)
        return (_fen_walk(amount, payment, rate, due_dates, rounding, Method.ANNUITY.value)
                or _level(amount, payment, [rate] * n, due_dates, rounding,
                          Method.ANNUITY.value))


def equal_principal(
    principal: Decimal | int | str,
    monthly_rate: Decimal | int | str,
    months: int,
    *,
    start: date | None = None,
    rounding: Rounding = Rounding.HALF_UP,
    dues: Sequence[date] | None = None,
) -> Schedule:
    """等额本金: principal ÷ n (rounded) each period plus interest on the remaining principal.

    The last period repays whatever principal remains. Arguments as for :func:`annuity`.
    """
    amount = _principal(principal)
    rate = _rate(monthly_rate, "monthly_rate")
    n = _count(months, "months")
    with _local():
        if rate.is_zero() and not rate.is_signed():
            return _interest_free_rows(amount, _dues(start, n, dues), rounding,
                                       Method.EQUAL_PRINCIPAL.value)
        return _equal_principal_rows(amount, [rate] * n, _dues(start, n, dues), rounding,
                                     Method.EQUAL_PRINCIPAL.value)


def interest_only(
    principal: Decimal | int | str,
    monthly_rate: Decimal | int | str,
    months: int,
    *,
    start: date | None = None,
    rounding: Rounding = Rounding.HALF_UP,
    dues: Sequence[date] | None = None,
) -> Schedule:
    """先息后本: principal × rate (rounded) every period; the principal with the last payment.

    Arguments as for :func:`annuity`.
    """
    amount = _principal(principal)
    rate = _rate(monthly_rate, "monthly_rate")
    n = _count(months, "months")
    with _local():
        return _interest_only_rows(amount, [rate] * n, _dues(start, n, dues), rounding,
                                   Method.INTEREST_ONLY.value)


# ------------------------------------------------------------------ fixed-fee installments


def fixed_fee_installment(
    principal: Decimal | int | str,
    periods: int,
    *,
    total_fee_rate: Decimal | int | str | None = None,
    monthly_fee_rate: Decimal | int | str | None = None,
    residue: Residue = Residue.LAST,
    start: date | None = None,
    rounding: Rounding = Rounding.HALF_UP,
    dues: Sequence[date] | None = None,
) -> Schedule:
    """Card / Huabei installments: equal principal plus an equal fee each period.

    The total fee is ``principal × total_fee_rate`` (or ``principal × monthly_fee_rate ×
    periods``) rounded to the fen. Each period pays ``principal ÷ periods`` and ``total fee ÷
    periods``, each rounded to the fen; the rounding residue of both goes to the last period,
    or the first with ``Residue.FIRST`` (the Agricultural Bank and Ping An conventions of
    ``rules-cn.md`` §1.6). No interest is charged; the cost is all fee.

    Args:
        principal: the amount put into installments.
        periods: the number of installments (1–600).
        total_fee_rate: the fee over the whole term as a fraction (Huabei 6 periods: 0.045).
        monthly_fee_rate: the fee per period as a fraction of the principal (cards: 0.0066).
        residue: which period takes the rounding residue.
        start: the installment date; period k is due ``add_months(start, k)``.
        rounding: how the per-period amounts and the total fee are rounded.
        dues: each period's due date, given instead of ``start`` (``periods`` of them).

    Raises:
        InputError: a value is out of range, or not exactly one fee rate was given.
    """
    amount = _principal(principal)
    n = _count(periods, "periods")
    if (total_fee_rate is None) == (monthly_fee_rate is None):
        raise InputError(
            "total_fee_rate",
            N_("give exactly one of the total fee rate and the monthly fee rate"),
        )
    with _local():
        if total_fee_rate is not None:
            total_rate = _rate(total_fee_rate, "total_fee_rate")
        else:
            if monthly_fee_rate is None:
                raise StateError("monthly_fee_rate")
            total_rate = _rate(monthly_fee_rate, "monthly_fee_rate") * n
        total_fee, part, fee = _fee_parts(amount, n, total_rate, rounding)
        odd = n if residue is Residue.LAST else 1
        rows = []
        balance = amount
        for k, due in enumerate(_dues(start, n, dues), start=1):
            if k == odd:
                this_part = amount - part * (n - 1)
                this_fee = total_fee - fee * (n - 1)
            else:
                this_part, this_fee = part, fee
            balance -= this_part
            rows.append(_row(k, due, this_part, _ZERO, this_fee, balance))
        return Schedule(principal=amount, rows=tuple(rows), method="fixed_fee_installment")


def _fee_parts(amount: Decimal, n: int, total_rate: Decimal, rounding: Rounding
               ) -> tuple[Decimal, Decimal, Decimal]:
    """(the total fee, the regular principal part, the regular fee) of a fixed-fee
    installment schedule (inside :func:`_local`)."""
    total_fee = _fen(amount * total_rate, rounding)
    part = _share(amount, amount / n, n, rounding)
    fee = _share(total_fee, amount * total_rate / n, n, rounding)
    return total_fee, part, fee


def fixed_fee_max_payment(
    principal: Decimal | int | str,
    periods: int,
    *,
    total_fee_rate: Decimal | int | str,
    rounding: Rounding = Rounding.HALF_UP,
) -> Decimal:
    """The largest payment of ``fixed_fee_installment(principal, periods,
    total_fee_rate=…, rounding=…)`` without building its rows (the same value, checks and
    errors; the residue's period does not change the largest payment): the regular payment
    or the one that takes the residue."""
    amount = _principal(principal)
    n = _count(periods, "periods")
    with _local():
        total_rate = _rate(total_fee_rate, "total_fee_rate")
        total_fee, part, fee = _fee_parts(amount, n, total_rate, rounding)
        odd = (amount - part * (n - 1)) + _ZERO + (total_fee - fee * (n - 1))
        return odd if n == 1 else max(part + _ZERO + fee, odd)


def annuity_max_payment(
    principal: Decimal | int | str,
    monthly_rate: Decimal | int | str,
    months: int,
    *,
    rounding: Rounding = Rounding.HALF_UP,
) -> Decimal:
    """The largest payment of ``annuity(principal, monthly_rate, months, rounding=…)``
    without building its rows (the same value, checks and errors): the level payment, or
    the last one, which takes what the rounding left (its rows are walked, amounts only)."""
    amount = _principal(principal)
    rate = _rate(monthly_rate, "monthly_rate")
    n = _count(months, "months")
    settle, half_even, cent, mode, context = (
        _SETTLE, _HALF_EVEN, CENT, rounding.decimal_mode, _MONEY_CONTEXT)
    with _local():
        if rate == 0:
            raw = amount / n
        else:
            factor = (1 + rate) ** n
            raw = amount * rate * factor / (factor - 1)
        payment = _fen(raw, rounding)
        balance = amount
        for k in range(1, n + 1):  # as _level walks them
            interest = (balance * rate).quantize(settle, half_even).quantize(cent, mode, context)
            part = payment - interest
            if k < n and part < balance:
                balance -= part
                continue
            last = balance + interest
            return last if k == 1 else max(payment, last)
    raise StateError("months")  # pragma: no cover - the last period always returns


def interest_free_max_payment(
    principal: Decimal | int | str,
    months: int,
    *,
    rounding: Rounding = Rounding.HALF_UP,
) -> Decimal:
    """The largest payment of ``equal_principal(principal, 0, months, rounding=…)`` (an
    interest-free split) without building its rows (the same value, checks and errors):
    the regular share or the last period's remainder."""
    amount = _principal(principal)
    n = _count(months, "months")
    with _local():
        share = _share(amount, amount / n, n, rounding)
        return max(share, amount - share * (n - 1))


# ------------------------------------------------------------------------ daily-rate loans


def daily_rate_loan(
    principal: Decimal | int | str,
    daily_rate: Decimal | int | str,
    months: int,
    method: Method,
    start: date,
    *,
    rounding: Rounding = Rounding.HALF_UP,
    first_due: date | None = None,
) -> Schedule:
    """A daily-rate loan (借呗 / 微粒贷 style) repaid monthly.

    Period k is due ``add_months(start, k)`` — or, given ``first_due``, on
    ``add_months(first_due, k − 1)``, so a repayment day of the 29th–31st stays on it (or
    the month's last day) after a short month; its interest is the remaining principal ×
    ``daily_rate`` × the actual days since the previous due date (or ``start``), rounded.

    * ``EQUAL_PRINCIPAL``: principal ÷ months each period (微粒贷);
    * ``INTEREST_ONLY``: principal at the end (先息后本);
    * ``ANNUITY``: a level payment solved so that, with each period's actual days, the
      balance ends at zero: ``P·Πg / Σₖ Πⱼ₍ⱼ>ₖ₎ gⱼ`` with ``gⱼ = 1 + daily_rate × daysⱼ``.
      Whether 借呗's 每月等额 is annuity or equal principal is not verified
      (``rules-cn.md`` §2, [NF]); both are offered.

    Raises:
        InputError: "principal", "daily_rate" or "months" is out of range.
    """
    amount = _principal(principal)
    rate = _rate(daily_rate, "daily_rate")
    n = _count(months, "months")
    method = Method(method)
    if first_due is None:
        dates = [add_months(start, k) for k in range(n + 1)]
    else:
        dates = [start, *(add_months(first_due, k) for k in range(n))]
    days = [(dates[k] - dates[k - 1]).days for k in range(1, n + 1)]
    dues: list[date | None] = list(dates[1:])
    name = f"daily_rate_{method.value}"
    with _local():
        rates = [rate * d for d in days]
        if method is Method.EQUAL_PRINCIPAL:
            return _equal_principal_rows(amount, rates, dues, rounding, name)
        if method is Method.INTEREST_ONLY:
            return _interest_only_rows(amount, rates, dues, rounding, name)
        growth = Decimal(1)
        tail = Decimal(0)  # Σₖ Πⱼ₍ⱼ>ₖ₎ gⱼ, built from the last period backwards
        for period_rate in reversed(rates):
            tail += growth
            growth *= 1 + period_rate
        payment = _fen(amount * growth / tail, rounding)
        return _level(amount, payment, rates, dues, rounding, name)


def early_repayment_interest(
    principal: Decimal | int | str,
    daily_rate: Decimal | int | str,
    start: date,
    repaid_on: date,
    *,
    rounding: Rounding = Rounding.HALF_UP,
) -> Decimal:
    """Interest for the days used when a daily-rate loan is repaid early.

    ``principal × daily_rate × (repaid_on − start).days``, rounded once. J3 (借呗): 10,000 at
    0.04 %/day repaid after 10 days → 40.00.

    Raises:
        InputError: "repaid_on" is before ``start``, or another value is out of range.
    """
    amount = _principal(principal)
    rate = _rate(daily_rate, "daily_rate")
    days = (repaid_on - start).days
    if days < 0:
        raise InputError(
            "repaid_on",
            N_("must not be before the loan date {start} (got {value})"),
            start=start.isoformat(),
            value=repaid_on.isoformat(),
        )
    with _local():
        return _fen(amount * rate * days, rounding)
