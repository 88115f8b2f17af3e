"""The rules per lender kind (issue 14's leftovers): the know-your-rights card names the
consumer-protection rules of banks (《银行保险机构消费者权益保护管理办法》 Art. 41) for bank
products only and the 2024 《消费金融公司管理办法》 for consumer-finance companies only; the
complaint to the regulator names the rule for the lender's kind; the anti-scam card names
the card's Article 70 for cards only."""

from __future__ import annotations

import pytest

from test_documents import CARD, FAMILY, HUABEI, JIEBEI, _render, render_logged
from xieshang.documents import DocumentKind, to_traditional
from xieshang.engine.negotiation import parse_negotiation_data
from xieshang.rules import builtin_text, load_preset

DATA = parse_negotiation_data(builtin_text("_negotiation.toml"), "presets/_negotiation.toml")
BANK_RULE = "《银行保险机构消费者权益保护管理办法》（原中国银保监会令2022年第9号）第四十一条"
CF_RULE = "《消费金融公司管理办法》（国家金融监督管理总局令2024年第4号）"


def _ids(preset_id: str) -> set[str]:
    preset = load_preset(preset_id)
    return {item.id for item in DATA.rights.for_kind(preset.product_kind, preset.lender_type)}


def test_each_lender_kind_gets_its_own_rule_on_the_rights_card() -> None:
    # a bank card and 微粒贷 (微众银行, a bank) get the banks' rule; 花呗 and 借呗 (consumer-
    # finance companies) the 2024 Measures; a family loan neither
    for bank in ("credit_card_cn", "weilidai", "generic_loan"):
        assert "bank_consumer_rules" in _ids(bank), bank
        assert "consumer_finance_rules" not in _ids(bank), bank
    for company in ("huabei", "jiebei"):
        assert "consumer_finance_rules" in _ids(company), company
        assert "bank_consumer_rules" not in _ids(company), company
    assert not {"bank_consumer_rules", "consumer_finance_rules"} & _ids("informal_loan")
    # no lender given (the card shown in full): every point
    assert {"bank_consumer_rules", "consumer_finance_rules"} <= {
        item.id for item in DATA.rights.for_kind(None)}


def test_the_new_rules_carry_their_number_date_and_a_public_source() -> None:
    items = {item.id: item for item in DATA.rights.items}
    bank, company = items["bank_consumer_rules"], items["consumer_finance_rules"]
    assert "第四十一条，2023年3月1日起施行" in bank.text.zh
    assert "2022年第9号" in (bank.rule.zh if bank.rule else "")
    assert "2024年4月18日起施行" in company.text.zh
    assert "国家金融监督管理总局令2024年第4号" in company.text.zh
    for item in (bank, company):
        # secondary: the text was not read on the regulator's own site
        assert item.source.confidence.value == "S"
        assert all(url.startswith("https://") for url in item.source.urls)
    # no article number guessed for the 2024 Measures: only the order's number
    assert "条" not in (company.rule.zh if company.rule else "条")


@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_the_complaint_names_the_rule_for_the_lenders_kind(lang: str) -> None:
    card = render_logged(CARD, DocumentKind.COMPLAINT, lang)
    huabei = render_logged(HUABEI, DocumentKind.COMPLAINT, lang)
    jiebei = _render(JIEBEI, DocumentKind.COMPLAINT, lang)
    if lang == "en":
        assert "Article 41 of the Measures for the Administration of Consumer Rights" in card
        assert "Consumer Finance Companies" not in card
        for text in (huabei, jiebei):
            assert "Consumer Finance Companies (NFRA Order No. 4 of 2024)" in text
            assert "Article 41" not in text
        return
    convert = (lambda text: to_traditional(text)) if lang == "zh-Hant" else str
    assert convert("依据：《商业银行信用卡业务监督管理办法》") in card
    # the logged night call from a bank: the banks' guideline, then the binding rules
    assert convert("《金融机构个人消费类贷款催收工作指引（试行）》（2026年1月公布，是行业自律规范，"
                   "不是法律法规）的要求。依据：《商业银行信用卡业务监督管理办法》") in card
    assert convert(CF_RULE) not in card
    # the logged night call: the online rules first, then the company's own Measures
    assert convert("的规定，也不符合" + CF_RULE) in huabei
    assert convert(CF_RULE) in jiebei
    assert convert(BANK_RULE) not in huabei + jiebei


def test_the_family_complaint_names_no_lenders_rule() -> None:
    for kind in (DocumentKind.LETTER, DocumentKind.AGREEMENT):
        text = _render(FAMILY, kind, "zh")
        assert "消费金融公司管理办法" not in text
        assert "消费者权益保护管理办法" not in text


def test_the_anti_scam_card_names_article_70_for_cards_only() -> None:
    assert "第70条" not in DATA.scam.intro.zh
    assert "Article 70" not in DATA.scam.intro.en
    card = " ".join(item.text.zh for item in DATA.scam.for_kind("credit_card"))
    loan = " ".join(item.text.zh for item in DATA.scam.for_kind("cash_loan"))
    assert "第70条" in card
    assert "第70条" not in loan
    assert "个性化分期" not in loan
