"""The one clock (``xieshang.clock``): how a moment is read and pinned, that the command line
and the web app follow it, and a guard that nothing else in ``src/`` reads the machine's
clock for a date or a moment."""

from __future__ import annotations

import ast
import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from xieshang import clock
from xieshang.engine.errors import InputError
from xieshang.i18n import translate_error

SRC = Path(__file__).resolve().parent.parent / "src" / "xieshang"
BEIJING = timezone(timedelta(hours=8))


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-06T23:30+08:00", datetime(2026, 12, 6, 23, 30, tzinfo=BEIJING)),
    ("2026-12-06T15:30Z", datetime(2026, 12, 6, 23, 30, tzinfo=BEIJING)),
    ("2026-12-06T15:30:00+00:00", datetime(2026, 12, 6, 23, 30, tzinfo=BEIJING)),
    # 07:30 in Los Angeles (UTC-8 in December) is 23:30 in Beijing the same day
    ("2026-12-06T07:30-08:00", datetime(2026, 12, 6, 23, 30, tzinfo=BEIJING)),
    ("2026-12-06 23:30", datetime(2026, 12, 6, 23, 30, tzinfo=BEIJING)),
    ("2026-12-06T23:30:15.75", datetime(2026, 12, 6, 23, 30, 15, tzinfo=BEIJING)),
    ("2028-02-29", datetime(2028, 2, 29, 12, 0, tzinfo=BEIJING)),
    ("  2026-12-31  ", datetime(2026, 12, 31, 12, 0, tzinfo=BEIJING)),
])
def test_a_moment_is_read_in_beijing_time(text: str, expected: datetime) -> None:
    moment = clock.parse_moment(text)
    assert moment == expected
    assert moment.utcoffset() == timedelta(hours=8)
    assert (moment.hour, moment.minute) == (expected.hour, expected.minute)


def test_a_moment_outside_the_years_the_program_handles_is_refused() -> None:
    for text in ("1999-12-31", "2100-01-01", "9999-12-20"):
        with pytest.raises(InputError) as caught:
            clock.parse_moment(text)
        assert translate_error(caught.value, "en") == (
            f"moment (--now or XIESHANG_NOW): must be between 2000 and 2099 (got {text})")
    assert clock.parse_moment("2099-12-31T23:59").year == 2099


@pytest.mark.parametrize("text", ["", "bad", "2026-13-01", "2027-02-29", "2026-12-06T24:30",
                                  "12/06/2026", "9999-12-31T23:59-10:00"])
def test_a_moment_that_cannot_be_read_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InputError) as caught:
        clock.parse_moment(text)
    assert caught.value.field == "now"
    assert translate_error(caught.value, "en") == (
        f"moment (--now or XIESHANG_NOW): '{text}' is not a moment; write it as "
        "2026-12-06T23:30+08:00, 2026-12-06 23:30 (Beijing time) or 2026-12-06")
    assert translate_error(caught.value, "zh").startswith("时刻（--now 或 XIESHANG_NOW）：")


def test_the_machine_s_clock_is_read_in_beijing_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.ENV, raising=False)
    before = datetime.now(UTC).replace(microsecond=0)
    moment = clock.now()
    after = datetime.now(UTC)
    assert before <= moment <= after
    assert moment.utcoffset() == timedelta(hours=8)
    assert moment.microsecond == 0
    assert clock.now_local().tzinfo is None
    assert abs(clock.now_local() - moment.replace(tzinfo=None)) < timedelta(seconds=5)
    assert clock.now_utc().utcoffset() == timedelta(0)


def test_today_is_the_beijing_date_whatever_the_time_zone_of_the_moment() -> None:
    # 15:59:59 UTC is 23:59:59 in Beijing; one second later Beijing is on the next day
    with clock.pinned(datetime(2026, 12, 6, 15, 59, 59, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 6)
        assert clock.now_local() == datetime(2026, 12, 6, 23, 59, 59)
    with clock.pinned(datetime(2026, 12, 6, 16, 0, 0, tzinfo=UTC)):
        assert clock.today() == date(2026, 12, 7)
        assert clock.now_utc() == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    # Los Angeles' evening of the 31st is already New Year's Day in Beijing
    with clock.pinned("2026-12-31T17:00-08:00"):
        assert clock.today() == date(2027, 1, 1)


def test_a_pinned_clock_stands_still_and_is_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "2026-03-01T09:00+08:00")
    assert clock.now() == datetime(2026, 3, 1, 9, 0, tzinfo=BEIJING)
    with clock.pinned("2028-02-29 23:59") as outer:
        assert outer == datetime(2028, 2, 29, 23, 59, tzinfo=BEIJING)
        with clock.pinned(datetime(2026, 1, 31, 8, 0)):  # naive: Beijing time
            assert clock.now() == datetime(2026, 1, 31, 8, 0, tzinfo=BEIJING)
        assert clock.now() == clock.now() == outer
    assert clock.today() == date(2026, 3, 1)
    clock.pin("2026-05-05")
    try:
        assert clock.today() == date(2026, 5, 5)
    finally:
        clock.pin(None)
    assert clock.today() == date(2026, 3, 1)


def test_blocks_closing_out_of_order_leave_the_clock_running(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a batch run's threads each pin the run's day and finish in any order; the clock used
    # to keep the day pinned after all of them had finished (first in, first out), and every
    # later "today" in the process was that day
    monkeypatch.setenv(clock.ENV, "2026-03-01T09:00+08:00")
    first, second = clock.pinned("2026-12-07"), clock.pinned("2027-01-02")
    first.__enter__()
    second.__enter__()
    assert clock.today() == date(2027, 1, 2)
    first.__exit__(None, None, None)
    assert clock.today() == date(2027, 1, 2)
    second.__exit__(None, None, None)
    assert clock.now() == datetime(2026, 3, 1, 9, 0, tzinfo=BEIJING)


def test_threads_pinning_the_same_day_leave_the_clock_running(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setenv(clock.ENV, "2026-03-01T09:00+08:00")
    inside = threading.Barrier(4)
    seen: list[date] = []

    def work() -> None:
        with clock.pinned("2026-12-07"):
            inside.wait()
            seen.append(clock.today())
            inside.wait()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [date(2026, 12, 7)] * 4
    assert clock.today() == date(2026, 3, 1)


def test_an_unreadable_moment_in_the_environment_is_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "yesterday")
    with pytest.raises(InputError, match="'yesterday' is not a moment"):
        clock.today()


@pytest.mark.now("2026-12-06T23:30+08:00")
def test_the_now_marker_pins_this_process_and_the_environment() -> None:
    assert clock.now() == datetime(2026, 12, 6, 23, 30, tzinfo=BEIJING)
    assert clock.parse_moment(os.environ[clock.ENV]) == clock.now()


# ---------------------------------------------------------------------- command line


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    from xieshang.cli.main import app

    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_now_option_and_environment_pin_a_command(tmp_path: Path) -> None:
    from xieshang.store.db import open_store
    from xieshang.store.model import Case, Contact

    home = {"XIESHANG_HOME": str(tmp_path)}
    code, _output = _cli("--now", "2026-12-06T23:30+08:00", "case", "new", "--name", "t",
                         env=home)
    assert code == 0
    code, _output = _cli("debt", "add", "--product", "huabei", "--amount", "1000",
                         "--overdue-since", "2026-11-01", env=home)
    assert code == 0
    code, _output = _cli("--now", "2026-12-06T15:40Z", "log", "add", "--channel",
                         "collector_call", env=home)
    assert code == 0
    code, _output = _cli("log", "add", "--channel", "phone", "--outcome", "pending",
                         env={**home, clock.ENV: "2027-01-01"})
    assert code == 0
    with open_store(data_dir=tmp_path) as store, store.begin(readonly=True) as tx:
        times = sorted(c.happened_at for c in tx.find(Contact))
        created = [c.created_at for c in tx.find(Case)]
    assert created == [datetime(2026, 12, 6, 23, 30)]
    assert times == [datetime(2026, 12, 6, 23, 40), datetime(2027, 1, 1, 12, 0)]
    # after the command the clock runs again (the option pinned it only for the command)
    assert clock.now() == clock.parse_moment(os.environ[clock.ENV])


def test_a_collector_call_at_23_30_is_flagged_and_one_at_10_30_is_not(tmp_path: Path) -> None:
    home = {"XIESHANG_HOME": str(tmp_path), "XIESHANG_LANG": "en"}
    _cli("case", "new", "--name", "t", env=home)
    _cli("debt", "add", "--product", "huabei", "--amount", "1000", "--overdue-since",
         "2026-11-01", env=home)
    _cli("--now", "2026-12-06T10:30+08:00", "log", "add", "--channel", "collector_call",
         env=home)
    code, output = _cli("--now", "2026-12-06T10:31+08:00", "alerts", env=home)
    assert code == 0
    assert "10:30" not in output
    _cli("--now", "2026-12-06T23:30+08:00", "log", "add", "--channel", "collector_call",
         env=home)
    code, output = _cli("--now", "2026-12-06T23:31+08:00", "alerts", env=home)
    assert code == 0
    assert "23:30" in output
    assert "10:30" not in output


def test_an_unreadable_now_stops_the_command_before_anything_is_written(
        tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "XIESHANG_HOME": str(tmp_path), "XIESHANG_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "xieshang", "--now", "2026-02-30",
                           "case", "new", "--name", "t"], env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: moment (--now or XIESHANG_NOW): '2026-02-30' is not a moment; write it as "
        "2026-12-06T23:30+08:00, 2026-12-06 23:30 (Beijing time) or 2026-12-06")
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
    done = subprocess.run([sys.executable, "-m", "xieshang", "case", "new", "--name", "t"],
                          env={**env, clock.ENV: "noon"}, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert "'noon' is not a moment" in done.stderr
    assert list(tmp_path.iterdir()) == []


# -------------------------------------------------------------------------- the guard

#: Calls that read the machine's clock as a date or a moment (resolved through imports).
CLOCK_READS = {
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "datetime.date.today", "time.time", "time.time_ns", "time.localtime", "time.gmtime",
    "time.ctime", "time.asctime",
}


def clock_reads(source: str) -> list[tuple[int, str]]:
    """Where ``source`` reads the clock: (line, the call as resolved through its imports).

    ``time.monotonic`` and ``time.perf_counter`` measure durations and are allowed;
    ``time.strftime`` reads the clock only without its second argument."""
    tree = ast.parse(source)
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module in {"datetime", "time"}:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def resolve(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = resolve(node.func)
            if name == "time.strftime" and len(node.args) < 2:
                found.add((node.lineno, name))
        elif isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
            # called or not: ``field(default_factory=date.today)`` reads the clock later
            name = resolve(node)
            if name in CLOCK_READS:
                found.add((node.lineno, name))
    return sorted(found)


def test_the_guard_finds_clock_reads_however_they_are_imported() -> None:
    source = "\n".join([
        "import datetime as dt", "import time", "from datetime import date, datetime as D",
        "from time import time as seconds, perf_counter",
        "a = dt.datetime.now()", "b = D.now(tz)", "c = date.today()", "d = seconds()",
        "e = time.monotonic()", "f = perf_counter()", "g = time.strftime('%H')",
        "h = time.strftime('%H', t)", "i = D.utcnow()", "j = self.web.today()",
        "k = page.today", "l = D.fromisoformat('2026-01-01')", "m = time.time_ns()",
        "n = field(default_factory=date.today)", "o = max(D.now, key=str)",
    ])
    assert clock_reads(source) == [
        (5, "datetime.datetime.now"), (6, "datetime.datetime.now"),
        (7, "datetime.date.today"), (8, "time.time"), (11, "time.strftime"),
        (13, "datetime.datetime.utcnow"), (17, "time.time_ns"), (18, "datetime.date.today"),
        (19, "datetime.datetime.now"),
    ]


def test_nothing_in_src_reads_the_clock_but_the_clock_module() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "clock.py":
            continue
        for line, name in clock_reads(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(SRC)}:{line}: {name}()")
    assert offenders == []
    # the clock module itself reads the machine's clock in one place
    assert [name for _line, name in clock_reads((SRC / "clock.py").read_text("utf-8"))] == [
        "datetime.datetime.now"]


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import in ``tree`` (``from a import b`` gives ``a.b``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_the_engine_stays_pure_of_the_clock() -> None:
    """The engine takes "today" as an argument: it never imports the clock."""
    offenders = [
        f"{path.relative_to(SRC)}:{line}: {module}"
        for path in sorted((SRC / "engine").rglob("*.py"))
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if module == "xieshang.clock" or module.startswith("xieshang.clock.")
    ]
    assert offenders == []
