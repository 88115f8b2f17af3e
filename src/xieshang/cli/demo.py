"""``xieshang demo``: the built-in demo case, shown end to end."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from importlib import resources
from typing import Any

from xieshang.cli.calc import _today, load_preset
from xieshang.cli.output import Out
from xieshang.engine.money import money
from xieshang.engine.parsing import parse_count

__all__ = ["demo_debts", "run"]


def demo_debts(today: date) -> list[tuple[str, Any]]:
    """The demo's debts as (label, OverdueDebt), dated relative to ``today``."""
    from xieshang.engine.accrual import OverdueDebt

    text = resources.files("xieshang").joinpath("data", "demo.toml").read_text("utf-8")
    data = tomllib.loads(text)
    debts = []
    for item in data["debts"]:
        preset = load_preset(item["product"])
        days = parse_count(item["days_overdue"], "days_overdue", minimum=0)
        debt = OverdueDebt(
            preset=preset,
            principal=money(item["principal"]),
            due_date=today - timedelta(days=days),
            interest=money(item.get("interest", "0")),
            not_yet_due_principal=money(item.get("not_yet_due_principal", "0")),
            minimum_due=money(item["minimum_due"]) if "minimum_due" in item else None,
        )
        debts.append((str(item["label"]), debt))
    return debts


def run(lang: str | None, as_json: bool) -> None:
    """Print, for each demo debt: today's bill, cost per day, timeline and options."""
    from xieshang.cli import render
    from xieshang.cli.rulesdata import law
    from xieshang.engine.accrual import bill_on
    from xieshang.engine.arrangements import standard_options
    from xieshang.engine.timeline import timeline

    out = Out.make(lang, as_json)
    _ = out._
    today = _today()
    results = []
    for label, debt in demo_debts(today):
        bill = bill_on(debt, today)
        events = timeline(debt, today, law())
        options = standard_options(bill, debt.preset, today=today)
        results.append((label, debt, bill, events, options))
    if out.as_json:
        out.json({"as_of": today, "debts": [
            {"label": label, "product": debt.preset.id, "bill": render.bill_json(bill),
             "timeline": render.events_json(events),
             "options": [render.option_json(out, o) for o in options]}
            for label, debt, bill, events, options in results]})
        return
    out.print(_("xieshang demo: a made-up person with three overdue debts, seen on {date}.")
              .format(date=today.isoformat()),
              _("Estimates from the lender rules in the presets; check them against your own "
                "bill. Information, not legal or financial advice."), "")
    total = sum((bill.total for _l, _d, bill, _e, _o in results), money("0"))
    daily = sum((bill.daily_cost for _l, _d, bill, _e, _o in results), money("0"))
    for label, debt, bill, events, options in results:
        out.print(f"[bold]━━ {label} ━━[/bold]")
        out.print(render.bill_table(out, debt.preset, bill))
        out.print(render.timeline_table(out, events, today))
        out.print(render.options_table(out, options))
    out.print(_("All debts together: {total} due today; waiting one more day adds {daily}.")
              .format(total=out.money(total), daily=out.money(daily)))
