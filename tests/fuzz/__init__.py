"""The reliability suite (issue 13): fuzzers and harnesses that anyone can run.

``make fuzz`` runs every part at full counts (``python -m fuzz`` with ``tests`` on the
path); ``tests/test_fuzz.py`` runs the same parts with small counts inside ``make test``.
Every part is seeded (the same seed gives the same inputs) and bounded (a count, and a time
limit per call); each returns :class:`Figures`, printed as one block:

    calls, tracebacks, HTTP 500s, hangs (> 10 s), partial writes, corrupt stores,
    lost records, duplicated records, lost updates, seconds

A part that cannot run on this machine (a tmpfs cannot be mounted) says why and is skipped.
The first few failing inputs of each kind are kept in ``examples`` so a failure can be
replayed by hand.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

#: The moment every fuzzed call runs at (derandomised: the same inputs, the same answers).
NOW = "2026-12-06T10:30+08:00"
#: A call that computes for longer than this (CPU seconds: on a busy shared machine the
#: clock on the wall says little) is a hang; so is one that waits, doing nothing, for
#: :data:`WAIT_SECONDS` by the clock. Slower calls by the clock are counted as "slow".
HANG_SECONDS = 10.0
WAIT_SECONDS = 60.0


class Stopwatch:
    """CPU seconds (this process and the children it waited for) and wall seconds."""

    def __init__(self) -> None:
        self.cpu = _cpu()
        self.wall = time.monotonic()

    def hang(self, figures: Figures, given: str) -> None:
        """Count a hang, or a slow call, for what was timed."""
        cpu, wall = _cpu() - self.cpu, time.monotonic() - self.wall
        if cpu > HANG_SECONDS or wall > WAIT_SECONDS:
            figures.fail("hangs", given, f"{cpu:.1f} CPU s, {wall:.1f} s")
        elif wall > HANG_SECONDS:
            figures.note("slow (> 10 s by the clock, busy machine)")


def _cpu() -> float:  # float-ok: CPU seconds
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
#: The kinds of failure; any of them above zero fails the run.
FAILURES = ("tracebacks", "http_500", "hangs", "partial_writes", "corrupt_stores",
            "lost_records", "duplicated_records", "lost_updates")


@dataclass
class Figures:
    """What one part did and what went wrong."""

    part: str
    calls: int = 0
    tracebacks: int = 0
    http_500: int = 0
    hangs: int = 0
    partial_writes: int = 0
    corrupt_stores: int = 0
    lost_records: int = 0
    duplicated_records: int = 0
    lost_updates: int = 0
    seconds: float = 0.0  # float-ok: elapsed seconds, not money
    skipped: str = ""
    #: other counts worth printing (outcomes by exit code or status, refusals, …)
    notes: dict[str, int] = field(default_factory=dict)
    #: the first failing inputs of each kind: (kind, input, what happened)
    examples: list[tuple[str, str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)  # float-ok: monotonic seconds

    def fail(self, kind: str, given: str, what: str) -> None:
        """Count one failure of ``kind`` (one of :data:`FAILURES`) and keep an example."""
        setattr(self, kind, getattr(self, kind) + 1)
        if sum(1 for k, _g, _w in self.examples if k == kind) < 5:
            self.examples.append((kind, given[:500], what[-2000:]))
            # said at once too: a long run's failures can be looked into while it goes on
            print(f"   ! {self.part}: {kind}: {given[:300]}\n     | "
                  + "\n     | ".join(what.strip().splitlines()[-6:]), file=sys.stderr,
                  flush=True)

    def progress(self, every: int) -> None:
        """Every ``every`` calls, one line on stderr: a long run shows how far it got."""
        if self.calls and self.calls // every != getattr(self, "_shown", 0):
            self._shown = self.calls // every
            print(f"   … {self.part}: {self.calls} calls, {self.failures} failures, "
                  f"{time.monotonic() - self.started:.0f} s", file=sys.stderr, flush=True)

    def note(self, name: str, count: int = 1) -> None:
        self.notes[name] = self.notes.get(name, 0) + count

    def done(self) -> Figures:
        self.seconds = time.monotonic() - self.started
        return self

    @property
    def failures(self) -> int:
        return sum(getattr(self, kind) for kind in FAILURES)

    def report(self) -> str:
        if self.skipped:
            return f"== {self.part}: skipped — {self.skipped}"
        lines = [f"== {self.part}: {self.calls} calls in {self.seconds:.1f} s — "
                 + ("OK" if not self.failures else f"{self.failures} FAILURES")]
        lines.append("   " + ", ".join(f"{kind.replace('_', ' ')} {getattr(self, kind)}"
                                       for kind in FAILURES))
        if self.notes:
            lines.append("   " + ", ".join(f"{k} {v}" for k, v in sorted(self.notes.items())))
        for kind, given, what in self.examples:
            lines.append(f"   ! {kind}: {given}")
            lines.extend("     | " + line for line in what.strip().splitlines()[-12:])
        return "\n".join(lines)


def integrity(database: Path) -> str:
    """``ok``, or what ``PRAGMA integrity_check`` (or opening the file) says is wrong."""
    try:
        if not database.exists():
            return "missing"
        with sqlite3.connect(database, timeout=30) as db:  # as the app: a left WAL is read
            rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as error:
        return f"cannot open: {error}"
    return "; ".join(str(row[0]) for row in rows)


def fingerprint(database: Path) -> str:
    """Every row of the database, as SQL (what a partial write would change)."""
    if not database.exists():
        return ""
    with sqlite3.connect(database, timeout=30) as db:
        return "\n".join(db.iterdump())


def labels(database: Path) -> list[str]:
    """The labels of every debt in the store (the harnesses write one unique label each)."""
    with sqlite3.connect(database, timeout=30) as db:
        return [row[0] for row in db.execute("SELECT label FROM debts")]


def python_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a real ``python -m xieshang`` process run by a harness."""
    src = Path(__file__).resolve().parents[2] / "src"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("XIESHANG_") and k != "PYTHONPATH"}
    env.update(PYTHONPATH=f"{src}{os.pathsep}{Path(__file__).resolve().parents[1]}",
               XIESHANG_HOME=str(home), XIESHANG_NOW=NOW, XIESHANG_LANG="en", **extra)
    return env
