"""``xieshang batch``: the same figures as the commands, to the fen; bad rows reported while
the rest go on; a Dask cluster gives what the local engine gives; the batch dependencies
stay out of every other command."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

pytest.importorskip("pyarrow")

from xieshang.batch.run import RunSettings, read_output, run_batch
from xieshang.batch.sample import write_sample
from xieshang.batch.work import Options, case_key
from xieshang.cli.main import run
from xieshang.clock import today

SRC = Path(__file__).resolve().parent.parent / "src"


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run(list(ctx.args))


def ok(*args: str) -> Any:
    result = CliRunner().invoke(_entry, [*args], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _run(tmp: Path, source: Path, name: str, **settings: Any) -> Any:
    options = Options(as_of=today(), lang=settings.pop("lang", "en"),
                      hash_key=settings.pop("hash_key", None))
    return run_batch(RunSettings(input=source, output=tmp / name, options=options,
                                 report=settings.pop("report", False), **settings))


def _rows(output: Path, table: str) -> list[dict[str, Any]]:
    return read_output(output, table).to_pylist()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XIESHANG_DB_URL", raising=False)
    return tmp_path / "home"


def test_batch_figures_equal_the_commands_json_for_50_sample_cases(tmp_path: Path) -> None:
    """50 cases drawn at random from a 60-case sample: written as tables (the batch input)
    and as ``xieshang export`` files (imported with ``xieshang import``); every figure the
    batch writes is what ``status``, ``budget show``, ``ladder`` and ``plan --strategy
    pro-rata`` print for the imported case."""
    seed = 7
    write_sample(tmp_path / "tables", 60, seed, today(), "parquet")
    write_sample(tmp_path / "files", 60, seed, today(), "json")
    result = _run(tmp_path, tmp_path / "tables", "out", workers=2, chunk_size=15)
    assert (result.cases, result.errors, result.refused) == (60, 0, 0)
    cases = {row["case"]: row for row in _rows(tmp_path / "out", "cases")}
    debts: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(tmp_path / "out", "debts"):
        debts.setdefault(row["case"], []).append(row)
    rungs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in _rows(tmp_path / "out", "rungs"):
        rungs.setdefault((row["case"], row["debt"]), []).append(row)
    chosen = sorted(random.Random(17).sample(sorted(cases), 50))
    compared = 0
    for number, case_id in enumerate(chosen, start=1):
        ok("import", str(tmp_path / "files" / f"{case_id}.json"), "--json")
        case = str(number)
        status = ok("status", "--case", case, "--json")
        budget = ok("budget", "show", "--case", case, "--json")
        plan = ok("plan", "--case", case, "--strategy", "pro-rata", "--json")["plans"][0]
        row = cases[case_id]
        assert row["due"] == Decimal(status["total"])
        assert row["daily_cost"] == Decimal(status["daily_cost"])
        assert row["available"] == Decimal(budget["affordability"]["available"])
        assert row["budget_outcome"] == budget["affordability"]["outcome"]
        assert row["plan_months"] == plan["totals"]["months"]
        assert row["plan_paid"] == Decimal(plan["totals"]["paid"])
        totals = plan["totals"]
        assert row["plan_cost"] == sum((Decimal(totals[k]) for k in
                                        ("interest", "penalty", "fees")), Decimal("0"))
        assert str(row["plan_payoff_date"]) == str(totals["payoff_date"])
        mine = debts[case_id]
        assert len(mine) == len(status["debts"]) == len(budget["split"]["debts"])
        for position, (line, share) in enumerate(zip(status["debts"],
                                                     budget["split"]["debts"],
                                                     strict=True), start=1):
            debt = mine[position - 1]
            assert debt["debt"] == position
            for key in ("principal", "interest", "penalty", "fees", "daily_cost"):
                assert debt[key] == Decimal(line[key]), key
            assert debt["due"] == Decimal(line["total"])
            assert debt["days_overdue"] == line["days_overdue"]
            assert debt["share"] == Decimal(share["amount"])
            ladder = ok("ladder", "--case", case, "--debt", str(line["id"]), "--json")
            expected = [(r["level"], r["periods"], Decimal(r["monthly"]),
                         None if r["total_paid"] is None else Decimal(r["total_paid"]),
                         None if r["cost"] is None else Decimal(r["cost"]),
                         None if r["apr"] is None else Decimal(r["apr"]))
                        for r in ladder["rungs"]]
            got = [(r["level"], r["periods"], r["monthly"], r["total_paid"], r["cost"],
                    r["apr"]) for r in rungs.get((case_id, position), [])]
            assert got == expected
            assert debt["ladder_outcome"] == ladder["outcome"]
            compared += 1
    assert compared >= 50


def test_bad_rows_are_reported_with_row_column_and_message_and_the_rest_go_on(
        tmp_path: Path) -> None:
    """Bad rows in a 6-case CSV input: a negative amount (debts row 2), an unknown
    product (debts row 5) and a budget line in the wrong section (budget_lines row 3); a
    debt row of a case not in the table (debts row 8). The three cases with a bad row are
    left out, the others are evaluated, and the run says partial (exit status 3)."""
    source = tmp_path / "in"
    source.mkdir()
    since = today().replace(day=1).isoformat() if today().day > 1 else today().isoformat()
    (source / "cases.csv").write_text(
        "case_id,adults,city_tier,name\n" + "".join(
            f"c{i},1,tier2,张三{i}\n" for i in range(1, 7)), encoding="utf-8")
    (source / "debts.csv").write_text(
        "case_id,product,amount,overdue_since,account\n"
        f"c1,huabei,3000,{since},6222020200112233\n"
        f"c2,huabei,-5,{since},\n"
        f"c3,huabei,2000,{since},\n"
        f"c4,jiebei,1000,{since},\n"
        f"c5,nosuchproduct,1000,{since},\n"
        f"c6,credit_card_cn,9000,{since},\n"
        f"c6,huabei,500,{since},\n"
        f"c9,huabei,500,{since},\n", encoding="utf-8")
    (source / "budget_lines.csv").write_text(
        "case_id,section,category,amount\n"
        "c1,income,wages,6000\nc1,priority,rent,1500\nc3,flexible,wages,100\n"
        "c4,income,wages,5000\nc6,income,wages,9000\n", encoding="utf-8")
    runner = subprocess.run(
        [sys.executable, "-m", "xieshang", "batch", "run", str(source), "--output",
         str(tmp_path / "out"), "--lang", "en", "--workers", "1", "--hash-ids", "k"],
        capture_output=True, text=True, env=_env(), timeout=120)
    assert runner.returncode == 3, runner.stdout + runner.stderr
    errors = _rows(tmp_path / "out", "errors")
    found = sorted((e["table"], e["row"], e["column"]) for e in errors)
    assert found == [("budget_lines", 3, "section"), ("debts", 2, "amount"),
                     ("debts", 5, "product"), ("debts", 8, "case_id")]
    messages = {(e["table"], e["row"]): e["message"] for e in errors}
    assert messages[("debts", 2)] == "must not be negative (got -5)"
    assert "nosuchproduct" in messages[("debts", 5)]
    evaluated = {row["case"] for row in _rows(tmp_path / "out", "cases")}
    assert evaluated == {case_key(c, "k") for c in ("c1", "c4", "c6")}
    values = [str(value) for table in ("cases", "debts", "rungs", "errors")
              for row in _rows(tmp_path / "out", table) for value in row.values()]
    for secret in ("张三", "6222020200112233"):
        assert not [value for value in values if secret in value]
    assert not {"c1", "c4", "c6"} & set(values)
    assert (tmp_path / "out" / "report.html").is_file()


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(SRC)}


def test_a_dask_cluster_gives_what_the_local_engine_gives(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    write_sample(tmp_path / "in", 30, 3, today(), "csv")
    local = _run(tmp_path, tmp_path / "in", "local", workers=2, chunk_size=10)
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        remote = _run(tmp_path, tmp_path / "in", "dask", scheduler=cluster.scheduler_address,
                      chunk_size=10)
    assert (local.cases, remote.cases) == (30, 30)
    for table in ("cases", "debts", "rungs", "errors"):
        assert read_output(tmp_path / "dask", table).equals(
            read_output(tmp_path / "local", table)), table


def _default_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_stopped_then_killed_then_resumed_gives_every_case_once(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) once two chunks are finished: the run stops with status 130; run
    again and ``kill -9`` it two chunks later; the same command a third time finishes the
    run: every case exactly once, the same rows as an uninterrupted run."""
    import os
    import signal
    import time

    write_sample(tmp_path / "in", 60, 5, today(), "parquet")
    command = [sys.executable, "-m", "xieshang", "batch", "run", str(tmp_path / "in"),
               "--output", str(tmp_path / "out"), "--workers", "2", "--chunk-size", "4"]
    manifest = tmp_path / "out" / "manifest.json"

    def finished() -> int:
        try:
            return int(json.loads(manifest.read_text())["finished"])
        except (OSError, ValueError):
            return 0

    def run_until(chunks: int, sig: int) -> int | None:
        import psutil

        slow = {**_env(), "XIESHANG_TEST_BATCH_DELAY": "0.4"}  # a pause after each chunk
        # Ctrl-C reaches the run even when the tests themselves run as a background job
        # (which ignores SIGINT, and its children inherit that)
        process = subprocess.Popen(command, env=slow, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, preexec_fn=_default_sigint)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and finished() < chunks \
                and process.poll() is None:
            time.sleep(0.05)
        workers = psutil.Process(process.pid).children()
        os.kill(process.pid, sig)
        code = process.wait(timeout=30)
        # the workers never outlive the driver, even one killed with kill -9
        _gone, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == []
        return code

    assert run_until(2, signal.SIGINT) == 130
    stopped = finished()
    assert 2 <= stopped < 15
    run_until(stopped + 2, signal.SIGKILL)
    done = finished()
    assert stopped + 2 <= done < 15
    again = subprocess.run([*command, "--json"], env=_env(), capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["chunks_resumed"] == done
    cases = [row["case"] for row in _rows(tmp_path / "out", "cases")]
    assert len(cases) == len(set(cases)) == 60
    whole = _run(tmp_path, tmp_path / "in", "whole", workers=2, chunk_size=5)
    assert whole.cases == 60
    for table in ("cases", "debts", "rungs"):
        assert read_output(tmp_path / "out", table).equals(
            read_output(tmp_path / "whole", table)), table


def test_the_rest_of_the_command_line_never_imports_the_batch_dependencies() -> None:
    code = ("import sys; import xieshang.cli.main; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('pyarrow', 'dask', 'distributed', 'xieshang') and (m.startswith('xieshang.batch')"
            " or not m.startswith('xieshang'))))")
    found = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True,
                           text=True, timeout=60, check=True)
    assert found.stdout.strip() == "[]"


def test_keyed_hash_is_hmac_sha256_of_the_case_id() -> None:
    """HMAC-SHA256(key "k", "c1"), worked with Python's hmac module independently."""
    import hashlib
    import hmac

    assert case_key("c1", "k") == hmac.new(b"k", b"c1", hashlib.sha256).hexdigest()
    assert case_key("c1", None) == "c1"
    assert len(case_key("c1", "k")) == 64


def test_the_sample_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    write_sample(tmp_path / "a", 30, 11, date(2026, 12, 7))
    write_sample(tmp_path / "b", 30, 11, date(2026, 12, 7))
    for name in ("cases", "debts", "budget_lines"):
        assert pq.read_table(tmp_path / "a" / f"{name}.parquet").equals(
            pq.read_table(tmp_path / "b" / f"{name}.parquet"))


def test_json_exports_in_and_letters_out_equal_the_script_command(tmp_path: Path) -> None:
    """A folder of ``xieshang export`` files as input, with ``--documents letter``: each
    debt's letter is the text ``xieshang script --channel letter`` prints for the imported
    case (the sample has no name or account, so nothing is left out of either)."""
    write_sample(tmp_path / "files", 3, 2, today(), "json")
    options = Options(as_of=today(), lang="zh", documents=("letter",))
    result = run_batch(RunSettings(input=tmp_path / "files", output=tmp_path / "out",
                                   options=options, workers=1, report=False))
    assert (result.cases, result.errors) == (3, 0)
    letters = {(row["case"], row["debt"]): row["text"]
               for row in _rows(tmp_path / "out", "documents")}
    assert letters
    first = 0
    for number, path in enumerate(sorted((tmp_path / "files").glob("*.json")), start=1):
        ok("import", str(path), "--json")
        status = ok("status", "--case", str(number), "--json")
        for position, line in enumerate(status["debts"], start=1):
            script = ok("script", "--channel", "letter", "--case", str(number), "--debt",
                        str(line["id"]), "--json")
            assert letters[(path.stem, position)] == script["text"]
            first += 1
    assert first == len(letters)


def test_memory_tx_finds_as_the_database_does() -> None:
    """Ids from 1 per record type in the order added; ``find`` by equal values or any of a
    list, in id order; ``current_case`` is the only case, or the one chosen."""
    from xieshang.store.memory import MemoryTx
    from xieshang.store.model import Case, Debt

    tx = MemoryTx()
    case = tx.add(Case(name=""))
    first = tx.add(Debt(case_id=case.id, preset_id="huabei", principal=Decimal("1.00")))
    second = tx.add(Debt(case_id=case.id, preset_id="jiebei", principal=Decimal("2.00"),
                         status="settled"))
    assert (case.id, first.id, second.id) == (1, 1, 2)
    assert tx.find(Debt, case_id=1, status=("open", "settled")) == [first, second]
    assert tx.find(Debt, status="open") == [first]
    assert tx.get(Debt, 2) == second
    assert tx.get(Debt, 3) is None
    assert tx.count(Debt, case_id=1) == 2
    assert tx.current_case() == case
    other = tx.add(Case(name=""))
    assert tx.current_case() is None
    tx.use_case(other.id)
    assert tx.current_case() == other


def test_without_the_extra_the_command_says_how_to_install_it(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pyarrow'] = None; from xieshang.cli.main import run; "
            f"run(['batch', 'run', {str(tmp_path)!r}, '--output', {str(tmp_path / 'o')!r}, "
            "'--lang', 'en'])")
    found = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True,
                           text=True, timeout=60)
    assert found.returncode == 2
    assert found.stderr.strip() == ("xieshang batch needs pyarrow and dask: install them "
                                    "with pip install 'xieshang[batch]'")
