"""``xieshang serve``: the local web app on the loopback address.

FastAPI and uvicorn are imported only when the command runs, so ``xieshang --help`` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from xieshang.cli.main import CONTEXT, app
from xieshang.cli.session import _global

if TYPE_CHECKING:
    from xieshang.store.db import Store

__all__ = ["HOST", "build_demo_store", "free_port", "serve_command"]

#: The only address the server binds to (other addresses need a password: not built yet).
HOST = "127.0.0.1"


def free_port() -> int:
    """A port that is free on the loopback address right now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def build_demo_store(folder: str | Path) -> Callable[[], Store]:
    """Build the demo case into a store in ``folder``; returns a function opening that store."""
    from xieshang.cli.demo import build_case
    from xieshang.cli.session import today
    from xieshang.store.db import open_store

    with open_store(data_dir=folder) as store, store.begin() as tx:
        build_case(tx, today())
    return lambda: open_store(data_dir=folder)


def _own_store() -> Callable[[], Store]:
    """The store chosen by the global options, captured now (requests run outside click)."""
    from xieshang.store.db import open_store

    data_dir, url, file = _global("data_dir"), _global("db_url"), _global("passphrase_file")

    def passphrase() -> str | None:
        if file:
            return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        return os.environ.get("XIESHANG_PASSPHRASE") or None

    return lambda: open_store(data_dir=data_dir, url=url, passphrase=passphrase)


@app.command("serve", context_settings=CONTEXT)
@click.option("--port", "port", type=int, default=None, metavar="P",
              help="端口（默认任一空闲端口）. Port (default: a free one).")
@click.option("--demo", "demo", is_flag=True,
              help="在临时数据库中载入演示案例. Serve the demo case from a temporary store.")
@click.option("--open", "open_browser", is_flag=True,
              help="在浏览器中打开. Open the page in the browser.")
@click.option("--lang", "lang", default=None, metavar="zh|en",
              help="默认界面语言（默认 zh）. Default language.")
def serve_command(port: int | None, demo: bool, open_browser: bool, lang: str | None) -> None:
    """本机网页版（只监听 127.0.0.1）。The local web app (loopback only)."""
    import tempfile
    import threading
    import webbrowser

    import uvicorn

    from xieshang.cli.output import Out
    from xieshang.web.app import create_app

    out = Out.make(lang or os.environ.get("XIESHANG_LANG"), False)
    chosen = port if port is not None else free_port()
    url = f"http://{HOST}:{chosen}/"
    with tempfile.TemporaryDirectory(prefix="xieshang-serve-") as folder:
        opener = build_demo_store(folder) if demo else _own_store()
        web = create_app(opener, read_only=False, lang=out.lang)
        server = uvicorn.Server(uvicorn.Config(web, host=HOST, port=chosen, log_level="warning"))
        click.echo(out._("xieshang is running at {url} (Ctrl+C to stop).").format(url=url))
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
