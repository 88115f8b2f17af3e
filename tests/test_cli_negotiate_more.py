"""``xieshang refused``, ``xieshang prepare``, the cards where people need them and
``xieshang offer --accept`` feeding ``xieshang plan``: the figures equal the engine's for the
stored case; bad input exits 2 with nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from test_cli_case import TODAY, clean_home, dump, invoke, ok, ok_json, overdue_since
from xieshang.engine.accrual import bill_on
from xieshang.engine.arrangements import evaluate
from xieshang.engine.bill import Bill
from xieshang.engine.money import format_money
from xieshang.engine.negotiation import Level, build_ladder, materials_for
from xieshang.rules import load_preset
from xieshang.services.negotiation import arrangement_proposal, negotiation_data
from xieshang.store.db import open_store
from xieshang.store.model import Debt, Proposal, overdue_debt


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = clean_home(tmp_path, monkeypatch)
    ok("case", "new", "--name", "李明")
    ok("debt", "add", "--product", "credit_card_cn", "--amount", "30000", "--overdue-since",
       overdue_since(60))
    # Income 6,000; rent 2,000; food 1,200 → the budget leaves one amount for the one debt.
    ok("budget", "set", "--income", "wages=6000", "--priority", "rent=2000", "--flexible",
       "food=1200")
    ok("hardship", "set", "--reason", "income_loss", "--note", "公司裁员")
    return folder


def _stored_bill() -> tuple[Decimal, Bill]:
    report = ok_json("budget", "show")
    share = Decimal(report["split"]["debts"][0]["amount"])
    with open_store() as store, store.begin(readonly=True) as tx:
        debt = tx.find(Debt, case_id=1)[0]
    return share, bill_on(overdue_debt(debt, load_preset("credit_card_cn"), ()), TODAY)


# ------------------------------------------------------------------------------ refused


def test_refused_offer_too_low_offers_the_next_rung() -> None:
    share, bill = _stored_bill()
    ladder = build_ladder(bill, load_preset("credit_card_cn"), share,
                          today=TODAY, income=Decimal("6000.00"), settings=negotiation_data())
    fallback = ladder.above(Level.ASK)
    assert fallback is not None
    assert fallback.total_paid is not None
    payload = ok_json("refused", "--reason", "offer_too_low", "--lang", "en")
    assert payload["reason"] == "offer_too_low"
    assert payload["rung"] == "ask"
    revised = payload["moves"][0]
    assert revised["code"] == "REVISED_OFFER"
    assert format_money(fallback.monthly) in revised["text"]
    assert f"{fallback.periods} months" in revised["text"]
    assert format_money(fallback.total_paid) in revised["text"]
    official = {item["id"]: item["value"] for item in payload["official"]}
    assert official["nfra_12378"] == "12378"
    assert official["pboc_12363"] == "12363"
    assert "credit_centre_web" in official
    assert all(item["source"]["confidence"] in ("V", "S", "C", "NF")
               for item in payload["official"])
    assert [c["id"] for c in payload["channels"]][:2] == ["hotline", "app"]
    text = ok("refused", "--reason", "offer_too_low", "--lang", "en")
    assert format_money(fallback.monthly) in text
    assert "12378" in text


def test_refused_at_the_top_rung_has_no_room_and_app_only_suggests_other_channels() -> None:
    top = ok_json("refused", "--reason", "term_too_long", "--rung", "walk_away")
    assert top["moves"][0]["code"] == "REVISED_OFFER_NO_ROOM"
    app_only = ok_json("refused", "--reason", "app_only", "--lang", "en")
    move = next(m for m in app_only["moves"] if m["kind"] == "other_channel")
    assert move["channels"]
    assert "app" not in [c["id"] for c in move["channels"]]
    proof = ok_json("refused", "--reason", "no_hardship_proof", "--lang", "en")
    ids = {m["id"] for move in proof["moves"] for m in move["materials"]}
    # income_loss in the case file → the unemployment and income-drop evidence
    assert "unemployment_registration" in ids
    assert "medical_diagnosis" not in ids


def test_refused_bad_input_exits_2_naming_the_field(home: Path) -> None:
    before = dump(home)
    code, _out, err = invoke("refused", "--reason", "rude")
    assert code == 2
    assert "reason" in err
    code, _out, err = invoke("refused", "--reason", "offer_too_low", "--rung", "top")
    assert code == 2
    assert "rung" in err
    code, _out, err = invoke("refused", "--reason", "offer_too_low", "--log", "fax")
    assert code == 2
    assert "log" in err
    assert dump(home) == before


def test_refused_log_records_a_contact() -> None:
    payload = ok_json("refused", "--reason", "not_eligible", "--rung", "fallback",
                      "--log", "phone")
    assert payload["contact"] == 1
    contacts = ok_json("log", "list")["contacts"]
    assert [(c["channel"], c["outcome"], c["asked"]) for c in contacts] == [
        ("phone", "refused", "fallback")]
    assert contacts[0]["notes"].startswith("not_eligible: ")
    assert ok_json("refused", "--reason", "not_eligible")["contact"] is None


# ------------------------------------------------------------------------------ prepare


def test_prepare_lists_materials_channels_and_both_cards() -> None:
    data = negotiation_data()
    payload = ok_json("prepare", "--lang", "en")
    expected = materials_for(data, "credit_card", ("unemployment", "income_drop"))
    assert [m["id"] for m in payload["materials"]] == [m.id for m in expected]
    assert payload["hardship"] == ["unemployment", "income_drop"]
    assert payload["channels"][0]["id"] == "hotline"
    assert payload["channels"][0]["source"]["confidence"] in ("V", "S", "C", "NF")
    assert payload["rights"]["title"] == data.rights.title.get("en")
    assert [i["id"] for i in payload["scam"]["items"]] == [i.id for i in data.scam.items]
    text = ok("prepare")
    assert data.scam.title.get("zh") in text
    assert data.rights.title.get("zh") in text


# -------------------------------------------------------------------------------- cards


def test_scam_line_after_ladder_and_offer() -> None:
    line = negotiation_data().scam.intro.get("en")
    for args in (("ladder",), ("offer", "--periods", "24", "--monthly", "1250")):
        text = ok(*args, "--lang", "en")
        assert line[:40] in " ".join(text.split())


@pytest.mark.now("10:30")  # a collector's call "now" is inside the permitted hours
def test_rights_card_after_a_collector_call_and_in_alerts() -> None:
    title = negotiation_data().rights.title.get("en")
    plain = ok_json("log", "add", "--channel", "phone")
    assert plain["rights"] is None
    called = ok_json("log", "add", "--channel", "collector_call", "--lang", "en")
    assert called["rights"][0] == title
    assert ok_json("alerts")["rights"] is None
    night = (TODAY - timedelta(days=1)).isoformat()
    ok("log", "add", "--channel", "collector_call", "--when", f"{night} 22:30")
    alerts = ok_json("alerts", "--lang", "en")
    assert "call_in_quiet_hours" in [a["code"] for a in alerts["alerts"]]
    assert alerts["rights"][0] == title
    assert title in ok("alerts", "--lang", "en")


# ------------------------------------------------------------------------------- accept


def test_accepting_an_offer_makes_the_plan_follow_it() -> None:
    _share, bill = _stored_bill()
    accepted = ok_json("offer", "--periods", "24", "--monthly-fee-rate", "0.5%",
                       "--waive-penalty", "--accept")
    assert accepted["proposal"] == 1
    with open_store() as store, store.begin(readonly=True) as tx:
        debt = tx.find(Debt, case_id=1)[0]
        proposal = tx.find(Proposal, debt_id=debt.id)[0]
    assert debt.status == "arrangement"
    assert (proposal.status, proposal.decided_on) == ("accepted", TODAY)
    evaluation = evaluate(bill, load_preset("credit_card_cn"),
                          arrangement_proposal(proposal.params["arrangement"]), today=TODAY)
    assert str(evaluation.total_paid) == accepted["total_paid"]
    due = {row.due.isoformat(): row.payment for row in evaluation.schedule.rows
           if row.due is not None}
    plan = ok_json("plan", "--strategy", "avalanche")["plans"][0]
    months = plan["months"][:6]
    checked = 0
    for month in months:
        paid = Decimal(month["debts"][0]["paid"])
        assert paid == due.get(month["pay_date"], Decimal("0.00"))
        checked += month["pay_date"] in due
    assert checked >= 4
    assert Decimal(plan["debts"][0]["paid"]) == evaluation.total_paid


def test_accept_bad_input_writes_nothing(home: Path) -> None:
    before = dump(home)
    code, _out, err = invoke("offer", "--periods", "0", "--monthly", "100", "--accept")
    assert code == 2
    assert "periods" in err
    code, _out, err = invoke("offer", "--periods", "12", "--down-payment", "99999999",
                             "--accept")
    assert code == 2
    assert "down_payment" in err
    assert dump(home) == before
