"""Money: exact yuan amounts as :class:`decimal.Decimal`.

Rules (see DEVELOPERS.md, non-negotiable 2):

* every number that is money is built through :func:`D` or :func:`money` — never from float;
* amounts are yuan with at most 2 places (fen);
* rounding happens only where a lender rounds, through :func:`round_money` with a named mode;
* the database keeps integer fen (:func:`to_fen` / :func:`from_fen`).

This module also parses what people type (``1,234.5``, ``¥1234``, ``1.2万``, ``3千``,
full-width digits, ``1234元``) and formats amounts for display (``¥1,234.50``) and in
Chinese capitals (``壹仟贰佰叁拾肆元伍角陆分``).
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Final

from xieshang.engine.errors import N_, InputError
from xieshang.engine.limits import MAX_AMOUNT, MAX_EXPONENT

__all__ = [
    "CENT",
    "MAX_AMOUNT",
    "ZERO",
    "D",
    "Rounding",
    "format_money",
    "from_fen",
    "money",
    "money_in_capitals",
    "parse_amount",
    "round_money",
    "to_fen",
]

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal("0.00")

#: Context used for all intermediate arithmetic: far more digits than any amount needs.
CONTEXT: Final = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)


class Rounding(StrEnum):
    """Rounding modes a preset may name (values are the names used in preset files)."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"

    @property
    def decimal_mode(self) -> str:
        """The :mod:`decimal` constant for this mode."""
        return _MODES[self]


_MODES: Final = {
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    Rounding.DOWN: decimal.ROUND_DOWN,
    Rounding.UP: decimal.ROUND_UP,
}


def D(value: Decimal | int | str) -> Decimal:
    """Build a Decimal from a str, int or Decimal; the one constructor for numbers.

    Floats are refused: ``D(0.1)`` would carry binary error into money.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise TypeError(f"D() takes str, int or Decimal, not {type(value).__name__}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    try:
        result = Decimal(value.strip())
    except decimal.InvalidOperation:
        raise InputError("number", N_("'{value}' is not a number"), value=value[:40]) from None
    if not result.is_finite():
        raise InputError("number", N_("'{value}' is not a number"), value=value[:40])
    if result and abs(result.adjusted()) > MAX_EXPONENT:
        raise InputError("number", N_("'{value}' is out of the range xieshang works with"),
                         value=value[:40])
    return result


def money(value: Decimal | int | str, field: str = "amount") -> Decimal:
    """An exact yuan amount with 2 places; refuses values with fractions of a fen.

    ``money("12.3") == Decimal("12.30")``; ``money("1.005")`` raises :class:`InputError`,
    because turning it into a fen amount would need a rounding rule that only a lender's
    preset may name.
    """
    number = D(value)
    try:
        quantized = number.quantize(CENT, context=CONTEXT)
    except decimal.InvalidOperation:
        raise InputError(field, N_("'{value}' is too large: amounts must be below {limit}"),
                         value=str(value)[:30], limit=format_money(MAX_AMOUNT)) from None
    if quantized != number:
        raise InputError(
            field,
            N_("{value} has more than 2 decimal places; amounts are in yuan and fen"),
            value=value,
        )
    return quantized


def round_money(value: Decimal, mode: Rounding = Rounding.HALF_UP) -> Decimal:
    """Round a computed amount to the fen with the named mode (the only rounding helper)."""
    return value.quantize(CENT, rounding=mode.decimal_mode, context=CONTEXT)


#: Scaling by 100 exactly (any inexact result traps, and the slow path decides).
_SCALE: Final = decimal.Context(prec=40, traps=[decimal.Inexact, decimal.Rounded,
                                                decimal.InvalidOperation])


def to_fen(value: Decimal) -> int:
    """Integer fen for storage; the amount must already be exact to the fen and small
    enough for a 64-bit integer column."""
    if value.__class__ is Decimal and value.is_finite() and value.adjusted() < 16:
        # the common case in one exact step: a Decimal worth a whole number of fen
        # (anything else takes the checks below, which name what is wrong)
        try:
            scaled = value.scaleb(2, _SCALE)
        except decimal.DecimalException:
            pass
        else:
            fen = int(scaled)
            if fen == scaled:
                return fen
    exact = money(value)
    fen = int(exact * 100)
    if abs(fen) >= _MAX_FEN:
        raise InputError("amount", N_("'{value}' is too large: amounts must be below {limit}"),
                         value=str(value)[:30], limit=format_money(MAX_AMOUNT))
    return fen


#: What a signed 64-bit integer column holds.
_MAX_FEN: Final = 2**63


def from_fen(fen: int) -> Decimal:
    """Yuan amount from integer fen."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"from_fen() takes int, not {type(fen).__name__}")
    return (Decimal(fen) / 100).quantize(CENT)


# ---------------------------------------------------------------------------- parsing

_FULLWIDTH: Final = str.maketrans(
    "０１２３４５６７８９．，－＋　％", "0123456789.,-+ %"
)
_UNITS: Final = {
    "万": Decimal(10_000), "千": Decimal(1_000), "百": Decimal(100), "亿": Decimal(10**8),
}
_UNIT_WORDS: Final = {"w": Decimal(10_000), "k": Decimal(1_000)}


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A currency sign before an amount, a currency word after it, the amount: compiled on
    first use (a plain ``1234.50`` needs none of them: issue 16, start-up)."""
    return (re.compile(r"^(?:¥|￥|rmb|cny)\s*", re.IGNORECASE),
            re.compile(r"\s*(?:元整|元|块钱|块|rmb|cny)$", re.IGNORECASE),
            re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$"))


def parse_amount(text: str, field: str = "amount", *, allow_negative: bool = False) -> Decimal:
    """Parse an amount as people type it and return exact yuan (2 places).

    Accepts ``1234``, ``1,234.5``, ``¥1234``, ``￥1,234.50``, ``1234元``, ``1.2万``,
    ``3千``, ``2w``, and full-width digits. Refuses negatives unless ``allow_negative``,
    fractions of a fen, and anything that is not a plain amount.
    """
    if isinstance(text, (Decimal, int)) and not isinstance(text, bool):
        result = money(text, field)
    else:
        if not isinstance(text, str):
            raise TypeError(f"parse_amount() takes str, not {type(text).__name__}")
        result = _parse_amount_text(text, field)
    if result < 0 and not allow_negative:
        raise InputError(field, N_("must not be negative (got {value})"), value=text)
    if abs(result) >= MAX_AMOUNT:
        raise InputError(field, N_("'{value}' is too large: amounts must be below {limit}"),
                         value=str(text)[:30], limit=format_money(MAX_AMOUNT))
    return result


def _parse_amount_text(text: str, field: str) -> Decimal:
    raw = text
    cleaned = text.translate(_FULLWIDTH).strip().replace(" ", "")
    multiplier = Decimal(1)
    head, dot, tail = cleaned.partition(".")
    # plain digits (1234, 1234.5, .5), which the patterns below leave as they are, skip them
    if not (cleaned.isascii() and (head.isdigit() or (dot and not head))
            and (not dot or tail.isdigit())):
        currency, suffix, amount = _patterns()
        cleaned = currency.sub("", cleaned)
        cleaned = suffix.sub("", cleaned)
        if cleaned and cleaned[-1] in _UNITS:
            multiplier = _UNITS[cleaned[-1]]
            cleaned = cleaned[:-1]
        elif cleaned and cleaned[-1].lower() in _UNIT_WORDS:
            multiplier = _UNIT_WORDS[cleaned[-1].lower()]
            cleaned = cleaned[:-1]
        if not cleaned or cleaned in {"+", "-", "."} or not amount.match(cleaned):
            raise InputError(
                field,
                N_("'{value}' is not an amount; type it like 1234.56, ¥1,234.56 or 1.2万"),
                value=raw,
            )
    digits = cleaned.replace(",", "")
    if len(digits.lstrip("+-0").partition(".")[0]) > 13:  # beyond MAX_AMOUNT whatever the unit
        raise InputError(field, N_("'{value}' is too large: amounts must be below {limit}"),
                         value=raw[:30], limit=format_money(MAX_AMOUNT))
    number = Decimal(digits) * multiplier
    quantized = number.quantize(CENT, context=CONTEXT)
    if quantized != number:
        raise InputError(
            field,
            N_("{value} has more than 2 decimal places; amounts are in yuan and fen"),
            value=raw,
        )
    return quantized


# --------------------------------------------------------------------------- formatting


def format_money(value: Decimal, *, symbol: str = "¥") -> str:
    """``¥1,234.50``; negative amounts as ``-¥1,234.50``. Rounds half-up for display only."""
    exact = round_money(value)
    sign = "-" if exact < 0 else ""
    return f"{sign}{symbol}{abs(exact):,.2f}"


def money_in_capitals(value: Decimal, mode: Rounding = Rounding.HALF_UP) -> str:
    """The amount in Chinese financial capitals, e.g. ``壹仟贰佰叁拾肆元伍角陆分``.

    The amount is rounded to the fen first (cn2an truncates extra places).
    """
    import cn2an  # slow to import (~0.3 s): only when capitals are needed

    exact = round_money(value, mode)
    if exact < 0:
        raise InputError("amount", N_("must not be negative (got {value})"), value=str(value))
    text: str = cn2an.an2cn(f"{exact:.2f}", "rmb")
    return text
