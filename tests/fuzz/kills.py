"""SIGKILL harness: real ``python -m xieshang`` processes writing (debt add, case import,
statement import, backup, restore) killed at random moments. After each kill the store must
open, pass ``PRAGMA integrity_check``, and hold every write a process acknowledged (exit 0
before the kill); a killed case import or restore is all or nothing, and a backup file is
either absent or whole.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from fuzz import Figures, integrity, labels, python_env

ACTIONS = ("debt add", "debt add", "debt add", "case import", "statement import", "backup",
           "restore")


class Store:
    """The data folder the processes write to, and what they acknowledged."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.database = self.home / "xieshang.db"
        self.env = python_env(self.home)
        self.acked: set[str] = set()
        self.serial = 0
        self.statements: list[Path] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "xieshang", *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(self.command(*args), env=self.env, capture_output=True,
                              timeout=300, check=False)

    def next_label(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"


def _case_file(store: Store, path: Path, debts: int) -> list[str]:
    """A case export holding ``debts`` debts with new labels; the labels."""
    template = json.loads((store.root / "template.json").read_text("utf-8"))
    debt = template["debts"][0]
    names = [store.next_label("I") for _ in range(debts)]
    template["debts"] = [{**debt, "ref": index + 1, "label": name}
                         for index, name in enumerate(names)]
    for key in ("payments", "contacts", "contact_revisions", "proposals", "commitments",
                "evidence", "reminders"):
        template[key] = []
    path.write_text(json.dumps(template, ensure_ascii=False), "utf-8")
    return names


def run_kills(kills: int, root: Path, *, seed: int = 13) -> Figures:
    """Processes started and killed at a random moment of their run, until ``kills`` were
    killed (those that finished first are checked as well)."""
    figures = Figures("SIGKILL harness")
    rng = random.Random(seed)
    store = Store(root)
    setup = store.run("case", "new", "--name", "kill")
    if setup.returncode != 0:
        raise RuntimeError(setup.stderr.decode())
    label = store.next_label("D")
    store.run("debt", "add", "--product", "huabei", "--amount", "100", "--label", label)
    store.acked.add(label)
    store.run("export", "--output", str(root / "template.json"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data" / "statements"))
    from make_samples import large_alipay

    statements = [large_alipay(root / f"large{rows}.csv", rows)
                  for rows in range(3_000, 3_000 + kills // 2 + 3)]
    rng.shuffle(statements)
    store.statements = statements
    backups: list[tuple[Path, set[str]]] = []
    (root / "backups").mkdir()
    # how long each action takes when left alone: kills land anywhere in that span
    span: dict[str, float] = {}  # float-ok: seconds
    for action in dict.fromkeys(ACTIONS):
        started = time.monotonic()
        _start(store, action, rng, backups, figures, kill_after=None)
        span[action] = time.monotonic() - started
    figures.note("kills", 0)
    # until ``kills`` processes were killed (one that finished first is checked too)
    for _ in range(kills * 3):
        if figures.notes["kills"] >= kills:
            break
        figures.progress(20)
        action = rng.choice(ACTIONS)
        _start(store, action, rng, backups, figures,
               kill_after=rng.uniform(0.0, span[action]))
    figures.note("acknowledged records", len(store.acked))
    return figures.done()


def _start(store: Store, action: str, rng: random.Random,
           backups: list[tuple[Path, set[str]]], figures: Figures,
           kill_after: float | None) -> None:  # float-ok: seconds
    before = Counter(labels(store.database))
    rows_before = _transactions(store.database)
    imported: list[str] = []
    target: Path | None = None
    source: tuple[Path, set[str]] | None = None
    if action == "debt add":
        label = store.next_label("D")
        args = ["debt", "add", "--product", rng.choice(("huabei", "jiebei")), "--amount",
                f"{rng.randint(1, 99999)}.{rng.randint(0, 99):02d}", "--label", label,
                "--overdue-since", "2026-10-01"]
    elif action == "case import":
        path = store.root / "import.json"
        imported = _case_file(store, path, rng.choice((5, 50, 150)))
        args = ["import", str(path)]
    elif action == "statement import":
        # a statement not imported yet (an imported one is refused, writing nothing)
        statement = store.statements.pop() if store.statements else store.root / "none"
        args = ["budget", "import", str(statement), "--yes"]
    elif action == "backup":
        target = store.root / "backups" / f"b{store.serial}.db"
        store.serial += 1
        args = ["backup", "--output", str(target)]
    else:
        if not backups:
            return
        source = rng.choice(backups)
        args = ["restore", str(source[0]), "--yes"]
    process = subprocess.Popen(store.command(*args), env=store.env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    killed = False
    if kill_after is not None:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            killed = True
            figures.notes["kills"] += 1
            figures.note(f"killed during {action}")
    _out, err = process.communicate(timeout=300)
    figures.calls += 1
    acknowledged = not killed and process.returncode == 0
    shown = f"{action} {'killed' if killed else 'exit ' + str(process.returncode)}"
    if not killed and process.returncode != 0:
        figures.note(f"{action} refused")
        if b"Traceback" in err:
            figures.fail("tracebacks", shown, err.decode("utf-8", "replace"))
    # the store opens and is whole
    verdict = integrity(store.database)
    if verdict != "ok":
        figures.fail("corrupt_stores", shown, verdict)
        return
    problem = _opens(store.home)
    if problem:
        figures.fail("corrupt_stores", shown, problem)
    now = Counter(labels(store.database))
    if action == "debt add" and acknowledged:
        store.acked.add(args[args.index("--label") + 1])
    if action == "case import":
        present = sum(1 for name in imported if now[name])
        if present not in (0, len(imported)):
            figures.fail("partial_writes", shown, f"{present} of {len(imported)} debts")
        if acknowledged:
            if present != len(imported):
                figures.fail("lost_records", shown, "an acknowledged import is missing")
            store.acked.update(imported)
    if action == "statement import":
        added = _transactions(store.database) - rows_before
        rows = int(statement.stem.removeprefix("large")) if statement.exists() else 0
        if added not in (0, rows):
            figures.fail("partial_writes", shown, f"{added} of {rows} transactions")
        if acknowledged and added != rows:
            figures.fail("lost_records", shown, f"{added} of {rows} transactions")
    if action == "backup" and target is not None:
        if target.exists():
            whole = integrity(target)
            if whole != "ok":
                figures.fail("partial_writes", shown, f"backup file: {whole}")
            elif acknowledged:
                backups.append((target, set(labels(target))))
        elif acknowledged:
            figures.fail("lost_records", shown, "an acknowledged backup is missing")
        # its temporary file: gone when it finished; when killed, readable by its owner only
        leftovers = [p for p in target.parent.iterdir()
                     if p.name.startswith(f".{target.name}.")]
        if leftovers and not killed:
            figures.fail("partial_writes", shown, f"left behind: {leftovers}")
        for leftover in leftovers:
            if leftover.stat().st_mode & 0o077:
                figures.fail("partial_writes", shown, f"{leftover.name} is readable by others "
                             f"({leftover.stat().st_mode & 0o777:o})")
    if action == "restore" and source is not None:
        after = set(now)
        if after not in (set(before), source[1]):
            figures.fail("partial_writes", shown, "the store is neither before nor after")
        if acknowledged and after != source[1]:
            figures.fail("lost_records", shown, "an acknowledged restore did not happen")
        if after == source[1]:
            # the store went back to the backup: what is acknowledged is what it held
            store.acked = set(source[1])
        return
    missing = [name for name in store.acked if not now[name]]
    if missing:
        figures.fail("lost_records", shown, f"missing: {sorted(missing)[:10]}")
        store.acked -= set(missing)
        figures.lost_records += len(missing) - 1
    doubled = [name for name, count in now.items() if count > 1 and name in store.acked]
    if doubled:
        figures.fail("duplicated_records", shown, f"twice: {doubled[:10]}")


def _transactions(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database, timeout=30) as db:
        return int(db.execute("SELECT COUNT(*) FROM transactions").fetchone()[0])


def _opens(home: Path) -> str:
    """What goes wrong opening the store as xieshang does and reading every debt ("" when
    nothing does)."""
    from xieshang.store.db import open_store
    from xieshang.store.model import Debt

    try:
        with open_store(data_dir=home) as opened, opened.begin(readonly=True) as tx:
            tx.find(Debt)
    except Exception as error:  # whatever it is, the store did not open
        return f"{type(error).__name__}: {error}"
    return ""
