"""The budget statement (收支表): reasonableness checks, the affordable amount and its split.

The statement follows the UK Standard Financial Statement (``anchors.md`` §1.3), adapted to
mainland China: the household (adults, children by age band, dependants, city tier), then
monthly amounts in four sections — **income**, **priority** obligations that come before
unsecured debt (rent, mortgage, utilities, child maintenance, secured loans, court-ordered
payments), **fixed** costs and **flexible** costs. The categories, the official statistics
and every rule below are data in ``presets/_budget.toml`` (:func:`parse_norms`), never code.

**Reasonableness** (:func:`check_reasonableness`). For each of the eight NBS consumption
groups (食品烟酒, 衣着, 居住 …) the household's reference is

    per-capita figure × (urban or rural total ÷ national total) ÷ 12
    × city-tier multiplier × equivalent household size

and spending more than ``far_above`` × the reference, or (for groups where it matters) less
than ``far_below`` × it, is flagged with the question a lender would ask. The figures are
published statistics; the scaling is our modelling and is said to be so.

**Affordability** (:func:`affordability`): income − priority obligations − essential costs −
a small emergency buffer = the amount available for unsecured debts, line by line. Spending
in categories marked not essential is *not* subtracted — it is shown, because a lender will
expect it to be cut or explained. Nothing left is a valid outcome, not an error: a
*breathing-space* request when nothing is left, *token* payments when very little is.

**Split** (:func:`split`): pro-rata by balance (the creditor-fair default of UK advice
services) or by the person's own priority order, exact to the fen.

This module is pure: no I/O, no clock. Amounts are monthly yuan, exact to the fen.
"""

from __future__ import annotations

import decimal
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final, TypeAlias

from xieshang.engine.errors import N_, InputError, PresetError, StateError, fill
from xieshang.engine.money import ZERO, Rounding, format_money, from_fen, round_money, to_fen
from xieshang.engine.preset import Confidence, Source, TableReader, Text, read_sources

__all__ = [
    "Affordability",
    "Allocation",
    "Area",
    "BudgetLine",
    "BudgetStatement",
    "BufferRule",
    "Category",
    "DebtShare",
    "Flag",
    "FlagLevel",
    "Group",
    "Household",
    "Norms",
    "Outcome",
    "Reference",
    "Scale",
    "Section",
    "SplitMethod",
    "Statistics",
    "Step",
    "StepSign",
    "Tier",
    "TokenRule",
    "affordability",
    "buffer_for",
    "check_reasonableness",
    "parse_norms",
    "pro_rata",
    "reference_ranges",
    "split",
    "totals_by_section",
]

_CONTEXT: Final = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)
_SCHEMA: Final = 1
_SHARE_PLACES: Final = Decimal("0.000001")
#: The sources every norms file must carry (one per top-level table).
_SOURCED: Final = ("statistics", "groups", "scale", "tiers", "flags", "buffer", "token",
                   "categories")


# ------------------------------------------------------------------------ conventions


class Section(StrEnum):
    """The four sections of the statement."""

    INCOME = "income"
    PRIORITY = "priority"
    FIXED = "fixed"
    FLEXIBLE = "flexible"


#: every section, for the check of a line (a set made once)
_SECTIONS: Final = frozenset(Section)


class Area(StrEnum):
    """Which NBS figure a city tier uses."""

    URBAN = "urban"
    RURAL = "rural"


class FlagLevel(StrEnum):
    """Whether spending is far above or far below the household's reference."""

    HIGH = "high"
    LOW = "low"


class Outcome(StrEnum):
    """What the affordability calculation leads to.

    * ``surplus``: an amount to offer the unsecured lenders;
    * ``token``: so little is left that a token payment is what can be offered;
    * ``breathing_space``: nothing is left; ask the lenders for a pause.
    """

    SURPLUS = "surplus"
    TOKEN = "token"
    BREATHING_SPACE = "breathing_space"


class StepSign(StrEnum):
    """How a line of the affordability working counts."""

    ADD = "+"
    SUBTRACT = "-"
    RESULT = "="
    NOTE = "i"  # shown for information; not part of the sum


class SplitMethod(StrEnum):
    """How the available amount is shared between debts."""

    PRO_RATA = "pro_rata"
    PRIORITY = "priority"


# ---------------------------------------------------------------------- the statement


@dataclass(frozen=True, slots=True)
class Household:
    """Who lives on the budget.

    Attributes:
        adults: adults in the household, the person included (at least 1).
        children_0_4: children aged 0 to 4.
        children_5_10: children aged 5 to 10.
        children_11_17: children aged 11 to 17.
        dependants: other adults the household supports and lives with (an elderly parent).
        city_tier: a tier id of the norms file (``tier1``, ``tier2``, ``tier3``,
            ``county``, ``rural``).
    """

    adults: int = 1
    children_0_4: int = 0
    children_5_10: int = 0
    children_11_17: int = 0
    dependants: int = 0
    city_tier: str = "tier2"

    def __post_init__(self) -> None:
        if isinstance(self.adults, bool) or not isinstance(self.adults, int) or self.adults < 1:
            raise InputError("adults", N_("must be at least 1 (got {value})"), value=self.adults)
        for name in ("children_0_4", "children_5_10", "children_11_17", "dependants"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(name, N_("must be 0 or more (got {value})"), value=value)
        for name in ("adults", "children_0_4", "children_5_10", "children_11_17", "dependants"):
            if getattr(self, name) > 30:
                raise InputError(name, N_("must be at most {maximum} (got {value})"),
                                 maximum=30, value=getattr(self, name))
        if not self.city_tier:
            raise InputError("city_tier", N_("must not be empty"))

    @property
    def people(self) -> int:
        """Everyone in the household."""
        return (self.adults + self.children_0_4 + self.children_5_10 + self.children_11_17
                + self.dependants)


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One monthly amount of the statement.

    Attributes:
        section: the section it belongs to (must be its category's section).
        category: a category id of the norms file (``wages``, ``rent``, ``food`` …).
        amount: yuan a month, 0 or more, exact to the fen.
        note: the person's explanation (an unusual cost, a special diet …).
    """

    section: Section
    category: str
    amount: Decimal
    note: str = ""

    def __post_init__(self) -> None:
        if self.section not in _SECTIONS:
            allowed = ", ".join(member.value for member in Section)
            raise InputError("section", N_("must be one of {allowed} (got {value})"),
                             allowed=allowed, value=self.section)
        _check_amount("amount", self.amount)


@dataclass(frozen=True, slots=True)
class BudgetStatement:
    """A household's monthly income and spending.

    Attributes:
        household: who lives on it.
        lines: the amounts; a category may appear more than once (the amounts add up).
        buffer: a monthly emergency buffer the person sets; ``None`` takes the norms
            file's rule (:func:`buffer_for`).
    """

    household: Household
    lines: tuple[BudgetLine, ...]
    buffer: Decimal | None = None

    def __post_init__(self) -> None:
        if self.buffer is not None:
            _check_amount("buffer", self.buffer)


# --------------------------------------------------------------------------- the norms


@dataclass(frozen=True, slots=True)
class Statistics:
    """The official figures the references come from (yuan per person per year).

    Attributes:
        year: the year the figures describe.
        release: the name of the release.
        published: the day it was published.
        national_total: per-capita consumption expenditure, all residents.
        urban_total: the same, urban residents.
        rural_total: the same, rural residents.
    """

    year: int
    release: Text
    published: date
    national_total: Decimal
    urban_total: Decimal
    rural_total: Decimal

    def total(self, area: Area) -> Decimal:
        """The per-capita total of an area."""
        return self.urban_total if area is Area.URBAN else self.rural_total


@dataclass(frozen=True, slots=True)
class Group:
    """One NBS consumption group and the questions a lender would ask about it.

    Attributes:
        id: the group id (``food``, ``housing`` …).
        label: its name.
        per_capita: national per-capita spending, yuan a year.
        check_low: whether spending far below the reference is flagged.
        question_high: the question when spending is far above.
        question_low: the question when spending is far below (``None`` if not checked).
        far_above: this group's own "far above" multiple (``None``: the file's).
        far_below: this group's own "far below" multiple (``None``: the file's).
    """

    id: str
    label: Text
    per_capita: Decimal
    check_low: bool
    question_high: Text
    question_low: Text | None = None
    far_above: Decimal | None = None
    far_below: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """A line category of the statement.

    Attributes:
        id: the category id.
        section: the section it belongs to.
        label: its name.
        essential: counted in the essential costs (spending sections only).
        group: the NBS group it is checked against, or ``None``.
    """

    id: str
    section: Section
    label: Text
    essential: bool = True
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Tier:
    """A city tier.

    Attributes:
        id: the tier id.
        label: its name.
        area: the NBS figure it uses (urban or rural).
        multiplier: the local price-level multiplier (our modelling).
    """

    id: str
    label: Text
    area: Area
    multiplier: Decimal


@dataclass(frozen=True, slots=True)
class Scale:
    """The equivalence scale: each person's weight in the household's reference."""

    first_adult: Decimal
    other_adult: Decimal
    dependant: Decimal
    child_0_4: Decimal
    child_5_10: Decimal
    child_11_17: Decimal

    def size(self, household: Household) -> Decimal:
        """The household's equivalent size (1 for a single adult)."""
        return (self.first_adult + self.other_adult * (household.adults - 1)
                + self.dependant * household.dependants
                + self.child_0_4 * household.children_0_4
                + self.child_5_10 * household.children_5_10
                + self.child_11_17 * household.children_11_17)


@dataclass(frozen=True, slots=True)
class BufferRule:
    """The default emergency buffer: ``percent`` of income, at least ``minimum``."""

    percent: Decimal
    minimum: Decimal


@dataclass(frozen=True, slots=True)
class TokenRule:
    """Token payments: below ``threshold`` a month, ``per_creditor_min``..``max`` each."""

    threshold: Decimal
    per_creditor_min: Decimal
    per_creditor_max: Decimal


@dataclass(frozen=True, slots=True)
class Norms:
    """The contents of ``_budget.toml``.

    Attributes:
        statistics: the official totals.
        groups: the NBS consumption groups, in file order.
        categories: the statement's categories, in file order.
        tiers: city tiers by id.
        scale: the equivalence scale.
        far_above: spending above this multiple of the reference is flagged.
        far_below: spending below this multiple of the reference is flagged.
        buffer: the default buffer rule.
        token: the token-payment rule.
        sources: the source of each table, keyed like the file.
        origin: the file the norms came from.
    """

    statistics: Statistics
    groups: tuple[Group, ...]
    categories: tuple[Category, ...]
    tiers: Mapping[str, Tier]
    scale: Scale
    far_above: Decimal
    far_below: Decimal
    buffer: BufferRule
    token: TokenRule
    sources: Mapping[str, Source] = field(default_factory=dict)
    origin: str = ""

    def category(self, category_id: str) -> Category:
        """The category with this id.

        Raises:
            InputError: (field ``category``) no such category.
        """
        found = _CATEGORIES.get(id(self))
        if found is None or found[0] is not self:
            index: dict[str, Category] = {}
            for item in self.categories:
                index.setdefault(item.id, item)  # the first of an id, as a search finds
            if len(_CATEGORIES) >= 64:
                _CATEGORIES.clear()
            found = _CATEGORIES[id(self)] = (self, index)
        known = found[1].get(category_id)
        if known is not None:
            return known
        raise InputError("category", N_("'{value}' is not a budget category; known: {known}"),
                         value=category_id, known=", ".join(c.id for c in self.categories))

    def categories_in(self, section: Section) -> tuple[Category, ...]:
        """The categories of one section, in file order."""
        return tuple(item for item in self.categories if item.section == section)

    def group(self, group_id: str) -> Group:
        """The NBS group with this id (it exists: the parser checks every reference)."""
        for item in self.groups:
            if item.id == group_id:
                return item
        raise KeyError(group_id)

    def tier(self, tier_id: str) -> Tier:
        """The city tier with this id.

        Raises:
            InputError: (field ``city_tier``) no such tier.
        """
        if tier_id not in self.tiers:
            raise InputError("city_tier", N_("'{value}' is not a city tier; use one of {known}"),
                             value=tier_id, known=", ".join(self.tiers))
        return self.tiers[tier_id]

    def source_of(self, key: str) -> Source:
        """The source of a table (``statistics``, ``scale`` …)."""
        return self.sources.get(key, Source(Confidence.NOT_FOUND, note="no source recorded"))


def parse_norms(text: str, source: str) -> Norms:
    """Validate the TOML text of ``_budget.toml`` (named ``source``) and build the Norms.

    Checks, beside the types: ids are unique; the groups' per-capita figures add up to the
    national total; every category names a known group and a section, and every section
    has a category; ``far_below`` < 1 < ``far_above``; every table cites a source.

    Raises:
        PresetError: naming ``source`` and the dotted field of the first problem.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(source, "", N_("is not valid TOML: {error}"), error=str(error)) from None
    top = TableReader(source, data)
    top.integer("schema", minimum=1, maximum=_SCHEMA)
    statistics = _statistics(top)
    groups = _groups(top, statistics)
    categories = _categories(top, {group.id for group in groups})
    tiers = _tiers(top)
    scale = _scale(top)
    flags = _table(top, "flags")
    far_above = flags.decimal("far_above", maximum=Decimal(100))
    far_below = flags.decimal("far_below", maximum=Decimal(1))
    if far_above <= 1:
        raise flags.fail("far_above", N_("must be more than 1, got {value}"), value=far_above)
    if far_below >= 1:
        raise flags.fail("far_below", N_("must be less than 1, got {value}"), value=far_below)
    flags.done()
    buffer_table = _table(top, "buffer")
    buffer = BufferRule(percent=buffer_table.decimal("percent", maximum=Decimal("0.5")),
                        minimum=_money_field(buffer_table, "minimum"))
    buffer_table.done()
    token_table = _table(top, "token")
    token = TokenRule(threshold=_money_field(token_table, "threshold"),
                      per_creditor_min=_money_field(token_table, "per_creditor_min"),
                      per_creditor_max=_money_field(token_table, "per_creditor_max"))
    if token.per_creditor_min > token.per_creditor_max:
        raise token_table.fail("per_creditor_min", N_("must not be more than per_creditor_max"))
    token_table.done()
    sources = read_sources(top)
    top.done()
    for name in _SOURCED:
        if name not in sources:
            raise PresetError(source, f"sources.{name}",
                              N_("is missing: every parameter must cite its source"))
    for key in sources:
        if key.split(".")[0] not in data:
            raise PresetError(source, f"sources.{key}", N_("names a parameter the file lacks"))
    return Norms(statistics=statistics, groups=groups, categories=categories, tiers=tiers,
                 scale=scale, far_above=far_above, far_below=far_below, buffer=buffer,
                 token=token, sources=sources, origin=source)


def _table(top: TableReader, key: str) -> TableReader:
    sub = top.table(key, required=True)
    if sub is None:
        raise StateError("sub")
    return sub


def _text(reader: TableReader, key: str) -> Text:
    value = reader.localized(key)
    if value is None:
        raise StateError("value")
    return value


def _money_field(reader: TableReader, key: str) -> Decimal:
    value: Decimal = reader.decimal(key, maximum=Decimal(1_000_000))
    if round_money(value) != value:
        raise reader.fail(key, N_("must be yuan with at most 2 decimal places, got {value}"),
                          value=value)
    return round_money(value)


def _statistics(top: TableReader) -> Statistics:
    sub = _table(top, "statistics")
    result = Statistics(
        year=sub.integer("year", minimum=2000, maximum=2100),
        release=_text(sub, "release"),
        published=sub.day("published"),
        national_total=sub.decimal("national_total", maximum=Decimal(10_000_000)),
        urban_total=sub.decimal("urban_total", maximum=Decimal(10_000_000)),
        rural_total=sub.decimal("rural_total", maximum=Decimal(10_000_000)),
    )
    for name in ("national_total", "urban_total", "rural_total"):
        if getattr(result, name) <= 0:
            raise sub.fail(name, N_("must be above 0, got {value}"), value=getattr(result, name))
    sub.done()
    return result


def _groups(top: TableReader, statistics: Statistics) -> tuple[Group, ...]:
    readers = top.tables("groups")
    if not readers:
        raise top.fail("groups", N_("must list at least one group"))
    groups: list[Group] = []
    for reader in readers:
        check_low = reader.boolean("check_low", False)
        group = Group(
            id=_identifier(reader),
            label=_text(reader, "label"),
            per_capita=reader.decimal("per_capita", maximum=Decimal(10_000_000)),
            check_low=check_low,
            question_high=_text(reader, "question_high"),
            question_low=reader.localized("question_low", required=check_low),
            far_above=reader.decimal("far_above", None, maximum=Decimal(100)),
            far_below=reader.decimal("far_below", None, maximum=Decimal(1)),
        )
        if group.far_above is not None and group.far_above <= 1:
            raise reader.fail("far_above", N_("must be more than 1, got {value}"),
                              value=group.far_above)
        if group.far_below is not None and group.far_below >= 1:
            raise reader.fail("far_below", N_("must be less than 1, got {value}"),
                              value=group.far_below)
        reader.done()
        if any(item.id == group.id for item in groups):
            raise reader.fail("id", N_("'{value}' is used twice"), value=group.id)
        groups.append(group)
    total = sum((group.per_capita for group in groups), Decimal(0))
    if total != statistics.national_total:
        raise top.fail("groups", N_("the per-capita figures add up to {total}, not to "
                                    "statistics.national_total {expected}"),
                       total=total, expected=statistics.national_total)
    return tuple(groups)


def _identifier(reader: TableReader) -> str:
    value = reader.text("id")
    if not value.isascii() or not value.replace("_", "").isalnum() or value != value.lower():
        raise reader.fail("id", N_("must be lower-case letters, digits and _, got {value!r}"),
                          value=value)
    return value


def _categories(top: TableReader, group_ids: set[str]) -> tuple[Category, ...]:
    categories: list[Category] = []
    for reader in top.tables("categories"):
        section = reader.choice("section", Section)
        group = reader.raw("group", None, kind=str)
        if group is not None and group not in group_ids:
            raise reader.fail("group", N_("'{value}' is not one of the groups"), value=group)
        if group is not None and section is Section.INCOME:
            raise reader.fail("group", N_("income categories have no spending group"))
        category = Category(id=_identifier(reader), section=section,
                            label=_text(reader, "label"),
                            essential=reader.boolean("essential", section is not Section.INCOME),
                            group=group)
        reader.done()
        if any(item.id == category.id for item in categories):
            raise reader.fail("id", N_("'{value}' is used twice"), value=category.id)
        categories.append(category)
    for section in Section:
        if not any(item.section is section for item in categories):
            raise top.fail("categories", N_("has no category in the {section} section"),
                           section=section.value)
    return tuple(categories)


def _tiers(top: TableReader) -> dict[str, Tier]:
    sub = _table(top, "tiers")
    tiers: dict[str, Tier] = {}
    for key in list(sub.data):
        reader = _table(sub, key)
        multiplier = reader.decimal("multiplier", maximum=Decimal(10))
        if multiplier <= 0:
            raise reader.fail("multiplier", N_("must be above 0, got {value}"), value=multiplier)
        tiers[key] = Tier(id=key, label=_text(reader, "label"),
                          area=reader.choice("area", Area), multiplier=multiplier)
        reader.done()
    sub.done()
    if not tiers:
        raise top.fail("tiers", N_("must list at least one tier"))
    return tiers


def _scale(top: TableReader) -> Scale:
    sub = _table(top, "scale")
    weights = {name: sub.decimal(name, maximum=Decimal(5)) for name in
               ("first_adult", "other_adult", "dependant", "child_0_4", "child_5_10",
                "child_11_17")}
    if weights["first_adult"] <= 0:
        raise sub.fail("first_adult", N_("must be above 0, got {value}"),
                       value=weights["first_adult"])
    sub.done()
    return Scale(**weights)


# --------------------------------------------------------------------- reasonableness


@dataclass(frozen=True, slots=True)
class Reference:
    """What a household like this one usually spends on one NBS group, a month.

    Attributes:
        group: the group id.
        label: the group's name.
        categories: the statement's categories counted in it.
        amount: what the statement lists for them, a month.
        reference: the household's reference (see the module docstring), to the fen.
        low: ``far_below`` × the reference; below it is "far below".
        high: ``far_above`` × the reference; above it is "far above" (the group's own
            multiples when the file gives them).
    """

    group: str
    label: Text
    categories: tuple[str, ...]
    amount: Decimal
    reference: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True, slots=True)
class Flag:
    """Spending far from the household's reference, with the question a lender would ask.

    Attributes:
        category: the NBS group id the check is made on (``food``, ``housing`` …).
        level: ``high`` or ``low``.
        amount: what the statement lists for the group's categories, a month.
        low: the "far below" bound.
        high: the "far above" bound.
        question: the question, calm and concrete.
        source: the source of the reference figures (year and release in its note).
        label: the group's name.
        categories: the statement's categories counted in the group.
        reference: the household's reference amount.
        year: the year of the statistics.
    """

    category: str
    level: FlagLevel
    amount: Decimal
    low: Decimal
    high: Decimal
    question: Text
    source: Source
    label: Text
    categories: tuple[str, ...]
    reference: Decimal
    year: int


def reference_ranges(statement: BudgetStatement, norms: Norms) -> list[Reference]:
    """The reference and the "far above / far below" bounds of every NBS group.

    Raises:
        InputError: a line's category is unknown or in the wrong section, or the city
            tier is unknown.
    """
    _check_lines(statement, norms)
    results = []
    with decimal.localcontext(_CONTEXT):
        for group, members, reference, low, high in _group_references(norms,
                                                                      statement.household):
            amount = sum((line.amount for line in statement.lines if line.category in members),
                         ZERO)
            results.append(Reference(group=group.id, label=group.label, categories=members,
                                     amount=amount, reference=reference, low=low, high=high))
    return results


#: id(norms) → (the norms, its categories by id): a category is looked up for every line
#: of every statement (an entry is replaced whole, never changed in place)
_CATEGORIES: dict[int, tuple[Norms, dict[str, Category]]] = {}

_GroupReference: TypeAlias = tuple[Group, tuple[str, ...], Decimal, Decimal, Decimal]

#: (id(norms), household) → (the norms, each group's categories, reference, low and high):
#: they depend on the norms and the household alone, so a caseload works them out once a
#: kind of household (an entry is replaced whole, never changed in place)
_REFERENCES: dict[tuple[int, Household], tuple[Norms, tuple[_GroupReference, ...]]] = {}


def _group_references(norms: Norms, household: Household) -> tuple[_GroupReference, ...]:
    """Each group's categories, reference and far below / far above bounds (to the fen)."""
    key = (id(norms), household)
    found = _REFERENCES.get(key)
    if found is not None and found[0] is norms:
        return found[1]
    tier = norms.tier(household.city_tier)
    stats = norms.statistics
    size = norms.scale.size(household)
    rows = []
    with decimal.localcontext(_CONTEXT):
        for group in norms.groups:
            members = tuple(c.id for c in norms.categories if c.group == group.id)
            exact = (group.per_capita * stats.total(tier.area) / stats.national_total / 12
                     * tier.multiplier * size)
            above = group.far_above if group.far_above is not None else norms.far_above
            below = group.far_below if group.far_below is not None else norms.far_below
            rows.append((group, members, round_money(exact, Rounding.HALF_UP),
                         round_money(exact * below, Rounding.HALF_UP),
                         round_money(exact * above, Rounding.HALF_UP)))
    if len(_REFERENCES) >= 512:
        _REFERENCES.clear()
    _REFERENCES[key] = (norms, tuple(rows))
    return tuple(rows)


def check_reasonableness(statement: BudgetStatement, norms: Norms) -> list[Flag]:
    """Groups whose spending is far above or far below the household's reference.

    High: the amount is above ``high``. Low: the group is checked for low spending and the
    amount is below ``low`` (0 included: listing nothing for food is worth a question).

    Raises:
        InputError: as :func:`reference_ranges`.
    """
    flags = []
    source = norms.source_of("groups")
    for ref in reference_ranges(statement, norms):
        group = norms.group(ref.group)
        level: FlagLevel | None = None
        question: Text | None = None
        if ref.amount > ref.high:
            level, question = FlagLevel.HIGH, group.question_high
        elif group.check_low and group.question_low is not None and ref.amount < ref.low:
            level, question = FlagLevel.LOW, group.question_low
        if level is not None and question is not None:
            flags.append(Flag(category=ref.group, level=level, amount=ref.amount, low=ref.low,
                              high=ref.high, question=question, source=source,
                              label=ref.label, categories=ref.categories,
                              reference=ref.reference, year=norms.statistics.year))
    return flags


# ----------------------------------------------------------------------- affordability


@dataclass(frozen=True, slots=True)
class Step:
    """One line of "how it was reached".

    Attributes:
        label: an English gettext msgid with ``{placeholders}``; fronts translate it.
        amount: the amount of the line.
        sign: ``+`` added, ``-`` subtracted, ``=`` a result, ``i`` information only.
        params: the placeholder values, already formatted.
    """

    label: str
    amount: Decimal
    sign: StepSign
    params: Mapping[str, str] = field(default_factory=dict)

    def render(self, label: str | None = None) -> str:
        """The label (or its translation) with the parameters filled in."""
        return fill(self.label if label is None else label, self.params)


@dataclass(frozen=True, slots=True)
class Affordability:
    """What can go to unsecured debts each month, and how it was reached.

    Attributes:
        income: all income lines.
        priority: all priority obligations.
        essential: fixed and flexible costs in essential categories.
        discretionary: fixed and flexible costs in categories not marked essential; *not*
            subtracted (a lender will expect them cut or explained).
        buffer: the emergency buffer kept back.
        available: what is left for unsecured debts, never below 0.
        shortfall: how much the income falls short of the rest (0 when it does not).
        outcome: surplus, token payment or breathing space.
        steps: the working, line by line.
        explanation: an English gettext msgid saying what the outcome means.
        params: the placeholder values of ``explanation`` (and of the token range).
        token_min: the token payment per lender a month, lower end (token outcome only).
        token_max: the upper end (token outcome only).
    """

    income: Decimal
    priority: Decimal
    essential: Decimal
    discretionary: Decimal
    buffer: Decimal
    available: Decimal
    shortfall: Decimal
    outcome: Outcome
    steps: tuple[Step, ...]
    explanation: str
    params: Mapping[str, str] = field(default_factory=dict)
    token_min: Decimal | None = None
    token_max: Decimal | None = None

    def render(self, explanation: str | None = None) -> str:
        """The explanation (or its translation) with the parameters filled in."""
        return fill(self.explanation if explanation is None else explanation, self.params)


def totals_by_section(statement: BudgetStatement, norms: Norms) -> dict[Section, Decimal]:
    """The monthly total of each section (every section present, 0 when empty).

    Raises:
        InputError: a line's category is unknown or in the wrong section.
    """
    _check_lines(statement, norms)
    totals = dict.fromkeys(Section, ZERO)
    for line in statement.lines:
        totals[Section(line.section)] += line.amount
    return totals


def buffer_for(income: Decimal, norms: Norms) -> Decimal:
    """The default monthly buffer: ``percent`` × income (to the fen), at least ``minimum``."""
    rule = norms.buffer
    with decimal.localcontext(_CONTEXT):
        return max(round_money(income * rule.percent, Rounding.HALF_UP), rule.minimum)


def affordability(statement: BudgetStatement, norms: Norms) -> Affordability:
    """Income − priority obligations − essential costs − buffer, line by line.

    ``available`` ≤ 0 → ``breathing_space`` (nothing to offer: ask for a pause while the
    situation is reviewed); 0 < ``available`` < ``token.threshold`` → ``token``; else
    ``surplus``. Never an error for a budget that does not balance.

    Raises:
        InputError: a line's category is unknown or in the wrong section.
    """
    _check_lines(statement, norms)
    income = priority = essential = discretionary = ZERO
    for line in statement.lines:
        category = norms.category(line.category)
        if category.section is Section.INCOME:
            income += line.amount
        elif category.section is Section.PRIORITY:
            priority += line.amount
        elif category.essential:
            essential += line.amount
        else:
            discretionary += line.amount
    steps = [
        Step(N_("Monthly income"), income, StepSign.ADD),
        Step(N_("Priority obligations (rent, mortgage, utilities, child maintenance, secured "
                "loans, court orders)"), priority, StepSign.SUBTRACT),
        Step(N_("Essential living costs"), essential, StepSign.SUBTRACT),
    ]
    if statement.buffer is not None:
        buffer = statement.buffer
        steps.append(Step(N_("Emergency buffer (set by you)"), buffer, StepSign.SUBTRACT))
    else:
        buffer = buffer_for(income, norms)
        steps.append(Step(N_("Emergency buffer ({percent} of income, at least {minimum})"),
                          buffer, StepSign.SUBTRACT,
                          {"percent": _percent(norms.buffer.percent),
                           "minimum": format_money(norms.buffer.minimum)}))
    left = income - priority - essential - buffer
    available = max(ZERO, left)
    shortfall = max(ZERO, -left)
    if shortfall > 0:
        steps.append(Step(N_("Shortfall: income does not cover these"), shortfall,
                          StepSign.RESULT))
    steps.append(Step(N_("Available for unsecured debts"), available, StepSign.RESULT))
    if discretionary > 0:
        steps.append(Step(N_("Spending not counted as essential (not subtracted above; a "
                             "lender will expect it cut or explained)"), discretionary,
                          StepSign.NOTE))
    params = {"available": format_money(available), "shortfall": format_money(shortfall)}
    token_min = token_max = None
    if available <= 0:
        outcome = Outcome.BREATHING_SPACE
        explanation = N_(
            "Nothing is left for unsecured debts after priority bills, essential costs and a "
            "small buffer. This is a valid position, not a failure: ask each lender for a "
            "breathing space — a pause in payments, and if possible in interest and "
            "collection, for a set time (for example 1 to 3 months) while your situation "
            "is reviewed — explain why, and say when you will contact them again. A lender "
            "may agree or refuse; ask for its answer in writing.")
    elif available < norms.token.threshold:
        outcome = Outcome.TOKEN
        token_min, token_max = norms.token.per_creditor_min, norms.token.per_creditor_max
        params |= {"token_min": format_money(token_min), "token_max": format_money(token_max)}
        explanation = N_(
            "Only {available} a month is left for unsecured debts. You can offer each lender "
            "a token payment, such as {token_min} to {token_max} a month, to show good faith "
            "while your situation improves, and review it at a set date. Token payments are "
            "the practice of UK debt-advice services, not a rule in China: a lender here may "
            "accept or refuse them.")
    else:
        outcome = Outcome.SURPLUS
        explanation = N_("{available} a month is available for your unsecured debts. Share it "
                         "between them pro rata to what each is owed, or in an order you "
                         "choose.")
    return Affordability(income=income, priority=priority, essential=essential,
                         discretionary=discretionary, buffer=buffer, available=available,
                         shortfall=shortfall, outcome=outcome, steps=tuple(steps),
                         explanation=explanation, params=params, token_min=token_min,
                         token_max=token_max)


def _percent(fraction: Decimal) -> str:
    text = format(fraction * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def _check_lines(statement: BudgetStatement, norms: Norms) -> None:
    norms.tier(statement.household.city_tier)
    for line in statement.lines:
        category = norms.category(line.category)
        if category.section != line.section:
            raise InputError("section", N_("the category {category} belongs to the {expected} "
                                           "section, not {value}"),
                             category=line.category, expected=category.section.value,
                             value=str(line.section))


def _check_amount(field_name: str, value: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise InputError(field_name, N_("must be an exact amount (got {value})"),
                         value=repr(value))
    if not value.is_finite() or value < 0:
        raise InputError(field_name, N_("must not be negative (got {value})"), value=str(value))
    if round_money(value) != value:
        raise InputError(field_name, N_("{value} has more than 2 decimal places; amounts are "
                                        "in yuan and fen"), value=str(value))


# ------------------------------------------------------------------------------- split


@dataclass(frozen=True, slots=True)
class DebtShare:
    """A debt taking part in the split.

    Attributes:
        key: a unique key (the debt's id or label).
        balance: what is owed, 0 or more, exact to the fen.
        priority: the person's order for the ``priority`` method (1 is paid first); debts
            without one come after all that have one. Equal numbers share pro rata.
    """

    key: str
    balance: Decimal
    priority: int | None = None

    def __post_init__(self) -> None:
        _check_amount("balance", self.balance)
        if self.priority is not None and (isinstance(self.priority, bool)
                                          or not isinstance(self.priority, int)):
            raise InputError("priority", N_("must be a whole number (got {value})"),
                             value=repr(self.priority))


@dataclass(frozen=True, slots=True)
class Allocation:
    """One debt's part of the monthly amount.

    Attributes:
        key: the debt's key.
        amount: its part, exact to the fen.
        share: its balance as a fraction of all the balances (6 places) — the basis of a
            pro-rata offer ("your share of my debts").
    """

    key: str
    amount: Decimal
    share: Decimal


def split(available: Decimal, debts: Sequence[DebtShare],
          method: str = "pro_rata") -> list[Allocation]:
    """Share ``available`` between ``debts``, exact to the fen, in the order given.

    ``pro_rata``: in proportion to the balances. The fen are rounded so the parts always
    add up to ``available`` exactly, each part is its exact share rounded (Sainte-Laguë /
    Webster rounding: within a fen as a rule, a few fen when balances are very unequal), a
    larger balance never gets less, and a larger amount never gives any debt less. (The
    largest-remainder method can take a fen from a debt when the amount grows — the
    "Alabama paradox" — so it is not used.) ``priority``: the debts are paid in the
    person's order, each up to its balance; debts with the same number share pro rata;
    debts without a number come last.

    A debt never gets more than its balance: when ``available`` is more than all the
    balances together, each debt gets its balance and the rest is not allocated.

    Raises:
        InputError: a negative or sub-fen ``available``, a key used twice, an unknown method.
    """
    _check_amount("available", available)
    try:
        chosen = SplitMethod(method)
    except ValueError:
        allowed = ", ".join(member.value for member in SplitMethod)
        raise InputError("method", N_("must be one of {allowed} (got {value})"),
                         allowed=allowed, value=method) from None
    keys = [debt.key for debt in debts]
    for key in keys:
        if keys.count(key) > 1:
            raise InputError("debts", N_("the key {key} is used twice"), key=key)
    balances = [to_fen(debt.balance) for debt in debts]
    total = sum(balances)
    amount = min(to_fen(available), total)
    if chosen is SplitMethod.PRO_RATA:
        fen = _webster(amount, balances)
    else:
        fen = [0] * len(debts)
        groups = sorted({debt.priority for debt in debts},
                        key=lambda p: (p is None, p if p is not None else 0))
        left = amount
        for priority in groups:
            members = [i for i, debt in enumerate(debts) if debt.priority == priority]
            group_amount = min(left, sum(balances[i] for i in members))
            for i, part in zip(members, _webster(group_amount, [balances[i] for i in members]),
                               strict=True):
                fen[i] = part
            left -= group_amount
    with decimal.localcontext(_CONTEXT):
        return [Allocation(key=debt.key, amount=from_fen(part),
                           share=(Decimal(balance) / Decimal(total)).quantize(_SHARE_PLACES)
                           if total else Decimal(0))
                for debt, part, balance in zip(debts, fen, balances, strict=True)]


def pro_rata(amount: Decimal, balances: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` shared in proportion to ``balances``, exact to the fen, as :func:`split`
    shares it (Webster rounding); each part at most its balance. The one pro-rata rule of
    xieshang: the budget's split and the plan's pro-rata strategy both use it."""
    fens = [to_fen(b) for b in balances]
    amount_fen = min(to_fen(amount), sum(fens))
    # from_fen's amounts (whole fen at 2 places, exactly), made in one step each
    return [Decimal(part).scaleb(-2) for part in _webster(amount_fen, fens)]


def _webster(amount: int, balances: Sequence[int]) -> list[int]:
    """Share ``amount`` fen (≤ the sum of ``balances``) by Sainte-Laguë / Webster rounding.

    Fen are handed out one at a time, each to the debt with the highest
    ``balance / (fen so far + ½)``; ties go to the larger balance, then the earlier debt.
    That order fixes the result for every amount at once (so a larger amount only adds
    fen); the count is reached directly: every debt first gets its exact share rounded
    half up, then the few fen that are missing or too many are added or taken back in
    that same order.
    """
    total = sum(balances)
    if amount <= 0 or total <= 0:
        return [0] * len(balances)
    if len(balances) == 1 and amount <= total:  # (2·b·a + b) // 2b is a: all of it
        return [amount]
    parts = [(2 * balance * amount + total) // (2 * total) for balance in balances]
    # The priority of a debt's (count + 1)-th fen is the fraction balance ÷ (2·count + 1)
    # (then the larger balance, then the earlier debt), compared as integers: a ÷ b > c ÷ d
    # when a·d > c·b (b, d > 0). tests/test_case_perf.py keeps the Fraction version.
    indices = range(len(balances))
    missing = amount - sum(parts)
    for _ in range(missing):  # fen missing: each to the highest priority
        best, top, under = -1, 0, 1
        for i in indices:
            balance = balances[i]
            if balance <= 0:
                continue
            odd = 2 * parts[i] + 1
            if best < 0:
                best, top, under = i, balance, odd
                continue
            left, right = balance * under, top * odd
            if left > right or (left == right and balance > top):
                best, top, under = i, balance, odd
        parts[best] += 1
    for _ in range(-missing):  # fen too many: each taken from the lowest priority
        worst, top, under = -1, 0, 1
        for i in indices:
            if parts[i] <= 0:
                continue
            balance = balances[i]
            odd = 2 * parts[i] - 1
            if worst < 0:
                worst, top, under = i, balance, odd
                continue
            left, right = balance * under, top * odd
            if left < right or (left == right and balance <= top):
                worst, top, under = i, balance, odd
        parts[worst] -= 1
    return parts
