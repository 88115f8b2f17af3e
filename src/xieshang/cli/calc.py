"""``xieshang calc overdue``, and what the other calculators share with it.

Each calculator parses its options with the engine's parsers (so every error names the
field), calls one engine function and renders the result as a table or, with ``--json``,
as JSON. The others (installment, schedule, apr, card-interest, cap, timeline) are in
:mod:`xieshang.cli.calculators`: ``calc overdue``, the one most run, makes only its own
command and options (issue 16, start-up).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.main import calc_app, common_options
from xieshang.cli.rates import YES_OPTION, checked_rates
from xieshang.clock import today as _today
from xieshang.engine.errors import N_, InputError
from xieshang.rules import load_one_preset as load_preset

if TYPE_CHECKING:
    from xieshang.engine.preset import Preset
    from xieshang.output import Output


def calc_out(lang: str | None, as_json: bool) -> Output:
    """:func:`xieshang.cli.casefile.command_out` for the calculators, which do not import
    the case file's module (start-up)."""
    from xieshang.output import Output

    return Output.make(lang, as_json)


def _source_line(out: Output, preset: Preset, parameter: str) -> str:
    _ = out._
    source = preset.source_of(parameter)
    mark = {"V": _("verified"), "S": _("secondary source, not verified against the contract"),
            "C": _("computed"), "NF": _("not verified: a default you can change"),
            "USER": _("set by you")}[source.confidence.value]
    from xieshang.cli.render import public_source

    # the public source the preset names (a law, a web address), never our own reference
    # files (rules-cn.md): a person must be able to look it up
    ref = public_source(out, source.ref, source.urls)
    label = _("Source")
    return " ".join(part for part in (f"{label}:", ref, f"[{source.confidence.value}]", mark)
                    if part)


# ------------------------------------------------------------------------------ overdue


@calc_app.command("overdue")
@common_options
@click.option("--product", "product", required=True, help="产品 id：huabei, jiebei, credit_card_cn, weilidai, jd_baitiao, meituan_yuefu, generic_loan, informal_loan")
@click.option("--amount", "amount", required=True, help="逾期金额，如 2000、¥1,234.50、1.2万")
@click.option("--days", "days", required=False, help="逾期天数")
@click.option("--from", "from_", required=False, help="错过的还款日 YYYY-MM-DD")
@click.option("--to", "to", required=False, help="计算到（还款）日期 YYYY-MM-DD")
@click.option("--daily-rate", "daily_rate", required=False, help="合同日利率，如 0.05%（不填用预设）. Contract daily rate.")
@click.option("--annual-rate", "annual_rate", required=False, help="合同年利率，如 18%. Contract annual rate.")
@click.option("--penalty-rate", "penalty_rate", required=False, help="逾期日利率（账单与预设不同时），如 0.05%. Overdue daily rate.")
@click.option("--posted-on", "posted_on", required=False, help="信用卡：消费记账日 YYYY-MM-DD（未全额还款时从这天起计息）. Card: posting date.")
@click.option("--contract-date", "contract_date", required=False, help="亲友借款：借款日期 YYYY-MM-DD. Private loan: date it was made.")
@YES_OPTION
def overdue(
    product: str,
    amount: str,
    days: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    daily_rate: str | None = None,
    annual_rate: str | None = None,
    penalty_rate: str | None = None,
    posted_on: str | None = None,
    contract_date: str | None = None,
    yes: bool = False,
    lang: str | None = None,
    as_json: bool = False,
) -> None:
    """逾期费用：本金、利息、罚息、违约金逐项列出 (overdue charges, itemised).

    ``--daily-rate``/``--annual-rate`` are the contract rate (as in ``debt add``; 借呗's
    penalty is 1.5 × it), ``--penalty-rate`` the overdue rate itself.
    """
    from xieshang.engine.accrual import bill_on
    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_count, parse_date

    out = calc_out(lang, as_json)
    preset = load_preset(product)
    principal = parse_amount(amount, "amount")
    if principal <= 0:
        raise InputError("amount", N_("must be more than 0 (got {value})"), value=amount)
    if days is not None and (from_ is not None or to is not None):
        raise InputError("days", N_("give either --days or --from/--to, not both"))
    if days is not None:
        count = parse_count(days, "days", minimum=0, maximum=3650)
        as_of = _today()
        due = as_of - timedelta(days=count)
    elif from_ is not None and to is not None:
        due = parse_date(from_, "from")
        as_of = parse_date(to, "to")
        if as_of < due:
            raise InputError("to", N_("must not be before the start date {start}"),
                             start=due.isoformat())
    else:
        raise InputError("days", N_("give --days N, or --from DATE and --to DATE"))
    debt, private = typed_debt(out, preset, principal, due, as_of, yes=yes,
                                daily_rate=daily_rate, annual_rate=annual_rate,
                                penalty_rate=penalty_rate, posted_on=posted_on,
                                contract_date=contract_date)
    rate = None if penalty_rate is None else debt.penalty_daily_rate
    bill = bill_on(debt, as_of)
    used_rate = _penalty_rate_of(debt)
    payload = {
        "product": preset.id,
        "due_date": due,
        "as_of": as_of,
        "days_overdue": bill.days_overdue,
        "principal": bill.principal,
        "interest": bill.interest,
        "penalty": bill.penalty,
        "fees": bill.fees,
        "total": bill.total,
        "daily_cost": bill.daily_cost,
        "penalty_daily_rate": used_rate,
        "penalty_model": preset.penalty.model,
        "source": _source_json(preset, "penalty") if rate is None else {"confidence": "USER"},
        "private_loan": _private_loan_json(private),
    }
    if out.as_json:
        out.json(payload)
        return
    from xieshang.cli import render

    out.print(render.bill_table(out, preset, bill))
    if private is not None:
        from xieshang.present.views import private_loan_lines

        for text in private_loan_lines(out, _private_loan_json(private)):
            out.print(text)
    elif rate is None:
        out.print(_source_line(out, preset, "penalty"))


def _private_loan_json(private: Any) -> dict[str, Any] | None:
    """:func:`~xieshang.present.views.private_loan_json` (``None`` for other lenders: the
    views are imported only for a private loan)."""
    if private is None:
        return None
    from xieshang.present.views import private_loan_json

    return private_loan_json(private)


def typed_debt(out: Output, preset: Preset, principal: Decimal, due: date, as_of: date, *,
                yes: bool, daily_rate: str | None, annual_rate: str | None,
                penalty_rate: str | None, posted_on: str | None,
                contract_date: str | None) -> tuple[Any, Any]:
    """An overdue debt from the calculator options (the same meanings as ``debt add``),
    and for a private loan how its rate was found."""
    from xieshang.engine.accrual import OverdueDebt
    from xieshang.engine.parsing import parse_date, parse_rate

    rates = checked_rates(out, {"daily_rate": daily_rate, "annual_rate": annual_rate,
                                "penalty_rate": penalty_rate}, yes=yes)
    if rates["daily_rate"] is not None and rates["annual_rate"] is not None:
        raise InputError("annual_rate", N_("give either --annual-rate or --daily-rate, "
                                           "not both"))
    contract = None
    if rates["daily_rate"] is not None:
        contract = parse_rate(rates["daily_rate"], "daily_rate")
    elif rates["annual_rate"] is not None:
        contract = parse_rate(rates["annual_rate"], "annual_rate") / preset.day_basis.days
    rate = (parse_rate(rates["penalty_rate"], "penalty_rate")
            if rates["penalty_rate"] is not None else None)
    posted = parse_date(posted_on, "posted_on") if posted_on is not None else None
    if posted is not None and posted > due:
        raise InputError("posted_on", N_("must not be after the due date {due}"),
                         due=due.isoformat())
    made = parse_date(contract_date, "contract_date") if contract_date is not None else None
    if made is not None and made > due:  # as debt add: a loan is made before it falls due
        raise InputError("contract_date", N_("must not be after the due date {due}"),
                         due=due.isoformat())
    debt = OverdueDebt(preset=preset, principal=principal, due_date=due, penalty_daily_rate=rate,
                       contract_daily_rate=contract,
                       interest_from=posted if preset.penalty.card_interest_basis else None)
    from xieshang.engine.preset import LenderType

    if preset.lender_type is not LenderType.PRIVATE:
        return debt, None  # as private_loan_rate, without importing the services (issue 16)
    from xieshang.services.debts import private_loan_rate

    return private_loan_rate(debt, made, as_of)


def _penalty_rate_of(debt: Any) -> Decimal | None:
    """The overdue daily rate a debt is charged at (its own, else the preset's rule)."""
    from xieshang.engine.preset import PenaltyModel

    if debt.penalty_daily_rate is not None:
        return Decimal(debt.penalty_daily_rate)
    penalty = debt.preset.penalty
    contract = debt.contract_daily_rate if debt.contract_daily_rate is not None \
        else debt.preset.contract_daily_rate
    if penalty.model in (PenaltyModel.CONTRACT_MULTIPLE, PenaltyModel.ON_TOP) \
            and contract is not None:
        return Decimal(contract * (penalty.multiplier if penalty.multiplier is not None
                                   else 1))
    rate: Decimal | None = debt.preset.penalty_daily_rate
    return rate


def _source_json(preset: Preset, parameter: str) -> dict[str, Any]:
    """A parameter's source as plain values: ``ref`` is the public source as the table
    shows it (:func:`~xieshang.cli.render.public_source`), never our own reference's
    section."""
    from xieshang.cli.render import public_source

    source = preset.source_of(parameter)
    return {"confidence": source.confidence.value,
            "ref": public_source(None, source.ref, source.urls), "urls": list(source.urls),
            "note": source.note}
