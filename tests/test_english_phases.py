"""English text of the arrangement phases (a deferral, token payments, installments, a
settlement) is English: no Chinese word in a message of the negotiation engine, the
arrangements or the phase lines, nor in what `ladder`, `offer` and `status` print in English
for a deferral and a settlement. Chinese appears only where it is quoted on purpose: the
number of a court document (法发〔2017〕22号) and the names of products and lenders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from test_arrangements_phases import _jiebei
from test_cli_case import clean_home, ok, ok_json

CATALOG = (Path(__file__).parents[1] / "src" / "xieshang" / "locale" / "zh_Hans"
           / "LC_MESSAGES" / "xieshang.po")
#: Chinese characters and full-width punctuation.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
#: Quoted on purpose: the court document cited by its number.
CITED = ("法发〔2017〕22号",)
#: Where the messages of the phases are written.
PHASE_SOURCES = ("engine/negotiation.py", "engine/arrangements.py",
                 "services/arrangements.py", "present/views.py")


def _chinese(text: str, *names: str) -> list[str]:
    for quoted in (*CITED, *names):
        text = text.replace(quoted, "")
    return CJK.findall(text)


def test_no_english_message_of_the_phases_contains_chinese() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    found = {message.id: _chinese(message.id) for message in catalog
             if message.id and any(path in PHASE_SOURCES for path, _line in message.locations)}
    assert found, "no message found for the phases"
    assert {msgid: words for msgid, words in found.items() if words} == {}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    return folder


@pytest.mark.now("2026-11-20T10:00+08:00")
def test_a_deferral_of_a_loan_reads_in_english() -> None:
    """借呗 with periods 2 and 3 missed and no income before 2026-12-15: the ladder's rungs
    defer the arrears and say the regular installments move back (REGULAR_SHIFTED); the
    English ladder has no Chinese beyond the product's own name (借呗 is its brand)."""
    _jiebei()
    text = " ".join(ok("ladder", "--lang", "en").split())
    assert "moves your regular installments back by 1 month(s)" in text
    assert "the deferral also moves" in text
    assert _chinese(text, "借呗", "李明") == []
    ok("offer", "--scope", "arrears", "--periods", "4", "--defer-months", "1",
       "--waive-penalty", "--accept")
    assert _chinese(" ".join(ok("status", "--lang", "en").split()), "借呗", "李明") == []


@pytest.mark.now("2026-12-07T10:00+08:00")
def test_a_settlement_reads_in_english() -> None:
    """花呗 ¥10,000 overdue since 2026-11-11, settled for ¥6,000 on 2026-12-28 from savings
    (the figures are worked in test_arrangements_phases): the advice asks for a written
    confirmation that the payment settles the debt in full, in English words only."""
    ok("debt", "add", "--product", "huabei", "--amount", "10000", "--overdue-since",
       "2026-11-11")
    ok("budget", "set", "--income", "wages=9000", "--priority", "rent=1500", "--flexible",
       "food=1000", "--savings", "6000", "--savings-on", "2026-12-28", "--savings-use",
       "settlement")
    check = ok_json("offer", "--settle", "6000", "--settle-on", "2026-12-28", "--lang", "en")
    advice = " ".join(check["advice"][0]["text"].split())
    assert "this one payment settles the debt in full and that nothing more" in advice
    assert _chinese(advice) == []
    text = " ".join(ok("offer", "--settle", "6000", "--settle-on", "2026-12-28", "--lang",
                       "en").split())
    assert _chinese(text, "花呗", "李明") == []
    ok("offer", "--settle", "6000", "--settle-on", "2026-12-28", "--accept")
    status = " ".join(ok("status", "--lang", "en").split())
    assert "Settlement: one payment of ¥6,000.00 on 2026-12-28 settles the debt." in status
    assert _chinese(status, "花呗", "李明") == []
