"""``xieshang debt …``, ``xieshang pay`` and ``xieshang status``: the debts of a case, the
payments made on them, and what each one costs today."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.casefile import case_option, session
from xieshang.cli.casefile import command_out as _out
from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.cli.rates import YES_OPTION, checked_rates
from xieshang.clock import today
from xieshang.engine.errors import N_, InputError
from xieshang.present import debt_name
from xieshang.services.cases import find_case, find_debt, preset_of

if TYPE_CHECKING:
    from xieshang.engine.preset import Preset
    from xieshang.output import Output
    from xieshang.store.db import Tx
    from xieshang.store.model import Debt

from xieshang.cli.render import debt_json
from xieshang.present.views import debt_status, status_lines
from xieshang.services.debts import (
    STATUSES,
    check_terms,
    check_usable,
    debt_amount,
    debt_fields,
    debt_text,
    loan_fields,
    parse_due_day,
    parse_overdue_since,
    parse_rate_option,
)


@app.group("debt", context_settings=CONTEXT,
           help="债务：添加、修改、列出、删除，以及与贷款机构的数字核对。\n\n"
                "Debts: add, edit, list, remove, and reconcile with the lender's figures.")
def debt_app() -> None:
    """The debt commands."""


_DEBT_OPTIONS = [
    click.option("--lender", "lender", default=None, help="贷款机构名称（默认取产品预设）. Lender's name."),
    click.option("--label", "label", default=None, help="自己好认的名称，如“招行信用卡”. Your name for it."),
    click.option("--account", "account", default=None, help="卡号或账号（校验卡号，显示时打码）. Card or account number."),
    click.option("--interest", "interest", default=None, help="到期未还的合同利息. Contract interest due."),
    click.option("--fees", "fees", default=None, help="已产生的费用. Fees already due."),
    click.option("--not-yet-due", "not_yet_due", default=None, help="贷款：尚未到期的本金. Loans: principal not yet due."),
    click.option("--overdue-since", "overdue_since", default=None, help="逾期第一天 YYYY-MM-DD（错过的还款日的次日）. First day overdue."),
    click.option("--annual-rate", "annual_rate", default=None, help="合同年利率，如 18%. Contract annual rate."),
    click.option("--daily-rate", "daily_rate", default=None, help="合同日利率，如 0.05%. Contract daily rate."),
    click.option("--penalty-rate", "penalty_rate", default=None, help="逾期日利率（账单与预设不同时）. Overdue daily rate."),
    click.option("--minimum", "minimum", default=None, help="最低还款额. Minimum payment."),
    click.option("--due-day", "due_day", default=None, help="每月还款日（1–31）. Repayment day of the month."),
    click.option("--priority", "priority", default=None, help="分配还款时的优先顺序（1 最先）. Your priority (1 first)."),
    click.option("--notes", "notes", default=None, help="备注. Notes."),
    click.option("--borrowed", "borrowed", default=None, help="分期贷款：借款金额（App 借款详情里的“借款金额”）. Installment loan: amount borrowed."),
    click.option("--periods", "periods", default=None, help="分期贷款：期数. Number of periods."),
    click.option("--method", "method", default=None, help="还款方式：annuity 等额本息 | equal_principal 等额本金 | interest_only 先息后本. Repayment method."),
    click.option("--first-due", "first_due", default=None, help="首期还款日 YYYY-MM-DD. First repayment date."),
    click.option("--paid-periods", "paid_periods", default=None, help="已还期数. Periods already repaid."),
    click.option("--contract-date", "contract_date", default=None, help="借款（合同）日期 YYYY-MM-DD（亲友借款按它判断法定上限）. Date the loan was made."),
    click.option("--posted-on", "posted_on", default=None, help="信用卡：消费记账日 YYYY-MM-DD（未全额还款时从这天起计息）. Card: posting date."),
    click.option("--period-fee", "period_fee", default=None, help="分期：每期服务费/手续费，如 0.5%（按借款金额）或 30元. Installment fee per period."),
    click.option("--card-basis", "card_basis", default=None, help="信用卡：full 全额计息 | unpaid 按未还部分计息（与预设不同时）. Card interest basis."),
]


def _debt_options(function: Any) -> Any:
    for option in reversed(_DEBT_OPTIONS):
        function = option(function)
    return function


@debt_app.command("add")
@common_options
@case_option
@click.option("--product", "product", default=None, help="产品 id：huabei, jiebei, credit_card_cn, weilidai, jd_baitiao, meituan_yuefu, generic_loan, informal_loan")
@click.option("--amount", "amount", default=None, help="逾期本金（账单：未还金额）. Overdue principal.")
@_debt_options
@YES_OPTION
def debt_add(product: str | None, amount: str | None, case_id: str | None = None,
             lang: str | None = None, as_json: bool = False, yes: bool = False,
             **options: str | None) -> None:
    """添加一笔债务；不带参数时逐项提问 (add a debt; with no options, question by question)."""
    from xieshang.rules import load_preset
    from xieshang.store.model import Debt

    out = _out(lang, as_json)
    _ = out._
    if product is None and amount is None and all(v is None for v in options.values()):
        with session(out, readonly=True) as tx:
            find_case(tx, case_id)  # before any question: is there a case to add it to?
        product, values = _ask(out)
    else:
        if product is None:
            raise InputError("product", N_("is required"))
        if amount is None and options.get("borrowed") is None:
            raise InputError("amount", N_("is required (or, for an installment loan, "
                                          "--borrowed with --periods and --first-due)"))
        values = loan_fields(debt_fields(amount=amount,
                                         **checked_rates(out, options, yes=yes)))
        check_terms(values)
    preset = load_preset(product)
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        debt = tx.add(Debt(case_id=case.id, preset_id=preset.id, **values))
        payload = debt_json(out, debt)
    if out.as_json:
        out.json({"debt": payload})
        return
    out.print(_("Debt {name} added to case {case}.").format(name=debt_name(out, debt),
                                                           case=case.id))


def _ask(out: Output) -> tuple[str, dict[str, Any]]:
    """The interactive questions of ``debt add``, with the preset's defaults offered."""
    from xieshang.paths import preset_dir
    from xieshang.rules import load_preset, load_presets

    _ = out._

    def checked(convert: Any) -> Any:
        def run(text: str) -> Any:
            try:
                return convert(text)
            except InputError as error:
                from xieshang.i18n import translate_error

                raise click.BadParameter(translate_error(error, out.lang)) from None
        return run

    known = ", ".join(sorted(load_presets(preset_dir())))
    preset: Preset = click.prompt(
        _("Product ({known})").format(known=known), default="huabei",
        value_proc=checked(load_preset))
    values: dict[str, Any] = {}
    lender = click.prompt(_("Lender"), default=preset.lender.get(out.lang))
    if lender != preset.lender.get(out.lang):
        values["lender"] = debt_text(lender, "lender")
    values["label"] = click.prompt(_("Your name for this debt"),
                                   default=preset.name.get(out.lang), value_proc=checked(
                                       lambda text: debt_text(text, "label")))
    values["principal"] = click.prompt(_("Amount overdue (principal, or the unpaid bill)"),
                                       value_proc=checked(
                                           lambda text: debt_amount(text, "amount", positive=True)))
    first = click.prompt(_("First day overdue, YYYY-MM-DD (Enter if not overdue)"),
                         default="", show_default=False,
                         value_proc=checked(lambda text: parse_overdue_since(text) if text else None))
    values["due_date"] = first - timedelta(days=1) if first else None
    if preset.contract_daily_rate is not None:
        shown = f"{(preset.contract_daily_rate * 100).normalize():f}%"
        rate = click.prompt(_("Contract daily rate"), default=shown,
                            value_proc=checked(lambda text: parse_rate_option(text, "daily_rate")))
        if rate != preset.contract_daily_rate:
            values["contract_rate"], values["contract_rate_basis"] = rate, "daily"
    else:
        annual = click.prompt(_("Contract annual rate, e.g. 18% (Enter if none)"), default="",
                              show_default=False, value_proc=checked(
                                  lambda text: parse_rate_option(text, "annual_rate") if text else None))
        if annual is not None:
            values["contract_rate"], values["contract_rate_basis"] = annual, "annual"
    values["minimum"] = click.prompt(
        _("Minimum payment (Enter if none or unknown)"), default="", show_default=False,
        value_proc=checked(lambda text: debt_amount(text, "minimum") if text else None))
    values["due_day"] = click.prompt(
        _("Repayment day of the month, 1–31 (Enter if unknown)"), default="",
        show_default=False, value_proc=checked(lambda text: parse_due_day(text) if text else None))
    return preset.id, values


@debt_app.command("edit")
@common_options
@case_option
@click.argument("debt_ref", metavar="[ID]", required=False)
@click.option("--product", "product", default=None, help="产品 id. Product preset id.")
@click.option("--amount", "amount", default=None, help="逾期本金. Overdue principal.")
@click.option("--status", "status", default=None, help="open | arrangement | settled | closed")
@click.option("--clear-adjustments", "clear_adjustments", is_flag=True, help="取消已采用的核对参数. Drop the adopted reconciliation parameters.")
@_debt_options
@YES_OPTION
def debt_edit(debt_ref: str | None, product: str | None, amount: str | None,
              status: str | None, clear_adjustments: bool, case_id: str | None = None,
              lang: str | None = None, as_json: bool = False, yes: bool = False,
              **options: str | None) -> None:
    """修改一笔债务（空字符串表示清除该项） (change a debt; '' clears an optional field)."""
    from dataclasses import replace

    from xieshang.rules import load_preset

    out = _out(lang, as_json)
    values = debt_fields(amount=amount, **checked_rates(out, options, yes=yes))
    if product is not None:
        values["preset_id"] = load_preset(product).id
    if status is not None:
        key = status.strip().lower()
        if key not in STATUSES:
            raise InputError("status", N_("'{value}' is not one of: {known}"), value=status,
                             known=", ".join(STATUSES))
        values["status"] = key
    if clear_adjustments:
        values.update(adjustments=None, adjustments_basis=None, adjustments_confirmed_on=None)
    if not values:
        raise InputError("debt", N_("nothing to change: give at least one option"))
    with session(out, prompt=True) as tx:
        case = find_case(tx, case_id)
        existing = find_debt(tx, case, debt_ref)
        changed = loan_fields(values, existing)
        check_terms(changed, existing)
        debt = tx.update(replace(existing, **changed))
        payload = debt_json(out, debt)
    if out.as_json:
        out.json({"debt": payload})
        return
    out.print(out._("Debt {name} updated.").format(name=debt_name(out, debt)))


@debt_app.command("list")
@common_options
@case_option
def debt_list(case_id: str | None = None, lang: str | None = None,
              as_json: bool = False) -> None:
    """列出案例中的债务（按录入的金额） (the case's debts, as entered)."""
    from xieshang.store.model import Debt

    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        debts = tx.find(Debt, case_id=case.id)
    rows = [debt_json(out, debt) for debt in debts]
    if out.as_json:
        out.json({"case": case.id, "debts": rows})
        return
    if not debts:
        out.print(_("No debts yet. Add one with `xieshang debt add`."))
        return
    dash = "—"
    out.print(out.table(
        _("Debts of case {id} “{name}”").format(id=case.id, name=case.name),
        [_("Id"), _("Debt"), _("Principal"), _("Overdue since"), _("Status"), _("Account")],
        [(str(debt.id), debt_name(out, debt).split(" ", 1)[1] + (" ✓" if debt.adjustments
                                                               else ""),
          out.money(debt.principal), row["overdue_since"].isoformat()
          if row["overdue_since"] else dash, _(STATUSES[debt.status]), row["account"] or dash)
         for debt, row in zip(debts, rows, strict=True)],
        right=[0, 2],
        caption=_("✓ matched to the lender's figures (debt reconcile).")
        if any(debt.adjustments for debt in debts) else None))


@debt_app.command("rm")
@common_options
@case_option
@click.argument("debt_ref", metavar="ID")
@click.option("--yes", "yes", is_flag=True, help="不再确认. Do not ask for confirmation.")
def debt_rm(debt_ref: str, yes: bool, case_id: str | None = None, lang: str | None = None,
            as_json: bool = False) -> None:
    """删除一笔债务及其还款记录 (remove a debt and its payments)."""
    from xieshang.store.model import Debt

    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        debt = find_debt(tx, case, debt_ref)
        name = debt_name(out, debt)
    if not yes and not click.confirm(
            _("Remove debt {name} and its payments? This cannot be undone.").format(name=name),
            default=False):
        out.print(_("Nothing removed."))
        return
    with session(out) as tx:  # the question above is asked outside any transaction
        tx.delete(Debt, find_debt(tx, find_case(tx, str(case.id)), str(debt.id)).id)
    if out.as_json:
        out.json({"removed": debt.id})
        return
    out.print(_("Debt {name} removed.").format(name=name))


@debt_app.command("reconcile")
@common_options
@case_option
@click.argument("debt_ref", metavar="[ID]", required=False)
@click.option("--lender-total", "lender_total", default=None, help="贷款机构账单或App上显示的今日应还总额. The lender's amount due.")
@click.option("--lender-penalty", "lender_penalty", default=None, help="贷款机构显示的罚息/逾期费用. The lender's penalty so far.")
@click.option("--as-of", "as_of", default=None, help="贷款机构数字对应的日期 YYYY-MM-DD（默认今天）. Date of the lender's figures.")
@click.option("--adopt", "adopt", is_flag=True, help="直接采用吻合的参数，不再询问. Adopt the matching parameters without asking.")
def debt_reconcile(debt_ref: str | None, lender_total: str | None, lender_penalty: str | None,
                   as_of: str | None, adopt: bool, case_id: str | None = None,
                   lang: str | None = None, as_json: bool = False) -> None:
    """与贷款机构的数字核对：差多少、可能的原因、采用吻合的参数 (reconcile with the lender's figures)."""
    from dataclasses import replace

    from xieshang.engine.parsing import parse_date
    from xieshang.engine.reconcile import reconcile
    from xieshang.store.model import Payment, overdue_debt

    out = _out(lang, as_json)
    _ = out._
    total = debt_amount(lender_total, "lender_total", positive=True) \
        if lender_total is not None else None
    if total is None and lender_penalty is None:
        raise InputError("lender_total", N_("give --lender-total, --lender-penalty or both"))
    penalty = debt_amount(lender_penalty, "lender_penalty") if lender_penalty is not None else None
    day = parse_date(as_of, "as_of") if as_of else today()
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        debt = find_debt(tx, case, debt_ref)
        if debt.due_date is None:
            raise InputError("overdue_since", N_("debt {name} has no first overdue day; set it "
                                                 "with `xieshang debt edit {id} "
                                                 "--overdue-since DATE`"),
                             name=debt_name(out, debt), id=debt.id)
        if day < debt.due_date:
            raise InputError("as_of", N_("must not be before the missed repayment date {due}"),
                             due=debt.due_date.isoformat())
        check_usable(tx, debt)
        payments = tx.find(Payment, debt_id=debt.id)
        base = overdue_debt(replace(debt, adjustments=None), preset_of(debt), payments)
    result = reconcile(base, day, lender_total=total, lender_penalty=penalty)
    best = result.best
    payload = _reconcile_json(out, debt, result)
    if not out.as_json:
        out.print(*_reconcile_report(out, debt, result))
    if best is not None and not adopt and not out.as_json:
        try:
            adopt = click.confirm(_("Adopt these parameters for this debt? Every later figure "
                                    "for it will use them."), default=False)
        except click.Abort:
            adopt = False
    adopted = False
    if best is not None and adopt:
        with session(out) as tx:  # the prompt above is outside any transaction
            current = find_debt(tx, find_case(tx, str(case.id)), str(debt.id))
            tx.update(replace(
                current, adjustments=dict(best.adjustments),
                adjustments_basis={"code": best.code, "as_of": day.isoformat(),
                                   "lender_total": None if total is None else str(total),
                                   "lender_penalty": None if penalty is None
                                   else str(penalty)},
                adjustments_confirmed_on=today()))
        adopted = True
    payload["adopted"] = adopted
    if out.as_json:
        out.json(payload)
        return
    if adopted:
        out.print(_("Adopted for {name} on {date}; `xieshang debt edit {id} "
                    "--clear-adjustments` undoes it.").format(
            name=debt_name(out, debt), date=today().isoformat(), id=debt.id))


_SHOWN_CAUSES = 8


def _reconcile_json(out: Output, debt: Debt, result: Any) -> dict[str, Any]:
    from xieshang.cli import render

    return {
        "debt": debt.id,
        "ours": render.bill_json(result.ours),
        "lender_total": result.lender_total,
        "lender_penalty": result.lender_penalty,
        "total_difference": result.total_difference,
        "penalty_difference": result.penalty_difference,
        "matches": result.matches,
        "candidates": [
            {"code": c.code, "description": c.description.get(out.lang),
             "adjustments": dict(c.adjustments), "total": c.bill.total,
             "penalty": c.bill.penalty, "difference": c.difference, "matches": c.matches}
            for c in result.candidates
        ],
        "best": None if result.best is None else {
            "code": result.best.code, "description": result.best.description.get(out.lang),
            "adjustments": dict(result.best.adjustments)},
        "unexplained": result.unexplained,
    }


def _reconcile_report(out: Output, debt: Debt, result: Any) -> list[Any]:
    _ = out._
    ours = result.ours
    dash = "—"
    rows = []
    if result.lender_total is not None:
        rows.append((_("Total due"), out.money(ours.total), out.money(result.lender_total),
                     out.money(result.total_difference)))
    if result.lender_penalty is not None:
        rows.append((_("Penalty interest"), out.money(ours.penalty),
                     out.money(result.lender_penalty), out.money(result.penalty_difference)))
    items: list[Any] = [out.table(
        _("{name}: our figure and the lender's on {date}").format(
            name=debt_name(out, debt), date=ours.as_of.isoformat()),
        [_("Item"), _("xieshang"), _("Lender"), _("Difference")], rows, right=[1, 2, 3])]
    if result.matches:
        items.append(_("Our figure matches the lender's."))
        return items
    shown = list(result.candidates[:_SHOWN_CAUSES])
    if result.best is not None and result.best not in shown:
        shown.append(result.best)
    if shown:
        items.append(out.table(
            _("Likely causes, each recomputed"),
            [_("Cause"), _("Total due"), _("Penalty interest"), _("Difference"),
             _("Matches")],
            [(c.description.get(out.lang), out.money(c.bill.total), out.money(c.bill.penalty),
              out.money(c.difference), "✓" if c.matches else dash) for c in shown],
            right=[1, 2, 3]))
    if result.best is None:
        items.append(_("None of the causes xieshang can test explains the difference. Ask the "
                       "lender for an itemised bill (principal, interest, penalty, fees)."))
    else:
        items.append(_("Matches: {cause}.").format(cause=result.best.description.get(out.lang)))
    return items


@app.command("pay", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--debt", "debt_ref", default=None, metavar="ID", help="哪笔债务（案例只有一笔时可省略）. Which debt.")
@click.option("--amount", "amount", required=True, help="还款金额. Amount paid.")
@click.option("--date", "paid_on", default=None, help="还款日期 YYYY-MM-DD（默认今天）. Date paid.")
@click.option("--method", "method", default="", help="还款方式，如“支付宝”. How it was paid.")
@click.option("--note", "note", default="", help="备注. Notes.")
def pay_command(debt_ref: str | None, amount: str, paid_on: str | None, method: str,
                note: str, case_id: str | None = None, lang: str | None = None,
                as_json: bool = False) -> None:
    """记录一笔已还款 (record a payment made)."""
    from xieshang.engine.parsing import parse_date
    from xieshang.store.model import Payment

    out = _out(lang, as_json)
    _ = out._
    value = debt_amount(amount, "amount", positive=True)
    day = parse_date(paid_on, "date") if paid_on else today()
    if day > today():
        raise InputError("date", N_("must not be in the future (got {value})"),
                         value=day.isoformat())
    with session(out) as tx:
        case = find_case(tx, case_id)
        debt = find_debt(tx, case, debt_ref)
        payment = tx.add(Payment(debt_id=debt.id, paid_on=day, amount=value,
                                 method=debt_text(method, "method", 64), note=note))
        line = debt_status(out, tx, debt, today())
    if out.as_json:
        out.json({"payment": {"id": payment.id, "debt": debt.id, "date": day,
                              "amount": value}, "status": line})
        return
    out.print(_("Payment of {amount} on {date} recorded for {name}.").format(
        amount=out.money(value), date=day.isoformat(), name=debt_name(out, debt)))
    if line["total"] is not None:
        out.print(_("Now due: {total}.").format(total=out.money(line["total"])))


def _paid_off(line: dict[str, Any]) -> bool:
    """Whether a debt's status shows nothing owed: no principal (due or not), interest,
    penalty or fees."""
    zero = Decimal("0.00")
    return (line["total"] == zero and line["principal"] == zero
            and not line["not_yet_due"] and line["arrangement"] is None)


def status_table(out: Output, lines: list[dict[str, Any]], as_of: date) -> list[Any]:
    """The status, debt by debt (itemised), then the totals."""
    _ = out._
    zero = Decimal("0.00")
    heading = _("Status on {date}").format(date=as_of.isoformat())
    items: list[Any] = [f"[bold]{heading}[/bold]"]
    for line in lines:
        head = f"[bold]━━ {line['name']} ━━[/bold]"
        if _paid_off(line):
            items.append(head + " " + _("(paid off)"))
            items.append(out.indented(_(
                "Nothing is owed on it now. Next: ask the lender to confirm in writing that "
                "it is settled (a screenshot or a settlement certificate); check your credit "
                "report in a month or two; and set a reminder of the next repayment day "
                "(`xieshang remind`).")))
            continue
        if line["overdue"]:
            head += " " + _("({days} days overdue)").format(days=line["days_overdue"])
        if line["adjusted"]:
            head += " " + _("(matched to the lender's figures)")
        items.append(head)
        items.append(out.flow([
            f"{label} {out.money(line[key])}" for key, label in (
                ("principal", _("Principal")), ("interest", _("Contract interest")),
                ("penalty", _("Penalty interest")), ("fees", _("Late fees and other fees")))]))
        items.append(out.indented(_("Total due {total}; each further day adds {daily}.").format(
            total=out.money(line["total"]), daily=out.money(line["daily_cost"]))))
        if line["not_yet_due"]:
            items.append(out.indented(_("Principal not yet due (later installments): {amount}.")
                                      .format(amount=out.money(line["not_yet_due"]))))
        from xieshang.present.views import (
            installment_lines,
            limitation_lines,
            private_loan_lines,
        )

        items.extend(out.indented(text) for text in installment_lines(out, line))
        items.extend(out.indented(text)
                     for text in private_loan_lines(out, line.get("private_loan")))
        items.extend(out.indented(text) for text in arrangement_lines(out, line["arrangement"]))
        items.extend(out.indented(text) for text in limitation_lines(out, line))
        event = line["next"]
        if event is not None:
            when = event["on"].isoformat() if event["on"] else _("date not known")
            text = _("Next: {date} {title}").format(date=when, title=event["title"])
            if event["amount_due"] is not None:
                text = _("{title} (amount due {amount})").format(
                    title=text, amount=out.money(event["amount_due"]))
            items.append(out.indented(text))
    total = sum((line["total"] for line in lines), zero)
    daily = sum((line["daily_cost"] for line in lines), zero)
    items.append("")
    items.append(_("All debts together: {total} due today; waiting one more day adds {daily}.")
                 .format(total=out.money(total), daily=out.money(daily)))
    notice = _("Estimates from the lender rules in the presets; check them against your own "
               "bill. Information, not legal or financial advice.")
    items.append(f"[dim]{notice}[/dim]")
    return items


@app.command("status", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--as-of", "as_of", default=None, help="看哪一天 YYYY-MM-DD（默认今天）. Date to look from.")
def status_command(as_of: str | None, case_id: str | None = None, lang: str | None = None,
                   as_json: bool = False) -> None:
    """每笔债务：今天应还多少（逐项）、每天增加多少、下一个节点 (every debt today)."""
    from xieshang.engine.parsing import parse_date

    out = _out(lang, as_json)
    _ = out._
    day = parse_date(as_of, "as_of") if as_of else today()
    from xieshang.present.views import overdraft_risks, risk_panels

    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        lines = status_lines(out, tx, case.id, day)
        fixing = needs_fixing(out, tx, case.id)
        risks = overdraft_risks(out, tx, case, day)
    if out.as_json:
        out.json({"case": case.id, "as_of": day, "debts": lines,
                  "total": sum((line["total"] for line in lines), Decimal("0.00")),
                  "daily_cost": sum((line["daily_cost"] for line in lines),
                                    Decimal("0.00")),
                  "needs_fixing": fixing,
                  "legal_risks": [{"debt": risk.debt, "principal": risk.principal,
                                   "text": list(risk.paragraphs), "sources": risk.sources,
                                   "mark": risk.mark} for risk in risks]})
        return
    if not lines and not fixing:
        out.print(_("No open debts in case {id}.").format(id=case.id))
        return
    if lines:
        out.print(*status_table(out, lines, day))
    for risk in risk_panels(out, risks):
        out.print("", "[bold]" + _("A legal point to know: {debt}").format(debt=risk.debt)
                  + "[/bold]")
        out.print(*(out.indented(text) for text in risk.paragraphs))
        out.print(out.indented(_("Sources: {sources} ({mark}).").format(
            sources=risk.sources, mark=risk.mark)))
    print_needs_fixing(out, fixing)


def needs_fixing(out: Output, tx: Tx, case_id: int) -> list[dict[str, Any]]:
    """The case's open debts that hold values out of bounds (saved by an older version):
    each with what is wrong, in ``out``'s language, and the command that fixes it."""
    from xieshang.i18n import translate_error
    from xieshang.services.debts import broken_debts, fix_options

    return [{"id": debt.id, "name": debt_name(out, debt),
             "problems": [translate_error(error, out.lang) for error in problems],
             "fix": f"xieshang debt edit {debt.id} {fix_options(problems)}".rstrip()}
            for debt, problems in broken_debts(tx, case_id)]


def print_needs_fixing(out: Output, fixing: list[dict[str, Any]]) -> None:
    """The "needs fixing" block: these debts are left out of every figure until fixed."""
    _ = out._
    for item in fixing:
        out.print(_("Needs fixing: {name} holds values xieshang cannot use, so it is left out "
                    "of every figure until it is fixed:").format(name=item["name"]))
        for problem in item["problems"]:
            out.print(f"  • {problem}")
        out.print("  " + _("Fix it with `{command}` (or on its edit page in the web app).")
                  .format(command=item["fix"]))


def arrangement_lines(out: Output, agreed: dict[str, Any] | None) -> list[str]:
    """What the status says of a debt under an accepted arrangement: how far it is kept,
    and what a missed payment means."""
    if agreed is None:
        return []
    _ = out._
    lines = [_("Under the arrangement accepted on {date} ({periods} payments, {total} in all): "
               "{paid} paid, {remaining} to go. While it is kept, xieshang adds no overdue "
               "interest or fees; the lender's written confirmation is what counts.").format(
        date=agreed["accepted_on"].isoformat(), periods=agreed["periods"],
        total=out.money(agreed["total"]), paid=out.money(agreed["paid"]),
        remaining=out.money(agreed["remaining"]))]
    if len(agreed.get("phases", ())) > 1 or any(
            phase["kind"] != "installments" for phase in agreed.get("phases", ())):
        from xieshang.present.views import phase_lines

        lines += phase_lines(out, agreed, agreed["as_of"])
    for missed in agreed["missed"]:
        lines.append(_("Missed: {amount} due on {date} is still unpaid.").format(
            amount=out.money(missed["missing"]), date=missed["on"].isoformat()))
    if agreed["missed"]:
        lines.append(_("If an agreed payment is missed, the lender may end the arrangement, go "
                       "back to the original terms with their interest and fees, and ask for "
                       "the rest at once. Pay the missed amount as soon as you can, contact the "
                       "lender yourself to say why and when you will pay, and keep a record "
                       "(`xieshang log add`)."))
    return lines
