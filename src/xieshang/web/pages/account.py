"""Unlocking encrypted personal fields for this server's lifetime (memory only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from xieshang.engine.errors import XieshangError
from xieshang.web.page import Page

__all__ = ["router"]

router = APIRouter()


def _next(target: str) -> str:
    """Only a path on this site (never another host)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/unlock")
async def unlock(request: Request) -> Response:
    page = Page.of(request)
    form = await page.form()
    errors = page.errors()
    passphrase = errors.required(form, "passphrase")
    if passphrase is not None:
        try:
            page.web.unlock(passphrase)
        except XieshangError as error:
            errors.add_error("passphrase", error)
    if errors:
        return page.render("unlock.html", status=422, errors=errors,
                           next=_next(form.get("next", "/")))
    return page.redirect(_next(form.get("next", "/")))


@router.post("/lock")
async def lock(request: Request) -> Response:
    page = Page.of(request)
    form = await page.form()
    page.web.lock()
    return page.redirect(_next(form.get("next", "/")))
