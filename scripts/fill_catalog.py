"""Fill translations into the zh_Hans catalog from a Python dict file (developer tool).

    .venv/bin/python scripts/fill_catalog.py FILE.py   # FILE.py defines T = {msgid: text}
"""

from __future__ import annotations

import runpy
import sys

from babel.messages.pofile import read_po, write_po
from update_catalog import PO  # type: ignore[import-not-found]


def main() -> int:
    table = runpy.run_path(sys.argv[1])["T"]
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if message.id in table and not message.string:
            message.string = table[message.id]
            filled += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True)
    print(f"filled {filled}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
