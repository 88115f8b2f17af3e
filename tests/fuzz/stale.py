"""The stale-edit scenarios: an edit form opened in the browser, the same record changed
with the command line, then the form submitted. The submit must be refused, saying what
changed, and the command line's change must survive (a silent revert is a lost update).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from fuzz import NOW, Figures
from fuzz.cli import _entry


def browser_values(page: str, form_id: str | None = None) -> dict[str, str]:
    """What a browser sends for the form (the one with ``form_id``, or the first
    ``class="form"``): inputs, textareas, the selected options."""
    pattern = rf'<form[^>]*id="{form_id}".*?</form>' if form_id else \
        r'<form[^>]*class="form".*?</form>'
    found = re.search(pattern, page, flags=re.S)
    if found is None:
        return {}
    page = found.group(0)
    values: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        given = re.search(r'value="([^"]*)"', tag)
        if name is None or name.group(1) == "_csrf":
            continue
        if kind is not None and kind.group(1) in ("checkbox", "file", "radio"):
            continue
        values[name.group(1)] = html.unescape(given.group(1)) if given else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page,
                                 flags=re.S):
        values[name] = html.unescape(body).strip("\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page,
                                 flags=re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = html.unescape(chosen.group(1)) if chosen else ""
    return values


def run_stale(root: Path, rounds: int = 1) -> Figures:
    """Each scenario ``rounds`` times (a fresh demo case each round)."""
    figures = Figures("Stale edits")
    saved_env = dict(os.environ)
    try:
        for round_ in range(rounds):
            home = root / f"stale{round_}"
            os.environ.update(XIESHANG_HOME=str(home), XIESHANG_NOW=NOW)
            for name in ("XIESHANG_LANG", "XIESHANG_DB_URL", "XIESHANG_PASSPHRASE"):
                os.environ.pop(name, None)
            _round(home, figures, round_)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    return figures.done()


def _round(home: Path, figures: Figures, round_: int) -> None:
    from webclient import WebClient
    from xieshang.cli.serve import build_demo_store
    from xieshang.store.model import Case, Contact, Debt

    opener = build_demo_store(home)
    with opener() as store, store.begin() as tx:
        case = tx.find(Case)[0]
        debt = tx.find(Debt)[0]
        contact = tx.add(Contact(case_id=case.id, happened_at=datetime(2026, 1, 5, 9, 30),
                                 channel="phone", offered="6期"))

    def cli(*args: str) -> None:
        result = CliRunner().invoke(_entry, [*args, "--lang", "en"], catch_exceptions=True)
        if result.exit_code != 0:
            raise RuntimeError(f"{args}: {result.output}")

    def stored(kind: Any, ident: int, field: str) -> Any:
        with opener() as store, store.begin(readonly=True) as tx:
            return getattr(tx.get(kind, ident), field)

    amount = f"{4000 + round_}.44"
    scenarios: list[tuple[str, str, str | None, str, Callable[[], None], Callable[[], bool]]] = [
        ("debt", f"/debts/{debt.id}/edit", "debt-form", f"/debts/{debt.id}/edit",
         lambda: cli("debt", "edit", str(debt.id), "--amount", amount),
         lambda: str(stored(Debt, debt.id, "principal")) == amount),
        ("case", "/start", "case-form", "/start/case",
         lambda: cli("case", "edit", str(case.id), "--notes", f"cli {round_}"),
         lambda: stored(Case, case.id, "notes") == f"cli {round_}"),
        ("budget", "/budget/edit", "budget-form", "/budget/edit",
         lambda: cli("budget", "set", "--flexible", f"food={1234 + round_}"),
         lambda: _food(opener) == f"{1234 + round_}.00"),
        ("contact", f"/log/contacts/{contact.id}/edit", None,
         f"/log/contacts/{contact.id}/edit",
         lambda: cli("log", "edit", str(contact.id), "--offered", f"{12 + round_}期"),
         lambda: stored(Contact, contact.id, "offered") == f"{12 + round_}期"),
    ]
    with WebClient(opener, lang="en") as web:
        for name, form_page, form_id, action, change, kept in scenarios:
            sent = browser_values(web.get(form_page).text, form_id)
            if not sent:
                figures.fail("lost_updates", name, f"no form on {form_page}")
                continue
            change()
            for field in ("notes", "note"):
                if field in sent:
                    sent[field] = f"browser {round_}"
            response = web.post(action, sent)
            figures.calls += 1
            figures.note(f"{name} {response.status_code}")
            if response.status_code >= 500:
                figures.fail("http_500", name, response.text[-800:])
            if not kept():
                figures.fail("lost_updates", name, f"answered {response.status_code}; the "
                             "command line's change was reverted")
            elif response.status_code != 422 or "Changed since you opened it" not in \
                    html.unescape(response.text):
                figures.fail("lost_updates", name, f"answered {response.status_code} "
                             "without saying what changed")


def _food(opener: Callable[[], Any]) -> str:
    from xieshang.store.model import BudgetEntry

    with opener() as store, store.begin(readonly=True) as tx:
        found = [e for e in tx.find(BudgetEntry) if e.category == "food"]
    return str(found[0].amount) if found else ""
