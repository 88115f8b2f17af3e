"""``xieshang demo``: the built-in demo case, built in a temporary store and shown end to end.

The case (``data/demo.toml``) is written to a store in a temporary folder that is deleted
afterwards; the person's own data folder is never touched.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

from xieshang.clock import today as _today
from xieshang.engine.errors import StateError
from xieshang.engine.money import money
from xieshang.engine.parsing import parse_count
from xieshang.output import Output
from xieshang.rules import load_preset

if TYPE_CHECKING:
    from xieshang.store.db import Tx
    from xieshang.store.model import Case

__all__ = ["build_case", "demo_data", "run"]


def demo_data() -> dict[str, Any]:
    """The demo case file's contents."""
    text = resources.files("xieshang").joinpath("data", "demo.toml").read_text("utf-8")
    return tomllib.loads(text)


def build_case(tx: Tx, today: date) -> Case:
    """Write the demo case into a store, dated relative to ``today``; returns the case."""
    from xieshang.store.model import Budget, BudgetEntry, Case, Debt, Hardship

    data = demo_data()
    case = tx.add(Case(name=str(data["person"]["name"])))
    tx.use_case(case.id)
    hardship = data["hardship"]
    tx.add(Hardship(case_id=case.id, reason=str(hardship["reason"]),
                    since=today - timedelta(days=int(hardship["since_days_ago"])),
                    description=str(hardship["description"])))
    for item in data["debts"]:
        preset = load_preset(item["product"])
        days = parse_count(item["days_overdue"], "days_overdue", minimum=0)
        tx.add(Debt(
            case_id=case.id, preset_id=preset.id, label=str(item["label"]),
            principal=money(item["principal"]), due_date=today - timedelta(days=days),
            interest=money(item.get("interest", "0")),
            not_yet_due=money(item.get("not_yet_due_principal", "0")),
            minimum=money(item["minimum_due"]) if "minimum_due" in item else None,
        ))
    plan = data["budget"]
    budget = tx.add(Budget(case_id=case.id, adults=int(plan["adults"]),
                           children_5_10=int(plan.get("children_5_10", 0)),
                           city_tier=str(plan["city_tier"])))
    tx.add_all([BudgetEntry(statement_id=budget.id, section=str(line["section"]),
                            category=str(line["category"]), amount=money(line["amount"]),
                            note=str(line.get("note", ""))) for line in plan["lines"]])
    return case


def run(lang: str | None, as_json: bool) -> None:
    """Build the demo case in a temporary store; print, for each debt, today's bill, cost
    per day, timeline and options, then the case's status and affordability statement."""
    import tempfile

    from xieshang.cli import render
    from xieshang.cli.budget import render_report
    from xieshang.cli.debt import status_table
    from xieshang.cli.plan_render import month_table
    from xieshang.engine.arrangements import standard_options
    from xieshang.engine.strategy import Strategy, make_plan, this_month
    from xieshang.engine.timeline import timeline
    from xieshang.present import namer
    from xieshang.present.views import budget_report, status_lines
    from xieshang.rules import law
    from xieshang.services.debts import current_bill
    from xieshang.services.plan import plan_input as plan_inputs
    from xieshang.store.db import open_store
    from xieshang.store.model import Debt

    out = Output.make(lang, as_json)
    _ = out._
    today = _today()
    with tempfile.TemporaryDirectory(prefix="xieshang-demo-") as folder, \
            open_store(data_dir=folder) as store:
        with store.begin() as tx:
            case = build_case(tx, today)
        with store.begin(readonly=True) as tx:
            results = []
            for debt in tx.find(Debt, case_id=case.id):
                bill, engine_debt = current_bill(tx, debt, today)
                if bill is None:
                    raise StateError("bill")
                if engine_debt is None:
                    raise StateError("engine_debt")
                events = timeline(engine_debt, today, law())
                options = standard_options(bill, engine_debt.preset, today=today)
                results.append((debt.label, engine_debt, bill, events, options))
            status = status_lines(out, tx, case.id, today)
            report = budget_report(out, tx, case, "pro_rata")
            plan_input, names, _source = plan_inputs(namer(out), tx, case, None, None, None,
                                                     Strategy.PRO_RATA)
    if report is None:
        raise StateError("report")
    month_plan = make_plan(plan_input, Strategy.PRO_RATA)
    actions = this_month(month_plan)
    if out.as_json:
        out.json({"as_of": today, "debts": [
            {"label": label, "product": debt.preset.id, "bill": render.bill_json(bill),
             "timeline": render.events_json(events),
             "options": [render.option_json(out, o) for o in options]}
            for label, debt, bill, events, options in results],
            "status": status, "budget": report,
            "this_month": [{"debt": a.key, "name": names.get(a.key, a.label),
                            "amount": a.amount, "by": a.by, "required": a.required,
                            "unpaid": a.unpaid, "kind": a.kind} for a in actions]})
        return
    out.print(_("xieshang demo: a made-up person with three overdue debts, seen on {date}.")
              .format(date=today.isoformat()),
              _("Estimates from the lender rules in the presets; check them against your own "
                "bill. Information, not legal or financial advice."), "")
    for label, debt, bill, events, options in results:
        out.print(f"[bold]━━ {label} ━━[/bold]")
        out.print(render.bill_table(out, debt.preset, bill))
        out.print(render.timeline_table(out, events, today))
        out.print(render.options_table(out, options))
    out.print("", "[bold]" + _("The case file") + "[/bold]")
    out.print(*status_table(out, status, today))
    out.print("")
    out.print(*render_report(out, report))
    out.print("")
    out.print(*month_table(out, month_plan, actions, names))
    out.print("", _("On your own case: `xieshang case new --name NAME`, then `debt add`, "
                    "`budget set`, `plan month`, `prepare`, `ladder` and `script --channel "
                    "phone` (see docs/cli.md)."))
