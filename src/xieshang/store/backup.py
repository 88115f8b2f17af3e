"""Backups of a SQLite store and restoring them.

:func:`backup` copies the database with SQLite's online backup API: a consistent snapshot
even while another program writes (WAL), into a single self-contained file
(``journal_mode=DELETE``). :func:`restore` first checks that a file is a xieshang database
at a migration this version knows (and passes ``PRAGMA integrity_check``), keeps a backup
of the current database beside the others, then copies the file in with the same API and
upgrades it to the newest schema.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from xieshang.clock import now_local
from xieshang.engine.errors import N_, InputError
from xieshang.store import schema
from xieshang.store.db import DiskFull, Store, store_trouble

__all__ = ["KEEP_PRE_RESTORE", "backup", "backup_dir", "check_backup", "prune_pre_restore",
           "restore"]

#: How many copies made before a restore (``before-restore-….db``) are kept; older ones
#: are deleted after each restore.
KEEP_PRE_RESTORE = 5
_PRE_RESTORE = re.compile(r"before-restore-(\d{8}-\d{6})(?:-(\d+))?\.db")


def _path(store: Store) -> Path:
    path = store.sqlite_path
    if path is None:
        raise InputError("db", N_("backup and restore work on a SQLite store; for PostgreSQL "
                                  "use pg_dump and pg_restore"))
    return path


def backup_dir(store: Store) -> Path:
    """``backups/`` beside the database file."""
    return _path(store).parent / "backups"


def backup(store: Store, output: Path | None = None, *, prefix: str = "xieshang") -> Path:
    """Write a snapshot of the store to ``output`` (default: a dated file in
    :func:`backup_dir`); refuses to overwrite a file. Returns the path written."""
    source = _path(store)
    if output is None:
        folder = backup_dir(store)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        output = folder / f"{prefix}-{now_local().strftime('%Y%m%d-%H%M%S')}.db"
        counter = 1
        while output.exists():
            counter += 1
            output = folder / f"{prefix}-{now_local().strftime('%Y%m%d-%H%M%S')}-{counter}.db"
    if output.exists():
        raise InputError("output", N_("{file} already exists; choose another name"),
                         file=str(output))
    if not output.parent.is_dir():
        raise InputError("output", N_("folder not found: {folder}"), folder=str(output.parent))
    partial: Path | None = None
    try:
        # made empty and readable by this user only before SQLite writes a byte into it, so
        # a backup killed half-way leaves nothing another user can read
        handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.",
                                        suffix=".partial")
        os.close(handle)
        partial = Path(name)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        partial.chmod(0o600)
        os.replace(partial, output)
    except (OSError, sqlite3.Error) as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        if isinstance(store_trouble(error), DiskFull):
            raise DiskFull() from None
        raise InputError("output", N_("cannot write {file}: {error}"), file=str(output),
                         error=str(error)) from None
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    return output


def check_backup(file: Path) -> str:
    """The migration revision of a backup file, after checking it is a sound xieshang
    database this version can read.

    Raises:
        InputError: (field ``file``) naming the file and what is wrong.
    """
    if not file.is_file():
        raise InputError("file", N_("file not found: {file}"), file=str(file))
    with file.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise InputError("file", N_("{file} is not a SQLite database"), file=str(file))
    try:
        with closing(sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)) as db:
            ok = db.execute("PRAGMA integrity_check").fetchone()
            if not ok or ok[0] != "ok":
                raise InputError("file", N_("{file} is damaged (integrity check: {result})"),
                                 file=str(file), result=str(ok[0] if ok else "?"))
            names = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "cases", "settings"} <= names:
                raise InputError("file", N_("{file} is not a xieshang database"),
                                 file=str(file))
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as error:
        raise InputError("file", N_("cannot read {file}: {error}"), file=str(file),
                         error=str(error)) from None
    revision = str(row[0]) if row else ""
    if revision not in schema.KNOWN_REVISIONS:
        raise InputError("file", N_("{file} is at schema revision {revision}, which this "
                                    "xieshang does not know"), file=str(file),
                         revision=revision or "?")
    return revision


def restore(store: Store, file: Path) -> Path:
    """Replace the store's database with a backup; returns the copy kept of the old one."""
    target = _path(store)
    check_backup(file)
    kept = backup(store, prefix="before-restore")
    store.close()
    try:
        with closing(sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except sqlite3.Error as error:
        raise InputError("file", N_("cannot restore {file}: {error}"), file=str(file),
                         error=str(error)) from None
    store.migrate()
    prune_pre_restore(store)
    return kept


def prune_pre_restore(store: Store, keep: int = KEEP_PRE_RESTORE) -> list[Path]:
    """Delete all but the newest ``keep`` copies made before a restore; returns those
    deleted. Other backups are never touched."""
    folder = backup_dir(store)
    if not folder.is_dir():
        return []
    found = []
    for file in folder.iterdir():
        match = _PRE_RESTORE.fullmatch(file.name)
        if match and file.is_file():
            found.append(((match.group(1), int(match.group(2) or 1)), file))
    found.sort()
    removed = [file for _key, file in found[:max(len(found) - keep, 0)]]
    for file in removed:
        file.unlink(missing_ok=True)
    return removed
