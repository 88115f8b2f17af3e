"""The presentation side shared by the fronts (command line, web app, batch): what turns the
services' data (Decimal money, ids, msgids with values) into words and display values in the
person's language (an :class:`xieshang.output.Output`). Layers: fronts → present → services →
engine/store; the services never translate.

:mod:`xieshang.present.views` holds the display values of the use cases (status lines, the
budget report, the refusal and preparation payloads, the risk panel),
:mod:`xieshang.present.documents` the values the documents are rendered from (they are
written in one language) and the case dossier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xieshang.output import Output
    from xieshang.store.model import Debt

__all__ = ["debt_name", "mark_words", "masked", "namer", "plan_note", "shown_rights"]


def debt_name(out: Output, debt: Debt) -> str:
    """``#3 花呗 账单``: the id and the label (or the product's name)."""
    from xieshang.services.cases import debt_label

    return debt_label(debt, out.lang)


def plan_note(out: Output, note: Any) -> str:
    """A plan's note (:class:`xieshang.engine.strategy.Note`) in ``out``'s language: a
    strategy it names is given by its translated short name (``雪崩法``), never its key."""
    from xieshang.services.plan import SHORT_NAMES

    params = dict(note.params)
    strategy = params.get("strategy")
    if strategy in SHORT_NAMES:
        params["strategy"] = out._(SHORT_NAMES[strategy])
    return out._(note.message).format(**params)


def masked(out: Output, kind: str, value: Any) -> str | None:
    """A personal value as it may be shown: masked, or locked when encrypted."""
    from xieshang.store.model import Sealed

    if value is None or value == "":
        return None
    if isinstance(value, Sealed):
        return "🔒 " + out._("encrypted")
    from xieshang.engine import identity

    text = str(value)
    if kind == "id_number":
        return identity.mask_id(text)
    if kind == "phone":
        return identity.mask_phone(text)
    if kind == "account":
        digits = text.replace(" ", "").replace("-", "")
        return identity.mask_card(text) if digits.isdigit() else identity.mask_account(text)
    if kind == "name":
        return identity.mask_name(text)
    raise ValueError(kind)



def mark_words(out: Output, mark: str) -> str:
    """A confidence mark with what it means: ``[S] 二手资料``."""
    from xieshang.services.negotiation import MARK_WORDS

    return f"[{mark}] {out._(MARK_WORDS[mark])}" if mark in MARK_WORDS else f"[{mark}]"



def shown_rights(out: Output, shown: bool, products: Sequence[tuple[str, str]] = ()
                 ) -> list[str] | None:
    """The know-your-rights card's key lines, when ``shown`` (else ``None``): the points for
    ``products`` (``(product kind, lender type)`` pairs; none given: every point)."""
    from xieshang.services.negotiation import rights_lines

    return rights_lines(out.lang, products=products) if shown else None


def namer(out: Output) -> Callable[[Debt], str]:
    """:func:`debt_name` in ``out``'s language, for the services that name debts in their
    notes (``plan_input``)."""
    return lambda debt: debt_name(out, debt)


def savings_line(out: Output, savings: Any, names: dict[str, str], *,
                 month: int | None = None, budget: Any = None) -> str | None:
    """What the savings pay in a plan (a :class:`~xieshang.services.plan.PlanSavings`), in
    the same words for ``plan`` (every month with savings: ``month`` None) and ``plan
    month`` (``month`` 0, out of that month's ``budget``); None when there are none."""
    if savings is None:
        return None
    _ = out._
    debt = names.get(str(savings.to), f"#{savings.to}") if savings.to is not None else None
    if savings.use == "settlement":
        target = (_("for the agreed settlement of {debt}").format(debt=debt) if debt
                  else _("for the agreed settlement"))
    else:
        target = (_("for {debt}").format(debt=debt) if debt
                  else _("spread over the debts"))
    if month is not None:
        amount = savings.of(month)
        if amount <= 0:
            return None
        return _("Of this month's {budget}, {amount} comes from your savings ({target}).").format(
            budget=out.money(budget), amount=out.money(amount), target=target)
    parts = [_("{amount} in month {n}").format(amount=out.money(amount), n=index + 1)
             for index, amount in sorted(savings.by_month.items()) if amount > 0]
    if not parts:
        return None
    return _("Your savings in the plan: {parts} ({target}).").format(
        parts=(", " if out.lang == "en" else "，").join(parts), target=target)
