"""The records of the case file (one frozen dataclass per table) and their conversions.

Records hold values as the rest of xieshang uses them: money as :class:`~decimal.Decimal`
yuan (the column is integer fen, named ``<field>_fen``), rates as Decimal fractions (exact
text in the column), JSON fields as plain mappings, personal fields as text — or
:class:`Sealed` when the store is encrypted and no passphrase was given.

``id`` is 0 until a record is saved; :meth:`xieshang.store.db.Tx.add` returns the saved copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from xieshang.engine.money import ZERO

if TYPE_CHECKING:
    from xieshang.engine.accrual import OverdueDebt
    from xieshang.engine.budget import BudgetStatement
    from xieshang.engine.preset import Preset

__all__ = [
    "RECORDS",
    "Budget",
    "BudgetEntry",
    "Case",
    "CaseReader",
    "Commitment",
    "Contact",
    "ContactRevision",
    "Debt",
    "Evidence",
    "Hardship",
    "Payment",
    "Proposal",
    "Record",
    "Reminder",
    "Sealed",
    "StatementImport",
    "StatementRow",
    "budget_statement",
    "current_case_of",
    "dump_json",
    "overdue_debt",
]


@dataclass(frozen=True, slots=True)
class Sealed:
    """A personal value that stays encrypted: the store is locked (no passphrase given).

    Attributes:
        token: the stored ``enc1:`` token, written back unchanged when the record is saved.
    """

    token: str


#: A personal field: text, a sealed token, or nothing.
Personal = str | Sealed | None


class Record:
    """Base of every record: ``TABLE`` names its table; ``JSON`` lists its JSON fields."""

    __slots__ = ()
    TABLE: ClassVar[str] = ""
    JSON: ClassVar[tuple[str, ...]] = ()


@dataclass(frozen=True, slots=True)
class Case(Record):
    """A person whose debts are being sorted out (several cases may share one store).

    Attributes:
        name: what the case is called (a nickname is fine: "妈妈", "client 12").
        full_name: the person's legal name (personal).
        id_number: the resident ID number, GB 11643 checked (personal).
        phone: a mainland mobile number (personal).
        notes: free notes.
        created_at: when the case was created.
        version: 1 when saved, one more at every change (an edit form opened at an
            older version is refused).
        id: the database id (0 until saved).
    """

    TABLE: ClassVar[str] = "cases"
    name: str
    full_name: Personal = None
    id_number: Personal = None
    phone: Personal = None
    notes: str = ""
    created_at: datetime | None = None
    version: int = 1
    id: int = 0


@dataclass(frozen=True, slots=True)
class Debt(Record):
    """One debt, as the person entered it.

    Attributes:
        case_id: the case it belongs to.
        preset_id: the product preset (``huabei``, ``credit_card_cn`` …).
        principal: the overdue principal (a bill: the unpaid bill amount).
        lender: the lender's name when it differs from the preset's ("" = the preset's).
        label: how the person calls it ("招行信用卡", "借呗 12 期").
        account_number: card or account number (personal).
        interest: contract interest due and unpaid on the due date.
        penalty: penalty already charged on the due date (carried like a fee: it bears no
            further charges).
        fees: fees already due on the due date.
        not_yet_due: loans — principal of later installments not yet due.
        due_date: the repayment date that was missed (None: not overdue).
        contract_rate: the contract rate as a fraction, per ``contract_rate_basis``.
        contract_rate_basis: ``annual`` or ``daily`` (None: the preset's rate).
        penalty_daily_rate: the overdue daily rate when the bill shows another one.
        minimum: the minimum payment that was missed.
        due_day: the day of the month repayments are due (1–31).
        status: ``open``, ``arrangement``, ``settled`` or ``closed``.
        priority: the person's priority for splitting money (1 first), or None.
        adjustments: reconciliation parameters adopted to match the lender's figures
            (``{"grace_days": "3"}``), used by every later figure.
        adjustments_basis: what they were matched to (lender figures, date, cause code).
        adjustments_confirmed_on: the day the person confirmed them.
        notes: free notes.
        created_at: when it was entered.
        version: 1 when saved, one more at every change (an edit form opened at an
            older version is refused).
        id: the database id.
        borrowed: installment loans — the amount borrowed (借款金额); with ``periods``,
            ``repayment_method`` and ``first_due`` the installments are derived from the
            terms (:mod:`xieshang.engine.installments`) and principal, interest, not yet
            due and due date are the first unpaid installment's.
        periods: the number of periods (期数).
        paid_periods: the periods already repaid (已还期数).
        repayment_method: ``annuity``, ``equal_principal`` or ``interest_only``.
        first_due: the first repayment date (首期还款日).
        contract_date: when the loan was made (private loans: the legal cap depends on it).
        posted_on: cards — the posting date interest counts from once the statement is not
            paid in full.
        card_interest_basis: cards — ``full`` (全额计息) or ``unpaid`` (按未还部分计息)
            when the bank's rule differs from the preset's.
        period_fee_rate: installment loans — a fee every period as a fraction of the
            amount borrowed (白条 分期 服务费, 花呗分期 手续费), as the person's bill shows it.
        period_fee: installment loans — a fixed fee every period (yuan), instead.
    """

    TABLE: ClassVar[str] = "debts"
    JSON: ClassVar[tuple[str, ...]] = ("adjustments", "adjustments_basis")
    case_id: int
    preset_id: str
    principal: Decimal
    lender: str = ""
    label: str = ""
    account_number: Personal = None
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    fees: Decimal = ZERO
    not_yet_due: Decimal = ZERO
    due_date: date | None = None
    contract_rate: Decimal | None = None
    contract_rate_basis: str | None = None
    penalty_daily_rate: Decimal | None = None
    minimum: Decimal | None = None
    due_day: int | None = None
    status: str = "open"
    priority: int | None = None
    adjustments: Mapping[str, str] | None = None
    adjustments_basis: Mapping[str, Any] | None = None
    adjustments_confirmed_on: date | None = None
    notes: str = ""
    created_at: datetime | None = None
    version: int = 1
    id: int = 0
    borrowed: Decimal | None = None
    periods: int | None = None
    paid_periods: int | None = None
    repayment_method: str | None = None
    first_due: date | None = None
    contract_date: date | None = None
    posted_on: date | None = None
    card_interest_basis: str | None = None
    period_fee_rate: Decimal | None = None
    period_fee: Decimal | None = None

    def loan_terms(self) -> Any:
        """The installment loan's terms (:class:`~xieshang.engine.installments.LoanTerms`),
        or ``None`` when the debt was entered by its amounts."""
        if self.borrowed is None or self.periods is None or self.first_due is None:
            return None
        from xieshang.engine.installments import LoanTerms
        from xieshang.engine.schedules import Method

        daily = self.contract_rate if self.contract_rate_basis == "daily" else None
        annual = self.contract_rate if self.contract_rate_basis == "annual" else None
        if daily is None and annual is None:
            annual = Decimal(0)
        return LoanTerms(borrowed=self.borrowed, periods=self.periods,
                         method=Method(self.repayment_method or "annuity"),
                         first_due=self.first_due, paid_periods=self.paid_periods or 0,
                         daily_rate=daily, annual_rate=annual,
                         period_fee_rate=self.period_fee_rate, period_fee=self.period_fee)


@dataclass(frozen=True, slots=True)
class Payment(Record):
    """A payment made on a debt.

    Attributes:
        debt_id: the debt paid.
        paid_on: the day the money reached the lender.
        amount: the amount, more than 0.
        method: how it was paid (free text: "支付宝", "bank transfer").
        note: free notes.
        id: the database id.
    """

    TABLE: ClassVar[str] = "payments"
    debt_id: int
    paid_on: date
    amount: Decimal
    method: str = ""
    note: str = ""
    id: int = 0


@dataclass(frozen=True, slots=True)
class Hardship(Record):
    """Why the person fell behind (one per case).

    Attributes:
        case_id: the case.
        reason: ``income_loss``, ``illness``, ``business_failure``, ``family_emergency``,
            ``forgot``, ``misread_due_date`` or ``other``.
        since: when it started.
        recovery: when the person expects to recover.
        description: in the person's words.
        updated_at: last change.
        version: 1 when saved, one more at every change (an edit form opened at an
            older version is refused).
        id: the database id.
    """

    TABLE: ClassVar[str] = "hardship"
    case_id: int
    reason: str
    since: date | None = None
    recovery: date | None = None
    description: str = ""
    updated_at: datetime | None = None
    version: int = 1
    id: int = 0


@dataclass(frozen=True, slots=True)
class Evidence(Record):
    """A file backing up the situation (diagnosis, dismissal letter, bank statement …).

    Attributes:
        case_id: the case.
        sha256: the file's SHA-256 when it was added (hex).
        path: where the file is (absolute).
        added_on: the day it was added.
        kind: ``medical``, ``unemployment``, ``income``, ``business``, ``family``, ``bill``,
            ``chat``, ``contract`` or ``other``.
        note: free notes.
        debt_id: the debt it concerns, if one.
        contact_id: the contact it records, if one.
        id: the database id.
    """

    TABLE: ClassVar[str] = "evidence"
    case_id: int
    sha256: str
    path: str
    added_on: date
    kind: str = "other"
    note: str = ""
    debt_id: int | None = None
    contact_id: int | None = None
    id: int = 0


@dataclass(frozen=True, slots=True)
class Budget(Record):
    """A budget statement's household (its lines are :class:`BudgetEntry`).

    Attributes:
        case_id: the case.
        adults: adults in the household.
        children_0_4: children aged 0–4.
        children_5_10: children aged 5–10.
        children_11_17: children aged 11–17.
        dependants: other dependants (e.g. parents supported).
        city_tier: ``tier1``, ``tier2``, ``tier3``, ``county`` or ``rural``.
        buffer: the monthly emergency buffer (None: the norms file's rule).
        created_at: when it was started.
        version: 1 when saved, one more at every change (an edit form opened at an
            older version is refused).
        savings: savings or a lump sum the person can use for the debts (None: none).
        savings_on: the day the savings are available (None: now).
        savings_use: ``settlement`` (a lump sum towards settling a debt) or ``months``
            (added to the money of the first months).
        no_income_until: no income before this day (from it, the statement's income or
            the dated change in force).
        income_changes: dated changes of the monthly income: ISO day → the household's
            monthly income from that day (exact yuan text); before the first, the
            statement's income lines.
        savings_debt_id: the debt the savings go to (None: spread over all the debts in
            proportion to what each owes); beyond what it owes, the rest is spread.
        id: the database id.
    """

    TABLE: ClassVar[str] = "budget_statements"
    JSON: ClassVar[tuple[str, ...]] = ("income_changes",)
    case_id: int
    adults: int = 1
    children_0_4: int = 0
    children_5_10: int = 0
    children_11_17: int = 0
    dependants: int = 0
    city_tier: str = "tier2"
    buffer: Decimal | None = None
    created_at: datetime | None = None
    version: int = 1
    savings: Decimal | None = None
    savings_on: date | None = None
    savings_use: str = "settlement"
    no_income_until: date | None = None
    income_changes: Mapping[str, str] | None = None
    savings_debt_id: int | None = None
    id: int = 0


@dataclass(frozen=True, slots=True)
class BudgetEntry(Record):
    """One monthly line of a budget statement.

    Attributes:
        statement_id: the statement.
        section: ``income``, ``priority``, ``fixed`` or ``flexible``.
        category: a category id of the norms file (``salary``, ``rent``, ``food`` …).
        amount: monthly yuan.
        note: free notes ("imported from …").
        version: 1 when saved, one more at every change (an edit form opened at an
            older version is refused).
        id: the database id.
    """

    TABLE: ClassVar[str] = "budget_lines"
    statement_id: int
    section: str
    category: str
    amount: Decimal
    note: str = ""
    version: int = 1
    id: int = 0


@dataclass(frozen=True, slots=True)
class StatementImport(Record):
    """One imported payment-app statement (Alipay, WeChat Pay, a CSV).

    Attributes:
        case_id: the case.
        filename: the file's name (not its folder).
        sha256: the file's SHA-256.
        format: ``alipay``, ``wechat`` or ``csv``.
        months: months the statement covers.
        statement_id: the budget statement it fed.
        imported_at: when.
        id: the database id.
    """

    TABLE: ClassVar[str] = "imports"
    case_id: int
    filename: str
    sha256: str
    format: str
    months: int
    statement_id: int | None = None
    imported_at: datetime | None = None
    id: int = 0


@dataclass(frozen=True, slots=True)
class StatementRow(Record):
    """One transaction of an imported statement.

    Attributes:
        import_id: the import.
        occurred_at: when.
        direction: ``income``, ``expense``, ``neutral``, ``refund`` or ``debt_payment``.
        amount: yuan, positive.
        category: our budget category id or ``other``.
        source_category: the app's own category.
        counterparty: who was paid or paid (personal).
        description: the item text (personal).
        method: how it was paid.
        status: the app's status text.
        debt_repayment: the preset id when it repays a debt (``huabei`` …).
        source_row: the row number in the file.
        id: the database id.
    """

    TABLE: ClassVar[str] = "transactions"
    import_id: int
    occurred_at: datetime
    direction: str
    amount: Decimal
    category: str
    source_category: str = ""
    counterparty: Personal = None
    description: Personal = None
    method: str = ""
    status: str = ""
    debt_repayment: str | None = None
    source_row: int | None = None
    id: int = 0


@dataclass(frozen=True, slots=True)
class Contact(Record):
    """One contact with a lender or collector (the contact log; edits keep revisions).

    Attributes:
        case_id: the case.
        happened_at: when.
        channel: ``phone``, ``app``, ``chat``, ``letter``, ``visit``, ``social`` …
        debt_id: the debt discussed.
        agent_name: who answered.
        agent_id: their 工号.
        reference: a reference or ticket number.
        asked: what the person asked for.
        offered: what the lender offered.
        outcome: a short outcome code (``accepted``, ``refused``, ``pending`` …).
        notes: free notes.
        created_at: when it was logged.
        version: 1 when saved, one more at every change (an edit form opened at an
            older version is refused).
        id: the database id.
    """

    TABLE: ClassVar[str] = "contacts"
    case_id: int
    happened_at: datetime
    channel: str
    debt_id: int | None = None
    agent_name: str = ""
    agent_id: str = ""
    reference: str = ""
    asked: str = ""
    offered: str = ""
    outcome: str = ""
    notes: str = ""
    created_at: datetime | None = None
    version: int = 1
    id: int = 0


@dataclass(frozen=True, slots=True)
class ContactRevision(Record):
    """The previous version of a contact, kept when it is edited.

    Attributes:
        contact_id: the contact.
        revised_at: when it was changed.
        previous: the contact's fields before the change.
        id: the database id.
    """

    TABLE: ClassVar[str] = "contact_revisions"
    JSON: ClassVar[tuple[str, ...]] = ("previous",)
    contact_id: int
    revised_at: datetime
    previous: Mapping[str, Any]
    id: int = 0


@dataclass(frozen=True, slots=True)
class Proposal(Record):
    """An arrangement asked for or offered.

    Attributes:
        debt_id: the debt.
        kind: ``installments``, ``personalised``, ``deferral``, ``settlement`` …
        params: its parameters (periods, fee rate, waivers …) as JSON values.
        created_on: the day it was made.
        status: ``draft``, ``asked``, ``offered``, ``accepted``, ``refused``, ``withdrawn``.
        contact_id: the contact where it was made.
        decided_on: the day it was accepted or refused.
        note: free notes.
        id: the database id.
    """

    TABLE: ClassVar[str] = "proposals"
    JSON: ClassVar[tuple[str, ...]] = ("params",)
    debt_id: int
    kind: str
    params: Mapping[str, Any]
    created_on: date
    status: str = "draft"
    contact_id: int | None = None
    decided_on: date | None = None
    note: str = ""
    id: int = 0


@dataclass(frozen=True, slots=True)
class Commitment(Record):
    """A promise by either side.

    Attributes:
        case_id: the case.
        party: ``me`` or ``lender``.
        description: what was promised.
        debt_id: the debt.
        contact_id: the contact where it was promised.
        amount: the amount, if any.
        due_on: by when.
        condition: any condition ("pay 10 % first").
        confirmed_in_writing: whether the lender confirmed it in writing.
        status: ``pending``, ``kept`` or ``broken``.
        note: free notes.
        created_at: when it was recorded.
        version: 1 when saved, one more at every change (an edit form opened at an
            older version is refused).
        id: the database id.
    """

    TABLE: ClassVar[str] = "commitments"
    case_id: int
    party: str
    description: str = ""
    debt_id: int | None = None
    contact_id: int | None = None
    amount: Decimal | None = None
    due_on: date | None = None
    condition: str = ""
    confirmed_in_writing: bool = False
    status: str = "pending"
    note: str = ""
    created_at: datetime | None = None
    version: int = 1
    id: int = 0


@dataclass(frozen=True, slots=True)
class Reminder(Record):
    """Something to do on a date.

    Attributes:
        case_id: the case.
        due_on: the day.
        kind: ``payment``, ``follow_up``, ``confirmation``, ``credit_report`` …
        title: what to do.
        debt_id: the debt.
        commitment_id: the commitment it chases.
        done: whether it was done.
        id: the database id.
    """

    TABLE: ClassVar[str] = "reminders"
    case_id: int
    due_on: date
    kind: str
    title: str
    debt_id: int | None = None
    commitment_id: int | None = None
    done: bool = False
    id: int = 0


#: Every record type, in the order a case is exported (parents before children).
RECORDS: tuple[type[Record], ...] = (
    Case, Debt, Payment, Hardship, Budget, BudgetEntry, StatementImport, StatementRow,
    Contact, ContactRevision, Proposal, Commitment, Evidence, Reminder,
)


def dump_json(value: Any) -> str:
    """Canonical JSON text for a JSON column: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# ------------------------------------------------------------------ engine conversions


def overdue_debt(debt: Debt, preset: Preset, payments: Sequence[Payment] = ()) -> OverdueDebt:
    """The engine's view of a stored overdue debt, with its adopted adjustments applied.

    The contract rate is turned into a daily rate on the preset's day basis (365 or 360).
    A penalty already charged on the due date is carried with the fees: it bears no further
    charges.
    """
    from xieshang.engine.accrual import OverdueDebt
    from xieshang.engine.accrual import Payment as EnginePayment

    if debt.due_date is None:
        raise ValueError("overdue_debt() needs a debt with a due date")
    daily = debt.contract_rate
    if daily is not None and debt.contract_rate_basis == "annual":
        daily = daily / preset.day_basis.days
    principal, due_date, interest, not_yet_due = (debt.principal, debt.due_date,
                                                  debt.interest, debt.not_yet_due)
    later: tuple[Any, ...] = ()
    terms = debt.loan_terms()
    if terms is not None:
        from xieshang.engine.installments import overdue_debt_parts

        parts = overdue_debt_parts(terms)
        if parts is not None:
            principal, due_date, interest = parts.principal, parts.due_date, parts.interest
            not_yet_due, later = parts.not_yet_due, parts.later
    result = OverdueDebt(
        preset=preset,
        principal=principal,
        due_date=due_date,
        interest=interest,
        fees=debt.fees + debt.penalty,
        not_yet_due_principal=not_yet_due,
        contract_daily_rate=daily,
        penalty_daily_rate=debt.penalty_daily_rate,
        minimum_due=debt.minimum,
        payments=tuple(EnginePayment(on=p.paid_on, amount=p.amount) for p in payments),
        later=later,
        interest_from=debt.posted_on if preset.penalty.card_interest_basis else None,
        card_interest_basis=debt.card_interest_basis,
    )
    if debt.adjustments:
        from xieshang.engine.reconcile import apply_adjustments

        result = apply_adjustments(result, debt.adjustments)
    return result


def budget_statement(budget: Budget, lines: Sequence[BudgetEntry]) -> BudgetStatement:
    """The engine's budget statement from a stored one."""
    from xieshang.engine.budget import BudgetLine, BudgetStatement, Household, Section

    household = Household(
        adults=budget.adults, children_0_4=budget.children_0_4,
        children_5_10=budget.children_5_10, children_11_17=budget.children_11_17,
        dependants=budget.dependants, city_tier=budget.city_tier,
    )
    return BudgetStatement(
        household=household,
        lines=tuple(BudgetLine(section=Section(line.section), category=line.category,
                               amount=line.amount, note=line.note) for line in lines),
        buffer=budget.buffer,
    )


class CaseReader(Protocol):
    """What :func:`current_case_of` needs of a transaction (the database's or in memory)."""

    def setting(self, key: str) -> str | None: ...

    def get(self, kind: type[Case], ident: int) -> Case | None: ...

    def find(self, kind: type[Case]) -> list[Case]: ...


def current_case_of(tx: CaseReader) -> Case | None:
    """The case commands work on: the one chosen with ``case use`` (the ``current_case``
    setting), or the only one."""
    chosen = tx.setting("current_case")
    if chosen is not None and chosen.isdigit():
        case = tx.get(Case, int(chosen))
        if case is not None:
            return case
    cases = tx.find(Case)
    return cases[0] if len(cases) == 1 else None
