"""WeChat Pay (微信支付) bill exports: XLSX (current) or CSV (older), same layout.

About 16 metadata lines (``微信支付账单明细``, ``微信昵称：[…]``, ``起始时间：[…]``,
``共N笔记录``, ``收入：N笔 X元``, ``中性交易：…``, notes, a line
``----------------------微信支付账单明细列表--------------------``), then the header::

    交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注

Amounts are text like ``¥12.50``; 收/支 is 收入, 支出 or ``/`` (neutral: top-ups,
withdrawals, 理财通, 零钱通, credit-card repayments). WeChat has no spending category:
交易类型 says how the money moved (商户消费, 扫二维码付款, 转账, 微信红包…), so rows
are categorised by keywords in 交易对方 and 商品.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Final

from xieshang.engine.errors import N_, InputError
from xieshang.engine.limits import (
    XLSX_MAX_BYTES,
    XLSX_MAX_CELLS,
    XLSX_MAX_COLUMNS,
    XLSX_MAX_ENTRIES,
    XLSX_MAX_ROWS,
    XLSX_MAX_SECONDS,
)
from xieshang.engine.money import ZERO, money
from xieshang.importers.model import (
    Direction,
    ImportResult,
    Settlement,
    SourceRow,
    build_result,
)
from xieshang.importers.tabular import (
    Column,
    SheetRow,
    amount_cell,
    choice_cell,
    clean_text,
    csv_rows,
    decode_text,
    locate_header,
    table_records,
    time_cell,
)

__all__ = ["COLUMNS", "DIRECTIONS", "is_xlsx", "parse_wechat", "settle_wechat", "xlsx_rows"]

COLUMNS: Final = (
    Column("time", ("交易时间",)),
    Column("direction", ("收/支",)),
    Column("amount", ("金额(元)", "金额（元）", "金额")),
    Column("category", ("交易类型",), required=False),
    Column("counterparty", ("交易对方",), required=False),
    Column("description", ("商品", "商品说明"), required=False),
    Column("method", ("支付方式",), required=False),
    Column("status", ("当前状态", "交易状态"), required=False),
)

DIRECTIONS: Final = {
    "收入": Direction.INCOME,
    "支出": Direction.EXPENSE,
    "/": Direction.NEUTRAL,
    "": Direction.NEUTRAL,
    "中性交易": Direction.NEUTRAL,
    "不计收支": Direction.NEUTRAL,
}

_PARTIAL: Final = re.compile(r"已退款\s*[（(]?\s*[¥￥]?\s*(\d[\d,]*(?:\.\d{1,2})?)")
_FAILED_WORDS: Final = ("失败", "已退还", "已退回", "已撤销", "已取消")


def is_xlsx(data: bytes) -> bool:
    """Whether the bytes are an XLSX (zip) workbook."""
    return data[:4] == b"PK\x03\x04"


def settle_wechat(direction: Direction, status: str, kind: str) -> tuple[Settlement, Decimal]:
    """What 当前状态 means for the money, and any amount already refunded on a purchase.

    ``已全额退款`` on a purchase: refunded in full; ``已退款(￥5.00)``: 5.00 came back.
    An incoming row whose 交易类型 or status says 退款 is the refund itself.
    ``对方已退还`` (a transfer sent back) and failures moved no money.
    """
    if any(word in status for word in _FAILED_WORDS):
        return Settlement.FAILED, ZERO
    if "关闭" in status:
        return Settlement.CLOSED, ZERO
    if direction is Direction.EXPENSE:
        if "全额退款" in status:
            return Settlement.REFUNDED, ZERO
        if "退款" in status:
            match = _PARTIAL.search(status)
            if match is None:
                return Settlement.REFUNDED, ZERO
            return Settlement.DONE, money(match[1].replace(",", ""))
        return Settlement.DONE, ZERO
    if "退款" in kind or "退款" in status:
        return Settlement.REFUND, ZERO
    return Settlement.DONE, ZERO


def xlsx_rows(data: bytes, file: str) -> list[SheetRow]:
    """The rows of the first sheet of an XLSX workbook, numbered as Excel shows them.

    The workbook is read streaming (openpyxl's read-only mode, the sheet's claimed
    dimensions ignored) and refused, with a message saying which limit, past any of the caps
    in :mod:`xieshang.engine.limits`: its unpacked size and number of files (checked before
    anything is unpacked), rows, columns, filled cells, and seconds spent.
    """
    import time
    import zipfile

    from openpyxl import load_workbook  # imported here: only XLSX imports need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as error:
        # NotImplementedError: a zip "version" or compression no reader has (a spoilt header)
        raise _unreadable(file, error) from None
    if len(entries) > XLSX_MAX_ENTRIES:
        raise _too_big(file, N_("{file}: the workbook holds more than {limit} files; a "
                                "statement has about ten"), limit=XLSX_MAX_ENTRIES)
    if sum(entry.file_size for entry in entries) > XLSX_MAX_BYTES:
        raise _too_big(file, N_("{file}: the workbook unpacks to more than {limit} MB; a "
                                "statement is far smaller"), limit=XLSX_MAX_BYTES // 2**20)
    started = time.monotonic()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors for bad files
        raise _unreadable(file, error) from None
    try:
        if not workbook.worksheets:
            raise InputError("file", N_("{file}: the workbook has no sheet"), file=file)
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # the claimed size (A1:XFD1048576) is not trusted
        rows: list[SheetRow] = []
        cells = 0
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > XLSX_MAX_ROWS:
                    raise _too_big(file, N_("{file}: the sheet has more than {limit} rows"),
                                   limit=XLSX_MAX_ROWS)
                while values and values[-1] is None:
                    values = values[:-1]
                if len(values) > XLSX_MAX_COLUMNS:
                    raise _too_big(file, N_("{file}: row {row} has more than {limit} columns"),
                                   row=number, limit=XLSX_MAX_COLUMNS)
                cells += sum(value is not None for value in values)
                if cells > XLSX_MAX_CELLS:
                    raise _too_big(file, N_("{file}: the sheet has more than {limit} filled "
                                            "cells"), limit=XLSX_MAX_CELLS)
                if number % 1000 == 0 and time.monotonic() - started > XLSX_MAX_SECONDS:
                    raise _too_big(file, N_("{file}: reading the workbook took more than "
                                            "{limit} seconds; save it as CSV and import that"),
                                   limit=XLSX_MAX_SECONDS)
                rows.append(SheetRow(number, tuple(values)))
        except InputError:
            raise
        except Exception as error:  # a sheet that is not the XML it claims
            raise _unreadable(file, error) from None
        width = max((len(row.cells) for row in rows), default=0)
        # every row as wide as the widest, as Excel shows the sheet
        return [SheetRow(row.number, row.cells + (None,) * (width - len(row.cells)))
                for row in rows]
    finally:
        workbook.close()


def _unreadable(file: str, error: Exception) -> InputError:
    return InputError(
        "file", N_("{file}: is not an XLSX workbook that can be read ({error})"),
        file=file, error=(str(error) or type(error).__name__)[:200],
    )


def _too_big(file: str, message: str, **params: object) -> InputError:
    return InputError("file", message, file=file, **params)


def parse_wechat(data: bytes, file: str) -> ImportResult:
    """Read a WeChat Pay bill export, XLSX or CSV (detected from the bytes).

    Raises:
        InputError: an unreadable file, no table, or a bad row (naming file, row, column).
    """
    rows: Iterator[SheetRow] = (
        iter(xlsx_rows(data, file)) if is_xlsx(data) else csv_rows(decode_text(data, file), file)
    )
    header = locate_header(rows, COLUMNS, file)
    names = header.names
    source: list[SourceRow] = []
    for number, cells in table_records(rows, header, file):
        direction = choice_cell(cells["direction"], DIRECTIONS, file=file, row=number,
                                column=names["direction"], expected="收入, 支出, /")
        when = time_cell(cells["time"], file=file, row=number, column=names["time"])
        amount = amount_cell(cells["amount"], file=file, row=number, column=names["amount"])
        kind = clean_text(cells.get("category"))
        status = clean_text(cells.get("status"))
        settlement, refunded = settle_wechat(direction, status, kind)
        source.append(SourceRow(
            row=number,
            when=when,
            direction=direction,
            amount=amount,
            counterparty=clean_text(cells.get("counterparty")),
            description=clean_text(cells.get("description")),
            source_category=kind,
            method=clean_text(cells.get("method")),
            status=status,
            settlement=settlement,
            refunded=refunded,
        ))
    return build_result("wechat", source, file, header.row)
