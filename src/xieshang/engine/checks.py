"""Checks of a record's values against the program's limits (:mod:`xieshang.engine.limits`).

The same bounds the parsers apply to what a person types, applied to values that arrive
whole: an imported case file, or a record an older version saved. :func:`value_problems`
takes a record's fields by name and returns one :class:`InputError` per value out of bounds,
each naming the field as the command line and the web forms name it (``penalty_rate``
for ``penalty_daily_rate``), so the message can say how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from xieshang.engine.errors import N_, InputError
from xieshang.engine.limits import MAX_AMOUNT, MAX_ID, MAX_NOTES, MAX_TEXT, date_problem
from xieshang.engine.money import format_money
from xieshang.engine.parsing import parse_date, parse_rate

__all__ = ["FIELD_OF", "value_problems"]

#: Fields holding money (yuan).
AMOUNTS: Final = frozenset({"principal", "interest", "penalty", "fees", "not_yet_due",
                            "minimum", "amount", "buffer", "savings",
                            "borrowed", "period_fee"})

#: A stored field → the field (option) a person fixes it with.
FIELD_OF: Final = {"principal": "amount", "due_date": "overdue_since",
                   "penalty_daily_rate": "penalty_rate", "paid_on": "date",
                   "period_fee_rate": "period_fee"}

#: Whole numbers with a narrower range than an id: field → (minimum, maximum).
_WHOLE: Final = {"due_day": (1, 31), "priority": (1, 999), "periods": (1, 600),
                 "paid_periods": (0, 600)}

#: Short texts (names, labels) and long ones (notes, descriptions).
_SHORT: Final = frozenset({"lender", "label", "name", "preset_id", "status", "method",
                           "repayment_method", "card_interest_basis"})
_LONG: Final = frozenset({"notes", "note", "description"})


def value_problems(values: Mapping[str, Any]) -> list[tuple[str, InputError]]:
    """(stored field, error) for every value in ``values`` outside the limits."""
    found: list[tuple[str, InputError]] = []
    for name, value in values.items():
        error = _problem(name, value, values)
        if error is not None:
            found.append((name, error))
    return found


def _problem(name: str, value: Any, values: Mapping[str, Any]) -> InputError | None:
    field = FIELD_OF.get(name, name)
    if value is None or isinstance(value, bool):
        return None
    if name == "income_changes" and isinstance(value, Mapping):
        from xieshang.engine.situation import parse_income_changes

        try:
            changes = parse_income_changes(value)
        except InputError as error:
            return error
        for change in changes:
            found = _problem("income_change_on", change.on, values) or _problem(
                "amount", change.monthly, values)
            if found is not None:
                return found
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return InputError(field, N_("'{value}' is not a number"), value=str(value)[:40])
        if name in AMOUNTS:
            if abs(value) >= MAX_AMOUNT:
                return InputError(field, N_("'{value}' is too large: amounts must be below "
                                            "{limit}"),
                                  value=str(value)[:30], limit=format_money(MAX_AMOUNT))
            return None
        return _rate_problem(name, value, values)
    if isinstance(value, (date, datetime)):
        day = value.date() if isinstance(value, datetime) else value
        if date_problem(day):
            try:
                parse_date(day, field)
            except InputError as error:
                return error
        return None
    if isinstance(value, int):
        low, high = _WHOLE.get(name, (-MAX_ID, MAX_ID))
        if not low <= value <= high:
            return InputError(field, N_("must be between {minimum} and {maximum} (got "
                                        "{value})"), minimum=low, maximum=high,
                              value=str(value)[:30])
        return None
    if isinstance(value, str):
        limit = 200 if name in _SHORT else MAX_NOTES if name in _LONG else MAX_TEXT
        if len(value) > limit:
            return InputError(field, N_("must be at most {maximum} characters"),
                              maximum=limit)
    return None


def _rate_problem(name: str, value: Decimal, values: Mapping[str, Any]) -> InputError | None:
    if name == "contract_rate":
        per = "daily" if values.get("contract_rate_basis") == "daily" else "annual"
        field = "daily_rate" if per == "daily" else "annual_rate"
    elif name == "penalty_daily_rate":
        per, field = "daily", "penalty_rate"
    elif name == "period_fee_rate":
        per, field = "monthly", "period_fee"
    else:
        per, field = "total", name
    try:
        parse_rate(value, field, per=per)
    except InputError as error:
        return error
    return None
