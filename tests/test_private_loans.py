"""Family and private loans after the due date: what a court would support if asked
(SPC Provisions on private lending as amended 2020, Art. 24, 25, 28, 29, 31).

Every figure is worked by hand in the test's docstring. LPR fixings used (``_lpr.toml``):
3.85 % from 2020-04-20, 3.35 % from 2024-07-22, 3.00 % from 2025-05-20.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_cli_case import clean_home, ok, ok_json
from xieshang.engine.accrual import OverdueDebt, bill_on
from xieshang.engine.private_loans import with_private_rate
from xieshang.rules import load_preset, lpr_table, rate_law

NOW = "2026-12-07T10:00+08:00"
LAW = rate_law()["law"]
FIXINGS = lpr_table()
PRESET = load_preset("informal_loan")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    return folder


def _debt(principal: str, due: date, *, annual: str | None = None,
          fees: str = "0") -> OverdueDebt:
    daily = None if annual is None else Decimal(annual) / 365
    return OverdueDebt(preset=PRESET, principal=Decimal(principal), due_date=due,
                       contract_daily_rate=daily, fees=Decimal(fees))


@pytest.mark.now(NOW)
@pytest.mark.parametrize("contract_date", [("--contract-date", "2019-06-15"), ()])
def test_brother_in_law_at_0_percent_overdue_since_2020(contract_date: tuple[str, ...]) -> None:
    """¥30,000 lent by a brother-in-law in 2019-06 at 0 %, due 2020-06-01, unpaid; valued
    2026-12-07 (2,380 days overdue: 2020-06-02 … 2026-12-07).

    The contract was made before 2020-08-20 (with no date given, a loan due 2020-06-01 was
    made before then too), so Art. 31 splits the interest:
    * 2020-06-02 … 2020-08-19, 79 days (29 + 31 + 19), the 2015 rule: no rate agreed →
      6 % a year: 30,000 × 6 % × 79 / 365 = 389.589… → 389.59;
    * from 2020-08-20, Art. 28 ¶2 (1): the LPR of the first overdue day, 3.85 % (fixed
      2020-04-20), below the limit 4 × 3.00 % (latest fixing, standing for the day of a
      suit) = 12 %.
    Nobody agreed to any interest, so none of it is counted in what is owed (it is owed
    only if the lender asks, Art. 28): the bill stays 30,000.00 and the interest a court
    would support if asked is said beside it: 2020-08-20 … 2026-12-07 is 2,380 − 79 =
    2,301 days, 30,000 × 3.85 % × 2,301 / 365 = 7,281.246… → 7,281.25, plus the 389.59 of
    the earlier rule: 7,670.84. (A branch of this morning counted it as owed: 37,670.83.)
    """
    ok("debt", "add", "--product", "informal_loan", "--amount", "30000", "--overdue-since",
       "2020-06-02", "--annual-rate", "0%", "--label", "姐夫", *contract_date)
    line = ok_json("status")["debts"][0]
    assert (line["interest"], line["penalty"], line["total"]) == ("0.00", "0.00",
                                                                  "30000.00")
    private = line["private_loan"]
    assert (private["lpr_default"], private["lpr"], private["lpr_from"]) == (
        True, "0.0385", "2020-04-20")
    assert (private["cap"], private["cap_basis"]) == ("0.12", "as_of")
    assert private["earlier"] == {"start": "2020-06-02", "until": "2020-08-19", "days": 79,
                                  "annual": "0.06", "interest": "389.59", "extra": "139.60"}
    assert private["claimable"] == "7670.84"
    assert private["estimate"] is True
    text = ok("status", "--lang", "en")
    assert "a court would support" in text
    assert "not what the lender" in text
    assert "2020-08-20" in text  # the date comes from the rule data
    assert "So far that would come to ¥7,670.84. It is not counted in what you owe" in text


@pytest.mark.now(NOW)
def test_family_loan_shows_no_credit_report_milestones() -> None:
    """A private lender does not report to the credit bureau: the timeline of the
    brother-in-law's loan has the limitation period and no credit-report events."""
    events = ok_json("calc", "timeline", "--product", "informal_loan", "--amount", "30000",
                     "--overdue-since", "2020-06-02")["events"]
    ids = {event["id"] for event in events}
    assert "limitation" in ids
    assert not ids & {"credit_repair", "credit_report", "credit_report_retention",
                      "free_credit_reports"}


@pytest.mark.now(NOW)
def test_friend_at_15_percent_with_a_5000_penalty_clause() -> None:
    """¥50,000 from a friend at 15 % agreed, contract 2021-03-01, overdue since 2023-01-01,
    a ¥5,000 违约金 clause; valued 2026-12-07: 1,437 days overdue.

    No overdue rate agreed: the loan rate continues (Art. 28 ¶2 (2)): 15 %, within the limit
    4 × 3.85 % (the LPR when the contract was made) = 15.4 %. Interest:
    50,000 × 15 % × 1,437 / 365 = 29,527.397… → 29,527.40. Art. 29: interest, 违约金 and fees
    together up to 15.4 %: 50,000 × 0.4 % × 1,437 / 365 = 787.397… → 787.40 of the 5,000
    is supported so far. Total 50,000 + 29,527.40 + 787.40 = 80,314.80 (before: 84,527.40).
    Each further day the supported part grows by 50,000 × 0.4 % / 365 = 0.547… → 0.55.
    """
    ok("debt", "add", "--product", "informal_loan", "--amount", "50000", "--overdue-since",
       "2023-01-01", "--annual-rate", "15%", "--contract-date", "2021-03-01", "--fees",
       "5000", "--label", "朋友")
    line = ok_json("status")["debts"][0]
    assert (line["penalty"], line["fees"], line["total"]) == ("29527.40", "787.40",
                                                              "80314.80")
    private = line["private_loan"]
    assert (private["cap"], private["cap_basis"], private["loan_period_rate"]) == (
        "0.154", "contract_date", True)
    assert (private["fees_entered"], private["fees_supported"], private["fees_daily"]) == (
        "5000.00", "787.40", "0.55")
    assert private["earlier"] is None


def test_no_rate_follows_the_lpr_of_the_first_overdue_day() -> None:
    """¥10,000 at 0 %, no contract date, due 2024-07-21, valued 100 days later
    (2024-10-29): the first overdue day 2024-07-22 has the LPR 3.35 % (not today's 3.00 %):
    10,000 × 3.35 % × 100 / 365 = 91.780… → 91.78, said as what a court would support if
    the lender asked, not charged: the bill has no penalty."""
    due = date(2024, 7, 21)
    charged, info = with_private_rate(_debt("10000", due, annual="0"), None,
                                      due + timedelta(days=100), FIXINGS, LAW)
    assert info is not None
    assert info.lpr is not None
    assert info.lpr.rate == Decimal("0.0335")
    assert info.claimable == Decimal("91.78")
    assert bill_on(charged, due + timedelta(days=100)).penalty == Decimal("0.00")


def test_a_rate_at_the_limit_leaves_nothing_for_the_penalty_clause() -> None:
    """¥20,000 at 18 %, contract 2026-01-01 (limit 4 × 3.00 % = 12 %), due 2026-06-30,
    ¥2,000 违约金, valued 60 days later: interest at 12 %, 20,000 × 12 % × 60 / 365 = 394.52,
    and the 违约金 is not supported at all (Art. 29: the interest already takes the limit)."""
    due = date(2026, 6, 30)
    charged, info = with_private_rate(_debt("20000", due, annual="0.18", fees="2000"),
                                      date(2026, 1, 1), due + timedelta(days=60), FIXINGS, LAW)
    assert info is not None
    assert info.capped
    assert info.fees_cut
    bill = bill_on(charged, due + timedelta(days=60))
    assert (bill.penalty, bill.fees) == (Decimal("394.52"), Decimal("0.00"))


@settings(max_examples=60, derandomize=True, deadline=None)
@given(principal=st.integers(1, 1_000_000), rate=st.integers(0, 400),
       fees=st.integers(0, 100_000), days=st.integers(1, 3000),
       contract=st.integers(0, 2500))
def test_overdue_interest_and_fees_never_pass_the_limit(principal: int, rate: int, fees: int,
                                                        days: int, contract: int) -> None:
    """For a contract made from 2020-08-20 on, overdue interest + supported fees ≤ the
    limit × principal × days / 365 (+ 1 fen of rounding), and the fees supported never
    exceed those entered."""
    made = LAW.old_contracts_before + timedelta(days=contract)
    due = made + timedelta(days=30)
    debt = _debt(str(principal), due, annual=str(Decimal(rate) / 1000), fees=str(fees))
    as_of = due + timedelta(days=days)
    charged, info = with_private_rate(debt, made, as_of, FIXINGS, LAW)
    assert info is not None
    bill = bill_on(charged, as_of)
    limit = Decimal(principal) * info.cap * days / 365
    assert bill.penalty + bill.fees <= limit + Decimal("0.01")
    assert Decimal(0) <= bill.fees <= Decimal(fees)


def test_the_debts_page_says_what_a_court_would_support(tmp_path: Path) -> None:
    """The Debts page shows a private loan's note in the words of ``status``: the friend's
    ¥50,000 at 15 % with its ¥5,000 违约金 (see above), the fees cut to what Art. 29 leaves."""
    from webclient import WebClient
    from xieshang.store.db import open_store

    def opener() -> Any:
        return open_store(data_dir=tmp_path / "web")

    with WebClient(opener, lang="en", today=date(2026, 12, 7)) as web:
        web.get("/")
        assert web.post("/first-run", {"d1_product": "informal_loan", "d1_amount": "50000",
                                       "d1_missed": "2022-12-31", "income": "6000",
                                       "rent": "1800", "food": "1500"}).status_code == 303
        debt_id = web.get("/debts").text.split('id="total-', 1)[1].split('"', 1)[0]
        form = {"product": "informal_loan", "amount": "50000", "fees": "5000",
                "overdue_since": "2023-01-01", "rate": "15%", "rate_basis": "annual",
                "contract_date": "2021-03-01", "status": "open"}
        edit = web.get(f"/debts/{debt_id}/edit").text
        form["version"] = edit.split('name="version" value="', 1)[1].split('"', 1)[0]
        assert web.post(f"/debts/{debt_id}/edit", form).status_code == 303
        page = web.get("/debts").text
    assert "a court would support" in page
    assert "¥787.40 of the ¥5,000.00 entered" in page


def test_family_documents_state_a_0_percent_loan_as_its_principal() -> None:
    """¥30,000 from a brother-in-law at 0 %, lent 2020-12-01, overdue since 2021-01-01.

    The bill is the ¥30,000 of principal (the overdue interest at the LPR is only what a
    court would support if he sued and asked, Art. 28, said beside it, not owed), and the
    agreement both sign and the confirmation message state the ¥30,000 of principal and
    that no interest was agreed: neither may present the estimate as interest "as first
    agreed". A friend's loan
    at an agreed 15 % keeps its agreed interest in the agreement.
    """
    ok("debt", "add", "--product", "informal_loan", "--amount", "30000", "--overdue-since",
       "2021-01-01", "--annual-rate", "0%", "--contract-date", "2020-12-01", "--label",
       "姐夫", "--lender", "姐夫")
    line = ok_json("status")["debts"][0]
    assert (line["penalty"], line["total"]) == ("0.00", "30000.00")
    assert line["private_loan"]["claimable"] != "0.00"
    agreement = ok("script", "--channel", "agreement", "--debt", "1")
    assert ("乙方尚欠甲方借款本金 ¥30,000.00（大写：叁万元整），借款时双方没有约定利息。"
            in agreement)
    assert "按原约定计算" not in agreement
    assert "双方原来没有约定利息，本协议的还款期间也不计利息。" in agreement
    confirm = ok("script", "--channel", "confirm", "--debt", "1")
    assert "我一共欠您 ¥30,000.00（借的时候没有约定利息）。" in confirm
    english = ok("script", "--channel", "agreement", "--debt", "1", "--lang", "en")
    assert "B owes A ¥30,000.00 of principal; no interest was agreed" in english
    ok("debt", "add", "--product", "informal_loan", "--amount", "50000", "--overdue-since",
       "2023-01-01", "--annual-rate", "15%", "--contract-date", "2021-03-01", "--label",
       "朋友")
    friend = ok("script", "--channel", "agreement", "--debt", "2")
    assert "按原约定计算的逾期利息" in friend


@pytest.mark.now(NOW)
@pytest.mark.parametrize("command", [("timeline", "--overdue-since", "2019-01-02"),
                                     ("overdue", "--from", "2019-01-01", "--to", "2019-03-01")])
def test_the_calculator_refuses_a_contract_date_after_the_due_date(command: tuple[str, ...]
                                                                    ) -> None:
    """As ``debt add`` does: a loan made on 2019-02-01 cannot have fallen due on 2019-01-01
    (overdue since 2019-01-02) — a mistyped year would take the limit from the wrong LPR —
    so the calculator exits 2 naming --contract-date, not a figure."""
    from test_cli_case import invoke

    code, out, err = invoke("calc", *command, "--product", "informal_loan", "--amount",
                            "10000", "--contract-date", "2019-02-01")
    assert code == 2, out + err
    assert "--contract-date" in err + out
    assert "2019-01-01" in err + out
