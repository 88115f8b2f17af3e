"""Import fuzz: malformed statements (Alipay and WeChat formats, bank CSV, XLSX) read by the
importer, by ``xieshang budget import`` and by the web upload. Every file must be read or
refused with a clear message, within the time limit, without the process growing past
the memory limit.

The files are mutations of the sample statements in ``tests/data/statements``: truncated,
bytes flipped, re-encoded, cells replaced by awkward values, rows and columns multiplied;
and hostile workbooks: truncated zips, zip bombs, a cell at XFD1048576, a PNG renamed
.xlsx, no sheet, entity expansion, external entities.
"""

from __future__ import annotations

import io
import os
import random
import re
import resource
import traceback
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from fuzz import NOW, WAIT_SECONDS, Figures, Stopwatch, fingerprint
from fuzz.cli import Hang, _entry, time_limit
from fuzz.values import WEIRD_AMOUNTS, WEIRD_DATES, random_text

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "statements"
#: The most the fuzzing process may grow to (resident set) while reading the files.
MEMORY_LIMIT_MB = 1024

Maker = Callable[[random.Random], tuple[str, bytes]]


@cache
def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def _text(name: str) -> str:
    data = _sample(name)
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _csv_name(rng: random.Random) -> str:
    return rng.choice(("alipay_sample.csv", "generic_sample.csv", "alipay_utf16.csv",
                       "alipay_bad_amount.csv", "alipay_truncated_header.csv"))


def _encode(rng: random.Random, text: str) -> bytes:
    encoding = rng.choice(("gb18030", "utf-8", "utf-8-sig", "utf-16", "utf-16-be", "big5",
                           "latin-1", "shift_jis", "utf-32"))
    return text.encode(encoding, errors="replace" if rng.random() < 0.5 else "ignore")


def truncated(rng: random.Random) -> tuple[str, bytes]:
    name = rng.choice((_csv_name(rng), "wechat_sample.xlsx"))
    data = _sample(name)
    return name, data[: rng.randint(0, len(data))]


def flipped(rng: random.Random) -> tuple[str, bytes]:
    name = rng.choice((_csv_name(rng), "wechat_sample.xlsx"))
    data = bytearray(_sample(name))
    for _ in range(rng.randint(1, 40)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return name, bytes(data)


def reencoded(rng: random.Random) -> tuple[str, bytes]:
    name = _csv_name(rng)
    return name, _encode(rng, _text(name))


def odd_cells(rng: random.Random) -> tuple[str, bytes]:
    """Amounts, dates and texts of the table replaced by awkward values."""
    name = _csv_name(rng)
    text = _text(name)

    def amount(_match: re.Match[str]) -> str:
        return rng.choice(WEIRD_AMOUNTS) if rng.random() < 0.3 else _match.group(0)

    def day(_match: re.Match[str]) -> str:
        return rng.choice(WEIRD_DATES) if rng.random() < 0.3 else _match.group(0)

    text = re.sub(r"\b\d+\.\d\d\b", amount, text)
    text = re.sub(r"\b\d{4}-\d\d-\d\d\b", day, text)
    if rng.random() < 0.3:
        text = re.sub(r"[^,\n]{2,}", lambda m: random_text(rng, 12) if rng.random() < 0.1
                      else m.group(0), text)
    return name, _encode(rng, text) if rng.random() < 0.3 else text.encode("gb18030",
                                                                             "replace")


def reshaped(rng: random.Random) -> tuple[str, bytes]:
    """Lines dropped, doubled, shuffled; quotes unbalanced; NULs; odd line ends."""
    name = _csv_name(rng)
    lines = _text(name).splitlines()
    kind = rng.choice(("drop", "double", "shuffle", "quote", "nul", "cr", "wide", "long"))
    if kind == "drop":
        lines = [line for line in lines if rng.random() < 0.7]
    elif kind == "double":
        lines = [line for line in lines for _ in range(rng.randint(1, 3))]
    elif kind == "shuffle":
        rng.shuffle(lines)
    elif kind == "quote":
        lines = [('"' + line if rng.random() < 0.2 else line) for line in lines]
    elif kind == "nul":
        lines = [line.replace(",", "\x00,", 1) for line in lines]
    elif kind == "wide":
        lines = [line + "," * rng.choice((200, 5_000, 20_000)) for line in lines]
    elif kind == "long":
        lines.insert(rng.randrange(len(lines) + 1), "x" * rng.choice((10_000, 2_000_000)))
    joiner = "\r" if kind == "cr" else rng.choice(("\n", "\r\n"))
    return name, joiner.join(lines).encode("gb18030", "replace")


def many_rows(rng: random.Random) -> tuple[str, bytes]:
    """The table's rows repeated to tens of thousands of lines."""
    name = rng.choice(("alipay_sample.csv", "generic_sample.csv"))
    lines = _text(name).splitlines()
    numbers = [i for i, line in enumerate(lines) if re.match(r"\s*\d{4}-\d\d-\d\d", line)]
    rows = lines[numbers[0]: numbers[-1] + 1]
    count = rng.choice((1_000, 20_000, 120_000))
    body = [rows[i % len(rows)] for i in range(count)]
    return name, "\n".join(lines[: numbers[0]] + body + lines[numbers[-1] + 1:]).encode(
        "gb18030")


def _workbook(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@cache
def _small_book() -> bytes:
    return _workbook([["交易时间", "交易类型", "金额(元)", "收/支"],
                      ["2025-03-01 10:00:00", "商户消费", "¥12.00", "支出"]])


def _rewrite(data: bytes, change: Callable[[str, bytes], bytes | None],
             extra: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = change(info.filename, source.read(info.filename))
            if body is not None:
                target.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            target.writestr(name, body)
    return out.getvalue()


@cache
def _bomb(megabytes: int) -> bytes:
    def change(name: str, body: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return body.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes * 2**20))
        return body
    return _rewrite(_small_book(), change)


@cache
def _far_cell() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "交易时间"
    sheet["XFD1048576"] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def hostile_xlsx(rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(("bomb", "far", "dimension", "png", "no-sheet", "empty-zip", "laughs",
                       "xxe", "truncated-zip", "not-zip", "wide", "deep", "strings",
                       "random-xml", "many-sheets"))
    sheet = "xl/worksheets/sheet1.xml"
    if kind == "bomb":
        data = _bomb(101)
    elif kind == "far":
        data = _far_cell()
    elif kind == "dimension":
        data = _rewrite(_small_book(), lambda n, b: re.sub(
            rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', b) if n == sheet
            else b)
    elif kind == "png":
        data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(rng.randrange(256) for _ in range(200))
    elif kind == "no-sheet":
        data = _rewrite(_small_book(), lambda n, b: re.sub(rb"<sheets>.*</sheets>",
                                                           b"<sheets/>", b)
                        if n == "xl/workbook.xml" else b)
    elif kind == "empty-zip":
        buffer = io.BytesIO()
        zipfile.ZipFile(buffer, "w").close()
        data = buffer.getvalue()
    elif kind == "laughs":
        laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                            else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                  b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;'
                  b"</t></is></c></row></sheetData></worksheet>")
        data = _rewrite(_small_book(), lambda n, b: laughs if n == sheet else b)
    elif kind == "xxe":
        xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
               b"</sheetData></worksheet>")
        data = _rewrite(_small_book(), lambda n, b: xxe if n == sheet else b)
    elif kind == "truncated-zip":
        whole = _sample("wechat_sample.xlsx")
        data = whole[: rng.randint(0, len(whole) - 1)]
    elif kind == "not-zip":
        data = b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))
    elif kind == "wide":
        data = _workbook([["交易时间", *[f"c{i}" for i in range(rng.choice((101, 2000)))]]])
    elif kind == "deep":
        data = _rewrite(_small_book(), lambda n, b: b.replace(
            b"<sheetData>", b"<sheetData>" + b"<x>" * 50_000 + b"</x>" * 50_000)
            if n == sheet else b)
    elif kind == "strings":
        data = _rewrite(_small_book(), lambda n, b: None if n == "xl/sharedStrings.xml"
                        else b)
    elif kind == "random-xml":
        data = _rewrite(_small_book(), lambda n, b: bytes(
            c if rng.random() > 0.01 else rng.randrange(256) for c in b) if n == sheet else b)
    else:
        data = _rewrite(_small_book(), lambda n, b: b,
                        {f"xl/worksheets/sheet{i}.xml": b"<worksheet/>" for i in range(2, 60)})
    return f"{kind}.xlsx", data


MAKERS: tuple[Maker, ...] = (truncated, flipped, reencoded, odd_cells, reshaped, many_rows,
                             hostile_xlsx, hostile_xlsx)


def _peak_mb() -> float:  # float-ok: megabytes of memory, not money
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_imports(files: int, root: Path, *, seed: int = 13, cli_every: int = 5,
                web_every: int = 20) -> Figures:
    """``files`` malformed statements through the importer; one in ``cli_every`` also through
    ``xieshang budget import --dry-run`` and one in ``web_every`` through the web upload."""
    from xieshang.engine.errors import XieshangError
    from xieshang.importers import parse_statement

    figures = Figures("Import fuzz")
    rng = random.Random(seed)
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    saved_env = dict(os.environ)
    os.environ.update(XIESHANG_HOME=str(home), XIESHANG_NOW=NOW)
    for name in ("XIESHANG_LANG", "XIESHANG_DB_URL", "XIESHANG_PASSPHRASE"):
        os.environ.pop(name, None)
    web: Any = None
    try:
        runner = CliRunner()
        runner.invoke(_entry, ["case", "new", "--name", "导入"], catch_exceptions=False)
        database = home / "xieshang.db"
        web = _web_client(home)
        for index in range(files):
            figures.progress(100)
            maker = rng.choice(MAKERS)
            name, data = maker(rng)
            shown = f"{maker.__name__}: {name} ({len(data)} bytes, file {index})"
            fmt = rng.choice((None, None, "alipay", "wechat", "csv"))
            watch = Stopwatch()
            figures.calls += 1
            try:
                with time_limit(int(WAIT_SECONDS)):
                    parse_statement(data, fmt, file=name)
                figures.note("read")
            except XieshangError:
                figures.note("refused")
            except Hang as error:
                figures.fail("hangs", shown, str(error))
                continue
            except Exception:  # any other exception is what is counted
                figures.fail("tracebacks", shown, traceback.format_exc())
            watch.hang(figures, shown)
            if index % cli_every == 0:
                path = root / name
                path.write_bytes(data)
                before = fingerprint(database)
                figures.calls += 1
                watch = Stopwatch()
                result = runner.invoke(_entry, ["budget", "import", str(path), "--dry-run",
                                                "--lang", "en"], catch_exceptions=True)
                figures.note(f"cli exit {result.exit_code}")
                watch.hang(figures, "cli " + shown)
                if (result.exception is not None and not isinstance(result.exception,
                                                                    SystemExit)) \
                        or result.exit_code not in (0, 2) or "Traceback" in result.output:
                    figures.fail("tracebacks", "cli " + shown, "".join(
                        traceback.format_exception(*result.exc_info)) if result.exc_info
                        else result.output)
                if fingerprint(database) != before:
                    figures.fail("partial_writes", "cli " + shown, result.output)
                path.unlink()
            if index % web_every == 0:
                figures.calls += 1
                web.get("/budget/import")
                watch = Stopwatch()
                response = web.post("/budget/import", {"format": fmt or "auto",
                                                       "column_map": ""},
                                    files={"file": (name, data, "application/octet-stream")})
                figures.note(f"web {response.status_code}")
                watch.hang(figures, "web " + shown)
                if response.status_code >= 500:
                    figures.fail("http_500", "web " + shown, response.text[-1000:])
        peak = _peak_mb()
        figures.note("peak memory MB", int(peak))
        if peak > MEMORY_LIMIT_MB:
            figures.fail("hangs", "memory", f"the process grew to {peak:.0f} MB")
    finally:
        if web is not None:
            web.close()
        os.environ.clear()
        os.environ.update(saved_env)
    return figures.done()


def _web_client(home: Path) -> Any:
    from webclient import WebClient
    from xieshang.store.db import open_store

    return WebClient(lambda: open_store(data_dir=home), lang="en")
