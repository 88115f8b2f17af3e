"""Benchmarks of ``xieshang batch`` (issue 17): cases a minute, where a case's time goes,
scaling from 1 to 2 Dask workers, and the peak memory of a whole run.

Run it with ``.venv/bin/python bench/batch.py`` (needs the ``batch`` extra). It prints
figures and whether each target is met; it never fails a build. ``--skip 1,2`` leaves parts
out.

1. **Per case** (one process, ``--profile-cases`` sample cases): CPU per case of the whole
   unit of work, split into batch's own stages (Arrow → case rows, rows → case in memory
   with every value checked, figures → output records → Arrow) and the services and engine
   (``evaluate_case``: bill, shares, ladder, plan summary), with a breakdown of the latter
   (cProfile, cumulative). Target ≥ 20,000 cases a minute on 2 cores (≤ 6 ms a case).
2. **Scaling** on a Dask ``LocalCluster`` (worker processes, one thread each): 1 worker
   and 2 workers on the same ``--scale-cases`` cases, ``--rounds`` times interleaved
   (1, 2, 2, 1, 1, 2, …) on clusters started and warmed up before the clock starts. Each
   round prints the wall-clock rate, the workers' CPU per case, their utilisation (CPU ÷
   (wall × workers): 1.00 means they never waited for the driver or the scheduler) and the
   CPU the machine's other jobs took meanwhile (from ``/proc/stat``). Target: 2 workers ≥
   1.8× one, which needs two free cores; on a shared machine the utilisation and the CPU
   per case show whether the distribution costs anything.
3. **End to end**: ``xieshang batch run`` as its own process (local engine, every core) on
   ``--cases N`` sample cases (several sizes: ``--cases 20000,100000``); every 0.2 s the
   resident memory of the driver and of each worker (``/proc``), and their proportional
   sum (PSS: pages shared after the fork counted once). Target: under 2 GB for 1,000,000
   cases (``--cases 1000000``; about 1.5 CPU-hours at 5.2 ms a case — run it on a quiet
   machine). ``--no-plan`` and ``--no-ladder`` are passed to the run (both: bills, flags and
   shares only, a quicker memory check of the same streaming).

The machine is shared (other jobs use the same 2 cores), so wall-clock rates are lower
bounds; CPU seconds per case (``time.process_time``) are the steadier figure.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
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

from xieshang import clock  # noqa: E402
from xieshang.batch.read import open_source  # noqa: E402
from xieshang.batch.records import build_case  # noqa: E402
from xieshang.batch.run import RunSettings, run_batch  # noqa: E402
from xieshang.batch.sample import write_sample  # noqa: E402
from xieshang.batch.work import (  # noqa: E402
    OUTPUT_SCHEMAS,
    Options,
    _batch_rows,
    _write,
    evaluate_batch,
    rows_to_batch,
    warm_up,
)
from xieshang.services.evaluate import evaluate_case  # noqa: E402

DAY = date(2026, 12, 7)
STAGES = {
    "case_view": "bill today, cost per day, shares, next milestone",
    "build_ladder": "the ladder of each debt",
    "_flags": "legal-risk flags (timeline)",
    "_month_delay": "cost of a month's delay (bill in a month)",
    "plan_input": "the plan's input (bills again, budget again)",
    "make_plan": "the pro-rata plan (month by month)",
    "bill_on": "  of which: the engine's bill (accrual), every caller",
}


def per_case(folder: Path, count: int) -> float:
    import pyarrow as pa

    chunks = list(open_source(folder).chunks(100))
    options = Options(as_of=DAY)
    warm_up(options.lang)
    evaluate_batch(rows_to_batch(chunks[0].cases[:3]), options)  # lazy imports
    spent = dict.fromkeys(("to_arrow", "from_arrow", "build", "evaluate", "records",
                           "out_arrow"), 0.0)
    tick = time.process_time
    cases = 0
    with clock.pinned(clock.parse_moment(DAY.isoformat())):
        for chunk in chunks:
            started = tick()
            batch = rows_to_batch(chunk.cases)
            spent["to_arrow"] += tick() - started
            started = tick()
            rows = list(_batch_rows(batch))
            spent["from_arrow"] += tick() - started
            out: dict[str, list[dict[str, Any]]] = {name: [] for name in OUTPUT_SCHEMAS}
            for row in rows:
                started = tick()
                built = build_case(row)
                spent["build"] += tick() - started
                if isinstance(built, list):
                    continue
                started = tick()
                figures = evaluate_case(*built, DAY)
                spent["evaluate"] += tick() - started
                started = tick()
                _write(row.case_id, figures, options, out)
                spent["records"] += tick() - started
            started = tick()
            for name, schema in OUTPUT_SCHEMAS.items():
                pa.RecordBatch.from_pylist(out[name], schema=schema)
            spent["out_arrow"] += tick() - started
            cases += len(rows)
    per = sum(spent.values()) / cases
    own = per - spent["evaluate"] / cases
    cores = os.cpu_count() or 1
    print(f"1. per case: {per * 1000:.2f} ms CPU ({cases} cases, one process) → "
          f"{60 / per:,.0f} cases/min per core, {60 / per * cores:,.0f}/min on {cores} cores; "
          f"target ≥ 20,000/min: {'met' if 60 / per * cores >= 20000 else 'NOT met'}")
    print(f"   batch's own work {own * 1000:.2f} ms a case ({own / per * 100:.1f} %): "
          + ", ".join(f"{name} {spent[name] / cases * 1000:.3f}" for name in
                      ("to_arrow", "from_arrow", "build", "records", "out_arrow"))
          + f" ms; services and engine {spent['evaluate'] / cases * 1000:.2f} ms")
    profile = cProfile.Profile()
    batches = [rows_to_batch(chunk.cases) for chunk in chunks[:2]]
    profile.enable()
    for batch in batches:
        evaluate_batch(batch, options)
    profile.disable()
    stats: Any = pstats.Stats(profile)
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "evaluate_case")
    print("   where evaluate_case's time goes (cumulative, profiled):")
    for name, what in STAGES.items():
        used = sum(v[3] for k, v in stats.stats.items() if k[2] == name)
        print(f"   {used / total * 100:5.1f} %  {name:<13} {what}")
    return per


def _busy() -> tuple[float, float]:
    """(seconds all cores were busy, seconds elapsed × cores) since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / tick, sum(fields) / tick


def _one_round(folder: Path, workers: int, chunk: int) -> dict[str, float]:
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as out, LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            dashboard_address=None) as cluster, Client(cluster) as client:
        settings = RunSettings(input=folder, output=Path(out) / "o",
                               options=Options(as_of=DAY), chunk_size=chunk,
                               scheduler=cluster.scheduler_address, report=False)
        client.run(warm_up, "zh")
        before = sum(client.run(time.process_time).values())
        driver = time.thread_time()
        here = time.process_time()
        busy = _busy()
        started = time.perf_counter()
        result = run_batch(settings)
        seconds = time.perf_counter() - started
        spent = _busy()[0] - busy[0]
        driver = time.thread_time() - driver
        here = time.process_time() - here
        used = sum(client.run(time.process_time).values()) - before
    cases = result.cases
    return {"workers": workers, "seconds": seconds, "rate": cases / seconds * 60,
            "cpu": used / cases, "driver": driver / cases, "scheduler": (here - driver) / cases,
            "utilisation": used / (seconds * workers),
            "others": max(0.0, spent - used - here) / seconds, "cases": cases}


def scaling(folder: Path, count: int, rounds: int) -> None:
    """Interleaved rounds; the ratio of the median rates, and the CPU figures that do not
    depend on what else the machine runs."""
    chunk = max(10, count // 40)  # ≥ 20 chunks a worker: the last one idles ≤ 1/20 of a run
    order = [w for pair in range(rounds) for w in ((1, 2) if pair % 2 == 0 else (2, 1))]
    found: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    print(f"2. LocalCluster scaling: {count} cases, chunks of {chunk}, {rounds} rounds each "
          f"(order {order})")
    for workers in order:
        figures = _one_round(folder, workers, chunk)
        found[workers].append(figures)
        print(f"   {workers} worker(s): {figures['seconds']:6.1f} s wall = "
              f"{figures['rate']:6,.0f} cases/min; workers' CPU {figures['cpu'] * 1000:.2f} "
              f"ms a case, utilisation {figures['utilisation']:.2f}; driver "
              f"{figures['driver'] * 1000:.2f} ms a case (read, convert, write), scheduler "
              f"and client {figures['scheduler'] * 1000:.2f}; other jobs used "
              f"{figures['others']:.2f} of {os.cpu_count()} cores")
    rate = {w: statistics.median(f["rate"] for f in found[w]) for w in (1, 2)}
    cpu = {w: statistics.median(f["cpu"] for f in found[w]) for w in (1, 2)}
    used = {w: statistics.median(f["utilisation"] for f in found[w]) for w in (1, 2)}
    others = statistics.median(f["others"] for w in (1, 2) for f in found[w])
    ratio = rate[2] / rate[1]
    overhead = {w: statistics.median(f["driver"] + f["scheduler"] for f in found[w])
                for w in (1, 2)}
    print(f"   scaling 1 → 2 workers (medians): {ratio:.2f}× wall clock (target ≥ 1.8×: "
          f"{'met' if ratio >= 1.8 else 'NOT met'}); CPU a case 2 vs 1 worker "
          f"{cpu[2] / cpu[1]:.2f}× (1.00: splitting costs nothing); utilisation "
          f"{used[1]:.2f} / {used[2]:.2f}; other jobs took {others:.2f} cores meanwhile")
    # on two free cores: both workers busy, the driver and scheduler taking their share
    free = 2 * cpu[1] / (cpu[2] + overhead[2])
    print(f"   on two free cores the CPU figures allow {free:.2f}× (2 × one worker's CPU a "
          f"case ÷ (CPU a case with two + driver and scheduler CPU a case))")


def _rss(pid: int) -> int:
    """Resident memory of a process in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _pss(pid: int) -> int:
    """Proportional memory of a process (shared pages divided among their sharers)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            direct = [int(v) for v in handle.read().split()]
    except OSError:
        return []
    for child in direct:
        found += [child, *_children(child)]
    return found


class _Watch:
    """Peak memory of a process and its children, sampled every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid = pid
        self.every = every
        self.driver = 0
        self.workers: dict[int, int] = {}
        self.total = 0
        self.pss = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            driver = _rss(self.pid)
            children = _children(self.pid)
            sizes = {child: _rss(child) for child in children}
            self.driver = max(self.driver, driver)
            for child, size in sizes.items():
                self.workers[child] = max(self.workers.get(child, 0), size)
            self.total = max(self.total, driver + sum(sizes.values()))
            self.pss = max(self.pss, _pss(self.pid) + sum(_pss(c) for c in children))
            self.stop.wait(self.every)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def end_to_end(count: int, seed: int, light: list[str], keep: Path | None) -> None:
    mb = 2**20
    with tempfile.TemporaryDirectory(dir=keep) as work:
        folder = Path(work) / "in"
        started = time.perf_counter()
        write_sample(folder, count, seed, DAY)
        written = time.perf_counter() - started
        command = [sys.executable, "-m", "xieshang", "--now", DAY.isoformat(), "batch", "run",
                   str(folder), "--output", str(Path(work) / "out"), "--json",
                   *light]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        before = os.times()
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        watch = _Watch(process.pid)
        output, _ = process.communicate()
        watch.close()
        seconds = time.perf_counter() - started
        after = os.times()
        cpu = (after.children_user - before.children_user
               + after.children_system - before.children_system)
        size = sum(p.stat().st_size for p in (Path(work) / "out").rglob("*") if p.is_file())
    workers = sorted(watch.workers.values(), reverse=True)
    flags = f" ({' '.join(light)})" if light else ""
    print(f"3. end to end, {count:,} cases{flags} (sample written in {written:.0f} s): "
          f"{seconds:,.1f} s = {count / seconds * 60:,.0f} cases/min, "
          f"{cpu / count * 1000:.2f} ms CPU a case (driver and workers); output "
          f"{size / mb:,.0f} MB; exit {process.returncode}")
    print(f"   peak memory: driver {watch.driver / mb:,.0f} MB, workers "
          + ", ".join(f"{w / mb:,.0f}" for w in workers)
          + f" MB; all together {watch.total / mb:,.0f} MB resident, {watch.pss / mb:,.0f} MB "
          f"proportional (target < 2,048 MB: {'met' if watch.total < 2048 * mb else 'NOT met'}"
          f" at this size)")
    if process.returncode not in (0, 3):
        print("   the run failed:", output.decode("utf-8", "replace")[-500:])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--profile-cases", type=int, default=300)
    parser.add_argument("--scale-cases", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of each worker count in the scaling part")
    parser.add_argument("--cases", default="2000",
                        help="end-to-end sizes, comma-separated (e.g. 20000,100000 or 1000000)")
    parser.add_argument("--no-plan", action="store_true", help="end to end without the plan")
    parser.add_argument("--no-ladder", action="store_true",
                        help="end to end without the ladders (with --no-plan: a quick memory "
                             "check, bills, flags and shares only)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the end-to-end input and output go (default: /tmp)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: 1,2,3")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        if "1" not in skip:
            write_sample(base / "profile", args.profile_cases, args.seed, DAY)
            per_case(base / "profile", args.profile_cases)
        if "2" not in skip:
            write_sample(base / "scale", args.scale_cases, args.seed, DAY)
            scaling(base / "scale", args.scale_cases, args.rounds)
    if "3" not in skip:
        for count in (int(v) for v in args.cases.split(",") if v.strip()):
            light = [flag for flag, given in (("--no-plan", args.no_plan),
                                              ("--no-ladder", args.no_ladder)) if given]
            end_to_end(count, args.seed, light, args.workdir)


if __name__ == "__main__":
    main()
