"""Every UI string goes through the catalog: no ``_()`` call hidden inside an f-string,
where gettext extraction cannot see it (it would show in English in the Chinese UI)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "xieshang"
HIDDEN = re.compile(r"""\{\s*(?:out\.)?_\(\s*['"]""")


def test_no_translation_call_inside_an_f_string() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HIDDEN.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == []


def test_square_brackets_in_data_are_shown_as_written() -> None:
    from rich.console import Console

    from xieshang.output import Output, safe_markup

    assert safe_markup("[bold]x[/bold] [S] [lender] [dim]y[/dim]") == \
        "[bold]x[/bold] \\[S] \\[lender] [dim]y[/dim]"
    out = Output("en", as_json=False)
    console = Console(width=80, record=True)
    console.print(safe_markup("only for [lender] [NF]"))
    assert console.export_text().strip() == "only for [lender] [NF]"
    assert out.bullets(["x"]) is not None
