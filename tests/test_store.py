"""The store: migrations, the schema, every record round-trips, transactions, encryption.

Every personal number here is made up by the test (check characters computed); no real
person's data.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from xieshang.engine.errors import InputError
from xieshang.engine.identity import id_check_character
from xieshang.store import schema
from xieshang.store.db import DB_FILE, Store, alembic_config, open_store, revision_of
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
    Reminder,
    Sealed,
    StatementImport,
    StatementRow,
)

ID_BODY = "32010219900307123"
ID_NUMBER = ID_BODY + id_check_character(ID_BODY)
PHONE = "13912345678"
CARD = "6222021234567890128"  # Luhn-valid, made up
PASSPHRASE = "correct horse battery"


def full_case(store: Store) -> dict[type, object]:
    """One record of every type, every field set to something other than its default."""
    saved: dict[type, object] = {}
    with store.begin() as tx:
        case = tx.add(Case(name="测试", full_name="王小二", id_number=ID_NUMBER, phone=PHONE,
                           notes="n", created_at=datetime(2026, 1, 2, 3, 4, 5)))
        debt = tx.add(Debt(
            case_id=case.id, preset_id="credit_card_cn", principal=Decimal("18600.00"),
            lender="招商银行", label="信用卡", account_number=CARD,
            interest=Decimal("12.34"), penalty=Decimal("5.00"), fees=Decimal("93.00"),
            not_yet_due=Decimal("100.00"), due_date=date(2026, 1, 10),
            contract_rate=Decimal("0.18"), contract_rate_basis="annual",
            penalty_daily_rate=Decimal("0.0005"), minimum=Decimal("1860.00"), due_day=10,
            status="arrangement", priority=2, adjustments={"grace_days": "3"},
            adjustments_basis={"code": "grace_days", "lender_total": "100.00"},
            adjustments_confirmed_on=date(2026, 2, 1), notes="note",
            created_at=datetime(2026, 1, 3)))
        payment = tx.add(Payment(debt_id=debt.id, paid_on=date(2026, 1, 20),
                                 amount=Decimal("500.00"), method="支付宝", note="p"))
        hardship = tx.add(Hardship(case_id=case.id, reason="illness", since=date(2025, 12, 1),
                                   recovery=date(2026, 6, 1), description="住院",
                                   updated_at=datetime(2026, 1, 4)))
        budget = tx.add(Budget(case_id=case.id, adults=2, children_0_4=1, children_5_10=2,
                               children_11_17=3, dependants=1, city_tier="tier1",
                               buffer=Decimal("200.00"), created_at=datetime(2026, 1, 5)))
        entry = tx.add(BudgetEntry(statement_id=budget.id, section="priority",
                                   category="rent", amount=Decimal("2500.00"), note="合租"))
        imported = tx.add(StatementImport(case_id=case.id, filename="a.csv", sha256="ab" * 32,
                                          format="alipay", months=3, statement_id=budget.id,
                                          imported_at=datetime(2026, 1, 6)))
        row = tx.add(StatementRow(import_id=imported.id, occurred_at=datetime(2025, 12, 1, 8),
                                  direction="expense", amount=Decimal("12.50"),
                                  category="food", source_category="餐饮美食",
                                  counterparty="早餐店", description="包子", method="花呗",
                                  status="交易成功", debt_repayment="huabei", source_row=7))
        contact = tx.add(Contact(case_id=case.id, happened_at=datetime(2026, 1, 7, 10, 30),
                                 channel="phone", debt_id=debt.id, agent_name="张",
                                 agent_id="A123", reference="R9", asked="分期", offered="12期",
                                 outcome="pending", notes="x",
                                 created_at=datetime(2026, 1, 7, 11)))
        revision = tx.add(ContactRevision(contact_id=contact.id,
                                          revised_at=datetime(2026, 1, 8),
                                          previous={"asked": "延期"}))
        proposal = tx.add(Proposal(debt_id=debt.id, kind="personalised",
                                   params={"periods": 12, "waive_penalty": "1"},
                                   created_on=date(2026, 1, 7), status="offered",
                                   contact_id=contact.id, decided_on=date(2026, 1, 9),
                                   note="y"))
        commitment = tx.add(Commitment(case_id=case.id, party="lender", description="书面确认",
                                       debt_id=debt.id, contact_id=contact.id,
                                       amount=Decimal("1000.00"), due_on=date(2026, 2, 1),
                                       condition="先还10%", confirmed_in_writing=True,
                                       status="kept", note="z",
                                       created_at=datetime(2026, 1, 9)))
        evidence = tx.add(Evidence(case_id=case.id, sha256="cd" * 32, path="/tmp/x.pdf",
                                   added_on=date(2026, 1, 9), kind="medical", note="诊断",
                                   debt_id=debt.id, contact_id=contact.id))
        reminder = tx.add(Reminder(case_id=case.id, due_on=date(2026, 2, 1), kind="payment",
                                   title="还款", debt_id=debt.id, commitment_id=commitment.id,
                                   done=True))
    for record in (case, debt, payment, hardship, budget, entry, imported, row, contact,
                   revision, proposal, commitment, evidence, reminder):
        saved[type(record)] = record
    return saved


# ---------------------------------------------------------------------------- migrations


def test_migrations_build_the_schema_from_an_empty_database(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store, store.begin() as tx:
        assert revision_of(tx.connection) == schema.HEAD_REVISION
    with sqlite3.connect(tmp_path / DB_FILE) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == set(schema.metadata.tables) | {"alembic_version"}


def test_alembic_head_matches_schema_py(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_current_head() == schema.HEAD_REVISION
    assert tuple(reversed([s.revision for s in scripts.walk_revisions()])) == \
        schema.KNOWN_REVISIONS
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, schema.metadata) == []


def test_reflected_schema_equals_the_metadata(store: Store) -> None:
    from sqlalchemy import inspect

    with store.engine.connect() as connection:
        inspector = inspect(connection)
        for table in schema.metadata.sorted_tables:
            reflected = {c["name"]: c for c in inspector.get_columns(table.name)}
            assert list(reflected) == [c.name for c in table.columns], table.name
            for column in table.columns:
                assert reflected[column.name]["nullable"] == column.nullable, column
                assert str(reflected[column.name]["type"]) == \
                    str(column.type.compile(dialect=connection.dialect)), column
            keys = {(fk["constrained_columns"][0], fk["referred_table"],
                     fk["options"].get("ondelete"))
                    for fk in inspector.get_foreign_keys(table.name)}
            assert keys == {(fk.parent.name, fk.column.table.name, fk.ondelete)
                            for fk in table.foreign_keys}, table.name


def test_sqlite_settings(store: Store) -> None:
    with store.begin() as tx:
        conn = tx.connection
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_reopening_an_up_to_date_store_does_not_load_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    open_store(data_dir=tmp_path).close()
    code = ("import sys; from xieshang.store.db import open_store; "
            "open_store(data_dir=sys.argv[1]).close(); print('alembic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    open_store(data_dir=tmp_path).close()
    with sqlite3.connect(tmp_path / DB_FILE) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(InputError, match="9999"):
        open_store(data_dir=tmp_path)


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    with sqlite3.connect(tmp_path / DB_FILE) as db:
        db.execute("CREATE TABLE something (x)")
    with pytest.raises(InputError, match="not a xieshang database"):
        open_store(data_dir=tmp_path)


def test_the_database_file_is_private(tmp_path: Path) -> None:
    open_store(data_dir=tmp_path / "home").close()
    assert (tmp_path / "home" / DB_FILE).stat().st_mode & 0o077 == 0


# ----------------------------------------------------------------------------- records


def test_every_record_type_round_trips(store: Store) -> None:
    saved = full_case(store)
    assert set(saved) == set(RECORDS)
    with store.begin(readonly=True) as tx:
        for kind, record in saved.items():
            assert record.id > 0  # type: ignore[attr-defined]
            assert tx.get(kind, record.id) == record  # type: ignore[arg-type,attr-defined]
    with sqlite3.connect(store.sqlite_path) as db:  # type: ignore[arg-type]
        row = db.execute(
            "SELECT principal_fen, contract_rate, adjustments FROM debts").fetchone()
    assert row == (1860000, "0.18", '{"grace_days":"3"}')


def test_defaults_and_stamps(store: Store) -> None:
    with store.begin() as tx:
        case = tx.add(Case(name="a"))
        debt = tx.add(Debt(case_id=case.id, preset_id="huabei", principal=Decimal("1.00")))
    assert case.created_at is not None
    assert case.created_at.microsecond == 0
    assert debt.status == "open"
    assert debt.interest == Decimal("0.00")


def _add_then_fail(store: Store) -> None:
    with store.begin() as tx:
        tx.add(Case(name="a"))
        raise RuntimeError("boom")


def test_a_failed_transaction_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        _add_then_fail(store)
    with store.begin() as tx:
        assert tx.count(Case) == 0


def test_constraints_hold(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    with store.begin() as tx:
        case = tx.add(Case(name="a"))
    for debt in (Debt(case_id=99, preset_id="huabei", principal=Decimal("1.00")),
                 Debt(case_id=case.id, preset_id="huabei", principal=Decimal("1.00"),
                      status="forgotten")):
        with store.begin() as tx, pytest.raises(IntegrityError):
            tx.add(debt)


def test_removing_a_case_removes_what_it_owns(store: Store) -> None:
    saved = full_case(store)
    with store.begin() as tx:
        assert tx.delete(Case, saved[Case].id)  # type: ignore[attr-defined]
    with store.begin() as tx:
        for kind in RECORDS:
            assert tx.count(kind) == 0, kind


def test_removing_a_debt_keeps_the_contact_log(store: Store) -> None:
    saved = full_case(store)
    with store.begin() as tx:
        tx.delete(Debt, saved[Debt].id)  # type: ignore[attr-defined]
    with store.begin() as tx:
        contact = tx.get(Contact, saved[Contact].id)  # type: ignore[attr-defined]
        assert contact is not None
        assert contact.debt_id is None
        assert tx.count(Payment) == 0
        assert tx.count(Proposal) == 0


def test_editing_a_contact_keeps_the_previous_version(store: Store) -> None:
    with store.begin() as tx:
        case = tx.add(Case(name="a"))
        contact = tx.add(Contact(case_id=case.id, happened_at=datetime(2026, 1, 1, 9),
                                 channel="phone", offered="6期"))
        tx.update(replace(contact, offered="12期"))
        tx.update(replace(contact, offered="12期"))  # unchanged: no new revision
    with store.begin() as tx:
        revisions = tx.find(ContactRevision, contact_id=contact.id)
        assert [r.previous["offered"] for r in revisions] == ["6期"]
        assert tx.get(Contact, contact.id).offered == "12期"  # type: ignore[union-attr]


def test_current_case(store: Store) -> None:
    with store.begin() as tx:
        assert tx.current_case() is None
        first = tx.add(Case(name="a"))
        assert tx.current_case() == first  # the only one
        second = tx.add(Case(name="b"))
        assert tx.current_case() is None
        tx.use_case(second.id)
        assert tx.current_case() == second


# -------------------------------------------------------------------------- encryption


def _raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_encrypted_fields_are_unreadable_in_the_file(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store:
        full_case(store)
        with store.begin() as tx:
            assert tx.enable_encryption(PASSPHRASE) == 6
        store.checkpoint()
    raw = _raw(tmp_path / DB_FILE)
    for secret in (ID_NUMBER, PHONE, CARD, "王小二", "早餐店", "包子"):
        assert secret.encode() not in raw, secret
    assert "招商银行".encode() in raw  # the rest is not encrypted


def test_locked_without_the_passphrase_and_open_with_it(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store:
        saved = full_case(store)
        with store.begin() as tx:
            tx.enable_encryption(PASSPHRASE)
    case_id = saved[Case].id  # type: ignore[attr-defined]
    with open_store(data_dir=tmp_path) as store, store.begin() as tx:
        case = tx.get(Case, case_id)
        assert case is not None
        assert isinstance(case.id_number, Sealed)
        assert case.name == "测试"
        tx.update(replace(case, notes="changed while locked"))  # tokens written back as is
        with pytest.raises(InputError, match="encrypted"):
            tx.update(replace(case, phone="13800000000"))
    with open_store(data_dir=tmp_path, passphrase=PASSPHRASE) as store, store.begin() as tx:
        case = tx.get(Case, case_id)
        assert case is not None
        assert (case.id_number, case.phone) == (ID_NUMBER, PHONE)
        assert case.notes == "changed while locked"
        assert tx.find(StatementRow)[0].counterparty == "早餐店"


def test_a_wrong_passphrase_is_refused(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store:
        full_case(store)
        with store.begin() as tx:
            tx.enable_encryption(PASSPHRASE)
    with open_store(data_dir=tmp_path, passphrase="not the passphrase") as store, \
            store.begin() as tx, pytest.raises(InputError, match="wrong passphrase"):
        tx.find(Case)


def test_a_short_passphrase_is_refused(store: Store) -> None:
    with store.begin() as tx, pytest.raises(InputError, match="at least 8"):
        tx.enable_encryption("short")


def test_encryption_can_be_turned_off(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store:
        saved = full_case(store)
        with store.begin() as tx:
            tx.enable_encryption(PASSPHRASE)
    with open_store(data_dir=tmp_path, passphrase=lambda: PASSPHRASE) as store, \
            store.begin() as tx:
        assert tx.disable_encryption() == 6
    with open_store(data_dir=tmp_path) as store, store.begin() as tx:
        assert not tx.encrypted
        assert tx.get(Case, saved[Case].id).id_number == ID_NUMBER  # type: ignore[attr-defined,union-attr]


def test_tokens_are_bound_to_their_field() -> None:
    from xieshang.store.crypto import KdfParams, Vault

    vault = Vault.derive(PASSPHRASE, KdfParams(salt=b"0" * 16, n=2**10))
    token = vault.seal(ID_NUMBER, "cases.id_number")
    assert token.startswith("enc1:")
    assert ID_NUMBER not in token
    assert vault.open(token, "cases.id_number") == ID_NUMBER
    assert vault.seal(ID_NUMBER, "cases.id_number") != token  # a fresh nonce each time
    with pytest.raises(InputError):
        vault.open(token, "cases.phone")


def test_an_unusable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError) as caught:
        open_store(data_dir=blocker / "home")
    assert caught.value.field == "data_dir"
    with pytest.raises(InputError) as caught:
        open_store(url="nosuchdialect://x")
    assert caught.value.field == "db_url"
    with pytest.raises(InputError) as caught:
        open_store(url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    assert caught.value.field == "db"


def test_an_old_store_is_migrated_step_by_step(tmp_path: Path) -> None:
    """A store made at revision 0001 (direction limited to 8 characters) opens at the head
    revision with its data, and then takes the 12-character "debt_payment"."""
    import sqlalchemy
    from alembic import command

    path = tmp_path / DB_FILE
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection, connection.begin():
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO cases (name, notes, created_at) VALUES ('旧', '', '2026-01-01')")
    engine.dispose()
    with open_store(data_dir=tmp_path) as store, store.begin() as tx:
        assert [case.name for case in tx.find(Case)] == ["旧"]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == \
            schema.HEAD_REVISION
        ddl = db.execute("SELECT sql FROM sqlite_master WHERE name = 'transactions'").fetchone()
        assert "VARCHAR(16)" in ddl[0]


def test_a_refused_write_is_a_clear_error_without_the_data(store: Store) -> None:
    """A database error becomes one message naming its kind; the statement's values
    (which may be personal) are not in it, and nothing is written."""
    def write() -> None:
        with store.begin() as tx:
            tx.connection.exec_driver_sql(
                "INSERT INTO cases (name, notes, created_at) "
                "VALUES ('秘密名字', '', '2026-01-01')")
            tx.connection.exec_driver_sql("INSERT INTO debts (case_id) VALUES (999999)")

    with pytest.raises(InputError) as caught:
        write()
    assert caught.value.field == "db"
    assert "IntegrityError" in str(caught.value)
    assert "秘密名字" not in str(caught.value)
    with store.begin() as tx:
        assert tx.find(Case) == []
