"""Web form fuzz: random and malformed values posted to every form route of the web app
(read from the routers, so a new form is fuzzed without touching this file), through the
in-process client the tests use, with the CSRF token taken from the page as a browser
would. No answer may be a 500; a refused form (4xx) must leave the store as it was.

The fields of each form are read from the pages themselves (every ``<form method=post>``
of every page), so each post starts from what a browser would send and changes some of it.
"""

from __future__ import annotations

import html
import os
import random
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fuzz import NOW, Figures, Stopwatch, fingerprint
from fuzz.values import WEIRD_IDS, random_text, value

PASSWORD = "correct horse battery staple"
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_PARAM = re.compile(r"\{([a-z_]+)\}")


def routes() -> list[tuple[str, str]]:
    """(method, path) of every route of the pages, e.g. ("POST", "/debts/{ident}/edit")."""
    from importlib import import_module

    from xieshang.web.app import PAGES

    found = []
    for name in PAGES:
        for route in import_module(f"xieshang.web.pages.{name}").router.routes:
            for method in sorted(getattr(route, "methods", ()) or ()):
                if method in ("GET", "POST"):
                    found.append((method, route.path))
    return found


def forms(page: str) -> list[tuple[str, dict[str, list[str]]]]:
    """(action, {field: [values a browser could send]}) of every posted form of a page."""
    found = []
    for attributes, body in _FORM.findall(page):
        if 'method="post"' not in attributes.lower():
            continue
        action = re.search(r'action="([^"]*)"', attributes)
        fields: dict[str, list[str]] = {}
        for tag in re.findall(r"<input\b[^>]*>", body):
            name = re.search(r'name="([^"]+)"', tag)
            if name is None or name.group(1) == "_csrf":
                continue
            given = re.search(r'value="([^"]*)"', tag)
            fields.setdefault(name.group(1), []).append(
                html.unescape(given.group(1)) if given else "")
        for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>',
                                     body, re.S):
            fields.setdefault(name, []).append(html.unescape(text).strip("\n"))
        for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>',
                                        body, re.S):
            fields.setdefault(name, []).extend(
                html.unescape(v) for v in re.findall(r'<option value="([^"]*)"', options))
        found.append((html.unescape(action.group(1)) if action else "", fields))
    return found


def _matches(pattern: str, action: str) -> bool:
    regex = "^" + _PARAM.sub(r"[^/]+", re.escape(pattern).replace(r"\{", "{").replace(
        r"\}", "}")) + "$"
    return re.match(regex, action.split("#")[0].split("?")[0]) is not None


class Site:
    """The demo case, a client on it, and the forms read from its pages."""

    def __init__(self, root: Path, lang: str, mode: str = "local") -> None:
        """``mode``: ``local`` (as ``xieshang serve``), ``read-only``, or ``password`` (as
        served to other computers: HTTPS, signed in first; /login and /logout fuzzed too)."""
        from webclient import WebClient
        from xieshang.cli.serve import build_demo_store
        from xieshang.web.app import hash_password

        root.mkdir(parents=True, exist_ok=True)
        self.database = root / "xieshang.db"
        self.opener = build_demo_store(root)
        options: dict[str, Any] = {}
        if mode == "read-only":
            options["read_only"] = True
        if mode == "password":
            options.update(password_hash=hash_password(PASSWORD), https=True)
        self.client = WebClient(self.opener, lang=lang, **options)
        self.forms: dict[str, list[dict[str, list[str]]]] = {}
        self.gets = [path for method, path in routes() if method == "GET"]
        self.posts = [path for method, path in routes() if method == "POST"]
        self.mode = mode
        if mode == "password":
            self.sign_in()
            self.posts += ["/login", "/logout"]
            self.forms["/login"] = [{"password": [PASSWORD, "wrong", ""]}]
        from xieshang.paths import preset_dir
        from xieshang.rules import load_presets

        extra = [f"/debts/new?product={p}" for p in sorted(load_presets(preset_dir()))]
        for path in [*self.gets, *extra]:
            for concrete in self.concrete(path, random.Random(0), crawl=True):
                response = self.client.get(concrete)
                if response.status_code == 200 and "text/html" in response.headers.get(
                        "content-type", ""):
                    for action, fields in forms(response.text):
                        self.forms.setdefault(action or concrete, []).append(fields)

    def sign_in(self) -> None:
        self.client.get("/login")
        self.client.post("/login", {"password": PASSWORD})

    def concrete(self, path: str, rng: random.Random, *, crawl: bool = False) -> list[str]:
        """The path with its parameters filled: ids that exist (when crawling, each of
        them), or awkward ones."""
        names = _PARAM.findall(path)
        if not names:
            return [path]
        if crawl:
            choices = {"ident": ["1", "2", "3"], "debt_id": ["1", "2", "3"],
                       "kind": ["letter", "hardship", "script"], "slug": ["x"],
                       "token": ["0"], "status": ["kept"]}
            out = [path]
            for name in names:
                out = [p.replace("{" + name + "}", c) for p in out
                       for c in choices.get(name, ["1"])]
            return out
        filled = path
        for name in names:
            if name in ("ident", "debt_id"):
                pick = rng.choice(("1", "2", "3", "1", "2", "999", *WEIRD_IDS))
            elif name == "status":
                pick = rng.choice(("kept", "broken", "open", "", "²", "x" * 300))
            elif name == "token":
                pick = rng.choice(("0", "abc", "f" * 32, random_text(rng, 8)))
            else:
                pick = rng.choice(("letter", "hardship", "script", "x", "1"))
            filled = filled.replace("{" + name + "}", _quote(pick))
        return [filled]

    def fields_for(self, path: str) -> list[dict[str, list[str]]]:
        return [fields for action, many in self.forms.items() if _matches(path, action)
                for fields in many]

    def close(self) -> None:
        self.client.close()


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="") or "%20"


def _form(rng: random.Random, known: list[dict[str, list[str]]],
          every_name: list[str]) -> dict[str, Any]:
    """A form as a browser would send it, with some values changed, some dropped and some
    added."""
    if known:
        base = rng.choice(known)
    else:  # a form no page showed: names of other forms' fields
        base = {name: [""] for name in rng.sample(every_name, min(len(every_name), 12))}
    sent: dict[str, Any] = {}
    for name, values in base.items():
        roll = rng.random()
        if roll < 0.05:
            continue
        if roll < 0.40:
            sent[name] = value(rng, name)
        elif roll < 0.43:
            sent[name] = [value(rng, name), value(rng, name)]
        else:
            sent[name] = rng.choice(values) if values else ""
    for _ in range(rng.choice((0, 0, 0, 1, 3))):
        name = rng.choice(every_name) if every_name and rng.random() < 0.8 else \
            random_text(rng, 10)
        sent[name] = value(rng, name)
    return sent


def run_web(posts: int, root: Path, *, seed: int = 13, reset_every: int = 250) -> Figures:
    """``posts`` fuzzed form posts (and one GET of an awkward address for every ten)."""
    figures = Figures("Web form fuzz")
    rng = random.Random(seed)
    saved_env = dict(os.environ)
    os.environ.update(XIESHANG_NOW=NOW)
    for name in ("XIESHANG_LANG", "XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_HOME"):
        os.environ.pop(name, None)
    site: Site | None = None
    try:
        for index in range(posts):
            if index % reset_every == 0:
                if site is not None:
                    site.close()
                mode = rng.choice(("local", "local", "local", "read-only", "password"))
                figures.note(f"sites {mode}")
                site = Site(root / f"site{index}", rng.choice(("zh", "en", "zh-Hant")), mode)
                every_name = sorted({name for many in site.forms.values() for fields in many
                                     for name in fields})
                figures.notes["post routes"] = len(site.posts)
            assert site is not None
            figures.progress(250)
            path = rng.choice(site.posts)
            address = site.concrete(path, rng)[0]
            sent = _form(rng, site.fields_for(path), every_name)
            files = None
            if rng.random() < 0.1 or path.endswith(("/import", "/evidence")):
                files = {rng.choice(("file", "evidence", "x")): (
                    rng.choice(("bill.csv", "a.xlsx", "", "../../x", "证据.png")),
                    bytes(rng.randrange(256) for _ in range(rng.choice((0, 10, 3000)))),
                    "application/octet-stream")} if rng.random() < 0.9 else None
            csrf = rng.random() > 0.02
            _post(site, figures, path, address, sent, files, csrf, rng)
            if index % 10 == 0:
                _get(site, figures, rng)
    finally:
        if site is not None:
            site.close()
        os.environ.clear()
        os.environ.update(saved_env)
    return figures.done()


def _guarded(figures: Figures, shown: str, call: Callable[[], Any]) -> Any:
    watch = Stopwatch()
    figures.calls += 1
    try:
        response = call()
    except Exception:  # an exception out of the app is a 500
        figures.fail("http_500", shown, traceback.format_exc())
        return None
    watch.hang(figures, shown)
    figures.note(f"status {response.status_code}")
    if response.status_code >= 500:
        figures.fail("http_500", shown, response.text[-1500:])
    return response


def _post(site: Site, figures: Figures, path: str, address: str, sent: dict[str, Any],
          files: dict[str, Any] | None, csrf: bool, rng: random.Random) -> None:
    # a browser has the page with the form open first
    known = [a for a in site.forms if _matches(path, a)]
    site.client.get(rng.choice(known) if known else "/")
    before = fingerprint(site.database)
    shown = f"POST {address} {sent!r}"[:1500]
    response = _guarded(figures, shown, lambda: site.client.post(
        address, sent, files=files, csrf=csrf))
    if response is None:
        return
    if site.mode == "password" and (response.status_code == 401 or path == "/logout"):
        site.sign_in()  # signed out (or never signed in): as a person would, sign in again
    if 400 <= response.status_code < 500 and fingerprint(site.database) != before:
        figures.fail("partial_writes", shown, f"{response.status_code}")
    if response.status_code == 422 and "<form" not in response.text:
        figures.note(f"422 without a form ({path})")


def _get(site: Site, figures: Figures, rng: random.Random) -> None:
    path = rng.choice(site.gets)
    address = site.concrete(path, rng)[0]
    if rng.random() < 0.5:
        address += "?" + "&".join(f"{_quote(k)}={_quote(value(rng, k))}" for k in rng.sample(
            ("budget", "as_of", "order", "horizon", "strategy", "debt", "lang", "q", "x"),
            rng.randint(1, 3)))
    _guarded(figures, f"GET {address}", lambda: site.client.get(address))
