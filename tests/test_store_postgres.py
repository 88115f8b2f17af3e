"""The store on PostgreSQL (the option next to the SQLite default).

Runs only when ``XIESHANG_TEST_PG_URL`` names an empty database the test may fill, e.g.
``postgresql+psycopg://xs:xs@127.0.0.1/xieshang_test`` (needs the ``pg`` extra:
``pip install -e '.[pg]'``). CI has no PostgreSQL server, so there it is skipped; run it by
hand after a change to ``store/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_store import full_case
from xieshang.store.db import open_store
from xieshang.store.exchange import dumps, export_case, import_case, loads
from xieshang.store.model import Case

URL = os.environ.get("XIESHANG_TEST_PG_URL")
pytestmark = pytest.mark.skipif(
    not URL, reason="set XIESHANG_TEST_PG_URL to an empty PostgreSQL database to run")


def test_round_trip_and_export_on_postgresql(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    import sqlalchemy

    engine = sqlalchemy.create_engine(URL or "")
    with engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    with open_store(url=URL) as store:
        saved = full_case(store)
        with store.begin() as tx:
            case = tx.find(Case)[0]
            assert case == saved[Case]
            first = dumps(export_case(tx, case.id))
        with store.begin() as tx:
            new_case = import_case(tx, loads(first, "export.json"), "export.json")
        with store.begin() as tx:
            again = dumps(export_case(tx, new_case.id))
    assert again == first
