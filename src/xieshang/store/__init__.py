"""The case file: a person's debts, hardship, budget, payments, contacts and promises, kept in
a database (SQLite by default, PostgreSQL by URL).

Importing this package is cheap; SQLAlchemy and Alembic are imported by its modules
(:mod:`xieshang.store.db`, :mod:`xieshang.store.schema` …) only when a command opens the store.
See ``docs/data.md`` for where the data lives, the schema, encryption, export and backup.
"""

from __future__ import annotations

__all__: list[str] = []
