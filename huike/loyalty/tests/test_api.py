"""The loyalty API: cards, stored value with Idempotency-Key, points adjustment, the ledger;
errors in the one problem shape."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huike.core.models import IdempotencyRecord
from huike.core.tenancy import tenant_context
from huike.core.testing import ApiClient, assert_problem
from huike.guests.services import guest_create
from huike.loyalty import services
from huike.loyalty.models import LedgerEntry, MembershipCard

from .conftest import balances, entry_count, fresh

D = Decimal


def key(k: str) -> dict:
    return {"Idempotency-Key": k}


def test_issue_and_get_a_card_with_balances(org, api, guest, users):
    created = api("cashier").post(
        "/loyalty/cards", {"guest": guest.pk, "store": org["store"].pk, "number": "A100"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["number"] == "A100" and body["status"] == "active"
    assert body["signed_up_by"] == users["cashier"].pk and body["store"] == org["store"].pk
    assert body["balances"] == {
        "points": 0,
        "principal": "0.00",
        "bonus": "0.00",
        "stored_value": "0.00",
    }
    got = api("desk").get(f"/loyalty/cards/{body['id']}")
    assert got.status_code == 200 and got.json() == body
    listed = api().get(f"/loyalty/cards?guest={guest.pk}")
    assert [c["number"] for c in listed.json()] == ["A100"]


def test_issue_with_bad_input_is_a_problem(org, api, guest):
    response = api(language="en").post(
        "/loyalty/cards", {"guest": guest.pk, "store": 99999, "colour": "red"}
    )
    assert_problem(response, 400, "invalid_input", fields=["colour"])
    response = api(language="en").post("/loyalty/cards", {"guest": guest.pk, "store": 99999})
    assert_problem(response, 400, "invalid_input", fields=["store"])
    assert MembershipCard.objects.count() == 0


def test_waiter_may_not_issue_or_see_cards(org, api, guest, card):
    response = api("waiter").post("/loyalty/cards", {"guest": guest.pk, "store": org["store"].pk})
    assert_problem(response, 403, "permission_denied")
    assert_problem(api("waiter").get(f"/loyalty/cards/{card.pk}"), 403, "permission_denied")


def test_another_tenants_card_is_not_found(org, card, other_org):
    theirs = ApiClient(other_org["users"]["hq"])
    assert_problem(theirs.get(f"/loyalty/cards/{card.pk}"), 404, "not_found")
    spend = theirs.post(f"/loyalty/cards/{card.pk}/top-up", {"amount": "10"}, headers=key("x"))
    assert_problem(spend, 404, "not_found")
    assert entry_count() == 0


def test_top_up_and_spend_with_an_idempotency_key(org, api, hq, card):
    services.top_up_rule_create(acting_user=hq, pay_at_least="1000", bonus="200")
    cashier = api("cashier")
    top = cashier.post(f"/loyalty/cards/{card.pk}/top-up", {"amount": "1000"}, headers=key("t1"))
    assert top.status_code == 201, top.json()
    assert top.json()["card"]["balances"]["stored_value"] == "1200.00"
    assert {(e["kind"], e["amount"]) for e in top.json()["entries"]} == {
        ("principal", "1000.00"),
        ("bonus", "200.00"),
    }
    again = cashier.post(f"/loyalty/cards/{card.pk}/top-up", {"amount": "1000"}, headers=key("t1"))
    assert again.status_code == 201 and again.json() == top.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    spent = cashier.post(
        f"/loyalty/cards/{card.pk}/spend",
        {"amount": "120", "reference": "R-88", "store": org["store2"].pk},
        headers=key("s1"),
    )
    assert spent.status_code == 201
    assert spent.json()["card"]["balances"] == {
        "points": 0,
        "principal": "900.00",
        "bonus": "180.00",
        "stored_value": "1080.00",
    }
    assert all(e["reference"] == "R-88" for e in spent.json()["entries"])
    assert balances(card) == {"points": 0, "principal": D("900.00"), "bonus": D("180.00")}


def test_payments_without_a_key_are_refused(org, api, card):
    for path in ("top-up", "spend"):
        response = api("cashier").post(f"/loyalty/cards/{card.pk}/{path}", {"amount": "10"})
        assert_problem(response, 400, "idempotency_key_required")
    assert entry_count() == 0


@pytest.mark.parametrize("amount", ["0", "-1", "10.001", "abc", None])
def test_bad_amounts_are_a_problem_and_use_no_key(org, api, card, amount):
    response = api("cashier").post(
        f"/loyalty/cards/{card.pk}/top-up", {"amount": amount}, headers=key("bad")
    )
    assert_problem(response, 400, "invalid_input", fields=["amount"])
    assert entry_count() == 0 and IdempotencyRecord.objects.count() == 0


def test_spending_more_than_held_is_a_clear_problem(org, api, hq, card):
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    response = api("cashier", language="en").post(
        f"/loyalty/cards/{card.pk}/spend", {"amount": "100.01"}, headers=key("over")
    )
    body = assert_problem(response, 409, "insufficient_balance")
    assert body["message"] == "The card's balance is not enough for this."
    assert balances(card)["principal"] == D("100.00")
    assert IdempotencyRecord.objects.count() == 0  # the refused request can be retried


def test_frozen_lost_and_replaced_cards_over_the_api(org, api, hq, card):
    services.stored_value_top_up(acting_user=hq, card=card, amount="50")
    manager = api("manager")
    frozen = manager.post(f"/loyalty/cards/{card.pk}/freeze", {"reason": "可疑"})
    assert frozen.status_code == 200 and frozen.json()["status"] == "frozen"
    refused = api("cashier").post(
        f"/loyalty/cards/{card.pk}/spend", {"amount": "1"}, headers=key("f1")
    )
    assert_problem(refused, 409, "card_frozen")
    assert_problem(
        api("cashier").post(f"/loyalty/cards/{card.pk}/unfreeze", {}), 403, "permission_denied"
    )
    assert manager.post(f"/loyalty/cards/{card.pk}/unfreeze", {}).json()["status"] == "active"
    assert manager.post(f"/loyalty/cards/{card.pk}/lost", {}).json()["status"] == "lost"
    replaced = manager.post(f"/loyalty/cards/{card.pk}/replace", {"number": "NEW1"})
    assert replaced.status_code == 201
    new = replaced.json()
    assert new["number"] == "NEW1" and new["balances"]["principal"] == "50.00"
    old = manager.get(f"/loyalty/cards/{card.pk}").json()
    assert old["replaced_by"] == new["id"] and old["balances"]["stored_value"] == "0.00"
    again = manager.post(f"/loyalty/cards/{card.pk}/replace", {"number": "NEW2"})
    assert_problem(again, 409, "invalid_card_status")


def test_refund_over_the_api(org, api, hq, card):
    services.stored_value_top_up(acting_user=hq, card=card, amount="80")
    response = api("manager").post(
        f"/loyalty/cards/{card.pk}/refund", {"amount": "30", "reason": "客人退卡"}, headers=key("r")
    )
    assert response.status_code == 201
    assert response.json()["card"]["balances"]["principal"] == "50.00"
    no_reason = api("manager").post(
        f"/loyalty/cards/{card.pk}/refund", {"amount": "30", "reason": ""}, headers=key("r2")
    )
    assert_problem(no_reason, 400, "invalid_input", fields=["reason"])
    refused = api("cashier").post(
        f"/loyalty/cards/{card.pk}/refund", {"amount": "1", "reason": "x"}, headers=key("r3")
    )
    assert_problem(refused, 403, "permission_denied")
    assert balances(card)["principal"] == D("50.00")


def test_hq_adjusts_points_and_others_may_not(org, api, card):
    done = api().post(f"/loyalty/cards/{card.pk}/points/adjust", {"points": 30, "reason": "补录"})
    assert done.status_code == 201 and done.json()["card"]["balances"]["points"] == 30
    for role, points, status, code in [
        ("manager", 5, 403, "permission_denied"),
        ("hq", -31, 409, "insufficient_balance"),
        ("hq", 0, 400, "invalid_input"),
    ]:
        response = api(role).post(
            f"/loyalty/cards/{card.pk}/points/adjust", {"points": points, "reason": "x"}
        )
        assert_problem(response, status, code)
    assert balances(card)["points"] == 30


def test_the_ledger_is_paged_newest_first(org, api, hq, card):
    for amount in ("10", "20", "30"):
        services.stored_value_top_up(acting_user=hq, card=card, amount=amount)
    first = api("cashier").get(f"/loyalty/cards/{card.pk}/ledger?limit=2")
    assert first.status_code == 200
    assert first.json()["count"] == 3
    assert [e["amount"] for e in first.json()["items"]] == ["30.00", "20.00"]
    rest = api("cashier").get(f"/loyalty/cards/{card.pk}/ledger?limit=2&offset=2")
    assert [e["amount"] for e in rest.json()["items"]] == ["10.00"]
    assert (
        rest.json()["items"][0]["actor"] == hq.pk and rest.json()["items"][0]["cause"] == "top_up"
    )
    assert_problem(api().get(f"/loyalty/cards/{card.pk}/ledger?limit=500"), 400, "invalid_input")


def test_a_foreign_tenants_guest_cannot_get_a_card_over_the_api(org, api, other_org):
    with tenant_context(other_org["tenant"]):
        theirs = guest_create(acting_user=other_org["users"]["hq"], name="外")
    response = api().post("/loyalty/cards", {"guest": theirs.pk, "store": org["store"].pk})
    assert_problem(response, 400, "invalid_input", fields=["guest"])
    assert LedgerEntry.objects.count() == 0 and MembershipCard.objects.count() == 0


def test_the_openapi_spec_lists_the_loyalty_operations(org, api):
    spec = api().get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in (
        "/api/v1/loyalty/cards",
        "/api/v1/loyalty/cards/{card_id}/spend",
        "/api/v1/loyalty/cards/{card_id}/top-up",
        "/api/v1/loyalty/cards/{card_id}/ledger",
    ):
        assert path in paths, sorted(paths)


def test_points_are_redeemed_at_the_till_once_per_key(org, api, hq, card):
    services.points_accrue(acting_user=hq, card=card, points=100)
    cashier = api("cashier")
    body = {"points": 30, "reference": "R-1", "store": org["store"].pk}
    first = cashier.post(f"/loyalty/cards/{card.pk}/points/spend", body, headers=key("p1"))
    assert first.status_code == 201, first.json()
    assert first.json()["card"]["balances"]["points"] == 70
    again = cashier.post(f"/loyalty/cards/{card.pk}/points/spend", body, headers=key("p1"))
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert LedgerEntry.objects.filter(points=-30).count() == 1
    too_many = cashier.post(
        f"/loyalty/cards/{card.pk}/points/spend", {"points": 71}, headers=key("p2")
    )
    assert_problem(too_many, 409, "insufficient_balance")
    no_key = cashier.post(f"/loyalty/cards/{card.pk}/points/spend", {"points": 1})
    assert_problem(no_key, 400, "idempotency_key_required")
    foreign_store = cashier.post(
        f"/loyalty/cards/{card.pk}/points/spend", {"points": 1, "store": 999999}, headers=key("p3")
    )
    assert_problem(foreign_store, 400, "invalid_input", fields=["store"])
    assert fresh(card).points_balance == 70
