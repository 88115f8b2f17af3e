"""Parsing of the small values people type: rates, dates, counts.

Each parser names the field in its error so the fronts can say exactly what was wrong.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Final

from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import D

__all__ = ["parse_count", "parse_date", "parse_rate"]

_FULLWIDTH: Final = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_CN_DIGITS: Final = {
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_FRACTION_WORDS: Final = (("万分之", Decimal(10_000)), ("千分之", Decimal(1_000)),
                          ("百分之", Decimal(100)))
_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_rate(text: str | Decimal, field: str = "rate") -> Decimal:
    """A rate as a fraction: ``4.9%`` → 0.049, ``0.05%`` → 0.0005, ``0.049`` → 0.049.

    Also understands ``5‰`` and ``万分之五`` / ``万分之5``. A bare number above 1 without
    ``%`` is refused with a hint: a person typing ``5`` may mean 5 %.
    """
    if isinstance(text, Decimal):
        value = text
        raw = str(text)
        if value > 1:
            raise InputError(field, N_("rate {value} is above 100 %"), value=raw)
    else:
        raw = text
        cleaned = text.translate(_FULLWIDTH).strip().replace(" ", "")
        for suffix in ("/天", "/日", "每天", "每日", "/年", "/月", "年化", "日利率", "年利率"):
            cleaned = cleaned.replace(suffix, "")
        value = _parse_rate_text(cleaned, raw, field)
    if value < 0:
        raise InputError(field, N_("must not be negative (got {value})"), value=raw)
    return value


def _parse_rate_text(cleaned: str, raw: str, field: str) -> Decimal:
    for word, scale in _FRACTION_WORDS:
        if cleaned.startswith(word):
            rest = cleaned[len(word):]
            number = _CN_DIGITS.get(rest)
            amount = Decimal(number) if number is not None else _number(rest, raw, field)
            return amount / scale
    if cleaned.endswith("%"):
        return _number(cleaned[:-1], raw, field) / 100
    if cleaned.endswith("‰"):
        return _number(cleaned[:-1], raw, field) / 1000
    value = _number(cleaned, raw, field)
    if value > 1:
        raise InputError(
            field,
            N_("'{value}' is ambiguous: type {value}% for a percentage, "
               "or a fraction such as 0.049"),
            value=raw,
        )
    return value


def _number(text: str, raw: str, field: str) -> Decimal:
    try:
        return D(text)
    except InputError:
        raise InputError(
            field,
            N_("'{value}' is not a rate; type it as a percent (4.9%, 0.05%) or a fraction (0.049)"),
            value=raw,
        ) from None


def parse_date(text: str | date, field: str = "date") -> date:
    """A calendar date typed as ``YYYY-MM-DD``."""
    if isinstance(text, date):
        return text
    match = _DATE.match(text.strip())
    if not match:
        raise InputError(field, N_("'{value}' is not a date; type it as YYYY-MM-DD"), value=text)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InputError(field, N_("'{value}' is not a real calendar date"), value=text) from None


def parse_count(text: str | int, field: str, *, minimum: int = 1, maximum: int = 10_000) -> int:
    """A whole number such as a count of periods or days, within bounds."""
    if isinstance(text, bool):
        raise TypeError("parse_count() does not take bool")
    if isinstance(text, int):
        value = text
    else:
        cleaned = text.translate(_FULLWIDTH).strip()
        if not re.fullmatch(r"[+-]?\d+", cleaned):
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
