"""Snapshot tests: every document, for two contrasting cases (a card debt after income loss;
a forgotten 花呗 bill), in zh, en and zh-Hant, compared byte for byte with the reviewed
files in ``tests/snapshots/documents/``.

A change to a template or to the engine's figures shows up here as a diff to review. After
reviewing, regenerate with ``XIESHANG_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest
tests/test_document_snapshots.py`` and commit the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_documents import CARD, HUABEI, _render
from xieshang.documents import LANGS, DocumentKind

SNAPSHOTS = Path(__file__).parent / "snapshots" / "documents"
UPDATE = os.environ.get("XIESHANG_UPDATE_SNAPSHOTS") == "1"
CASES = (CARD, HUABEI)
ALL = [(case, kind, lang) for case in CASES for kind in DocumentKind for lang in LANGS]


@pytest.mark.parametrize(("case", "kind", "lang"), ALL,
                         ids=[f"{c.name}-{k.value}-{lang}" for c, k, lang in ALL])
def test_document_matches_its_reviewed_snapshot(case: object, kind: DocumentKind,
                                                lang: str) -> None:
    text = _render(case, kind, lang)  # type: ignore[arg-type]
    path = SNAPSHOTS / f"{case.name}-{kind.value}-{lang}.txt"  # type: ignore[attr-defined]
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: review the output and regenerate"
    assert text == path.read_text(encoding="utf-8")
