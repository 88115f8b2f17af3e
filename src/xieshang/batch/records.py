"""One case's rows → a case held in memory, every value checked as the command line checks
it (``debt add``, ``budget set``, ``import``): a bad value is reported with its table, row
and column, and the case is left out (its figures would be wrong without that row)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xieshang.engine.budget import Household
from xieshang.engine.checks import value_problems
from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import parse_amount
from xieshang.rules import load_preset
from xieshang.services.budget import household_count, norms
from xieshang.services.debts import debt_fields
from xieshang.store.memory import MemoryTx
from xieshang.store.model import Budget, BudgetEntry, Case, Debt

__all__ = ["CaseRows", "Problem", "build_case"]


@dataclass(frozen=True)
class Problem:
    """A value refused: where it is and why.

    Attributes:
        table: ``cases``, ``debts``, ``budget_lines`` or ``file`` (a JSON case file).
        row: the row number in that table, 1 for the first row after the header (the file's
            case number for a JSON file).
        column: the column (or the entry of the JSON file).
        error: the error, translated when written.
    """

    table: str
    row: int
    column: str
    error: InputError


@dataclass(frozen=True)
class CaseRows:
    """The rows of one case, values as text (``None``: empty).

    Attributes:
        case_id: the case's reference.
        row: its row number in ``cases`` (or its number among the JSON files).
        case: the ``cases`` row.
        debts: (row number, row) of its debts.
        lines: (row number, row) of its budget lines.
        document: the text of a case JSON file instead of the rows.
    """

    case_id: str
    row: int
    case: Mapping[str, str | None]
    debts: Sequence[tuple[int, Mapping[str, str | None]]] = ()
    lines: Sequence[tuple[int, Mapping[str, str | None]]] = ()
    document: str | None = None


def _text(row: Mapping[str, str | None], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def build_case(rows: CaseRows) -> tuple[MemoryTx, Case] | list[Problem]:
    """The case in a :class:`MemoryTx`, or every problem found in its rows."""
    if rows.document is not None:
        return _from_document(rows)
    problems: list[Problem] = []
    tx = MemoryTx()
    case = tx.add(Case(name=""))
    budget = _budget(tx, case, rows, problems)
    _lines(tx, budget, rows, problems)
    for number, row in rows.debts:
        _debt(tx, case, number, row, problems)
    if not rows.debts:
        problems.append(Problem("cases", rows.row, "case_id", InputError(
            "case_id", N_("the case has no rows in the debts table"))))
    return problems if problems else (tx, case)


def _budget(tx: MemoryTx, case: Case, rows: CaseRows, problems: list[Problem]) -> Budget | None:
    if not rows.lines:
        return None
    values: dict[str, Any] = {}
    for name, minimum in (("adults", 1), ("children_0_4", 0), ("children_5_10", 0),
                          ("children_11_17", 0), ("dependants", 0)):
        try:
            found = household_count(_text(rows.case, name), name, minimum)
        except InputError as error:
            problems.append(Problem("cases", rows.row, name, error))
            continue
        if found is not None:
            values[name] = found
    tier = _text(rows.case, "city_tier")
    if tier is not None:
        try:
            values["city_tier"] = norms().tier(tier.lower()).id
        except InputError as error:
            problems.append(Problem("cases", rows.row, "city_tier", error))
    buffer = _text(rows.case, "buffer")
    if buffer is not None and buffer.lower() != "auto":
        try:
            values["buffer"] = parse_amount(buffer, "buffer")
        except InputError as error:
            problems.append(Problem("cases", rows.row, "buffer", error))
    try:
        Household(**{k: values.get(k, v) for k, v in (
            ("adults", 1), ("children_0_4", 0), ("children_5_10", 0),
            ("children_11_17", 0), ("dependants", 0), ("city_tier", "tier2"))})
    except InputError as error:
        problems.append(Problem("cases", rows.row, error.field, error))
    return tx.add(Budget(case_id=case.id, **values))


def _lines(tx: MemoryTx, budget: Budget | None, rows: CaseRows,
           problems: list[Problem]) -> None:
    if budget is None:
        return
    rules = norms()
    seen: set[str] = set()
    for number, row in rows.lines:
        section = (_text(row, "section") or "").lower()
        category = (_text(row, "category") or "").lower()
        amount_text = _text(row, "amount")
        try:
            known = rules.category(category)
        except InputError as error:
            problems.append(Problem("budget_lines", number, "category", error))
            continue
        if known.section.value != section:
            problems.append(Problem("budget_lines", number, "section", InputError(
                "section", N_("{category} is in the {expected} section"),
                category=category, expected=known.section.value)))
            continue
        if category in seen:
            problems.append(Problem("budget_lines", number, "category", InputError(
                "category", N_("{category} is given twice for this case"),
                category=category)))
            continue
        seen.add(category)
        if amount_text is None:
            problems.append(Problem("budget_lines", number, "amount",
                                    InputError("amount", N_("is required"))))
            continue
        try:
            amount = parse_amount(amount_text, "amount")
        except InputError as error:
            problems.append(Problem("budget_lines", number, "amount", error))
            continue
        tx.add(BudgetEntry(statement_id=budget.id, section=section, category=category,
                           amount=amount))


#: ``debt add`` option → column.
_OPTIONS = ("interest", "fees", "not_yet_due", "overdue_since", "annual_rate", "daily_rate",
            "penalty_rate", "minimum", "due_day", "priority", "lender")


def _debt(tx: MemoryTx, case: Case, number: int, row: Mapping[str, str | None],
          problems: list[Problem]) -> None:
    before = len(problems)
    product = _text(row, "product")
    amount = _text(row, "amount")
    preset = None
    if product is None:
        problems.append(Problem("debts", number, "product",
                                InputError("product", N_("is required"))))
    else:
        try:
            preset = load_preset(product)
        except InputError as error:
            problems.append(Problem("debts", number, "product", error))
    if amount is None:
        problems.append(Problem("debts", number, "amount",
                                InputError("amount", N_("is required"))))
    values: dict[str, Any] = {}
    # each option on its own, so every bad column of the row is named
    for name in ("amount", *_OPTIONS):
        text = _text(row, name)
        if text is None:
            continue
        try:
            values.update(debt_fields(**{name: text}))
        except InputError as error:
            problems.append(Problem("debts", number, name, error))
    if "annual_rate" in row and "daily_rate" in row and _text(row, "annual_rate") \
            and _text(row, "daily_rate"):
        problems.append(Problem("debts", number, "daily_rate", InputError(
            "annual_rate", N_("give either --annual-rate or --daily-rate, not both"))))
    for name, found in value_problems(values):
        problems.append(Problem("debts", number, found.field or name, found))
    if len(problems) > before or preset is None:
        return
    tx.add(Debt(case_id=case.id, preset_id=preset.id, **values))


def _from_document(rows: CaseRows) -> tuple[MemoryTx, Case] | list[Problem]:
    from xieshang.store.exchange import import_case, loads

    def known_product(_where: str, name: str, value: Any) -> None:
        if name == "preset_id":
            load_preset(str(value))

    tx = MemoryTx()
    source = f"{rows.case_id}.json"
    try:
        document = loads(rows.document or "", source)
        case = import_case(tx, document, source, check=known_product)  # type: ignore[arg-type]
    except InputError as error:
        return [Problem("file", rows.row, error.field, error)]
    return tx, case
