"""The one clock: every "now" and "today" in xieshang comes from here.

Dates are the lender's calendar — China Standard Time (Asia/Shanghai, UTC+8, no daylight
saving): a day overdue, a due date, the hours a collector may call and "today" are Beijing
dates and times, whatever time zone the machine is set to.

The clock can be pinned, so that any command or the web app runs as of one moment ("what
did the app show on that day"): the environment variable ``XIESHANG_NOW`` or the option
``xieshang --now`` (``2026-12-06T23:30+08:00``; without an offset the time is Beijing
time; a date alone means noon of that day, Beijing time). A pinned clock stands still.
Code and tests pin it with :func:`pinned`.

Nothing else in ``src/`` reads the machine's clock for a date or a moment (a test scans
for it); measuring how long something takes (``time.monotonic``, ``time.perf_counter``)
is not reading the date and stays where it is used.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache

from xieshang.engine.errors import N_, InputError

__all__ = ["ENV", "FIRST_YEAR", "LAST_YEAR", "ZONE", "now", "now_local", "now_utc",
           "parse_moment", "pin", "pinned", "today"]

#: The lender's calendar: China Standard Time. A fixed offset (China has kept no daylight
#: saving since 1991), so no time-zone database is needed to read it.
ZONE = timezone(timedelta(hours=8), "CST")

#: The environment variable that pins the clock.
ENV = "XIESHANG_NOW"

#: The years a pinned moment may fall in (the years the program's dates are checked for:
#: a plan runs up to 50 years past "now", and dates must stay within Python's calendar).
FIRST_YEAR, LAST_YEAR = 2000, 2099

#: What :func:`now` answers when pinned: the innermost :func:`pinned` block still open, else
#: the moment :func:`pin` set. Recomputed under ``_lock`` whenever either changes, so that
#: blocks opened and closed in any order (threads of a batch run each pin the same day and
#: finish in any order) leave the clock running once the last one closes.
_pin: datetime | None = None
_base: datetime | None = None
_blocks: list[tuple[object, datetime]] = []
_lock = threading.Lock()


def _settle() -> None:
    global _pin
    _pin = _blocks[-1][1] if _blocks else _base


def now() -> datetime:
    """The current moment in China Standard Time, to the second, time-zone aware.

    In order: the moment pinned in code (:func:`pinned`, :func:`pin`), the moment in
    ``$XIESHANG_NOW``, the machine's clock.
    """
    if _pin is not None:
        return _pin
    text = os.environ.get(ENV, "").strip()
    if text:
        return _from_env(text)
    return datetime.now(ZONE).replace(microsecond=0)


def today() -> date:
    """Today's date in the lender's calendar."""
    return now().date()


def now_local() -> datetime:
    """The current moment as Beijing wall-clock time, naive (how the store keeps times)."""
    return now().replace(tzinfo=None)


def now_utc() -> datetime:
    """The current moment in UTC, aware (calendar stamps)."""
    return now().astimezone(UTC)


def parse_moment(text: str, field: str = "now") -> datetime:
    """A moment as a person writes it, in China Standard Time.

    ``2026-12-06T23:30+08:00`` and ``2026-12-06T15:30Z`` (any offset, converted),
    ``2026-12-06 23:30`` or ``2026-12-06T23:30:15`` (Beijing time), ``2026-12-06``
    (noon of that day, Beijing time). Anything else is refused with an error naming
    ``field``.
    """
    cleaned = text.strip()
    candidate = cleaned[:-1] + "+00:00" if cleaned[-1:] in {"Z", "z"} else cleaned
    try:
        if len(candidate) == 10:
            moment = datetime.combine(date.fromisoformat(candidate), time(12, 0))
        else:
            moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise InputError(field, N_("'{value}' is not a moment; write it as "
                                   "2026-12-06T23:30+08:00, 2026-12-06 23:30 (Beijing time) "
                                   "or 2026-12-06"), value=text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE)
    try:
        moment = moment.astimezone(ZONE).replace(microsecond=0)
    except OverflowError:
        raise InputError(field, N_("'{value}' is not a moment; write it as "
                                   "2026-12-06T23:30+08:00, 2026-12-06 23:30 (Beijing time) "
                                   "or 2026-12-06"), value=text) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InputError(field, N_("must be between {minimum} and {maximum} (got {value})"),
                         minimum=FIRST_YEAR, maximum=LAST_YEAR, value=text)
    return moment


@lru_cache(maxsize=8)
def _from_env(text: str) -> datetime:
    return parse_moment(text)


def pin(moment: datetime | str | None) -> None:
    """Make the clock stand at ``moment`` (a string as :func:`parse_moment` takes it, or a
    datetime: naive is Beijing time) until it is pinned again; ``None`` lets it run.
    A :func:`pinned` block still open takes precedence until it closes."""
    global _base
    value = _coerce(moment) if moment is not None else None
    with _lock:
        _base = value
        _settle()


@contextmanager
def pinned(moment: datetime | str) -> Iterator[datetime]:
    """Within the block the clock stands at ``moment``; afterwards it is as before.

    Blocks may close in any order (one per thread, say): each removes only its own moment,
    and the clock runs again when none is open and nothing was :func:`pin`-ned."""
    value = _coerce(moment)
    token = object()
    with _lock:
        _blocks.append((token, value))
        _settle()
    try:
        yield value
    finally:
        with _lock:
            _blocks[:] = [block for block in _blocks if block[0] is not token]
            _settle()


def _coerce(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        return parse_moment(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE)
    return moment.astimezone(ZONE).replace(microsecond=0)
