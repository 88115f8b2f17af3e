"""Lender and product presets: rules as data.

A preset is one TOML file per product (``engine/presets/*.toml``). This module holds the
typed, immutable model and :func:`parse_preset`, which validates an already-read TOML text
and names the file and field of every problem. Reading files (the package's own and a
user's override folder) is I/O and lives in :mod:`xieshang.rules`, not here.

Every parameter carries a source (address + confidence mark from ``rules-cn.md``) in the
file's ``[sources]`` table, keyed by the parameter's dotted path. A parameter marked
``NF`` (not found) or ``S`` from a single weak source is shown to users as *not verified*
and stays editable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final, TypeVar

from xieshang.engine._record import field, record, replace
from xieshang.engine.errors import N_, PresetError, StateError
from xieshang.engine.money import D, Rounding

__all__ = [
    "SCHEMA_VERSION",
    "Channel",
    "Confidence",
    "DayBasis",
    "FeeRow",
    "Installments",
    "LateFee",
    "LateFeeKind",
    "LenderType",
    "Milestone",
    "MinimumPayment",
    "Negotiation",
    "Penalty",
    "PenaltyBase",
    "PenaltyModel",
    "Preset",
    "ProductKind",
    "RepaymentMethod",
    "Residue",
    "RoundingRule",
    "Source",
    "TableReader",
    "Text",
    "guide_sections",
    "merge_override",
    "parse_preset",
    "preset_from_dict",
    "public_sources",
    "read_sources",
]

SCHEMA_VERSION: Final = 1


E = TypeVar("E", bound=StrEnum)


class Confidence(StrEnum):
    """Confidence marks of ``rules-cn.md``."""

    VERIFIED = "V"
    SECONDARY = "S"
    COMPUTED = "C"
    NOT_FOUND = "NF"
    USER = "USER"  # the person set or confirmed this value themselves


class LenderType(StrEnum):
    """Who the lender is, for the legal-cap checks of ``rules-cn.md`` §4."""

    BANK = "bank"
    CONSUMER_FINANCE = "consumer_finance"
    MICROLOAN = "microloan"
    PRIVATE = "private"


class ProductKind(StrEnum):
    """How the product bills: a monthly bill, a cash loan, a bank card, a plain loan."""

    BILL = "bill"
    CASH_LOAN = "cash_loan"
    CREDIT_CARD = "credit_card"
    LOAN = "loan"
    INFORMAL = "informal"


class RepaymentMethod(StrEnum):
    """Ways a product can be repaid."""

    FULL = "full"
    MINIMUM = "minimum"
    BILL_INSTALLMENT = "bill_installment"
    ANNUITY = "annuity"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_ONLY = "interest_only"
    DAILY_INTEREST = "daily_interest"
    BULLET = "bullet"


class PenaltyModel(StrEnum):
    """How overdue charges accrue.

    * ``simple_daily``: base × daily rate × days (花呗, 白条);
    * ``compound_monthly``: daily rate, unpaid interest joins the balance at each statement
      (bank cards);
    * ``contract_multiple``: contract daily rate × multiplier on overdue principal, in place
      of normal interest (借呗, the usual reading);
    * ``on_top``: normal contract interest continues and a penalty of contract rate ×
      multiplier is added (微粒贷: 50 %).
    """

    SIMPLE_DAILY = "simple_daily"
    COMPOUND_MONTHLY = "compound_monthly"
    CONTRACT_MULTIPLE = "contract_multiple"
    ON_TOP = "on_top"


class PenaltyBase(StrEnum):
    """What the penalty is charged on."""

    OVERDUE_AMOUNT = "overdue_amount"  # everything unpaid that is past due
    OVERDUE_PRINCIPAL = "overdue_principal"  # only the principal that is past due
    ALL_PRINCIPAL = "all_principal"  # all unpaid principal, due or not


class LateFeeKind(StrEnum):
    """A one-off charge per missed due date (违约金 / 滞纳金)."""

    NONE = "none"
    PERCENT_OF_UNPAID_MINIMUM = "percent_of_unpaid_minimum"
    FIXED = "fixed"


class Residue(StrEnum):
    """Which period takes the rounding residue of an equal split."""

    LAST = "last"
    FIRST = "first"


class DayBasis(StrEnum):
    """Days in a year when an annual rate is turned into a daily one."""

    ACT_365 = "365"
    ACT_360 = "360"

    @property
    def days(self) -> int:
        """The number of days."""
        return int(self.value)


@record
class Text:
    """A short text in Simplified Chinese and English (zh-Hant is generated)."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The text for a language code (``zh``, ``zh_Hans``, ``en``…)."""
        return self.en if lang.startswith("en") else self.zh


@record
class Source:
    """Where a parameter comes from.

    Attributes:
        confidence: the mark from ``rules-cn.md`` (V, S, C, NF) or USER.
        urls: addresses as cited in ``rules-cn.md``.
        note: what the source says, or why the value is a default.
        ref: the section of ``rules-cn.md`` (e.g. ``§1.2``).
    """

    confidence: Confidence
    urls: tuple[str, ...] = ()
    note: str = ""
    ref: str = ""

    @property
    def verified(self) -> bool:
        """True only for a value read in the rule itself."""
        return self.confidence in (Confidence.VERIFIED, Confidence.USER)

    @property
    def public(self) -> tuple[str, ...]:
        """The sources as a reader can look them up (:func:`public_sources`)."""
        return public_sources(self.urls)


def guide_sections(ref: str) -> list[str]:
    """The sections of the person's own guide (``guide §5.2``, shipped as docs/guide.*.md)
    that a source's ``ref`` names, without the word: ``["§5.2"]``. The rest of a ``ref``
    (a bare ``§1.2`` of our reference files) is not a public source and is left out."""
    return [part.strip().removeprefix("guide").strip() for part in ref.split(";")
            if part.strip().startswith("guide")]


def public_sources(urls: Sequence[str]) -> tuple[str, ...]:
    """Public sources as a reader can look them up: a law's text from the LawRefBook
    collection (``LawRefBook/Laws/民法典/总则.md``) as the law's title (``《民法典》总则``),
    a web address as it is; each once, in order. Never our own reference or seed files."""
    result: list[str] = []
    for url in urls:
        if not url.startswith(("LawRefBook/", "http://", "https://")):
            continue  # our own material (the user's guide's seed files): not a public source
        if url.startswith("LawRefBook/"):
            parts = url.split("/")
            # the collection's folder, also as some files cite it ("Laws: 司法解释")
            book = parts[-2].rpartition(":")[2].strip()
            stem = parts[-1].rsplit(".", 1)[0]
            title = stem.split("(")[0].replace("《", "〈").replace("》", "〉")
            text = f"《{title}》" if title == book or book in ("行政法规", "司法解释") \
                else f"《{book}》{title}"
        else:
            text = url
        if text not in result:
            result.append(text)
    return tuple(result)


@record
class Penalty:
    """Overdue-charge rule. Rates are fractions per day (0.0005 = 0.05 %/day)."""

    model: PenaltyModel
    base: PenaltyBase
    daily_rate: Decimal | None = None
    multiplier: Decimal | None = None
    compounding: bool = False
    minimum_per_day: Decimal = Decimal("0.00")
    #: cards: what interest from the posting date is charged on once a statement is not
    #: paid in full — ``full`` (全额计息: the whole statement, repaid parts up to their
    #: payment day) or ``unpaid`` (按未还部分计息: only what is still unpaid); ``None``: the
    #: product has no interest from the posting date.
    card_interest_basis: str | None = None


@record
class RoundingRule:
    """What the lender rounds and how.

    Attributes:
        mode: the rounding mode.
        daily_amount: round each day's charge to the fen before multiplying by days
            (花呗: "逾期本金×0.05%四舍五入精确到分"), instead of rounding the total once.
    """

    mode: Rounding = Rounding.HALF_UP
    daily_amount: bool = False


@record
class LateFee:
    """Late-fee rule, e.g. 5 % of the unpaid part of the minimum payment, at least ¥10."""

    kind: LateFeeKind = LateFeeKind.NONE
    rate: Decimal = Decimal(0)
    minimum: Decimal = Decimal("0.00")
    maximum: Decimal | None = None
    amount: Decimal = Decimal("0.00")
    #: charged again at every later statement whose minimum payment is still unpaid
    #: (cards: one late fee per missed statement), not only once.
    per_statement: bool = False


@record
class MinimumPayment:
    """Minimum-payment rule: ``percent`` of the principal of the bill, plus (if set) 100 %
    of fees and interest and of the current installment amounts."""

    percent: Decimal
    plus_fees_and_interest: bool = False
    plus_installments: bool = False


@record
class FeeRow:
    """One row of an installment fee table: total fee rate over ``periods`` periods."""

    periods: int
    total_rate: Decimal


@record
class Installments:
    """Installment terms: a table of total fee rates or a monthly fee rate."""

    fees: tuple[FeeRow, ...] = ()
    monthly_fee_rate: Decimal | None = None
    residue: Residue = Residue.LAST

    def total_rate(self, periods: int) -> Decimal | None:
        """The total fee rate for ``periods`` periods, if the preset lists one."""
        for row in self.fees:
            if row.periods == periods:
                return row.total_rate
        if self.monthly_fee_rate is not None:
            return self.monthly_fee_rate * periods
        return None


@record
class Negotiation:
    """What can be negotiated and its published limits."""

    max_term_months: int | None = None
    personalised_installments: bool = False
    deferral_months: int | None = None


@record
class Milestone:
    """A lender-specific event on the timeline, counted in days overdue.

    ``after_days`` is ``None`` when the day is not known (the milestone is then shown
    without a date, with its confidence).
    """

    id: str
    label: Text
    detail: Text
    after_days: int | None = None


@record
class Channel:
    """A way to reach the lender."""

    kind: str
    name: Text
    value: str = ""
    hours: Text | None = None
    good_for: Text | None = None


@record
class Preset:
    """One lender product's rules. See the module docstring and ``docs/presets.md``."""

    id: str
    name: Text
    lender: Text
    lender_type: LenderType
    product_kind: ProductKind
    effective_from: date
    reviewed: date
    repayment_methods: tuple[RepaymentMethod, ...]
    penalty: Penalty
    day_basis: DayBasis = DayBasis.ACT_365
    contract_daily_rate: Decimal | None = None
    grace_days: int = 0
    tolerance: Decimal = Decimal("0.00")
    rounding: RoundingRule = field(default_factory=RoundingRule)
    late_fee: LateFee = field(default_factory=LateFee)
    minimum_payment: MinimumPayment | None = None
    installments: Installments = field(default_factory=Installments)
    negotiation: Negotiation = field(default_factory=Negotiation)
    milestones: tuple[Milestone, ...] = ()
    channels: tuple[Channel, ...] = ()
    sources: Mapping[str, Source] = field(default_factory=dict)
    origin: str = ""
    #: whether the lender reports to the PBOC credit system: ``False`` (a private lender)
    #: leaves the credit-report milestones out of the timeline.
    credit_reporting: bool = True

    def source_of(self, parameter: str) -> Source:
        """The source of a dotted parameter (``penalty.daily_rate``), or of its section."""
        probe = parameter
        while probe:
            if probe in self.sources:
                return self.sources[probe]
            probe = probe.rpartition(".")[0]
        return Source(Confidence.NOT_FOUND, note="no source recorded")

    @property
    def penalty_daily_rate(self) -> Decimal | None:
        """The overdue daily rate this preset implies by default."""
        if self.penalty.daily_rate is not None:
            return self.penalty.daily_rate
        if self.penalty.multiplier is not None and self.contract_daily_rate is not None:
            return self.contract_daily_rate * self.penalty.multiplier
        return None


# ------------------------------------------------------------------------- validation

#: Parameters that must carry a source entry when present in a file.
SOURCED: Final = (
    "penalty",
    "grace_days",
    "tolerance",
    "rounding",
    "late_fee",
    "minimum_payment",
    "installments",
    "negotiation",
    "contract_daily_rate",
    "milestones",
    "channels",
    "repayment_methods",
    "credit_reporting",
)


class TableReader:
    """Walks a TOML table, remembering the dotted path for error messages.

    Shared by every rule-data parser (presets, the LPR table, the law table) so that all of
    them name the file and the dotted field the same way.
    """

    def __init__(self, source: str, data: Mapping[str, Any], path: str = "") -> None:
        self.source = source
        self.data = data
        self.path = path
        self.seen: set[str] = set()

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str, **params: Any) -> PresetError:
        return PresetError(self.source, self._where(key), message, **params)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = ..., *, kind: type | tuple[type, ...] = object) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if default is ...:
                raise self.fail(key, N_("is required"))
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(key, N_("must be {expected}, got {value!r}"), expected=names,
                            value=value)
        return value

    def text(self, key: str) -> str:
        value: str = self.raw(key, kind=str)
        if not value.strip():
            raise self.fail(key, N_("must not be empty"))
        return value

    def integer(self, key: str, default: Any = ..., *, minimum: int = 0,
                maximum: int = 100_000) -> Any:
        value = self.raw(key, default, kind=int)
        if value is None or (value is default and default is not ...):
            return value
        if not minimum <= value <= maximum:
            raise self.fail(key, N_("must be between {minimum} and {maximum}, got {value}"),
                            minimum=minimum, maximum=maximum, value=value)
        return value

    def decimal(self, key: str, default: Any = ..., *, maximum: Decimal | None = None) -> Any:
        value = self.raw(key, default, kind=(str, int))
        if value is None or (value is default and default is not ...):
            return value
        if isinstance(value, str):
            try:
                number = D(value)
            except Exception:
                raise self.fail(key, N_("must be a decimal number in quotes, got {value!r}"),
                                value=value) from None
        else:
            number = D(value)
        if number < 0:
            raise self.fail(key, N_("must not be negative, got {value}"), value=value)
        if maximum is not None and number > maximum:
            raise self.fail(key, N_("must be at most {maximum}, got {value}"), maximum=maximum,
                            value=value)
        return number

    def boolean(self, key: str, default: bool) -> bool:
        value: bool = self.raw(key, default, kind=bool)
        return value

    def day(self, key: str) -> date:
        value = self.raw(key, kind=date)
        if not isinstance(value, date):
            raise self.fail(key, N_("must be a date like 2026-03-31"))
        return value

    def choice(self, key: str, enum: type[StrEnum], default: Any = ...) -> Any:
        value = self.raw(key, default, kind=str)
        if value is default and default is not ...:
            return value
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.fail(key, N_("must be one of {allowed}, got {value!r}"), allowed=allowed,
                            value=value) from None

    def choices(self, key: str, enum: type[E], default: Any = ...) -> frozenset[E]:
        """A list of ``enum`` values (``default`` when absent: a list, or required)."""
        values = self.raw(key, default, kind=list)
        result: set[E] = set()
        for index, value in enumerate(values):
            try:
                result.add(enum(value))
            except ValueError:
                allowed = ", ".join(member.value for member in enum)
                raise PresetError(self.source, f"{self._where(key)}[{index}]",
                                  N_("must be one of {allowed}, got {value!r}"),
                                  allowed=allowed, value=value) from None
        return frozenset(result)

    def table(self, key: str, *, required: bool = False) -> TableReader | None:
        if not self.has(key):
            if required:
                raise self.fail(key, N_("is required"))
            self.seen.add(key)
            return None
        value = self.raw(key, kind=dict)
        return TableReader(self.source, value, self._where(key))

    def tables(self, key: str) -> list[TableReader]:
        if not self.has(key):
            self.seen.add(key)
            return []
        values = self.raw(key, kind=list)
        readers = []
        for index, value in enumerate(values):
            if not isinstance(value, dict):
                raise PresetError(self.source, f"{self._where(key)}[{index}]",
                                  N_("must be a table"))
            readers.append(TableReader(self.source, value, f"{self._where(key)}[{index}]"))
        return readers

    def localized(self, key: str, *, required: bool = True) -> Text | None:
        sub = self.table(key, required=required)
        if sub is None:
            return None
        result = Text(zh=sub.text("zh"), en=sub.text("en"))
        sub.done()
        return result

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise self.fail(unknown[0], N_("is not a known field (check the spelling)"))


def parse_preset(text: str, source: str) -> Preset:
    """Validate the TOML ``text`` of a preset file named ``source`` and build the Preset.

    Raises :class:`PresetError` naming the file and the dotted field of the first problem.
    """
    import tomllib  # not at import: a calculator reads its preset back from the cache

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(source, "", N_("is not valid TOML: {error}"), error=str(error)) from None
    return preset_from_dict(data, source)


def preset_from_dict(data: Mapping[str, Any], source: str) -> Preset:
    """Build a Preset from a parsed TOML table (see :func:`parse_preset`)."""
    top = TableReader(source, data)
    schema = top.integer("schema", minimum=1, maximum=SCHEMA_VERSION)
    del schema
    preset_id = top.text("id")
    if not preset_id.replace("_", "").isalnum() or not preset_id.isascii():
        raise top.fail("id", N_("must be lower-case letters, digits and _, got {value!r}"),
                       value=preset_id)
    name = top.localized("name")
    lender = top.localized("lender")
    if name is None:
        raise StateError("name")
    if lender is None:
        raise StateError("lender")
    methods_raw = top.raw("repayment_methods", kind=list)
    methods = []
    for index, method in enumerate(methods_raw):
        try:
            methods.append(RepaymentMethod(method))
        except ValueError:
            allowed = ", ".join(m.value for m in RepaymentMethod)
            raise PresetError(source, f"repayment_methods[{index}]",
                              N_("must be one of {allowed}, got {value!r}"), allowed=allowed,
                              value=method) from None
    if not methods:
        raise top.fail("repayment_methods", N_("must list at least one method"))

    penalty = _penalty(top)
    contract_daily_rate = top.decimal("contract_daily_rate", None, maximum=Decimal("0.01"))
    if penalty.model in (PenaltyModel.CONTRACT_MULTIPLE, PenaltyModel.ON_TOP):
        if penalty.multiplier is None:
            raise PresetError(source, "penalty.multiplier",
                              N_("is required for the {model} model"), model=penalty.model.value)
    elif penalty.daily_rate is None:
        raise PresetError(source, "penalty.daily_rate", N_("is required for the {model} model"),
                          model=penalty.model.value)

    preset = Preset(
        id=preset_id,
        name=name,
        lender=lender,
        lender_type=top.choice("lender_type", LenderType),
        product_kind=top.choice("product_kind", ProductKind),
        effective_from=top.day("effective_from"),
        reviewed=top.day("reviewed"),
        repayment_methods=tuple(methods),
        penalty=penalty,
        day_basis=top.choice("day_basis", DayBasis, DayBasis.ACT_365),
        contract_daily_rate=contract_daily_rate,
        grace_days=top.integer("grace_days", 0, maximum=60),
        tolerance=top.decimal("tolerance", Decimal("0.00"), maximum=Decimal(1000)),
        rounding=_rounding(top),
        late_fee=_late_fee(top),
        minimum_payment=_minimum(top),
        installments=_installments(top),
        negotiation=_negotiation(top),
        milestones=tuple(_milestone(reader) for reader in top.tables("milestones")),
        channels=tuple(_channel(reader) for reader in top.tables("channels")),
        sources=read_sources(top),
        origin=source,
        credit_reporting=top.boolean("credit_reporting", True),
    )
    top.done()
    _check_sources(preset, data, source)
    return preset


def _penalty(top: TableReader) -> Penalty:
    sub = top.table("penalty", required=True)
    if sub is None:
        raise StateError("sub")
    result = Penalty(
        model=sub.choice("model", PenaltyModel),
        base=sub.choice("base", PenaltyBase),
        daily_rate=sub.decimal("daily_rate", None, maximum=Decimal("0.01")),
        multiplier=sub.decimal("multiplier", None, maximum=Decimal(10)),
        compounding=sub.boolean("compounding", False),
        minimum_per_day=sub.decimal("minimum_per_day", Decimal("0.00"), maximum=Decimal(100)),
        card_interest_basis=_card_basis(sub),
    )
    sub.done()
    return result


#: The values of ``penalty.card_interest_basis``.
CARD_INTEREST_BASES: Final = ("full", "unpaid")


def _card_basis(sub: TableReader) -> str | None:
    if not sub.has("card_interest_basis"):
        return None
    value = sub.text("card_interest_basis")
    if value not in CARD_INTEREST_BASES:
        raise sub.fail("card_interest_basis", N_("must be one of: {known}"),
                       known=", ".join(CARD_INTEREST_BASES))
    return value


def _rounding(top: TableReader) -> RoundingRule:
    sub = top.table("rounding")
    if sub is None:
        return RoundingRule()
    result = RoundingRule(
        mode=sub.choice("mode", Rounding, Rounding.HALF_UP),
        daily_amount=sub.boolean("daily_amount", False),
    )
    sub.done()
    return result


def _late_fee(top: TableReader) -> LateFee:
    sub = top.table("late_fee")
    if sub is None:
        return LateFee()
    result = LateFee(
        kind=sub.choice("kind", LateFeeKind),
        rate=sub.decimal("rate", Decimal(0), maximum=Decimal(1)),
        minimum=sub.decimal("minimum", Decimal("0.00"), maximum=Decimal(10_000)),
        maximum=sub.decimal("maximum", None),
        amount=sub.decimal("amount", Decimal("0.00"), maximum=Decimal(10_000)),
        per_statement=sub.boolean("per_statement", False),
    )
    sub.done()
    return result


def _minimum(top: TableReader) -> MinimumPayment | None:
    sub = top.table("minimum_payment")
    if sub is None:
        return None
    result = MinimumPayment(
        percent=sub.decimal("percent", maximum=Decimal(1)),
        plus_fees_and_interest=sub.boolean("plus_fees_and_interest", False),
        plus_installments=sub.boolean("plus_installments", False),
    )
    sub.done()
    return result


def _installments(top: TableReader) -> Installments:
    sub = top.table("installments")
    if sub is None:
        return Installments()
    rows = []
    for reader in sub.tables("fees"):
        rows.append(FeeRow(periods=reader.integer("periods", minimum=1, maximum=120),
                           total_rate=reader.decimal("total_rate", maximum=Decimal(1))))
        reader.done()
    periods = [row.periods for row in rows]
    if len(set(periods)) != len(periods):
        raise sub.fail("fees", N_("lists the same number of periods twice"))
    result = Installments(
        fees=tuple(sorted(rows, key=lambda row: row.periods)),
        monthly_fee_rate=sub.decimal("monthly_fee_rate", None, maximum=Decimal("0.1")),
        residue=sub.choice("residue", Residue, Residue.LAST),
    )
    sub.done()
    return result


def _negotiation(top: TableReader) -> Negotiation:
    sub = top.table("negotiation")
    if sub is None:
        return Negotiation()
    result = Negotiation(
        max_term_months=sub.integer("max_term_months", None, minimum=1, maximum=120),
        personalised_installments=sub.boolean("personalised_installments", False),
        deferral_months=sub.integer("deferral_months", None, minimum=1, maximum=60),
    )
    sub.done()
    return result


def _milestone(reader: TableReader) -> Milestone:
    label = reader.localized("label")
    detail = reader.localized("detail")
    if label is None:
        raise StateError("label")
    if detail is None:
        raise StateError("detail")
    result = Milestone(
        id=reader.text("id"),
        label=label,
        detail=detail,
        after_days=reader.integer("after_days", None, minimum=0, maximum=3650),
    )
    reader.done()
    return result


def _channel(reader: TableReader) -> Channel:
    result = Channel(
        kind=reader.choice("kind", _ChannelKind).value,
        name=_required_text(reader.localized("name")),
        value=reader.raw("value", "", kind=str),
        hours=reader.localized("hours", required=False),
        good_for=reader.localized("good_for", required=False),
    )
    reader.done()
    return result


class _ChannelKind(StrEnum):
    HOTLINE = "hotline"
    APP = "app"
    ONLINE_CHAT = "online_chat"
    SOCIAL = "social"
    LETTER = "letter"
    BRANCH = "branch"
    WEBSITE = "website"
    IN_PERSON = "in_person"


def _required_text(value: Text | None) -> Text:
    if value is None:
        raise StateError("value")
    return value


def read_sources(top: TableReader) -> dict[str, Source]:
    sub = top.table("sources", required=True)
    if sub is None:
        raise StateError("sub")
    result: dict[str, Source] = {}
    for key in list(sub.data):
        entry = sub.table(key)
        if entry is None:
            raise StateError("entry")
        urls = entry.raw("urls", [], kind=list)
        for index, url in enumerate(urls):
            if not isinstance(url, str) or not url.strip():
                raise PresetError(entry.source, f"{entry.path}.urls[{index}]",
                                  N_("must be a non-empty text"))
        confidence = entry.choice("confidence", Confidence)
        note = entry.raw("note", "", kind=str)
        if confidence in (Confidence.VERIFIED, Confidence.SECONDARY) and not urls:
            raise entry.fail("urls", N_("a {mark} source needs at least one address"),
                             mark=confidence.value)
        if not urls and not note:
            raise entry.fail("note", N_("say why there is no address"))
        result[key] = Source(confidence=confidence, urls=tuple(urls), note=note,
                             ref=entry.raw("ref", "", kind=str))
        entry.done()
    sub.done()
    return result


def _check_sources(preset: Preset, data: Mapping[str, Any], source: str) -> None:
    for name in SOURCED:
        if name in data and name not in preset.sources:
            raise PresetError(source, f"sources.{name}",
                              N_("is missing: every parameter must cite its source"))
    for key in preset.sources:
        root = key.split(".")[0]
        if root not in data:
            raise PresetError(source, f"sources.{key}", N_("names a parameter the file lacks"))


def merge_override(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge a user's override table into a preset's table (override wins).

    Lists (milestones, channels, fee rows) are replaced whole, not merged item by item.
    """
    merged: dict[str, Any] = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_override(merged[key], value)
        else:
            merged[key] = value
    return merged


def with_user_values(preset: Preset, **changes: Any) -> Preset:
    """A copy of ``preset`` with some values replaced (used for per-debt adjustments)."""
    return replace(preset, **changes)
