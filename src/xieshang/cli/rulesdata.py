"""Legal data tables (LPR history, law constants) read from the package (I/O)."""

from __future__ import annotations

from functools import cache
from typing import Any

from xieshang.rules import builtin_text

__all__ = ["law", "lpr_table", "questions", "rate_law"]


@cache
def lpr_table() -> Any:
    """The 1-year LPR fixings from ``presets/_lpr.toml``."""
    from xieshang.engine.rates import parse_lpr

    return parse_lpr(builtin_text("_lpr.toml"), "presets/_lpr.toml")


@cache
def rate_law() -> dict[str, Any]:
    """Keyword arguments for :func:`xieshang.engine.rates.check_rate`: the law table."""
    from xieshang.engine.rates import parse_rate_law

    return {"law": parse_rate_law(builtin_text("_lpr.toml"), "presets/_lpr.toml")}


@cache
def law() -> Any:
    """The legal rules of the timeline from ``presets/_law.toml``."""
    from xieshang.engine.timeline import parse_law

    return parse_law(builtin_text("_law.toml"), "presets/_law.toml")


@cache
def questions() -> Any:
    """The questions people ask, from ``presets/_questions.toml`` (validated)."""
    from xieshang.engine.questions import parse_questions

    return parse_questions(builtin_text("_questions.toml"), "presets/_questions.toml")
