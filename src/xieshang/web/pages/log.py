"""Step 7, log & promises: every contact with a lender or collector (an edit keeps the
previous version), what either side promised and whether it was kept, what needs following
up today, and the reminders as a calendar file (``.ics``).

The page uses what ``xieshang log``, ``promise``, ``alerts`` and ``remind`` use
(:mod:`xieshang.services.contacts`): the same reading of every field
(:func:`~xieshang.services.contacts.contact_fields`,
:func:`~xieshang.services.contacts.promise_fields`), the same writes
(:func:`~xieshang.services.contacts.add_contact`, ``edit_contact``, ``add_promise``,
``set_promise_status``), the same alerts (:func:`xieshang.engine.followup.follow_up`) and
the same calendar (:mod:`xieshang.documents.calendar`). What is the page's own: the lists
to choose the debt, the party and the contact from, the uploaded evidence kept beside the
database, and the agent's number shown masked.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from xieshang.engine.errors import N_, InputError, StateError, XieshangError
from xieshang.services.contacts import OUTCOMES as _OUTCOMES
from xieshang.store.db import StaleRecord
from xieshang.web.page import Errors, Form, Page, choice, is_id

if TYPE_CHECKING:
    from starlette.datastructures import UploadFile

    from xieshang.services.contacts import ContactFields, EvidenceFile, LoggedContact
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Commitment, Contact, Debt

__all__ = ["OUTCOMES", "router", "shown_agent", "store_upload"]

router = APIRouter()

STEP = 7

#: Suggested outcomes (stored as typed; these three are shown translated).
OUTCOMES = _OUTCOMES

#: The contact fields as shown: form field → label (msgid).
FIELD_LABELS = {
    "when": N_("When"), "channel": N_("Channel"), "debt": N_("Debt"), "agent": N_("Agent"),
    "agent_id": N_("Staff number"), "reference": N_("Reference"), "asked": N_("Asked"),
    "offered": N_("Offered"), "outcome": N_("Outcome"), "notes": N_("Notes"),
}

# ------------------------------------------------------------------------------ helpers


def shown_agent(text: str) -> str:
    """The agent's name or staff number as shown (phone-length numbers masked)."""
    from xieshang.engine.identity import mask_phone_numbers

    return mask_phone_numbers(text)


def _latest() -> datetime:
    """The latest moment a contact may have happened: now (Beijing time)."""
    from xieshang.clock import now_local

    return now_local()


def _default_when() -> str:
    """The time a new contact's form starts with (``YYYY-MM-DDTHH:MM``): now."""
    return _latest().strftime("%Y-%m-%dT%H:%M")


def _case(tx: Tx) -> Case | None:
    return tx.current_case()


def _number(text: str) -> int:
    """An id from a path (404 when it is not one)."""
    if not is_id(text):
        raise HTTPException(404)
    return int(text)


def _contact(tx: Tx, case: Case, ident: str) -> Contact:
    """The contact ``ident`` of the case (404 when there is none)."""
    from xieshang.store.model import Contact

    contact = tx.get(Contact, _number(ident))
    if contact is None or contact.case_id != case.id:
        raise HTTPException(404)
    return contact


def _opened(page: Page, tx: Tx, ident: str) -> tuple[Case, Contact, dict[int, str]]:
    """The current case, its contact ``ident`` and the names of its debts (404 when there is
    no case or no such contact)."""
    case = _case(tx)
    if case is None:
        raise HTTPException(404)
    return case, _contact(tx, case, ident), _names(page, _debts(tx, case))


def _debts(tx: Tx, case: Case) -> list[Debt]:
    from xieshang.store.model import Debt

    return tx.find(Debt, case_id=case.id)


def _names(page: Page, debts: list[Debt]) -> dict[int, str]:
    from xieshang.present import debt_name

    return {debt.id: debt_name(page.out, debt) for debt in debts}


def _channel(page: Page, code: str) -> str:
    from xieshang.services.contacts import CHANNELS

    return page._(CHANNELS.get(code, code))


def _outcome(page: Page, text: str) -> str:
    return page._(OUTCOMES[text]) if text in OUTCOMES else text


def _when_text(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="minutes")


def _contact_row(page: Page, contact: LoggedContact | Contact,
                 names: dict[int, str]) -> dict[str, Any]:
    """A contact as the pages show it (its texts' phone numbers masked, channel and outcome
    translated): the same :class:`~xieshang.services.contacts.LoggedContact` as ``log
    list``/``log show``."""
    from xieshang.services.contacts import LoggedContact, shown_contact

    shown = contact if isinstance(contact, LoggedContact) else shown_contact(contact)
    return {
        "id": shown.id, "when": _when_text(shown.when),
        "channel": _channel(page, shown.channel), "channel_code": shown.channel,
        "debt": names.get(shown.debt_id, "") if shown.debt_id is not None else "",
        "debt_id": shown.debt_id, "agent": shown.agent, "agent_id": shown.agent_id,
        "reference": shown.reference, "asked": shown.asked, "offered": shown.offered,
        "outcome": _outcome(page, shown.outcome), "notes": shown.notes,
        "evidence": len(shown.evidence),
    }


def _commitment_row(page: Page, item: Commitment, names: dict[int, str]) -> dict[str, Any]:
    from xieshang.services.contacts import PARTIES, PROMISE_STATUSES

    return {
        "id": item.id, "by": page._(PARTIES.get(item.party, item.party)), "party": item.party,
        "debt": names.get(item.debt_id, "") if item.debt_id is not None else "",
        "amount": page.money(item.amount) if item.amount is not None else "",
        "due": item.due_on.isoformat() if item.due_on else "",
        "condition": item.condition, "written": item.confirmed_in_writing,
        "status": item.status,
        "status_label": page._(PROMISE_STATUSES.get(item.status, item.status)),
        "contact": item.contact_id,
    }


def _no_case(page: Page) -> HTMLResponse:
    """The page when there is no case yet: how to start one."""
    return page.render("log.html", step=STEP, case=None)


# ----------------------------------------------------------------------------- overview


@router.get("/log", response_class=HTMLResponse)
def overview(request: Request, debt: str | None = None) -> HTMLResponse:
    """The contact log (optionally one debt's), the commitments, today's alerts."""
    from xieshang.present import namer, shown_rights
    from xieshang.services.contacts import CALL_ALERTS, alerts_of, contact_log
    from xieshang.services.negotiation import rights_products
    from xieshang.store.model import Commitment

    page = Page.of(request)
    with page.read() as tx:
        case = _case(tx)
        if case is None:
            return _no_case(page)
        debts = _debts(tx, case)
        names = _names(page, debts)
        chosen = None
        if debt:
            chosen = _number(debt)
            if chosen not in names:
                raise HTTPException(404)
        contacts = contact_log(tx, case, None if chosen is None else str(chosen))
        rows = [_contact_row(page, c, names) for c in contacts]
        commitments = [_commitment_row(page, c, names)
                       for c in tx.find(Commitment, case_id=case.id)]
        alerts = alerts_of(tx, case, page.today, namer(page.out))
        products = rights_products(tx, case, chosen)
    rights = shown_rights(page.out, any(a.code in CALL_ALERTS for a in alerts), products)
    return page.render(
        "log.html", step=STEP, case=case,
        filter_options=[("", page._("All debts"))] + [(str(i), n) for i, n in names.items()],
        chosen=chosen, contacts=rows, commitments=commitments,
        alerts=[{"code": a.code.value, "text": page._(a.msgid).format(**a.params),
                 "on": a.on.isoformat(), "commitment": a.commitment_id,
                 "contacts": list(a.contact_ids), "source": a.source} for a in alerts],
        rights=rights, calls=any(c.channel == "collector_call" for c in contacts))


# ----------------------------------------------------------------------------- contacts


def _contact_options(page: Page, debts: dict[int, str]) -> dict[str, Any]:
    from xieshang.services.contacts import CHANNELS

    return {"channels": [(code, page._(label)) for code, label in CHANNELS.items()],
            "debt_options": [("", page._("Choose a debt"))]
            + [(str(i), name) for i, name in debts.items()],
            "outcomes": [page._(label) for label in OUTCOMES.values()],
            "keeps_files": page.web.store.sqlite_path is not None}


def _read_contact(form: Form, errors: Errors, *, needed: tuple[str, ...],
                  contact: Contact | None = None) -> ContactFields | None:
    """The contact's fields from the form, read as ``log add`` / ``log edit`` read their
    options (each refused field's error under its name). An empty time or channel is not
    given; an agent field left as it was shown (masked) keeps the stored value."""
    from xieshang.services.contacts import CONTACT_TEXTS, contact_fields

    texts: dict[str, str | None] = {name: form.get(name) for _key, name, _most in CONTACT_TEXTS}
    if contact is not None:
        for key, name in (("agent_name", "agent"), ("agent_id", "agent_id")):
            if texts[name] == shown_agent(getattr(contact, key)):
                texts[name] = None
    return errors.check_fields(lambda: contact_fields(
        when=form.optional("when"), channel=form.optional("channel"), needed=needed, **texts))


#: The largest evidence file kept (as on the Start page).
MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
#: Room for the rest of a contact form beside its file (bytes).
_FORM_ROOM = 1024 * 1024


async def store_upload(page: Page, upload: UploadFile) -> tuple[str, str]:
    """Keep an uploaded evidence file; returns (path, SHA-256) as ``log add --evidence``
    records them.

    SQLite: the file is copied into ``evidence/`` beside the database, named by its SHA-256
    (the same file uploaded twice is kept once); its absolute path is recorded. PostgreSQL
    (no data folder of ours): only the hash and the original file name are recorded.
    """
    import os
    import tempfile

    digest = hashlib.sha256()
    name = Path((upload.filename or "").replace("\\", "/")).name[:200] or "upload"
    database = page.web.store.sqlite_path
    if database is None:
        while block := await upload.read(1 << 20):
            digest.update(block)
        return name, digest.hexdigest()
    folder = database.parent / "evidence"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            size = 0
            with os.fdopen(handle, "wb") as target:
                while block := await upload.read(1 << 20):
                    size += len(block)
                    if size > MAX_EVIDENCE_BYTES:
                        raise InputError("evidence", N_("the file is larger than {size} MB; "
                                                        "keep a smaller copy"),
                                         size=MAX_EVIDENCE_BYTES // (1024 * 1024))
                    digest.update(block)
                    target.write(block)
            suffix = Path(name).suffix.lower()
            if not re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
                suffix = ""
            final = folder / f"{digest.hexdigest()}{suffix}"
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise InputError("evidence", N_("cannot write {file}: {error}"), file=str(folder),
                         error=error.strerror or str(error)) from None
    return str(final.resolve()), digest.hexdigest()


async def _uploads(page: Page, form: Form, errors: Errors) -> list[EvidenceFile]:
    """The uploaded evidence file kept (read-only app: 403 before anything is kept)."""
    from xieshang.services.contacts import EvidenceFile

    upload = form.files.get("evidence")
    if upload is None:
        return []
    if page.web.read_only:
        raise HTTPException(403, page._("This copy of xieshang is read-only."))
    try:
        return [EvidenceFile(*await store_upload(page, upload))]
    except XieshangError as error:
        errors.add_error("evidence", error)
        return []


@router.get("/log/contacts/new", response_class=HTMLResponse)
def new_contact(request: Request) -> HTMLResponse:
    page = Page.of(request)
    with page.read() as tx:
        case = _case(tx)
        if case is None:
            return _no_case(page)
        names = _names(page, _debts(tx, case))
    values = {"when": _default_when(), "channel": "phone",
              "debt": str(next(iter(names))) if len(names) == 1 else ""}
    return page.render("log_contact_form.html", step=STEP, case=case, contact=None,
                       values=values, errors=page.errors(), **_contact_options(page, names))


def _contact_form(page: Page, case: Case, names: dict[int, str], form: Form, errors: Errors,
                  contact: Contact | None = None) -> HTMLResponse:
    """The contact form again, with what was typed and why it was refused."""
    return page.render("log_contact_form.html", step=STEP, status=422, case=case,
                       contact=_contact_row(page, contact, names) if contact else None,
                       values=form.values, errors=errors, **_contact_options(page, names))


@router.post("/log/contacts/new")
async def add_contact(request: Request) -> Response:
    """Log a contact as ``log add`` does (same checks), with the uploaded evidence."""
    from xieshang.services.contacts import add_contact as log_contact

    page = Page.of(request)
    form = await page.form(limit=MAX_EVIDENCE_BYTES + _FORM_ROOM)
    errors = page.errors()
    with page.read() as tx:
        case = _case(tx)
        if case is None:
            return _no_case(page)
        names = _names(page, _debts(tx, case))
    debt = choice(errors, form, "debt", {str(i): n for i, n in names.items()})
    fields = _read_contact(form, errors, needed=("channel",))
    files = [] if errors else await _uploads(page, form, errors)
    if errors:
        return _contact_form(page, case, names, form, errors)
    if fields is None:
        raise StateError("fields")
    try:
        with page.write() as tx:
            contact = log_contact(tx, case, debt_id=debt, fields=fields, evidence=files,
                                  day=page.today)
    except InputError as error:  # refused in the transaction (nothing written): the form
        errors.add_refused(error)
        return _contact_form(page, case, names, form, errors)
    return page.redirect(f"/log/contacts/{contact.id}")


@router.get("/log/contacts/{ident}", response_class=HTMLResponse)
def show_contact(request: Request, ident: str) -> HTMLResponse:
    """One contact, its evidence files and every earlier version (``log show --history``)."""
    from xieshang.services.contacts import contact_versions, logged_contact
    from xieshang.store.model import Commitment

    page = Page.of(request)
    with page.read() as tx:
        case, contact, names = _opened(page, tx, ident)
        shown = logged_contact(tx, contact)
        evidence = [{"id": e.id, "path": e.path, "sha256": e.sha256,
                     "added_on": e.added_on.isoformat()} for e in shown.evidence]
        row = _contact_row(page, shown, names)
        revisions = [{"revised_at": _when_text(v.revised_at),
                      "fields": _version_fields(page, v.fields)}
                     for v in contact_versions(tx, contact)]
        promises = [_commitment_row(page, c, names)
                    for c in tx.find(Commitment, case_id=case.id, contact_id=contact.id)]
    return page.render("log_contact.html", step=STEP, case=case, contact=row,
                       evidence=evidence, revisions=revisions, promises=promises,
                       labels={k: page._(v) for k, v in FIELD_LABELS.items()})


def _version_fields(page: Page, fields: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """An earlier version's non-empty fields: (label, value as shown)."""
    shown = {"channel": partial(_channel, page), "outcome": partial(_outcome, page)}
    return [(page._(FIELD_LABELS[name]), shown[name](text) if name in shown else text)
            for name, text in fields]


def _edit_values(contact: Contact) -> dict[str, str]:
    return {"when": contact.happened_at.strftime("%Y-%m-%dT%H:%M"),
            "channel": contact.channel, "agent": shown_agent(contact.agent_name),
            "agent_id": shown_agent(contact.agent_id), "reference": contact.reference,
            "asked": contact.asked, "offered": contact.offered, "outcome": contact.outcome,
            "notes": contact.notes, "version": str(contact.version)}


@router.get("/log/contacts/{ident}/edit", response_class=HTMLResponse)
def edit_contact_form(request: Request, ident: str) -> HTMLResponse:
    page = Page.of(request)
    with page.read() as tx:
        case, contact, names = _opened(page, tx, ident)
    return page.render("log_contact_form.html", step=STEP, case=case,
                       contact=_contact_row(page, contact, names),
                       values=_edit_values(contact), errors=page.errors(),
                       **_contact_options(page, names))


@router.post("/log/contacts/{ident}/edit")
async def edit_contact(request: Request, ident: str) -> Response:
    """Change a contact as ``log edit`` does: the previous version is kept."""
    from xieshang.services.contacts import edit_contact as change_contact

    page = Page.of(request)
    form = await page.form(limit=MAX_EVIDENCE_BYTES + _FORM_ROOM)
    errors = page.errors()
    with page.read() as tx:
        case, contact, names = _opened(page, tx, ident)
    fields = _read_contact(form, errors, needed=("when", "channel"), contact=contact)
    files = [] if errors else await _uploads(page, form, errors)
    if errors:
        return _contact_form(page, case, names, form, errors, contact)
    if fields is None:
        raise StateError("fields")
    try:
        with page.write() as tx:
            try:
                change_contact(tx, case, contact.id, fields, files, page.today,
                               opened=form.get("version"))
            except StaleRecord:
                raise
            except InputError:  # the contact was deleted meanwhile
                raise HTTPException(404) from None
    except StaleRecord:  # changed in another tab or by the command line: nothing written
        return _contact_stale(page, form, errors, ident)
    return page.redirect(f"/log/contacts/{ident}")


def _contact_stale(page: Page, form: Form, errors: Errors, ident: str) -> HTMLResponse:
    """The contact form sent from a page opened before the contact changed: what
    differs, and the form again with the saved values (and their version)."""
    from xieshang.web.page import show_stale

    _ = page._
    with page.read() as tx:
        case, contact, names = _opened(page, tx, ident)
    saved = _edit_values(contact)
    labels = {"when": _("When"), "channel": _("Channel"), "agent": _("Agent"),
              "agent_id": _("Staff number"), "reference": _("Reference"),
              "asked": _("What you asked for"), "offered": _("What they offered"),
              "outcome": _("Outcome"), "notes": _("Notes")}
    show_stale(page, errors, labels, saved, form.values)
    return page.render("log_contact_form.html", step=STEP, status=422, case=case,
                       contact=_contact_row(page, contact, names), values=saved,
                       errors=errors, **_contact_options(page, names))


# -------------------------------------------------------------------------- commitments


def _promise_options(page: Page, tx: Tx, case: Case,
                     names: dict[int, str]) -> dict[str, Any]:
    from xieshang.store.model import Contact

    contacts = sorted(tx.find(Contact, case_id=case.id), key=lambda c: (c.happened_at, c.id))
    return {
        "parties": [("me", page._("I promised (a payment)")),
                    ("lender", page._("The lender promised"))],
        "debt_options": [("", page._("Choose a debt"))]
        + [(str(i), name) for i, name in names.items()],
        "contact_options": [("", page._("Not linked to a contact"))]
        + [(str(c.id), f"#{c.id} · {_when_text(c.happened_at)} · {_channel(page, c.channel)}")
           for c in contacts],
    }


@router.get("/log/promises/new", response_class=HTMLResponse)
def new_promise(request: Request, contact: str | None = None) -> HTMLResponse:
    page = Page.of(request)
    with page.read() as tx:
        case = _case(tx)
        if case is None:
            return _no_case(page)
        names = _names(page, _debts(tx, case))
        values = {"by": "me", "debt": str(next(iter(names))) if len(names) == 1 else ""}
        if contact:
            found = _contact(tx, case, contact)
            values["contact"] = str(found.id)
            if found.debt_id is not None:
                values["debt"] = str(found.debt_id)
        options = _promise_options(page, tx, case, names)
    return page.render("log_promise_form.html", step=STEP, case=case, values=values,
                       errors=page.errors(), **options)


@router.post("/log/promises/new")
async def add_promise(request: Request) -> Response:
    """Record a commitment as ``promise add`` does (same checks)."""
    from xieshang.services.contacts import PARTIES, promise_fields
    from xieshang.services.contacts import add_promise as record_promise

    page = Page.of(request)
    form = await page.form()
    errors = page.errors()
    with page.read() as tx:
        case = _case(tx)
        if case is None:
            return _no_case(page)
        names = _names(page, _debts(tx, case))
        options = _promise_options(page, tx, case, names)
    debt = choice(errors, form, "debt", {str(i): n for i, n in names.items()})
    party = choice(errors, form, "by", PARTIES)
    fields = errors.check_fields(lambda: promise_fields(
        party=party, amount=form.get("amount"), due=form.optional("due"),
        condition=form.get("condition"), written=bool(form.get("written")),
        today=page.today))
    contact = None
    if form.get("contact"):
        allowed = {value: text for value, text in options["contact_options"] if value}
        contact = choice(errors, form, "contact", allowed)
    if errors:
        return page.render("log_promise_form.html", step=STEP, status=422, case=case,
                           values=form.values, errors=errors, **options)
    if fields is None:
        raise StateError("fields")
    try:
        with page.write() as tx:
            record_promise(tx, case, debt_id=debt, fields=fields, contact_id=contact)
    except InputError as error:  # refused in the transaction (nothing written): the form
        errors.add_refused(error)
        return page.render("log_promise_form.html", step=STEP, status=422, case=case,
                           values=form.values, errors=errors, **options)
    return page.redirect("/log#promises")


@router.post("/log/promises/{ident}/{status}")
async def set_status(request: Request, ident: str, status: str) -> Response:
    """Mark a commitment kept or broken (``promise kept|broken``), or pending again."""
    from xieshang.services.contacts import PROMISE_STATUSES, set_promise_status

    page = Page.of(request)
    await page.form()
    if status not in PROMISE_STATUSES:
        raise HTTPException(404)
    with page.write() as tx:
        case = _case(tx)
        if case is None:
            raise HTTPException(404)
        number = _number(ident)
        try:
            set_promise_status(tx, case, number, status)
        except InputError:
            raise HTTPException(404) from None
    return page.redirect("/log#promises")


# ----------------------------------------------------------------------------- calendar


@router.get("/log/calendar.ics")
def calendar(request: Request) -> Response:
    """The reminders as an iCalendar file (as ``xieshang remind --ics`` writes it)."""
    from xieshang.services.contacts import reminders_ics

    page = Page.of(request)
    with page.read() as tx:
        case = _case(tx)
        if case is None:
            raise HTTPException(404)
        _items, data = reminders_ics(tx, case, page.today,
                                     lambda message: page.convert(page._(message)),
                                     lang=page.out.lang, convert=page.convert)
    return page.download(data, f"xieshang-reminders-{page.today.isoformat()}.ics",
                         "text/calendar")

