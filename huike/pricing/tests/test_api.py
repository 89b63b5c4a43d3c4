"""/api/v1/pricing: member prices and rules (list, create, change, remove/deactivate), the
stacking rules, and the quote — with clear problems for bad input and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from huike.core.testing import assert_problem
from huike.loyalty import services as loyalty
from huike.pricing import services
from huike.pricing.models import MemberPrice, PricingRule
from huike.pricing.pricing import STACKING_RULES


def test_member_prices_are_listed_created_changed_and_removed(api, org, dishes, tiers):
    client = api("marketing")
    made = client.post(
        "/pricing/member-prices",
        {"dish": dishes["fish"].pk, "tier": tiers["gold"].pk, "price": "99"},
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["dish_code"], body["tier"], body["price"]) == ("D1", tiers["gold"].pk, "99.00")
    changed = client.patch(f"/pricing/member-prices/{body['id']}", {"price": "95.5"})
    assert changed.status_code == 200 and changed.json()["price"] == "95.50"
    listed = api("cashier").get(f"/pricing/member-prices?dish={dishes['fish'].pk}")
    assert listed.status_code == 200 and [p["id"] for p in listed.json()] == [body["id"]]
    assert client.delete(f"/pricing/member-prices/{body['id']}").status_code == 204
    assert not MemberPrice.objects.exists()


def test_a_negative_member_price_is_refused_and_nothing_written(api, org, dishes):
    response = api("hq").post("/pricing/member-prices", {"dish": dishes["fish"].pk, "price": "-1"})
    assert_problem(response, 400, "invalid_input", ["price"])
    response = api("hq").post("/pricing/member-prices", {"dish": 999999, "price": "1"})
    assert_problem(response, 400, "invalid_input", ["dish"])
    assert not MemberPrice.objects.exists()


def test_rules_are_created_listed_changed_and_deactivated(api, org, tiers):
    client = api("marketing")
    made = client.post(
        "/pricing/rules",
        {"kind": "spend_save", "name": "满300减30", "threshold": "300", "save_amount": "30"},
    )
    assert made.status_code == 201, made.json()
    rule_id = made.json()["id"]
    changed = client.patch(f"/pricing/rules/{rule_id}", {"repeat": True, "tier": tiers["gold"].pk})
    assert changed.status_code == 200
    assert (changed.json()["repeat"], changed.json()["tier"]) == (True, tiers["gold"].pk)
    assert [r["id"] for r in api("manager").get("/pricing/rules?kind=spend_save").json()] == [
        rule_id
    ]
    gone = client.delete(f"/pricing/rules/{rule_id}")
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert api("hq").get("/pricing/rules?active=true").json() == []
    assert PricingRule.objects.get().active is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "percent_off", "percent_off": 0}, "percent_off"),
        ({"kind": "percent_off", "percent_off": 100}, "percent_off"),
        ({"kind": "spend_save", "threshold": "100", "save_amount": "100"}, "save_amount"),
        ({"kind": "spend_save", "threshold": "0", "save_amount": "1"}, "threshold"),
    ],
)
def test_a_bad_rule_is_a_field_error(api, org, payload, field):
    response = api("hq").post("/pricing/rules", {"name": "坏规则", **payload})
    assert_problem(response, 400, "invalid_input", [field])
    assert not PricingRule.objects.exists()


def test_configuring_needs_the_permission_reading_does_not(api, org, dishes):
    response = api("cashier").post(
        "/pricing/member-prices", {"dish": dishes["fish"].pk, "price": "1"}
    )
    assert_problem(response, 403, "permission_denied")
    assert_problem(api("waiter").get("/pricing/rules"), 403, "permission_denied")
    assert api("cashier").get("/pricing/rules").status_code == 200


def test_the_stacking_rules_are_returned_in_words(api, org):
    response = api("cashier", language="en").get("/pricing/stacking-rules")
    assert response.status_code == 200
    rules = response.json()["rules"]
    assert len(rules) == len(STACKING_RULES) and "never both" in rules[0]


def test_the_quote_prices_an_order_for_a_card(api, org, hq, dishes, card, rule):
    services.member_price_create(acting_user=hq, dish=dishes["fish"], price="110")
    rule("percent_off", percent_off=10)
    rule("spend_save", threshold="150", save_amount="15")
    response = api("cashier").post(
        "/pricing/quote",
        {
            "store": org["store"].pk,
            "member_card": "G0001",
            "lines": [
                {"dish_code": "D1", "qty": "1"},
                {"dish": dishes["pork"].pk, "qty": "1"},
                {"dish_code": "D3", "qty": "1", "price_tier": "vip_room"},
            ],
            "service_charge": "20",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [ln["unit_price"] for ln in body["lines"]] == ["110.00", "43.20", "310.00"]
    assert body["subtotal"] == "486.00" and body["member_discount"] == "22.80"
    assert body["threshold_discount"] == "15.00" and body["service_charge"] == "20.00"
    assert body["total"] == body["due"] == "468.20"
    assert body["coupons"] == [] and body["returns"] == [] and len(body["steps"]) >= 4


def test_the_quote_without_a_card_is_at_listed_prices(api, org, hq, dishes, rule):
    rule("percent_off", percent_off=10)
    response = api("cashier").post(
        "/pricing/quote", {"store": org["store"].pk, "lines": [{"dish_code": "D2", "qty": 2}]}
    )
    assert response.status_code == 200 and response.json()["due"] == "96.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"store": 999999}, "store"),
        ({"lines": []}, "lines"),
        ({"lines": [{"dish_code": "NOPE", "qty": 1}]}, "lines.0.dish_code"),
        ({"lines": [{"dish_code": "D1", "qty": 0}]}, "lines.0.qty"),
        ({"lines": [{"dish_code": "D1", "qty": 1, "price_tier": "gold"}]}, "lines.0.price_tier"),
        ({"service_charge": "-5"}, "service_charge"),
    ],
)
def test_a_bad_quote_is_a_clear_field_error(api, org, dishes, card, change, field):
    payload = {"store": org["store"].pk, "lines": [{"dish_code": "D1", "qty": 1}], **change}
    assert_problem(api("cashier").post("/pricing/quote", payload), 400, "invalid_input", [field])


def test_an_unknown_card_number_is_card_not_found(api, org, dishes):
    payload = {
        "store": org["store"].pk,
        "member_card": "NOPE",
        "lines": [{"dish_code": "D1", "qty": 1}],
    }
    response = api("cashier").post("/pricing/quote", payload)
    assert_problem(response, 400, "card_not_found", ["member_card"])


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (lambda hq, card: loyalty.card_freeze(acting_user=hq, card=card), "card_frozen"),
        (lambda hq, card: loyalty.card_report_lost(acting_user=hq, card=card), "card_lost"),
    ],
)
def test_a_card_that_is_not_usable_gets_its_code(api, org, hq, dishes, card, action, code):
    action(hq, card)
    payload = {
        "store": org["store"].pk,
        "member_card": "G0001",
        "lines": [{"dish_code": "D1", "qty": 1}],
    }
    assert_problem(api("cashier").post("/pricing/quote", payload), 409, code)


def test_an_expired_card_gets_card_expired(api, org, hq, guest, dishes):
    loyalty.card_issue(
        acting_user=hq,
        guest=guest,
        store=org["store"],
        number="OLD1",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    payload = {
        "store": org["store"].pk,
        "member_card": "OLD1",
        "lines": [{"dish_code": "D1", "qty": 1}],
    }
    assert_problem(api("cashier").post("/pricing/quote", payload), 409, "card_expired")


def test_a_card_of_another_brand_group_is_not_found(api, org, other_org, dishes):
    from huike.core.tenancy import tenant_context
    from huike.guests.services import guest_create

    with tenant_context(other_org["tenant"]):
        hq2 = other_org["users"]["hq"]
        stranger = guest_create(acting_user=hq2, name="外人", primary_phone="13900000000")
        loyalty.card_issue(acting_user=hq2, guest=stranger, store=other_org["store"], number="X1")
    payload = {
        "store": org["store"].pk,
        "member_card": "X1",
        "lines": [{"dish_code": "D1", "qty": 1}],
    }
    assert_problem(
        api("cashier").post("/pricing/quote", payload), 400, "card_not_found", ["member_card"]
    )
