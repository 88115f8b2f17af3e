"""What an import finds: transactions, rows left out and why, and the monthly summary.

Each reader (Alipay, WeChat Pay, generic CSV) turns its file into :class:`SourceRow`
records, faithful to what the file says. :func:`build_result` then decides, the same way
for every format, how each row counts:

* closed or failed trades move no money and are left out (:class:`SkipReason`);
* a refund is paired with the purchase it returns when that purchase is already left out
  (closed, or marked refunded in full), otherwise it reduces spending in the purchase's
  category;
* repayments of Huabei, Jiebei, credit cards, Weilidai and JD Baitiao are debt payments,
  not spending;
* money borrowed (a loan paid out) is not income.

Averages are totals divided by the number of calendar months the rows cover, rounded
half-up to the fen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any

from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import ZERO, Rounding, round_money
from xieshang.importers.categories import (
    INCOME_CATEGORIES,
    NOT_BUDGETED,
    SOURCE_CATEGORIES,
    SPENDING_CATEGORIES,
    categorise_income,
    categorise_spending,
    detect_debt_repayment,
    is_borrowing,
)

__all__ = [
    "Direction",
    "ImportResult",
    "Settlement",
    "SkipReason",
    "SkippedRow",
    "SourceRow",
    "Transaction",
    "build_result",
    "settle",
]


class Direction(StrEnum):
    """How a row counts in the budget (the first three are also what files say)."""

    INCOME = "income"
    EXPENSE = "expense"
    NEUTRAL = "neutral"  # transfers between one's own accounts, top-ups, investments
    REFUND = "refund"  # money back for a purchase: reduces spending
    DEBT_PAYMENT = "debt_payment"  # a repayment of a debt the presets know


class Settlement(StrEnum):
    """What the file says happened to a row's money."""

    DONE = "done"
    CLOSED = "closed"  # 交易关闭: never paid, or paid back in full
    FAILED = "failed"  # 失败, 对方已退还, 等待付款: no money moved
    REFUNDED = "refunded"  # the purchase row itself says 已全额退款
    REFUND = "refund"  # the row is money coming back (退款成功, xxx-退款)


class SkipReason(StrEnum):
    """Why a row is left out of the summary."""

    CLOSED = "closed"
    FAILED = "failed"
    REFUNDED = "refunded"
    REFUND_PAIRED = "refund_paired"

    @property
    def message(self) -> str:
        """The explanation (a msgid; placeholders ``{status}`` and ``{paired_row}``)."""
        return _SKIP_MESSAGES[self]


_SKIP_MESSAGES = {
    SkipReason.CLOSED: N_("closed ({status}): nothing was paid, or it was paid back in full"),
    SkipReason.FAILED: N_("not completed ({status}): no money moved"),
    SkipReason.REFUNDED: N_("refunded in full ({status}): the money came back"),
    SkipReason.REFUND_PAIRED: N_("refund for row {paired_row}, which is left out too"),
}


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A statement row as the file gives it, before it is counted.

    Attributes:
        row: the row number in the file (1-based).
        when: the transaction time (local, naive).
        direction: INCOME, EXPENSE or NEUTRAL, as the file's 收/支 column says.
        amount: the amount in yuan (positive).
        counterparty: 交易对方 (empty when the file shows ``/``).
        description: 商品说明 / 商品 / the description column.
        source_category: the app's own category (Alipay 交易分类, WeChat 交易类型).
        method: how it was paid (收/付款方式, 支付方式).
        status: 交易状态 / 当前状态 as written.
        settlement: what the status means for the money.
        refunded: an amount already refunded on this purchase (partial refunds).
    """

    row: int
    when: datetime
    direction: Direction
    amount: Decimal
    counterparty: str = ""
    description: str = ""
    source_category: str = ""
    method: str = ""
    status: str = ""
    settlement: Settlement = Settlement.DONE
    refunded: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Transaction:
    """A row as it counts in the budget.

    Attributes:
        when: the transaction time.
        direction: how it counts (:class:`Direction`; a str).
        amount: yuan, positive (for a partly refunded purchase: what was kept).
        counterparty: who was paid or paid (交易对方).
        description: what it was (商品说明).
        category: budget category id of ``_budget.toml`` (spending or income; unknown
            spending is ``other_flexible``); ``""`` for neutral rows and debt payments,
            which are not budget lines.
        source_category: the app's own category, as written.
        method: how it was paid.
        status: the file's status text.
        debt_repayment: the preset id of the debt repaid, or ``None``.
        row: the row number in the file.
    """

    when: datetime
    direction: Direction
    amount: Decimal
    counterparty: str
    description: str
    category: str
    source_category: str
    method: str
    status: str
    debt_repayment: str | None = None
    row: int = 0


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row left out of the summary, and why.

    Attributes:
        row: the row number in the file.
        reason: why (:attr:`SkipReason.message` explains it).
        when: the transaction time.
        amount: the row's amount.
        description: what it was.
        status: the file's status text.
        paired_row: for a refund left out, the row of its purchase.
    """

    row: int
    reason: SkipReason
    when: datetime
    amount: Decimal
    description: str
    status: str = ""
    paired_row: int | None = None

    def message_params(self) -> dict[str, Any]:
        """Parameters for ``reason.message``."""
        return {"status": self.status, "paired_row": self.paired_row}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Everything an import found, for the person to review before it is saved.

    Attributes:
        format: ``alipay``, ``wechat`` or ``csv``.
        rows: the rows that count, in file order.
        skipped: the rows left out, in file order.
        months: calendar months covered (distinct year-months of ``rows``).
        monthly_income: income category id → average per month.
        monthly_spending: spending category id → average per month (refunds deducted).
        debt_payments: debt preset id → average repaid per month.
        debt_payment_totals: debt preset id → total repaid in the file.
        first_day: the earliest transaction date (``None`` when nothing counts).
        last_day: the latest transaction date.
        file: the file name as given.
    """

    format: str
    rows: tuple[Transaction, ...]
    skipped: tuple[SkippedRow, ...]
    months: int
    monthly_income: Mapping[str, Decimal]
    monthly_spending: Mapping[str, Decimal]
    debt_payments: Mapping[str, Decimal]
    debt_payment_totals: Mapping[str, Decimal] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None
    file: str = ""

    @property
    def monthly_income_total(self) -> Decimal:
        """The sum of the monthly income averages."""
        return sum(self.monthly_income.values(), ZERO)

    @property
    def monthly_spending_total(self) -> Decimal:
        """The sum of the monthly spending averages."""
        return sum(self.monthly_spending.values(), ZERO)

    @property
    def monthly_debt_payments_total(self) -> Decimal:
        """The sum of the monthly debt-payment averages."""
        return sum(self.debt_payments.values(), ZERO)


_FAILED_WORDS = ("失败", "等待付款", "待付款", "已退还", "已退回", "已撤销", "已取消")


def settle(direction: Direction, status: str, description: str = "",
           source_category: str = "") -> Settlement:
    """What a status text means for the money (Alipay wording; also used for plain CSV).

    A purchase (EXPENSE) marked 交易关闭 is CLOSED and one marked 退款 is REFUNDED in
    full; any other row that says 退款 (``退款成功``, 商品说明 ``退款-…``, 交易分类
    ``退款``) is money coming back. 失败, 等待付款 and the like moved no money.
    """
    return _settle(direction, status, description.startswith("退款") or source_category == "退款")


@lru_cache(maxsize=1024)
def _settle(direction: Direction, status: str, says_refund: bool) -> Settlement:
    if "关闭" in status:
        return Settlement.CLOSED
    if any(word in status for word in _FAILED_WORDS):
        return Settlement.FAILED
    if direction is Direction.EXPENSE:
        return Settlement.REFUNDED if "退款" in status else Settlement.DONE
    if "退款" in status or says_refund:
        return Settlement.REFUND
    return Settlement.DONE


def build_result(fmt: str, source: Sequence[SourceRow], file: str, header_row: int) -> ImportResult:
    """Count the rows of a statement and summarise them (see the module docstring).

    Raises:
        InputError: the table has a header but no rows.
    """
    if not source:
        raise InputError(
            "file", N_("{file}: the table on row {row} has a header but no transactions"),
            file=file, row=header_row,
        )
    counted: list[Transaction] = []
    skipped: list[SkippedRow] = []
    # Purchases a refund may belong to: (counterparty, amount refunded) → rows.
    pairable: dict[tuple[str, Decimal], list[SourceRow]] = defaultdict(list)
    # Categories of purchases by counterparty, to give a refund its purchase's category.
    purchases: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    refunds: list[SourceRow] = []

    for item in source:
        text = _keyword_text(item)
        if item.direction is Direction.EXPENSE and item.settlement is not Settlement.REFUND:
            purchases[item.counterparty].append(
                (item.when, categorise_spending(text, item.source_category)))
        if item.settlement is Settlement.REFUND:
            refunds.append(item)
        elif item.settlement is Settlement.FAILED:
            skipped.append(_skip(item, SkipReason.FAILED))
        elif item.settlement in (Settlement.CLOSED, Settlement.REFUNDED):
            reason = SkipReason.CLOSED if item.settlement is Settlement.CLOSED \
                else SkipReason.REFUNDED
            skipped.append(_skip(item, reason))
            if item.direction is Direction.EXPENSE:
                pairable[(item.counterparty, item.amount)].append(item)
        elif item.refunded >= item.amount and item.direction is Direction.EXPENSE:
            skipped.append(_skip(item, SkipReason.REFUNDED))
            pairable[(item.counterparty, item.refunded)].append(item)
        else:
            if item.refunded > 0:
                pairable[(item.counterparty, item.refunded)].append(item)
            counted.append(_count(item, text))

    used: set[int] = set()
    for item in refunds:
        candidates = [
            p for p in pairable.get((item.counterparty, item.amount), [])
            if p.row not in used and p.when <= item.when
        ]
        if candidates:
            purchase = max(candidates, key=lambda p: p.when)
            used.add(purchase.row)
            skipped.append(_skip(item, SkipReason.REFUND_PAIRED, paired_row=purchase.row))
            continue
        counted.append(_refund(item, purchases))

    counted.sort(key=lambda t: t.row)
    skipped.sort(key=lambda s: s.row)
    return _summarise(fmt, tuple(counted), tuple(skipped), file)


def _keyword_text(item: SourceRow) -> str:
    """The text keywords are looked for in: description and counterparty, plus the app's
    category when it is not one of Alipay's broad ones (WeChat's 交易类型 such as 微信红包
    or 二维码收款 says something; Alipay's 转账红包 would make every transfer a gift)."""
    text = f"{item.description} {item.counterparty}"
    if item.source_category and item.source_category not in SOURCE_CATEGORIES:
        text = f"{text} {item.source_category}"
    return text


def _skip(item: SourceRow, reason: SkipReason, paired_row: int | None = None) -> SkippedRow:
    return SkippedRow(item.row, reason, item.when, item.amount, item.description, item.status,
                      paired_row)


def _count(item: SourceRow, text: str) -> Transaction:
    direction = item.direction
    category = NOT_BUDGETED
    debt: str | None = None
    amount = item.amount - item.refunded
    if direction is Direction.INCOME:
        if is_borrowing(text):
            direction = Direction.NEUTRAL
        else:
            category = categorise_income(text, item.source_category)
    else:
        debt = detect_debt_repayment(f"{text} {item.source_category}")
        if debt is not None:
            direction = Direction.DEBT_PAYMENT
        elif direction is Direction.EXPENSE:
            category = categorise_spending(text, item.source_category)
    return Transaction(item.when, direction, amount, item.counterparty, item.description,
                       category, item.source_category, item.method, item.status, debt, item.row)


def _refund(item: SourceRow, purchases: Mapping[str, list[tuple[datetime, str]]]) -> Transaction:
    earlier = [entry for entry in purchases.get(item.counterparty, []) if entry[0] <= item.when]
    if earlier:
        category = max(earlier, key=lambda entry: entry[0])[1]
    else:
        text = f"{item.description.removeprefix('退款-')} {item.counterparty}"
        category = categorise_spending(text, item.source_category)
    return Transaction(item.when, Direction.REFUND, item.amount, item.counterparty,
                       item.description, category, item.source_category, item.method,
                       item.status, None, item.row)


def _ordered(totals: Mapping[str, Decimal], order: Sequence[str]) -> list[str]:
    known = [key for key in order if key in totals]
    return known + sorted(key for key in totals if key not in order)


def _summarise(
    fmt: str, rows: tuple[Transaction, ...], skipped: tuple[SkippedRow, ...], file: str
) -> ImportResult:
    income: dict[str, Decimal] = defaultdict(lambda: ZERO)
    spending: dict[str, Decimal] = defaultdict(lambda: ZERO)
    debts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row.direction is Direction.INCOME:
            income[row.category] += row.amount
        elif row.direction is Direction.EXPENSE:
            spending[row.category] += row.amount
        elif row.direction is Direction.REFUND:
            spending[row.category] -= row.amount
        elif row.direction is Direction.DEBT_PAYMENT and row.debt_repayment is not None:
            debts[row.debt_repayment] += row.amount
    months = len({(row.when.year, row.when.month) for row in rows})

    def average(totals: Mapping[str, Decimal], order: Sequence[str]) -> dict[str, Decimal]:
        if months == 0:
            return {}
        return {
            key: round_money(totals[key] / months, Rounding.HALF_UP)
            for key in _ordered(totals, order) if totals[key] > 0
        }

    debt_order = sorted(debts)
    return ImportResult(
        format=fmt,
        rows=rows,
        skipped=skipped,
        months=months,
        monthly_income=average(income, INCOME_CATEGORIES),
        monthly_spending=average(spending, SPENDING_CATEGORIES),
        debt_payments=average(debts, debt_order),
        debt_payment_totals={key: debts[key] for key in debt_order if debts[key] > 0},
        first_day=min(row.when for row in rows).date() if rows else None,
        last_day=max(row.when for row in rows).date() if rows else None,
        file=file,
    )
