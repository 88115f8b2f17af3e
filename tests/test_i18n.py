"""UI text: every message in the code has a Simplified Chinese translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from xieshang.i18n import catalog, gettext_for, normalize_lang, parse_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_is_translated() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_catalog.py"), "--check"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_catalog_placeholders_match_their_msgid() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for msgid, text in catalog("zh").items():
        assert fields(msgid) == fields(text), msgid


def test_languages() -> None:
    assert normalize_lang("zh_CN") == "zh"
    assert normalize_lang("en-US") == "en"
    assert gettext_for("en")("Principal") == "Principal"
    assert gettext_for("zh")("Principal") == "本金"


def test_po_parser_handles_multiline_and_fuzzy() -> None:
    text = '''
msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\\n"

msgid "a "
"b"
msgstr "甲"
"乙"

#, fuzzy
msgid "c"
msgstr "丙"

msgid "d"
msgstr ""
'''
    assert parse_po(text) == {"a b": "甲乙"}
