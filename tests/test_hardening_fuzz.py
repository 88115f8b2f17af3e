"""Defects the reliability suite (``make fuzz``, tests/fuzz) found, each pinned by a test
named after it: the input is refused with exit 2 and a message naming the option, never a
traceback, and nothing is written."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xieshang.cli.main import run

SRC = Path(__file__).resolve().parent.parent / "src"


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run(list(ctx.args))


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_entry, [*args, "--lang", "en"], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("XIESHANG_HOME", str(folder))
    for name in ("XIESHANG_LANG", "XIESHANG_DB_URL", "XIESHANG_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    return folder


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and its key, as PEM files."""
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
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_serve_with_a_file_that_is_not_a_certificate_is_refused_not_a_traceback(
        tmp_path: Path) -> None:
    """``serve --certfile FILE`` with a file that is no certificate printed "running at …"
    and then an ``ssl.SSLError`` traceback (uvicorn loads it only as it starts)."""
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    done = subprocess.run(
        [sys.executable, "-m", "xieshang", "serve", "--certfile", str(garbage), "--keyfile",
         str(garbage), "--lang", "en"], capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(SRC), "XIESHANG_HOME": str(tmp_path / "home"),
             "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "running at" not in done.stdout
    assert f"certfile: {garbage} and its key cannot be used for HTTPS (" in done.stderr
    assert "give a certificate and its private key in PEM form" in done.stderr


def test_serve_with_a_key_but_no_certificate_is_refused_not_an_assertion_error() -> None:
    """``serve --keyfile FILE`` alone ended in uvicorn's ``assert self.ssl_certfile``."""
    code, output = invoke("serve", "--keyfile", __file__)
    assert code == 2
    assert "certfile: --keyfile needs --certfile: give both, or neither" in output


def test_serve_accepts_a_real_certificate_and_key(tmp_path: Path) -> None:
    from xieshang.cli.serve import _check_tls

    cert_file, key_file = certificate(tmp_path)
    _check_tls(str(cert_file), str(key_file))  # no error
    with pytest.raises(Exception, match="cannot be used for HTTPS"):
        _check_tls(str(cert_file), str(cert_file))  # a certificate is not its key


@pytest.mark.parametrize("command", [["status"], ["case", "list"], ["serve", "--port", "0"]])
def test_xieshang_lang_that_is_not_a_language_is_refused_not_a_traceback(
        monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    """``XIESHANG_LANG=xx xieshang status`` raised ``ValueError: xx`` while the error about
    the language was being translated (into the language that was not one)."""
    monkeypatch.setenv("XIESHANG_LANG", "xx")
    result = CliRunner().invoke(_entry, command, catch_exceptions=False)
    assert result.exit_code == 2
    assert "环境变量 XIESHANG_LANG 的值“xx”不是" in result.output
    assert "Traceback" not in result.output


def test_an_empty_xieshang_lang_means_the_default_language(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``XIESHANG_LANG=`` (set, but empty) raised ``ValueError`` instead of meaning zh."""
    monkeypatch.setenv("XIESHANG_LANG", "")
    result = CliRunner().invoke(_entry, ["case", "list"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_card_interest_with_deeply_nested_json_is_refused_not_a_recursion_error(
        tmp_path: Path) -> None:
    """``calc card-interest --input deep.json`` (100,000 nested lists) raised RecursionError."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, output = invoke("calc", "card-interest", "--input", str(deep))
    assert code == 2
    assert f"input file (--input): {deep} nests too deeply to be read; the input is a flat " \
           "JSON object with lists of transactions and payments" in output


def test_a_csv_statement_of_more_than_100000_rows_is_refused_before_it_is_read() -> None:
    """A 29 MB Alipay CSV of 120,000 rows took 10 CPU seconds (2 minutes on a busy machine)
    to read; workbooks were capped at 100,000 rows, CSV files were not."""
    from xieshang.engine.errors import InputError
    from xieshang.importers import parse_statement

    header = "日期,摘要,对方,金额,类型\n"
    data = (header + "2025-01-05,代发工资,公司,7800.00,收入\n" * 100_001).encode("utf-8")
    with pytest.raises(InputError) as caught:
        parse_statement(data, "csv", file="bill.csv")
    assert str(caught.value) == "bill.csv: the file has more than 100000 rows; a statement " \
                                "is far shorter (export a shorter period)"


def test_a_csv_statement_is_refused_at_the_row_cap_while_it_is_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows counted while reading too (records whose lines end in a lone CR)."""
    from xieshang.engine.errors import InputError
    from xieshang.importers import parse_statement, tabular

    monkeypatch.setattr(tabular, "CSV_MAX_ROWS", 50)
    data = ("日期,摘要,对方,金额,类型\r" + "2025-01-05,工资,公司,7800.00,收入\r" * 60).encode()
    with pytest.raises(InputError, match=r"bill\.csv: the file has more than 50 rows"):
        parse_statement(data, "csv", file="bill.csv")
    small = ("日期,摘要,对方,金额,类型\n" + "2025-01-05,工资,公司,7800.00,收入\n" * 40).encode()
    assert parse_statement(small, "csv", file="bill.csv") is not None


def test_an_xlsx_whose_zip_claims_an_unknown_version_is_refused_not_a_traceback() -> None:
    """A byte flipped in a WeChat bill's zip directory (version needed: 18.5) raised
    ``NotImplementedError: zip file version 18.5`` out of the importer."""
    import io

    from openpyxl import Workbook

    from xieshang.engine.errors import InputError
    from xieshang.importers import parse_statement

    book = Workbook()
    book.active.append(["交易时间"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 6: central + 8] = (185).to_bytes(2, "little")  # version needed: 18.5
    with pytest.raises(InputError) as caught:
        parse_statement(bytes(data), None, file="bill.xlsx")
    assert str(caught.value) == "bill.xlsx: is not an XLSX workbook that can be read (zip " \
                                "file version 18.5)"


def test_a_passphrase_file_that_is_not_utf8_text_is_refused_not_a_traceback(
        tmp_path: Path) -> None:
    """``--passphrase-file garbage.bin encrypt`` raised UnicodeDecodeError."""
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)))
    assert invoke("case", "new", "--name", "测试")[0] == 0
    code, output = invoke("--passphrase-file", str(garbage), "encrypt")
    assert code == 2
    assert f"{garbage} is not UTF-8 text: the passphrase file holds the passphrase as one " \
           "line of text" in output
