"""Statement importers: Alipay CSV (GBK), WeChat Pay XLSX/CSV, generic CSV with a column map.

The sample files under tests/data/statements/ are made by make_samples.py (fictional
person 李明; no real data). Their layouts mirror the public importers cited in
docs/imports.md. Every expected total below is worked out by hand from the rows listed in
make_samples.py, with the arithmetic in the comment next to it.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import tomllib
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.errors import InputError
from xieshang.engine.money import Rounding, round_money
from xieshang.importers import (
    Direction,
    SkipReason,
    detect_format,
    parse_column_map,
    parse_statement,
    read_statement,
)
from xieshang.importers.categories import (
    INCOME_CATEGORIES,
    SOURCE_CATEGORIES,
    SPENDING_CATEGORIES,
    SPENDING_KEYWORDS,
    categorise_income,
    categorise_spending,
    detect_debt_repayment,
)
from xieshang.importers.tabular import amount_cell

DATA = Path(__file__).parent / "data" / "statements"


def _load_samples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", DATA / "make_samples.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_samples", module)
    spec.loader.exec_module(module)
    return module


samples = _load_samples()
D = Decimal


def _error(
    path: Path | bytes, fmt: str | None = None, column_map: dict[str, str] | None = None
) -> InputError:
    """The InputError reading a file (or bytes, named ``t.csv``) raises."""
    if isinstance(path, Path):
        with pytest.raises(InputError) as caught:
            read_statement(path, fmt, column_map=column_map)
    else:
        with pytest.raises(InputError) as caught:
            parse_statement(path, fmt, file="t.csv", column_map=column_map)
    return caught.value


# ------------------------------------------------------------------------ sample files


def test_sample_files_are_what_the_generator_makes() -> None:
    for name, data in samples.build().items():
        assert (DATA / name).read_bytes() == data, f"{name}: run make_samples.py"


def test_samples_are_fictional() -> None:
    text = (DATA / "alipay_sample.csv").read_bytes().decode("gbk")
    assert "姓名：李明" in text
    assert "lim***@example.com" in text
    assert "均为虚构" in text


# ---------------------------------------------------------------------------- Alipay


@pytest.fixture(scope="module")
def alipay_rows() -> dict[str, int]:
    return samples.alipay_table_rows(samples.alipay_text(samples.ALIPAY_ROWS))


def test_alipay_sample_totals() -> None:
    result = read_statement(DATA / "alipay_sample.csv")
    assert result.format == "alipay"
    assert result.months == 3
    assert (result.first_day, result.last_day) == (date(2025, 1, 1), date(2025, 3, 25))
    assert len(result.rows) == 34  # 37 rows, 3 left out
    assert len(result.skipped) == 3
    assert result.monthly_income == {
        "wages": D("8500.00"),  # 3 × 8500 ÷ 3
        "other_income": D("100.00"),  # 300 ÷ 3
    }
    assert result.monthly_spending == {
        "rent": D("2800.00"),  # 3 × 2800 ÷ 3
        "utilities": D("81.43"),  # (156.30 + 88.00) ÷ 3 = 81.433…
        "transport": D("77.20"),  # (4.00 + 23.60 + 4.00 + 200.00) ÷ 3
        "school": D("99.67"),  # 299.00 ÷ 3 = 99.666…
        "medical": D("12.27"),  # 36.80 ÷ 3 = 12.266…
        "support_parents": D("166.67"),  # 500 ÷ 3
        "food": D("42.57"),  # (28.50 + 22.00 + 32.00 + 45.20) ÷ 3 = 127.70 ÷ 3 = 42.566…
        "clothing": D("99.67"),  # (399.00 − 100.00 refunded) ÷ 3 = 99.666…
        "communications": D("33.33"),  # 100 ÷ 3
        "other_flexible": D("66.67"),  # 200 transfer ÷ 3
    }
    assert result.debt_payment_totals == {
        "credit_card_cn": D("3800.00"),  # 2000 + 1800
        "huabei": D("3230.50"),  # 1200 + 980 + 1050.50
        "jiebei": D("4500.00"),  # 3 × 1500
    }
    assert result.debt_payments == {
        "credit_card_cn": D("1266.67"),  # 3800 ÷ 3 = 1266.666…
        "huabei": D("1076.83"),  # 3230.50 ÷ 3 = 1076.833…
        "jiebei": D("1500.00"),
    }
    assert result.monthly_income_total == D("8600.00")
    assert result.monthly_spending_total == D("3479.48")
    assert result.monthly_debt_payments_total == D("3843.50")


def test_alipay_closed_trades_and_refunds(alipay_rows: dict[str, int]) -> None:
    result = read_statement(DATA / "alipay_sample.csv")
    skipped = {s.row: s for s in result.skipped}
    closed_box = alipay_rows["收纳箱 3个装"]
    refund_box = alipay_rows["退款-收纳箱 3个装"]
    unpaid = alipay_rows["日用品"]
    assert skipped[closed_box].reason is SkipReason.CLOSED
    assert skipped[refund_box].reason is SkipReason.REFUND_PAIRED
    assert skipped[refund_box].paired_row == closed_box
    assert skipped[unpaid].reason is SkipReason.CLOSED
    assert skipped[unpaid].status == "交易关闭"
    # The partial refund of the down jacket is counted against clothing.
    refund = next(t for t in result.rows if t.description == "退款-羽绒服")
    assert (refund.direction, refund.amount, refund.category) == (
        Direction.REFUND, D("100.00"), "clothing")
    message = SkipReason.REFUND_PAIRED.message.format(**skipped[refund_box].message_params())
    assert message == f"refund for row {closed_box}, which is left out too"


def test_alipay_debt_repayments_are_not_spending() -> None:
    result = read_statement(DATA / "alipay_sample.csv")
    debts = [(t.description, t.debt_repayment) for t in result.rows
             if t.direction is Direction.DEBT_PAYMENT]
    assert ("花呗主动还款-2024年12月账单", "huabei") in debts
    assert ("借呗还款", "jiebei") in debts
    assert ("信用卡还款", "credit_card_cn") in debts
    assert len(debts) == 8
    assert all(t.category == "" for t in result.rows if t.direction is Direction.DEBT_PAYMENT)
    # A purchase paid *with* Huabei is spending.
    meal = next(t for t in result.rows if t.description == "美团订单-黄焖鸡米饭")
    assert (meal.method, meal.direction, meal.debt_repayment) == ("花呗", Direction.EXPENSE, None)


def test_alipay_rows_keep_file_order_and_fields() -> None:
    result = read_statement(DATA / "alipay_sample.csv")
    assert [t.row for t in result.rows] == sorted(t.row for t in result.rows)
    newest = result.rows[0]
    assert newest.row == 20  # 18 metadata lines, the header on 19, newest row first
    assert newest.when == datetime(2025, 3, 25, 10, 0)
    assert newest.source_category == "信用借还"
    assert newest.status == "还款成功"
    neutral = [t for t in result.rows if t.direction is Direction.NEUTRAL]
    assert {t.description for t in neutral} == {"余额宝-自动转入", "提现-实时提现"}
    # The directions stay plain strings for the fronts.
    assert newest.direction == "debt_payment"


def test_alipay_bad_amount_names_file_row_and_column() -> None:
    path = DATA / "alipay_bad_amount.csv"
    error = _error(path)
    assert error.field == "file"
    assert error.params["row"] == samples.BAD_AMOUNT_ROW == 24
    assert error.params["column"] == "金额"
    assert error.params["value"] == "1O0.00"
    assert str(error) == (
        f"{path}, row 24, column 金额: '1O0.00' is not an amount "
        "(expected something like 12.50 or ¥12.50)")


def test_wrong_encoding_names_the_encodings_tried() -> None:
    path = DATA / "alipay_utf16.csv"
    error = _error(path)
    assert error.field == "file"
    assert error.params["file"] == str(path)
    assert "UTF-8" in str(error)
    assert "GBK" in str(error)
    assert str(path) in str(error)
    assert "alipay_utf16.csv" in str(_error(path, "alipay"))
    assert "alipay_utf16.csv" in str(_error(path, "csv", column_map={"date": "日期",
                                                                    "amount": "金额"}))


def test_truncated_header_names_the_missing_columns() -> None:
    path = DATA / "alipay_truncated_header.csv"
    error = _error(path, "alipay")
    assert error.params["row"] == 19
    assert error.params["missing"] == "收/支, 金额"
    assert str(error) == f"{path}, row 19: the table header lacks the column(s) 收/支, 金额"


def _alipay_bytes(*rows: tuple[str, ...], encoding: str = "gbk") -> bytes:
    return samples.alipay_text(rows).encode(encoding)


ROW = ("2025-05-01 12:00:00", "餐饮美食", "面馆", "/", "午餐", "支出", "20.00", "余额", "交易成功")


def test_alipay_amount_forms() -> None:
    rows = [(*ROW[:6], amount, *ROW[7:]) for amount in ("￥12.50", "￥1,234.00", "7.5", "8")]
    result = parse_statement(_alipay_bytes(*rows), "alipay")
    assert sorted(t.amount for t in result.rows) == [D("7.50"), D("8.00"), D("12.50"),
                                                     D("1234.00")]
    # GBK has no ¥ (U+00A5), only ￥ (U+FFE5); a UTF-8 copy may carry either.
    rows = [(*ROW[:6], "¥12.50", *ROW[7:])]
    assert parse_statement(_alipay_bytes(*rows, encoding="utf-8")).rows[0].amount == D("12.50")


@pytest.mark.parametrize("amount", ["12.345", "abc", "-5.00", "", "1,23.00", "￥"])
def test_alipay_bad_amounts(amount: str) -> None:
    data = _alipay_bytes(ROW, (*ROW[:6], amount, *ROW[7:]))
    error = _error(data, "alipay")
    assert error.params["column"] == "金额"
    assert error.params["row"] in (20, 21)
    assert error.params["file"] == "t.csv"


def test_alipay_bad_time_and_direction() -> None:
    error = _error(_alipay_bytes(("2025-13-01 12:00:00", *ROW[1:])), "alipay")
    assert (error.params["row"], error.params["column"]) == (20, "交易时间")
    assert "is not a date and time" in str(error)
    error = _error(_alipay_bytes((*ROW[:5], "转出", *ROW[6:])), "alipay")
    assert (error.params["row"], error.params["column"], error.params["value"]) == (
        20, "收/支", "转出")


def test_alipay_short_row_is_an_error_not_a_shorter_result() -> None:
    lines = samples.alipay_text((ROW, ROW)).split("\n")
    lines[20] = lines[20][:50]  # the second (older) data row, line 21, cut short
    error = _error("\n".join(lines).encode("gbk"), "alipay")
    assert error.params["row"] == 21
    assert error.params["header_row"] == 19
    assert "cut short" in str(error)


def test_no_table_and_empty_table() -> None:
    error = _error("就是一个普通文本文件\n没有表格\n".encode(), "alipay")
    assert "no transaction table found" in str(error)
    assert "交易时间, 收/支, 金额" in str(error)
    header_only = samples.alipay_text((ROW,)).split("\n")
    header_only = [line for line in header_only if not line.startswith("2025")]
    error = _error("\n".join(header_only).encode("gbk"), "alipay")
    assert str(error) == "t.csv: the table on row 19 has a header but no transactions"


def test_alipay_utf8_copy_reads_the_same() -> None:
    text = samples.alipay_text(samples.ALIPAY_ROWS)
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("gb18030")):
        result = parse_statement(data)
        assert result.format == "alipay"
        assert result.debt_payments["huabei"] == D("1076.83")


OLD_WEB_EXPORT = (
    "支付宝交易记录明细查询\n"
    "账号:[lim***@example.com]\n"
    "起始日期:[2024-09-01 00:00:00]    终止日期:[2024-09-30 23:59:59]\n"
    "---------------------------------交易记录明细列表------------------------------------\n"
    "交易号              ,商家订单号          ,交易创建时间        ,付款时间            ,"
    "最近修改时间        ,交易来源地          ,类型                ,交易对方            ,"
    "商品名称            ,金额（元）          ,收/支               ,交易状态            ,"
    "服务费（元）        ,成功退款（元）      ,备注                ,资金状态            ,\n"
    "2024090122001\t,T2001\t,2024-09-01 12:00:00 ,2024-09-01 12:00:05 ,2024-09-01 12:00:05 ,"
    "其他（包括阿里巴巴和外部商家）,即时到账交易 ,美团外卖 ,外卖订单 ,35.00 ,支出 ,交易成功 ,"
    "0.00 ,0.00 , ,已支出 ,\n"
    "2024090522002\t,T2002\t,2024-09-05 18:00:00 ,2024-09-05 18:00:09 ,2024-09-08 10:00:00 ,"
    "淘宝 ,即时到账交易 ,秋意服饰店 ,风衣 ,200.00 ,支出 ,交易成功 ,0.00 ,50.00 , ,已支出 ,\n"
    "2024091022003\t,\t,2024-09-10 09:00:00 ,2024-09-10 09:00:00 ,2024-09-10 09:00:00 ,"
    "其他 ,即时到账交易 ,杭州明远科技有限公司 ,9月工资 ,6000.00 ,收入 ,交易成功 ,0.00 ,0.00 , ,"
    "已收入 ,\n"
    "2024091522004\t,\t,2024-09-15 09:00:00 ,2024-09-15 09:00:00 ,2024-09-15 09:00:00 ,"
    "其他 ,即时到账交易 ,余额宝 ,转入余额宝 ,100.00 , ,交易成功 ,0.00 ,0.00 , ,资金转移 ,\n"
    "------------------------------------------------------------------------------------\n"
    "共4笔记录\n"
    "已收入:1笔,6000.00元\n"
    "已支出:2笔,235.00元\n"
    "导出时间:[2024-10-01 08:00:00]    用户:李明\n"
)


def test_alipay_older_web_export() -> None:
    # Layout as in mayswind/ezbookkeeping's alipay web importer tests (column names and
    # the dashed closing line); the rows are ours.
    result = parse_statement(OLD_WEB_EXPORT.encode("gbk"))
    assert result.format == "alipay"
    assert result.months == 1
    assert result.monthly_spending == {"food": D("35.00"), "clothing": D("150.00")}  # 200 − 50
    assert result.monthly_income == {"wages": D("6000.00")}
    coat = next(t for t in result.rows if t.description == "风衣")
    assert (coat.row, coat.amount, coat.when) == (7, D("150.00"), datetime(2024, 9, 5, 18))
    assert result.rows[-1].direction is Direction.NEUTRAL


def test_alipay_columns_in_another_order() -> None:
    text = (
        "金额,收/支,交易时间,商品说明,交易对方,交易状态\n"
        "￥88.00,支出,2025-01-02 10:00,电费,国网,交易成功\n"
        "￥12.00,支出,2025/1/3 10:00,地铁,杭州地铁,交易成功\n"
    )
    result = parse_statement(text.encode("gbk"), "alipay")
    assert result.monthly_spending == {"utilities": D("88.00"), "transport": D("12.00")}
    assert result.rows[1].when == datetime(2025, 1, 3, 10, 0)


def test_refund_with_no_purchase_in_the_file_reduces_spending() -> None:
    result = parse_statement(_alipay_bytes(
        ROW,
        ("2025-05-02 10:00:00", "退款", "面馆", "/", "退款-午餐", "不计收支", "5.00", "余额",
         "退款成功"),
    ), "alipay")
    assert result.monthly_spending == {"food": D("15.00")}  # 20.00 − 5.00
    failed = parse_statement(_alipay_bytes((*ROW[:8], "交易失败"), ROW), "alipay")
    assert [s.reason for s in failed.skipped] == [SkipReason.FAILED]


# ---------------------------------------------------------------------------- WeChat


def test_wechat_sample_totals() -> None:
    result = read_statement(DATA / "wechat_sample.xlsx")
    assert result.format == "wechat"
    assert result.months == 3
    assert len(result.rows) == 14  # 18 rows, 4 left out
    assert result.rows[-1].row == 35  # 16 metadata rows, header on 17, 18 data rows
    assert result.monthly_income == {
        "business": D("50.00"),  # 二维码收款 150 ÷ 3
        "family_support": D("22.00"),  # 微信红包 66 ÷ 3
    }
    assert result.monthly_spending == {
        "rent": D("800.00"),  # 2 × 1,200.00 ÷ 3
        "transport": D("10.40"),  # 31.20 ÷ 3
        "food": D("46.80"),  # (18.00 + 6.50 + 15.90 + (120.00 − 20.00)) ÷ 3 = 140.40 ÷ 3
        "leisure": D("15.00"),  # 45 ÷ 3
    }
    assert result.debt_payment_totals == {
        "credit_card_cn": D("500.00"), "jd_baitiao": D("300.00"), "weilidai": D("800.00")}
    assert result.debt_payments == {
        "credit_card_cn": D("166.67"), "jd_baitiao": D("100.00"), "weilidai": D("266.67")}


def test_wechat_refunds_and_returned_transfer() -> None:
    result = read_statement(DATA / "wechat_sample.xlsx")
    # Newest first: 盒马 refund (21) and purchase (22), returned transfer (24), fruit
    # refund (26) and the fruit purchase marked 已全额退款 (27).
    assert [(s.row, s.reason, s.paired_row) for s in result.skipped] == [
        (21, SkipReason.REFUND_PAIRED, 22),
        (24, SkipReason.FAILED, None),
        (26, SkipReason.REFUND_PAIRED, 27),
        (27, SkipReason.REFUNDED, None),
    ]
    returned = next(s for s in result.skipped if s.reason is SkipReason.FAILED)
    assert (returned.amount, returned.status) == (D("88.00"), "对方已退还")
    fresh = next(t for t in result.rows if t.counterparty == "盒马鲜生")
    assert (fresh.amount, fresh.status) == (D("100.00"), "已退款(￥20.00)")
    card = next(t for t in result.rows if t.source_category == "信用卡还款")
    assert (card.direction, card.debt_repayment) == (Direction.DEBT_PAYMENT, "credit_card_cn")


WECHAT_CSV = (
    "微信支付账单明细,,,,,,,,,,\n"
    "微信昵称：[李明],,,,,,,,,,\n"
    "起始时间：[2025-01-01 00:00:00] 终止时间：[2025-01-31 23:59:59],,,,,,,,,,\n"
    ",,,,,,,,,,\n"
    "----------------------微信支付账单明细列表--------------------,,,,,,,,,,\n"
    "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注\n"
    "2025-01-09 12:00:00,商户消费,兰州拉面,\"牛肉面\",支出,¥16.00,零钱,支付成功,42001\t,1\t,\"/\"\n"
    "2025-01-08 19:00:00,微信红包,发给赵**,\"/\",支出,¥20.00,零钱,支付成功,42002\t,/\t,\"/\"\n"
    "2025-01-05 09:00:00,零钱提现,招商银行(0000),\"/\",/,¥100.10,招商银行(0000),"
    "提现已到账,42003\t,/\t,\"服务费¥0.10\"\n"
)


def test_wechat_csv_variant() -> None:
    # Layout as in deb-sig/double-entry-generator example/wechat/example-wechat-records.csv.
    data = WECHAT_CSV.encode("utf-8-sig")
    assert detect_format(data) == "wechat"
    result = parse_statement(data)
    assert result.monthly_spending == {"food": D("16.00"), "gifts": D("20.00")}
    assert result.rows[0].row == 7
    assert result.rows[2].direction is Direction.NEUTRAL


def _workbook(rows: list[list[object]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["微信支付账单明细"])
    sheet.append(list(samples.WECHAT_HEADER[:8]))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_wechat_xlsx_typed_cells() -> None:
    data = _workbook([
        [datetime(2025, 2, 1, 8), "商户消费", "早餐店", "包子", "支出", 12.5, "零钱", "支付成功"],
        [datetime(2025, 2, 2, 8), "商户消费", "早餐店", "豆浆", "支出", 3, "零钱", "支付成功"],
    ])
    result = parse_statement(data)
    assert [t.amount for t in result.rows] == [D("12.50"), D("3.00")]
    bad = _workbook([[datetime(2025, 2, 1), "商户消费", "早餐店", "包子", "支出", 1 / 3,
                      "零钱", "支付成功"]])
    error = _error(bad)
    assert (error.params["row"], error.params["column"]) == (3, "金额(元)")
    assert error.params["value"] == "0.3333333333333333"


def test_xlsx_errors() -> None:
    error = _error(b"PK\x03\x04 this is not really a zip file")
    assert "is not an XLSX workbook" in str(error)
    xlsx = (DATA / "wechat_sample.xlsx").read_bytes()
    assert "only WeChat Pay bills" in str(_error(xlsx, "alipay"))
    assert "only WeChat Pay bills" in str(_error(xlsx, "csv"))


# ----------------------------------------------------------------------------- generic

GENERIC_MAP = {"date": "日期", "amount": "金额", "direction": "类型", "description": "摘要",
               "counterparty": "对方"}


def test_generic_sample_totals() -> None:
    for column_map in (GENERIC_MAP, None):
        result = read_statement(DATA / "generic_sample.csv", "csv", column_map=column_map)
        assert result.format == "csv"
        assert result.months == 3
        assert len(result.rows) == 15
        assert result.monthly_income == {"wages": D("7800.00")}  # 3 × 7800 ÷ 3
        assert result.monthly_spending == {
            "rent": D("2500.00"),
            "utilities": D("55.17"),  # (120.50 + 45.00) ÷ 3 = 55.166…
            # (235.40 + 198.60 + 150.00 − 38.60 refund) ÷ 3 = 545.40 ÷ 3
            "household_goods": D("181.80"),
        }
        assert result.debt_payments == {"credit_card_cn": D("333.33"), "huabei": D("200.00")}
    assert read_statement(DATA / "generic_sample.csv").format == "csv"
    assert read_statement(DATA / "generic_sample.csv", column_map=GENERIC_MAP).months == 3


def test_generic_sign_decides_without_a_direction_column() -> None:
    text = "日期,金额,摘要\n2025-01-02,-35.50,午饭\n2025-01-05,5000,工资\n2025-01-06,0,核对\n"
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        result = parse_statement(text.encode(encoding), "csv",
                                 column_map={"date": "日期", "amount": "金额",
                                             "description": "摘要"})
        assert [(t.direction, t.amount) for t in result.rows] == [
            (Direction.EXPENSE, D("35.50")), (Direction.INCOME, D("5000.00")),
            (Direction.NEUTRAL, D("0.00"))]
        assert result.monthly_spending == {"food": D("35.50")}


def test_generic_category_column_may_use_our_ids() -> None:
    text = "date,amount,type,category\n2025-03-01,100,expense,school\n2025-03-02,50,out,餐饮\n"
    column_map = {"date": "date", "amount": "amount", "direction": "type",
                  "category": "category"}
    result = parse_statement(text.encode(), "csv", column_map=column_map)
    assert result.monthly_spending == {"school": D("100.00"), "food": D("50.00")}


def test_generic_errors_name_file_row_and_column() -> None:
    text = "日期,金额,类型\n2025-01-02,10.00,支出\n2025-01-03,10.00,借方\n"
    error = _error(text.encode(), "csv")
    assert (error.params["row"], error.params["column"], error.params["value"]) == (
        3, "类型", "借方")
    error = _error("日期,金额\n2025-01-02,十元\n".encode(), "csv")
    assert (error.params["row"], error.params["column"]) == (2, "金额")
    error = _error("日期,金额\n02/01/2025,1\n".encode(), "csv")
    assert (error.params["row"], error.params["column"]) == (2, "日期")
    error = _error("日期,金额\n2025-01-02,1\n".encode(), "csv",
                   column_map={"date": "日期", "amount": "金额", "counterparty": "对方户名"})
    assert error.params["missing"] == "对方户名"
    error = _error(b"date,value\n2025-01-02,1\n", "csv")
    assert "日期, 金额" in str(error)


def test_parse_column_map() -> None:
    assert parse_column_map("date=日期, amount=金额，direction：类型") == {
        "date": "日期", "amount": "金额", "direction": "类型"}
    for bad, field in (("date=日期", "amount"), ("date=日期,amount=金额,colour=颜色", "colour"),
                       ("date=日期,amount", "amount")):
        with pytest.raises(InputError) as caught:
            parse_column_map(bad)
        assert caught.value.field == "column_map"
        assert field in str(caught.value)


def test_unknown_format_and_unreadable_file(tmp_path: Path) -> None:
    error = _error(b"x", "qif")
    assert error.field == "format"
    assert "alipay, wechat, csv" in str(error)
    error = _error(tmp_path / "missing.csv")
    assert str(tmp_path / "missing.csv") in str(error)
    assert "cannot be read" in str(error)


def test_detect_format() -> None:
    assert detect_format((DATA / "alipay_sample.csv").read_bytes()) == "alipay"
    assert detect_format((DATA / "wechat_sample.xlsx").read_bytes()) == "wechat"
    assert detect_format((DATA / "generic_sample.csv").read_bytes()) == "csv"
    assert detect_format(OLD_WEB_EXPORT.encode("gbk")) == "alipay"


# -------------------------------------------------------------------------- categories


@pytest.mark.parametrize(("text", "debt"), [
    ("花呗主动还款-2025年1月账单 花呗", "huabei"),
    ("还款-花呗", "huabei"),
    ("借呗还款 蚂蚁借呗", "jiebei"),
    ("信用卡还款 招商银行", "credit_card_cn"),
    ("还款 中国建设银行", "credit_card_cn"),
    ("微粒贷还款 深圳前海微众银行", "weilidai"),
    ("京东白条还款 京东", "jd_baitiao"),
    ("房贷还款 中国建设银行", None),
    ("美团订单-午餐 美团外卖", None),
    ("还款 张三", None),
])
def test_detect_debt_repayment(text: str, debt: str | None) -> None:
    assert detect_debt_repayment(text) == debt


def test_keywords_and_app_categories() -> None:
    assert categorise_spending("美团单车骑行 美团") == "transport"
    assert categorise_spending("美团外卖 美团") == "food"
    assert categorise_spending("某酒店住宿") == "leisure"
    assert categorise_spending("转账 赵**", "转账红包") == "other_flexible"
    assert categorise_spending("2月房租 王**", "转账红包") == "rent"
    assert categorise_spending("话费充值 中国移动", "充值缴费") == "communications"
    assert categorise_spending("不知道是什么", "充值缴费") == "utilities"
    assert categorise_spending("不知道是什么") == "other_flexible"
    assert categorise_income("3月工资 某公司") == "wages"
    assert categorise_income("养老金发放") == "pension"
    assert categorise_income("转账 陈**") == "other_income"


def test_category_ids_are_those_of_the_budget_norms() -> None:
    text = resources.files("xieshang.engine").joinpath("presets", "_budget.toml").read_text(
        encoding="utf-8")
    categories = tomllib.loads(text)["categories"]
    income = [c["id"] for c in categories if c["section"] == "income"]
    spending = [c["id"] for c in categories if c["section"] != "income"]
    assert list(INCOME_CATEGORIES) == income
    assert list(SPENDING_CATEGORIES) == spending
    used = set(SOURCE_CATEGORIES.values()) | {category for category, _ in SPENDING_KEYWORDS}
    assert used <= set(spending)


def test_debt_ids_are_preset_ids() -> None:
    from xieshang.importers.categories import DEBT_KEYWORDS
    from xieshang.rules import load_presets

    assert {preset for preset, _ in DEBT_KEYWORDS} <= set(load_presets())


# ------------------------------------------------------------------- properties, speed


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9))
def test_amount_text_round_trips(fen: int) -> None:
    value = D(fen) / 100
    for text in (f"{value:.2f}", f"¥{value:,.2f}", f"￥{value:,.2f}"):
        assert amount_cell(text, file="f", row=1, column="c", signed=True) == value


_CATEGORY_NAMES = ["餐饮美食", "交通出行", "日用百货", "医疗健康", "休闲娱乐"]


@settings(max_examples=40, deadline=None)
@given(st.lists(
    st.tuples(st.integers(1, 12), st.integers(1, 28), st.sampled_from(_CATEGORY_NAMES),
              st.integers(1, 10**7)),
    min_size=1, max_size=30,
))
def test_written_rows_read_back_to_their_averages(
    rows: list[tuple[int, int, str, int]],
) -> None:
    written = tuple(
        (f"2024-{month:02d}-{day:02d} 10:00:00", name, "某商户", "/", "消费", "支出",
         f"{D(fen) / 100:.2f}", "余额", "交易成功")
        for month, day, name, fen in rows
    )
    result = parse_statement(samples.alipay_text(written).encode("gbk"), "alipay")
    months = len({month for month, *_ in rows})
    totals: dict[str, Decimal] = {}
    for _, _, name, fen in rows:
        category = SOURCE_CATEGORIES[name]
        totals[category] = totals.get(category, D(0)) + D(fen) / 100
    assert result.months == months
    assert len(result.rows) == len(rows)
    assert result.monthly_spending == {
        key: round_money(total / months, Rounding.HALF_UP) for key, total in totals.items()}


def test_large_alipay_import_completes(tmp_path: Path) -> None:
    path = samples.large_alipay(tmp_path / "large.csv", 50_000)
    started = time.perf_counter()
    result = read_statement(path)
    elapsed = time.perf_counter() - started
    assert len(result.rows) == 50_000
    assert result.skipped == ()
    assert result.months == 12  # one row every 10 minutes from 2024-01-01: ~347 days
    assert set(result.debt_payments) == {"huabei"}
    assert elapsed < 60  # about 2 s on a slow machine; this only catches a pathology
