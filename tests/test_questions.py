"""Questions people ask: the data file, its validation, and the person's figures filled in."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xieshang.engine.accrual import OverdueDebt, Payment, bill_on
from xieshang.engine.errors import PresetError
from xieshang.engine.money import format_money, money
from xieshang.engine.preset import Confidence, Installments
from xieshang.engine.questions import (
    LAW_PLACEHOLDERS,
    SLUGS,
    VARIANTS,
    DebtFacts,
    DebtState,
    Facts,
    Question,
    QuestionBook,
    answer,
    debt_facts,
    law_values,
    parse_questions,
    search,
    settled_on,
    years_after,
)
from xieshang.rules import builtin_text, load_presets
from xieshang.rules import law as load_law
from xieshang.rules import questions as load_questions

TEXT = builtin_text("_questions.toml")
BOOK = parse_questions(TEXT, "presets/_questions.toml")
LAW = load_law()
PRESETS = load_presets()
DAY = date(2026, 3, 10)


def _broken(old: str, new: str) -> str:
    assert TEXT.count(old) >= 1, old
    return TEXT.replace(old, new, 1)


def _debt(product: str, principal: str, due: date, **extra: Any) -> OverdueDebt:
    return OverdueDebt(preset=PRESETS[product], principal=money(principal), due_date=due,
                       **extra)


def _line(slug: str, facts: DebtFacts, lang: str = "en", today: date = DAY) -> str:
    found = answer(_q(slug), Facts(today, LAW, (facts,)), lang).personal
    assert len(found) == 1
    return found[0].text


def _q(slug: str) -> Question:
    question = BOOK.get(slug)
    assert question is not None
    return question


# ------------------------------------------------------------------------- the data file


def test_the_shipped_file_has_the_eight_questions_in_order() -> None:
    assert isinstance(BOOK, QuestionBook)
    assert tuple(q.slug for q in BOOK) == SLUGS
    assert len(BOOK) == 8
    assert load_questions() is load_questions()  # cached loader of cli.rulesdata
    assert tuple(q.slug for q in load_questions()) == SLUGS
    assert BOOK.get("nope") is None


def test_every_question_has_both_languages_keywords_and_marked_sources() -> None:
    for question in BOOK:
        for text in (question.title, question.answer):
            assert text.zh.strip()
            assert text.en.strip()
        assert question.keywords.zh
        assert question.keywords.en
        assert question.sources
        for cited in question.sources:
            assert cited.source.confidence in (Confidence.VERIFIED, Confidence.SECONDARY,
                                               Confidence.COMPUTED, Confidence.NOT_FOUND)
            assert cited.source.ref
            assert cited.label.zh
            assert cited.label.en
            if cited.source.confidence in (Confidence.VERIFIED, Confidence.SECONDARY):
                assert cited.source.urls
        assert set(question.personal) == set(VARIANTS.get(question.slug, {}))


def test_what_rules_cn_marks_not_found_is_cited_as_not_found() -> None:
    # rules-cn.md §1.3 (Huabei grace), §1.7 (reporting delay), §5 (when lenders sue) are NF.
    def marks(slug: str) -> set[Confidence]:
        return {c.source.confidence for c in _q(slug).sources}

    for slug in ("grace-period", "one-day-late", "credit-report-duration", "sued-or-crime",
                 "settlement-certificate", "split-after-minimum"):
        assert Confidence.NOT_FOUND in marks(slug), slug
    grace = _q("grace-period")
    huabei = [c for c in grace.sources if c.source.ref == "§1.3"]
    assert huabei[0].source.confidence is Confidence.NOT_FOUND
    assert "没有找到" in grace.answer.zh
    assert "no authoritative statement" in grace.answer.en


@pytest.mark.parametrize(("old", "new", "field"), [
    ("schema = 1", "schema = 2", "schema"),
    ('slug = "grace-period"', 'slug = "Grace period"', "questions[1].slug"),
    ('slug = "one-day-late"', 'slug = "grace-period"', "questions[2].slug"),
    ('title = { zh = "还款有宽限期吗？", en = "Is there a grace period?" }',
     'title = { zh = "还款有宽限期吗？" }', "questions[1].title.en"),
    ('title = { zh = "还款有宽限期吗？", en = "Is there a grace period?" }',
     'title = { zh = "", en = "Is there a grace period?" }', "questions[1].title.zh"),
    ('en = ["grace period",', 'en = [1, "grace period",', "questions[1].keywords.en[0]"),
    ("按《征信业管理条例》第16条，不良信息自不良行为或者事件终止之日起保存{retention_years}年",
     "按《征信业管理条例》第16条，不良信息自不良行为或者事件终止之日起保存{retention_yrs}年",
     "questions[0].answer.zh"),
    ("应在{objection_reply_days}日内核查并答复", "应在20日内核查并答复", "questions[0].answer.en"),
    ("{debt} ({product}): {grace_days} days of grace. The due date was {due_date}; the grace "
     "period lasts", "{debt} ({product}): {grace_dayz} days of grace. The due date was "
     "{due_date}; the grace period lasts", "questions[1].personal.running.en"),
    ('zh = "{debt}：目前没有逾期。"', 'zh = "{debt}：目前没有逾期{grace_end}。"',
     "questions[2].personal.not_overdue.zh"),
    ("{debt}：目前没有逾期。", "{debt}：目前没有逾期{。", "questions[2].personal.not_overdue.zh"),
    ("{debt}：目前没有逾期。", "{debt!r}：目前没有逾期。", "questions[2].personal.not_overdue.zh"),
    ("[questions.personal.not_overdue]\nzh = \"{debt}：目前没有逾期。\"",
     "[questions.personal.late]\nzh = \"{debt}：目前没有逾期。\"",
     "questions[2].personal.late"),
    ('confidence = "V"\nurls = ["LawRefBook/Laws/行政法规/征信业管理条例(2013-01-21).md"]\n'
     'note = "第15条', 'confidence = "X"\nurls = ["LawRefBook/Laws/行政法规/征信业管理条例'
     '(2013-01-21).md"]\nnote = "第15条', "questions[0].sources[0].confidence"),
    ('confidence = "V"\nurls = ["LawRefBook/Laws/行政法规/征信业管理条例(2013-01-21).md"]\n'
     'note = "第15条', 'confidence = "USER"\nurls = ["LawRefBook/Laws/行政法规/征信业管理条例'
     '(2013-01-21).md"]\nnote = "第15条', "questions[0].sources[0].confidence"),
    ('confidence = "V"\nurls = ["LawRefBook/Laws/行政法规/征信业管理条例(2013-01-21).md"]\n'
     'note = "第15条', 'confidence = "V"\nnote = "第15条', "questions[0].sources[0].urls"),
    ('ref = "§1.7, §3, §10"\nconfidence = "NF"\nnote = ',
     'ref = "§1.7, §3, §10"\nconfidence = "NF"\nnotes = ', "questions[0].sources[2].note"),
    ('ref = "§6.3"', 'ref = "§6.3"\nmark = "V"', "questions[0].sources[3].mark"),
    ('ref = "§6.3"', 'ref = ""', "questions[0].sources[3].ref"),
    ('slug = "negotiation-agent"', 'slug = "paid-agents"', "questions"),
])
def test_errors_name_the_file_and_the_field(old: str, new: str, field: str) -> None:
    with pytest.raises(PresetError) as caught:
        parse_questions(_broken(old, new), "_questions.toml")
    assert caught.value.source == "_questions.toml"
    assert caught.value.field == field
    assert str(caught.value).startswith(f"_questions.toml: {field}: ")


def test_error_messages_say_what_is_wrong() -> None:
    with pytest.raises(PresetError, match=r"\{grace_dayz\}, which is not known here; known: "
                                          r".*due_date.*grace_end"):
        parse_questions(_broken("{grace_days} days of grace. The due date was {due_date}; "
                                "the grace period lasts", "{grace_dayz} days of grace. The "
                                "due date was {due_date}; the grace period lasts"), "q.toml")
    with pytest.raises(PresetError, match=r"other placeholders than the zh text: "
                                          r"\{objection_reply_days\}"):
        parse_questions(_broken("应在{objection_reply_days}日内核查并答复", "应在20日内核查并答复"),
                        "q.toml")
    with pytest.raises(PresetError, match="missing the question negotiation-agent"):
        parse_questions(_broken('slug = "negotiation-agent"', 'slug = "paid-agents"'), "q.toml")
    with pytest.raises(PresetError, match="lists the question grace-period twice"):
        parse_questions(_broken('slug = "one-day-late"', 'slug = "grace-period"'), "q.toml")
    with pytest.raises(PresetError, match="is not a known variant; known: not_overdue, overdue"):
        parse_questions(_broken("[questions.personal.not_overdue]\nzh = \"{debt}：目前没有逾期。\"",
                                "[questions.personal.late]\nzh = \"{debt}：目前没有逾期。\""),
                        "q.toml")
    with pytest.raises(PresetError, match="not valid TOML"):
        parse_questions("schema = ", "q.toml")


def _minimal(*, sources: bool = True, extra: str = "", skip_variant: str = "") -> str:
    """A valid file with the eight questions, each as small as allowed."""
    blocks = ["schema = 1"]
    for slug in SLUGS:
        block = [f'[[questions]]\nslug = "{slug}"\ntitle = {{ zh = "问", en = "Q" }}\n'
                 'keywords = { zh = ["词"], en = ["word"] }\n'
                 'answer = { zh = "答{limitation_years}", en = "A {limitation_years}" }']
        for variant in sorted(VARIANTS.get(slug, {})):
            if variant != skip_variant:
                block.append(f'[questions.personal.{variant}]\nzh = "{{debt}}"\nen = "{{debt}}"')
        if sources:
            block.append('[[questions.sources]]\nlabel = { zh = "来源", en = "Source" }\n'
                         'ref = "§5"\nconfidence = "C"\nnote = "ours"')
        blocks.append("\n".join(block))
    return "\n\n".join(blocks) + extra


def test_a_minimal_file_and_what_it_must_have() -> None:
    book = parse_questions(_minimal(), "m.toml")
    assert len(book) == 8
    assert answer(book.questions[0], Facts(DAY, LAW), "en").paragraphs == ("A 3",)
    with pytest.raises(PresetError) as caught:
        parse_questions(_minimal(sources=False), "m.toml")
    assert caught.value.field == "questions[0].sources"
    assert "at least one source" in str(caught.value)
    with pytest.raises(PresetError) as caught:
        parse_questions(_minimal(skip_variant="settled_unknown"), "m.toml")
    assert caught.value.field == "questions[0].personal.settled_unknown"
    extra = ('\n\n[[questions]]\nslug = "extra-one"\ntitle = { zh = "问", en = "Q" }\n'
             'keywords = { zh = ["词"], en = [] }\nanswer = { zh = "答", en = "A" }\n')
    with pytest.raises(PresetError) as caught:
        parse_questions(_minimal(extra=extra), "m.toml")
    assert caught.value.field == "questions[8].keywords.en"
    extra_ok = extra.replace("en = []", 'en = ["w"]') + (
        '[[questions.sources]]\nlabel = { zh = "来源", en = "S" }\nref = "§1"\n'
        'confidence = "NF"\nnote = "none"\n')
    assert len(parse_questions(_minimal(extra=extra_ok), "m.toml")) == 9
    personal = extra_ok + '[questions.personal.open]\nzh = "x"\nen = "x"\n'
    with pytest.raises(PresetError) as caught:
        parse_questions(_minimal(extra=personal), "m.toml")
    assert caught.value.field == "questions[8].personal.open"


# ----------------------------------------------------------------------------- answers


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_general_answers_are_filled_with_the_law_and_have_no_braces(lang: str) -> None:
    facts = Facts(DAY, LAW)
    for question in BOOK:
        shown = answer(question, facts, lang)
        assert shown.title == question.title.get(lang)
        assert shown.paragraphs
        assert shown.personal == ()
        assert shown.sources == question.sources
        for paragraph in shown.paragraphs:
            assert "{" not in paragraph
            assert "}" not in paragraph
            assert "\n" not in paragraph
    family = answer(_q("family-calls"), facts, lang).paragraphs[1]
    assert "22:00" in family  # _law.toml [collection], rules-cn.md §8 [S]
    assert "08:00" in family
    crime = " ".join(answer(_q("sued-or-crime"), facts, lang).paragraphs)
    assert "¥50,000.00" in crime  # _law.toml [malicious_overdraft], rules-cn.md §5 [V]


def test_law_values_come_from_the_law_file() -> None:
    values = law_values(LAW)
    assert set(values) == LAW_PLACEHOLDERS
    assert values["retention_years"] == "5"  # Credit Reporting Regulations Art. 16 [V]
    assert values["repair_max_amount"] == "¥10,000.00"  # rules-cn.md §6.4 [S]
    assert values["repair_repaid_by"] == "2026-03-31"
    assert values["quiet_from"] == "22:00"
    assert values["max_calls_per_day"] == "3"


def test_one_day_late_shows_the_cost_per_day_of_the_debt() -> None:
    # Huabei 1,000 overdue 3 days at 0.05 %/day: 0.50 a day, 1.50 in all
    # (http://anju.szhome.com/info/guangda/7284712.html, rules-cn.md §9.1 H2 [S]).
    debt = _debt("huabei", "1000.00", DAY)
    facts = debt_facts("#1 花呗", PRESETS["huabei"], DAY + timedelta(days=3), debt)
    assert facts.days_overdue == 3
    assert facts.daily_cost == Decimal("0.50")
    assert facts.total == Decimal("1001.50")
    shown = answer(_q("one-day-late"), Facts(DAY + timedelta(days=3), LAW, (facts,)), "zh")
    line = shown.personal[0]
    assert line.variant == "overdue"
    assert line.debt == "#1 花呗"
    assert line.text == "#1 花呗：已逾期3天，今天应还¥1,001.50；什么都不还的话，每多一天增加¥0.50。"
    figures = [part.text for part in line.parts if part.figure]
    assert figures == ["3", "¥1,001.50", "¥0.50"]
    assert "#1 花呗" not in figures


def test_grace_period_running_ended_none_and_not_overdue() -> None:
    # Card grace: at least 3 days (self-regulatory convention Art. 14, rules-cn.md §3.3 [S]).
    card = _debt("credit_card_cn", "2000.00", DAY)
    running = debt_facts("#3 卡", PRESETS["credit_card_cn"], DAY + timedelta(days=2), card)
    assert _line("grace-period", running, today=DAY + timedelta(days=2)) == (
        "#3 卡 (Bank credit card (generic)): 3 days of grace. The due date was 2026-03-10; the "
        "grace period lasts until 2026-03-13 (inclusive). Paid in full by then, it counts as "
        "paid on time.")
    ended = debt_facts("#3 卡", PRESETS["credit_card_cn"], DAY + timedelta(days=10), card)
    assert _line("grace-period", ended, "zh", DAY + timedelta(days=10)) == (
        "#3 卡（银行信用卡（通用））：宽限期3天。到期还款日是2026-03-10，宽限期已在2026-03-13结束；"
        "今天已逾期10天。")
    huabei = debt_facts("#1 花呗", PRESETS["huabei"], DAY + timedelta(days=1),
                        _debt("huabei", "500.00", DAY))
    shown = answer(_q("grace-period"), Facts(DAY, LAW, (huabei,)), "en").personal[0]
    assert shown.variant == "none"
    assert shown.source is not None
    assert shown.source.confidence is Confidence.NOT_FOUND  # huabei.toml grace_days, §1.3
    calm = debt_facts("#4", PRESETS["credit_card_cn"], DAY, None, total=money("100.00"))
    assert _line("grace-period", calm) == ("#4 (Bank credit card (generic)): 3 days of grace; "
                                           "not overdue now.")
    adopted = debt_facts("#5", PRESETS["huabei"], DAY + timedelta(days=1),
                         _debt("huabei", "500.00", DAY, grace_days=3))
    line = answer(_q("grace-period"), Facts(DAY + timedelta(days=1), LAW, (adopted,)),
                  "en").personal[0]
    assert line.variant == "running"
    assert line.source is not None
    assert line.source.confidence is Confidence.USER


def test_credit_report_date_is_five_years_after_the_overdue_ends() -> None:
    # Credit Reporting Regulations Art. 16 and the PBOC Credit Reference Center: kept 5 years
    # from the day the debt is settled (rules-cn.md §6.1 [V]); the date itself is ours [C].
    debt = _debt("huabei", "1000.00", DAY)
    today = DAY + timedelta(days=19)
    open_facts = debt_facts("#1", PRESETS["huabei"], today, debt)
    assert _line("credit-report-duration", open_facts, today=today) == (
        "#1: 19 days overdue and not repaid yet, so the record stays. Repaid in full today "
        "(2026-03-29), counting 5 years from repayment, it would be kept until about "
        "2031-03-29.")
    first = replace(debt, payments=(Payment(DAY + timedelta(days=4), money("500.00")),))
    rest = bill_on(first, DAY + timedelta(days=9)).total
    # 1,000 × 0.05 % × 4 days = 2.00, paid first out of the 500 (penalty before principal);
    # then 502 × 0.05 % = 0.25 a day (rounded daily, rules-cn.md §1.2 [S]) × 5 days.
    assert rest == Decimal("503.25")
    paid = replace(first, payments=(*first.payments, Payment(DAY + timedelta(days=9), rest)))
    assert bill_on(paid, DAY + timedelta(days=9)).total == 0
    assert settled_on(paid) == date(2026, 3, 19)
    settled = debt_facts("#1", PRESETS["huabei"], today, paid, state=DebtState.SETTLED)
    assert settled.settled_on == date(2026, 3, 19)
    assert _line("credit-report-duration", settled, "zh", today) == (
        "#1：按你记录的还款，2026-03-19已经还清；按从还清之日起算5年，记录大约保存到2031-03-19。")
    assert _line("settlement-certificate", settled, today=today).startswith(
        "#1: by the payments you recorded, repaid in full on 2026-03-19.")
    unknown = debt_facts("#2", PRESETS["huabei"], today, debt, state=DebtState.SETTLED)
    assert unknown.settled_on is None
    assert "is not recorded" in _line("credit-report-duration", unknown)
    calm = debt_facts("#4", PRESETS["huabei"], DAY, None, total=money("100.00"))
    assert _line("credit-report-duration", calm) == "#4: not overdue, by what you entered."


def test_years_after_keeps_the_day_and_handles_29_february() -> None:
    assert years_after(date(2026, 3, 10), 5) == date(2031, 3, 10)
    assert years_after(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert years_after(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_split_after_minimum_shows_the_installment_terms() -> None:
    huabei = debt_facts("#1", PRESETS["huabei"], DAY, None)
    # huabei.toml [installments]: 3/6/9/12 periods 2.5/4.5/6.5/8.8 % (rules-cn.md §1.6 [S])
    assert "3期2.5%、6期4.5%、9期6.5%、12期8.8%" in _line("split-after-minimum", huabei, "zh")
    assert "3 periods 2.5%, 6 periods 4.5%, 9 periods 6.5%, 12 periods 8.8%" in _line(
        "split-after-minimum", huabei)
    card = debt_facts("#3", PRESETS["credit_card_cn"], DAY, None)
    assert "monthly fee rate of 0.66%" in _line("split-after-minimum", card)  # §9.1 I1 [S]
    jiebei = debt_facts("#2", PRESETS["jiebei"], DAY, None)
    assert "do not list bill installments" in _line("split-after-minimum", jiebei)
    bare = replace(PRESETS["huabei"], installments=Installments())
    listed = debt_facts("#5", bare, DAY, None)
    assert "no published fee rate" in _line("split-after-minimum", listed)
    assert listed.installment_source.confidence is Confidence.SECONDARY


def test_sued_or_crime_compares_the_card_principal_with_the_threshold() -> None:
    # 50,000 of unpaid overdraft principal, repayments against principal first
    # (2018 interpretation, rules-cn.md §5 [V]).
    card = _debt("credit_card_cn", "60000.00", DAY)
    today = DAY + timedelta(days=100)
    above = debt_facts("#3", PRESETS["credit_card_cn"], today, card)
    assert above.card_principal == Decimal("60000.00")
    assert "at or above ¥50,000.00" in _line("sued-or-crime", above, today=today)
    paid = replace(card, payments=(Payment(DAY + timedelta(days=50), money("15000.00")),))
    below = debt_facts("#3", PRESETS["credit_card_cn"], today, paid)
    assert below.card_principal == Decimal("45000.00")
    assert "¥45,000.00, below ¥50,000.00" in _line("sued-or-crime", below, today=today)
    huabei = debt_facts("#1", PRESETS["huabei"], today, _debt("huabei", "60000.00", DAY))
    assert huabei.card_principal is None
    assert answer(_q("sued-or-crime"), Facts(today, LAW, (huabei,)), "en").personal == ()


def test_settlement_amount_includes_principal_not_yet_due() -> None:
    loan = _debt("jiebei", "1000.00", DAY, interest=money("162.00"),
                 not_yet_due_principal=money("8000.00"))
    today = DAY + timedelta(days=5)
    facts = debt_facts("#2", PRESETS["jiebei"], today, loan, not_yet_due=money("8000.00"))
    owed = bill_on(loan, today).total + Decimal("8000.00")
    assert format_money(owed) in _line("settlement-certificate", facts, today=today)


def test_settled_debts_only_answer_the_report_and_certificate_questions() -> None:
    settled = debt_facts("#9", PRESETS["huabei"], DAY, None, state=DebtState.SETTLED)
    facts = Facts(DAY, LAW, (settled,))
    with_lines = {q.slug for q in BOOK if answer(q, facts, "en").personal}
    assert with_lines == {"credit-report-duration", "settlement-certificate"}


def test_every_variant_can_be_reached_and_filled() -> None:
    today = DAY + timedelta(days=20)
    card = _debt("credit_card_cn", "60000.00", DAY)
    cases = [
        debt_facts("a", PRESETS["huabei"], today, _debt("huabei", "100.00", DAY)),
        debt_facts("b", PRESETS["credit_card_cn"], today,
                   _debt("credit_card_cn", "500.00", today - timedelta(days=1))),
        debt_facts("c", PRESETS["credit_card_cn"], today, card),
        debt_facts("d", PRESETS["jiebei"], today, None),
        debt_facts("e", replace(PRESETS["huabei"], installments=Installments()), today, None),
        debt_facts("f", PRESETS["credit_card_cn"], today, _debt("credit_card_cn", "10.00", DAY)),
        debt_facts("g", PRESETS["huabei"], today, None, state=DebtState.SETTLED),
        debt_facts("h", PRESETS["huabei"], today, replace(
            _debt("huabei", "100.00", DAY), payments=(Payment(DAY, money("100.00")),)),
            state=DebtState.SETTLED),
    ]
    seen: dict[str, set[str]] = {}
    for lang in ("zh", "en"):
        for question in BOOK:
            for line in answer(question, Facts(today, LAW, tuple(cases)), lang).personal:
                seen.setdefault(question.slug, set()).add(line.variant)
                assert "{" not in line.text
                assert line.text.startswith(line.debt)
    assert seen == {slug: set(variants) for slug, variants in VARIANTS.items()}


# ------------------------------------------------------------------------------ search


def test_search_by_chinese_and_english_words() -> None:
    def slugs(query: str, lang: str) -> set[str]:
        return {q.slug for q in search(BOOK, query, lang, LAW)}

    assert "grace-period" in slugs("宽限期", "zh")
    assert slugs("结清证明", "zh") == {"settlement-certificate", "negotiation-agent"}
    assert slugs("怎样拿到结清证明", "zh") == {"settlement-certificate"}
    assert slugs("代理协商", "zh") >= {"negotiation-agent"}
    assert "grace-period" in slugs("GRACE period", "en")
    assert slugs("settlement certificate", "en") == {"settlement-certificate",
                                                     "negotiation-agent"}
    assert slugs("get a settlement certificate", "en") == {"settlement-certificate"}
    assert slugs("family", "en") >= {"family-calls"}
    assert "family-calls" in slugs("22:00", "en")  # the filled answer is searched
    assert slugs("征信 五年", "zh") == {"credit-report-duration"}
    assert slugs("宽限期", "en") == set()
    assert slugs("xyzzy", "en") == set()
    assert search(BOOK, "  ", "en", LAW) == BOOK.questions


@settings(max_examples=60)
@given(principal=st.integers(min_value=1, max_value=5_000_000),
       days=st.integers(min_value=0, max_value=400),
       product=st.sampled_from(["huabei", "credit_card_cn", "jd_baitiao", "weilidai"]))
def test_the_figures_are_the_bill_of_the_day(principal: int, days: int, product: str) -> None:
    amount = money(Decimal(principal) / 100)
    debt = _debt(product, str(amount), DAY)
    today = DAY + timedelta(days=days)
    facts = debt_facts("#1", PRESETS[product], today, debt)
    bill = bill_on(debt, today)
    assert (facts.days_overdue, facts.daily_cost, facts.total) == (
        bill.days_overdue, bill.daily_cost, bill.total)
    line = _line("one-day-late", facts, today=today)
    assert format_money(bill.daily_cost) in line
    assert format_money(bill.total) in line
    assert not re.search(r"[{}]", line)
