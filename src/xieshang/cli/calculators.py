"""``xieshang calc …``: the calculators other than ``overdue`` (:mod:`xieshang.cli.calc`),
loaded when one of them runs: installment, schedule, apr, card-interest, cap, timeline."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.calc import calc_out, typed_debt
from xieshang.cli.main import calc_app, common_options
from xieshang.cli.rates import YES_OPTION, checked_rates
from xieshang.clock import today as _today
from xieshang.engine.errors import N_, InputError
from xieshang.rules import load_one_preset as load_preset

#: No amount (an option left out).
ZERO_FEN = Decimal("0.00")

if TYPE_CHECKING:
    from pathlib import Path

    from xieshang.engine.schedules import Schedule
    from xieshang.output import Output


# -------------------------------------------------------------------------- installment


@calc_app.command("installment")
@common_options
@click.option("--amount", "amount", required=True, help="分期本金")
@click.option("--periods", "periods", required=True, help="期数")
@click.option("--product", "product", required=False, help="用该产品的分期费率表，如 huabei")
@click.option("--fee-rate", "fee_rate", required=False, help="总手续费率，如 4.5%")
@click.option("--monthly-fee-rate", "monthly_fee_rate", required=False, help="每期手续费率，如 0.66%")
def installment(
    amount: str,
    periods: str,
    product: str | None = None,
    fee_rate: str | None = None,
    monthly_fee_rate: str | None = None,
    lang: str | None = None,
    as_json: bool = False,
) -> None:
    """分期：每期本金 + 每期手续费，以及真实年化利率 (installments with their real APR)."""
    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_count, parse_rate
    from xieshang.engine.schedules import fixed_fee_installment

    out = calc_out(lang, as_json)
    principal = _positive_amount(amount, "amount")
    count = parse_count(periods, "periods", minimum=1, maximum=120)
    given = [x is not None for x in (product, fee_rate, monthly_fee_rate)]
    if sum(given) != 1:
        raise InputError("fee_rate", N_("give exactly one of --product, --fee-rate or "
                                        "--monthly-fee-rate"))
    del parse_amount
    residue = None
    total_rate = monthly = None
    if product is not None:
        preset = load_preset(product)
        total_rate = preset.installments.total_rate(count)
        residue = preset.installments.residue
        if total_rate is None:
            offered = ", ".join(str(r.periods) for r in preset.installments.fees) or "—"
            raise InputError("periods", N_("{product} lists no fee for {periods} periods; "
                                           "it lists: {offered}"),
                             product=preset.id, periods=count, offered=offered)
    elif fee_rate is not None:
        total_rate = parse_rate(fee_rate, "fee_rate")
    else:
        monthly = parse_rate(monthly_fee_rate or "", "monthly_fee_rate")
    kwargs: dict[str, Any] = {}
    if residue is not None:
        kwargs["residue"] = residue
    schedule = fixed_fee_installment(principal, count, total_fee_rate=total_rate,
                                     monthly_fee_rate=monthly, **kwargs)
    _emit_schedule(out, schedule, title=out._("Installments"))


def _positive_amount(text: str, field: str) -> Decimal:
    from xieshang.engine.money import parse_amount

    value = parse_amount(text, field)
    if value <= 0:
        raise InputError(field, N_("must be more than 0 (got {value})"), value=text)
    return value


def _emit_schedule(out: Output, schedule: Schedule, *, title: str,
                   dated: tuple[list[date], list[Decimal]] | None = None) -> None:
    from xieshang.engine.rates import annualised, xirr

    rates = annualised(schedule.cash_flows())
    effective_dated = xirr(*dated) if dated else None
    payload = {
        "method": schedule.method,
        "principal": schedule.principal,
        "periods": len(schedule.rows),
        "total_paid": schedule.total_paid,
        "total_interest": schedule.total_interest,
        "total_fees": schedule.total_fees,
        "apr_nominal": rates.nominal,
        "apr_effective": rates.effective,
        "xirr": effective_dated,
        "rows": [
            {"period": r.period, "due": r.due, "payment": r.payment, "principal": r.principal,
             "interest": r.interest, "fee": r.fee, "balance": r.balance}
            for r in schedule.rows
        ],
    }
    if out.as_json:
        out.json(payload)
        return
    from xieshang.cli import render

    out.print(render.schedule_table(out, schedule, title=title))
    out.print(render.schedule_summary(out, schedule, rates, effective_dated))


# ----------------------------------------------------------------------------- schedule

_METHODS = {"annuity": "annuity", "equal-principal": "equal_principal",
            "interest-only": "interest_only"}


@calc_app.command("schedule")
@common_options
@click.option("--method", "method", required=True, help="annuity(等额本息) | equal-principal(等额本金) | interest-only(先息后本)")
@click.option("--principal", "principal", required=True, help="本金")
@click.option("--months", "months", required=True, help="期数（月）")
@click.option("--annual-rate", "annual_rate", required=False, help="年利率，如 4.9%")
@click.option("--daily-rate", "daily_rate", required=False, help="日利率，如 0.05%（按实际天数计息）")
@click.option("--start", "start", required=False, help="放款日 YYYY-MM-DD")
@YES_OPTION
def schedule(
    method: str,
    principal: str,
    months: str,
    annual_rate: str | None = None,
    daily_rate: str | None = None,
    start: str | None = None,
    yes: bool = False,
    lang: str | None = None,
    as_json: bool = False,
) -> None:
    """还款计划：等额本息、等额本金、先息后本 (repayment schedule)."""
    from xieshang.engine import schedules
    from xieshang.engine.parsing import parse_count, parse_date, parse_rate

    out = calc_out(lang, as_json)
    rates = checked_rates(out, {"daily_rate": daily_rate, "annual_rate": annual_rate}, yes=yes)
    daily_rate, annual_rate = rates["daily_rate"], rates["annual_rate"]
    key = _METHODS.get(method.strip().lower().replace("_", "-"))
    if key is None:
        raise InputError("method", N_("'{value}' is not a method; use annuity, "
                                      "equal-principal or interest-only"), value=method)
    amount = _positive_amount(principal, "principal")
    count = parse_count(months, "months", minimum=1, maximum=600)
    begin = parse_date(start, "start") if start is not None else None
    if (annual_rate is None) == (daily_rate is None):
        raise InputError("annual_rate", N_("give exactly one of --annual-rate or --daily-rate"))
    if annual_rate is not None:
        monthly = parse_rate(annual_rate, "annual_rate") / 12
        builder = {"annuity": schedules.annuity, "equal_principal": schedules.equal_principal,
                   "interest_only": schedules.interest_only}[key]
        result = builder(amount, monthly, count, start=begin)
    else:
        rate = parse_rate(daily_rate or "", "daily_rate")
        begin = begin or _today()
        result = schedules.daily_rate_loan(amount, rate, count, schedules.Method(key), begin)
    dated = result.dated_flows(begin) if begin is not None else None
    _emit_schedule(out, result, title=out._("Repayment schedule"), dated=dated)


# ---------------------------------------------------------------------------------- apr


@calc_app.command("apr")
@common_options
@click.option("--principal", "principal", required=True, help="实际到手的本金")
@click.option("--payment", "payment", required=False, help="每期还款额")
@click.option("--periods", "periods", required=False, help="期数")
@click.option("--flows", "flows", required=False, help="每期还款额，逗号分隔：F1,F2,…")
@click.option("--dates", "dates", required=False, help="日期，逗号分隔：放款日,D1,D2,…（可选，用于 XIRR）")
def apr(
    principal: str,
    payment: str | None = None,
    periods: str | None = None,
    flows: str | None = None,
    dates: str | None = None,
    lang: str | None = None,
    as_json: bool = False,
) -> None:
    """真实年化利率（IRR 法）：名义年化 = 月 IRR × 12，实际年化 = (1+月IRR)^12 − 1 (APR by IRR)."""
    from xieshang.engine.parsing import parse_count, parse_date
    from xieshang.engine.rates import annualised, xirr

    out = calc_out(lang, as_json)
    amount = _positive_amount(principal, "principal")
    if flows is not None and (payment is not None or periods is not None):
        raise InputError("flows", N_("give either --payment and --periods, or --flows"))
    if flows is not None:
        payments = [_positive_amount(part, "flows") for part in flows.split(",") if part.strip()]
        if not payments:
            raise InputError("flows", N_("list at least one payment"))
    elif payment is not None and periods is not None:
        count = parse_count(periods, "periods", minimum=1, maximum=600)
        payments = [_positive_amount(payment, "payment")] * count
    else:
        raise InputError("payment", N_("give --payment and --periods, or --flows"))
    cash = [-amount, *payments]
    rates = annualised(cash)
    dated_rate = None
    day_list: list[date] = []
    if dates is not None:
        day_list = [parse_date(part, "dates") for part in dates.split(",") if part.strip()]
        if len(day_list) != len(cash):
            raise InputError("dates", N_("give {expected} dates (the loan date, then one per "
                                         "payment); got {got}"),
                             expected=len(cash), got=len(day_list))
        if any(b < a for a, b in itertools.pairwise(day_list)):
            raise InputError("dates", N_("dates must be in order"))
        dated_rate = xirr(day_list, cash)
    payload = {"principal": amount, "payments": payments, "total_paid": sum(payments),
               "total_cost": sum(payments) - amount, "monthly_irr": rates.monthly,
               "apr_nominal": rates.nominal, "apr_effective": rates.effective,
               "xirr": dated_rate}
    if out.as_json:
        out.json(payload)
        return
    _ = out._
    rows = [
        (_("Principal received"), out.money(amount)),
        (_("Total repaid"), out.money(sum(payments, Decimal(0)))),
        (_("Total cost"), out.money(sum(payments, Decimal(0)) - amount)),
        (_("Monthly IRR"), out.percent(rates.monthly, 4)),
        (_("Nominal APR (monthly IRR × 12, the figure lenders must show)"),
         out.percent(rates.nominal)),
        (_("Effective annual rate ((1 + monthly IRR)^12 − 1)"), out.percent(rates.effective)),
    ]
    if dated_rate is not None:
        rows.append((_("XIRR on the real dates (ACT/365)"), out.percent(dated_rate)))
    out.print(out.table(_("Annualised rate (IRR method)"), [_("Item"), _("Value")], rows,
                        right=[1]))


# ------------------------------------------------------------------------ card-interest


@calc_app.command("card-interest")
@common_options
@click.option("--input", "input_file", type=click.Path(dir_okay=False), required=True, help="JSON 文件：daily_rate, statement_date, due_date, next_statement_date, transactions, payments（可选 basis: full 全额计息 | unpaid 按未还部分计息）")
def card_interest_command(
    input_file: str,
    lang: str | None = None,
    as_json: bool = False,
) -> None:
    """信用卡未全额还款时下期账单的利息，按记账日和余额分段列出 (card interest, itemised)."""
    from xieshang.engine.accrual import CardTransaction, Payment, card_interest
    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_date, parse_rate

    out = calc_out(lang, as_json)
    from pathlib import Path

    data = _read_json(Path(input_file))
    try:
        raw_rate = data["daily_rate"]
        # a number in the file is a fraction (0.0005); text needs its unit ("0.05%")
        rate = parse_rate(Decimal(str(raw_rate)) if isinstance(raw_rate, (int, float))
                          and not isinstance(raw_rate, bool) else str(raw_rate), "daily_rate")
        basis = str(data.get("basis", "full"))
        statement = parse_date(str(data["statement_date"]), "statement_date")
        due = parse_date(str(data["due_date"]), "due_date")
        next_statement = parse_date(str(data["next_statement_date"]), "next_statement_date")
        raw_tx = data.get("transactions", [])
        raw_pay = data.get("payments", [])
    except KeyError as missing:
        raise InputError("input", N_("{file}: the field {key} is missing"), file=str(input_file),
                         key=str(missing)) from None
    if not isinstance(raw_tx, list) or not isinstance(raw_pay, list):
        raise InputError("input", N_("{file}: transactions and payments must be lists"),
                         file=str(input_file))
    transactions = []
    for index, item in enumerate(raw_tx):
        where = f"transactions[{index}]"
        transactions.append(CardTransaction(
            posted=parse_date(str(_field(item, "posted", where)), f"{where}.posted"),
            amount=parse_amount(str(_field(item, "amount", where)), f"{where}.amount")))
    payments = []
    for index, item in enumerate(raw_pay):
        where = f"payments[{index}]"
        payments.append(Payment(
            on=parse_date(str(_field(item, "date", where)), f"{where}.date"),
            amount=parse_amount(str(_field(item, "amount", where)), f"{where}.amount")))
    if not statement <= due <= next_statement:
        raise InputError("due_date", N_("dates must be in order: statement_date ≤ due_date ≤ "
                                        "next_statement_date"))
    result = card_interest(rate, statement, due, next_statement, tuple(transactions),
                           tuple(payments), basis=basis)
    if out.as_json:
        out.json({"interest": result.interest, "full_payment": result.full_payment,
                  "segments": [_segment_json(s) for s in result.segments]})
        return
    from xieshang.cli import render
    from xieshang.rules import builtin_preset

    # the rule's source as shipped: a preset file of the person's own (even a broken one)
    # has no say in a calculation that takes no preset
    shipped = builtin_preset("credit_card_cn")
    card = None if shipped is None else shipped.source_of("penalty.card_interest_basis")
    out.print(render.card_table(
        out, result, source="" if card is None else render.public_source(out, card.ref,
                                                                          card.urls)))


def _segment_json(segment: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return dict(asdict(segment).items())


def _field(item: Any, key: str, where: str) -> Any:
    if not isinstance(item, dict) or key not in item:
        raise InputError(where, N_("needs the field {key}"), key=key)
    return item[key]


def _read_json(path: Path) -> dict[str, Any]:
    import json

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("input", N_("file not found: {file}"), file=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("input", N_("cannot read {file}: {error}"), file=str(path),
                         error=str(error)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError("input", N_("{file} is not valid JSON (line {line}, column {column})"),
                         file=str(path), line=error.lineno, column=error.colno) from None
    except RecursionError:  # nested past what the reader can follow
        raise InputError("input", N_("{file} nests too deeply to be read; the input is a flat "
                                     "JSON object with lists of transactions and payments"),
                         file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("input", N_("{file} must hold a JSON object"), file=str(path))
    return data


# ---------------------------------------------------------------------------------- cap

_LENDER_TYPES = {"bank": "bank", "consumer-finance": "consumer_finance",
                 "microloan": "microloan", "private": "private"}


@calc_app.command("cap")
@common_options
@click.option("--annual-rate", "annual_rate", required=True, help="合同年利率（含各项费用的综合年化），如 15%")
@click.option("--contract-date", "contract_date", required=True, help="合同成立日 YYYY-MM-DD")
@click.option("--lender-type", "lender_type", required=True, help="bank | consumer-finance | microloan | private")
def cap(
    annual_rate: str,
    contract_date: str,
    lender_type: str,
    lang: str | None = None,
    as_json: bool = False,
) -> None:
    """利率的法律参照：4 倍 LPR（民间借贷）与 24% 司法参考（持牌机构） (legal rate checks)."""
    from xieshang.engine.parsing import parse_date, parse_rate
    from xieshang.engine.preset import LenderType
    from xieshang.engine.rates import check_rate

    out = calc_out(lang, as_json)
    rate = parse_rate(annual_rate, "annual_rate")
    signed = parse_date(contract_date, "contract_date")
    key = _LENDER_TYPES.get(lender_type.strip().lower().replace("_", "-"))
    if key is None:
        raise InputError("lender_type", N_("'{value}' is not a lender type; use bank, "
                                           "consumer-finance, microloan or private"),
                         value=lender_type)
    from xieshang.rules import lpr_table, rate_law

    result = check_rate(rate, signed, LenderType(key), lpr_table(), **rate_law())
    from xieshang.cli import render

    if out.as_json:
        out.json(render.cap_json(result))
        return
    out.print(*render.cap_report(out, result))


# ----------------------------------------------------------------------------- timeline


@calc_app.command("timeline")
@common_options
@click.option("--product", "product", required=True, help="产品 id，如 huabei")
@click.option("--amount", "amount", required=True, help="逾期本金（不含利息和费用；恶意透支的数额按本金算）. Overdue principal.")
@click.option("--interest", "interest", required=False, help="到期未还的利息. Interest due.")
@click.option("--fees", "fees", required=False, help="已产生的费用. Fees already due.")
@click.option("--overdue-since", "overdue_since", required=True, help="逾期第一天 YYYY-MM-DD（错过的还款日的次日）")
@click.option("--as-of", "as_of", required=False, help="从哪天看起 YYYY-MM-DD（默认今天）")
@click.option("--daily-rate", "daily_rate", required=False, help="合同日利率，如 0.05%. Contract daily rate.")
@click.option("--annual-rate", "annual_rate", required=False, help="合同年利率，如 18%. Contract annual rate.")
@click.option("--penalty-rate", "penalty_rate", required=False, help="逾期日利率，如 0.05%. Overdue daily rate.")
@click.option("--posted-on", "posted_on", required=False, help="信用卡：消费记账日 YYYY-MM-DD. Card: posting date.")
@click.option("--contract-date", "contract_date", required=False, help="亲友借款：借款日期 YYYY-MM-DD. Private loan: date it was made.")
@YES_OPTION
def timeline_command(
    product: str,
    amount: str,
    overdue_since: str,
    as_of: str | None = None,
    interest: str | None = None,
    fees: str | None = None,
    daily_rate: str | None = None,
    annual_rate: str | None = None,
    penalty_rate: str | None = None,
    posted_on: str | None = None,
    contract_date: str | None = None,
    yes: bool = False,
    lang: str | None = None,
    as_json: bool = False,
) -> None:
    """接下来会发生什么：带日期的时间线和每个节点的应还金额 (the dated timeline ahead).

    ``--amount`` is the principal (the malicious-overdraft threshold counts principal
    only); interest and fees already due are ``--interest`` and ``--fees``.
    """
    from xieshang.engine.parsing import parse_date
    from xieshang.engine.timeline import timeline

    out = calc_out(lang, as_json)
    preset = load_preset(product)
    principal = _positive_amount(amount, "amount")
    first_day = parse_date(overdue_since, "overdue_since")
    day = parse_date(as_of, "as_of") if as_of is not None else _today()
    if day < first_day - timedelta(days=1):
        raise InputError("as_of", N_("must not be before the missed repayment date {due}"),
                         due=(first_day - timedelta(days=1)).isoformat())
    due = first_day - timedelta(days=1)
    debt, _private = typed_debt(out, preset, principal, due, day, yes=yes,
                                 daily_rate=daily_rate, annual_rate=annual_rate,
                                 penalty_rate=penalty_rate, posted_on=posted_on,
                                 contract_date=contract_date)
    from dataclasses import replace

    from xieshang.engine.money import parse_amount

    debt = replace(debt, interest=parse_amount(interest, "interest") if interest else ZERO_FEN,
                   fees=parse_amount(fees, "fees") if fees else ZERO_FEN)
    from xieshang.rules import law

    events = timeline(debt, day, law())
    from xieshang.cli import render

    if out.as_json:
        out.json({"product": preset.id, "as_of": day, "events": render.events_json(events)})
        return
    out.print(render.timeline_table(out, events, day))
