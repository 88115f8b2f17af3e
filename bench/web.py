"""Load check of the web app: 20 concurrent clients on loopback against a 20-debt case.

Run it with ``.venv/bin/python bench/web.py`` (``make bench``). It starts ``xieshang serve``
in its own process on a free loopback port with a temporary store holding the demo case plus
17 more debts (20 in all), then runs 20 clients at once for a bounded time, each fetching the
pages in turn. It prints p50/p95/max per page, the error count, requests per second and the
server's resident memory (now and peak), and whether each target is met; it never fails a
build.

Targets (issue 6): dashboard p95 under 100 ms, 0 errors; the server under 250 MB resident.
``--seconds N`` sets the duration (default 20), ``--clients N`` the concurrency (default 20).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

#: The pages fetched by every client, in turn.
PAGES = ("/", "/start", "/debts", "/consequences", "/budget", "/plan", "/negotiate", "/log",
         "/dossier", "/questions")

#: The 17 debts added to the demo case: (preset, principal, days overdue).
EXTRA_DEBTS = [
    ("huabei", "1200.00", 12), ("jiebei", "8000.00", 40), ("credit_card_cn", "15000.00", 5),
    ("weilidai", "6000.00", 75), ("jd_baitiao", "2300.00", 20), ("generic_loan", "20000.00", 0),
    ("informal_loan", "5000.00", 100), ("huabei", "650.00", 3), ("jiebei", "12000.00", 95),
    ("credit_card_cn", "42000.00", 61), ("weilidai", "3000.00", 9), ("jd_baitiao", "990.00", 33),
    ("generic_loan", "7000.00", 15), ("huabei", "3100.00", 181), ("jiebei", "2500.00", 2),
    ("credit_card_cn", "8800.00", 120), ("jd_baitiao", "4100.00", 47),
]


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def build_store(folder: Path, today: date) -> None:
    """The demo case plus 17 debts: 20 open debts in one case."""
    from xieshang.cli.demo import build_case
    from xieshang.engine.money import money
    from xieshang.store.db import open_store
    from xieshang.store.model import Debt

    with open_store(data_dir=folder) as store, store.begin() as tx:
        case = build_case(tx, today)
        for number, (preset, principal, days) in enumerate(EXTRA_DEBTS, start=1):
            tx.add(Debt(case_id=case.id, preset_id=preset, label=f"bench {number}",
                        principal=money(principal), due_date=today - timedelta(days=days),
                        contract_rate=Decimal("0.18"), contract_rate_basis="annual",
                        minimum=money(principal) / 10))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode})")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start within 60 s")


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MB, from /proc."""
    now = peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            now = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return now, peak


async def client(base: str, offset: int, stop: float,
                 times: dict[str, list[float]], errors: dict[str, int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        turn = offset
        while time.monotonic() < stop:
            path = PAGES[turn % len(PAGES)]
            turn += 1
            started = time.perf_counter()
            try:
                response = await http.get(path)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                times[path].append(elapsed)
            else:
                errors[path] += 1


async def load(base: str, clients: int, seconds: float) -> tuple[dict[str, list[float]],
                                                                 dict[str, int], float]:
    times: dict[str, list[float]] = {path: [] for path in PAGES}
    errors = dict.fromkeys(PAGES, 0)
    started = time.monotonic()
    stop = started + seconds
    await asyncio.gather(*(client(base, n, stop, times, errors) for n in range(clients)))
    return times, errors, time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=20)
    options = parser.parse_args()
    from xieshang.cli.session import today

    print(f"web load check · Python {platform.python_version()} · {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="xieshang-bench-") as folder:
        build_store(Path(folder), today())
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [sys.executable, "-c", "from xieshang.cli.main import run; run()",
             "--data-dir", folder, "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL, cwd=ROOT)
        try:
            wait_until_up(base + "/", process)
            idle, _ = memory_mb(process.pid)
            for path in PAGES:  # every page once, so first-use imports are not counted
                httpx.get(base + path, timeout=60)
            warm, _ = memory_mb(process.pid)
            times, errors, elapsed = asyncio.run(load(base, options.clients, options.seconds))
            now, peak = memory_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    total = sum(len(v) for v in times.values())
    failed = sum(errors.values())
    print(f"{options.clients} clients for {elapsed:.1f} s against 20 debts: {total} pages, "
          f"{total / elapsed:.1f} pages/s, {failed} errors")
    print(f"{'page':<15}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'errors':>8}")
    for path in PAGES:
        values = times[path]
        if values:
            print(f"{path:<15}{len(values):>6}{statistics.median(values) * 1000:>10.1f}"
                  f"{percentile(values, 0.95) * 1000:>10.1f}{max(values) * 1000:>10.1f}"
                  f"{errors[path]:>8}")
        else:
            print(f"{path:<15}{0:>6}{'—':>10}{'—':>10}{'—':>10}{errors[path]:>8}")
    dashboard = times["/"]
    p95 = percentile(dashboard, 0.95) * 1000 if dashboard else float("inf")
    print(f"dashboard p95 {p95:.1f} ms (target < 100 ms, ratio {p95 / 100:.2f}): "
          f"{verdict(p95 < 100)}")
    print(f"errors {failed} (target 0): {verdict(failed == 0)}")
    print(f"server memory: {idle:.0f} MB at start, {warm:.0f} MB after every page once, "
          f"{now:.0f} MB after the load, peak {peak:.0f} MB (target < 250 MB): "
          f"{verdict(peak < 250)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
