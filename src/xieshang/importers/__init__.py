"""Statement importers: turn an Alipay, WeChat Pay or plain CSV export into a budget.

:func:`read_statement` reads a file; :func:`parse_statement` does the same for bytes
already in memory (the parsing is pure and is what the tests exercise). Either returns an
:class:`ImportResult` — every row that counts, every row left out with its reason, and
the monthly averages by budget category and by debt — or raises
:class:`~xieshang.engine.errors.InputError` naming the file, the row and the column.
Nothing partial is ever returned: a file with one bad row gives an error, not a shorter
result.

Files are read locally; nothing is sent anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from xieshang.engine.errors import N_, InputError
from xieshang.importers.alipay import parse_alipay
from xieshang.importers.generic import DEFAULT_COLUMN_MAP, parse_column_map, parse_generic
from xieshang.importers.model import (
    Direction,
    ImportResult,
    SkippedRow,
    SkipReason,
    Transaction,
)
from xieshang.importers.wechat import is_xlsx, parse_wechat

__all__ = [
    "DEFAULT_COLUMN_MAP",
    "FORMATS",
    "Direction",
    "ImportResult",
    "SkipReason",
    "SkippedRow",
    "Transaction",
    "detect_format",
    "parse_column_map",
    "parse_statement",
    "read_statement",
]

#: Formats ``--format`` accepts.
FORMATS: Final = ("alipay", "wechat", "csv")

_SNIFF_BYTES: Final = 8192
#: A format is recognised when all the words of one of its marks are in the file's start.
_WECHAT_MARKS: Final = (("微信支付账单",), ("交易类型", "金额(元)", "收/支"))
_ALIPAY_MARKS: Final = (
    ("电子客户回单",), ("支付宝交易记录明细",), ("交易分类", "商品说明", "收/支"),
    ("交易创建时间", "商品名称", "收/支"),
)


def read_statement(
    path: Path | str, fmt: str | None = None, *, column_map: Mapping[str, str] | None = None
) -> ImportResult:
    """Read and summarise a statement file.

    Args:
        path: the exported file.
        fmt: ``alipay``, ``wechat`` or ``csv``; ``None`` detects it from the content.
        column_map: for ``csv``, field → header text (see :mod:`.generic`). Giving one
            without ``fmt`` means ``csv``.

    Raises:
        InputError: the file cannot be read, or is not a statement this can read; the
            message names the file and, for a bad row, the row and the column.
    """
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(
            "file", N_("{file}: cannot be read ({error})"),
            file=file, error=error.strerror or type(error).__name__,
        ) from None
    return parse_statement(data, fmt, file=file, column_map=column_map)


def parse_statement(
    data: bytes,
    fmt: str | None = None,
    *,
    file: str = "statement",
    column_map: Mapping[str, str] | None = None,
) -> ImportResult:
    """Summarise a statement given as bytes; ``file`` names it in messages."""
    if fmt is None:
        fmt = "csv" if column_map is not None else detect_format(data)
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise InputError(
            "format", N_("'{value}' is not a statement format; use {formats}"),
            value=fmt, formats=", ".join(FORMATS),
        )
    if fmt == "wechat":
        return parse_wechat(data, file)
    if is_xlsx(data):
        raise InputError(
            "file",
            N_("{file}: is an XLSX workbook; only WeChat Pay bills are read as XLSX "
               "(save other workbooks as CSV)"),
            file=file,
        )
    if fmt == "alipay":
        return parse_alipay(data, file)
    return parse_generic(data, file, column_map)


def detect_format(data: bytes) -> str:
    """``wechat`` for an XLSX workbook or a WeChat CSV, ``alipay`` for an Alipay CSV,
    otherwise ``csv``. Looks only at the first few kilobytes."""
    if is_xlsx(data):
        return "wechat"
    head = data[:_SNIFF_BYTES]
    for encoding in ("utf-8", "gb18030"):
        text = head.decode(encoding, errors="ignore")
        if any(all(word in text for word in mark) for mark in _WECHAT_MARKS):
            return "wechat"
        if any(all(word in text for word in mark) for mark in _ALIPAY_MARKS):
            return "alipay"
    return "csv"
