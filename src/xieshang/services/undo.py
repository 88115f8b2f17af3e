"""Undo the last destructive change to a case (a removed debt, a replaced budget, an
import): the case as it was just before, kept as its export document, and put back in its
place. The export/import of :mod:`xieshang.store.exchange` carries every record, so what is
put back is all of it; the records get new ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xieshang.engine.errors import XieshangError

if TYPE_CHECKING:
    from xieshang.store.db import Tx
    from xieshang.store.model import Case

__all__ = ["restore", "snapshot"]


def snapshot(tx: Tx, case_id: int) -> str | None:
    """The case as it is now, as an export document (None when it cannot be read whole:
    encrypted personal fields still locked)."""
    from xieshang.store.exchange import dumps, export_case

    try:
        return dumps(export_case(tx, case_id))
    except XieshangError:
        return None


def restore(tx: Tx, case_id: int, document: str) -> Case:
    """Put the case back as ``document`` had it: the case now is removed (with all it
    holds) and the document imported in its place, as the current case."""
    from xieshang.store.exchange import CASE_SETTINGS, import_case, loads
    from xieshang.store.model import Case

    data = loads(document, "undo")
    if tx.get(Case, case_id) is not None:
        tx.delete(Case, case_id)
        for name in CASE_SETTINGS:
            tx.set_setting(f"{name}:{case_id}", None)
    case = import_case(tx, data, "undo")
    tx.use_case(case.id)
    return case
