"""``xieshang plan`` through the real command, on a case file in a temporary folder."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xieshang.cli.main import run
from xieshang.clock import today as _today


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run(list(ctx.args))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_entry, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> str:
    code, out, err = invoke(*args)
    assert code == 0, out + err
    return out


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XIESHANG_DB_URL", raising=False)
    return tmp_path / "home"


def _case() -> None:
    since = (_today() - timedelta(days=20)).isoformat()
    ok("case", "new", "--name", "测试")
    ok("debt", "add", "--product", "huabei", "--amount", "3000", "--overdue-since", since)
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "18000", "--overdue-since",
       since, "--minimum", "1800")


def test_comparison_of_all_strategies_from_the_budget_statement() -> None:
    _case()
    ok("budget", "set", "--income", "wages=8000", "--priority", "rent=2000",
       "--flexible", "food=1500")
    data = json.loads(ok("plan", "--json"))
    assert data["budget_source"] == "what the budget statement leaves for debts"
    strategies = [plan["strategy"] for plan in data["plans"]]
    assert strategies == ["avalanche", "snowball", "pro-rata", "risk-first", "optimal"]
    costs = {plan["strategy"]: Decimal(plan["totals"]["cost"]) for plan in data["plans"]}
    # optimal is never worse than any rule on its own objective; with no risk weights the
    # objective is the cost
    assert costs["optimal"] <= min(costs.values())
    for plan in data["plans"]:
        totals = plan["totals"]
        # total paid = principal + charges before + interest + penalty + fees − what is left
        assert Decimal(totals["paid"]) == (
            Decimal(totals["principal"]) + Decimal(totals["charges_before"])
            + Decimal(totals["interest"]) + Decimal(totals["penalty"]) + Decimal(totals["fees"])
            - Decimal(totals["unpaid_end"]))


def test_one_strategy_month_by_month_and_this_month() -> None:
    _case()
    data = json.loads(ok("plan", "--budget", "3000", "--strategy", "avalanche", "--json"))
    plan = data["plans"][0]
    months = plan["months"]
    assert all(Decimal(m["paid"]) <= Decimal("3000.00") for m in months)
    assert months[-1]["debts"][0]["balance"] == "0.00"
    month = json.loads(ok("plan", "month", "--budget", "3000", "--json"))
    assert month["strategy"] == "pro-rata"
    assert sum(Decimal(a["amount"]) for a in month["actions"]) == Decimal("3000.00")
    table = ok("plan", "month", "--budget", "3000", "--lang", "en")
    assert "what to pay to whom" in table


def test_a_payment_recasts_the_plan() -> None:
    _case()
    before = json.loads(ok("plan", "--budget", "2500", "--strategy", "pro-rata", "--json"))
    ok("pay", "--debt", "1", "--amount", "1000")
    after = json.loads(ok("plan", "--budget", "2500", "--strategy", "pro-rata", "--json"))
    assert (Decimal(after["plans"][0]["totals"]["paid"])
            < Decimal(before["plans"][0]["totals"]["paid"]))


def test_too_little_money_is_a_plan_that_says_what_goes_unpaid() -> None:
    _case()
    month = json.loads(ok("plan", "month", "--budget", "100", "--json"))
    assert any(Decimal(a["unpaid"]) > 0 for a in month["actions"])


@pytest.mark.filterwarnings("error::UserWarning")  # a missing glyph would be a tofu box
def test_chart_is_an_svg_of_every_strategy(tmp_path: Path) -> None:
    _case()
    chart = tmp_path / "owed.svg"
    ok("plan", "--budget", "3000", "--chart", str(chart))
    text = chart.read_text(encoding="utf-8")
    assert text.startswith("<?xml")
    assert "<svg" in text
    assert text.count("avalanche") >= 1
    assert "optimal" in text


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["plan", "--budget", "-5"], "--budget"),
        (["plan", "--budget", "3000", "--strategy", "lottery"], "--strategy"),
        (["plan", "--budget", "3000", "--strategy", "custom"], "--order"),
        (["plan", "--budget", "3000", "--strategy", "custom", "--order", "1,9"], "--order"),
        (["plan", "--budget", "3000", "--chart", "out.pdf"], "--chart"),
    ],
)
def test_bad_input_exits_2_naming_the_field(args: list[str], field: str) -> None:
    _case()
    code, out, err = invoke(*args, "--lang", "en")
    assert code == 2, out + err
    assert field in err
    assert "Traceback" not in err


def test_no_debts_and_no_budget_are_clear_errors() -> None:
    ok("case", "new", "--name", "空")
    code, _out, err = invoke("plan", "--budget", "100", "--lang", "en")
    assert code == 2
    assert "no open debts" in err
    since = (_today() - timedelta(days=3)).isoformat()
    ok("debt", "add", "--product", "huabei", "--amount", "300", "--overdue-since", since)
    code, _out, err = invoke("plan", "--lang", "en")
    assert code == 2
    assert "budget statement" in err
