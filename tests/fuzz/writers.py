"""Concurrent writers: N real ``xieshang`` processes and a web client adding debts to one
store at once; then every acknowledged debt must be there exactly once (no lost record, no
duplicate), and the store whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from fuzz import HANG_SECONDS, NOW, WAIT_SECONDS, Figures, integrity, labels, python_env


def _web_writer(home: Path, count: int, acked: list[str], figures: Figures,
                lock: threading.Lock) -> None:
    from fuzz.web import forms
    from webclient import WebClient
    from xieshang.store.db import open_store

    with WebClient(lambda: open_store(data_dir=home), lang="en") as web:
        page = web.get("/debts/new?product=huabei").text
        fields = next(f for action, f in forms(page) if action.startswith("/debts/new"))
        base = {name: values[0] if values else "" for name, values in fields.items()}
        for index in range(count):
            label = f"WEB-{index}"
            sent = {**base, "label": label, "amount": "100"}
            for _attempt in range(10):
                web.get("/debts/new?product=huabei")
                started = time.monotonic()
                try:
                    response = web.post("/debts/new", sent)
                except Exception as error:  # an exception out of the app
                    with lock:
                        figures.fail("http_500", f"web {label}", repr(error))
                    break
                with lock:
                    figures.calls += 1
                    figures.note(f"web {response.status_code}")
                    # 50 writers at once: waiting is expected, a wait without end is not
                    waited = time.monotonic() - started
                    if waited > WAIT_SECONDS:
                        figures.fail("hangs", f"web {label}", f"{waited:.1f} s")
                    elif waited > HANG_SECONDS:
                        figures.note("slow (> 10 s by the clock, busy machine)")
                if response.status_code == 303:
                    with lock:
                        acked.append(label)
                    break
                if response.status_code == 503:  # busy: named, nothing written; again
                    continue
                with lock:
                    if response.status_code >= 500:
                        figures.fail("http_500", f"web {label}", response.text[-800:])
                    else:
                        figures.note(f"web refused {response.status_code}")
                break


def run_writers(writers: int, each: int, root: Path) -> Figures:
    """``writers`` processes adding ``each`` debts each, and one web client adding ``each``."""
    figures = Figures("Concurrent writers")
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = python_env(home)
    setup = subprocess.run([sys.executable, "-m", "xieshang", "case", "new", "--name", "w"],
                           env=env, capture_output=True, check=False)
    if setup.returncode != 0:
        raise RuntimeError(setup.stderr.decode())
    acked: list[str] = []
    lock = threading.Lock()
    saved_env = dict(os.environ)
    os.environ.update(XIESHANG_NOW=NOW)
    try:
        processes = [subprocess.Popen(
            [sys.executable, "-m", "fuzz.writer", f"W{n}", str(each)], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in range(writers)]
        web = threading.Thread(target=_web_writer, args=(home, each, acked, figures, lock))
        web.start()
        for process in processes:
            try:
                out, err = process.communicate(timeout=600)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
                figures.fail("hangs", "a writer", "still writing after 600 s")
            for line in out.decode("utf-8", "replace").splitlines():
                kind, _sep, rest = line.partition(" ")
                if kind != "BUSY":  # a busy store is tried again: one call, many tries
                    figures.calls += 1
                figures.note(kind.lower())
                if kind == "ACK":
                    acked.append(rest)
                elif kind == "FAIL" and "Traceback" in rest:
                    figures.fail("tracebacks", rest.split()[0], rest)
            if b"Traceback" in err:
                figures.fail("tracebacks", "a writer", err.decode("utf-8", "replace"))
        web.join(timeout=600)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    database = home / "xieshang.db"
    verdict = integrity(database)
    if verdict != "ok":
        figures.fail("corrupt_stores", "after the writers", verdict)
        return figures.done()
    present = Counter(labels(database))
    lost = [label for label in acked if not present[label]]
    for label in lost:
        figures.fail("lost_records", label, "acknowledged, not in the store")
    for label, count in present.items():
        if count > 1:
            figures.fail("duplicated_records", label, f"{count} times")
    figures.note("acknowledged", len(acked))
    figures.note("in the store", sum(present.values()))
    return figures.done()
