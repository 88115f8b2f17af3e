"""Reminders as an iCalendar file (RFC 5545) that phone calendars import.

:func:`reminder_items` turns a case's commitments into dated items — my promised payments,
what the lender promised, chases for a written confirmation — plus the credit-report check
(free :attr:`~xieshang.engine.timeline.CreditReport.free_reports_per_year` times a year,
with where to get it); :func:`build_calendar` writes them as all-day ``VEVENT`` s, each
with a ``VALARM``. Every item's ``UID`` is stable (built from the case and the commitment),
so importing a newer file updates the events instead of duplicating them.

No clock is read: ``today`` and the ``DTSTAMP`` moment come in as arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from xieshang.engine.errors import N_
from xieshang.engine.followup import (
    CONFIRMATION_CHASE_DAYS,
    PAYMENT_NOTICE_DAYS,
    Party,
    Promise,
    Status,
)
from xieshang.engine.money import format_money
from xieshang.engine.timeline import Law

__all__ = ["PRODID", "AgreedDue", "CalendarItem", "DueDay", "agreement_items",
           "build_calendar", "due_day_items", "reminder_items"]

#: The last day of the month every month has: a repayment day after it is reminded of on it.
_LAST_COMMON_DAY = 28

PRODID = "-//xieshang//xieshang reminders//EN"


@dataclass(frozen=True, slots=True)
class CalendarItem:
    """One all-day reminder.

    Attributes:
        uid: the stable unique id (the same item keeps it from one export to the next).
        on: the day.
        kind: ``payment``, ``lender_promise``, ``confirmation`` or ``credit_report``.
        summary: the title shown in the calendar.
        description: the details.
        alarm_days: the alarm goes off this many days before the day (0: on the day).
        every_months: repeat every this many months (None: once).
    """

    uid: str
    on: date
    kind: str
    summary: str
    description: str = ""
    alarm_days: int = 0
    every_months: int | None = None


@dataclass(frozen=True, slots=True)
class AgreedDue:
    """An agreed payment of an accepted arrangement that is still to pay.

    Attributes:
        number: its place in the arrangement (1 for the first).
        on: its date.
        amount: what is still to pay of it.
    """

    number: int
    on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DueDay:
    """A debt's monthly repayment day, for a recurring reminder.

    Attributes:
        debt_id: the debt (part of the UID).
        name: the lender and the debt as the person knows them ("招商银行 · 招行信用卡").
        day: the repayment day of the month (1–31).
        owed: what it owed on the day the calendar was made.
    """

    debt_id: int
    name: str
    day: int
    owed: Decimal


def due_day_items(case_id: int, dues: Sequence[DueDay], today: date,
                  gettext: Callable[[str], str]) -> list[CalendarItem]:
    """A monthly reminder of each debt's repayment day, from the next one on (a day after
    the 28th is reminded of on the 28th, which every month has), naming the lender and what
    was owed when the calendar was made."""
    _ = gettext
    items = []
    for due in dues:
        day = min(due.day, _LAST_COMMON_DAY)
        first = date(today.year, today.month, day)
        if first < today:
            first = date(today.year + (today.month == 12), today.month % 12 + 1, day)
        late = _(N_(" (due on day {day}; in a shorter month, on its last day)")).format(
            day=due.day) if due.day > _LAST_COMMON_DAY else ""
        items.append(CalendarItem(
            uid=f"xieshang-case{case_id}-debt{due.debt_id}-due-day@xieshang", on=first,
            kind="due_date",
            summary=_(N_("{debt}: repayment day{late}")).format(debt=due.name, late=late),
            description=_(N_("Repayment day of {debt}. On {date} it owed {amount}; check the "
                             "amount due in the app or on the statement and pay a day or "
                             "two early. If you cannot pay, contact the lender before the "
                             "day.")).format(debt=due.name, date=today.isoformat(),
                                             amount=format_money(due.owed)),
            alarm_days=PAYMENT_NOTICE_DAYS, every_months=1))
    return items


def agreement_items(case_id: int, proposal_id: int, debt: str, accepted_on: date,
                    periods: int, dues: Sequence[AgreedDue], today: date,
                    gettext: Callable[[str], str]) -> list[CalendarItem]:
    """A reminder for each agreed payment still to pay under an accepted arrangement (one
    already missed is put on ``today``), with the alarm a few days before."""
    _ = gettext
    items = []
    for due in dues:
        items.append(CalendarItem(
            uid=f"xieshang-case{case_id}-arrangement{proposal_id}-payment{due.number}"
                "@xieshang",
            on=max(due.on, today), kind="payment",
            summary=_(N_("{debt} payment {number}/{periods}: pay {amount}")).format(
                amount=format_money(due.amount), debt=debt, number=due.number,
                periods=periods),
            description=_(N_("A payment of the arrangement accepted on {date}, due by {due}. "
                             "Pay a day or two early so it arrives in time; if you cannot pay, "
                             "contact the lender before the due date. Keep the receipt and "
                             "record it with `xieshang pay`.")).format(
                                 date=accepted_on.isoformat(), due=due.on.isoformat()),
            alarm_days=PAYMENT_NOTICE_DAYS))
    return items


def reminder_items(case_id: int, promises: Sequence[Promise], today: date, law: Law,
                   credit_report_where: str,
                   gettext: Callable[[str], str],
                   names: Mapping[int, str] | None = None) -> list[CalendarItem]:
    """The reminders of a case, by day.

    Args:
        case_id: the case (part of every UID).
        promises: the case's commitments (only pending ones give reminders).
        today: the day seen from (a confirmation chase already late is put on it).
        law: the legal rules (how many free credit reports a year, and its source).
        credit_report_where: where to get the credit report free (site and hotline).
        gettext: translates the msgids.
        names: each debt's lender and name as the person knows them, by debt id (a
            commitment about a debt names it).
    """
    _ = gettext
    known = names or {}
    items: list[CalendarItem] = []
    for promise in promises:
        if promise.status is not Status.PENDING:
            continue
        amount = "" if promise.amount is None else format_money(promise.amount)
        prefix = f"xieshang-case{case_id}-commitment{promise.id}"
        debt = known.get(promise.debt_id or 0, "")
        if promise.due_on is not None and promise.party is Party.ME:
            summary = (_(N_("{debt}: pay {amount} (commitment #{id})")).format(
                debt=debt, amount=amount or "—", id=promise.id) if debt
                else _(N_("Pay {amount} (commitment #{id})")).format(
                    amount=amount or "—", id=promise.id))
            items.append(CalendarItem(
                uid=f"{prefix}-payment@xieshang", on=promise.due_on, kind="payment",
                summary=summary,
                description=_(N_("The payment you promised. Keep the receipt; then mark it "
                                 "kept in xieshang (Log & promises, or `xieshang promise "
                                 "kept {id}`).")).format(id=promise.id),
                alarm_days=PAYMENT_NOTICE_DAYS))
        if promise.due_on is not None and promise.party is Party.LENDER:
            items.append(CalendarItem(
                uid=f"{prefix}-lender@xieshang", on=promise.due_on, kind="lender_promise",
                summary=(_(N_("{debt}: check the lender kept commitment #{id}")).format(
                    debt=debt, id=promise.id) if debt
                    else _(N_("Check the lender kept commitment #{id}")).format(id=promise.id)),
                description=_(N_("The lender promised this by today. If it did not happen, "
                                 "mark it broken in xieshang (Log & promises, or `xieshang "
                                 "promise broken {id}`) and contact them.")).format(
                                     id=promise.id)))
        if (promise.party is Party.LENDER and not promise.confirmed_in_writing
                and promise.agreed_on is not None):
            chase = max(promise.agreed_on + timedelta(days=CONFIRMATION_CHASE_DAYS), today)
            items.append(CalendarItem(
                uid=f"{prefix}-confirmation@xieshang", on=chase, kind="confirmation",
                summary=_(N_("Ask for written confirmation of commitment #{id}")).format(
                    id=promise.id),
                description=_(N_("Agreed on {date}; no written confirmation recorded yet. "
                                 "Ask the lender to confirm it in writing (letter, e-mail or "
                                 "an in-app message).")).format(
                                     date=promise.agreed_on.isoformat())))
    per_year = law.credit_report.free_reports_per_year
    if per_year > 0:
        first = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
        source = law.source_of("credit_report.free_reports_per_year")
        items.append(CalendarItem(
            uid=f"xieshang-case{case_id}-credit-report@xieshang", on=first,
            kind="credit_report",
            summary=_(N_("Check your credit report (free {count} times a year)")).format(
                count=per_year),
            description=_(N_("Get your own credit report free: {where}. Check what the lenders "
                             "reported; a wrong record can be objected to. Source: {ref}."
                             )).format(where=credit_report_where,
                                       ref="; ".join(source.public[:2]) or source.note),
            alarm_days=0, every_months=max(1, 12 // per_year)))
    return sorted(items, key=lambda item: (item.on, item.uid))


def build_calendar(items: Sequence[CalendarItem], stamp: datetime,
                   name: str = "xieshang") -> bytes:
    """The ``.ics`` text of the items (RFC 5545: PRODID, VERSION, UID, DTSTAMP, all-day
    DATE events, one VALARM each).

    Args:
        items: the reminders.
        stamp: the DTSTAMP moment (UTC; naive values are taken as UTC).
        name: the calendar's name (``X-WR-CALNAME``).
    """
    from icalendar import Alarm, Calendar, Event

    moment = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", moment)
        event.add("dtstart", item.on)
        event.add("dtend", item.on + timedelta(days=1))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        event.add("categories", [item.kind])
        event.add("transp", "TRANSPARENT")
        if item.every_months is not None:
            event.add("rrule", {"freq": "monthly", "interval": item.every_months})
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item.summary)
        # all-day events start at midnight: ring at 09:00, alarm_days before the day
        alarm.add("trigger", timedelta(days=-item.alarm_days, hours=9))
        event.add_component(alarm)
        calendar.add_component(event)
    result: bytes = calendar.to_ical()
    return result
