"""What every page shares: the request's language, the store, forms, errors and rendering.

A page handler does three things, always in this order::

    page = Page.of(request)
    form = await page.form()                 # CSRF checked here; 403 when it fails
    errors = page.errors()
    amount = errors.check("amount", lambda: parse_amount(form.get("amount")))
    if errors:                                # nothing is written
        return page.render("debt_form.html", step=2, status=422, form=form, errors=errors)
    with page.write() as tx:                  # one transaction
        ...
    return page.redirect("/debts")

Reading pages use ``with page.read() as tx``. Everything shown goes through ``page._`` (or
``_`` in a template); Traditional Chinese is the Simplified page converted with OpenCC.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from xieshang.engine.errors import N_, InputError, InputErrors, XieshangError
from xieshang.output import Output

if TYPE_CHECKING:
    from jinja2 import Environment
    from starlette.datastructures import UploadFile

    from xieshang.store.db import Store, Tx

__all__ = ["LANGS", "MAX_FORM_BYTES", "SESSION_SECONDS", "STEPS", "BodyLimit", "BodyTooLarge",
           "Errors", "Form", "Page", "Web", "gettable_path", "is_id", "known_lang",
           "support_lines"]

T = TypeVar("T")

#: The languages of the web pages: code → the name shown on the switch.
LANGS: dict[str, str] = {"zh": "简体", "zh-Hant": "繁體", "en": "English"}

#: The guide's eight steps, in order: (path, msgid).
STEPS: tuple[tuple[str, str], ...] = (
    ("/start", N_("Start")), ("/debts", N_("Debts")), ("/consequences", N_("Consequences")),
    ("/budget", N_("Budget")), ("/plan", N_("Plan")), ("/negotiate", N_("Negotiate")),
    ("/log", N_("Log & promises")), ("/dossier", N_("Dossier")),
)

#: The gettext of the page being rendered (templates' ``_``, also inside imported macros).
_GETTEXT: ContextVar[Callable[[str], str]] = ContextVar("xieshang_gettext")


def template_gettext(message: str) -> str:
    """``_`` in every template: the gettext of the page being rendered."""
    gettext = _GETTEXT.get(None)
    return message if gettext is None else gettext(message)


#: A command-line option name in a field label: " (--amount)", "（--amount）".
_OPTION_NAME = re.compile(r" ?[(（]--[a-z][a-z0-9-]*[)）]")

#: The parts of a page holding what the person typed: never converted.
_AS_TYPED = re.compile(r'(<textarea\b[^>]*>.*?</textarea>|\svalue="[^"]*")', re.DOTALL)

#: Form fields never trimmed.
_SECRET_FIELDS = frozenset({"password", "passphrase"})

LANG_COOKIE = "xs_lang"
SESSION_COOKIE = "xs_sid"
CSRF_FIELD = "_csrf"

#: How long the browser keeps the session cookie (and so its forms' CSRF token): seconds.
SESSION_SECONDS = 12 * 3600

#: The largest request body of a form without a file (bytes); a form with a file gives its
#: own limit to :meth:`Page.form`. Counted while the body arrives (:class:`BodyLimit`).
MAX_FORM_BYTES = 1024 * 1024

#: Where :meth:`Page.form` puts the limit of the request being read (in the ASGI scope).
_LIMIT_KEY = "xieshang.body_limit"


class BodyTooLarge(HTTPException):
    """A request body passed its limit while it arrived (413); nothing of it was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "too large")
        self.limit = limit


class BodyLimit:
    """ASGI middleware counting a request's body while it arrives: once it passes the
    limit of the form being read (:data:`MAX_FORM_BYTES` unless :meth:`Page.form` says
    otherwise) reading stops with :class:`BodyTooLarge`, before the rest is received or
    spooled to a temporary file — a chunked upload has no Content-Length to check first."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Any],
                       send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                limit = int(scope.get(_LIMIT_KEY, MAX_FORM_BYTES))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def case_digest(tx: Tx, case_id: int) -> str | None:
    """A digest of the case as it is now (None: it cannot be read whole), to tell whether
    it changed since."""
    from xieshang.services.undo import snapshot

    document = snapshot(tx, case_id)
    return None if document is None else hashlib.sha256(document.encode()).hexdigest()


@dataclass
class Web:
    """The app's shared state (one per app)."""

    env: Environment
    open_store: Callable[[], Store]
    read_only: bool
    default_lang: str
    secure_cookies: bool = False
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _store: Store | None = None
    #: the passphrase given on the unlock form (kept in memory only, never written)
    passphrase: str | None = None
    #: writes committed through the pages (part of the data version)
    writes: int = 0
    _cache: dict[Any, Any] = field(default_factory=dict)
    #: session → (what was done (msgid), the case's id, the case just before it, a digest
    #: of the case just after it): the one destructive change each session can undo (kept
    #: in memory only)
    undo: dict[str, tuple[str, int, str, str | None]] = field(default_factory=dict)

    def remember_undo(self, sid: str, what: str, case_id: int, document: str | None) -> None:
        """Keep the case as it was before ``what`` for ``sid`` (the last one only), with a
        digest of the case as ``what`` left it: undo puts the case back only while it is
        still so (a change made since, here or by the command line, would be lost)."""
        if document is None:
            return
        self.undo.pop(sid, None)
        while len(self.undo) >= 64:
            self.undo.pop(next(iter(self.undo)))
        with self.store.begin(readonly=True) as tx:
            after = case_digest(tx, case_id)
        self.undo[sid] = (what, case_id, document, after)

    def data_version(self) -> tuple[Any, ...] | None:
        """Changes whenever the data may have changed: our own writes, and for SQLite the
        database and write-ahead-log files (so a change made by the command line is seen).
        None when it cannot be told (another database): nothing is cached then."""
        path = self.store.sqlite_path
        if path is None:
            return None
        stamps: list[Any] = [self.writes, self.passphrase is not None]
        for file in (path, path.with_name(path.name + "-wal")):
            try:
                status = file.stat()
            except OSError:
                stamps.append(None)
            else:
                stamps.append((status.st_mtime_ns, status.st_size))
        return tuple(stamps)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()``, remembered until the data (or ``key``: include the day and the
        language) changes. Only for figures derived from the store."""
        version = self.data_version()
        if version is None:
            return compute()
        full = (key, version)
        if full in self._cache:
            return cast("T", self._cache[full])
        value = compute()
        if len(self._cache) >= 256:
            self._cache.clear()
        self._cache[full] = value
        return value

    @property
    def store(self) -> Store:
        """The store, opened on first use and kept for the app's lifetime."""
        if self._store is None:
            self._store = self.open_store()
            self._store.use_passphrase(lambda: self.passphrase)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def unlock(self, passphrase: str) -> None:
        """Try ``passphrase`` on the store's encrypted fields; InputError when it is wrong."""
        store = self.store
        self.passphrase = passphrase
        store.forget_passphrase()
        try:
            with store.begin(readonly=True) as tx:
                store.vault(tx, required=True)
        except XieshangError:
            self.passphrase = None
            store.forget_passphrase()
            raise

    def lock(self) -> None:
        self.passphrase = None
        self.store.forget_passphrase()

    def today(self) -> date:
        from xieshang.clock import today

        return today()

    def csrf_token(self, sid: str) -> str:
        return hmac.new(self.secret, b"csrf:" + sid.encode(), hashlib.sha256).hexdigest()


@dataclass
class Form:
    """A submitted form: text values (stripped) and uploaded files."""

    values: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def getlist(self, name: str) -> list[str]:
        return self.lists.get(name, [])

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def optional(self, name: str) -> str | None:
        """The value, or None when the field is empty or missing."""
        value = self.values.get(name, "")
        return value or None


class Errors:
    """Field → message, in the page's language. Falsy when there are none."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self.fields: dict[str, str] = {}
        #: field → its label on the form (read from the rendered form: see Page.render)
        self.labels: dict[str, str] = {}

    def named(self, name: str, label: str | None = None) -> str:
        """The message of ``name``, starting with its field's label when it does not name
        its field already ("Amount: this field is needed")."""
        message = self.fields.get(name, "")
        label = (label or self.labels.get(name) or "").strip()
        if not label or not message:
            return message
        head = message[:40]
        if message.startswith(label) or "：" in head or ": " in head:
            return message
        colon = ": " if self._page.out.lang == "en" else "："
        return f"{label}{colon}{message}"

    def __bool__(self) -> bool:
        return bool(self.fields)

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    def add(self, name: str, message: str) -> None:
        """Record a message (already translated) for ``name``; the first one stays."""
        self.fields.setdefault(name, message)

    def add_error(self, name: str, error: XieshangError) -> None:
        self.add(name, self._page.error_text(error))

    def check(self, name: str, parse: Callable[[], T]) -> T | None:
        """Run ``parse``; on a XieshangError record its message under ``name``, return None."""
        try:
            return parse()
        except XieshangError as error:
            self.add_error(name, error)
            return None

    def check_fields(self, parse: Callable[[], T]) -> T | None:
        """Run ``parse``; when it refuses what was typed, record each refused field under its
        own name (every one an :class:`~xieshang.engine.errors.InputErrors` names), return
        None."""
        try:
            return parse()
        except InputError as error:
            self.add_refused(error)
            return None

    def add_refused(self, error: InputError) -> None:
        """Record each field ``error`` refuses under its own name (every one an
        :class:`~xieshang.engine.errors.InputErrors` names)."""
        for each in error.errors if isinstance(error, InputErrors) else (error,):
            self.add_error(each.field, each)

    def required(self, form: Form, name: str) -> str | None:
        """The field's value, or a "this is needed" message when it is empty."""
        value = form.get(name)
        if not value:
            self.add(name, self._page._("this field is needed"))
            return None
        return value


class Page:
    """One request's view of the app."""

    def __init__(self, web: Web, request: Request) -> None:
        self.web = web
        self.request = request
        self.lang = _lang_of(request, web.default_lang)
        self.out = Output.make("en" if self.lang == "en" else "zh", False)
        self.sid = request.cookies.get(SESSION_COOKIE) or ""
        self._new_sid: str | None = None
        #: the read transaction open in :meth:`read` (blocks inside it share it)
        self._tx: Tx | None = None
        if not self.sid:
            self._new_sid = self.sid = secrets.token_urlsafe(24)

    @classmethod
    def of(cls, request: Request) -> Page:
        page: Page | None = getattr(request.state, "page", None)
        if page is None:
            page = cls(request.app.state.web, request)
            request.state.page = page
        return page

    # -- text ----------------------------------------------------------------------------

    @property
    def _(self) -> Callable[[str], str]:
        return self.out._

    def money(self, value: Any) -> str:
        return self.out.money(value)

    def error_text(self, error: XieshangError) -> str:
        """The error in the page's language, without the command line's option names
        ("amount (--amount): …" reads "amount: …" next to a form field)."""
        from xieshang.i18n import _FIELD_LABELS, translate_error

        field = getattr(error, "field", "")
        if field and field not in _FIELD_LABELS and not getattr(error, "source", ""):
            # an internal name ("due", "when"): the message sits next to its field anyway
            return error.render(self._(error.message))
        return _OPTION_NAME.sub("", translate_error(error, self.out.lang))

    @property
    def today(self) -> date:
        return self.web.today()

    def cached(self, name: str, compute: Callable[[], T], *key: Any) -> T:
        """``compute()`` remembered for this day and language until the data changes
        (see :meth:`Web.cached`); ``key`` adds what else the result depends on."""
        return self.web.cached((name, self.today, self.lang, *key), compute)

    # -- store ---------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read-only transaction; inside one already open for this request (a page that
        reads in one block and renders in it), that same one: one snapshot of the case, and
        what it read once is not read again (:class:`~xieshang.store.db.Tx`)."""
        from xieshang.services._memo import reading
        from xieshang.store.db import StoreUnavailable

        if self._tx is not None:
            yield self._tx
            return
        try:
            with self.web.store.begin(readonly=True) as tx, reading():
                self._tx = tx
                try:
                    yield tx
                finally:
                    self._tx = None
        except StoreUnavailable as error:
            raise self.unavailable(error) from None

    @contextmanager
    def _reading(self) -> Iterator[Tx]:
        """The request's open read transaction, or a new one (for the shared parts of
        every page; the store's errors are left to the caller)."""
        if self._tx is not None:
            yield self._tx
            return
        with self.web.store.begin(readonly=True) as tx:
            yield tx

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction (403 when the app is read-only). Rolled back on any error."""
        from xieshang.store.db import StoreUnavailable

        if self.web.read_only:
            raise HTTPException(403, self._("This copy of xieshang is read-only."))
        try:
            with self.web.store.begin() as tx:
                yield tx
        except StoreUnavailable as error:
            # not a form's error: a page of its own (503, or 507 for a full disk)
            raise self.unavailable(error) from None
        finally:
            self.web.writes += 1
            self.web._cache.clear()

    def unavailable(self, error: XieshangError) -> HTTPException:
        """The page for a store that cannot be used now (busy, disk full, I/O error)."""
        from xieshang.store.db import DiskFull

        return HTTPException(507 if isinstance(error, DiskFull) else 503,
                             self.error_text(error))

    # -- forms ---------------------------------------------------------------------------

    @property
    def csrf(self) -> str:
        return self.web.csrf_token(self.sid)

    async def form(self, limit: int = MAX_FORM_BYTES) -> Form:
        """The submitted form, after checking its CSRF token (403 when it is wrong).

        ``limit``: the largest body accepted, in bytes (a form with a file: the file's limit
        and room for the rest); :class:`BodyTooLarge` (413) as soon as more arrives."""
        self.request.scope[_LIMIT_KEY] = limit
        raw = await self.request.form()
        form = Form()
        for name, value in raw.multi_items():
            if isinstance(value, str):
                # secrets are taken as typed (a space can be part of a password)
                text = value if name in _SECRET_FIELDS else value.strip()
                form.lists.setdefault(name, []).append(text)
                form.values.setdefault(name, text)
            elif getattr(value, "filename", None):
                form.files[name] = value
        given = form.values.pop(CSRF_FIELD, "") or self.request.headers.get("X-CSRF-Token", "")
        form.lists.pop(CSRF_FIELD, None)
        if not self.sid or self._new_sid or not hmac.compare_digest(
                given.encode("utf-8", "replace"), self.csrf.encode("ascii")):
            raise HTTPException(403, self._("The form had expired or came from another site; "
                                            "nothing was saved. Reload the page and try again."))
        return form

    def errors(self) -> Errors:
        return Errors(self)

    # -- responses -----------------------------------------------------------------------

    def context(self) -> dict[str, Any]:
        """What every template sees."""
        _ = self._
        path = self.request.url.path
        return {
            "_": _, "lang": self.lang, "langs": LANGS, "path": path,
            "switch_path": gettable_path(self.request),
            "done": self._done(),
            "csrf_field": Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{self.csrf}">'),
            "csrf": self.csrf,
            "steps": [{"path": p, "title": _(t), "number": i}
                      for i, (p, t) in enumerate(STEPS, start=1)],
            "today": self.today.isoformat(),
            "money": self.money,
            "ask": self.ask,
            "locked": self._locked(),
            "needs_fixing": self._needs_fixing(),
            "read_only": self.web.read_only,
            "undo": _(self.web.undo[self.sid][0]) if self.sid in self.web.undo else None,
        }

    def _done(self) -> frozenset[int]:
        """The guide's steps whose facts are in (numbers of :data:`STEPS`): 1 the reason
        for falling behind, 2 and 3 a debt, 4 a budget, 5 both, 6 and 7 a contact with a
        lender, 8 all of the first four."""
        def compute() -> frozenset[int]:
            from xieshang.store.model import Budget, Contact, Debt, Hardship

            try:
                with self._reading() as tx:
                    case = tx.current_case()
                    if case is None:
                        return frozenset()
                    reason = tx.count(Hardship, case_id=case.id) > 0
                    debts = tx.count(Debt, case_id=case.id) > 0
                    budget = tx.count(Budget, case_id=case.id) > 0
                    contact = tx.count(Contact, case_id=case.id) > 0
            except XieshangError:
                return frozenset()
            done = {1} if reason else set()
            if debts:
                done |= {2, 3}
            if budget:
                done.add(4)
            if debts and budget:
                done.add(5)
            if contact:
                done |= {6, 7}
            if reason and debts and budget:
                done.add(8)
            return frozenset(done)

        return self.web.cached(("steps-done",), compute)

    def _needs_fixing(self) -> list[dict[str, Any]]:
        """The current case's open debts holding values out of bounds (saved by an older
        version): shown on every page, each with what is wrong; the figures leave them out."""
        from xieshang.present import debt_name
        from xieshang.services.debts import broken_debts

        try:
            with self._reading() as tx:
                case = tx.current_case()
                if case is None:
                    return []
                tx.preload(case.id)  # every debt's payments in one query, not one each
                return [{"id": debt.id, "name": debt_name(self.out, debt),
                         "problems": [self.error_text(error) for error in problems]}
                        for debt, problems in broken_debts(tx, case.id)]
        except XieshangError:
            return []

    def ask(self, slug: str) -> Markup:
        """A link to one of the "questions people ask" (its title in the page's language)."""
        from markupsafe import escape

        from xieshang.web.pages.questions import question_title

        title = question_title(slug, self.out.lang)
        return Markup(f'<a class="ask" href="/questions#q-{escape(slug)}">'
                      f'{escape(title)}</a>')

    def _locked(self) -> bool:
        """Encrypted personal fields exist and have not been unlocked yet."""
        store = self.web.store
        if store.unlocked:
            return False
        try:
            with self._reading() as tx:
                return tx.setting("crypto") is not None
        except XieshangError:
            return False

    def render(self, template: str, *, step: int | None = None, status: int = 200,
               **values: Any) -> HTMLResponse:
        """Render ``template`` with the shared context; ``step`` marks the guide's step."""
        context = self.context()
        context["current_step"] = step
        context.update(values)
        token = _GETTEXT.set(self._)
        try:
            html = self.web.env.get_template(template).render(context)
            shown = [value for value in values.values()
                     if isinstance(value, Errors) and value.fields and not value.labels]
            if shown:  # once more, each error starting with its field's label
                labels = {name: _label_text(text) for name, text in _LABEL.findall(html)}
                for errors in shown:
                    errors.labels = labels
                html = self.web.env.get_template(template).render(context)
        finally:
            _GETTEXT.reset(token)
        from xieshang.web.pages.glossary import link_terms

        if not self.request.url.path.startswith(("/questions", "/glossary")):
            # not on the glossary itself, nor on the questions (searched words are marked)
            html = link_terms(html, self.out.lang)
        response = HTMLResponse(self.convert(html), status_code=status)
        self.finish(response)
        return response

    def convert(self, text: str) -> str:
        """Simplified → Traditional when the page is in zh-Hant. What the person typed (form
        values and text areas) is left as typed, so saving a form never changes it."""
        if self.lang != "zh-Hant":
            return text
        from xieshang.documents.render import to_traditional

        parts = _AS_TYPED.split(text)
        return "".join(part if index % 2 else to_traditional(part)
                       for index, part in enumerate(parts))

    def redirect(self, url: str) -> Response:
        """After a successful POST: see the result (303), or tell htmx to go there."""
        if self.request.headers.get("HX-Request"):
            response: Response = Response(status_code=204, headers={"HX-Redirect": url})
        else:
            response = RedirectResponse(url, status_code=303)
        return self.finish(response)

    def download(self, body: bytes | str, filename: str, media_type: str) -> Response:
        """A file to save (``Content-Disposition: attachment``)."""
        from urllib.parse import quote

        data = body.encode("utf-8") if isinstance(body, str) else body
        ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
        disposition = (f"attachment; filename=\"{ascii_name}\"; "
                       f"filename*=UTF-8''{quote(filename)}")
        return self.finish(Response(data, media_type=media_type,
                                    headers={"Content-Disposition": disposition}))

    def finish(self, response: Response) -> Response:
        """Set the session and language cookies when they are new."""
        secure = self.web.secure_cookies
        if self._new_sid:
            response.set_cookie(SESSION_COOKIE, self._new_sid, httponly=True, samesite="strict",
                                secure=secure, path="/", max_age=SESSION_SECONDS)
        asked = self.request.query_params.get("lang")
        if asked and known_lang(asked) and self.request.cookies.get(LANG_COOKIE) != self.lang:
            response.set_cookie(LANG_COOKIE, self.lang, samesite="strict", secure=secure,
                                path="/", max_age=365 * 24 * 3600)
        return response


#: A form field's label on a rendered page: field name → its inner HTML.
_LABEL = re.compile(r'<label for="f-([A-Za-z0-9_-]+)">(.*?)</label>', re.DOTALL)


def _label_text(inner: str) -> str:
    """A label's words: without its "(required)" mark and tags."""
    inner = re.sub(r'<span class="req">.*?</span>', "", inner, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "", inner).strip()


def gettable_path(request: Request) -> str:
    """The address to ask again for the page shown (the language switch): the request's
    own path after a GET; after a form was sent, the nearest path above it that answers a
    GET (``/negotiate/3/offer`` → ``/negotiate/3``), so switching never asks a form's
    address with GET (405)."""
    from starlette.routing import Match

    path = request.url.path
    if request.method in {"GET", "HEAD"}:
        return path
    candidate = path
    while candidate not in {"", "/"}:
        scope = {"type": "http", "method": "GET", "path": candidate, "root_path": ""}
        for route in request.app.router.routes:
            matched, _child = route.matches(scope)
            if matched is Match.FULL:
                return candidate
        candidate = candidate.rsplit("/", 1)[0]
    return "/"


def support_lines(lang: str) -> list[dict[str, str]]:
    """The support lines of ``data/support.toml`` in ``lang`` (zh-Hant: converted with the
    page): number, name, text, source and its address."""
    key = "en" if lang == "en" else "zh"
    return [{"number": line["number"], "name": line[key], "text": line[f"{key}_text"],
             "source": line["source"], "url": line["url"]} for line in _support()]


@cache
def _support() -> tuple[dict[str, str], ...]:
    import tomllib
    from importlib import resources

    text = resources.files("xieshang").joinpath("data", "support.toml").read_text("utf-8")
    return tuple(tomllib.loads(text)["lines"])


def public_ref(ref: str, urls: Sequence[str] = ()) -> str:
    """A source as a person may see it: the sections of the person's own guide it names
    (``guide §5.2``, shipped as docs/guide.*.md) and the public sources of ``urls`` (a
    law's title, :func:`xieshang.engine.preset.public_sources`; web addresses are shown as
    links apart). The sections of our own reference files (a bare ``§3.2``, ``anchors.md
    …``) are not public sources and are left out. Also the templates' ``public_ref``
    filter (on a source's plain values: ``ref``, ``urls``)."""
    from xieshang.engine.preset import guide_sections, public_sources

    parts = []
    guide = guide_sections(ref)
    if guide:
        parts.append(template_gettext("the guide {sections}").format(
            sections=", ".join(guide)))
    parts.extend(text for text in public_sources(urls) if not text.startswith("http"))
    return " · ".join(parts)


def public_ref_of(source: Mapping[str, Any] | None) -> str:
    """:func:`public_ref` of a source's plain values (the templates' filter)."""
    if not source:
        return ""
    return public_ref(str(source.get("ref") or ""), list(source.get("urls") or ()))


def is_id(text: str) -> bool:
    """Whether ``text`` can be a record's id: ASCII digits, 1 to 2⁵³ ("²" and 10⁴⁰ are not;
    the same rule as :func:`xieshang.services.cases.parse_id`)."""
    from xieshang.engine.limits import MAX_ID

    return re.fullmatch(r"[0-9]{1,16}", text) is not None and 1 <= int(text) <= MAX_ID


def known_lang(text: str) -> str | None:
    """``zh``, ``zh-Hant`` or ``en`` for what a person or browser gives; None if unknown."""
    lowered = text.strip().lower().replace("_", "-")
    if lowered in {"zh-hant", "zh-tw", "zh-hk", "hant", "tw"}:
        return "zh-Hant"
    if lowered.startswith("zh") or lowered in {"cn", "hans"}:
        return "zh"
    if lowered.startswith("en"):
        return "en"
    return None


def _lang_of(request: Request, default: str) -> str:
    for text in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if text:
            found = known_lang(text)
            if found:
                return found
    return default


def choice(errors: Errors, form: Form, name: str, allowed: Mapping[str, str]) -> str | None:
    """A value that must be one of ``allowed`` (value → msgid of its label)."""
    value = form.get(name)
    if value in allowed:
        return value
    if not value:
        errors.add(name, errors._page._("this field is needed"))
    else:
        errors.add_error(name, InputError(name, N_("choose one of the listed options")))
    return None


def show_stale(page: Page, errors: Errors, labels: Mapping[str, str],
               saved: Mapping[str, str], sent: Mapping[str, str]) -> list[str]:
    """An edit form opened at an older version than the record's: name (under
    ``version``, at the top of the form) the fields whose saved value now differs from what
    was sent, in the form's order. ``labels`` maps each compared field to its label;
    ``saved`` is the form's values as stored now. Returns the names that differ."""
    changed = [name for name in labels
               if not _same_text(saved.get(name) or "", sent.get(name) or "")]
    if changed:
        errors.add("version", page._(
            "Changed since you opened it — here is what changed: {fields}. Nothing was "
            "saved: the form now shows the saved values; make your change again and "
            "save.").format(fields=(", " if page.out.lang == "en" else "、").join(
                labels[name] for name in changed)))
    else:
        errors.add("version", page._(
            "Changed since you opened it (in details this form does not show). Nothing "
            "was saved: the form now shows the saved values; make your change again and "
            "save."))
    return changed


def _same_text(first: str, second: str) -> bool:
    """Two form values say the same (``3000`` and ``3000.00`` do)."""
    from decimal import Decimal, InvalidOperation

    first, second = first.strip(), second.strip()
    if first == second:
        return True
    try:
        return Decimal(first.replace(",", "")) == Decimal(second.replace(",", ""))
    except (InvalidOperation, ValueError):
        return False
