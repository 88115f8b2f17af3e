"""``xieshang budget …``: the income and spending statement, what can be afforded each
month and its split across the debts, and importing a payment app's statement."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.casefile import case_option, session
from xieshang.cli.casefile import command_out as _out
from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.engine.errors import N_, InputError, StateError
from xieshang.services.cases import find_case

if TYPE_CHECKING:

    from xieshang.output import Output

from xieshang.present.views import budget_report
from xieshang.services.budget import (
    OUTCOMES,
    SECTIONS,
    current_budget,
    household_count,
    imported_lines,
    map_category,
    norms,
    parse_budget_line,
    parse_income_changes,
    parse_savings_debt,
    parse_savings_use,
    recovery_date,
    save_import,
    set_line,
    set_situation,
)


@app.group("budget", context_settings=CONTEXT,
           help="收支表：家庭情况、每月收入和支出、每月能还多少、如何分给各笔债务。\n\n"
                "Budget: household, monthly income and spending, what you can afford and its "
                "split across the debts.")
def budget_app() -> None:
    """The budget commands."""


@budget_app.command("set")
@common_options
@case_option
@click.option("--adults", "adults", default=None, help="家中成年人数（含本人）. Adults, you included.")
@click.option("--children-0-4", "children_0_4", default=None, help="0–4 岁孩子数. Children aged 0–4.")
@click.option("--children-5-10", "children_5_10", default=None, help="5–10 岁孩子数. Children aged 5–10.")
@click.option("--children-11-17", "children_11_17", default=None, help="11–17 岁孩子数. Children aged 11–17.")
@click.option("--dependants", "dependants", default=None, help="同住的被抚养成年人数（如老人）. Adult dependants living with you.")
@click.option("--city-tier", "city_tier", default=None, help="tier1 | tier2 | tier3 | county | rural")
@click.option("--buffer", "buffer", default=None, help="每月应急备用金（auto = 按规则计算）. Monthly emergency buffer, or auto.")
@click.option("--income", "income", multiple=True, metavar="CAT=AMOUNT", help="收入，如 wages=8000（可重复）. An income line.")
@click.option("--priority", "priority", multiple=True, metavar="CAT=AMOUNT", help="优先支出，如 rent=2500. A priority obligation.")
@click.option("--fixed", "fixed", multiple=True, metavar="CAT=AMOUNT", help="固定支出，如 transport=300. A fixed cost.")
@click.option("--flexible", "flexible", multiple=True, metavar="CAT=AMOUNT", help="弹性支出，如 food=1500. A flexible cost.")
@click.option("--remove", "remove", multiple=True, metavar="CAT", help="删除某一类别的行. Remove a category's line.")
@click.option("--savings", "savings", default=None, metavar="AMOUNT", help="可用于还款的存款或一笔钱（0 = 没有）. Savings or a lump sum you can use (0: none).")
@click.option("--savings-on", "savings_on", default=None, metavar="DATE", help="这笔钱哪天能用 YYYY-MM-DD（now = 现在）. The day it is available (now: today).")
@click.option("--savings-use", "savings_use", default=None, metavar="USE", help="settlement（一次性结清，请求减免）| months（补前几个月）. A settlement, or the first months.")
@click.option("--savings-to", "savings_to", default=None, metavar="DEBT", help="这笔钱还哪笔债：债务编号如 4，或 spread（按各笔欠款比例分摊，默认）. The debt the savings go to (its number), or spread (over all the debts, the default).")
@click.option("--no-income-until", "no_income_until", default=None, metavar="DATE", help="在这一天之前没有收入 YYYY-MM-DD（recovery = 困难情况里的预计恢复日；none = 取消）. No income before this day.")
@click.option("--income-change", "income_change", multiple=True, metavar="DATE=AMOUNT", help="从某天起每月收入变为，如 2027-03-01=3000（=none 删除；可重复）. Monthly income from a date.")
def budget_set(adults: str | None, children_0_4: str | None, children_5_10: str | None,
               children_11_17: str | None, dependants: str | None, city_tier: str | None,
               buffer: str | None, income: tuple[str, ...], priority: tuple[str, ...],
               fixed: tuple[str, ...], flexible: tuple[str, ...], remove: tuple[str, ...],
               savings: str | None = None, savings_on: str | None = None,
               savings_use: str | None = None, no_income_until: str | None = None,
               income_change: tuple[str, ...] = (), savings_to: str | None = None,
               case_id: str | None = None, lang: str | None = None,
               as_json: bool = False) -> None:
    """填写收支表：家庭情况和每月各项金额 (fill in the budget: household and monthly lines)."""
    from dataclasses import replace

    from xieshang.engine.budget import Household
    from xieshang.engine.money import parse_amount
    from xieshang.store.model import BudgetEntry

    out = _out(lang, as_json)
    rules = norms()
    household: dict[str, Any] = {}
    for name, text, minimum in (("adults", adults, 1), ("children_0_4", children_0_4, 0),
                                ("children_5_10", children_5_10, 0),
                                ("children_11_17", children_11_17, 0),
                                ("dependants", dependants, 0)):
        value = household_count(text, name, minimum)
        if value is not None:
            household[name] = value
    if city_tier is not None:
        household["city_tier"] = rules.tier(city_tier.strip().lower()).id
    changes: dict[str, Any] = dict(household)
    if buffer is not None:
        changes["buffer"] = None if buffer.strip().lower() == "auto" \
            else parse_amount(buffer, "buffer")
    lines: list[tuple[str, str, Decimal, str]] = []
    for section, items in (("income", income), ("priority", priority), ("fixed", fixed),
                           ("flexible", flexible)):
        for item in items:
            category, amount, note = parse_budget_line(item, section)
            known = rules.category(category)
            if known.section.value != section:
                raise InputError(section, N_("{category} is in the {expected} section: use "
                                             "--{expected} {category}=AMOUNT"),
                                 category=category, expected=known.section.value)
            lines.append((section, category, amount, note))
    removals = [rules.category(item.strip().lower()) for item in remove]
    situation, dated, wants_recovery = _situation_options(savings, savings_on, savings_use,
                                                          no_income_until, income_change)
    if not changes and not lines and not removals and not situation and not dated \
            and not wants_recovery and savings_to is None:
        raise InputError("budget", N_("nothing to set: give at least one option (see "
                                      "`xieshang budget set --help`)"))
    with session(out) as tx:
        case = find_case(tx, case_id)
        budget = current_budget(tx, case, create=True)
        if budget is None:
            raise StateError("budget")
        if changes:
            budget = replace(budget, **changes)
            Household(**{k: getattr(budget, k) for k in ("adults", "children_0_4",
                                                         "children_5_10", "children_11_17",
                                                         "dependants", "city_tier")})
            budget = tx.update(budget)
        for section, category, amount, note in lines:
            set_line(tx, budget, section, category, amount, note)
        for removed in removals:
            for entry in tx.find(BudgetEntry, statement_id=budget.id, category=removed.id):
                tx.delete(BudgetEntry, entry.id)
        if wants_recovery:
            situation["no_income_until"] = recovery_date(tx, case)
        if savings_to is not None:
            situation["savings_debt_id"] = parse_savings_debt(tx, case, savings_to)
        if situation or dated:
            budget = set_situation(tx, budget, situation, dated)
        count = tx.count(BudgetEntry, statement_id=budget.id)
    if out.as_json:
        out.json({"budget": budget.id, "lines": count})
        return
    out.print(out._("Budget saved ({count} lines). See it with `xieshang budget show`.")
              .format(count=count))


def _situation_options(savings: str | None, savings_on: str | None, savings_use: str | None,
                       no_income_until: str | None, income_change: tuple[str, ...],
                       ) -> tuple[dict[str, Any], dict[Any, Decimal | None], bool]:
    """The situation options read: (field changes, dated incomes, "until the recovery
    date" asked)."""
    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_date

    changes: dict[str, Any] = {}
    if savings is not None:
        amount = parse_amount(savings, "savings")
        changes["savings"] = amount or None
    if savings_on is not None:
        changes["savings_on"] = None if savings_on.strip().lower() in ("now", "none") \
            else parse_date(savings_on, "savings_on")
    if savings_use is not None:
        changes["savings_use"] = parse_savings_use(savings_use)
    wants_recovery = False
    if no_income_until is not None:
        key = no_income_until.strip().lower()
        if key == "recovery":
            wants_recovery = True
        else:
            changes["no_income_until"] = None if key == "none" \
                else parse_date(no_income_until, "no_income_until")
    dated: dict[Any, Decimal | None] = dict(parse_income_changes(income_change))
    return changes, dated, wants_recovery


def render_situation(out: Output, situation: dict[str, Any]) -> list[Any]:
    """The situation part of the report: savings, income changes, the months ahead."""
    _ = out._
    items: list[Any] = []
    if situation["savings"]:
        use = _("towards a lump-sum settlement") if situation["savings_use"] == "settlement" \
            else _("to fund the first months")
        when = situation["savings_on"].isoformat() if situation["savings_on"] else _("now")
        items.append(_("Savings: {amount}, available {when}, {use}.").format(
            amount=out.money(situation["savings"]), when=when, use=use))
        items.extend(savings_to_lines(out, situation))
    if situation["no_income_until"]:
        items.append(_("No income until {date}.").format(
            date=situation["no_income_until"].isoformat()))
    for change in situation["income_changes"]:
        items.append(_("From {date}: monthly income {amount}.").format(
            date=change["on"].isoformat(), amount=out.money(change["monthly"])))
    if situation["recovery"] and not situation["no_income_until"]:
        items.append(_("Your hardship record expects recovery on {date}. If you have no "
                       "income until then: `xieshang budget set --no-income-until "
                       "recovery`.").format(date=situation["recovery"].isoformat()))
    months = situation["months"]
    if items or len({month["available"] for month in months}) > 1:
        items.append(out.table(
            _("For your debts, month by month"), [_("Pay date"), _("Available")],
            [(month["on"].isoformat(), out.money(month["available"])) for month in months],
            right=[1]))
    return items


def savings_to_lines(out: Output, situation: dict[str, Any]) -> list[str]:
    """Where the savings go: to the debt the person chose (and what is spread beyond its
    bill), or spread over all the debts."""
    _ = out._
    if not situation.get("savings_to"):
        return [_("They are spread over your debts in proportion to what each owes "
                  "(`--savings-to DEBT` puts them towards one debt).")]
    lines = [_("They go to {debt}.").format(debt=situation["savings_to_name"])]
    if situation.get("savings_rest"):
        lines.append(_("That is more than {debt} owes ({owed}): the {rest} left is spread over "
                       "your other debts in proportion to what each owes.").format(
            debt=situation["savings_to_name"], owed=out.money(situation["savings_to_owed"]),
            rest=out.money(situation["savings_rest"])))
    return lines


def render_report(out: Output, report: dict[str, Any]) -> list[Any]:
    """The budget report as tables."""
    _ = out._
    items: list[Any] = []
    household = report["household"]
    tier = norms().tier(household["city_tier"]).label.get(out.lang)
    items.append(_("Household: adults {adults}; children {c1}/{c2}/{c3} (aged 0–4/5–10/11–17); "
                   "adult dependants {dependants}; {tier}.").format(
        adults=household["adults"], c1=household["children_0_4"],
        c2=household["children_5_10"], c3=household["children_11_17"],
        dependants=household["dependants"], tier=tier))
    rows = []
    for section, title in SECTIONS.items():
        lines = [line for line in report["lines"] if line["section"] == section]
        if not lines:
            continue
        total = sum((line["amount"] for line in lines), Decimal("0.00"))
        rows.append((f"[bold]{_(title)}[/bold]", f"[bold]{out.money(total)}[/bold]", ""))
        rows.extend((f"  {line['label']}", out.money(line["amount"]), line["note"])
                    for line in lines)
    items.append(out.table(_("Monthly income and spending"), [_("Line"), _("A month"),
                                                              _("Note")], rows, right=[1]))
    for flag in report["flags"]:
        text = _("{amount} is far above the reference of {reference} (NBS {year} [S])") \
            if flag["level"] == "high" else \
            _("{amount} is far below the reference of {reference} (NBS {year} [S])")
        items.append(f"⚑ {flag['label']}: " + text.format(
            amount=out.money(flag["amount"]), reference=out.money(flag["reference"]),
            year=flag["year"]) + f"\n  {flag['question']}")
    working = report["affordability"]
    signs = {"+": "+", "-": "−", "=": "=", "i": "ⓘ"}
    items.append(out.table(
        _("What you can pay each month: {outcome}").format(
            outcome=_(OUTCOMES[working["outcome"]])),
        ["", _("Step"), _("Amount")],
        [(signs[step["sign"]], step["label"], out.money(step["amount"]))
         for step in working["steps"]], right=[2], caption=working["explanation"]))
    shares = report["split"]["debts"]
    if shares:
        method = _("pro rata to what each is owed") if report["split"]["method"] == "pro_rata" \
            else _("in your priority order")
        items.append(out.table(
            _("Split across the debts ({method})").format(method=method),
            [_("Debt"), _("Owed in all"), _("Share"), _("A month")],
            [(share["name"], out.money(share["balance"]), out.percent(share["share"], 1),
              out.money(share["amount"])) for share in shares], right=[1, 2, 3]))
    items.extend(render_situation(out, report["situation"]))
    return items


_SPLITS = {"pro-rata": "pro_rata", "pro_rata": "pro_rata", "priority": "priority"}


@budget_app.command("show")
@common_options
@case_option
@click.option("--split", "split_method", default="pro-rata", show_default=True, help="pro-rata（按欠款比例）| priority（按 debt --priority 的顺序）")
def budget_show(split_method: str, case_id: str | None = None, lang: str | None = None,
                as_json: bool = False) -> None:
    """收支表、合理性提示、每月能还多少（逐行计算）及分配 (the statement, flags, affordability and split)."""
    out = _out(lang, as_json)
    method = _SPLITS.get(split_method.strip().lower())
    if method is None:
        raise InputError("split", N_("'{value}' is not one of: {known}"), value=split_method,
                         known="pro-rata, priority")
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        report = budget_report(out, tx, case, method)
    if report is None:
        if out.as_json:
            out.json({"budget": None})
            return
        out.print(out._("No budget yet: `xieshang budget set …` or `xieshang budget import "
                        "FILE`."))
        return
    if out.as_json:
        out.json(report)
        return
    out.print(*render_report(out, report))


@budget_app.command("categories")
@common_options
def budget_categories(lang: str | None = None, as_json: bool = False) -> None:
    """收支表的类别（set 命令用的 id） (the statement's categories and their ids)."""
    out = _out(lang, as_json)
    _ = out._
    rules = norms()
    if out.as_json:
        out.json({"categories": [{"id": c.id, "section": c.section.value,
                                  "label": c.label.get(out.lang), "essential": c.essential}
                                 for c in rules.categories]})
        return
    rows = [(c.id, _(SECTIONS[c.section.value]), c.label.get(out.lang),
             "" if c.section.value == "income" else (_("yes") if c.essential else _("no")))
            for c in rules.categories]
    out.print(out.table(_("Budget categories"), [_("Id"), _("Section"), _("Category"),
                                                 _("Essential")], rows))


def _summary(out: Output, result: Any) -> list[Any]:
    from xieshang.rules import load_preset

    _ = out._
    rules = norms()

    def label(category: str, hint: str) -> str:
        return rules.category(map_category(category, hint, rules)[1]).label.get(out.lang) \
            if category else category

    period = (f"{result.first_day.isoformat()} – {result.last_day.isoformat()}"
              if result.first_day and result.last_day else "—")
    items: list[Any] = [_("{file}: {format} statement, {rows} transactions counted, {skipped} "
                          "left out, {months} months ({period}).").format(
        file=Path(result.file).name, format=result.format, rows=len(result.rows),
        skipped=len(result.skipped), months=result.months, period=period)]
    rows = [(label(k, "income"), out.money(v)) for k, v in result.monthly_income.items()]
    items.append(out.table(_("Monthly income found"), [_("Category"), _("A month")], rows,
                           right=[1]))
    rows = [(label(k, "spending"), out.money(v)) for k, v in result.monthly_spending.items()]
    items.append(out.table(_("Monthly spending found"), [_("Category"), _("A month")], rows,
                           right=[1]))
    if result.debt_payments:
        rows = []
        for key, value in result.debt_payments.items():
            try:
                name = load_preset(key).name.get(out.lang)
            except InputError:
                name = key
            rows.append((name, out.money(value)))
        items.append(out.table(_("Debt repayments spotted (not counted as spending)"),
                               [_("Debt"), _("A month")], rows, right=[1]))
    return items


@budget_app.command("import")
@common_options
@case_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", default=None, help="alipay | wechat | csv（默认自动识别）. File format (default: detect).")
@click.option("--map", "column_map", default=None, metavar="FIELD=COLUMN,…", help="通用 CSV 的列对应，如 date=日期,amount=金额. Column map for csv.")
@click.option("--yes", "yes", is_flag=True, help="不询问，直接保存. Save without asking.")
@click.option("--dry-run", "dry_run", is_flag=True, help="只显示，不保存. Show only; never save.")
def budget_import(file: Path, fmt: str | None, column_map: str | None, yes: bool,
                  dry_run: bool, case_id: str | None = None, lang: str | None = None,
                  as_json: bool = False) -> None:
    """从支付宝、微信支付或 CSV 账单导入每月收支（先显示，确认后保存） (import a statement)."""
    from xieshang.importers import parse_column_map, read_statement

    out = _out(lang, as_json)
    _ = out._
    mapping = parse_column_map(column_map) if column_map is not None else None
    with session(out, readonly=True) as tx:
        case_ref = str(find_case(tx, case_id).id)  # before reading: is there a case?
    result = read_statement(file, fmt, column_map=mapping)
    rules = norms()
    lines = imported_lines(result, rules)
    payload = {"file": str(file), "format": result.format, "months": result.months,
               "transactions": len(result.rows), "skipped": len(result.skipped),
               "monthly_income": dict(result.monthly_income),
               "monthly_spending": dict(result.monthly_spending),
               "debt_payments": dict(result.debt_payments), "saved": False}
    if not out.as_json:
        out.print(*_summary(out, result))
    if dry_run:
        if out.as_json:
            out.json(payload)
        else:
            out.print(_("Nothing saved (--dry-run)."))
        return
    if not yes:
        try:
            yes = click.confirm(_("Save these monthly figures in the budget (replacing the "
                                  "same categories) and keep the {rows} transactions?")
                                .format(rows=len(result.rows)), default=False)
        except click.Abort:
            yes = False
        if not yes:
            if out.as_json:
                out.json(payload)
            else:
                out.print(_("Nothing saved."))
            return
    import hashlib

    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    with session(out) as tx:  # the question above is asked outside any transaction
        case = find_case(tx, case_ref)
        saved = save_import(tx, case, result, file.name, digest, lines)
    payload["saved"] = True
    payload["import"] = saved
    if out.as_json:
        out.json(payload)
        return
    out.print(_("Saved: {lines} budget lines and {rows} transactions. See `xieshang budget "
                "show`.").format(lines=len(lines), rows=len(result.rows)))
