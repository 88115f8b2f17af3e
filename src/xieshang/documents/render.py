"""Rendering the negotiation documents from their Jinja2 templates.

Templates live in ``templates/zh`` and ``templates/en`` (``KIND.txt.j2``); the environment
uses :class:`jinja2.StrictUndefined`, so a template that names a value the context lacks
fails instead of leaving a gap. Traditional Chinese is the Simplified output converted with
OpenCC, so its text is never typed twice: ``zh-Hant`` (and ``zh-TW``) with Taiwan's words and
characters (``s2twp``: 為、核對、吃飯、裡、簡訊), ``zh-HK`` with Hong Kong's (``s2hk``).

A loan from family or friends (product kind ``informal``) gets its own kit (``family/``): a
talk guide, a message, a personal letter, a hardship note, a written repayment agreement and
a confirmation — no regulator, no staff number, no penalty or credit-report language. The
documents addressed to an institution (a public post, a complaint, a letter to collectors,
an itemised-statement request) are refused for it with a clear message.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Any

import jinja2

from xieshang.engine.errors import N_, InputError
from xieshang.engine.traditional import CONFIGS, fixed

__all__ = ["LANGS", "NOT_FOR_FAMILY", "ONLY_FOR_FAMILY", "DocumentKind", "kind_of", "kinds_for",
           "render_document", "to_traditional"]

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
    COMPLAINT = "complaint"  # complaint: the lender first, then the regulator (12378 …)
    BUDGET = "budget"  # budget statement for the lender: no walk-away point
    AGREEMENT = "agreement"  # written repayment agreement (还款协议) for a family loan
    NOREPLY = "noreply"  # follow-up: no reply after N days
    RECONSIDER = "reconsider"  # follow-up: reconsideration after a refusal
    STATEMENT = "statement"  # request for an itemised statement (账单明细)
    COLLECTOR = "collector"  # letter to collectors: how and when to contact, not relatives


#: What a family or friend's loan has no use for: documents addressed to an institution.
NOT_FOR_FAMILY = frozenset({DocumentKind.SOCIAL, DocumentKind.COMPLAINT,
                            DocumentKind.STATEMENT, DocumentKind.COLLECTOR,
                            DocumentKind.BUDGET, DocumentKind.NOREPLY,
                            DocumentKind.RECONSIDER})
#: What only a family or friend's loan has: a new written agreement.
ONLY_FOR_FAMILY = frozenset({DocumentKind.AGREEMENT})


@cache
def _environment(folder: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("xieshang.documents", f"templates/{folder}"),
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)


@cache
def _converter(variant: str) -> Any:
    import opencc

    return opencc.OpenCC(CONFIGS[variant])


def to_traditional(text: str, variant: str = "tw") -> str:
    """Simplified Chinese converted to Traditional with OpenCC: Taiwan's conventions
    (``tw``, ``s2twp``: words as well as characters) or Hong Kong's (``hk``, ``s2hk``);
    the configuration and its fixes are :mod:`xieshang.engine.traditional`'s."""
    return fixed(_converter(variant).convert(text), variant)


def kinds_for(product_kind: str) -> tuple[DocumentKind, ...]:
    """The documents a debt of ``product_kind`` has: a loan from family or friends has the
    family kit (no public post, complaint, collector letter or statement request, but a
    written agreement); every other debt has the rest."""
    if product_kind == "informal":
        return tuple(kind for kind in DocumentKind if kind not in NOT_FOR_FAMILY)
    return tuple(kind for kind in DocumentKind if kind not in ONLY_FOR_FAMILY)


@cache
def _template(folder: str, kind: str, family: bool) -> jinja2.Template:
    """The template of ``kind``: the family kit's own when it has one."""
    environment = _environment(folder)
    if family:
        try:
            return environment.get_template(f"family/{kind}.txt.j2")
        except jinja2.TemplateNotFound:
            pass
    return environment.get_template(f"{kind}.txt.j2")


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
    code = lang.strip().lower().replace("_", "-")
    variant = ""
    if code in ("zh-hant", "zh-tw", "zh-hant-tw"):
        folder, variant = "zh", "tw"
    elif code in ("zh-hk", "zh-hant-hk", "zh-mo"):
        folder, variant = "zh", "hk"
    elif code in ("zh", "zh-hans", "zh-cn"):
        folder = "zh"
    elif code.startswith("en"):
        folder = "en"
    else:
        raise InputError("lang", N_("'{value}' is not one of: {known}"), value=lang,
                         known=", ".join((*LANGS, "zh-HK")))
    family = context.get("product_kind") == "informal"
    if family and document in NOT_FOR_FAMILY:
        raise InputError("channel", N_(
            "a loan from family or friends has no '{value}' document: it goes to an "
            "institution; use phone, chat, letter, hardship, agreement or confirm"),
                         value=document.value)
    if not family and document in ONLY_FOR_FAMILY:
        raise InputError("channel", N_(
            "'{value}' is the written agreement for a loan from family or friends; with "
            "a lender, ask for written confirmation instead (channel confirm)"),
                         value=document.value)
    text = _template(folder, document.value, family).render(**context).strip() + "\n"
    return to_traditional(text, variant) if variant else text
