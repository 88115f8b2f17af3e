"""The documents as a person sends them: the phone script never says the person's limit,
the hardship statement is written from the person's facts, the application follows the
conventions of a formal letter to a bank, a company or a relative, the documents that
need no budget are written without one, and no document shows a reference file's name or
stray English words in Chinese."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from test_cli_case import invoke, ok, overdue_since
from test_documents import (
    BREATHING,
    CARD,
    CASES,
    DATA,
    HUABEI,
    LANGS,
    TODAY,
    TOKEN,
    Case,
    _case,
    _render,
)
from xieshang.documents import DocumentKind, build_context, kinds_for, render_document
from xieshang.engine.bill import Bill
from xieshang.engine.money import format_money
from xieshang.rules import builtin_text, law

M = Decimal


def _context(case: Case, lang: str = "zh", **facts: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"reason": case.reason, "reason_note": case.note}
    values.update(facts)
    return build_context(lang=lang, today=TODAY, applicant="李*", account="", preset=case.preset,
                         bill=case.bill, ladder=case.ladder, settings=DATA, law=law(), **values)


def _quoted(text: str) -> list[str]:
    """The sentences the person says: in “…” (Chinese) or "…" (English)."""
    return re.findall(r"“([^”]*)”", text) + re.findall(r'"([^"]*)"', text)


# --- 1. the phone script ---------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", [DocumentKind.PHONE, DocumentKind.CHAT])
def test_the_phone_script_never_says_the_most_the_person_can_pay(case: Case, lang: str,
                                                                  kind: DocumentKind) -> None:
    text = _render(case, kind, lang)
    if kind is DocumentKind.CHAT:  # every line of a chat is sent to the lender
        assert format_money(case.ladder.affordable) not in text or (
            case.ladder.outcome.value != "plan")
        for phrase in ("最多能拿出", "最多能还", "最多能拿齣", "at most"):
            assert phrase not in text
        return
    for phrase in ("最多能拿出", "最多能还", "最多能拿齣", "at most"):
        assert phrase not in text
    said = " ".join(_quoted(text))
    if case.ladder.outcome.value != "plan":  # a token payment is the share by design
        return
    walk = case.ladder.rungs[-1]
    assert walk.evaluation is not None
    hidden = {format_money(case.ladder.affordable), format_money(walk.monthly),
              format_money(walk.evaluation.total_paid)}
    hidden -= {format_money(case.bill.total)}  # paying the whole bill is no secret
    assert hidden
    for amount in hidden:
        assert amount not in said, f"{amount} is said to the lender"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_phone_script_takes_the_staff_number_first_and_asks_before_it_confirms(
        lang: str) -> None:
    text = _render(CARD, DocumentKind.PHONE, lang)
    first_two = text[:text.index("\n3. ")]
    assert ("工号" if lang == "zh" else "staff number") in first_two
    assert ("工单号" if lang == "zh" else "ticket") in first_two
    zh = ("为什么逾期", "我的请求", "如果对方不同意", "不要当场答应", "账单日", "首付", "年费",
          "一次还清", "录音", "书面确认")
    en = ("Why I fell behind", "The ask", "If they say no", "Do not agree", "statement date",
          "down payment", "annual fee", "rest due at once", "recorded", "in writing")
    places = [text.index(word) for word in (zh if lang == "zh" else en)]
    assert places == sorted(places)
    # the limit stays as coaching marked for the person
    marker = "【只给自己看，不要说出口】" if lang == "zh" else "[For you only, not to be said]"
    line = next(line for line in text.splitlines() if format_money(CARD.ladder.affordable) in line)
    assert marker in line


def test_the_phone_script_explains_in_the_person_s_own_words() -> None:
    text = render_document(DocumentKind.PHONE, _context(CARD, reason_note="公司裁员 现在打零工"),
                           "zh")
    assert "公司裁员 现在打零工。我不是不想还" in text


# --- 2. the hardship statement ---------------------------------------------------------

def test_the_hardship_statement_is_written_from_the_person_s_facts() -> None:
    context = _context(CARD, reason_note="  公司裁员，\n现在打零工 ", since=date(2025, 11, 1),
                       recovery=date(2026, 9, 1), evidence=["unemployment", "income",
                                                            "income"],
                       spending=["饮食", "交通"], household=True)
    text = render_document(DocumentKind.HARDSHIP, context, "zh")
    assert "自 2025-11-01 起，因收入减少或失去收入，本人未能按时偿还上述欠款。" in text
    assert "公司裁员，现在打零工。\n" in text  # one line, a full stop added
    assert f"本人家庭月收入 {format_money(M('6000.00'))}" in text
    assert "扣除饮食、交通等必要开支后" in text
    assert "房租" not in text
    assert "本人预计在 2026-09-01 前后情况好转" in text
    assert "1. 失业或解除劳动合同的证明\n2. 收入证明\n3. 收支说明" in text
    assert "以上情况属实，本人愿意提供相关证明。" in text
    # signed by hand (or with the full name when the person chose to put it in)
    assert text.rstrip().endswith("说明人（签名）：\n日期：2026-03-10")
    english = render_document(DocumentKind.HARDSHIP, _context(
        CARD, "en", reason_note="laid off", household=True, spending=["Rent", "Food"],
        recovery=date(2026, 9, 1), evidence=["medical"]), "en")
    for part in ("laid off.", "My household's monthly income", "After Rent, Food and other",
                 "around 2026-09-01", "1. Medical records", "willing to provide evidence"):
        assert part in english


def test_the_hardship_statement_without_facts_claims_none() -> None:
    text = render_document(DocumentKind.HARDSHIP, _context(CARD), "zh")
    assert "家庭月收入" not in text
    assert "本人每月收入" in text
    assert "房租" not in text
    assert "扣除必要生活开支后" in text
    assert "目前还无法确定情况何时好转" in text
    assert "1. 收支说明" in text
    # a forgotten due date has nothing to recover from
    assert "好转" not in _render(HUABEI, DocumentKind.HARDSHIP, "zh")


# --- 3. the written application --------------------------------------------------------

INFORMAL = _case("informal", "informal_loan",
                 Bill(as_of=TODAY, principal=M("20000.00"), interest=M("0.00"),
                      penalty=M("0.00"), fees=M("0.00"), days_overdue=90),
                 "800.00", "6000.00", "income_loss")


@pytest.mark.parametrize(("case", "you", "others"), [
    (CARD, "贵行", ("贵公司", "贵方")), (HUABEI, "贵公司", ("贵行", "贵方")),
    (BREATHING, "贵公司", ("贵行", "贵方")), (INFORMAL, "您", ("贵行", "贵公司", "贵方"))],
    ids=["card", "huabei", "jiebei", "family"])
def test_the_application_addresses_a_bank_a_company_or_a_relative(
        case: Case, you: str, others: tuple[str, ...]) -> None:
    text = _render(case, DocumentKind.LETTER, "zh")
    assert you in text
    for word in others:
        assert word not in text
    if case is INFORMAL:
        assert "非恶意逾期" not in text
        assert "年费" not in text


def test_the_card_application_cites_article_70_as_the_project_keeps_it() -> None:
    text = _render(CARD, DocumentKind.LETTER, "zh")
    clause = "确认欠款超出还款能力、且持卡人仍有还款意愿的"
    assert clause in builtin_text("credit_card_cn.toml")  # the cited source's wording
    assert f"《商业银行信用卡业务监督管理办法》第七十条规定：{clause}" in text
    assert "本人目前的欠款已超出本人的还款能力，但本人仍有还款意愿" in text
    assert "非恶意逾期" in text
    assert "年费：恳请贵行在还款期间免收年费；如需收取，请在协议中写明金额" in text
    assert f"首期还款日：恳请与本人的账单日对齐，不早于 {CARD.context('zh')['ask']['first_due']}" \
        in text
    assert text.rstrip().endswith("　　此致\n敬礼！\n\n申请人（签名）：\n日期：2026-03-10")
    english = _render(CARD, DocumentKind.LETTER, "en")
    for part in ("Article 70", "annual fee", "bad faith"):
        assert part in english


def test_a_token_payment_is_not_titled_a_personalised_plan() -> None:
    text = _render(TOKEN, DocumentKind.LETTER, "zh")
    assert text.splitlines()[0] == "协商还款申请"
    assert "个性化分期" not in text
    assert "第七十条" not in text
    assert f"每月先还 {format_money(TOKEN.ladder.affordable)}" in text
    english = _render(TOKEN, DocumentKind.LETTER, "en")
    assert english.splitlines()[0] == "Application for a repayment arrangement"
    assert "personalised" not in english


# --- 4. documents without a budget -----------------------------------------------------

@pytest.fixture
def no_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "王先生")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       overdue_since(40), "--label", "招行信用卡")


@pytest.mark.parametrize("channel", ["complaint", "social", "confirm", "noreply", "statement",
                                     "collector"])
def test_complaint_post_and_confirmation_need_no_budget(no_budget: None, channel: str) -> None:
    for lang in ("zh", "en", "zh-Hant"):
        text = ok("script", "--channel", channel, "--lang", lang)
        assert len(text) > 100
        for leftover in ("{{", "}}", "None", "Undefined"):
            assert leftover not in text
        assert "¥0.00" not in text  # no share, no proposal
    if channel == "complaint":
        text = ok("script", "--channel", channel)
        assert "本人希望按自己的还款能力，与该机构协商一个可以长期履行的还款安排。" in text
        assert "每月可用于还款的金额" not in text


@pytest.mark.parametrize("channel", ["phone", "chat", "letter", "hardship", "budget"])
def test_the_documents_that_need_the_budget_say_how_to_add_it(no_budget: None,
                                                              channel: str) -> None:
    code, out, err = invoke("script", "--channel", channel, "--lang", "en")
    assert code != 0
    message = err + out
    assert "xieshang budget set" in message
    assert "Budget page" in message
    code, out, err = invoke("script", "--channel", channel)
    assert code != 0
    assert "xieshang budget set" in err + out
    assert "“收支”页" in err + out


# --- 5. no reference file names, no stray English in Chinese ----------------------------

REFERENCES = ("rules-cn.md", "anchors.md", "presets/_", ".toml")
#: What Chinese documents may hold in Latin letters: App, ID, SHA-256, web addresses and
#: xieshang commands (in backquotes).
ALLOWED = re.compile(r"https?://\S+|`xieshang[^`]*`|xieshang \S+|SHA-256"
                     r"|(?<![A-Za-z])(?:App|ID)(?![A-Za-z])")
WORD = re.compile(r"[A-Za-z]{3,}")


def _stray(text: str, lang: str) -> list[str]:
    found = [name for name in REFERENCES if name in text]
    if lang != "en":
        found += WORD.findall(ALLOWED.sub(" ", text))
    return found


ALL = [(case, kind, lang) for case in (*CASES, INFORMAL) for kind in case.kinds
       for lang in LANGS]


@pytest.mark.parametrize(("case", "kind", "lang"), ALL,
                         ids=[f"{c.name}-{k.value}-{lang}" for c, k, lang in ALL])
def test_no_document_names_a_reference_file_or_strays_into_english(
        case: Case, kind: DocumentKind, lang: str) -> None:
    assert _stray(_render(case, kind, lang), lang) == []


def test_the_cli_documents_name_no_reference_file_nor_stray_english(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "王先生")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       overdue_since(40), "--label", "招行信用卡")
    ok("budget", "set", "--income", "wages=7000", "--priority", "rent=2000", "--fixed",
       "transport=300", "--flexible", "food=1500")
    for kind in kinds_for("credit_card"):
        for lang in LANGS:
            text = ok("script", "--channel", kind.value, "--lang", lang)
            assert _stray(text, lang) == [], (kind.value, lang)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_chat_messages_are_numbered_without_a_gap(case: Case) -> None:
    marks = re.findall(r"^([①-⑩])", _render(case, DocumentKind.CHAT, "zh"), re.M)
    assert marks == list("①②③④⑤⑥⑦⑧⑨⑩"[:len(marks)])
    numbers = re.findall(r"^(\d+)\. ", _render(case, DocumentKind.CHAT, "en"), re.M)
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert len(marks) == len(numbers) >= 7
