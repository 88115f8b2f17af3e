"""Where one batch case's CPU goes (issues 16 and 17): sample cases evaluated in process.

Writes ``--cases`` sample cases (``xieshang batch sample``), evaluates them as
``xieshang batch run`` does (:func:`xieshang.batch.work.evaluate_batch`) ``--repeat``
times and prints the CPU a case (the least of the repeats: the machine is shared), then the
time of each stage of :func:`xieshang.services.evaluate.evaluate_case` measured
around it (the case view, the ladders, the plan's input, the plan, the month's delay, the
risk flags; batch's own reading and writing), and with ``--profile`` the functions that
take the most, cumulative and own time (cProfile).

``.venv/bin/python bench/case.py [--cases N] [--seed S] [--repeat R] [--profile]``;
``XIESHANG_BENCH_SRC=<another checkout>/src`` measures other sources (before/after).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("XIESHANG_BENCH_SRC", str(ROOT / "src")))

from xieshang.batch.read import open_source  # noqa: E402
from xieshang.batch.sample import write_sample  # noqa: E402
from xieshang.batch.work import Options, evaluate_batch, rows_to_batch, warm_up  # noqa: E402

DAY = date(2026, 12, 7)


def _stages() -> tuple[Counter[str], Callable[[], None]]:
    """Wrap the stages of a case (outermost call only); returns the times and an undo."""
    import xieshang.batch.work as work
    import xieshang.engine.strategy as strategy
    import xieshang.services.case_view as case_view
    import xieshang.services.evaluate as evaluate
    import xieshang.services.negotiation as negotiation
    import xieshang.services.plan as plan

    spent: Counter[str] = Counter()
    inside = [0]
    undo: list[tuple[Any, str, Any]] = []

    def wrap(module: Any, name: str, label: str) -> None:
        function = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            if inside[0]:
                return function(*args, **kwargs)
            inside[0] += 1
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started
                inside[0] -= 1

        undo.append((module, name, function))
        setattr(module, name, timed)

    wrap(case_view, "case_view", "case view (bills today, shares, budget)")
    wrap(negotiation, "debt_inputs", "ladders")
    wrap(plan, "plan_input", "plan input")
    wrap(strategy, "make_plan", "plan (pro rata, month by month)")
    wrap(evaluate, "_month_delay", "a month's delay")
    wrap(evaluate, "_flags", "risk flags")
    wrap(work, "build_case", "batch: rows → case")
    wrap(work, "_write", "batch: figures → records")

    def restore() -> None:
        for module, name, function in undo:
            setattr(module, name, function)

    return spent, restore


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    options = Options(as_of=DAY)
    with tempfile.TemporaryDirectory() as folder:
        write_sample(Path(folder), args.cases, args.seed, DAY)
        batches = [rows_to_batch(chunk.cases) for chunk in open_source(Path(folder)).chunks(100)]
    warm_up(options.lang)
    evaluate_batch(batches[0], options)  # lazy imports and the per-process caches
    count = sum(batch.num_rows for batch in batches)
    rounds = []
    for _ in range(args.repeat):
        started = time.process_time()
        for batch in batches:
            evaluate_batch(batch, options)
        rounds.append((time.process_time() - started) / count)
    best = min(rounds)
    cores = os.cpu_count() or 1
    print(f"one case: {best * 1e3:.2f} ms CPU (least of {args.repeat}: "
          + ", ".join(f"{r * 1e3:.2f}" for r in rounds)
          + f"), {60 / best:,.0f} cases/min a core, {60 / best * cores:,.0f} on {cores}; "
          f"goal ≤ 5 ms: {'met' if best <= 0.005 else 'NOT met'}")
    spent, restore = _stages()
    started = time.process_time()
    for batch in batches:
        evaluate_batch(batch, options)
    total = time.process_time() - started
    restore()
    for label, seconds in spent.most_common():
        print(f"  {seconds / count * 1e3:6.2f} ms {seconds / total * 100:5.1f} %  {label}")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for batch in batches:
            evaluate_batch(batch, options)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
