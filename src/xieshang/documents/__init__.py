"""Negotiation documents: scripts, letters and drafts rendered from Jinja2 templates with
every figure taken from the engine (see ``docs/documents.md``)."""

from __future__ import annotations

from xieshang.documents.context import (
    AgreedTerms,
    BudgetStatement,
    FlaggedCall,
    Identifiers,
    LoggedContact,
    base_lang,
    build_context,
    cited,
    figures,
)
from xieshang.documents.render import (
    LANGS,
    DocumentKind,
    kind_of,
    kinds_for,
    render_document,
    to_traditional,
)

__all__ = ["LANGS", "AgreedTerms", "BudgetStatement", "DocumentKind", "FlaggedCall",
           "Identifiers", "LoggedContact", "base_lang", "build_context", "cited", "figures",
           "kind_of", "kinds_for", "render_document", "to_traditional"]
