"""Tests of xieshang.documents: every negotiation document for two contrasting cases — a
credit card behind after a loss of income, and a Huabei bill forgotten — with every figure
checked against the engine's, no unfilled field, no promise of outcome and no rule the
reference marks as not found; the public post holds no personal data; zh-Hant is
Traditional."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import jinja2
import pytest

from xieshang.documents import (
    BudgetStatement,
    DocumentKind,
    FlaggedCall,
    LoggedContact,
    build_context,
    cited,
    figures,
    kinds_for,
    render_document,
    to_traditional,
)
from xieshang.engine.bill import Bill
from xieshang.engine.errors import InputError
from xieshang.engine.money import format_money, money_in_capitals
from xieshang.engine.negotiation import Ladder, build_ladder, parse_negotiation_data
from xieshang.engine.preset import Preset, parse_preset
from xieshang.present.documents import quiet_hours
from xieshang.rules import builtin_text, law

M = Decimal
TODAY = date(2026, 3, 10)
DATA = parse_negotiation_data(builtin_text("_negotiation.toml"), "presets/_negotiation.toml")
ACCOUNT = "**** **** **** 1111"
AMOUNT = re.compile(r"-?¥[\d,]+\.\d{2}")
#: Promises of outcome no document may make.
PROMISES = ("保证", "保證", "一定能", "肯定能", "guarantee", "will certainly", "确保成功")
#: Statements of rules the reference marks NF (rules-cn.md §1.2, §3.8: "不得计收复利" not
#: found; §1.2: the "每日0.1%滞纳金" and "千分之五违约金" claims are unreliable; §8: the
#: 2018 NIFA convention's text was not found).
NOT_FOUND = ("不得计收复利", "禁止复利", "compounding is banned", "0.1%滞纳金", "千分之五",
             "自律公约")


def _preset(name: str) -> Preset:
    return parse_preset(builtin_text(f"{name}.toml"), f"presets/{name}.toml")


@dataclass(frozen=True)
class Case:
    """A demo case: the bill, the ladder and the hardship reason."""

    name: str
    preset: Preset
    bill: Bill
    ladder: Ladder
    reason: str
    note: str
    income: Decimal = Decimal("6000.00")
    lender: tuple[str, str] = ("", "")  # as the person named the lender: (zh, en)

    def statement(self, lang: str = "zh") -> BudgetStatement:
        """The budget as the lender sees it: this debt's share is the ladder's; another
        creditor, owed ¥5,000.00, gets ¥200.00; essential spending is what the income leaves
        after both (rent the rest, food ¥1,000.00). Card: 6,000 − (1,500 + 200) = 4,300 spent,
        rent 3,300."""
        available = self.ladder.affordable + M("200.00")
        spent = self.income - available
        zh = lang != "en"
        return BudgetStatement(
            income=self.income,
            spending=(("房租" if zh else "Rent", spent - M("1000.00")),
                      ("饮食" if zh else "Food", M("1000.00"))),
            available=available,
            creditors=((self.preset.lender.get("en" if not zh else "zh"), self.bill.total,
                        self.ladder.affordable),
                       ("微众银行（微粒贷）" if zh else "WeBank (Weilidai)", M("5000.00"),
                        M("200.00"))))

    def context(self, lang: str, *, applicant: str = "李*", account: str = ACCOUNT,
                contacts: Sequence[LoggedContact] = (), calls: Sequence[FlaggedCall] = ()
                ) -> dict[str, Any]:
        return build_context(lang=lang, today=TODAY, applicant=applicant, account=account,
                             preset=self.preset, bill=self.bill, ladder=self.ladder,
                             settings=DATA, reason=self.reason, reason_note=self.note,
                             since=date(2025, 11, 1) if self.reason == "income_loss" else None,
                             contacts=contacts, calls=calls, statement=self.statement(lang),
                             lender=self.lender[1 if lang == "en" else 0],
                             quiet_hours=quiet_hours())

    @property
    def kinds(self) -> tuple[DocumentKind, ...]:
        """The documents this debt has (a family loan: the family kit)."""
        return kinds_for(self.preset.product_kind.value)


def _case(name: str, preset: str, bill: Bill, affordable: str, income: str, reason: str,
          note: str = "", lender: tuple[str, str] = ("", "")) -> Case:
    chosen = _preset(preset)
    ladder = build_ladder(bill, chosen, M(affordable), today=TODAY, income=M(income),
                          settings=DATA)
    return Case(name, chosen, bill, ladder, reason, note, M(income), lender)


# A card 95 days behind after a loss of income: personalised installments (Art. 70,
# rules-cn.md §3.6 [S]); the budget leaves 1,500 a month for it.
CARD = _case("card", "credit_card_cn",
             Bill(as_of=TODAY, principal=M("30000.00"), interest=M("1200.00"),
                  penalty=M("450.00"), fees=M("0.00"), days_overdue=95),
             "1500.00", "6000.00", "income_loss", "公司裁员，现在打零工。")
# A Huabei bill forgotten for 25 days: the budget can clear it at once.
HUABEI = _case("huabei", "huabei",
               Bill(as_of=TODAY, principal=M("2000.00"), interest=M("0.00"),
                    penalty=M("12.50"), fees=M("0.00"), days_overdue=25),
               "2500.00", "6000.00", "forgot")
# The edges: a token payment and breathing space.
TOKEN = _case("token", "credit_card_cn",
              Bill(as_of=TODAY, principal=M("90000.00"), interest=M("0.00"),
                   penalty=M("0.00"), fees=M("0.00"), days_overdue=40),
              "300.00", "3000.00", "illness")
BREATHING = _case("breathing", "jiebei",
                  Bill(as_of=TODAY, principal=M("5000.00"), interest=M("100.00"),
                       penalty=M("20.00"), fees=M("0.00"), days_overdue=10),
                  "0.00", "2500.00", "family_emergency")
# An online lender (借呗, a consumer-finance company's cash loan) 45 days behind after a
# mother's operation: the budget leaves ¥900 a month for it.
JIEBEI = _case("jiebei", "jiebei",
               Bill(as_of=TODAY, principal=M("12000.00"), interest=M("300.00"),
                    penalty=M("90.00"), fees=M("0.00"), days_overdue=45),
               "900.00", "5500.00", "illness", "母亲住院做手术，这两个月的钱都花在医药费上")
# A platform's monthly bill (美团月付, lent by a microloan company) ¥3,000 overdue 10 days
# after a pay cut: 3,000 × 0.05 % × 10 = ¥15.00 (an estimate from secondary pages [S]); the
# budget leaves ¥600 a month for it.
YUEFU = _case("yuefu", "meituan_yuefu",
              Bill(as_of=TODAY, principal=M("3000.00"), interest=M("0.00"),
                   penalty=M("15.00"), fees=M("0.00"), days_overdue=10),
              "600.00", "4500.00", "income_loss", "饭店生意不好，这个月工资只发了一半")
# Money borrowed from a brother-in-law, interest-free, 90 days late: the family kit.
FAMILY = _case("family", "informal_loan",
               Bill(as_of=TODAY, principal=M("20000.00"), interest=M("0.00"),
                    penalty=M("0.00"), fees=M("0.00"), days_overdue=90),
               "800.00", "6000.00", "income_loss", lender=("姐夫", "Wei"))
CASES = (CARD, HUABEI, TOKEN, BREATHING)
LANGS = ("zh", "en", "zh-Hant")


def _render(case: Case, kind: DocumentKind, lang: str) -> str:
    return render_document(kind, case.context("zh" if lang == "zh-Hant" else lang), lang)


#: The collection rule's public sources, as the alerts carry them (``_law.toml``): the
#: online-lending rules, and the banks' guideline for a bank's card or loan.
QUIET = law().source_of("collection.quiet_from")
BANK_QUIET = law().source_of("bank_collection.quiet_from")


def refused(lang: str, outcome: str = "refused") -> LoggedContact:
    """A phone call to the lender on 2026-03-05 at 14:30: an arrangement asked for and
    refused (or another outcome)."""
    zh = lang != "en"
    return LoggedContact(when=datetime(2026, 3, 5, 14, 30), channel="电话" if zh else "phone",
                         agent="王，工号 1234" if zh else "Wang, staff number 1234",
                         reference="T-9", asked="分 24 期，每月 1,300 元" if zh else
                         "24 monthly payments", outcome=outcome)


#: A collector's call at 22:40 on 2026-03-08, in the quiet hours, and what the person noted.
NIGHT_CALL = FlaggedCall(when=datetime(2026, 3, 8, 22, 40), rule="quiet_hours", start="22:00",
                         end="08:00", limit=3, confidence=QUIET.confidence.value,
                         urls=QUIET.urls, notes="说要打电话给我儿子")


#: The same call about a bank's card, as the alerts flag it: under the banks' guideline.
BANK_NIGHT_CALL = FlaggedCall(when=datetime(2026, 3, 8, 22, 40), rule="quiet_hours",
                              start="22:00", end="08:00", limit=6,
                              confidence=BANK_QUIET.confidence.value, urls=BANK_QUIET.urls,
                              notes="说要打电话给我儿子")


def render_logged(case: Case, kind: DocumentKind, lang: str, outcome: str = "refused") -> str:
    """The document after a logged refusal (or ``outcome``) and a night collector call (under
    the rules of the lender's kind)."""
    base = "zh" if lang == "zh-Hant" else lang
    bank = case.preset.lender_type.value == "bank" and case.preset.product_kind.value not in (
        "bill", "cash_loan")
    call = BANK_NIGHT_CALL if bank else NIGHT_CALL
    context = case.context(base, contacts=(refused(base, outcome),), calls=(call,))
    return render_document(kind, context, lang)


ALL = [(case, kind, lang) for case in CASES for kind in case.kinds for lang in LANGS]
IDS = [f"{case.name}-{kind.value}-{lang}" for case, kind, lang in ALL]


def test_the_demo_cases_contrast() -> None:
    assert CARD.ladder.outcome.value == "plan"
    assert len(CARD.ladder.rungs) == 3
    assert CARD.preset.negotiation.personalised_installments
    assert HUABEI.ladder.rungs[0].periods == 1
    assert TOKEN.ladder.outcome.value == "token"
    assert BREATHING.ladder.outcome.value == "breathing_space"


@pytest.mark.parametrize(("case", "kind", "lang"), ALL, ids=IDS)
def test_every_document_is_filled_honest_and_uses_the_engines_figures(
        case: Case, kind: DocumentKind, lang: str) -> None:
    text = _render(case, kind, lang)
    assert len(text) > 100
    for leftover in ("{{", "}}", "{%", "None", "Undefined", "[]", "{}"):
        assert leftover not in text
    lowered = text.lower()
    for word in PROMISES + NOT_FOUND:
        assert word.lower() not in lowered
    allowed = figures(case.bill, case.ladder, statement=case.statement())
    for amount in AMOUNT.findall(text):
        assert amount in allowed, f"{amount} is not a figure of the engine"
    if kind is not DocumentKind.SOCIAL:
        assert format_money(case.bill.total) in text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("lang", LANGS)
def test_the_public_post_holds_no_personal_data(case: Case, lang: str) -> None:
    context = case.context("zh" if lang == "zh-Hant" else lang,
                           applicant="李明", account="6222020200112233445")
    text = render_document(DocumentKind.SOCIAL, context, lang)
    assert "李明" not in text
    assert "李" not in text
    assert not re.search(r"\d{3,}", text)  # no account, phone or ID digits, no amounts
    assert "*" not in text
    assert "¥" not in text
    if lang != "zh-Hant":
        # the product as people say it: a generic preset's qualifier is dropped
        spoken = case.preset.name.get(lang).removesuffix("（通用）").removesuffix(" (generic)")
        assert spoken in text


def test_the_card_letter_states_the_ask_in_figures_and_capitals_and_article_70() -> None:
    text = _render(CARD, DocumentKind.LETTER, "zh")
    ask = CARD.ladder.rungs[0]
    assert ask.evaluation is not None
    assert text.splitlines()[0] == "个性化分期还款申请"
    assert (f"分 {ask.periods} 期，每月 {format_money(ask.monthly)}，"
            f"合计 {format_money(ask.evaluation.total_paid)}") in text
    assert money_in_capitals(ask.monthly) in text
    assert money_in_capitals(CARD.bill.total) in text
    assert f"大写：{money_in_capitals(CARD.ladder.affordable)}" in text
    # Article 70's six items (rules-cn.md §3.6 [S]).
    for item in ("债务金额", "还款计划", "是否收取利息和费用", "不再申请信用卡", "违约责任",
                 "其他还款事项"):
        assert item in text
    assert "公司裁员，现在打零工。" in text
    assert "2025-11-01" in text


def test_the_huabei_letter_asks_to_clear_it_at_once_and_for_written_confirmation() -> None:
    text = _render(HUABEI, DocumentKind.LETTER, "zh")
    assert text.splitlines()[0] == "协商还款申请"
    assert "个性化分期" not in text
    assert "不再申请信用卡" not in text
    assert "一次还清 ¥2,000.00" in text
    assert "减免罚息和费用 ¥12.50" in text
    assert "书面形式" in text
    english = _render(HUABEI, DocumentKind.PHONE, "en")
    assert "one payment of ¥2,000.00" in english
    assert "I forgot the due date" in english


def test_the_phone_script_has_every_step() -> None:
    text = _render(CARD, DocumentKind.PHONE, "zh")
    walk = CARD.ladder.rungs[-1]
    fallback = CARD.ladder.rungs[1]
    for step in ("我是谁", "工号", "工单号", "账户情况", "为什么逾期", "我的请求",
                 "如果对方不同意", "问清楚这几件事", "书面确认"):
        assert step in text
    assert ACCOUNT in text
    assert format_money(CARD.ladder.affordable) in text  # only in the private coaching
    assert f"每月 {format_money(fallback.monthly)}" in text
    # the walk-away rung's terms, and the limit is the budget's share (not the rung's amount)
    assert f"每月 {format_money(walk.monthly)}" in text
    assert f"对方要求每月超过 {format_money(CARD.ladder.affordable)}，请不要当场答应" in text
    chat = _render(CARD, DocumentKind.CHAT, "zh").splitlines()
    assert all(len(line) <= 120 for line in chat)  # short messages


def test_token_and_breathing_space_ask_for_what_the_budget_allows() -> None:
    token = _render(TOKEN, DocumentKind.LETTER, "zh")
    assert f"每月先还 {format_money(TOKEN.ladder.affordable)}" in token
    assert f"{DATA.ladder.token_review_months} 个月后" in token
    pause = _render(BREATHING, DocumentKind.CHAT, "en")
    assert f"a pause of {DATA.ladder.breathing_months} months" in pause


def test_the_complaint_goes_to_12378() -> None:
    text = _render(CARD, DocumentKind.COMPLAINT, "zh")
    assert "12378" in text
    assert "国家金融监督管理总局" in text


def test_zh_hant_is_traditional() -> None:
    for kind in CARD.kinds:
        text = _render(CARD, kind, "zh-Hant")
        for simplified in ("协商", "还款", "个性化", "账户", "说明"):
            assert simplified not in text
    assert "協商" in _render(CARD, DocumentKind.PHONE, "zh-Hant")
    assert "發卡銀行" in _render(CARD, DocumentKind.LETTER, "zh-Hant")  # not 髮卡
    assert to_traditional("协商还款") == "協商還款"


def test_a_missing_value_fails_instead_of_leaving_a_gap() -> None:
    context = CARD.context("zh")
    del context["affordable"]
    with pytest.raises(jinja2.UndefinedError):
        render_document(DocumentKind.PHONE, context, "zh")


def test_unknown_kind_or_language_names_the_field() -> None:
    with pytest.raises(InputError) as error:
        render_document("fax", CARD.context("zh"), "zh")
    assert error.value.field == "channel"
    with pytest.raises(InputError) as error:
        render_document(DocumentKind.PHONE, CARD.context("zh"), "fr")
    assert error.value.field == "lang"


def test_the_dossier_html_escapes_what_the_person_typed_and_converts_to_hant() -> None:
    from xieshang.documents.dossier import Dossier, DossierDebt, render_dossier_html

    letter = _render(CARD, DocumentKind.LETTER, "zh")
    dossier = Dossier(
        title="李*", today=TODAY.isoformat(),
        situation=[("逾期原因", "<b>收入中断</b>")],
        debts=[DossierDebt(name="#1 银行信用卡", lender="发卡银行", account=ACCOUNT,
                           bill=[("合计", format_money(CARD.bill.total))], days_overdue=95,
                           ladder=[("首选", "28", "¥1.00", "¥2.00", "¥0.00", "0.00%")],
                           scripts=[("书面申请", letter)])],
        timeline=[("2025-11-01", "收入中断")])
    html = render_dossier_html(dossier, "zh")
    assert "&lt;b&gt;收入中断&lt;/b&gt;" in html
    assert "<b>" not in html
    assert format_money(CARD.bill.total) in html
    assert 'font-family: "Noto Sans CJK SC"' in html
    assert "@page" in html
    assert "（暂无记录）" in html  # no contacts, no commitments
    hant = render_dossier_html(dossier, "zh-Hant")
    assert 'lang="zh-Hant"' in hant
    assert "協商材料" in hant
    assert "Negotiation dossier" in render_dossier_html(dossier, "en")


# --------------------------------------------------------- the documents follow the log


LOGGED = [(kind, lang) for kind in CARD.kinds for lang in LANGS]


@pytest.mark.parametrize(("kind", "lang"), LOGGED,
                         ids=[f"{kind.value}-{lang}" for kind, lang in LOGGED])
def test_documents_with_a_logged_history_stay_filled_and_honest(kind: DocumentKind,
                                                                lang: str) -> None:
    text = render_logged(CARD, kind, lang)
    for leftover in ("{{", "}}", "{%", "None", "Undefined", "[]", "{}"):
        assert leftover not in text
    lowered = text.lower()
    for word in PROMISES + NOT_FOUND:
        assert word.lower() not in lowered
    allowed = figures(CARD.bill, CARD.ladder, statement=CARD.statement())
    for amount in AMOUNT.findall(text):
        assert amount in allowed


def test_the_complaint_with_an_empty_log_claims_no_contact() -> None:
    text = _render(CARD, DocumentKind.COMPLAINT, "zh")
    assert "本人已主动联系" not in text
    assert "已经做过的协商" not in text
    assert "联系记录里还没有与该机构联系的记录" in text  # it suggests contacting first
    assert "22:" not in text
    english = _render(CARD, DocumentKind.COMPLAINT, "en")
    assert "I contacted the institution" not in english
    assert "What I have tried" not in english


def test_the_complaint_states_the_logged_contact_and_the_night_call() -> None:
    """An online lender (花呗): the online-lending collection rules apply to it."""
    text = render_logged(HUABEI, DocumentKind.COMPLAINT, "zh")
    assert "二、协商和向机构投诉的经过" in text
    assert ("1. 2026-03-05 14:30，电话（对方：王，工号 1234；编号 T-9）。"
            "本人的请求：分 24 期，每月 1,300 元。对方拒绝了。") in text
    assert "2026-03-08 22:40，催收人员来电" in text
    assert "22:00 至次日 08:00 不得催收" in text
    assert "《互联网金融贷后催收业务指引》" in text  # the rule, by its public name
    assert QUIET.urls[0] in text  # and where it is published
    assert "可信度：二手资料" in text  # its confidence mark ([S])
    assert "本人当时的记录：说要打电话给我儿子。" in text
    assert "rules-cn" not in text  # not our own files
    assert "_law.toml" not in text
    english = render_logged(HUABEI, DocumentKind.COMPLAINT, "en")
    assert "On 2026-03-08 at 22:40 a collector called me" in english
    assert "They refused." in english
    assert "How sure: secondary source" in english


def test_the_complaint_counts_calls_over_the_daily_limit() -> None:
    calls = (FlaggedCall(when=datetime(2026, 3, 9, 9, 0), rule="over_limit", count=5, limit=3,
                         confidence="S", urls=QUIET.urls),)
    text = render_document(DocumentKind.COMPLAINT, HUABEI.context("zh", calls=calls), "zh")
    assert "2026-03-09 一天内，本人记录到催收来电 5 次" in text
    assert "每天有效通话不超过 3 次" in text


@pytest.mark.parametrize(("outcome", "zh", "en"), [
    ("refused", "被拒绝了", "was refused"),
    ("pending", "暂未得到答复", "not yet had an answer"),
    ("accepted", "希望得到书面确认", "confirmed in writing"),
    ("", "还没有明确的结果", "no clear answer yet"),
])
def test_the_public_post_follows_the_latest_outcome(outcome: str, zh: str, en: str) -> None:
    text = render_logged(HUABEI, DocumentKind.SOCIAL, "zh", outcome)
    assert zh in text
    if outcome != "pending":
        assert "暂未得到答复" not in text
    assert en in render_logged(HUABEI, DocumentKind.SOCIAL, "en", outcome)
    assert not re.search(r"\d{3,}", text)  # no date, time or staff number in public
    assert "王" not in text


def test_the_public_post_with_an_empty_log_claims_no_contact() -> None:
    text = _render(HUABEI, DocumentKind.SOCIAL, "zh")
    assert "暂未得到答复" not in text
    assert "已通过客服联系" not in text
    assert "一般先通过客服热线或App提出协商" in text
    assert "not yet had an answer" not in _render(HUABEI, DocumentKind.SOCIAL, "en")


def test_the_latest_contact_decides_the_status() -> None:
    earlier = LoggedContact(when=datetime(2026, 3, 1, 9, 0), channel="在线客服",
                            outcome="pending")
    context = CARD.context("zh", contacts=(refused("zh"), earlier))
    assert context["status"] == "refused"
    assert [c["when"] for c in context["contacts"]] == ["2026-03-01 09:00", "2026-03-05 14:30"]
    assert CARD.context("zh")["status"] == "none"


def test_public_sources_are_cited_by_the_laws_title_or_address() -> None:
    assert cited(["LawRefBook/Laws/民法典/总则.md",
                  "LawRefBook/Laws/行政法规/征信业管理条例(2013-01-21).md",
                  "LawRefBook/Laws/刑法/刑法.md", "https://example.org/a",
                  "https://example.org/a"]) == [
        "《民法典》总则", "《征信业管理条例》", "《刑法》", "https://example.org/a"]


@pytest.mark.parametrize(("case", "section"), [(HUABEI, "collection"),
                                               (CARD, "bank_collection")])
def test_the_collector_letter_takes_the_quiet_hours_from_the_rules(case: Case,
                                                                   section: str) -> None:
    """The letter to collectors states the quiet hours of the rules that bind the lender
    (``_law.toml``: an online lender's under ``collection``, a bank's under
    ``bank_collection``), not a time written into the template: with the rules moved to
    21:30–07:30, both languages say 21:30 and 07:30, and 22:00 appears nowhere."""
    from dataclasses import replace
    from datetime import time

    rules = law()
    moved = replace(getattr(rules, section), quiet_from=time(21, 30),
                    quiet_until=time(7, 30))
    changed = replace(rules, **{section: moved})
    for lang in ("zh", "en"):
        context = build_context(lang=lang, today=TODAY, applicant="李*", account=ACCOUNT,
                                preset=case.preset, bill=case.bill, ladder=case.ladder,
                                settings=DATA, quiet_hours=quiet_hours(changed))
        text = render_document(DocumentKind.COLLECTOR, context, lang)
        assert "21:30" in text
        assert "07:30" in text
        assert "22:00" not in text
        assert "08:00" not in text
