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
