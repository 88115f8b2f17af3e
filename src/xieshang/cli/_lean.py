"""click imported without the standard modules it rarely needs (issue 16, start-up).

click imports ``inspect`` (with ast, dis and tokenize), ``uuid`` (with platform) and
``gettext`` (whose first lookup imports locale): a fifth of ``xieshang calc overdue``'s
start-up, for ``inspect.cleandoc`` of each help, the ``UUID`` parameter type (xieshang has
none) and the lookup of click's own messages in Python's translations. While click loads,
a :class:`_Later` stands in for each of them, holding what click uses as it loads and runs
a command: :func:`_cleandoc`, :func:`_gettext` and :func:`_ngettext` give the module's own
result, importing the module whenever they could not tell it otherwise; anything else asked
of a stand-in imports the module. No output changes (tests/test_startup.py).
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any

__all__ = ["import_click"]


class _Later(ModuleType):
    """Stands in for a standard module that click imports but a command seldom uses: the
    module itself is imported the first time anything of it is asked for but what the
    stand-in holds (see :func:`import_click`)."""

    def __getattr__(self, name: str) -> Any:
        if name == "__path__":  # asked by ``from … import`` of a package: it is a module
            raise AttributeError(name)
        module = _real(self.__name__)
        vars(self).update(vars(module))  # from now on, the module's own names
        return getattr(module, name)


def _real(name: str) -> ModuleType:
    """The standard module ``name`` itself, imported if only a :class:`_Later` was."""
    module = sys.modules.get(name)
    if module is None or isinstance(module, _Later):
        sys.modules.pop(name, None)
        module = __import__(name)
    return module


def _cleandoc(doc: str) -> str:
    """``inspect.cleandoc``, which click applies to each option's help and to the help it
    shows. A help already clean — no tab, no space before its first line nor empty line
    after its last, and not every line after the first with text indented (else inspect
    takes off their least indentation) — is its own clean form; any other is inspect's."""
    if "\t" in doc or doc[:1].isspace() or doc.endswith("\n"):
        return str(_real("inspect").cleandoc(doc))
    texts = [line for line in doc.split("\n")[1:] if line.strip()]
    if texts and all(line[:1].isspace() for line in texts):
        return str(_real("inspect").cleandoc(doc))
    return doc


class _UUIDStandIn:
    """Named as click's ``UUID`` parameter type's value type while click loads (only as a
    type argument); click's converter finds the real ``uuid.UUID`` when it runs."""


def _untranslated() -> bool:
    """Whether gettext would give click's messages as written: it has not been imported
    (so no one changed its domain nor bound one elsewhere) and Python's folder of
    translations, where it would look for them, does not exist."""
    module = sys.modules.get("gettext")
    return (module is None or isinstance(module, _Later)) \
        and not os.path.isdir(os.path.join(sys.base_prefix, "share", "locale"))


def _gettext(message: str) -> str:
    """``gettext.gettext`` for click, importing gettext (and locale) only if a translation
    could be found (:func:`_untranslated`)."""
    return message if _untranslated() else str(_real("gettext").gettext(message))


def _ngettext(singular: str, plural: str, count: int) -> str:
    """``gettext.ngettext`` for click (see :func:`_gettext`)."""
    if _untranslated():
        return singular if count == 1 else plural
    return str(_real("gettext").ngettext(singular, plural, count))


def import_click() -> None:
    """Import click (if it is not yet) with :class:`_Later` standing in for inspect, uuid
    and gettext while it loads; then each is taken out of ``sys.modules`` (an ``import``
    elsewhere gets the module itself) and stays only in click's modules."""
    if "click" in sys.modules:
        return
    ready: dict[str, dict[str, object]] = {
        "inspect": {"cleandoc": _cleandoc}, "uuid": {"UUID": _UUIDStandIn},
        "gettext": {"gettext": _gettext, "ngettext": _ngettext}}
    stand_ins: dict[str, _Later] = {}
    for name, names in ready.items():
        if name not in sys.modules:
            stand_ins[name] = sys.modules[name] = _Later(name)
            vars(stand_ins[name]).update(names)
    try:
        import click  # noqa: F401
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            if vars(stand_in).get("UUID") is _UUIDStandIn:
                del vars(stand_in)["UUID"]  # click's converter asks the module itself
