"""A plain CSV statement (a bank's download, a spreadsheet) read through a column map.

The column map names, for each field xieshang needs, the header text of the column that
holds it::

    {"date": "日期", "amount": "金额", "direction": "类型",
     "description": "摘要", "counterparty": "对方"}

``date`` and ``amount`` are required. Without a ``direction`` column the amount's sign
decides: negative is spending, positive is income. Files may be UTF-8 (with or without
BOM) or GBK; lines before the header row are passed over.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from xieshang.engine.errors import N_, InputError
from xieshang.importers.model import Direction, ImportResult, SourceRow, build_result, settle
from xieshang.importers.tabular import (
    Column,
    amount_cell,
    clean_text,
    csv_rows,
    decode_text,
    locate_header,
    table_records,
    text_cell,
    time_cell,
)

__all__ = [
    "DEFAULT_COLUMN_MAP",
    "DIRECTION_WORDS",
    "FIELDS",
    "check_column_map",
    "parse_column_map",
    "parse_generic",
]

#: Fields a column map may name, in the order they are looked for.
FIELDS: Final = (
    "date", "amount", "direction", "description", "counterparty", "category", "method",
    "status",
)
REQUIRED: Final = ("date", "amount")

#: Used when no column map is given; only date and amount must then be present.
DEFAULT_COLUMN_MAP: Final[Mapping[str, str]] = {
    "date": "日期",
    "amount": "金额",
    "direction": "类型",
    "description": "摘要",
    "counterparty": "对方",
}

#: Values of a direction column (compared case-insensitively).
DIRECTION_WORDS: Final[Mapping[str, Direction]] = {
    "收入": Direction.INCOME, "收": Direction.INCOME, "入账": Direction.INCOME,
    "存入": Direction.INCOME, "income": Direction.INCOME, "in": Direction.INCOME,
    "credit": Direction.INCOME, "cr": Direction.INCOME,
    "支出": Direction.EXPENSE, "支": Direction.EXPENSE, "出账": Direction.EXPENSE,
    "支取": Direction.EXPENSE, "expense": Direction.EXPENSE, "out": Direction.EXPENSE,
    "debit": Direction.EXPENSE, "dr": Direction.EXPENSE,
    "不计收支": Direction.NEUTRAL, "中性": Direction.NEUTRAL, "中性交易": Direction.NEUTRAL,
    "其他": Direction.NEUTRAL, "/": Direction.NEUTRAL, "neutral": Direction.NEUTRAL,
    "transfer": Direction.NEUTRAL,
}


def parse_column_map(text: str) -> dict[str, str]:
    """A column map typed on the command line: ``date=日期,amount=金额,direction=类型``.

    Items are separated by ``,`` ``，`` or ``;``; key and column by ``=`` or ``:``.

    Raises:
        InputError: (field ``column_map``) an item without ``=``, an unknown field, or a
            missing required field.
    """
    mapping: dict[str, str] = {}
    for item in re.split(r"[,，;；]", text):
        if not item.strip():
            continue
        parts = re.split(r"[=:：]", item, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise InputError(
                "column_map", N_("'{item}' is not of the form field=column"), item=item.strip())
        mapping[parts[0].strip().lower()] = parts[1].strip()
    check_column_map(mapping)
    return mapping


def check_column_map(mapping: Mapping[str, str]) -> None:
    """Refuse unknown fields and a map without the required ones."""
    for key in mapping:
        if key not in FIELDS:
            raise InputError(
                "column_map", N_("'{key}' is not a field; use {fields}"),
                key=key, fields=", ".join(FIELDS),
            )
    for key in REQUIRED:
        if not mapping.get(key):
            raise InputError("column_map", N_("'{key}' is required"), key=key)


def parse_generic(
    data: bytes, file: str, column_map: Mapping[str, str] | None = None
) -> ImportResult:
    """Read a plain CSV statement through a column map (default :data:`DEFAULT_COLUMN_MAP`).

    With the default map only ``日期`` and ``金额`` must be present; with a map given, every
    column it names must be in the header.

    Raises:
        InputError: a bad map, wrong encoding, no header, or a bad row (naming file, row,
            column).
    """
    given = column_map is not None
    mapping = dict(column_map) if column_map is not None else dict(DEFAULT_COLUMN_MAP)
    check_column_map(mapping)
    columns = [
        Column(key, (mapping[key],), required=given or key in REQUIRED)
        for key in FIELDS if mapping.get(key)
    ]
    rows = csv_rows(decode_text(data, file), file)
    header = locate_header(rows, columns, file)
    names = header.names
    has_direction = "direction" in header.index
    source: list[SourceRow] = []
    for number, cells in table_records(rows, header, file):
        when = time_cell(cells["date"], file=file, row=number, column=names["date"])
        amount = amount_cell(cells["amount"], file=file, row=number, column=names["amount"],
                             signed=True)
        if has_direction:
            raw = text_cell(cells["direction"])
            direction = DIRECTION_WORDS.get(raw.lower())
            if direction is None:
                raise InputError(
                    "file",
                    N_("{file}, row {row}, column {column}: '{value}' is not one of "
                       "{expected}"),
                    file=file, row=number, column=names["direction"], value=raw,
                    expected="收入, 支出, 不计收支",
                )
            amount = abs(amount)
        elif amount < 0:
            direction, amount = Direction.EXPENSE, -amount
        elif amount > 0:
            direction = Direction.INCOME
        else:
            direction = Direction.NEUTRAL
        description = clean_text(cells.get("description"))
        category = clean_text(cells.get("category"))
        status = clean_text(cells.get("status"))
        source.append(SourceRow(
            row=number,
            when=when,
            direction=direction,
            amount=amount,
            counterparty=clean_text(cells.get("counterparty")),
            description=description,
            source_category=category,
            method=clean_text(cells.get("method")),
            status=status,
            settlement=settle(direction, status, description, category),
        ))
    return build_result("csv", source, file, header.row)
