"""``python -m fuzz`` (with ``src`` and ``tests`` on the path; ``make fuzz`` does this):
every part of the reliability suite, at full counts unless told otherwise.

    make fuzz                                   # full counts (issue 13)
    make fuzz FUZZ_ARGS="--small"               # the counts ``make test`` runs
    make fuzz FUZZ_ARGS="--only cli --cli 500 --seed 7"

Exit status 1 when any part counts a failure, 0 otherwise. Skipped parts say why.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fuzz import FAILURES, Figures

#: The counts of ``make fuzz`` (issue 13's "done when") and of ``make test``.
FULL = {"cli": 10_000, "imports": 1_000, "web": 5_000, "kills": 200, "writers": 50,
        "each": 20, "disk_full": 10, "stale": 5}
SMALL = {"cli": 300, "imports": 60, "web": 120, "kills": 6, "writers": 5, "each": 4,
         "disk_full": 1, "stale": 1}
PARTS = ("cli", "imports", "web", "kills", "writers", "disk-full", "stale")


def run_parts(counts: dict[str, int], root: Path, *, seed: int = 13,
              only: tuple[str, ...] = PARTS,
              show: Callable[[str], None] = print) -> list[Figures]:
    """Run the parts named in ``only`` with ``counts``; each report shown as it is done."""
    from fuzz.cli import run_cli
    from fuzz.diskfull import run_disk_full
    from fuzz.imports import run_imports
    from fuzz.kills import run_kills
    from fuzz.stale import run_stale
    from fuzz.web import run_web
    from fuzz.writers import run_writers

    jobs: dict[str, Callable[[Path], Figures]] = {
        "cli": lambda at: run_cli(counts["cli"], at, seed=seed),
        "imports": lambda at: run_imports(counts["imports"], at, seed=seed),
        "web": lambda at: run_web(counts["web"], at, seed=seed),
        "kills": lambda at: run_kills(counts["kills"], at, seed=seed),
        "writers": lambda at: run_writers(counts["writers"], counts["each"], at),
        "disk-full": lambda at: run_disk_full(counts["disk_full"], at, seed=seed),
        "stale": lambda at: run_stale(at, counts["stale"]),
    }
    results = []
    for part in only:
        folder = root / part
        folder.mkdir(parents=True, exist_ok=True)
        figures = jobs[part](folder)
        show(figures.report())
        results.append(figures)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="the counts make test runs")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", type=Path, help="keep the stores and files in this folder")
    for name in FULL:
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, dest=name)
    args = parser.parse_args(argv)
    counts = dict(SMALL if args.small else FULL)
    counts.update({name: getattr(args, name) for name in FULL
                   if getattr(args, name) is not None})
    started = time.monotonic()
    print(f"xieshang reliability suite: seed {args.seed}, counts "
          + ", ".join(f"{k} {v}" for k, v in counts.items()), flush=True)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        results = run_parts(counts, args.keep, seed=args.seed, only=tuple(args.only),
                            show=lambda text: print(text, flush=True))
    else:
        with tempfile.TemporaryDirectory(prefix="xieshang-fuzz-") as folder:
            results = run_parts(counts, Path(folder), seed=args.seed, only=tuple(args.only),
                                show=lambda text: print(text, flush=True))
    total = sum(f.failures for f in results)
    print(f"== total: {sum(f.calls for f in results)} calls in "
          f"{time.monotonic() - started:.0f} s; "
          + ", ".join(f"{kind.replace('_', ' ')} {sum(getattr(f, kind) for f in results)}"
                      for kind in FAILURES)
          + ("" if total else " — OK"))
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
