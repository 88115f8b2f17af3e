"""``xieshang batch`` at scale: the unit of work called as Spark's ``mapInArrow`` calls it,
the reader's bounded case index and its errors, and a manifest that stays small."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

import pyarrow as pa
import pyarrow.parquet as pq

from xieshang.batch.run import Done, RunSettings, read_output, run_batch
from xieshang.batch.sample import write_sample
from xieshang.batch.work import OUTPUT_SCHEMAS, Options, spark_ddl, unit_of_work
from xieshang.clock import today


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XIESHANG_DB_URL", raising=False)
    return tmp_path / "home"


# what Spark's Arrow conversion makes of a map<string,string> and an array<struct<…>>
_SPARK_MAP = pa.map_(pa.field("key", pa.string(), nullable=False),
                     pa.field("value", pa.string()))
_SPARK_ROWS = pa.list_(pa.field("element", pa.struct([("row", pa.int64()),
                                                       ("values", _SPARK_MAP)])))
_SPARK_INPUT = pa.schema([("case_id", pa.string()), ("row", pa.int64()),
                          ("case", _SPARK_MAP), ("debts", _SPARK_ROWS),
                          ("budget_lines", _SPARK_ROWS)])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)  # Spark's cast("string")


def _as_spark_gives_them(folder: Path, rows: int) -> list[pa.RecordBatch]:
    """The sample's tables nested as docs/batch.md's Spark snippet nests them (every column
    cast to text in a map, debts and budget lines collected per case with row 0, row ids
    from ``monotonically_increasing_id``, no ``document`` column), in batches of ``rows``."""
    tables = {name: pq.read_table(folder / f"{name}.parquet").to_pylist()
              for name in ("cases", "debts", "budget_lines")}
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = {"debts": {}, "budget_lines": {}}
    for name, by_case in grouped.items():
        for row in tables[name]:
            by_case.setdefault(row["case_id"], []).append(
                {"row": 0, "values": [(k, _text(v)) for k, v in row.items()]})
    nested = [{"case_id": case["case_id"], "row": 8_589_934_592 + number,
               "case": [(k, _text(v)) for k, v in case.items()],
               "debts": grouped["debts"].get(case["case_id"]),
               "budget_lines": grouped["budget_lines"].get(case["case_id"])}
              for number, case in enumerate(tables["cases"])]
    return pa.Table.from_pylist(nested, schema=_SPARK_INPUT).to_batches(max_chunksize=rows)


def test_the_unit_of_work_runs_as_spark_map_in_arrow_calls_it(tmp_path: Path) -> None:
    """``unit_of_work(options, table)`` is given to ``mapInArrow`` as is: Spark pickles it,
    calls it with an iterator of record batches (Spark's field names, any batch size) and
    reads an iterator of batches of the table's schema. The 12 sample cases give, batch by
    batch, the very rows of the local engine's ``cases`` and ``debts`` tables."""
    write_sample(tmp_path / "in", 12, 4, today())
    options = Options(as_of=today(), lang="en")
    local = run_batch(RunSettings(input=tmp_path / "in", output=tmp_path / "local",
                                  options=options, workers=1, report=False))
    assert local.cases == 12
    for table in ("cases", "debts"):
        function = pickle.loads(pickle.dumps(unit_of_work(options, table)))
        found = list(function(iter(_as_spark_gives_them(tmp_path / "in", 5))))
        assert len(found) == 3  # 5 + 5 + 2 cases
        assert all(isinstance(batch, pa.RecordBatch) for batch in found)
        assert all(batch.schema.equals(OUTPUT_SCHEMAS[table]) for batch in found)
        assert pa.Table.from_batches(found).equals(read_output(tmp_path / "local", table))


def test_spark_ddl_keeps_the_decimals_exact() -> None:
    assert spark_ddl("cases").startswith(
        "`case` STRING, `as_of` DATE, `debts` INT, `due` DECIMAL(18, 2), ")
    assert spark_ddl("rungs").endswith("`waived` DECIMAL(18, 2), `apr` DECIMAL(12, 6)")
    assert spark_ddl("errors") == ("`case` STRING, `table` STRING, `row` BIGINT, "
                                   "`column` STRING, `message` STRING")


@given(st.lists(st.integers(0, 60), max_size=80))
def test_finished_chunks_are_kept_as_few_ranges(indices: list[int]) -> None:
    """Whatever order the chunks finish in, the manifest's ranges are sorted, disjoint and
    not touching (so in-order chunks make one range), and hold exactly the chunks added."""
    done = Done()
    for index in indices:
        done.add(index)
    added = set(indices)
    assert done.count == len(added)
    assert set(done) == added
    assert all(index in done for index in added)
    assert not any(index in done for index in set(range(-1, 62)) - added)
    for (_first, last), (following, _end) in zip(done.ranges, done.ranges[1:], strict=False):
        assert following > last + 1
    assert Done(done.ranges).ranges == done.ranges


def test_the_manifest_stays_small_and_empty_tables_get_one_part(tmp_path: Path) -> None:
    """40 cases in chunks of 3 (14 chunks) on two workers: the manifest lists one range and
    the totals; the errors and documents tables, empty, have only the first chunk's part
    (their schema)."""
    write_sample(tmp_path / "in", 40, 6, today())
    result = run_batch(RunSettings(input=tmp_path / "in", output=tmp_path / "out",
                                   options=Options(as_of=today(), lang="en"), chunk_size=3,
                                   workers=2, report=True))
    assert (result.cases, result.chunks, result.done) == (40, 14, 14)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["done"] == [[0, 13]]
    assert manifest["finished"] == 14
    assert manifest["totals"]["cases"] == manifest["totals"]["input"] == 40
    assert manifest["totals"]["debts"] == read_output(tmp_path / "out", "debts").num_rows
    for table in ("errors", "documents"):
        parts = sorted(p.name for p in (tmp_path / "out" / table).iterdir())
        assert parts == ["part-000000.parquet"]
        assert read_output(tmp_path / "out", table).num_rows == 0
    assert len(list((tmp_path / "out" / "cases").iterdir())) == 14
    assert result.figures["cases"] == 40


def test_rows_out_of_order_repeated_ids_and_rows_of_no_case_are_reported(
        tmp_path: Path) -> None:
    """cases: a, b, c, a again (row 4), d, an empty id (row 6); debts: a, b, a (row 3, after
    b's), x (row 4, no such case), c, d, c (row 7, after d's), an empty id (row 8). In
    chunks of 2, across chunk ends: a, b, c and d are evaluated with their own rows; the
    repeated and the empty case ids and the four stray debt rows are in the errors."""
    source = tmp_path / "in"
    source.mkdir()
    since = today().replace(day=1).isoformat() if today().day > 1 else today().isoformat()
    (source / "cases.csv").write_text("case_id,adults\na,1\nb,1\nc,1\na,1\nd,1\n,1\n",
                                      encoding="utf-8")
    owners = ["a", "b", "a", "x", "c", "d", "c", ""]
    (source / "debts.csv").write_text("case_id,product,amount,overdue_since\n" + "".join(
        f"{owner},huabei,{1000 + number},{since}\n"
        for number, owner in enumerate(owners, start=1)), encoding="utf-8")
    result = run_batch(RunSettings(input=source, output=tmp_path / "out",
                                   options=Options(as_of=today(), lang="en"), chunk_size=2,
                                   workers=1, report=False))
    errors = sorted((e["table"], e["row"], e["column"], e["message"])
                    for e in read_output(tmp_path / "out", "errors").to_pylist())
    together = "the rows of case '{}' must come together, in the order of the cases table"
    assert errors == [
        ("cases", 4, "case_id", "'a' is given twice in the cases table"),
        ("cases", 6, "case_id", "is required"),
        ("debts", 3, "case_id", together.format("a")),
        ("debts", 4, "case_id", "'x' is not a case in the cases table"),
        ("debts", 7, "case_id", together.format("c")),
        ("debts", 8, "case_id", "'' is not a case in the cases table"),
    ]
    amounts = {row["case"]: row["principal"] for row in
               read_output(tmp_path / "out", "debts").to_pylist()}
    # each case's one debt is its own row: amount 1000 + the row's number
    assert {case: str(amount) for case, amount in amounts.items()} == {
        "a": "1001.00", "b": "1002.00", "c": "1005.00", "d": "1006.00"}
    assert (result.cases, result.refused) == (4, 2)
