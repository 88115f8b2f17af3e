"""The unit of work: one Arrow record batch of cases in, Arrow record batches out.

:func:`evaluate_batch` is a plain function of values: the local engine's worker processes,
a Dask worker, Spark's ``mapInArrow`` (through :func:`map_in_arrow`) or Ray Data call it the
same way. Each input row is one whole case (:data:`INPUT_SCHEMA`: the ``cases`` row and its
``debts`` and ``budget_lines`` rows as text, or a case JSON file); the output is four
batches — ``cases``, ``debts``, ``rungs`` and ``errors`` (:data:`OUTPUT_SCHEMAS`). Money is
exact: ``decimal128(18, 2)`` yuan, the engine's own figures; rates ``decimal128(12, 6)``.

For Spark's ``mapInArrow``, :func:`unit_of_work` gives the function exactly as Spark calls
it: an iterator of ``pyarrow.RecordBatch`` in, an iterator of one output table's batches
out; :func:`spark_ddl` gives that table's schema in Spark's words. (Ray Data's
``map_batches`` hands over a ``pyarrow.Table``: pass it ``table.to_batches()``.)

Privacy: no name, ID number, phone, account number or debt label is ever read into an
output; with a key, case ids are replaced by ``HMAC-SHA256(key, case_id)``.
"""

from __future__ import annotations

import decimal
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from xieshang import clock
from xieshang.batch.records import CaseRows, Problem, build_case
from xieshang.engine.errors import N_, InputError, XieshangError
from xieshang.i18n import gettext_for
from xieshang.services.evaluate import evaluate_case

__all__ = ["INPUT_SCHEMA", "OUTPUT_SCHEMAS", "MapInArrow", "Options", "case_key",
           "evaluate_batch", "map_in_arrow", "rows_to_batch", "spark_ddl", "unit_of_work",
           "warm_up"]

MONEY = pa.decimal128(18, 2)
RATE = pa.decimal128(12, 6)
_PAIRS = pa.map_(pa.string(), pa.string())
_ROWS = pa.list_(pa.struct([("row", pa.int64()), ("values", _PAIRS)]))

#: One row per case.
INPUT_SCHEMA = pa.schema([
    ("case_id", pa.string()), ("row", pa.int64()), ("case", _PAIRS), ("debts", _ROWS),
    ("budget_lines", _ROWS), ("document", pa.string()),
])

OUTPUT_SCHEMAS: dict[str, pa.Schema] = {
    "cases": pa.schema([
        ("case", pa.string()), ("as_of", pa.date32()), ("debts", pa.int32()),
        ("due", MONEY), ("daily_cost", MONEY), ("owed", MONEY), ("month_delay", MONEY),
        ("income", MONEY), ("available", MONEY), ("budget_outcome", pa.string()),
        ("token_only", pa.bool_()), ("flags", pa.int32()),
        ("plan_strategy", pa.string()), ("plan_months", pa.int32()), ("plan_cost", MONEY),
        ("plan_paid", MONEY), ("plan_unpaid_end", MONEY), ("plan_months_overdue", pa.int32()),
        ("plan_first_payment", pa.date32()), ("plan_payoff_date", pa.date32()),
        ("plan_refused", pa.string()),
    ]),
    "debts": pa.schema([
        ("case", pa.string()), ("debt", pa.int32()), ("product", pa.string()),
        ("overdue", pa.bool_()), ("days_overdue", pa.int32()), ("principal", MONEY),
        ("interest", MONEY), ("penalty", MONEY), ("fees", MONEY), ("due", MONEY),
        ("daily_cost", MONEY), ("owed", MONEY), ("share", MONEY), ("month_delay", MONEY),
        ("flags", pa.string()), ("next", pa.string()), ("next_on", pa.date32()),
        ("arrangement", pa.bool_()), ("ladder_outcome", pa.string()),
        ("recommended", pa.string()), ("recommended_periods", pa.int32()),
        ("recommended_monthly", MONEY), ("recommended_total_paid", MONEY),
        ("recommended_cost", MONEY), ("recommended_apr", RATE),
    ]),
    "rungs": pa.schema([
        ("case", pa.string()), ("debt", pa.int32()), ("level", pa.string()),
        ("periods", pa.int32()), ("monthly", MONEY), ("total_paid", MONEY), ("cost", MONEY),
        ("waived", MONEY), ("apr", RATE),
    ]),
    "documents": pa.schema([
        ("case", pa.string()), ("debt", pa.int32()), ("kind", pa.string()),
        ("lang", pa.string()), ("text", pa.string()),
    ]),
    "errors": pa.schema([
        ("case", pa.string()), ("table", pa.string()), ("row", pa.int64()),
        ("column", pa.string()), ("message", pa.string()),
    ]),
}


@dataclass(frozen=True)
class Options:
    """What every batch of a run is evaluated with.

    Attributes:
        as_of: the day of every figure (the run's "today").
        lang: the language of the error messages (``zh`` or ``en``).
        hash_key: the key of the case ids' keyed hash (``None``: ids as given).
        plan: whether to compute the plan summary.
        ladder: whether to compute the ladders.
        documents: the documents to write for each debt with a ladder (``letter``,
            ``hardship``, … as ``xieshang script --channel``), with no name or account in
            them.
    """

    as_of: date
    lang: str = "zh"
    hash_key: str | None = None
    plan: bool = True
    ladder: bool = True
    documents: tuple[str, ...] = ()


def case_key(case_id: str, key: str | None) -> str:
    """The case id as written to the outputs: as given, or its keyed hash (hex)."""
    if key is None:
        return case_id
    return hmac.new(key.encode("utf-8"), case_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _pairs(rows: Iterable[Mapping[str, str | None]]) -> pa.Array:
    """Rows of column → text as one Arrow map array (built from flat lists: no per-value
    type inference)."""
    offsets = [0]
    keys: list[str] = []
    values: list[str | None] = []
    for row in rows:
        keys.extend(row.keys())
        values.extend(row.values())
        offsets.append(len(keys))
    return pa.MapArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(keys, pa.string()),
                                   pa.array(values, pa.string()), type=_PAIRS)


def _numbered(items: Iterable[Sequence[tuple[int, Mapping[str, str | None]]]]) -> pa.Array:
    offsets = [0]
    numbers: list[int] = []
    rows: list[Mapping[str, str | None]] = []
    for item in items:
        for number, row in item:
            numbers.append(number)
            rows.append(row)
        offsets.append(len(numbers))
    inner = pa.StructArray.from_arrays([pa.array(numbers, pa.int64()), _pairs(rows)],
                                       fields=list(_ROWS.value_type))
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), inner, type=_ROWS)


def rows_to_batch(cases: Iterable[CaseRows]) -> pa.RecordBatch:
    """Cases as one input batch (:data:`INPUT_SCHEMA`)."""
    items = list(cases)
    return pa.RecordBatch.from_arrays([
        pa.array([c.case_id for c in items], pa.string()),
        pa.array([c.row for c in items], pa.int64()),
        _pairs(c.case for c in items),
        _numbered(c.debts for c in items),
        _numbered(c.lines for c in items),
        pa.array([c.document for c in items], pa.string()),
    ], schema=INPUT_SCHEMA)


def warm_up(lang: str = "zh") -> None:
    """Load, once per process, what every case needs: the code of the services and the
    engine, the presets (built-in and the person's), the budget norms, the legal and rate
    tables and the message catalog. A worker calls it before its first chunk, so no chunk
    pays for it and every chunk costs the same."""
    import xieshang.engine.strategy
    import xieshang.engine.timeline
    import xieshang.services.case_view
    import xieshang.services.negotiation
    import xieshang.services.plan  # noqa: F401
    from xieshang.paths import preset_dir
    from xieshang.rules import law, load_presets, lpr_table, rate_law
    from xieshang.services.budget import norms

    load_presets(preset_dir())
    norms()
    law()
    lpr_table()
    rate_law()
    gettext_for(lang)


def _column(data: dict[str, list[Any]], name: str, count: int) -> list[Any]:
    found = data.get(name)
    return [None] * count if found is None else found


def _batch_rows(batch: pa.RecordBatch) -> Iterator[CaseRows]:
    """The cases of an input batch. Only ``case_id`` is required: ``row`` (default: the
    case's place in the batch), ``case``, ``debts``, ``budget_lines`` and ``document`` may
    be left out, and the names of the nested fields (a list's ``item`` or Spark's
    ``element``, a map's entries) do not matter."""
    data = batch.to_pydict()
    ids = data["case_id"]
    count = len(ids)
    numbers = _column(data, "row", count)
    cases = _column(data, "case", count)
    debts = _column(data, "debts", count)
    lines = _column(data, "budget_lines", count)
    documents = _column(data, "document", count)
    for index, case_id in enumerate(ids):
        yield CaseRows(
            case_id=case_id, row=index + 1 if numbers[index] is None else numbers[index],
            case=dict(cases[index] or ()),
            debts=[(item["row"], dict(item["values"] or ())) for item in debts[index] or ()],
            lines=[(item["row"], dict(item["values"] or ())) for item in lines[index] or ()],
            document=documents[index])


def evaluate_batch(batch: pa.RecordBatch, options: Options) -> dict[str, pa.RecordBatch]:
    """Every case of ``batch`` evaluated as of ``options.as_of``: the output batches."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in OUTPUT_SCHEMAS}
    # services that check dates against "today" (the first day overdue may not be in the
    # future) see the run's day, in whichever process this runs
    with clock.pinned(clock.parse_moment(options.as_of.isoformat())):
        for rows in _batch_rows(batch):
            _evaluate_one(rows, options, out)
    return {name: pa.RecordBatch.from_pylist(out[name], schema=schema)
            for name, schema in OUTPUT_SCHEMAS.items()}


@dataclass(frozen=True)
class MapInArrow:
    """The unit of work as Spark's ``DataFrame.mapInArrow`` calls it: ``function(batches)``
    takes an iterator of input ``pyarrow.RecordBatch`` (:data:`INPUT_SCHEMA`, one whole case
    per row, any number of rows per batch) and yields, for each, the batch of one output
    ``table`` (:data:`OUTPUT_SCHEMAS`). A plain frozen dataclass, so it pickles (Spark sends
    it to its executors with cloudpickle)."""

    options: Options
    table: str = "cases"

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        if self.table not in OUTPUT_SCHEMAS:
            raise ValueError(f"unknown output table {self.table!r}: "
                             f"one of {', '.join(OUTPUT_SCHEMAS)}")
        for batch in batches:
            yield evaluate_batch(batch, self.options)[self.table]


def unit_of_work(options: Options, table: str = "cases") -> MapInArrow:
    """The function to give ``mapInArrow`` for one output table (see :class:`MapInArrow`)."""
    return MapInArrow(options, table)


def map_in_arrow(batches: Iterable[pa.RecordBatch], options: Options,
                 table: str = "cases") -> Iterator[pa.RecordBatch]:
    """The batches of one output table (``unit_of_work(options, table)(batches)``)."""
    return MapInArrow(options, table)(batches)


def _spark_type(kind: pa.DataType) -> str:
    if pa.types.is_decimal(kind):
        return f"DECIMAL({kind.precision}, {kind.scale})"
    names = {pa.string(): "STRING", pa.int32(): "INT", pa.int64(): "BIGINT",
             pa.bool_(): "BOOLEAN", pa.date32(): "DATE"}
    return names[kind]


def spark_ddl(table: str = "cases") -> str:
    """The output table's schema as a Spark DDL string (``mapInArrow``'s second argument):
    decimals keep their precision, so money stays exact in Spark too."""
    return ", ".join(f"`{field.name}` {_spark_type(field.type)}"
                     for field in OUTPUT_SCHEMAS[table])


def _evaluate_one(rows: CaseRows, options: Options, out: dict[str, list[dict[str, Any]]]
                  ) -> None:
    key = case_key(rows.case_id, options.hash_key)
    built = build_case(rows)
    if isinstance(built, list):
        for problem in built:
            out["errors"].append(_error(key, problem, options.lang))
        return
    tx, case = built
    try:
        figures = evaluate_case(tx, case, options.as_of, plan=options.plan,
                                ladder=options.ladder)
    except XieshangError as error:
        field = getattr(error, "field", "") or "case"
        refused = error if isinstance(error, InputError) else InputError(field, error.message,
                                                                         **error.params)
        out["errors"].append(_error(key, Problem(_table(rows), rows.row, field, refused),
                                    options.lang))
        return
    except (decimal.InvalidOperation, OverflowError):
        too_large = InputError("case", N_("a figure grows beyond what xieshang can compute; "
                                          "check the rates, amounts and dates of the debts"))
        out["errors"].append(_error(key, Problem(_table(rows), rows.row, "case", too_large),
                                    options.lang))
        return
    except Exception as error:  # a bug must not stop the other cases: it is listed instead
        internal = InputError("case", N_("could not be evaluated: an internal error ({kind}); "
                                         "please report it"), kind=type(error).__name__)
        out["errors"].append(_error(key, Problem(_table(rows), rows.row, "case", internal),
                                    options.lang))
        return
    _write(key, figures, options, out)
    if options.documents:
        _documents(key, tx, figures, options, out)


def _table(rows: CaseRows) -> str:
    return "file" if rows.document is not None else "cases"


def _error(key: str, problem: Problem, lang: str) -> dict[str, Any]:
    _ = gettext_for(lang)
    return {"case": key, "table": problem.table, "row": problem.row,
            "column": problem.column, "message": problem.error.render(_(problem.error.message))}


def _rate(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.000001")) + 0


def _write(key: str, figures: Any, options: Options, out: dict[str, list[dict[str, Any]]]
           ) -> None:
    view = figures.view
    budget = view.budget
    outcome = None if budget is None else budget.affordability.outcome.value
    flags = 0
    for number, item in enumerate(figures.debts, start=1):
        debt = item.view
        principal, interest, penalty, fees = debt.parts
        ladder = item.ladder
        first = ladder.rungs[0] if ladder is not None and ladder.rungs else None
        evaluation = None if first is None else first.evaluation
        # each rung's APR (an IRR) once: the first rung's is also the recommended one
        aprs = [] if ladder is None else [
            None if rung.evaluation is None else _rate(rung.evaluation.apr_nominal)
            for rung in ladder.rungs]
        flags += len(item.flags)
        out["debts"].append({
            "case": key, "debt": debt.debt.id or number, "product": debt.debt.preset_id,
            "overdue": debt.overdue, "days_overdue": debt.days_overdue,
            "principal": principal, "interest": interest, "penalty": penalty, "fees": fees,
            "due": debt.due, "daily_cost": debt.daily_cost, "owed": debt.owed,
            "share": debt.share, "month_delay": item.month_delay,
            "flags": ",".join(item.flags),
            "next": None if debt.next is None else debt.next.id,
            "next_on": None if debt.next is None else debt.next.on,
            "arrangement": debt.arrangement is not None,
            "ladder_outcome": None if ladder is None else ladder.outcome.value,
            "recommended": None if first is None else first.level.value,
            "recommended_periods": None if first is None else first.periods,
            "recommended_monthly": None if first is None else first.monthly,
            "recommended_total_paid": None if first is None else first.total_paid,
            "recommended_cost": None if evaluation is None else evaluation.schedule.total_cost,
            "recommended_apr": None if evaluation is None else aprs[0],
        })
        if ladder is None:
            continue
        for rung, apr in zip(ladder.rungs, aprs, strict=True):
            found = rung.evaluation
            out["rungs"].append({
                "case": key, "debt": debt.debt.id or number, "level": rung.level.value,
                "periods": rung.periods, "monthly": rung.monthly,
                "total_paid": rung.total_paid,
                "cost": None if found is None else found.schedule.total_cost,
                "waived": None if found is None else found.waived,
                "apr": apr})
    plan = figures.plan
    totals = None if plan is None else plan.totals
    refused = figures.plan_problem
    out["cases"].append({
        "case": key, "as_of": options.as_of, "debts": len(figures.debts), "due": view.due,
        "daily_cost": view.daily_cost, "owed": view.owed, "month_delay": figures.month_delay,
        "income": None if budget is None else budget.affordability.income,
        "available": None if budget is None else budget.available,
        "budget_outcome": outcome, "token_only": None if outcome is None
        else outcome != "surplus", "flags": flags,
        "plan_strategy": None if plan is None else plan.strategy.value,
        "plan_months": None if totals is None else totals.months,
        "plan_cost": None if totals is None else totals.interest + totals.penalty + totals.fees,
        "plan_paid": None if totals is None else totals.paid,
        "plan_unpaid_end": None if totals is None else totals.unpaid_end,
        "plan_months_overdue": None if totals is None else totals.months_overdue,
        "plan_first_payment": None if plan is None or not plan.months
        else plan.months[0].pay_date,
        "plan_payoff_date": None if totals is None else totals.payoff_date,
        "plan_refused": None if refused is None else _error(key, Problem(
            "cases", 0, refused.field, refused), options.lang)["message"],
    })


def _documents(key: str, tx: Any, figures: Any, options: Options,
               out: dict[str, list[dict[str, Any]]]) -> None:
    """The documents of each debt with a ladder, rendered as ``xieshang script`` renders
    them, the person's name and account left out."""
    from dataclasses import replace

    from xieshang.documents import render_document
    from xieshang.output import Output
    from xieshang.present.documents import document_context
    from xieshang.services.negotiation import DebtInputs

    writer = Output.make(options.lang, False)
    case = replace(figures.view.case, name="", full_name=None, id_number=None, phone=None)
    income = None if figures.view.budget is None else figures.view.budget.income
    for item in figures.debts:
        debt = item.view
        if item.ladder is None or debt.share is None:
            continue
        inputs = DebtInputs(case=case, debt=replace(debt.debt, account_number=None),
                            preset=debt.preset, bill=item.ladder.bill,
                            affordable=debt.share, income=income or None,
                            ladder=item.ladder, day=options.as_of)
        context = document_context(writer, tx, inputs)
        for kind in options.documents:
            out["documents"].append({"case": key, "debt": debt.debt.id, "kind": kind,
                                     "lang": writer.lang,
                                     "text": render_document(kind, context, writer.lang)})
