"""Step 1, "Start": who the case is about, why the person fell behind, what proves it, and
what keeps it from happening again.

Routes:
    GET  /start                         the page
    POST /start/case                    create the case (or change its details)
    POST /start/use                     choose the case to work on (several cases, none chosen)
    POST /start/hardship                save why the person fell behind
    POST /start/evidence                add an evidence file (its SHA-256, kind and note)
    GET  /start/evidence/{id}/file      download a file added here
    GET  /start/evidence/{id}/remove    ask before removing an evidence record
    POST /start/evidence/{id}/remove    remove it
    POST /start/prevent                 save the "what prevents a repeat" checklist

The checks are the command line's (``case new``, ``hardship set``, ``hardship evidence
add``). Personal numbers are never shown again once saved: only masked, and never put back
into a form.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from xieshang.engine.errors import N_, XieshangError
from xieshang.store.db import StaleRecord
from xieshang.web.page import Errors, Form, Page, choice, is_id

if TYPE_CHECKING:
    from xieshang.store.db import Tx
    from xieshang.store.model import Case, Evidence, Hardship

__all__ = ["MAX_EVIDENCE_BYTES", "PREVENT_ITEMS", "PreventItem", "evidence_folder",
           "prevent_key", "router"]

router = APIRouter()

#: The personal fields of a case, in form order.
PERSONAL_FIELDS: tuple[str, ...] = ("full_name", "id_number", "phone")

#: The largest evidence file accepted from the browser (25 MiB: a scan or a phone photo).
MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
#: Room for the rest of a form beside its file (bytes).
_FORM_ROOM = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PreventItem:
    """One step of the "what prevents a repeat" checklist.

    Attributes:
        id: the key saved in the case's settings.
        label: what the person does (msgid).
        why: why it matters, also when negotiating (msgid).
        guide: sections of the user's guide it comes from ("" when none).
        rules: sections of rules-cn.md it relies on ("" when none).
        mark: the confidence mark of the advice (S: the guide or a secondary source;
            V: read in the rule itself; C: our own advice).
        reasons: the reasons for falling behind it answers most directly (``REASONS`` keys).
        ask: the slug of a question people ask about it ("" when none).
        link: the page of the app where the step is done ("" when none).
        link_text: the text of that link (msgid).
    """

    id: str
    label: str
    why: str
    guide: str
    rules: str
    mark: str
    reasons: frozenset[str]
    ask: str = ""
    link: str = ""
    link_text: str = ""


_MONEY_REASONS = frozenset({"income_loss", "illness", "business_failure", "family_emergency",
                            "other"})

#: The checklist, from the guide's §1 (why people fall behind) and §7 (follow up and manage
#: yourself), and DESIGN.md's journey step 1 (reminders, a due-date calendar, a budget).
PREVENT_ITEMS: tuple[PreventItem, ...] = (
    PreventItem(
        "auto_repay",
        N_("Automatic repayment is switched on, from an account that has the money on the "
           "repayment day"),
        N_("Forgetting is one of the usual reasons for falling behind. When you explain a "
           "one-off slip, lenders look for proof that it is fixed: a screenshot of the "
           "automatic repayment or of the reminder you set."),
        "§1.2, §7.2", "", "S", frozenset({"forgot", "misread_due_date"})),
    PreventItem(
        "reminders",
        N_("A reminder is set two or three days before every repayment day"),
        N_("A reminder leaves time to move money before the day. Step 7 makes a calendar file "
           "(.ics) with your repayment dates and promises."),
        "§1.2", "", "S", frozenset({"forgot"}), link="/log",
        link_text=N_("Step 7: log and promises")),
    PreventItem(
        "due_dates",
        N_("The repayment day of every debt is written down"),
        N_("Misreading the repayment date is another usual reason. Pay by the repayment day "
           "itself and do not count on a grace period: for most products none has been "
           "confirmed."),
        "§1.3", "§1.3, §3.3", "S", frozenset({"misread_due_date", "forgot"}),
        ask="grace-period", link="/debts", link_text=N_("Step 2: enter each debt's repayment day")),
    PreventItem(
        "budget",
        N_("A monthly budget is written down, and the repayments fit in it"),
        N_("The guide asks for a repayment plan based on your real income and spending, and "
           "for a reasonable financial plan afterwards. A lender takes a proposal more "
           "seriously when a budget statement shows how it was worked out."),
        "§3.3, §7.2", "", "S", _MONEY_REASONS, link="/budget",
        link_text=N_("Step 4: the budget")),
    PreventItem(
        "buffer",
        N_("A small amount is put aside every month for emergencies"),
        N_("Sudden costs such as medical or school bills are a common cause of falling behind. "
           "A small reserve keeps the next surprise from becoming a new overdue. This is our "
           "advice, not a rule."),
        "§1.1", "", "C", _MONEY_REASONS),
    PreventItem(
        "no_new_loans",
        N_("No new borrowing to repay old debts"),
        N_("Borrowing from one lender to pay another adds charges and makes the next overdue "
           "more likely. For a credit card's personalised installment, the agreement includes "
           "your undertaking not to apply for new cards until it is repaid."),
        "§7.2", "§3.6", "S", _MONEY_REASONS),
    PreventItem(
        "promises",
        N_("Every promise made to a lender is written down with its date, and kept"),
        N_("The guide says to record what was agreed and to follow up on every promise. Once "
           "a card's personalised installment is signed, the bank must stop collection unless "
           "you fall behind on the agreement."),
        "§5.4, §7.1", "§3.6", "S", frozenset(), link="/log",
        link_text=N_("Step 7: log and promises")),
    PreventItem(
        "credit_report",
        N_("The credit report is checked regularly"),
        N_("The guide advises checking your credit report regularly. It is free twice a year "
           "from the Credit Reference Center (ipcrs.pbccrc.org.cn); if something in it is "
           "wrong, you can object and it must be checked within 20 days."),
        "§7.3", "§6.1, §6.3", "V", frozenset(), ask="credit-report-duration"),
)

#: The longest free text beside the checklist.
_OTHER_MAX = 500


def prevent_key(case_id: int) -> str:
    """The settings key holding a case's "what prevents a repeat" checklist (JSON)."""
    return f"prevent:{case_id}"


def evidence_folder(page: Page) -> Path | None:
    """Where uploaded evidence is kept: ``evidence/`` beside the SQLite database (None for
    PostgreSQL, where only the hash and the file's name are recorded)."""
    database = page.web.store.sqlite_path
    return None if database is None else database.parent / "evidence"


# ------------------------------------------------------------------------------ reading


@router.get("/start", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    return _render(Page.of(request))


def _render(page: Page, *, status: int = 200, **forms: Any) -> HTMLResponse:
    """The page, with the values and errors of the form that was sent (if any)."""
    with page.read() as tx:
        values = _page_values(page, tx)
    values.update(forms)
    return page.render("start.html", step=1, status=status, **values)


def _page_values(page: Page, tx: Tx) -> dict[str, Any]:
    from xieshang.present import masked
    from xieshang.services.cases import EVIDENCE_KINDS, REASONS
    from xieshang.store.model import Case, Evidence, Hardship

    _ = page._
    out = page.out
    values: dict[str, Any] = {
        "case": None, "cases": [], "reasons": [(k, _(v)) for k, v in REASONS.items()],
        "kinds": [(k, _(v)) for k, v in EVIDENCE_KINDS.items()],
        "hardship": None, "hardship_values": {}, "materials": [], "evidence": [],
        "prevent": [], "prevent_values": {}, "prevent_saved_on": None,
        "case_errors": None, "case_values": {}, "use_errors": None, "hardship_errors": None,
        "evidence_errors": None, "evidence_values": {}, "prevent_errors": None,
        "max_mb": MAX_EVIDENCE_BYTES // (1024 * 1024),
    }
    case = tx.current_case()
    if case is None:
        values["cases"] = [(str(c.id), f"#{c.id} {masked(out, 'name', c.name)}")
                           for c in tx.find(Case)]
        return values
    values["case"] = {
        "id": case.id, "name": masked(out, "name", case.name),
        "full_name": masked(out, "name", case.full_name),
        "id_number": masked(out, "id_number", case.id_number),
        "phone": masked(out, "phone", case.phone), "notes": case.notes,
    }
    values["case_values"] = {"notes": case.notes, "version": str(case.version)}
    found = tx.find(Hardship, case_id=case.id)
    reason = None
    if found:
        record = found[-1]
        reason = record.reason
        values["hardship"] = {
            "reason": _(REASONS.get(record.reason, REASONS["other"])),
            "since": record.since.isoformat() if record.since else None,
            "recovery": record.recovery.isoformat() if record.recovery else None,
            "description": record.description,
        }
        values["hardship_values"] = _hardship_values(record)
        values["materials"] = _materials(page, record.reason)
    folder = evidence_folder(page)
    values["evidence"] = [_evidence_row(page, item, folder)
                          for item in tx.find(Evidence, case_id=case.id)]
    saved = _saved_checklist(tx, case.id)
    values["prevent_values"] = {f"prevent_{key}": "1" for key in saved.get("done", [])}
    values["prevent_values"]["prevent_other"] = saved.get("other", "")
    values["prevent_saved_on"] = saved.get("saved_on")
    values["prevent"] = [_prevent_row(page, item, reason) for item in PREVENT_ITEMS]
    return values


def _materials(page: Page, reason: str) -> list[dict[str, Any]]:
    """The evidence the negotiation kit lists for this reason (none for "other")."""
    from xieshang.services.negotiation import CASE_REASONS, negotiation_data
    from xieshang.web.page import public_ref

    data = negotiation_data()
    known = {item.id for item in data.hardship_reasons}
    wanted = {r for r in CASE_REASONS.get(reason, (reason,)) if r in known}
    lang = page.out.lang
    return [{"label": m.label.get(lang), "detail": m.detail.get(lang),
             "ref": public_ref(m.source.ref, m.source.urls),
             "mark": m.source.confidence.value}
            for m in data.materials if m.reasons and m.reasons & wanted]


def _evidence_row(page: Page, item: Evidence, folder: Path | None) -> dict[str, Any]:
    from xieshang.services.cases import EVIDENCE_KINDS, file_state

    _ = page._
    path = Path(item.path)
    kept = folder is not None and _inside(folder, path)
    if not path.is_absolute():
        state = _("only the fingerprint is kept")
    else:
        state = {"ok": _("unchanged"), "changed": _("changed since added"),
                 "missing": _("file not found")}[file_state(item)]
    return {"id": item.id, "kind": _(EVIDENCE_KINDS.get(item.kind, EVIDENCE_KINDS["other"])),
            "added_on": item.added_on.isoformat(), "note": item.note,
            "short": item.sha256[:12], "sha256": item.sha256,
            "file": "" if kept else path.name, "state": state,
            "download": kept and path.is_file()}


def _prevent_row(page: Page, item: PreventItem, reason: str | None) -> dict[str, Any]:
    _ = page._
    where = []
    if item.guide:
        where.append(_("the guide {sections}").format(sections=item.guide))
    return {"id": item.id, "label": _(item.label), "why": _(item.why),
            "source": "; ".join(where), "mark": item.mark, "ask": item.ask,
            "link": item.link, "link_text": _(item.link_text) if item.link_text else "",
            "fits": reason is not None and reason in item.reasons}


def _saved_checklist(tx: Tx, case_id: int) -> dict[str, Any]:
    text = tx.setting(prevent_key(case_id))
    if not text:
        return {}
    try:
        saved = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(saved, dict):
        return {}
    known = {item.id for item in PREVENT_ITEMS}
    done = saved.get("done")
    return {"done": [key for key in done if key in known] if isinstance(done, list) else [],
            "other": str(saved.get("other") or ""), "saved_on": saved.get("saved_on")}


def _inside(folder: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _current_case(page: Page) -> Case | None:
    with page.read() as tx:
        return tx.current_case()


def _no_case(page: Page) -> HTMLResponse:
    """A form that needs a case arrived when there is none: ask to create it first."""
    errors = page.errors()
    errors.add("name", page._("Create the case first: give it a name."))
    return _render(page, status=422, case_errors=errors)


# ------------------------------------------------------------------------------- case


@router.post("/start/case")
async def save_case(request: Request) -> Response:
    from xieshang.services.cases import check_name
    from xieshang.store.model import Case

    page = Page.of(request)
    form = await page.form()
    errors = page.errors()
    case = _current_case(page)
    changes: dict[str, Any] = {}
    name = form.get("name")
    if case is None and not name:
        errors.required(form, "name")
    elif name:
        cleaned = errors.check("name", lambda: check_name(name))
        if cleaned is not None:
            changes["name"] = cleaned
    for key in PERSONAL_FIELDS:
        if case is not None and form.get(f"clear_{key}"):
            changes[key] = None
        elif form.get(key):
            checked = errors.check(key, _personal_check(key, form.get(key)))
            if checked is not None:
                changes.update(checked)
    changes["notes"] = form.get("notes")
    if errors:
        return _case_failed(page, form, errors)
    try:
        with page.write() as tx:
            if case is None:
                created = tx.add(Case(name=changes.pop("name"), **changes))
                tx.use_case(created.id)
            else:
                current = tx.get(Case, case.id)
                if current is None:
                    raise HTTPException(404)
                tx.expect_version(current, form.get("version"))
                tx.update(replace(current, **changes))
    except StaleRecord:  # changed in another tab or by the command line: nothing written
        return _case_stale(page, form, errors)
    except XieshangError as error:  # e.g. personal data is encrypted and still locked
        from xieshang.web.pages.debts import show_refused_write

        given = [key for key in PERSONAL_FIELDS if changes.get(key)]
        show_refused_write(page, errors, given[0] if given else "name", error)
        return _case_failed(page, form, errors)
    return page.redirect("/start#case")


def _personal_check(key: str, text: str) -> Any:
    from xieshang.services.cases import personal_values

    def check() -> dict[str, str | None]:
        given = [text if field == key else None for field in PERSONAL_FIELDS]
        return personal_values(*given)

    return check


def _case_stale(page: Page, form: Form, errors: Errors) -> HTMLResponse:
    """The case form sent from a page opened before the case changed: what differs, and
    the form again with the saved values (and the version they are at)."""
    from xieshang.web.page import show_stale

    case = _current_case(page)
    if case is None:
        raise HTTPException(404)
    _ = page._
    labels = {"name": _("New name of the case"), "notes": _("Notes")}
    saved = {"name": form.get("name") and case.name, "notes": case.notes}
    show_stale(page, errors, labels, saved, form.values)
    return _render(page, status=422, case_errors=errors, case_open=True,
                   case_values={"notes": case.notes, "version": str(case.version)})


def _case_failed(page: Page, form: Form, errors: Errors) -> HTMLResponse:
    # personal numbers are never sent back to the browser, not even as typed
    kept = {key: form.get(key) for key in ("name", "notes", "version")}
    return _render(page, status=422, case_errors=errors, case_values=kept, case_open=True)


@router.post("/start/use")
async def use_case(request: Request) -> Response:
    from xieshang.services.cases import parse_id
    from xieshang.store.model import Case

    page = Page.of(request)
    form = await page.form()
    errors = page.errors()
    text = errors.required(form, "case")
    chosen = None
    if text is not None:
        ident = errors.check("case", lambda: parse_id(text, "case"))
        if ident is not None:
            with page.read() as tx:
                chosen = tx.get(Case, ident)
            if chosen is None:
                errors.add("case", page._("There is no such case."))
    if errors or chosen is None:
        return _render(page, status=422, use_errors=errors)
    with page.write() as tx:
        tx.use_case(chosen.id)
    return page.redirect("/start")


# --------------------------------------------------------------------------- hardship


@router.post("/start/hardship")
async def save_hardship(request: Request) -> Response:
    """Save why the person fell behind (``hardship set``'s checks); a form opened before the
    record changed elsewhere is refused with what changed."""
    from xieshang.services.cases import hardship_fields, set_hardship

    page = Page.of(request)
    form = await page.form()
    case = _current_case(page)
    if case is None:
        return _no_case(page)
    errors = page.errors()
    fields = errors.check_fields(lambda: hardship_fields(
        reason=form.get("reason"), since=form.get("since") or None,
        recovery=form.get("recovery") or None, note=form.get("description"),
        note_field="description"))
    if errors or fields is None:
        return _render(page, status=422, hardship_errors=errors, hardship_values=form.values)
    try:
        with page.write() as tx:
            set_hardship(tx, case, fields, form.get("version"))
    except StaleRecord:  # changed in another tab or by the command line: nothing written
        return _hardship_stale(page, form, errors)
    return page.redirect("/start#why")


def _hardship_stale(page: Page, form: Form, errors: Errors) -> HTMLResponse:
    """The hardship form sent from a page opened before the record changed: what differs,
    and the form again with the saved values (and the version they are at)."""
    from xieshang.store.model import Hardship
    from xieshang.web.page import show_stale

    case = _current_case(page)
    if case is None:
        raise HTTPException(404)
    with page.read() as tx:
        found = tx.find(Hardship, case_id=case.id)
    if not found:
        raise HTTPException(404)
    saved = _hardship_values(found[0])
    _ = page._
    labels = {"reason": _("Reason"), "since": _("Since when"),
              "recovery": _("Expected recovery"), "description": _("In your own words")}
    show_stale(page, errors, labels, saved, form.values)
    return _render(page, status=422, hardship_errors=errors, hardship_values=saved)


def _hardship_values(record: Hardship) -> dict[str, str]:
    """The hardship form's values as stored (and the version they are at)."""
    return {"reason": record.reason,
            "since": record.since.isoformat() if record.since else "",
            "recovery": record.recovery.isoformat() if record.recovery else "",
            "description": record.description, "version": str(record.version)}


# --------------------------------------------------------------------------- evidence

_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")


def _file_name(raw: str | None) -> str:
    """The uploaded file's own name (no folders), at most 200 characters."""
    text = (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    text = "".join(ch for ch in text if ch.isprintable())
    return text[-200:] or "file"


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if _SUFFIX.fullmatch(suffix) else ""


@router.post("/start/evidence")
async def add_evidence(request: Request) -> Response:
    from xieshang.services.cases import EVIDENCE_KINDS
    from xieshang.store.model import Evidence

    page = Page.of(request)
    form = await page.form(limit=MAX_EVIDENCE_BYTES + _FORM_ROOM)
    case = _current_case(page)
    if case is None:
        return _no_case(page)
    errors = page.errors()
    kind = choice(errors, form, "kind", EVIDENCE_KINDS)
    note = form.get("note")
    upload = form.files.get("file")
    data = b""
    if upload is None:
        errors.add("file", page._("Choose the file to add."))
    else:
        data = await upload.read(MAX_EVIDENCE_BYTES + 1)
        if not data:
            errors.add("file", page._("The file is empty."))
        elif len(data) > MAX_EVIDENCE_BYTES:
            errors.add("file", page._("The file is larger than {size} MB. Add a smaller copy "
                                      "(for example a scan at a lower resolution).").format(
                size=MAX_EVIDENCE_BYTES // (1024 * 1024)))
    if errors or kind is None or upload is None:
        return _render(page, status=422, evidence_errors=errors,
                       evidence_values={"kind": form.get("kind"), "note": note})
    digest = hashlib.sha256(data).hexdigest()
    name = _file_name(upload.filename)
    folder = evidence_folder(page)
    created: Path | None = None
    try:
        with page.write() as tx:
            if folder is None:
                path = name  # PostgreSQL: the fingerprint and the file's name only
            else:
                target = folder / f"{digest}{_suffix(name)}"
                if not target.is_file():
                    _write_private(folder, target, data)
                    created = target
                path = str(target.resolve())
            tx.add(Evidence(case_id=case.id, sha256=digest, path=path, added_on=page.today,
                            kind=kind, note=note or name))
    except BaseException:
        if created is not None:
            created.unlink(missing_ok=True)
        raise
    return page.redirect("/start#evidence")


def _write_private(folder: Path, target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` readable by this user only (whole or not at all)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _evidence_of(page: Page, ident: str) -> tuple[Case, Evidence]:
    """The current case's evidence record with this id, or 404."""
    from xieshang.store.model import Evidence

    if not is_id(ident):
        raise HTTPException(404)
    with page.read() as tx:
        case = tx.current_case()
        item = tx.get(Evidence, int(ident))
    if case is None or item is None or item.case_id != case.id:
        raise HTTPException(404)
    return case, item


@router.get("/start/evidence/{ident}/file")
def evidence_file(request: Request, ident: str) -> Response:
    import mimetypes

    page = Page.of(request)
    _case, item = _evidence_of(page, ident)
    folder = evidence_folder(page)
    path = Path(item.path)
    if folder is None or not _inside(folder, path) or not path.is_file():
        raise HTTPException(404)
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return page.download(path.read_bytes(), f"evidence-{item.id}{_suffix(path.name)}", media)


@router.get("/start/evidence/{ident}/remove", response_class=HTMLResponse)
def confirm_remove_evidence(request: Request, ident: str) -> HTMLResponse:
    page = Page.of(request)
    _case, item = _evidence_of(page, ident)
    return page.render("start_evidence_remove.html", step=1,
                       item=_evidence_row(page, item, evidence_folder(page)), errors=None)


@router.post("/start/evidence/{ident}/remove")
async def remove_evidence(request: Request, ident: str) -> Response:
    from xieshang.store.model import Evidence

    page = Page.of(request)
    form = await page.form()
    _case, item = _evidence_of(page, ident)
    folder = evidence_folder(page)
    if not form.get("confirm"):
        errors = page.errors()
        errors.add("confirm", page._("Tick the box to confirm."))
        return page.render("start_evidence_remove.html", step=1, status=422,
                           item=_evidence_row(page, item, folder), errors=errors)
    path = Path(item.path)
    with page.write() as tx:
        tx.delete(Evidence, item.id)
        # the same file may back other records (a contact's evidence, added again …):
        # it stays while any record with the same fingerprint or the same file is left
        shared = any(other.sha256 == item.sha256 or _same_file(other.path, path)
                     for other in tx.find(Evidence))
    if folder is not None and not shared and _inside(folder, path):
        path.unlink(missing_ok=True)
    return page.redirect("/start#evidence")


def _same_file(stored: str, path: Path) -> bool:
    try:
        return Path(stored).resolve() == path.resolve()
    except OSError:
        return False


# ------------------------------------------------------------------------- prevention


@router.post("/start/prevent")
async def save_prevent(request: Request) -> Response:
    page = Page.of(request)
    form = await page.form()
    case = _current_case(page)
    if case is None:
        return _no_case(page)
    errors = page.errors()
    other = form.get("prevent_other")
    if len(other) > _OTHER_MAX:
        errors.add("prevent_other", page._("must be at most {maximum} characters").format(
            maximum=_OTHER_MAX))
    done = [item.id for item in PREVENT_ITEMS if form.get(f"prevent_{item.id}")]
    if errors:
        return _render(page, status=422, prevent_errors=errors, prevent_values=form.values)
    payload = {"done": done, "other": other, "saved_on": page.today.isoformat()}
    with page.write() as tx:
        tx.set_setting(prevent_key(case.id),
                       json.dumps(payload, ensure_ascii=False, sort_keys=True))
    return page.redirect("/start#prevent")
