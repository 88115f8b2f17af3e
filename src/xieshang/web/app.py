"""The web app factory.

Every figure on a page comes from the code the command line uses; the pages (one module each
in ``xieshang.web.pages``) only parse forms, call the engine, write through the store and
lay the result out. All text goes through gettext with English msgids; personal values are
masked.
"""

from __future__ import annotations

import asyncio
import decimal
import hashlib
import hmac
import logging
import re
import secrets
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from xieshang.engine.errors import N_, XieshangError
from xieshang.output import Output
from xieshang.store.db import StoreUnavailable, store_trouble
from xieshang.web.page import (
    MAX_FORM_BYTES,
    SESSION_COOKIE,
    SESSION_SECONDS,
    STEPS,
    BodyLimit,
    BodyTooLarge,
    Page,
    Web,
    support_lines,
    template_gettext,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from xieshang.store.db import Store

__all__ = ["ABSOLUTE_SECONDS", "IDLE_SECONDS", "LOG_CONFIG", "MAX_BODY", "PAGES",
           "SECURITY_HEADERS", "STEPS", "LockOut", "OneLineFormatter", "check_password",
           "create_app", "hash_password"]

#: Where the app logs: one line per error, never a request's form or a traceback.
_LOG = logging.getLogger("xieshang.web")

HERE = Path(__file__).parent

#: The page modules, in the order of the guide (each has a ``router``).
PAGES: tuple[str, ...] = ("today", "welcome", "glossary", "start", "debts", "consequences",
                          "budget", "plan", "negotiate", "log", "dossier", "questions", "account")

#: Headers sent with every response. No inline script anywhere; inline styles are allowed
#: only because matplotlib's SVG charts carry their styles inline.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; "
                                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

#: The pages whose HTML is remembered between requests until the data changes: every one
#: of them depends only on the store, the day, the language and the query (never on the
#: session; the session's CSRF token is put in at the last moment). Not /start: it checks
#: the evidence files on disk.
_CACHED_PAGES = re.compile(r"^/(?:|answer/asks|debts|consequences|budget|plan(?:/months/\d+)?"
                           r"|negotiate(?:/\d+)?|log"
                           r"|dossier|questions(?:/[a-z0-9-]+)?)$")
#: How many rendered pages are kept (least recently used dropped first).
_CACHED_MAX = 48
#: How many of those pages are computed at once; the others wait their turn (first come,
#: first served). The figures are pure Python: more at once only share the same cores (and
#: one interpreter lock), so every one of them would finish as late as the last, each
#: holding its plans in memory meanwhile. A page served from memory never waits.
PAGE_SLOTS = 4
#: Stands for the CSRF token in a remembered page.
_TOKEN_MARK = "<xieshang-csrf-token/>"  # escaped output can never hold a "<"

#: The names this computer answers to on the loopback address. A page asked for under any
#: other name (a web site that pointed its own name at 127.0.0.1: "DNS rebinding") is refused.
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")

#: Paths reachable without signing in (when a password is set).
_OPEN_PATHS = ("/login", "/static/")

#: After this many wrong passwords in a row, sign-in waits ``_LOCKOUT_SECONDS``.
_MAX_FAILURES = 5
_LOCKOUT_SECONDS = 60.0
#: How many addresses the sign-in lock-out remembers (see :class:`LockOut`).
_LOCKOUT_ADDRESSES = 10_000

#: A signed-in session (remote mode) ends after this long without a request (seconds) …
IDLE_SECONDS = 30 * 60
#: … and this long after signing in, however busy (seconds). The session cookie of the
#: pages' forms (both modes) lasts as long in the browser.
ABSOLUTE_SECONDS = SESSION_SECONDS

#: The largest request body read of a form without a file (bytes); a form with a file
#: says its own limit (:meth:`xieshang.web.page.Page.form`). Counted while it arrives.
MAX_BODY = MAX_FORM_BYTES

#: The clock of sessions and the lock-out (monotonic seconds; tests replace it).
_monotonic = time.monotonic


class OneLineFormatter(logging.Formatter):
    """A log line without a traceback (its frames' locals can hold personal data): the
    exception's type only."""

    def format(self, record: logging.LogRecord) -> str:
        kind = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        line = line.replace("\n", " ")
        return f"{line} ({kind})" if kind else line


#: uvicorn's logging for ``xieshang serve``: warnings and errors on one line each; no
#: access log (addresses and queries), no tracebacks.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"()": "xieshang.web.app.OneLineFormatter",
                            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line",
                            "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "uvicorn.error": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "xieshang": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}


class LockOut:
    """Wrong passwords per client address, in a bounded store that many addresses cannot
    flush.

    After ``max_failures`` wrong passwords in a row an address waits ``wait`` seconds. At
    most ``size`` addresses are remembered; a new one takes the place of the least recently
    seen address that is *not* waiting (a lock that is running is never forgotten). When
    every remembered address is waiting, addresses not remembered share one global rate:
    one try per ``wait / max_failures`` seconds between them.
    """

    def __init__(self, size: int = _LOCKOUT_ADDRESSES, max_failures: int = _MAX_FAILURES,
                 wait: float = _LOCKOUT_SECONDS) -> None:  # float-ok: time.monotonic() seconds
        self.size = size
        self.max_failures = max_failures
        self.wait = wait
        #: address → [wrong passwords in a row, waiting until]
        self._entries: OrderedDict[str, list[float]] = OrderedDict()  # float-ok: monotonic
        self._shared_next = 0.0

    def __len__(self) -> int:
        return len(self._entries)

    def waiting(self, client: str, now: float) -> bool:  # float-ok: time.monotonic() seconds
        """Whether ``client`` must wait before trying a password."""
        record = self._entries.get(client)
        if record is not None:
            self._entries.move_to_end(client)
            return now < record[1]
        if len(self._entries) < self.size or self._evict(now):
            return False
        if now < self._shared_next:  # full of running locks: one shared, slow rate
            return True
        self._shared_next = now + self.wait / self.max_failures
        return False

    def failed(self, client: str, now: float) -> None:  # float-ok: time.monotonic() seconds
        """Count a wrong password from ``client``."""
        record = self._entries.get(client)
        if record is None:
            if len(self._entries) >= self.size and not self._evict(now):
                return  # counted by the shared rate instead
            record = self._entries[client] = [0.0, 0.0]
        self._entries.move_to_end(client)
        record[0] += 1
        if record[0] >= self.max_failures:
            record[0], record[1] = 0.0, now + self.wait

    def succeeded(self, client: str) -> None:
        self._entries.pop(client, None)

    def _evict(self, now: float) -> bool:  # float-ok: time.monotonic() seconds
        """Forget the least recently seen address that is not waiting (False: none)."""
        for address, record in self._entries.items():
            if now >= record[1]:
                del self._entries[address]
                return True
        return False


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` (``scrypt$n$r$p$salt$hash``, hex)."""
    salt = secrets.token_bytes(16)
    n, r, p = 2**14, 8, 1
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password`."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        again = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n),
                               r=int(r), p=int(p), dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(again.hex(), digest)


def create_app(store_opener: Callable[[], Store], *, read_only: bool = False,
               lang: str = "zh",
               password_hash: str | None = None, secure_cookies: bool = False,
               allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS) -> FastAPI:
    """The web app.

    Args:
        store_opener: opens the store (called once, on the first request; closed at shutdown).
        read_only: refuse every write (forms answer 403).
        lang: the default language (``zh``, ``zh-Hant`` or ``en``; ``?lang=`` switches and
            is remembered in a cookie).
        password_hash: when given (see :func:`hash_password`), every page needs signing in.
        secure_cookies: mark cookies ``Secure`` (served over HTTPS); also sends HSTS.
        allowed_hosts: the host names requests may name (``Host``); None: any (only for
            remote use, where signing in protects every page).

    Returns:
        The FastAPI application.
    """
    from xieshang.web.page import known_lang, public_ref_of

    default_lang = known_lang(lang) or Output.make(lang, False).lang
    # the templates ship with the package: each is compiled once and kept (no file checked
    # for changes at every page)
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True, auto_reload=False)
    env.globals["_"] = template_gettext
    env.globals["support_lines"] = support_lines
    # a source's address is a link only when it is a web address (not a reference file's path)
    env.tests["web_address"] = lambda url: str(url).startswith(("https://", "http://"))
    # a source as a person may see it: public sources only, never our reference files
    env.filters["public_ref"] = public_ref_of
    web = Web(env=env, open_store=store_opener, read_only=read_only,
              default_lang=default_lang,
              secure_cookies=secure_cookies or password_hash is not None)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        web.close()

    app = FastAPI(title="xieshang", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.web = web
    app.state.read_only = read_only
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(BodyLimit)  # outermost: counts every body while it arrives
    # session id → [signed in at, last request]: time.monotonic() seconds
    signed_in: dict[str, list[float]] = {}  # float-ok: monotonic seconds, not money
    failures = LockOut()

    pages: OrderedDict[tuple[Any, ...], tuple[int, str]] = OrderedDict()
    locks: dict[tuple[Any, ...], asyncio.Lock] = {}
    slots = asyncio.Semaphore(PAGE_SLOTS)

    async def computed(request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        async with slots:
            return await call_next(request)

    # added first, so it runs inside `guard` (which checks signing in and adds the headers)
    @app.middleware("http")
    async def remember_pages(request: Request,
                             call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Serve a page again from memory while the data, day and language are the same."""
        if request.method != "GET" or not _CACHED_PAGES.match(request.url.path):
            return await call_next(request)
        page = Page.of(request)
        try:
            version = web.data_version()
        except XieshangError:  # the store cannot be opened now: the page itself says why
            version = None
        if version is None:
            return await computed(request, call_next)
        key = (request.url.path, request.url.query, page.lang, page.today, version,
               web.undo.get(page.sid, ("",))[0],
               request.headers.get("HX-Request", ""))
        lock = locks.setdefault(key[:4], asyncio.Lock())
        async with lock:  # the same page asked by many at once is made once
            found = pages.get(key)
            if found is None:
                response = await computed(request, call_next)
                if response.status_code != 200 or not response.headers.get(
                        "content-type", "").startswith("text/html"):
                    return response
                body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
                html = body.decode("utf-8").replace(page.csrf, _TOKEN_MARK)
                if web.data_version() == version:  # not changed while it was made
                    pages[key] = found = (200, html)
                    if len(pages) > _CACHED_MAX:
                        pages.popitem(last=False)
                else:
                    found = (200, html)
            else:
                pages.move_to_end(key)
        if len(locks) > 4 * _CACHED_MAX:
            locks.clear()
        fresh = HTMLResponse(found[1].replace(_TOKEN_MARK, page.csrf), status_code=found[0])
        page.finish(fresh)
        return fresh

    @app.middleware("http")
    async def guard(request: Request,
                    call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        refusal = _foreign(request, allowed_hosts)
        if refusal is not None:
            return _secured(Response(refusal, status_code=400 if "Host" in refusal else 403,
                                     media_type="text/plain"), secure_cookies)
        if password_hash is not None and not request.url.path.startswith(_OPEN_PATHS):
            sid = request.cookies.get(SESSION_COOKIE, "")
            if not _session_alive(signed_in, sid, _monotonic()):
                if request.method in {"GET", "HEAD"}:
                    response: Response = RedirectResponse("/login", status_code=303)
                else:
                    response = Response(status_code=401)
                return _secured(response, web.secure_cookies)
        try:
            response = await call_next(request)
        except Exception as error:
            response = _server_error(request, error)
        return _secured(response, web.secure_cookies)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        page = Page.of(request)
        titles = {403: page._("Not allowed"), 404: page._("Not found"),
                  413: page._("Too large"), 503: page._("Try again in a moment"),
                  507: page._("The disk is full")}
        if isinstance(error, BodyTooLarge):
            return page.render("error.html", status=413, title=titles[413],
                               message=page._("What was sent is larger than {size} MB; nothing "
                                              "was read or saved. Go back and choose a "
                                              "smaller file.").format(
                                   size=max(1, error.limit // (1024 * 1024))))
        return page.render("error.html", status=error.status_code,
                           title=titles.get(error.status_code, page._("Something went wrong")),
                           message=page._(str(error.detail)) if error.status_code != 404
                           else page._("There is no such page or record."))

    @app.exception_handler(StoreUnavailable)
    async def unavailable(request: Request, error: StoreUnavailable) -> Response:
        """The store is busy, the disk full or the file unreadable: a page saying so."""
        page = Page.of(request)
        return await http_error(request, page.unavailable(error))

    @app.exception_handler(OSError)
    @app.exception_handler(sqlite3.Error)
    @app.exception_handler(DBAPIError)
    async def store_error(request: Request, error: Exception) -> Response:
        """A full disk or an I/O error met outside a transaction (a file being written, the
        store being opened): named as such; any other such error stays an error."""
        trouble = store_trouble(error)
        if trouble is None:
            raise error
        return await unavailable(request, trouble)

    @app.exception_handler(XieshangError)
    async def input_error(request: Request, error: XieshangError) -> Response:
        """An error xieshang raises on purpose that reached no form: a page, not a 500."""
        page = Page.of(request)
        return page.render("error.html", status=422, title=page._("Something went wrong"),
                           message=page.error_text(error))

    @app.exception_handler(decimal.InvalidOperation)
    @app.exception_handler(OverflowError)
    async def too_large(request: Request, _error: Exception) -> Response:
        """A figure outgrew the arithmetic although each value was within its bounds."""
        page = Page.of(request)
        return page.render("error.html", status=422, title=page._("Something went wrong"),
                           message=page._(N_("A figure grows beyond what xieshang can "
                                             "compute: check the rates, amounts and dates of "
                                             "the debts on the Debts page.")))

    if password_hash is not None:
        _login_routes(app, password_hash, signed_in, failures)

    for name in PAGES:
        module: Any = import_module(f"xieshang.web.pages.{name}")
        app.include_router(module.router)
    # the data files the pages stand on are checked now: a broken file stops the start
    from xieshang.rules import questions

    questions()
    return app


def _session_alive(signed_in: dict[str, list[float]],  # float-ok: monotonic seconds
                   sid: str, now: float) -> bool:  # float-ok: time.monotonic() seconds
    """Whether ``sid`` is signed in and neither idle nor too old (then it is forgotten);
    a live session's last request becomes now."""
    times = signed_in.get(sid) if sid else None
    if times is None:
        return False
    started, last = times
    if now - last > IDLE_SECONDS or now - started > ABSOLUTE_SECONDS:
        del signed_in[sid]
        return False
    times[1] = now
    return True


def _server_error(request: Request, error: Exception) -> Response:
    """A 500 page naming an error id; the log gets one line with the id and the error's
    type (never the request's form, the message or a traceback with its locals)."""
    error_id = secrets.token_hex(4)
    _LOG.error("error %s: %s %s failed (%s)", error_id, request.method, request.url.path,
               type(error).__name__)
    try:
        page = Page.of(request)
        return page.render("error.html", status=500, title=page._("Something went wrong"),
                           message=page._("xieshang could not finish this; nothing more was "
                                          "changed. Error id: {id}.").format(id=error_id))
    except Exception:
        return Response(f"Something went wrong (error id {error_id}).", status_code=500,
                        media_type="text/plain")


def _foreign(request: Request, allowed: tuple[str, ...] | None) -> str | None:
    """Why a request from elsewhere is refused (None when it is not)."""
    if allowed is not None:
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]")[0]
        if name.lower() not in allowed:
            return "Host not allowed: xieshang answers only on this computer's own address."
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        if request.headers.get("sec-fetch-site", "") == "cross-site":
            return "Refused: the form came from another site."
        origin = request.headers.get("origin")
        if origin and origin != "null":
            from urllib.parse import urlsplit

            if urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
                return "Refused: the form came from another site."
    return None


def _secured(response: Response, https: bool = False) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if not response.headers.get("content-type", "").startswith(("text/css",
                                                                 "text/javascript",
                                                                 "application/javascript",
                                                                 "image/svg+xml")):
        # pages and downloads hold personal data: never kept in a shared browser's cache
        response.headers["Cache-Control"] = "no-store"
    if https:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _login_routes(app: FastAPI, password_hash: str,
                  signed_in: dict[str, list[float]],  # float-ok: monotonic seconds
                  failures: LockOut) -> None:
    """``/login`` and ``/logout`` (only when a password is set)."""

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        page = Page.of(request)
        return page.render("login.html", errors=page.errors())

    @app.post("/login")
    async def login(request: Request) -> Response:
        page = Page.of(request)
        form = await page.form()
        errors = page.errors()
        now = _monotonic()
        # counted per address, so one stranger cannot lock the owner out
        client = request.client.host if request.client else ""
        if failures.waiting(client, now):
            errors.add("password", page._("Too many wrong passwords; wait a minute and try "
                                          "again."))
        elif not check_password(form.get("password"), password_hash):
            failures.failed(client, now)
            errors.add("password", page._("That is not the password."))
        if errors:
            return page.render("login.html", status=422, errors=errors)
        failures.succeeded(client)
        for old, (started, last) in list(signed_in.items()):  # forget the ended ones
            if now - last > IDLE_SECONDS or now - started > ABSOLUTE_SECONDS:
                del signed_in[old]
        # a new session id at sign-in, so a planted cookie cannot be reused
        sid = secrets.token_urlsafe(24)
        signed_in[sid] = [now, now]
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict",
                            secure=True, path="/", max_age=ABSOLUTE_SECONDS)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        page = Page.of(request)
        await page.form()
        signed_in.pop(page.sid, None)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

