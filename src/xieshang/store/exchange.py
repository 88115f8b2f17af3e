"""One case as one JSON document, and back (``xieshang export`` / ``xieshang import``).

The document::

    {"format": "xieshang-case", "version": 1,
     "case": {...},
     "debts": [{"ref": 1, "preset_id": "huabei", "principal": "3280.50", ...}, ...],
     "payments": [{"ref": 1, "debt": 1, "paid_on": "2026-01-20", "amount": "500.00"}],
     ...}

* every table a case owns has a list, in :data:`xieshang.store.model.RECORDS` order;
* rows carry a ``ref`` (1, 2, … in each list) instead of their database id, and links to
  other rows name the other row's ``ref`` (``"debt": 1``); the case link is implied;
* money and rates are exact decimal text, dates and times ISO 8601, JSON fields objects;
* personal fields are plain text (the file is for the person and their adviser: keep it
  safe), or null when exported with ``personal=False``.

Exporting, importing into a new case and exporting again gives the same bytes. An import
always creates a new case; it never changes an existing one. A bad document raises
:class:`InputError` naming the file and the entry (``debts[2].principal``); the caller's
transaction then rolls back, so nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields
from datetime import date, datetime
from typing import Any, Final

from xieshang.engine.checks import value_problems
from xieshang.engine.errors import N_, InputError
from xieshang.engine.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH
from xieshang.engine.money import D, money
from xieshang.store import schema
from xieshang.store.db import Tx, plain
from xieshang.store.model import (
    RECORDS,
    Budget,
    BudgetEntry,
    Case,
    Commitment,
    Contact,
    ContactRevision,
    Debt,
    Evidence,
    Hardship,
    Payment,
    Proposal,
    Record,
    Reminder,
    Sealed,
    StatementImport,
    StatementRow,
)

__all__ = ["FORMAT", "VERSION", "dumps", "export_case", "import_case", "loads"]

FORMAT: Final = "xieshang-case"
VERSION: Final = 1
#: Settings that belong to one case, stored as ``"<name>:<case id>"`` (the web app's
#: "what prevents a repeat" checklist); exported under ``"settings"`` by name.
CASE_SETTINGS: Final = ("prevent",)

#: The list each record type is written to.
KEYS: Final[Mapping[type[Record], str]] = {
    Debt: "debts", Payment: "payments", Hardship: "hardship", Budget: "budgets",
    BudgetEntry: "budget_lines", StatementImport: "imports", StatementRow: "transactions",
    Contact: "contacts", ContactRevision: "contact_revisions", Proposal: "proposals",
    Commitment: "commitments", Evidence: "evidence", Reminder: "reminders",
}

#: Link fields: field → (the name in the document, the record type it points to).
LINKS: Final[Mapping[str, tuple[str, type[Record]]]] = {
    "debt_id": ("debt", Debt),
    "statement_id": ("budget", Budget),
    "import_id": ("import", StatementImport),
    "contact_id": ("contact", Contact),
    "commitment_id": ("commitment", Commitment),
    "savings_debt_id": ("savings_debt", Debt),
}

#: Record types other rows link to: saved one by one to learn their ids.
_LINKED: Final = frozenset(target for _key, target in LINKS.values())


def export_case(tx: Tx, case_id: int, *, personal: bool = True) -> dict[str, Any]:
    """The document for one case.

    Raises:
        InputError: personal fields are encrypted and locked (give the passphrase, or
            export without them).
    """
    case = tx.get(Case, case_id)
    if case is None:
        raise InputError("case", N_("there is no case {id}"), id=case_id)
    refs: dict[type[Record], dict[int, int]] = {}
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                                "case": _entry(case, refs, personal)}
    for kind in RECORDS[1:]:
        records = _owned(tx, kind, case_id, refs)
        refs[kind] = {record.id: index for index, record in enumerate(records, start=1)}
        document[KEYS[kind]] = [
            {"ref": refs[kind][record.id], **_entry(record, refs, personal)}
            for record in records
        ]
    settings = {name: value for name in CASE_SETTINGS
                if (value := tx.setting(f"{name}:{case_id}")) is not None}
    if settings:
        document["settings"] = settings
    return document


def _owned(tx: Tx, kind: type[Record], case_id: int,
           refs: Mapping[type[Record], Mapping[int, int]]) -> list[Any]:
    names = {item.name for item in fields(kind)}  # type: ignore[arg-type]
    if "case_id" in names:
        return tx.find(kind, case_id=case_id)
    for name in ("debt_id", "statement_id", "import_id", "contact_id"):
        if name in names:
            parent = LINKS[name][1]
            ids = list(refs.get(parent, {}))
            return tx.find(kind, **{name: ids}) if ids else []
    raise AssertionError(kind)  # pragma: no cover


def _entry(record: Record, refs: Mapping[type[Record], Mapping[int, int]],
           personal: bool) -> dict[str, Any]:
    values = plain(record)
    entry: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("id", "case_id"):
            continue
        if name in LINKS:
            key, target = LINKS[name]
            # a link without a reference (the savings' debt) may name a debt deleted since
            entry[key] = None if value is None else refs[target].get(value)
            continue
        if (record.TABLE, name) in schema.PERSONAL:
            raw = getattr(record, name)
            if not personal:
                value = None
            elif isinstance(raw, Sealed):
                raise InputError("passphrase", N_("personal data is encrypted: give the "
                                                  "passphrase, or export with --no-personal"))
        entry[name] = value
    return entry


def dumps(document: Mapping[str, Any]) -> str:
    """The document as text: UTF-8 JSON, 2-space indent, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def loads(text: str, source: str) -> dict[str, Any]:
    """Read a document's text and check its format and version."""
    if len(text) > MAX_JSON_BYTES:
        raise InputError("file", N_("{file} is larger than {limit} MB, more than a case export "
                                    "can be"), file=source, limit=MAX_JSON_BYTES // 2**20)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError("file", N_("{file} is not valid JSON (line {line}, column {column})"),
                         file=source, line=error.lineno, column=error.colno) from None
    except RecursionError:
        data = None  # nested past what the reader can follow: refused just below
    if data is None or _depth(data) > MAX_JSON_DEPTH:
        if data is None and text.strip() == "null":
            raise InputError("file", N_("{file} is not a xieshang case export (no "
                                        "\"format\": \"xieshang-case\")"), file=source)
        raise InputError("file", N_("{file} nests more than {limit} levels deep; a case export "
                                    "nests far less"), file=source, limit=MAX_JSON_DEPTH)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError("file", N_("{file} is not a xieshang case export (no "
                                    "\"format\": \"xieshang-case\")"), file=source)
    if data.get("version") != VERSION:
        raise InputError("file", N_("{file} has export version {version}; this xieshang reads "
                                    "version {known}"), file=source,
                         version=str(data.get("version")), known=VERSION)
    return data


def _depth(data: Any) -> int:
    """How deeply ``data`` nests (lists and objects), counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((value, level + 1) for value in item.values())
        elif isinstance(item, list):
            stack.extend((value, level + 1) for value in item)
    return deepest


def import_case(tx: Tx, document: Mapping[str, Any], source: str, *,
                check: Callable[[str, str, Any], None] | None = None) -> Case:
    """Create a new case from a document (checked by :func:`loads`).

    ``check(where, field, value)`` may refuse a value (e.g. an unknown preset) by raising
    :class:`InputError`.
    """
    from sqlalchemy.exc import IntegrityError

    known = {"format", "version", "case", "settings", *KEYS.values()}
    for key in document:
        if key not in known:
            raise InputError("file", N_("{file}: unknown entry \"{key}\""), file=source, key=key)
    case_data = document.get("case")
    if not isinstance(case_data, dict):
        raise InputError("file", N_("{file}: \"case\" must be an object"), file=source)
    case: Case = tx.add(_build(Case, case_data, {}, f"{source}: case", check))
    ids: dict[type[Record], dict[int, int]] = {}
    for kind in RECORDS[1:]:
        key = KEYS[kind]
        entries = document.get(key, [])
        if not isinstance(entries, list):
            raise InputError("file", N_("{file}: \"{key}\" must be a list"), file=source,
                             key=key)
        ids[kind] = {}
        batch: list[Record] = []
        owned = "case_id" in {item.name for item in fields(kind)}  # type: ignore[arg-type]
        for index, entry in enumerate(entries):
            where = f"{source}: {key}[{index}]"
            if not isinstance(entry, dict):
                raise InputError(where, N_("must be an object"))
            ref = entry.get("ref")
            if not isinstance(ref, int) or isinstance(ref, bool) or ref in ids[kind]:
                raise InputError(f"{where}.ref", N_("must be a whole number used once"))
            body = {k: v for k, v in entry.items() if k != "ref"}
            if owned:
                body["case_id"] = case.id
            record = _build(kind, body, ids, where, check)
            if kind in _LINKED:
                try:
                    ids[kind][ref] = tx.add(record).id
                except IntegrityError as error:
                    raise InputError(where, N_("is refused by the database: {error}"),
                                     error=str(error.orig)) from None
            else:
                ids[kind][ref] = 0
                batch.append(record)
        try:
            tx.add_all(batch)
        except IntegrityError as error:
            raise InputError(f"{source}: {key}", N_("is refused by the database: {error}"),
                             error=str(error.orig)) from None
    settings = document.get("settings", {})
    if not isinstance(settings, dict):
        raise InputError("file", N_("{file}: \"{key}\" must be an object"), file=source,
                         key="settings")
    for name, value in settings.items():
        if name not in CASE_SETTINGS or not isinstance(value, str):
            raise InputError("file", N_("{file}: unknown entry \"{key}\""), file=source,
                             key=f"settings.{name}")
        tx.set_setting(f"{name}:{case.id}", value)
    return case


def _build(kind: type[Record], body: Mapping[str, Any],
           ids: Mapping[type[Record], Mapping[int, int]], where: str,
           check: Callable[[str, str, Any], None] | None) -> Any:
    """A record from a document entry, every value checked."""
    spec = {item.name: item for item in fields(kind)}  # type: ignore[arg-type]
    links = {LINKS[name][0]: name for name in spec if name in LINKS}
    allowed = {name for name in spec if name not in ("id",) and name not in LINKS} | set(links)
    for key in body:
        if key not in allowed and key != "case_id":
            raise InputError(where, N_("unknown field \"{key}\""), key=key)
    values: dict[str, Any] = {}
    for name, item in spec.items():
        if name == "id":
            continue
        key = LINKS[name][0] if name in LINKS else name
        if key not in body:
            if item.default is MISSING:
                raise InputError(f"{where}.{key}", N_("is missing"))
            continue
        value = body[key]
        if name in LINKS:
            values[name] = _link(value, ids.get(LINKS[name][1], {}), f"{where}.{key}")
        elif name == "case_id":
            values[name] = value
        else:
            values[name] = _value(str(item.type), value, f"{where}.{key}", kind, name)
            if check is not None and values[name] is not None:
                check(f"{where}.{key}", name, values[name])
    for name, error in value_problems(values):
        key = LINKS[name][0] if name in LINKS else name
        raise InputError(f"{where}.{key}", error.message, **error.params)
    return kind(**values)


def _link(value: Any, known: Mapping[int, int], where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value not in known:
        raise InputError(where, N_("refers to an entry that is not in the file ({value})"),
                         value=str(value))
    return known[value]


def _value(annotation: str, value: Any, where: str, kind: type[Record], name: str) -> Any:
    optional = "None" in annotation or annotation == "Personal"
    if value is None:
        if optional:
            return None
        raise InputError(where, N_("must not be null"))
    base = annotation.replace(" | None", "")
    try:
        if base == "Decimal":
            if not isinstance(value, str):
                raise ValueError
            column = schema.metadata.tables[kind.TABLE].c
            return money(value, where) if f"{name}_fen" in column else D(value)
        if base == "date":
            return date.fromisoformat(_text(value))
        if base == "datetime":
            return datetime.fromisoformat(_text(value))
        if base == "bool":
            if not isinstance(value, bool):
                raise ValueError
            return value
        if base == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError
            return value
        if base.startswith("Mapping"):
            if not isinstance(value, dict):
                raise ValueError
            return value
        return _text(value)
    except (ValueError, TypeError, InputError):
        raise InputError(where, N_("has a value of the wrong kind ({value})"),
                         value=json.dumps(value, ensure_ascii=False)[:40]) from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value

