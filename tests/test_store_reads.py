"""A transaction reads each thing once (issue 16): what it read is remembered until it
writes, and ``preload`` reads a case in a few queries.

The figures must not change: every test compares what is read from memory with what a
transaction that remembers nothing reads from the database. Queries are counted with
SQLAlchemy's ``before_cursor_execute`` event (no timing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from xieshang.engine.money import money
from xieshang.store.db import Store, Tx
from xieshang.store.model import Case, Debt, Payment

TODAY = date(2026, 12, 7)


@contextmanager
def counted(store: Store) -> Iterator[list[str]]:
    """The SQL statements run inside the block (BEGIN left out)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def forgetful(tx: Tx) -> Tx:
    """The transaction with nothing remembered: every read goes to the database."""
    tx._reads = None
    return tx


def twenty_debts(store: Store) -> int:
    """A case of 20 overdue debts, every other one with two payments; its id."""
    with store.begin() as tx:
        case = tx.add(Case(name="测试"))
        for number in range(20):
            debt = tx.add(Debt(case_id=case.id, preset_id=("huabei", "jiebei")[number % 2],
                               label=f"debt {number}", principal=money(1000 + 100 * number),
                               due_date=TODAY - timedelta(days=5 + number),
                               contract_rate=Decimal("0.18"), contract_rate_basis="annual",
                               minimum=money(100)))
            if number % 2:
                for days in (3, 1):
                    tx.add(Payment(debt_id=debt.id, paid_on=TODAY - timedelta(days=days),
                                   amount=money(50)))
        return case.id


def test_the_same_read_is_asked_of_the_database_once(store: Store) -> None:
    case_id = twenty_debts(store)
    with store.begin(readonly=True) as tx, counted(store) as seen:
        debts = tx.find(Debt, case_id=case_id)
        assert tx.find(Debt, case_id=case_id) == debts
        assert tx.get(Debt, debts[3].id) is debts[3]  # found by the find above
        assert tx.count(Debt, case_id=case_id) == 20
        assert tx.setting("current_case") == tx.setting("current_case")
    assert len(seen) == 2  # the debts, the setting


def test_a_write_forgets_what_was_read(store: Store) -> None:
    case_id = twenty_debts(store)
    with store.begin() as tx:
        debt = tx.find(Debt, case_id=case_id)[0]
        assert tx.find(Payment, debt_id=debt.id) == []
        paid = tx.add(Payment(debt_id=debt.id, paid_on=TODAY, amount=money(7)))
        assert tx.find(Payment, debt_id=debt.id) == [paid]
        assert tx.count(Payment, debt_id=debt.id) == 1
        changed = tx.update(replace(debt, label="改过"))
        assert tx.get(Debt, debt.id) == changed
        assert tx.delete(Payment, paid.id)
        assert tx.find(Payment, debt_id=debt.id) == []
        tx.set_setting("current_case", str(case_id))
        assert tx.setting("current_case") == str(case_id)
        tx.set_setting("current_case", None)
        assert tx.setting("current_case") is None


def test_preload_reads_a_case_in_a_few_queries(store: Store) -> None:
    case_id = twenty_debts(store)
    with store.begin(readonly=True) as tx:
        expected = {debt.id: tx.find(Payment, debt_id=debt.id)
                    for debt in forgetful(tx).find(Debt, case_id=case_id)}
    assert sum(map(len, expected.values())) == 20
    with store.begin(readonly=True) as tx, counted(store) as seen:
        tx.preload(case_id)
        loaded = len(seen)
        found = {ident: tx.find(Payment, debt_id=ident) for ident in expected}
    assert loaded <= 8  # debts, hardship, evidence, contacts, promises, budget, payments,
    assert len(seen) == loaded  # proposals; then no query for any debt's payments
    assert found == expected


def test_case_view_reads_the_case_in_a_few_queries_and_the_same_figures(
        store: Store) -> None:
    """``services.case_view`` read ~190 rows by query for 20 debts (nine per debt): now the
    case is read once, and the view is the one read query by query."""
    from xieshang.services.case_view import case_view

    case_id = twenty_debts(store)
    with store.begin(readonly=True) as tx:
        case = tx.get(Case, case_id)
        assert case is not None
        expected = case_view(forgetful(tx), case, TODAY)
    with store.begin(readonly=True) as tx, counted(store) as seen:
        view = case_view(tx, case, TODAY)
    assert len(seen) <= 15
    assert view == expected
    assert len(view.debts) == 20
    # principals 1,000 … 2,900 (39,000 in all) less 1,000 paid (10 debts × 2 × 50), plus
    # the charges: at least 38,000, the same either way
    assert view.due == expected.due
    assert view.due >= Decimal("38000.00")
