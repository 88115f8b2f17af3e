"""The budget: the income and spending statement, what it leaves for the debts and how that
is split among them, and saving statements and imports."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from xieshang.clock import today
from xieshang.engine.errors import N_, InputError, StateError
from xieshang.services._memo import remembered

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import date

    from xieshang.engine.budget import DebtShare, Norms
    from xieshang.store.db import Tx
    from xieshang.store.model import Budget, BudgetEntry, Case


__all__ = [
    "OUTCOMES",
    "SECTIONS",
    "BudgetView",
    "DebtPart",
    "available_by_month",
    "budget_shares",
    "budget_view",
    "check_not_imported",
    "current_budget",
    "debt_shares_by_month",
    "household_count",
    "imported_lines",
    "map_category",
    "norms",
    "parse_budget_line",
    "parse_income_change",
    "parse_income_changes",
    "parse_savings_debt",
    "parse_savings_use",
    "progress",
    "recovery_date",
    "save_import",
    "save_statement",
    "savings_added_by_month",
    "savings_split",
    "savings_to_debt_by_month",
    "set_line",
    "set_situation",
    "situation_of",
]


SECTIONS = {
    "income": N_("Income"),
    "priority": N_("Priority obligations"),
    "fixed": N_("Fixed costs"),
    "flexible": N_("Flexible costs"),
}


OUTCOMES = {
    "surplus": N_("An amount to offer"),
    "token": N_("Token payments"),
    "breathing_space": N_("Breathing space"),
}


#: Rows written per statement (a progress line after each chunk in tests).
_CHUNK = 2000


@cache
def norms() -> Norms:
    """The budget norms of ``presets/_budget.toml``."""
    from xieshang.engine.budget import parse_norms
    from xieshang.rules import builtin_text

    return parse_norms(builtin_text("_budget.toml"), "presets/_budget.toml")


def current_budget(tx: Tx, case: Case, *, create: bool) -> Budget | None:
    """The case's budget statement (the newest), created when asked and missing."""
    from xieshang.store.model import Budget

    found = tx.find(Budget, case_id=case.id)
    if found:
        return found[-1]
    return tx.add(Budget(case_id=case.id)) if create else None


def statement_version(tx: Tx, budget: Budget | None) -> str:
    """The version a form of the whole statement is opened at: the statement's own and
    every line's, so a line added, changed or removed elsewhere changes it too
    (``"0"``: no statement yet)."""
    import hashlib

    from xieshang.store.model import BudgetEntry

    if budget is None:
        return "0"
    lines = sorted((entry.id, entry.version)
                   for entry in tx.find(BudgetEntry, statement_id=budget.id))
    digest = hashlib.sha256(repr(lines).encode("ascii")).hexdigest()[:12]
    return f"{budget.version}-{digest}"


def set_line(tx: Tx, budget: Budget, section: str, category: str, amount: Decimal,
             note: str) -> None:
    """Set one line (replacing the category's line in that section)."""
    from dataclasses import replace

    from xieshang.store.model import BudgetEntry

    found = tx.find(BudgetEntry, statement_id=budget.id, section=section, category=category)
    if found:
        tx.update(replace(found[0], amount=amount, note=note))
    else:
        tx.add(BudgetEntry(statement_id=budget.id, section=section, category=category,
                           amount=amount, note=note))


def parse_budget_line(text: str, option: str) -> tuple[str, Decimal, str]:
    """``rent=2500`` or ``rent=2500:shared flat`` → (category, amount, note)."""
    from xieshang.engine.money import parse_amount

    key, sep, rest = text.partition("=")
    if not sep or not key.strip():
        raise InputError(option, N_("'{value}' is not CATEGORY=AMOUNT (e.g. rent=2500)"),
                         value=text)
    amount_text, _colon, note = rest.replace("：", ":").partition(":")
    return key.strip().lower(), parse_amount(amount_text, option), note.strip()


def household_count(text: str | None, field: str, minimum: int) -> int | None:
    from xieshang.engine.parsing import parse_count

    return None if text is None else parse_count(text, field, minimum=minimum, maximum=30)


@dataclass(frozen=True)
class DebtPart:
    """One open debt's part of what the budget leaves.

    Attributes:
        debt: the debt's id.
        balance: what is owed on it in all on the day (the split's basis).
        share: its balance as a fraction of all the balances (6 places).
        amount: its monthly part, exact to the fen.
    """

    debt: int
    balance: Decimal
    share: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BudgetView:
    """The budget statement of a case as of a day, language-free: the records, the engine's
    checks and working, and each open debt's part (the fronts translate and lay it out).

    Attributes:
        budget: the statement record.
        entries: its lines, in the order the norms list the categories.
        flags: the reasonableness flags (:func:`xieshang.engine.budget.check_reasonableness`).
        affordability: the working (:func:`xieshang.engine.budget.affordability`).
        method: how ``parts`` were split (``pro_rata`` or ``priority``).
        parts: each open debt's part, in the case's order.
        situation: the person's situation (:class:`xieshang.engine.situation.Situation`):
            ``affordability`` uses the income in force on the view's day.
        ordinary: the working of the statement as entered (an ordinary month's income).
        directed: the savings this month's parts give to the debt the person chose (debt
            id → amount; empty when they are spread or not used this month).
    """

    budget: Budget
    entries: tuple[BudgetEntry, ...]
    flags: tuple[Any, ...]
    affordability: Any
    method: str
    parts: tuple[DebtPart, ...]
    situation: Any = None
    ordinary: Any = None
    this_month: Decimal | None = None
    directed: Mapping[int, Decimal] = field(default_factory=dict)

    @property
    def available(self) -> Decimal:
        """What the statement leaves for unsecured debts this month (the income in force
        today, and savings when they fund the first months)."""
        if self.this_month is not None:
            return self.this_month
        amount: Decimal = self.affordability.available
        return amount

    @property
    def income(self) -> Decimal | None:
        """The household's monthly income (``None`` when no income is entered)."""
        income: Decimal = self.affordability.income
        return income or None

    def share_of(self, debt_id: int) -> Decimal | None:
        """The monthly part of one debt (``None`` when it is not open)."""
        return next((part.amount for part in self.parts if part.debt == debt_id), None)


@remembered(lambda tx, case, method="pro_rata", *, as_of=None: (
    (id(tx), case.id, method, as_of), (tx, case)))
def budget_view(tx: Tx, case: Case, method: str = "pro_rata", *,
                as_of: date | None = None) -> BudgetView | None:
    """The case's budget as of ``as_of`` (default: today): ``None`` without a statement.

    A debt under an accepted arrangement gets what its agreed payments ask for in the month
    ahead (a missed one included), set aside first; the other open debts share the rest in
    proportion to what is owed (or in the person's order, with ``priority``).
    """
    from xieshang.engine.budget import DebtShare, affordability, check_reasonableness, split
    from xieshang.engine.schedules import add_months
    from xieshang.engine.situation import SavingsUse, statement_income, with_income
    from xieshang.services.arrangements import accepted_arrangement
    from xieshang.services.debts import balance_of, open_debts

    basis = _statement_of(tx, case)
    if basis is None:
        return None
    budget, entries, statement, situation, ordinary = basis
    rules = norms()
    day = as_of if as_of is not None else today()
    debts = open_debts(tx, case.id)
    balances = {debt.id: balance_of(tx, debt, day) for debt in debts}
    horizon = add_months(day, 1)
    reserved: dict[int, Decimal] = {}
    # the savings kept for a settlement pay an accepted settlement, not the month's money
    savings = situation.savings if situation.savings_use is SavingsUse.SETTLEMENT \
        else Decimal("0.00")
    for debt in debts:
        agreed = accepted_arrangement(tx, debt, day)
        if agreed is not None and debt.id is not None:
            due = sum((item.missing for item in agreed.progress.installments
                       if item.payment.on < horizon), Decimal("0.00"))
            phase = agreed.phase_on(day)
            if due > 0 and savings > 0 and phase is not None and phase.kind == "settlement" \
                    and situation.savings_ready(phase.start):
                funded = min(savings, due)
                due -= funded
                savings -= funded
            reserved[debt.id] = due
    income = statement_income(statement)
    now = situation.income_on(day, income)
    # the statement's own income in force: its working is the ordinary month's
    result = ordinary if now == income else affordability(with_income(statement, now), rules)
    base, added = _money_by_month(tx, case, day, 1)
    this_month = base[0] + added.get(0, Decimal("0.00"))
    shares = [DebtShare(key=str(debt.id), balance=balances[debt.id], priority=debt.priority)
              for debt in debts if debt.id not in reserved]
    reserved_total = sum(reserved.values(), Decimal("0.00"))
    directed = _directed(situation.savings_to, shares, added.get(0, Decimal("0.00")))
    left = max(Decimal("0.00"), this_month - reserved_total - sum(directed.values(),
                                                                  Decimal("0.00")))
    allocations = {int(a.key): a for a in (split(left, _less(shares, directed), method)
                                           if shares else [])}
    amounts = _with_savings(left, shares, directed, method) if directed else {}
    parts = []
    for debt in debts:
        if debt.id is None:
            raise StateError("debt.id")
        if debt.id in reserved:
            parts.append(DebtPart(debt=debt.id, balance=balances[debt.id],
                                  share=Decimal("0"), amount=reserved[debt.id]))
        else:
            found = allocations[debt.id]
            parts.append(DebtPart(debt=debt.id, balance=balances[debt.id], share=found.share,
                                  amount=amounts.get(str(debt.id), found.amount)))
    return BudgetView(
        budget=budget, entries=tuple(_ordered(entries, rules)),
        flags=tuple(check_reasonableness(statement, rules)), affordability=result,
        method=method, parts=tuple(parts), situation=situation, ordinary=ordinary,
        this_month=this_month, directed={int(key): amount for key, amount in directed.items()})


def _directed(target: str | None, shares: Sequence[DebtShare], added: Decimal,
              room: Decimal | None = None) -> dict[str, Decimal]:
    """The part of a month's savings that goes to the chosen debt, on top of its share of
    the rest (empty when the savings are spread, or the debt is not among ``shares``): at
    most what the debt owes (or ``room``, what is left of that after earlier months) less
    its share of the month's other money; beyond it, the savings are spread with the rest
    of the month's money."""
    if target is None or added <= 0:
        return {}
    owed = next((share.balance for share in shares if share.key == target), None)
    if owed is None:
        return {}
    cap = owed if room is None else min(owed, room)
    amount = min(added, max(Decimal("0.00"), cap))
    return {target: amount} if amount > 0 else {}


def _less(shares: Sequence[DebtShare], directed: Mapping[str, Decimal]) -> list[DebtShare]:
    """The shares the rest of the month's money is split on: what each owes (so the split
    stays in proportion to what each is owed), except a debt the savings pay in full, which
    takes no part of it."""
    from dataclasses import replace

    return [replace(share, balance=Decimal("0.00"))
            if directed.get(share.key, Decimal("0.00")) >= share.balance else share
            for share in shares]


def _with_savings(left: Decimal, shares: Sequence[DebtShare], directed: Mapping[str, Decimal],
                  method: str) -> dict[str, Decimal]:
    """Each debt's amount of a month: its part of ``left`` (split on :func:`_less`) plus
    the savings directed to it, never more than it owes; what that limit takes off the
    chosen debt is split over the other debts on what they still owe, so none of the
    month's money is left idle."""
    from dataclasses import replace

    from xieshang.engine.budget import split

    parts = {a.key: a.amount for a in split(left, _less(shares, directed), method)} \
        if shares else {}
    owed = {share.key: share.balance for share in shares}
    excess = Decimal("0.00")
    for key, extra in directed.items():
        total = parts.get(key, Decimal("0.00")) + extra
        if key in owed and total > owed[key]:
            excess += total - owed[key]
            total = owed[key]
        parts[key] = total
    others = [replace(share, balance=share.balance - parts.get(share.key, Decimal("0.00")))
              for share in shares if share.key not in directed]
    others = [share for share in others if share.balance > 0]
    if excess > 0 and others:
        for allocation in split(excess, others, method):
            parts[allocation.key] += allocation.amount
    return parts


def savings_split(tx: Tx, case: Case, day: date) -> dict[str, Any] | None:
    """How the savings are split over the debts on ``day`` (``None`` without savings):
    ``to`` (the chosen debt's id, ``None``: spread), ``parts`` (debt id → amount, from
    :func:`xieshang.engine.situation.savings_parts`), ``owed`` (what the chosen debt owes)
    and ``rest`` (what is spread beyond its bill; 0 when the savings all go to it)."""
    from xieshang.engine.situation import savings_parts
    from xieshang.services.debts import balance_of, open_debts

    budget = current_budget(tx, case, create=False)
    if budget is None:
        return None
    situation = situation_of(budget)
    if situation.savings <= 0:
        return None
    owed = [(str(debt.id), balance_of(tx, debt, day)) for debt in open_debts(tx, case.id)]
    target = situation.savings_to if situation.savings_to in dict(owed) else None
    parts = savings_parts(situation.savings, owed, target)
    chosen = dict(owed).get(target) if target is not None else None
    rest = situation.savings - parts.get(target, Decimal("0.00")) if target else Decimal("0")
    return {"to": None if target is None else int(target),
            "parts": {int(key): amount for key, amount in parts.items()},
            "owed": chosen, "rest": rest}


def _situation_report(tx: Tx, case: Case, view: BudgetView,
                      as_of: date | None) -> dict[str, Any]:
    """The situation as plain values: savings, the time without income, the dated changes,
    and the money for the debts in each of the next 12 months."""
    from xieshang.engine.schedules import add_months
    from xieshang.store.model import Hardship

    situation = view.situation
    day = as_of if as_of is not None else today()
    months = available_by_month(tx, case, day, 12)
    hardship = tx.find(Hardship, case_id=case.id)
    recovery = hardship[-1].recovery if hardship else None
    split_now = savings_split(tx, case, day)
    return {
        "savings": situation.savings or None, "savings_on": situation.savings_on,
        "savings_use": situation.savings_use.value,
        "savings_to": None if split_now is None else split_now["to"],
        "savings_to_owed": None if split_now is None else split_now["owed"],
        "savings_rest": None if split_now is None else split_now["rest"],
        "no_income_until": situation.no_income_until,
        "income_changes": [{"on": change.on, "monthly": change.monthly}
                           for change in situation.income_changes],
        "ordinary_available": view.ordinary.available,
        "months": [{"on": add_months(day, month), "available": amount}
                   for month, amount in enumerate(months)],
        "recovery": recovery,
    }


def situation_of(budget: Budget) -> Any:
    """The engine's :class:`~xieshang.engine.situation.Situation` of a stored statement."""
    from xieshang.engine.money import ZERO
    from xieshang.engine.situation import SavingsUse, Situation, parse_income_changes

    return Situation(savings=budget.savings or ZERO, savings_on=budget.savings_on,
                     savings_use=SavingsUse(budget.savings_use or "settlement"),
                     no_income_until=budget.no_income_until,
                     income_changes=parse_income_changes(budget.income_changes),
                     savings_to=None if budget.savings_debt_id is None
                     else str(budget.savings_debt_id))


@remembered(lambda tx, case, day, months: (
    (id(tx), case.id, day, months), (tx, case)))
def available_by_month(tx: Tx, case: Case, day: date, months: int) -> tuple[Decimal, ...]:
    """What the budget leaves for the debts in each month from ``day`` (month ``m`` paid on
    ``add_months(day, m)``), with the dated income and, when the person chose so, the
    savings funding the first months. Empty without a statement."""
    base, added = _money_by_month(tx, case, day, months)
    zero = Decimal("0.00")
    if not added and len({id(amount) for amount in base}) == 1:
        return (base[0] + zero,) * len(base)  # a plain budget: one amount every month
    return tuple(amount + added.get(month, zero) for month, amount in enumerate(base))


def savings_added_by_month(tx: Tx, case: Case, day: date, months: int
                           ) -> dict[int, Decimal]:
    """The savings added to each month's money from ``day`` when they fund the first
    months (as in :func:`available_by_month`); empty otherwise."""
    return dict(_money_by_month(tx, case, day, months)[1])


@remembered(lambda tx, case, day, months: (
    (id(tx), case.id, day, months), (tx, case)))
def _money_by_month(tx: Tx, case: Case, day: date, months: int
                    ) -> tuple[tuple[Decimal, ...], dict[int, Decimal]]:
    """(what the statement leaves in each month from ``day`` with the dated income, the
    savings added to each month when they fund the first months); ``((), {})`` without a
    statement. Remembered while a case is read (the budget view, the plan and every debt's
    ladder ask); callers must not change the dict."""
    from xieshang.engine.situation import monthly_available, savings_by_month

    basis = _statement_of(tx, case)
    if basis is None:
        return (), {}
    _budget, _entries, statement, situation, working = basis
    ordinary = working.available
    if situation.no_income_until is None and not situation.income_changes:
        # the statement's income is in force every month: what monthly_available finds
        # for each month is the ordinary month's
        base: tuple[Decimal, ...] = (ordinary,) * months
    else:
        base = monthly_available(statement, norms(), situation, day, months)
    return base, savings_by_month(situation, base, ordinary, day)


@remembered(lambda tx, case: ((id(tx), case.id), (tx, case)))
def _statement_of(tx: Tx, case: Case) -> tuple[Budget, list[BudgetEntry], Any, Any, Any] | None:
    """(the statement record, its lines, the engine's statement, the situation, the working
    of an ordinary month: :func:`~xieshang.engine.budget.affordability`) of the case's
    budget; ``None`` without one. Remembered while a case is read (the budget view and
    every month's money ask); callers must not change the lines."""
    from xieshang.engine.budget import affordability
    from xieshang.store.model import BudgetEntry, budget_statement

    budget = current_budget(tx, case, create=False)
    if budget is None:
        return None
    entries = tx.find(BudgetEntry, statement_id=budget.id)
    statement = budget_statement(budget, entries)
    return budget, entries, statement, situation_of(budget), affordability(statement, norms())


def savings_to_debt_by_month(tx: Tx, case: Case, day: date, months: int
                             ) -> tuple[str, dict[int, Decimal]] | None:
    """(the chosen debt's id as text, the savings that go to it in each month) when the
    savings fund the first months and go to one debt (``None`` otherwise): in each month,
    the savings added up to what is left of the debt's bill on ``day``; the rest of the
    savings is spread with the month's money (the plan's money of that month)."""
    from xieshang.engine.budget import DebtShare
    from xieshang.services.debts import balance_of, open_debts

    budget = current_budget(tx, case, create=False)
    if budget is None or budget.savings_debt_id is None:
        return None
    _base, added = _money_by_month(tx, case, day, months)
    if not added:
        return None
    target = str(budget.savings_debt_id)
    shares = [DebtShare(key=str(debt.id), balance=balance_of(tx, debt, day))
              for debt in open_debts(tx, case.id) if str(debt.id) == target]
    room = shares[0].balance if shares else Decimal("0.00")
    result: dict[int, Decimal] = {}
    for month in sorted(added):
        part = _directed(target, shares, added[month], room).get(target, Decimal("0.00"))
        if part > 0:
            result[month] = part
            room -= part
    return (target, result) if result else None


def debt_shares_by_month(tx: Tx, case: Case, day: date, debt_id: int,
                         months: int) -> tuple[Decimal, ...]:
    """One open debt's monthly share in each month from ``day``: the same split as
    :func:`budget_view` (pro rata to what each debt owes on ``day``, agreed payments set
    aside), applied to each month's money. Empty without a statement. Every debt's shares
    are split once while a case is read (:func:`_shares_by_month`)."""
    table = _shares_by_month(tx, case, day, months)
    if table is None:
        return ()
    reserved, rows = table
    if debt_id in reserved:
        return (reserved[debt_id],) * len(rows)
    key = str(debt_id)
    zero = Decimal("0.00")
    # the months share a few splits: each looked up once
    ids = list(map(id, rows))
    found = {ident: row.get(key, zero)
             for ident, row in dict(zip(ids, rows, strict=True)).items()}
    return tuple(map(found.__getitem__, ids))


@remembered(lambda tx, case, day, months: (
    (id(tx), case.id, day, months), (tx, case)))
def _shares_by_month(tx: Tx, case: Case, day: date, months: int
                     ) -> tuple[dict[int, Decimal], tuple[Mapping[str, Decimal], ...]] | None:
    """(the agreed payments set aside by debt id, each month's split of the rest by debt
    key) for :func:`debt_shares_by_month`; ``None`` without a statement."""
    from xieshang.engine.budget import DebtShare, split

    view = budget_view(tx, case, "pro_rata", as_of=day)
    if view is None:
        return None
    base, added = _money_by_month(tx, case, day, months)
    reserved = {part.debt: part.amount for part in view.parts if part.share == 0
                and part.amount > 0}
    shares = [DebtShare(key=str(part.debt), balance=part.balance)
              for part in view.parts if part.debt not in reserved]
    target = view.situation.savings_to if view.situation is not None else None
    room: Decimal | None = None
    rows: list[Mapping[str, Decimal]] = []
    by_left: dict[Decimal, Mapping[str, Decimal]] = {}
    set_aside = sum(reserved.values(), Decimal("0.00"))
    if base and not added and len(set(map(id, base))) == 1:
        # a plain budget: the same money every month, split once (as the loop below does)
        left = max(Decimal("0.00"), base[0] - set_aside)
        row = {a.key: a.amount for a in split(left, shares, "pro_rata")} if shares else {}
        return reserved, (row,) * len(base)
    last: tuple[Decimal | None, Mapping[str, Decimal]] = (None, {})
    for month, ordinary in enumerate(base):
        extra = added.get(month)
        if extra is None:  # no savings this month, so none directed: the month's money
            if ordinary is last[0]:  # the same amount as the month before (a plain budget)
                rows.append(last[1])
                continue
            left = max(Decimal("0.00"), ordinary - set_aside)
        else:
            amount = ordinary + extra
            directed = _directed(target, shares, extra, room)
            if directed:
                room = (next(s.balance for s in shares if s.key == target) if room is None
                        else room) - sum(directed.values(), Decimal("0.00"))
            left = max(Decimal("0.00"), amount - set_aside
                       - sum(directed.values(), Decimal("0.00")))
            if directed:
                rows.append(_with_savings(left, shares, directed, "pro_rata"))
                last = (None, {})
                continue
        cached = by_left.get(left)  # the same money splits the same way each month
        if cached is None:
            cached = by_left[left] = {a.key: a.amount for a in split(left, shares, "pro_rata")
                                      } if shares else {}
        rows.append(cached)
        last = (ordinary, cached) if extra is None else (None, {})
    return reserved, tuple(rows)


def parse_income_change(text: str, option: str = "income_change") -> tuple[date, Decimal | None]:
    """``2027-01-15=7000`` → (day, monthly income); ``2027-01-15=none`` → (day, None),
    which removes the change of that day."""
    from xieshang.engine.money import parse_amount
    from xieshang.engine.parsing import parse_date

    key, sep, rest = text.partition("=")
    if not sep or not key.strip() or not rest.strip():
        raise InputError(option, N_("'{value}' is not DATE=AMOUNT (e.g. 2027-01-15=7000)"),
                         value=text)
    day = parse_date(key.strip(), option)
    if rest.strip().lower() in ("none", "-"):
        return day, None
    return day, parse_amount(rest, option)


def parse_income_changes(texts: Iterable[str], option: str = "income_change",
                         ) -> dict[date, Decimal | None]:
    """Dated incomes as typed (each ``DATE=AMOUNT``, see :func:`parse_income_change`;
    blank ones skipped): the command line's repeated option and the web form's lines. The
    same day twice with different amounts could mean either: it is asked back.

    Raises:
        InputError: (field ``option``) one does not read, or a day is given twice with
            different amounts.
    """
    dated: dict[date, Decimal | None] = {}
    for text in texts:
        if not text.strip():
            continue
        day, monthly = parse_income_change(text.strip(), option)
        if day in dated and dated[day] != monthly:
            raise InputError(option, N_("{date} is given twice with different amounts "
                                        "({first} and {second}): give it once"),
                             date=day.isoformat(), first=str(dated[day]), second=str(monthly))
        dated[day] = monthly
    return dated


def recovery_date(tx: Tx, case: Case) -> date:
    """The expected recovery date of the case's hardship record.

    Raises:
        InputError: (field ``no_income_until``) no hardship record or no recovery date.
    """
    from xieshang.store.model import Hardship

    found = tx.find(Hardship, case_id=case.id)
    if not found or found[-1].recovery is None:
        raise InputError("no_income_until", N_("the hardship record has no expected recovery "
                                               "date: give a date, or set it with "
                                               "`xieshang hardship set --recovery DATE`"))
    return found[-1].recovery


def parse_savings_use(text: str) -> str:
    """``settlement`` or ``months`` (InputError otherwise)."""
    from xieshang.store.schema import SAVINGS_USES

    key = text.strip().lower()
    if key not in SAVINGS_USES:
        raise InputError("savings_use", N_("'{value}' is not one of: {known}"), value=text,
                         known=", ".join(SAVINGS_USES))
    return key


#: What ``--savings-to`` / the form's choice says to spread the savings over all the debts.
SPREAD = ("spread", "all", "none", "")


def parse_savings_debt(tx: Tx, case: Case, text: str) -> int | None:
    """The debt the savings go to: ``#4`` or ``4`` (an open debt of the case), or
    ``spread`` (None: over all the debts, in proportion to what each owes).

    Raises:
        InputError: (field ``savings_debt``) not a debt id, or not an open debt of the case;
            the message lists the open debts.
    """
    from xieshang.services.debts import open_debts

    key = text.strip().lower().lstrip("#")
    if key in SPREAD:
        return None
    known = [debt.id for debt in open_debts(tx, case.id) if debt.id is not None]
    choices = ", ".join(f"#{debt}" for debt in known)
    if not key.isdigit() or int(key) not in known:
        raise InputError("savings_debt", N_("'{value}' is not an open debt of this case: give "
                                            "one of {known}, or 'spread'"),
                         value=text.strip()[:40], known=choices or "—")
    return int(key)


def set_situation(tx: Tx, budget: Budget, changes: Mapping[str, Any],
                  income_changes: Mapping[date, Decimal | None]) -> Budget:
    """Change the statement's situation fields (``savings``, ``savings_on``,
    ``savings_use``, ``savings_debt_id``, ``no_income_until``) and its dated incomes (a
    day → None removes that day's change), in the caller's transaction."""
    from dataclasses import replace

    merged = dict(budget.income_changes or {})
    for day, amount in income_changes.items():
        if amount is None:
            merged.pop(day.isoformat(), None)
        else:
            merged[day.isoformat()] = str(amount)
    updated = replace(budget, **changes, income_changes=merged or None)
    situation_of(updated)  # every value must read
    return budget if updated == budget else tx.update(updated)


def _ordered(entries: list[BudgetEntry], rules: Norms) -> list[BudgetEntry]:
    order = {c.id: i for i, c in enumerate(rules.categories)}
    sections = list(SECTIONS)
    return sorted(entries, key=lambda e: (sections.index(e.section), order.get(e.category, 999)))


def map_category(category: str, section_hint: str, rules: Norms) -> tuple[str, str]:
    """(section, category) of the norms for an importer's category id."""
    try:
        known = rules.category(category)
    except InputError:
        fallback = "other_income" if section_hint == "income" else "other_flexible"
        return rules.category(fallback).section.value, fallback
    return known.section.value, known.id


def imported_lines(result: Any, rules: Norms) -> dict[tuple[str, str], Decimal]:
    lines: dict[tuple[str, str], Decimal] = {}
    for hint, found in (("income", result.monthly_income), ("spending",
                                                            result.monthly_spending)):
        for category, amount in found.items():
            key = map_category(category, hint, rules)
            lines[key] = lines.get(key, Decimal("0.00")) + amount
    return lines


def save_import(tx: Tx, case: Case, result: Any, filename: str, digest: str,
                lines: dict[tuple[str, str], Decimal]) -> int:
    """Write an import (its lines and transactions) in the caller's transaction."""
    from xieshang.store.model import StatementImport, StatementRow

    check_not_imported(tx, case, filename, digest)
    budget = current_budget(tx, case, create=True)
    if budget is None:
        raise StateError("budget")
    note = filename
    for (section, category), amount in lines.items():
        set_line(tx, budget, section, category, amount, note)
    record = tx.add(StatementImport(case_id=case.id, filename=filename, sha256=digest,
                                    format=result.format, months=result.months,
                                    statement_id=budget.id))
    rows = [StatementRow(import_id=record.id, occurred_at=row.when,
                         direction=str(row.direction), amount=row.amount,
                         category=row.category, source_category=row.source_category,
                         counterparty=row.counterparty or None,
                         description=row.description or None, method=row.method,
                         status=row.status, debt_repayment=row.debt_repayment,
                         source_row=row.row or None)
            for row in result.rows]
    progress(f"writing {len(rows)}")
    for start in range(0, len(rows), _CHUNK):
        tx.add_all(rows[start:start + _CHUNK])
        progress(f"{min(start + _CHUNK, len(rows))}/{len(rows)}")
    progress("commit")
    return record.id


def check_not_imported(tx: Tx, case: Case, filename: str, digest: str) -> None:
    """Refuse a file (by its SHA-256) the case has imported before.

    Raises:
        InputError: (field ``file``) it was imported already; the message says when.
    """
    from xieshang.store.model import StatementImport

    earlier = tx.find(StatementImport, case_id=case.id, sha256=digest)
    if earlier:
        raise InputError("file", N_("{file} was already imported on {date} (import {id}); "
                                    "nothing saved"), file=filename,
                         date=earlier[0].imported_at.date().isoformat()
                         if earlier[0].imported_at else "?", id=earlier[0].id)


def save_statement(tx: Tx, case: Case, household: Mapping[str, Any], buffer: Decimal | None,
                   lines: Mapping[tuple[str, str], tuple[Decimal, str] | None], *,
                   opened: str | None = None) -> Budget:
    """Write a whole statement at once (the web form), in the caller's transaction.

    Args:
        tx: the transaction.
        case: the case (its newest statement is changed; one is created when missing).
        household: ``adults``, ``children_0_4`` … ``city_tier``, already checked.
        buffer: the monthly buffer, or ``None`` for the norms file's rule.
        lines: (section, category) → (amount, note), or ``None`` to remove the category's
            lines. A category's several lines become one; unchanged lines are left alone.

        opened: the :func:`statement_version` the form was opened at; when the statement
            is at another one now, :class:`~xieshang.store.db.StaleRecord` is raised and
            nothing is written (None: not checked).

    Returns:
        The statement as saved.
    """
    from dataclasses import replace

    from xieshang.store.db import StaleRecord
    from xieshang.store.model import BudgetEntry

    if opened:
        existing = current_budget(tx, case, create=False)
        if opened != statement_version(tx, existing):
            raise StaleRecord("budget_statements", existing.id if existing else 0)
    budget = current_budget(tx, case, create=True)
    if budget is None:
        raise StateError("budget")
    changed = replace(budget, **household, buffer=buffer)
    if changed != budget:
        budget = tx.update(changed)
    entries = tx.find(BudgetEntry, statement_id=budget.id)
    for (section, category), wanted in lines.items():
        found = [e for e in entries if e.category == category]
        if wanted is None:
            for entry in found:
                tx.delete(BudgetEntry, entry.id)
            continue
        amount, note = wanted
        if len(found) == 1 and (found[0].section, found[0].amount, found[0].note) == (
                section, amount, note):
            continue
        for entry in found[1:]:
            tx.delete(BudgetEntry, entry.id)
        if found:
            tx.update(replace(found[0], section=section, amount=amount, note=note))
        else:
            tx.add(BudgetEntry(statement_id=budget.id, section=section, category=category,
                               amount=amount, note=note))
    return budget


def progress(message: str) -> None:
    """A progress line for tests (``XIESHANG_TEST_PROGRESS``), on stderr.

    With ``XIESHANG_TEST_PROGRESS=pause`` the ``commit`` line then waits for a line on
    stdin, so a test can stop the process at that exact point.
    """
    mode = os.environ.get("XIESHANG_TEST_PROGRESS")
    if not mode:
        return
    sys.stderr.write(f"xieshang-progress: {message}\n")
    sys.stderr.flush()
    if mode == "pause" and message == "commit":
        sys.stdin.readline()


def budget_shares(tx: Tx, case: Case, day: date) -> dict[int, Decimal] | None:
    """Each open debt's monthly share of what the budget leaves (debt id → amount), as of
    ``day``: the one share per debt that ``budget show``, the ladder, the offer check, the
    scripts and the plan's pro-rata month all use. ``None`` when there is no budget yet."""
    view = budget_view(tx, case, "pro_rata", as_of=day)
    if view is None:
        return None
    return {part.debt: part.amount for part in view.parts}
