"""Disk full: the store on a small tmpfs (mounted for the run; needs root and a kernel that
allows it, otherwise skipped with the reason). Debts are added until the disk is full; then
backup and export to the full disk. Each refusal must name the full disk (exit 2, no
traceback); afterwards the store is whole, every acknowledged debt is there, and reading
(``status``, an export to another disk) still works.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import traceback
from pathlib import Path

from click.testing import CliRunner

from fuzz import NOW, Figures, integrity, labels
from fuzz.cli import _entry

FULL = "the disk is full"


def _mount(point: Path, size: str) -> str:
    """"" when a tmpfs of ``size`` is mounted at ``point``, else why not."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    point.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(point)], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"mount could not run: {error}"
    return "" if done.returncode == 0 else (done.stderr.strip() or "mount failed")


def run_disk_full(runs: int, root: Path, *, seed: int = 13) -> Figures:
    figures = Figures("Disk full")
    rng = random.Random(seed)
    saved_env = dict(os.environ)
    try:
        for run in range(runs):
            point = root / f"tmpfs{run}"
            why = _mount(point, "2m")
            if why:
                figures.skipped = f"no tmpfs could be mounted ({why})"
                return figures.done()
            try:
                _one(point, root, rng, figures)
            finally:
                subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    return figures.done()


def _one(point: Path, root: Path, rng: random.Random, figures: Figures) -> None:
    home = point / "home"
    os.environ.update(XIESHANG_HOME=str(home), XIESHANG_NOW=NOW)
    for name in ("XIESHANG_LANG", "XIESHANG_DB_URL", "XIESHANG_PASSPHRASE"):
        os.environ.pop(name, None)
    runner = CliRunner()

    def call(*args: str) -> tuple[int, str]:
        result = runner.invoke(_entry, [*args, "--lang", "en"], catch_exceptions=True)
        figures.calls += 1
        shown = " ".join(args)[:200]
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            assert result.exc_info is not None
            figures.fail("tracebacks", shown, "".join(traceback.format_exception(
                *result.exc_info)))
        elif "Traceback" in result.output or result.exit_code not in (0, 1, 2):
            figures.fail("tracebacks", shown, result.output)
        if result.exit_code == 2:
            figures.note("full disk named" if FULL in result.output else "other refusal")
            if FULL not in result.output and "disk" in result.output.lower():
                figures.fail("tracebacks", shown, "a disk error not named: " + result.output)
        return result.exit_code, result.output

    if call("case", "new", "--name", "满")[0] != 0:
        figures.note("no room even for the case")
        return
    # leave little room, so the disk fills after a few debts
    free = shutil.disk_usage(point).free
    ballast = point / "ballast"
    ballast.write_bytes(b"\0" * max(0, free - rng.choice((40_000, 120_000, 300_000))))
    acked: list[str] = []
    full = 0
    serial = 0
    while full < 5 and serial < 2_000:
        serial += 1
        label = f"F{serial}"
        code, output = call("debt", "add", "--product", "huabei", "--amount", "100",
                            "--label", label, "--notes", "x" * rng.choice((10, 3_000, 9_000)))
        if code == 0:
            acked.append(label)
        elif FULL in output:
            full += 1
    figures.note("debts before the disk was full", len(acked))
    call("backup", "--output", str(point / "backup.db"))
    leftovers = [p.name for p in point.iterdir() if p.name.startswith((".backup", "backup"))]
    if leftovers and integrity(point / "backup.db") != "ok":
        figures.fail("partial_writes", "backup to a full disk", f"left {leftovers}")
    code, _output = call("export", "--output", str(point / "case.json"))
    if code != 0 and any(p.name.startswith((".case", "case")) for p in point.iterdir()):
        figures.fail("partial_writes", "export to a full disk", "a part of the file left")
    database = home / "xieshang.db"
    verdict = integrity(database)
    if verdict != "ok":
        figures.fail("corrupt_stores", "after the disk filled", verdict)
        return
    present = set(labels(database))
    for label in acked:
        if label not in present:
            figures.fail("lost_records", label, "acknowledged before the disk filled")
    # reading still works while the disk is full, and an export to another disk
    if call("status")[0] != 0:
        figures.fail("corrupt_stores", "status on a full disk", "status failed")
    elsewhere = root / f"export-{serial}.json"
    if call("export", "--output", str(elsewhere), "--force")[0] != 0:
        figures.fail("corrupt_stores", "export to another disk", "export failed")
    # room again: writing works again
    ballast.unlink()
    if call("debt", "add", "--product", "huabei", "--amount", "1", "--label", "after")[0]:
        figures.fail("corrupt_stores", "writing after room was made", "refused")
