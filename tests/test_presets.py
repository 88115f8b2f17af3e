"""Built-in presets, the preset schema's error messages, user overrides, and the docs.

Values are checked against /work/shared/reference/rules-cn.md; each golden example names
its section, source address and confidence mark.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.errors import PresetError
from xieshang.engine.money import D, Rounding, money, round_money
from xieshang.engine.preset import (
    SOURCED,
    Channel,
    Confidence,
    DayBasis,
    FeeRow,
    Installments,
    LateFee,
    LateFeeKind,
    LenderType,
    Milestone,
    MinimumPayment,
    Negotiation,
    Penalty,
    PenaltyBase,
    PenaltyModel,
    Preset,
    ProductKind,
    RepaymentMethod,
    Residue,
    RoundingRule,
    Source,
    merge_override,
    parse_preset,
    preset_from_dict,
)
from xieshang.rules import builtin_text, load_presets

BUILTIN_IDS = {
    "huabei",
    "jiebei",
    "credit_card_cn",
    "weilidai",
    "jd_baitiao",
    "meituan_yuefu",
    "generic_loan",
    "informal_loan",
}
DOCS = Path(__file__).resolve().parent.parent / "docs" / "presets.md"

#: The only addresses rules-cn.md marks [V]: the LawRefBook/Laws copies of the legal texts,
#: the PBOC Credit Reference Center pages and the NIFC LPR page.
V_ADDRESSES = ("LawRefBook/Laws/", "http://www.pbccrc.org.cn/", "https://www.chinamoney.com.cn/")


def builtin_names() -> list[str]:
    folder = resources.files("xieshang.engine").joinpath("presets")
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name.endswith(".toml") and not entry.name.startswith("_")
    )


def raw(name: str) -> dict[str, Any]:
    return tomllib.loads(builtin_text(name))


def presets() -> dict[str, Preset]:
    return dict(load_presets())


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def drop_table(text: str, header: str) -> str:
    """``text`` without the TOML table ``header`` (up to the next table header)."""
    start = text.index(header + "\n")
    end = text.find("\n[", start + len(header))
    return text[:start] + (text[end + 1:] if end != -1 else "")


HUABEI = builtin_text("huabei.toml")


# --------------------------------------------------------------------- built-in presets


def test_every_builtin_file_is_a_listed_preset() -> None:
    assert {name.removesuffix(".toml") for name in builtin_names()} == BUILTIN_IDS


def test_load_presets_returns_every_builtin_preset() -> None:
    loaded = presets()
    assert set(loaded) == BUILTIN_IDS
    for preset_id, preset in loaded.items():
        assert isinstance(preset, Preset)
        assert preset.id == preset_id
        assert preset.origin == f"presets/{preset_id}.toml"


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_file_parses_on_its_own(name: str) -> None:
    preset = parse_preset(builtin_text(name), name)
    assert preset.id == name.removesuffix(".toml")
    assert preset.name.zh
    assert preset.name.en
    assert preset.lender.zh
    assert preset.lender.en
    assert preset.repayment_methods
    # newest material in rules-cn.md; 美团月付 was added, from web pages, on 2026-12-07
    assert preset.reviewed.isoformat() == (
        "2026-12-07" if preset.id == "meituan_yuefu" else "2026-03-31")
    assert preset.effective_from <= preset.reviewed


@pytest.mark.parametrize("name", builtin_names())
def test_every_present_parameter_has_its_own_source(name: str) -> None:
    data = raw(name)
    preset = presets()[data["id"]]
    for parameter in SOURCED:
        if parameter in data:
            assert any(k == parameter or k.startswith(parameter + ".") for k in preset.sources), (
                name, parameter)
            assert preset.source_of(parameter).note != "no source recorded", (name, parameter)
    for milestone in preset.milestones:
        assert preset.source_of(f"milestones.{milestone.id}").note, (name, milestone.id)


@pytest.mark.parametrize("name", builtin_names())
def test_sources_of_s_or_v_give_addresses_and_every_note_is_chinese(name: str) -> None:
    preset = presets()[raw(name)["id"]]
    for key, source in preset.sources.items():
        if source.confidence in (Confidence.VERIFIED, Confidence.SECONDARY):
            assert source.urls, (name, key)
        for url in source.urls:
            assert re.match(r"^(https?://|LawRefBook/Laws/|[\w.-]+\.[a-z]{2,}(/|$))", url), url
        assert source.ref.startswith("§"), (name, key)
        assert re.search(r"[\u4e00-\u9fff]", source.note), (name, key)
        assert source.confidence is not Confidence.USER, (name, key)


@pytest.mark.parametrize("name", builtin_names())
def test_verified_sources_cite_only_addresses_rules_cn_marks_verified(name: str) -> None:
    preset = presets()[raw(name)["id"]]
    for key, source in preset.sources.items():
        if source.confidence is Confidence.VERIFIED:
            assert all(url.startswith(V_ADDRESSES) for url in source.urls), (name, key)


@pytest.mark.parametrize("name", builtin_names())
def test_not_found_values_are_presented_as_editable_defaults(name: str) -> None:
    preset = presets()[raw(name)["id"]]
    values = ("contract_daily_rate", "grace_days", "tolerance", "day_basis", "penalty",
              "rounding", "effective_from")
    for key, source in preset.sources.items():
        if source.confidence is Confidence.NOT_FOUND and key.split(".")[0] in values:
            assert any(word in source.note for word in ("默认", "修改", "填写")), (name, key)


# Spot checks: what rules-cn.md marks S or NF must not be claimed as V (nor S as NF where
# the reference found it). (preset, parameter, confidence in rules-cn.md, section)
MARKS = [
    ("huabei", "penalty", "S", "§1.2"),
    ("huabei", "penalty.compounding", "NF", "§1.2"),
    ("huabei", "grace_days", "NF", "§1.3"),
    ("jiebei", "penalty", "S", "§2"),
    ("jiebei", "penalty.model", "NF", "§2"),  # 1.5x replaces or adds: ambiguous
    ("jiebei", "contract_daily_rate", "S", "§2"),
    ("jiebei", "repayment_methods", "S", "§2"),
    ("jiebei", "milestones", "NF", "§1.7"),
    ("credit_card_cn", "penalty", "S", "§3.1"),
    ("credit_card_cn", "grace_days", "S", "§3.3"),
    ("credit_card_cn", "tolerance", "S", "§3.3"),
    ("credit_card_cn", "late_fee", "S", "§3.2"),
    ("credit_card_cn", "minimum_payment", "S", "§3.4"),
    ("credit_card_cn", "installments", "S", "§9.1"),
    ("credit_card_cn", "negotiation", "S", "§3.6"),  # Art. 70 text not read officially
    ("credit_card_cn", "milestones.credit_report", "NF", "§6.1"),
    ("weilidai", "penalty", "S", "§2.1"),
    ("weilidai", "contract_daily_rate", "S", "§2.1"),
    ("weilidai", "lender_type", "V", "§4.1"),
    ("jd_baitiao", "penalty.daily_rate", "S", "§2.1"),  # conflicting sources
    ("jd_baitiao", "lender_type", "NF", "§2.1"),
    ("meituan_yuefu", "penalty.daily_rate", "S", "§2"),  # secondary pages, not the contract
    ("meituan_yuefu", "lender_type", "S", "§2"),
    ("meituan_yuefu", "grace_days", "NF", "§2"),  # a 3-day grace period is disputed
    ("generic_loan", "penalty", "NF", "§2"),
    ("generic_loan", "contract_daily_rate", "NF", "§2"),
    ("informal_loan", "penalty", "V", "§4.1"),  # Art. 28, read in full
    ("informal_loan", "penalty.base", "NF", "§4.1"),
]


@pytest.mark.parametrize(("preset_id", "parameter", "mark", "section"), MARKS)
def test_confidence_matches_rules_cn(preset_id: str, parameter: str, mark: str,
                                     section: str) -> None:
    source = presets()[preset_id].source_of(parameter)
    assert source.confidence is Confidence(mark)
    assert section in source.ref


# ---------------------------------------------------------- values match rules-cn.md


def test_huabei_values() -> None:
    huabei = presets()["huabei"]
    # §1.6 [S, consistent] https://www.csai.cn/zt/916.html
    assert [(row.periods, row.total_rate) for row in huabei.installments.fees] == [
        (3, D("0.025")), (6, D("0.045")), (9, D("0.065")), (12, D("0.088"))]
    assert huabei.penalty.daily_rate == D("0.0005")
    assert huabei.lender_type is LenderType.CONSUMER_FINANCE
    # H8 (§9.1, [S]) http://f8195.cn/b/321664.html: 2,000 over 6 periods at 4.5% -> 15/period
    rate = huabei.installments.total_rate(6)
    assert rate is not None
    assert money(D(2000) * rate / 6) == money("15.00")


def test_jiebei_values() -> None:
    jiebei = presets()["jiebei"]
    assert jiebei.lender_type is LenderType.CONSUMER_FINANCE
    assert jiebei.product_kind is ProductKind.CASH_LOAN
    assert jiebei.penalty.model is PenaltyModel.CONTRACT_MULTIPLE
    assert jiebei.penalty.base is PenaltyBase.OVERDUE_PRINCIPAL
    assert jiebei.penalty.multiplier == D("1.5")
    assert jiebei.contract_daily_rate == D("0.0005")
    assert jiebei.penalty_daily_rate == D("0.00075")
    assert jiebei.repayment_methods == (RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL,
                                        RepaymentMethod.INTEREST_ONLY)
    assert jiebei.channels[0].value == "95188"
    multiplier = jiebei.penalty.multiplier
    assert multiplier is not None
    # J2 (§9.1, [S]) https://yuqile.com/html/yuqi/xuiffiihg22.html: 10,000 at 0.04%/day -> 6.00/day
    assert money(D(10_000) * D("0.0004") * multiplier) == money("6.00")
    # §2 [S] https://gongwai.cn/post/56301.html: 10,000 at 万分之五 -> 7.5 a day
    assert jiebei.penalty_daily_rate is not None
    assert money(D(10_000) * jiebei.penalty_daily_rate) == money("7.50")


def test_credit_card_values() -> None:
    card = presets()["credit_card_cn"]
    assert card.lender_type is LenderType.BANK
    # §3.3 [S] 2013 self-regulation convention, Art. 14
    assert card.grace_days == 3
    assert card.tolerance == money("10.00")
    # §3.1 [S]
    assert card.penalty.model is PenaltyModel.COMPOUND_MONTHLY
    assert card.penalty.daily_rate == D("0.0005")
    assert card.penalty.compounding is True
    # §3.2 / C4 [S] https://wodefinance.com/Creditcardoverdue/yzxwojdnte.html
    assert card.late_fee == LateFee(kind=LateFeeKind.PERCENT_OF_UNPAID_MINIMUM, rate=D("0.05"),
                                    minimum=money("10.00"), per_statement=True)
    assert max(money(D(100) * card.late_fee.rate), card.late_fee.minimum) == money("10.00")
    assert max(money(D(1000) * card.late_fee.rate), card.late_fee.minimum) == money("50.00")
    # §3.4 [S]
    assert card.minimum_payment == MinimumPayment(percent=D("0.10"), plus_fees_and_interest=True,
                                                  plus_installments=True)
    # §3.6 [S, consistent]: Art. 70, at most 5 years
    assert card.negotiation == Negotiation(max_term_months=60, personalised_installments=True)
    assert "不是" in card.source_of("negotiation").note  # "可以" is not a right
    # I1 (§9.1, [S]) https://wodefinance.com/Creditcardoverdue/qyxrnmpbta.html:
    # 30,000 over 12 periods at 0.66%/month -> 198 + 2,500 = 2,698 a month
    rate = card.installments.monthly_fee_rate
    assert rate is not None
    assert money(D(30_000) * rate) + money(D(30_000) / 12) == money("2698.00")
    assert card.installments.total_rate(12) == D("0.0792")


def test_weilidai_values() -> None:
    weilidai = presets()["weilidai"]
    assert weilidai.lender_type is LenderType.BANK  # §4.1 lists WeBank
    assert weilidai.penalty.model is PenaltyModel.ON_TOP
    assert weilidai.penalty.multiplier == D("0.5")
    assert weilidai.penalty.base is PenaltyBase.OVERDUE_PRINCIPAL
    assert weilidai.repayment_methods == (RepaymentMethod.EQUAL_PRINCIPAL,)
    assert all(channel.value == "" for channel in weilidai.channels)  # no sourced number
    # W2 (§9.1, [S]) https://m.mzbkw.com/baike/688417.html: 1,000 at 0.05%/day -> 0.50
    # interest plus 0.25 penalty a day
    assert weilidai.contract_daily_rate is not None
    assert weilidai.penalty_daily_rate is not None
    assert money(D(1000) * weilidai.contract_daily_rate) == money("0.50")
    assert money(D(1000) * weilidai.penalty_daily_rate) == money("0.25")


def test_jd_baitiao_values() -> None:
    jd = presets()["jd_baitiao"]
    assert jd.penalty.model is PenaltyModel.SIMPLE_DAILY
    assert jd.penalty.daily_rate == D("0.0007")
    assert jd.penalty.minimum_per_day == money("0.01")
    assert "0.015%" in jd.source_of("penalty.daily_rate").note  # the conflicting 2024 figure
    # D1 (§9.1, [S]) http://www.hpgipv.com/laws-1161270.html: 1,000 unpaid, 5 days -> 3.50
    rate = jd.penalty.daily_rate
    assert rate is not None
    assert round_money(D(1000) * rate * 5, Rounding.HALF_UP) == money("3.50")
    # the 0.01/day minimum binds on tiny amounts: 10 yuan x 0.07% = 0.007 < 0.01
    assert max(D(10) * rate, jd.penalty.minimum_per_day) == money("0.01")


def test_meituan_yuefu_values() -> None:
    """美团月付: 0.05 %/day on the overdue principal, no grace period by default (the 3 days
    some pages claim are disputed [NF]), lent by a microloan company (the local financial
    regulator, not 12378). Worked by hand (an estimate, [S]): ¥3,000 overdue 10 days →
    3,000 × 0.05 % × 10 = ¥15.00; each further day ¥1.50."""
    yuefu = presets()["meituan_yuefu"]
    assert yuefu.lender_type is LenderType.MICROLOAN
    assert yuefu.product_kind is ProductKind.BILL
    assert yuefu.penalty.model is PenaltyModel.SIMPLE_DAILY
    assert yuefu.penalty.daily_rate == D("0.0005")
    assert yuefu.grace_days == 0
    assert yuefu.source_of("grace_days").confidence is Confidence.NOT_FOUND
    assert "3天宽限期" in yuefu.source_of("grace_days").note
    assert "重庆美团三快小额贷款有限公司" in yuefu.lender.get("zh")
    # the name goes into letters as it is; the caution is in its source (check the contract)
    assert "请看自己合同上的出借方名称" in yuefu.source_of("lender_type").note
    rate = yuefu.penalty.daily_rate
    assert rate is not None
    assert round_money(D(3000) * rate * 10, Rounding.HALF_UP) == money("15.00")
    assert not yuefu.channels[0].value  # no hotline found: none made up


def test_generic_and_informal_loan_values() -> None:
    loaded = presets()
    generic = loaded["generic_loan"]
    assert generic.penalty.model is PenaltyModel.CONTRACT_MULTIPLE
    assert generic.penalty.multiplier == D("1.5")
    assert generic.source_of("penalty").confidence is Confidence.NOT_FOUND
    informal = loaded["informal_loan"]
    assert informal.lender_type is LenderType.PRIVATE
    assert informal.product_kind is ProductKind.INFORMAL
    assert informal.penalty.multiplier == D("1")
    assert informal.contract_daily_rate is None  # the person types the agreed rate
    assert informal.penalty_daily_rate is None
    assert "第28条" in informal.source_of("penalty").note


# ------------------------------------------------------------------------ schema errors


def error_for(text: str, source: str = "bad.toml") -> PresetError:
    with pytest.raises(PresetError) as caught:
        parse_preset(text, source)
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('lender_type = "consumer_finance"\n', "", "lender_type", "is required"),
        ('name = { zh = "花呗", en = "Huabei (Alipay)" }', 'name = { zh = "花呗" }', "name.en",
         "is required"),
        ("grace_days = 0", 'grace_days = "0"', "grace_days", "must be int, got '0'"),
        ("grace_days = 0", "grace_days = 61", "grace_days", "must be between 0 and 60, got 61"),
        ("reviewed = 2026-03-31", 'reviewed = "2026-03-31"', "reviewed",
         "must be date, got '2026-03-31'"),
        ('daily_rate = "0.0005"', "daily_rate = 0.0005", "penalty.daily_rate",
         "must be str/int, got 0.0005"),
        ('daily_rate = "0.0005"', 'daily_rate = "abc"', "penalty.daily_rate",
         "must be a decimal number in quotes, got 'abc'"),
        ('daily_rate = "0.0005"', 'daily_rate = "-0.0005"', "penalty.daily_rate",
         "must not be negative, got -0.0005"),
        ('{ periods = 3, total_rate = "0.025" }', "{ periods = 3, total_rate = 0.025 }",
         "installments.fees[0].total_rate", "must be str/int, got 0.025"),
        ('model = "simple_daily"', 'model = "weekly"', "penalty.model",
         "must be one of simple_daily, compound_monthly, contract_multiple, on_top, "
         "got 'weekly'"),
        ('lender_type = "consumer_finance"', 'lender_type = "pawnshop"', "lender_type",
         "must be one of bank, consumer_finance, microloan, private, got 'pawnshop'"),
        ('["full", "minimum", "bill_installment"]', '["full", "weekly"]', "repayment_methods[1]",
         "must be one of"),
        ("grace_days = 0\n", "grace_days = 0\ngrace_dayz = 3\n", "grace_dayz",
         "is not a known field (check the spelling)"),
        ("compounding = false\n", "compounding = false\nmultipler = \"2\"\n",
         "penalty.multipler", "is not a known field (check the spelling)"),
        ('kind = "hotline"', 'kind = "pigeon"', "channels[0].kind", "must be one of hotline"),
        ('id = "credit_report"\n', "", "milestones[0].id", "is required"),
        ('urls = ["http://m.ddtbk.com/shenghuo/212177.html"]\n', "", "sources.rounding.urls",
         "a S source needs at least one address"),
        ('confidence = "NF"\nnote = "未找到花呗的容差规则；默认0元。"', 'confidence = "NF"',
         "sources.tolerance.note", "say why there is no address"),
        ('confidence = "S"\nurls = ["http://m.ddtbk.com', 'confidence = "X"\nurls = ["http://m.ddtbk.com',
         "sources.rounding.confidence", "must be one of V, S, C, NF, USER, got 'X'"),
    ],
)
def test_schema_errors_name_file_and_field(old: str, new: str, field: str,
                                           message: str) -> None:
    assert old in HUABEI
    error = error_for(HUABEI.replace(old, new, 1))
    assert error.source == "bad.toml"
    assert error.field == field
    assert str(error).startswith(f"bad.toml: {field}: {message}")


def test_bad_toml_names_the_file() -> None:
    error = error_for("schema = = 1\n")
    assert error.field == ""
    assert str(error).startswith("bad.toml: is not valid TOML: ")


def test_a_missing_source_is_refused() -> None:
    error = error_for(drop_table(HUABEI, "[sources.grace_days]"))
    assert error.field == "sources.grace_days"
    assert str(error) == ("bad.toml: sources.grace_days: is missing: every parameter must cite "
                          "its source")


def test_a_source_for_an_absent_parameter_is_refused() -> None:
    text = HUABEI + '\n[sources.contract_daily_rate]\nconfidence = "NF"\nnote = "无"\n'
    error = error_for(text)
    assert str(error) == ("bad.toml: sources.contract_daily_rate: names a parameter the file "
                          "lacks")


def test_every_builtin_refuses_to_load_without_each_of_its_sources() -> None:
    for name in builtin_names():
        text = builtin_text(name)
        keys = list(raw(name)["sources"])
        # a parameter also cited by a dotted sub-key (penalty.compounding) counts as cited
        alone = [k for k in keys if k in SOURCED and not any(o.startswith(k + ".") for o in keys)]
        assert alone, name
        for key in alone:
            header = f"[sources.{key}]"
            error = error_for(drop_table(text, header), name)
            assert error.field == f"sources.{key}", (name, key)


def test_the_loader_refuses_a_user_file_without_sources(tmp_path: Path) -> None:
    text = builtin_text("jiebei.toml").replace('id = "jiebei"', 'id = "my_cash_loan"')
    path = write(tmp_path / "presets", "mine.toml", drop_table(text, "[sources.late_fee]"))
    with pytest.raises(PresetError) as caught:
        load_presets(tmp_path / "presets")
    assert caught.value.source == str(path)
    assert caught.value.field == "sources.late_fee"
    assert "every parameter must cite its source" in str(caught.value)


def test_the_loader_names_a_bad_user_file(tmp_path: Path) -> None:
    path = write(tmp_path / "presets", "broken.toml", "id = \n")
    with pytest.raises(PresetError) as caught:
        load_presets(tmp_path / "presets")
    assert str(caught.value).startswith(f"{path}: is not valid TOML")


def test_the_loader_needs_an_id(tmp_path: Path) -> None:
    path = write(tmp_path / "presets", "noid.toml", "grace_days = 3\n")
    with pytest.raises(PresetError) as caught:
        load_presets(tmp_path / "presets")
    assert str(caught.value) == f"{path}: id: is required"


# ----------------------------------------------------------------------- user overrides


OVERRIDE = """\
id = "huabei"
grace_days = 3

[sources.grace_days]
confidence = "USER"
note = "我的账单写明还款日后有3天宽限期"
"""


def test_an_override_changes_only_the_overridden_field(tmp_path: Path) -> None:
    write(tmp_path / "presets", "huabei.toml", OVERRIDE)
    base = presets()
    merged = dict(load_presets(tmp_path / "presets"))
    huabei = merged["huabei"]
    assert huabei.grace_days == 3
    assert huabei.source_of("grace_days") == Source(
        Confidence.USER, note="我的账单写明还款日后有3天宽限期", ref="§1.3")
    assert huabei.source_of("grace_days").verified
    assert huabei.origin == f"{tmp_path / 'presets' / 'huabei.toml'} (over presets/huabei.toml)"
    restored = dataclasses.replace(huabei, grace_days=0, sources=base["huabei"].sources,
                                   origin=base["huabei"].origin)
    assert restored == base["huabei"]
    assert {k: v for k, v in huabei.sources.items() if k != "grace_days"} == {
        k: v for k, v in base["huabei"].sources.items() if k != "grace_days"}
    assert {k: v for k, v in merged.items() if k != "huabei"} == {
        k: v for k, v in base.items() if k != "huabei"}


def test_an_override_of_a_nested_field_keeps_its_siblings(tmp_path: Path) -> None:
    write(tmp_path / "presets", "my_huabei.toml",
          'id = "huabei"\n[penalty]\ndaily_rate = "0.0004"\n'
          '[sources."penalty.daily_rate"]\nconfidence = "USER"\nnote = "账单显示0.04%/天"\n')
    huabei = load_presets(tmp_path / "presets")["huabei"]
    assert huabei.penalty == Penalty(model=PenaltyModel.SIMPLE_DAILY,
                                     base=PenaltyBase.OVERDUE_AMOUNT, daily_rate=D("0.0004"))
    assert huabei.source_of("penalty.daily_rate").confidence is Confidence.USER
    assert huabei.source_of("penalty.model").confidence is Confidence.SECONDARY


def test_a_bad_override_names_the_user_file_and_field(tmp_path: Path) -> None:
    path = write(tmp_path / "presets", "huabei.toml", 'id = "huabei"\ngrace_days = -1\n')
    with pytest.raises(PresetError) as caught:
        load_presets(tmp_path / "presets")
    assert caught.value.field == "grace_days"
    assert str(caught.value).startswith(f"{path} (over presets/huabei.toml): grace_days: ")


def test_a_user_file_with_a_new_id_adds_a_preset(tmp_path: Path) -> None:
    text = builtin_text("generic_loan.toml").replace('id = "generic_loan"', 'id = "my_bank_loan"')
    text = text.replace('contract_daily_rate = "0.0005"', 'contract_daily_rate = "0.0003"')
    path = write(tmp_path / "presets", "my_bank_loan.toml", text)
    write(tmp_path / "presets", "_notes.toml", "not a preset = \n")  # ignored: starts with _
    loaded = load_presets(tmp_path / "presets")
    assert set(loaded) == BUILTIN_IDS | {"my_bank_loan"}
    assert loaded["my_bank_loan"].contract_daily_rate == D("0.0003")
    assert loaded["my_bank_loan"].origin == str(path)
    assert loaded["generic_loan"] == presets()["generic_loan"]


def test_a_missing_user_folder_gives_the_builtins(tmp_path: Path) -> None:
    assert set(load_presets(tmp_path / "nowhere")) == BUILTIN_IDS


HUABEI_DATA = tomllib.loads(HUABEI)


@settings(max_examples=60, deadline=None)
@given(grace=st.integers(min_value=0, max_value=60),
       tolerance=st.decimals(min_value=0, max_value=1000, places=2))
def test_merging_any_valid_value_changes_only_that_value(grace: int, tolerance: Decimal) -> None:
    override = {"grace_days": grace, "tolerance": str(tolerance)}
    merged = preset_from_dict(merge_override(HUABEI_DATA, override), "override")
    base = preset_from_dict(HUABEI_DATA, "override")
    assert merged.grace_days == grace
    assert merged.tolerance == tolerance
    assert dataclasses.replace(merged, grace_days=0, tolerance=D("0.00")) == base


@settings(max_examples=60, deadline=None)
@given(grace=st.one_of(st.integers(max_value=-1), st.integers(min_value=61)))
def test_merging_an_out_of_range_value_names_the_field(grace: int) -> None:
    with pytest.raises(PresetError) as caught:
        preset_from_dict(merge_override(HUABEI_DATA, {"grace_days": grace}), "override")
    assert caught.value.field == "grace_days"


# ---------------------------------------------------------------------------------- docs


RECORDS = (Preset, Penalty, RoundingRule, LateFee, MinimumPayment, FeeRow, Installments,
           Negotiation, Milestone, Channel, Source)
ENUMS: tuple[type[StrEnum], ...] = (
    LenderType, ProductKind, RepaymentMethod, PenaltyModel, PenaltyBase, LateFeeKind, Residue,
    DayBasis, Rounding, Confidence)


def test_docs_describe_every_field_value_and_builtin_preset() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for record in RECORDS:
        for item in dataclasses.fields(record):
            names = (f"`{item.name}`", f".{item.name}`", f"[{item.name}]")
            assert any(name in docs for name in names), item.name
    for enum in ENUMS:
        for member in enum:
            values = (f"`{member.value}`", f'`"{member.value}"`')
            assert any(value in docs for value in values), (enum.__name__, member)
    for preset_id in BUILTIN_IDS:
        assert f"`{preset_id}`" in docs, preset_id
    for kind in ("hotline", "app", "online_chat", "social", "letter", "branch", "website",
                 "in_person"):
        assert f"`{kind}`" in docs, kind
