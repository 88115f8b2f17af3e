"""Re-verify published worked examples against the installed engine and presets.

The examples live in ``xieshang/data/golden.toml`` with their sources; ``xieshang
selfcheck`` runs them after install, and ``tests/test_golden.py`` runs them in CI.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from xieshang.engine.money import D, money

__all__ = ["CheckResult", "golden_examples", "run_example", "run_selfcheck"]

#: Any fixed date works: the examples count days, not calendar dates.
ANCHOR = date(2026, 3, 10)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One example: what was expected, what the engine gave, and whether they agree."""

    id: str
    title: str
    source: str
    confidence: str
    expected: Mapping[str, str]
    actual: Mapping[str, str]

    @property
    def ok(self) -> bool:
        """True when every expected figure matches."""
        return all(self.actual.get(key) == value for key, value in self.expected.items())


def golden_examples() -> list[dict[str, Any]]:
    """The examples from the package's ``golden.toml``."""
    text = resources.files("xieshang").joinpath("data", "golden.toml").read_text("utf-8")
    examples: list[dict[str, Any]] = tomllib.loads(text)["example"]
    return examples


def run_example(example: Mapping[str, Any], presets: Mapping[str, Any]) -> CheckResult:
    """Compute one example with the engine."""
    actual = _KINDS[example["kind"]](example, presets)
    expected = {str(k): str(v) for k, v in example["expect"].items()}
    places = {key: len(value.split(".")[1]) if "." in value else 0
              for key, value in expected.items()}
    shown = {key: _fixed(actual[key], places.get(key, 2)) for key in actual}
    return CheckResult(example["id"], example["title"], example["source"],
                       example["confidence"], expected, shown)


def run_selfcheck(presets: Mapping[str, Any]) -> list[CheckResult]:
    """Every example, in file order."""
    return [run_example(example, presets) for example in golden_examples()]


def _fixed(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places)))


def _overdue(example: Mapping[str, Any], presets: Mapping[str, Any]) -> dict[str, Decimal]:
    from dataclasses import replace

    from xieshang.engine.accrual import OverdueDebt, Payment, bill_on

    preset = presets[example["product"]]
    payments: tuple[Payment, ...] = ()
    if "paid_on_due_date" in example:
        payments = (Payment(ANCHOR, money(example["paid_on_due_date"])),)
    debt = OverdueDebt(preset=preset, principal=money(example["amount"]), due_date=ANCHOR,
                       payments=payments)
    if "contract_daily_rate" in example:
        debt = replace(debt, contract_daily_rate=D(example["contract_daily_rate"]))
    bill = bill_on(debt, ANCHOR + timedelta(days=int(example["days"])))
    return {"principal": bill.principal, "interest": bill.interest, "penalty": bill.penalty,
            "fees": bill.fees, "total": bill.total, "daily_cost": bill.daily_cost}


def _late_fee(example: Mapping[str, Any], presets: Mapping[str, Any]) -> dict[str, Decimal]:
    from xieshang.engine.accrual import late_fee_due

    preset = presets[example["product"]]
    fee = late_fee_due(preset.late_fee, money(example["minimum_due"]), money(example["paid"]))
    return {"fee": fee}


def _installment(example: Mapping[str, Any], _presets: Mapping[str, Any]) -> dict[str, Decimal]:
    from xieshang.engine.schedules import fixed_fee_installment

    total = D(example["total_fee_rate"]) if "total_fee_rate" in example else None
    monthly = D(example["monthly_fee_rate"]) if "monthly_fee_rate" in example else None
    schedule = fixed_fee_installment(money(example["amount"]), int(example["periods"]),
                                     total_fee_rate=total, monthly_fee_rate=monthly)
    return {"fee_each": schedule.rows[0].fee, "payment_each": schedule.rows[0].payment,
            "total_fees": schedule.total_fees}


def _early(example: Mapping[str, Any], _presets: Mapping[str, Any]) -> dict[str, Decimal]:
    from xieshang.engine.schedules import early_repayment_interest

    interest = early_repayment_interest(money(example["amount"]), D(example["daily_rate"]),
                                        ANCHOR, ANCHOR + timedelta(days=int(example["days"])))
    return {"interest": interest}


def _annuity(example: Mapping[str, Any], _presets: Mapping[str, Any]) -> dict[str, Decimal]:
    from xieshang.engine.schedules import annuity

    schedule = annuity(money(example["amount"]), D(example["annual_rate"]) / 12,
                       int(example["months"]))
    return {"payment_first": schedule.rows[0].payment,
            "payment_last": schedule.rows[-1].payment,
            "total_interest": schedule.total_interest}


def _apr(example: Mapping[str, Any], _presets: Mapping[str, Any]) -> dict[str, Decimal]:
    from xieshang.engine.rates import annualised

    flows = [-money(example["amount"])] + [money(example["payment"])] * int(example["periods"])
    rates = annualised(flows)
    return {"nominal": rates.nominal, "effective": rates.effective}


_KINDS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Decimal]]] = {
    "overdue": _overdue,
    "late_fee": _late_fee,
    "installment": _installment,
    "early_repayment": _early,
    "annuity": _annuity,
    "apr": _apr,
}
