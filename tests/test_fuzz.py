"""The reliability suite (``make fuzz``) at small counts, as part of ``make test``.

The same harness as ``make fuzz`` (tests/fuzz), seeded, so the same inputs every run:
CLI fuzz over every command and option, malformed statements, web form posts, SIGKILLed
writers, concurrent writers, a full disk (skipped where no tmpfs can be mounted) and the
stale-edit scenarios. Each part must count no traceback, no 500, no hang, no partial write,
no corrupt store, no lost or duplicated record and no lost update.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz import FAILURES
from fuzz.__main__ import PARTS, SMALL, run_parts


@pytest.mark.parametrize("part", PARTS)
def test_the_reliability_suite_finds_nothing(part: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    [figures] = run_parts(SMALL, tmp_path, only=(part,))
    if figures.skipped:
        # only the disk-full part skips: it needs a small tmpfs, which only root on Linux
        # can mount (CI runs as root and mounts it)
        pytest.skip(f"{part}: {figures.skipped}; this part needs a tmpfs it can mount "
                    "(root on Linux)")
    assert figures.calls > 0
    assert {kind: getattr(figures, kind) for kind in FAILURES} == dict.fromkeys(FAILURES, 0), \
        figures.report()
