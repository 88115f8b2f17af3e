"""Extract UI text from the code and update the zh_Hans catalog (developer tool).

    .venv/bin/python scripts/update_catalog.py          # update, list untranslated msgids
    .venv/bin/python scripts/update_catalog.py --check  # exit 1 if anything is untranslated

Message ids are English; translations live in
``src/xieshang/locale/zh_Hans/LC_MESSAGES/xieshang.po``. Existing translations are kept;
msgids no longer in the code are dropped.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "xieshang"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "xieshang.po"
KEYWORDS = {"_": None, "N_": None}


def extract() -> dict[str, list[tuple[str, int]]]:
    """msgid → places it is used."""
    found: dict[str, list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python"),
                                  ("**/templates/**.html", "jinja2.ext:babel_extract")], keywords=KEYWORDS
    ):
        if isinstance(message, str) and message:
            found.setdefault(message, []).append((filename, lineno))
    from xieshang.i18n import _FIELD_LABELS

    for label in _FIELD_LABELS.values():
        found.setdefault(label, []).append(("i18n.py", 0))
    return found


def main() -> int:
    check = "--check" in sys.argv
    messages = extract()
    old: dict[str, str] = {}
    if PO.exists():
        with PO.open("rb") as handle:
            for entry in read_po(handle):
                if entry.id and isinstance(entry.id, str) and isinstance(entry.string, str):
                    old[entry.id] = entry.string
    catalog = Catalog(locale="zh_Hans_CN", project="xieshang", fuzzy=False)
    missing = []
    for msgid in sorted(messages):
        string = old.get(msgid, "")
        if not string:
            missing.append(msgid)
        catalog.add(msgid, string, locations=[(f, n) for f, n in messages[msgid][:3]])
    if not check:
        PO.parent.mkdir(parents=True, exist_ok=True)
        with PO.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if (check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
