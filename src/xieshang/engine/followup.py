"""What was promised and what needs doing: commitment statuses and follow-up alerts.

:func:`follow_up` looks at a case's contacts and commitments on one day (passed in, never
read from the clock) and lists what needs attention:

* ``payment_due`` — a payment I promised falls due within :data:`PAYMENT_NOTICE_DAYS` days;
* ``confirmation_missing`` — something was agreed at a contact (a commitment by the lender
  not confirmed in writing) and :data:`CONFIRMATION_CHASE_DAYS` days or more have passed;
* ``past_due`` — a commitment is past its due date and still pending: mark it kept or broken;
* ``calls_over_limit`` / ``call_in_quiet_hours`` — collector calls above the collection rules
  of ``presets/_law.toml`` (the limits come from :class:`~xieshang.engine.timeline.Law`,
  with its source): each call is checked against the rules of its lender's kind
  (:class:`CallRules`: the online-lending rules, or the banks' guideline for a bank's card
  or loan).

The two notice periods are the product's own reminder choices (when to remind), not legal
or lender numbers. Alerts are structured (code, msgid, params, source reference); the fronts
translate the msgid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from xieshang.engine.errors import N_, InputError
from xieshang.engine.money import format_money
from xieshang.engine.timeline import Law

if TYPE_CHECKING:
    from xieshang.engine.agreement import Progress

__all__ = [
    "AGREED_DUE",
    "AGREED_MISSED",
    "CONFIRMATION_CHASE_DAYS",
    "PAYMENT_NOTICE_DAYS",
    "Alert",
    "AlertCode",
    "CallRecord",
    "CallRules",
    "Party",
    "Promise",
    "Status",
    "agreement_alerts",
    "call_rules_for",
    "follow_up",
    "in_quiet_hours",
    "mark",
]

#: Remind me of my own payment this many days ahead (a reminder setting, not a rule).
PAYMENT_NOTICE_DAYS = 3
#: Chase a written confirmation this many days after the contact (a reminder setting).
CONFIRMATION_CHASE_DAYS = 7


class Party(StrEnum):
    """Who made a commitment."""

    ME = "me"
    LENDER = "lender"


class Status(StrEnum):
    """Where a commitment stands."""

    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class AlertCode(StrEnum):
    """What an alert is about."""

    PAYMENT_DUE = "payment_due"
    CONFIRMATION_MISSING = "confirmation_missing"
    PAST_DUE = "past_due"
    CALLS_OVER_LIMIT = "calls_over_limit"
    CALL_IN_QUIET_HOURS = "call_in_quiet_hours"
    AGREED_PAYMENT_DUE = "agreed_payment_due"
    AGREED_PAYMENT_MISSED = "agreed_payment_missed"


class CallRules(StrEnum):
    """Which collection rules a collector's call is checked against."""

    #: The online-lending guideline and national standard (``collection`` in _law.toml).
    ONLINE = "online"
    #: The China Banking Association's guideline for banks' cards and consumer loans
    #: (``bank_collection``; self-regulation, not a law).
    BANK = "bank"


#: The product kinds the online-lending rules bind: a monthly bill and a cash loan.
_ONLINE_KINDS: Final = frozenset({"bill", "cash_loan"})


def call_rules_for(product_kind: str, lender_type: str) -> CallRules:
    """The collection rules a call about a product of ``product_kind`` lent by a lender of
    ``lender_type`` is checked against: the banks' guideline for a bank's card or loan, the
    online-lending rules otherwise (a bank's online loan, such as 微粒贷, stays under the
    online rules, whose call limit is the stricter)."""
    if lender_type == "bank" and product_kind not in _ONLINE_KINDS:
        return CallRules.BANK
    return CallRules.ONLINE


@dataclass(frozen=True, slots=True)
class Promise:
    """A commitment as the follow-up sees it.

    Attributes:
        id: the commitment's id.
        party: who promised.
        due_on: by when (None: no date).
        status: where it stands.
        amount: the amount, if any.
        confirmed_in_writing: whether the lender confirmed it in writing.
        agreed_on: the day of the contact where it was agreed (None: not linked).
        debt_id: the debt it concerns.
    """

    id: int
    party: Party
    due_on: date | None
    status: Status = Status.PENDING
    amount: Decimal | None = None
    confirmed_in_writing: bool = False
    agreed_on: date | None = None
    debt_id: int | None = None


@dataclass(frozen=True, slots=True)
class CallRecord:
    """A logged collector call.

    Attributes:
        id: the contact's id.
        at: when it happened (the lender's local time).
        rules: the collection rules it is checked against.
    """

    id: int
    at: datetime
    rules: CallRules = CallRules.ONLINE


@dataclass(frozen=True, slots=True)
class Alert:
    """Something that needs attention.

    Attributes:
        code: what it is about.
        msgid: the English message (gettext msgid) with ``{placeholders}``.
        params: the placeholders' values.
        on: the day it concerns (the due day, the call day …).
        commitment_id: the commitment it concerns, if one.
        contact_ids: the contacts it concerns (the calls).
        source: the rule's public sources and confidence mark (a law's title, a web address), or
            "" for a reminder that is not a rule.
        rule: the dotted parameter of ``_law.toml`` the alert applies
            (``bank_collection.quiet_from`` …), or "" for a reminder.
    """

    code: AlertCode
    msgid: str
    params: Mapping[str, object]
    on: date
    commitment_id: int | None = None
    contact_ids: tuple[int, ...] = ()
    source: str = ""
    rule: str = ""


def mark(promise: Promise, status: Status | str) -> Promise:
    """The promise with a new status (kept or broken; pending again is allowed).

    Raises:
        InputError: ``status`` is not a known status.
    """
    try:
        new = Status(str(status).strip().lower())
    except ValueError:
        raise InputError("status", N_("'{value}' is not one of: {known}"), value=str(status),
                         known=", ".join(s.value for s in Status)) from None
    return replace(promise, status=new)


def in_quiet_hours(moment: time, law: Law, rules: CallRules = CallRules.ONLINE) -> bool:
    """Whether a time of day falls in the quiet hours (e.g. 22:00–08:00) of the collection
    ``rules``."""
    limits = law.bank_collection if rules is CallRules.BANK else law.collection
    start, end = limits.quiet_from, limits.quiet_until
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def _source(law: Law, parameter: str) -> str:
    """The rule's public sources as a person may look them up (at most two) and its
    confidence mark — never our own reference or preset files."""
    source = law.source_of(parameter)
    return f"{'; '.join(source.public[:2])} [{source.confidence.value}]".strip()


def follow_up(promises: Sequence[Promise], calls: Sequence[CallRecord], today: date,
              law: Law) -> list[Alert]:
    """The alerts for a case on ``today``, soonest first.

    Args:
        promises: the case's commitments.
        calls: the case's logged collector calls.
        today: the day seen from.
        law: the legal rules (collection limits and their sources).
    """
    alerts: list[Alert] = []
    for promise in promises:
        if promise.status is not Status.PENDING:
            continue
        amount = "" if promise.amount is None else f"{promise.amount:.2f}"
        if promise.due_on is not None and promise.due_on < today:
            alerts.append(Alert(
                AlertCode.PAST_DUE,
                N_("Commitment #{id} was due on {date} and is still pending: mark it kept "
                   "or broken."),
                {"id": promise.id, "date": promise.due_on.isoformat(), "amount": amount,
                 "party": promise.party.value},
                on=promise.due_on, commitment_id=promise.id))
        elif (promise.party is Party.ME and promise.due_on is not None
              and promise.due_on - today <= timedelta(days=PAYMENT_NOTICE_DAYS)):
            days = (promise.due_on - today).days
            alerts.append(Alert(
                AlertCode.PAYMENT_DUE,
                N_("Your payment of {amount} (commitment #{id}) is due today, {date}.")
                if days == 0 else
                N_("Your payment of {amount} (commitment #{id}) is due on {date}, in {days} "
                   "days."),
                {"id": promise.id, "date": promise.due_on.isoformat(), "amount": amount,
                 "days": days},
                on=promise.due_on, commitment_id=promise.id))
        if (promise.party is Party.LENDER and not promise.confirmed_in_writing
                and promise.agreed_on is not None
                and today - promise.agreed_on >= timedelta(days=CONFIRMATION_CHASE_DAYS)):
            alerts.append(Alert(
                AlertCode.CONFIRMATION_MISSING,
                N_("No written confirmation of commitment #{id} (agreed on {date}) after "
                   "{days} days: ask the lender to confirm it in writing."),
                {"id": promise.id, "date": promise.agreed_on.isoformat(),
                 "days": (today - promise.agreed_on).days},
                on=promise.agreed_on, commitment_id=promise.id))
    alerts.extend(_call_alerts(calls, law))
    return sorted(alerts, key=lambda alert: (alert.on, alert.code.value,
                                             alert.commitment_id or 0))


def _call_alerts(calls: Sequence[CallRecord], law: Law) -> list[Alert]:
    alerts: list[Alert] = []
    for rules in CallRules:
        alerts += _rule_alerts([call for call in calls if call.rules is rules], law, rules)
    return alerts


def _rule_alerts(calls: Sequence[CallRecord], law: Law, rules: CallRules) -> list[Alert]:
    """The alerts about ``calls`` under one set of collection rules."""
    bank = rules is CallRules.BANK
    section = "bank_collection" if bank else "collection"
    quiet = law.bank_collection if bank else law.collection
    limit = (law.bank_collection.max_unanswered_attempts_per_day if bank
             else law.collection.max_effective_calls_per_day)
    limit_key = (f"{section}.max_unanswered_attempts_per_day" if bank
                 else f"{section}.max_effective_calls_per_day")
    alerts: list[Alert] = []
    per_day = Counter(call.at.date() for call in calls)
    for day, count in sorted(per_day.items()):
        if count > limit:
            ids = tuple(sorted(call.id for call in calls if call.at.date() == day))
            alerts.append(Alert(
                AlertCode.CALLS_OVER_LIMIT,
                N_("{count} collector calls were logged on {date}; the banks' collection "
                   "guideline (self-regulation, not a law) says that when you do not answer, "
                   "the same number should be tried at most {limit} times a day unless you "
                   "agreed otherwise. Keep the records: they support a complaint.")
                if bank else
                N_("{count} collector calls were logged on {date}; the collection rules allow "
                   "at most {limit} effective calls a day. Keep the records: they support a "
                   "complaint."),
                {"count": count, "date": day.isoformat(), "limit": limit},
                on=day, contact_ids=ids, source=_source(law, limit_key), rule=limit_key))
    for call in sorted(calls, key=lambda c: (c.at, c.id)):
        if in_quiet_hours(call.at.time(), law, rules):
            alerts.append(Alert(
                AlertCode.CALL_IN_QUIET_HOURS,
                N_("A collector called at {time} on {date}; the banks' collection guideline "
                   "(self-regulation, not a law) forbids collection from {start} to {end} "
                   "unless you agreed to it.")
                if bank else
                N_("A collector called at {time} on {date}; the collection rules forbid "
                   "collection from {start} to {end} unless you agreed to it."),
                {"time": call.at.strftime("%H:%M"), "date": call.at.date().isoformat(),
                 "start": quiet.quiet_from.strftime("%H:%M"),
                 "end": quiet.quiet_until.strftime("%H:%M")},
                on=call.at.date(), contact_ids=(call.id,),
                source=_source(law, f"{section}.quiet_from"), rule=f"{section}.quiet_from"))
    return alerts


#: Alerts about an accepted arrangement's payments (msgids).
AGREED_DUE: Final = N_("The agreed payment of {amount} to {debt} is due on {date}.")
AGREED_MISSED: Final = N_("The agreed payment of {amount} to {debt} due on {date} has not been "
                          "paid: pay it as soon as you can and tell the lender when.")


def agreement_alerts(debt: str, progress: Progress, today: date) -> list[Alert]:
    """The alerts of one accepted arrangement on ``today``: each missed agreed payment, and
    the next one when it falls due within :data:`PAYMENT_NOTICE_DAYS` days (``debt``: how
    the person calls the debt)."""
    alerts = [Alert(AlertCode.AGREED_PAYMENT_MISSED, AGREED_MISSED,
                    {"amount": format_money(item.missing), "debt": debt,
                     "date": item.payment.on.isoformat()}, item.payment.on)
              for item in progress.missed]
    upcoming = progress.next
    if upcoming is not None and (upcoming.payment.on - today).days <= PAYMENT_NOTICE_DAYS:
        alerts.append(Alert(AlertCode.AGREED_PAYMENT_DUE, AGREED_DUE,
                            {"amount": format_money(upcoming.missing), "debt": debt,
                             "date": upcoming.payment.on.isoformat()}, upcoming.payment.on))
    return alerts
