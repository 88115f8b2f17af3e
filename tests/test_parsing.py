"""Rates, dates and counts as people type them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xieshang.engine.errors import InputError
from xieshang.engine.parsing import AmbiguousRate, parse_count, parse_date, parse_rate


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4.9%", "0.049"),
        ("0.05%", "0.0005"),
        ("0", "0"),
        ("万分之五", "0.0005"),
        ("万分之5", "0.0005"),
        ("5‰", "0.005"),
        ("０.０５％", "0.0005"),
        ("0.05%/天", "0.0005"),
        ("100%", "1"),
    ],
)
def test_parse_rate(typed: str, expected: str) -> None:
    assert parse_rate(typed) == Decimal(expected)


def test_bare_number_above_one_is_refused_with_a_hint() -> None:
    with pytest.raises(InputError) as caught:
        parse_rate("5", "annual_rate")
    assert caught.value.field == "annual_rate"
    assert "5%" in str(caught.value)


def test_a_rate_without_its_unit_is_refused_with_both_readings() -> None:
    """Issue 12: 0.045 typed beside 日利率 with the % left off. Read as a percentage it is
    0.045 % a day (¥4.50 per ¥10,000 a day); read as a fraction 4.5 % a day (¥450) — 100
    times more. Neither is guessed: both are shown."""
    with pytest.raises(AmbiguousRate) as caught:
        parse_rate("0.045", "daily_rate")
    assert caught.value.readings == (Decimal("0.00045"), Decimal("0.045"))
    text = str(caught.value)
    assert "0.045% a day" in text
    assert "4.5% a day" in text


@pytest.mark.parametrize("typed", ["abc", "%", "-1%", ""])
def test_bad_rates(typed: str) -> None:
    with pytest.raises(InputError):
        parse_rate(typed, "rate")


def test_parse_date() -> None:
    assert parse_date("2026-03-31") == date(2026, 3, 31)
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        parse_date("2026/3/31", "from")
    with pytest.raises(InputError, match="real calendar date"):
        parse_date("2026-02-30", "from")


def test_parse_count() -> None:
    assert parse_count("12", "periods") == 12
    assert parse_count("１２", "periods") == 12
    with pytest.raises(InputError, match=r"between 1 and 10000 \(got 0\)"):
        parse_count("0", "periods")
    with pytest.raises(InputError, match="whole number"):
        parse_count("1.5", "periods")
