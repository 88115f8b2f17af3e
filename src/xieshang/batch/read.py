"""Reading the input: the three tables streamed and joined by case id, or a folder of case
JSON files, cut into chunks of whole cases.

Memory stays bounded: the tables are read a few thousand rows at a time; only an index of
the case ids is kept (to tell a row of a later case from a row whose case is not in
``cases`` or comes out of order): the ids sorted in one Arrow array with their positions,
about 12 bytes a case plus the id's own length (some 25 MB for 1,000,000 cases), where a
Python dict would take some 150. A row that cannot be placed is reported, never dropped
silently.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from xieshang.batch.records import CaseRows, Problem
from xieshang.batch.schema import IGNORED, TABLES
from xieshang.engine.errors import N_, InputError

__all__ = ["Chunk", "Source", "open_source"]

_READ_ROWS = 4096
_INDEX_ROWS = 65_536


@dataclass
class Chunk:
    """Consecutive cases of the input.

    Attributes:
        index: 0 for the first chunk.
        cases: the cases' rows.
        problems: rows the reader could not place, as (case id or "", problem).
    """

    index: int
    cases: list[CaseRows]
    problems: list[tuple[str, Problem]] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """An input folder: its kind (``tables`` or ``json``), its files and its case count."""

    kind: str
    files: dict[str, Path]
    total: int

    def fingerprint(self) -> list[list[Any]]:
        """What identifies the input for a resumed run: each file's name, size and time."""
        return [[name, path.name, path.stat().st_size, path.stat().st_mtime_ns]
                for name, path in sorted(self.files.items())]

    def chunks(self, size: int) -> Iterator[Chunk]:
        if self.kind == "json":
            return _json_chunks(sorted(self.files.values(), key=lambda p: p.name), size)
        return _table_chunks(self.files, size)


def open_source(path: Path) -> Source:
    """The input at ``path``: a folder with ``cases`` and ``debts`` (``.parquet`` or
    ``.csv``) and optionally ``budget_lines``, or a folder of case ``*.json`` files."""
    if not path.is_dir():
        raise InputError("input", N_("{path} is not a folder (give the folder holding "
                                     "cases and debts, or case JSON files)"), path=str(path))
    files: dict[str, Path] = {}
    for name in TABLES:
        for suffix in (".parquet", ".csv"):
            candidate = path / f"{name}{suffix}"
            if candidate.is_file():
                files[name] = candidate
                break
    if "cases" in files or "debts" in files:
        for name in ("cases", "debts"):
            if name not in files:
                raise InputError("input", N_("{path} has no {name}.parquet or {name}.csv"),
                                 path=str(path), name=name)
        return Source("tables", files, _count(files["cases"]))
    documents = {p.stem: p for p in path.glob("*.json")}
    if not documents:
        raise InputError("input", N_("{path} holds neither cases.parquet/cases.csv nor case "
                                     "JSON files"), path=str(path))
    return Source("json", documents, len(documents))


def _count(path: Path) -> int:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    with path.open("rb") as handle:
        lines = sum(1 for _line in handle)
    return max(0, lines - 1)


def _text(value: Any) -> str | None:
    """A cell as text, as a person would type it."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _rows(path: Path) -> Iterator[dict[str, str | None]]:
    """The rows of a table, every value as text (personal columns left out)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        reader = pq.ParquetFile(path)
        wanted = [name for name in reader.schema_arrow.names if name not in IGNORED]
        for batch in reader.iter_batches(batch_size=_READ_ROWS, columns=wanted):
            columns = [[_text(v) for v in column.to_pylist()] for column in batch.columns]
            names = batch.schema.names
            for values in zip(*columns, strict=True):
                yield dict(zip(names, values, strict=True))
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {k: v for k, v in row.items() if k is not None and k not in IGNORED}


class _Keys:
    """The sorted ids as a sequence of ``str`` (for :func:`bisect.bisect_left`)."""

    def __init__(self, ids: Any) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> str:
        return str(self.ids[index].as_py())


class _CaseIndex:
    """Where each case id first stands in ``cases``, and which rows repeat an earlier id.

    The ids are held sorted in one Arrow string array with their row positions (Arrow
    compares UTF-8 bytes, which orders as Python orders ``str``); a look-up is a binary
    search. The reader only looks up an id when a debt or budget row does not belong to the
    case being read nor to the next one, so a well-formed input costs no look-ups.
    """

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = []
        buffer: list[str] = []
        for row in _rows(path):
            buffer.append((row.get("case_id") or "").strip())
            if len(buffer) >= _INDEX_ROWS:
                parts.append(pa.array(buffer, pa.string()))
                buffer = []
        parts.append(pa.array(buffer, pa.string()))
        column = pa.concat_arrays(parts)
        del parts, buffer
        order = pc.sort_indices(column)  # a stable sort: equal ids keep their row order
        self.ids = column.take(order)
        self.positions = order
        self.count = len(column)
        del column
        repeats = pc.equal(self.ids.slice(1), self.ids.slice(0, max(0, self.count - 1)))
        #: rows whose id an earlier row already has (few: each one is an error)
        self.repeated = {int(self.positions[int(i) + 1].as_py())
                         for i in pc.indices_nonzero(repeats).to_pylist()}

    def first(self, case_id: str) -> int | None:
        """The row position of the case (its first row), or ``None``: not a case."""
        import bisect

        if not case_id:
            return None
        at = bisect.bisect_left(_Keys(self.ids), case_id)
        if at < self.count and self.ids[at].as_py() == case_id:
            return int(self.positions[at].as_py())
        return None


class _Grouped:
    """The rows of ``debts`` or ``budget_lines``, handed out case by case."""

    def __init__(self, table: str, path: Path | None, index: _CaseIndex) -> None:
        self.table = table
        self.rows = iter(()) if path is None else enumerate(_rows(path), start=1)
        self.index = index
        self.peeked: tuple[int, dict[str, str | None]] | None = None
        self.done = path is None

    def _peek(self) -> tuple[int, dict[str, str | None]] | None:
        if self.peeked is None and not self.done:
            self.peeked = next(self.rows, None)
            if self.peeked is None:
                self.done = True
        return self.peeked

    def take(self, case_id: str, position: int, following: str | None,
             problems: list[tuple[str, Problem]]) -> list[tuple[int, dict[str, str | None]]]:
        """This case's rows; rows of no case, or of an earlier one, reported on the way.
        ``following`` is the next case's id (the usual owner of the row after the last one
        of this case), ``None`` when unknown."""
        found: list[tuple[int, dict[str, str | None]]] = []
        while True:
            peeked = self._peek()
            if peeked is None:
                return found
            number, row = peeked
            owner = (row.get("case_id") or "").strip()
            if owner and owner == case_id:
                found.append(peeked)
                self.peeked = None
                continue
            if owner and owner == following:
                return found  # the next case's row
            where = self.index.first(owner)
            if where is None:
                problems.append((owner, Problem(self.table, number, "case_id", InputError(
                    "case_id", N_("'{value}' is not a case in the cases table"),
                    value=owner[:40]))))
            elif where < position:
                problems.append((owner, Problem(self.table, number, "case_id", InputError(
                    "case_id", N_("the rows of case '{value}' must come together, in the "
                                  "order of the cases table"), value=owner[:40]))))
            else:
                return found  # a later case's row
            self.peeked = None

    def rest(self, problems: list[tuple[str, Problem]]) -> None:
        self.take("", self.index.count + 1, None, problems)


def _table_chunks(files: dict[str, Path], size: int) -> Iterator[Chunk]:
    index = _CaseIndex(files["cases"])
    debts = _Grouped("debts", files["debts"], index)
    lines = _Grouped("budget_lines", files.get("budget_lines"), index)
    chunk = Chunk(0, [])
    rows = enumerate(_rows(files["cases"]))
    current = next(rows, None)
    while current is not None:
        following = next(rows, None)
        position, row = current
        number = position + 1
        case_id = (row.get("case_id") or "").strip()
        if not case_id or position in index.repeated:
            message = N_("is required") if not case_id else N_(
                "'{value}' is given twice in the cases table")
            chunk.problems.append((case_id, Problem("cases", number, "case_id", InputError(
                "case_id", message, value=case_id[:40]))))
        else:
            after = None
            if following is not None and following[0] not in index.repeated:
                after = (following[1].get("case_id") or "").strip() or None
            chunk.cases.append(CaseRows(
                case_id=case_id, row=number, case=row,
                debts=debts.take(case_id, position, after, chunk.problems),
                lines=lines.take(case_id, position, after, chunk.problems)))
        if len(chunk.cases) + len(chunk.problems) >= size:
            yield chunk
            chunk = Chunk(chunk.index + 1, [])
        current = following
    debts.rest(chunk.problems)
    lines.rest(chunk.problems)
    if chunk.cases or chunk.problems or chunk.index == 0:
        yield chunk


def _json_chunks(paths: list[Path], size: int) -> Iterator[Chunk]:
    chunk = Chunk(0, [])
    for number, path in enumerate(paths, start=1):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            chunk.problems.append((path.stem, Problem("file", number, "file", InputError(
                "file", N_("cannot read {file}: {error}"), file=path.name,
                error=type(error).__name__))))
        else:
            chunk.cases.append(CaseRows(case_id=path.stem, row=number, case={},
                                        document=text))
        if len(chunk.cases) + len(chunk.problems) >= size:
            yield chunk
            chunk = Chunk(chunk.index + 1, [])
    if chunk.cases or chunk.problems or chunk.index == 0:
        yield chunk
