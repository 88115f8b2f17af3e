"""One share per debt: for a case with a credit card, a loan from a relative and a budget,
the card's monthly share of what the budget leaves is the same figure in ``budget show``,
``ladder``, ``offer``, ``plan month``, the phone script (as private coaching: the limit
not to go past, never a sentence to say) and the web pages.

Which command gives which field (all ``--json``):

* ``budget show``: ``split.debts[i].amount`` (the budget's pro-rata split);
* ``ladder``: ``affordable``;
* ``offer``: ``share`` (what the offer was checked against);
* ``plan month`` (the default pro-rata strategy): ``actions[i].amount`` — the same as long
  as the card's minimum payment fits within its share; when it does not, the plan pays the
  minimum its terms require and says so (the second test).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from test_cli_case import clean_home, ok, ok_json, overdue_since
from webclient import WebClient
from xieshang.engine.money import format_money
from xieshang.store.db import open_store


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "王先生")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       overdue_since(40), "--minimum", "1500", "--label", "招行信用卡")
    ok("debt", "add", "--product", "informal_loan", "--amount", "20000", "--overdue-since",
       overdue_since(90), "--annual-rate", "0", "--label", "表哥借款")
    ok("budget", "set", "--income", "wages=7000", "--priority", "rent=2000", "--fixed",
       "transport=300", "--flexible", "food=1500")
    return folder


def _shares() -> dict[str, Decimal]:
    budget = ok_json("budget", "show")
    card = next(d for d in budget["split"]["debts"] if d["debt"] == 1)
    ladder = ok_json("ladder", "--debt", "1")
    offer = ok_json("offer", "--debt", "1", "--periods", "24", "--monthly", "1200")
    month = ok_json("plan", "month")
    action = next(a for a in month["actions"] if a["debt"] == "1")
    return {"budget show": Decimal(card["amount"]), "ladder": Decimal(ladder["affordable"]),
            "offer": Decimal(offer["share"]), "plan month": Decimal(action["amount"])}


def test_the_card_s_share_is_one_figure_everywhere(home: Path) -> None:
    shares = _shares()
    share = shares["budget show"]
    # 7,000 − 2,000 − 300 − 1,500 − the buffer leaves 2,850.00 a month, split in proportion
    # to what is owed: the card's 30,000 plus its charges against the 20,000 family loan
    assert ok_json("budget", "show")["affordability"]["available"] == "2850.00"
    assert Decimal("1700") < share < Decimal("1750")
    assert shares == dict.fromkeys(shares, share)
    month = ok_json("plan", "month")
    loan = next(a for a in month["actions"] if a["debt"] == "2")
    assert Decimal(loan["amount"]) == Decimal("2850.00") - share  # the loan is not left at 0
    script = ok("script", "--channel", "phone", "--debt", "1")
    # the share is the person's own limit: private coaching, never said to the lender
    assert "最多能拿出" not in script
    assert "【只给自己看，不要说出口】" in script
    assert f"对方要求每月超过 {format_money(share)}，请不要当场答应" in script
    shown = format_money(share)
    with WebClient(lambda: open_store(data_dir=home), lang="en") as web:
        assert shown in web.get("/budget").text
        plan = web.get("/plan").text
        card = re.search(r'<li data-debt="1">(.*?)</li>', plan, re.S)
        assert card is not None
        assert f"Pay {shown} by" in card.group(1)  # this month's payment to the card
        negotiate = web.get("/negotiate/1").text
        assert re.search(rf'id="affordable">[^<]*{re.escape(shown)}', negotiate)


def test_a_minimum_above_the_share_is_paid_and_both_figures_are_named() -> None:
    # a smaller budget: 7,000 income, 3,000 rent → the card's share is below its 1,500 minimum
    ok("budget", "set", "--priority", "rent=3000")
    budget = ok_json("budget", "show")
    card = next(d for d in budget["split"]["debts"] if d["debt"] == 1)
    available = Decimal(budget["affordability"]["available"])
    assert Decimal(card["amount"]) < Decimal("1500.00") < available
    month = ok_json("plan", "month")
    action = next(a for a in month["actions"] if a["debt"] == "1")
    loan = next(a for a in month["actions"] if a["debt"] == "2")
    assert (action["amount"], action["required"]) == ("1500.00", "1500.00")
    assert Decimal(action["share"]) == Decimal(card["amount"])
    assert Decimal(loan["amount"]) == available - Decimal("1500.00")
    assert ok_json("ladder", "--debt", "1")["affordable"] == card["amount"]
    text = " ".join(ok("plan", "month", "--lang", "en").split())  # as one line
    assert (f"its terms (the bill) require at least {format_money(Decimal('1500.00'))} this "
            f"month, more than its share of your budget "
            f"({format_money(Decimal(card['amount']))})") in text
