"""Shared test settings.

Hypothesis: no per-example deadline (a busy 2-core CI machine must not turn a slow example
into a failure), and under CI (``CI=true``) derandomised, so a run that was green on a
developer's machine is green in CI with the same examples; locally, examples stay random so
new edge cases keep being found.

The clock: a test run is one moment. When this file loads, ``$XIESHANG_NOW`` is set to the
moment the run started (unless it is set already — ``XIESHANG_NOW=2026-12-06T23:30+08:00
pytest`` replays a run at that moment), so a run that crosses Beijing midnight sees one
date from the first test to the last, in this process and in every command it starts. A
test whose result depends on the hour says which moment it needs with
``@pytest.mark.now("2026-12-06T10:30+08:00")``, or only the hour with
``@pytest.mark.now("10:30")`` (the run's own date at 10:30 Beijing time, for tests whose
data is built around the run's date): the clock stands there for that test (in this process
and, through the environment, in the commands it starts). ``make test-clock``
runs the time-sensitive files under ``faketime`` at the awkward moments.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from datetime import datetime, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from xieshang import clock
from xieshang.store.db import Store, open_store

settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci", deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

#: The moment this run stands at (the machine's clock, or faketime's, when it started).
RUN_STARTED = clock.now()
os.environ.setdefault(clock.ENV, RUN_STARTED.isoformat())


def at(when: str) -> datetime:
    """The moment a ``now`` marker names: a moment, or ``HH:MM`` on the run's date."""
    if len(when) == 5 and when[2] == ":":
        return datetime.combine(RUN_STARTED.date(), time.fromisoformat(when), clock.ZONE)
    return clock.parse_moment(when)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[
        None, object, object]:
    """``@pytest.mark.now(MOMENT)``: the clock stands at MOMENT for this test."""
    marker = item.get_closest_marker("now")
    if marker is None:
        return (yield)
    moment = at(marker.args[0])
    before = os.environ.get(clock.ENV)
    os.environ[clock.ENV] = moment.isoformat()
    try:
        with clock.pinned(moment):
            return (yield)
    finally:
        if before is None:
            os.environ.pop(clock.ENV, None)
        else:
            os.environ[clock.ENV] = before


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty store in the test's own folder, closed afterwards (a module may define its
    own ``store`` with a case in it)."""
    opened = open_store(data_dir=tmp_path)
    yield opened
    opened.close()
