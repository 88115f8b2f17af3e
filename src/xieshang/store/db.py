"""Opening the store and working in it: one transaction per command.

::

    with open_store(data_dir=folder) as store:
        with store.begin() as tx:          # BEGIN IMMEDIATE … COMMIT (ROLLBACK on error)
            case = tx.add(Case(name="李明"))
            tx.add(Debt(case_id=case.id, preset_id="huabei", principal=D("3280.50")))

SQLite (the default, ``<data dir>/xieshang.db``) runs in WAL mode with foreign keys on and a
busy timeout; a write transaction starts with ``BEGIN IMMEDIATE`` so two programs never
dead-lock upgrading a read lock. PostgreSQL works by URL (``--db-url`` /
``XIESHANG_DB_URL``, e.g. ``postgresql+psycopg://user@host/xieshang``).

The schema is created and upgraded only by the Alembic migrations in ``migrations/``, run
programmatically when the store opens (Alembic is imported only when the database is not at
the newest revision). A database at a revision this version does not know is refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)

from xieshang.clock import now_local
from xieshang.engine.errors import N_, InputError, StateError, XieshangError
from xieshang.engine.money import from_fen, to_fen
from xieshang.store import schema
from xieshang.store.crypto import TOKEN_PREFIX, Vault, new_vault, unlock
from xieshang.store.model import (
    Case,
    Contact,
    ContactRevision,
    Record,
    Sealed,
    dump_json,
)

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["DB_FILE", "DiskFull", "StaleRecord", "Store", "StoreBusy", "StoreIOError",
           "StoreUnavailable", "Tx", "alembic_config", "open_store", "plain", "store_trouble"]

R = TypeVar("R", bound=Record)

DB_FILE = "xieshang.db"
_BUSY_TIMEOUT_MS = 10_000
PassphraseSource = str | Callable[[], str | None] | None


class StoreUnavailable(XieshangError):
    """The case file cannot be used right now: another program is writing to it, the disk
    is full, or reading or writing it failed. Nothing was written."""


class StoreBusy(StoreUnavailable):
    """Another program held the write lock past the busy timeout."""

    def __init__(self) -> None:
        super().__init__(N_("another xieshang is writing to this case file; try again in a "
                            "moment"))


class DiskFull(StoreUnavailable):
    """The disk (or the quota) is full."""

    def __init__(self) -> None:
        super().__init__(N_("the disk is full: free some space and try again"))


class StoreIOError(StoreUnavailable):
    """Reading or writing the case file failed (a disk I/O error, a read-only file …)."""

    def __init__(self, error: str) -> None:
        super().__init__(N_("the case file could not be read or written: {error}"),
                         error=error)


#: SQLite's primary result codes that say why the store is unavailable.
#: (A file that cannot be opened at all keeps its own message, naming the path.)
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL = 5, 6, 8, 10, 13


def store_trouble(error: BaseException) -> StoreUnavailable | None:
    """What a database or file error says about the store (busy, disk full, I/O), or None
    when it is some other error. Takes a DBAPI error, SQLAlchemy's wrapper or an OSError."""
    import errno

    if isinstance(error, StoreUnavailable):
        return error
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, OSError):
        if cause.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return DiskFull()
        if cause.errno in (errno.EIO, errno.EROFS):
            return StoreIOError(cause.strerror or str(cause))
        return None
    code = getattr(cause, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(cause).lower()
    if primary == _SQLITE_FULL or "database or disk is full" in text:
        return DiskFull()
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or text.startswith(("database is locked",
                                                                     "database is busy",
                                                                     "database table is "
                                                                     "locked")):
        return StoreBusy()
    if primary in (_SQLITE_IOERR, _SQLITE_READONLY) or text.startswith((
            "disk i/o error", "attempt to write a readonly database")):
        return StoreIOError(str(cause))
    return None


class StaleRecord(InputError):
    """An update based on an older version of a record than the one stored (another tab,
    or the command line, changed it meanwhile); the transaction rolls back, nothing is
    written. ``table`` and ``ident`` name the record."""

    def __init__(self, table: str, ident: int) -> None:
        self.table = table
        self.ident = ident
        super().__init__("version", N_("changed since you opened it: nothing was saved; "
                                       "look at what changed and make your change again"))


# ------------------------------------------------------------------------------ opening


def open_store(*, data_dir: str | Path | None = None, url: str | None = None,
               passphrase: PassphraseSource = None) -> Store:
    """Open (creating and migrating as needed) the store.

    Args:
        data_dir: the data folder (default: ``$XIESHANG_HOME`` or the platform's).
        url: a database URL; overrides the folder (default: ``$XIESHANG_DB_URL``).
        passphrase: the passphrase for encrypted personal fields, or a function asked for
            it the first time one is needed (returning None leaves them locked).
    """
    from sqlalchemy.exc import DatabaseError, OperationalError

    from xieshang.paths import data_dir as resolve_dir

    url = url or os.environ.get("XIESHANG_DB_URL") or None
    if url is None:
        folder = resolve_dir(data_dir)
        path = folder / DB_FILE
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as error:
            trouble = store_trouble(error)
            if trouble is not None:
                raise trouble from None
            raise InputError("data_dir", N_("cannot use the data folder {folder}: {error}"),
                             folder=str(folder), error=error.strerror or str(error)) from None
        from sqlalchemy.engine import URL

        # hide_parameters: an error or a log line never shows a statement's values (personal data)
        engine = create_engine(URL.create("sqlite+pysqlite", database=str(path)),
                               hide_parameters=True)
    else:
        from sqlalchemy.exc import ArgumentError
        try:
            engine = create_engine(url, hide_parameters=True)
        except (ArgumentError, ImportError) as error:
            raise InputError("db_url", N_("cannot use the database URL: {error}"),
                             error=str(error)) from None
    store = Store(engine, passphrase=passphrase)
    try:
        store.migrate()
    except OperationalError as error:
        store.close()
        trouble = store_trouble(error)
        if trouble is not None:
            raise trouble from None
        raise InputError("db", N_("cannot open the database: {error}"),
                         error=str(error.orig)) from None
    except DatabaseError as error:  # a file that is not a SQLite database (or is damaged)
        store.close()
        raise InputError("db_url" if url else "data_dir",
                         N_("{file} is not a database xieshang can open ({error}); check the "
                            "path, or restore a backup"),
                         file=engine.url.database or engine.url.render_as_string(),
                         error=str(error.orig)) from None
    except BaseException:
        store.close()
        raise
    return store


def _sqlite_setup(engine: Engine) -> None:
    """PRAGMAs on every new connection; explicit BEGIN (pysqlite's own is off)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA secure_delete=ON")  # freed space holds no old personal data
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("xieshang_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _stored_decimal(value: Any) -> Decimal:
    """A rate as it was stored, even one out of bounds or unreadable (NaN then): such a
    value marks its debt as needing a fix (``services.debts.debt_problems``) instead of
    failing every read of the case."""
    import decimal

    try:
        return Decimal(str(value))
    except decimal.InvalidOperation:
        return Decimal("NaN")


def alembic_config() -> Config:
    """The Alembic configuration, built in code (no ``alembic.ini`` needed)."""
    from alembic.config import Config

    config = Config()
    location = str(Path(__file__).parent / "migrations").replace("%", "%%")
    config.set_main_option("script_location", location)
    return config


# -------------------------------------------------------------------------------- store


class Store:
    """An open database. Use :meth:`begin` for every unit of work; :meth:`close` at the end."""

    def __init__(self, engine: Engine, *, passphrase: PassphraseSource = None) -> None:
        self.engine = engine
        self._passphrase = passphrase
        self._vault: Vault | None = None
        self._asked = False
        if engine.dialect.name == "sqlite":
            _sqlite_setup(engine)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection."""
        self.engine.dispose()

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, for a SQLite store."""
        if self.engine.dialect.name != "sqlite":
            return None
        database = self.engine.url.database
        if not database or database == ":memory:":
            return None
        return Path(database)

    @contextmanager
    def begin(self, *, readonly: bool = False) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as connection:
                connection.execution_options(
                    xieshang_begin="DEFERRED" if readonly else "IMMEDIATE")
                with connection.begin():
                    yield Tx(connection, self, readonly=readonly)
        except DBAPIError as error:
            trouble = store_trouble(error)
            if trouble is not None:  # busy, disk full, I/O: named as such
                raise trouble from error
            # the transaction is rolled back; say so without the statement's parameters,
            # which may hold personal data
            raise InputError("db", N_("the database refused the change ({kind}); nothing was "
                                      "written"),
                             kind=type(error.orig).__name__ if error.orig else "error") from error

    # -- schema ------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest revision (in one transaction).

        The revision is first read in a read transaction: a store already at the newest
        one is opened without asking for the write lock, so reading works while another
        program writes, or when nothing can be written (a full disk)."""
        with self.engine.connect() as connection:
            connection.execution_options(xieshang_begin="DEFERRED")
            with connection.begin():
                if revision_of(connection) == schema.HEAD_REVISION:
                    return
        with self.engine.connect() as connection, connection.begin():
            current = revision_of(connection)
            if current == schema.HEAD_REVISION:
                return
            if current is None and _has_foreign_tables(connection):
                raise InputError("db", N_("{where} is not a xieshang database"),
                                 where=str(self.sqlite_path or self.engine.url))
            if current is not None and current not in schema.KNOWN_REVISIONS:
                raise InputError("db", N_("the database is at revision {revision}, made by "
                                          "a newer xieshang; update xieshang"),
                                 revision=current)
            from alembic import command

            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    # -- encryption --------------------------------------------------------------------

    def vault(self, tx: Tx, *, required: bool) -> Vault | None:
        """The vault for personal fields, asking for the passphrase the first time."""
        if self._vault is not None:
            return self._vault
        setting = tx.setting("crypto")
        if setting is None:
            return None
        if not self._asked:
            self._asked = True
            given = self._passphrase() if callable(self._passphrase) else self._passphrase
            if given:
                self._vault = unlock(given, setting)
        if self._vault is None and required:
            raise InputError("passphrase", N_("personal data in this store is encrypted: give "
                                              "the passphrase (--passphrase-file or "
                                              "XIESHANG_PASSPHRASE)"))
        return self._vault

    def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database and empty it (so no earlier
        version of a changed value stays in the log file)."""
        if self.engine.dialect.name == "sqlite":
            import sqlite3

            from sqlalchemy.exc import DBAPIError

            try:
                raw = self.engine.raw_connection()
                try:
                    cursor = raw.cursor()
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    cursor.close()
                finally:
                    raw.close()
            except (DBAPIError, sqlite3.Error) as error:
                trouble = store_trouble(error)
                if trouble is None:
                    raise
                raise trouble from None

    def use_passphrase(self, source: PassphraseSource) -> None:
        """Take the passphrase from ``source`` from now on, forgetting any vault unlocked
        before (the next read of an encrypted field asks ``source`` again)."""
        self._passphrase = source
        self.forget_passphrase()

    def forget_passphrase(self) -> None:
        """Lock the personal fields again: drop the unlocked vault; the next read of an
        encrypted field asks the passphrase source again."""
        self._vault = None
        self._asked = False

    @property
    def unlocked(self) -> bool:
        """The personal fields' vault is open (the passphrase was given and was right)."""
        return self._vault is not None

    def remember(self, vault: Vault | None) -> None:
        """Keep a vault that was just made (encryption switched on) or drop it (off)."""
        self._vault = vault
        self._asked = True


def revision_of(connection: Connection) -> str | None:
    """The Alembic revision of a database (None when it has none)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def _has_foreign_tables(connection: Connection) -> bool:
    names = set(inspect(connection).get_table_names())
    return bool(names - set(schema.metadata.tables))


# --------------------------------------------------------------------------- the codec


_SPECS: dict[str, tuple[Table, tuple[tuple[str, str, str], ...]]] = {}


def _spec(kind: type[Record]) -> tuple[Table, tuple[tuple[str, str, str], ...]]:
    """(table, ((field, column, how), …)) of a record type; ``how`` names the conversion."""
    if kind.TABLE in _SPECS:
        return _SPECS[kind.TABLE]
    table = schema.metadata.tables[kind.TABLE]
    columns = []
    for item in fields(kind):  # type: ignore[arg-type]
        name = item.name
        if f"{name}_fen" in table.c:
            columns.append((name, f"{name}_fen", "money"))
        elif name in kind.JSON:
            columns.append((name, name, "json"))
        elif (kind.TABLE, name) in schema.PERSONAL:
            columns.append((name, name, "personal"))
        elif "Decimal" in str(item.type):
            columns.append((name, name, "decimal"))
        else:
            columns.append((name, name, "plain"))
    _SPECS[kind.TABLE] = (table, tuple(columns))
    return _SPECS[kind.TABLE]


def plain(record: Record) -> dict[str, Any]:
    """A record's fields as JSON values (money and rates as text, dates ISO)."""
    result: dict[str, Any] = {}
    for item in fields(record):  # type: ignore[arg-type]
        value = getattr(record, item.name)
        result[item.name] = _plain_value(value)
    return result


def _plain_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Sealed):
        return value.token
    if isinstance(value, dict):
        return {str(k): _plain_value(v) for k, v in value.items()}
    return value


_STAMPS = ("created_at", "updated_at", "imported_at")


def _question(kind: type[Record], where: dict[str, Any]) -> tuple[Any, ...] | None:
    """A ``find`` as a key of what a read transaction remembers (None: a value that cannot
    be a key)."""
    parts = []
    for column, value in sorted(where.items()):
        if isinstance(value, (list, tuple, set, frozenset)):
            value = ("in", frozenset(value))
        parts.append((column, value))
    key = (kind, tuple(parts))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _same(stored: Record, wanted: Record) -> bool:
    """The same values, the version and the time stamps aside."""
    skip = {"version", *_STAMPS}
    return all(getattr(stored, item.name) == getattr(wanted, item.name)
               for item in fields(stored)  # type: ignore[arg-type]
               if item.name not in skip)


# -------------------------------------------------------------------------- transaction


class Tx:
    """Work inside one transaction: add, get, find, update and delete records.

    A transaction remembers what it has read until it writes: it sees one snapshot of the
    store (SQLite: from its first read to its end; a write transaction holds the write lock
    from its start), so the same ``get``, ``find``, ``count`` or ``setting`` gives the same
    answer and is asked of the database once (a page reads a debt's payments for its bill,
    its balance, its share …). Every write goes through the methods below, and each one
    forgets what was remembered. :meth:`preload` reads a whole case in a few queries.
    """

    def __init__(self, connection: Connection, store: Store, *, readonly: bool = False) -> None:
        self.connection = connection
        self.store = store
        self.readonly = readonly
        self._crypto_known = False
        self._crypto: str | None = None
        #: what this transaction has read since its last write: question → answer
        self._reads: dict[Any, Any] | None = {}
        self._reads_vault: Vault | None = None

    # -- what a read transaction remembers ---------------------------------------------

    def _memory(self) -> dict[Any, Any] | None:
        """The reads remembered (None in a write transaction); forgotten when the vault
        changed (personal fields read before would now open otherwise)."""
        reads = self._reads
        if reads is not None and self.store._vault is not self._reads_vault:
            reads.clear()
            self._reads_vault = self.store._vault
        return reads

    def _forget(self) -> None:
        if self._reads is not None:
            self._reads.clear()

    def _remember_rows(self, kind: type[R], key: Any, records: list[R]) -> None:
        reads = self._memory()
        if reads is None:
            return
        reads[key] = tuple(records)
        for record in records:
            reads[("get", kind, record.id)] = record  # type: ignore[attr-defined]

    def preload(self, case_id: int) -> None:
        """Read a case whole in a few queries: its debts, what belongs to the case, and
        each debt's payments and proposals in one query per kind — then every ``find`` of
        those by case or by debt is answered from memory."""
        from xieshang.store.model import (
            Budget,
            Commitment,
            Debt,
            Evidence,
            Hardship,
            Payment,
            Proposal,
        )

        reads = self._memory()
        if reads is None or ("preloaded", case_id) in reads:
            return
        reads[("preloaded", case_id)] = True
        debts = self.find(Debt, case_id=case_id)
        for kind in (Hardship, Evidence, Contact, Commitment, Budget):
            self.find(kind, case_id=case_id)
        ids = [debt.id for debt in debts]
        by_debt: type[Payment] | type[Proposal]
        for by_debt in (Payment, Proposal):
            groups: dict[int, list[Any]] = {ident: [] for ident in ids}
            for record in self.find(by_debt, debt_id=ids):
                groups[record.debt_id].append(record)
            for ident, records in groups.items():
                self._remember_rows(by_debt, (by_debt, (("debt_id", ident),)), records)

    # -- records -----------------------------------------------------------------------

    def add(self, record: R) -> R:
        """Insert a record; returns it with its id (and creation time) filled in."""
        self._forget()
        record = self._stamped(record, creating=True)
        table, _columns = _spec(type(record))
        values = self._row(record)
        values.pop("id", None)
        result = self.connection.execute(table.insert().values(**values))
        key = result.inserted_primary_key
        if key is None:
            raise StateError("key")
        return replace(record, id=int(key[0]))  # type: ignore[type-var]

    def add_all(self, records: Sequence[Record]) -> None:
        """Insert many records of one type at once (ids are not returned)."""
        if not records:
            return
        self._forget()
        table, _columns = _spec(type(records[0]))
        rows = []
        for record in records:
            values = self._row(self._stamped(record, creating=True))
            values.pop("id", None)
            rows.append(values)
        self.connection.execute(table.insert(), rows)

    def get(self, kind: type[R], ident: int) -> R | None:
        """The record with this id, or None."""
        reads = self._memory()
        key = ("get", kind, ident)
        if reads is not None and key in reads:
            return cast("R | None", reads[key])
        table, _columns = _spec(kind)
        row = self.connection.execute(select(table).where(table.c.id == ident)).first()
        record = None if row is None else self._record(kind, row._mapping)
        if reads is not None:
            reads[key] = record
        return record

    def find(self, kind: type[R], **where: Any) -> list[R]:
        """Records whose columns equal the given values (``case_id=3``), by id."""
        reads = self._memory()
        key = None if reads is None else _question(kind, where)
        if key is not None and reads is not None and key in reads:
            return list(reads[key])
        table, _columns = _spec(kind)
        query = select(table).order_by(table.c.id)
        for column, value in where.items():
            if isinstance(value, (list, tuple, set, frozenset)):
                query = query.where(table.c[column].in_(list(value)))
            else:
                query = query.where(table.c[column] == value)
        records = [self._record(kind, row._mapping) for row in self.connection.execute(query)]
        if key is not None:
            self._remember_rows(kind, key, records)
        return records

    def count(self, kind: type[Record], **where: Any) -> int:
        """How many records match."""
        reads = self._memory()
        question = None if reads is None else _question(kind, where)
        if reads is not None and question is not None:
            if question in reads:
                return len(reads[question])
            key = ("count", question)
            if key in reads:
                return cast(int, reads[key])
        table, _columns = _spec(kind)
        query = select(func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        number = int(self.connection.execute(query).scalar_one())
        if reads is not None and question is not None:
            reads[("count", question)] = number
        return number

    def update(self, record: R) -> R:
        """Write a changed record back. Editing a contact keeps its previous version."""
        if not record.id:  # type: ignore[attr-defined]
            raise ValueError("update() needs a saved record")
        self._forget()
        if isinstance(record, Contact):
            previous = self.get(Contact, record.id)
            if previous is not None and replace(previous, version=record.version) != record:
                self.add(ContactRevision(contact_id=record.id, revised_at=now_local(),
                                         previous=plain(previous)))
        record = self._stamped(record, creating=False)
        table, _columns = _spec(type(record))
        values = self._row(record)
        ident = values.pop("id")
        query = table.update().where(table.c.id == ident)
        if "version" in table.c:
            # optimistic concurrency: written only over the version it was read at
            based_on = int(values["version"])
            values["version"] = based_on + 1
            query = query.where(table.c.version == based_on)
            result = self.connection.execute(query.values(**values))
            if not result.rowcount:
                stored = self.get(type(record), ident)
                if stored is None:
                    return record
                if _same(stored, record):  # nothing to change: not a conflict
                    return stored
                raise StaleRecord(record.TABLE, ident)
            return replace(record, version=based_on + 1)  # type: ignore[type-var]
        self.connection.execute(query.values(**values))
        return record

    def expect_version(self, record: Record, opened: str | int | None) -> None:
        """Refuse an edit made on a form opened at version ``opened`` when the record is at
        another one now. ``opened`` None or empty (a form without the field) is not checked.

        Raises:
            StaleRecord: the record changed since the form was opened; nothing is written.
        """
        if opened is None or str(opened) == "":
            return
        if str(opened) != str(getattr(record, "version", None)):
            raise StaleRecord(record.TABLE, getattr(record, "id", 0))

    def delete(self, kind: type[Record], ident: int) -> bool:
        """Delete a record (and, through the foreign keys, what belongs to it). A deleted
        debt no longer receives the savings: ``budget_statements.savings_debt_id`` has no
        foreign key (migration 0009), and SQLite may give the freed id to the next debt
        added, which the person never chose."""
        self._forget()
        table, _columns = _spec(kind)
        if table is schema.debts:
            chosen = schema.budget_statements
            self.connection.execute(chosen.update().where(chosen.c.savings_debt_id == ident)
                                    .values(savings_debt_id=None))
        result = self.connection.execute(table.delete().where(table.c.id == ident))
        return bool(result.rowcount)

    # -- settings ----------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A store-wide setting, or None."""
        if key == "crypto" and self._crypto_known:
            return self._crypto
        reads = self._memory()
        if reads is not None and ("setting", key) in reads:
            return cast("str | None", reads[("setting", key)])
        table = schema.settings
        value = self.connection.execute(select(table.c.value).where(table.c.key == key)).scalar()
        if key == "crypto":
            self._crypto, self._crypto_known = value, True
        if reads is not None:
            reads[("setting", key)] = value
        return value

    def set_setting(self, key: str, value: str | None) -> None:
        """Set (or with None, remove) a store-wide setting."""
        self._forget()
        table = schema.settings
        self.connection.execute(table.delete().where(table.c.key == key))
        if value is not None:
            self.connection.execute(table.insert().values(key=key, value=value))
        if key == "crypto":
            self._crypto, self._crypto_known = value, True

    # -- cases -------------------------------------------------------------------------

    def current_case(self) -> Case | None:
        """The case commands work on: the one chosen with ``case use``, or the only one."""
        from xieshang.store.model import current_case_of

        return current_case_of(self)

    def use_case(self, ident: int) -> None:
        """Make a case the current one."""
        self.set_setting("current_case", str(ident))

    # -- encryption --------------------------------------------------------------------

    @property
    def encrypted(self) -> bool:
        """Whether personal fields are encrypted in this store."""
        return self.setting("crypto") is not None

    def enable_encryption(self, passphrase: str) -> int:
        """Encrypt every personal field with a new passphrase; returns how many values."""
        if self.encrypted:
            raise InputError("passphrase", N_("personal data is already encrypted"))
        vault, setting = new_vault(passphrase)
        count = self._recode(lambda value, context: vault.seal(value, context))
        self.set_setting("crypto", setting)
        self.store.remember(vault)
        return count

    def change_passphrase(self, old: str, new: str) -> int:
        """Re-encrypt every personal field under ``new`` (checked: at least
        :data:`~xieshang.store.crypto.MIN_PASSPHRASE` characters), after ``old`` opened the
        store; in this transaction, so either every value changes or none does. Returns how
        many values.

        Raises:
            InputError: ``passphrase`` — not encrypted, or ``old`` is wrong;
                ``new_passphrase`` — ``new`` is too short.
        """
        setting = self.setting("crypto")
        if setting is None:
            raise InputError("passphrase", N_("personal data is not encrypted"))
        vault = unlock(old, setting)
        try:
            fresh, new_setting = new_vault(new)
        except InputError as error:
            raise InputError("new_passphrase", error.message, **error.params) from None
        count = self._recode(lambda value, context: fresh.seal(vault.open(value, context),
                                                                context))
        self.set_setting("crypto", new_setting)
        self.store.remember(fresh)
        return count

    def disable_encryption(self) -> int:
        """Decrypt every personal field (needs the passphrase); returns how many values."""
        if not self.encrypted:
            raise InputError("passphrase", N_("personal data is not encrypted"))
        vault = self.store.vault(self, required=True)
        if vault is None:
            raise StateError("vault")
        count = self._recode(lambda value, context: vault.open(value, context))
        self.set_setting("crypto", None)
        self.store.remember(None)
        return count

    def _recode(self, change: Callable[[str, str], str]) -> int:
        self._forget()
        count = 0
        for table_name, column_name in sorted(schema.PERSONAL):
            table = schema.metadata.tables[table_name]
            column = table.c[column_name]
            rows = self.connection.execute(
                select(table.c.id, column).where(column.is_not(None))).all()
            if not rows:
                continue
            context = f"{table_name}.{column_name}"
            updates = [{"key": ident, "value": change(value, context)} for ident, value in rows]
            self.connection.execute(
                table.update().where(table.c.id == bindparam("key"))
                .values({column_name: bindparam("value")}), updates)
            count += len(updates)
        return count

    # -- conversion --------------------------------------------------------------------

    def _stamped(self, record: R, *, creating: bool) -> R:
        changes: dict[str, Any] = {}
        for name in _STAMPS:
            if hasattr(record, name) and (getattr(record, name) is None
                                          or (name == "updated_at" and not creating)):
                changes[name] = now_local()
        return replace(record, **changes) if changes else record  # type: ignore[type-var]

    def _row(self, record: Record) -> dict[str, Any]:
        _table, columns = _spec(type(record))
        values: dict[str, Any] = {}
        for name, column, how in columns:
            value = getattr(record, name)
            if how == "money":
                values[column] = None if value is None else to_fen(value)
            elif how == "decimal":
                values[column] = None if value is None else str(value)
            elif how == "json":
                values[column] = None if value is None else dump_json(_plain_value(value))
            elif how == "personal":
                values[column] = self._seal(f"{record.TABLE}.{name}", value)
            else:
                values[column] = value
        return values

    def _record(self, kind: type[R], row: Any) -> R:
        import json

        _table, columns = _spec(kind)
        values: dict[str, Any] = {}
        for name, column, how in columns:
            value = row[column]
            if value is None:
                values[name] = None
            elif how == "money":
                values[name] = from_fen(int(value))
            elif how == "decimal":
                values[name] = _stored_decimal(value)
            elif how == "json":
                values[name] = json.loads(value)
            elif how == "personal":
                values[name] = self._open(f"{kind.TABLE}.{name}", value)
            else:
                values[name] = value
        return kind(**values)

    def _seal(self, context: str, value: str | Sealed | None) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        if not self.encrypted:
            return value
        vault = self.store.vault(self, required=True)
        if vault is None:
            raise StateError("vault")
        return vault.seal(value, context)

    def _open(self, context: str, value: str) -> str | Sealed:
        if not value.startswith(TOKEN_PREFIX) or not self.encrypted:
            return value
        vault = self.store.vault(self, required=False)
        return Sealed(value) if vault is None else vault.open(value, context)
