"""Interleaved A/B timing in CPU time, shared by the benchmarks.

Each round times A then B (the order alternates between rounds), each as CPU time of this
process (``time.process_time``) over a loop calibrated to last at least ``floor`` seconds,
so a busy machine slows both sides of a round alike; the ratio is taken per round and the
median and range of the ratios are reported. Child processes are timed by their CPU time
(``resource.getrusage(RUSAGE_CHILDREN)``), never by wall-clock time.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Pair:
    """Per-call CPU seconds of A and B in each round, and the ratio A ÷ B per round."""

    a: list[float]
    b: list[float]

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.a, self.b, strict=True)]

    def describe(self, unit: str = "µs") -> str:
        scale = {"µs": 1e6, "ms": 1e3, "s": 1.0}[unit]
        a = statistics.median(self.a) * scale
        b = statistics.median(self.b) * scale
        r = self.ratios
        return (f"A {a:,.1f} {unit}, B {b:,.1f} {unit}; A/B median {statistics.median(r):.2f}× "
                f"(rounds {min(r):.2f}–{max(r):.2f}×, {len(r)} interleaved rounds)")


def per_call(function: Callable[[], object], floor: float = 0.05) -> float:
    """CPU seconds of one call: a loop of calls lasting at least ``floor`` CPU seconds."""
    number = 1
    while True:
        start = time.process_time()
        for _ in range(number):
            function()
        spent = time.process_time() - start
        if spent >= floor:
            return spent / number
        number *= 2 if spent * 4 >= floor else 8


def interleaved(a: Callable[[], object], b: Callable[[], object], rounds: int = 7,
                floor: float = 0.05) -> Pair:
    """A and B timed alternately, ``rounds`` times each (after one warm-up call each)."""
    a()
    b()
    times_a: list[float] = []
    times_b: list[float] = []
    for index in range(rounds):
        if index % 2:
            times_b.append(per_call(b, floor))
            times_a.append(per_call(a, floor))
        else:
            times_a.append(per_call(a, floor))
            times_b.append(per_call(b, floor))
    return Pair(times_a, times_b)


def child_cpu(command: Sequence[str], env: Mapping[str, str] | None = None,
              runs: int = 5) -> float:
    """Median CPU seconds (user + system) of ``runs`` runs of a child process."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(list(command), env=dict(env) if env is not None else None,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def interleaved_children(a: Sequence[str], b: Sequence[str], env: Mapping[str, str] | None,
                         rounds: int = 7, runs: int = 3) -> Pair:
    """Two commands' CPU time, alternately, ``rounds`` rounds of ``runs`` runs each."""
    child_cpu(a, env, 1)
    child_cpu(b, env, 1)
    times_a: list[float] = []
    times_b: list[float] = []
    for index in range(rounds):
        if index % 2:
            times_b.append(child_cpu(b, env, runs))
            times_a.append(child_cpu(a, env, runs))
        else:
            times_a.append(child_cpu(a, env, runs))
            times_b.append(child_cpu(b, env, runs))
    return Pair(times_a, times_b)
