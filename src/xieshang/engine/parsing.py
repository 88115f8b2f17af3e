"""Parsing of the small values people type: rates, dates, counts.

Each parser names the field in its error so the fronts can say exactly what was wrong.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Final

from xieshang.engine.errors import N_, InputError
from xieshang.engine.limits import EARLIEST_DATE, LATEST_DATE, MAX_RATE, RATE_UNITS
from xieshang.engine.money import D

__all__ = ["HIGH_RATE", "AmbiguousRate", "high_rate", "parse_count", "parse_date",
           "parse_period_fee", "parse_rate", "rate_readings"]

_FULLWIDTH: Final = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_CN_DIGITS: Final = {
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_FRACTION_WORDS: Final = (("万分之", Decimal(10_000)), ("千分之", Decimal(1_000)),
                          ("百分之", Decimal(100)))


#: Words that say which unit a typed rate is in.
_UNIT_WORDS: Final = {
    "daily": ("/天", "/日", "每天", "每日", "日利率", "日息", "/day", "aday"),
    "monthly": ("/月", "每月", "月利率", "月息", "/month", "amonth"),
    "annual": ("/年", "每年", "年化", "年利率", "年息", "/year", "ayear"),
}

#: Output of range for the unit: says the range and asks to check the unit (msgids).
_RANGE: Final = {
    "daily": N_("{value} is outside the range of a daily rate (0 to {maximum} a day): check "
                "the unit — a daily rate looks like 0.05%, an annual rate like 18%"),
    "monthly": N_("{value} is outside the range of a monthly rate (0 to {maximum} a month): "
                  "check the unit — a monthly rate looks like 0.6%, an annual rate like 18%"),
    "annual": N_("{value} is outside the range of an annual rate (0 to {maximum} a year): "
                 "check the unit — an annual rate looks like 18%, a daily rate like 0.05%"),
    "total": N_("{value} is outside the range of a rate (0 to {maximum})"),
}

#: A unit word that contradicts the field (msgids).
_WRONG_UNIT: Final = {
    "daily": N_("'{value}' is not a daily rate: give the rate per day (an annual rate of "
                "18% is about 0.05% a day)"),
    "monthly": N_("'{value}' is not a monthly rate: give the rate per month"),
    "annual": N_("'{value}' is not an annual rate: give the rate per year (0.05% a day is "
                 "18.25% a year)"),
}


#: A rate typed without its unit, by the field's unit (msgids).
_AMBIGUOUS: Final = {
    "daily": N_("'{value}' has no unit: it could mean {first} a day or {second} a day; type "
                "the rate with its unit as your bill or app shows it, e.g. {first}"),
    "monthly": N_("'{value}' has no unit: it could mean {first} a month or {second} a month; "
                  "type the rate with its unit as your bill shows it, e.g. {first}"),
    "annual": N_("'{value}' has no unit: it could mean {first} a year or {second} a year; "
                 "type the rate with its unit as your contract shows it, e.g. {first}"),
    "total": N_("'{value}' has no unit: it could mean {first} or {second}; type the rate "
                "with its unit, e.g. {first}"),
}

#: A rate above these asks to be confirmed (field → fraction): a contract daily rate above
#: 0.1 % a day (36.5 % a year, beyond any rate a court protects), an overdue rate above
#: 0.5 % a day. Typing mistakes, not rules: a person may confirm a real one with ``--yes``.
HIGH_RATE: Final = {"daily_rate": Decimal("0.001"), "penalty_rate": Decimal("0.005"),
                    "penalty_daily_rate": Decimal("0.005")}


class AmbiguousRate(InputError):
    """A rate typed as a bare number (``0.045``): it could be a percentage with the ``%``
    left off or a fraction. ``readings`` are both, as fractions: (percentage, fraction)."""

    def __init__(self, field: str, raw: str, readings: tuple[Decimal, Decimal],
                 unit: str) -> None:
        super().__init__(field, _AMBIGUOUS.get(unit, _AMBIGUOUS["total"]), value=raw[:40],
                         first=_percent(readings[0]), second=_percent(readings[1]))
        self.readings = readings
        self.raw = raw


def rate_readings(text: str) -> tuple[Decimal, Decimal] | None:
    """Both readings of a rate typed as a bare number (``None`` when it has a unit, is 0 or
    is not a plain number): (``text`` %, ``text`` as a fraction)."""
    cleaned = text.translate(_FULLWIDTH).strip().replace(" ", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", cleaned):
        return None
    value = D(cleaned)
    if value == 0:
        return None
    return value / 100, value


def high_rate(value: Decimal, field: str) -> bool:
    """Whether a rate is high enough to ask the person to confirm it (:data:`HIGH_RATE`)."""
    limit = HIGH_RATE.get(field)
    return limit is not None and value > limit


def parse_rate(text: str | Decimal, field: str = "rate", *, per: str | None = None) -> Decimal:
    """A rate as a fraction: ``4.9%`` → 0.049, ``0.05%`` → 0.0005, ``0.049`` → 0.049.

    Also understands ``5‰`` and ``万分之五`` / ``万分之5``. Typed text needs a unit: a bare
    number other than 0 (``0.045``, the figure shown beside 日利率 with the % left off) is
    refused with both readings (:class:`AmbiguousRate`); a front may ask which one was
    meant. A :class:`~decimal.Decimal` (from a file) is a fraction.

    ``per`` is the rate's unit, ``daily``, ``monthly``, ``annual`` or ``total`` (default:
    the unit of the field in :data:`~xieshang.engine.limits.RATE_UNITS`, else ``total``).
    A rate above the unit's plausible maximum (:data:`~xieshang.engine.limits.MAX_RATE`),
    or typed with another unit's word (``18%/年`` for a daily rate), is refused with a
    message asking to check the unit.
    """
    unit = per or RATE_UNITS.get(field, "total")
    if isinstance(text, Decimal):
        value = text
        raw = str(text)
        if not value.is_finite():
            raise InputError(field, N_("'{value}' is not a number"), value=raw)
    else:
        raw = text
        cleaned = text.translate(_FULLWIDTH).strip().replace(" ", "")
        lowered = cleaned.lower()
        for word_unit, words in _UNIT_WORDS.items():
            for word in words:
                if word in lowered:
                    if word_unit != unit and unit in _WRONG_UNIT:
                        raise InputError(field, _WRONG_UNIT[unit], value=raw[:40])
                    lowered = lowered.replace(word, "")
        value = _parse_rate_text(lowered, raw, field, unit)
    if value < 0:
        raise InputError(field, N_("must not be negative (got {value})"), value=raw[:40])
    maximum = MAX_RATE[unit]
    if value > maximum:
        raise InputError(field, _RANGE[unit], value=_percent(value),
                         maximum=_percent(maximum))
    return value


#: Words saying a fee is per period (removed before the value is read).
_PER_PERIOD: Final = ("/期", "每期", "perperiod", "aperiod", "/period")
#: Marks of a rate and of an amount of money in a typed fee.
_RATE_MARKS: Final = ("%", "‰", "万分之", "千分之", "百分之")
_MONEY_MARKS: Final = ("¥", "￥", "元", "yuan", "rmb", "cny")


def parse_period_fee(text: str, field: str = "period_fee") -> tuple[Decimal | None,
                                                                    Decimal | None]:
    """A fee every period of an installment loan, as ``(rate, amount)`` — one is ``None``.

    ``0.5%`` (also ``0.5%/期``, ``千分之5``) is a fraction of the amount borrowed each period
    (京东白条 分期 服务费), read as a monthly rate (at most
    :data:`~xieshang.engine.limits.MAX_RATE` ``monthly``); ``30元`` / ``¥30`` a fixed amount
    each period. A bare number other than 0 could be either and is refused with both
    readings; ``0`` is no fee, ``(None, None)``.
    """
    from xieshang.engine.money import parse_amount

    cleaned = text.translate(_FULLWIDTH).strip().replace(" ", "")
    lowered = cleaned.lower()
    for word in _PER_PERIOD:
        lowered = lowered.replace(word, "")
    if any(mark in lowered for mark in _RATE_MARKS):
        rate = parse_rate(lowered, field, per="monthly")
        return (rate, None) if rate else (None, None)
    if any(mark in lowered for mark in _MONEY_MARKS):
        amount = lowered
        for mark in _MONEY_MARKS:
            amount = amount.replace(mark, "")
        value = parse_amount(amount, field)
        return (None, value) if value else (None, None)
    number = _number(lowered, text, field, "monthly")
    if number == 0:
        return None, None
    raise InputError(field, N_("'{value}' has no unit: it could mean {percent} of the amount "
                               "borrowed each period or ¥{amount} each period; type it as your "
                               "bill shows it, e.g. {percent} or {amount}元"),
                     value=text[:40], percent=f"{number.normalize():f}%",
                     amount=f"{number:.2f}")


def _percent(value: Decimal) -> str:
    """A rate for a message: ``1%``, ``0.05%``, ``1e+32%`` for absurd ones."""
    shown = value * 100
    if shown.adjusted() > 6:
        return f"{shown:.3e}%"
    return f"{shown.normalize():f}%"


def _parse_rate_text(cleaned: str, raw: str, field: str, unit: str) -> Decimal:
    for word, scale in _FRACTION_WORDS:
        if cleaned.startswith(word):
            rest = cleaned[len(word):]
            number = _CN_DIGITS.get(rest)
            amount = Decimal(number) if number is not None else _number(rest, raw, field, unit)
            return amount / scale
    if cleaned.endswith("%"):
        return _number(cleaned[:-1], raw, field, unit) / 100
    if cleaned.endswith("‰"):
        return _number(cleaned[:-1], raw, field, unit) / 1000
    value = _number(cleaned, raw, field, unit)
    readings = rate_readings(cleaned)
    if readings is not None:
        raise AmbiguousRate(field, raw, readings, unit)
    return value


def _number(text: str, raw: str, field: str, unit: str) -> Decimal:
    try:
        return D(text)
    except InputError:
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+", text):  # 1e30: a number, far out
            raise InputError(field, _RANGE[unit], value=raw[:40],
                             maximum=_percent(MAX_RATE[unit])) from None
        raise InputError(
            field,
            N_("'{value}' is not a rate; type it as a percent (4.9%, 0.05%) or a fraction (0.049)"),
            value=raw,
        ) from None


def parse_date(text: str | date, field: str = "date") -> date:
    """A calendar date typed as ``YYYY-MM-DD``, from 2000-01-01 to 2100-12-31
    (:data:`~xieshang.engine.limits.EARLIEST_DATE`, :data:`~xieshang.engine.limits.LATEST_DATE`).
    """
    if isinstance(text, date):
        day = text
    else:
        match = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", text.strip())
        if not match:
            raise InputError(field, N_("'{value}' is not a date; type it as YYYY-MM-DD"),
                             value=text[:40])
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise InputError(field, N_("'{value}' is not a real calendar date"),
                             value=text) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InputError(field, N_("{value} is outside the dates xieshang works with "
                                   "({earliest} to {latest}); check the year"),
                         value=day.isoformat(), earliest=EARLIEST_DATE.isoformat(),
                         latest=LATEST_DATE.isoformat())
    return day


def parse_count(text: str | int, field: str, *, minimum: int = 1, maximum: int = 10_000) -> int:
    """A whole number such as a count of periods or days, within bounds."""
    if isinstance(text, bool):
        raise TypeError("parse_count() does not take bool")
    if isinstance(text, int):
        value = text
    else:
        cleaned = text.translate(_FULLWIDTH).strip()
        digits = cleaned[1:] if cleaned[:1] in ("+", "-") else cleaned
        if not digits.isdecimal():  # what [+-]?\d+ matches (\d: Unicode decimal digits)
            raise InputError(field, N_("'{value}' is not a whole number"), value=text)
        if len(cleaned) > 18:  # far beyond any limit a count has; int() refuses 4,300+ digits
            raise InputError(field, N_("must be between {minimum} and {maximum} (got {value})"),
                             minimum=minimum, maximum=maximum, value=cleaned[:20] + "…")
        value = int(cleaned)
    if value < minimum or value > maximum:
        raise InputError(
            field, N_("must be between {minimum} and {maximum} (got {value})"),
            minimum=minimum, maximum=maximum, value=value,
        )
    return value
