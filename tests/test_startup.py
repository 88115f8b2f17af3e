"""Start-up stays light (issue 16): a command imports only what it needs.

Checked by ``sys.modules`` in a fresh interpreter (no timing: the machine's load does not
decide the result). ``calc`` computes from a preset and prints; it never opens the store,
renders a template, draws a chart or starts the web app, so none of those libraries may be
imported on its path. ``--help`` lists the commands without the store either.
"""

from __future__ import annotations

import decimal
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

HEAVY = ("sqlalchemy", "alembic", "jinja2", "matplotlib", "fastapi", "starlette", "uvicorn",
         "highspy", "numpy", "pyarrow", "dask", "babel", "platformdirs")

def _run(args: list[str], tmp_path: object, before: str = "",
         report: str = "sorted(sys.modules)") -> Any:
    """Run ``xieshang ARGS`` in a fresh interpreter (``XIESHANG_HOME`` in ``tmp_path``)
    after the lines ``before``, and give back what the expression ``report`` was then
    (through JSON)."""
    code = (f"import json, runpy, sys\n{before}"
            "sys.argv = ['xieshang'] + json.loads(sys.argv[1])\n"
            "try:\n"
            "    runpy.run_module('xieshang', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            "sys.stdout.flush()\n"
            f"sys.stderr.write('\\nREPORT ' + json.dumps({report}))\n")
    env = dict(os.environ, XIESHANG_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code, json.dumps(args)], env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stderr.rsplit("REPORT ", 1)[1])


#: ``xieshang calc overdue`` of ¥100 of 花呗 one day overdue.
CALC_HUABEI = ["calc", "overdue", "--product", "huabei", "--amount", "100", "--days", "1"]


def _imported(args: list[str], tmp_path: object) -> set[str]:
    return set(_run(args, tmp_path))


@pytest.mark.parametrize("args", [
    ["calc", "overdue", "--product", "huabei", "--amount", "2000", "--days", "30"],
    ["calc", "schedule", "--method", "annuity", "--principal", "10000", "--months", "12",
     "--annual-rate", "12%"],
    ["calc", "overdue", "--help"],
    ["calc", "--help"],
    ["--help"],
], ids=["calc-overdue", "calc-schedule", "calc-overdue-help", "calc-help", "help"])
def test_calc_and_help_do_not_import_heavy_libraries(args: list[str], tmp_path: object) -> None:
    modules = _imported(args, tmp_path)
    assert "click" in modules  # the check ran the command
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []
    assert "xieshang.store.db" not in modules
    assert "shutil" not in modules  # click finds the help's width by it; cli.main does not
    if args[0] == "calc":
        assert "xieshang.services.plan" not in modules
    # click's rarely needed standard modules (cli._lean): a fifth of its start-up (a
    # command's own help is cleaned by inspect; engine.schedules makes dataclasses)
    if (args[:2] == ["calc", "overdue"] and "--help" not in args) \
            or args in (["--help"], ["calc", "--help"]):
        for module in ("inspect", "uuid", "platform", "gettext", "locale"):
            assert module not in modules


def test_calc_loads_only_the_calc_commands(tmp_path: object) -> None:
    modules = _imported(["calc", "overdue", "--product", "huabei", "--amount", "100",
                         "--days", "1"], tmp_path)
    assert "xieshang.cli.calc" in modules
    for other in ("budget", "case", "debt", "log", "negotiate", "plan", "serve", "exchange",
                  "calculators"):  # the other calculators' options are not made either
        assert f"xieshang.cli.{other}" not in modules
    assert "calendar" not in modules  # engine.accrual counts a month's days itself


def test_calc_writes_its_table_without_rich_or_the_services(tmp_path: object) -> None:
    """Written to a file (not a terminal), the bill table is drawn without rich (its cells
    counted by ``output.cell_len``), and the calculator loads neither the views, the budget
    nor the negotiation services, nor ``pathlib`` (with rich, a fifth of its start-up)."""
    modules = _imported(["calc", "overdue", "--product", "huabei", "--amount", "100",
                         "--days", "1"], tmp_path)
    assert "xieshang.output" in modules
    assert sorted(m for m in modules if m.split(".")[0] == "rich") == []
    for module in ("xieshang.present.views", "xieshang.services.budget",
                   "xieshang.services.negotiation", "pathlib", "platformdirs"):
        assert module not in modules


def test_calc_reads_only_its_own_preset(tmp_path: object) -> None:
    """``calc overdue --product huabei`` reads huabei's preset file alone (parsing all
    seven was a tenth of its start-up) — parsed, or its table read back from the cache —
    and nothing of the store or the web."""
    before = ("import tomllib\n"
              "import xieshang.rules as rules\n"
              "read = []\n"
              "files = []\n"
              "loads = tomllib.loads\n"
              "def counted(text, **kw):\n"
              "    read.append(text[:200])\n"
              "    return loads(text, **kw)\n"
              "tomllib.loads = counted\n"
              "data = rules._builtin_data\n"
              "def kept(path, label):\n"
              "    files.append(label)\n"
              "    return data(path, label)\n"
              "rules._builtin_data = kept\n")
    read, files = _run(CALC_HUABEI, tmp_path, before, "[read, files]")
    assert files == ["presets/huabei.toml"]
    assert len(read) <= 1  # none when its table was kept
    assert all(text.startswith("# 花呗 Huabei") for text in read)


def test_calc_with_its_preset_kept_needs_no_toml_parser(tmp_path: Path) -> None:
    """Once huabei's table is kept in ``__pycache__`` (as bytecode is), ``calc overdue``
    reads it back without importing tomllib; nor does it import dataclasses or the
    services (a preset's records are made without dataclasses' code generation)."""
    from xieshang.rules import BUILTIN_DIR, _builtin_data

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = ("import sys\n"
            "from xieshang.rules import BUILTIN_DIR, _builtin_data\n"
            "_builtin_data(BUILTIN_DIR + '/huabei.toml', 'presets/huabei.toml')\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    if not list(Path(BUILTIN_DIR, "__pycache__").glob("huabei.toml.*.marshal")):
        pytest.skip("the package's presets/__pycache__ cannot be written here (an install "
                    "in a read-only folder): no table is kept, calc parses the TOML")
    assert _builtin_data(os.path.join(BUILTIN_DIR, "huabei.toml"), "presets/huabei.toml")
    modules = _imported(["calc", "overdue", "--product", "huabei", "--amount", "100",
                         "--days", "1"], tmp_path)
    assert "xieshang.engine.accrual" in modules  # the bill was made
    for module in ("tomllib", "dataclasses", "xieshang.services", "xieshang.services.debts"):
        assert module not in modules


def test_a_preset_table_is_kept_parsed_beside_it(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A preset's table is kept in ``__pycache__`` as the catalog is: the same table as
    tomllib gives (its dates too), read back while the file is unchanged, parsed anew once
    it changes, a broken table ignored, nothing written when Python writes no bytecode."""
    import marshal
    import tomllib
    from datetime import date

    from xieshang.rules import _builtin_data

    path = tmp_path / "x.toml"
    path.write_text('id = "x"\nreviewed = 2026-03-31\n[[rows]]\na = "0.0005"\n',
                    encoding="utf-8")
    expected = {"id": "x", "reviewed": date(2026, 3, 31), "rows": [{"a": "0.0005"}]}
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert _builtin_data(str(path), "x") == expected
    assert not (tmp_path / "__pycache__").exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert _builtin_data(str(path), "x") == expected
    assert _builtin_data(str(path), "x") == expected == tomllib.loads(path.read_text("utf-8"))
    [kept] = (tmp_path / "__pycache__").iterdir()
    kept.write_bytes(marshal.dumps({"id": "kept"}))
    assert _builtin_data(str(path), "x") == {"id": "kept"}  # read back, not parsed
    path.write_text('id = "y"\n', encoding="utf-8")
    assert _builtin_data(str(path), "x") == {"id": "y"}
    [newer] = (tmp_path / "__pycache__").iterdir()
    assert newer != kept
    newer.write_bytes(b"not a table")
    assert _builtin_data(str(path), "x") == {"id": "y"}
    [newer] = (tmp_path / "__pycache__").iterdir()
    newer.write_bytes(marshal.dumps({"id": "y", "odd": ()}))  # loads, but is not ours
    assert _builtin_data(str(path), "x") == {"id": "y"}
    # an edit of the same size with its time of change put back (cp -p, tar, rsync -t):
    # the inode's own time of change still tells
    before = path.stat()
    path.write_text('id = "z"\n', encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert _builtin_data(str(path), "x") == {"id": "z"}


def test_status_does_not_import_the_web_or_charts(tmp_path: object) -> None:
    modules = _imported(["status"], tmp_path)
    assert "click" in modules
    heavy = sorted(m for m in modules if m.split(".")[0] in
                   ("jinja2", "matplotlib", "fastapi", "starlette", "uvicorn", "highspy",
                    "numpy", "pyarrow", "dask", "babel"))
    assert heavy == []


def test_status_of_debts_under_no_arrangement_loads_no_planner(tmp_path: Path) -> None:
    """The demo case's three debts are under no arrangement: ``status`` shows each one's bill
    and next milestone without the agreement's follow-up or the planner (engine.strategy
    imports the whole planner: a tenth of ``status``)."""
    from xieshang.cli.serve import build_demo_store

    build_demo_store(str(tmp_path))
    modules = _imported(["status"], tmp_path)
    assert "xieshang.services.case_view" in modules  # the bills were made
    assert "xieshang.engine.strategy" not in modules
    assert "xieshang.engine.agreement" not in modules


def test_help_lists_the_commands_without_importing_them(tmp_path: object) -> None:
    modules = _imported(["--help"], tmp_path)
    loaded = sorted(m for m in modules if m.startswith("xieshang.cli.")
                    and m not in ("xieshang.cli.main", "xieshang.cli._lean"))
    assert loaded == []


@pytest.mark.parametrize("width", [40, 60, 80, 100, 200])
def test_the_help_summaries_are_the_commands_own(width: int) -> None:
    """``--help`` shows each command's summary from ``main._SUMMARIES``: the same line the
    command itself would give, at every width (a changed docstring fails here)."""
    import click

    from xieshang.cli.main import _SUMMARIES, app

    real = {name: command.get_short_help_str(width) for name, command in app.commands.items()
            if not command.hidden}
    listed = {name: click.Command(name, help=text).get_short_help_str(width)
              for name, text in _SUMMARIES.items()}
    assert listed == real


def test_the_catalog_is_kept_parsed_beside_it(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``.po`` table is kept in ``__pycache__`` as Python keeps bytecode: read back while
    the file is unchanged, parsed anew (and the old table removed) once it changes, a broken
    table ignored, nothing written when Python writes no bytecode."""
    import marshal

    from xieshang.i18n import cached_po, parse_po

    po = tmp_path / "x.po"
    po.write_text('msgid "Principal"\nmsgstr "本金"\n', encoding="utf-8")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert cached_po(str(po)) == {"Principal": "本金"}
    assert not (tmp_path / "__pycache__").exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    assert cached_po(str(po)) == {"Principal": "本金"}
    [kept] = (tmp_path / "__pycache__").iterdir()
    kept.write_bytes(marshal.dumps({"Principal": "kept"}))
    assert cached_po(str(po)) == {"Principal": "kept"}  # read back, not parsed
    po.write_text('msgid "Interest"\nmsgstr "利息"\n', encoding="utf-8")
    assert cached_po(str(po)) == {"Interest": "利息"}
    [newer] = (tmp_path / "__pycache__").iterdir()
    assert newer != kept
    newer.write_bytes(b"not a table")
    assert cached_po(str(po)) == parse_po(po.read_text(encoding="utf-8")) == {"Interest": "利息"}


@pytest.mark.parametrize("columns", ["", "0", "20", "60", "90", "300", "wide"])
def test_the_help_is_as_wide_as_click_makes_it(columns: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """cli.main's context finds the help's width without shutil, as click does with it:
    $COLUMNS (else the terminal, else 80) within ``max_content_width`` (100), less 2,
    at least 50 — e.g. COLUMNS=90 gives 88, 300 gives 98, 20 gives 50."""
    import click

    from xieshang.cli.main import Context, app

    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr("click.formatting.FORCED_WIDTH", None)
    ours = Context(app, max_content_width=100).make_formatter().width
    assert ours == click.HelpFormatter(max_width=100).width
    assert ours == {"90": 88, "300": 98, "20": 50}.get(columns, ours)


@pytest.mark.parametrize("error", [decimal.InvalidOperation, OverflowError])
def test_a_figure_too_large_is_said_with_exit_2(error: type[Exception],
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """``run`` names a figure that outgrew the arithmetic (decimal is imported by the
    commands that compute, not by cli.main) instead of a traceback."""
    from xieshang.cli import main

    def fail(*_args: object, **_kwargs: object) -> None:
        raise error("too large")

    monkeypatch.setattr(main.app, "main", fail)
    with pytest.raises(SystemExit) as stopped:
        main.run(["calc", "overdue", "--lang", "en"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("error: a figure grows beyond what xieshang")


def test_calc_uses_the_person_s_own_preset_file(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """With a preset file of the person's own in ``$XIESHANG_HOME/presets`` (found without
    pathlib), ``calc`` reads every preset and takes the override: 1,000 overdue 10 days at
    the overridden 0.04 % a day is 1,000 × 0.0004 × 10 = 4.00 of penalty."""
    from click.testing import CliRunner

    from xieshang.cli.main import app

    folder = tmp_path / "presets"
    folder.mkdir()
    (folder / "mine.toml").write_text(
        'id = "huabei"\n[penalty]\ndaily_rate = "0.0004"\n'
        '[sources."penalty.daily_rate"]\nconfidence = "USER"\nnote = "账单显示0.04%/天"\n',
        encoding="utf-8")
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["calc", "overdue", "--product", "huabei", "--amount",
                                      "1000", "--from", "2026-11-01", "--to", "2026-11-11",
                                      "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["penalty_daily_rate"] == "0.0004"
    assert payload["penalty"] == "4.00"


def test_the_collector_pauses_only_while_the_command_loads(tmp_path: Path) -> None:
    """The ``xieshang`` command pauses the cyclic garbage collector while its modules load
    and sets what they loaded apart (issue 16); it runs again for the command itself. A
    program (or a test) importing ``cli.main`` keeps its collector as it was."""
    before = ("import gc\n"
              "import xieshang.cli.main\n"
              "imported = [gc.isenabled(), gc.get_freeze_count()]\n"
              "seen = []\n"
              "import xieshang.cli.calc as calc\n"
              "real = calc.load_preset\n"
              "def watched(product):\n"
              "    seen.append(gc.isenabled())\n"
              "    return real(product)\n"
              "calc.load_preset = watched\n")
    imported, seen, after = _run(
        CALC_HUABEI, tmp_path, before, "[imported, seen, gc.isenabled()]")
    assert imported == [True, 0]  # imported by a program: untouched
    assert seen == [True]  # the command ran with the collector
    assert after is True
    script = ("import gc, sys\n"
              "sys.argv = ['xieshang', '--help']\n"
              "import xieshang.cli.main\n"
              "print(gc.isenabled(), gc.get_freeze_count() > 0)\n")
    env = dict(os.environ, XIESHANG_HOME=str(tmp_path))
    shown = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True)
    assert shown.stdout.split() == ["True", "True"]  # as the command: paused, then set apart


def test_click_loads_with_stand_ins_that_leave_no_trace(tmp_path: Path) -> None:
    """cli._lean imports click with stand-ins for inspect, uuid and gettext: afterwards an
    ``import`` of each gives the module itself, click's UUID type converts to a real
    ``uuid.UUID``, its messages read as gettext gives them, and a help that needs cleaning
    (indented lines) is cleaned by inspect."""
    code = ("import json, sys, types\n"
            "import xieshang.cli.main\n"
            "import click\n"
            "before = sorted(m for m in ('inspect', 'uuid', 'gettext') if m in sys.modules)\n"
            "value = click.UUID.convert('12345678123456781234567812345678', None, None)\n"
            "text = click.core._('Show this message and exit.')\n"
            "plural = click.core.ngettext('{n} item', '{n} items', 2)\n"
            "help_ = click.Option(['--x'], help='First.\\n\\n    Indented.\\n').help\n"
            "short = click.Command('x', help='First\\n    indented.').get_short_help_str()\n"
            "import gettext, inspect, uuid\n"
            "real = [type(m) is types.ModuleType for m in (gettext, inspect, uuid)]\n"
            "print(json.dumps([before, type(value) is uuid.UUID, str(value), text,\n"
            "                  text == gettext.gettext('Show this message and exit.'),\n"
            "                  plural, help_, short, real,\n"
            "                  click.core.inspect.signature is inspect.signature]))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XIESHANG_HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    assert json.loads(result.stdout) == [
        [], True, "12345678-1234-5678-1234-567812345678", "Show this message and exit.",
        True, "{n} items", "First.\n\nIndented.", "First indented.", [True, True, True],
        True]


@settings(max_examples=3000)
@given(st.text(alphabet=" \t\n\r\x0c\u3000ab", max_size=14))
def test_a_help_is_cleaned_as_inspect_cleans_it(text: str) -> None:
    """Every help click cleans comes out as ``inspect.cleandoc`` gives it: taken as it is
    when there is nothing to clean, else by inspect."""
    import inspect

    from xieshang.cli._lean import _cleandoc

    assert _cleandoc(text) == inspect.cleandoc(text)


def _mo(translations: dict[str, str]) -> bytes:
    """A GNU ``.mo`` catalog of ``translations`` (UTF-8), as msgfmt writes it."""
    import struct

    entries = sorted({"": "Content-Type: text/plain; charset=UTF-8\n", **translations}.items())
    ids = [key.encode() for key, _ in entries]
    strs = [value.encode() for _, value in entries]
    start = 7 * 4 + 16 * len(entries)
    table, data = [], b""
    for raw in ids + strs:
        table.append((len(raw), start + len(data)))
        data += raw + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, len(entries), 28, 28 + 8 * len(entries), 0, 0)
    return header + b"".join(struct.pack("<2I", *pair) for pair in table) + data


def test_click_messages_are_translated_where_gettext_would_translate_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Python's folder of translations exists, click's messages are gettext's own:
    gettext is imported and finds a translation there; where it does not exist (and gettext
    is not yet imported), the message as written, without importing it."""
    from xieshang.cli import _lean

    folder = tmp_path / "share" / "locale" / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.mo").write_bytes(_mo({
        "Show this message and exit.": "Help, xx.",
        "{n} item\0{n} items": "{n} xx-one\0{n} xx-many"}))
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path))
    monkeypatch.setenv("LANGUAGE", "xx")
    monkeypatch.delitem(sys.modules, "gettext")
    assert _lean._gettext("Show this message and exit.") == "Help, xx."
    assert _lean._ngettext("{n} item", "{n} items", 1) == "{n} xx-one"
    assert _lean._ngettext("{n} item", "{n} items", 2) == "{n} xx-many"
    assert _lean._gettext("Not in the catalog.") == "Not in the catalog."
    monkeypatch.delitem(sys.modules, "gettext")
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path / "none"))
    assert _lean._gettext("Show this message and exit.") == "Show this message and exit."
    assert _lean._ngettext("{n} item", "{n} items", 1) == "{n} item"
    assert _lean._ngettext("{n} item", "{n} items", 3) == "{n} items"
    assert "gettext" not in sys.modules


def test_a_table_with_times_of_day_is_kept_too(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A local time of day (``_law.toml``'s quiet hours) is kept as a date is, so that
    ``rules.law`` reads the law back without tomllib; a date-time is not kept (the file is
    parsed each time)."""
    import tomllib
    from datetime import time

    from xieshang.rules import _builtin_data

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "x.toml"
    path.write_text('[quiet]\nfrom = 22:00:00\nuntil = 08:00:30.25\nday = 2026-03-31\n',
                    encoding="utf-8")
    parsed = tomllib.loads(path.read_text("utf-8"))
    assert parsed["quiet"]["until"] == time(8, 0, 30, 250000)
    assert _builtin_data(str(path), "x") == parsed
    [kept] = (tmp_path / "__pycache__").iterdir()
    assert _builtin_data(str(path), "x") == parsed  # read back
    stamped = tmp_path / "y.toml"
    stamped.write_text("at = 2026-03-31T08:00:00+08:00\n", encoding="utf-8")
    assert _builtin_data(str(stamped), "y") == tomllib.loads(stamped.read_text("utf-8"))
    assert [p.name for p in (tmp_path / "__pycache__").iterdir()] == [kept.name]


def test_the_law_is_read_back_without_tomllib(tmp_path: Path) -> None:
    """Once ``_law.toml``'s table is kept, the timeline's law is made without tomllib
    (``status`` reads it for every debt), the same law as parsing the file gives."""
    from xieshang.engine.timeline import parse_law
    from xieshang.rules import builtin_text, law

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = ("import sys\n"
            "from xieshang.rules import law\n"
            "law()\n"
            "print('tomllib' in sys.modules)\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    again = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                           capture_output=True, text=True)
    from xieshang.rules import BUILTIN_DIR

    if not list(Path(BUILTIN_DIR, "__pycache__").glob("_law.toml.*.marshal")):
        pytest.skip("the package's presets/__pycache__ cannot be written here (an install "
                    "in a read-only folder): the law is parsed from its TOML each time")
    assert again.stdout.split() == ["False"]
    assert law() == parse_law(builtin_text("_law.toml"), "presets/_law.toml")
