"""Step 5, the plan: the strategies side by side, a chart of what is owed over time, "this
month" and the chosen strategy month by month.

The figures are those of ``xieshang plan`` and ``xieshang plan month``: the plan input is
:func:`xieshang.services.plan.plan_input` (as of the page's today), the plans
:func:`~xieshang.engine.strategy.compare_strategies`. The choice form is a GET form (nothing
is written); the optimal split, which takes a solver, is computed only when asked for.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from xieshang.engine.errors import N_, InputError, XieshangError
from xieshang.web.page import Errors, Form, Page, choice

if TYPE_CHECKING:
    from xieshang.engine.strategy import Plan, PlanInput

__all__ = ["DEFAULT_STRATEGY", "compared_plans", "owed_table", "router"]

router = APIRouter()

#: The strategy shown when none is chosen (as ``xieshang plan month`` and the dashboard).
DEFAULT_STRATEGY = "pro-rata"

#: What each strategy does, in plain words (msgids).

#: Separators people type between debt numbers (also the Chinese comma and 、).
_SEPARATORS = re.compile(r"[\s,，、;；]+")

#: Recently compared plans: (input, optimal) → plans (the engine is pure; a page reloaded
#: with the same case, day and choice costs nothing).
_CACHE: OrderedDict[tuple[str, bool], tuple[Plan, ...]] = OrderedDict()
_CACHE_SIZE = 4
_CACHE_LOCK = threading.Lock()


def compared_plans(plan_input: PlanInput, *, optimal: bool) -> tuple[Plan, ...]:
    """:func:`~xieshang.engine.strategy.compare_strategies` on ``plan_input`` (the optimal
    split only when ``optimal``), remembered for the last few inputs."""
    from xieshang.engine.strategy import compare_strategies

    key = (repr(plan_input), optimal)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    plans = compare_strategies(plan_input, optimal=optimal)
    with _CACHE_LOCK:
        _CACHE[key] = plans
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return plans


def chosen_plan(plan_input: PlanInput, strategy: Any, *, optimal: bool) -> Plan:
    """The plan of one strategy, as :func:`compared_plans` has it: from the plans compared
    last when they are remembered, else that strategy's plan alone (a rule-based plan does
    not depend on the others: a debt's months loaded on demand need not compute four)."""
    from xieshang.engine.strategy import Strategy, make_plan

    key = (repr(plan_input), optimal)
    with _CACHE_LOCK:
        remembered = _CACHE.get(key)
    if remembered is None and strategy is not Strategy.OPTIMAL:
        return make_plan(plan_input, strategy)
    plans = remembered if remembered is not None else compared_plans(plan_input,
                                                                       optimal=optimal)
    return next(p for p in plans if p.strategy is strategy)


def owed_table(plans: tuple[Plan, ...] | list[Plan]) -> list[tuple[Any, list[Decimal | None]]]:
    """Total owed after each month's payments, per plan (the chart's figures): one row per
    pay date, starting with today; a plan that has been repaid owes 0.00 from then on, one
    that stops at the horizon has no figure (``None``) after it."""
    from xieshang.services.plan import owed_series

    series = [owed_series(plan) for plan in plans]
    longest = max(series, key=len)
    rows: list[tuple[Any, list[Decimal | None]]] = []
    for index, (day, _value) in enumerate(longest):
        cells: list[Decimal | None] = []
        for plan, points in zip(plans, series, strict=True):
            if index < len(points):
                cells.append(points[index][1])
            else:
                cells.append(Decimal("0.00") if plan.totals.payoff_date is not None else None)
        rows.append((day, cells))
    return rows


#: Up to this many month rows in all, every debt's months are in the page; beyond it the
#: page sends the summary and each debt's months are loaded when asked for (htmx, or a
#: link without JavaScript): 20 debts over 36 months would be 720 rows (~750 KB).
INLINE_ROWS = 240


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request) -> HTMLResponse:
    """The plan: the comparison, this month, and the chosen strategy per debt."""
    return _plan_response(request)


@router.get("/plan/months/{key}", response_class=HTMLResponse)
def plan_months_page(request: Request, key: str) -> HTMLResponse:
    """One debt's months of the chosen plan (same query as ``/plan``): the table alone for
    htmx, a page of its own without JavaScript."""
    return _plan_response(request, months_of=key)


def _plan_response(request: Request, months_of: str | None = None) -> HTMLResponse:
    from xieshang.engine.strategy import Strategy
    from xieshang.present import debt_name, namer
    from xieshang.services.budget import budget_shares
    from xieshang.services.debts import open_debts
    from xieshang.services.plan import SHORT_NAMES, STRATEGIES, STRATEGY_NAMES
    from xieshang.services.plan import plan_input as plan_input_of

    page = Page.of(request)
    _ = page._
    form = Form(values={name: request.query_params.get(name, "").strip()
                        for name in ("strategy", "order", "budget", "optimal")})
    if not form.get("strategy"):
        form.values["strategy"] = DEFAULT_STRATEGY
    errors = page.errors()
    options = [(key, _("{name}: {description}").format(name=_(SHORT_NAMES[key]),
                                                       description=_(STRATEGY_NAMES[key])))
               for key in STRATEGIES]
    strategy = choice(errors, form, "strategy", {key: SHORT_NAMES[key] for key in STRATEGIES})
    budget_text = _budget(page, errors, form)
    optimal = form.get("optimal") in {"1", "on", "yes", "true"}
    values: dict[str, Any] = {"form": form.values, "errors": errors, "options": options,
                              "case": None, "plans": [], "state": None}
    with page.read() as tx:
        case = tx.current_case()
        if case is None:
            return page.render("plan.html", step=5, **values)
        values["case"] = {"id": case.id}
        debts = open_debts(tx, case.id)
        if not debts:
            values["state"] = "no-debts"
            return page.render("plan.html", step=5, **values)
        names = {str(debt.id): debt_name(page.out, debt) for debt in debts}
        values["debt_names"] = list(names.values())
        order_text = _order(page, errors, form, names, strategy)
        if errors or strategy is None:
            return page.render("plan.html", step=5, status=422, **values)
        try:
            plan_input, names, source = plan_input_of(
                namer(page.out), tx, case, budget_text, order_text, None, Strategy(strategy),
                today=page.today)
        except InputError as error:
            if error.field == "budget" and budget_text is None:
                values["state"] = "no-budget"
                return page.render("plan.html", step=5, **values)
            if error.field in ("budget", "order"):
                errors.add_error(error.field, error)
                return page.render("plan.html", step=5, status=422, **values)
            values.update(state="problem", problem=page.error_text(error))
            return page.render("plan.html", step=5, **values)
        except XieshangError as error:
            values.update(state="problem", problem=page.error_text(error))
            return page.render("plan.html", step=5, **values)
        shares = None
        if budget_text is not None:
            statement = _statement_amount(page, tx, case)
            values["statement"] = page.money(statement) if statement is not None else None
        else:
            shares = budget_shares(tx, case, plan_input.start)
    chosen = Strategy(strategy)
    try:
        if months_of is not None:  # one debt's months: the chosen plan alone
            plan = chosen_plan(plan_input, chosen,
                               optimal=optimal or chosen is Strategy.OPTIMAL)
            plans: tuple[Plan, ...] = (plan,)
        else:
            plans = compared_plans(plan_input, optimal=optimal or chosen is Strategy.OPTIMAL)
            plan = next(p for p in plans if p.strategy is chosen)
    except XieshangError as error:
        values.update(state="problem", problem=page.error_text(error))
        return page.render("plan.html", step=5, **values)
    wanted = {name: value for name, value in form.values.items() if value}
    query = urlencode(wanted)
    inline = months_of is None and len(plan.months) * len(plan.debts) <= INLINE_ROWS
    view = _plan_view(page, plans, plan, names, shares, inline=inline, query=query,
                      only=months_of)
    if months_of is not None:
        found = [d for d in view["detail"] if d["key"] == months_of]
        if not found:
            from fastapi import HTTPException

            raise HTTPException(404)
        if request.headers.get("HX-Request"):
            return page.render("plan_months_table.html", d=found[0])
        return page.render("plan_months.html", step=5, d=found[0], chosen=view["chosen"],
                           back="/plan?" + query + f"#months-{months_of}")
    values.update(view)
    values.update(state="plan", as_of=plan_input.start.isoformat(),
                  optimal_url="/plan?" + urlencode({**wanted, "optimal": "1"}),
                  budget=page.money(plan_input.monthly_budget), budget_source=_(source),
                  own_budget=budget_text is not None, optimal_shown=any(
                      p.strategy is Strategy.OPTIMAL for p in plans))
    return page.render("plan.html", step=5, **values)


def _budget(page: Page, errors: Errors, form: Form) -> str | None:
    """The monthly amount typed in (checked), or None to use the budget statement."""
    from xieshang.engine.money import parse_amount

    text = form.get("budget")
    if not text:
        return None
    amount = errors.check("budget", lambda: parse_amount(text, "budget"))
    if amount is None:
        return None
    if amount <= 0:
        errors.add_error("budget", InputError("budget", N_("must be more than 0 (got {value})"),
                                              value=text))
        return None
    return str(amount)


def _order(page: Page, errors: Errors, form: Form, names: dict[str, str],
           strategy: str | None) -> str | None:
    """The custom order as ``xieshang plan --order`` takes it (``2,1,3``), checked against
    the case's open debts; None when none is given."""
    text = form.get("order")
    keys = [part.lstrip("#") for part in _SEPARATORS.split(text) if part.strip("#")]
    if not keys:
        if strategy == "custom":
            errors.add("order", page._("give the order of the debts for your own order, e.g. "
                                       "{example}").format(example=",".join(reversed(names))))
        return None
    for key in keys:
        if key not in names:
            errors.add_error("order", InputError("order", N_("names a debt that is not in the "
                                                             "case: {key}"), key=key))
            return None
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            errors.add("order", page._("names debt {key} twice").format(key=key))
            return None
        seen.add(key)
    return ",".join(keys)


def _statement_amount(page: Page, tx: Any, case: Any) -> Decimal | None:
    """What the budget statement leaves for the debts each month (None without one)."""
    from xieshang.services.budget import budget_view

    try:
        view = budget_view(tx, case, "pro_rata", as_of=page.today)
    except XieshangError:
        return None
    return None if view is None else view.available


def _when(page: Page, plan: Plan) -> str:
    if plan.totals.payoff_date is not None:
        return plan.totals.payoff_date.isoformat()
    return page._("not within {months} months").format(months=plan.input.horizon_months)


def _plan_view(page: Page, plans: tuple[Plan, ...], plan: Plan, names: dict[str, str],
               shares: dict[int, Decimal] | None = None, *, inline: bool = True,
               query: str = "", only: str | None = None) -> dict[str, Any]:
    """The comparison, the chart and its table, this month and the chosen plan's detail.

    ``inline``: every debt's months in the page; otherwise each debt has the address of its
    months (``/plan/months/KEY?query``) and only the debt ``only`` gets its rows."""
    from xieshang.engine.strategy import Strategy, this_month
    from xieshang.present import plan_note
    from xieshang.services.plan import (
        ACTION_KINDS,
        FOR_THE_WEB,
        SHORT_NAMES,
        STRATEGY_HELP,
        STRATEGY_NAMES,
        share_notes,
    )

    _ = page._
    lowest = min(p.totals.interest + p.totals.penalty + p.totals.fees for p in plans)
    compared = []
    for each in plans:
        t = each.totals
        charges = t.interest + t.penalty + t.fees
        key = each.strategy.value
        compared.append({
            "key": key, "name": _(SHORT_NAMES[key]), "description": _(STRATEGY_NAMES[key]),
            "help": _(STRATEGY_HELP[key]), "when": _when(page, each),
            "months": t.months if t.payoff_date is not None else None,
            "paid": page.money(t.paid), "charges": page.money(charges),
            "months_overdue": t.months_overdue, "milestones": t.milestones_crossed,
            "left": page.money(t.unpaid_end), "chosen": each is plan,
            "lowest": charges == lowest,
            "notes": [plan_note(page.out, note) for note in each.notes],
        })
    actions = this_month(plan)
    share_lines = [_(FOR_THE_WEB.get(note.message, note.message)).format(
                       debt=names.get(note.key, note.key),
                       **{k: page.money(v) for k, v in note.amounts.items()})
                   for note in share_notes(actions, shares, plan.strategy)]
    zero = Decimal("0.00")
    month = [{"key": a.key, "name": names.get(a.key, a.label), "amount": page.money(a.amount),
              "by": a.by.isoformat(), "required": page.money(a.required),
              "unpaid": page.money(a.unpaid) if a.unpaid else "",
              "why": _(ACTION_KINDS.get(a.kind.value, a.kind.value))} for a in actions]
    month_total = sum((a.amount for a in actions), zero)
    keys = [d.key for d in plan.debts]
    detail = []
    for index, result in enumerate(plan.debts):
        # to the month it is repaid (later months are all zero)
        months = plan.months if result.payoff_month is None \
            else plan.months[:result.payoff_month + 1]
        if not inline and keys[index] != only:
            months = ()
        rows = [{"month": m.index + 1, "pay_date": m.pay_date.isoformat(),
                 "owed": page.money(m.debts[index].owed),
                 "required": page.money(m.debts[index].required),
                 "paid": page.money(m.debts[index].paid),
                 "charges": page.money(m.debts[index].charges),
                 "balance": page.money(m.debts[index].balance),
                 "unpaid": page.money(m.debts[index].unpaid) if m.debts[index].unpaid else ""}
                for m in months]
        detail.append({
            "key": keys[index], "name": names.get(result.key, result.label),
            "paid": page.money(result.paid),
            "charges": page.money(result.interest + result.penalty + result.fees),
            "when": result.payoff_date.isoformat() if result.payoff_date else "—",
            "months_overdue": result.months_overdue, "left": page.money(result.balance_end),
            "rows": rows if inline or keys[index] == only else None,
            "url": f"/plan/months/{keys[index]}" + (f"?{query}" if query else "")})
    t = plan.totals
    solver_note = None
    if plan.solver is not None and plan.solver.source is not Strategy.OPTIMAL:
        solver_note = _("No split the solver found was better than {strategy}; that plan is "
                        "shown.").format(strategy=_(SHORT_NAMES[plan.solver.source.value]))
    # one debt's months alone (``only``): no chart to draw
    table = owed_table(plans) if only is None else []
    return {
        "plans": compared,
        "chosen": {"key": plan.strategy.value, "name": _(SHORT_NAMES[plan.strategy.value]),
                   "description": _(STRATEGY_NAMES[plan.strategy.value]),
                   "when": _when(page, plan), "paid": page.money(t.paid),
                   "charges": page.money(t.interest + t.penalty + t.fees),
                   "months_overdue": t.months_overdue, "left": page.money(t.unpaid_end),
                   "notes": [plan_note(page.out, note) for note in plan.notes],
                   "solver_note": solver_note},
        "month": month, "month_total": page.money(month_total), "share_notes": share_lines,
        "month_unpaid": any(a.unpaid for a in actions),
        "detail": detail,
        "chart": _chart(page, plans) if only is None else "",
        "chart_names": [item["name"] for item in compared],
        "chart_rows": [{"on": day.isoformat(),
                        "cells": [page.money(v) if v is not None else "—" for v in cells]}
                       for day, cells in table],
    }


def _chart(page: Page, plans: tuple[Plan, ...]) -> str:
    """Total owed over time per strategy, labelled in the page's language when the charts
    can draw Chinese (in English otherwise)."""
    from xieshang.documents.charts import chart_lang, lines_svg
    from xieshang.i18n import gettext_for
    from xieshang.services.plan import SHORT_NAMES, owed_series

    lang = chart_lang(page.out.lang)
    _ = page._ if lang == page.out.lang else gettext_for(lang)
    return lines_svg("plan-chart", page._("Total owed over time"),
                     [(_(SHORT_NAMES[p.strategy.value]), owed_series(p)) for p in plans],
                     ylabel=_("Owed (yuan)"))
