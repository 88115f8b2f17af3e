"""Running a batch: chunks out to the workers, parts back to disk, a manifest that lets a
stopped run resume.

The output folder::

    OUT/manifest.json            the run (input, day, chunk size) and the finished chunks
    OUT/cases/part-000000.parquet  one part per chunk and table (cases, debts, rungs, errors,
                                   documents); none for a table the chunk has no rows of
    OUT/report.html              written when every chunk is done

A chunk's parts are written to temporary names and renamed into place, then the manifest
(also written whole and renamed) counts the chunk. A run stopped at any moment — Ctrl-C, a
kill, a power cut — leaves only finished chunks in the manifest; running the same command
again skips them and redoes the rest, overwriting any part of an unfinished chunk. So no
case is written twice and none is lost. The manifest stays small whatever the input: the
finished chunks as ranges of chunk numbers (``[[0, 1999]]`` once 2,000 chunks are done; a
few more ranges while chunks finish out of order) and the running totals.

Engines: ``local`` (the default) runs the chunks in a pool of worker processes, one per core
(``multiprocessing`` rather than a Dask ``LocalCluster``: no scheduler, nanny or dashboard
to start — about two seconds and 100 MB saved on a small machine — and the bounded window of
chunks in flight is a few lines); ``--scheduler`` sends the same function to an existing
Dask cluster. Either way each worker imports the code and loads the presets, budget norms,
legal tables and message catalogs once, before its first chunk (:func:`warm_up`), and the
run's options travel once per worker (scattered on Dask), not with every chunk.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from xieshang.batch.read import Chunk, Source, open_source
from xieshang.batch.work import (
    OUTPUT_SCHEMAS,
    Options,
    case_key,
    evaluate_batch,
    rows_to_batch,
    warm_up,
)
from xieshang.engine.errors import N_, InputError

__all__ = ["RunResult", "RunSettings", "finished_parts", "read_output", "run_batch"]

FORMAT = "xieshang-batch"
#: The manifest's layout (2: finished chunks as ranges, with running totals).
VERSION = 2
TABLE_NAMES = tuple(OUTPUT_SCHEMAS)


@dataclass(frozen=True)
class RunSettings:
    """One run.

    Attributes:
        input: the input folder.
        output: the output folder.
        options: the day, language, hash key and what to compute.
        chunk_size: cases per chunk (the unit of work and of resuming).
        workers: processes of the local engine (default: every core).
        scheduler: a Dask scheduler's address (``tcp://host:8786``), or ``None`` for local.
        report: whether to write report.html at the end.
    """

    input: Path
    output: Path
    options: Options
    chunk_size: int = 500
    workers: int | None = None
    scheduler: str | None = None
    report: bool = True


@dataclass
class RunResult:
    """What a run did.

    Attributes:
        total: cases in the input.
        chunks: chunks in the input; ``done``: finished (this run or an earlier one).
        skipped: chunks an earlier run had finished.
        cases: cases evaluated; ``refused``: cases left out (their rows are in errors).
        errors: rows in the errors table.
        seconds: this run's time; ``interrupted``: stopped before the end.
    """

    total: int = 0
    chunks: int = 0
    done: int = 0
    skipped: int = 0
    cases: int = 0
    refused: int = 0
    errors: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    as_of: date | None = None
    report: Path | None = None
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        return self.errors > 0


def _key_mark(key: str | None) -> str | None:
    if key is None:
        return None
    return hmac.new(key.encode("utf-8"), b"xieshang-batch", hashlib.sha256).hexdigest()[:16]


def _manifest_path(output: Path) -> Path:
    return output / "manifest.json"


class Done:
    """The finished chunks: sorted, disjoint ranges ``[first, last]`` of chunk numbers.

    Adding a chunk merges it with its neighbours, so a run that finishes its chunks in order
    keeps one range, and one finishing them a few at a time out of order a few more.
    """

    def __init__(self, ranges: list[list[int]] | None = None) -> None:
        self.ranges: list[list[int]] = [list(r) for r in ranges or ()]
        self.count = sum(last - first + 1 for first, last in self.ranges)

    def __contains__(self, index: int) -> bool:
        at = bisect.bisect_right(self.ranges, index, key=lambda r: r[0]) - 1
        return at >= 0 and self.ranges[at][0] <= index <= self.ranges[at][1]

    def __iter__(self) -> Iterator[int]:
        for first, last in self.ranges:
            yield from range(first, last + 1)

    def add(self, index: int) -> None:
        if index in self:
            return
        at = bisect.bisect_left(self.ranges, index, key=lambda r: r[0])
        before = self.ranges[at - 1] if at > 0 else None
        after = self.ranges[at] if at < len(self.ranges) else None
        if before is not None and before[1] == index - 1:
            before[1] = index
            if after is not None and after[0] == index + 1:
                before[1] = after[1]
                del self.ranges[at]
        elif after is not None and after[0] == index + 1:
            after[0] = index
        else:
            self.ranges.insert(at, [index, index])
        self.count += 1


def _load_manifest(settings: RunSettings, source: Source) -> dict[str, Any]:
    """The manifest of an earlier run of the same command, or a new one; a folder holding
    another run is refused."""
    path = _manifest_path(settings.output)
    options = settings.options
    fresh = {"format": FORMAT, "version": VERSION, "input": source.fingerprint(),
             "as_of": options.as_of.isoformat(), "chunk_size": settings.chunk_size,
             "key": _key_mark(options.hash_key), "plan": options.plan,
             "ladder": options.ladder, "lang": options.lang,
             "documents": list(options.documents), "done": [], "finished": 0,
             "totals": {**dict.fromkeys(TABLE_NAMES, 0), "input": 0}}
    if not path.exists():
        if settings.output.exists() and any(settings.output.iterdir()):
            raise InputError("output", N_("{path} is not empty and holds no batch run: give a "
                                          "new folder"), path=str(settings.output))
        return fresh
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError("output", N_("{path} holds a damaged manifest.json: give a new "
                                      "folder"), path=str(settings.output)) from None
    same = all(found.get(k) == fresh[k] for k in ("format", "version", "input", "chunk_size",
                                                  "key", "plan", "ladder", "lang",
                                                  "documents"))
    if not same:
        raise InputError("output", N_("{path} holds a run of other input or options: give a "
                                      "new folder, or the same command to resume"),
                         path=str(settings.output))
    return dict(found)


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _save_manifest(output: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=1, sort_keys=True)

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    _write_atomic(_manifest_path(output), write)


def _part(output: Path, table: str, index: int) -> Path:
    return output / table / f"part-{index:06d}.parquet"


def _save_chunk(output: Path, index: int, tables: dict[str, pa.RecordBatch]) -> dict[str, int]:
    """Write a chunk's parts. A table with no rows in this chunk gets no part (most chunks
    have no errors and no documents: two Parquet files and two fsyncs saved), except in the
    first chunk, so that every table's folder holds its schema; a part left by an earlier,
    unfinished attempt at the chunk is removed."""
    counts = {}
    for name in TABLE_NAMES:
        table = pa.Table.from_batches([tables[name]], schema=OUTPUT_SCHEMAS[name])
        counts[name] = table.num_rows
        target = _part(output, name, index)
        if not table.num_rows and index:
            target.unlink(missing_ok=True)
            continue

        def write(path: Path, table: pa.Table = table) -> None:
            pq.write_table(table, path, compression="zstd")

        _write_atomic(target, write)
    return counts


def _reader_errors(chunk: Chunk, options: Options) -> pa.RecordBatch:
    from xieshang.i18n import gettext_for

    _ = gettext_for(options.lang)
    rows = [{"case": case_key(owner, options.hash_key) if owner else None,
             "table": problem.table, "row": problem.row, "column": problem.column,
             "message": problem.error.render(_(problem.error.message))}
            for owner, problem in chunk.problems]
    return pa.RecordBatch.from_pylist(rows, schema=OUTPUT_SCHEMAS["errors"])


def _merge(chunk: Chunk, result: dict[str, pa.RecordBatch], options: Options
           ) -> dict[str, pa.RecordBatch]:
    if not chunk.problems:
        return result
    errors = pa.Table.from_batches([_reader_errors(chunk, options), result["errors"]])
    return {**result, "errors": errors.combine_chunks().to_batches()[0]
            if errors.num_rows else result["errors"]}


def _worker_start(lang: str) -> None:
    """In each local worker: Ctrl-C is the driver's to handle, a worker never outlives its
    driver (killed with ``kill -9``, the driver cannot stop them itself), and the code and
    rule data are loaded before the first chunk."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the driver died before prctl took effect
        os._exit(1)

    def watch() -> None:  # elsewhere: look for the driver every second
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    import threading

    threading.Thread(target=watch, daemon=True).start()
    warm_up(lang)


def _ready() -> int:
    return os.getpid()


class _Local:
    """The local engine: worker processes (or this process, with one worker)."""

    def __init__(self, workers: int, options: Options) -> None:
        self.workers = workers
        self.options = options
        self.pool = None
        if workers <= 1:
            warm_up(options.lang)
            return
        self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start,
                                        initargs=(options.lang,))
        # start the workers now: they fork from a driver that holds no input yet, and load
        # the code while the driver reads the first chunk
        self.pool.submit(_ready)

    def submit(self, batch: pa.RecordBatch) -> Future[Any]:
        if self.pool is None:
            future: Future[Any] = Future()
            future.set_result(evaluate_batch(batch, self.options))
            return future
        return self.pool.submit(evaluate_batch, batch, self.options)

    def wait(self, pending: set[Any]) -> set[Any]:
        done, _rest = wait(pending, return_when=FIRST_COMPLETED)
        return set(done)

    def close(self, *, cancel: bool = False) -> None:
        if self.pool is None:
            return
        if cancel:  # stop now: the chunks in flight are redone when the run resumes
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class _Dask:
    """An existing Dask cluster: the options scattered to every worker once, and each worker
    warmed up before the first chunk."""

    def __init__(self, address: str, options: Options) -> None:
        from distributed import Client

        try:
            self.client = Client(address, timeout="20s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as error:
            raise InputError("scheduler", N_("cannot reach the Dask scheduler at {address}: "
                                             "{error}"), address=address,
                             error=str(error)[:200]) from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self.client.run(warm_up, options.lang)
        self.options = self.client.scatter(options, broadcast=True,  # type: ignore[no-untyped-call]
                                           hash=False)

    def submit(self, batch: pa.RecordBatch) -> Any:
        return self.client.submit(evaluate_batch, batch, self.options, pure=False)

    def wait(self, pending: set[Any]) -> set[Any]:
        from distributed import wait as dask_wait

        done, _rest = dask_wait(list(pending),  # type: ignore[no-untyped-call]
                                return_when="FIRST_COMPLETED")
        return set(done)

    def close(self, *, cancel: bool = False) -> None:
        self.client.close()  # type: ignore[no-untyped-call]


def run_batch(settings: RunSettings, *, progress: Callable[[int, int], None] | None = None
              ) -> RunResult:
    """Run (or resume) a batch; ``progress(cases_done, total)`` after each chunk.

    Ctrl-C (``KeyboardInterrupt``) stops it cleanly: the chunks finished so far stay, the
    result says ``interrupted``.
    """
    started = time.monotonic()
    source = open_source(settings.input)
    manifest = _load_manifest(settings, source)
    options = Options(as_of=date.fromisoformat(manifest["as_of"]), lang=settings.options.lang,
                      hash_key=settings.options.hash_key, plan=settings.options.plan,
                      ladder=settings.options.ladder, documents=settings.options.documents)
    settings.output.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        (settings.output / name).mkdir(exist_ok=True)
    _save_manifest(settings.output, manifest)
    done = Done(manifest["done"])
    totals: dict[str, int] = manifest["totals"]
    result = RunResult(total=source.total, as_of=options.as_of, skipped=done.count)
    finished_cases = totals["input"]
    if progress is not None:
        progress(finished_cases, source.total)
    engine: _Local | _Dask = _Dask(settings.scheduler, options) if settings.scheduler else \
        _Local(settings.workers or os.cpu_count() or 1, options)
    window = max(2, engine.workers * 2)
    # tests stop a run between chunks: a pause after each one (seconds), never set otherwise
    delay = float(os.environ.get("XIESHANG_TEST_BATCH_DELAY", "0") or 0)  # float-ok: seconds
    pending: dict[Any, Chunk] = {}

    def collect(futures: set[Any]) -> None:
        nonlocal finished_cases
        for future in futures:
            chunk = pending.pop(future)
            tables = _merge(chunk, future.result(), options)
            counts = _save_chunk(settings.output, chunk.index, tables)
            counts["input"] = len(chunk.cases) + sum(
                1 for p in chunk.problems if p[1].table == "cases")
            for name, count in counts.items():
                totals[name] = totals.get(name, 0) + count
            done.add(chunk.index)
            manifest["done"] = done.ranges
            manifest["finished"] = done.count
            _save_manifest(settings.output, manifest)
            finished_cases += counts["input"]
            if progress is not None:
                progress(finished_cases, source.total)
            if delay:
                time.sleep(delay)

    chunks: Iterator[Chunk] = source.chunks(settings.chunk_size)
    try:
        for chunk in chunks:
            result.chunks += 1
            if chunk.index in done:
                continue
            while len(pending) >= window:
                collect(engine.wait(set(pending)))
            pending[engine.submit(rows_to_batch(chunk.cases))] = chunk
        while pending:
            collect(engine.wait(set(pending)))
    except KeyboardInterrupt:
        result.interrupted = True
        engine.close(cancel=True)
    else:
        engine.close()
    result.done = done.count
    result.cases = totals["cases"]
    result.errors = totals["errors"]
    result.refused = totals["input"] - totals["cases"]
    result.seconds = time.monotonic() - started
    if not result.interrupted and settings.report:
        from xieshang.batch.report import write_report

        result.figures, result.report = write_report(settings.output, options, result)
    return result


def finished_parts(output: Path, table: str) -> Iterator[Path]:
    """The parts of one output table written by finished chunks, in chunk order."""
    manifest = json.loads(_manifest_path(output).read_text(encoding="utf-8"))
    for index in Done(manifest["done"]):
        part = _part(output, table, index)
        if part.exists():  # a chunk without rows in this table has no part
            yield part


def read_output(output: Path, table: str, columns: list[str] | None = None) -> pa.Table:
    """One output table, whole (for tests and small runs: a large run's tables are read
    part by part, :func:`finished_parts`)."""
    parts = list(finished_parts(output, table))
    if not parts:
        schema = OUTPUT_SCHEMAS[table]
        return (schema if columns is None else pa.schema([schema.field(c) for c in columns])
                ).empty_table()
    return pa.concat_tables([pq.read_table(p, columns=columns) for p in parts])
