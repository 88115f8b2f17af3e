"""The display values of the use cases, in the person's language: each debt's status line,
the budget report, what to do after a refusal, what to prepare before a contact, the card
overdraft risk panel. Built from the services' data; shared by the command line and the
web app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xieshang.engine.errors import N_, InputError
from xieshang.present import debt_name, mark_words

# The services are imported by the functions that use them: ``calc overdue`` needs only the
# private-loan lines here, not the budget, the negotiation data or the store (issue 16).
if TYPE_CHECKING:
    from xieshang.output import Output
    from xieshang.services.negotiation import RefusalAnswer
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Debt

__all__ = ["CAP_BASIS", "OverdraftRisk", "RiskPanel", "budget_report", "debt_status",
           "installment_lines", "limitation_lines", "overdraft_risks", "prepare_payload",
           "private_loan_json", "private_loan_lines", "refusal_answer", "risk_panels",
           "status_lines"]


def debt_status(out: Output, tx: Tx, debt: Debt, as_of: date) -> dict[str, Any]:
    """One debt's status line (plain values in ``out``'s language) from its
    :class:`~xieshang.services.case_view.DebtView`."""
    from xieshang.services.case_view import debt_view
    from xieshang.services.debts import loan_position

    view = debt_view(tx, debt, as_of)
    principal, interest, penalty, fees = view.parts
    line: dict[str, Any] = {
        "id": debt.id, "name": debt_name(out, debt), "product": debt.preset_id,
        "status": debt.status, "adjusted": bool(debt.adjustments), "next": None,
        "arrangement": None, "overdue": view.overdue,
        "not_yet_due": (view.bill.not_yet_due if view.bill is not None and view.engine
                        is not None else debt.not_yet_due),
        "days_overdue": view.days_overdue, "principal": principal, "interest": interest,
        "penalty": penalty, "fees": fees, "total": view.due, "daily_cost": view.daily_cost}
    if view.next is not None:
        titles = {"arrangement_payment": N_("Next agreed payment"),
                  "due_day": N_("Next repayment day")}
        title = out._(titles[view.next.id]) if view.next.id in titles \
            else view.next.title.get(out.lang)
        line["next"] = {"on": view.next.on, "id": view.next.id, "title": title,
                        "amount_due": view.next.amount_due}
    loan = loan_position(debt, as_of)
    if loan is not None:
        line["installments"] = {
            "overdue": [{"period": i.period, "due": i.due, "principal": i.principal,
                         "interest": i.interest, "fee": i.fee, "amount": i.amount}
                        for i in loan.overdue],
            "ahead": [{"period": i.period, "due": i.due, "amount": i.amount}
                      for i in loan.ahead],
            "not_yet_due": loan.not_yet_due, "apr": None}
        terms = debt.loan_terms()
        if terms.fee_per_period:
            from xieshang.engine.installments import loan_apr

            rates = loan_apr(terms)
            line["installments"]["apr"] = {"nominal": rates.nominal,
                                           "effective": rates.effective}
    line["private_loan"] = private_loan_json(_private_info(tx, debt, as_of))
    # a loan between people with no repayment date entered: its limitation cannot be dated
    line["limitation_undated"] = (view.preset.product_kind.value == "informal"
                                  and debt.due_date is None and view.arrangement is None)
    agreed = view.arrangement
    if agreed is not None:
        progress = agreed.progress
        line["arrangement"] = {
            "proposal": agreed.proposal_id, "accepted_on": agreed.accepted_on,
            "periods": agreed.periods, "total": agreed.total, "paid": progress.paid,
            "remaining": progress.remaining, "kept": progress.kept,
            "missed": [{"on": i.payment.on, "amount": i.payment.amount, "missing": i.missing}
                       for i in progress.missed],
            "overdue_amount": progress.overdue_amount,
            "phases": [{"kind": p.kind, "start": p.start, "end": p.end, "amount": p.amount,
                        "count": p.count} for p in agreed.phases],
            "now": next((k for k, p in enumerate(agreed.phases) if as_of <= p.end), None),
            "as_of": as_of}
        line["phase_text"] = phase_lines(out, line["arrangement"], as_of)
        if agreed.regular_shift and line.get("installments"):
            # the regular installments moved back with the arrears deferred (an assumption)
            from xieshang.engine.schedules import add_months

            start = loan_position(debt, agreed.accepted_on)
            shift = agreed.regular_shift
            ahead = [] if start is None else [
                {"period": i.period, "due": add_months(i.due, shift), "amount": i.amount}
                for i in start.ahead if add_months(i.due, shift) > as_of]
            line["installments"] |= {"ahead": ahead, "shift": shift}
    return line


def _private_info(tx: Tx, debt: Debt, as_of: date) -> Any:
    """How a private loan's overdue charges were found
    (:class:`~xieshang.engine.private_loans.PrivateRate`), ``None`` for other debts."""
    from xieshang.services.cases import preset_of

    preset = preset_of(debt)
    if preset.lender_type.value != "private" or debt.due_date is None \
            or debt.due_date >= as_of:
        return None
    from xieshang.services.debts import private_loan_rate
    from xieshang.store.model import Payment, overdue_debt

    engine = overdue_debt(debt, preset, tx.find(Payment, debt_id=debt.id))
    return private_loan_rate(engine, debt.contract_date, as_of)[1]


#: How the limit's LPR date was chosen (msgids; ``{before}`` the day the current rule
#: starts, from the rule data).
CAP_BASIS = {
    "contract_date": N_("the LPR in force when the loan was made (Art. 25)"),
    "as_of": N_("the latest LPR fixing, standing for the LPR on the day a suit would be "
                "filed, for interest from {before} on a loan made before that day (Art. 31, "
                "an estimate)"),
    "due_date": N_("the LPR on the due date, as no date of the loan was given (an estimate)"),
}


def private_loan_json(info: Any) -> dict[str, Any] | None:
    """A :class:`~xieshang.engine.private_loans.PrivateRate` as plain values (rates as
    fractions to 8 places), ``None`` for other debts."""
    if info is None:
        return None

    def rate(value: Decimal | None) -> Decimal | None:
        return None if value is None else value.quantize(Decimal("1E-8")).normalize()

    earlier = info.earlier
    return {
        "agreed": rate(info.agreed), "lpr_default": info.lpr_default,
        "lpr": rate(info.lpr.rate) if info.lpr is not None else None,
        "lpr_from": info.lpr.effective_from if info.lpr is not None else None,
        "cap": rate(info.cap), "cap_lpr": rate(info.cap_lpr.rate),
        "cap_lpr_from": info.cap_lpr.effective_from, "cap_basis": info.cap_basis,
        "annual": rate(info.annual), "capped": info.capped,
        "earlier": None if earlier is None else {
            "start": earlier.start, "until": earlier.until, "days": earlier.days,
            "annual": rate(earlier.annual), "interest": earlier.interest,
            "extra": earlier.extra},
        "fees_entered": info.fees_entered, "fees_supported": info.fees_supported,
        "loan_period_rate": info.loan_period_rate, "fees_daily": info.fees_daily,
        "claimable": info.claimable, "estimate": True,
    }


def limitation_lines(out: Output, line: dict[str, Any]) -> list[str]:
    """For a loan between people with no repayment date entered (a :func:`debt_status`
    line): how its limitation period could be dated; [] otherwise."""
    if not line.get("limitation_undated"):
        return []
    return [out._("Limitation period: no repayment date is entered for this loan. If you "
                  "agreed one, enter the day after it with `xieshang debt edit {id} "
                  "--overdue-since YYYY-MM-DD` to see the estimated date (Civil Code "
                  "Art. 188). With no agreed date, the period usually runs from the end of "
                  "the time the lender gives you after asking for the money.").format(
        id=line["id"])]


def private_loan_lines(out: Output, info: dict[str, Any] | None) -> list[str]:
    """What a court would support for a private loan if the lender asked (a
    :func:`private_loan_json`), in the same words for ``calc overdue``, ``status`` and the
    Debts page; [] for other debts."""
    if info is None:
        return []
    from xieshang.rules import rate_law

    _ = out._
    law = rate_law()["law"]
    if info["lpr_default"]:
        head = _("If the lender sued and asked for it, a court would support overdue interest "
                 "at the 1-year LPR of the first overdue day, {rate} a year, as no rate was "
                 "agreed (Art. 28); the loan period itself stays free (Art. 24).").format(
            rate=out.percent(info["annual"]))
    elif info["capped"]:
        head = _("If the lender sued and asked for it, a court would support overdue interest "
                 "only up to the legal limit, {cap} a year: the agreed {agreed} is above it "
                 "(Art. 25, 28).").format(agreed=out.percent(info["agreed"]),
                                          cap=out.percent(info["cap"]))
    elif info["loan_period_rate"]:
        head = _("If the lender sued and asked for it, a court would support interest at the "
                 "agreed loan rate, {agreed} a year, continuing after the due date, within the "
                 "legal limit of {cap} (Art. 28).").format(agreed=out.percent(info["agreed"]),
                                                           cap=out.percent(info["cap"]))
    else:
        head = _("If the lender sued and asked for it, a court would support overdue interest "
                 "at the agreed {agreed} a year, within the legal limit of {cap} (Art. 28)."
                 ).format(agreed=out.percent(info["agreed"]), cap=out.percent(info["cap"]))
    basis = _(CAP_BASIS[info["cap_basis"]]).format(before=law.old_contracts_before.isoformat())
    texts = [head, _("The limit is {multiple} × {basis}: {lpr} from {day}.").format(
        multiple=f"{law.lpr_multiple.normalize():f}", basis=basis,
        lpr=out.percent(info["cap_lpr"]), day=info["cap_lpr_from"].isoformat())]
    earlier = info["earlier"]
    if earlier is not None and info["lpr_default"]:
        texts.append(_("The loan was made before {before}: for {start} to {until} ({days} "
                       "days) the earlier rule applies, {rate} a year, {interest} (Art. 31; "
                       "the 2015 Provisions), part of the amount below.").format(
            before=law.old_contracts_before.isoformat(), start=earlier["start"].isoformat(),
            until=earlier["until"].isoformat(), days=earlier["days"],
            rate=out.percent(earlier["annual"]), interest=out.money(earlier["interest"])))
    elif earlier is not None:
        texts.append(_("The loan was made before {before}: for {start} to {until} ({days} "
                       "days) the earlier rule applies, {rate} a year, {interest} (Art. 31; "
                       "the 2015 Provisions); the {extra} it adds over the rate above is shown "
                       "as interest.").format(extra=out.money(earlier["extra"]),
            before=law.old_contracts_before.isoformat(), start=earlier["start"].isoformat(),
            until=earlier["until"].isoformat(), days=earlier["days"],
            rate=out.percent(earlier["annual"]), interest=out.money(earlier["interest"])))
    if info["lpr_default"]:
        texts.append(_("So far that would come to {amount}. It is not counted in what you owe "
                       "here: no interest was agreed, and it is owed only if the lender asks "
                       "for it.").format(amount=out.money(info["claimable"])))
    if info["fees_entered"] > 0:
        texts.append(_("The penalty agreed in the contract and other fees count with the overdue "
                       "interest toward the same limit (Art. 29): {supported} of the "
                       "{entered} entered would be supported so far.").format(
            supported=out.money(info["fees_supported"]), entered=out.money(info["fees_entered"])))
        if info["fees_daily"]:
            texts.append(_("Each further day adds {daily} to the part supported, until it "
                           "reaches the {entered}.").format(
                daily=out.money(info["fees_daily"]), entered=out.money(info["fees_entered"])))
    texts.append(_("This is the most a court would support if asked, not what the lender "
                   "must charge: many relatives and friends ask for no interest at all. An "
                   "estimate. Source: the Supreme People's Court's Provisions on the Trial of "
                   "Private Lending Cases (as amended 2020)."))
    return texts


#: What each phase of an accepted arrangement asks (msgids; see :func:`phase_lines`).
PHASE_TEXTS = {
    "down_payment": N_("First payment: {amount} on {start}."),
    "deferral": N_("Deferral: nothing to pay under the arrangement before {after}."),
    "token": N_("Token payments: {amount} a month, {count} payments from {start} to {end}."),
    "installments": N_("Installments: {amount} a month, {count} payments from {start} to "
                       "{end}."),
    "settlement": N_("Settlement: one payment of {amount} on {start} settles the debt."),
}


def phase_lines(out: Output, agreed: dict[str, Any], as_of: date) -> list[str]:
    """The phases of an accepted arrangement, one line each, the one ``as_of`` falls in
    marked "now" (status, the Today page and the Debts page say the same)."""
    _ = out._
    lines = []
    for index, phase in enumerate(agreed["phases"]):
        text = _(PHASE_TEXTS[phase["kind"]]).format(
            amount=out.money(phase["amount"]), count=phase["count"],
            start=phase["start"].isoformat(), end=phase["end"].isoformat(),
            after=(phase["end"] + timedelta(days=1)).isoformat())
        if index == agreed["now"] and phase["start"] <= as_of:
            text = _("Now: {phase}").format(phase=text)
        lines.append(text)
    return lines


def status_lines(out: Output, tx: Tx, case_id: int, as_of: date) -> list[dict[str, Any]]:
    """Every open debt of a case (open or under an arrangement) as seen on ``as_of``
    (those needing a fix are left out: :func:`broken_debts`)."""
    from xieshang.services.debts import open_debts

    return [debt_status(out, tx, debt, as_of) for debt in open_debts(tx, case_id)]


def budget_report(out: Output, tx: Tx, case: Case, method: str, *,
                  as_of: date | None = None) -> dict[str, Any] | None:
    """The budget as plain values in ``out``'s language, for the fronts' JSON and layout
    (the statement, its flags, the affordability working and the split), with balances as
    of ``as_of`` (default: today). Code that needs the figures reads
    :func:`~xieshang.services.budget.budget_view`."""
    from xieshang.services.budget import _situation_report, budget_view, norms

    view = budget_view(tx, case, method, as_of=as_of)
    if view is None:
        return None
    from xieshang.store.model import Debt

    rules = norms()
    result = view.affordability
    budget = view.budget
    names = {debt.id: debt_name(out, debt) for debt in tx.find(Debt, case_id=case.id)}
    _ = out._
    situation = _situation_report(tx, case, view, as_of)
    situation["savings_to_name"] = names.get(situation["savings_to"]) \
        if situation["savings_to"] else None
    return {
        "budget": budget.id,
        "household": {"adults": budget.adults, "children_0_4": budget.children_0_4,
                      "children_5_10": budget.children_5_10,
                      "children_11_17": budget.children_11_17,
                      "dependants": budget.dependants, "city_tier": budget.city_tier},
        "lines": [{"section": e.section, "category": e.category,
                   "label": rules.category(e.category).label.get(out.lang),
                   "amount": e.amount, "note": e.note} for e in view.entries],
        "flags": [{"group": f.category, "level": f.level.value, "label": f.label.get(out.lang),
                   "amount": f.amount, "low": f.low, "high": f.high,
                   "reference": f.reference, "year": f.year,
                   "question": f.question.get(out.lang)} for f in view.flags],
        "affordability": {
            "income": result.income, "priority": result.priority,
            "essential": result.essential, "discretionary": result.discretionary,
            "buffer": result.buffer, "available": result.available,
            "shortfall": result.shortfall, "outcome": result.outcome.value,
            "steps": [{"label": step.render(_(step.label)), "amount": step.amount,
                       "sign": step.sign.value} for step in result.steps],
            "explanation": result.render(_(result.explanation)),
        },
        "split": {"method": view.method, "debts": [
            {"debt": part.debt, "name": names[part.debt], "balance": part.balance,
             "share": part.share, "amount": part.amount} for part in view.parts]},
        "situation": situation,
    }


def refusal_answer(out: Output, tx: Tx, case_id: str | None, debt_id: str | None, reason: str,
                   level: str, *, today: date | None = None) -> RefusalAnswer:
    """The likely cause and the next moves after the lender refused rung ``level`` for
    ``reason`` (a refusal id of the data file), with the bill on ``today`` (default: the
    command line's clock). Without a budget the moves are the general ones.

    Raises:
        InputError: no case, no such debt, an unknown reason (field ``reason``).
    """
    from xieshang.engine.negotiation import next_moves
    from xieshang.services.cases import find_case, find_debt, preset_of
    from xieshang.services.negotiation import (
        COMPLAINT_CHANNELS,
        RefusalAnswer,
        channel_json,
        debt_inputs,
        hardship_ids,
        negotiation_data,
        source_json,
    )

    data = negotiation_data()
    refusal = data.refusal(reason.strip())
    case = find_case(tx, case_id)
    ladder = None
    try:
        inputs = debt_inputs(tx, case_id, debt_id, today=today)
        debt, preset, ladder = inputs.debt, inputs.preset, inputs.ladder
    except InputError as error:
        if error.field != "budget_statement":
            raise
        debt = find_debt(tx, case, debt_id)
        preset = preset_of(debt)
    hardship = hardship_ids(tx, case)
    moves = tuple(next_moves(refusal.id, preset, ladder, data, refused=level,
                             hardship=hardship))
    wanted = {channel.id for move in moves for channel in move.official}
    wanted.update(COMPLAINT_CHANNELS)
    official = [channel_json(c, out.lang) for c in data.official if c.id in wanted]
    payload: dict[str, Any] = {
        "debt": debt.id, "reason": refusal.id, "label": refusal.label.get(out.lang),
        "cause": refusal.cause.get(out.lang), "source": source_json(refusal.source),
        "rung": level, "ladder": ladder is not None,
        "moves": [{"code": move.code, "kind": move.kind.value,
                   "text": move.render(out.lang), "source": source_json(move.source),
                   "materials": [{"id": m.id, "label": m.label.get(out.lang),
                                  "detail": m.detail.get(out.lang),
                                  "source": source_json(m.source)} for m in move.materials],
                   "official": [c.id for c in move.official],
                   "channels": [channel_json(c, out.lang, preset.source_of("channels"))
                                for c in move.channels]}
                  for move in moves],
        "channels": [channel_json(c, out.lang, preset.source_of("channels"))
                     for c in preset.channels],
        "official": official,
    }
    return RefusalAnswer(case=case, debt=debt, name=debt_name(out, debt), refusal=refusal,
                         level=level, moves=moves, ladder=ladder, payload=payload)


def prepare_payload(out: Output, tx: Tx, case: Case, debt: Debt) -> dict[str, Any]:
    """What to prepare before contacting the lender about ``debt``, as plain values in
    ``out``'s language: the materials checklist for the product and the case's hardship
    reason, the lender's channels (with the preset's source), the know-your-rights card and
    the warning card about paid agents."""
    from xieshang.engine.negotiation import materials_for
    from xieshang.services.cases import preset_of
    from xieshang.services.negotiation import (
        card_json,
        channel_json,
        hardship_ids,
        negotiation_data,
        source_json,
    )

    data = negotiation_data()
    hardship = hardship_ids(tx, case)
    preset = preset_of(debt)
    materials = materials_for(data, preset.product_kind, hardship)
    return {
        "debt": debt.id, "preset": preset.id, "product_kind": preset.product_kind.value,
        "lender_type": preset.lender_type.value, "hardship": list(hardship),
        "materials": [{"id": m.id, "label": m.label.get(out.lang),
                       "detail": m.detail.get(out.lang), "source": source_json(m.source)}
                      for m in materials],
        "channels": [channel_json(c, out.lang, preset.source_of("channels"))
                     for c in preset.channels],
        "rights": card_json(data.rights, out.lang, preset.product_kind.value,
                            preset.lender_type.value),
        "scam": card_json(data.scam, out.lang, preset.product_kind.value),
    }


@dataclass(frozen=True, slots=True)
class OverdraftRisk:
    """One card whose unpaid overdraft principal reaches the malicious-overdraft amount,
    as the risk panel states it.

    Attributes:
        debt: the debt's name (``#2 招行信用卡``).
        principal: the unpaid overdraft principal, repayments against principal first.
        paragraphs: the panel's text in the person's language, figures filled in.
        sources: the public sources (the law's and the interpretation's titles).
        mark: the confidence mark with what it means.
    """

    debt: str
    principal: Decimal
    paragraphs: tuple[str, ...]
    sources: str
    mark: str



def overdraft_risks(out: Output, tx: Tx, case: Case, day: date) -> list[OverdraftRisk]:
    """The case's open cards whose unpaid overdraft principal (repayments against principal
    first) is at or above the malicious-overdraft amount of ``_law.toml``
    (:func:`~xieshang.services.negotiation.overdraft_cards`), each with the calm, sourced
    explanation of :data:`~xieshang.services.negotiation.OVERDRAFT_PANEL` (the verified
    conditions: the presumption and its exception, the amount counted when the police open a
    case, full repayment and the repeat-offender exception) in ``out``'s language."""
    from xieshang.rules import law
    from xieshang.services.negotiation import OVERDRAFT_PANEL, overdraft_cards

    rules = law()
    rule = rules.malicious_overdraft
    source = rules.source_of("malicious_overdraft")
    found = []
    for debt, principal in overdraft_cards(tx, case, day):
        name = debt_name(out, debt)
        values = {"debt": name, "principal": out.money(principal),
                  "floor": out.money(rule.min_principal), "months":
                  rule.months_unpaid_after_demands, "demands": rule.demands,
                  "gap": rule.demand_gap_days, "penalties": rule.repeat_offender_penalties}
        found.append(OverdraftRisk(
            debt=name, principal=principal,
            paragraphs=tuple(out._(text).format(**values) for text in OVERDRAFT_PANEL),
            sources=("; " if out.lang == "en" else "；").join(source.public),
            mark=mark_words(out, source.confidence.value)))
    return found


@dataclass(frozen=True)
class RiskPanel:
    """The risk panel as a person reads it: the cards whose explanation is the same, each
    with its own first paragraph (its name and unpaid principal), then the shared
    explanation and sources once.

    Attributes:
        debt: the cards' names, joined (``#1 招行卡、#2 建行卡``).
        paragraphs: each card's own paragraph, then the shared ones.
        sources: the public sources.
        mark: the confidence mark with what it means.
    """

    debt: str
    paragraphs: tuple[str, ...]
    sources: str
    mark: str


def risk_panels(out: Output, risks: list[OverdraftRisk]) -> list[RiskPanel]:
    """The panels for ``risks`` (:func:`overdraft_risks`) on a screen or in the dossier:
    cards whose explanation after the first paragraph, sources and mark are the same share
    one panel (two cards above the amount read the conditions once, not twice)."""
    groups: dict[tuple[tuple[str, ...], str, str], list[OverdraftRisk]] = {}
    for risk in risks:
        groups.setdefault((risk.paragraphs[1:], risk.sources, risk.mark), []).append(risk)
    joiner = ", " if out.lang == "en" else "、"
    return [RiskPanel(debt=joiner.join(risk.debt for risk in group),
                      paragraphs=tuple(risk.paragraphs[0] for risk in group) + shared,
                      sources=sources, mark=mark)
            for (shared, sources, mark), group in groups.items()]


def installment_lines(out: Output, line: dict[str, Any]) -> list[str]:
    """A loan entered by its terms (a :func:`status_lines` line): each overdue installment
    with its own due date, and the next regular installment — ``xieshang status`` and the
    Debts page say it in the same words."""
    _ = out._
    loan = line.get("installments")
    if not loan:
        return []
    texts = [(_("Installment {period} due {date}: {amount} (principal {principal}, fee "
                "{fee}), overdue") if item["fee"] and item["fee"] == item["interest"] else
              _("Installment {period} due {date}: {amount} (principal {principal}, interest "
                "{interest}), overdue")).format(
                 period=item["period"], date=item["due"].isoformat(),
                 amount=out.money(item["amount"]), principal=out.money(item["principal"]),
                 interest=out.money(item["interest"]), fee=out.money(item["fee"]))
             for item in loan["overdue"]]
    if loan.get("apr") is not None:
        texts.append(_("Its real annual rate: {nominal} a year (IRR of the amount borrowed "
                       "against every installment, fees included; {effective} compounded).")
                     .format(nominal=out.percent(loan["apr"]["nominal"]),
                             effective=out.percent(loan["apr"]["effective"])))
    if loan["ahead"]:
        first = loan["ahead"][0]
        texts.append(_("Regular installments ahead: {count}, the next {amount} on {date}.")
                     .format(count=len(loan["ahead"]), amount=out.money(first["amount"]),
                             date=first["due"].isoformat()))
    if loan.get("shift"):
        texts.append(_("Under the arrangement these dates are taken as moved back by {months} "
                       "month(s) with the deferred arrears — an assumption: ask the lender to "
                       "confirm the new dates in writing.").format(months=loan["shift"]))
    return texts
