"""Rendering the negotiation documents from their Jinja2 templates.

Templates live in ``templates/zh`` and ``templates/en`` (``KIND.txt.j2``); the environment
uses :class:`jinja2.StrictUndefined`, so a template that names a value the context lacks
fails instead of leaving a gap. Traditional Chinese (``zh-Hant``) is the Simplified output
converted with OpenCC (``s2t``), so its text is never typed twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Any

import jinja2

from xieshang.engine.errors import N_, InputError

__all__ = ["LANGS", "DocumentKind", "kind_of", "render_document", "to_traditional"]

#: The languages a document can be written in.
LANGS = ("zh", "en", "zh-Hant")


class DocumentKind(StrEnum):
    """The documents (the ``--channel`` of ``xieshang script``)."""

    PHONE = "phone"  # phone script with talking points
    CHAT = "chat"  # online customer-service chat, short messages
    LETTER = "letter"  # formal written application (协商还款申请 / 个性化分期还款申请)
    HARDSHIP = "hardship"  # hardship statement (困难说明)
    CONFIRM = "confirm"  # request for written confirmation of an agreement
    SOCIAL = "social"  # public post to the lender's official account: no personal data
    COMPLAINT = "complaint"  # complaint draft for 12378


@cache
def _environment(folder: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("xieshang.documents", f"templates/{folder}"),
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)


#: Known OpenCC s2t slips in our texts (发卡 "issue a card" is not 髮 "hair"; "7天后" is
#: "after 7 days", not the goddess 天后).
_FIXES = (("髮卡", "發卡"), ("天后", "天後"))


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified Chinese converted to Traditional with OpenCC (``s2t``)."""
    result: str = _converter().convert(text)
    for wrong, right in _FIXES:
        result = result.replace(wrong, right)
    return result


def kind_of(value: str) -> DocumentKind:
    """The document kind named ``value``.

    Raises:
        InputError: (field ``channel``) an unknown kind.
    """
    try:
        return DocumentKind(value.strip().lower())
    except ValueError:
        raise InputError("channel", N_("'{value}' is not one of: {known}"), value=value,
                         known=", ".join(kind.value for kind in DocumentKind)) from None


def render_document(kind: DocumentKind | str, context: Mapping[str, Any], lang: str) -> str:
    """The document ``kind`` in ``lang`` (``zh``, ``en`` or ``zh-Hant``).

    ``context`` comes from :func:`xieshang.documents.context.build_context` (built in the
    same language; for ``zh-Hant`` in ``zh``).

    Raises:
        InputError: an unknown kind (field ``channel``) or language (field ``lang``).
        jinja2.UndefinedError: a template names a value the context lacks (a bug).
    """
    document = kind if isinstance(kind, DocumentKind) else kind_of(kind)
    code = lang.strip()
    if code.lower() in ("zh-hant", "zh_hant", "zh-tw", "zh_tw"):
        folder, traditional = "zh", True
    elif code.lower() in ("zh", "zh-hans", "zh_hans", "zh-cn", "zh_cn"):
        folder, traditional = "zh", False
    elif code.lower().startswith("en"):
        folder, traditional = "en", False
    else:
        raise InputError("lang", N_("'{value}' is not one of: {known}"), value=lang,
                         known=", ".join(LANGS))
    template = _environment(folder).get_template(f"{document.value}.txt.j2")
    text = template.render(**context).strip() + "\n"
    return to_traditional(text) if traditional else text
