"""Step 1 of the web app, "Start": the case, why the person fell behind, the evidence and the
"what prevents a repeat" checklist (in process, through tests/webclient.py)."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from webclient import WebClient
from xieshang.cli.main import app as cli
from xieshang.cli.serve import build_demo_store
from xieshang.engine.errors import InputError
from xieshang.services.cases import check_recovery
from xieshang.store.db import Store, open_store
from xieshang.store.model import RECORDS, Case, Evidence, Hardship
from xieshang.web.pages import start

ID_NUMBER = "11010519491231002X"  # the GB 11643 standard's example number (check digit X)
PHONE = "13812345678"
PDF = b"%PDF-1.4\n% a made-up diagnosis for the tests\n"


def snapshot(opener: Callable[[], Store]) -> dict[str, Any]:
    """Every record and every setting: equal snapshots mean nothing was written."""
    from sqlalchemy import select

    from xieshang.store import schema

    with opener() as store, store.begin(readonly=True) as tx:
        records: dict[str, Any] = {kind.TABLE: tx.find(kind) for kind in RECORDS}
        records["settings"] = sorted(tuple(row) for row in
                                     tx.connection.execute(select(schema.settings)).all())
    return records


def error_ids(html: str) -> set[str]:
    return set(re.findall(r'id="f-([a-z_]+)-error"', html))


def main(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def fresh(tmp_path: Path) -> Callable[[], Store]:
    return build_demo_store(tmp_path)


@pytest.fixture
def empty(tmp_path: Path) -> Callable[[], Store]:
    return lambda: open_store(data_dir=tmp_path)


@pytest.fixture
def client(fresh: Callable[[], Store]) -> Iterator[WebClient]:
    with WebClient(fresh, lang="en") as web:
        web.get("/start")
        yield web


# ------------------------------------------------------------------------------ reading


def test_start_shows_the_case_the_reason_and_the_checklist(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en") as web:
        page = web.get("/start")
    assert page.status_code == 200
    html = main(page.text)
    assert html.count("<h1") == 1
    assert 'aria-current="step"' in page.text.split('href="/start"', 1)[1][:40]
    # the case, its name masked as on the dashboard
    assert "#1 李*****" in html
    assert "李明" not in html
    # the reason the demo case recorded, in the form and as saved
    assert '<option value="income_loss" selected>Loss of income</option>' in html
    assert "原公司裁员，两个月后找到新工作，但工资比以前低。" in html
    # evidence that fits "loss of income" (from the negotiation kit's materials)
    assert "Unemployment registration, proof of leaving the job" in html
    assert "Evidence that income fell" in html
    assert "Hospital diagnosis" not in html
    # why it matters, with the guide's sections as sources
    assert "Source: the guide §3.1 [S]" in html
    assert "Source: the guide §6.1 [S]" in html
    # the checklist: every item, the ones fitting the reason marked
    for item in start.PREVENT_ITEMS:
        assert f'id="f-prevent_{item.id}"' in html
    budget = html.split('id="prevent-budget"', 1)[1].split("</li>", 1)[0]
    assert "Fits your reason" in budget
    auto = html.split('id="prevent-auto_repay"', 1)[1].split("</li>", 1)[0]
    assert "Fits your reason" not in auto
    # questions people ask, linked where they arise
    for slug in ("negotiation-agent", "grace-period", "credit-report-duration"):
        assert f'href="/questions#q-{slug}"' in html
    assert 'href="/debts"' in html
    assert "No evidence added yet." in html


def test_start_in_chinese(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="zh") as web:
        page = web.get("/start")
    assert page.status_code == 200
    assert 'lang="zh-Hans"' in page.text
    assert "原公司裁员" in page.text
    with WebClient(demo, lang="zh-Hant") as web:
        assert web.get("/start").status_code == 200


def test_empty_store_offers_to_create_the_case(empty: Callable[[], Store]) -> None:
    with WebClient(empty, lang="en") as web:
        page = web.get("/start")
        assert page.status_code == 200
        assert "Create your case" in page.text
        assert 'action="/start/case"' in page.text
        assert 'action="/start/hardship"' not in page.text
        debts = web.get("/debts")
    assert "There is no case yet" in debts.text


# ------------------------------------------------------------------------------- case


def test_create_a_case_with_personal_details_shown_masked(empty: Callable[[], Store]) -> None:
    with WebClient(empty, lang="en") as web:
        web.get("/start")
        response = web.post("/start/case", {"name": "王小红", "full_name": "王小红",
                                            "id_number": ID_NUMBER.lower(),
                                            "phone": "+86 138 1234 5678", "notes": "n"})
        assert response.status_code == 303
        assert response.headers["location"] == "/start#case"
        page = web.get("/start").text
    with empty() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        assert (case.name, case.full_name, case.id_number, case.phone, case.notes) == (
            "王小红", "王小红", ID_NUMBER, PHONE, "n")
    assert ID_NUMBER not in page
    assert ID_NUMBER[:-4] not in page
    assert PHONE not in page
    assert "王小红" not in page
    assert '<dd id="case-id-number">1101**********002X</dd>' in page
    assert '<dd id="case-phone">138****5678</dd>' in page
    assert '<dd id="case-full-name">王**</dd>' in page


def test_case_form_errors_save_nothing_and_never_echo_numbers(
        empty: Callable[[], Store]) -> None:
    before = snapshot(empty)
    wrong_id = ID_NUMBER[:-1] + "1"  # a typing mistake: the check character does not match
    with WebClient(empty, lang="en") as web:
        web.get("/start")
        response = web.post("/start/case", {"name": "", "id_number": wrong_id,
                                            "phone": "12345", "full_name": "x" * 101})
    assert response.status_code == 422
    assert error_ids(response.text) >= {"name", "id_number", "phone", "full_name"}
    assert "this field is needed" in response.text
    assert "the check character does not match" in response.text
    assert "must be a mainland mobile number" in response.text
    assert wrong_id not in response.text
    assert 'value="12345"' not in response.text
    assert "Nothing was saved" in response.text
    assert snapshot(empty) == before


def test_edit_the_case_keeps_blank_numbers_and_clears_ticked_ones(
        tmp_path: Path) -> None:
    opener = _case_with_numbers(tmp_path)
    with WebClient(opener, lang="en") as web:
        page = web.get("/start").text
        assert 'name="clear_phone"' in page
        response = web.post("/start/case", {"name": "", "full_name": "", "id_number": "",
                                            "phone": "", "clear_phone": "1", "notes": "new"})
        assert response.status_code == 303
    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        assert (case.name, case.id_number, case.phone, case.notes) == (
            "妈妈", ID_NUMBER, None, "new")
    with WebClient(opener, lang="en") as web:
        web.get("/start")
        before = snapshot(opener)
        response = web.post("/start/case", {"name": " ", "id_number": "123"})
        assert response.status_code == 422
        assert "id_number" in error_ids(response.text)
        assert "<details open>" in response.text
        assert snapshot(opener) == before


def _case_with_numbers(folder: Path) -> Callable[[], Store]:
    with open_store(data_dir=folder) as store, store.begin() as tx:
        case = tx.add(Case(name="妈妈", full_name="王小红", id_number=ID_NUMBER, phone=PHONE))
        tx.use_case(case.id)
    return lambda: open_store(data_dir=folder)


def test_choose_the_case_when_several_and_none_chosen(tmp_path: Path) -> None:
    with open_store(data_dir=tmp_path) as store, store.begin() as tx:
        tx.add(Case(name="甲"))
        second = tx.add(Case(name="乙"))
    opener = lambda: open_store(data_dir=tmp_path)  # noqa: E731
    with WebClient(opener, lang="en") as web:
        page = web.get("/start").text
        assert "Choose the case to work on" in page
        assert '<option value="2">#2 乙*</option>' in page
        before = snapshot(opener)
        for wrong in ("", "x", "9"):
            response = web.post("/start/use", {"case": wrong})
            assert response.status_code == 422
            assert "case" in error_ids(response.text)
        assert snapshot(opener) == before
        assert web.post("/start/use", {"case": "2"}).status_code == 303
    with opener() as store, store.begin(readonly=True) as tx:
        current = tx.current_case()
        assert current is not None
        assert current.id == second.id


# --------------------------------------------------------------------------- hardship


def test_save_the_reason(client: WebClient, fresh: Callable[[], Store]) -> None:
    response = client.post("/start/hardship", {
        "reason": "illness", "since": "2026-01-05", "recovery": "2026-06-30",
        "description": "住院两个月。"})
    assert response.status_code == 303
    assert response.headers["location"] == "/start#why"
    with fresh() as store, store.begin(readonly=True) as tx:
        found = tx.find(Hardship)
    assert len(found) == 1
    assert (found[0].reason, found[0].since.isoformat() if found[0].since else None,
            found[0].recovery.isoformat() if found[0].recovery else None,
            found[0].description) == ("illness", "2026-01-05", "2026-06-30", "住院两个月。")
    page = client.get("/start").text
    assert "Hospital diagnosis and medical records" in page
    # what the command line shows is what was saved
    folder = str(Path(fresh().sqlite_path or "").parent)
    result = CliRunner().invoke(cli, ["--data-dir", folder, "hardship", "show", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)["hardship"]
    assert shown == {"reason": "illness", "since": "2026-01-05", "recovery": "2026-06-30",
                     "description": "住院两个月。"}


def test_reason_errors_save_nothing(client: WebClient, fresh: Callable[[], Store]) -> None:
    before = snapshot(fresh)
    response = client.post("/start/hardship", {"reason": "bored", "since": "2026-13-01",
                                               "recovery": "soon", "description": "x"})
    assert response.status_code == 422
    assert error_ids(response.text) == {"reason", "since", "recovery"}
    assert 'value="2026-13-01"' in response.text  # what was typed comes back
    response = client.post("/start/hardship", {"reason": "illness", "since": "2026-03-01",
                                               "recovery": "2026-02-01"})
    assert response.status_code == 422
    assert error_ids(response.text) == {"recovery"}
    assert "must not be before the start date 2026-03-01" in response.text
    response = client.post("/start/hardship", {"reason": ""})
    assert response.status_code == 422
    assert "this field is needed" in response.text
    assert snapshot(fresh) == before


def test_check_recovery_is_the_command_lines_rule() -> None:
    check_recovery(date(2026, 1, 1), date(2026, 1, 1))
    check_recovery(None, date(2020, 1, 1))
    with pytest.raises(InputError) as caught:
        check_recovery(date(2026, 1, 2), date(2026, 1, 1))
    assert caught.value.field == "recovery"


def test_forms_that_need_a_case_say_so(empty: Callable[[], Store]) -> None:
    with WebClient(empty, lang="en") as web:
        web.get("/start")
        for path, data in (("/start/hardship", {"reason": "forgot"}),
                           ("/start/prevent", {"prevent_budget": "1"})):
            response = web.post(path, data)
            assert response.status_code == 422
            assert "Create the case first" in response.text
        response = web.post("/start/evidence", {"kind": "other"},
                            files={"file": ("a.pdf", PDF, "application/pdf")})
        assert response.status_code == 422
    assert snapshot(empty)["cases"] == []


# --------------------------------------------------------------------------- evidence


def test_add_download_and_remove_evidence(client: WebClient, fresh: Callable[[], Store]) -> None:
    digest = hashlib.sha256(PDF).hexdigest()
    response = client.post("/start/evidence", {"kind": "medical", "note": ""},
                           files={"file": ("C:\\scans\\诊断书.PDF", PDF, "application/pdf")})
    assert response.status_code == 303
    assert response.headers["location"] == "/start#evidence"
    folder = Path(fresh().sqlite_path or "").parent / "evidence"
    stored = folder / f"{digest}.pdf"
    assert stored.read_bytes() == PDF
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    with fresh() as store, store.begin(readonly=True) as tx:
        items = tx.find(Evidence)
    assert len(items) == 1
    item = items[0]
    assert (item.sha256, item.path, item.kind, item.note) == (
        digest, str(stored), "medical", "诊断书.PDF")
    page = main(client.get("/start").text)
    row = page.split(f'id="evidence-{item.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Medical records" in row
    assert f"{digest[:12]}…" in row
    assert "诊断书.PDF" in row
    assert "unchanged" in row
    download = client.get(f"/start/evidence/{item.id}/file")
    assert download.status_code == 200
    assert download.content == PDF
    assert "attachment" in download.headers["content-disposition"]
    assert client.get(f"/start/evidence/{item.id}/remove").status_code == 200
    before = snapshot(fresh)
    refused = client.post(f"/start/evidence/{item.id}/remove", {})
    assert refused.status_code == 422
    assert "confirm" in error_ids(refused.text)
    assert snapshot(fresh) == before
    assert stored.exists()
    done = client.post(f"/start/evidence/{item.id}/remove", {"confirm": "1"})
    assert done.status_code == 303
    assert not stored.exists()
    with fresh() as store, store.begin(readonly=True) as tx:
        assert tx.find(Evidence) == []


def test_evidence_added_with_the_command_line_is_listed(
        client: WebClient, fresh: Callable[[], Store], tmp_path: Path) -> None:
    outside = tmp_path / "letter.txt"
    outside.write_text("dismissal letter", encoding="utf-8")
    folder = str(Path(fresh().sqlite_path or "").parent)
    result = CliRunner().invoke(cli, ["--data-dir", folder, "hardship", "evidence", "add",
                                      str(outside), "--kind", "unemployment"])
    assert result.exit_code == 0, result.output
    page = main(client.get("/start").text)
    assert "Unemployment or dismissal papers" in page
    assert "(letter.txt)" in page
    assert "unchanged" in page
    outside.write_text("changed", encoding="utf-8")
    assert "changed since added" in client.get("/start").text
    with fresh() as store, store.begin(readonly=True) as tx:
        ident = tx.find(Evidence)[0].id
    # a file elsewhere on the computer is never served, nor deleted with its record
    assert client.get(f"/start/evidence/{ident}/file").status_code == 404
    assert client.post(f"/start/evidence/{ident}/remove", {"confirm": "1"}).status_code == 303
    assert outside.exists()


def test_evidence_errors_save_nothing(client: WebClient, fresh: Callable[[], Store],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(fresh)
    folder = Path(fresh().sqlite_path or "").parent / "evidence"
    response = client.post("/start/evidence", {"kind": "medical"})
    assert response.status_code == 422
    assert error_ids(response.text) == {"file"}
    response = client.post("/start/evidence", {"kind": "nonsense", "note": "kept"},
                           files={"file": ("a.pdf", b"", "application/pdf")})
    assert response.status_code == 422
    assert error_ids(response.text) == {"file", "kind"}
    assert "The file is empty." in response.text
    assert 'value="kept"' in response.text
    monkeypatch.setattr(start, "MAX_EVIDENCE_BYTES", 10)
    response = client.post("/start/evidence", {"kind": "medical"},
                           files={"file": ("a.pdf", PDF, "application/pdf")})
    assert response.status_code == 422
    assert "The file is larger than" in response.text
    assert snapshot(fresh) == before
    assert not folder.exists() or not any(folder.iterdir())


def test_without_a_data_folder_only_the_fingerprint_is_kept(
        client: WebClient, fresh: Callable[[], Store], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(start, "evidence_folder", lambda page: None)
    response = client.post("/start/evidence", {"kind": "bill", "note": "账单"},
                           files={"file": ("bill.png", b"png", "image/png")})
    assert response.status_code == 303
    with fresh() as store, store.begin(readonly=True) as tx:
        item = tx.find(Evidence)[0]
    assert (item.path, item.sha256) == ("bill.png", hashlib.sha256(b"png").hexdigest())
    assert "only the fingerprint is kept" in client.get("/start").text
    assert client.get(f"/start/evidence/{item.id}/file").status_code == 404


def test_unknown_or_foreign_evidence_is_not_found(client: WebClient,
                                                  fresh: Callable[[], Store]) -> None:
    with fresh() as store, store.begin() as tx:
        other = tx.add(Case(name="someone else"))
        foreign = tx.add(Evidence(case_id=other.id, sha256="0" * 64, path="x",
                                  added_on=date(2026, 1, 1)))
    for ident in ("999", str(foreign.id), "abc"):
        assert client.get(f"/start/evidence/{ident}/file").status_code == 404
        assert client.get(f"/start/evidence/{ident}/remove").status_code == 404
        assert client.post(f"/start/evidence/{ident}/remove",
                           {"confirm": "1"}).status_code == 404


# ------------------------------------------------------------------------- prevention


def test_save_the_checklist(client: WebClient, fresh: Callable[[], Store]) -> None:
    response = client.post("/start/prevent", {"prevent_auto_repay": "1",
                                              "prevent_credit_report": "1",
                                              "prevent_unknown": "1",
                                              "prevent_other": "删掉了购物App"})
    assert response.status_code == 303
    with fresh() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        saved = json.loads(tx.setting(start.prevent_key(case.id)) or "")
    assert saved["done"] == ["auto_repay", "credit_report"]
    assert saved["other"] == "删掉了购物App"
    assert saved["saved_on"] == client.app.state.web.today().isoformat()
    page = client.get("/start").text
    assert re.search(r'id="f-prevent_auto_repay"[^>]*checked', page)
    assert not re.search(r'id="f-prevent_budget"[^>]*checked', page)
    assert "删掉了购物App" in page
    assert "Last saved on" in page


def test_checklist_error_saves_nothing(client: WebClient, fresh: Callable[[], Store]) -> None:
    before = snapshot(fresh)
    response = client.post("/start/prevent", {"prevent_budget": "1",
                                              "prevent_other": "x" * 501})
    assert response.status_code == 422
    assert error_ids(response.text) == {"prevent_other"}
    assert "must be at most 500 characters" in response.text
    assert re.search(r'id="f-prevent_budget"[^>]*checked', response.text)
    assert snapshot(fresh) == before


# -------------------------------------------------------------------------- security

POSTS: list[tuple[str, dict[str, str]]] = [
    ("/start/case", {"name": "x"}),
    ("/start/use", {"case": "1"}),
    ("/start/hardship", {"reason": "forgot"}),
    ("/start/prevent", {"prevent_budget": "1"}),
    ("/start/evidence", {"kind": "other"}),
    ("/start/evidence/1/remove", {"confirm": "1"}),
]


def test_posts_without_the_csrf_token_are_refused(client: WebClient,
                                                  fresh: Callable[[], Store]) -> None:
    _add_evidence(fresh)
    before = snapshot(fresh)
    for path, data in POSTS:
        files = {"file": ("a.pdf", PDF, "application/pdf")} if path == "/start/evidence" \
            else None
        response = client.post(path, data, files=files, csrf=False)
        assert response.status_code == 403, path
    assert snapshot(fresh) == before


def test_read_only_refuses_every_change(fresh: Callable[[], Store]) -> None:
    _add_evidence(fresh)
    before = snapshot(fresh)
    folder = Path(fresh().sqlite_path or "").parent / "evidence"
    with WebClient(fresh, lang="en", read_only=True) as web:
        assert web.get("/start").status_code == 200
        for path, data in POSTS:
            files = {"file": ("b.pdf", b"new", "application/pdf")} \
                if path == "/start/evidence" else None
            response = web.post(path, data, files=files)
            assert response.status_code == 403, path
            assert "read-only" in response.text
    assert snapshot(fresh) == before
    assert not folder.exists()


def _add_evidence(opener: Callable[[], Store]) -> None:
    with opener() as store, store.begin() as tx:
        case = tx.current_case()
        assert case is not None
        tx.add(Evidence(case_id=case.id, sha256="1" * 64, path="outside.pdf",
                        added_on=date(2026, 1, 1)))
