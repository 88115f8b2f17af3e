"""``xieshang batch``: many cases at once (``run``), and a synthetic caseload (``sample``).

The work is in :mod:`xieshang.batch` (pyarrow, dask.distributed: the ``batch`` extra),
imported only when a batch command runs; without the extra the command says in one line
how to install it.

Exit status of ``batch run``: 0 every case evaluated; 3 partial — some rows were refused
(listed in the errors table) and the other cases were evaluated; 130 stopped by Ctrl-C (run
the same command again to resume); 2 the command itself could not start (bad option, input
or output folder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from xieshang.cli.main import CONTEXT, app, common_options

#: Exit status when some rows were refused and the rest evaluated.
PARTIAL = 3
#: Exit status when the run was stopped (Ctrl-C) before the end.
STOPPED = 130


def _require(lang: str | None) -> None:
    """Stop with one line saying how to install the batch extra when it is missing."""
    from xieshang.i18n import gettext_for

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        from xieshang.batch import INSTALL

        _ = gettext_for(lang)
        click.echo(_("xieshang batch needs pyarrow and dask: install them with {command}")
                   .format(command=INSTALL), err=True)
        raise SystemExit(2) from None


@app.group("batch", context_settings=CONTEXT)
def batch_app() -> None:
    """批量评估许多案例（本机或 Dask 集群）。Many cases at once, on this machine or a Dask cluster."""


@batch_app.command("run", context_settings=CONTEXT)
@common_options
@click.argument("input_dir", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--output", "output", required=True, type=click.Path(path_type=Path),
              help="输出文件夹（Parquet 表和 report.html）. Output folder.")
@click.option("--scheduler", "scheduler", default=None, metavar="tcp://HOST:8786",
              help="在已有的 Dask 集群上运行. Run on an existing Dask cluster.")
@click.option("--hash-ids", "hash_key", default=None, metavar="KEY",
              help="用密钥哈希（HMAC-SHA256）替换案例编号. Replace case ids by keyed hashes.")
@click.option("--chunk-size", "chunk_size", default="500", show_default=True, metavar="N",
              help="每块的案例数（续跑的单位）. Cases per chunk (the unit of resuming).")
@click.option("--workers", "workers", default=None, metavar="N",
              help="本机进程数（默认每个核一个）. Local worker processes (default: one per core).")
@click.option("--no-plan", "no_plan", is_flag=True,
              help="不计算还款计划摘要. Skip the plan summary.")
@click.option("--no-ladder", "no_ladder", is_flag=True,
              help="不计算每笔债务的协商阶梯（也就没有建议方案和文书）. Skip the ladders.")
@click.option("--documents", "documents", default=None, metavar="KIND,…",
              help="为每笔债务生成文书，如 letter,hardship（不含姓名和账号）. Documents per debt.")
def batch_run(input_dir: Path, output: Path, scheduler: str | None, hash_key: str | None,
              chunk_size: str, workers: str | None, no_plan: bool, no_ladder: bool,
              documents: str | None, lang: str | None = None, as_json: bool = False) -> None:
    """评估 INPUT 中的每个案例。Evaluate every case in INPUT (see docs/batch.md)."""
    _require(lang)
    from xieshang.batch.run import RunSettings, run_batch
    from xieshang.batch.work import Options
    from xieshang.clock import today
    from xieshang.engine.errors import N_, InputError
    from xieshang.engine.parsing import parse_count
    from xieshang.output import Output

    out = Output.make(lang, as_json)
    _ = out._
    kinds: tuple[str, ...] = ()
    if documents:
        from xieshang.documents import kind_of

        kinds = tuple(dict.fromkeys(kind_of(part).value for part in documents.split(",")
                                    if part.strip()))
    if hash_key is not None and not hash_key.strip():
        raise InputError("hash_ids", N_("the key must not be empty"))
    settings = RunSettings(
        input=input_dir, output=output,
        options=Options(as_of=today(), lang=out.lang, hash_key=hash_key, plan=not no_plan,
                        ladder=not no_ladder, documents=kinds),
        chunk_size=parse_count(chunk_size, "chunk_size", minimum=1, maximum=100_000),
        workers=None if workers is None else parse_count(workers, "workers", minimum=1,
                                                         maximum=512),
        scheduler=scheduler)
    result = _run_with_progress(out, settings, run_batch)
    payload = {"as_of": result.as_of, "total": result.total, "cases": result.cases,
               "refused": result.refused, "errors": result.errors,
               "chunks": result.chunks, "chunks_done": result.done,
               "chunks_resumed": result.skipped, "seconds": round(result.seconds, 2),
               "interrupted": result.interrupted,
               "report": None if result.report is None else str(result.report),
               "figures": {k: v for k, v in result.figures.items()
                           if k != "month_delay_by_product"}}
    if out.as_json:
        out.json(payload)
    elif result.interrupted:
        out.print(_("Stopped: {done} of {chunks} chunks are finished and kept in {output}. Run "
                    "the same command again to go on from there.").format(
            done=result.done, chunks=max(result.chunks, result.done), output=str(output)))
    else:
        rate = result.cases / result.seconds if result.seconds else 0.0
        out.print(_("{cases} cases evaluated as of {day} in {seconds:.1f} s ({rate:.0f} a "
                    "second); {refused} left out. Tables and report in {output}.").format(
            cases=result.cases, day=result.as_of, seconds=result.seconds, rate=rate,
            refused=result.refused, output=str(output)))
        if result.errors:
            out.print(_("{errors} rows were refused: see {output}/errors (row, column and "
                        "why).").format(errors=result.errors, output=str(output)))
    if result.interrupted:
        raise SystemExit(STOPPED)
    if result.partial:
        raise SystemExit(PARTIAL)


def _run_with_progress(out: Any, settings: Any, run: Any) -> Any:
    """The run, with a progress bar (cases, cases a second, time left) on stderr."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    _ = out._
    console = Console(stderr=True)
    with Progress(TextColumn(_("cases")), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                  console=console, transient=True, disable=out.as_json) as bar:
        task = bar.add_task("batch", total=None, rate="")
        first: list[tuple[float, int]] = []

        def progress(done: int, total: int) -> None:
            import time

            now = time.monotonic()
            if not first:
                first.append((now, done))
            start, before = first[0]
            rate = (done - before) / (now - start) if now > start else 0.0
            bar.update(task, completed=done, total=total,
                       rate=_("{rate:.0f} cases/s").format(rate=rate) if rate else "")

        return run(settings, progress=progress)


@batch_app.command("sample", context_settings=CONTEXT)
@common_options
@click.option("--cases", "cases", required=True, metavar="N", help="案例数. Number of cases.")
@click.option("--seed", "seed", default="1", show_default=True, metavar="S",
              help="随机种子（同一种子得到同样的数据）. Random seed.")
@click.option("--output", "output", required=True, type=click.Path(path_type=Path),
              help="输出文件夹. Output folder.")
@click.option("--format", "fmt", default="parquet", show_default=True,
              type=click.Choice(["parquet", "csv", "json"]),
              help="parquet | csv | json（每个案例一个导出文件）")
def batch_sample(cases: str, seed: str, output: Path, fmt: str, lang: str | None = None,
                 as_json: bool = False) -> None:
    """生成虚构案例（不含真实个人信息）。Write a synthetic caseload (no real person)."""
    _require(lang)
    from xieshang.batch.sample import write_sample
    from xieshang.clock import today
    from xieshang.engine.parsing import parse_count
    from xieshang.output import Output

    out = Output.make(lang, as_json)
    count = parse_count(cases, "cases", minimum=1, maximum=100_000_000)
    number = parse_count(seed, "seed", minimum=0, maximum=2**31)
    written = write_sample(output, count, number, today(), fmt)
    if out.as_json:
        out.json({"output": str(output), "format": fmt, "rows": written})
        return
    out.print(out._("{cases} made-up cases ({debts} debts, {lines} budget lines) written to "
                    "{output}.").format(cases=written["cases"], debts=written["debts"],
                                        lines=written["budget_lines"], output=str(output)))
