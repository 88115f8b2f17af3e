"""``xieshang plan``: the repayment plan across all the case's debts.

Without ``--strategy`` the strategies are compared side by side; with one, its plan is shown
month by month. ``xieshang plan month`` says what to pay to whom this month, and by when.
The plan always starts from today with every payment recorded so far (the re-cast).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.cli.session import case_option, debt_name, find_case, session
from xieshang.clock import today as session_today
from xieshang.engine.errors import N_, InputError
from xieshang.i18n import gettext_for

if TYPE_CHECKING:
    from xieshang.cli.output import Out
    from xieshang.engine.strategy import Plan, PlanInput
    from xieshang.store.db import Tx
    from xieshang.store.model import Case

STRATEGIES = ("avalanche", "snowball", "pro-rata", "risk-first", "custom", "optimal")


def _out(lang: str | None, as_json: bool) -> Out:
    from xieshang.cli.output import Out

    return Out.make(lang, as_json)


def _plan_options(function: Any) -> Any:
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
             case_id: str | None = None, lang: str | None = None, as_json: bool = False) -> None:
    """还款计划：各种策略比较，或某个策略的逐月计划。The repayment plan across all debts."""
    if ctx.invoked_subcommand is not None:
        return
    from xieshang.engine.strategy import compare_strategies, make_plan

    out = _out(lang, as_json)
    name = _strategy(strategy) if strategy is not None else None
    if chart is not None and chart.suffix.lower() not in (".svg", ".png"):
        raise InputError("chart", N_("the chart file must end in .svg or .png (got {value})"),
                         value=chart.name)
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        plan_input, names, source = _input(out, tx, case, budget, order, horizon, name)
    plans = list(compare_strategies(plan_input)) if name is None else [make_plan(plan_input, name)]
    if chart is not None:
        _chart(out, plans, chart)
    if out.as_json:
        out.json({"as_of": plan_input.start, "budget": plan_input.monthly_budget,
                  "budget_source": source,
                  "plans": [_plan_json(out, plan, names, months=name is not None)
                            for plan in plans]})
        return
    from xieshang.cli.plan_render import comparison, plan_detail

    _ = out._
    out.print(_("Repayment plan for case {case} from {date}: {budget} a month ({source}).")
              .format(case=case.id, date=plan_input.start.isoformat(),
                      budget=out.money(plan_input.monthly_budget), source=_(source)))
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
               lang: str | None = None, as_json: bool = False) -> None:
    """这个月：给谁还多少、最晚哪天。This month: what to pay to whom, by when."""
    from xieshang.engine.strategy import make_plan, this_month

    out = _out(lang, as_json)
    name = _strategy(strategy)
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        plan_input, names, source = _input(out, tx, case, budget, order, horizon, name)
    plan = make_plan(plan_input, name)
    actions = this_month(plan)
    if out.as_json:
        out.json({"as_of": plan_input.start, "strategy": plan.strategy,
                  "budget": plan_input.monthly_budget, "budget_source": source,
                  "actions": [{"debt": a.key, "name": names.get(a.key, a.label),
                               "amount": a.amount, "by": a.by, "required": a.required,
                               "unpaid": a.unpaid, "kind": a.kind} for a in actions]})
        return
    from xieshang.cli.plan_render import month_table

    out.print(*month_table(out, plan, actions, names))


# ----------------------------------------------------------------------------- inputs


def _strategy(text: str) -> Any:
    from xieshang.engine.strategy import Strategy

    key = text.strip().lower().replace("_", "-")
    if key not in STRATEGIES:
        raise InputError("strategy", N_("'{value}' is not a strategy; use one of {allowed}"),
                         value=text, allowed=", ".join(STRATEGIES))
    return Strategy(key)


def _input(out: Out, tx: Tx, case: Case, budget_text: str | None, order_text: str | None,
           horizon_text: str | None, strategy: Any, *,
           today: date | None = None) -> tuple[PlanInput, dict[str, str], str]:
    """The plan input from the case file: its open debts, the budget and the order
    (as of ``today``; default: the command line's clock)."""
    from xieshang.cli.budget import budget_report
    from xieshang.cli.debt import balance_of, current_bill
    from xieshang.cli.rulesdata import law
    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_count
    from xieshang.engine.strategy import Minimum, PlanDebt, plan_input_from_case
    from xieshang.store.model import Debt

    day = today if today is not None else session_today()
    debts = tx.find(Debt, case_id=case.id, status=("open", "arrangement"))
    if not debts:
        raise InputError("debt", N_("the case has no open debts: add one with "
                                    "`xieshang debt add`"))
    names = {str(debt.id): debt_name(out, debt) for debt in debts}
    if budget_text is not None:
        amount = parse_amount(budget_text, "budget")
        source = N_("the amount you gave")
    else:
        report = budget_report(out, tx, case, "pro_rata", as_of=day)
        if report is None:
            raise InputError("budget", N_("give --budget, or fill in the budget statement "
                                          "first (`xieshang budget set`)"))
        amount = report["affordability"]["available"]
        source = N_("what the budget statement leaves for debts")
    overdue: dict[str, Any] = {}
    current: list[Any] = []
    minimums: dict[str, Any] = {}
    arrangements: dict[str, Any] = {}
    for debt in debts:
        key = str(debt.id)
        bill, engine_debt = current_bill(tx, debt, day)
        if engine_debt is not None:
            overdue[key] = engine_debt
            agreed = _arrangement(tx, debt)
            if agreed is not None:
                arrangements[key] = (agreed, 0)
            continue
        rate = _annual_rate(debt)
        if rate is None:
            raise InputError("annual_rate", N_("debt #{debt} has no interest rate: set it with "
                                               "`xieshang debt edit {debt} --annual-rate R`"),
                             debt=debt.id)
        current.append(PlanDebt(key=key, label=names[key], balance=balance_of(tx, debt, day),
                                annual_rate=rate,
                                minimum=Minimum(amount=debt.minimum) if debt.minimum else None))
        del bill
    if debts and any(d.minimum for d in debts if str(d.id) in overdue):
        minimums = {str(d.id): Minimum(amount=d.minimum) for d in debts
                    if str(d.id) in overdue and d.minimum}
    order: list[str] = []
    if order_text:
        order = [part.strip().lstrip("#") for part in order_text.split(",") if part.strip()]
        unknown = [key for key in order if key not in names]
        if unknown:
            raise InputError("order", N_("names a debt that is not in the case: {key}"),
                             key=unknown[0])
    elif strategy is not None and strategy.value == "custom":
        raise InputError("order", N_("the custom strategy needs --order, e.g. --order 2,1,3"))
    horizon = parse_count(horizon_text, "horizon", minimum=1, maximum=600) if horizon_text else 120
    plan_input = plan_input_from_case(overdue, amount, day, law=law(), labels=names,
                                      current=current, arrangements=arrangements,
                                      minimums=minimums, order=order,
                                      horizon_months=horizon)
    return plan_input, names, source


def _arrangement(tx: Tx, debt: Any) -> Any:
    """The arrangement of a debt under one: its latest accepted proposal rebuilt with
    ``arrangements.evaluate`` on the debt's bill of the day it was accepted (``None`` when the
    debt is not under an arrangement or the proposal holds no schedule)."""
    from xieshang.cli.debt import current_bill
    from xieshang.cli.negotiate import arrangement_proposal
    from xieshang.cli.session import preset_of
    from xieshang.engine.arrangements import evaluate
    from xieshang.engine.bill import Bill
    from xieshang.engine.strategy import arrangement_from_schedule
    from xieshang.store.model import Proposal

    if debt.status != "arrangement":
        return None
    accepted = [p for p in tx.find(Proposal, debt_id=debt.id, status="accepted")
                if "arrangement" in p.params]
    if not accepted:
        return None
    proposal = max(accepted, key=lambda p: (p.decided_on or p.created_on, p.id))
    day = proposal.created_on
    bill, _engine = current_bill(tx, debt, day)
    if bill is None:
        bill = Bill(as_of=day, principal=debt.principal, interest=debt.interest,
                    penalty=debt.penalty, fees=debt.fees)
    evaluation = evaluate(bill, preset_of(debt),
                          arrangement_proposal(proposal.params["arrangement"]), today=day)
    return arrangement_from_schedule(evaluation.schedule,
                                     down_payment=evaluation.down_payment, down_payment_on=day)


def _annual_rate(debt: Any) -> Decimal | None:
    from xieshang.cli.session import preset_of

    if debt.contract_rate is not None:
        if debt.contract_rate_basis == "daily":
            return Decimal(debt.contract_rate) * 365
        return Decimal(debt.contract_rate)
    preset = preset_of(debt)
    if preset.contract_daily_rate is not None:
        return preset.contract_daily_rate * preset.day_basis.days
    if preset.penalty.daily_rate is not None:
        return preset.penalty.daily_rate * preset.day_basis.days
    return None


# ------------------------------------------------------------------------------- output


def _plan_json(out: Out, plan: Plan, names: dict[str, str], *, months: bool) -> dict[str, Any]:
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
        "notes": [out._(note.message).format(**note.params) for note in plan.notes],
    }
    if plan.solver is not None:
        data["solver"] = {"status": plan.solver.status, "model": plan.solver.model,
                          "source": plan.solver.source, "gap": plan.solver.gap}
    if months:
        data["months"] = [
            {"month": m.index + 1, "pay_date": m.pay_date, "budget": m.budget, "paid": m.paid,
             "debts": [{"debt": d.key, "paid": d.paid, "balance": d.balance,
                        "interest": d.interest, "penalty": d.penalty, "fees": d.fees,
                        "overdue": d.overdue, "unpaid": d.unpaid} for d in m.debts]}
            for m in plan.months]
    return data


def owed_series(plan: Plan) -> list[tuple[date, Decimal]]:
    """Total owed after each month's payments, starting with what is owed today."""
    start = sum((d.principal + d.charges_before for d in plan.debts), Decimal("0.00"))
    series = [(plan.input.start, start)]
    for month in plan.months:
        series.append((month.pay_date, sum((d.balance for d in month.debts), Decimal("0.00"))))
    return series


def _chart(out: Out, plans: list[Plan], path: Path) -> None:
    """Total owed over time per strategy, as SVG or PNG (matplotlib, loaded only here)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from xieshang.web.charts import font_family

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
