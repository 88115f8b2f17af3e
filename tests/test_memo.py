"""What :func:`xieshang.services._memo.reading` remembers never outlives the transaction it
was read in: a later transaction inside the same block (which may be given the same
``id()`` once the first one is gone) reads the store anew."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from xieshang.engine.money import money
from xieshang.services._memo import reading
from xieshang.services.debts import current_bill
from xieshang.store.db import Store
from xieshang.store.model import Case, Debt, Payment

TODAY = date(2026, 12, 7)


def test_a_later_transaction_in_the_same_block_sees_a_payment_made_in_between(
        store: Store) -> None:
    """花呗 ¥1,000.00 due 10 days ago: the bill owes at least the principal. A payment of
    ¥400.00 logged by another transaction between two reads in one ``reading()`` block
    shows in the second read (the bill a transaction outside any block computes), whatever
    ``id()`` the second transaction happens to get."""
    with store.begin() as tx:
        case = tx.add(Case(name="测试"))
        debt = tx.add(Debt(case_id=case.id, preset_id="huabei", label="花呗",
                           principal=money(1000), due_date=TODAY - timedelta(days=10),
                           contract_rate=Decimal("0"), contract_rate_basis="annual",
                           minimum=money(100)))
    with reading():
        principals = []
        for step in range(3):
            with store.begin(readonly=True) as tx:
                stored = tx.get(Debt, debt.id)
                assert stored is not None
                bill, _engine = current_bill(tx, stored, TODAY)
                assert bill is not None
                principals.append(bill.principal)
            if step == 0:
                with store.begin() as tx:
                    tx.add(Payment(debt_id=debt.id, paid_on=TODAY - timedelta(days=1),
                                   amount=money(400)))
    with store.begin(readonly=True) as tx:
        stored = tx.get(Debt, debt.id)
        assert stored is not None
        after, _engine = current_bill(tx, stored, TODAY)
    assert after is not None
    assert after.principal < money(1000)
    assert principals == [money(1000), after.principal, after.principal]
