"""The tables ``xieshang batch`` reads and writes (docs/batch.md lists them for people).

Input: a folder holding ``cases``, ``debts`` and optionally ``budget_lines``, each as
``.parquet`` or ``.csv`` (UTF-8, a header line). Every value is read as text and checked by
the same parsers as the command line (``xieshang debt add``, ``budget set``), so ``18%``,
``0.05%`` and ``1,234.50`` mean what they mean there. Rows of one case in ``debts`` and
``budget_lines`` come in the order of ``cases`` (grouped by ``case_id``), as
``xieshang batch sample`` writes them, so the tables stream in bounded memory.

Or a folder of case files from ``xieshang export`` (``*.json``): the file's name (without
``.json``) is the case id.

This module is pure data (no pyarrow): the command's help and the docs read it too.
"""

from __future__ import annotations

from typing import Final

__all__ = ["BUDGET_COLUMNS", "CASE_COLUMNS", "DEBT_COLUMNS", "IGNORED", "TABLES"]

#: cases: one row per case. (column, required, what it holds)
CASE_COLUMNS: Final = (
    ("case_id", True, "the case's reference, unique in the table (replaced by a keyed hash "
                      "in the outputs with --hash-ids)"),
    ("adults", False, "adults in the household, the person included (default 1)"),
    ("children_0_4", False, "children aged 0–4 (default 0)"),
    ("children_5_10", False, "children aged 5–10 (default 0)"),
    ("children_11_17", False, "children aged 11–17 (default 0)"),
    ("dependants", False, "adult dependants living with them (default 0)"),
    ("city_tier", False, "tier1 | tier2 | tier3 | county | rural (default tier2)"),
    ("buffer", False, "monthly emergency buffer in yuan (empty: the norms' rule)"),
)

#: debts: one row per debt; the columns are ``xieshang debt add``'s options.
DEBT_COLUMNS: Final = (
    ("case_id", True, "the case it belongs to"),
    ("product", True, "the product preset id: huabei, jiebei, credit_card_cn, weilidai, "
                      "jd_baitiao, generic_loan, informal_loan (or a preset of your own)"),
    ("amount", True, "overdue principal (a bill: the unpaid amount), yuan"),
    ("interest", False, "contract interest due and unpaid"),
    ("fees", False, "fees already charged"),
    ("not_yet_due", False, "principal not yet due (later installments)"),
    ("overdue_since", False, "first day overdue, YYYY-MM-DD (empty: not overdue)"),
    ("annual_rate", False, "contract annual rate, e.g. 18%"),
    ("daily_rate", False, "contract daily rate, e.g. 0.05%"),
    ("penalty_rate", False, "overdue daily rate when it differs from the preset's"),
    ("minimum", False, "minimum payment"),
    ("due_day", False, "repayment day of the month, 1–31"),
    ("priority", False, "the person's priority among the debts (1 first)"),
    ("lender", False, "the lender's name"),
    ("label", False, "a name for the debt (never written to the outputs)"),
)

#: budget_lines: one row per line of the income and spending statement.
BUDGET_COLUMNS: Final = (
    ("case_id", True, "the case it belongs to"),
    ("section", True, "income | priority | fixed | flexible"),
    ("category", True, "a category of the budget norms (wages, rent, food, …; "
                       "`xieshang budget set --help`)"),
    ("amount", True, "yuan a month"),
)

#: Columns accepted but never read: personal identifiers (never in any output).
IGNORED: Final = frozenset({"name", "full_name", "id_number", "phone", "account",
                            "account_number", "notes", "note"})

#: Table name → its columns.
TABLES: Final = {"cases": CASE_COLUMNS, "debts": DEBT_COLUMNS,
                 "budget_lines": BUDGET_COLUMNS}
