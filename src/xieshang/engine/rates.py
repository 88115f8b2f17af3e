"""Annualised rates of cash flows (IRR, XIRR) and the legal rate checks of ``rules-cn.md`` §4.

Rates:

* :func:`irr` — the per-period internal rate of return of equally spaced cash flows;
* :func:`annualised` — for monthly flows, the three figures a person may meet: the monthly
  IRR, the **nominal** annual rate (monthly IRR × 12, the figure Chinese lenders must
  display, ``rules-cn.md`` §4.5 / §9.2) and the **effective** annual rate ((1 + IRR)^12 − 1);
* :func:`xirr` — the effective annual rate of dated cash flows, ACT/365F (years of 365 days);
* :func:`annual_to_daily` / :func:`daily_to_annual` — simple (non-compounding) conversions.

The sign convention is free: money received and money paid only need opposite signs
(``[-5700, 197.86, …]`` and ``[5700, -197.86, …]`` give the same rate). Rates are fractions
(``Decimal("0.15096")`` is 15.096 %), returned as ``Decimal`` rounded to 12 decimal places.

How the root is found: the solver works on Python floats (only the *rate* is a float; every
such line is marked ``# float-ok``). Equal consecutive flows — an installment plan is mostly
one repeated payment — are folded into runs and each run is summed in closed form, so an
evaluation costs a few operations per run, not per flow. Newton's method starts at 0 %. When
the flows change sign exactly once (a loan: money out, then money back) the rate is unique;
when they change sign more often several rates may balance them, and the one nearest 0 is
returned (lenders' rates are small), found by scanning outward from 0 and bisecting.

Legal checks (:func:`check_rate`): the 1-year LPR in force on the contract date (the LPR
history is data, :func:`parse_lpr`), the 4 × LPR limit for private lending and whether the
lender type is bound by it, the 24 % court reference for licensed lenders, and the disclosure
rules. Every legal number, date and scope comes from the ``[law]`` tables of ``_lpr.toml``
(:func:`parse_rate_law`), each with its source and confidence mark; the findings inform and
never promise an outcome. Reading the file is I/O and happens outside the engine::

    text = builtin_text("_lpr.toml")
    fixings = parse_lpr(text, "presets/_lpr.toml")
    law = parse_rate_law(text, "presets/_lpr.toml")
    check_rate(Decimal("0.15"), date(2025, 6, 1), LenderType.PRIVATE, fixings, law=law)
"""

from __future__ import annotations

import bisect
import decimal
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import groupby, islice
from operator import ne
from types import MappingProxyType
from typing import Any, Final

from xieshang.engine.errors import N_, InputError, PresetError, StateError, fill
from xieshang.engine.money import CONTEXT, D
from xieshang.engine.preset import Confidence, LenderType, Source, TableReader

__all__ = [
    "AnnualRates",
    "CapCheck",
    "Finding",
    "LprFixing",
    "RateLaw",
    "annual_to_daily",
    "annualised",
    "check_rate",
    "daily_to_annual",
    "irr",
    "lpr_on",
    "parse_lpr",
    "parse_rate_law",
    "xirr",
]

#: Rates are reported to this many decimal places (at least 8 significant digits for any
#: rate above 0.0001 %); the float solver is accurate to about 1e-15.
RATE_PLACES: Final = Decimal("1e-12")
_PERCENT_PLACES: Final = Decimal("0.01")

# Solver settings (numerics, not rules).
_MAX_NEWTON_STEPS: Final = 60
_TINY_STEP: Final = 1e-13  # float-ok: relative Newton step that ends the iteration
_SMALL_STEP: Final = 1e-6  # float-ok: below this Newton converges quadratically…
_NEXT_ERROR: Final = 1e-14  # float-ok: …so stop when the estimated next error is below this
_SETTLED: Final = 1e-2  # float-ok: …and the NPV at the new rate shrank at least this much
_SCAN_FIRST: Final = 1e-6  # float-ok: first log(1 + r) probed when scanning for a root
_SCAN_GROWTH: Final = 1.2  # float-ok
_SCAN_LIMIT: Final = 30.0  # float-ok: |log(1 + r)| beyond this is not a credit rate
_BISECTIONS: Final = 200
#: Sum runs of equal flows in closed form when there are at most 1 run per this many flows.
_RUNS_PER_FLOW: Final = 6


# ================================================================================ rates


@dataclass(frozen=True, slots=True)
class AnnualRates:
    """The annualised rates of a list of monthly cash flows (fractions, 12 places).

    Attributes:
        monthly: the monthly IRR (per-period internal rate of return).
        nominal: monthly × 12 — the nominal annual rate (the IRR-method APR, 年化利率, that
            lenders in China must display, ``rules-cn.md`` §4.5).
        effective: (1 + monthly)^12 − 1 — the effective annual rate (compounded).
    """

    monthly: Decimal
    nominal: Decimal
    effective: Decimal


def irr(flows: Sequence[Decimal]) -> Decimal:
    """The per-period internal rate of return of equally spaced cash flows, as a fraction.

    Args:
        flows: one amount per period, the first at period 0; money received and money paid
            carry opposite signs (which is which does not matter).

    Returns:
        The rate ``r`` with ``sum(flow / (1 + r) ** t) == 0``, rounded to 12 places; exactly
        ``Decimal(0)`` when the flows sum to zero. With several such rates, the one nearest 0.

    Raises:
        InputError: (field ``flows``) fewer than 2 flows, no change of sign, a flow that is not
            a finite number, or no rate balances the flows.
    """
    if len(flows) < 2:
        raise InputError("flows", N_("need at least 2 cash flows (got {count})"),
                         count=len(flows))
    value_and_slope: Callable[[float], tuple[float, float]]  # float-ok
    # equal neighbours (an annuity's level payments) are summed in closed form by runs, one
    # conversion a run; distinct flows (most schedules with dates or fees) by Horner over
    # every flow, converted in one pass
    count = 1 + sum(map(ne, flows, islice(flows, 1, None)))
    if count * _RUNS_PER_FLOW <= len(flows):
        runs = [(_to_float(amount), len(list(group))) for amount, group in groupby(flows)]
        values = [value for value, _ in runs]
        value_and_slope = partial(_run_npv, runs[::-1])
    else:
        values = _to_floats(flows)
        value_and_slope = partial(_flat_npv, values[::-1])
    changes = _sign_changes(values)
    rate = _newton(value_and_slope) if changes == 1 else None
    if rate is None:
        rate = _nearest_root(lambda r: value_and_slope(r)[0])  # float-ok
    return _to_decimal(rate)


def annualised(flows: Sequence[Decimal]) -> AnnualRates:
    """Monthly IRR, nominal annual rate (× 12) and effective annual rate of monthly flows.

    The nominal rate is exactly 12 × the reported monthly rate; the effective rate is
    computed from the reported monthly rate, so both can be re-derived from what is shown.
    """
    monthly = irr(flows)
    nominal = CONTEXT.multiply(monthly, 12)
    effective = CONTEXT.subtract(CONTEXT.power(CONTEXT.add(1, monthly), 12), 1)
    return AnnualRates(monthly=monthly, nominal=nominal.quantize(RATE_PLACES),
                       effective=effective.quantize(RATE_PLACES, context=CONTEXT))


def xirr(dates: Sequence[date], flows: Sequence[Decimal]) -> Decimal:
    """The effective annual rate of dated cash flows, counting ACT/365F (years of 365 days).

    ``sum(flow / (1 + r) ** (days_since_first / 365)) == 0``; the dates need not be sorted
    and flows on the same date are added together. Same result as ``pyxirr.xirr`` with its
    default day count.

    Raises:
        InputError: ``dates`` when the lists differ in length or all dates are equal;
            ``flows`` as in :func:`irr`.
    """
    if len(dates) != len(flows):
        raise InputError("dates", N_("give one date per cash flow: {dates} dates for {flows} "
                                     "flows"), dates=len(dates), flows=len(flows))
    if len(flows) < 2:
        raise InputError("flows", N_("need at least 2 cash flows (got {count})"),
                         count=len(flows))
    by_day: dict[date, Decimal] = {}
    for day, flow in zip(dates, flows, strict=True):
        by_day[day] = CONTEXT.add(by_day.get(day, 0), flow)
    days = sorted(by_day)
    if len(days) < 2:
        raise InputError("dates", N_("need at least 2 different dates"))
    merged = [by_day[day] for day in days]
    values = [_to_float(flow) for flow in merged]
    changes = _sign_changes(values)
    if sum(merged, Decimal(0)) == 0:
        return Decimal(0)
    first = days[0]
    years = [(day - first).days / 365 for day in days]  # float-ok: ACT/365F year fractions

    def value_and_slope(rate: float) -> tuple[float, float]:  # float-ok
        log_growth = math.log1p(rate)  # float-ok
        value = slope = 0.0  # float-ok
        for amount, t in zip(values, years, strict=True):
            term = amount * math.exp(-t * log_growth)  # float-ok
            value += term
            slope -= t * term
        return value, slope / (1 + rate)

    rate = _newton(value_and_slope) if changes == 1 else None
    if rate is None:
        rate = _nearest_root(lambda r: value_and_slope(r)[0])  # float-ok
    return _to_decimal(rate)


def annual_to_daily(annual: Decimal, basis_days: int = 365) -> Decimal:
    """Simple daily rate of an annual rate: ``annual / basis_days`` (0.1825 → 0.0005)."""
    return CONTEXT.divide(annual, _basis(basis_days))


def daily_to_annual(daily: Decimal, basis_days: int = 365) -> Decimal:
    """Simple annual rate of a daily rate: ``daily × basis_days`` (0.0005 → 0.1825)."""
    return CONTEXT.multiply(daily, _basis(basis_days))


def _basis(basis_days: int) -> int:
    if isinstance(basis_days, bool) or not isinstance(basis_days, int) or basis_days < 1:
        raise InputError("basis_days", N_("must be a whole number of days such as 360 or 365 "
                                          "(got {value})"), value=basis_days)
    return basis_days


# ------------------------------------------------------------------------------ solver


def _to_floats(flows: Sequence[Decimal]) -> list[float]:  # float-ok: rate solver input
    """The flows as floats for the rate solver, refusing any that is not finite."""
    values = list(map(float, flows))
    if not all(map(math.isfinite, values)):
        for flow in flows:
            _to_float(flow)
    return values


def _to_float(flow: Decimal) -> float:  # float-ok: a rate solver input, never money again
    """A flow as float for the rate solver (CPython converts through the decimal string)."""
    number = float(flow)  # float-ok
    if not math.isfinite(number):
        raise InputError("flows", N_("'{value}' is not a finite amount"), value=str(flow))
    return number


def _sign_changes(values: Sequence[float]) -> int:  # float-ok
    """How often the non-zero values change sign; refuses flows that never do."""
    changes = 0
    previous = 0.0  # float-ok
    for value in values:
        if value:
            if previous * value < 0:
                changes += 1
            previous = value
    if not changes:
        raise InputError("flows", N_("need money flowing both ways: at least one amount "
                                     "received and one paid (all flows have the same sign "
                                     "or are zero)"))
    return changes


def _run_npv(runs_backwards: Sequence[tuple[float, int]],  # float-ok
             rate: float) -> tuple[float, float]:  # float-ok
    """NPV of runs of equal flows at t = 0, 1, 2, … and its derivative in ``rate``.

    ``runs_backwards`` lists (amount, count) from the last run to the first. Horner over runs
    in the discount factor v = 1/(1+r): a run of k flows c makes the NPV c·S + v^k·(rest),
    with S = 1 + v + … + v^(k−1) = expm1(−kL)/expm1(−L), L = log(1+r), and
    S' = dS/dv = (S − k·v^(k−1))/(1 − v).
    """
    log_growth = math.log1p(rate)  # float-ok
    growth = 1.0 + rate  # float-ok: 1/v
    value = slope = 0.0  # float-ok: NPV and dNPV/dv
    if log_growth:
        step = math.expm1(-log_growth)  # float-ok: v − 1, accurate near r = 0
        small = abs(log_growth) < 1e-9  # float-ok: there S' cancels badly; use its limit
        for amount, count in runs_backwards:
            power = math.exp(-count * log_growth)  # float-ok: v^k
            total = math.expm1(-count * log_growth) / step  # float-ok: S
            if small or count == 1:  # a single flow: S = 1 exactly and S' = 0
                total_slope = count * (count - 1) / 2  # float-ok
            else:
                total_slope = (total - count * power * growth) / -step  # float-ok
            value, slope = (amount * total + power * value,
                            amount * total_slope + count * power * growth * value + power * slope)
    else:
        for amount, count in runs_backwards:
            value, slope = (amount * count + value,
                            amount * count * (count - 1) / 2 + count * value + slope)
    return value, -slope / (growth * growth)  # float-ok: dv/dr = −v²


def _flat_npv(backwards: Sequence[float], rate: float) -> tuple[float, float]:  # float-ok
    """NPV of flows at t = 0, 1, 2, … (given last first) and its derivative, by Horner."""
    discount = 1.0 / (1.0 + rate)  # float-ok
    value = slope = 0.0  # float-ok
    for amount in backwards:
        slope = slope * discount + value
        value = value * discount + amount
    return value, -slope * discount * discount  # float-ok


def _newton(value_and_slope: Callable[[float], tuple[float, float]]) -> float | None:  # float-ok
    """Newton's method from 0; ``None`` when it does not settle on a rate above −100 %.

    It stops when the next error, estimated from the quadratic convergence as
    |step|³ / previous_step², is below 1e-14 and the NPV at the new rate is at most 1 % of
    the NPV before the step (or when the step itself is below 1e-13). The NPV check keeps a
    small step far from the root from passing for convergence: a step that lands just above
    −100 % is followed by tiny steps while the NPV is still huge.
    """
    rate = previous = 0.0  # float-ok
    try:
        value, slope = value_and_slope(rate)
        for _ in range(_MAX_NEWTON_STEPS):
            if not slope or not math.isfinite(value) or not math.isfinite(slope):
                return None
            step = value / slope  # float-ok
            new = rate - step  # float-ok
            if new <= -1:
                new = (rate - 1) / 2  # float-ok: halfway to −100 %, never beyond
            size = abs(step) / max(1.0, abs(new))  # float-ok
            if size < _TINY_STEP:
                return new
            new_value, new_slope = value_and_slope(new)
            if (size < _SMALL_STEP and size**3 < _NEXT_ERROR * previous**2
                    and abs(new_value) <= _SETTLED * abs(value)):
                return new
            rate, previous, value, slope = new, size, new_value, new_slope
    except (OverflowError, ZeroDivisionError):
        return None
    return None


def _nearest_root(value: Callable[[float], float]) -> float:  # float-ok
    """The rate nearest 0 where ``value`` changes sign: scan outward from 0, then bisect.

    The scan steps through log(1 + r) = ±1e-6 · 1.2^k; two roots closer together than one
    step (and any beyond a 1e13-fold growth or decay per period) are not seen.
    """
    at_zero = value(0.0)
    if not at_zero:
        return 0.0
    candidates: list[float] = []  # float-ok
    for side in (1.0, -1.0):  # float-ok
        inner, inner_value = 0.0, at_zero  # float-ok
        scale = _SCAN_FIRST
        while scale <= _SCAN_LIMIT:
            outer = math.expm1(side * scale)  # float-ok
            try:
                outer_value = value(outer)
            except (OverflowError, ZeroDivisionError):
                break
            if not math.isfinite(outer_value):
                break
            if outer_value == 0:
                candidates.append(outer)
                break
            if (outer_value > 0) != (inner_value > 0):
                candidates.append(_bisect(value, inner, inner_value, outer))
                break
            inner, inner_value = outer, outer_value
            scale *= _SCAN_GROWTH
    if not candidates:
        raise InputError("flows", N_("no interest rate makes these cash flows balance"))
    return min(candidates, key=abs)


def _bisect(value: Callable[[float], float], low: float, low_value: float,  # float-ok
            high: float) -> float:  # float-ok
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2  # float-ok
        if middle in (low, high):
            break
        middle_value = value(middle)
        if middle_value == 0:
            return middle
        if (middle_value > 0) == (low_value > 0):
            low, low_value = middle, middle_value
        else:
            high = middle
    return (low + high) / 2  # float-ok


def _to_decimal(rate: float) -> Decimal:  # float-ok
    """The solver's rate as a Decimal with 12 places (formatted from the float)."""
    result = D(f"{rate:.12f}")
    return Decimal(0) if result == 0 else result


# ========================================================================= LPR and law


@dataclass(frozen=True, slots=True)
class LprFixing:
    """One 1-year Loan Prime Rate fixing (一年期贷款市场报价利率).

    Attributes:
        effective_from: the first day the fixing is in force.
        rate: the rate as a fraction (0.0385 = 3.85 %).
        confidence: the ``rules-cn.md`` §4.6 mark; ``NF`` rows are from memory, not verified,
            and must be shown as such.
        source: the address or remark ``rules-cn.md`` §4.6 gives for the row.
    """

    effective_from: date
    rate: Decimal
    confidence: Confidence
    source: str


@dataclass(frozen=True, slots=True)
class RateLaw:
    """The legal rate rules of ``rules-cn.md`` §3.7, §4.1–§4.6, as data (``[law]`` tables).

    Attributes:
        lpr_multiple: the private-lending limit is this many times the 1-year LPR in force
            when the contract was formed (Article 25; Articles 28–29 for overdue charges).
        bound: lender types bound by that limit; every other type is outside it
            (Article 1 ¶2 and the SPC 批复).
        court_reference: the annual rate above which a borrower of a licensed lender may ask
            a court to reduce combined charges (法发〔2017〕22号) — a reference, not a cap.
        court_reference_for: lender types the court reference is reported for.
        old_contracts_before: contracts formed before this day keep the earlier rule for
            interest up to the day before it (Article 31).
        old_protected: under the earlier rule, rates up to this were protected (§4.3).
        old_void: under the earlier rule, rates above this were void (§4.3).
        old_no_rate_overdue: under the earlier rule, the overdue rate a year when no rate
            at all was agreed (2015 Art. 29).
        old_overdue_combined: under the earlier rule, overdue interest, 违约金 and other fees
            together were supported up to this rate a year (2015 Art. 29–30).
        no_rate_lpr_multiple: no rate agreed at all: the overdue rate is this many times the
            1-year LPR of the first overdue day (Article 28 ¶2 (1)).
        apr_disclosure_for: lender types that must show the annualised rate (§4.5).
        compounding_disclosure_for: lender types that must point out their compound-interest
            (复利) terms (§3.7).
        lpr_known_until: the last day the LPR table is known to be complete; a later contract
            date may fall under a fixing the table does not list.
        sources: the source of each ``[law]`` table (and ``lpr``), keyed by table name.
    """

    lpr_multiple: Decimal
    bound: frozenset[LenderType]
    court_reference: Decimal
    court_reference_for: frozenset[LenderType]
    old_contracts_before: date
    old_protected: Decimal
    old_void: Decimal
    old_no_rate_overdue: Decimal
    old_overdue_combined: Decimal
    no_rate_lpr_multiple: Decimal
    apr_disclosure_for: frozenset[LenderType]
    compounding_disclosure_for: frozenset[LenderType]
    lpr_known_until: date
    sources: Mapping[str, Source] = field(default_factory=dict)


_TOP_KEYS: Final = frozenset({"schema", "fixings", "lpr", "law"})
_SCHEMA: Final = 1


def _top(text: str, source: str) -> tuple[TableReader, dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PresetError(source, "", N_("is not valid TOML: {error}"), error=str(error)) from None
    top = TableReader(source, data)
    top.integer("schema", minimum=1, maximum=_SCHEMA)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise top.fail(unknown[0], N_("is not a known field (check the spelling)"))
    return top, data


def parse_lpr(text: str, source: str) -> tuple[LprFixing, ...]:
    """Validate the TOML text of ``_lpr.toml`` and return its fixings, oldest first.

    Each ``[[fixings]]`` row needs ``effective_from`` (a date), ``rate`` (a quoted fraction
    above 0 and at most 0.2), ``confidence`` (V, S, C or NF) and ``source``; rows must be in
    date order with no date twice.

    Raises:
        PresetError: naming ``source`` and the field (``fixings[3].rate``) of the first problem.
    """
    top, _ = _top(text, source)
    rows = top.tables("fixings")
    if not rows:
        raise top.fail("fixings", N_("must list at least one fixing"))
    fixings: list[LprFixing] = []
    for row in rows:
        fixing = LprFixing(
            effective_from=row.day("effective_from"),
            rate=row.decimal("rate", maximum=Decimal("0.2")),
            confidence=row.choice("confidence", Confidence),
            source=row.text("source"),
        )
        row.done()
        if fixing.rate <= 0:
            raise row.fail("rate", N_("must be above 0, got {value}"), value=fixing.rate)
        if fixings and fixing.effective_from <= fixings[-1].effective_from:
            raise row.fail("effective_from", N_("must be later than the row before ({previous})"),
                           previous=fixings[-1].effective_from.isoformat())
        fixings.append(fixing)
    return tuple(fixings)


def parse_rate_law(text: str, source: str) -> RateLaw:
    """Validate the ``[law]`` and ``[lpr]`` tables of ``_lpr.toml`` and return the rules.

    Every table carries ``ref`` (the ``rules-cn.md`` section), ``confidence``, ``urls`` and
    ``note`` beside its values. ``[law.scope]`` must place every lender type in exactly one
    of ``bound`` / ``not_bound``.

    Raises:
        PresetError: naming ``source`` and the field of the first problem.
    """
    top, _ = _top(text, source)
    law = top.table("law", required=True)
    lpr = top.table("lpr", required=True)
    if law is None:
        raise StateError("law")
    if lpr is None:
        raise StateError("lpr")
    sources: dict[str, Source] = {}

    def section(name: str) -> TableReader:
        sub = law.table(name, required=True)
        if sub is None:
            raise StateError("sub")
        sources[name] = _source(sub)
        return sub

    multiple = section("lpr_multiple")
    lpr_multiple = multiple.decimal("value", maximum=Decimal(10))
    multiple.done()

    scope = section("scope")
    bound = _lender_types(scope, "bound")
    not_bound = _lender_types(scope, "not_bound")
    for lender_type in LenderType:
        if (lender_type in bound) == (lender_type in not_bound):
            raise scope.fail("bound", N_("must list {value} in exactly one of bound and "
                                         "not_bound"), value=lender_type.value)
    scope.done()

    court = section("court_reference")
    court_reference = court.decimal("value", maximum=Decimal(1))
    court_for = _lender_types(court, "lender_types")
    court.done()

    old = section("old_contracts")
    old_before = old.day("formed_before")
    old.done()

    thresholds = section("old_thresholds")
    old_protected = thresholds.decimal("protected", maximum=Decimal(1))
    old_void = thresholds.decimal("void", maximum=Decimal(1))
    old_no_rate = thresholds.decimal("no_rate_overdue", maximum=Decimal(1))
    old_combined = thresholds.decimal("overdue_combined", maximum=Decimal(1))
    thresholds.done()

    no_rate = section("no_rate_overdue")
    no_rate_multiple = no_rate.decimal("lpr_multiple", maximum=Decimal(10))
    no_rate.done()

    apr = section("apr_disclosure")
    apr_for = _lender_types(apr, "lender_types")
    apr.done()

    compounding = section("compounding_disclosure")
    compounding_for = _lender_types(compounding, "lender_types")
    compounding.done()
    law.done()

    sources["lpr"] = _source(lpr)
    known_until = lpr.day("known_until")
    lpr.done()
    return RateLaw(
        lpr_multiple=lpr_multiple, bound=bound, court_reference=court_reference,
        court_reference_for=court_for, old_contracts_before=old_before,
        old_protected=old_protected, old_void=old_void, old_no_rate_overdue=old_no_rate,
        old_overdue_combined=old_combined, no_rate_lpr_multiple=no_rate_multiple,
        apr_disclosure_for=apr_for,
        compounding_disclosure_for=compounding_for, lpr_known_until=known_until,
        sources=sources,
    )


def _lender_types(reader: TableReader, key: str) -> frozenset[LenderType]:
    return reader.choices(key, LenderType)


def _source(reader: TableReader) -> Source:
    urls = reader.raw("urls", [], kind=list)
    for index, url in enumerate(urls):
        if not isinstance(url, str) or not url.strip():
            raise PresetError(reader.source, f"{reader.path}.urls[{index}]",
                              N_("must be a non-empty text"))
    confidence = reader.choice("confidence", Confidence)
    if confidence in (Confidence.VERIFIED, Confidence.SECONDARY) and not urls:
        raise reader.fail("urls", N_("a {mark} source needs at least one address"),
                          mark=confidence.value)
    return Source(confidence=confidence, urls=tuple(urls), note=reader.raw("note", "", kind=str),
                  ref=reader.text("ref"))


def lpr_on(fixings: Sequence[LprFixing], day: date) -> LprFixing:
    """The 1-year LPR fixing in force on ``day`` (the latest with ``effective_from <= day``).

    Raises:
        InputError: (field ``contract_date``) ``day`` is before the first fixing.
    """
    index = bisect.bisect_right([fixing.effective_from for fixing in fixings], day)
    if index == 0:
        first = fixings[0].effective_from.isoformat() if fixings else "?"
        raise InputError("contract_date", N_("must be on or after {first}, the first 1-year LPR "
                                             "fixing (got {value})"),
                         first=first, value=day.isoformat())
    return fixings[index - 1]


# ============================================================================ the check


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of information about a rate, with its source.

    Attributes:
        code: a stable identifier (``above_4x_lpr``, ``court_reference_within``…).
        message: an English gettext msgid with ``{placeholders}``; fronts translate it.
        params: the placeholder values, already formatted (percentages, ISO dates).
        source: where the rule is described, e.g. ``rules-cn.md §4.1``.
        confidence: the mark of that source (V, S, C, NF).
        urls: the addresses ``rules-cn.md`` cites for it.
    """

    code: str
    message: str
    params: Mapping[str, str]
    source: str
    confidence: Confidence
    urls: tuple[str, ...] = ()

    def render(self, message: str | None = None) -> str:
        """The message (or its translation) with the parameters filled in."""
        return fill(self.message if message is None else message, self.params)


@dataclass(frozen=True, slots=True)
class CapCheck:
    """The legal reference points for one annual rate (information, not legal advice).

    Attributes:
        annual_rate: the rate checked (a fraction; normally the nominal IRR-method APR).
        lender_type: who the lender is.
        contract_date: the day the contract was formed.
        lpr: the 1-year LPR fixing in force on ``contract_date``.
        cap_4x_lpr: ``lpr_multiple`` × that LPR, the private-lending limit.
        bound_by_4x_lpr: whether this lender type is bound by that limit.
        above_4x_lpr: the lender is bound and ``annual_rate`` is above the limit.
        court_reference_24: the court reference for licensed lenders (0.24).
        above_24: the reference is reported for this lender type and the rate is above it.
        court_reference_applies: the court reference is reported for this lender type
            (when it is not, "above it?" has no answer: not applicable).
        findings: what the rules say about this rate, each with its source.
    """

    annual_rate: Decimal
    lender_type: LenderType
    contract_date: date
    lpr: LprFixing
    cap_4x_lpr: Decimal
    bound_by_4x_lpr: bool
    above_4x_lpr: bool
    court_reference_24: Decimal
    above_24: bool
    findings: tuple[Finding, ...]
    court_reference_applies: bool = False


def check_rate(annual_rate: Decimal, contract_date: date, lender_type: LenderType,
               fixings: Sequence[LprFixing], *, law: RateLaw) -> CapCheck:
    """Compare an annual rate with the legal reference points of ``rules-cn.md`` §4.

    Args:
        annual_rate: the annualised rate as a fraction — all interest and fees, by the IRR
            method (:func:`annualised` ``.nominal``).
        contract_date: the day the contract was formed (合同成立时) — it picks the LPR.
        lender_type: bank, consumer_finance and microloan are licensed lenders; private is a
            loan between persons or companies outside the financial system.
        fixings: the LPR history (:func:`parse_lpr`).
        law: the legal rules (:func:`parse_rate_law`).

    Raises:
        InputError: ``annual_rate`` negative; ``contract_date`` before the first LPR fixing.
    """
    if annual_rate < 0:
        raise InputError("annual_rate", N_("must not be negative (got {value})"),
                         value=str(annual_rate))
    lpr = lpr_on(fixings, contract_date)
    cap = CONTEXT.multiply(law.lpr_multiple, lpr.rate)
    bound = lender_type in law.bound
    above_cap = bound and annual_rate > cap
    court_applies = lender_type in law.court_reference_for
    above_court = court_applies and annual_rate > law.court_reference
    params = {
        "rate": _percent(annual_rate),
        "multiple": str(law.lpr_multiple.normalize()),
        "lpr": _percent(lpr.rate),
        "lpr_from": lpr.effective_from.isoformat(),
        "cap": _percent(cap),
        "contract_date": contract_date.isoformat(),
        "reference": _percent(law.court_reference),
        "before": law.old_contracts_before.isoformat(),
        "protected": _percent(law.old_protected),
        "void": _percent(law.old_void),
        "known_until": law.lpr_known_until.isoformat(),
    }
    frozen_params = MappingProxyType(params)
    findings: list[Finding] = []

    def add(code: str, message: str, table: str, *, confidence: Confidence | None = None) -> None:
        source = law.sources[table]
        findings.append(Finding(code=code, message=message, params=frozen_params,
                                source=f"rules-cn.md {source.ref}",
                                confidence=confidence or source.confidence, urls=source.urls))

    if bound:
        if above_cap:
            add("above_4x_lpr", _ABOVE_CAP, "lpr_multiple")
        else:
            add("within_4x_lpr", _WITHIN_CAP, "lpr_multiple")
        if contract_date < law.old_contracts_before:
            add("old_contract", _OLD_CONTRACT, "old_contracts")
            add("old_thresholds", _OLD_THRESHOLDS, "old_thresholds")
    else:
        add("4x_lpr_not_binding", _NOT_BINDING, "scope")
    if lpr.confidence == Confidence.NOT_FOUND:
        add("lpr_not_verified", _LPR_NOT_VERIFIED, "lpr", confidence=Confidence.NOT_FOUND)
    if contract_date > law.lpr_known_until:
        add("lpr_after_table", _LPR_AFTER_TABLE, "lpr")
    if court_applies:
        add("above_court_reference" if above_court else "within_court_reference",
            _ABOVE_COURT if above_court else _WITHIN_COURT, "court_reference")
    if lender_type in law.apr_disclosure_for:
        add("apr_disclosure", _APR_DISCLOSURE, "apr_disclosure")
    if lender_type in law.compounding_disclosure_for:
        add("compounding_disclosure", _COMPOUNDING_DISCLOSURE, "compounding_disclosure")
    return CapCheck(
        annual_rate=annual_rate, lender_type=lender_type, contract_date=contract_date, lpr=lpr,
        cap_4x_lpr=cap, bound_by_4x_lpr=bound, above_4x_lpr=above_cap,
        court_reference_24=law.court_reference, above_24=above_court, findings=tuple(findings),
        court_reference_applies=court_applies,
    )


def _percent(rate: Decimal) -> str:
    """``Decimal("0.154")`` → ``"15.40%"`` (for messages)."""
    value = CONTEXT.multiply(rate, 100).quantize(_PERCENT_PLACES, rounding=decimal.ROUND_HALF_UP)
    return f"{value}%"


_ABOVE_CAP: Final = N_(
    "The annual rate {rate} is above {multiple} × the 1-year LPR in force when the contract "
    "was formed ({lpr} from {lpr_from}), which is {cap}. Under Article 25 of the Supreme "
    "People's Court provisions on private lending, courts do not support agreed interest "
    "above this limit; Article 29 applies the same limit to overdue interest, 违约金 and "
    "other fees combined.")
_WITHIN_CAP: Final = N_(
    "The annual rate {rate} is not above {multiple} × the 1-year LPR in force when the "
    "contract was formed ({lpr} from {lpr_from}), which is {cap}. This is the limit for "
    "private lending (Article 25); Article 29 applies it to overdue interest, 违约金 and "
    "other fees combined.")
_OLD_CONTRACT: Final = N_(
    "The contract was formed before {before}. Under Article 31, the earlier version of the "
    "provisions applies to the interest up to the day before {before}.")
_OLD_THRESHOLDS: Final = N_(
    "Under the earlier version (in force until {before}), as reported: rates up to "
    "{protected} a year were protected, rates above {void} were void, and rates in between "
    "could not be enforced but, once paid voluntarily, could not be reclaimed.")
_NOT_BINDING: Final = N_(
    "The {multiple} × LPR limit ({cap} for a contract formed on {contract_date}) is the limit "
    "for private lending. The provisions do not apply to lending by licensed financial "
    "institutions — banks, consumer finance companies, micro-loan companies (Article 1 ¶2 and "
    "the Supreme People's Court reply of 2020) — so the figure is shown for comparison only.")
_LPR_NOT_VERIFIED: Final = N_(
    "The 1-year LPR used for this date ({lpr} from {lpr_from}) is listed from memory and has "
    "not been verified; check the official fixing before relying on the {multiple} × LPR "
    "figure.")
_LPR_AFTER_TABLE: Final = N_(
    "The LPR table is known to be complete only up to {known_until}; a later fixing may "
    "differ from {lpr}. Check the 1-year LPR in force on {contract_date}.")
_ABOVE_COURT: Final = N_(
    "The annual rate {rate} is above {reference} a year. Under a 2017 Supreme People's Court "
    "opinion (法发〔2017〕22号), a borrower may ask a court to reduce interest, compound "
    "interest, penalty interest, 违约金 and other fees that together exceed {reference} a "
    "year. It is a reference for courts, not a cap that binds the lender, and the outcome "
    "depends on the case.")
_WITHIN_COURT: Final = N_(
    "The annual rate {rate} is not above {reference} a year, the reference a court may use "
    "when a borrower asks for combined charges to be reduced (法发〔2017〕22号). It is not a "
    "cap that binds the lender.")
_APR_DISCLOSURE: Final = N_(
    "Lenders must show the annualised rate prominently and state it in the contract, counting "
    "interest and all fees directly related to the loan; it is computed by the IRR (compound) "
    "method or as a simple rate labelled 单利 (PBOC Announcement 〔2021〕 No. 3).")
_COMPOUNDING_DISCLOSURE: Final = N_(
    "For credit cards, the bank must point out and explain the clauses on interest, compound "
    "interest (复利), fees and 违约金 when the contract is signed, and show the maximum "
    "annualised rate (2022 notice). The reports say these terms must be shown; they do not "
    "say compounding is banned.")
