"""The rules API: tiers, downgrade policies, accrual rules and settings, the points preview,
HQ's tier evaluation; bad input is a problem with field errors and writes nothing."""

from __future__ import annotations

import pytest

from huike.core.testing import ApiClient, assert_problem
from huike.loyalty import accrual, tiers
from huike.loyalty.models import AccrualRule, AccrualSettings, CardEvent, Tier, TierPolicy


def test_create_list_and_update_a_tier(org, api):
    marketing = api("marketing")
    created = marketing.post(
        "/loyalty/tiers",
        {
            "code": "gold",
            "name": "金卡",
            "rank": 2,
            "qualify_spend": "500",
            "window_days": 90,
            "points_multiplier": "1.5",
            "benefits": "免服务费",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["qualify_spend"] == "500.00" and body["points_multiplier"] == "1.50"
    listed = api("cashier").get("/loyalty/tiers")
    assert [t["code"] for t in listed.json()] == ["gold"]
    changed = marketing.patch(
        f"/loyalty/tiers/{body['id']}", {"qualify_spend": None, "qualify_visits": 4}
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["qualify_spend"] is None and changed.json()["qualify_visits"] == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"qualify_points": 0}, "qualify_points"),
        ({"qualify_points": -1}, "qualify_points"),
        ({"qualify_spend": "-10"}, "qualify_spend"),
        ({"qualify_visits": 0}, "qualify_visits"),
        ({"window_days": 0}, "window_days"),
        ({"points_multiplier": "0"}, "points_multiplier"),
        ({"points_multiplier": "-1.5"}, "points_multiplier"),
        ({"points_multiplier": "abc"}, "points_multiplier"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_tier_input_is_a_field_error(org, api, body, field):
    response = api(language="en").post("/loyalty/tiers", {"code": "x", "name": "X", **body})
    assert_problem(response, 400, "invalid_input", fields=[field])
    assert Tier.objects.count() == 0


def test_updating_an_unknown_or_foreign_tier_is_not_found(org, api, other_org):
    assert_problem(api().patch("/loyalty/tiers/99999", {"rank": 1}), 404, "not_found")
    mine = tiers.tier_define(acting_user=org["users"]["hq"], code="g", name="G")
    theirs = ApiClient(other_org["users"]["hq"])
    assert_problem(theirs.patch(f"/loyalty/tiers/{mine.pk}", {"rank": 9}), 404, "not_found")
    assert Tier.objects.get(pk=mine.pk).rank == 0


def test_a_cashier_may_not_configure(org, api):
    response = api("cashier").post("/loyalty/tiers", {"code": "x", "name": "X"})
    assert_problem(response, 403, "permission_denied")
    response = api("cashier").post(
        "/loyalty/accrual-rules",
        {"kind": "per_amount", "name": "x", "points": 1, "per_amount": "1"},
    )
    assert_problem(response, 403, "permission_denied")
    assert Tier.objects.count() == 0 and AccrualRule.objects.count() == 0


def test_set_and_list_policies(org, api):
    hq = api()
    response = hq.put(
        "/loyalty/tiers/policies",
        {"brand": org["brand"].pk, "downgrade": "on_date", "requalify_months": 12},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["requalify_months"] == 12
    assert hq.put("/loyalty/tiers/policies", {"downgrade": "at_once"}).status_code == 200
    listed = hq.get("/loyalty/tiers/policies").json()
    assert {(p["brand"], p["downgrade"]) for p in listed} == {
        (org["brand"].pk, "on_date"),
        (None, "at_once"),
    }
    bad = hq.put("/loyalty/tiers/policies", {"downgrade": "on_date", "requalify_months": 0})
    assert_problem(bad, 400, "invalid_input", fields=["requalify_months"])
    bad = hq.put("/loyalty/tiers/policies", {"brand": 99999, "downgrade": "never"})
    assert_problem(bad, 400, "invalid_input", fields=["brand"])
    assert TierPolicy.objects.count() == 2


def test_accrual_rules_create_update_deactivate_and_settings(org, api):
    hq = api()
    created = hq.post(
        "/loyalty/accrual-rules",
        {"kind": "per_amount", "name": "每元1分", "points": 1, "per_amount": "1.00"},
    )
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    off = hq.patch(f"/loyalty/accrual-rules/{rule_id}", {"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert hq.get("/loyalty/accrual-rules?active=true").json() == []
    settings = hq.put("/loyalty/accrual-rules/settings", {"day_cap": 5000})
    assert settings.status_code == 200 and settings.json()["day_cap"] == 5000
    assert [s["day_cap"] for s in hq.get("/loyalty/accrual-rules/settings").json()] == [5000]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "per_amount", "points": 0, "per_amount": "1"}, "points"),
        ({"kind": "per_amount", "points": 1, "per_amount": "0"}, "per_amount"),
        ({"kind": "campaign", "multiplier": "0", "birthday_week": True}, "multiplier"),
        ({"kind": "campaign", "multiplier": "-1", "birthday_week": True}, "multiplier"),
        ({"kind": "per_amount", "points": 1, "per_amount": "1", "tier": 99999}, "tier"),
        ({"kind": "per_dish", "points": 1, "dish": 99999}, "dish"),
        ({"kind": "nonsense"}, "kind"),
    ],
)
def test_bad_rule_input_is_a_field_error(org, api, body, field):
    response = api(language="en").post("/loyalty/accrual-rules", {"name": "规则", **body})
    assert_problem(response, 400, "invalid_input", fields=[field])
    assert AccrualRule.objects.count() == 0


def test_bad_settings_are_field_errors(org, api):
    response = api().put("/loyalty/accrual-rules/settings", {"order_cap": 0})
    assert_problem(response, 400, "invalid_input", fields=["order_cap"])
    assert AccrualSettings.objects.count() == 0


def test_preview_explains_the_points(org, api, hq, card):
    accrual.accrual_rule_create(
        acting_user=hq, kind="per_amount", name="每元1分", points=1, per_amount="1"
    )
    response = api("cashier").post(
        "/loyalty/accrual-rules/preview", {"card": card.pk, "amount_paid": "88.80"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["points"] == 88 and len(response.json()["explanation"]) == 2
    bad = api().post(
        "/loyalty/accrual-rules/preview",
        {"card": card.pk, "amount_paid": "1", "lines": [{"dish": 99999}]},
    )
    assert_problem(bad, 400, "invalid_input", fields=["lines"])


def test_hq_evaluates_a_cards_tier(org, api, hq, card):
    tiers.tier_define(acting_user=hq, code="silver", name="银卡", rank=1)
    response = api().post(f"/loyalty/cards/{card.pk}/evaluate-tier")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["changed"] and body["direction"] == "up" and body["new"]["code"] == "silver"
    assert body["card"]["tier"]["code"] == "silver"
    again = api().post(f"/loyalty/cards/{card.pk}/evaluate-tier").json()
    assert again["changed"] is False and again["new"] is None
    assert CardEvent.objects.filter(card=card, kind="tier_up").count() == 1


def test_only_hq_evaluates_and_never_another_groups_card(org, api, hq, card, other_org):
    tiers.tier_define(acting_user=hq, code="silver", name="银卡", rank=1)
    response = api("marketing").post(f"/loyalty/cards/{card.pk}/evaluate-tier")
    assert_problem(response, 403, "permission_denied")
    theirs = ApiClient(other_org["users"]["hq"])
    assert_problem(theirs.post(f"/loyalty/cards/{card.pk}/evaluate-tier"), 404, "not_found")
    assert not CardEvent.objects.filter(kind="tier_up").exists()
