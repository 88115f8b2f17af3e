"""Snapshot tests: every document, for two contrasting cases (a card debt after income loss;
a forgotten 花呗 bill), in zh, en and zh-Hant, compared byte for byte with the reviewed
files in ``tests/snapshots/documents/``.

The complaint and the public post are also kept after a logged refusal and a collector's
call at 22:40 (``card-logged-…``). A change to a template or to the engine's figures shows
up here as a diff to review. After
reviewing, regenerate with ``XIESHANG_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest
tests/test_document_snapshots.py`` and commit the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_documents import CARD, HUABEI, _render, render_logged
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
    _compare(text, f"{case.name}-{kind.value}-{lang}.txt")  # type: ignore[attr-defined]


LOGGED = [(kind, lang) for kind in (DocumentKind.COMPLAINT, DocumentKind.SOCIAL)
          for lang in LANGS]


@pytest.mark.parametrize(("kind", "lang"), LOGGED,
                         ids=[f"card-logged-{k.value}-{lang}" for k, lang in LOGGED])
def test_logged_document_matches_its_reviewed_snapshot(kind: DocumentKind, lang: str) -> None:
    _compare(render_logged(CARD, kind, lang), f"card-logged-{kind.value}-{lang}.txt")


def _compare(text: str, name: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: review the output and regenerate"
    assert text == path.read_text(encoding="utf-8")
