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


def test_po_parser_reads_escapes_comments_and_a_last_entry_without_newline() -> None:
    text = ('#: cli/x.py:1\n#, python-brace-format\nmsgid "say \\"{x}\\"\\n"\n'
            'msgstr "说\\"{x}\\"\\n"\n\n#~ msgid "old"\n#~ msgstr "旧"\n\n'
            'msgid "tab\\there"\nmsgstr "制表\\t这里"')
    assert parse_po(text) == {'say "{x}"\n': '说"{x}"\n', "tab\there": "制表\t这里"}


def _line_by_line(text: str) -> dict[str, str]:
    """The catalog read line by line (the reader before issue 16), for comparison."""
    import ast

    entries: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    current: list[str] | None = None
    fuzzy = False
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if (not line or line.startswith("msgid ")) and (msgid or msgstr):
            key, value = "".join(msgid), "".join(msgstr)
            if key and value and not fuzzy:
                entries[key] = value
            msgid, msgstr, current, fuzzy = [], [], None, False
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            current, line = msgid, line[len("msgid "):]
        elif line.startswith("msgstr "):
            current, line = msgstr, line[len("msgstr "):]
        if current is not None and line.startswith('"'):
            current.append(ast.literal_eval(line))
    return entries


def test_the_shipped_catalog_reads_as_line_by_line() -> None:
    """The catalog read by one expression is the catalog read line by line, entry for
    entry (an entry missed would show in English)."""
    from pathlib import Path

    import xieshang

    po = Path(xieshang.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "xieshang.po"
    text = po.read_text(encoding="utf-8")
    table = catalog("zh")
    assert table == _line_by_line(text)
    assert len(table) > 1000
    assert table["Source"] == "来源"
