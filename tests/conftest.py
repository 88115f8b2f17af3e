"""Shared test settings.

Hypothesis: no per-example deadline (a busy 2-core CI machine must not turn a slow example
into a failure), and under CI (``CI=true``) derandomised, so a run that was green on a
developer's machine is green in CI with the same examples; locally, examples stay random so
new edge cases keep being found.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci", deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
