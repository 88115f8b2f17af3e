"""Benchmarks of ``xieshang batch`` (issue 17): cases a minute, scaling, memory, and where a
case's time goes.

Run it with ``.venv/bin/python bench/batch.py`` (needs the ``batch`` extra). It prints
figures and whether each target is met; it never fails a build.

1. **Per case** (one process, ``--profile-cases`` sample cases, bill + shares + ladder +
   plan summary): CPU seconds per case and the cases a minute that makes on this machine's
   cores; target ≥ 20,000 a minute on 2 cores (≤ 6 ms of CPU per case per core). With a
   breakdown of a case's time by stage (cProfile, cumulative).
2. **Scaling** on a Dask ``LocalCluster`` (processes, one thread each): 1 worker, then 2,
   on the same ``--scale-cases`` cases; target near-linear (2 workers ≥ 1.8× one).
3. **End to end**: ``xieshang batch run`` as its own process on ``--e2e-cases`` cases, its
   peak memory (the driver and every worker process, sampled every 0.2 s) and cases a
   minute; target under 2 GB for 1,000,000 cases (``--e2e-cases 1000000``).
4. **Reader** over ``--reader-cases`` cases (default 1,000,000): the driver's streaming join
   alone, its peak memory — the only part of the run whose memory grows with the input.

The machine is shared (other jobs use the same 2 cores), so wall-clock rates are lower
bounds; CPU seconds per case (``time.process_time``) are the steadier figure.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xieshang.batch.read import open_source  # noqa: E402
from xieshang.batch.run import RunSettings, run_batch  # noqa: E402
from xieshang.batch.sample import write_sample  # noqa: E402
from xieshang.batch.work import Options, evaluate_batch, rows_to_batch  # noqa: E402

DAY = date(2026, 12, 7)
STAGES = {
    "build_case": "rows → case in memory (parsing, checks)",
    "case_view": "bill today, cost per day, shares, next milestone",
    "build_ladder": "the ladder of each debt",
    "_flags": "legal-risk flags (timeline)",
    "_month_delay": "cost of a month's delay (bill in a month)",
    "plan_input": "the plan's input (bills again, budget again)",
    "make_plan": "the pro-rata plan (month by month)",
    "bill_on": "  of which: the engine's bill (accrual), every caller",
}


def _batches(folder: Path, size: int) -> list[Any]:
    return [rows_to_batch(chunk.cases) for chunk in open_source(folder).chunks(size)]


def per_case(folder: Path, count: int) -> float:
    batches = _batches(folder, 100)
    options = Options(as_of=DAY)
    evaluate_batch(batches[0].slice(0, 3), options)  # imports, preset and norms caches
    started = time.process_time()
    for batch in batches:
        evaluate_batch(batch, options)
    seconds = time.process_time() - started
    per = seconds / count
    cores = os.cpu_count() or 1
    print(f"1. per case: {per * 1000:.1f} ms CPU ({count} cases, one process) → "
          f"{60 / per:,.0f} cases/min per core, {60 / per * cores:,.0f}/min on {cores} cores; "
          f"target ≥ 20,000/min: {'met' if 60 / per * cores >= 20000 else 'NOT met'}")
    profile = cProfile.Profile()
    profile.enable()
    for batch in batches[:2]:
        evaluate_batch(batch, options)
    profile.disable()
    stats = pstats.Stats(profile)
    total = sum(v[3] for k, v in stats.stats.items()  # type: ignore[attr-defined]
                if k[2] == "evaluate_batch")
    print("   where a case's time goes (cumulative, share of evaluate_batch):")
    for name, what in STAGES.items():
        spent = sum(v[3] for k, v in stats.stats.items()  # type: ignore[attr-defined]
                    if k[2] == name)
        print(f"   {spent / total * 100:5.1f} %  {name:<13} {what}")
    return per


def scaling(folder: Path, count: int) -> None:
    """Wall-clock rates, and the workers' CPU per case (steady on a shared machine: if it
    stays the same with 2 workers, the work splits without overhead and the rate doubles
    whenever 2 cores are free)."""
    from distributed import Client, LocalCluster

    rates = {}
    cpu = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as out, LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None) as cluster, Client(cluster) as client:
            settings = RunSettings(input=folder, output=Path(out) / "o",
                                   options=Options(as_of=DAY), chunk_size=25,
                                   scheduler=cluster.scheduler_address, report=False)
            before = sum(client.run(time.process_time).values())
            started = time.perf_counter()
            result = run_batch(settings)
            seconds = time.perf_counter() - started
            used = sum(client.run(time.process_time).values()) - before
        rates[workers] = result.cases / seconds * 60
        cpu[workers] = used / result.cases
        print(f"2. LocalCluster, {workers} worker(s): {result.cases} cases in {seconds:.1f} s "
              f"wall = {rates[workers]:,.0f} cases/min; workers' CPU {cpu[workers] * 1000:.1f} "
              f"ms per case")
    ratio = rates[2] / rates[1]
    print(f"   scaling 1 → 2 workers: {ratio:.2f}× wall clock (target ≥ 1.8×: "
          f"{'met' if ratio >= 1.8 else 'NOT met'}; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); CPU per case 2 vs 1 worker: "
          f"{cpu[2] / cpu[1]:.2f}× (1.00 = no overhead from splitting)")


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        process = psutil.Process(pid)
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def _watch(pid: int, peak: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], _tree_rss(pid))
        time.sleep(0.2)


def end_to_end(folder: Path, count: int) -> None:
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "xieshang", "--now", DAY.isoformat(), "batch", "run",
                   str(folder), "--output", str(Path(out) / "o"), "--json"]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        peak = [0]
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(process.pid, peak, stop))
        watcher.start()
        process.wait()
        stop.set()
        watcher.join()
        seconds = time.perf_counter() - started
    mb = peak[0] / 2**20
    print(f"3. end to end, {count:,} cases (xieshang batch run, local engine, all cores): "
          f"{seconds:.1f} s = {count / seconds * 60:,.0f} cases/min; peak memory of the run "
          f"(driver + workers) {mb:,.0f} MB (target < 2,048 MB for 1,000,000 cases: "
          f"{'met' if mb < 2048 else 'NOT met'} at this size)")


def reader(count: int, seed: int) -> None:
    import resource

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        write_sample(Path(folder), count, seed, DAY)
        written = time.perf_counter() - started
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        cases = 0
        for chunk in open_source(Path(folder)).chunks(500):
            rows_to_batch(chunk.cases)
            cases += len(chunk.cases)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"4. reader: {cases:,} cases (sample written in {written:.0f} s) streamed, joined "
          f"and cut into Arrow batches in {seconds:.0f} s; driver peak RSS {peak / 1024:,.0f} MB "
          f"(before: {before / 1024:,.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile-cases", type=int, default=300)
    parser.add_argument("--scale-cases", type=int, default=200)
    parser.add_argument("--e2e-cases", type=int, default=2000)
    parser.add_argument("--reader-cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: 1,2,3,4")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        for name, count in (("profile", args.profile_cases), ("scale", args.scale_cases),
                            ("e2e", args.e2e_cases)):
            write_sample(base / name, count, args.seed, DAY)
        if "1" not in skip:
            per_case(base / "profile", args.profile_cases)
        if "2" not in skip:
            scaling(base / "scale", args.scale_cases)
        if "3" not in skip:
            end_to_end(base / "e2e", args.e2e_cases)
    if "4" not in skip:
        reader(args.reader_cases, args.seed)


if __name__ == "__main__":
    main()
