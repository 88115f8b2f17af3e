"""``xieshang ladder``, ``xieshang offer`` and ``xieshang script``: what to ask for (the
proposal ladder from the budget's split), whether the lender's counter-offer fits, and
what to say (scripts, letters and drafts from ``xieshang.documents``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xieshang.cli.casefile import case_option, session
from xieshang.cli.casefile import command_out as _out
from xieshang.cli.main import CONTEXT, app, common_options
from xieshang.engine.errors import N_, InputError
from xieshang.paths import write_private
from xieshang.present import debt_name
from xieshang.services.cases import find_case, find_debt

if TYPE_CHECKING:
    from xieshang.engine.negotiation import (
        Card,
    )
    from xieshang.output import Output

from xieshang.cli.render import pay_now_lines
from xieshang.present.documents import budgetless_context, case_dossier, document_context
from xieshang.present.views import prepare_payload, refusal_answer
from xieshang.services.negotiation import (
    IDENTIFIED,
    RUNGS,
    VERDICTS,
    WITHOUT_BUDGET,
    channel_line,
    check_json,
    check_offer_for,
    debt_inputs,
    format_percent,
    ladder_json,
    log_refusal,
    mark_label,
    negotiation_data,
    offer_scope,
    optional_amount,
    optional_rate,
    record_offer,
    scam_line,
)

__all__ = [
    "dossier_command",
    "ladder_command",
    "offer_command",
    "prepare_command",
    "refused_command",
    "script_command",
]


def _print_card(out: Output, card: Card, kind: str | None = None,
                lender_type: str | None = None) -> None:
    out.print(f"[bold]{card.title.get(out.lang)}[/bold]", card.intro.get(out.lang))
    out.print(out.bullets(f"{item.text.get(out.lang)} {mark_label(item.source)}"
                          for item in card.for_kind(kind, lender_type)))


@app.command("ladder", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--debt", "debt_id", default=None, metavar="ID",
              help="债务编号（案例只有一笔时可省略）. The debt (optional with one debt).")
def ladder_command(debt_id: str | None, case_id: str | None = None, lang: str | None = None,
                   as_json: bool = False) -> None:
    """协商阶梯：首次请求、退一步的方案、底线 (the proposal ladder for a debt)."""
    from xieshang.cli.debt import arrangement_lines
    from xieshang.present.views import debt_status

    out = _out(lang, as_json)
    _ = out._
    with session(out, readonly=True) as tx:
        inputs = debt_inputs(tx, case_id, debt_id)
        name = debt_name(out, inputs.debt)
        agreed = debt_status(out, tx, inputs.debt, inputs.day)["arrangement"]
    if agreed is not None:  # the lender agreed: there is nothing left to ask for
        if out.as_json:
            out.json({"debt": inputs.debt.id, "arrangement": agreed, "rungs": []})
            return
        out.print(_("{debt} is under an arrangement you accepted: there is nothing to ask "
                    "for. Ask the lender to confirm it in writing "
                    "(`xieshang script --channel confirm`).").format(debt=name))
        out.print(*arrangement_lines(out, agreed))
        return
    payload = ladder_json(inputs, out.lang)
    first = pay_now_lines(out, inputs)
    if out.as_json:
        payload["reasons"] = [
            [reason.render(_(reason.message)) for reason in rung.reasons]
            for rung in inputs.ladder.rungs]
        payload["pay_now"] = first
        out.json(payload)
        return
    if first:  # the small-amount path comes first
        out.print("[bold]" + first[0] + "[/bold]", *first[1:], "")
    def rows(ladder: Any) -> list[tuple[str, ...]]:
        return [(rung.label.get(out.lang), str(rung.periods or "—"), out.money(rung.monthly),
                 out.money(rung.total_paid),
                 "—" if rung.evaluation is None
                 else out.money(rung.evaluation.schedule.total_cost),
                 "—" if rung.evaluation is None
                 else format_percent(rung.evaluation.apr_nominal))
                for rung in ladder.rungs]

    headers = [_("Level"), _("Months"), _("A month"), _("Total paid"), _("Cost"), _("APR")]
    loan = inputs.loan
    if loan is None:
        title = _("Proposal ladder for {debt}: owed {owed}, your budget gives it {affordable} "
                  "a month").format(debt=name, owed=out.money(inputs.bill.total),
                                    affordable=out.money(inputs.ladder.affordable))
    else:
        title = _("Bring the arrears of {debt} current: {owed} overdue, while the regular "
                  "installment of {regular} keeps falling due every month; of the {share} "
                  "your budget gives this debt, {left} a month is left for the arrears").format(
            debt=name, owed=out.money(inputs.bill.total), regular=out.money(loan.regular),
            share=out.money(inputs.affordable), left=out.money(loan.arrears.affordable))
    out.print(out.table(title, headers, rows(inputs.ladder), right=[1, 2, 3, 4, 5]))
    if loan is not None:
        out.print(out.table(
            _("Or reschedule the whole balance of {debt}: {owed} (the arrears and the "
              "principal not yet due) in one new schedule within the {share} a month your "
              "budget gives it").format(debt=name, owed=out.money(loan.whole_bill.total),
                                        share=out.money(inputs.affordable)),
            headers, rows(loan.whole), right=[1, 2, 3, 4, 5]))
    starts = {rung.evaluation.schedule.rows[0].due for rung in inputs.ladder.rungs
              if rung.evaluation is not None and inputs.deferral_months}
    if starts:
        out.print(_("Your budget has nothing for this debt before {date}: every plan starts "
                    "then.").format(date=min(day for day in starts if day).isoformat()))
    for rung in inputs.ladder.rungs:
        out.print(rung.label.get(out.lang) + ("：" if out.lang.startswith("zh") else ":"))
        out.print(out.bullets(
            reason.render(_(reason.message))
            + ("" if reason.source is None else f" [{reason.source.confidence.value}]")
            for reason in rung.reasons))
    if inputs.settlement is not None:
        out.print(_("With your savings:"))
        reason = inputs.settlement.reason
        out.print(out.bullets([reason.render(_(reason.message))]))
    out.print(out.bullets([scam_line(out.lang)], indent=0, mark="⚠"))


@app.command("offer", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--debt", "debt_id", default=None, metavar="ID",
              help="债务编号（案例只有一笔时可省略）. The debt (optional with one debt).")
@click.option("--periods", "periods", default=None, metavar="N", help="期数（一次性结清时可省略）. Number of monthly payments (not needed with --settle).")
@click.option("--monthly", "monthly", default=None, metavar="AMOUNT", help="每月还款额. The monthly amount they stated.")
@click.option("--fee-rate", "fee_rate", default=None, metavar="RATE", help="整个期限的手续费率，如 8.8%. Total fee rate over the term.")
@click.option("--monthly-fee-rate", "monthly_fee_rate", default=None, metavar="RATE", help="每月手续费率，如 0.6%. Monthly fee rate.")
@click.option("--annual-rate", "annual_rate", default=None, metavar="RATE", help="年利率，如 12%. Annual interest rate.")
@click.option("--waive-penalty", "waive_penalty", is_flag=True, help="减免全部罚息和费用. Penalty and fees waived.")
@click.option("--down-payment", "down_payment", default=None, metavar="AMOUNT", help="需要先还的金额. An amount to pay first.")
@click.option("--save", "save", is_flag=True, help="把这个方案记入案例（对方提出的方案）. Record it as an offered proposal.")
@click.option("--accept", "accept", is_flag=True, help="接受这个方案：记入案例并作为这笔债务的还款安排. Accept it: the debt's arrangement.")
@click.option("--scope", "scope", default=None, metavar="arrears|whole", help="分期借款：方案只针对已逾期的几期（arrears），还是把全部欠款重新分期（whole）. For a loan with installments ahead: what the offer covers.")
@click.option("--defer-months", "defer_months", default=None, metavar="N", help="先延期几个月不用还，再开始分期. Months with nothing to pay before the payments start.")
@click.option("--token", "token", default=None, metavar="AMOUNT", help="延期期间每月象征性还款额. A small amount paid in each deferred month.")
@click.option("--settle", "settle", default=None, metavar="AMOUNT", help="一次性结清的金额. A lump-sum settlement of this amount.")
@click.option("--settle-on", "settle_on", default=None, metavar="YYYY-MM-DD", help="结清款哪天还（默认今天）. The day the settlement is paid (default: today).")
def offer_command(debt_id: str | None, periods: str | None, monthly: str | None,
                  fee_rate: str | None,
                  monthly_fee_rate: str | None, annual_rate: str | None, waive_penalty: bool,
                  down_payment: str | None, save: bool, accept: bool, scope: str | None = None,
                  defer_months: str | None = None, token: str | None = None,
                  settle: str | None = None, settle_on: str | None = None,
                  case_id: str | None = None,
                  lang: str | None = None, as_json: bool = False) -> None:
    """检查对方提出的方案：还得起吗、真实年化和总成本、下一步怎么说 (check a counter-offer)."""
    from xieshang.engine.negotiation import Offer
    from xieshang.engine.parsing import parse_count
    from xieshang.engine.schedules import MAX_PERIODS

    out = _out(lang, as_json)
    _ = out._
    from xieshang.services.negotiation import offer_phase_fields

    waiver = Decimal(1) if waive_penalty else Decimal(0)
    phase = offer_phase_fields(defer_months, token, settle, settle_on)
    if periods is None and settle is None:
        raise InputError("periods", N_("give the number of monthly payments (--periods), or "
                                       "a settlement amount (--settle)"))
    offer = Offer(periods=1 if periods is None else parse_count(periods, "periods", minimum=1,
                                                                  maximum=MAX_PERIODS),
                  **phase,
                  monthly_amount=optional_amount(monthly, "monthly"),
                  annual_rate=optional_rate(annual_rate, "annual_rate"),
                  monthly_fee_rate=optional_rate(monthly_fee_rate, "monthly_fee_rate"),
                  total_fee_rate=optional_rate(fee_rate, "fee_rate"),
                  waive_penalty=waiver, waive_fees=waiver,
                  down_payment=optional_amount(down_payment, "down_payment"))
    covers = offer_scope(scope)
    saved = None
    with session(out, readonly=not (save or accept)) as tx:
        inputs = debt_inputs(tx, case_id, debt_id)
        check = check_offer_for(inputs, offer, covers, tx)
        if save or accept:
            saved = record_offer(tx, inputs, offer, check, {
                "monthly": monthly, "fee_rate": fee_rate, "monthly_fee_rate": monthly_fee_rate,
                "annual_rate": annual_rate, "waive_penalty": waive_penalty,
                "down_payment": down_payment, "scope": covers, "defer_months": defer_months,
                "token": token, "settle": settle, "settle_on": settle_on}, accept=accept)
    if out.as_json:
        payload = check_json(check, _, share=inputs.affordable)
        payload["proposal"] = saved
        out.json(payload)
        return
    rows = [
        (_("Settlement (one payment)"), out.money(check.total_paid)),
        (_("Paid on"), check.dates[-1].isoformat()),
        (_("You can pay by then"), out.money(check.total_paid - check.monthly_gap)),
        (_("Waived"), out.money(check.waived)),
    ] if offer.settlement else [
        (_("Largest monthly payment"), out.money(check.max_payment)),
        (_("Your budget for this debt"), out.money(inputs.affordable)),
        (_("Paid first"), out.money(check.down_payment)),
        (_("Total paid"), out.money(check.total_paid)),
        (_("Waived"), out.money(check.waived)),
        (_("APR"), format_percent(check.apr_nominal)),
    ]
    out.print(out.table(_("The offer: {verdict}").format(verdict=_(VERDICTS[check.verdict.value])),
                        [_("Item"), _("Amount")], rows, right=[1]))
    out.print(_("What to say next:"))
    out.print(out.bullets(advice.render(_(advice.message)) for advice in check.advice))
    if accept:
        out.print(_("Accepted: recorded as proposal {id}; the debt is now under an "
                    "arrangement and `xieshang plan` follows it. Keep the lender's written "
                    "confirmation.").format(id=saved))
    elif saved is not None:
        out.print(_("Recorded as proposal {id}.").format(id=saved))
    out.print(out.bullets([scam_line(out.lang)], indent=0, mark="⚠"))


@app.command("refused", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--reason", "reason", required=True,
              help="no_hardship_proof | offer_too_low | term_too_long | not_eligible | app_only")
@click.option("--debt", "debt_id", default=None, metavar="ID",
              help="债务编号（案例只有一笔时可省略）. The debt (optional with one debt).")
@click.option("--rung", "rung", default="ask", show_default=True,
              help="被拒绝的是哪一级：ask | fallback | walk_away. The rung they refused.")
@click.option("--log", "log_channel", default=None, metavar="CHANNEL",
              help="同时记为一次联系（渠道：phone | chat | app | letter | social | branch）. "
                   "Also record it as a contact on this channel.")
def refused_command(reason: str, debt_id: str | None, rung: str, log_channel: str | None,
                    case_id: str | None = None, lang: str | None = None,
                    as_json: bool = False) -> None:
    """对方拒绝了：可能的原因和下一步 (they said no: the likely cause and the next moves)."""
    out = _out(lang, as_json)
    _ = out._
    data = negotiation_data()
    refusal = data.refusal(reason.strip())
    level = rung.strip().lower().replace("-", "_")
    if level not in RUNGS:
        raise InputError("rung", N_("must be one of {allowed} (got {value})"),
                         allowed=", ".join(RUNGS), value=rung)
    channel = None
    if log_channel is not None:
        from xieshang.services.contacts import CHANNELS, one_of

        channel = one_of(log_channel, CHANNELS, "log")
    contact = None
    with session(out, readonly=channel is None) as tx:
        answer = refusal_answer(out, tx, case_id, debt_id, refusal.id, level)
        if channel is not None:
            from xieshang.clock import now_local

            contact = log_refusal(tx, answer, channel, now_local().replace(second=0, microsecond=0),
                                  out.lang)
    payload = answer.payload
    payload["contact"] = contact
    name, moves, ladder, official = (answer.name, answer.moves, answer.ladder,
                                     payload["official"])
    if out.as_json:
        out.json(payload)
        return
    out.print(f"[bold]{payload['label']}[/bold] — {name}")
    out.print(_("Likely cause:") + f" {payload['cause']} [dim]{mark_label(answer.refusal.source)}[/dim]")
    out.print(_("Next moves, one at a time:"))
    for index, move in enumerate(moves, 1):
        out.print(out.bullets([f"{move.render(out.lang)} {mark_label(move.source)}"], indent=0,
                              mark=f"{index}."))
        out.print(out.bullets((f"{m.label.get(out.lang)}: {m.detail.get(out.lang)}"
                               for m in move.materials), indent=3, mark="–"))
    if payload["channels"]:
        out.print(_("The lender's channels:"))
        out.print(out.bullets(channel_line(item) for item in payload["channels"]))
    out.print(_("If the rules were not followed, the official channels:"))
    out.print(out.bullets(channel_line(item) for item in official))
    if contact is not None:
        out.print(_("Contact {id} recorded for {name}.").format(id=contact, name=name))
    if ladder is None:
        out.print(_("Fill in the budget (`xieshang budget set`) to get a revised offer with "
                    "your own numbers."))


@app.command("prepare", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--debt", "debt_id", default=None, metavar="ID",
              help="债务编号（案例只有一笔时可省略）. The debt (optional with one debt).")
def prepare_command(debt_id: str | None, case_id: str | None = None, lang: str | None = None,
                    as_json: bool = False) -> None:
    """联系贷款机构之前要准备什么：材料清单、渠道、你的权利、小心付费代理
    (what to prepare before contacting the lender)."""
    out = _out(lang, as_json)
    _ = out._
    data = negotiation_data()
    with session(out, readonly=True) as tx:
        case = find_case(tx, case_id)
        debt = find_debt(tx, case, debt_id)
        payload = prepare_payload(out, tx, case, debt)
        name = debt_name(out, debt)
    materials = [data.material(item["id"]) for item in payload["materials"]]
    if out.as_json:
        out.json(payload)
        return
    out.print(_("Before you contact the lender about {debt}:").format(debt=name))
    out.print("[bold]" + _("Materials to prepare") + "[/bold]")
    out.print(out.bullets((f"{m.label.get(out.lang)}: {m.detail.get(out.lang)} "
                           f"{mark_label(m.source)}" for m in materials), mark="☐"))
    out.print("[bold]" + _("Channels") + "[/bold]")
    if not payload["channels"]:
        out.print("  " + _("This product's rules list no channels: use the number on your "
                           "contract or statement."))
    out.print(out.bullets(channel_line(item) for item in payload["channels"]))
    _print_card(out, data.rights, payload["product_kind"], payload["lender_type"])
    _print_card(out, data.scam, payload["product_kind"])


@app.command("script", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--channel", "channel", required=True,
              help="phone | chat | letter | hardship | budget | confirm | noreply | reconsider | "
                   "statement | collector | social | complaint | agreement")
@click.option("--debt", "debt_id", default=None, metavar="ID",
              help="债务编号（案例只有一笔时可省略）. The debt (optional with one debt).")
@click.option("--output", "output", default=None, type=click.Path(path_type=Path, dir_okay=False),
              help="写入文件（默认显示在屏幕上）. Write to this file (default: print).")
@click.option("--with-identifiers", "with_identifiers", is_flag=True, default=False,
              help="在要寄出的文书里写上完整的姓名、身份证号、电话和卡号（只写入 --output 文件，"
                   "需要确认）. Put your full name, ID number, phone and card number in the "
                   "document you will send (written to the --output file only; asks first).")
@click.option("--yes", "confirmed", is_flag=True, default=False,
              help="不再询问，确认写上完整的身份信息. Confirm --with-identifiers without asking.")
def script_command(channel: str, debt_id: str | None, output: Path | None,
                   with_identifiers: bool = False, confirmed: bool = False,
                   case_id: str | None = None, lang: str | None = None,
                   as_json: bool = False) -> None:
    """协商用的文书：电话提纲、在线客服、申请书、困难说明、收支说明、书面确认、跟进函、复议申请、欠款明细申请、给催收的告知函、公开求助、投诉；亲友借款另有还款协议 (scripts and letters).

    --lang zh | en | zh-Hant (Taiwan) | zh-HK (Hong Kong).
    """
    from xieshang.documents import kind_of, render_document

    kind = kind_of(channel)
    code = (lang or "").lower().replace("_", "-")
    doc_lang = {"zh-hant": "zh-Hant", "zh-tw": "zh-Hant", "zh-hk": "zh-HK"}.get(code)
    out = _out("zh" if doc_lang else lang, as_json)
    if with_identifiers:
        if kind.value not in IDENTIFIED:
            raise InputError("with-identifiers", N_(
                "the '{value}' document is never sent with your identifiers; leave out "
                "--with-identifiers"), value=kind.value)
        if output is None:
            raise InputError("output", N_(
                "--with-identifiers writes your identifiers to a file only, never to the "
                "screen: add --output FILE"))
        if not confirmed and not click.confirm(out._(
                "The document will show your full name, ID number, phone and card or account "
                "number unmasked, for the lender to find your account. Write it to {file}?"
                ).format(file=output), default=False, err=True):
            raise InputError("with-identifiers", N_("not confirmed: nothing was written"))
    with session(out, readonly=True) as tx:
        try:
            context = document_context(out, tx, debt_inputs(tx, case_id, debt_id),
                                       with_identifiers=with_identifiers)
        except InputError as error:
            # a complaint, a public post, a confirmation or a follow-up states no share of
            # the budget
            if error.field != "budget_statement" or kind.value not in WITHOUT_BUDGET:
                raise
            context = budgetless_context(out, tx, case_id, debt_id,
                                         with_identifiers=with_identifiers)
    text = render_document(kind, context, doc_lang or out.lang)
    if output is not None:
        try:
            write_private(output, text)
        except OSError as error:
            raise InputError("output", N_("cannot write {file}: {error}"), file=str(output),
                             error=error.strerror or str(error)) from None
    if out.as_json:
        out.json({"channel": kind.value, "lang": doc_lang or out.lang,
                  "output": None if output is None else str(output),
                  "text": None if with_identifiers else text})
        return
    if output is not None:
        out.print(out._("Written to {file}.").format(file=output))
        return
    click.echo(out.screen(text), nl=False)  # Traditional when $XIESHANG_LANG asks for it


@app.command("dossier", context_settings=CONTEXT)
@common_options
@case_option
@click.option("--html", "html_file", default=None,
              type=click.Path(path_type=Path, dir_okay=False),
              help="写出 HTML 文件. Write the HTML to this file.")
@click.option("--pdf", "pdf_file", default=None, type=click.Path(path_type=Path, dir_okay=False),
              help="写出 PDF 文件（WeasyPrint，内嵌中文字体）. Write the PDF to this file.")
def dossier_command(html_file: Path | None, pdf_file: Path | None, case_id: str | None = None,
                    lang: str | None = None, as_json: bool = False) -> None:
    """整套协商材料：情况、账单、时间线、收支、方案、话术、联系记录、承诺、证据索引 (the dossier, HTML and PDF)."""
    from xieshang.documents.dossier import pdf_bytes, render_dossier_html

    hant = (lang or "").lower().replace("_", "-") in ("zh-hant", "zh-tw")
    out = _out("zh" if hant else lang, as_json)
    doc_lang = "zh-Hant" if hant else out.lang
    with session(out, readonly=True) as tx:
        dossier = case_dossier(out, tx, case_id)
    html = render_dossier_html(dossier, doc_lang)
    if html_file is not None:
        try:
            write_private(html_file, html)
        except OSError as error:
            raise InputError("html", N_("cannot write {file}: {error}"), file=str(html_file),
                             error=error.strerror or str(error)) from None
    if pdf_file is not None:
        pdf = pdf_bytes(html)
        try:
            write_private(pdf_file, pdf)
        except OSError as error:
            raise InputError("pdf", N_("cannot write {file}: {error}"), file=str(pdf_file),
                             error=error.strerror or str(error)) from None
    if out.as_json:
        out.json({"html": None if html_file is None else str(html_file),
                  "pdf": None if pdf_file is None else str(pdf_file),
                  "debts": len(dossier.debts)})
        return
    if html_file is None and pdf_file is None:
        click.echo(html, nl=False)
        return
    for written in (html_file, pdf_file):
        if written is not None:
            out.print(out._("Written to {file}.").format(file=written))
