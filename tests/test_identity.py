"""Personal numbers: GB 11643-1999 check character, Luhn, mobile numbers, masking.

Every number here is constructed by the test (check characters computed below); none is a
real person's.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.errors import InputError
from xieshang.engine.identity import (
    id_check_character,
    luhn_valid,
    mask_account,
    mask_card,
    mask_id,
    mask_phone,
    validate_card_number,
    validate_id_number,
    validate_phone,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def reference_check(body: str) -> str:
    """GB 11643-1999, written out independently of the module."""
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def reference_luhn_digit(body: str) -> str:
    """The Luhn check digit to append to ``body``."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


# A made-up number: region 110101, born 1990-01-07, sequence 000 (never issued).
BODY_X = "11010119900107000"
ID_X = BODY_X + "X"


def test_check_character_worked_by_hand() -> None:
    # 1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 1·4 + 1·2 + 9·1 + 9·6 + 0·3 + 0·7 + 1·9 + 0·10 + 7·5
    # + 0·8 + 0·4 + 0·2 = 134; 134 mod 11 = 2 → "10X98765432"[2] = "X"
    assert id_check_character(BODY_X) == "X"
    assert reference_check(BODY_X) == "X"


@pytest.mark.parametrize("body", ["11010119900101000", "32010020000229000",
                                  "44030019851231000", "65010018000101000"])
def test_constructed_ids_validate(body: str) -> None:
    number = body + reference_check(body)
    assert validate_id_number(number) == number
    assert validate_id_number(f" {number[:6]} {number[6:14]} {number[14:]} ") == number


def test_lower_case_x_and_full_width_digits_are_normalised() -> None:
    assert validate_id_number(ID_X.lower()) == ID_X
    full_width = BODY_X.translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    assert validate_id_number(full_width) == ID_X


@pytest.mark.parametrize(("text", "fragment"), [
    (BODY_X + "1", "check character does not match"),
    ("11010119900230000" + reference_check("11010119900230000"), "not a real date"),
    ("110101900107000", "old 15-digit number"),
    (BODY_X, "must be 18 characters"),
    ("1101011990010700AX", "17 digits and a final digit or X"),
])
def test_bad_ids_are_refused_without_echoing_the_number(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_id_number(text)
    assert caught.value.field == "id_number"
    assert fragment in str(caught.value)
    assert text not in str(caught.value)
    assert BODY_X not in repr(caught.value.params)


def test_luhn_reference_values() -> None:
    assert luhn_valid("79927398713")  # the textbook example
    assert not luhn_valid("79927398710")
    assert luhn_valid("4111111111111111")  # a published test number, not a real card
    assert not luhn_valid("")
    assert not luhn_valid("12a4")


def test_constructed_card_numbers() -> None:
    body = "622200000000000"
    card = body + reference_luhn_digit(body)
    assert validate_card_number(card) == card
    assert validate_card_number(f"{card[:4]} {card[4:8]}-{card[8:12]} {card[12:]}") == card
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    with pytest.raises(InputError, match="check digit"):
        validate_card_number(wrong)
    with pytest.raises(InputError, match="12 to 19 digits") as caught:
        validate_card_number("79927398713")  # Luhn-valid but only 11 digits
    assert caught.value.field == "card_number"
    with pytest.raises(InputError, match="only digits"):
        validate_card_number("6222-abcd")


@pytest.mark.parametrize("text", ["13800000000", "+86 138 0000 0000", "0086-138-0000-0000",
                                  "8613800000000", "１３８００００００００"])
def test_mainland_mobile_numbers(text: str) -> None:
    assert validate_phone(text) == "13800000000"


@pytest.mark.parametrize("text", ["12800000000", "1380000000", "138000000000", "02161234567",
                                  "+1 13800000000", "138-0000-000a"])
def test_not_mainland_mobile_numbers(text: str) -> None:
    with pytest.raises(InputError) as caught:
        validate_phone(text)
    assert caught.value.field == "phone"


def test_masks_show_what_they_promise() -> None:
    assert mask_id(ID_X) == "1101**********000X"
    assert mask_card("6222 0000 0000 0006") == "**** **** **** 0006"
    assert mask_card("6222000000000000006") == "**** **** **** 0006"  # length hidden too
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone("+86 138-0000-1234") == "138****1234"
    assert mask_account("zhangsan@example.com") == "zha***@example.com"
    assert mask_account("ab@example.com") == "a***@example.com"
    assert mask_account("13800001234") == "138******34"


digits = st.text(alphabet="0123456789X", min_size=1, max_size=25)


def _visible(masked: str) -> int:
    return sum(1 for char in masked if char not in "* ")


@settings(max_examples=200, deadline=None)
@given(value=digits)
def test_masks_never_reveal_the_whole_input(value: str) -> None:
    for mask, allowed in ((mask_id, 8), (mask_card, 4), (mask_phone, 7), (mask_account, 5)):
        masked = mask(value)
        assert value not in masked, (mask.__name__, value, masked)
        assert _visible(masked) <= allowed, (mask.__name__, value, masked)
        assert _visible(masked) < len(value) or len(value) == 0


@settings(max_examples=100, deadline=None)
@given(name=st.text(alphabet="abcdefghij0123456789._", min_size=1, max_size=20),
       domain=st.sampled_from(["example.com", "163.com", "qq.com"]))
def test_account_mask_hides_most_of_the_name(name: str, domain: str) -> None:
    value = f"{name}@{domain}"
    masked = mask_account(value)
    assert value not in masked
    assert masked.endswith("@" + domain)
    assert _visible(masked.split("@")[0]) <= min(3, len(name) // 2)
