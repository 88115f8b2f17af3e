"""A CSRF-aware in-process client for the web app (httpx ASGI transport; no port opened).

    client = WebClient(opener, lang="en")
    page = client.get("/debts")                 # keeps cookies; remembers the CSRF token
    response = client.post("/debts/new", {"amount": "1000"})
    assert response.status_code == 303

Each call runs the app in process with ``asyncio``; the app (and its open store) lives as
long as the client.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import httpx

from xieshang import clock
from xieshang.store.db import Store
from xieshang.web.app import create_app

_CSRF = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


class WebClient:
    """Cookies, the CSRF token of the last page, and the app, kept between calls."""

    def __init__(self, opener: Callable[[], Store], *, lang: str = "zh",
                 today: date | None = None, read_only: bool = False, https: bool = False,
                 **options: Any) -> None:
        # a client for a given day stands the clock on that day, at the time it is now,
        # while it lives
        self._pin = (clock.pinned(datetime.combine(today, clock.now().timetz()))
                     if today else None)
        if self._pin is not None:
            self._pin.__enter__()
        self.app = create_app(opener, lang=lang, read_only=read_only, **options)
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                        base_url=("https" if https else "http")
                                        + "://127.0.0.1")
        self.csrf = ""

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.app.state.web.close()
        self.loop.close()
        if self._pin is not None:
            self._pin.__exit__(None, None, None)
            self._pin = None

    def __enter__(self) -> WebClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _remember(self, response: httpx.Response) -> httpx.Response:
        found = _CSRF.search(response.text) if response.headers.get(
            "content-type", "").startswith("text/html") else None
        if found:
            self.csrf = found.group(1)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._remember(self.loop.run_until_complete(self.client.get(path, **kwargs)))

    def post(self, path: str, data: Mapping[str, Any] | None = None, *,
             files: Mapping[str, Any] | None = None, csrf: bool = True,
             headers: Mapping[str, str] | None = None) -> httpx.Response:
        """POST a form (with the CSRF token of the last page, unless ``csrf=False``).
        Visit a page first (``get``) so the session cookie and token exist."""
        if csrf and not self.csrf:
            self.get("/")
        body = dict(data or {})
        if csrf:
            body["_csrf"] = self.csrf
        return self._remember(self.loop.run_until_complete(
            self.client.post(path, data=body, files=files, headers=headers)))
