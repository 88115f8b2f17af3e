"""Backups (SQLite's online backup API) and restoring them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from test_store import full_case
from xieshang.engine.errors import InputError
from xieshang.store import schema
from xieshang.store.backup import backup, backup_dir, check_backup, restore
from xieshang.store.db import DB_FILE, open_store
from xieshang.store.model import Case, Debt


def test_backup_is_a_consistent_self_contained_copy(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store:
        full_case(store)
        written = backup(store)
    assert written.parent == tmp_path / "backups"
    assert check_backup(written) == schema.HEAD_REVISION
    with sqlite3.connect(written) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("SELECT count(*) FROM debts").fetchone()[0] == 1
    assert not list(tmp_path.glob("backups/*-wal"))
    assert written.stat().st_mode & 0o077 == 0


def test_backup_refuses_to_overwrite(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store:
        target = backup(store, tmp_path / "one.db")
        with pytest.raises(InputError, match="already exists"):
            backup(store, target)


def test_restore_brings_back_the_data_and_keeps_a_copy(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store:
        saved = full_case(store)
        snapshot = backup(store, tmp_path / "snapshot.db")
        with store.begin() as tx:
            tx.delete(Case, saved[Case].id)  # type: ignore[attr-defined]
            tx.add(Case(name="after"))
        kept = restore(store, snapshot)
        with store.begin() as tx:
            assert [c.name for c in tx.find(Case)] == ["测试"]
            assert tx.get(Debt, saved[Debt].id) == saved[Debt]  # type: ignore[attr-defined]
    assert kept.parent == backup_dir_of(tmp_path)
    with sqlite3.connect(kept) as db:
        assert [r[0] for r in db.execute("SELECT name FROM cases")] == ["after"]


def backup_dir_of(folder: Path) -> Path:
    with open_store(data_dir=folder) as store:
        return backup_dir(store)


def test_restore_refuses_what_is_not_a_known_xieshang_database(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path / "home") as store:
        full_case(store)
    before = dump(tmp_path / "home" / DB_FILE)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.db"
    with open_store(data_dir=tmp_path / "n") as store:
        backup(store, newer)
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    for bad, message in ((text, "not a SQLite database"), (other, "not a xieshang database"),
                         (newer, "9999"), (tmp_path / "missing.db", "not found")):
        with open_store(data_dir=tmp_path / "home") as store, \
                pytest.raises(InputError, match=message):
            restore(store, bad)
    assert not (tmp_path / "home" / "backups").exists()
    assert dump(tmp_path / "home" / DB_FILE) == before


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())
