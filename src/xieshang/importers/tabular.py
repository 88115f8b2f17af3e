"""Reading tables out of statement files: text decoding, rows with their numbers, the
header row, and the cells that hold amounts and times.

Every function here is pure (bytes or text in, values out). Errors are
:class:`~xieshang.engine.errors.InputError` with field ``"file"`` and parameters naming the
file, the row (1-based, as a spreadsheet or text editor shows it) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final, TypeVar

from xieshang.engine.errors import N_, InputError
from xieshang.engine.limits import CSV_MAX_ROWS, MAX_AMOUNT
from xieshang.engine.money import D, format_money, money

T = TypeVar("T")

__all__ = [
    "ENCODINGS",
    "Cell",
    "Column",
    "Header",
    "SheetRow",
    "amount_cell",
    "clean_text",
    "csv_rows",
    "decode_text",
    "locate_header",
    "table_records",
    "text_cell",
    "time_cell",
]

#: A cell as a CSV reader (always str) or an XLSX reader (typed values) gives it.
Cell = str | int | float | datetime | date | None

#: Encodings tried, in order, for CSV files (GB18030 is the superset of GBK).
ENCODINGS: Final = ("utf-8-sig", "gb18030")
ENCODING_NAMES: Final = "UTF-8, GBK/GB18030"


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row of a table as read from the file.

    Attributes:
        number: the row number in the file, 1-based (the first line of a CSV record).
        cells: the cells, CSV text or XLSX values.
    """

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Column:
    """A column an importer looks for in the header row.

    Attributes:
        key: the importer's name for it (``"time"``, ``"amount"``…).
        names: the header texts it may have, preferred first (exports change over time).
        required: whether the table is unusable without it.
    """

    key: str
    names: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True, slots=True)
class Header:
    """The header row found in a table.

    Attributes:
        row: its row number.
        index: column key → position in the row, for the columns present.
        names: column key → the header text found (for messages).
        anchor: the key of the column the header was found by (the date/time column).
    """

    row: int
    index: Mapping[str, int]
    names: Mapping[str, str]
    anchor: str = ""


def decode_text(data: bytes, file: str) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM) first, then GBK/GB18030.

    Raises:
        InputError: the bytes are neither (e.g. UTF-16), naming the file and the
            encodings tried.
    """
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # UTF-16 without a byte-order mark decodes to NUL characters
            break
        return text
    raise InputError(
        "file",
        N_("{file}: the file is not UTF-8 or GBK text (tried {encodings}); export it again, "
           "or save it as a UTF-8 CSV file"),
        file=file, encodings=ENCODING_NAMES,
    )


def csv_rows(text: str, file: str) -> Iterator[SheetRow]:
    """The records of CSV text, each numbered with the line it starts on."""
    if text.count("\n") > CSV_MAX_ROWS and len(
            text.splitlines()) > CSV_MAX_ROWS:  # refused before reading a row of it
        raise _too_many_rows(file)
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(
                "file", N_("{file}, row {row}: cannot be read as CSV ({error})"),
                file=file, row=start, error=str(error),
            ) from None
        if start > CSV_MAX_ROWS:
            raise _too_many_rows(file)
        yield SheetRow(start, tuple(cells))
        start = reader.line_num + 1


def _too_many_rows(file: str) -> InputError:
    return InputError(
        "file", N_("{file}: the file has more than {limit} rows; a statement is far "
                   "shorter (export a shorter period)"), file=file, limit=CSV_MAX_ROWS,
    )


def text_cell(value: Cell) -> str:
    """A cell as stripped text (``None`` → ``""``; tabs and padding removed)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def clean_text(value: Cell) -> str:
    """A text cell with the apps' ``/`` placeholder for "nothing" turned into ``""``."""
    text = text_cell(value)
    return "" if text == "/" else text


def locate_header(
    rows: Iterator[SheetRow], columns: Sequence[Column], file: str
) -> Header:
    """Find the header row: the first row with a cell equal to a name of the first column.

    ``rows`` is consumed up to and including the header row, so the caller reads the data
    rows from the same iterator.

    Raises:
        InputError: no such row (naming the columns looked for), or the row lacks a
            required column (naming the row and the columns missing).
    """
    anchor = set(columns[0].names)
    for row in rows:
        texts = [text_cell(cell) for cell in row.cells]
        if anchor.isdisjoint(texts):
            continue
        index: dict[str, int] = {}
        names: dict[str, str] = {}
        missing: list[str] = []
        for column in columns:
            for name in column.names:
                if name in texts:
                    index[column.key] = texts.index(name)
                    names[column.key] = name
                    break
            else:
                if column.required:
                    missing.append(column.names[0])
        if missing:
            raise InputError(
                "file", N_("{file}, row {row}: the table header lacks the column(s) {missing}"),
                file=file, row=row.number, missing=", ".join(missing),
            )
        return Header(row.number, index, names, columns[0].key)
    raise InputError(
        "file",
        N_("{file}: no transaction table found; expected a header row with the columns "
           "{columns}"),
        file=file, columns=", ".join(c.names[0] for c in columns if c.required),
    )


_LOOKS_LIKE_DATE: Final = re.compile(r"^\d{4}\s*[-/年.]?\s*\d")


def table_records(
    rows: Iterable[SheetRow], header: Header, file: str
) -> Iterator[tuple[int, dict[str, Cell]]]:
    """The data rows under a header, as ``(row number, {column key: cell})``.

    Blank rows are passed over. The table ends at a line of dashes (``-----``) or at a
    line with a single non-empty cell that is not a date (the summary lines some apps
    write under the table). A data row too short to hold every column is an error.
    """
    needed = max(header.index.values()) + 1
    at = header.index.get(header.anchor, 0)
    for row in rows:
        cells = row.cells
        if len(cells) >= needed:  # the common case: a full row starting with its date
            when = cells[at]
            if isinstance(when, (datetime, date)) or (
                    isinstance(when, str) and _LOOKS_LIKE_DATE.match(when.strip())):
                yield row.number, {key: cells[i] for key, i in header.index.items()}
                continue
        filled = [cell for cell in cells if text_cell(cell)]
        if not filled:
            continue
        first = text_cell(filled[0])
        if first.startswith("---"):
            return
        if len(filled) == 1 and not isinstance(filled[0], (datetime, date)) \
                and not _LOOKS_LIKE_DATE.match(first):
            return
        if len(row.cells) < needed:
            raise InputError(
                "file",
                N_("{file}, row {row}: has {count} columns, but the header on row "
                   "{header_row} has {expected}; the file may be cut short or damaged"),
                file=file, row=row.number, count=len(row.cells), header_row=header.row,
                expected=needed,
            )
        yield row.number, {key: row.cells[i] for key, i in header.index.items()}


_AMOUNT: Final = re.compile(
    r"^(?P<sign>[+-]?)\s*(?:[¥￥]|RMB|CNY)?\s*(?P<sign2>[+-]?)"
    r"(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d{1,2}))?\s*元?$",
    re.IGNORECASE,
)


_PLAIN_AMOUNT: Final = re.compile(r"^\d+(?:\.\d{1,2})?$")


def amount_cell(
    value: Cell, *, file: str, row: int, column: str, signed: bool = False
) -> Decimal:
    """An amount cell as exact yuan: ``12.50``, ``¥12.50``, ``￥1,234.00``, ``12.5元``.

    An XLSX number cell is read through its shortest decimal form (``repr``), so a value
    typed as 12.50 is exactly 12.50 and anything with more than 2 places is refused.
    Negative amounts are refused unless ``signed``.
    """
    if isinstance(value, (bool, datetime, date)):
        raise _amount_error(value, file, row, column)
    try:
        result = _amount_value(value)
    except InputError:
        raise _amount_error(value, file, row, column) from None
    if abs(result) >= MAX_AMOUNT:
        raise InputError(
            "file",
            N_("{file}, row {row}, column {column}: '{value}' is too large: amounts must be "
               "below {limit}"),
            file=file, row=row, column=column, value=text_cell(value)[:30],
            limit=format_money(MAX_AMOUNT),
        )
    result = money(result)
    if result < 0 and not signed:
        raise InputError(
            "file",
            N_("{file}, row {row}, column {column}: the amount must not be negative "
               "(got '{value}')"),
            file=file, row=row, column=column, value=text_cell(value),
        )
    return result


def _amount_value(value: Cell) -> Decimal:
    """The number in an amount cell (InputError when there is none)."""
    if isinstance(value, int):
        return D(value)
    if isinstance(value, float):  # float-ok: an XLSX cell holds a double
        return money(repr(value))  # float-ok: an XLSX cell holds a double; repr is exact
    if _PLAIN_AMOUNT.match(text := text_cell(value)):
        return D(text)
    match = _AMOUNT.match(text)
    if not match or (match["sign"] and match["sign2"]):
        raise InputError("amount", N_("'{value}' is not a number"), value=text)
    digits = match["number"].replace(",", "")
    fraction = match["fraction"] or "0"
    return D(f"{match['sign'] or match['sign2']}{digits}.{fraction}")


def _amount_error(value: Cell, file: str, row: int, column: str) -> InputError:
    return InputError(
        "file",
        N_("{file}, row {row}, column {column}: '{value}' is not an amount "
           "(expected something like 12.50 or ¥12.50)"),
        file=file, row=row, column=column, value=text_cell(value),
    )


_TIME_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日",
)


def choice_cell(value: Cell, choices: Mapping[str, T], *, file: str, row: int,
                column: str, expected: str) -> T:
    """A cell that must hold one of the words in ``choices`` (e.g. 收/支), mapped;
    ``expected`` is how the error lists the usual words."""
    raw = text_cell(value)
    if raw not in choices:
        raise InputError(
            "file",
            N_("{file}, row {row}, column {column}: '{value}' is not one of {expected}"),
            file=file, row=row, column=column, value=raw, expected=expected,
        )
    return choices[raw]


def time_cell(value: Cell, *, file: str, row: int, column: str) -> datetime:
    """A date or date-and-time cell as a naive local :class:`datetime`."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = text_cell(value)
    if len(text) >= 10 and text[4] == "-":
        try:
            return datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            pass
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise InputError(
        "file",
        N_("{file}, row {row}, column {column}: '{value}' is not a date and time "
           "(expected something like 2025-01-31 12:30:00)"),
        file=file, row=row, column=column, value=text,
    )
