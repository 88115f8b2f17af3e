"""One case as one JSON document: export → import → export gives the same bytes; an import
always makes a new case; a bad document writes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from test_store import CARD, ID_NUMBER, PASSPHRASE, full_case
from xieshang.engine.errors import InputError
from xieshang.store.db import DB_FILE, Store, open_store
from xieshang.store.exchange import FORMAT, VERSION, dumps, export_case, import_case, loads
from xieshang.store.model import RECORDS, Case, Debt, StatementRow


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


def export_text(store: Store, case_id: int, **options: Any) -> str:
    with store.begin(readonly=True) as tx:
        return dumps(export_case(tx, case_id, **options))


def test_export_import_export_is_byte_identical(store: Store) -> None:
    saved = full_case(store)
    first = export_text(store, saved[Case].id)  # type: ignore[attr-defined]
    with store.begin() as tx:
        copy = import_case(tx, loads(first, "case.json"), "case.json")
    assert copy.id != saved[Case].id  # type: ignore[attr-defined]
    assert export_text(store, copy.id) == first
    document = json.loads(first)
    assert document["format"] == FORMAT
    assert document["version"] == VERSION
    assert {"debts", "payments", "contacts", "transactions", "reminders"} <= set(document)
    assert document["payments"][0]["debt"] == 1  # links by ref, not by database id
    assert document["debts"][0]["principal"] == "18600.00"


def test_the_case_checklist_travels_with_the_case(store: Store) -> None:
    saved = full_case(store)
    case_id = saved[Case].id  # type: ignore[attr-defined]
    checklist = '{"done": ["reminders", "no_new_borrowing"], "other": "", "saved_on": "2026-11-29"}'
    with store.begin() as tx:
        tx.set_setting(f"prevent:{case_id}", checklist)
    first = export_text(store, case_id)
    assert json.loads(first)["settings"] == {"prevent": checklist}
    with store.begin() as tx:
        copy = import_case(tx, loads(first, "case.json"), "case.json")
    with store.begin(readonly=True) as tx:
        assert tx.setting(f"prevent:{copy.id}") == checklist
    assert export_text(store, copy.id) == first
    bad = json.loads(first)
    bad["settings"] = {"web_password": "x"}  # only a case's own settings come in
    with pytest.raises(InputError, match=r"settings\.web_password"), store.begin() as tx:
        import_case(tx, bad, "case.json")


def test_an_import_never_overwrites(store: Store) -> None:
    saved = full_case(store)
    text = export_text(store, saved[Case].id)  # type: ignore[attr-defined]
    with store.begin() as tx:
        before = {kind: tx.count(kind) for kind in RECORDS}
        import_case(tx, loads(text, "c.json"), "c.json")
        import_case(tx, loads(text, "c.json"), "c.json")
        after = {kind: tx.count(kind) for kind in RECORDS}
    assert after == {kind: 3 * count for kind, count in before.items()}
    with store.begin() as tx:
        assert tx.get(Case, saved[Case].id) == saved[Case]  # type: ignore[attr-defined]


def test_without_personal_data(store: Store) -> None:
    saved = full_case(store)
    text = export_text(store, saved[Case].id, personal=False)  # type: ignore[attr-defined]
    assert ID_NUMBER not in text
    assert CARD not in text
    assert "早餐店" not in text
    document = json.loads(text)
    assert document["case"]["id_number"] is None
    assert document["case"]["name"] == "测试"


def test_locked_personal_data_is_not_exported(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store:
        saved = full_case(store)
        with store.begin() as tx:
            tx.enable_encryption(PASSPHRASE)
    case_id = saved[Case].id  # type: ignore[attr-defined]
    with open_store(data_dir=tmp_path) as store:
        with pytest.raises(InputError, match="encrypted"):
            export_text(store, case_id)
        assert ID_NUMBER not in export_text(store, case_id, personal=False)
    with open_store(data_dir=tmp_path, passphrase=PASSPHRASE) as store:
        text = export_text(store, case_id)
        assert ID_NUMBER in text
        with store.begin() as tx:  # imported personal data is encrypted too
            copy = import_case(tx, loads(text, "c.json"), "c.json")
        assert export_text(store, copy.id) == text
    with sqlite3.connect(tmp_path / DB_FILE) as db:
        ids = [r[0] for r in db.execute("SELECT id_number FROM cases")]
    assert all(value.startswith("enc1:") for value in ids)


def _valid(store: Store) -> dict[str, Any]:
    saved = full_case(store)
    return json.loads(export_text(store, saved[Case].id))  # type: ignore[attr-defined]


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d["debts"][0].update(principal="12.345"), "debts[0].principal"),
    (lambda d: d["debts"][0].update(due_date="2026-02-30"), "debts[0].due_date"),
    (lambda d: d["debts"][0].update(status="forgotten"), "debts[0]"),
    (lambda d: d["payments"][0].update(debt=7), "payments[0].debt"),
    (lambda d: d["payments"][0].update(surprise=1), "payments[0]"),
    (lambda d: d["payments"][0].pop("amount"), "payments[0].amount"),
    (lambda d: d["contacts"][0].update(ref=1.5), "contacts[0].ref"),
    (lambda d: d["case"].update(name=None), "case.name"),
    (lambda d: d["transactions"][0].update(amount=12.5), "transactions[0].amount"),
])
def test_a_bad_entry_is_named_and_nothing_is_written(store: Store, change: Any,
                                                     where: str) -> None:
    document = _valid(store)
    change(document)
    before = dump(store.sqlite_path)  # type: ignore[arg-type]
    with pytest.raises(InputError) as caught, store.begin() as tx:
        import_case(tx, loads(json.dumps(document), "bad.json"), "bad.json")
    assert where in f"{caught.value.field} {caught.value}"
    assert dump(store.sqlite_path) == before  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"),
    ('{"format": "other"}', "not a xieshang case export"),
    ('{"format": "xieshang-case", "version": 2}', "version 2"),
])
def test_a_file_that_is_not_an_export_is_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        loads(text, "x.json")


def test_the_check_hook_can_refuse_a_value(store: Store) -> None:
    document = _valid(store)

    def check(where: str, field: str, value: Any) -> None:
        if field == "preset_id" and value == "credit_card_cn":
            raise InputError(where, "unknown product")

    with pytest.raises(InputError) as caught, store.begin() as tx:
        import_case(tx, document, "x.json", check=check)
    assert caught.value.field == "x.json: debts[0].preset_id"
    with store.begin() as tx:
        assert tx.count(Debt) == 1
        assert tx.count(StatementRow) == 1
