"""CLI fuzz: every command and option of ``xieshang`` (read from the click command tree, so
a new command or option is fuzzed without touching this file) with awkward values; in
process through click's runner, plus a share through real ``python -m xieshang`` processes.

A call passes when it exits 0, 1 or 2 without a traceback, and — when it did not exit 0 —
left the store exactly as it was (no partial write).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import traceback
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from fuzz import NOW, WAIT_SECONDS, Figures, Stopwatch, fingerprint, python_env
from fuzz.values import WEIRD_DATES, WEIRD_TEXT, kind_of, random_text, value


@dataclass(frozen=True)
class Command:
    """One command of the tree: its words and its parameters."""

    words: tuple[str, ...]
    params: tuple[click.Parameter, ...]


def commands(group: click.Group | None = None,
             words: tuple[str, ...] = ()) -> list[Command]:
    """Every command under ``group`` (default: ``xieshang``), a group that runs without a
    sub-command included (``plan --budget``)."""
    if group is None:
        from xieshang.cli.main import app

        group = app
    found: list[Command] = []
    for name, command in sorted(group.commands.items()):
        path = (*words, name)
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                found.append(Command(path, tuple(command.params)))
            found.extend(commands(command, path))
        else:
            found.append(Command(path, tuple(command.params)))
    return found


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    from xieshang.cli.main import run

    run(list(ctx.args))


_CHOICES = re.compile(r"[a-z][a-z0-9_-]*(?: ?\| ?[a-z][a-z0-9_-]*)+")


def choices_in_help(param: click.Parameter) -> list[str]:
    """The words an option's help offers (``phone | chat | app``), or its click choices."""
    if isinstance(param.type, click.Choice):
        return [str(c) for c in param.type.choices]
    found = _CHOICES.findall(getattr(param, "help", None) or "")
    return [word.strip() for group in found for word in group.split("|")]


class Hang(Exception):
    """A call ran past the time limit."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def stop(_signum: int, _frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    before = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


class Sandbox:
    """A data folder with a case in it, files to point options at, and a saved copy of the
    store to go back to every so often."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.files = root / "files"
        self.out = root / "out"
        for folder in (self.home, self.files, self.out):
            folder.mkdir(parents=True, exist_ok=True)
        self.database = self.home / "xieshang.db"
        self.saved = root / "saved.db"
        from xieshang.paths import preset_dir
        from xieshang.rules import load_presets

        self.products = sorted(load_presets(preset_dir()))

    def prepare(self) -> None:
        """The case every call starts from: two debts, a payment, a contact, a promise, a
        budget; and the files the path options are given."""
        setup = (
            ("case", "new", "--name", "测试", "--full-name", "李明", "--phone", "13800138000"),
            ("debt", "add", "--product", "huabei", "--amount", "3280.50", "--overdue-since",
             "2026-10-01", "--label", "花呗"),
            ("debt", "add", "--product", "jiebei", "--amount", "12000", "--overdue-since",
             "2026-08-15"),
            ("pay", "--debt", "1", "--amount", "100", "--date", "2026-11-20"),
            ("log", "add", "--debt", "1", "--channel", "phone", "--offered", "6期"),
            ("promise", "add", "--debt", "1", "--by", "me", "--amount", "500", "--due",
             "2026-12-20"),
            ("budget", "set", "--income", "wages=6000", "--priority", "rent=1500",
             "--flexible", "food=1200"),
        )
        for args in setup:
            code, output = self.invoke(list(args))
            if code != 0:
                raise RuntimeError(f"setting up the fuzz case failed: {args}: {output}")
        self.invoke(["export", "--output", str(self.files / "case.json"), "--force"])
        self.invoke(["backup", "--output", str(self.files / "backup.db")])
        statements = Path(__file__).resolve().parents[1] / "data" / "statements"
        for sample in statements.iterdir():
            if sample.suffix in (".csv", ".xlsx"):
                shutil.copy(sample, self.files / sample.name)
        (self.files / "empty.csv").write_bytes(b"")
        (self.files / "garbage.bin").write_bytes(bytes(range(256)) * 8)
        (self.files / "png.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        (self.files / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
        (self.files / "not.json").write_text('{"format": "xieshang-case", "version": 99}')
        (self.files / "passphrase").write_text("correct horse battery staple\n")
        (self.files / "notadb.db").write_text("this is not a database\n")
        with zipfile.ZipFile(self.files / "truncated.xlsx", "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
        data = (self.files / "truncated.xlsx").read_bytes()
        (self.files / "truncated.xlsx").write_bytes(data[: len(data) // 2])
        (self.files / "folder").mkdir(exist_ok=True)
        _certificate(self.files)
        shutil.copy(self.database, self.saved)

    def reset(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.saved, self.database)
        shutil.rmtree(self.out, ignore_errors=True)
        self.out.mkdir()

    def invoke(self, args: list[str]) -> tuple[int, str]:
        result = CliRunner().invoke(_entry, args, input="", catch_exceptions=True)
        return result.exit_code, result.output

    def path(self, rng: random.Random, output: bool) -> str:
        """A file for a path option: an output to write, or an input of any kind."""
        if output and rng.random() < 0.7:
            return str(self.out / rng.choice(("a.json", "b.db", "c.html", "d.pdf", "e.ics",
                                             "f.txt", "新.json", "sub/none/x.json")))
        pool = sorted(p.name for p in self.files.iterdir())
        choice = rng.random()
        if choice < 0.8:
            return str(self.files / rng.choice(pool))
        if choice < 0.9:
            return str(self.files / "missing.csv")
        return rng.choice(("", "-", str(self.files), str(self.out / "a.json")))

    def args(self, rng: random.Random, command: Command) -> list[str]:
        """Words for one call of ``command``: each option given or not, awkward values."""
        args = list(command.words)
        for param in command.params:
            if isinstance(param, click.Argument):
                if rng.random() < 0.92:
                    args.append(self.param_value(rng, param))
                continue
            assert isinstance(param, click.Option)
            if rng.random() < (0.85 if param.required else 0.4):
                flag = param.opts[-1] if rng.random() < 0.9 else param.opts[0]
                if param.is_flag:
                    args.append(flag)
                    continue
                for _ in range(rng.randint(1, 3) if param.multiple else 1):
                    args.extend([flag, self.param_value(rng, param)])
        if rng.random() < 0.03:  # an option no command has, or a word too many
            args.insert(rng.randint(1, len(args)), rng.choice(("--bogus", "extra", "-x")))
        return self.global_options(rng) + args

    def param_value(self, rng: random.Random, param: click.Parameter) -> str:
        name = param.name or ""
        if name == "product" and rng.random() < 0.7:
            return rng.choice(self.products)
        offered = choices_in_help(param)
        if offered and rng.random() < 0.6:
            return rng.choice(offered)
        if isinstance(param.type, click.Path) or name in ("file", "output", "ics",
                                                          "input_file", "evidence"):
            return self.path(rng, output=name in ("output", "ics", "html_file", "pdf_file"))
        if name in ("port",):
            return rng.choice(("0", "1", "80", "65535", "65536", "99999", "-1", "abc", "²"))
        if name in ("host",):
            return rng.choice(("127.0.0.1", "::1", "0.0.0.0", "localhost", "", "999.1.1.1"))
        if (param.name or "") in ("income", "fixed", "flexible", "priority", "remove") and \
                kind_of(name) != "date" and rng.random() < 0.7:
            return rng.choice(("wages", "rent", "food", "transport", "", "x")) + rng.choice(
                ("=", "=", ":", "")) + value(rng, "amount")
        return value(rng, name)

    def global_options(self, rng: random.Random) -> list[str]:
        found: list[str] = []
        if rng.random() < 0.05:
            found += ["--now", rng.choice((*WEIRD_DATES, NOW, random_text(rng, 8)))]
        if rng.random() < 0.02:
            found += ["--db-url", rng.choice((
                f"sqlite:///{self.files / 'notadb.db'}", "garbage", "sqlite://",
                f"sqlite:///{self.files / 'missing' / 'x.db'}", "postgresql://127.0.0.1:1/x",
                "mysql://x", ""))]
        if rng.random() < 0.02:
            found += ["--data-dir", rng.choice((str(self.root / "other"),
                                                str(self.files / "garbage.bin"), ""))]
        if rng.random() < 0.03:
            found += ["--passphrase-file", self.path(rng, output=False)]
        if rng.random() < 0.01:
            found += [rng.choice(("--version", "--help", "-h"))]
        return found


def _certificate(folder: Path) -> None:
    """cert.pem and key.pem: a self-signed certificate and its key (``serve --certfile``)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(start)
            .not_valid_after(start + timedelta(days=3650)).sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def _no_server() -> Any:
    """``serve`` checks its options and builds the app, but no server is started and no
    browser opened."""
    import webbrowser

    import uvicorn

    saved = (uvicorn.Server.run, webbrowser.open)
    # the server is configured (its app and HTTPS files loaded) but never started
    uvicorn.Server.run = lambda self, *a, **k: self.config.load()  # type: ignore[method-assign]
    webbrowser.open = lambda *a, **k: True  # type: ignore[assignment]

    def restore() -> None:
        uvicorn.Server.run, webbrowser.open = saved  # type: ignore[method-assign]

    return restore


def run_cli(calls: int, root: Path, *, seed: int = 13, processes: int | None = None,
            reset_every: int = 200) -> Figures:
    """``calls`` fuzzed calls in process, and ``processes`` (default: 1 in 100) more as real
    processes."""
    figures = Figures("CLI fuzz")
    sandbox = Sandbox(root)
    rng = random.Random(seed)
    tree = commands()
    figures.note("commands", len(tree))
    saved_env = dict(os.environ)
    os.environ.update(XIESHANG_HOME=str(sandbox.home), XIESHANG_NOW=NOW)
    for name in ("XIESHANG_LANG", "XIESHANG_DB_URL", "XIESHANG_PASSPHRASE"):
        os.environ.pop(name, None)
    restore = _no_server()
    try:
        sandbox.prepare()
        for index in range(calls):
            if index % reset_every == 0:
                sandbox.reset()
            args = sandbox.args(rng, rng.choice(tree))
            # answers to the questions a command asks (its prompts), mostly none
            answers = "" if rng.random() < 0.8 else "\n".join(
                value(rng, rng.choice(("product", "amount", "rate", "since", "text", "id")))
                for _ in range(rng.randint(1, 12))) + "\n"
            _call(sandbox, args, figures, answers)
            figures.progress(500)
        for index in range(calls // 100 if processes is None else processes):
            if index % 20 == 0:
                sandbox.reset()
            _process(sandbox, sandbox.args(rng, rng.choice(tree)), figures)
    finally:
        restore()
        os.environ.clear()
        os.environ.update(saved_env)
    return figures.done()


def _call(sandbox: Sandbox, args: list[str], figures: Figures, answers: str = "") -> None:

    before = fingerprint(sandbox.database)
    watch = Stopwatch()
    runner = CliRunner()
    try:
        with time_limit(int(WAIT_SECONDS)):
            result = runner.invoke(_entry, args, input=answers, catch_exceptions=True)
    except Hang as error:
        figures.calls += 1
        figures.fail("hangs", repr(args), str(error))
        return
    figures.calls += 1
    figures.note(f"exit {result.exit_code}")
    shown = repr(args) + (f" answering {answers!r}" if answers else "")
    watch.hang(figures, shown)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        figures.fail("tracebacks", shown, "".join(traceback.format_exception(
            *result.exc_info)))
    elif "Traceback (most recent call last)" in result.output or \
            result.exit_code not in (0, 1, 2):
        figures.fail("tracebacks", shown, f"exit {result.exit_code}\n{result.output}")
    if result.exit_code != 0 and fingerprint(sandbox.database) != before:
        figures.fail("partial_writes", shown, result.output)


def _process(sandbox: Sandbox, args: list[str], figures: Figures) -> None:
    args = [arg.replace("\x00", "") for arg in args]  # no command line can hold a NUL
    before = fingerprint(sandbox.database)
    env = python_env(sandbox.home)
    env.pop("XIESHANG_LANG")
    rng = random.Random(len(args) * 7919 + sum(map(len, args)))
    # the environment's settings are input too
    if rng.random() < 0.3:
        env["XIESHANG_LANG"] = rng.choice(("en", "zh_CN.UTF-8", "", "xx", "C", "😀"))
    if rng.random() < 0.1:
        env["XIESHANG_NOW"] = rng.choice(("", "garbage", "9999-12-31T00:00", "1900-01-01"))
    if rng.random() < 0.05:
        env["XIESHANG_DB_URL"] = rng.choice(("garbage", "sqlite://", ""))
    if rng.random() < 0.05:
        env["XIESHANG_HOME"] = rng.choice(("", str(sandbox.files / "garbage.bin")))
    shown = " ".join(f"{k}={v!r}" for k, v in env.items() if k.startswith("XIESHANG_")
                     and k != "XIESHANG_HOME") + " python -m xieshang " + " ".join(
        repr(a) for a in args)
    figures.calls += 1
    figures.note("real processes")
    watch = Stopwatch()
    try:
        done = subprocess.run([sys.executable, "-m", "xieshang", *args], env=env,
                              input=b"", capture_output=True, timeout=WAIT_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        figures.fail("hangs", shown, f"killed after {WAIT_SECONDS:.0f} s")
        return
    watch.hang(figures, shown)
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    if done.returncode not in (0, 1, 2) or "Traceback (most recent call last)" in output:
        figures.fail("tracebacks", shown, f"exit {done.returncode}\n{output}")
    if done.returncode != 0 and fingerprint(sandbox.database) != before:
        figures.fail("partial_writes", shown, output)


__all__ = ["WEIRD_TEXT", "commands", "run_cli"]
