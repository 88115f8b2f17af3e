"""Docs are tested: every command and every option is documented (practice 13)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from xieshang.cli.main import app

DOCS = Path(__file__).parent.parent / "docs"


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found.extend(_commands(command, full))
        else:
            found.append((full, command))
    return found


COMMANDS = _commands(app, "xieshang")


def test_there_are_commands_to_check() -> None:
    names = [name for name, _ in COMMANDS]
    assert "xieshang calc overdue" in names
    assert "xieshang demo" in names


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_and_option_is_in_docs_cli(name: str, command: click.Command) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"### `{name}`" in text, f"{name} has no section in docs/cli.md"
    section = text.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt not in ("--help",):
                common = opt in ("--lang", "--json")
                assert common or opt in section, f"{opt} of {name} is not in its docs section"
    assert command.help, f"{name} has no --help text"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    head = readme.split("\n\n", 3)[:3]
    joined = "\n".join(head)
    assert "make run" in joined
    assert "make test" in joined
