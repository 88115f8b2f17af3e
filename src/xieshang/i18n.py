"""UI text through gettext catalogs (zh_Hans by default, en).

Message ids in the code are English; ``locale/zh_Hans/LC_MESSAGES/xieshang.po`` holds the
Simplified Chinese text. English needs no catalog: the msgid is the English text. The
catalog is read from its ``.po`` file directly (a small parser below), so no compiled
``.mo`` has to be kept in step with it and start-up stays fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from xieshang.engine.errors import XieshangError

__all__ = ["DEFAULT_LANG", "LANGS", "cached_po", "catalog", "chinese_variant", "gettext_for",
           "normalize_lang", "to_traditional", "translate_error"]

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_CATALOG_DIRS = {"zh": "zh_Hans"}


def normalize_lang(lang: str | None) -> str:
    """Map what a person types (``zh``, ``zh_CN``, ``zh-Hans``, ``en_US``…) to a UI language."""
    if not lang:
        lang = os.environ.get("XIESHANG_LANG") or DEFAULT_LANG  # set but empty: the default
    lowered = lang.lower().replace("_", "-")
    if lowered.startswith("en"):
        return "en"
    if lowered.startswith("zh") or lowered in {"cn", "chs"}:
        return "zh"
    raise ValueError(lang)


#: What a person types for Traditional Chinese → the variant (Taiwan's or Hong Kong's).
_VARIANTS = {"zh-hant": "tw", "zh-tw": "tw", "zh-hant-tw": "tw", "hant": "tw", "tw": "tw",
             "cht": "tw", "zh-hk": "hk", "zh-hant-hk": "hk", "zh-mo": "hk", "hk": "hk"}


def chinese_variant(lang: str | None) -> str | None:
    """``"tw"`` or ``"hk"`` when ``lang`` (or, when it is not given, ``$XIESHANG_LANG``)
    asks for Traditional Chinese (``zh-Hant``, ``zh_TW``, ``zh-HK``…); None otherwise. The
    text is written in Simplified Chinese and converted (:func:`to_traditional`)."""
    if not lang:
        lang = os.environ.get("XIESHANG_LANG") or ""
    return _VARIANTS.get(lang.strip().lower().replace("_", "-"))


@cache
def _opencc(variant: str) -> Any:
    import opencc  # only when Traditional Chinese is chosen

    from xieshang.engine.traditional import CONFIGS

    return opencc.OpenCC(CONFIGS[variant])


def to_traditional(text: str, variant: str) -> str:
    """Simplified Chinese converted to Traditional for the screen, with the documents'
    OpenCC configuration and fixes (:mod:`xieshang.engine.traditional`)."""
    from xieshang.engine.traditional import fixed

    return fixed(_opencc(variant).convert(text), variant)


@cache
def catalog(lang: str) -> dict[str, str]:
    """The msgid → text table of a language ({} for English); read once a process."""
    directory = _CATALOG_DIRS.get(lang)
    if directory is None:
        return {}
    return cached_po(os.path.join(os.path.dirname(__file__), "locale", directory, "LC_MESSAGES",
                                  "xieshang.po"))


def cached_po(path: str) -> dict[str, str]:
    """:func:`parse_po` of the ``.po`` file at ``path``, kept parsed beside it
    (:func:`xieshang.paths.kept_table`): reading the table back takes half a millisecond,
    parsing the file several, and the file itself is not read (issue 16, start-up)."""
    from xieshang.paths import kept_table

    def parse() -> dict[str, str]:
        with open(path, "rb") as stream:
            return parse_po(stream.read().decode("utf-8"))

    table: dict[str, str] = kept_table(path, parse)
    return table


@cache
def _po_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One entry of a ``.po`` file: its comment lines, then ``msgid`` and ``msgstr``, each a
    quoted string continued by quoted lines (reading the file with this one expression is
    three times faster than line by line); a fuzzy entry's comment. Compiled on first use:
    the catalog is mostly read back from its cache (:func:`cached_po`)."""
    return (re.compile(r'^((?:#.*\n)*)msgid "(.*)"\n((?:".*"\n)*)msgstr "(.*)"\n((?:".*"\n)*)',
                       re.MULTILINE),
            re.compile(r"^#,.*\bfuzzy\b", re.MULTILINE))


def _continued(first: str, more: str) -> str:
    """A quoted string's text: its first part and the parts of its continuation lines."""
    if not more:
        return first
    return first + "".join(line.strip()[1:-1] for line in more.splitlines())


def parse_po(text: str) -> dict[str, str]:
    """Parse the msgid/msgstr pairs of a gettext ``.po`` file (no plurals, no contexts).

    Untranslated entries (empty msgstr) and fuzzy ones are left out, so the English msgid
    shows instead.
    """
    import ast

    entries: dict[str, str] = {}
    text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    entry, fuzzy = _po_patterns()
    for match in entry.finditer(text):
        comments, first_id, more_id, first_str, more_str = match.groups()
        key, value = _continued(first_id, more_id), _continued(first_str, more_str)
        if not key or not value or (comments and fuzzy.search(comments)):
            continue
        if "\\" in key or "\\" in value:
            # escapes (most entries have none) are read as Python reads them
            key, value = ast.literal_eval(f'"{key}"'), ast.literal_eval(f'"{value}"')
        entries[key] = value
    return entries


def gettext_for(lang: str | None) -> Callable[[str], str]:
    """A ``_()`` function for a language."""
    table = catalog(normalize_lang(lang))

    def gettext(message: str) -> str:
        return table.get(message, message)

    return gettext


def translate_error(error: XieshangError, lang: str | None) -> str:
    """An engine error in the person's language, naming the field."""
    _ = gettext_for(lang)
    colon = ": " if normalize_lang(lang) == "en" else "："
    body = error.render(_(error.message))
    field = getattr(error, "field", "")
    source = getattr(error, "source", "")
    if source:
        where = f"{source}: {field}" if field else source
        return f"{where}{colon}{body}"
    if field:
        return _(field_label(field)) + colon + body
    return body


def field_label(field: str) -> str:
    """The msgid naming a field as people know it (``--amount`` stays recognisable)."""
    return _FIELD_LABELS.get(field, field)


#: Field names as the person sees them; msgids translated in the catalog.
_FIELD_LABELS = {
    "amount": "amount (--amount)",
    "principal": "principal (--principal)",
    "periods": "periods (--periods)",
    "scope": "what the offer covers (--scope)",
    "defer_months": "deferral (--defer-months)",
    "deferral_months": "deferral (--defer-months)",
    "token": "token payment (--token)",
    "token_payment": "token payment (--token)",
    "settle": "settlement amount (--settle)",
    "settlement_amount": "settlement amount (--settle)",
    "settle_on": "settlement date (--settle-on)",
    "months": "months (--months)",
    "days": "days (--days)",
    "annual_rate": "annual rate (--annual-rate)",
    "daily_rate": "daily rate (--daily-rate)",
    "fee_rate": "fee rate (--fee-rate)",
    "monthly_fee_rate": "monthly fee rate (--monthly-fee-rate)",
    "product": "product (--product)",
    "from": "start date (--from)",
    "to": "end date (--to)",
    "start": "start date (--start)",
    "payment": "payment (--payment)",
    "flows": "cash flows (--flows)",
    "dates": "dates (--dates)",
    "contract_date": "contract date (--contract-date)",
    "lender_type": "lender type (--lender-type)",
    "overdue_since": "overdue since (--overdue-since)",
    "as_of": "as of (--as-of)",
    "input": "input file (--input)",
    "lang": "language (--lang)",
    "budget": "monthly amount (--budget)",
    "budget_statement": "budget (xieshang budget set)",
    "strategy": "strategy (--strategy)",
    "order": "order (--order)",
    "horizon": "horizon (--horizon)",
    "chart": "chart file (--chart)",
    "case": "case (--case)",
    "debt": "debt (--debt)",
    "name": "case name (--name)",
    "full_name": "full name (--full-name)",
    "id_number": "ID number (--id-number)",
    "phone": "mobile number (--phone)",
    "reason": "reason (--reason)",
    "since": "since (--since)",
    "recovery": "expected recovery (--recovery)",
    "kind": "evidence kind (--kind)",
    "lender": "lender (--lender)",
    "label": "debt name (--label)",
    "account": "card or account number (--account)",
    "interest": "interest (--interest)",
    "fees": "fees (--fees)",
    "not_yet_due": "principal not yet due (--not-yet-due)",
    "borrowed": "amount borrowed (--borrowed)",
    "paid_periods": "periods already repaid (--paid-periods)",
    "first_due": "first repayment date (--first-due)",
    "posted_on": "posting date (--posted-on)",
    "card_basis": "card interest basis (--card-basis)",
    "period_fee": "fee per period (--period-fee)",
    "penalty_rate": "penalty daily rate (--penalty-rate)",
    "minimum": "minimum payment (--minimum)",
    "due_day": "due day (--due-day)",
    "priority": "priority (--priority)",
    "status": "status (--status)",
    "lender_total": "lender's total (--lender-total)",
    "lender_penalty": "lender's penalty (--lender-penalty)",
    "date": "payment date (--date)",
    "method": "method (--method)",
    "adults": "adults (--adults)",
    "children_0_4": "children aged 0–4 (--children-0-4)",
    "children_5_10": "children aged 5–10 (--children-5-10)",
    "children_11_17": "children aged 11–17 (--children-11-17)",
    "dependants": "dependants (--dependants)",
    "city_tier": "city tier (--city-tier)",
    "buffer": "emergency buffer (--buffer)",
    "savings": "savings (--savings)",
    "savings_on": "savings available on (--savings-on)",
    "savings_use": "use of the savings (--savings-use)",
    "savings_debt": "debt the savings go to (--savings-to)",
    "no_income_until": "no income until (--no-income-until)",
    "income_change": "income change (--income-change)",
    "income": "income (--income)",
    "fixed": "fixed costs (--fixed)",
    "flexible": "flexible costs (--flexible)",
    "category": "budget category",
    "split": "split (--split)",
    "format": "statement format (--format)",
    "column_map": "column map (--map)",
    "file": "file (FILE)",
    "output": "output file (--output)",
    "passphrase": "passphrase",
    "new_passphrase": "new passphrase",
    "passphrase_file": "passphrase file (--passphrase-file)",
    "data_dir": "data folder (--data-dir)",
    "db_url": "database URL (--db-url)",
    "db": "database",
    "port": "port (--port)",
    "now": "moment (--now or XIESHANG_NOW)",
}
