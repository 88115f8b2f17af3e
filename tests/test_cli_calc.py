"""The calculators end to end through the real command (in-process, click's runner)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from xieshang.cli.main import run


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``xieshang ARGS`` through the real entry point; return (exit code, out, err)."""
    runner = CliRunner()
    result = runner.invoke(_entry, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


import click  # noqa: E402


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def _entry(ctx: click.Context) -> None:
    run(list(ctx.args))


def calc_json(*args: str) -> dict[str, object]:
    code, out, err = invoke("calc", *args, "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


# ------------------------------------------------------------------- golden examples


def test_overdue_huabei_h1() -> None:
    # rules-cn.md §9.1 H1, https://en.4hw.com.cn/646/36784.html [S]:
    # 2,000 overdue at 0.05 %/day for 30 days → 30.00
    data = calc_json("overdue", "--product", "huabei", "--amount", "2000", "--days", "30")
    assert data["penalty"] == "30.00"
    assert data["total"] == "2030.00"
    assert data["daily_cost"] == "1.00"
    assert data["days_overdue"] == 30


def test_overdue_from_to_jd_d1() -> None:
    # rules-cn.md §9.1 D1, http://www.hpgipv.com/laws-1161270.html [S]:
    # JD 白条 1,000 unpaid, due 3/17 paid 3/22 (5 days), 0.07 %/day → 3.50
    data = calc_json("overdue", "--product", "jd_baitiao", "--amount", "1000",
                     "--from", "2026-03-17", "--to", "2026-03-22")
    assert data["days_overdue"] == 5
    assert Decimal(str(data["penalty"])) + Decimal(str(data["fees"])) == Decimal("3.50")


def test_overdue_with_own_daily_rate() -> None:
    data = calc_json("overdue", "--product", "huabei", "--amount", "¥1,000",
                     "--days", "3", "--penalty-rate", "0.05%")
    assert data["penalty"] == "1.50"  # H2: 0.50/day × 3
    assert data["source"] == {"confidence": "USER"}


def test_installment_i1_cmb() -> None:
    # rules-cn.md §9.1 I1 (CMB), wodefinance.com qyxrnmpbta [S]: 30,000 × 12 × 0.66 %/month
    data = calc_json("installment", "--monthly-fee-rate", "0.66%", "--amount", "30000",
                     "--periods", "12")
    rows = data["rows"]
    assert isinstance(rows, list)
    assert {row["payment"] for row in rows} == {"2698.00"}
    assert data["total_fees"] == "2376.00"


def test_installment_huabei_table_h8() -> None:
    # rules-cn.md §9.1 H8, http://f8195.cn/b/321664.html [S]: 2,000 × 6 periods × 4.5 % → 15/period
    data = calc_json("installment", "--product", "huabei", "--amount", "2000", "--periods", "6")
    rows = data["rows"]
    assert isinstance(rows, list)
    assert [row["fee"] for row in rows] == ["15.00"] * 6
    assert Decimal(str(data["apr_nominal"])) > Decimal("0.15")


def test_schedule_annuity_matches_peers() -> None:
    # peers-and-style.md §1.3.1: 100,000 at 4.9 % over 12 months, HALF_UP →
    # payment 8,556.17, last 8,556.12, total interest 2,673.99 (mortgagemath and loankit agree)
    data = calc_json("schedule", "--method", "annuity", "--annual-rate", "4.9%",
                     "--principal", "100000", "--months", "12")
    rows = data["rows"]
    assert isinstance(rows, list)
    assert rows[0]["payment"] == "8556.17"
    assert rows[-1]["payment"] == "8556.12"
    assert data["total_interest"] == "2673.99"


def test_schedule_equal_principal() -> None:
    data = calc_json("schedule", "--method", "equal-principal", "--annual-rate", "4.9%",
                     "--principal", "100000", "--months", "12")
    assert data["total_interest"] == "2654.17"


def test_apr_verified_example() -> None:
    # peers-and-style.md §1.3.3: 5,700 received, 36 × 197.86 → nominal 15.096 %, effective 16.185 %
    data = calc_json("apr", "--principal", "5700", "--payment", "197.86", "--periods", "36")
    assert round(Decimal(str(data["apr_nominal"])), 5) == Decimal("0.15096")
    assert round(Decimal(str(data["apr_effective"])), 5) == Decimal("0.16185")


def _card_file(folder: Path) -> Path:
    """A card's statement as ``calc card-interest --input`` reads it: ¥10,000 posted
    2025-12-20, ¥1,000 paid on the due date 2026-01-25, 0.05 % a day."""
    path = folder / "card.json"
    path.write_text(json.dumps({
        "daily_rate": "0.05%", "statement_date": "2026-01-05", "due_date": "2026-01-25",
        "next_statement_date": "2026-02-05",
        "transactions": [{"posted": "2025-12-20", "amount": "10000.00"}],
        "payments": [{"date": "2026-01-25", "amount": "1000.00"}],
    }), encoding="utf-8")
    return path


def test_card_interest_from_file(tmp_path: Path) -> None:
    path = _card_file(tmp_path)
    data = calc_json("card-interest", "--input", str(path))
    assert data["full_payment"] is False
    segments = data["segments"]
    assert isinstance(segments, list)
    assert sum(Decimal(s["interest"]) for s in segments) == Decimal(str(data["interest"]))


def test_card_interest_is_not_stopped_by_a_broken_preset_of_the_person_s_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The calculation takes no preset: a preset file of the person's own that does not
    parse has no say in it, and the rule's public source is still shown."""
    home = tmp_path / "home"
    (home / "presets").mkdir(parents=True)
    (home / "presets" / "mine.toml").write_text('id = "mine"\nbad = [', encoding="utf-8")
    monkeypatch.setenv("XIESHANG_HOME", str(home))
    path = _card_file(tmp_path)
    code, out, err = invoke("calc", "card-interest", "--input", str(path), "--lang", "en")
    assert code == 0, err
    assert "(https://" in out
    assert "rules-cn" not in out
    assert "mine.toml" not in out + err


def test_cap_private_loan_above_4x_lpr() -> None:
    data = calc_json("cap", "--annual-rate", "15%", "--contract-date", "2025-06-01",
                     "--lender-type", "private")
    assert data["cap_4x_lpr"] == "0.1200"
    assert data["bound_by_4x_lpr"] is True
    assert data["above_4x_lpr"] is True


def test_cap_consumer_finance_not_bound() -> None:
    data = calc_json("cap", "--annual-rate", "18.25%", "--contract-date", "2025-06-01",
                     "--lender-type", "consumer-finance")
    assert data["bound_by_4x_lpr"] is False
    assert data["above_24"] is False


def test_timeline_card_60000() -> None:
    data = calc_json("timeline", "--product", "credit_card_cn", "--amount", "60000",
                     "--overdue-since", "2026-09-01", "--as-of", "2026-11-29")
    events = data["events"]
    assert isinstance(events, list)
    ids = {e["id"]: e for e in events}
    assert any("malicious" in key for key in ids)


def test_tables_render_in_chinese_and_english() -> None:
    code, out, _ = invoke("calc", "overdue", "--product", "huabei", "--amount", "2000",
                          "--days", "30")
    assert code == 0
    assert "罚息" in out
    assert "¥30.00" in out
    code, out, _ = invoke("calc", "overdue", "--product", "huabei", "--amount", "2000",
                          "--days", "30", "--lang", "en")
    assert code == 0
    assert "Penalty interest" in out
    assert "¥2,030.00" in out


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "field_text"),
    [
        (["overdue", "--product", "huabei", "--amount", "-5", "--days", "3"], "--amount"),
        (["overdue", "--product", "nosuch", "--amount", "5", "--days", "3"], "--product"),
        (["overdue", "--product", "huabei", "--amount", "5", "--from", "2026-03-10",
          "--to", "2026-03-01"], "--to"),
        (["overdue", "--product", "huabei", "--amount", "5", "--days", "3",
          "--daily-rate", "5"], "--daily-rate"),
        (["installment", "--fee-rate", "4.5%", "--amount", "2000", "--periods", "0"],
         "--periods"),
        (["installment", "--product", "huabei", "--amount", "2000", "--periods", "7"],
         "--periods"),
        (["schedule", "--method", "annuity", "--annual-rate", "5", "--principal", "1000",
          "--months", "12"], "--annual-rate"),
        (["schedule", "--method", "balloon", "--annual-rate", "5%", "--principal", "1000",
          "--months", "12"], "method"),
        (["apr", "--principal", "1000", "--payment", "100", "--periods", "12",
          "--dates", "2026-01-01"], "--dates"),
        (["cap", "--annual-rate", "15%", "--contract-date", "2025-06-01", "--lender-type",
          "shark"], "--lender-type"),
        (["timeline", "--product", "huabei", "--amount", "100", "--overdue-since",
          "2026-13-01"], "--overdue-since"),
    ],
)
def test_bad_input_exits_2_naming_the_field(args: list[str], field_text: str) -> None:
    code, out, err = invoke("calc", *args, "--lang", "en")
    assert code == 2, (out, err)
    assert "Traceback" not in err
    assert field_text in err
    assert err.startswith("error: ")
    assert out == ""


def test_bad_input_message_is_chinese_by_default() -> None:
    code, _, err = invoke("calc", "overdue", "--product", "huabei", "--amount", "abc",
                          "--days", "3")
    assert code == 2
    assert err.startswith("错误：")
    assert "金额" in err


def test_card_interest_missing_file_and_bad_json(tmp_path: Path) -> None:
    code, _, err = invoke("calc", "card-interest", "--input", str(tmp_path / "none.json"),
                          "--lang", "en")
    assert code == 2
    assert "not found" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = invoke("calc", "card-interest", "--input", str(bad), "--lang", "en")
    assert code == 2
    assert "line 1" in err


# ------------------------------------------------------------------- public sources only


def test_the_overdue_source_line_cites_the_presets_public_source() -> None:
    """``calc overdue`` names where the penalty rule comes from as a person can look it up
    — the first public source huabei's preset names, with its confidence in words — never
    our own reference file (it said "来源: rules-cn.md §1.2 [S] …"); so does ``--json``."""
    from xieshang.rules import load_preset

    source = load_preset("huabei").source_of("penalty")
    first = source.public[0]
    code, out, _ = invoke("calc", "overdue", "--product", "huabei", "--amount", "1000",
                          "--days", "3")
    assert code == 0
    line = " ".join(out.split("来源:", 1)[1].split())
    assert line == f"{first} [S] 二手来源，未与合同核对"
    code, out, _ = invoke("calc", "overdue", "--product", "huabei", "--amount", "1000",
                          "--days", "3", "--lang", "en")
    assert " ".join(out.split("Source:", 1)[1].split()) == (
        f"{first} [S] secondary source, not verified against the contract")
    data = calc_json("overdue", "--product", "huabei", "--amount", "1000", "--days", "3")
    assert data["source"] == {"confidence": "S", "ref": first, "urls": list(source.urls),
                              "note": source.note}


@pytest.mark.parametrize("args", [
    ["overdue", "--product", "jiebei", "--amount", "1000", "--days", "3"],
    ["timeline", "--product", "credit_card_cn", "--amount", "60000", "--overdue-since",
     "2026-09-01", "--as-of", "2026-11-29"],
    ["cap", "--annual-rate", "15%", "--contract-date", "2025-06-01", "--lender-type",
     "private"],
], ids=["overdue", "timeline", "cap"])
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_calculators_cite_no_reference_file_of_ours(args: list[str], as_json: bool) -> None:
    """No calculator shows a section of our own reference files (``rules-cn.md §…``, a
    bare ``§3.5``): a person is shown the public source, the law or the regulator's page."""
    code, out, err = invoke("calc", *args, *(["--json"] if as_json else []))
    assert code == 0, err
    assert "rules-cn" not in out
    assert "§" not in out


def test_card_interest_cites_the_public_source_of_the_rule(tmp_path: Path) -> None:
    """The card-interest table's note names the card preset's public source for 全额计息,
    not "rules-cn.md §3.5"."""
    from xieshang.rules import load_preset

    path = _card_file(tmp_path)
    code, out, err = invoke("calc", "card-interest", "--input", str(path), "--lang", "en")
    assert code == 0, err
    public = load_preset("credit_card_cn").source_of("penalty.card_interest_basis").public
    assert "rules-cn" not in out
    assert public[0] in "".join(out.split())
