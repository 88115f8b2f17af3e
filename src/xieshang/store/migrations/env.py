"""Alembic environment: migrations run on a connection the store hands over.

The store calls ``alembic.command.upgrade`` with a ``Config`` built in code
(:func:`xieshang.store.db.alembic_config`) and the open connection in
``config.attributes["connection"]``; no ``alembic.ini`` is needed at run time. To write a new
migration during development::

    .venv/bin/python -m xieshang.store.db revision "what changed"
"""

from __future__ import annotations

from alembic import context

from xieshang.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes a connection
    raise RuntimeError("xieshang migrations run through xieshang.store.db.Store")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite changes columns by copying the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
