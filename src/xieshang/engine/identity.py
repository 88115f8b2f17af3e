"""Personal numbers: validation (ID number, bank card, mobile phone) and masking.

* **Resident ID number** (居民身份证号码, GB 11643-1999): 17 digits and a check character.
  The check character is Σ(digitᵢ × weightᵢ) mod 11 with the weights
  7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, looked up in ``10X98765432``. Digits 7–14 are the
  date of birth (YYYYMMDD), which must be a real calendar date.
* **Bank card number**: 12 to 19 digits with a valid Luhn check digit.
* **Mainland mobile number**: 11 digits ``1[3-9]xxxxxxxxx``; a ``+86`` / ``0086`` prefix,
  spaces and dashes are accepted and removed.

Masking never shows more than the first 4 and last 4 characters of an ID number, the last 4
digits of a card, the first 3 and last 4 digits of a phone number, and never the whole
input, however short it is. Error messages never contain the number itself: these values
must not reach logs.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from xieshang.engine.errors import N_, InputError

__all__ = [
    "id_check_character",
    "luhn_valid",
    "mask_account",
    "mask_card",
    "mask_id",
    "mask_name",
    "mask_phone",
    "mask_phone_numbers",
    "validate_card_number",
    "validate_id_number",
    "validate_phone",
]

#: GB 11643-1999 weights of the first 17 digits.
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: The check character for each value of the weighted sum mod 11.
_ID_CHECK: Final = "10X98765432"
_FULLWIDTH: Final = str.maketrans("０１２３４５６７８９Ｘｘ＋－　", "0123456789Xx+- ")
_SEPARATORS: Final = re.compile(r"[\s\-]")
_PHONE: Final = re.compile(r"1[3-9]\d{9}")
_MASK: Final = "*"
#: The fewest characters a mask hides (a phone number shows 7 of 11).
_MIN_HIDDEN: Final = 4


def _clean(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    return _SEPARATORS.sub("", text.translate(_FULLWIDTH))


# ------------------------------------------------------------------------- ID number


def id_check_character(first17: str) -> str:
    """The GB 11643-1999 check character of 17 digits.

    >>> id_check_character("11010119900107000")
    'X'
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise InputError("id_number", N_("the first 17 characters must be digits"))
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(text: str) -> str:
    """A resident ID number, normalised (spaces removed, ``x`` as ``X``).

    Raises:
        InputError: (field ``id_number``) wrong length or characters, a date of birth that
            is not a real date, or a wrong check character.
    """
    value = _clean(text).upper()
    if len(value) == 15 and value.isdigit():
        raise InputError("id_number", N_("this looks like an old 15-digit number, which has no "
                                         "check character; type the 18-character number"))
    if len(value) != 18:
        raise InputError("id_number", N_("must be 18 characters: 17 digits and a final digit "
                                         "or X (got {count})"), count=len(value))
    body, check = value[:17], value[17]
    if not body.isascii() or not body.isdigit() or not (check.isdigit() or check == "X"):
        raise InputError("id_number", N_("must be 17 digits and a final digit or X"))
    try:
        date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise InputError("id_number", N_("characters 7 to 14 are not a real date of birth "
                                         "(YYYYMMDD)")) from None
    if id_check_character(body) != check:
        raise InputError("id_number", N_("the check character does not match: the number has "
                                         "a typing mistake"))
    return value


# ------------------------------------------------------------------------------ cards


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check.

    >>> luhn_valid("79927398713")
    True
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_card_number(text: str) -> str:
    """A bank card number, digits only.

    Raises:
        InputError: (field ``card_number``) not 12–19 digits, or the Luhn check fails.
    """
    value = _clean(text)
    if not value.isascii() or not value.isdigit():
        raise InputError("card_number", N_("must contain only digits (spaces and dashes are "
                                           "fine)"))
    if not 12 <= len(value) <= 19:
        raise InputError("card_number", N_("must be 12 to 19 digits (got {count})"),
                         count=len(value))
    if not luhn_valid(value):
        raise InputError("card_number", N_("the check digit does not match: the number has a "
                                           "typing mistake"))
    return value


# ----------------------------------------------------------------------------- phones


def _phone_digits(text: str) -> str:
    value = _clean(text)
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            return value[len(prefix):]
    if len(value) == 13 and value.startswith("86"):
        return value[2:]
    return value


def validate_phone(text: str) -> str:
    """A mainland mobile number as 11 digits.

    Raises:
        InputError: (field ``phone``) not a mainland mobile number.
    """
    value = _phone_digits(text)
    if not _PHONE.fullmatch(value):
        raise InputError("phone", N_("must be a mainland mobile number: 11 digits starting "
                                     "with 13 to 19 (a +86 prefix is fine)"))
    return value


# ----------------------------------------------------------------------------- masking


def _mask(value: str, head: int, tail: int) -> str:
    """``value`` with all but ``head`` leading and ``tail`` trailing characters masked.

    At least :data:`_MIN_HIDDEN` characters are masked. A value too short for that loses
    its leading part and shows at most half of itself at the end, so it is never shown
    whole.
    """
    length = len(value)
    if length - head - tail < _MIN_HIDDEN:
        head = 0
        tail = min(tail, length // 2)
    hidden = length - head - tail
    return value[:head] + _MASK * hidden + (value[length - tail:] if tail else "")


def mask_id(text: str) -> str:
    """An ID number with only the first 4 and last 4 characters shown.

    >>> mask_id("110101199001010007")
    '1101**********0007'
    """
    return _mask(_clean(text).upper(), 4, 4)


def mask_card(text: str) -> str:
    """A card number with only its last 4 digits shown: ``**** **** **** 1234``.

    The length of the number is not shown either. A value of 8 characters or fewer shows
    at most half of itself.
    """
    value = _clean(text)
    if len(value) <= 8:
        return _mask(value, 0, 4)
    return f"**** **** **** {value[-4:]}"


def mask_phone(text: str) -> str:
    """A phone number with the first 3 and last 4 digits shown: ``138****5678``."""
    return _mask(_phone_digits(text), 3, 4)


def mask_account(text: str) -> str:
    """An account name such as an Alipay login (an e-mail address or a phone number).

    E-mail: up to 3 characters of the name and the whole domain (``zha***@example.com``);
    otherwise the first 3 and last 2 characters (``138******78``).
    """
    value = text.strip()
    name, at, domain = value.partition("@")
    if at and name:
        shown = min(3, len(name) // 2)
        return name[:shown] + _MASK * 3 + "@" + domain
    return _mask(_clean(value), 3, 2)


def mask_name(text: str) -> str:
    """A person's or a counterparty's name with only its first character shown:
    ``张**``, ``美***``; empty text stays empty.

    >>> mask_name("张三丰")
    '张**'
    """
    value = text.strip()
    if not value:
        return ""
    return value[:1] + _MASK * max(1, len(value) - 1)


#: A run of digits (with spaces, dashes, a leading +) long enough to be a phone number.
_NUMBER: Final = re.compile(r"\+?\d[\d \-]{8,}\d")


def mask_phone_numbers(text: str) -> str:
    """Free text (a collector's name and staff number) as it may be shown: a phone-length
    number in it (10 digits or more) is masked (``138****5678``); a short staff number
    (工号) stays readable, since people cite it in complaints."""

    def mask(match: re.Match[str]) -> str:
        found = match.group()
        if sum(ch.isdigit() for ch in found) < 10:
            return found
        return mask_phone(found)

    return _NUMBER.sub(mask, text)

