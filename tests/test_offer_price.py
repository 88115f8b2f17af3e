"""Issue 12 ⑥: an offer is never called acceptable above the legal reference that applies
to the lender, and ``calc cap`` answers "not applicable" where a reference does not apply."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import click
from click.testing import CliRunner

from xieshang.engine.bill import Bill
from xieshang.engine.negotiation import (
    Offer,
    Verdict,
    build_ladder,
    check_offer,
    parse_negotiation_data,
)
from xieshang.engine.preset import Preset, parse_preset
from xieshang.rules import builtin_text, lpr_table, rate_law

M = Decimal
TODAY = date(2026, 3, 10)
DATA = parse_negotiation_data(builtin_text("_negotiation.toml"), "presets/_negotiation.toml")
LAW = rate_law()["law"]
FIXINGS = lpr_table()


def _preset(name: str) -> Preset:
    return parse_preset(builtin_text(f"{name}.toml"), f"presets/{name}.toml")


def _check(preset: Preset, offer: Offer, share: str = "20000.00",
           principal: str = "10000.00") -> object:
    bill = Bill(as_of=TODAY, principal=M(principal), interest=M(0), penalty=M(0), fees=M(0))
    ladder = build_ladder(bill, preset, M(share), today=TODAY, settings=DATA)
    return check_offer(bill, preset, offer, M(share), ladder, today=TODAY, law=LAW,
                       fixings=FIXINGS)


def test_a_1000_percent_offer_is_not_acceptable() -> None:
    """¥10,000 at 1,000 % a year over 12 months (Huabei: a consumer finance company, so the
    24 % court reference of 法发〔2017〕22号 is the reference, from ``_lpr.toml``).

    The monthly payment fits a ¥20,000 share, yet the check must not say "accept". The IRR
    of an annuity at 1,000 %/12 a month is that rate: APR 1000.00 %. What to ask instead:
    12 months at 24 % → 2 % a month, 10,000 × 0.02 / (1 − 1.02⁻¹²) = 945.5960 → ¥945.60.
    """
    check = _check(_preset("huabei"), Offer(periods=12, annual_rate=M("10")))
    assert check.verdict is Verdict.OVERPRICED  # type: ignore[attr-defined]
    codes = [reason.code for reason in check.advice]  # type: ignore[attr-defined]
    assert codes[0] == "RATE_ABOVE_COURT_REFERENCE"
    assert "ACCEPT_AND_CONFIRM_IN_WRITING" not in codes
    first = check.advice[0]  # type: ignore[attr-defined]
    assert first.params["rate"] == "1000.00%"
    assert first.params["reference"] == "24.00%"
    assert first.params["fit_monthly"] == "¥945.60"
    assert first.params["periods"] == "12"
    assert first.source is not None
    assert first.source.urls


def test_an_offer_to_a_private_lender_above_4x_lpr() -> None:
    """A private loan (informal_loan preset): the limit is 4 × the 1-year LPR in force on
    the day of the offer, 2026-03-10: 3.00 % (from 2025-05-20) × 4 = 12.00 %. An offer at
    15 % is above it; at 12 % over 12 months the annuity is 1 % a month:
    10,000 × 0.01 / (1 − 1.01⁻¹²) = 888.4879 → ¥888.49."""
    check = _check(_preset("informal_loan"), Offer(periods=12, annual_rate=M("0.15")))
    assert check.verdict is Verdict.OVERPRICED  # type: ignore[attr-defined]
    first = check.advice[0]  # type: ignore[attr-defined]
    assert first.code == "RATE_ABOVE_PRIVATE_CAP"
    assert (first.params["cap"], first.params["lpr"]) == ("12.00%", "3.00%")
    assert first.params["fit_monthly"] == "¥888.49"


def test_an_offer_within_the_reference_says_its_rate() -> None:
    """10 % a year over 12 months on Huabei: within 24 %; still affordable, and the advice
    states the rate and the reference (monthly IRR 10/12 % → nominal 10.00 %)."""
    check = _check(_preset("huabei"), Offer(periods=12, annual_rate=M("0.10")))
    assert check.verdict is Verdict.AFFORDABLE  # type: ignore[attr-defined]
    codes = [reason.code for reason in check.advice]  # type: ignore[attr-defined]
    assert "RATE_WITHIN_COURT_REFERENCE" in codes
    assert "ACCEPT_AND_CONFIRM_IN_WRITING" in codes


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    from xieshang.cli.main import run

    run(list(ctx.args))


def _cap(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(_entry, ["calc", "cap", *args, "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_cap_not_applicable_for_a_bank_and_for_a_private_lender() -> None:
    """A bank at 30 %: 4 × LPR does not bind it (Art. 1 ¶2) → "above 4 × LPR" is null, not
    "no"; the 24 % court reference applies and 30 % is above it. A private lender at 30 %:
    the 24 % court reference is not reported for private lending → null; 4 × LPR (4 × 3.45 %
    = 13.80 % on 2024-01-01) applies and 30 % is above it."""
    bank = _cap("--annual-rate", "30%", "--contract-date", "2024-01-01", "--lender-type", "bank")
    assert bank["above_4x_lpr"] is None
    assert bank["above_24"] is True
    private = _cap("--annual-rate", "30%", "--contract-date", "2024-01-01",
                   "--lender-type", "private")
    assert private["above_24"] is None
    assert private["court_reference_applies"] is False
    assert private["above_4x_lpr"] is True
    assert private["cap_4x_lpr"] == "0.1380"
