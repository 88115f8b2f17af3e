"""Rich renderings of engine results, shared by the calculators and the demo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xieshang.engine.errors import N_

if TYPE_CHECKING:
    from collections.abc import Sequence

    from xieshang.engine.accrual import CardInterest
    from xieshang.engine.bill import Bill
    from xieshang.engine.preset import Preset
    from xieshang.engine.rates import AnnualRates, CapCheck
    from xieshang.engine.schedules import Schedule
    from xieshang.engine.timeline import Event
    from xieshang.output import Output
    from xieshang.services.negotiation import DebtInputs
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Debt


def public_source(out: Output | None, ref: str, urls: Sequence[str]) -> str:
    """A source as a person may see it: the sections of the person's own guide that ``ref``
    names (``guide §5.2``, shipped as docs/guide.*.md) and the first public source of
    ``urls`` — a law's title or a web address
    (:func:`xieshang.engine.preset.public_sources`). The sections of our own reference
    files (a bare ``§1.2``, ``rules-cn.md …``) are not public sources and are left out, as
    on the web (``web.page.public_ref``). ``out`` None: the guide's sections as written
    (JSON)."""
    from xieshang.engine.preset import guide_sections, public_sources

    parts = []
    guide = guide_sections(ref)
    if guide:
        sections = ", ".join(guide)
        parts.append(f"guide {sections}" if out is None
                     else out._("the guide {sections}").format(sections=sections))
    parts.extend(public_sources(urls)[:1])
    return " · ".join(parts)


def bill_table(out: Output, preset: Preset, bill: Bill, *, title: str | None = None) -> Any:
    """Today's itemised bill for one debt."""
    _ = out._
    name = preset.name.get(out.lang)
    heading = title or _("{product}: amount due on {date} ({days} days overdue)").format(
        product=name, date=bill.as_of.isoformat(), days=bill.days_overdue)
    rows = [
        (_("Principal"), out.money(bill.principal)),
        (_("Contract interest"), out.money(bill.interest)),
        (_("Penalty interest"), out.money(bill.penalty)),
        (_("Late fees and other fees"), out.money(bill.fees)),
        (_("Total due"), out.money(bill.total)),
        (_("Each further day adds"), out.money(bill.daily_cost)),
    ]
    return out.table(heading, [_("Item"), _("Amount")], rows, right=[1])


def schedule_table(out: Output, schedule: Schedule, *, title: str) -> Any:
    """A schedule, one row per period."""
    _ = out._
    dated = any(row.due is not None for row in schedule.rows)
    columns = [_("Period")]
    if dated:
        columns.append(_("Due"))
    columns += [_("Payment"), _("Principal"), _("Interest"), _("Fee"), _("Balance")]
    rows = []
    for row in schedule.rows:
        cells = [str(row.period)]
        if dated:
            cells.append(row.due.isoformat() if row.due else "")
        cells += [out.money(row.payment), out.money(row.principal), out.money(row.interest),
                  out.money(row.fee), out.money(row.balance)]
        rows.append(cells)
    return out.table(title, columns, rows, right=range(1, len(columns)))


def schedule_summary(out: Output, schedule: Schedule, rates: AnnualRates,
                     dated_rate: Decimal | None) -> Any:
    """Totals and annualised rates of a schedule."""
    _ = out._
    rows = [
        (_("Principal"), out.money(schedule.principal)),
        (_("Total repaid"), out.money(schedule.total_paid)),
        (_("Total interest"), out.money(schedule.total_interest)),
        (_("Total fees"), out.money(schedule.total_fees)),
        (_("Nominal APR (monthly IRR × 12)"), out.percent(rates.nominal)),
        (_("Effective annual rate"), out.percent(rates.effective)),
    ]
    if dated_rate is not None:
        rows.append((_("XIRR on the real dates (ACT/365)"), out.percent(dated_rate)))
    return out.table(_("Summary"), [_("Item"), _("Value")], rows, right=[1])


def card_table(out: Output, result: CardInterest, *, source: str = "") -> Any:
    """Credit-card interest by balance segment; ``source``: where the rule comes from, as a
    person may see it (:func:`public_source`)."""
    _ = out._
    if result.full_payment:
        return _("Paid in full by the due date: no interest on this statement.")
    rows = [
        (segment.start.isoformat(), segment.end.isoformat(), out.money(segment.balance),
         str(segment.days), out.money(segment.interest))
        for segment in result.segments
    ]
    rows.append((_("Total"), "", "", "", out.money(result.interest)))
    notes = [_(CARD_NOTES[note.value]) for note in result.notes if note.value in CARD_NOTES]
    return out.table(
        _("Interest on the next statement"),
        [_("From"), _("To (inclusive)"), _("Balance"), _("Days"), _("Interest")],
        rows, right=[2, 3, 4],
        caption=" ".join(notes) + (f" ({source})" if source else ""),
    )


#: What each card-interest note means, for the person (msgids).
CARD_NOTES = {
    "interest_free_kept": N_("Paid in full by the due date: no interest on this statement."),
    "paid_in_grace": N_("Paid in full within the grace days after the due date."),
    "within_tolerance": N_("The small remainder is within the tolerance and counts as paid."),
    "interest_free_lost": N_("The statement was not paid in full, so the interest-free period "
                             "is lost: each posting accrues from its posting date; repaid "
                             "parts stop on the payment date."),
    "payments_oldest_first": N_("Payments were applied to the oldest postings first."),
    "payments_after_next_statement_ignored": N_("Payments after the next statement date are "
                                                "not counted here."),
}


def cap_json(result: CapCheck) -> dict[str, Any]:
    """The cap check as plain values."""
    return {
        "annual_rate": result.annual_rate,
        "lender_type": result.lender_type,
        "contract_date": result.contract_date,
        "lpr": result.lpr.rate,
        "lpr_effective_from": result.lpr.effective_from,
        "lpr_confidence": result.lpr.confidence,
        "cap_4x_lpr": result.cap_4x_lpr,
        "bound_by_4x_lpr": result.bound_by_4x_lpr,
        # null: the reference does not apply to this lender type (not "no")
        "above_4x_lpr": result.above_4x_lpr if result.bound_by_4x_lpr else None,
        "court_reference_24": result.court_reference_24,
        "court_reference_applies": result.court_reference_applies,
        "above_24": result.above_24 if result.court_reference_applies else None,
        "findings": [
            {"code": f.code, "message": f.render(),
             "source": public_source(None, "", f.urls), "confidence": f.confidence}
            for f in result.findings
        ],
    }


def cap_report(out: Output, result: CapCheck) -> list[Any]:
    """The cap check as a table and its findings."""
    _ = out._
    yes, no, not_applicable = _("yes"), _("no"), _("not applicable to this lender type")
    # the limit's multiple of the LPR, as the rule data gives it (the cap over its LPR)
    multiple = f"{(result.cap_4x_lpr / result.lpr.rate).normalize():f}"
    rows = [
        (_("Annual rate checked"), out.percent(result.annual_rate)),
        (_("1-year LPR on the contract date"),
         _("{rate} (from {date}) [{mark}]").format(
             rate=out.percent(result.lpr.rate), date=result.lpr.effective_from.isoformat(),
             mark=result.lpr.confidence)),
        (_("{multiple} × LPR").format(multiple=multiple), out.percent(result.cap_4x_lpr)),
        (_("Is this lender type bound by {multiple} × LPR?").format(multiple=multiple),
         yes if result.bound_by_4x_lpr else no),
        (_("Above {multiple} × LPR?").format(multiple=multiple),
         not_applicable if not result.bound_by_4x_lpr
         else yes if result.above_4x_lpr else no),
        (_("Above the court reference of {reference}?").format(
            reference=out.percent(result.court_reference_24)),
         not_applicable if not result.court_reference_applies
         else yes if result.above_24 else no),
    ]
    items: list[Any] = [out.table(_("Legal rate check"), [_("Item"), _("Value")], rows,
                                  right=[1])]
    for finding in result.findings:
        cited = public_source(out, "", finding.urls)  # not finding.source: our own reference
        items.append(f"• {finding.render(_(finding.message))} "
                     + (f"({cited} [{finding.confidence}])" if cited
                        else f"([{finding.confidence}])"))
    items.append(_("This is information, not legal advice."))
    return items


def events_json(events: list[Event]) -> list[dict[str, Any]]:
    """Timeline events as plain values."""
    return [
        {
            "id": e.id, "on": e.on, "days_overdue": e.days_overdue, "amount_due": e.amount_due,
            "title": e.title.zh, "title_en": e.title.en, "detail": e.detail.zh,
            "detail_en": e.detail.en, "source": public_source(None, e.source_ref, e.urls),
            "urls": list(e.urls),
            "confidence": e.confidence, "passed": e.passed, "applies": e.applies,
        }
        for e in events
    ]


def timeline_table(out: Output, events: list[Event], as_of: date) -> Any:
    """The dated timeline: one heading line per event, its explanation indented below."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    _ = out._
    parts: list[Any] = [Text(_("What happens next (seen from {date})").format(
        date=as_of.isoformat()), style="bold")]
    for event in events:
        when = event.on.isoformat() if event.on else _("date not known")
        if event.passed:
            when += " (" + _("passed") + ")"
        title = event.title.get(out.lang)
        if not event.applies:
            title += " (" + _("does not apply") + ")"
        mark = event.confidence.value if hasattr(event.confidence, "value") else event.confidence
        line = Text()
        line.append(f"• {when}  ", style="dim" if event.passed else "")
        line.append(title, style="dim" if event.passed or not event.applies else "bold")
        if event.amount_due is not None:
            line.append("  " + _("Amount due") + " " + out.money(event.amount_due))
        cited = public_source(out, event.source_ref, event.urls)
        line.append(f"  [{cited} {mark}]" if cited else f"  [{mark}]", style="dim")
        parts.append(line)
        parts.append(Padding(Text(event.detail.get(out.lang)), (0, 0, 0, 4)))
    parts.append(Text(_("[V] verified in the rule itself; [S] secondary source; [NF] not "
                        "verified. Information, not legal advice."), style="dim"))
    return Group(*parts)


def bill_json(bill: Bill) -> dict[str, Any]:
    """An itemised bill as plain values."""
    return {"as_of": bill.as_of, "days_overdue": bill.days_overdue, "principal": bill.principal,
            "interest": bill.interest, "penalty": bill.penalty, "fees": bill.fees,
            "total": bill.total, "daily_cost": bill.daily_cost}


def describe_option(out: Output, evaluation: Any) -> str:
    """A short name for an arrangement option, in the person's language."""
    _ = out._
    proposal = evaluation.proposal
    kind = proposal.kind.value
    parts: list[str] = []
    if kind == "pay_now":
        parts.append(_("Pay everything now"))
    elif kind == "settlement":
        parts.append(_("Lump-sum settlement"))
    elif kind == "deferral":
        parts.append(_("Deferral of {months} months").format(months=proposal.deferral_months))
    elif kind == "personalised":
        parts.append(_("Ask for personalised installments: {n} months").format(n=proposal.periods))
    else:
        parts.append(_("Installments: {n} periods").format(n=proposal.periods))
    if proposal.total_fee_rate:
        parts.append(_("fee {rate} in total").format(rate=out.percent(proposal.total_fee_rate)))
    if proposal.monthly_fee_rate:
        parts.append(_("fee {rate} a month").format(rate=out.percent(proposal.monthly_fee_rate)))
    if proposal.annual_rate:
        parts.append(_("interest {rate} a year").format(rate=out.percent(proposal.annual_rate)))
    if proposal.waive_penalty:
        parts.append(_("penalty waived {share}").format(share=out.percent(proposal.waive_penalty, 0)))
    if proposal.waive_fees:
        parts.append(_("fees waived {share}").format(share=out.percent(proposal.waive_fees, 0)))
    return ", ".join(parts)


def option_json(out: Output, evaluation: Any) -> dict[str, Any]:
    """An arrangement option as plain values."""
    return {
        "option": describe_option(out, evaluation),
        "kind": evaluation.proposal.kind,
        "periods": len(evaluation.schedule.rows),
        "monthly_amount": evaluation.monthly_amount,
        "total_paid": evaluation.total_paid,
        "cost_over_principal": evaluation.cost_over_principal,
        "waived": evaluation.waived,
        "apr_nominal": evaluation.apr_nominal,
        "apr_effective": evaluation.apr_effective,
        "warnings": list(evaluation.warnings),
    }


def options_table(out: Output, evaluations: list[Any]) -> Any:
    """Arrangement options side by side."""
    _ = out._
    rows = []
    for evaluation in evaluations:
        rows.append((
            describe_option(out, evaluation),
            str(len(evaluation.schedule.rows)),
            out.money(evaluation.monthly_amount),
            out.money(evaluation.total_paid),
            out.money(evaluation.cost_over_principal),
            out.percent(evaluation.apr_nominal),
            out.percent(evaluation.apr_effective),
        ))
    return out.table(
        _("Arrangement options"),
        [_("Option"), _("Payments"), _("Each payment"), _("Total paid"),
         _("Cost over principal"), _("Nominal APR"), _("Effective rate")],
        rows, right=range(1, 7),
        caption=_("Options marked 'ask for' depend on the lender agreeing; they are not rights."),
    )


def case_json(out: Output, tx: Tx, case: Case) -> dict[str, Any]:
    """A case as plain values, personal fields masked."""
    from xieshang.present import masked
    from xieshang.store.model import Debt

    current = tx.current_case()
    return {
        "id": case.id, "name": case.name,
        "full_name": masked(out, "name", case.full_name),
        "id_number": masked(out, "id_number", case.id_number),
        "phone": masked(out, "phone", case.phone),
        "notes": case.notes, "created_at": case.created_at,
        "debts": tx.count(Debt, case_id=case.id),
        "current": current is not None and current.id == case.id,
    }


def debt_json(out: Output, debt: Debt) -> dict[str, Any]:
    """A debt as plain values, the account number masked."""
    from datetime import timedelta

    from xieshang.present import masked

    return {
        "id": debt.id, "product": debt.preset_id, "lender": debt.lender, "label": debt.label,
        "account": masked(out, "account", debt.account_number),
        "principal": debt.principal, "interest": debt.interest, "penalty": debt.penalty,
        "fees": debt.fees, "not_yet_due": debt.not_yet_due,
        "overdue_since": debt.due_date + timedelta(days=1) if debt.due_date else None,
        "contract_rate": debt.contract_rate, "contract_rate_basis": debt.contract_rate_basis,
        "penalty_daily_rate": debt.penalty_daily_rate, "minimum": debt.minimum,
        "due_day": debt.due_day, "status": debt.status, "priority": debt.priority,
        "adjustments": dict(debt.adjustments) if debt.adjustments else None,
        "adjustments_confirmed_on": debt.adjustments_confirmed_on, "notes": debt.notes,
        "borrowed": debt.borrowed, "periods": debt.periods,
        "paid_periods": debt.paid_periods, "method": debt.repayment_method,
        "first_due": debt.first_due, "contract_date": debt.contract_date,
        "posted_on": debt.posted_on, "card_basis": debt.card_interest_basis,
        "period_fee_rate": debt.period_fee_rate, "period_fee": debt.period_fee,
    }


def pay_now_lines(out: Output, inputs: DebtInputs) -> list[str]:
    """The small-amount path in ``out``'s language, when it applies (else none)."""
    from xieshang.present import debt_name
    from xieshang.services.negotiation import PAY_NOW

    if not inputs.pay_now or inputs.available is None:
        return []
    values = {"debt": debt_name(out, inputs.debt), "available": out.money(inputs.available),
              "total": out.money(inputs.bill.total),
              "daily": out.money(inputs.bill.daily_cost)}
    return [out._(text).format(**values) for text in PAY_NOW]
