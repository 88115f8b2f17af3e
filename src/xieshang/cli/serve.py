"""``xieshang serve``: the local web app on the loopback address.

FastAPI and uvicorn are imported only when the command runs, so ``xieshang --help`` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.casefile import _global
from xieshang.cli.main import CONTEXT, app

if TYPE_CHECKING:
    from xieshang.store.db import Store

__all__ = ["HOST", "PASSWORD_SETTING", "build_demo_store", "free_port", "remote_password",
           "serve_command"]

#: The address the server binds to unless told otherwise (this computer only).
HOST = "127.0.0.1"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
#: The settings key holding the scrypt hash of the password for remote use.
PASSWORD_SETTING = "web_password"


def free_port(host: str = HOST) -> int:
    """A port that is free on ``host`` right now."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def build_demo_store(folder: str | Path) -> Callable[[], Store]:
    """Build the demo case into a store in ``folder``; returns a function opening that store."""
    from xieshang.cli.demo import build_case
    from xieshang.clock import today
    from xieshang.store.db import open_store

    with open_store(data_dir=folder) as store, store.begin() as tx:
        build_case(tx, today())
    return lambda: open_store(data_dir=folder)


def _check_port(host: str, port: int) -> None:
    """Refuse a port that is not 1–65535 or cannot be listened on, before saying the app
    runs there."""
    import socket

    from xieshang.engine.errors import N_, InputError

    if not 1 <= port <= 65535:
        raise InputError("port", N_("{port} is not a port: give a number from 1 to 65535, or "
                                    "leave --port out for a free one"), port=port)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise InputError("port", N_("cannot listen on port {port} ({error}): choose "
                                        "another, or leave --port out for a free one"),
                             port=port, error=error.strerror or str(error)) from None


def _check_tls(certfile: str | None, keyfile: str | None) -> None:
    """Refuse a key without its certificate, or files that are not a certificate and its
    key, before saying the app runs (the server would only fail as it starts)."""
    import ssl

    from xieshang.engine.errors import N_, InputError

    if keyfile and not certfile:
        raise InputError("certfile", N_("--keyfile needs --certfile: give both, or neither"))
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            str(certfile), keyfile)
    except (ssl.SSLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or str(error)
        raise InputError("certfile", N_("{file} and its key cannot be used for HTTPS ({error}): "
                                        "give a certificate and its private key in PEM form"),
                         file=certfile, error=reason) from None


def _own_store() -> Callable[[], Store]:
    """The store chosen by the global options, captured now (requests run outside click)."""
    from xieshang.store.db import open_store

    data_dir, url, file = _global("data_dir"), _global("db_url"), _global("passphrase_file")

    def passphrase() -> str | None:
        if file:
            return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        return os.environ.get("XIESHANG_PASSPHRASE") or None

    return lambda: open_store(data_dir=data_dir, url=url, passphrase=passphrase)


def remote_password(opener: Callable[[], Store], out: Any, *, reset: bool) -> str:
    """The password hash for remote use: the stored one, or a new one asked for now."""
    from xieshang.web.app import hash_password

    with opener() as store:
        with store.begin(readonly=True) as tx:
            stored = tx.setting(PASSWORD_SETTING)
        if stored and not reset:
            return stored
        _ = out._
        click.echo(_("Other computers will be able to reach xieshang: set the password they "
                     "must give (at least 10 characters)."))
        while True:
            password: str = click.prompt(_("New password"), hide_input=True,
                                         confirmation_prompt=_("Repeat the password"))
            if len(password) >= 10:
                break
            click.echo(_("That password is too short: use at least 10 characters."))
        hashed = hash_password(password)
        with store.begin() as tx:
            tx.set_setting(PASSWORD_SETTING, hashed)
        return hashed


@app.command("serve", context_settings=CONTEXT)
@click.option("--port", "port", type=int, default=None, metavar="P",
              help="端口（默认任一空闲端口）. Port (default: a free one).")
@click.option("--demo", "demo", is_flag=True,
              help="在临时数据库中载入演示案例. Serve the demo case from a temporary store.")
@click.option("--open", "open_browser", is_flag=True,
              help="在浏览器中打开. Open the page in the browser.")
@click.option("--lang", "lang", default=None, metavar="zh|zh-Hant|en",
              help="默认界面语言（默认 zh）. Default language.")
@click.option("--host", "host", default=HOST, metavar="ADDRESS",
              help="监听地址（默认 127.0.0.1）. Address to listen on (default 127.0.0.1).")
@click.option("--allow-remote", "allow_remote", is_flag=True,
              help="允许其他电脑访问（需要密码和 HTTPS）. Allow other computers (password + HTTPS).")
@click.option("--certfile", "certfile", type=click.Path(exists=True, dir_okay=False),
              default=None, help="HTTPS 证书. TLS certificate (PEM).")
@click.option("--keyfile", "keyfile", type=click.Path(exists=True, dir_okay=False),
              default=None, help="HTTPS 私钥. TLS private key (PEM).")
@click.option("--reset-password", "reset_password", is_flag=True,
              help="重新设置远程访问密码. Set a new password for remote use.")
@click.option("--read-only", "read_only", is_flag=True,
              help="只读（不能修改任何数据）. Refuse every change.")
def serve_command(port: int | None, demo: bool, open_browser: bool, lang: str | None,
                  host: str, allow_remote: bool, certfile: str | None, keyfile: str | None,
                  reset_password: bool, read_only: bool) -> None:
    """本机网页版（默认只监听 127.0.0.1）。The local web app (loopback only by default)."""
    import tempfile
    import threading
    import webbrowser

    from xieshang.engine.errors import N_, InputError
    from xieshang.output import Output
    from xieshang.web.page import known_lang

    page_lang = known_lang(lang or os.environ.get("XIESHANG_LANG") or "zh")
    if page_lang is None and lang is None:  # the environment's
        raise InputError("lang", N_("XIESHANG_LANG is '{value}', which is not a language; "
                                    "use zh, zh-Hant or en"),
                         value=os.environ.get("XIESHANG_LANG"))
    if page_lang is None:
        raise InputError("lang", N_("'{value}' is not a language; use zh, zh-Hant or en"),
                         value=lang)
    out = Output.make("en" if page_lang == "en" else "zh", False)
    remote = host not in _LOOPBACK
    if remote and not allow_remote:
        raise InputError("host", N_("{host} would let other computers reach your data: add "
                                    "--allow-remote (a password and HTTPS are then required), "
                                    "or leave --host out to stay on this computer"), host=host)
    if remote and not (certfile and keyfile):
        raise InputError("certfile", N_("serving to other computers needs HTTPS, so that the "
                                        "password and your data are not sent in the clear: "
                                        "give --certfile and --keyfile"))
    if port is not None:
        _check_port(host, port)
    if certfile or keyfile:
        _check_tls(certfile, keyfile)
    import uvicorn

    from xieshang.web.app import LOG_CONFIG, LOOPBACK_HOSTS, create_app

    chosen = port if port is not None else free_port(host if remote else HOST)
    scheme = "https" if certfile else "http"
    shown = f"[{host}]" if ":" in host else host
    url = f"{scheme}://{shown}:{chosen}/"
    with tempfile.TemporaryDirectory(prefix="xieshang-serve-") as folder:
        opener = build_demo_store(folder) if demo else _own_store()
        if not demo:
            opener().close()  # a store that cannot be opened is said now, not on each page
        password = remote_password(opener, out, reset=reset_password) if remote else None
        web = create_app(opener, read_only=read_only, lang=page_lang,
                         password_hash=password, secure_cookies=bool(certfile),
                         allowed_hosts=None if remote else LOOPBACK_HOSTS)
        server = uvicorn.Server(uvicorn.Config(
            web, host=host, port=chosen, log_level="warning", access_log=False,
            log_config=LOG_CONFIG,  # one line per error: no traceback, no form data
            ssl_certfile=certfile, ssl_keyfile=keyfile, server_header=False))
        click.echo(out._("xieshang is running at {url} (Ctrl+C to stop).").format(url=url))
        if remote:
            click.echo(out._("Other computers can reach it; they must give the password."))
        if open_browser:
            def open_when_ready() -> None:
                import time

                for _attempt in range(100):
                    if server.started:
                        webbrowser.open(url)
                        return
                    time.sleep(0.1)

            threading.Thread(target=open_when_ready, daemon=True).start()
        server.run()


@app.command("open", context_settings=CONTEXT)
@click.option("--lang", "lang", default=None, metavar="zh|zh-Hant|en",
              help="默认界面语言（默认 zh）. Default language.")
@click.pass_context
def open_command(ctx: click.Context, lang: str | None) -> None:
    """打开本机网页版：启动并在浏览器中打开（不带参数运行 xieshang 也一样）。Start the local
    web app and open it in the browser (what ``xieshang`` with no arguments does)."""
    ctx.invoke(serve_command, open_browser=True, lang=lang)
