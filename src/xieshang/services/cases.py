"""Finding a case and its debts, and showing their personal fields masked: what every
front needs before it can work on a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from xieshang.engine.errors import N_, InputError, InputErrors
from xieshang.services._memo import remembered

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from xieshang.engine.preset import Preset
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Debt, Hardship


__all__ = [
    "EVIDENCE_KINDS",
    "REASONS",
    "FieldChecks",
    "HardshipFields",
    "check_name",
    "check_recovery",
    "choice_of",
    "debt_label",
    "file_sha256",
    "file_state",
    "find_case",
    "find_debt",
    "hardship_fields",
    "hardship_json",
    "parse_id",
    "personal_values",
    "preset_of",
    "set_hardship",
    "validate_account",
]

T = TypeVar("T")


def parse_id(text: str | int, field: str) -> int:
    """A record id typed by a person: ASCII digits (not ``²`` or ``٣``), 1 to 2⁵³
    (:data:`~xieshang.engine.limits.MAX_ID`)."""
    import re

    from xieshang.engine.limits import MAX_ID

    value = str(text).strip().lstrip("#")
    if not re.fullmatch(r"[0-9]{1,20}", value) or not 1 <= int(value) <= MAX_ID:
        raise InputError(field, N_("'{value}' is not an id; ids are whole numbers such as 1"),
                         value=str(text)[:40])
    return int(value)


def find_case(tx: Tx, case_id: str | None) -> Case:
    """The case to work on: ``--case ID``, else the current one."""
    from xieshang.store.model import Case

    if case_id is not None:
        case = tx.get(Case, parse_id(case_id, "case"))
        if case is None:
            raise InputError("case", N_("there is no case {id}; see `xieshang case list`"),
                             id=case_id)
        return case
    case = tx.current_case()
    if case is None:
        if tx.count(Case) == 0:
            raise InputError("case", N_("there is no case yet; create one with "
                                        "`xieshang case new --name NAME`"))
        raise InputError("case", N_("no case is chosen; choose one with `xieshang case use ID` "
                                    "or give --case ID"))
    return case


def find_debt(tx: Tx, case: Case, debt_id: str | None, field: str = "debt") -> Debt:
    """The debt to work on: the id given, or the case's only debt."""
    from xieshang.store.model import Debt

    if debt_id is None:
        debts = tx.find(Debt, case_id=case.id)
        if len(debts) == 1:
            return debts[0]
        if not debts:
            raise InputError(field, N_("the case has no debts yet; add one with "
                                       "`xieshang debt add`"))
        raise InputError(field, N_("the case has {count} debts: say which one (ids: {ids})"),
                         count=len(debts), ids=", ".join(str(d.id) for d in debts))
    debt = tx.get(Debt, parse_id(debt_id, field))
    if debt is None or debt.case_id != case.id:
        raise InputError(field, N_("case {case} has no debt {id}; see `xieshang debt list`"),
                         case=case.id, id=debt_id)
    return debt


@remembered(lambda debt: (debt.preset_id, debt.preset_id))
def preset_of(debt: Debt) -> Preset:
    """The preset a stored debt names (looked up once a product while a case is read)."""
    from xieshang.rules import load_preset

    return load_preset(debt.preset_id)


def validate_account(text: str) -> str:
    """A card or account number: Luhn-checked when it is a card number (12–19 digits)."""
    from xieshang.engine.identity import validate_card_number, validate_phone

    value = text.strip()
    digits = value.replace(" ", "").replace("-", "")
    try:
        if digits.isdigit() and 12 <= len(digits) <= 19:
            return validate_card_number(value)
        if digits.lstrip("+").isdigit() and len(digits.lstrip("+")) in (11, 13):
            return validate_phone(value)
    except InputError as error:
        raise InputError("account", error.message, **error.params) from None
    if not value:
        raise InputError("account", N_("an account number is needed"))
    if len(value) > 100:
        # never echo what may be a card or ID number
        raise InputError("account", N_("is too long for an account number (at most 100 "
                                       "characters)"))
    return value


def personal_values(full_name: str | None, id_number: str | None,
                     phone: str | None) -> dict[str, str | None]:
    """Checked personal fields; an empty value clears the field."""
    from xieshang.engine.identity import validate_id_number, validate_phone

    values: dict[str, str | None] = {}
    if full_name is not None:
        name = full_name.strip()
        if len(name) > 100:
            raise InputError("full_name", N_("must be at most {maximum} characters"),
                             maximum=100)
        values["full_name"] = name or None
    if id_number is not None:
        values["id_number"] = validate_id_number(id_number) if id_number.strip() else None
    if phone is not None:
        values["phone"] = validate_phone(phone) if phone.strip() else None
    return values


def check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 200:
        raise InputError("name", N_("give a name of 1 to 200 characters"))
    return cleaned


#: Reasons for falling behind (msgids).
REASONS = {
    "income_loss": N_("Loss of income"),
    "illness": N_("Illness or injury"),
    "business_failure": N_("Business failure"),
    "family_emergency": N_("Family emergency"),
    "forgot": N_("Forgot to pay"),
    "misread_due_date": N_("Misread the due date"),
    "other": N_("Other"),
}


EVIDENCE_KINDS = {
    "medical": N_("Medical records"),
    "unemployment": N_("Unemployment or dismissal papers"),
    "income": N_("Proof of income"),
    "business": N_("Business records"),
    "family": N_("Family circumstances"),
    "bill": N_("Lender's bill"),
    "chat": N_("Chat or call record"),
    "contract": N_("Contract"),
    "other": N_("Other"),
}


def choice_of(value: str, known: dict[str, str], field: str) -> str:
    key = value.strip().lower().replace("-", "_")
    if key not in known:
        raise InputError(field, N_("'{value}' is not one of: {known}"), value=value,
                         known=", ".join(known))
    return key


def check_recovery(start: date | None, end: date | None) -> None:
    """The expected recovery must not come before the hardship started (InputError)."""
    if start is not None and end is not None and end < start:
        raise InputError("recovery", N_("must not be before the start date {start}"),
                         start=start.isoformat())


class FieldChecks:
    """Every refused field of one form, raised together (:class:`InputErrors`) once all are
    read: ``check(parse)`` runs one field's parse and keeps its error (the hardship's, a
    contact's and a promise's fields are read with it)."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def __call__(self, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except InputErrors as error:
            self.errors.extend(error.errors)
        except InputError as error:
            self.errors.append(error)
        return None

    def needed(self, field: str) -> None:
        self.errors.append(InputError(field, N_("this field is needed")))

    def done(self) -> None:
        if self.errors:
            raise InputErrors(self.errors)


@dataclass(frozen=True)
class HardshipFields:
    """Why the person fell behind, as typed and checked. ``kept``: the fields not given (a
    new record leaves them empty, an edit keeps the stored values); a date given as empty
    text clears it."""

    reason: str
    since: date | None = None
    recovery: date | None = None
    description: str = ""
    kept: frozenset[str] = frozenset()


def hardship_fields(*, reason: str | None, since: str | None, recovery: str | None,
                    note: str | None, note_field: str = "note") -> HardshipFields:
    """The hardship's fields as typed (``hardship set`` and the Start page): ``reason`` one
    of :data:`REASONS` (needed), the dates ``YYYY-MM-DD`` with the recovery not before the
    start, the person's words (field ``note_field``) at most 4,000 characters. ``None``: not
    given (kept); an empty date: cleared. Raises :class:`InputErrors` naming every refused
    field, in the form's order."""
    from xieshang.engine.parsing import parse_date
    from xieshang.services.contacts import checked_text

    check = FieldChecks()
    key = None
    if not (reason or "").strip():
        check.needed("reason")
    else:
        key = check(lambda: choice_of(reason or "", REASONS, "reason"))
    start = check(lambda: parse_date(since, "since")) if since else None
    end = check(lambda: parse_date(recovery, "recovery")) if recovery else None
    check(lambda: check_recovery(start, end))
    words = check(lambda: checked_text(note, note_field, 4000)) if note is not None else None
    check.done()
    if key is None:  # refused above: done() has raised
        raise InputErrors(check.errors)
    kept = frozenset(name for name, text in (("since", since), ("recovery", recovery),
                                             ("description", note)) if text is None)
    return HardshipFields(key, start, end, words or "", kept)


def set_hardship(tx: Tx, case: Case, fields: HardshipFields,
                 version: str | int | None = None) -> Hardship:
    """Record why the person fell behind (one record per case: a second call changes what
    was given and keeps the rest).

    ``version``: the version the edit form was opened at (None: not checked).

    Raises:
        StaleRecord: the record changed since the form was opened; nothing is written.
        InputError: a kept start date after the new recovery date (or the reverse).
    """
    from dataclasses import replace

    from xieshang.store.model import Hardship

    given = {name: getattr(fields, name) for name in ("since", "recovery", "description")
             if name not in fields.kept}
    found = tx.find(Hardship, case_id=case.id)
    if not found:
        return tx.add(Hardship(case_id=case.id, reason=fields.reason, **given))
    current = found[0]
    tx.expect_version(current, version)
    changed = replace(current, reason=fields.reason, **given)
    check_recovery(changed.since, changed.recovery)
    return tx.update(changed)


def hardship_json(record: Any) -> dict[str, Any]:
    return {"reason": record.reason, "since": record.since, "recovery": record.recovery,
            "description": record.description}


def file_state(item: Any) -> str:
    from pathlib import Path

    path = Path(item.path)
    if not path.is_file():
        return "missing"
    return "ok" if file_sha256(path) == item.sha256 else "changed"


def file_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def debt_label(debt: Debt, lang: str) -> str:
    """``#3 花呗 账单``: the id and the person's label, or else the product's own name in
    ``lang`` (a language code of the preset's names: no translation)."""
    label = debt.label
    if not label:
        try:
            label = preset_of(debt).name.get(lang)
        except InputError:
            label = debt.preset_id
    return f"#{debt.id} {label}"
