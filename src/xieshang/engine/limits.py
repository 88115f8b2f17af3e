"""The program's sanity limits: the bounds every value crosses at the boundary.

These are not rules of a law or a lender (those live in the preset files, with their
sources): they are the range inside which xieshang can compute safely and a typed value is
plausible. They are shared by the command line, the web pages and every import (case JSON,
statements), and they are documented in ``docs/cli.md`` ("Limits"). A value outside them is
refused with a message naming the field and the expected range; a stored value outside
them (written by an older version) marks that one debt as needing a fix instead of
breaking the case (:func:`xieshang.services.debts.debt_problems`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

__all__ = [
    "CSV_MAX_ROWS",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_AMOUNT",
    "MAX_EXPONENT",
    "MAX_ID",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_NOTES",
    "MAX_RATE",
    "MAX_TEXT",
    "RATE_UNITS",
    "XLSX_MAX_BYTES",
    "XLSX_MAX_CELLS",
    "XLSX_MAX_COLUMNS",
    "XLSX_MAX_ENTRIES",
    "XLSX_MAX_ROWS",
    "XLSX_MAX_SECONDS",
    "date_problem",
]

#: Amounts must be below one trillion yuan (¥1,000,000,000,000): far above any consumer
#: debt, and well inside the 34 digits every later calculation keeps.
MAX_AMOUNT: Final = Decimal("1000000000000")

#: A number's decimal exponent may be at most this far from zero (``1e30`` is refused
#: before any arithmetic, which would otherwise overflow the 34-digit context).
MAX_EXPONENT: Final = 20

#: The highest rate each unit accepts, as a fraction. One per cent a day (365 % a year)
#: is several times the highest penalty rate found in Chinese consumer credit (credit cards
#: and Huabei charge 0.05 % a day; the worst loan apps 0.1–0.5 % a day) and ten times the
#: 36 % a year beyond which no interest is protected, so every real contract fits, while a
#: unit typed wrongly (18 % entered as a daily rate, 0.05 entered as 5 %) does not.
#: A monthly rate (installment fees, about 0.6 % a month) may be up to 30 % a month; a fee
#: for a whole term up to 100 %.
MAX_RATE: Final = {
    "daily": Decimal("0.01"),
    "monthly": Decimal("0.30"),
    "annual": Decimal("3.65"),
    "total": Decimal("1"),
}

#: The unit of each rate field (the others are fractions of at most 100 %).
RATE_UNITS: Final = {
    "daily_rate": "daily", "penalty_rate": "daily", "penalty_daily_rate": "daily",
    "annual_rate": "annual", "contract_rate": "annual",
    "monthly_fee_rate": "monthly", "fee_rate": "total", "period_fee": "monthly",
}

#: Dates of debts, payments and the day a case is seen on lie in 2000–2100: Chinese
#: consumer credit as this program knows it (and its laws) starts after 2000, and a
#: calculation walking day by day from a debt's date stays short.
EARLIEST_DATE: Final = date(2000, 1, 1)
LATEST_DATE: Final = date(2100, 12, 31)

#: Record ids are whole ASCII numbers from 1 to 2⁵³ (what a JSON number and a browser keep
#: exactly; far below SQLite's 2⁶³).
MAX_ID: Final = 2**53

#: Texts: a name, a lender, a label at most 200 characters (checked where they are read);
#: notes and descriptions at most 10,000; any other text in an imported file at most 100,000.
MAX_NOTES: Final = 10_000
MAX_TEXT: Final = 100_000

#: A case export (JSON) may be at most 50 MB and nest at most 32 levels (a real export
#: nests 4).
MAX_JSON_BYTES: Final = 50 * 1024 * 1024
MAX_JSON_DEPTH: Final = 32

#: XLSX workbooks (WeChat Pay bills: a year is a few thousand rows of 11 columns) are read
#: streaming and refused past any of these: rows, columns, filled cells, the unpacked size
#: of the whole workbook (a zip bomb), the number of files in it, and the seconds spent.
XLSX_MAX_ROWS: Final = 100_000
XLSX_MAX_COLUMNS: Final = 100
XLSX_MAX_CELLS: Final = 1_000_000
XLSX_MAX_BYTES: Final = 100 * 1024 * 1024
XLSX_MAX_ENTRIES: Final = 1_000
XLSX_MAX_SECONDS: Final = 30
#: CSV statements (Alipay, bank exports) are refused past this many rows, as workbooks are:
#: a year is a few thousand; 120,000 rows took 10 CPU seconds to read.
CSV_MAX_ROWS: Final = 100_000


def date_problem(day: date) -> bool:
    """Whether a date is outside :data:`EARLIEST_DATE` … :data:`LATEST_DATE`."""
    return not EARLIEST_DATE <= day <= LATEST_DATE
