"""What happens next to an overdue debt: dated milestones with the amount due at each.

:func:`timeline` lists, for one debt seen from one day:

* the end of the grace days and the day overdue charges start (with the late fee, if any);
* the next monthly compounding step, for debts that compound;
* every milestone of the product's preset (dated when the preset gives ``after_days``,
  otherwise undated with the preset's confidence — credit reporting is usually *not
  verified*);
* the one-off credit repair: whether it can apply, and its repay-by date (also when passed);
* for credit cards, the legal conditions of malicious overdraft, applicable or not;
* the limitation period, how long credit records are kept, and the free credit reports.

The legal numbers come from ``presets/_law.toml`` (:func:`parse_law`), never from this code.
Amounts due are :func:`xieshang.engine.accrual.bill_on` on the event's date, counting the
payments made up to the day the timeline is seen from and nothing more. Texts are calm and
factual, in Simplified Chinese and English; they inform and never promise an outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar

from xieshang.engine._record import field, record, replace
from xieshang.engine.accrual import (
    OverdueDebt,
    compounding_dates,
    principal_outstanding_principal_first,
)
from xieshang.engine.accrual_fen import DayBills
from xieshang.engine.bill import Bill
from xieshang.engine.errors import N_, InputError, PresetError, StateError
from xieshang.engine.money import format_money
from xieshang.engine.preset import (
    Confidence,
    LateFeeKind,
    ProductKind,
    Source,
    TableReader,
    Text,
    read_sources,
)

__all__ = [
    "BankCollection",
    "Collection",
    "CreditRepair",
    "CreditReport",
    "Event",
    "Law",
    "Limitation",
    "MaliciousOverdraft",
    "day_bills",
    "law_from_dict",
    "parse_law",
    "shown_by",
    "timeline",
]


# ------------------------------------------------------------------------- the law data


@record
class CreditRepair:
    """The one-off credit repair of 2025-12-22 (``rules-cn.md`` §6.4).

    Attributes:
        overdue_from: first day an overdue may have arisen to be covered.
        overdue_to: last such day.
        max_amount: the largest single overdue amount covered.
        repaid_by: the overdue must be repaid in full on or before this day.
        early_repaid_by: repaid by this day → not displayed from ``early_hidden_from``.
        early_hidden_from: see ``early_repaid_by``; repaid later → by the end of the month
            after repayment.
        extra_free_reports: extra free credit reports granted …
        extra_free_reports_from: … from this day …
        extra_free_reports_until: … until this day (inclusive).
    """

    overdue_from: date
    overdue_to: date
    max_amount: Decimal
    repaid_by: date
    early_repaid_by: date
    early_hidden_from: date
    extra_free_reports: int
    extra_free_reports_from: date
    extra_free_reports_until: date


@record
class MaliciousOverdraft:
    """The malicious-overdraft conditions for credit cards (§5, §9.2).

    Attributes:
        min_principal: unpaid overdraft principal from which the amount is "large".
        repeat_offender_min_principal: the filing standard reported for people with two or
            more earlier penalties (secondary source).
        demands: effective demands by the issuing bank.
        demand_gap_days: least number of days between the demands.
        months_unpaid_after_demands: months still unpaid after the demands.
        repeat_offender_penalties: earlier card-fraud penalties after which full repayment
            no longer excuses (0: not given).
    """

    min_principal: Decimal
    repeat_offender_min_principal: Decimal
    demands: int
    demand_gap_days: int
    months_unpaid_after_demands: int
    repeat_offender_penalties: int = 0


@record
class Limitation:
    """The limitation period (Civil Code Art. 188, interrupted by a demand, Art. 195).

    Attributes:
        years: its length.
        dated_for: the product kinds whose limitation gets a date: counted from the day
            after the agreed repayment date (Art. 188, Art. 201–202), when no later demand,
            part payment or acknowledgement is recorded. A lender that collects (a bank, a
            platform) demands repayment again and again, so for it no date is given.
    """

    years: int
    dated_for: frozenset[ProductKind] = frozenset()


@record
class CreditReport:
    """Rules of the Credit Reporting Regulations (§6.1).

    Attributes:
        retention_years: negative records are kept this long after the behaviour ends.
        free_reports_per_year: free reports of one's own credit report a year.
        objection_reply_days: days to check and answer an objection (Art. 25).
        complaint_reply_days: days to answer a complaint to the PBOC branch (Art. 26).
    """

    retention_years: int
    free_reports_per_year: int
    objection_reply_days: int
    complaint_reply_days: int


@record
class Collection:
    """Debt-collection limits of the 2024 guideline and 2025 national standard (§8).

    Attributes:
        quiet_from: no collection from this time of day …
        quiet_until: … until this time, unless agreed.
        max_effective_calls_per_day: interactive voice collection calls a day.
    """

    quiet_from: time
    quiet_until: time
    max_effective_calls_per_day: int


@record
class BankCollection:
    """Collection limits of the China Banking Association's 2026 guideline for its members'
    credit cards and personal consumer loans (a self-regulatory guideline, not a law; §8).

    Attributes:
        quiet_from: no phone, visit or other collection from this time of day …
        quiet_until: … until this time, unless the debtor agreed.
        max_unanswered_attempts_per_day: when the debtor does not answer, attempts a day to
            the same number (unless agreed otherwise).
    """

    quiet_from: time
    quiet_until: time
    max_unanswered_attempts_per_day: int


@record
class Law:
    """The legal rules of ``presets/_law.toml``, each with its source.

    Attributes:
        credit_repair: the one-off credit repair.
        malicious_overdraft: the malicious-overdraft conditions.
        limitation: the limitation period.
        credit_report: credit-report rules.
        collection: collection limits (online lending).
        bank_collection: collection limits of the banks' guideline.
        sources: sources by dotted parameter path, as in the presets.
        origin: the file the rules were read from.
    """

    credit_repair: CreditRepair
    malicious_overdraft: MaliciousOverdraft
    limitation: Limitation
    credit_report: CreditReport
    collection: Collection
    bank_collection: BankCollection
    sources: Mapping[str, Source] = field(default_factory=dict)
    origin: str = ""

    def source_of(self, parameter: str) -> Source:
        """The source of a dotted parameter, or of its section."""
        probe = parameter
        while probe:
            if probe in self.sources:
                return self.sources[probe]
            probe = probe.rpartition(".")[0]
        return Source(Confidence.NOT_FOUND, note="no source recorded")


_SECTIONS = ("credit_repair", "malicious_overdraft", "limitation", "credit_report",
             "collection", "bank_collection")


def parse_law(text: str, source: str) -> Law:
    """Validate the TOML ``text`` of ``_law.toml`` (named ``source``) and build the Law.

    Raises :class:`PresetError` naming the file and the dotted field of the first problem.
    """
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(source, "", N_("is not valid TOML: {error}"), error=str(error)) from None
    return law_from_dict(data, source)


def law_from_dict(data: Mapping[str, Any], source: str) -> Law:
    """:func:`parse_law` of the table tomllib gives for ``_law.toml`` (read back from its
    kept copy by :func:`xieshang.rules.law`, without importing tomllib)."""
    top = TableReader(source, data)
    top.integer("schema", minimum=1, maximum=1)
    law = Law(
        credit_repair=_credit_repair(_section(top, "credit_repair")),
        malicious_overdraft=_malicious(_section(top, "malicious_overdraft")),
        limitation=_limitation(_section(top, "limitation")),
        credit_report=_credit_report(_section(top, "credit_report")),
        collection=_collection(_section(top, "collection")),
        bank_collection=_bank_collection(_section(top, "bank_collection")),
        sources=read_sources(top),
        origin=source,
    )
    top.done()
    for name in _SECTIONS:
        if not any(key == name or key.startswith(name + ".") for key in law.sources):
            raise PresetError(source, f"sources.{name}",
                              N_("is missing: every parameter must cite its source"))
    for key in law.sources:
        section, _, parameter = key.partition(".")
        if section not in _SECTIONS or (parameter and parameter not in data[section]):
            raise PresetError(source, f"sources.{key}", N_("names a parameter the file lacks"))
    return law


def _section(top: TableReader, name: str) -> TableReader:
    reader = top.table(name, required=True)
    if reader is None:
        raise StateError("reader")
    return reader


def _credit_repair(sub: TableReader) -> CreditRepair:
    result = CreditRepair(
        overdue_from=sub.day("overdue_from"),
        overdue_to=sub.day("overdue_to"),
        max_amount=sub.decimal("max_amount"),
        repaid_by=sub.day("repaid_by"),
        early_repaid_by=sub.day("early_repaid_by"),
        early_hidden_from=sub.day("early_hidden_from"),
        extra_free_reports=sub.integer("extra_free_reports", maximum=100),
        extra_free_reports_from=sub.day("extra_free_reports_from"),
        extra_free_reports_until=sub.day("extra_free_reports_until"),
    )
    sub.done()
    if result.overdue_from > result.overdue_to:
        raise sub.fail("overdue_to", N_("must not be before {other}"), other="overdue_from")
    if result.repaid_by < result.overdue_to:
        raise sub.fail("repaid_by", N_("must not be before {other}"), other="overdue_to")
    if not result.early_repaid_by <= result.repaid_by:
        raise sub.fail("early_repaid_by", N_("must not be after {other}"), other="repaid_by")
    if result.extra_free_reports_until < result.extra_free_reports_from:
        raise sub.fail("extra_free_reports_until", N_("must not be before {other}"),
                       other="extra_free_reports_from")
    return result


def _malicious(sub: TableReader) -> MaliciousOverdraft:
    result = MaliciousOverdraft(
        min_principal=sub.decimal("min_principal"),
        repeat_offender_min_principal=sub.decimal("repeat_offender_min_principal"),
        demands=sub.integer("demands", minimum=1, maximum=10),
        demand_gap_days=sub.integer("demand_gap_days", maximum=365),
        months_unpaid_after_demands=sub.integer("months_unpaid_after_demands", maximum=120),
        repeat_offender_penalties=sub.integer("repeat_offender_penalties", maximum=10),
    )
    sub.done()
    return result


def _limitation(sub: TableReader) -> Limitation:
    result = Limitation(years=sub.integer("years", minimum=1, maximum=100),
                        dated_for=sub.choices("dated_for", ProductKind, default=[]))
    sub.done()
    return result


def _credit_report(sub: TableReader) -> CreditReport:
    result = CreditReport(
        retention_years=sub.integer("retention_years", minimum=1, maximum=100),
        free_reports_per_year=sub.integer("free_reports_per_year", maximum=100),
        objection_reply_days=sub.integer("objection_reply_days", minimum=1, maximum=365),
        complaint_reply_days=sub.integer("complaint_reply_days", minimum=1, maximum=365),
    )
    sub.done()
    return result


def _collection(sub: TableReader) -> Collection:
    result = Collection(
        quiet_from=_time(sub, "quiet_from"),
        quiet_until=_time(sub, "quiet_until"),
        max_effective_calls_per_day=sub.integer("max_effective_calls_per_day", minimum=1,
                                                maximum=100),
    )
    sub.done()
    return result


def _bank_collection(sub: TableReader) -> BankCollection:
    result = BankCollection(
        quiet_from=_time(sub, "quiet_from"),
        quiet_until=_time(sub, "quiet_until"),
        max_unanswered_attempts_per_day=sub.integer("max_unanswered_attempts_per_day",
                                                    minimum=1, maximum=100),
    )
    sub.done()
    return result


def _time(sub: TableReader, key: str) -> time:
    value = sub.raw(key)
    if not isinstance(value, time):
        raise sub.fail(key, N_("must be a time of day like 22:00:00"))
    return value


# --------------------------------------------------------------------------- the events


@record
class Event:
    """One milestone on the timeline.

    Attributes:
        id: a stable identifier (``grace_end``, ``credit_repair``, a preset milestone id…).
        on: the day, or ``None`` when it is not known.
        days_overdue: days past the missed due date on that day (``None`` if undated or
            before the due date).
        amount_due: everything due on that day if nothing more is paid (``None`` if
            undated or before the due date).
        title: a short title.
        detail: what it means, calmly and factually.
        source_ref: the section of ``rules-cn.md`` (or the preset's).
        urls: the sources' addresses.
        confidence: the confidence mark of the rule behind it.
        passed: the day is before the day the timeline is seen from.
        applies: whether it applies to this debt (a rule that does not is still shown,
            with why).
    """

    id: str
    on: date | None
    days_overdue: int | None
    amount_due: Decimal | None
    title: Text
    detail: Text
    source_ref: str
    urls: tuple[str, ...]
    confidence: Confidence
    passed: bool = False
    applies: bool = True


def timeline(debt: OverdueDebt, as_of: date, law: Law, *, horizon_days: int = 365,
             today: Bill | None = None, bills: DayBills | None = None) -> list[Event]:
    """The milestones of ``debt`` seen from ``as_of``: dated ones by date, then undated ones.

    Dated events up to ``horizon_days`` after ``as_of`` are listed, including ones already
    passed (marked ``passed``). Only payments made up to ``as_of`` count. ``today``: the
    debt's bill on ``as_of`` (``bill_on(debt, as_of)``) when the caller has it already;
    ``bills``: the debt's :func:`day_bills` seen from ``as_of``, when the caller walks it
    for today's bill too.
    """
    if horizon_days < 0:
        raise InputError("horizon_days", N_("must not be negative (got {value})"),
                         value=horizon_days)
    known = debt if all(p.on <= as_of for p in debt.payments) else replace(
        debt, payments=tuple(p for p in debt.payments if p.on <= as_of))
    context = _Context(known, as_of, law, today, bills)
    events = [
        *context.charges(),
        *context.preset_milestones(),
        *([context.credit_repair()] if debt.preset.credit_reporting else []),
        *context.malicious_overdraft(),
        context.limitation(),
        *([context.credit_report(), context.free_reports()]
          if debt.preset.credit_reporting else []),
    ]
    last = as_of + timedelta(days=horizon_days)
    dated = sorted((e for e in events if e.on is not None and shown_by(e, last)),
                   key=lambda e: e.on or as_of)
    return dated + [e for e in events if e.on is None]


def day_bills(debt: OverdueDebt, as_of: date) -> DayBills:
    """The bills of ``debt`` seen from ``as_of`` (its payments up to then) in one walk for
    today's bill and the timeline: the days before ``as_of`` the timeline reads — the day
    charges start and the day before (its ``charges_start`` and ``grace_end`` events, the
    late fee added on the first day) — are walked first,
    so that asking for ``as_of`` and the days after it goes on from them."""
    bills = DayBills(debt, as_of)
    grace = debt.grace_days if debt.grace_days is not None else debt.preset.grace_days
    start = debt.due_date + timedelta(days=grace + 1)
    # the day before: the end of the grace days, or the late fee added on the first day
    before = grace > 0 or debt.preset.late_fee.kind is not LateFeeKind.NONE
    for day in (start - timedelta(days=1), start) if before else (start,):
        if day < as_of:
            bills.bill(day)
    return bills


def shown_by(event: Event, last: date) -> bool:
    """Whether a timeline ending on ``last`` lists ``event``: the undated ones, the dated
    ones up to ``last``, and the limitation's last day however far ahead it is."""
    return event.on is None or event.on <= last or event.id == "limitation"


#: titles of the events (the same for every debt)
_CHARGES_START: Final = Text("开始计收逾期费用", "Overdue charges start")
_CREDIT_REPAIR: Final = Text("一次性信用修复：还清截止日", "One-off credit repair: repay-by date")
_MALICIOUS_OVERDRAFT: Final = Text("信用卡恶意透支：法律条件",
                                   "Malicious card overdraft: the legal conditions")

#: the events that depend only on the law and the day seen from (:meth:`_Context._shared`):
#: (law, day, events by the name of their maker), the last ones made
_SHARED: tuple[Law, date, dict[str, Any]] | None = None
T = TypeVar("T")


class _Context:
    """Builds the events of one debt seen from one day."""

    def __init__(self, debt: OverdueDebt, as_of: date, law: Law, today: Bill | None = None,
                 bills: DayBills | None = None) -> None:
        self.debt = debt
        self.as_of = as_of
        self.law = law
        self.preset = debt.preset
        #: the bills asked for, by day (several events ask for the same day's): one walk
        #: of the days asked (:class:`~xieshang.engine.accrual_fen.DayBills`)
        if bills is not None and (bills.paid_by != as_of
                                  or bills.debt.due_date != debt.due_date
                                  or bills.debt.principal != debt.principal
                                  or bills.debt.preset is not debt.preset):
            raise ValueError("timeline: bills= must be day_bills of this debt seen from as_of")
        self.days = bills if bills is not None else day_bills(debt, as_of)
        self.bills: dict[date, Bill] = {}
        if today is not None and today.as_of == as_of:
            self.bills[as_of] = today
        self.today = self.bill(as_of)
        self.settled = self.today.total <= self.preset.tolerance

    def bill(self, day: date) -> Bill:
        """:func:`bill_on` of the debt on ``day`` (payments up to ``as_of``), each day's
        computed once. The events read only the amounts: :attr:`Bill.daily_cost` is left at
        0, except on ``as_of`` when the caller gave its bill."""
        found = self.bills.get(day)
        if found is None:
            found = self.bills[day] = self.days.bill(day)
        return found

    def event(self, event_id: str, on: date | None, title: Text, detail: Text,
              source: Source, *, applies: bool = True, urls: tuple[str, ...] = ()) -> Event:
        days = amount = None
        if on is not None and on >= self.debt.due_date:
            days = (on - self.debt.due_date).days
            amount = self.bill(on).total
        return Event(
            id=event_id, on=on, days_overdue=days, amount_due=amount, title=title,
            detail=detail, source_ref=source.ref, urls=source.urls + urls,
            confidence=source.confidence, passed=on is not None and on < self.as_of,
            applies=applies,
        )

    def _preset_source(self, parameter: str, overridden: bool) -> Source:
        if overridden:
            return Source(Confidence.USER, note="set for this debt")
        return self.preset.source_of(parameter)

    # -- product rules ------------------------------------------------------------------

    def charges(self) -> list[Event]:
        """Grace end, the day charges start, the next compounding step."""
        if self.settled:
            return []
        debt = self.debt
        grace = debt.grace_days if debt.grace_days is not None else self.preset.grace_days
        after_grace = debt.charge_grace_days is False
        events = []
        if grace > 0 and after_grace:
            events.append(self.event(
                "grace_end", debt.due_date + timedelta(days=grace),
                Text("宽限期最后一天", "Last day of the grace period"),
                Text("在这一天（含）之前全部还清，视为按时还款，不收逾期费用和违约金。按你确认的贷款机构"
                     "算法，宽限期过后仍未还清的，逾期费用从宽限期结束的次日起算。",
                     "Paid in full by this day (inclusive), the debt counts as paid on time: no "
                     "overdue charges and no late fee. By the lender's method you confirmed, "
                     "charges on a debt still unpaid run from the day after the grace period."),
                self._preset_source("grace_days", True)))
        elif grace > 0:
            events.append(self.event(
                "grace_end", debt.due_date + timedelta(days=grace),
                Text("宽限期最后一天", "Last day of the grace period"),
                Text("在这一天（含）之前全部还清，视为按时还款，不收逾期费用和违约金。宽限期过后仍未"
                     "还清的，逾期费用从到期还款日的次日（第1天）起算，宽限期内的天数也算在内：规则只"
                     "说宽限期内还清视为按时还款，没有说过了宽限期从哪天算起，这里按不会低估费用的方式"
                     "计算。",
                     "Paid in full by this day (inclusive), the debt counts as paid on time: no "
                     "overdue charges and no late fee. Still unpaid after it, charges count from "
                     "the day after the due date (day 1), grace days included: the rule only says "
                     "that paying within the grace period counts as on time, not from when charges "
                     "run afterwards, so this calculation takes the reading that does not "
                     "understate the cost."),
                self._preset_source("grace_days", debt.grace_days is not None)))
        start = debt.due_date + timedelta(days=grace + 1)
        charged = self.preset.late_fee.kind is not LateFeeKind.NONE
        # the late fee added on the first day (day_bills walks the day before first)
        fee = self.bill(start).fees - self.bill(start - timedelta(days=1)).fees if charged \
            else None
        if after_grace and grace > 0:
            zh = ("逾期费用从宽限期结束的次日起按天计算（你确认的贷款机构算法）；"
                  "这一天的应还金额包含到这一天为止的全部费用。")
            en = ("Overdue charges run day by day from the day after the grace period (the "
                  "lender's method you confirmed); the amount due on this day includes all "
                  "charges up to it.")
        else:
            zh = ("逾期费用从到期还款日的次日（第1天）起按天计算；"
                  "这一天的应还金额包含到这一天为止的全部费用。")
            en = ("Overdue charges run day by day from the day after the due date (day 1); the "
                  "amount due on this day includes all charges up to it.")
        if fee is not None and fee > 0:
            zh += f"这一天另收违约金{format_money(fee)}（每个错过的还款日只收一次，不计利息）。"
            en += (f" A late fee of {format_money(fee)} is added on this day (once per missed "
                   "due date; it bears no interest).")
        events.append(self.event("charges_start", start,
                                 _CHARGES_START, Text(zh, en),
                                 self.preset.source_of("penalty")))
        steps = compounding_dates(debt, self.as_of + timedelta(days=1),
                                  self.as_of + timedelta(days=62))
        if steps:
            events.append(self.event(
                "compounding", steps[0],
                Text("未还利息并入计息余额（按月复利）",
                     "Unpaid interest joins the balance (monthly compounding)"),
                Text("按月复利：这一天起，未还的利息并入计息的余额，之后利息也要计息；违约金和其他费用"
                     "不计息。实际账单日不知道，这里按每月与到期还款日相同的日子计算。",
                     "Monthly compounding: from this day, unpaid interest joins the balance that "
                     "bears interest, so interest is charged on it too; late fees and other fees "
                     "bear none. The actual statement day is not known, so the step is taken on "
                     "the due date's day of each month."),
                self._preset_source("penalty.compounding", debt.compounding is not None)))
        return events

    def preset_milestones(self) -> list[Event]:
        """The preset's own milestones (credit reporting and the like)."""
        events = []
        for milestone in self.preset.milestones:
            on = None
            if milestone.after_days is not None:
                on = self.debt.due_date + timedelta(days=milestone.after_days)
            events.append(self.event(milestone.id, on, milestone.label, milestone.detail,
                                     self.preset.source_of(f"milestones.{milestone.id}")))
        return events

    # -- legal rules --------------------------------------------------------------------

    def credit_repair(self) -> Event:
        """The one-off credit repair: its repay-by date and whether it can apply."""
        rule = self.law.credit_repair
        debt = self.debt
        arose = debt.due_date + timedelta(days=1)
        amount = debt.principal + debt.interest + debt.fees
        in_window = rule.overdue_from <= arose <= rule.overdue_to
        small = amount <= rule.max_amount
        passed = self.as_of > rule.repaid_by
        check = min(self.as_of, rule.repaid_by)
        repaid = check >= arose and self.bill(check).total <= self.preset.tolerance
        applies = in_window and small and (repaid or not passed)
        start, deadline, cap, zh_first, en_first = self._shared(self._repair_terms)
        zh = [zh_first]
        en = [en_first]
        if arose > rule.overdue_to:
            year = rule.overdue_to.year + 1
            zh.append(f"这笔逾期发生在{arose.isoformat()}：{year}年起新发生的逾期不在这项政策范围内。")
            en.append(f"This overdue arose on {arose.isoformat()}: overdues arising from {year} "
                      "on are not covered.")
        elif arose < rule.overdue_from:
            zh.append(f"这笔逾期发生在{arose.isoformat()}，早于{start}，不在这项政策范围内。")
            en.append(f"This overdue arose on {arose.isoformat()}, before {start}, so it is not "
                      "covered.")
        elif not small:
            zh.append(f"这笔逾期金额{format_money(amount)}超过{cap}，不在这项政策范围内。")
            en.append(f"This overdue amount, {format_money(amount)}, is above {cap}, so it is "
                      "not covered.")
        elif repaid:
            early, hidden = rule.early_repaid_by.isoformat(), rule.early_hidden_from.isoformat()
            zh.append(f"这笔逾期已经还清，符合公布的条件：{early}前还清的，自{hidden}起不再展示；之后还"
                      "清的，在还清的次月底前不再展示。可以查一次信用报告核实。")
            en.append(f"This overdue has been repaid and meets the published conditions: repaid "
                      f"by {early}, it is no longer displayed from {hidden}; repaid later, by the "
                      "end of the month after repayment. A credit report will confirm it.")
        elif passed:
            zh.append(f"还清截止日{deadline}已过，这笔逾期没有在那之前还清，不再适用。")
            en.append(f"The repay-by date {deadline} has passed and this overdue was not repaid "
                      "by then, so the policy no longer applies.")
        else:
            zh.append(f"这笔逾期符合发生时间和金额两项条件；在{deadline}（含）之前全部还清，即满足公布"
                      "的全部条件。")
            en.append(f"This overdue meets the date and amount conditions; repaying it in full by "
                      f"{deadline} (inclusive) meets all the published conditions.")
        if passed and not (in_window and small):
            zh.append(f"还清截止日{deadline}也已经过去。")
            en.append(f"The repay-by date {deadline} has also passed.")
        if in_window and small and not repaid and not passed:
            zh.append("“单笔逾期金额”是否包含利息和罚息尚未明确（一篇评论认为包含，来源单一），当月账单"
                      "是否也要还清也有不同说法，请向贷款机构确认。这项政策免费、自动办理，不需要任何第三"
                      "方；以它的名义收费或索要个人信息的都是诈骗。")
            en.append("Whether the single overdue amount includes interest and penalties is not "
                      "settled (one commentary says it does; a single source), and whether the "
                      "current month's bill must also be paid is reported differently: confirm "
                      "both with the lender. The policy is free and automatic and needs no third "
                      "party; anyone charging for it or asking for personal data in its name is a "
                      "fraudster.")
        basis = self.law.source_of("credit_repair.max_amount")
        return self.event("credit_repair", rule.repaid_by, _CREDIT_REPAIR,
                          Text("".join(zh), " ".join(en)), self.law.source_of("credit_repair"),
                          applies=applies, urls=basis.urls)

    def _repair_terms(self) -> tuple[str, str, str, str, str]:
        """The credit repair's first day, repay-by date and cap as written, and the
        paragraph saying what it is (Chinese, English)."""
        rule = self.law.credit_repair
        start, end = rule.overdue_from.isoformat(), rule.overdue_to.isoformat()
        deadline, cap = rule.repaid_by.isoformat(), format_money(rule.max_amount)
        zh = (f"一次性信用修复政策：{start}至{end}期间发生、单笔逾期金额不超过{cap}、并在{deadline}"
              "（含）前全部还清的个人逾期信息，在人民银行征信系统中不再展示（不是删除）；自动处理，"
              "无需申请。")
        en = (f"One-off credit repair: personal overdue records that arose between {start} and "
              f"{end}, of no more than {cap} each, and were repaid in full by {deadline} "
              "(inclusive) are no longer displayed in the PBOC credit system (not deleted); it "
              "happens automatically, with no application.")
        return start, deadline, cap, zh, en

    def malicious_overdraft(self) -> list[Event]:
        """For credit cards: the malicious-overdraft conditions, applicable or not."""
        if self.preset.product_kind is not ProductKind.CREDIT_CARD:
            return []
        rule = self.law.malicious_overdraft
        outstanding = principal_outstanding_principal_first(self.debt, self.as_of)
        principal = format_money(outstanding)
        applies = outstanding >= rule.min_principal
        floor = format_money(rule.min_principal)
        months, gap, demands = (rule.months_unpaid_after_demands, rule.demand_gap_days,
                                rule.demands)
        if applies:
            zh = (f"按还款先冲抵本金计算，未还透支本金为{principal}"
                  "（不含利息、复利、违约金和手续费），"
                  f"达到恶意透支“数额较大”的起点{floor}。按2018年修订的司法解释，恶意透支须同时具备："
                  f"以非法占有为目的；超过规定限额或期限透支；经发卡银行{demands}次有效催收（两次间隔"
                  f"至少{gap}天）后超过{months}个月仍不归还。不能仅凭没有按时还款就认定非法占有目的；"
                  "逃避催收（如更换联系方式躲避）、隐匿或转移财产等，会被认定为有非法占有目的。在提起"
                  "公诉前全部归还的，可以不起诉；在一审判决前全部归还的，可以免除处罚。")
            en = (f"Counting repayments against principal first, the unpaid overdraft principal "
                  f"is {principal} (interest, compound interest, late fees and charges "
                  f"excluded): at or above {floor}, where the 'large amount' for malicious "
                  "overdraft starts. Under the judicial interpretation as amended in 2018, "
                  "malicious overdraft needs all of: intent of illegal possession; overdrawing "
                  f"beyond the limit or term; and still not repaying more than {months} months "
                  f"after {demands} effective demands by the issuing bank, at least {gap} days "
                  "apart. Not repaying on time is not by itself proof of intent; absconding or "
                  "changing contact details to avoid collection, or hiding or moving assets, "
                  "are treated as intent. Full repayment before prosecution allows prosecutors "
                  "not to prosecute; before the first-instance judgment, punishment may be "
                  "waived.")
        else:
            repeat = format_money(rule.repeat_offender_min_principal)
            zh = (f"按还款先冲抵本金计算，未还透支本金为{principal}（不含利息和费用），"
                  f"低于{floor}。"
                  f"按2018年修订的司法解释，恶意透支的“数额较大”从{floor}起算，低于这个数额达不到这项"
                  f"犯罪要求的数额（利息和费用不计入）。另据二手资料，对曾两次以上受过信用卡诈骗处罚的"
                  f"人，立案标准为{repeat}。逾期费用照常计算，逾期也可能上报征信。")
            en = (f"Counting repayments against principal first, the unpaid overdraft principal "
                  f"is {principal} (interest and fees excluded): below {floor}. Under the "
                  f"judicial interpretation as amended in 2018, the 'large amount' for malicious "
                  f"overdraft starts at {floor}; below it the amount the offence requires is not "
                  "reached (interest and fees do not count). A secondary source reports a filing "
                  f"threshold of {repeat} for people with two or more earlier credit-card fraud "
                  "penalties. Overdue charges still run and the overdue may still be reported.")
        repeat_source = self.law.source_of("malicious_overdraft.repeat_offender_min_principal")
        return [self.event("malicious_overdraft", None,
                           _MALICIOUS_OVERDRAFT, Text(zh, en),
                           self.law.source_of("malicious_overdraft"),
                           applies=applies, urls=repeat_source.urls)]

    def _shared(self, make: Callable[[], T]) -> T:
        """``make()``, an event (or text) that depends only on the law and the day the
        timeline is seen from — the same for every debt of a case — made once for them (the
        last law and day asked are kept, with what was made by the name of its maker)."""
        global _SHARED
        shared = _SHARED
        if shared is None or shared[0] is not self.law or shared[1] != self.as_of:
            shared = _SHARED = (self.law, self.as_of, {})
        name = make.__name__
        found: T | None = shared[2].get(name)
        if found is None:
            found = shared[2][name] = make()
        return found

    def limitation(self) -> Event:
        """The limitation period: for a lender that collects, why it gives no date; for a
        loan between people (``dated_for``), its last day counted from the agreed
        repayment date, with what restarts it."""
        years = self.law.limitation.years
        if self.preset.product_kind in self.law.limitation.dated_for:
            return self._dated_limitation(years)
        return self._shared(self._undated_limitation)

    def _undated_limitation(self) -> Event:
        years = self.law.limitation.years
        return self.event(
            "limitation", None,
            Text(f"诉讼时效：{years}年", f"Limitation period: {years} years"),
            Text(f"向法院请求保护民事权利的诉讼时效期间为{years}年（民法典第188条）。贷款机构每一次要求"
                 "还款，都会使时效中断、重新计算（第195条）；信用卡的扣款，以及发到你预留联系方式的短"
                 "信、信件、电子邮件，也会中断时效。所以不能据此推算出一个贷款机构不能再追讨的日子；也"
                 "没有权威规定说逾期多久就会被起诉。",
                 f"The limitation period for asking a court to protect a civil right is {years} "
                 "years (Civil Code Art. 188). Every demand for repayment by the lender "
                 "interrupts it and starts it again (Art. 195); for cards, so do the bank's "
                 "debits and SMS, letters or emails to your registered contact details. So it "
                 "gives no date after which the lender can no longer claim, and no "
                 "authoritative rule says after how long an overdue leads to a lawsuit."),
            self.law.source_of("limitation"))

    def _dated_limitation(self, years: int) -> Event:
        """The limitation of a loan with an agreed repayment date: it runs from the day
        after that date (the first day overdue) and ends on the same date ``years`` later
        (Art. 188, 201, 202), unless a demand, a part payment or an acknowledgement
        restarted it (Art. 195)."""
        from xieshang.engine.schedules import add_months

        due = self.debt.due_date
        end = add_months(due, 12 * years)
        start = (due + timedelta(days=1)).isoformat()
        zh_end, en_end = end.isoformat(), end.isoformat()
        zh = (f"向法院请求保护民事权利的诉讼时效期间为{years}年（民法典第188条）。"
              f"约定了还款日期的借款，一般从还款日期的次日（{start}）起算，按这个日期算到{zh_end}届满。出借人在这期间"
              "向你要过钱（当面、电话、微信都算），你还过一部分，或者承认过这笔欠款，时效都会中断、"
              "重新计算（第195条），所以实际的日子可能更晚。时效届满后，欠款并没有消失：出借人仍可以"
              "起诉，只是你可以提出时效抗辩；你自愿还了，不能再要回来（第192条）。以上只是按一般算法"
              "估算，不是法律意见。")
        en = (f"The limitation period for asking a court to protect a civil right is {years} "
              "years (Civil Code Art. 188). For a loan with an agreed repayment date it "
              f"usually runs from the day after that date ({start}); counted so, it ends on "
              f"{en_end}. If the lender asked you for the money in that time (in person, by "
              "phone or by message), you repaid part of it, or you acknowledged the debt, it "
              "was interrupted and started again (Art. 195), so the real day may be later. "
              "After it ends the debt does not disappear: the lender can still sue, and you "
              "may raise the limitation as a defence; what you repay willingly cannot be "
              "claimed back (Art. 192). An estimate by the usual way of counting, not legal "
              "advice.")
        return self.event(
            "limitation", end,
            Text(f"诉讼时效：按约定还款日估算的{years}年届满日",
                 f"Limitation period: {years} years from the agreed repayment date "
                 "(estimate)"),
            Text(zh, en), self.law.source_of("limitation"))

    def credit_report(self) -> Event:
        """How long negative records are kept."""
        return self._shared(self._credit_report)

    def _credit_report(self) -> Event:
        years = self.law.credit_report.retention_years
        return self.event(
            "credit_report_retention", None,
            Text(f"征信不良记录：还清后保存{years}年",
                 f"Negative credit records: kept {years} years after repayment"),
            Text(f"不良信息自不良行为或者事件终止之日起保存{years}年，期满删除（征信业管理条例第16条）；"
                 "人民银行征信中心的说明是自结清之日起算。一直不还，记录就一直保留。报送不良信息前，"
                 "贷款机构应当事先告知本人（第15条）。",
                 f"Negative information is kept {years} years from the day the bad behaviour or "
                 "event ends, then deleted (Credit Reporting Regulations Art. 16); the PBOC "
                 "Credit Reference Center counts from the day the debt is settled. Unpaid, the "
                 "record stays. The lender must tell you before it reports negative "
                 "information (Art. 15)."),
            self.law.source_of("credit_report.retention_years"))

    def free_reports(self) -> Event:
        """Free credit reports (and the extra ones of the credit repair, while they last)."""
        return self._shared(self._free_reports)

    def _free_reports(self) -> Event:
        rule = self.law.credit_report
        repair = self.law.credit_repair
        zh = (f"每年可以免费获取本人信用报告{rule.free_reports_per_year}次"
              "（征信业管理条例第17条），可在征信中心网站 ipcrs.pbccrc.org.cn "
              "或人民银行分支机构柜台查询。发现记录有误可以提出异议，"
              f"应在{rule.objection_reply_days}日内核查答复（第25条）。")
        en = (f"You may get your own credit report free {rule.free_reports_per_year} times a "
              "year (Credit Reporting Regulations Art. 17), at ipcrs.pbccrc.org.cn or a PBOC "
              "branch counter. If a record is wrong you can object; it must be checked and "
              f"answered within {rule.objection_reply_days} days (Art. 25).")
        urls: tuple[str, ...] = ()
        if repair.extra_free_reports_from <= self.as_of <= repair.extra_free_reports_until:
            since, until = (repair.extra_free_reports_from.isoformat(),
                            repair.extra_free_reports_until.isoformat())
            zh += f"另据二手资料，{since}至{until}期间还可多免费查询{repair.extra_free_reports}次。"
            en += (f" A secondary source reports {repair.extra_free_reports} extra free reports "
                   f"between {since} and {until}.")
            urls = self.law.source_of("credit_repair.extra_free_reports").urls
        return self.event(
            "free_credit_reports", None,
            Text(f"免费查询信用报告：每年{rule.free_reports_per_year}次",
                 f"Free credit reports: {rule.free_reports_per_year} a year"),
            Text(zh, en), self.law.source_of("credit_report.free_reports_per_year"), urls=urls)
