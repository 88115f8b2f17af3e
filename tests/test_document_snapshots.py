"""Snapshot tests: every document, for four contrasting cases — a bank card after income
loss, a forgotten 花呗 bill (a platform), a 借呗 cash loan after a mother's operation (a
licensed online lender) and money borrowed from a brother-in-law (the family kit) — in zh,
en and zh-Hant, compared byte for byte with the reviewed files in
``tests/snapshots/documents/``.

The complaint and the public post are also kept after a logged refusal and a collector's
call at 22:40 (``card-logged-…``: the card rules; ``huabei-logged-…``: the online-lending
rules). A change to a template or to the engine's figures shows
up here as a diff to review. After
reviewing, regenerate with ``XIESHANG_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest
tests/test_document_snapshots.py`` and commit the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_documents import CARD, FAMILY, HUABEI, JIEBEI, YUEFU, _render, render_logged
from xieshang.documents import LANGS, DocumentKind

SNAPSHOTS = Path(__file__).parent / "snapshots" / "documents"
UPDATE = os.environ.get("XIESHANG_UPDATE_SNAPSHOTS") == "1"
CASES = (CARD, HUABEI, JIEBEI, FAMILY)
#: A platform's monthly bill (美团月付, a microloan company): the lender-facing documents.
PLATFORM = (DocumentKind.LETTER, DocumentKind.PHONE, DocumentKind.COMPLAINT,
            DocumentKind.SOCIAL, DocumentKind.COLLECTOR)
ALL = [(case, kind, lang) for case in CASES for kind in case.kinds for lang in LANGS] + [
    (YUEFU, kind, lang) for kind in PLATFORM for lang in LANGS]


@pytest.mark.parametrize(("case", "kind", "lang"), ALL,
                         ids=[f"{c.name}-{k.value}-{lang}" for c, k, lang in ALL])
def test_document_matches_its_reviewed_snapshot(case: object, kind: DocumentKind,
                                                lang: str) -> None:
    text = _render(case, kind, lang)  # type: ignore[arg-type]
    _compare(text, f"{case.name}-{kind.value}-{lang}.txt")  # type: ignore[attr-defined]


LOGGED = [(case, kind, lang) for case in (CARD, HUABEI)
          for kind in (DocumentKind.COMPLAINT, DocumentKind.SOCIAL, DocumentKind.COLLECTOR,
                       DocumentKind.NOREPLY, DocumentKind.RECONSIDER)
          for lang in LANGS]


@pytest.mark.parametrize(("case", "kind", "lang"), LOGGED,
                         ids=[f"{c.name}-logged-{k.value}-{lang}" for c, k, lang in LOGGED])
def test_logged_document_matches_its_reviewed_snapshot(case: object, kind: DocumentKind,
                                                       lang: str) -> None:
    name = case.name  # type: ignore[attr-defined]
    _compare(render_logged(case, kind, lang),  # type: ignore[arg-type]
             f"{name}-logged-{kind.value}-{lang}.txt")


def _compare(text: str, name: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: review the output and regenerate"
    assert text == path.read_text(encoding="utf-8")
