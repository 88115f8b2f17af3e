"""Money: the one constructor, parsing what people type, formatting, capitals, fen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xieshang.engine.errors import InputError
from xieshang.engine.money import (
    D,
    Rounding,
    format_money,
    from_fen,
    money,
    money_in_capitals,
    parse_amount,
    round_money,
    to_fen,
)


def test_d_refuses_float() -> None:
    with pytest.raises(TypeError, match="float"):
        D(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        D(True)  # type: ignore[arg-type]


def test_d_builds_from_str_int_decimal() -> None:
    assert D("1.10") == Decimal("1.10")
    assert D(3) == Decimal(3)
    assert D(Decimal("2.5")) == Decimal("2.5")


def test_money_keeps_two_places_and_refuses_fractions_of_a_fen() -> None:
    assert str(money("12.3")) == "12.30"
    assert str(money(5)) == "5.00"
    with pytest.raises(InputError) as caught:
        money("1.005", "amount")
    assert caught.value.field == "amount"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,234.5", "1234.50"),
        ("¥1234", "1234.00"),
        ("￥ 1,234.50", "1234.50"),
        ("1.2万", "12000.00"),
        ("3千", "3000.00"),
        ("１２３４．５", "1234.50"),
        ("1234元", "1234.00"),
        ("2w", "20000.00"),
        ("0.5", "0.50"),
        ("1.23456万", "12345.60"),
        ("RMB 88", "88.00"),
    ],
)
def test_parse_amount_accepts_what_people_type(typed: str, expected: str) -> None:
    assert str(parse_amount(typed)) == expected


@pytest.mark.parametrize("typed", ["", "abc", "1.2.3", "12,34", "¥", "1.001", "万", "--5"])
def test_parse_amount_refuses_nonsense_naming_the_field(typed: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_amount(typed, "amount")
    assert caught.value.field == "amount"


def test_parse_amount_refuses_negative_unless_allowed() -> None:
    with pytest.raises(InputError, match="negative"):
        parse_amount("-5")
    assert parse_amount("-5", allow_negative=True) == Decimal("-5.00")


def test_format_money() -> None:
    assert format_money(Decimal("1234.5")) == "¥1,234.50"
    assert format_money(Decimal("-0.5")) == "-¥0.50"
    assert format_money(Decimal("1000000")) == "¥1,000,000.00"


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("1000.05", "壹仟元零伍分"),
        ("10", "壹拾元整"),
        ("0.5", "伍角"),
        ("10010.5", "壹万零壹拾元伍角"),
    ],
)
def test_capitals(amount: str, capitals: str) -> None:
    assert money_in_capitals(Decimal(amount)) == capitals


def test_capitals_round_first_instead_of_truncating() -> None:
    # cn2an would truncate 0.999 to 9角9分; we round half-up to 1.00 first.
    assert money_in_capitals(Decimal("0.999")) == "壹元整"
    assert money_in_capitals(Decimal("12.345")) == "壹拾贰元叁角伍分"


def test_round_money_modes() -> None:
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert round_money(Decimal("0.125"), Rounding.HALF_EVEN) == Decimal("0.12")
    assert round_money(Decimal("0.129"), Rounding.DOWN) == Decimal("0.12")
    assert round_money(Decimal("0.121"), Rounding.UP) == Decimal("0.13")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_fen_round_trip(fen: int) -> None:
    assert to_fen(from_fen(fen)) == fen


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_typed_amount_round_trips_through_format(value: Decimal) -> None:
    assert parse_amount(format_money(value)) == value
