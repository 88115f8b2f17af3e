"""What to ask for: the proposal ladder, the counter-offer check and "they said no".

**The ladder** (:func:`build_ladder`). From the monthly amount the budget leaves for one debt
(its share of the split) and the product's preset, three proposals, each a dated schedule
evaluated by :func:`xieshang.engine.arrangements.evaluate` (total paid, cost, APR):

* the **walk-away point** — the most the person can sustain: the shortest term whose largest
  payment is at most ``walk_away.fraction`` × the affordable share (never more than 1), with
  the lender's usual charges (the product's installment fee or contract rate, no waiver);
  when even the longest term does not fit that way, the cheapest conditions that fit;
* the **fallback** — more asked of the lender (penalty waived, no interest), at most
  ``fallback.fraction ÷ walk_away.fraction`` × the walk-away payment;
* the **first ask** — the most asked of the lender (penalty and fees waived, no interest),
  at most ``ask.fraction ÷ fallback.fraction`` × the fallback payment, so there is room to
  move up.

Each rung is the shortest term whose payment fits its cap (when none up to the longest term
does, the longest term if it still pays no more than the rung above); a rung equal to the one
above is left out, and when one payment clears the debt the lower rungs only ask for the
waivers. So no rung ever asks more than the budget allows and the monthly amounts never
decrease up the ladder. The
fractions and conditions are data (``presets/_negotiation.toml``, marked [C]: our method, not
a rule). The longest term is the preset's (60 months for cards, Art. 70) or, where the preset
states none, the data's default, said to be our assumption. When nothing fits — the budget
leaves nothing, or too little for even the longest term — the ladder holds one rung instead:
*breathing space* (nothing left) or a *token payment* (the affordable share, reviewed after
a few months), as in the budget's outcomes.

**The counter-offer check** (:func:`check_offer`) takes what the lender offered (term,
monthly amount and/or rate or fee, waivers, a first payment, conditions) and answers:
affordable or not and by how much, the real APR (solved from the cash flows when only the
monthly amount is known) and total cost, how it compares with each rung, and structured
advice on what to say next — always including to ask for written confirmation, never
promising an outcome.

**"They said no"** (:func:`next_moves`): for each refusal reason, the likely cause and the
next moves from the data file, with the person's own numbers filled in (the revised offer
is the next rung up the ladder).

The rest of the data file — materials checklist, know-your-rights card, warning card about
paid agents, official channels — is parsed by :func:`parse_negotiation_data`; every item
carries its source. This module is pure: no I/O, no clock.
"""

from __future__ import annotations

import decimal
import itertools
import tomllib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from xieshang.engine._record import filler
from xieshang.engine.arrangements import Evaluation, Kind, Phase, Proposal, evaluate, phases
from xieshang.engine.bill import Bill
from xieshang.engine.errors import N_, InputError, PresetError, StateError, fill
from xieshang.engine.money import (
    CONTEXT,
    ZERO,
    Rounding,
    format_money,
    from_fen,
    money,
    round_money,
    to_fen,
)
from xieshang.engine.preset import (
    Channel,
    Confidence,
    LenderType,
    Preset,
    ProductKind,
    Source,
    TableReader,
    Text,
    read_sources,
)
from xieshang.engine.rates import annualised, check_rate
from xieshang.engine.schedules import (
    MAX_PERIODS,
    Method,
    add_months,
    annuity_max_payment,
    fixed_fee_max_payment,
    interest_free_max_payment,
)

if TYPE_CHECKING:
    from xieshang.engine.rates import LprFixing, RateLaw

__all__ = [
    "Card",
    "CardItem",
    "Comparison",
    "Cost",
    "HardshipReason",
    "Ladder",
    "LadderOutcome",
    "LadderRules",
    "Level",
    "LoanLadders",
    "Material",
    "Move",
    "MoveKind",
    "MoveSpec",
    "NegotiationData",
    "Offer",
    "OfferCheck",
    "OfficialChannel",
    "Reason",
    "Refusal",
    "Rung",
    "RungRule",
    "SettlementAsk",
    "Verdict",
    "build_ladder",
    "build_loan_ladders",
    "check_offer",
    "materials_for",
    "next_moves",
    "parse_negotiation_data",
    "savings_settlement",
    "whole_balance",
]

_SCHEMA: Final = 1
_ONE: Final = Decimal(1)
_PERCENT: Final = Decimal("0.1")
_TWO_FEN: Final = Decimal("0.02")

# ------------------------------------------------------------------------ conventions


class Level(StrEnum):
    """A rung of the ladder."""

    ASK = "ask"
    FALLBACK = "fallback"
    WALK_AWAY = "walk_away"
    TOKEN = "token"
    BREATHING_SPACE = "breathing_space"


class Cost(StrEnum):
    """What a rung assumes the lender charges during the plan.

    * ``none``: no interest or fees (停息分期) — an ask;
    * ``product``: the product's own installment fee (its fee table or monthly fee rate), or
      else its contract rate; a rung with this cost is not possible where the preset states
      neither.
    """

    NONE = "none"
    PRODUCT = "product"


class LadderOutcome(StrEnum):
    """What the ladder holds: a plan (ask / fallback / walk-away), or one token or
    breathing-space rung when no plan fits the budget."""

    PLAN = "plan"
    TOKEN = "token"
    BREATHING_SPACE = "breathing_space"


class Verdict(StrEnum):
    """The short answer of a counter-offer check."""

    AFFORDABLE = "affordable"  # fits the budget as it stands
    ASK_CHANGES = "ask_changes"  # does not fit, but a change would (longer term, lower start)
    OVERPRICED = "overpriced"  # fits the budget, but its rate is above a legal reference
    UNAFFORDABLE = "unaffordable"  # no term up to the longest fits the budget


class MoveKind(StrEnum):
    """Kinds of next move after a refusal."""

    BETTER_EVIDENCE = "better_evidence"
    REVISED_OFFER = "revised_offer"
    OTHER_CHANNEL = "other_channel"
    WRITTEN_APPLICATION = "written_application"
    ASK_REASON = "ask_reason"
    COMPLAINT = "complaint"
    CREDIT_OBJECTION = "credit_objection"


# ----------------------------------------------------------------------------- messages
# Reasons (ladder) and advice (counter-offer): English msgids; the fronts translate them.

SHARE_OF_AFFORDABLE: Final = N_(
    "{monthly} a month is {percent} of the {affordable} your budget leaves for this debt.")
SHARE_OF_INCOME: Final = N_("It is {percent} of your monthly income of {income}.")
SHORTEST_TERM: Final = N_("{periods} months is the shortest term whose payment fits this level.")
NO_SHORTER_THAN_ABOVE: Final = N_(
    "{periods} months, no fewer than the next step up: a shorter term would fit this level "
    "too, but each step down asks less a month over no fewer months.")
LONGEST_TERM: Final = N_(
    "Even the longest term, {periods} months, does not bring the payment down to this level; "
    "this is the lowest payment possible on these terms.")
WITHIN_PUBLISHED_MAX: Final = N_(
    "{periods} months is within the longest term of {maximum} months the rules give for this "
    "product.")
MAX_TERM_ASSUMED: Final = N_(
    "This product publishes no longest term; {maximum} months is our own assumption, which "
    "you can change.")
ART70_MAY: Final = N_(
    "Article 70 of the credit-card Measures says a bank may — not must — agree personalised "
    "installments of up to 5 years with a cardholder whose debt exceeds what they can repay "
    "and who still wants to repay.")
ART70_AGREEMENT: Final = N_(
    "For a personalised installment, Article 70 lists what the agreement must contain: the "
    "debt, the schedule and each payment, whether fees and interest are charged, your "
    "undertaking not to apply for other cards until it is repaid, and each side's obligations.")
NOT_PUBLISHED: Final = N_(
    "These are not published terms of this product: they are something to ask for, and the "
    "lender may agree or refuse.")
PUBLISHED_TERMS: Final = N_(
    "These are the product's own installment terms; ask whether they can be used for an "
    "overdue balance.")
NO_INTEREST_ASK: Final = N_(
    "It asks for no interest or fees during the plan; no rule obliges the lender to agree.")
PRODUCT_COST: Final = N_(
    "It asks for no waiver: it pays what the product normally charges ({cost} in all over the "
    "plan).")
WAIVER_ASK: Final = N_(
    "It asks for {waived} of penalty and fees to be waived; asking is usual, and the lender "
    "may agree or refuse.")
ROOM_TO_MOVE_UP: Final = N_(
    "It leaves room to move up: the next step pays {room} more a month.")
WALK_AWAY_LIMIT: Final = N_(
    "This is the most your budget can sustain: do not agree to pay more than {affordable} a "
    "month for this debt.")
ONE_PAYMENT: Final = N_(
    "One payment of {monthly} clears this debt within your budget; what is left to ask for "
    "is a waiver of the penalty and fees.")
WALK_AWAY_NEEDS_CONCESSION: Final = N_(
    "With the lender's usual charges no term up to {maximum} months fits your budget; even "
    "this limit needs the concessions listed.")
TOKEN_OFFER: Final = N_(
    "No repayment plan fits: even over {maximum} months the lowest payment would be {needed} "
    "a month, and your budget leaves {affordable}. Offer {affordable} a month as a token "
    "payment to show good faith, ask for interest and charges to be frozen, and offer to "
    "review it in {review} months.")
BREATHING_SPACE_ASK: Final = N_(
    "Your budget leaves nothing for this debt now. Ask for a pause of {months} months with "
    "interest and charges frozen, send your budget statement and hardship evidence, and offer "
    "to contact them again before it ends.")
NOT_A_RULE_HERE: Final = N_(
    "Token payments and breathing space come from UK debt-advice practice; they are not rules "
    "in China, and a lender may accept or refuse them.")

ACCEPT_AND_CONFIRM_IN_WRITING: Final = N_(
    "This offer fits your budget: at most {monthly} a month, within the {affordable} you can "
    "pay. You can accept it — first ask them to confirm every term in writing (the amounts, "
    "the dates, any waiver, whether interest or fees are charged) and keep the confirmation.")
ASK_FOR_BETTER: Final = N_(
    "It fits your budget, but in total it costs {extra} more than your walk-away plan "
    "({periods} months at {monthly}). You may ask for that first; if they refuse, this offer "
    "still fits your budget.")
ASK_LONGER_TERM: Final = N_(
    "At {monthly} a month it is {gap} more than the {affordable} your budget allows. Ask for "
    "{periods} months instead: on the same terms that is at most {fit_monthly} a month.")
ASK_LOWER_DOWN_PAYMENT: Final = N_(
    "They ask for {down} first, but you can pay {can_pay} now. Ask whether the first payment "
    "can be lowered to {can_pay} or spread over the installments.")
DECLINE_UNAFFORDABLE: Final = N_(
    "This offer needs {monthly} a month, {gap} more than the {affordable} your budget allows, "
    "and no term up to {maximum} months on these terms fits. Say calmly that you cannot keep "
    "to it: a plan you cannot keep can leave you worse off.")
COUNTER_WITH_PLAN: Final = N_(
    "Offer instead what your budget allows: {monthly} a month for {periods} months.")
COUNTER_WITH_TOKEN: Final = N_(
    "Offer instead a token payment of {monthly} a month, and ask them to review it in "
    "{review} months.")
COUNTER_WITH_BREATHING_SPACE: Final = N_(
    "Explain that nothing is left after essential costs, and ask for a pause of {months} "
    "months, with your budget statement as evidence.")
CHECK_CONDITION: Final = N_(
    "They set a condition: \u201c{condition}\u201d. Ask exactly what it requires and what "
    "happens if it is not met, and have it written into the agreement.")
FIGURES_DIFFER: Final = N_(
    "The monthly amount they gave ({stated}) does not match their rate ({computed} a month on "
    "these terms). Ask them to explain how it is calculated.")
PAYMENTS_BELOW_OWED: Final = N_(
    "The payments add up to {total}, less than the {owed} owed after the waivers. If that is "
    "what they mean, ask them to confirm in writing that the rest is waived.")
NO_AMOUNT_GIVEN: Final = N_(
    "They gave neither the monthly amount nor a rate or fee; this check assumes no interest. "
    "Ask for both, in writing.")
REGULAR_SHIFTED: Final = N_(
    "You have no money for this loan before the plan starts, so this assumes the deferral "
    "also moves your regular installments back by {months} month(s): the next one "
    "of {regular} would fall due on {next} instead of {was}, and each later one as much later. "
    "That is how a deferral usually works, but no published rule says so: ask the lender to "
    "confirm the new dates in writing.")
SETTLEMENT_FITS: Final = N_(
    "Settling for {amount} on {on} fits what you can pay by then ({can_pay}). On that day "
    "{owed} is owed, so {discount} would be waived. You can accept it — first ask them to "
    "confirm in writing that this one payment settles the debt in full and that "
    "nothing more will be asked, and keep the confirmation.")
SETTLEMENT_ABOVE_MEANS: Final = N_(
    "The settlement asks for {amount} on {on}, more than the {can_pay} you can pay by then. "
    "Tell them what you can pay and on which day, and ask whether they would settle for "
    "that.")
ASK_LATER_START: Final = N_(
    "It asks for a payment on {first}, but your budget has nothing for this debt before "
    "{start}. Ask for the payments to start on {start}, and for interest and charges to be "
    "frozen until then.")
RATE_ABOVE_COURT_REFERENCE: Final = N_(
    "This offer costs {rate} a year (annualised by the IRR method the central bank requires; "
    "{effective} compounded). That is above {reference} a year: under a Supreme People's "
    "Court opinion (法发〔2017〕22号), a borrower may ask a court to reduce interest, penalty "
    "interest and fees that together exceed {reference} a year. Before accepting, you can "
    "ask for a rate of at most {reference} — on these terms that is {fit_monthly} a month "
    "for {periods} months. They may refuse.")
RATE_ABOVE_PRIVATE_CAP: Final = N_(
    "This offer costs {rate} a year (annualised by the IRR method; {effective} compounded). "
    "That is above {cap}, {multiple} × the 1-year LPR ({lpr} from {lpr_from}): under "
    "Article 25 of the Supreme People's Court provisions on private lending, courts do not "
    "support interest above this limit, and Article 29 applies it to overdue interest and "
    "fees combined. Before accepting, you can ask for a rate of at most {cap} — on these "
    "terms that is {fit_monthly} a month for {periods} months. They may refuse.")
RATE_WITHIN_COURT_REFERENCE: Final = N_(
    "This offer costs {rate} a year (annualised by the IRR method; {effective} compounded), "
    "not above {reference}, the rate above which a court may be asked to reduce charges "
    "(法发〔2017〕22号).")
RATE_WITHIN_PRIVATE_CAP: Final = N_(
    "This offer costs {rate} a year (annualised by the IRR method; {effective} compounded), "
    "not above {cap}, the private-lending limit of {multiple} × the 1-year LPR (Article 25 of "
    "the Supreme People's Court provisions).")
CONFIRM_IN_WRITING: Final = N_(
    "Whatever you agree, ask them to confirm it in writing before you pay, and note the "
    "agent's name or ID and the reference number.")


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True)
class Reason:
    """A structured, translatable statement (a rung's reason, or advice on an offer).

    Attributes:
        code: a stable identifier (``SHARE_OF_AFFORDABLE``, ``ASK_LONGER_TERM`` …).
        message: the English gettext msgid with ``{placeholders}``.
        params: the placeholder values, already formatted (amounts as ``¥1,234.50``).
        source: where the rule or method behind it comes from, if any (its ``ref`` names
            the section of ``rules-cn.md``).
    """

    code: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None

    @property
    def ref(self) -> str:
        """The section the source cites ("" without a source)."""
        return "" if self.source is None else self.source.ref

    def render(self, message: str | None = None) -> str:
        """The message (or its translation) with the parameters filled in."""
        return fill(self.message if message is None else message, self.params)


#: ``Reason`` by position, its slots filled directly (:func:`filler`; a few dozen a ladder).
_reason: Final[Callable[[str, str, Mapping[str, str], Source | None], Reason]] = filler(
    Reason, ("code", "message", "params", "source"))


@dataclass(frozen=True, slots=True)
class RungRule:
    """How one rung of the ladder is built (from the data file).

    Attributes:
        level: ask, fallback or walk-away.
        label: its name.
        fraction: its level as a share of the affordable amount (0 < fraction ≤ 1).
        waive_penalty: share of the penalty asked to be waived, 0 to 1.
        waive_fees: share of the fees asked to be waived, 0 to 1.
        cost: what the lender is assumed to charge during the plan.
    """

    level: Level
    label: Text
    fraction: Decimal
    waive_penalty: Decimal
    waive_fees: Decimal
    cost: Cost


@dataclass(frozen=True, slots=True)
class LadderRules:
    """The ``[ladder]`` table of the data file.

    Attributes:
        ask: the first ask.
        fallback: the fallback.
        walk_away: the walk-away point.
        token_label: the name of a token-payment rung.
        token_review_months: months after which a token payment is reviewed.
        breathing_label: the name of a breathing-space rung.
        breathing_months: the length of the pause asked for.
        default_max_term_months: the longest term where the preset states none.
        mismatch_tolerance: the gap (yuan) between a stated and a computed monthly amount
            above which it is pointed out.
        sources: sources by dotted path (``ladder``, ``ladder.ask`` …).
    """

    ask: RungRule
    fallback: RungRule
    walk_away: RungRule
    token_label: Text
    token_review_months: int
    breathing_label: Text
    breathing_months: int
    default_max_term_months: int
    mismatch_tolerance: Decimal
    sources: Mapping[str, Source] = field(default_factory=dict)

    def source_of(self, key: str) -> Source:
        """The source of a dotted key (``ladder.ask``), or of its parent."""
        probe = key
        while probe:
            if probe in self.sources:
                return self.sources[probe]
            probe = probe.rpartition(".")[0]
        return Source(Confidence.NOT_FOUND, note="no source recorded")

    def label(self, level: Level) -> Text:
        """The name of a level."""
        labels = {Level.ASK: self.ask.label, Level.FALLBACK: self.fallback.label,
                  Level.WALK_AWAY: self.walk_away.label, Level.TOKEN: self.token_label,
                  Level.BREATHING_SPACE: self.breathing_label}
        return labels[Level(level)]


@dataclass(frozen=True, slots=True)
class HardshipReason:
    """Why the person fell behind (``illness``, ``forgot`` …)."""

    id: str
    label: Text


@dataclass(frozen=True, slots=True)
class Material:
    """One item of the materials checklist.

    Attributes:
        id: the item id.
        label: its name.
        detail: what exactly to bring and why.
        product_kinds: the product kinds it applies to (empty: all).
        reasons: the hardship reasons it applies to (empty: all).
        source: where the advice comes from.
    """

    id: str
    label: Text
    detail: Text
    product_kinds: frozenset[ProductKind]
    reasons: frozenset[str]
    source: Source

    def applies(self, kind: ProductKind, reasons: Iterable[str]) -> bool:
        """Whether the item is needed for this kind of product and these reasons."""
        wanted = set(reasons)
        return ((not self.product_kinds or kind in self.product_kinds)
                and (not self.reasons or bool(self.reasons & wanted)))


@dataclass(frozen=True, slots=True)
class OfficialChannel:
    """An official channel: a hotline, a website, a complaint route.

    Attributes:
        id: the channel id (``nfra_12378`` …).
        name: its name.
        value: the number or address ("" when it depends on the lender or place).
        hours: when it answers, if the sources say.
        good_for: what it is for.
        source: where this comes from.
    """

    id: str
    name: Text
    value: str
    hours: Text | None
    good_for: Text
    source: Source


@dataclass(frozen=True, slots=True)
class MoveSpec:
    """A next move as the data file states it (see :class:`Move` for the filled-in one).

    Attributes:
        kind: the kind of move.
        text: what to do, with placeholders for a revised offer (``{monthly}``,
            ``{periods}``, ``{total}``).
        source: where the advice comes from.
        text_no_room: (revised offers) the text when no higher rung is within the budget
            (``{affordable}``).
        text_general: (revised offers) the text when no ladder is known.
        materials: ids of the materials it calls for.
        official: ids of the official channels it points to.
        exclude_channels: the lender's channel kinds not to suggest (``app``).
        product_kinds: the product kinds it applies to (empty: all).
    """

    kind: MoveKind
    text: Text
    source: Source
    text_no_room: Text | None = None
    text_general: Text | None = None
    materials: tuple[str, ...] = ()
    official: tuple[str, ...] = ()
    exclude_channels: tuple[str, ...] = ()
    product_kinds: frozenset[ProductKind] = frozenset()


@dataclass(frozen=True, slots=True)
class Refusal:
    """A reason a lender gives for saying no, its likely cause and the next moves."""

    id: str
    label: Text
    cause: Text
    source: Source
    moves: tuple[MoveSpec, ...]


@dataclass(frozen=True, slots=True)
class CardItem:
    """One point of a card, with its source (the confidence mark shows how sure it is), the
    product kinds and the lender types it applies to (empty: every one), and — for a rule a
    complaint can name as broken — the rule as a complaint cites it (``rule``)."""

    id: str
    text: Text
    source: Source
    product_kinds: frozenset[ProductKind] = frozenset()
    lender_types: frozenset[LenderType] = frozenset()
    rule: Text | None = None

    def applies_to(self, kind: ProductKind | str | None,
                   lender_type: LenderType | str | None = None) -> bool:
        """Whether the point applies to a product of ``kind`` (``None``: any product) lent by
        a lender of ``lender_type`` (``None``: any lender)."""
        return ((kind is None or not self.product_kinds
                 or ProductKind(kind) in self.product_kinds)
                and (lender_type is None or not self.lender_types
                     or LenderType(lender_type) in self.lender_types))


@dataclass(frozen=True, slots=True)
class Card:
    """A card shown to the person: the know-your-rights card or the anti-scam card."""

    title: Text
    intro: Text
    items: tuple[CardItem, ...]

    def for_kind(self, kind: ProductKind | str | None,
                 lender_type: LenderType | str | None = None) -> tuple[CardItem, ...]:
        """The points that apply to a product of ``kind`` lent by a lender of
        ``lender_type`` (``None``: all of them)."""
        return tuple(item for item in self.items if item.applies_to(kind, lender_type))

    def rules_broken(self, kind: ProductKind | str | None,
                     lender_type: LenderType | str | None) -> tuple[Text, ...]:
        """The rules a complaint about a product of ``kind`` lent by a lender of
        ``lender_type`` can name (the points' ``rule``), in file order."""
        return tuple(item.rule for item in self.for_kind(kind, lender_type)
                     if item.rule is not None)


@dataclass(frozen=True, slots=True)
class NegotiationData:
    """The contents of ``_negotiation.toml``.

    Attributes:
        ladder: how the proposal ladder is built.
        hardship_reasons: the reasons for falling behind, in file order.
        materials: the materials checklist, in file order.
        refusals: the "they said no" table, in file order.
        rights: the know-your-rights card.
        scam: the warning card about paid agents.
        official: the official channels, in file order.
        origin: the file the data came from.
    """

    ladder: LadderRules
    hardship_reasons: tuple[HardshipReason, ...]
    materials: tuple[Material, ...]
    refusals: tuple[Refusal, ...]
    rights: Card
    scam: Card
    official: tuple[OfficialChannel, ...]
    origin: str = ""

    def refusal(self, refusal_id: str) -> Refusal:
        """The refusal with this id.

        Raises:
            InputError: (field ``reason``) no such refusal.
        """
        for item in self.refusals:
            if item.id == refusal_id:
                return item
        raise InputError("reason", N_("'{value}' is not a refusal reason; known: {known}"),
                         value=refusal_id, known=", ".join(r.id for r in self.refusals))

    def material(self, material_id: str) -> Material:
        """The material with this id (it exists: the parser checks every reference)."""
        for item in self.materials:
            if item.id == material_id:
                return item
        raise KeyError(material_id)

    def channel(self, channel_id: str) -> OfficialChannel:
        """The official channel with this id (it exists: the parser checks references)."""
        for item in self.official:
            if item.id == channel_id:
                return item
        raise KeyError(channel_id)


# --------------------------------------------------------------------------- the ladder


@dataclass(frozen=True, slots=True)
class Rung:
    """One rung of the ladder.

    Attributes:
        level: ask, fallback, walk-away, token or breathing space.
        label: its name.
        evaluation: the evaluated proposal (schedule, totals, APR); ``None`` for a token or
            breathing-space rung.
        monthly: the largest monthly payment of the schedule (for a token rung the token
            amount; 0 for breathing space) — never above the affordable share.
        reasons: why the rung is credible.
        rule: the conditions it asks for (``None`` for token and breathing space).
    """

    level: Level
    label: Text
    evaluation: Evaluation | None
    monthly: Decimal
    reasons: tuple[Reason, ...]
    rule: RungRule | None = None

    @property
    def periods(self) -> int:
        """The number of monthly payments (0 without a schedule)."""
        return 0 if self.evaluation is None else self.evaluation.schedule.periods

    @property
    def total_paid(self) -> Decimal | None:
        """Everything paid under the plan (``None`` without a schedule)."""
        return None if self.evaluation is None else self.evaluation.total_paid


@dataclass(frozen=True, slots=True)
class Ladder:
    """The proposal ladder of one debt.

    Attributes:
        bill: what is owed today.
        preset_id: the product's preset.
        affordable: the monthly amount the budget gives this debt.
        income: the monthly income, when given (for the share-of-income reason).
        max_term: the longest term considered, in months.
        max_term_assumed: True when the preset states no longest term and ``max_term`` is
            the data's default (our assumption).
        outcome: plan, token or breathing space.
        rungs: ask, fallback, walk-away (lowest payment first; a rung equal to the one above
            is left out), or a single token or breathing-space rung.
        rules: the ladder rules used.
    """

    bill: Bill
    preset_id: str
    affordable: Decimal
    income: Decimal | None
    max_term: int
    max_term_assumed: bool
    outcome: LadderOutcome
    rungs: tuple[Rung, ...]
    rules: LadderRules

    def rung(self, level: Level | str) -> Rung | None:
        """The rung at this level, if the ladder has one."""
        for item in self.rungs:
            if item.level == Level(level):
                return item
        return None

    def above(self, level: Level | str) -> Rung | None:
        """The next plan rung up from ``level`` (``None`` at the top or without a plan)."""
        order = [Level.ASK, Level.FALLBACK, Level.WALK_AWAY]
        wanted = Level(level)
        if wanted not in order:
            return None
        for item in self.rungs:
            if item.level in order and order.index(item.level) > order.index(wanted):
                return item
        return None


def build_ladder(
    bill: Bill,
    preset: Preset,
    affordable: Decimal,
    *,
    today: date,
    income: Decimal | None = None,
    settings: NegotiationData,
    deferral_months: int = 0,
    pause_months: int | None = None,
) -> Ladder:
    """The proposal ladder for one debt (see the module docstring for the method).

    Args:
        bill: what is owed today, by component.
        preset: the product's rules (installment fees, contract rate, longest term).
        affordable: the monthly amount the budget gives this debt (its share of the split),
            exact to the fen, 0 or more.
        today: the date the plans start (the bill's date, normally).
        income: the household's monthly income, for the share-of-income reason.
        settings: the negotiation data (``_negotiation.toml``).
        deferral_months: months with nothing to pay before the plans start (the person has
            no money for this debt until then): every rung becomes "defer N months, then
            installments", its first payment ``deferral_months + 1`` months after
            ``today``; ``affordable`` is the share from then on.
        pause_months: the length of the breathing space asked for when nothing is
            affordable (the months until the person expects to recover); default: the
            data's ``breathing_months``.

    Returns:
        The ladder; its ``outcome`` says whether it is a plan, a token payment or a request
        for breathing space.

    Raises:
        InputError: ``affordable`` or ``income`` negative or not exact to the fen; nothing
            is owed.
    """
    share = _amount("affordable", affordable)
    income_amount = None if income is None else _amount("income", income)
    if bill.total <= 0:
        raise InputError("amount", N_("nothing is owed on this debt"))
    rules = settings.ladder
    max_term, assumed = _max_term(preset, rules)
    plan = _Planner(bill, preset, today, max_term, deferral_months)

    def ladder(outcome: LadderOutcome, rungs: Sequence[Rung]) -> Ladder:
        return Ladder(bill=bill, preset_id=preset.id, affordable=share, income=income_amount,
                      max_term=max_term, max_term_assumed=assumed, outcome=outcome,
                      rungs=tuple(rungs), rules=rules)

    if share == 0:
        return ladder(LadderOutcome.BREATHING_SPACE, [_breathing_rung(rules, pause_months)])

    top_cap = CONTEXT.multiply(share, rules.walk_away.fraction)
    # The walk-away point concedes as little as it must: the lender's usual charges, else
    # no interest, else the fallback's and then the ask's conditions.
    candidates = [rules.walk_away]
    if rules.walk_away.cost is Cost.PRODUCT:
        candidates.append(_no_cost(rules.walk_away))
    candidates += [rules.fallback, rules.ask]
    walk: tuple[RungRule, Evaluation, bool] | None = None
    for rule in candidates:
        found = plan.shortest(rule, soft=top_cap, hard=top_cap)
        if found is not None:
            walk = (rule, *found)
            break
    if walk is None:
        cheapest = next(rule for rule in reversed(candidates) if plan.owed(rule) > 0)
        needed = plan.max_payment(cheapest, max_term)
        return ladder(LadderOutcome.TOKEN, [_token_rung(rules, share, needed, max_term)])

    walk_rule, walk_eval, walk_shortest = walk
    built: list[tuple[Level, RungRule, Evaluation, bool, bool]] = [
        (Level.WALK_AWAY, walk_rule, walk_eval, walk_shortest, False)]
    upper_eval, upper_fraction = walk_eval, rules.walk_away.fraction
    one_payment = walk_eval.schedule.periods == 1
    for level, rule in ((Level.FALLBACK, rules.fallback), (Level.ASK, rules.ask)):
        cap = CONTEXT.divide(CONTEXT.multiply(upper_eval.max_payment, rule.fraction),
                             upper_fraction)
        if one_payment:  # one payment clears it: the lower rungs only ask for waivers
            cap = upper_eval.max_payment
        # A lower rung asks less a month and takes no fewer months than the one above: its
        # waivers and no interest would otherwise fit a shorter term (a fallback of 8 months
        # under a walk-away of 9 at the contract rate), which reads as paying more for longer.
        floor = upper_eval.schedule.periods
        found = plan.shortest(rule, soft=cap, hard=upper_eval.max_payment, min_periods=floor)
        if found is None or _same(found[0], upper_eval):
            continue
        # the term held at the step above's, where a shorter one would fit this level too
        lifted = found[1] and found[0].schedule.periods == floor > 1 and \
            plan.max_payment(rule, floor - 1) <= cap
        built.insert(0, (level, rule, *found, lifted))
        upper_eval, upper_fraction = found[0], rule.fraction

    rungs: list[Rung] = []
    # the same amounts in every rung's reasons, written once
    texts = (format_money(share), format_money(income_amount) if income_amount else "")
    for index, (level, rule, evaluation, shortest, lifted) in enumerate(built):
        upper = built[index + 1][2] if index + 1 < len(built) else None
        reasons = _rung_reasons(level, rule, evaluation, shortest, upper, plan, share,
                                income_amount, assumed, rules,
                                usual_charges=walk_rule is rules.walk_away, lifted=lifted,
                                texts=texts)
        if deferral_months:
            reasons = (_deferral_reason(evaluation, deferral_months, rules), *reasons)
        rungs.append(Rung(level=level, label=rules.label(level), evaluation=evaluation,
                          monthly=evaluation.max_payment, reasons=reasons, rule=rule))
    return ladder(LadderOutcome.PLAN, rungs)


def _proposal_maker() -> Callable[[Kind, int, int, Decimal | None, Decimal | None, Decimal,
                                    Decimal, Method], Proposal]:
    """``Proposal(kind, periods=…, deferral_months=…, annual_rate=…, total_fee_rate=…,
    waive_penalty=…, waive_fees=…, method=…)`` for the planner (one a term evaluated), its
    slots filled directly (:func:`filler`), every other field at its default."""
    given = ("kind", "periods", "deferral_months", "annual_rate", "total_fee_rate",
             "waive_penalty", "waive_fees", "method")
    default = Proposal(Kind.INSTALLMENTS)
    return filler(Proposal, given, {item.name: getattr(default, item.name)
                                    for item in fields(Proposal) if item.name not in given})


_make_proposal: Final = _proposal_maker()

#: a walk-away rule → (it, the same rule asking no interest or fees): made once a rule
_NO_COST: dict[int, tuple[RungRule, RungRule]] = {}


def _no_cost(rule: RungRule) -> RungRule:
    """``replace(rule, cost=Cost.NONE)``, made once a rule (kept with the rule, so its id()
    is not reused while it is remembered)."""
    known = _NO_COST.get(id(rule))
    if known is not None and known[0] is rule:
        return known[1]
    if len(_NO_COST) >= 64:
        _NO_COST.clear()
    made = replace(rule, cost=Cost.NONE)
    _NO_COST[id(rule)] = (rule, made)
    return made


class _Planner:
    """Builds and searches proposals for one debt."""

    def __init__(self, bill: Bill, preset: Preset, today: date, max_term: int,
                 deferral: int = 0) -> None:
        self.bill = bill
        self.preset = preset
        self.today = today
        self.max_term = max_term
        self.personalised = preset.negotiation.personalised_installments
        self.deferral = deferral
        # (id(rule), periods) → (rule, answer): a term asked about again (the longest, the
        # term below an answer) is not computed again; the rule is kept with its answer, so
        # its id() cannot be reused by another rule while the planner lives
        self._evaluations: dict[tuple[int, int], tuple[RungRule, Evaluation]] = {}
        # by what they depend on: what is owed by the waivers, the largest payment by the
        # cost, what is owed and the term (rungs asking the same share the answers)
        self._largest: dict[tuple[Cost, Decimal, int], Decimal] = {}
        self._owed: dict[tuple[Decimal, Decimal], Decimal] = {}
        self._terms: dict[Cost, tuple[int, ...]] = {}

    def terms(self, rule: RungRule) -> list[int]:
        """The terms a rung may use, shortest first ([] when its cost cannot be stated)."""
        return list(self._terms_of(rule.cost))

    def _terms_of(self, cost: Cost) -> tuple[int, ...]:
        """:meth:`terms` of a rung with this cost (worked out once a planner)."""
        found = self._terms.get(cost)
        if found is not None:
            return found
        installments = self.preset.installments
        terms: tuple[int, ...] = tuple(range(1, self.max_term + 1))
        if cost is Cost.PRODUCT:
            if installments.fees:  # the listed terms, or one payment (no installment fee)
                listed = [row.periods for row in installments.fees
                          if row.periods <= self.max_term]
                terms = tuple(sorted({1, *listed}))
            elif (installments.monthly_fee_rate is None
                    and self.preset.contract_daily_rate is None):
                terms = ()
        self._terms[cost] = terms
        return terms

    def proposal(self, rule: RungRule, periods: int) -> Proposal:
        """The proposal of a rung at a term."""
        return self._proposal(rule, periods, 0)

    def _proposal(self, rule: RungRule, periods: int, deferral: int) -> Proposal:
        # with a deferral: nothing to pay first, then the same installments (interest-free
        # ones at a rate of 0)
        kind = Kind.PERSONALISED if self.personalised else Kind.INSTALLMENTS
        annual: Decimal | None = None
        fee: Decimal | None = None
        method = Method.EQUAL_PRINCIPAL
        if rule.cost is Cost.PRODUCT:
            fee = self.preset.installments.total_rate(periods)
            daily = self.preset.contract_daily_rate
            if fee is None and daily is not None:
                annual = CONTEXT.multiply(daily, self.preset.day_basis.days)
                method = Method.ANNUITY
            # else one payment where only a fee table is listed: no fee
        if fee is None and annual is None and (kind is Kind.INSTALLMENTS or deferral):
            annual = Decimal(0)
        if deferral:
            kind = Kind.DEFERRAL
        return _make_proposal(kind, periods, deferral, annual, fee, rule.waive_penalty,
                              rule.waive_fees, method)

    def owed(self, rule: RungRule) -> Decimal:
        """What is left to repay after the rung's waivers (rounded as evaluate rounds;
        once a planner for the same waivers)."""
        key = (rule.waive_penalty, rule.waive_fees)
        owed = self._owed.get(key)
        if owed is None:
            mode = self.preset.rounding.mode
            owed = self._owed[key] = (
                self.bill.total - round_money(self.bill.penalty * rule.waive_penalty, mode)
                - round_money(self.bill.fees * rule.waive_fees, mode))
        return owed

    def evaluate(self, rule: RungRule, periods: int) -> Evaluation:
        """The rung's proposal at a term, evaluated (once a planner)."""
        found = self._evaluations.get((id(rule), periods))
        if found is not None and found[0] is rule:
            return found[1]
        evaluation = self._evaluate(rule, periods)
        self._evaluations[(id(rule), periods)] = (rule, evaluation)
        return evaluation

    def _evaluate(self, rule: RungRule, periods: int) -> Evaluation:
        return evaluate(self.bill, self.preset, self._proposal(rule, periods, self.deferral),
                        today=self.today)

    def max_payment(self, rule: RungRule, periods: int) -> Decimal:
        """``self.evaluate(rule, periods).max_payment``, without building the schedule: an
        interest-free split (no interest asked, no deferral interest) and a fixed-fee
        installment plan have a closed form, an annuity at the contract rate is walked
        amounts only (the same value). Once a planner for the same cost, amount owed and
        term: it depends on nothing else (the waivers only change what is owed)."""
        key = (rule.cost, self.owed(rule), periods)
        largest = self._largest.get(key)
        if largest is None:
            known = self._evaluations.get((id(rule), periods))
            largest = self._largest[key] = (
                known[1].max_payment if known is not None and known[0] is rule
                else self._max_payment(rule, periods))
        return largest

    def _max_payment(self, rule: RungRule, periods: int) -> Decimal:
        # the schedule :meth:`proposal` and :func:`evaluate` build, by its closed form:
        # the product's cost is its fee table (a fixed-fee plan) or its contract rate (an
        # annuity at annual ÷ 12); no cost is an interest-free split, before or after a
        # deferral (no interest during it)
        limits = self.preset.negotiation
        if not 1 <= periods <= MAX_PERIODS or (
                self.personalised and limits.max_term_months is not None
                and periods > limits.max_term_months):
            return self.evaluate(rule, periods).max_payment  # as evaluate refuses it
        mode = self.preset.rounding.mode
        if rule.cost is Cost.PRODUCT:
            fee = self.preset.installments.total_rate(periods)
            if fee is not None:
                return fixed_fee_max_payment(self.owed(rule), periods, total_fee_rate=fee,
                                             rounding=mode)
            daily = self.preset.contract_daily_rate
            if daily is not None:
                annual = CONTEXT.multiply(daily, self.preset.day_basis.days)
                return annuity_max_payment(self.owed(rule), (annual or Decimal(0)) / 12,
                                           periods, rounding=mode)
        return _split_largest(self.owed(rule), periods, mode)

    def shortest(self, rule: RungRule, *, soft: Decimal, hard: Decimal,
                 min_periods: int = 1) -> tuple[Evaluation, bool] | None:
        """The shortest term of at least ``min_periods`` whose largest payment is at most
        ``soft``; else the longest term if its largest payment is at most ``hard``; else
        ``None``.

        Returns the evaluation and whether it met ``soft``. A schedule pays at least what it
        reschedules (no rate or fee is negative), in at most its term's payments, so its
        largest payment is at least rescheduled ÷ term: terms below rescheduled ÷ ``soft``
        are skipped, and the longest term is not tried when rescheduled ÷ it is above
        ``hard``. What a rung's proposal reschedules is what is owed after its waivers
        (:meth:`owed`: no down payment, no interest waived). A term is tried by its largest
        payment alone (:meth:`max_payment`, a closed form where there is one): only the
        answer is evaluated.
        """
        terms = self._terms_of(rule.cost)
        if min_periods > 1:  # the terms of at least min_periods, when some are shorter
            start = bisect_left(terms, min_periods)
            if 0 < start < len(terms):
                terms = terms[start:]
        owed = self.owed(rule)
        if not terms or owed <= 0:
            return None
        if soft > 0:
            # a whole number of months is at least owed ÷ soft when it is at least its ceiling
            lower = int(CONTEXT.divide(owed, soft).to_integral_value(decimal.ROUND_CEILING))
            product = rule.cost is Cost.PRODUCT
            for index in range(bisect_left(terms, lower), len(terms)):
                periods = terms[index]
                if product and self._fee_above(owed, periods, soft):
                    continue
                if self.max_payment(rule, periods) <= soft:
                    return self.evaluate(rule, periods), True
        longest = terms[-1]
        if longest <= MAX_PERIODS and CONTEXT.multiply(hard, longest) < owed:
            return None  # (a term above MAX_PERIODS is tried: evaluate refuses it)
        if self.max_payment(rule, longest) <= hard:
            return self.evaluate(rule, longest), False
        return None

    def _fee_above(self, owed: Decimal, periods: int, cap: Decimal) -> bool:
        """Whether the product's fixed-fee plan of ``periods`` payments (where its fee table
        or monthly fee gives a fee for the term) surely pays more than ``cap`` at least once,
        known from its total alone: it pays ``owed`` and a fee of ``owed`` × the total fee
        rate rounded to the fen (so at least 0.02 less than that product) in ``periods``
        payments, and the largest is at least their average."""
        fee = self.preset.installments.total_rate(periods)
        if fee is None or fee < 0:
            return False
        return CONTEXT.fma(owed, fee, owed) - _TWO_FEN > CONTEXT.multiply(cap, periods)


def _split_largest(owed: Decimal, periods: int, rounding: Rounding) -> Decimal:
    """``interest_free_max_payment(owed, periods, rounding=rounding)`` (1 to
    ``MAX_PERIODS`` periods) in integer fen: the regular share (owed ÷ periods rounded to
    the fen by the mode; rounded down instead when ``periods − 1`` of them would exceed what
    is owed) or the last period's remainder, whichever is larger. The schedules settle the
    quotient to 10 places before rounding it; a quotient of whole fen by at most
    ``MAX_PERIODS`` is never that close to a rounding boundary without being on it, so the
    settling changes nothing. An amount not exact to the fen takes the schedules' path."""
    try:
        fen = to_fen(owed)
    except InputError:
        fen = 0
    if fen <= 0:
        return interest_free_max_payment(owed, periods, rounding=rounding)
    share, rest = divmod(fen, periods)
    if rest and (rounding is Rounding.UP
                 or (rounding is Rounding.HALF_UP and 2 * rest >= periods)
                 or (rounding is Rounding.HALF_EVEN
                     and (2 * rest > periods or (2 * rest == periods and share % 2)))):
        share += 1
    if share * (periods - 1) > fen:
        share = fen // periods
    return from_fen(max(share, fen - share * (periods - 1)))


def _same(one: Evaluation, other: Evaluation) -> bool:
    return (one.schedule.periods == other.schedule.periods
            and one.max_payment == other.max_payment and one.total_paid == other.total_paid)


def _max_term(preset: Preset, rules: LadderRules) -> tuple[int, bool]:
    if preset.negotiation.max_term_months is not None:
        return preset.negotiation.max_term_months, False
    return rules.default_max_term_months, True


def _rung_reasons(
    level: Level,
    rule: RungRule,
    evaluation: Evaluation,
    shortest: bool,
    upper: Evaluation | None,
    plan: _Planner,
    share: Decimal,
    income: Decimal | None,
    assumed: bool,
    rules: LadderRules,
    *,
    usual_charges: bool,
    lifted: bool = False,
    texts: tuple[str, str] | None = None,
) -> tuple[Reason, ...]:
    """Why a rung is credible (``texts``: ``format_money`` of ``share`` and of ``income``,
    when the caller has them)."""
    share_text, income_text = texts if texts is not None else (
        format_money(share), format_money(income) if income else "")
    preset = plan.preset
    monthly = evaluation.max_payment
    periods = evaluation.schedule.periods
    method = rules.source_of("ladder")
    reasons = [_reason("SHARE_OF_AFFORDABLE", SHARE_OF_AFFORDABLE,
                      {"monthly": format_money(monthly), "affordable": share_text,
                       "percent": _percent(monthly, share)}, method)]
    if income:
        reasons.append(_reason("SHARE_OF_INCOME", SHARE_OF_INCOME,
                              {"percent": _percent(monthly, income),
                               "income": income_text}, method))
    if lifted:
        reasons.append(_reason("NO_SHORTER_THAN_ABOVE", NO_SHORTER_THAN_ABOVE,
                              {"periods": str(periods)}, method))
    elif shortest:
        reasons.append(_reason("SHORTEST_TERM", SHORTEST_TERM, {"periods": str(periods)}, method))
    else:
        reasons.append(_reason("LONGEST_TERM", LONGEST_TERM, {"periods": str(periods)}, method))
    negotiation = preset.source_of("negotiation")
    if assumed:
        reasons.append(_reason("MAX_TERM_ASSUMED", MAX_TERM_ASSUMED,
                              {"maximum": str(plan.max_term)},
                              rules.source_of("ladder.default_max_term_months")))
    else:
        reasons.append(_reason("WITHIN_PUBLISHED_MAX", WITHIN_PUBLISHED_MAX,
                              {"periods": str(periods), "maximum": str(plan.max_term)},
                              negotiation))
    if plan.personalised:
        reasons.append(_reason("ART70_MAY", ART70_MAY, {}, negotiation))
    elif evaluation.ask:
        reasons.append(_reason("NOT_PUBLISHED", NOT_PUBLISHED, {}, negotiation))
    else:
        reasons.append(_reason("PUBLISHED_TERMS", PUBLISHED_TERMS, {},
                              preset.source_of("installments")))
    conditions = rules.source_of(f"ladder.{rule.level.value}")
    if rule.cost is Cost.NONE:
        reasons.append(_reason("NO_INTEREST_ASK", NO_INTEREST_ASK, {}, conditions))
    else:
        cost_source = preset.source_of("installments" if preset.installments.fees
                                       or preset.installments.monthly_fee_rate is not None
                                       else "contract_daily_rate")
        reasons.append(_reason("PRODUCT_COST", PRODUCT_COST,
                              {"cost": format_money(evaluation.schedule.total_cost)},
                              cost_source))
    if evaluation.waived > 0:
        reasons.append(_reason("WAIVER_ASK", WAIVER_ASK,
                              {"waived": format_money(evaluation.waived)}, conditions))
    if level is Level.WALK_AWAY:
        reasons.append(_reason("WALK_AWAY_LIMIT", WALK_AWAY_LIMIT,
                              {"affordable": share_text},
                              rules.source_of("ladder.walk_away")))
        if periods == 1:
            reasons.append(_reason("ONE_PAYMENT", ONE_PAYMENT,
                                  {"monthly": format_money(monthly)}, method))
        if not usual_charges:
            reasons.append(_reason("WALK_AWAY_NEEDS_CONCESSION", WALK_AWAY_NEEDS_CONCESSION,
                                  {"maximum": str(plan.max_term)},
                                  rules.source_of("ladder.walk_away")))
    elif upper is not None:
        reasons.append(_reason("ROOM_TO_MOVE_UP", ROOM_TO_MOVE_UP,
                              {"room": format_money(upper.max_payment - monthly)}, method))
    if plan.personalised:
        reasons.append(_reason("ART70_AGREEMENT", ART70_AGREEMENT, {}, negotiation))
    return tuple(reasons)


DEFERRAL_FIRST: Final = N_(
    "Nothing to pay before {first}: until then your budget has nothing for this debt, so the "
    "first payment is on {first}. Ask for interest and charges to be frozen during the "
    "pause: no rule obliges the lender to agree.")


def _deferral_reason(evaluation: Evaluation, months: int, rules: LadderRules) -> Reason:
    first = evaluation.schedule.rows[0].due
    return _reason("DEFERRAL_FIRST", DEFERRAL_FIRST,
                  {"months": str(months), "first": first.isoformat() if first else "-"},
                  rules.source_of("ladder.breathing_space"))


SETTLEMENT_WITH_SAVINGS: Final = N_(
    "You can pay {amount} at once on {on}. Offer it to settle this debt in full: it is "
    "{percent} of the {owed} owed, so you ask for {discount} to be waived. A settlement is "
    "something to ask for: the lender may refuse or ask for more. Get the settlement and the "
    "waiver confirmed in writing, saying the debt is then closed, before you pay.")
PAY_IN_FULL_WITH_SAVINGS: Final = N_(
    "You can pay the whole {owed} at once on {on}: ask for the penalty and fees to be waived "
    "when you do, and get the amount confirmed in writing before you pay.")


@dataclass(frozen=True, slots=True)
class SettlementAsk:
    """A lump-sum settlement the person can fund from savings (an ask).

    Attributes:
        evaluation: the settlement evaluated (one payment on its day; ``waived`` is the
            discount asked).
        discount: what is asked to be waived (owed on the day − the lump sum).
        reason: what to say.
    """

    evaluation: Evaluation
    discount: Decimal
    reason: Reason


def savings_settlement(bill: Bill, preset: Preset, savings: Decimal, *, today: date,
                       on: date | None = None,
                       rules: LadderRules | None = None) -> SettlementAsk | None:
    """A settlement of this debt with ``savings`` (this debt's part of them), paid on ``on``
    (default: today): the lump sum, the discount asked and what to say; ``None`` without
    savings. Savings at least what is owed pay it in full (the penalty and fees waiver is
    then the ask).

    Example: ¥10,135 owed, ¥6,000 of savings → settle for 6,000, ask for 4,135 (40.8 %)
    to be waived; the lump sum is 59.2 % of what is owed.
    """
    amount = _amount("savings", savings)
    if amount <= 0 or bill.total <= 0:
        return None
    pay_on = today if on is None or on < today else on
    source = None if rules is None else rules.source_of("ladder")
    if amount >= bill.total:
        evaluation = evaluate(bill, preset, Proposal(Kind.SETTLEMENT,
                                                     settlement_amount=bill.total,
                                                     pay_on=pay_on), today=today)
        return SettlementAsk(evaluation=evaluation, discount=ZERO, reason=Reason(
            "PAY_IN_FULL_WITH_SAVINGS", PAY_IN_FULL_WITH_SAVINGS,
            {"owed": format_money(bill.total), "on": pay_on.isoformat()}, source))
    evaluation = evaluate(bill, preset, Proposal(Kind.SETTLEMENT, settlement_amount=amount,
                                                 pay_on=pay_on), today=today)
    discount = bill.total - amount
    return SettlementAsk(evaluation=evaluation, discount=discount, reason=Reason(
        "SETTLEMENT_WITH_SAVINGS", SETTLEMENT_WITH_SAVINGS,
        {"amount": format_money(amount), "on": pay_on.isoformat(),
         "owed": format_money(bill.total), "discount": format_money(discount),
         "percent": _percent(amount, bill.total)}, source))


def _token_rung(rules: LadderRules, share: Decimal, needed: Decimal, max_term: int) -> Rung:
    source = rules.source_of("ladder.token")
    reasons = (
        _reason("TOKEN_OFFER", TOKEN_OFFER,
               {"maximum": str(max_term), "needed": format_money(needed),
                "affordable": format_money(share), "review": str(rules.token_review_months)},
               source),
        _reason("NOT_A_RULE_HERE", NOT_A_RULE_HERE, {}, source),
    )
    return Rung(level=Level.TOKEN, label=rules.token_label, evaluation=None, monthly=share,
                reasons=reasons)


def _breathing_rung(rules: LadderRules, months: int | None = None) -> Rung:
    source = rules.source_of("ladder.breathing_space")
    reasons = (
        _reason("BREATHING_SPACE_ASK", BREATHING_SPACE_ASK,
               {"months": str(months or rules.breathing_months)}, source),
        _reason("NOT_A_RULE_HERE", NOT_A_RULE_HERE, {}, source),
    )
    return Rung(level=Level.BREATHING_SPACE, label=rules.breathing_label, evaluation=None,
                monthly=ZERO, reasons=reasons)


def _amount(field_name: str, value: Decimal | int | str) -> Decimal:
    amount = money(value, field_name)
    if amount < 0:
        raise InputError(field_name, N_("must not be negative (got {value})"), value=value)
    return amount


def _percent(part: Decimal, whole: Decimal) -> str:
    if whole <= 0:
        return "-"
    value = (CONTEXT.divide(part, whole) * 100).quantize(_PERCENT, rounding=decimal.ROUND_HALF_UP)
    text = format(value, "f")
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text}%"


# ------------------------------------------------------------------- counter-offer check


@dataclass(frozen=True, slots=True)
class Offer:
    """What the lender offered, as the person typed it.

    Give the monthly amount, a cost (annual rate, monthly fee rate or total fee rate), or
    both; with only the amount the APR is solved from the cash flows.

    Attributes:
        periods: the number of monthly payments (at least 1).
        monthly_amount: the monthly payment they stated.
        annual_rate: the interest rate a year, as a fraction (0.12 = 12 %).
        monthly_fee_rate: a fee per month as a fraction of the amount (0.0066).
        total_fee_rate: a fee over the whole term as a fraction of the amount.
        waive_penalty: share of the penalty they waive, 0 to 1.
        waive_fees: share of the fees they waive, 0 to 1.
        waive_interest: share of the interest due they waive, 0 to 1.
        down_payment: an amount to pay first ("pay 3,000 first").
        down_payment_percent: a share of what is owed after the waivers to pay first
            ("pay 10 % first" = 0.10), rounded as the lender rounds.
        method: how a rate-based plan repays principal (default: level payments, 等额本息).
        conditions: other conditions, as typed ("no new credit cards until repaid").
        deferral_months: months with nothing to pay before the payments start ("defer 2
            months, then 12 installments"): the first of the ``periods`` payments falls
            ``deferral_months + 1`` months after the start.
        token_payment: with a deferral, a small amount paid in each deferred month instead
            of nothing (a token phase); the installments then repay the rest.
        settlement_amount: a lump-sum settlement (结清): one payment of this amount settles
            the debt (``periods`` is then 1; no rate, waiver or down payment applies).
        settle_on: the day the settlement is paid (default: the start).
    """

    periods: int
    monthly_amount: Decimal | None = None
    annual_rate: Decimal | None = None
    monthly_fee_rate: Decimal | None = None
    total_fee_rate: Decimal | None = None
    waive_penalty: Decimal = Decimal(0)
    waive_fees: Decimal = Decimal(0)
    waive_interest: Decimal = Decimal(0)
    down_payment: Decimal | None = None
    down_payment_percent: Decimal | None = None
    method: Method = Method.ANNUITY
    conditions: tuple[str, ...] = ()
    deferral_months: int = 0
    token_payment: Decimal | None = None
    settlement_amount: Decimal | None = None
    settle_on: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.periods, bool) or not isinstance(self.periods, int) or not (
                1 <= self.periods <= MAX_PERIODS):
            raise InputError("periods", N_("must be a whole number from {minimum} to {maximum} "
                                           "(got {value})"),
                             minimum=1, maximum=MAX_PERIODS, value=self.periods)
        if self.monthly_amount is not None and money(self.monthly_amount,
                                                     "monthly_amount") <= 0:
            raise InputError("monthly_amount", N_("must be more than 0 (got {value})"),
                             value=self.monthly_amount)
        costs = [name for name in ("annual_rate", "monthly_fee_rate", "total_fee_rate")
                 if getattr(self, name) is not None]
        if len(costs) > 1:
            raise InputError(costs[1], N_("give only one of the annual rate, the monthly fee "
                                          "rate and the total fee rate"))
        for name in costs:
            if getattr(self, name) < 0:
                raise InputError(name, N_("must not be negative (got {value})"),
                                 value=getattr(self, name))
        for name in ("waive_penalty", "waive_fees", "waive_interest"):
            if not 0 <= getattr(self, name) <= 1:
                raise InputError(name, N_("must be between 0 and 1 (got {value})"),
                                 value=getattr(self, name))
        if self.down_payment is not None and self.down_payment_percent is not None:
            raise InputError("down_payment", N_("give the first payment as an amount or as a "
                                                "percentage, not both"))
        if self.down_payment is not None and money(self.down_payment, "down_payment") < 0:
            raise InputError("down_payment", N_("must not be negative (got {value})"),
                             value=self.down_payment)
        if self.down_payment_percent is not None and not 0 <= self.down_payment_percent < 1:
            raise InputError("down_payment_percent",
                             N_("must be at least 0 and less than 1 (got {value})"),
                             value=self.down_payment_percent)
        for condition in self.conditions:
            if not isinstance(condition, str) or not condition.strip():
                raise InputError("conditions", N_("a condition must be a non-empty text"))
        self._check_phases()

    def _check_phases(self) -> None:
        if isinstance(self.deferral_months, bool) or not isinstance(
                self.deferral_months, int) or not 0 <= self.deferral_months <= MAX_PERIODS:
            raise InputError("deferral_months", N_("must be a whole number from {minimum} to "
                                                   "{maximum} (got {value})"),
                             minimum=0, maximum=MAX_PERIODS, value=self.deferral_months)
        if self.token_payment is not None:
            if money(self.token_payment, "token_payment") <= 0:
                raise InputError("token_payment", N_("must be more than 0 (got {value})"),
                                 value=self.token_payment)
            if not self.deferral_months:
                raise InputError("token_payment", N_("applies only with a deferral"))
        if self.settle_on is not None and self.settlement_amount is None:
            raise InputError("settle_on", N_("give the settlement amount too"))
        if self.settlement_amount is None:
            return
        if money(self.settlement_amount, "settlement_amount") <= 0:
            raise InputError("settlement_amount", N_("must be more than 0 (got {value})"),
                             value=self.settlement_amount)
        given = [name for name in ("monthly_amount", "annual_rate", "monthly_fee_rate",
                                   "total_fee_rate", "down_payment", "down_payment_percent",
                                   "token_payment") if getattr(self, name) is not None]
        given += [name for name in ("waive_penalty", "waive_fees", "waive_interest",
                                    "deferral_months") if getattr(self, name)]
        if given:
            raise InputError(given[0], N_("does not apply to a settlement (one lump sum)"))
        if self.periods != 1:
            raise InputError("periods", N_("a settlement is one payment (got {value})"),
                             value=self.periods)

    @property
    def settlement(self) -> bool:
        """Whether the offer is a lump-sum settlement."""
        return self.settlement_amount is not None

    @property
    def has_cost(self) -> bool:
        """Whether a rate or fee was given."""
        return (self.annual_rate is not None or self.monthly_fee_rate is not None
                or self.total_fee_rate is not None)


@dataclass(frozen=True, slots=True)
class Comparison:
    """The offer against one rung: offer minus rung (positive = the offer asks more).

    Attributes:
        level: the rung.
        monthly_difference: the offer's largest payment minus the rung's.
        total_difference: the offer's total paid minus the rung's.
        periods_difference: the offer's term minus the rung's.
    """

    level: Level
    monthly_difference: Decimal
    total_difference: Decimal
    periods_difference: int


@dataclass(frozen=True, slots=True)
class OfferCheck:
    """The answer to "is this offer good for me?".

    Attributes:
        offer: the offer checked.
        evaluation: the evaluated schedule when a rate or fee (or neither amount nor rate)
            was given; ``None`` when the APR was solved from the monthly amount.
        waived: the amount the offer waives.
        owed: what is owed after the waivers.
        down_payment: paid first.
        rescheduled: owed − down payment: what the payments repay.
        payments: the monthly payments in order.
        dates: the date of each flow: today (the down payment), then each payment.
        monthly: the regular payment (the most frequent one).
        max_payment: the largest monthly payment.
        total_paid: down payment + every payment.
        cost_over_principal: total paid − the bill's principal.
        extra_over_bill: total paid − what is owed today (negative when waivers outweigh
            the cost of the plan).
        apr_nominal: monthly IRR × 12 (``None`` when it cannot be computed).
        apr_effective: (1 + monthly IRR)^12 − 1.
        implied: True when the APR was solved from the stated monthly amount.
        affordable: the payments and the down payment both fit.
        monthly_gap: largest payment − affordable share (positive: over budget by this).
        down_payment_gap: down payment − what can be paid at once (positive: too much).
        verdict: the short answer.
        comparisons: against each rung of the ladder that has a schedule.
        advice: what to say next, in order; always includes asking for written
            confirmation.
    """

    offer: Offer
    evaluation: Evaluation | None
    waived: Decimal
    owed: Decimal
    down_payment: Decimal
    rescheduled: Decimal
    payments: tuple[Decimal, ...]
    dates: tuple[date, ...]
    monthly: Decimal
    max_payment: Decimal
    total_paid: Decimal
    cost_over_principal: Decimal
    extra_over_bill: Decimal
    apr_nominal: Decimal | None
    apr_effective: Decimal | None
    implied: bool
    affordable: bool
    monthly_gap: Decimal
    down_payment_gap: Decimal
    verdict: Verdict
    comparisons: tuple[Comparison, ...]
    advice: tuple[Reason, ...]


def check_offer(
    bill: Bill,
    preset: Preset,
    offer: Offer,
    affordable: Decimal,
    ladder: Ladder,
    *,
    today: date,
    lump_sum: Decimal | None = None,
    law: RateLaw | None = None,
    fixings: Sequence[LprFixing] = (),
    pay_from: date | None = None,
) -> OfferCheck:
    """Check a lender's offer against the budget and the ladder.

    Args:
        bill: what is owed today, by component.
        preset: the product's rules (rounding).
        offer: the offer.
        affordable: the monthly amount the budget gives this debt.
        ladder: this debt's ladder (:func:`build_ladder`).
        today: the date the offer would start.
        lump_sum: what the person can pay at once for a first payment; by default one
            month's affordable share.
        law: the legal rate rules (``_lpr.toml``); with ``fixings``, the offer's APR is
            compared with the reference that applies to the lender type (the court reference
            for licensed lenders, the LPR multiple for private lending) and an offer above it
            is never called acceptable (verdict ``overpriced`` when it fits the budget).
        fixings: the 1-year LPR fixings (for the private-lending limit on ``today``).
        pay_from: the first day the person has money for this debt (the budget has nothing
            for it before); an offer asking for a payment before it is not acceptable as it
            stands: the advice asks for the payments to start then.

    Returns:
        The figures, the verdict and the advice.

    Raises:
        InputError: a value is out of range ("affordable", "lump_sum", "down_payment" not
            below what is owed, nothing owed after the waivers …).
    """
    share = _amount("affordable", affordable)
    at_once = share if lump_sum is None else _amount("lump_sum", lump_sum)
    if offer.settlement_amount is not None:
        return _check_settlement(bill, preset, offer, at_once, today)
    mode = preset.rounding.mode
    waived = (round_money(bill.penalty * offer.waive_penalty, mode)
              + round_money(bill.fees * offer.waive_fees, mode)
              + round_money(bill.interest * offer.waive_interest, mode))
    owed = bill.total - waived
    if owed <= 0:
        raise InputError("amount", N_("nothing is owed on this debt after the waivers"))
    if offer.down_payment is not None:
        down = money(offer.down_payment, "down_payment")
    elif offer.down_payment_percent is not None:
        down = round_money(owed * offer.down_payment_percent, mode)
    else:
        down = ZERO
    if down >= owed:
        raise InputError("down_payment",
                         N_("must be at least 0 and less than the {owed} owed (got {value})"),
                         owed=format_money(owed), value=format_money(down))
    rescheduled = owed - down
    notes: list[Reason] = []

    evaluation: Evaluation | None = None
    if offer.has_cost or offer.monthly_amount is None:
        evaluation = evaluate(bill, preset, _offer_proposal(offer, down, offer.periods),
                              today=today)
        payments = tuple(row.payment for row in evaluation.schedule.rows)
        dates = evaluation.dates
        apr_nominal, apr_effective = evaluation.apr_nominal, evaluation.apr_effective
        implied = False
        if offer.monthly_amount is None:
            if not offer.has_cost:
                notes.append(Reason("NO_AMOUNT_GIVEN", NO_AMOUNT_GIVEN))
        elif abs(evaluation.monthly_amount - offer.monthly_amount) > (
                ladder.rules.mismatch_tolerance):
            notes.append(Reason("FIGURES_DIFFER", FIGURES_DIFFER,
                                {"stated": format_money(offer.monthly_amount),
                                 "computed": format_money(evaluation.monthly_amount)}))
    else:
        stated = money(offer.monthly_amount, "monthly_amount")
        skip = offer.deferral_months
        lead = (() if offer.token_payment is None
                else (money(offer.token_payment, "token_payment"),) * skip)
        payments = (*lead, *((stated,) * offer.periods))
        first = 1 if lead else skip + 1  # the month of the first payment
        dates = (today, *(add_months(today, k) for k in range(first, first + len(payments))))
        rates = annualised((-rescheduled, *((ZERO,) * (first - 1)), *payments))
        apr_nominal, apr_effective = rates.nominal, rates.effective
        implied = True
    scheduled = sum(payments, ZERO)
    total_paid = down + scheduled
    if scheduled < rescheduled:
        notes.append(Reason("PAYMENTS_BELOW_OWED", PAYMENTS_BELOW_OWED,
                            {"total": format_money(scheduled),
                             "owed": format_money(rescheduled)}))
    largest = max(payments)
    if offer.monthly_amount is not None:
        largest = max(largest, money(offer.monthly_amount, "monthly_amount"))
    monthly_gap = largest - share
    down_gap = down - at_once
    monthly_ok = monthly_gap <= 0
    down_ok = down_gap <= 0

    verdict = Verdict.AFFORDABLE
    primary: list[Reason] = []
    price = None
    if law is not None and fixings and apr_nominal is not None:
        price = _price_check(bill, preset, offer, down, len(payments), apr_nominal,
                             apr_effective, law, fixings, today)
    amounts = {"monthly": format_money(largest), "affordable": format_money(share),
               "gap": format_money(monthly_gap)}
    if not monthly_ok:
        fit = _longer_term(bill, preset, offer, down, rescheduled,
                           apr_nominal if implied else None, share, ladder.max_term, today)
        if fit is not None:
            verdict = Verdict.ASK_CHANGES
            primary.append(Reason("ASK_LONGER_TERM", ASK_LONGER_TERM,
                                  {**amounts, "periods": str(fit.schedule.periods),
                                   "fit_monthly": format_money(fit.max_payment)}))
        else:
            verdict = Verdict.UNAFFORDABLE
            primary.append(Reason("DECLINE_UNAFFORDABLE", DECLINE_UNAFFORDABLE,
                                  {**amounts, "maximum": str(ladder.max_term)}))
            primary.append(_counter(ladder))
    if not down_ok:
        if verdict is Verdict.AFFORDABLE:
            verdict = Verdict.ASK_CHANGES
        primary.append(Reason("ASK_LOWER_DOWN_PAYMENT", ASK_LOWER_DOWN_PAYMENT,
                              {"down": format_money(down), "can_pay": format_money(at_once)}))
    early = [day for day, payment in zip(dates[1:], payments, strict=False)
             if pay_from is not None and day < pay_from and payment > 0]
    if pay_from is not None and (early or (down > 0 and today < pay_from)):
        earliest = min([*early, *([today] if down > 0 else [])])
        primary.insert(0, Reason("ASK_LATER_START", ASK_LATER_START,
                                 {"first": earliest.isoformat(), "start": pay_from.isoformat()}))
        if verdict is Verdict.AFFORDABLE:
            verdict = Verdict.ASK_CHANGES
    if price is not None and price[0]:
        primary.insert(0, price[1])
        if verdict is Verdict.AFFORDABLE:
            verdict = Verdict.OVERPRICED
            primary.append(_counter(ladder))
    elif price is not None:
        notes.insert(0, price[1])
    if verdict is Verdict.AFFORDABLE:
        walk = ladder.rung(Level.WALK_AWAY)
        if walk is not None and walk.total_paid is not None and total_paid > walk.total_paid:
            primary.append(Reason("ASK_FOR_BETTER", ASK_FOR_BETTER,
                                  {"extra": format_money(total_paid - walk.total_paid),
                                   "periods": str(walk.periods),
                                   "monthly": format_money(walk.monthly)}))
        primary.append(Reason("ACCEPT_AND_CONFIRM_IN_WRITING", ACCEPT_AND_CONFIRM_IN_WRITING,
                              {"monthly": format_money(largest),
                               "affordable": format_money(share)}))
    conditions = [Reason("CHECK_CONDITION", CHECK_CONDITION, {"condition": condition.strip()})
                  for condition in offer.conditions]
    closing = ([] if verdict is Verdict.AFFORDABLE
               else [Reason("CONFIRM_IN_WRITING", CONFIRM_IN_WRITING)])
    advice = primary + notes + conditions + closing

    comparisons = tuple(
        Comparison(level=rung.level, monthly_difference=largest - rung.monthly,
                   total_difference=total_paid - rung.evaluation.total_paid,
                   periods_difference=len(payments) - rung.periods)
        for rung in ladder.rungs if rung.evaluation is not None)
    counts: dict[Decimal, int] = {}
    for payment in payments:
        counts[payment] = counts.get(payment, 0) + 1
    regular = max(payments, key=lambda payment: (counts[payment], payment))
    return OfferCheck(
        offer=offer, evaluation=evaluation, waived=waived, owed=owed, down_payment=down,
        rescheduled=rescheduled, payments=payments, dates=tuple(dates), monthly=regular,
        max_payment=largest, total_paid=total_paid,
        cost_over_principal=total_paid - bill.principal, extra_over_bill=total_paid - bill.total,
        apr_nominal=apr_nominal, apr_effective=apr_effective, implied=implied,
        affordable=monthly_ok and down_ok, monthly_gap=monthly_gap, down_payment_gap=down_gap,
        verdict=verdict, comparisons=comparisons, advice=tuple(advice))


def _check_settlement(bill: Bill, preset: Preset, offer: Offer, at_once: Decimal,
                      today: date) -> OfferCheck:
    """A lump-sum settlement offer: one payment on its day, against what can be paid at once
    by then (``at_once``); ``bill`` is what is owed on the day it is paid, so the discount is
    what that day's bill leaves out."""
    evaluation = evaluate(bill, preset, _offer_proposal(offer, ZERO, 1), today=today)
    amount = evaluation.total_paid
    on = evaluation.dates[-1]
    waived = max(bill.total - amount, ZERO)
    fits = amount <= at_once
    params = {"amount": format_money(amount), "on": on.isoformat(),
              "owed": format_money(bill.total), "discount": format_money(waived),
              "can_pay": format_money(at_once)}
    advice: tuple[Reason, ...]
    if fits:
        advice = (Reason("SETTLEMENT_FITS", SETTLEMENT_FITS, params),)
    else:
        advice = (Reason("SETTLEMENT_ABOVE_MEANS", SETTLEMENT_ABOVE_MEANS, params),
                  Reason("CONFIRM_IN_WRITING", CONFIRM_IN_WRITING))
    return OfferCheck(
        offer=offer, evaluation=evaluation, waived=waived, owed=amount, down_payment=ZERO,
        rescheduled=amount, payments=(amount,), dates=(today, on), monthly=amount,
        max_payment=amount, total_paid=amount, cost_over_principal=amount - bill.principal,
        extra_over_bill=amount - bill.total, apr_nominal=None, apr_effective=None,
        implied=False, affordable=fits, monthly_gap=amount - at_once, down_payment_gap=ZERO,
        verdict=Verdict.AFFORDABLE if fits else Verdict.UNAFFORDABLE, comparisons=(),
        advice=advice)


def offer_phases(check: OfferCheck) -> tuple[Phase, ...]:
    """The phases of a checked offer (a first payment, a deferral or token phase, the
    installments, or the settlement), from its dated payments."""
    start, *days = check.dates
    offer = check.offer
    return phases(start, list(zip(days, check.payments, strict=True)),
                  down=check.down_payment, deferral_months=offer.deferral_months,
                  token=offer.token_payment is not None, settlement=offer.settlement)


def _price_check(bill: Bill, preset: Preset, offer: Offer, down: Decimal, periods: int,
                 apr_nominal: Decimal, apr_effective: Decimal | None, law: RateLaw,
                 fixings: Sequence[LprFixing], today: date) -> tuple[bool, Reason] | None:
    """The offer's APR against the legal reference for the lender's type, formed today:
    (above it?, what to say), or ``None`` when no reference applies to this lender type.

    The figures (the reference, the LPR multiple, the LPR) come from the law data; what to
    ask instead is the same term at the reference rate (the same waivers and first payment).
    """
    check = check_rate(max(apr_nominal, ZERO), today, preset.lender_type, fixings, law=law)
    private = check.bound_by_4x_lpr
    court = preset.lender_type in law.court_reference_for
    if not private and not court:
        return None
    limit = check.cap_4x_lpr if private else law.court_reference
    source = law.sources.get("lpr_multiple" if private else "court_reference")
    params = {"rate": _rate_text(apr_nominal),
              "effective": _rate_text(apr_effective if apr_effective is not None
                                      else apr_nominal),
              "reference": _rate_text(law.court_reference), "cap": _rate_text(check.cap_4x_lpr),
              "multiple": format(law.lpr_multiple.normalize(), "f"),
              "lpr": _rate_text(check.lpr.rate), "lpr_from": check.lpr.effective_from.isoformat()}
    if apr_nominal <= limit:
        code = "RATE_WITHIN_PRIVATE_CAP" if private else "RATE_WITHIN_COURT_REFERENCE"
        message = RATE_WITHIN_PRIVATE_CAP if private else RATE_WITHIN_COURT_REFERENCE
        return False, Reason(code, message, params, source)
    fair = replace(offer, annual_rate=limit, monthly_fee_rate=None, total_fee_rate=None,
                   monthly_amount=None, down_payment=down, down_payment_percent=None)
    fit = evaluate(bill, preset, _offer_proposal(fair, down, max(periods, 1)), today=today)
    params |= {"fit_monthly": format_money(fit.max_payment),
               "periods": str(fit.schedule.periods)}
    code = "RATE_ABOVE_PRIVATE_CAP" if private else "RATE_ABOVE_COURT_REFERENCE"
    message = RATE_ABOVE_PRIVATE_CAP if private else RATE_ABOVE_COURT_REFERENCE
    return True, Reason(code, message, params, source)


def _rate_text(rate: Decimal) -> str:
    """``Decimal("0.24")`` → ``"24.00%"`` (two places, half up)."""
    value = CONTEXT.multiply(rate, 100).quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
    return f"{value}%"


def _offer_proposal(offer: Offer, down: Decimal, periods: int,
                    implied_annual: Decimal | None = None) -> Proposal:
    """The offer as a proposal at ``periods`` months; a total fee keeps its monthly
    equivalent, and an implied rate (never below 0) replaces a missing cost."""
    total_fee = offer.total_fee_rate
    if total_fee is not None and periods != offer.periods:
        total_fee = CONTEXT.divide(CONTEXT.multiply(total_fee, periods), offer.periods)
    annual = offer.annual_rate
    if implied_annual is not None:
        annual = max(implied_annual, Decimal(0))
    elif not offer.has_cost:
        annual = Decimal(0)
    if offer.settlement_amount is not None:
        return Proposal(Kind.SETTLEMENT, settlement_amount=offer.settlement_amount,
                        pay_on=offer.settle_on)
    return Proposal(Kind.DEFERRAL if offer.deferral_months else Kind.INSTALLMENTS,
                    periods=periods, annual_rate=annual,
                    monthly_fee_rate=offer.monthly_fee_rate, total_fee_rate=total_fee,
                    waive_penalty=offer.waive_penalty, waive_fees=offer.waive_fees,
                    waive_interest=offer.waive_interest, down_payment=down,
                    method=offer.method, deferral_months=offer.deferral_months,
                    token_payment=offer.token_payment or Decimal("0.00"))


def _longer_term(bill: Bill, preset: Preset, offer: Offer, down: Decimal,
                 rescheduled: Decimal, implied_annual: Decimal | None, share: Decimal,
                 max_term: int, today: date) -> Evaluation | None:
    """The shortest term longer than the offer's, up to ``max_term``, whose largest payment
    fits ``share`` on the offer's terms (``None`` if none does). Terms shorter than
    rescheduled ÷ share cannot fit and are skipped."""
    if share <= 0:
        return None
    lower = CONTEXT.divide(rescheduled, share)
    for periods in range(offer.periods + 1, max_term + 1):
        if periods < lower:
            continue
        evaluation = evaluate(bill, preset,
                              _offer_proposal(offer, down, periods, implied_annual), today=today)
        if evaluation.max_payment <= share:
            return evaluation
    return None


def _counter(ladder: Ladder) -> Reason:
    walk = ladder.rung(Level.WALK_AWAY)
    if walk is not None:
        return Reason("COUNTER_WITH_PLAN", COUNTER_WITH_PLAN,
                      {"monthly": format_money(walk.monthly), "periods": str(walk.periods)})
    if ladder.outcome is LadderOutcome.TOKEN:
        return Reason("COUNTER_WITH_TOKEN", COUNTER_WITH_TOKEN,
                      {"monthly": format_money(ladder.affordable),
                       "review": str(ladder.rules.token_review_months)},
                      ladder.rules.source_of("ladder.token"))
    return Reason("COUNTER_WITH_BREATHING_SPACE", COUNTER_WITH_BREATHING_SPACE,
                  {"months": str(ladder.rules.breathing_months)},
                  ladder.rules.source_of("ladder.breathing_space"))


# ---------------------------------------------------------------------- they said no


@dataclass(frozen=True, slots=True)
class Move:
    """A next move with the person's numbers filled in.

    Attributes:
        code: ``REVISED_OFFER``, ``REVISED_OFFER_NO_ROOM``, ``REVISED_OFFER_GENERAL`` or the
            kind in capitals (``BETTER_EVIDENCE`` …).
        kind: the kind of move.
        text: what to do (zh + en) with ``{placeholders}``.
        params: the placeholder values (amounts formatted).
        source: where the advice comes from.
        materials: the materials it calls for (those that fit the product and reasons).
        official: the official channels it points to.
        channels: the lender's own channels it suggests.
    """

    code: str
    kind: MoveKind
    text: Text
    params: Mapping[str, str]
    source: Source
    materials: tuple[Material, ...] = ()
    official: tuple[OfficialChannel, ...] = ()
    channels: tuple[Channel, ...] = ()

    def render(self, lang: str) -> str:
        """The text in a language (``zh``/``en``) with the parameters filled in."""
        return fill(self.text.get(lang), self.params)


def next_moves(
    reason: str,
    preset: Preset,
    ladder: Ladder | None,
    data: NegotiationData,
    *,
    refused: Level | str = Level.ASK,
    hardship: Sequence[str] = (),
) -> tuple[Move, ...]:
    """The next moves after a refusal, with the person's numbers.

    Args:
        reason: the refusal id (``no_hardship_proof``, ``offer_too_low``,
            ``term_too_long``, ``not_eligible``, ``app_only``).
        preset: the product (its kind filters the moves and materials; its channels are
            suggested as other channels).
        ladder: the debt's ladder, if built: a revised offer is the next rung above
            ``refused``.
        data: the negotiation data.
        refused: the rung the lender refused (default: the first ask).
        hardship: the person's hardship reason ids (filter the materials; empty: all).

    Raises:
        InputError: an unknown ``reason``, ``refused`` level or hardship reason.
    """
    refusal = data.refusal(reason)
    try:
        refused_level = Level(refused)
    except ValueError:
        allowed = ", ".join(level.value for level in Level)
        raise InputError("refused", N_("must be one of {allowed} (got {value})"),
                         allowed=allowed, value=refused) from None
    known = {item.id for item in data.hardship_reasons}
    for item in hardship:
        if item not in known:
            raise InputError("hardship", N_("'{value}' is not a hardship reason; known: "
                                            "{known}"), value=item, known=", ".join(known))
    kind = preset.product_kind
    moves: list[Move] = []
    for spec in refusal.moves:
        if spec.product_kinds and kind not in spec.product_kinds:
            continue
        materials = tuple(material for material in (data.material(m) for m in spec.materials)
                          if material.applies(kind, hardship or material.reasons))
        official = tuple(data.channel(c) for c in spec.official)
        channels = tuple(channel for channel in preset.channels
                         if spec.kind is MoveKind.OTHER_CHANNEL
                         and channel.kind not in spec.exclude_channels)
        code, text = spec.kind.value.upper(), spec.text
        params: dict[str, str] = {}
        if spec.kind is MoveKind.REVISED_OFFER:
            code, text, params = _revised(spec, ladder, refused_level)
        moves.append(Move(code=code, kind=spec.kind, text=text, params=params,
                          source=spec.source, materials=materials, official=official,
                          channels=channels))
    return tuple(moves)


def _revised(spec: MoveSpec, ladder: Ladder | None,
             refused: Level) -> tuple[str, Text, dict[str, str]]:
    if spec.text_no_room is None:
        raise StateError("spec.text_no_room")
    if spec.text_general is None:
        raise StateError("spec.text_general")
    if ladder is None:
        return "REVISED_OFFER_GENERAL", spec.text_general, {}
    upper = ladder.above(refused)
    if upper is None or upper.evaluation is None:
        return ("REVISED_OFFER_NO_ROOM", spec.text_no_room,
                {"affordable": format_money(ladder.affordable)})
    return ("REVISED_OFFER", spec.text,
            {"monthly": format_money(upper.monthly), "periods": str(upper.periods),
             "total": format_money(upper.evaluation.total_paid)})


def materials_for(data: NegotiationData, kind: ProductKind | str,
                  reasons: Sequence[str] = ()) -> tuple[Material, ...]:
    """The materials checklist for a kind of product and the person's hardship reasons
    (empty: the items every case needs plus every reason's items).

    Raises:
        InputError: an unknown product kind or hardship reason.
    """
    try:
        product = ProductKind(kind)
    except ValueError:
        allowed = ", ".join(member.value for member in ProductKind)
        raise InputError("product_kind", N_("must be one of {allowed} (got {value})"),
                         allowed=allowed, value=kind) from None
    known = {item.id for item in data.hardship_reasons}
    for reason in reasons:
        if reason not in known:
            raise InputError("hardship", N_("'{value}' is not a hardship reason; known: "
                                            "{known}"), value=reason, known=", ".join(known))
    return tuple(item for item in data.materials
                 if item.applies(product, reasons or item.reasons))


# ------------------------------------------------------------------------------ parsing


def parse_negotiation_data(text: str, source: str) -> NegotiationData:
    """Validate the TOML ``text`` of ``_negotiation.toml`` (named ``source``).

    Checks, beside the types: fractions are above 0 and at most 1, and do not fall up the
    ladder (ask ≤ fallback ≤ walk-away); waivers are 0 to 1 and do not grow up the ladder;
    ids are unique; every reference (materials, official channels, hardship reasons) exists;
    a revised-offer move has its three texts; every item and every ladder table cites a
    source, and a V or S source gives an address.

    Raises:
        PresetError: naming ``source`` and the dotted field of the first problem.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(source, "", N_("is not valid TOML: {error}"), error=str(error)) from None
    top = TableReader(source, data)
    top.integer("schema", minimum=1, maximum=_SCHEMA)
    sources = read_sources(top)
    ladder = _ladder(top, sources)
    reasons = tuple(_hardship(reader) for reader in top.tables("hardship_reasons"))
    _unique(top, "hardship_reasons", [item.id for item in reasons])
    materials = tuple(_material(reader, {r.id for r in reasons})
                      for reader in top.tables("materials"))
    _unique(top, "materials", [item.id for item in materials])
    official = tuple(_official(reader) for reader in top.tables("official"))
    _unique(top, "official", [item.id for item in official])
    refusals = tuple(_refusal(reader, {m.id for m in materials}, {o.id for o in official})
                     for reader in top.tables("refusals"))
    _unique(top, "refusals", [item.id for item in refusals])
    rights = _card(top, "rights")
    scam = _card(top, "scam")
    top.done()
    for key in ("ladder", "ladder.ask", "ladder.fallback", "ladder.walk_away", "ladder.token",
                "ladder.breathing_space", "ladder.default_max_term_months"):
        if key not in sources:
            raise PresetError(source, f"sources.{key}",
                              N_("is missing: every parameter must cite its source"))
    for key in sources:
        section, _, rest = key.partition(".")
        if section != "ladder" or (rest and rest not in data["ladder"]):
            raise PresetError(source, f"sources.{key}", N_("names a parameter the file lacks"))
    for name, items in (("hardship_reasons", reasons), ("materials", materials),
                        ("refusals", refusals), ("official", official)):
        if not items:
            raise top.fail(name, N_("must list at least one item"))
    return NegotiationData(ladder=ladder, hardship_reasons=reasons, materials=materials,
                           refusals=refusals, rights=rights, scam=scam, official=official,
                           origin=source)


def _ladder(top: TableReader, sources: Mapping[str, Source]) -> LadderRules:
    sub = top.table("ladder", required=True)
    if sub is None:
        raise StateError("sub")
    rungs = {level: _rung_rule(sub, level)
             for level in (Level.ASK, Level.FALLBACK, Level.WALK_AWAY)}
    token = sub.table("token", required=True)
    breathing = sub.table("breathing_space", required=True)
    if token is None:
        raise StateError("token")
    if breathing is None:
        raise StateError("breathing")
    rules = LadderRules(
        ask=rungs[Level.ASK],
        fallback=rungs[Level.FALLBACK],
        walk_away=rungs[Level.WALK_AWAY],
        token_label=_text(token, "label"),
        token_review_months=token.integer("review_months", minimum=1, maximum=24),
        breathing_label=_text(breathing, "label"),
        breathing_months=breathing.integer("months", minimum=1, maximum=24),
        default_max_term_months=sub.integer("default_max_term_months", minimum=1,
                                            maximum=MAX_PERIODS),
        mismatch_tolerance=sub.decimal("mismatch_tolerance", maximum=Decimal(1000)),
        sources=dict(sources),
    )
    token.done()
    breathing.done()
    sub.done()
    order = (rules.ask, rules.fallback, rules.walk_away)
    for lower, upper in itertools.pairwise(order):
        where = f"ladder.{upper.level.value}"
        if upper.fraction < lower.fraction:
            raise PresetError(top.source, f"{where}.fraction",
                              N_("must not be below the fraction of the rung under it "
                                 "({value})"), value=lower.fraction)
        for name in ("waive_penalty", "waive_fees"):
            if getattr(upper, name) > getattr(lower, name):
                raise PresetError(top.source, f"{where}.{name}",
                                  N_("must not ask for more than the rung under it ({value})"),
                                  value=getattr(lower, name))
        if upper.cost is Cost.NONE and lower.cost is Cost.PRODUCT:
            raise PresetError(top.source, f"{where}.cost",
                              N_("must not ask for more than the rung under it ({value})"),
                              value=lower.cost.value)
    return rules


def _rung_rule(sub: TableReader, level: Level) -> RungRule:
    reader = sub.table(level.value, required=True)
    if reader is None:
        raise StateError("reader")
    fraction = reader.decimal("fraction", maximum=_ONE)
    if fraction <= 0:
        raise reader.fail("fraction", N_("must be more than 0, got {value}"), value=fraction)
    rule = RungRule(level=level, label=_text(reader, "label"), fraction=fraction,
                    waive_penalty=reader.decimal("waive_penalty", maximum=_ONE),
                    waive_fees=reader.decimal("waive_fees", maximum=_ONE),
                    cost=reader.choice("cost", Cost))
    reader.done()
    return rule


def _hardship(reader: TableReader) -> HardshipReason:
    result = HardshipReason(id=_id(reader), label=_text(reader, "label"))
    reader.done()
    return result


def _material(reader: TableReader, reasons: set[str]) -> Material:
    result = Material(id=_id(reader), label=_text(reader, "label"),
                      detail=_text(reader, "detail"),
                      product_kinds=_kinds(reader),
                      reasons=frozenset(_ids(reader, "reasons", reasons)),
                      source=_source(reader))
    reader.done()
    return result


def _official(reader: TableReader) -> OfficialChannel:
    result = OfficialChannel(id=_id(reader), name=_text(reader, "name"),
                             value=reader.raw("value", "", kind=str),
                             hours=reader.localized("hours", required=False),
                             good_for=_text(reader, "good_for"), source=_source(reader))
    reader.done()
    return result


def _refusal(reader: TableReader, materials: set[str], official: set[str]) -> Refusal:
    moves = tuple(_move(item, materials, official) for item in reader.tables("moves"))
    if not moves:
        raise reader.fail("moves", N_("must list at least one item"))
    result = Refusal(id=_id(reader), label=_text(reader, "label"),
                     cause=_text(reader, "cause"), source=_source(reader), moves=moves)
    reader.done()
    return result


def _move(reader: TableReader, materials: set[str], official: set[str]) -> MoveSpec:
    kind = reader.choice("kind", MoveKind)
    revised = kind is MoveKind.REVISED_OFFER
    no_room = reader.localized("text_no_room", required=revised)
    general = reader.localized("text_general", required=revised)
    if not revised and (no_room is not None or general is not None):
        raise reader.fail("text_no_room" if no_room is not None else "text_general",
                          N_("applies only to a revised_offer move"))
    result = MoveSpec(kind=kind, text=_text(reader, "text"), source=_source(reader),
                      text_no_room=no_room, text_general=general,
                      materials=_ids(reader, "materials", materials),
                      official=_ids(reader, "official", official),
                      exclude_channels=_ids(reader, "exclude_channels", None),
                      product_kinds=_kinds(reader))
    reader.done()
    return result


def _card(top: TableReader, name: str) -> Card:
    sub = top.table(name, required=True)
    if sub is None:
        raise StateError("sub")
    items = []
    for reader in sub.tables("items"):
        items.append(CardItem(id=_id(reader), text=_text(reader, "text"),
                              source=_source(reader), product_kinds=_kinds(reader),
                              lender_types=_lender_types(reader),
                              rule=reader.localized("rule", required=False)))
        reader.done()
    if not items:
        raise sub.fail("items", N_("must list at least one item"))
    _unique(sub, "items", [item.id for item in items])
    card = Card(title=_text(sub, "title"), intro=_text(sub, "intro"), items=tuple(items))
    sub.done()
    return card


def _text(reader: TableReader, key: str) -> Text:
    value = reader.localized(key)
    if value is None:
        raise StateError("value")
    return value


def _id(reader: TableReader) -> str:
    value = reader.text("id")
    if not value.isascii() or not value.replace("_", "").isalnum() or value != value.lower():
        raise reader.fail("id", N_("must be lower-case letters, digits and _, got {value!r}"),
                          value=value)
    return value


def _ids(reader: TableReader, key: str, known: set[str] | None) -> tuple[str, ...]:
    values = reader.raw(key, [], kind=list)
    for index, value in enumerate(values):
        if not isinstance(value, str) or (known is not None and value not in known):
            raise PresetError(reader.source, f"{reader.path}.{key}[{index}]",
                              N_("'{value}' is not a known id"), value=value)
    return tuple(values)


def _kinds(reader: TableReader) -> frozenset[ProductKind]:
    return reader.choices("product_kinds", ProductKind, [])


def _lender_types(reader: TableReader) -> frozenset[LenderType]:
    return reader.choices("lender_types", LenderType, [])


def _source(reader: TableReader) -> Source:
    sub = reader.table("source", required=True)
    if sub is None:
        raise StateError("sub")
    urls = sub.raw("urls", [], kind=list)
    for index, url in enumerate(urls):
        if not isinstance(url, str) or not url.strip():
            raise PresetError(sub.source, f"{sub.path}.urls[{index}]",
                              N_("must be a non-empty text"))
    confidence = sub.choice("confidence", Confidence)
    note = sub.raw("note", "", kind=str)
    if confidence in (Confidence.VERIFIED, Confidence.SECONDARY) and not urls:
        raise sub.fail("urls", N_("a {mark} source needs at least one address"),
                       mark=confidence.value)
    if not urls and not note:
        raise sub.fail("note", N_("say why there is no address"))
    result = Source(confidence=confidence, urls=tuple(urls), note=note, ref=sub.text("ref"))
    sub.done()
    return result


def _unique(reader: TableReader, key: str, ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise reader.fail(key, N_("uses the id {value!r} twice"), value=value)
        seen.add(value)



# ------------------------------------------------------- installment loans (issue 12)
# Kept apart from the ladder above: a loan whose regular installments keep running has two
# things to negotiate, and each is checked against the person's share.


@dataclass(frozen=True, slots=True)
class LoanLadders:
    """The two ladders of an installment loan with regular installments still to come.

    Attributes:
        regular: the regular installment that keeps falling due every month while the
            arrears are brought current.
        arrears: "bring the arrears current" — the overdue installments and their charges,
            rescheduled with what the share leaves after the regular installment (so an ask
            plus the regular installment never exceeds the share).
        whole: "reschedule the whole balance" — the arrears and the principal not yet due,
            in one new schedule within the whole share.
        whole_bill: what the whole-balance ladder reschedules.
        regular_shift: months the regular installments are taken to move back while the
            arrears are deferred (0: they keep their dates). See :data:`REGULAR_SHIFTED`.
        regular_next: the next regular installment's date, moved back by ``regular_shift``
            (``None`` when not given).
    """

    regular: Decimal
    arrears: Ladder
    whole: Ladder
    whole_bill: Bill
    regular_shift: int = 0
    regular_next: date | None = None


def whole_balance(bill: Bill) -> Bill:
    """The bill with the principal not yet due made part of the principal rescheduled."""
    return replace(bill, principal=bill.principal + bill.not_yet_due, not_yet_due=ZERO)


def build_loan_ladders(bill: Bill, preset: Preset, affordable: Decimal, *, regular: Decimal,
                       today: date, income: Decimal | None = None,
                       settings: NegotiationData, deferral_months: int = 0,
                       pause_months: int | None = None, regular_shift: int = 0,
                       regular_due: date | None = None) -> LoanLadders:
    """Both ladders of an installment loan (see :class:`LoanLadders`).

    ``regular`` is the next regular installment (principal and interest). The arrears
    ladder gets ``affordable − regular`` (nothing when the regular installment alone takes
    the whole share: it then asks for breathing space); the whole-balance ladder gets
    ``affordable``, and its APR is computed over the whole balance it reschedules.
    ``deferral_months`` and ``pause_months`` are :func:`build_ladder`'s, for both.

    ``regular_shift`` (months) with ``regular_due`` (the next regular installment's date):
    while the arrears are deferred because the person has no money yet, the regular
    installments are taken to move back by that many months too, as a lender's 延期还款
    moves the rest of the schedule — an assumption, not a published rule: each arrears rung
    says so and asks for the new dates in writing (:data:`REGULAR_SHIFTED`).
    Example: today 2026-11-20, no money before 2026-12-20, next installment 2026-12-10 →
    shifted 1 month to 2027-01-10.
    """
    share = _amount("affordable", affordable)
    instalment = _amount("regular", regular)
    left = max(ZERO, share - instalment)
    arrears = build_ladder(bill, preset, left, today=today, income=income, settings=settings,
                           deferral_months=deferral_months, pause_months=pause_months)
    whole_bill = whole_balance(bill)
    whole = build_ladder(whole_bill, preset, share, today=today, income=income,
                         settings=settings, deferral_months=deferral_months,
                         pause_months=pause_months)
    if regular_shift > 0 and regular_due is not None:
        note = Reason("REGULAR_SHIFTED", REGULAR_SHIFTED, {
            "months": str(regular_shift), "regular": format_money(instalment),
            "was": regular_due.isoformat(),
            "next": add_months(regular_due, regular_shift).isoformat()})
        arrears = replace(arrears, rungs=tuple(
            replace(rung, reasons=(*rung.reasons, note)) for rung in arrears.rungs))
    shift = max(regular_shift, 0)
    return LoanLadders(regular=instalment, arrears=arrears, whole=whole,
                       whole_bill=whole_bill, regular_shift=shift,
                       regular_next=None if regular_due is None
                       else add_months(regular_due, shift))
