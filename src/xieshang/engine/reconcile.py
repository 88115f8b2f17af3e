"""Compare xieshang's figure with the lender's own, and find the rule that explains the gap.

People's first complaint about finance tools is "the interest doesn't match my statement".
When the person types what the lender's bill or app says — the amount due today, the penalty
so far, or both — :func:`reconcile` computes its own bill (:func:`~xieshang.engine.accrual.
bill_on`), shows the difference, and recomputes under every likely cause it can test:

* **grace days** (0 to ``max_grace_days``), charged from day 1 once they pass unpaid (the
  reading :mod:`~xieshang.engine.accrual` takes) or only from the day after them;
* **rounding** of each day's charge to the fen, on or off;
* **compounding** (unpaid interest joining the balance monthly), on or off;
* the **penalty base**: the overdue amount, the overdue principal, or all the principal;
* the **penalty rate**, solved from the lender's penalty and tried only at clean values —
  a multiple of 0.005 % a day (0.04 %, 0.05 %, 0.07 % …) or of 0.5 % a year;
* each cause alone and any two together (the number of recomputations stays bounded).

Candidates whose bill is the same as one already tried are left out (the simplest one is
kept). They are sorted by how far they remain from the lender's figures, the simplest first
among equals; a candidate **matches** when every figure typed is equal to the fen. When no
rule explains the gap and the lender asks for more, the remainder is listed last as a
possible **fee xieshang does not know** (``extra_fee``): it always "matches", so it proves
nothing, and is never chosen as ``best``.

:func:`apply_adjustments` returns the debt with the adopted parameters (the ``adjustments``
mapping is JSON-able text, to be kept on the debt with the person's confirmation and date).

Differences are the lender's figure minus ours: positive when the lender asks for more.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Final

from xieshang.engine.accrual import OverdueDebt, bill_on
from xieshang.engine.bill import Bill
from xieshang.engine.errors import N_, InputError, StateError
from xieshang.engine.money import ZERO, D, format_money, money
from xieshang.engine.preset import PenaltyBase, PenaltyModel, Text

__all__ = [
    "ADJUSTMENT_KEYS",
    "Candidate",
    "Reconciliation",
    "apply_adjustments",
    "current_parameters",
    "describe_adjustments",
    "reconcile",
]

#: The keys :func:`apply_adjustments` understands (``confirmed_on`` is ignored: it is the
#: store's record of when the person confirmed them).
ADJUSTMENT_KEYS: Final = ("grace_days", "charge_grace_days", "rounding_daily", "compounding",
                          "penalty_base", "penalty_daily_rate", "penalty_annual_rate",
                          "extra_fee")
_IGNORED: Final = frozenset({"confirmed_on"})
_CONTEXT: Final = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)
#: Rate used to measure how the penalty responds to the rate (solving for the rate).
_PROBE_RATE: Final = Decimal("0.001")
#: Clean rates of each kind tried, at most.
_MAX_RATES: Final = 4
_HALF_CENT: Final = Decimal("0.005")
#: Clean daily rates are multiples of this (0.005 % a day).
_DAILY_STEP: Final = Decimal("0.00005")
#: Clean annual rates are multiples of this (0.5 % a year).
_ANNUAL_STEP: Final = Decimal("0.005")
_MAX_DAILY_RATE: Final = Decimal("0.01")
_MAX_GRACE: Final = 60


@dataclass(frozen=True, slots=True)
class Candidate:
    """One tested explanation of the difference.

    Attributes:
        code: what was changed, e.g. ``grace_days``, ``rounding_daily+compounding``,
            ``penalty_daily_rate``, ``extra_fee``.
        description: what the lender would be doing, in Chinese and English.
        adjustments: the parameters to adopt, as text (JSON-able), for
            :func:`apply_adjustments`.
        bill: the bill under these parameters.
        matches: every figure the lender gave is equal to the fen.
        difference: the lender's total minus this bill's total (or, when only the penalty
            was given, the lender's penalty minus this penalty).
        total_difference: the lender's total minus this total (``None`` if not given).
        penalty_difference: the lender's penalty minus this penalty (``None`` if not given).
    """

    code: str
    description: Text
    adjustments: Mapping[str, str]
    bill: Bill
    matches: bool
    difference: Decimal
    total_difference: Decimal | None = None
    penalty_difference: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Our figure beside the lender's, and the causes tested.

    Attributes:
        ours: our bill with the debt's current parameters.
        lender_total: the amount due the lender shows (``None`` if not given).
        lender_penalty: the penalty so far the lender shows (``None`` if not given).
        difference: the lender's figure minus ours (total if given, else penalty).
        candidates: the causes tested that change our figure, closest first; the
            ``extra_fee`` candidate, if any, last.
        best: the simplest candidate that matches every figure, not counting
            ``extra_fee``; ``None`` when ours already matches or nothing does.
        matches: our figure already equals the lender's (nothing to adopt).
        total_difference: the lender's total minus ours (``None`` if not given).
        penalty_difference: the lender's penalty minus ours (``None`` if not given).
        unexplained: when nothing matches, what is left with the closest candidate (or
            with ours if none was closer); ``None`` otherwise.
    """

    ours: Bill
    lender_total: Decimal | None
    lender_penalty: Decimal | None
    difference: Decimal
    candidates: tuple[Candidate, ...]
    best: Candidate | None
    matches: bool = False
    total_difference: Decimal | None = None
    penalty_difference: Decimal | None = None
    unexplained: Decimal | None = None


# ------------------------------------------------------------------------ adjustments


def current_parameters(debt: OverdueDebt) -> dict[str, str]:
    """The debt's parameters that reconciliation varies, preset and overrides resolved."""
    preset = debt.preset
    penalty = preset.penalty
    compounding = (debt.compounding if debt.compounding is not None else
                   penalty.compounding or penalty.model is PenaltyModel.COMPOUND_MONTHLY)
    return {
        "grace_days": str(debt.grace_days if debt.grace_days is not None
                          else preset.grace_days),
        "charge_grace_days": _flag(debt.charge_grace_days is not False),
        "rounding_daily": _flag(debt.rounding_daily if debt.rounding_daily is not None
                                else preset.rounding.daily_amount),
        "compounding": _flag(compounding),
        "penalty_base": (debt.penalty_base or penalty.base).value,
    }


def apply_adjustments(debt: OverdueDebt, adjustments: Mapping[str, str]) -> OverdueDebt:
    """The debt with adopted parameters (see :data:`ADJUSTMENT_KEYS`).

    Values are text: ``grace_days`` a whole number 0–60; ``charge_grace_days``,
    ``rounding_daily``, ``compounding`` ``true``/``false``; ``penalty_base`` one of
    ``overdue_amount``, ``overdue_principal``, ``all_principal``; ``penalty_daily_rate`` a
    fraction a day (``0.0005``); ``penalty_annual_rate`` a fraction a year, turned into a
    daily rate with the preset's day basis; ``extra_fee`` an amount in yuan.

    Raises:
        InputError: an unknown key (field ``adjustments``) or a bad value (the key's name).
    """
    changes: dict[str, Any] = {}
    for key, value in adjustments.items():
        if key in _IGNORED:
            continue
        if key not in ADJUSTMENT_KEYS:
            raise InputError("adjustments", N_("'{value}' is not an adjustment; known: "
                                               "{known}"),
                             value=key, known=", ".join(ADJUSTMENT_KEYS))
        text = str(value).strip()
        if key == "grace_days":
            changes[key] = _whole(key, text)
        elif key in ("charge_grace_days", "rounding_daily", "compounding"):
            changes[key] = _boolean(key, text)
        elif key == "penalty_base":
            try:
                changes[key] = PenaltyBase(text)
            except ValueError:
                allowed = ", ".join(member.value for member in PenaltyBase)
                raise InputError(key, N_("must be one of {allowed} (got {value})"),
                                 allowed=allowed, value=text) from None
        elif key == "penalty_daily_rate":
            changes[key] = _rate(key, text, _MAX_DAILY_RATE)
        elif key == "penalty_annual_rate":
            annual = _rate(key, text, _MAX_DAILY_RATE * 365)
            with decimal.localcontext(_CONTEXT):
                changes["penalty_daily_rate"] = annual / debt.preset.day_basis.days
        else:
            changes[key] = money(text, key)
    if "penalty_daily_rate" in adjustments and "penalty_annual_rate" in adjustments:
        raise InputError("adjustments", N_("give penalty_daily_rate or penalty_annual_rate, "
                                           "not both"))
    return replace(debt, **changes)


def describe_adjustments(adjustments: Mapping[str, str], debt: OverdueDebt) -> Text:
    """What a set of adjustments means, in Chinese and English (for confirmations)."""
    parts = [_describe(key, adjustments[key], adjustments, debt) for key in ADJUSTMENT_KEYS
             if key in adjustments and not (key == "charge_grace_days"
                                            and "grace_days" in adjustments)]
    return Text("；".join(part.zh for part in parts), "; ".join(part.en for part in parts))


# --------------------------------------------------------------------------- reconcile


def reconcile(debt: OverdueDebt, as_of: date, *, lender_total: Decimal | None = None,
              lender_penalty: Decimal | None = None,
              max_grace_days: int = 5) -> Reconciliation:
    """Compare our bill on ``as_of`` with the lender's figures and test the likely causes.

    Args:
        debt: the debt with its current parameters.
        as_of: the day the lender's figures are for.
        lender_total: the amount due the lender shows for that day.
        lender_penalty: the penalty (罚息 / 逾期利息) so far the lender shows.
        max_grace_days: the longest grace period tried.

    Raises:
        InputError: neither figure given, a negative or sub-fen figure, or
            ``max_grace_days`` outside 0–60.
    """
    if lender_total is None and lender_penalty is None:
        raise InputError("lender_total", N_("type at least one figure from the lender: the "
                                            "amount due or the penalty so far"))
    for name, figure in (("lender_total", lender_total), ("lender_penalty", lender_penalty)):
        if figure is not None:
            checked = money(figure, name)
            if checked < 0:
                raise InputError(name, N_("must not be negative (got {value})"),
                                 value=str(figure))
    if not 0 <= max_grace_days <= _MAX_GRACE:
        raise InputError("max_grace_days", N_("must be between 0 and {maximum} (got {value})"),
                         maximum=_MAX_GRACE, value=max_grace_days)
    ours = bill_on(debt, as_of)
    total_diff, penalty_diff = _differences(ours, lender_total, lender_penalty)
    primary = total_diff if total_diff is not None else penalty_diff
    if primary is None:
        raise StateError("primary")
    if not any((total_diff, penalty_diff)):
        return Reconciliation(ours=ours, lender_total=lender_total,
                              lender_penalty=lender_penalty, difference=primary,
                              candidates=(), best=None, matches=True,
                              total_difference=total_diff, penalty_difference=penalty_diff)

    tried: list[tuple[int, int, Candidate]] = []
    seen = {_key(ours)}

    def consider(code: str, adjustments: dict[str, str], complexity: int) -> None:
        bill = bill_on(apply_adjustments(debt, adjustments), as_of)
        if _key(bill) in seen:
            return
        seen.add(_key(bill))
        tried.append((complexity, len(tried),
                      _candidate(code, adjustments, bill, debt, lender_total, lender_penalty)))

    options = _options(debt, max_grace_days)
    for size in (1, 2):
        for combo in itertools.combinations(options, size):
            for choice in itertools.product(*(dimension for _, dimension in combo)):
                adjustments: dict[str, str] = {}
                for part in choice:
                    adjustments.update(part)
                consider("+".join(name for name, _ in combo), adjustments, size)
    for adjustments in _rate_options(debt, as_of, ours, lender_total, lender_penalty):
        consider(next(iter(adjustments)), adjustments, 1)

    ordered = sorted(tried, key=lambda item: (_distance(item[2]), item[0], item[1]))
    candidates = [candidate for _, _, candidate in ordered]
    best = next((candidate for candidate in candidates if candidate.matches), None)
    unexplained = None
    if best is None:
        own = sum((abs(d) for d in (total_diff, penalty_diff) if d is not None), ZERO)
        closer = bool(candidates) and _distance(candidates[0]) < own
        unexplained = candidates[0].difference if closer else primary
        fee = _fee_candidate(debt, as_of, ours, candidates, lender_total, lender_penalty)
        if fee is not None:
            candidates.append(fee)
    return Reconciliation(ours=ours, lender_total=lender_total, lender_penalty=lender_penalty,
                          difference=primary, candidates=tuple(candidates), best=best,
                          matches=False, total_difference=total_diff,
                          penalty_difference=penalty_diff, unexplained=unexplained)


def _differences(bill: Bill, lender_total: Decimal | None,
                 lender_penalty: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    total = None if lender_total is None else lender_total - bill.total
    penalty = None if lender_penalty is None else lender_penalty - bill.penalty
    return total, penalty


def _distance(candidate: Candidate) -> Decimal:
    return sum((abs(d) for d in (candidate.total_difference, candidate.penalty_difference)
                if d is not None), ZERO)


def _key(bill: Bill) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return bill.principal, bill.interest, bill.penalty, bill.fees


def _candidate(code: str, adjustments: dict[str, str], bill: Bill, debt: OverdueDebt,
               lender_total: Decimal | None, lender_penalty: Decimal | None) -> Candidate:
    total_diff, penalty_diff = _differences(bill, lender_total, lender_penalty)
    primary = total_diff if total_diff is not None else penalty_diff
    if primary is None:
        raise StateError("primary")
    return Candidate(code=code, description=describe_adjustments(adjustments, debt),
                     adjustments=dict(adjustments), bill=bill,
                     matches=not any((total_diff, penalty_diff)), difference=primary,
                     total_difference=total_diff, penalty_difference=penalty_diff)


def _options(debt: OverdueDebt,
             max_grace: int) -> list[tuple[str, list[dict[str, str]]]]:
    """Each dimension's alternatives to the debt's current value."""
    current = current_parameters(debt)
    grace = int(current["grace_days"])
    charged = current["charge_grace_days"] == "true"
    grace_options = []
    for days in range(max_grace + 1):
        for charge in ((True,) if days == 0 else (True, False)):
            if days == grace and (charge == charged or days == 0):
                continue
            option = {"grace_days": str(days)}
            if days and charge != charged:
                option["charge_grace_days"] = _flag(charge)
            grace_options.append(option)
    flip = {"true": "false", "false": "true"}
    return [
        ("grace_days", grace_options),
        ("rounding_daily", [{"rounding_daily": flip[current["rounding_daily"]]}]),
        ("compounding", [{"compounding": flip[current["compounding"]]}]),
        ("penalty_base", [{"penalty_base": base.value} for base in PenaltyBase
                          if base.value != current["penalty_base"]]),
    ]


def _rate_options(debt: OverdueDebt, as_of: date, ours: Bill, lender_total: Decimal | None,
                  lender_penalty: Decimal | None) -> list[dict[str, str]]:
    """Clean penalty rates that could give the lender's penalty.

    The penalty per unit of rate is measured once, unrounded, at a probe rate. The lender's
    penalty is itself rounded (each day's charge, with daily rounding), so the rate lies in
    a range, widened by one grid step for compounding; the clean rates in it nearest the
    estimate are tried (at most :data:`_MAX_RATES` of each kind).
    """
    if lender_penalty is not None:
        target = lender_penalty
    else:
        if lender_total is None:
            raise StateError("lender_total")
        target = lender_total - (ours.principal + ours.interest + ours.fees)
    if target <= 0:
        return []
    probe_debt = replace(debt, penalty_daily_rate=_PROBE_RATE, rounding_daily=False)
    probe = bill_on(probe_debt, as_of).penalty
    if probe <= 0:
        return []
    basis = debt.preset.day_basis.days
    results: list[dict[str, str]] = []
    with decimal.localcontext(_CONTEXT):
        per_rate = probe / _PROBE_RATE
        slack = _HALF_CENT * (ours.days_overdue + 2)
        low, high = (target - slack) / per_rate, (target + slack) / per_rate
        estimate = target / per_rate
        for rate in _clean_values(estimate, low, high, _DAILY_STEP):
            if 0 < rate <= _MAX_DAILY_RATE:
                results.append({"penalty_daily_rate": _plain(rate)})
        for annual in _clean_values(estimate * basis, low * basis, high * basis,
                                    _ANNUAL_STEP):
            if 0 < annual <= _MAX_DAILY_RATE * basis:
                results.append({"penalty_annual_rate": _plain(annual)})
    return results


def _clean_values(estimate: Decimal, low: Decimal, high: Decimal,
                  step: Decimal) -> list[Decimal]:
    """Multiples of ``step`` from one step below ``low`` to one above ``high``, the
    :data:`_MAX_RATES` nearest to ``estimate``."""
    first = (low / step).to_integral_value(rounding=decimal.ROUND_FLOOR) - 1
    last = (high / step).to_integral_value(rounding=decimal.ROUND_CEILING) + 1
    near = (estimate / step).to_integral_value(rounding=decimal.ROUND_HALF_EVEN)
    first = max(first, near - _MAX_RATES)
    last = min(last, near + _MAX_RATES)
    values = [step * index for index in range(int(first), int(last) + 1)]
    values.sort(key=lambda value: abs(value - estimate))
    return sorted(values[:_MAX_RATES])


def _fee_candidate(debt: OverdueDebt, as_of: date, ours: Bill, candidates: Sequence[Candidate],
                   lender_total: Decimal | None,
                   lender_penalty: Decimal | None) -> Candidate | None:
    """The remainder as a fee, on top of ours or of the closest candidate whose penalty
    matches the lender's penalty."""
    if lender_total is None:
        return None
    base_adjustments: dict[str, str] = {}
    base_bill = ours
    if lender_penalty is not None and lender_penalty != ours.penalty:
        match = next((c for c in candidates if c.penalty_difference == 0), None)
        if match is None:
            return None
        base_adjustments, base_bill = dict(match.adjustments), match.bill
    remainder = lender_total - base_bill.total
    if remainder <= 0:
        return None
    adjustments = base_adjustments | {"extra_fee": str(remainder)}
    bill = bill_on(apply_adjustments(debt, adjustments), as_of)
    code = "+".join([*(k for k in base_adjustments if k != "charge_grace_days"), "extra_fee"])
    return _candidate(code, adjustments, bill, debt, lender_total, lender_penalty)


# -------------------------------------------------------------------------- wording


def _describe(key: str, value: str, adjustments: Mapping[str, str], debt: OverdueDebt) -> Text:
    if key == "grace_days":
        days = int(value)
        if days == 0:
            return Text("没有宽限期", "no grace days")
        charged = adjustments.get("charge_grace_days",
                                  current_parameters(debt)["charge_grace_days"]) == "true"
        grace = f"{days} grace day" if days == 1 else f"{days} grace days"
        if charged:
            return Text(f"宽限期{days}天（宽限期内还清不收逾期费用；过了宽限期从逾期第1天起算）",
                        f"{grace} (nothing charged if paid within the grace period; after "
                        "it, charges count from day 1)")
        return Text(f"宽限期{days}天，逾期费用从第{days + 1}天起算",
                    f"{grace}; charges start on day {days + 1}")
    if key == "charge_grace_days":
        if value == "true":
            return Text("过了宽限期，宽限期内的天数也计费",
                        "once the grace days pass unpaid, they are charged too")
        return Text("宽限期内的天数不计费", "the grace days are not charged")
    if key == "rounding_daily":
        if value == "true":
            return Text("每天的费用先四舍五入到分，再累加",
                        "each day's charge is rounded to the fen before adding up")
        return Text("每天的费用不单独取整，合计后再取整到分",
                    "daily charges are not rounded; only the total is rounded to the fen")
    if key == "compounding":
        if value == "true":
            return Text("按月复利：未还的利息每月并入计息余额",
                        "monthly compounding: unpaid interest joins the balance each month")
        return Text("不计复利", "no compounding")
    if key == "penalty_base":
        return {
            "overdue_amount": Text("罚息按逾期未还的本金和利息计",
                                   "penalty on the overdue principal and interest"),
            "overdue_principal": Text("罚息只按逾期本金计", "penalty on the overdue principal "
                                                      "only"),
            "all_principal": Text("罚息按全部未还本金（含未到期部分）计",
                                  "penalty on all unpaid principal, including principal not "
                                  "yet due"),
        }[value]
    if key == "penalty_daily_rate":
        percent = _percent(D(value))
        return Text(f"罚息日利率{percent}", f"penalty rate {percent} a day")
    if key == "penalty_annual_rate":
        percent = _percent(D(value))
        basis = debt.preset.day_basis.days
        return Text(f"罚息年利率{percent}（按一年{basis}天折算成日利率）",
                    f"penalty rate {percent} a year ({basis}-day year)")
    amount = format_money(D(value))
    return Text(f"一笔xieshang不了解的费用{amount}（请向贷款机构问清是什么费用、依据是什么）",
                f"a fee of {amount} that xieshang does not know (ask the lender what it is "
                "and what it is based on)")


def _percent(fraction: Decimal) -> str:
    return f"{_plain(fraction * 100)}%"


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _whole(key: str, text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InputError(key, N_("must be a whole number (got {value})"), value=text)
    number = int(text)
    if number > _MAX_GRACE:
        raise InputError(key, N_("must be between 0 and {maximum} (got {value})"),
                         maximum=_MAX_GRACE, value=number)
    return number


def _boolean(key: str, text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InputError(key, N_("must be true or false (got {value})"), value=text)


def _rate(key: str, text: str, maximum: Decimal) -> Decimal:
    try:
        rate = D(text)
    except InputError:
        raise InputError(key, N_("'{value}' is not a number"), value=text) from None
    if rate < 0 or rate > maximum:
        raise InputError(key, N_("must be between 0 and {maximum} (got {value})"),
                         maximum=_plain(maximum), value=text)
    return rate
