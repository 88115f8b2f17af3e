"""The web app factory and its pages.

Every figure on a page comes from the code the command line uses (``status_lines``, the plan
input and the strategy engine); the pages only lay it out. All text goes through gettext
with English msgids, and personal values are masked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from xieshang.cli.output import Out
from xieshang.engine.errors import N_, XieshangError

if TYPE_CHECKING:
    from xieshang.store.db import Store, Tx
    from xieshang.store.model import Case

__all__ = ["SECURITY_HEADERS", "STEPS", "create_app", "dashboard"]

HERE = Path(__file__).parent

#: The guide's eight steps, in order (msgids; the page translates them).
STEPS: tuple[str, ...] = (
    N_("Start"), N_("Debts"), N_("Consequences"), N_("Budget"), N_("Plan"),
    N_("Negotiate"), N_("Log & promises"), N_("Dossier"),
)

#: Headers sent with every response.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def create_app(store_opener: Callable[[], Store], *, read_only: bool = False,
               lang: str = "zh", today: Callable[[], date] | None = None) -> FastAPI:
    """The web app.

    Args:
        store_opener: returns an open store (opened per request, closed after it).
        read_only: open every transaction read-only (the pages only read for now).
        lang: the default language (``?lang=en`` switches per request).
        today: the clock (default: today in Asia/Shanghai, as the command line).

    Returns:
        The FastAPI application.
    """
    default_lang = Out.make(lang, False).lang
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"]))
    app = FastAPI(title="xieshang", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.read_only = read_only  # the forms to come refuse to write when set
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response

    def out_for(request: Request) -> Out:
        try:
            return Out.make(request.query_params.get("lang") or default_lang, False)
        except XieshangError:
            return Out.make(default_lang, False)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        out = out_for(request)
        day = today() if today is not None else _today()
        store = store_opener()
        try:
            with store.begin(readonly=True) as tx:
                page = dashboard(out, tx, day)
        finally:
            store.close()
        template = env.get_template("dashboard.html")
        return HTMLResponse(template.render(
            _=out._, lang=out.lang, other_lang="en" if out.lang == "zh" else "zh",
            steps=[out._(step) for step in STEPS], current_step=None, **page))

    return app


def _today() -> date:
    from xieshang.cli.session import today

    return today()


def dashboard(out: Out, tx: Tx, today: date) -> dict[str, Any]:
    """The figures of the "today" page, formatted for ``out``'s language.

    Returns a dict with ``case`` (None when there is no case yet), ``debts`` (one dict per
    open debt: name, overdue days, total, daily cost, next milestone), ``total``,
    ``daily_cost``, ``actions`` (this month's three most important payments) and
    ``plan_note`` (why there are no actions, when there are none).
    """
    from xieshang.cli.debt import status_lines
    from xieshang.cli.session import masked

    case = tx.current_case()
    if case is None:
        return {"case": None, "debts": [], "total": None, "daily_cost": None,
                "actions": [], "plan_note": None}
    lines = status_lines(out, tx, case.id, today)
    zero = Decimal("0.00")
    total = sum((line["total"] for line in lines), zero)
    daily = sum((line["daily_cost"] for line in lines), zero)
    debts = []
    for line in lines:
        event = line["next"]
        milestone = None
        if event is not None:
            milestone = {"on": event["on"].isoformat() if event["on"] else out._("date not known"),
                         "title": event["title"],
                         "amount": out.money(event["amount_due"])
                         if event["amount_due"] is not None else None}
        debts.append({"name": line["name"], "overdue": line["overdue"],
                      "days": line["days_overdue"], "total": out.money(line["total"]),
                      "daily": out.money(line["daily_cost"]), "next": milestone})
    actions, note = _month_actions(out, tx, case) if lines else ([], None)
    return {"case": {"id": case.id, "name": masked(out, "name", case.name)},
            "debts": debts, "total": out.money(total), "daily_cost": out.money(daily),
            "actions": actions, "plan_note": note}


def _month_actions(out: Out, tx: Tx, case: Case) -> tuple[list[dict[str, str]], str | None]:
    """This month's three most important payments (pro-rata plan), or why there are none."""
    from xieshang.cli.plan import _input as plan_input
    from xieshang.cli.plan_render import ACTION_KINDS
    from xieshang.engine.strategy import Strategy, make_plan, this_month
    from xieshang.i18n import translate_error

    try:
        given, names, _source = plan_input(out, tx, case, None, None, None, Strategy.PRO_RATA)
        actions = this_month(make_plan(given, Strategy.PRO_RATA))
    except XieshangError as error:
        return [], translate_error(error, out.lang)
    # Most important first: a payment not covered, then the earliest date, then the largest.
    ranked = sorted(actions, key=lambda a: (not a.unpaid, a.by, -a.amount))[:3]
    return [{"name": names.get(a.key, a.label), "amount": out.money(a.amount),
             "by": a.by.isoformat(),
             "why": out._(ACTION_KINDS.get(a.kind.value, a.kind.value)),
             "unpaid": out.money(a.unpaid) if a.unpaid else ""} for a in ranked], None
