"""A case file held in memory: the part of :class:`xieshang.store.db.Tx` the services read
and the importers write, over plain records, with no database.

``xieshang batch`` evaluates thousands of cases a second; opening a SQLite store per case
would cost more than the figures. :class:`MemoryTx` answers ``get``, ``find``, ``count``,
the settings and the current case exactly as the database does (records in id order, a
list value meaning "one of"), so the services compute the same figures from it as from a
stored case. It keeps no history, no encryption and no versions: it is a working copy, never
the person's file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TypeVar

from xieshang.store.model import Case, Record

__all__ = ["MemoryTx"]

R = TypeVar("R", bound=Record)


class MemoryTx:
    """Records of any kind, by type and id (ids from 1 in each type, in the order added)."""

    def __init__(self) -> None:
        self._rows: dict[type[Record], dict[int, Record]] = {}
        self._next: dict[type[Record], int] = {}
        self._settings: dict[str, str] = {}

    # -- records -----------------------------------------------------------------------

    def add(self, record: R) -> R:
        """Keep a record; returns it with its id filled in."""
        kind = type(record)
        ident = self._next.get(kind, 1)
        self._next[kind] = ident + 1
        stored = replace(record, id=ident)  # type: ignore[type-var]
        self._rows.setdefault(kind, {})[ident] = stored
        return stored

    def add_all(self, records: Sequence[Record]) -> None:
        """Keep many records."""
        for record in records:
            self.add(record)

    def get(self, kind: type[R], ident: int) -> R | None:
        """The record with this id, or None."""
        return self._rows.get(kind, {}).get(ident)  # type: ignore[return-value]

    def find(self, kind: type[R], **where: Any) -> list[R]:
        """Records whose fields equal the given values (a list, tuple or set: any of them),
        by id."""
        rows = self._rows.get(kind)
        if not rows:
            return []
        tests = [(name, frozenset(value) if isinstance(value, (list, tuple, set, frozenset))
                  else None, value) for name, value in where.items()]
        found = []
        for record in rows.values():
            for name, choices, value in tests:
                field = getattr(record, name)
                if (field not in choices) if choices is not None else (field != value):
                    break
            else:
                found.append(record)
        return found  # type: ignore[return-value]

    def preload(self, case_id: int) -> None:
        """Nothing to read ahead: every record is in memory already (as
        :meth:`xieshang.store.db.Tx.preload`)."""

    def count(self, kind: type[Record], **where: Any) -> int:
        """How many records match."""
        return len(self.find(kind, **where))

    def update(self, record: R) -> R:
        """Replace a kept record."""
        self._rows.setdefault(type(record), {})[record.id] = record  # type: ignore[attr-defined]
        return record

    def delete(self, kind: type[Record], ident: int) -> bool:
        """Forget a record; whether there was one."""
        return self._rows.get(kind, {}).pop(ident, None) is not None

    # -- settings and the current case ------------------------------------------------

    def setting(self, key: str) -> str | None:
        return self._settings.get(key)

    def set_setting(self, key: str, value: str | None) -> None:
        if value is None:
            self._settings.pop(key, None)
        else:
            self._settings[key] = value

    def current_case(self) -> Case | None:
        """The case commands work on: the one chosen with ``case use``, or the only one."""
        from xieshang.store.model import current_case_of

        return current_case_of(self)

    def use_case(self, ident: int) -> None:
        self.set_setting("current_case", str(ident))

    @property
    def encrypted(self) -> bool:
        return False
