"""Errors the engine raises, one base with families (practice 6).

Every message is an English gettext msgid with ``{placeholders}``; fronts translate it with
:func:`xieshang.i18n.translate_error`. The engine never chooses the language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def fill(text: str, params: Mapping[str, Any]) -> str:
    """``text`` with its ``{placeholders}`` filled from ``params``; a translation whose
    placeholders do not match is shown as it is rather than failing."""
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def N_(message: str) -> str:
    """Mark a string for translation without translating it (gettext convention)."""
    return message


class XieshangError(Exception):
    """Base class of every error xieshang raises on purpose."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.render())

    def render(self, message: str | None = None) -> str:
        """The message with its parameters filled in (``message`` may be a translation)."""
        return fill(self.message if message is None else message, self.params)


class InputError(XieshangError, ValueError):
    """A value a person typed or a file gave is not acceptable; names the field."""

    def __init__(self, field: str, message: str, **params: Any) -> None:
        self.field = field
        super().__init__(message, **params)


class InputErrors(InputError):
    """Several values refused at once (a form's fields), in the order they were read.

    It reads as the first of them (its field, message and parameters), so a front that shows
    one error says what it would have said for that one alone; ``errors`` holds every one,
    for a form that shows each beside its field.
    """

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.field, first.message, **first.params)


class StateError(XieshangError):
    """A value xieshang relies on is missing: a check that stays under ``python -O`` (where
    an ``assert`` would be stripped). It names what is missing; the transaction it happens
    in is rolled back, so nothing is changed."""

    def __init__(self, what: str) -> None:
        self.field = ""
        self.what = what
        super().__init__(N_("xieshang found {what} missing where it must be set; nothing was "
                            "changed"), what=what)


class PresetError(XieshangError):
    """A preset file does not match the schema; names the file and the field."""

    def __init__(self, source: str, field: str, message: str, **params: Any) -> None:
        self.source = source
        self.field = field
        super().__init__(message, **params)

    def render(self, message: str | None = None) -> str:
        body = super().render(message)
        where = getattr(self, "source", "")
        field = getattr(self, "field", "")
        return f"{where}: {field}: {body}" if field else f"{where}: {body}"
