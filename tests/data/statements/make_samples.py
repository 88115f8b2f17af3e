# ruff: noqa: E501  (the sample tables keep one transaction per line, as in the files)
"""Build the sample statement files used by tests/test_importers.py (deterministically).

    .venv/bin/python tests/data/statements/make_samples.py        # rewrite every sample
    .venv/bin/python tests/data/statements/make_samples.py --check  # exit 1 if any differs

Every person, account and transaction here is made up (李明, ``lim***@example.com``,
``6222 **** **** 0000``); no real person's data is used. The layouts mirror the public
open-source importers cited in docs/imports.md (mayswind/ezbookkeeping,
deb-sig/double-entry-generator, jiegec/china_bean_importers); the metadata wording is
our own.

Files written next to this script:

* ``alipay_sample.csv`` — Alipay app export, GBK, metadata lines around the table;
* ``wechat_sample.xlsx`` — WeChat Pay bill, XLSX, 16 metadata rows then the table;
* ``generic_sample.csv`` — a bank-style CSV, UTF-8 with BOM, read with a column map;
* ``alipay_bad_amount.csv`` — row 24 has the amount ``1O0.00`` (letter O);
* ``alipay_utf16.csv`` — the Alipay sample saved as UTF-16 (not UTF-8 nor GBK);
* ``alipay_truncated_header.csv`` — the file stops in the middle of the header row.

:func:`large_alipay` writes an Alipay export of any length for speed and crash tests.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent

RULE = "-" * 84
ALIPAY_BANNER = "------------------------支付宝（中国）网络技术有限公司  电子客户回单------------------------"
ALIPAY_HEADER = (
    "交易时间", "交易分类", "交易对方", "对方账号", "商品说明", "收/支", "金额", "收/付款方式",
    "交易状态", "交易订单号", "商家订单号", "备注",
)
CARD = "招商银行储蓄卡(0000)"

# (交易时间, 交易分类, 交易对方, 对方账号, 商品说明, 收/支, 金额, 收/付款方式, 交易状态)
ALIPAY_ROWS: tuple[tuple[str, ...], ...] = (
    # January 2025
    ("2025-01-01 20:05:12", "住房物业", "王**", "wan***@example.com", "2025年1月房租", "支出", "2800.00", CARD, "交易成功"),
    ("2025-01-03 12:10:33", "餐饮美食", "美团外卖", "/", "美团订单-黄焖鸡米饭", "支出", "28.50", "花呗", "交易成功"),
    ("2025-01-05 08:42:10", "交通出行", "杭州地铁", "/", "地铁出行", "支出", "4.00", "余额", "交易成功"),
    ("2025-01-08 19:20:00", "充值缴费", "国网浙江省电力有限公司", "/", "电费-户号尾号0000", "支出", "156.30", "余额", "交易成功"),
    ("2025-01-09 10:00:00", "充值缴费", "中国移动", "/", "话费充值", "支出", "100.00", "余额", "交易成功"),
    ("2025-01-10 09:15:00", "转账红包", "杭州明远科技有限公司", "hr***@example.com", "1月工资", "收入", "8500.00", "余额", "交易成功"),
    ("2025-01-10 09:30:00", "信用借还", "花呗", "/", "花呗主动还款-2024年12月账单", "不计收支", "1200.00", CARD, "还款成功"),
    ("2025-01-12 14:22:05", "日用百货", "安居家居旗舰店", "/", "收纳箱 3个装", "支出", "59.90", "余额", "交易关闭"),
    ("2025-01-13 09:01:44", "退款", "安居家居旗舰店", "/", "退款-收纳箱 3个装", "不计收支", "59.90", "余额", "退款成功"),
    ("2025-01-15 10:00:00", "信用借还", "蚂蚁借呗", "/", "借呗还款", "不计收支", "1500.00", "余额", "还款成功"),
    ("2025-01-15 18:30:00", "餐饮美食", "张记面馆", "/", "收钱码收款", "支出", "22.00", "余额", "交易成功"),
    ("2025-01-20 16:45:00", "转账红包", "李**", "138******00", "给爸妈的生活费", "支出", "500.00", "余额", "交易成功"),
    ("2025-01-22 11:11:11", "投资理财", "余额宝", "/", "余额宝-自动转入", "不计收支", "300.00", "余额", "交易成功"),
    ("2025-01-25 10:00:00", "信用借还", "招商银行", "/", "信用卡还款", "不计收支", "2000.00", "余额", "还款成功"),
    ("2025-01-28 13:00:00", "医疗健康", "仁心大药房", "/", "感冒药", "支出", "36.80", "余额", "交易成功"),
    # February 2025
    ("2025-02-01 20:02:40", "住房物业", "王**", "wan***@example.com", "2025年2月房租", "支出", "2800.00", CARD, "交易成功"),
    ("2025-02-04 12:20:18", "餐饮美食", "美团外卖", "/", "美团订单-牛肉饭", "支出", "32.00", "花呗", "交易成功"),
    ("2025-02-06 22:10:05", "交通出行", "滴滴出行", "/", "打车-快车", "支出", "23.60", "余额", "交易成功"),
    ("2025-02-10 09:15:00", "转账红包", "杭州明远科技有限公司", "hr***@example.com", "2月工资", "收入", "8500.00", "余额", "交易成功"),
    ("2025-02-10 09:31:00", "信用借还", "花呗", "/", "花呗主动还款-2025年1月账单", "不计收支", "980.00", CARD, "还款成功"),
    ("2025-02-14 15:40:00", "服饰装扮", "暖冬服饰专营店", "/", "羽绒服", "支出", "399.00", "花呗", "交易成功"),
    ("2025-02-15 10:00:00", "信用借还", "蚂蚁借呗", "/", "借呗还款", "不计收支", "1500.00", "余额", "还款成功"),
    ("2025-02-16 19:00:00", "转账红包", "陈**", "159******11", "转账", "收入", "300.00", "余额", "交易成功"),
    ("2025-02-18 10:12:00", "退款", "暖冬服饰专营店", "/", "退款-羽绒服", "不计收支", "100.00", "花呗", "退款成功"),
    ("2025-02-19 18:05:00", "日用百货", "邻家超市", "/", "日用品", "支出", "25.00", "余额", "交易关闭"),
    ("2025-02-20 21:00:00", "转账红包", "赵**", "186******22", "转账", "支出", "200.00", "余额", "交易成功"),
    ("2025-02-22 09:00:00", "其他", "李明", "/", "提现-实时提现", "不计收支", "500.00", CARD, "交易成功"),
    # March 2025
    ("2025-03-01 20:01:15", "住房物业", "王**", "wan***@example.com", "2025年3月房租", "支出", "2800.00", CARD, "交易成功"),
    ("2025-03-03 12:05:00", "餐饮美食", "美团外卖", "/", "美团订单-盖浇饭", "支出", "45.20", "花呗", "交易成功"),
    ("2025-03-07 08:40:00", "交通出行", "杭州地铁", "/", "地铁出行", "支出", "4.00", "余额", "交易成功"),
    ("2025-03-08 17:30:00", "爱车养车", "中国石化", "/", "加油-92号汽油", "支出", "200.00", CARD, "交易成功"),
    ("2025-03-09 20:00:00", "充值缴费", "杭州市燃气集团", "/", "燃气费", "支出", "88.00", "余额", "交易成功"),
    ("2025-03-10 09:15:00", "转账红包", "杭州明远科技有限公司", "hr***@example.com", "3月工资", "收入", "8500.00", "余额", "交易成功"),
    ("2025-03-10 09:32:00", "信用借还", "花呗", "/", "花呗主动还款-2025年2月账单", "不计收支", "1050.50", CARD, "还款成功"),
    ("2025-03-15 10:00:00", "信用借还", "蚂蚁借呗", "/", "借呗还款", "不计收支", "1500.00", "余额", "还款成功"),
    ("2025-03-18 20:30:00", "教育培训", "启明在线教育", "/", "英语课程", "支出", "299.00", "余额", "交易成功"),
    ("2025-03-25 10:00:00", "信用借还", "招商银行", "/", "信用卡还款", "不计收支", "1800.00", "余额", "还款成功"),
)

#: The row (in alipay_bad_amount.csv) whose amount is broken, and how.
BAD_AMOUNT_ROW = 24
BAD_AMOUNT = "1O0.00"


@lru_cache(maxsize=65536)
def _pad(text: str, width: int = 20) -> str:
    """Pad like the real export (cells are space-padded to a display width)."""
    shown = len(text) if text.isascii() else sum(2 if ord(c) > 0x2E7F else 1 for c in text)
    return text + " " * max(1, width - shown)


def _order_number(index: int, when: str) -> str:
    digits = re.sub(r"\D", "", when)
    return f"{digits[:8]}2200{index:04d}{digits[8:]}00\t"


def _loose_amount(text: str) -> Decimal:
    """An amount for the summary lines; broken amounts (made on purpose) count as 0."""
    cleaned = text.strip().lstrip("¥￥").replace(",", "")
    return Decimal(cleaned) if re.fullmatch(r"-?\d+(\.\d+)?", cleaned) else Decimal("0.00")


def _alipay_lines(rows: Sequence[tuple[str, ...]], exported: str) -> tuple[list[str], list[str]]:
    """The metadata lines before the table and the lines after it."""
    counts: dict[str, tuple[int, Decimal]] = {}
    for row in rows:
        number, total = counts.get(row[5], (0, Decimal("0.00")))
        counts[row[5]] = (number + 1, total + _loose_amount(row[6]))

    def line(kind: str) -> str:
        number, total = counts.get(kind, (0, Decimal("0.00")))
        return f"{kind}：{number}笔 {total}元"

    first = min(row[0] for row in rows)[:10]
    last = max(row[0] for row in rows)[:10]
    before = [
        RULE,
        "导出信息：",
        "姓名：李明",
        "支付宝账户：lim***@example.com",
        f"起始时间：[{first} 00:00:00]    终止时间：[{last} 23:59:59]",
        "导出交易类型：[全部]",
        f"导出时间：[{exported}]",
        f"共{len(rows)}笔记录",
        line("收入"),
        line("支出"),
        line("不计收支"),
        "",
        "特别提示：",
        "1.本文件是 xieshang 为测试生成的示例，人物、账户与交易均为虚构；",
        "2.充值、提现、转存、还款等交易不计为收入或支出，记为不计收支；",
        "3.本明细仅供个人对账使用。",
        "",
        ALIPAY_BANNER,
    ]
    after = [RULE, "以上为全部交易记录。"]
    return before, after


def alipay_text(rows: Sequence[tuple[str, ...]], exported: str = "2025-04-02 09:30:15") -> str:
    """An Alipay export as text: metadata, padded table newest first, closing lines."""
    before, after = _alipay_lines(rows, exported)
    out = io.StringIO()
    out.write("\n".join(before) + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_pad(name) for name in ALIPAY_HEADER] + [""])
    ordered = sorted(enumerate(rows), key=lambda item: item[1][0], reverse=True)
    for index, row in ordered:
        cells = [_pad(cell) for cell in row]
        cells += [_order_number(index, row[0]), "\t", _pad(""), ""]
        writer.writerow(cells)
    out.write("\n".join(after) + "\n")
    return out.getvalue()


def alipay_table_rows(text: str) -> dict[str, int]:
    """商品说明 → the row number it has in ``text`` (for tests that name rows)."""
    numbers: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        cells = line.split(",")
        if len(cells) > 5 and cells[0].strip()[:2] == "20":
            numbers.setdefault(cells[4].strip(), number)
    return numbers


# ------------------------------------------------------------------------------ WeChat

WECHAT_HEADER = (
    "交易时间", "交易类型", "交易对方", "商品", "收/支", "金额(元)", "支付方式", "当前状态",
    "交易单号", "商户单号", "备注",
)
WECHAT_CARD = "招商银行(0000)"

# (交易时间, 交易类型, 交易对方, 商品, 收/支, 金额(元), 支付方式, 当前状态)
WECHAT_ROWS: tuple[tuple[str, ...], ...] = (
    # January 2025
    ("2025-01-03 12:30:00", "商户消费", "沙县小吃(文三路店)", "午餐", "支出", "¥18.00", "零钱", "支付成功"),
    ("2025-01-05 08:10:00", "扫二维码付款", "早餐店", "收款方备注:二维码收款", "支出", "¥6.50", "零钱", "已转账"),
    ("2025-01-08 21:40:00", "商户消费", "滴滴出行", "快车", "支出", "¥31.20", WECHAT_CARD, "支付成功"),
    ("2025-01-12 19:00:00", "微信红包", "王**", "/", "收入", "¥66.00", "/", "已存入零钱"),
    ("2025-01-15 09:00:00", "信用卡还款", "招商银行信用卡还款", "/", "/", "¥500.00", "零钱", "支付成功"),
    ("2025-01-18 10:00:00", "商户消费", "深圳前海微众银行", "微粒贷还款", "支出", "¥800.00", "零钱", "支付成功"),
    ("2025-01-20 11:00:00", "零钱提现", WECHAT_CARD, "/", "/", "¥200.00", WECHAT_CARD, "提现已到账"),
    # February 2025
    ("2025-02-02 08:55:00", "商户消费", "瑞幸咖啡", "生椰拿铁", "支出", "¥15.90", "零钱", "支付成功"),
    ("2025-02-05 18:20:00", "商户消费", "鲜果时光水果店", "水果", "支出", "¥42.00", "零钱", "已全额退款"),
    ("2025-02-05 18:45:00", "商户消费-退款", "鲜果时光水果店", "/", "收入", "¥42.00", "零钱", "已全额退款"),
    ("2025-02-09 14:00:00", "转账", "房东王**", "转账备注:2月房租", "支出", "¥1,200.00", WECHAT_CARD, "对方已收钱"),
    ("2025-02-11 20:00:00", "转账", "赵**", "/", "支出", "¥88.00", "零钱", "对方已退还"),
    ("2025-02-14 12:00:00", "商户消费", "京东", "京东白条还款", "支出", "¥300.00", "零钱", "支付成功"),
    # March 2025
    ("2025-03-02 13:15:00", "商户消费", "盒马鲜生", "生鲜", "支出", "¥120.00", WECHAT_CARD, "已退款(￥20.00)"),
    ("2025-03-03 09:00:00", "商户消费-退款", "盒马鲜生", "/", "收入", "¥20.00", WECHAT_CARD, "已退款"),
    ("2025-03-06 18:30:00", "二维码收款", "顾客**", "收款方备注:二维码收款", "收入", "¥150.00", "/", "已收钱"),
    ("2025-03-09 14:00:00", "转账", "房东王**", "转账备注:3月房租", "支出", "¥1,200.00", WECHAT_CARD, "对方已收钱"),
    ("2025-03-20 19:30:00", "商户消费", "万达影城", "电影票", "支出", "¥45.00", "零钱", "支付成功"),
)


def wechat_metadata(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """The 16 lines above the WeChat table."""
    def count(kind: str) -> str:
        chosen = [r for r in rows if r[4] == kind]
        total = sum((Decimal(r[5].strip("¥").replace(",", "")) for r in chosen), Decimal("0.00"))
        label = {"收入": "收入", "支出": "支出", "/": "中性交易"}[kind]
        return f"{label}：{len(chosen)}笔 {total:.2f}元"

    return [
        "微信支付账单明细",
        "微信昵称：[李明]",
        "起始时间：[2025-01-01 00:00:00] 终止时间：[2025-03-31 23:59:59]",
        "导出类型：[全部]",
        "导出时间：[2025-04-02 10:00:00]",
        "",
        f"共{len(rows)}笔记录",
        count("收入"),
        count("支出"),
        count("/"),
        "注：",
        "1. 充值/提现/理财通/零钱通/信用卡还款等计入中性交易",
        "2. 本文件是 xieshang 生成的示例，人物与交易均为虚构",
        "3. 本明细仅供个人对账使用",
        "",
        "----------------------微信支付账单明细列表--------------------",
    ]


def wechat_xlsx(rows: Sequence[tuple[str, ...]]) -> bytes:
    """A WeChat Pay bill as XLSX bytes, newest first, with fixed timestamps."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for line in wechat_metadata(rows):
        sheet.append([line or None])
    sheet.append(list(WECHAT_HEADER))
    ordered = sorted(enumerate(rows), key=lambda item: item[1][0], reverse=True)
    for index, row in ordered:
        serial = f"4200{index:04d}{re.sub(r'[^0-9]', '', row[0])}"
        sheet.append([*row, serial, "/", "/"])
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times and a fixed document date (reproducible)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-04-02T10:00:00Z", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 4, 2, 10, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, body)
    return out.getvalue()


# ----------------------------------------------------------------------------- generic

GENERIC_HEADER = ("日期", "摘要", "对方", "金额", "类型")

# (日期, 摘要, 对方, 金额, 类型)
GENERIC_ROWS: tuple[tuple[str, ...], ...] = (
    ("2025-01-05", "代发工资", "杭州明远科技有限公司", "7800.00", "收入"),
    ("2025-01-06", "房租", "王**", "2500.00", "支出"),
    ("2025-01-12", "电费", "国网浙江省电力有限公司", "120.50", "支出"),
    ("2025-01-20", "超市购物", "邻家超市", "235.40", "支出"),
    ("2025-01-28", "转入理财", "本人理财账户", "1000.00", "不计收支"),
    ("2025-02-05", "代发工资", "杭州明远科技有限公司", "7800.00", "收入"),
    ("2025-02-06", "房租", "王**", "2500.00", "支出"),
    ("2025-02-10", "信用卡还款", "招商银行信用卡中心", "1000.00", "支出"),
    ("2025-02-15", "水费", "杭州水务集团", "45.00", "支出"),
    ("2025-02-21", "超市购物", "邻家超市", "198.60", "支出"),
    ("2025-02-23", "退款-超市购物", "邻家超市", "38.60", "收入"),
    ("2025-03-05", "代发工资", "杭州明远科技有限公司", "7800.00", "收入"),
    ("2025-03-06", "房租", "王**", "2500.00", "支出"),
    ("2025-03-08", "支付宝-花呗还款", "支付宝（中国）网络技术有限公司", "600.00", "支出"),
    ("2025-03-26", "超市购物", "邻家超市", "150.00", "支出"),
)


def generic_text(rows: Sequence[tuple[str, ...]]) -> str:
    """A bank-style CSV: two preamble lines, then the table."""
    out = io.StringIO()
    out.write("某某银行个人账户交易明细（示例，虚构数据）\n")
    out.write("户名：李明,账号：6222 **** **** 0000\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GENERIC_HEADER)
    writer.writerows(rows)
    return out.getvalue()


# ------------------------------------------------------------------------------- large

_LARGE_PATTERN: tuple[tuple[str, ...], ...] = (
    ("餐饮美食", "美团外卖", "/", "美团订单-午餐", "支出", "{a}", "花呗", "交易成功"),
    ("交通出行", "杭州地铁", "/", "地铁出行", "支出", "4.00", "余额", "交易成功"),
    ("日用百货", "邻家超市", "/", "日用品", "支出", "{a}", "余额", "交易成功"),
    ("转账红包", "杭州明远科技有限公司", "hr***@example.com", "工资", "收入", "8500.00", "余额", "交易成功"),
    ("信用借还", "花呗", "/", "花呗主动还款", "不计收支", "{a}", CARD, "还款成功"),
    ("投资理财", "余额宝", "/", "余额宝-自动转入", "不计收支", "{a}", "余额", "交易成功"),
)


def large_alipay_rows(rows: int) -> Iterable[tuple[str, ...]]:
    """``rows`` Alipay rows, one every 10 minutes from 2024-01-01, all of which count."""
    start = datetime(2024, 1, 1)
    step = timedelta(minutes=10)
    for index in range(rows):
        pattern = _LARGE_PATTERN[index % len(_LARGE_PATTERN)]
        when = (start + step * (index + 1)).strftime("%Y-%m-%d %H:%M:%S")
        amount = f"{10 + index % 90}.{index % 100:02d}"
        yield (when, *(cell.replace("{a}", amount) for cell in pattern))


def large_alipay(path: Path | str, rows: int) -> Path:
    """Write an Alipay export (GBK) with ``rows`` transactions to ``path``.

    Every row counts (no closed trades, no refunds), so a complete import holds exactly
    ``rows`` transactions. Deterministic: the same ``rows`` gives the same bytes.
    """
    target = Path(path)
    data = list(large_alipay_rows(rows))
    target.write_bytes(alipay_text(data).encode("gbk"))
    return target


# -------------------------------------------------------------------------------- main


def build() -> dict[str, bytes]:
    """Every sample file name → its bytes."""
    alipay = alipay_text(ALIPAY_ROWS)
    lines = alipay.split("\n")
    bad_line = lines[BAD_AMOUNT_ROW - 1]
    assert ",支出" in bad_line or ",收入" in bad_line or ",不计收支" in bad_line, bad_line
    cells = next(csv.reader([bad_line]))
    cells[6] = _pad(BAD_AMOUNT)
    bad = io.StringIO()
    csv.writer(bad, lineterminator="").writerow(cells)
    lines[BAD_AMOUNT_ROW - 1] = bad.getvalue()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("交易时间"))
    truncated = "\n".join(lines[:header_at]) + "\n" + lines[header_at][:60]
    return {
        "alipay_sample.csv": alipay.encode("gbk"),
        "wechat_sample.xlsx": wechat_xlsx(WECHAT_ROWS),
        "generic_sample.csv": generic_text(GENERIC_ROWS).encode("utf-8-sig"),
        "alipay_bad_amount.csv": "\n".join(lines).encode("gbk"),
        "alipay_utf16.csv": alipay.encode("utf-16"),
        "alipay_truncated_header.csv": truncated.encode("gbk"),
    }


def main(argv: Sequence[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, data in build().items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
    for name in stale:
        print(f"out of date: {name} (run tests/data/statements/make_samples.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
