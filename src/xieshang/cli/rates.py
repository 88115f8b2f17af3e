"""Rates typed on the command line, read so they cannot be misread.

A rate without its unit (``0.045``) is refused with both readings — or, at a terminal, the
person is asked which one was meant. A contract daily rate above 0.1 % a day and an overdue
rate above 0.5 % a day are asked to be confirmed (``--yes`` accepts them without asking).
The same flag names mean the same thing in every command: ``--daily-rate`` and
``--annual-rate`` are contract rates, ``--penalty-rate`` the overdue daily rate.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import click

from xieshang.engine.errors import N_, InputError

if TYPE_CHECKING:
    from xieshang.output import Output

__all__ = ["RATE_OPTIONS", "YES_OPTION", "checked_rates", "interactive"]

#: The rate options of ``debt add``/``debt edit`` and the calculators.
RATE_OPTIONS: Final = ("daily_rate", "annual_rate", "penalty_rate")

#: ``--yes``: accept an unusually high rate without being asked.
YES_OPTION = click.option("--yes", "yes", is_flag=True,
                          help="不再确认异常高的利率. Accept an unusually high rate without asking.")

#: Why a high rate is asked about, by field (msgids).
_HIGH: Final = {
    "daily_rate": N_("{rate} a day is unusually high for a contract rate (above {limit} a "
                     "day): check it against your bill or app; if it is right, add --yes"),
    "penalty_rate": N_("{rate} a day is unusually high for an overdue rate (above {limit} a "
                       "day): check it against your bill; if it is right, add --yes"),
}


def interactive() -> bool:
    """Whether a person is at a terminal to answer a question."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def checked_rates(out: Output, options: Mapping[str, str | None], *, yes: bool = False,
                  names: tuple[str, ...] = RATE_OPTIONS) -> dict[str, str | None]:
    """``options`` with every rate in ``names`` read without doubt: a bare number asked back
    at a terminal (else refused with both readings), a high rate confirmed (else refused,
    unless ``yes``). The rates stay text, with their unit, for the service to parse."""
    from xieshang.engine.parsing import AmbiguousRate, high_rate, parse_rate

    _ = out._
    result = dict(options)
    for name in names:
        text = result.get(name)
        if not text:
            continue
        try:
            value = parse_rate(text, name)
        except AmbiguousRate as error:
            if not interactive():
                raise
            first, second = error.readings
            picked = click.prompt(
                _("'{value}' has no unit. Did you mean 1) {first} or 2) {second}?").format(
                    value=text, first=_percent(first), second=_percent(second)),
                type=click.Choice(["1", "2"]))
            result[name] = _percent(first if picked == "1" else second)
            value = parse_rate(result[name] or "", name)
        if high_rate(value, name) and not yes:
            from xieshang.engine.parsing import HIGH_RATE

            limit = _percent(HIGH_RATE[name])
            if interactive() and click.confirm(
                    _("{rate} a day is unusually high. Is it right?").format(
                        rate=_percent(value)), default=False):
                continue
            raise InputError(name, _HIGH.get(name, _HIGH["penalty_rate"]),
                             rate=_percent(value), limit=limit)
    return result
