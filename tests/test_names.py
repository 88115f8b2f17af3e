"""One place for the names people read: strategies, what a month's payment is for, contact
channels, outcomes, promise statuses, debt statuses and products — each table covers every
value the engine or the store can hold, and every name is translated."""

from __future__ import annotations

import re

import pytest

from xieshang.engine.strategy import ActionKind, Strategy
from xieshang.i18n import catalog
from xieshang.paths import preset_dir
from xieshang.rules import load_presets
from xieshang.services.contacts import CHANNELS, OUTCOMES, PARTIES, PROMISE_STATUSES
from xieshang.services.debts import STATUSES
from xieshang.services.plan import (
    ACTION_KINDS,
    SHORT_NAMES,
    STRATEGIES,
    STRATEGY_HELP,
    STRATEGY_NAMES,
)
from xieshang.store import schema

ZH = catalog("zh")


def _translated(table: dict[str, str]) -> list[str]:
    """The msgids of ``table`` without a Chinese translation."""
    return [msgid for msgid in table.values() if not ZH.get(msgid)]


def test_every_strategy_has_its_names_and_help_in_one_place() -> None:
    values = {strategy.value for strategy in Strategy}
    assert set(STRATEGIES) == values
    for table in (STRATEGY_NAMES, SHORT_NAMES, STRATEGY_HELP):
        assert set(table) == values
        assert _translated(table) == []


def test_every_kind_of_payment_has_a_name() -> None:
    assert set(ACTION_KINDS) == {kind.value for kind in ActionKind}
    assert _translated(ACTION_KINDS) == []


def _allowed(table: str, column: str) -> set[str] | None:
    """The values a CHECK constraint of the store allows for a column (None: no check)."""
    for constraint in schema.metadata.tables[table].constraints:
        text = str(getattr(constraint, "sqltext", ""))
        if text.startswith(f"{column} IN ("):
            return set(re.findall(r"'([^']+)'", text))
    return None


@pytest.mark.parametrize(("names", "table", "column"), [
    (CHANNELS, "contacts", "channel"),
    (PARTIES, "commitments", "party"),
    (PROMISE_STATUSES, "commitments", "status"),
    (STATUSES, "debts", "status"),
])
def test_every_stored_value_has_a_name(names: dict[str, str], table: str, column: str) -> None:
    assert _translated(names) == []
    allowed = _allowed(table, column)
    if table == "contacts":  # channels are checked by the service, not the schema
        assert allowed is None
    else:
        assert set(names) == allowed


def test_outcomes_are_named() -> None:
    assert set(OUTCOMES) == {"accepted", "refused", "pending"}
    assert _translated(OUTCOMES) == []


def test_every_product_is_named_in_both_languages() -> None:
    presets = load_presets(preset_dir())
    assert {"huabei", "jiebei", "credit_card_cn", "weilidai", "jd_baitiao", "generic_loan",
            "informal_loan"} <= set(presets)
    for preset in presets.values():
        assert preset.name.get("zh")
        assert preset.name.get("en")
        assert preset.name.get("zh") != preset.name.get("en")


def test_the_channels_the_command_line_offers_are_the_channels_named() -> None:
    from click.testing import CliRunner

    from xieshang.cli.main import app

    for command in (["log", "add"], ["log", "edit"]):
        text = CliRunner().invoke(app, [*command, "--help"], terminal_width=200).output
        listed = re.search(r"--channel TEXT\s+(\S+(?: \| \S+)+)", text)
        assert listed is not None, text
        assert listed.group(1).split(" | ") == list(CHANNELS)
