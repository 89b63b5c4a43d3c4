"""The console pages 会员等级 and 积分规则: lists, create/edit forms with field errors, policies,
settings, switching a rule off, the 试算 form, links from the card list, and a cashier
refused."""

from __future__ import annotations

import pytest

from huike.loyalty import accrual, tiers
from huike.loyalty.models import AccrualRule, AccrualSettings, Tier, TierPolicy

HX = {"HX-Request": "true"}


@pytest.fixture
def gold(org, hq):
    return tiers.tier_define(
        acting_user=hq, code="gold", name="金卡", rank=2, qualify_points=1000, benefits="免服务费"
    )


def test_the_card_list_links_to_the_rule_pages_for_marketing_only(client, org, users):
    client.force_login(users["marketing"])
    html = client.get("/loyalty/cards/").content.decode()
    assert 'data-testid="link-tiers"' in html and 'data-testid="link-accrual-rules"' in html
    client.force_login(users["cashier"])
    html = client.get("/loyalty/cards/").content.decode()
    assert 'data-testid="link-tiers"' not in html


def test_the_tier_page_lists_tiers_and_policies(client, org, users, gold):
    tiers.tier_policy_set(acting_user=users["hq"], brand=org["brand"], downgrade="at_once")
    client.force_login(users["marketing"])
    html = client.get("/loyalty/tiers/").content.decode()
    assert html.count('data-testid="tier-row"') == 1 and "免服务费" in html
    assert html.count('data-testid="policy-row"') == 1


def test_create_and_edit_a_tier(client, org, users, gold):
    client.force_login(users["marketing"])
    assert client.get("/loyalty/tiers/new/").status_code == 200
    form = {
        "code": "diamond",
        "name": "钻石卡",
        "rank": "3",
        "qualify_spend": "5000",
        "window_days": "365",
        "points_multiplier": "2",
    }
    response = client.post("/loyalty/tiers/new/", form, headers=HX)
    assert response.status_code == 204 and response["HX-Redirect"] == "/loyalty/tiers/"
    diamond = Tier.objects.get(code="diamond")
    assert str(diamond.qualify_spend) == "5000.00" and diamond.points_multiplier == 2
    page = client.get(f"/loyalty/tiers/{gold.pk}/edit/").content.decode()
    assert 'value="1000"' in page
    edit = {
        "code": "gold",
        "name": "金卡",
        "rank": "2",
        "qualify_visits": "5",
        "window_days": "90",
        "points_multiplier": "1.5",
    }
    assert client.post(f"/loyalty/tiers/{gold.pk}/edit/", edit).status_code == 302
    gold = Tier.objects.get(pk=gold.pk)
    assert gold.qualify_points is None and gold.qualify_visits == 5 and gold.window_days == 90


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("qualify_points", "0"),
        ("window_days", "0"),
        ("points_multiplier", "-1"),
        ("qualify_spend", "-5"),
    ],
)
def test_bad_tier_input_is_shown_beside_the_field(client, org, users, field, value):
    client.force_login(users["marketing"])
    form = {
        "code": "x",
        "name": "X",
        "rank": "1",
        "window_days": "30",
        "points_multiplier": "1",
        field: value,
    }
    response = client.post("/loyalty/tiers/new/", form, headers=HX)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert Tier.objects.count() == 0


def test_set_a_brand_policy_and_see_errors(client, org, users):
    client.force_login(users["hq"])
    assert client.get("/loyalty/tiers/policy/").status_code == 200
    bad = {"brand": org["brand"].pk, "downgrade": "on_date"}
    response = client.post("/loyalty/tiers/policy/", bad, headers=HX)
    assert 'data-testid="error-requalify_months"' in response.content.decode()
    assert TierPolicy.objects.count() == 0
    good = {
        "brand": org["brand"].pk,
        "downgrade": "on_date",
        "requalify_month": "1",
        "requalify_day": "1",
    }
    assert client.post("/loyalty/tiers/policy/", good).status_code == 302
    policy = TierPolicy.objects.get()
    assert (policy.brand_id, policy.requalify_month) == (org["brand"].pk, 1)
    page = client.get(f"/loyalty/tiers/policy/?brand={org['brand'].pk}").content.decode()
    assert 'value="on_date" selected' in page


def test_the_points_page_shows_rules_order_and_settings(client, org, users):
    hq = users["hq"]
    accrual.accrual_rule_create(
        acting_user=hq, kind="per_amount", name="每元1分", points=1, per_amount="1"
    )
    accrual.accrual_settings_set(acting_user=hq, day_cap=5000)
    client.force_login(users["marketing"])
    html = client.get("/loyalty/points-rules/").content.decode()
    assert 'data-testid="accrual-order"' in html and html.count('data-testid="rule-row"') == 1
    assert html.count('data-testid="settings-row"') == 1 and "5000" in html


def test_create_edit_and_switch_off_a_rule(client, org, users, gold):
    client.force_login(users["marketing"])
    assert client.get("/loyalty/points-rules/new/").status_code == 200
    form = {
        "kind": "campaign",
        "name": "生日周双倍",
        "multiplier": "2",
        "birthday_week": "on",
        "tier": gold.pk,
    }
    assert client.post("/loyalty/points-rules/new/", form).status_code == 302
    rule = AccrualRule.objects.get()
    assert rule.birthday_week and rule.tier == gold and rule.multiplier == 2
    assert client.get(f"/loyalty/points-rules/{rule.pk}/edit/").status_code == 200
    form["multiplier"] = "3"
    assert client.post(f"/loyalty/points-rules/{rule.pk}/edit/", form).status_code == 302
    assert AccrualRule.objects.get().multiplier == 3
    assert client.post(f"/loyalty/points-rules/{rule.pk}/deactivate/").status_code == 302
    assert AccrualRule.objects.get().active is False
    html = client.get("/loyalty/points-rules/").content.decode()
    assert 'data-testid="rule-inactive"' in html


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "campaign", "multiplier": "0", "birthday_week": "on"}, "multiplier"),
        ({"kind": "per_amount", "points": "1"}, "per_amount"),
        ({"kind": "per_dish", "points": "2"}, "dish"),
    ],
)
def test_bad_rule_input_is_shown_beside_the_field(client, org, users, form, field):
    client.force_login(users["marketing"])
    response = client.post("/loyalty/points-rules/new/", {"name": "规则", **form}, headers=HX)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert AccrualRule.objects.count() == 0


def test_caps_and_expiry_form(client, org, users):
    client.force_login(users["hq"])
    assert client.get("/loyalty/points-rules/settings/").status_code == 200
    bad = client.post("/loyalty/points-rules/settings/", {"expiry": "months"}, headers=HX)
    assert 'data-testid="error-expiry_months"' in bad.content.decode()
    form = {"order_cap": "800", "day_cap": "5000", "expiry": "months", "expiry_months": "12"}
    assert client.post("/loyalty/points-rules/settings/", form).status_code == 302
    row = AccrualSettings.objects.get()
    assert (row.brand_id, row.order_cap, row.day_cap, row.expiry_months) == (None, 800, 5000, 12)


def test_try_it_shows_the_explanation(client, org, users, card):
    from huike.orders.tests.factories import make_menu

    make_menu()
    hq = users["hq"]
    accrual.accrual_rule_create(
        acting_user=hq, kind="per_amount", name="每元1分", points=1, per_amount="1"
    )
    client.force_login(users["marketing"])
    query = {"try-card": card.number, "try-amount": "128.50", "try-dishes": "D001 1\nD003 2"}
    html = client.get("/loyalty/points-rules/", query, headers=HX).content.decode()
    assert 'data-testid="trial-points">128<' in html
    assert html.count('data-testid="trial-step"') == 2
    bad = client.get("/loyalty/points-rules/", {**query, "try-card": "NOPE"}).content.decode()
    assert 'data-testid="error-card"' in bad and 'data-testid="trial-result"' not in bad
    bad = client.get("/loyalty/points-rules/", {**query, "try-dishes": "ZZZ 1"}).content.decode()
    assert 'data-testid="error-dishes"' in bad


@pytest.mark.parametrize(
    "url",
    [
        "/loyalty/tiers/",
        "/loyalty/tiers/new/",
        "/loyalty/tiers/policy/",
        "/loyalty/points-rules/",
        "/loyalty/points-rules/new/",
        "/loyalty/points-rules/settings/",
    ],
)
def test_a_cashier_is_refused(client, org, users, url):
    client.force_login(users["cashier"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"code": "x", "name": "X", "kind": "per_amount"}).status_code == 403
    assert Tier.objects.count() == 0 and AccrualRule.objects.count() == 0


def test_a_cashier_may_not_switch_a_rule_off(client, org, users):
    rule = accrual.accrual_rule_create(
        acting_user=users["hq"], kind="per_amount", name="每元1分", points=1, per_amount="1"
    )
    client.force_login(users["cashier"])
    assert client.post(f"/loyalty/points-rules/{rule.pk}/deactivate/").status_code == 403
    assert AccrualRule.objects.get().active is True


def test_the_card_page_shows_the_tier_and_its_benefits_to_the_cashier(client, org, users, card):
    tiers.tier_define(acting_user=users["hq"], code="silver", name="银卡", rank=1, benefits="赠茶")
    tiers.tier_evaluate(card)
    client.force_login(users["cashier"])
    html = client.get(f"/loyalty/cards/{card.pk}/").content.decode()
    assert 'data-testid="card-tier-benefits">赠茶<' in html
