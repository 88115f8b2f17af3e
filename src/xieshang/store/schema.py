"""The database schema (SQLAlchemy 2 Core): one ``MetaData`` with every table.

The Alembic migrations in ``store/migrations/versions`` build exactly this schema (a test
compares the migrated database with this metadata). Conventions:

* money is integer fen in columns named ``*_fen``; rates are exact decimal text (``"0.0005"``);
* dates are ``Date``, moments are ``DateTime`` in the lender's calendar (Asia/Shanghai, naive);
* JSON is text written by :func:`xieshang.store.model.dump_json` (sorted keys), so it compares
  and exports byte for byte;
* personal fields (:data:`PERSONAL`) hold either plain text or, once encryption is on, an
  ``enc1:`` token (AES-GCM, see :mod:`xieshang.store.crypto`);
* every table a case owns reaches ``cases`` through foreign keys that cascade on delete;
  optional links (a contact's debt, a commitment's contact …) are set to NULL instead.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

__all__ = [
    "BUDGET_SECTIONS",
    "COMMITMENT_PARTIES",
    "COMMITMENT_STATUSES",
    "DEBT_STATUSES",
    "EVIDENCE_KINDS",
    "HARDSHIP_REASONS",
    "HEAD_REVISION",
    "PERSONAL",
    "PROPOSAL_STATUSES",
    "RATE_BASES",
    "SAVINGS_USES",
    "TRANSACTION_DIRECTIONS",
    "metadata",
]

#: The newest migration; the store refuses a database at a revision it does not know.
HEAD_REVISION: Final = "0009"
#: Every migration revision this version of xieshang knows, oldest first.
KNOWN_REVISIONS: Final = ("0001", "0002", "0003", "0004", "0005", "0006", "0008", "0009")

DEBT_STATUSES: Final = ("open", "arrangement", "settled", "closed")
RATE_BASES: Final = ("annual", "daily")
HARDSHIP_REASONS: Final = ("income_loss", "illness", "business_failure", "family_emergency",
                           "forgot", "misread_due_date", "other")
EVIDENCE_KINDS: Final = ("medical", "unemployment", "income", "business", "family", "bill",
                         "chat", "contract", "other")
BUDGET_SECTIONS: Final = ("income", "priority", "fixed", "flexible")
#: What savings go to: a lump-sum settlement, or the first months' payments.
SAVINGS_USES: Final = ("settlement", "months")
PROPOSAL_STATUSES: Final = ("draft", "asked", "offered", "accepted", "refused", "withdrawn")
COMMITMENT_PARTIES: Final = ("me", "lender")
TRANSACTION_DIRECTIONS: Final = ("income", "expense", "neutral", "refund", "debt_payment")
COMMITMENT_STATUSES: Final = ("pending", "kept", "broken")

#: (table, column) pairs holding personal data: encrypted at rest when a passphrase is set,
#: masked wherever shown, never logged.
PERSONAL: Final = frozenset({
    ("cases", "full_name"),
    ("cases", "id_number"),
    ("cases", "phone"),
    ("debts", "account_number"),
    ("transactions", "counterparty"),
    ("transactions", "description"),
})

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def _case_fk() -> Column[int]:
    return Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"),
                  nullable=False, index=True)


def _optional_fk(name: str, target: str) -> Column[int]:
    return Column(name, Integer, ForeignKey(target, ondelete="SET NULL"), nullable=True)


def debt_term_columns() -> list[Column[Any]]:
    """The installment-loan, private-loan and card terms of a debt (migration 0004)."""
    return [
        Column("borrowed_fen", BigInteger, nullable=True),
        Column("periods", Integer, nullable=True),
        Column("paid_periods", Integer, nullable=True),
        Column("repayment_method", String(16), nullable=True),
        Column("first_due", Date, nullable=True),
        Column("contract_date", Date, nullable=True),
        Column("posted_on", Date, nullable=True),
        Column("card_interest_basis", String(8), nullable=True),
        # migration 0008: a fee every period (白条 分期 服务费), a rate or an amount
        Column("period_fee_rate", String(40), nullable=True),
        Column("period_fee_fen", BigInteger, nullable=True),
    ]


cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("full_name", Text, nullable=True),
    Column("id_number", Text, nullable=True),
    Column("phone", Text, nullable=True),
    Column("notes", Text, nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
)

debts = Table(
    "debts", metadata,
    Column("id", Integer, primary_key=True),
    _case_fk(),
    Column("preset_id", String(64), nullable=False),
    Column("lender", String(200), nullable=False, server_default=""),
    Column("label", String(200), nullable=False, server_default=""),
    Column("account_number", Text, nullable=True),
    Column("principal_fen", BigInteger, nullable=False, server_default="0"),
    Column("interest_fen", BigInteger, nullable=False, server_default="0"),
    Column("penalty_fen", BigInteger, nullable=False, server_default="0"),
    Column("fees_fen", BigInteger, nullable=False, server_default="0"),
    Column("not_yet_due_fen", BigInteger, nullable=False, server_default="0"),
    Column("due_date", Date, nullable=True),
    Column("contract_rate", String(40), nullable=True),
    Column("contract_rate_basis", String(8), nullable=True),
    Column("penalty_daily_rate", String(40), nullable=True),
    Column("minimum_fen", BigInteger, nullable=True),
    Column("due_day", Integer, nullable=True),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("priority", Integer, nullable=True),
    Column("adjustments", Text, nullable=True),
    Column("adjustments_basis", Text, nullable=True),
    Column("adjustments_confirmed_on", Date, nullable=True),
    Column("notes", Text, nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    *debt_term_columns(),
    CheckConstraint(_in("status", DEBT_STATUSES), name="status"),
    CheckConstraint(f"contract_rate_basis IS NULL OR {_in('contract_rate_basis', RATE_BASES)}",
                    name="contract_rate_basis"),
    CheckConstraint("due_day IS NULL OR (due_day BETWEEN 1 AND 31)", name="due_day"),
    CheckConstraint("principal_fen >= 0 AND interest_fen >= 0 AND penalty_fen >= 0 "
                    "AND fees_fen >= 0 AND not_yet_due_fen >= 0", name="amounts"),
)

payments = Table(
    "payments", metadata,
    Column("id", Integer, primary_key=True),
    Column("debt_id", Integer, ForeignKey("debts.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("paid_on", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("method", String(64), nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    CheckConstraint("amount_fen > 0", name="amount"),
)

hardship = Table(
    "hardship", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False,
           unique=True),
    Column("reason", String(32), nullable=False),
    Column("since", Date, nullable=True),
    Column("recovery", Date, nullable=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint(_in("reason", HARDSHIP_REASONS), name="reason"),
)

budget_statements = Table(
    "budget_statements", metadata,
    Column("id", Integer, primary_key=True),
    _case_fk(),
    Column("adults", Integer, nullable=False, server_default="1"),
    Column("children_0_4", Integer, nullable=False, server_default="0"),
    Column("children_5_10", Integer, nullable=False, server_default="0"),
    Column("children_11_17", Integer, nullable=False, server_default="0"),
    Column("dependants", Integer, nullable=False, server_default="0"),
    Column("city_tier", String(16), nullable=False, server_default="tier2"),
    Column("buffer_fen", BigInteger, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("savings_fen", BigInteger, nullable=True),
    Column("savings_on", Date, nullable=True),
    Column("savings_use", String(16), nullable=False, server_default="settlement"),
    Column("no_income_until", Date, nullable=True),
    Column("income_changes", Text, nullable=True),
    # the debt the savings go to (NULL: spread over all the debts). No reference: SQLite
    # cannot add one in place (migration 0009); an id of a debt deleted since is read as
    # "spread" and left out of an export
    Column("savings_debt_id", Integer, nullable=True),
)

budget_lines = Table(
    "budget_lines", metadata,
    Column("id", Integer, primary_key=True),
    Column("statement_id", Integer, ForeignKey("budget_statements.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("section", String(16), nullable=False),
    Column("category", String(64), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
    UniqueConstraint("statement_id", "section", "category", name="uq_budget_lines_category"),
    CheckConstraint(_in("section", BUDGET_SECTIONS), name="section"),
    CheckConstraint("amount_fen >= 0", name="amount"),
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True),
    _case_fk(),
    Column("statement_id", Integer, ForeignKey("budget_statements.id", ondelete="SET NULL"),
           nullable=True),
    Column("filename", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("format", String(16), nullable=False),
    Column("months", Integer, nullable=False),
    Column("imported_at", DateTime, nullable=False),
)

transactions = Table(
    "transactions", metadata,
    Column("id", Integer, primary_key=True),
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("occurred_at", DateTime, nullable=False),
    Column("direction", String(16), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("category", String(64), nullable=False),
    Column("source_category", Text, nullable=False, server_default=""),
    Column("counterparty", Text, nullable=True),
    Column("description", Text, nullable=True),
    Column("method", Text, nullable=False, server_default=""),
    Column("status", Text, nullable=False, server_default=""),
    Column("debt_repayment", String(64), nullable=True),
    Column("source_row", Integer, nullable=True),
    CheckConstraint(_in("direction", TRANSACTION_DIRECTIONS), name="direction"),
)

contacts = Table(
    "contacts", metadata,
    Column("id", Integer, primary_key=True),
    _case_fk(),
    _optional_fk("debt_id", "debts.id"),
    Column("happened_at", DateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("agent_name", Text, nullable=False, server_default=""),
    Column("agent_id", String(64), nullable=False, server_default=""),
    Column("reference", String(64), nullable=False, server_default=""),
    Column("asked", Text, nullable=False, server_default=""),
    Column("offered", Text, nullable=False, server_default=""),
    Column("outcome", String(32), nullable=False, server_default=""),
    Column("notes", Text, nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
)

contact_revisions = Table(
    "contact_revisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("revised_at", DateTime, nullable=False),
    Column("previous", Text, nullable=False),
)

proposals = Table(
    "proposals", metadata,
    Column("id", Integer, primary_key=True),
    Column("debt_id", Integer, ForeignKey("debts.id", ondelete="CASCADE"), nullable=False,
           index=True),
    _optional_fk("contact_id", "contacts.id"),
    Column("kind", String(32), nullable=False),
    Column("params", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="draft"),
    Column("created_on", Date, nullable=False),
    Column("decided_on", Date, nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    CheckConstraint(_in("status", PROPOSAL_STATUSES), name="status"),
)

commitments = Table(
    "commitments", metadata,
    Column("id", Integer, primary_key=True),
    _case_fk(),
    _optional_fk("debt_id", "debts.id"),
    _optional_fk("contact_id", "contacts.id"),
    Column("party", String(8), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("amount_fen", BigInteger, nullable=True),
    Column("due_on", Date, nullable=True),
    Column("condition", Text, nullable=False, server_default=""),
    Column("confirmed_in_writing", Boolean, nullable=False, server_default=false()),
    Column("status", String(8), nullable=False, server_default="pending"),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint(_in("party", COMMITMENT_PARTIES), name="party"),
    CheckConstraint(_in("status", COMMITMENT_STATUSES), name="status"),
)

evidence = Table(
    "evidence", metadata,
    Column("id", Integer, primary_key=True),
    _case_fk(),
    _optional_fk("debt_id", "debts.id"),
    _optional_fk("contact_id", "contacts.id"),
    Column("sha256", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("kind", String(32), nullable=False, server_default="other"),
    Column("note", Text, nullable=False, server_default=""),
    Column("added_on", Date, nullable=False),
    CheckConstraint(_in("kind", EVIDENCE_KINDS), name="kind"),
)

reminders = Table(
    "reminders", metadata,
    Column("id", Integer, primary_key=True),
    _case_fk(),
    _optional_fk("debt_id", "debts.id"),
    _optional_fk("commitment_id", "commitments.id"),
    Column("due_on", Date, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("done", Boolean, nullable=False, server_default=false()),
)

settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
