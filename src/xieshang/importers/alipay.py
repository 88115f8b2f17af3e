"""Alipay (支付宝) transaction exports: a GBK CSV with metadata lines around the table.

The app's export (账单 → 开具交易流水证明 / 下载账单, sent by e-mail as a zip) starts
with lines such as ``导出信息：``, ``姓名：…``, ``起始时间：[…]``, ``共N笔记录``, then a
line ``---…支付宝（中国）网络技术有限公司  电子客户回单---…``, then the header::

    交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,

Cells are padded with spaces and order numbers end with a tab. The older web export
(``支付宝交易记录明细查询``) has other columns (交易创建时间, 商品名称, 金额（元）,
成功退款（元）…) and closes the table with a dashed line and summary lines. Both are read:
the header row is found by its column names, in any order.
"""

from __future__ import annotations

from typing import Final

from xieshang.engine.money import ZERO
from xieshang.importers.model import (
    Direction,
    ImportResult,
    SourceRow,
    build_result,
    settle,
)
from xieshang.importers.tabular import (
    Column,
    amount_cell,
    choice_cell,
    clean_text,
    csv_rows,
    decode_text,
    locate_header,
    table_records,
    text_cell,
    time_cell,
)

__all__ = ["COLUMNS", "DIRECTIONS", "parse_alipay", "parse_alipay_text"]

#: Columns looked for; the first name of each is the current export's, others older ones.
COLUMNS: Final = (
    Column("time", ("交易时间", "交易创建时间", "付款时间")),
    Column("direction", ("收/支",)),
    Column("amount", ("金额", "金额（元）", "金额(元)")),
    Column("counterparty", ("交易对方",), required=False),
    Column("description", ("商品说明", "商品名称"), required=False),
    Column("category", ("交易分类",), required=False),
    Column("method", ("收/付款方式",), required=False),
    Column("status", ("交易状态",), required=False),
    Column("refunded", ("成功退款（元）", "成功退款(元)"), required=False),
)

#: 收/支 values. Older exports leave it empty (or write 其他) for neutral rows.
DIRECTIONS: Final = {
    "收入": Direction.INCOME,
    "支出": Direction.EXPENSE,
    "不计收支": Direction.NEUTRAL,
    "其他": Direction.NEUTRAL,
    "/": Direction.NEUTRAL,
    "": Direction.NEUTRAL,
}


def parse_alipay(data: bytes, file: str) -> ImportResult:
    """Read an Alipay CSV export (GBK or UTF-8 bytes).

    Raises:
        InputError: wrong encoding, no table, or a bad row (naming file, row, column).
    """
    return parse_alipay_text(decode_text(data, file), file)


def parse_alipay_text(text: str, file: str) -> ImportResult:
    """Read the decoded text of an Alipay CSV export."""
    rows = csv_rows(text, file)
    header = locate_header(rows, COLUMNS, file)
    names = header.names
    source: list[SourceRow] = []
    for number, cells in table_records(rows, header, file):
        direction = choice_cell(cells["direction"], DIRECTIONS, file=file, row=number,
                                column=names["direction"], expected="收入, 支出, 不计收支")
        when = time_cell(cells["time"], file=file, row=number, column=names["time"])
        amount = amount_cell(cells["amount"], file=file, row=number, column=names["amount"])
        refunded = ZERO
        if text_cell(cells.get("refunded")):
            refunded = amount_cell(cells["refunded"], file=file, row=number,
                                   column=names["refunded"])
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
            refunded=refunded if direction is Direction.EXPENSE else ZERO,
        ))
    return build_result("alipay", source, file, header.row)
