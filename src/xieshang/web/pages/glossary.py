"""The glossary (``data/glossary.toml``): a page of terms, each with its public source, and
the inline links: the first time a term appears in a page's main text it links to its entry.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from xieshang.web.page import Page

__all__ = ["link_terms", "router", "terms"]

router = APIRouter()


@cache
def terms() -> tuple[dict[str, Any], ...]:
    """The glossary's entries, in the file's order."""
    import tomllib
    from importlib import resources

    text = resources.files("xieshang").joinpath("data", "glossary.toml").read_text("utf-8")
    return tuple(tomllib.loads(text)["terms"])


@cache
def _pattern(lang: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern of every linked form (longest first) and form → entry id."""
    key = "en_forms" if lang == "en" else "zh_forms"
    forms: dict[str, str] = {}
    for entry in terms():
        for form in entry[key]:
            forms.setdefault(form.lower(), entry["id"])
    ordered = sorted(forms, key=len, reverse=True) or ["\uffff"]
    if lang == "en":
        body = r"\b(" + "|".join(re.escape(f) for f in ordered) + r")\b"
        return re.compile(body, re.IGNORECASE), forms
    return re.compile("(" + "|".join(re.escape(f) for f in ordered) + ")"), forms


#: Elements whose text is never linked (already a link, a control, a heading, copied text).
_SKIP = frozenset({"a", "button", "label", "option", "select", "textarea", "script", "style",
                   "title", "h1", "h2", "h3", "h4", "summary", "legend", "pre", "code", "svg",
                   "th", "dt", "nav", "header", "footer", "head", "strong", "b", "em",
                   "td", "caption", "span", "time"})
_TAG = re.compile(r"(<[^>]*>)")
_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col"})


def link_terms(html: str, lang: str) -> str:
    """``html`` with the first occurrence of each glossary term inside ``<main>`` linked to
    its entry (text in links, controls, headings and copied blocks left alone)."""
    start = html.find("<main")
    end = html.rfind("</main>")
    if start < 0 or end < 0:
        return html
    pattern, forms = _pattern("en" if lang == "en" else "zh")
    seen: set[str] = set()
    skipping: list[str] = []
    parts = _TAG.split(html[start:end])
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            match = _NAME.match(part)
            if match is None or part.startswith("<!") or part.endswith("/>"):
                continue
            closing, name = match[1], match[2].lower()
            if name in _VOID:
                continue
            if closing:
                if skipping and skipping[-1] == name:
                    skipping.pop()
            elif skipping or name in _SKIP:
                skipping.append(name)
            continue
        if skipping or not part.strip():
            continue

        def replace(found: re.Match[str]) -> str:
            ident = forms[found[0].lower()]
            if ident in seen:
                return found[0]
            seen.add(ident)
            return (f'<a class="term" href="/glossary#term-{ident}">{found[0]}</a>')

        parts[index] = pattern.sub(replace, part)
    return html[:start] + "".join(parts) + html[end:]


@router.get("/glossary", response_class=HTMLResponse)
def glossary(request: Request) -> HTMLResponse:
    page = Page.of(request)
    lang = "en" if page.out.lang == "en" else "zh"
    entries = [{"id": e["id"], "term": e[lang], "text": e[f"{lang}_text"],
                "source": e["source"], "url": e.get("url", ""),
                "secondary": e.get("confidence") == "secondary"} for e in terms()]
    return page.render("glossary.html", entries=entries, escape=escape)
