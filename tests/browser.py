"""A real server on loopback and Debian's chromium driven by Playwright (for test_browser).

The server runs in a thread on a socket that is already listening before the browser starts,
so nothing waits or sleeps. Screenshots go to ``test-output/`` (not committed).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
#: Flags for chromium in a closed sandbox (no background connections, no GPU, no sandbox as root).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
OUTPUT = Path(__file__).parent.parent / "test-output"

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
              "has_touch": True, "device_scale_factor": 2},
}


@contextmanager
def running_server(opener: Callable[[], Any], *, lang: str = "zh") -> Iterator[str]:
    """Serve the app on a free loopback port; yields the base URL."""
    import uvicorn

    from xieshang.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    app = create_app(opener, lang=lang)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
