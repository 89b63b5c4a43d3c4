"""The console pages: 会员价与优惠 with the stacking rules, member prices and rules (add, edit,
remove, switch off), the quote (试算), and who may see or change what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huike.coupons.services import template_create
from huike.pricing import services
from huike.pricing.models import MemberPrice, PricingRule
from huike.pricing.pricing import STACKING_RULES

HX = {"HX-Request": "true"}


def test_the_page_shows_prices_rules_and_the_stacking_rules(client, users, dishes, rule):
    services.member_price_create(acting_user=users["hq"], dish=dishes["fish"], price="99")
    back = template_create(
        acting_user=users["hq"], name="返券", kind="cash", face_value="10", valid_days=30
    )
    rule("spend_save", threshold="300", save_amount="30")
    rule("percent_off", percent_off=5)
    rule("spend_return", threshold="500", return_template=back, repeat=True)
    client.force_login(users["cashier"])
    html = client.get("/pricing/").content.decode()
    assert 'data-testid="nav-pricing"' in html
    assert html.count('data-testid="stacking-rule"') == len(STACKING_RULES)
    assert html.count('data-testid="member-price-row"') == 1
    assert html.count('data-testid="rule-row"') == 3
    assert "¥300.00" in html and "¥500.00" in html and "返券" in html
    assert 'data-testid="member-price-form"' not in html  # a cashier only reads
    assert 'data-testid="rule-edit-link"' not in html


@pytest.mark.parametrize("role", ["waiter", "desk"])
def test_roles_without_the_permission_get_a_403(client, users, role):
    client.force_login(users[role])
    assert client.get("/pricing/").status_code == 403
    assert 'data-testid="nav-pricing"' not in client.get("/").content.decode()


def test_marketing_adds_a_member_price_and_a_bad_one_is_shown_beside_the_field(
    client, users, dishes, tiers
):
    client.force_login(users["marketing"])
    form = {"price-dish": dishes["fish"].pk, "price-tier": tiers["gold"].pk, "price-price": "-5"}
    bad = client.post("/pricing/", form, headers=HX)
    assert bad.status_code == 200 and 'data-testid="error-price"' in bad.content.decode()
    assert not MemberPrice.objects.exists()
    good = client.post("/pricing/", {**form, "price-price": "95"}, headers=HX)
    assert good.status_code == 204 and good["HX-Redirect"] == "/pricing/"
    assert MemberPrice.objects.get().price == Decimal("95.00")


def test_a_cashier_cannot_post_a_member_price(client, users, dishes):
    client.force_login(users["cashier"])
    response = client.post("/pricing/", {"price-dish": dishes["fish"].pk, "price-price": "1"})
    assert response.status_code == 403 and not MemberPrice.objects.exists()


def test_a_member_price_is_edited_and_removed(client, users, dishes):
    price = services.member_price_create(acting_user=users["hq"], dish=dishes["fish"], price="99")
    client.force_login(users["marketing"])
    assert client.get(f"/pricing/member-prices/{price.pk}/").status_code == 200
    saved = client.post(f"/pricing/member-prices/{price.pk}/", {"price": "88"})
    assert saved.status_code == 302 and MemberPrice.objects.get().price == Decimal("88.00")
    removed = client.post(f"/pricing/member-prices/{price.pk}/delete/")
    assert removed.status_code == 302 and not MemberPrice.objects.exists()


def test_a_rule_is_created_edited_and_switched_off_on_the_console(client, users):
    client.force_login(users["marketing"])
    assert client.get("/pricing/rules/new/").status_code == 200
    form = {"name": "满300减30", "kind": "spend_save", "threshold": "300", "save_amount": "300"}
    bad = client.post("/pricing/rules/new/", {**form, "active": "on"}, headers=HX)
    assert bad.status_code == 200 and 'data-testid="error-save_amount"' in bad.content.decode()
    assert not PricingRule.objects.exists()
    made = client.post("/pricing/rules/new/", {**form, "save_amount": "30", "active": "on"})
    assert made.status_code == 302
    rule = PricingRule.objects.get()
    assert (rule.kind, rule.save_amount, rule.active) == ("spend_save", Decimal("30.00"), True)
    edit = client.post(
        f"/pricing/rules/{rule.pk}/",
        {**form, "save_amount": "40", "repeat": "on", "active": "on", "kind": "percent_off"},
    )
    assert edit.status_code == 302
    rule.refresh_from_db()
    assert (rule.kind, rule.save_amount, rule.repeat) == ("spend_save", Decimal("40.00"), True)
    assert client.post(f"/pricing/rules/{rule.pk}/deactivate/").status_code == 302
    rule.refresh_from_db()
    assert rule.active is False


def test_the_quote_page_shows_the_quote_and_its_steps(client, users, org, dishes, card, rule):
    rule("percent_off", percent_off=10)
    client.force_login(users["cashier"])
    assert client.get("/pricing/quote/").status_code == 200
    response = client.post(
        "/pricing/quote/",
        {
            "store": org["store"].pk,
            "member_card": "G0001",
            "price_tier": "regular",
            "lines": "D1 1\nD2 2",
            "service_charge": "10",
        },
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="quote-result"' in html
    assert html.count('data-testid="quote-line"') == 2
    assert 'data-testid="quote-due">¥211.60<' in html  # 128 + 96 less 10 % + 10
    assert html.count('data-testid="quote-step"') >= 3


@pytest.mark.parametrize(
    ("change", "field"),
    [({"lines": "NOPE 1"}, "lines"), ({"member_card": "NOPE"}, "member_card")],
)
def test_a_bad_quote_is_shown_beside_the_field(client, users, org, dishes, change, field):
    client.force_login(users["cashier"])
    form = {"store": org["store"].pk, "price_tier": "regular", "lines": "D1 1", **change}
    response = client.post("/pricing/quote/", form, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and f'data-testid="error-{field}"' in html
    assert 'data-testid="quote-result"' not in html


def test_the_page_reads_a_fixed_number_of_queries(
    client, users, dishes, tiers, rule, django_assert_max_num_queries
):
    client.force_login(users["marketing"])
    hq = users["hq"]
    services.member_price_create(acting_user=hq, dish=dishes["fish"], price="99")
    rule("percent_off", percent_off=5, tier=tiers["gold"])
    client.get("/pricing/")
    with CaptureQueriesContext(connection) as few:
        client.get("/pricing/")
    for code in ("pork", "wine", "odd"):
        services.member_price_create(
            acting_user=hq, dish=dishes[code], price="9", tier=tiers["gold"]
        )
        rule("spend_save", threshold="100", save_amount="5", tier=tiers["silver"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/pricing/")
