"""Step 8 of the web app, the dossier: shown in the page, downloaded as HTML and as PDF —
the same document ``xieshang dossier`` writes. The PDF is made once for the module (WeasyPrint
is slow) and read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from webclient import WebClient
from xieshang.cli.serve import build_demo_store
from xieshang.clock import today
from xieshang.documents.dossier import render_dossier_html
from xieshang.engine.money import format_money
from xieshang.output import Output
from xieshang.present.documents import case_dossier
from xieshang.present.views import status_lines
from xieshang.services.debts import current_bill
from xieshang.store.db import Store, open_store
from xieshang.store.model import Debt, Evidence

TODAY = today()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
PHONE = "13812345678"  # made up


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Store]:
    return build_demo_store(tmp_path_factory.mktemp("demo"))


def debt_totals(opener: Callable[[], Store]) -> list[str]:
    """Each open debt's "owed in all" today, straight from the engine."""
    with opener() as store, store.begin(readonly=True) as tx:
        totals = []
        for debt in tx.find(Debt, status=("open", "arrangement")):
            bill, _engine = current_bill(tx, debt, TODAY)
            assert bill is not None
            totals.append(format_money(bill.total))
    assert len(totals) == 3
    return totals


def case_total(opener: Callable[[], Store]) -> str:
    with opener() as store, store.begin(readonly=True) as tx:
        case = tx.current_case()
        assert case is not None
        lines = status_lines(Output.make("en", False), tx, case.id, TODAY)
    return format_money(sum((line["total"] for line in lines), Decimal("0.00")))


def test_the_dossier_in_the_page(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en", today=TODAY) as web:
        page = web.get("/dossier")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Dossier</h1>" in text
    assert 'href="/dossier" aria-current="step"' in text
    assert 'href="/dossier.pdf"' in text
    assert 'href="/dossier.html"' in text
    assert f'<span class="value" id="total">{case_total(demo)}</span>' in text
    for total in debt_totals(demo):
        assert f'<tr class="total"><th scope="row">Owed in all</th><td class="num">{total}</td>' \
            in text
    assert f"Prepared {TODAY.isoformat()}." in text
    for heading in ("1. Situation", "2. Itemised bills", "3. Timeline", "4. Budget statement",
                    "5. Proposal ladder", "6. Scripts and letters", "7. Contact log",
                    "8. Commitments"):
        assert f"<h3>{heading}</h3>" in text
    assert "Loss of income" in text
    assert "Available for unsecured debts" in text
    assert "¥1,125.00" in text  # the demo budget's available amount
    assert text.count('<div class="copyable">') == 6  # phone script + letter for 3 debts
    assert "李明" not in text  # the name is masked
    assert "李*****" in text


def test_the_html_download_is_the_command_line_document(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="en", today=TODAY) as web:
        response = web.get("/dossier.html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="xieshang-dossier-{TODAY.isoformat()}.html"')
    out = Output.make("en", False)
    with demo() as store, store.begin(readonly=True) as tx:
        expected = render_dossier_html(case_dossier(out, tx, None), "en")
    assert response.text == expected
    for total in debt_totals(demo):
        assert total in response.text


def test_traditional_chinese_page_and_document(demo: Callable[[], Store]) -> None:
    with WebClient(demo, lang="zh-Hant", today=TODAY) as web:
        page = web.get("/dossier").text
        document = web.get("/dossier.html").text
    assert 'lang="zh-Hant"' in page
    assert 'href="/dossier.pdf"' in page
    assert 'lang="zh-Hant"' in document
    assert "協商材料" in document
    for total in debt_totals(demo):
        assert total in page
        assert total in document


@pytest.fixture(scope="module")
def pdf(demo: Callable[[], Store]) -> httpx.Response:
    """The PDF download, made once (WeasyPrint takes a few seconds)."""
    with WebClient(demo, lang="zh", today=TODAY) as web:
        return web.get("/dossier.pdf")


def test_the_pdf_download(pdf: httpx.Response) -> None:
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith(
        f'attachment; filename="xieshang-dossier-{TODAY.isoformat()}.pdf"')
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_holds_the_case_figures(pdf: httpx.Response, demo: Callable[[], Store],
                                        tmp_path: Path) -> None:
    target = tmp_path / "dossier.pdf"
    target.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "协商材料" in text
    assert "欠款明细" in text
    for total in debt_totals(demo):
        assert total in text
    assert "¥1,125.00" in text


def test_contacts_and_promises_appear_in_the_dossier(tmp_path: Path) -> None:
    opener = build_demo_store(tmp_path)
    with WebClient(opener, lang="en", today=TODAY) as web:
        web.get("/log/contacts/new")
        added = web.post("/log/contacts/new", {
            "debt": "1", "channel": "collector_call", "when": f"{YESTERDAY} 21:05",
            "agent": f"催收 {PHONE}", "reference": "T-9", "outcome": "refused",
            "notes": f"说要打电话给我儿子，回拨 {PHONE}"})
        assert added.status_code == 303
        web.post("/log/promises/new", {"debt": "1", "by": "me", "amount": "200",
                                       "due": TODAY.isoformat()})
        page = web.get("/dossier").text
        document = web.get("/dossier.html").text  # the printable document says the same
    assert "collector&#39;s call" in document or "collector's call" in document
    assert "collector_call" not in document
    assert "催收 138****5678" in document
    assert PHONE not in document
    assert "not yet kept" in document
    contacts = page.split('<table id="contacts">', 1)[1].split("</table>", 1)[0]
    assert f"<td>{YESTERDAY} 21:05</td>" in contacts
    assert "<td>collector&#39;s call</td>" in contacts
    assert "<td>催收 138****5678</td>" in contacts
    assert "<td>T-9</td>" in contacts
    assert "<td>说要打电话给我儿子，回拨 138****5678</td>" in contacts  # the notes, masked
    assert "说要打电话给我儿子" in document
    commitments = page.split('<table id="commitments">', 1)[1].split("</table>", 1)[0]
    assert "<td>me</td>" in commitments
    assert '<td class="num">¥200.00</td>' in commitments
    assert "<td>not yet kept</td>" in commitments
    assert PHONE not in page


def test_the_timeline_ahead_and_the_evidence_index_in_the_page(tmp_path: Path) -> None:
    opener = build_demo_store(tmp_path)
    with opener() as store, store.begin() as tx:
        case = tx.current_case()
        assert case is not None
        tx.add(Evidence(case_id=case.id, sha256="ab" * 32, path="/nowhere/payslip.pdf",
                        added_on=TODAY, kind="income", note="March payslip"))
    with WebClient(opener, lang="zh", today=TODAY) as web:
        page = web.get("/dossier").text
    ahead = page.split('<table id="ahead">', 1)[1].split("</table>", 1)[0]
    assert "诉讼时效：3年" in ahead
    assert "《民法典》总则" in ahead
    assert "[V]" in ahead
    evidence = page.split('<table id="evidence">', 1)[1].split("</table>", 1)[0]
    assert "<td>payslip.pdf</td>" in evidence
    assert f'<code class="hash">{"ab" * 32}</code>' in evidence
    assert "<td>找不到文件</td>" in evidence  # the check: the file is no longer there


def test_without_a_case(tmp_path: Path) -> None:
    with WebClient(lambda: open_store(data_dir=tmp_path), lang="en", today=TODAY) as web:
        page = web.get("/dossier")
        assert page.status_code == 200
        assert "There is no case yet" in page.text
        assert web.get("/dossier.pdf").status_code == 404
        assert web.get("/dossier.html").status_code == 404


def test_a_dossier_that_cannot_be_made_says_why(tmp_path: Path) -> None:
    opener = build_demo_store(tmp_path)
    with opener() as store, store.begin() as tx:
        case = tx.current_case()
        assert case is not None
        tx.add(Debt(case_id=case.id, preset_id="no_such_product", label="x",
                    principal=Decimal("100.00"), due_date=TODAY))
    with WebClient(opener, lang="en", today=TODAY) as web:
        page = web.get("/dossier")
        download = web.get("/dossier.pdf")
    assert page.status_code == 200
    assert "The dossier cannot be made yet" in page.text
    assert "no_such_product" in page.text
    assert download.status_code == 409
    assert "no_such_product" in download.text
