"""``xieshang plan``: the repayment plan across all the case's debts.

Without ``--strategy`` the strategies are compared side by side; with one, its plan is shown
month by month. ``xieshang plan month`` says what to pay to whom this month, and by when.
The plan always starts from today with every payment recorded so far (the re-cast).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.casefile import case_option, session
from xieshang.cli.casefile import command_out as _out
from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.engine.errors import N_, InputError
from xieshang.i18n import gettext_for
from xieshang.present import namer, plan_note
from xieshang.services.cases import find_case

if TYPE_CHECKING:
    from decimal import Decimal

    from xieshang.engine.strategy import Plan
    from xieshang.output import Output

from xieshang.services.plan import (
    owed_series,
    parse_strategy,
    plan_input,
    plan_savings,
)


def _plan_options(function: Any) -> Any:
    function = click.option("--token", "token", is_flag=True, default=False,
                            help="每月给每家至少还一笔象征性还款（金额见预算规则）. Keep a token "
                            "payment to every creditor.")(function)
    function = click.option("--horizon", "horizon", default=None, metavar="MONTHS",
                            help="最多计算多少个月（默认 120）. The longest plan, in months.")(function)
    function = click.option("--order", "order", default=None, metavar="ID,ID,…",
                            help="custom 策略的顺序，债务编号逗号分隔. Debt ids in your order.")(function)
    return click.option("--budget", "budget", default=None,
                            help="每月可用于还债的金额（默认取收支表的可负担金额）. Monthly amount for the debts.")(function)


@app.group("plan", context_settings=CONTEXT, invoke_without_command=True)
@common_options
@case_option
@_plan_options
@click.option("--strategy", "strategy", default=None, metavar="NAME",
              help="avalanche | snowball | pro-rata | risk-first | custom | optimal（不填：比较全部）")
@click.option("--chart", "chart", default=None, type=click.Path(path_type=Path, dir_okay=False),
              help="把各策略的欠款总额曲线画到文件（.svg 或 .png）. Chart of total owed.")
@click.pass_context
def plan_app(ctx: click.Context, strategy: str | None, chart: Path | None,
             budget: str | None = None, order: str | None = None, horizon: str | None = None,
             case_id: str | None = None, lang: str | None = None, as_json: bool = False,
             token: bool = False) -> None:
    """还款计划：各种策略比较，或某个策略的逐月计划。The repayment plan across all debts."""
    if ctx.invoked_subcommand is not None:
        return
    from xieshang.engine.strategy import compare_strategies, make_plan

    out = _out(lang, as_json)
    name = parse_strategy(strategy) if strategy is not None else None
    if chart is not None and chart.suffix.lower() not in (".svg", ".png"):
        raise InputError("chart", N_("the chart file must end in .svg or .png (got {value})"),
                         value=chart.name)
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        given, names, source = plan_input(namer(out), tx, case, budget, order, horizon, name,
                                          token=token)
        # the savings the plan counts, as `plan month` says them
        savings = plan_savings(tx, case, given.start, given.horizon_months) \
            if budget is None else None
    plans = list(compare_strategies(given)) if name is None else [make_plan(given, name)]
    if chart is not None:
        _chart(out, plans, chart)
    if out.as_json:
        out.json({"as_of": given.start, "budget": given.monthly_budget,
                  "budget_source": source, "first_month_budget": given.budget_of(0),
                  "savings": _savings_json(savings),
                  "plans": [_plan_json(out, plan, names, months=name is not None)
                            for plan in plans]})
        return
    from xieshang.cli.plan_render import comparison, plan_detail
    from xieshang.present import savings_line

    _ = out._
    first, then = given.budget_of(0), given.budget_of(1)
    if first == then:
        out.print(_("Repayment plan for case {case} from {date}: {budget} a month ({source}).")
                  .format(case=case.id, date=given.start.isoformat(),
                          budget=out.money(first), source=_(source)))
    else:
        out.print(_("Repayment plan for case {case} from {date}: {first} this month, then "
                    "{budget} a month ({source}).").format(
            case=case.id, date=given.start.isoformat(), first=out.money(first),
            budget=out.money(then), source=_(source)))
    line = savings_line(out, savings, names)
    if line:
        out.print(line)
    if name is None:
        out.print(*comparison(out, plans))
    else:
        out.print(*plan_detail(out, plans[0], names))
    if chart is not None:
        out.print(_("Chart written to {file}.").format(file=str(chart)))
    out.print(_("Estimates from the lender rules in the presets; a plan is a way to use your "
                "money, not a promise from any lender."))


@plan_app.command("month", context_settings=CONTEXT)
@common_options
@case_option
@_plan_options
@click.option("--strategy", "strategy", default="pro-rata", show_default=True, metavar="NAME",
              help="avalanche | snowball | pro-rata | risk-first | custom | optimal")
def plan_month(strategy: str, budget: str | None = None, order: str | None = None,
               horizon: str | None = None, case_id: str | None = None,
               lang: str | None = None, as_json: bool = False, token: bool = False) -> None:
    """这个月：给谁还多少、最晚哪天。This month: what to pay to whom, by when."""
    from xieshang.engine.strategy import make_plan, this_month

    out = _out(lang, as_json)
    name = parse_strategy(strategy)
    from xieshang.services.budget import budget_shares
    from xieshang.services.plan import share_notes

    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        given, names, source = plan_input(namer(out), tx, case, budget, order, horizon, name,
                                          token=token)
        # the budget's shares, when the plan spends what the budget statement leaves
        shares = budget_shares(tx, case, given.start) if budget is None else None
        savings = plan_savings(tx, case, given.start, given.horizon_months) \
            if budget is None else None
    plan = make_plan(given, name)
    actions = this_month(plan)
    notes = share_notes(actions, shares, plan.strategy)
    if out.as_json:
        def share(key: str) -> Decimal | None:
            return shares.get(int(key)) if shares is not None and key.isdigit() else None

        out.json({"as_of": given.start, "strategy": plan.strategy,
                  "budget": given.budget_of(0), "budget_source": source,
                  "savings": None if savings is None else savings.of(0),
                  "savings_to": None if savings is None or savings.to is None
                  else str(savings.to),
                  "actions": [{"debt": a.key, "name": names.get(a.key, a.label),
                               "amount": a.amount, "by": a.by, "required": a.required,
                               "unpaid": a.unpaid, "kind": a.kind, "share": share(a.key)}
                              for a in actions],
                  "notes": [{"debt": n.key, "text": out._(n.message).format(
                      debt=names.get(n.key, n.key),
                      **{k: out.money(v) for k, v in n.amounts.items()})} for n in notes]})
        return
    from xieshang.cli.plan_render import month_table

    out.print(*month_table(out, plan, actions, names))
    from xieshang.present import savings_line

    line = savings_line(out, savings, names, month=0, budget=given.budget_of(0))
    if line and actions:
        out.print(line)
    for note in notes:
        out.print(out._(note.message).format(
            debt=names.get(note.key, note.key),
            **{k: out.money(v) for k, v in note.amounts.items()}))


def _savings_json(savings: Any) -> dict[str, Any] | None:
    """The savings the plan counts: per plan month (1: this month), their use and debt."""
    if savings is None:
        return None
    return {"use": savings.use, "to": None if savings.to is None else str(savings.to),
            "by_month": {str(month + 1): amount
                         for month, amount in sorted(savings.by_month.items())}}


def _plan_json(out: Output, plan: Plan, names: dict[str, str], *, months: bool) -> dict[str, Any]:
    totals = plan.totals
    data: dict[str, Any] = {
        "strategy": plan.strategy,
        "totals": {"paid": totals.paid, "principal": totals.principal,
                   "charges_before": totals.charges_before, "interest": totals.interest,
                   "penalty": totals.penalty, "fees": totals.fees, "cost": totals.cost,
                   "unpaid_end": totals.unpaid_end, "months": totals.months,
                   "payoff_date": totals.payoff_date, "months_overdue": totals.months_overdue,
                   "milestones_crossed": totals.milestones_crossed,
                   "unpaid_required": totals.unpaid_required},
        "debts": [{"debt": d.key, "name": names.get(d.key, d.label), "paid": d.paid,
                   "interest": d.interest, "penalty": d.penalty, "fees": d.fees,
                   "balance_end": d.balance_end, "payoff_date": d.payoff_date,
                   "months_overdue": d.months_overdue,
                   "milestones_crossed": list(d.milestones_crossed)} for d in plan.debts],
        "notes": [plan_note(out, note) for note in plan.notes],
    }
    if plan.solver is not None:
        data["solver"] = {"status": plan.solver.status, "model": plan.solver.model,
                          "source": plan.solver.source, "gap": plan.solver.gap,
                          "limit_hit": plan.solver.limit_hit,
                          "orders_searched": plan.solver.orders_searched}
    if months:
        data["months"] = [
            {"month": m.index + 1, "pay_date": m.pay_date, "budget": m.budget, "paid": m.paid,
             "debts": [{"debt": d.key, "paid": d.paid, "balance": d.balance,
                        "interest": d.interest, "penalty": d.penalty, "fees": d.fees,
                        "overdue": d.overdue, "unpaid": d.unpaid} for d in m.debts]}
            for m in plan.months]
    return data


def _chart(out: Output, plans: list[Plan], path: Path) -> None:
    """Total owed over time per strategy, as SVG or PNG (matplotlib, loaded only here)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from xieshang.documents.charts import font_family

    family = font_family()
    if family is not None:
        plt.rcParams["font.family"] = family
    # without a Chinese font the labels would be empty boxes: label the chart in English
    _ = out._ if family is not None else gettext_for("en")
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for plan in plans:
        series = owed_series(plan)
        days: list[Any] = [d for d, _v in series]
        axes.plot(days, [float(v) for _d, v in series],  # float-ok: plot
                  label=str(plan.strategy.value))
    axes.set_title(_("Total owed over time"))
    axes.set_ylabel(_("Owed (yuan)"))
    axes.grid(alpha=0.3)
    axes.legend()
    figure.autofmt_xdate()
    figure.tight_layout()
    try:
        figure.savefig(path, format=path.suffix.lower().lstrip("."))
    except OSError as error:
        raise InputError("chart", N_("cannot write {file}: {error}"), file=str(path),
                         error=str(error)) from None
    finally:
        plt.close(figure)
