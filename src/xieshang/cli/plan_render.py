"""Tables for ``xieshang plan``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xieshang.engine.strategy import Action, Plan
    from xieshang.output import Output

from xieshang.present import plan_note
from xieshang.services.plan import (
    ACTION_KINDS,
    SHORT_NAMES,
    STRATEGY_NAMES,
)


def _title(out: Output, plan: Plan) -> str:
    key = plan.strategy.value
    return out._("{name}: {description}").format(name=out._(SHORT_NAMES[key]),
                                                  description=out._(STRATEGY_NAMES[key]))


def _when(out: Output, plan: Plan) -> str:
    return (plan.totals.payoff_date.isoformat() if plan.totals.payoff_date
            else out._("not within {months} months").format(months=plan.input.horizon_months))


def comparison(out: Output, plans: list[Plan]) -> list[Any]:
    """The strategies side by side, then what each one does."""
    _ = out._
    rows = []
    for plan in plans:
        t = plan.totals
        rows.append((
            _(SHORT_NAMES[plan.strategy.value]), _when(out, plan),
            out.money(t.paid), out.money(t.interest + t.penalty + t.fees),
            str(t.months_overdue), str(t.milestones_crossed), out.money(t.unpaid_end),
        ))
    items: list[Any] = [out.table(
        _("Strategies compared"),
        [_("Strategy"), _("Repaid by"), _("Paid"), _("Charges"), _("Months overdue"),
         _("Milestones"), _("Left")],
        rows, right=range(1, 7),
        caption=_("Charges: interest, penalty and fees from today on. Months overdue: added "
                  "over all debts. Milestones: dated risks reached while overdue. Left: still "
                  "owed at the end."),
    )]
    for plan in plans:
        line = "• " + _title(out, plan)
        notes = [plan_note(out, note) for note in plan.notes]
        # the title has no full stop of its own: one goes before a note
        items.append((". " if out.lang == "en" else "。").join([line, *notes]))
    items.append(_("See one strategy month by month with --strategy NAME; this month's "
                   "payments with `xieshang plan month`."))
    return items


def plan_detail(out: Output, plan: Plan, names: dict[str, str]) -> list[Any]:
    """One strategy: per debt, then month by month."""
    _ = out._
    t = plan.totals
    items: list[Any] = [_title(out, plan)]
    rows = [
        (names.get(d.key, d.label), out.money(d.paid), out.money(d.interest + d.penalty + d.fees),
         d.payoff_date.isoformat() if d.payoff_date else "—", str(d.months_overdue),
         out.money(d.balance_end))
        for d in plan.debts
    ]
    rows.append((_("Total"), out.money(t.paid), out.money(t.interest + t.penalty + t.fees),
                 _when(out, plan), str(t.months_overdue), out.money(t.unpaid_end)))
    items.append(out.table(_("Per debt"), [_("Debt"), _("Paid"), _("Interest, penalty and fees"),
                                            _("Repaid by"), _("Months overdue"),
                                            _("Still owed at the end")], rows,
                           right=range(1, 6)))
    keys = [d.key for d in plan.debts]
    month_rows = []
    for month in plan.months:
        cells = [str(month.index + 1), month.pay_date.isoformat()]
        for debt in month.debts:
            mark = " !" if debt.unpaid > 0 else ""
            cells.append(f"{out.money(debt.paid)}{mark}")
        cells.append(out.money(sum((d.balance for d in month.debts), month.paid * 0)))
        month_rows.append(cells)
    items.append(out.table(
        _("Month by month (payment per debt; '!' = a required payment not covered)"),
        [_("Month"), _("Pay by"), *[names.get(k, k) for k in keys], _("Still owed")],
        month_rows, right=range(2, len(keys) + 3)))
    for note in plan.notes:
        items.append("• " + plan_note(out, note))
    return items


def month_table(out: Output, plan: Plan, actions: tuple[Action, ...],
                names: dict[str, str]) -> list[Any]:
    """This month's payments."""
    _ = out._
    rows = [
        (names.get(a.key, a.label), out.money(a.amount), a.by.isoformat(),
         out.money(a.required), out.money(a.unpaid) if a.unpaid else "",
         _(ACTION_KINDS.get(a.kind.value, a.kind.value)))
        for a in actions
    ]
    total = sum((a.amount for a in actions), plan.input.monthly_budget * 0)
    if not rows:
        return [_("This month ({strategy}): your budget leaves nothing for the debts, so "
                  "nothing is planned. Tell each lender before its due date and ask for "
                  "breathing space (`xieshang ladder` shows when your plans can start).")
                .format(strategy=_title(out, plan))]
    items: list[Any] = [out.table(
        _("This month ({strategy}): what to pay to whom, by when").format(
            strategy=_title(out, plan)),
        [_("Debt"), _("Pay"), _("By"), _("Required"), _("Not covered"), _("Why")], rows,
        right=[1, 3, 4])]
    items.append(_("In all {total} of {budget}.").format(
        total=out.money(total), budget=out.money(plan.input.budget_of(0))))
    if any(a.unpaid for a in actions):
        items.append(_("Some required payments are not covered this month: tell those lenders "
                       "before the due date and ask for an arrangement (see `xieshang calc "
                       "timeline` for what happens next)."))
    return items
