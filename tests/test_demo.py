"""``xieshang demo`` (``make run``): the sample case built in a temporary store."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from test_cli_case import ok


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("XIESHANG_HOME", str(folder))
    monkeypatch.delenv("XIESHANG_LANG", raising=False)
    return folder


def test_demo_shows_bills_timelines_options_status_and_budget(home: Path) -> None:
    out = ok("demo", "--lang", "en")
    for text in ("花呗 账单", "What happens next", "Arrangement options", "Status on",
                 "All debts together", "Available for unsecured debts",
                 "Split across the debts"):
        assert text in out, text
    assert not home.exists()  # the person's data folder is never touched


def test_demo_json_agrees_with_itself(home: Path) -> None:
    data = json.loads(ok("demo", "--json"))
    assert [d["product"] for d in data["debts"]] == ["huabei", "jiebei", "credit_card_cn"]
    assert [line["total"] for line in data["status"]] == \
        [d["bill"]["total"] for d in data["debts"]]
    budget = data["budget"]
    assert budget["affordability"]["outcome"] == "surplus"
    available = Decimal(budget["affordability"]["available"])
    assert sum(Decimal(s["amount"]) for s in budget["split"]["debts"]) == available
    # The Jiebei loan's later installments count in what is owed in all.
    jiebei = budget["split"]["debts"][1]
    assert Decimal(jiebei["balance"]) == Decimal(data["debts"][1]["bill"]["total"]) + 8000
    assert not home.exists()
