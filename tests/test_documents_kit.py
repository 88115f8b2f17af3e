"""Issue 14's rules for the negotiation kit, one test each: documents per counterparty kind
(the family kit: a personal letter and a written agreement, no regulator, staff number,
penalty or credit-report words), the identifiers only in the document the person chooses
to send, the lender's budget statement without the walk-away point, the follow-up
letters, the complaint that goes to the lender first and names the rule for the lender's
kind, the rights card per product kind, the Taiwan and Hong Kong conventions, and no
reference-file name in any text a person sees (documents, alerts' sources, cards)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from test_cli_case import ID_NUMBER, PHONE, invoke, ok, overdue_since
from test_documents import (
    CARD,
    FAMILY,
    HUABEI,
    JIEBEI,
    LANGS,
    TOKEN,
    Case,
    _render,
    refused,
    render_logged,
)
from xieshang.documents import (
    DocumentKind,
    Identifiers,
    build_context,
    kinds_for,
    render_document,
    to_traditional,
)
from xieshang.engine.errors import InputError
from xieshang.engine.money import format_money
from xieshang.engine.negotiation import parse_negotiation_data
from xieshang.present.documents import quiet_hours
from xieshang.rules import builtin_text

DATA = parse_negotiation_data(builtin_text("_negotiation.toml"), "presets/_negotiation.toml")
#: A card number that passes the Luhn check.
CARD_NUMBER = "4111111111111111"
ID = Identifiers(name="李明", id_number=ID_NUMBER, phone=PHONE, account=CARD_NUMBER)


def _with_ids(case: Case, kind: DocumentKind, lang: str = "zh") -> str:
    context = build_context(lang="en" if lang == "en" else "zh", today=case.bill.as_of,
                            applicant="李*", account="**** 1111", preset=case.preset,
                            bill=case.bill, ladder=case.ladder, settings=DATA,
                            reason=case.reason, statement=case.statement(lang),
                            identifiers=ID, quiet_hours=quiet_hours())
    return render_document(kind, context, lang)


# --- 1. the family kit -------------------------------------------------------------------

#: What the family kit never says: a regulator, a staff or ticket number, penalty interest,
#: the credit bureau, an institution's words.
FAMILY_NEVER = ("12378", "12363", "工号", "工单", "罚息", "征信", "贵行", "贵公司", "贵方",
                "监管", "违约金", "個性化", "个性化分期", "staff number", "ticket", "penalty",
                "credit report", "regulator", "12378")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", kinds_for("informal"), ids=lambda kind: kind.value)
def test_the_family_kit_never_mentions_a_regulator_a_staff_number_a_penalty_or_credit(
        kind: DocumentKind, lang: str) -> None:
    text = _render(FAMILY, kind, lang)
    for word in FAMILY_NEVER + tuple(to_traditional(word) for word in FAMILY_NEVER):
        assert word not in text, (kind.value, word)
    assert format_money(FAMILY.bill.total) in text


def test_the_family_kit_is_a_personal_letter_and_a_written_agreement() -> None:
    letter = _render(FAMILY, DocumentKind.LETTER, "zh")
    assert letter.startswith("姐夫：\n\n　　您好！")
    assert "祝\n身体健康" in letter
    assert "已经晚了 90 天" in letter
    assert "逾期" not in letter
    agreement = _render(FAMILY, DocumentKind.AGREEMENT, "zh")
    ask = FAMILY.ladder.rungs[0]
    assert ask.evaluation is not None
    rows = ask.evaluation.schedule.rows
    # 32 payments of ¥625.00 from 2026-04-10 = ¥20,000.00 (20,000 / 32 = 625)
    assert len(rows) == 32
    assert "  第 1 期　2026-04-10　¥625.00" in agreement
    assert "  第 32 期　2028-11-10　¥625.00" in agreement
    assert "合计 ¥20,000.00。" in agreement
    assert "双方原来没有约定利息，本协议的还款期间也不计利息。" in agreement
    assert "甲方（签字）" in agreement
    assert "乙方（签字）" in agreement
    # no penalty language where none was agreed
    for word in ("违约", "滞纳", "罚", "逾期利息"):
        assert word not in agreement
    # the phone guide keeps the limit for the person
    phone = _render(FAMILY, DocumentKind.PHONE, "zh")
    limit = next(line for line in phone.splitlines() if "¥800.00" in line)
    assert limit.strip().startswith("【只给自己看，不要说出口】")


@pytest.mark.parametrize("kind", [DocumentKind.SOCIAL, DocumentKind.COMPLAINT,
                                  DocumentKind.STATEMENT, DocumentKind.COLLECTOR,
                                  DocumentKind.NOREPLY, DocumentKind.RECONSIDER,
                                  DocumentKind.BUDGET])
def test_documents_for_an_institution_are_refused_for_a_family_loan(
        kind: DocumentKind) -> None:
    with pytest.raises(InputError) as error:
        _render(FAMILY, kind, "zh")
    assert error.value.field == "channel"
    with pytest.raises(InputError):
        _render(CARD, DocumentKind.AGREEMENT, "zh")


# --- 2. identifiers, the application's conventions ----------------------------------------

def test_the_application_carries_the_identifiers_article_70_the_start_date_and_the_close(
        ) -> None:
    text = _with_ids(CARD, DocumentKind.LETTER)
    for value in ("申请人：李明", f"身份证号：{ID_NUMBER}", f"联系电话：{PHONE}",
                  f"卡号：{CARD_NUMBER}"):
        assert value in text
    assert "《商业银行信用卡业务监督管理办法》第七十条" in text
    assert "首期还款日：恳请与本人的账单日对齐，不早于 2026-04-10" in text
    assert "年费" in text
    assert "一次还清全部欠款" in text
    assert "书面答复" in text
    assert "　　此致\n敬礼！" in text
    # without the person's choice: masked, and blanks to fill by hand
    plain = _render(CARD, DocumentKind.LETTER, "zh")
    assert ID_NUMBER not in plain
    assert CARD_NUMBER not in plain
    assert "申请人：李*" in plain
    assert "身份证号：__________________" in plain
    # a public post or a phone script never carries them
    for kind in (DocumentKind.SOCIAL, DocumentKind.PHONE, DocumentKind.CHAT):
        assert ID_NUMBER not in _with_ids(CARD, kind)


@pytest.fixture
def case_with_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "王先生", "--full-name", "王小明", "--id-number", ID_NUMBER,
       "--phone", PHONE)
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       overdue_since(40), "--label", "招行信用卡", "--account", CARD_NUMBER)
    ok("budget", "set", "--income", "wages=7000", "--priority", "rent=2000", "--fixed",
       "transport=300", "--flexible", "food=1500")
    return tmp_path


def test_identifiers_go_into_the_file_only_after_the_person_confirms(case_with_ids: Path
                                                                     ) -> None:
    target = case_with_ids / "letter.txt"
    code, out, err = invoke("script", "--channel", "letter", "--with-identifiers")
    assert code == 2
    assert "--output" in err + out
    code, out, err = invoke("script", "--channel", "letter", "--with-identifiers",
                            "--output", str(target), input="n\n")
    assert code == 2
    assert not target.exists()
    code, out, err = invoke("script", "--channel", "letter", "--with-identifiers",
                            "--output", str(target), input="y\n")
    assert code == 0, err + out
    text = target.read_text(encoding="utf-8")
    assert f"身份证号：{ID_NUMBER}" in text
    assert f"卡号：{CARD_NUMBER}" in text
    assert "申请人：王小明" in text
    assert ID_NUMBER not in out
    assert CARD_NUMBER not in out
    assert (target.stat().st_mode & 0o777) == 0o600
    code, out, err = invoke("script", "--channel", "phone", "--with-identifiers", "--yes",
                            "--output", str(case_with_ids / "phone.txt"))
    assert code == 2
    assert "with-identifiers" in err + out
    plain = ok("script", "--channel", "letter")
    assert ID_NUMBER not in plain
    assert CARD_NUMBER not in plain


def test_the_budget_statement_is_attached_and_shows_no_walk_away(case_with_ids: Path) -> None:
    """Income ¥7,000; rent ¥2,000 (priority), transport ¥300 and food ¥1,500 (essential):
    whatever the norms keep back as a buffer, the lines add up to income − available."""
    text = ok("script", "--channel", "budget")
    assert "个人收支说明" in text
    # 7,000 − (2,000 + 300 + 1,500 + the norms' buffer 350) = 2,850, all for the one debt
    assert "本人每月收入合计 ¥7,000.00" in text
    assert "1. 房租：¥2,000.00" in text
    assert "：¥1,500.00" in text
    assert "4. 应急备用金：¥350.00\n合计 ¥4,150.00。" in text
    assert "每月可用于偿还全部欠款的金额为 ¥2,850.00" in text
    assert "本人目前只有这一笔欠款" in text
    assert re.search(r"发卡银行（招行信用卡）：欠款 ¥[\d,]+\.\d{2}，每月 ¥2,850\.00", text)
    assert "底线" not in text
    assert "最多" not in text
    letter = ok("script", "--channel", "letter")
    assert "收支说明" in letter  # the letter names what it attaches
    code, out, err = invoke("script", "--channel", "budget", "--case", "1", "--lang", "en")
    assert code == 0, err + out
    assert "Income and expenditure statement" in out


def test_the_budget_statement_says_who_the_income_keeps(case_with_ids: Path) -> None:
    """A hardship officer reads income against the people it keeps: with 2 adults, 1 child
    aged 5–10 and 1 other dependant the statement says so before the income; a person
    alone gets no household line (the case above: "本人每月收入")."""
    assert "家庭人口" not in ok("script", "--channel", "budget")
    ok("budget", "set", "--adults", "2", "--children-5-10", "1", "--dependants", "1")
    text = ok("script", "--channel", "budget")
    assert "家庭人口：成年人 2 人，未成年子女 1 人，需要赡养的其他家人 1 人。" in text
    assert "家庭每月收入合计" in text
    code, out, err = invoke("script", "--channel", "budget", "--lang", "en")
    assert code == 0, err + out
    assert "Household: 2 adults, 1 child under 18, 1 other dependant." in out


def test_the_lender_statement_lists_each_creditor_s_share_and_not_the_rungs() -> None:
    text = _render(CARD, DocumentKind.BUDGET, "zh")
    statement = CARD.statement()
    # 6,000 income; 4,300 spent (3,300 + 1,000); 1,700 available = 1,500 + 200
    assert "家庭每月收入" not in text
    assert "本人每月收入合计 ¥6,000.00" in text
    assert "合计 ¥4,300.00" in text
    assert "每月可用于偿还全部欠款的金额为 ¥1,700.00" in text
    assert "发卡银行：欠款 ¥31,650.00，每月 ¥1,500.00" in text
    assert "微众银行（微粒贷）：欠款 ¥5,000.00，每月 ¥200.00" in text
    assert statement.available == statement.income - sum(a for _l, a in statement.spending)
    walk = CARD.ladder.rungs[-1]
    assert walk.evaluation is not None
    assert format_money(walk.evaluation.total_paid) not in text


# --- 3. follow-up letters ----------------------------------------------------------------

def test_the_follow_ups_state_the_wait_the_refusal_the_items_and_the_contact_rules() -> None:
    context = CARD.context("zh", contacts=(refused("zh", "pending"),))
    noreply = render_document(DocumentKind.NOREPLY, context, "zh")
    # asked on 2026-03-05, written on 2026-03-10: 5 days
    assert "本人于 2026-03-05 就上述欠款向贵行提出协商还款申请" in noreply
    assert "至今已 5 天，仍未收到答复" in noreply
    reconsider = render_logged(CARD, DocumentKind.RECONSIDER, "zh")
    assert "本人于 2026-03-05 提出的协商还款申请未获同意" in reconsider
    assert "书面说明不同意的理由" in reconsider
    assert "第七十条" in reconsider
    statement = _render(JIEBEI, DocumentKind.STATEMENT, "zh")
    assert "欠款明细（账单明细）" in statement
    assert "贵公司" in statement
    collector = _render(CARD, DocumentKind.COLLECTOR, "zh")
    assert "请停止联系本人的亲属、朋友、同事和工作单位" in collector
    # the online quiet hours bind online lenders only; a bank's card has the banks' own
    # guideline (self-regulation), named as such
    assert "按照规定，每天 22:00" not in collector
    assert "按照中国银行业协会的催收工作指引（行业自律规范），未经本人同意，每天 22:00" in collector
    assert "承认" not in collector  # it does not acknowledge an amount
    assert "每天 22:00 至次日 08:00 请不要联系本人" in _render(HUABEI, DocumentKind.COLLECTOR,
                                                           "zh")
    english = _render(CARD, DocumentKind.COLLECTOR, "en")
    assert "Stop contacting my relatives, friends, colleagues and employer" in english


# --- 4. the complaint ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_complaint_names_a_rule_the_lender_first_step_and_the_logged_calls(
        lang: str) -> None:
    card = render_logged(CARD, DocumentKind.COMPLAINT, lang)
    online = render_logged(HUABEI, DocumentKind.COMPLAINT, lang)
    if lang == "zh":
        for text in (card, online):
            assert text.index("第一步：向") < text.index("第二步：向国家金融监督管理总局")
            assert "投诉工单号：" in text
            assert "恳请贵局督促该机构" in text  # the 诉求 goes to the regulator
            assert "1. 2026-03-05 14:30，电话（对方：王，工号 1234；编号 T-9）" in text
            assert "2026-03-08 22:40，催收人员来电" in text
            assert "联系记录 2 条" in text
        assert "依据：《商业银行信用卡业务监督管理办法》" in card
        assert "《互联网金融贷后催收业务指引》" not in card
        assert "《互联网金融贷后催收业务指引》" in online
        assert "22:00 至次日 08:00 不得催收" in online
    else:
        for text in (card, online):
            assert text.index("Step 1: complain to") < text.index("Step 2: complain to")
            assert "Please require the institution" in text
            assert "On 2026-03-08 at 22:40 a collector called me" in text
        assert "Credit Card Business of Commercial Banks" in card


# --- 5. the rights card per product kind; its content after a logged call -------------------

def test_the_rights_card_applies_the_online_rules_to_online_lenders_only() -> None:
    card = {item.id for item in DATA.rights.for_kind("credit_card")}
    online = {item.id for item in DATA.rights.for_kind("cash_loan")}
    family = {item.id for item in DATA.rights.for_kind("informal")}
    assert {"only_debtor_cards", "collection_letter", "stop_after_agreement"} <= card
    assert not {"quiet_hours", "call_limit", "only_debtor_online"} & card
    assert {"quiet_hours", "call_limit", "only_debtor_online"} <= online
    assert not {"only_debtor_cards", "quiet_hours", "credit_notice"} & family


def test_after_a_collector_call_the_rights_card_prints_its_content(case_with_ids: Path
                                                                   ) -> None:
    yesterday = date.fromisoformat(overdue_since(2))  # the command line's clock
    out = ok("log", "add", "--channel", "collector_call", "--when", f"{yesterday} 15:00")
    assert "了解你的权利" in out
    assert "信用卡：银行只能向持卡人本人和担保人催收" in out  # a point, not only the heading
    assert "《民法典》人格权编" in out  # with its public source
    assert "rules-cn" not in out
    assert "anchors.md" not in out


# --- 6. zh-Hant conventions, and no reference files anywhere a person looks -----------------

def test_traditional_chinese_follows_taiwan_or_hong_kong() -> None:
    taiwan = _render(CARD, DocumentKind.LETTER, "zh-Hant")
    assert "為" in taiwan
    assert "爲" not in taiwan
    assert "核對" in taiwan
    assert "覈對" not in taiwan
    assert "帳" in taiwan
    assert "賬" not in taiwan
    hong_kong = render_document(DocumentKind.LETTER, CARD.context("zh"), "zh-HK")
    assert "為" in hong_kong
    assert "覈對" not in hong_kong
    assert "參萬" in taiwan  # amounts in capitals: 參, not 叄
    assert to_traditional("短信", "tw") == "簡訊"
    assert to_traditional("短信", "hk") == "短信"


REFERENCES = ("rules-cn", "anchors.md", "peers-and-style", ".toml", "§")


def test_no_card_or_alert_source_names_a_reference_file() -> None:
    from xieshang.engine.followup import CallRecord, follow_up
    from xieshang.rules import law
    from xieshang.services.negotiation import card_json, mark_label, rights_lines

    texts: list[str] = []
    for lang in ("zh", "en"):
        texts += rights_lines(lang)
        for card in (DATA.rights, DATA.scam):
            data = card_json(card, lang)
            texts += [item["text"] + " ".join(item["cited"]) for item in data["items"]]
            texts += [mark_label(item.source) for item in card.items]
    calls = [CallRecord(i, datetime(2026, 3, 8, 22, 40 + i)) for i in range(4)]
    texts += [alert.source for alert in follow_up([], calls, TOKEN.bill.as_of, law())]
    for text in texts:
        for name in REFERENCES:
            assert name not in text, text


def test_the_scam_card_cites_the_two_national_alerts() -> None:
    items = {item.id: item for item in DATA.scam.items}
    assert "2024年5月" in items["alert_nfra_2024"].text.zh
    assert "《关于警惕涉金融领域“代理维权”风险的提示》" in items["alert_nfra_2024"].text.zh
    assert "2026年2月6日" in items["alert_five_2026"].text.zh
    assert "五部门" in items["alert_five_2026"].text.zh
    for item in (items["alert_nfra_2024"], items["alert_five_2026"]):
        assert item.source.urls  # a public source a reader can open


def test_the_calendar_names_the_lender_and_the_amount_in_the_person_s_language(
        case_with_ids: Path) -> None:
    """An unlabelled card with its repayment day on the 5th gets a monthly reminder named
    in Chinese (发卡银行 · 银行信用卡), with what it owes."""
    from icalendar import Calendar

    ok("debt", "add", "--product", "credit_card_cn", "--amount", "8000", "--due-day", "5")
    target = case_with_ids / "reminders.ics"
    ok("remind", "--ics", str(target))
    calendar = Calendar.from_ical(target.read_bytes())
    due = [event for event in calendar.walk("VEVENT")
           if str(event["categories"].cats[0]) == "due_date"]
    assert len(due) == 1
    assert str(due[0]["summary"]) == "发卡银行 · 银行信用卡：还款日"
    assert "¥8,000.00" in str(due[0]["description"])
    assert due[0]["rrule"]["FREQ"] == ["MONTHLY"]
    assert "rules-cn" not in target.read_text(encoding="utf-8")


# --- 7. the small-amount path; status after full payment; the legal-risk panel --------------

@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    for name in ("XIESHANG_DB_URL", "XIESHANG_PASSPHRASE", "XIESHANG_LANG"):
        monkeypatch.delenv(name, raising=False)
    ok("case", "new", "--name", "小张")
    return tmp_path


def test_a_small_debt_the_budget_clears_is_paid_first_and_then_shows_settled(fresh: Path
                                                                             ) -> None:
    """花呗 ¥1,200 five days late (¥3.00 of overdue interest: 0.05 % a day); the budget
    leaves 7,000 − 2,000 − 1,500 − the norms' buffer = more than the ¥1,203.00 owed."""
    ok("debt", "add", "--product", "huabei", "--amount", "1200", "--overdue-since",
       overdue_since(5))
    ok("budget", "set", "--income", "wages=7000", "--priority", "rent=2000", "--flexible",
       "food=1500")
    ladder = ok("ladder")
    first = ladder.strip().splitlines()[0]
    assert "现在就能还清" in first
    assert "欠 ¥1,203.00" in ladder
    assert "每多等一天大约多付 ¥0.60（估算）" in ladder  # 0.05 % of 1,200 a day
    assert "请贷款机构确认已经结清" in ladder
    assert "查一次信用报告" in ladder
    assert "xieshang remind" in ladder
    phone = ok("script", "--channel", "phone")
    assert phone.index("【先看这里】") < phone.index("1. 我是谁")
    ok("pay", "--amount", "1203")
    status = ok("status")
    assert "（已还清）" in status
    assert "已逾期" not in status
    assert "上报征信" not in status
    assert "请贷款机构书面确认已经结清" in status


def test_cards_above_the_threshold_get_the_calm_sourced_risk_panel(fresh: Path) -> None:
    """A card with ¥62,000 of unpaid principal (≥ ¥50,000) gets the panel in `status` and
    the dossier; one with ¥30,000 does not."""
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "62000", "--overdue-since",
       overdue_since(120), "--label", "招行信用卡")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       overdue_since(120), "--label", "建行信用卡")
    status = ok("status")
    assert "需要了解的法律问题：#1 招行信用卡" in status
    assert "#2 建行信用卡" not in status.split("需要了解的法律问题")[1]
    flat = "".join(status.split())
    for part in ("未还的透支本金是¥62,000.00", "起点¥50,000.00", "公安机关立案时",
                 "光凭这一点并不构成犯罪", "经发卡银行2次有效催收（间隔至少30天）后超过3个月",
                 "除非有证据证明确实没有这个目的", "明知没有还款能力而大量透支",
                 "在提起公诉前全部归还，可以不起诉", "受过2次以上处罚的除外",
                 "《刑法》", "已在规定原文中核实"):
        assert part in flat, part
    english = ok("status", "--lang", "en")
    assert "unless evidence shows otherwise" in english
    target = fresh / "dossier.html"
    ok("dossier", "--html", str(target))
    html = target.read_text(encoding="utf-8")
    assert "需要了解的法律问题：#1 招行信用卡" in html
    assert "除非有证据证明确实没有这个目的" in html
    data = __import__("json").loads(ok("status", "--json"))
    assert [risk["debt"] for risk in data["legal_risks"]] == ["#1 招行信用卡"]


def test_two_cards_above_the_threshold_share_one_panel(fresh: Path) -> None:
    """Cards of ¥62,000 and ¥51,000 (both ≥ ¥50,000) and one of ¥12,000: `status`, the
    dossier and Today show one panel headed by both cards, each card's own principal, and
    the conditions once (they used to be printed twice, word for word); `--json` keeps a
    record per card."""
    from test_web import fetch
    from xieshang.store.db import open_store

    for amount, label in (("62000", "招行卡"), ("51000", "建行卡"), ("12000", "中信卡")):
        ok("debt", "add", "--product", "credit_card_cn", "--amount", amount,
           "--overdue-since", overdue_since(70), "--label", label)
    target = fresh / "dossier.html"
    ok("dossier", "--html", str(target))
    page = fetch(lambda: open_store(data_dir=fresh / "home"), "/")
    for text in (ok("status"), target.read_text(encoding="utf-8"), page.text):
        flat = "".join(text.split())
        assert flat.count("需要了解的法律问题") == 1
        assert "需要了解的法律问题：#1招行卡、#2建行卡" in flat
        assert "#1招行卡未还的透支本金是¥62,000.00" in flat
        assert "#2建行卡未还的透支本金是¥51,000.00" in flat
        assert flat.count("光凭这一点并不构成犯罪") == 1
        assert "中信卡未还" not in flat
    english = "".join(ok("status", "--lang", "en").split())
    assert "Alegalpointtoknow:#1招行卡,#2建行卡" in english
    data = __import__("json").loads(ok("status", "--json"))
    assert [(risk["debt"], risk["principal"]) for risk in data["legal_risks"]] == [
        ("#1 招行卡", "62000.00"), ("#2 建行卡", "51000.00")]


def test_the_today_page_shows_the_risk_panel(fresh: Path) -> None:
    from test_web import fetch
    from xieshang.store.db import open_store

    ok("debt", "add", "--product", "credit_card_cn", "--amount", "62000", "--overdue-since",
       overdue_since(120), "--label", "招行信用卡")
    page = fetch(lambda: open_store(data_dir=fresh / "home"), "/")
    assert page.status_code == 200
    assert "需要了解的法律问题：#1 招行信用卡" in page.text
    assert "除非有证据证明确实没有这个目的" in page.text


def test_the_negotiate_page_of_a_family_loan_offers_the_family_kit(fresh: Path) -> None:
    from test_web import fetch
    from xieshang.store.db import open_store

    ok("debt", "add", "--product", "informal_loan", "--amount", "20000", "--lender", "姐夫",
       "--annual-rate", "0", "--overdue-since", overdue_since(90))
    ok("budget", "set", "--income", "wages=6000", "--priority", "rent=2000", "--flexible",
       "food=1500")
    page = fetch(lambda: open_store(data_dir=fresh / "home"), "/negotiate/1")
    assert page.status_code == 200
    assert 'id="doc-agreement"' in page.text
    assert 'id="doc-letter"' in page.text
    for kind in ("complaint", "social", "collector", "statement"):
        assert f'id="doc-{kind}"' not in page.text
    assert "12378" not in page.text.split('id="doc-letter"')[1].split("</section>")[0]


def test_a_family_loan_without_a_budget_gets_blanks_not_an_error(fresh: Path) -> None:
    ok("debt", "add", "--product", "informal_loan", "--amount", "20000", "--lender", "姐夫",
       "--annual-rate", "0", "--overdue-since", overdue_since(90))
    agreement = ok("script", "--channel", "agreement")
    assert "乙方每月向甲方还款 ______ 元" in agreement
    assert "每月还您 ______ 元" in ok("script", "--channel", "confirm")
    code, out, err = invoke("script", "--channel", "complaint")
    assert code == 2
    assert "亲友借款没有" in err + out
    code, out, err = invoke("script", "--channel", "letter")
    assert code == 2
    assert "--budget" not in err + out  # the budget command, not an option it lacks
    assert "xieshang budget set" in err + out
