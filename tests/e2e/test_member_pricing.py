"""Browser test of member pricing (L4): marketing opens 会员价与优惠 from the menu, reads the
stacking rules, sets a member price, and quotes a gold member's order (试算) with its steps."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.guests.services import guest_create
from huike.loyalty import services as loyalty
from huike.menu import services as menu
from huike.pricing import services
from huike.pricing.models import MemberPrice
from huike.pricing.pricing import STACKING_RULES
from tests.e2e.conftest import open_menu_item
from tests.e2e.test_orders import sign_in

pytestmark = pytest.mark.e2e


def test_marketing_sets_a_member_price_and_quotes_a_members_order(live_org, new_page):
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        category = menu.category_create(acting_user=hq, name="热菜")
        menu.dish_create(
            acting_user=hq,
            category=category,
            code="D1",
            name="剁椒鱼头",
            price_regular="128",
            price_hall="118",
            price_vip_room="148",
        )
        gold = loyalty.tier_create(acting_user=hq, code="gold", name="金卡", rank=2)
        guest = guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")
        loyalty.card_issue(
            acting_user=hq,
            guest=guest,
            store=live_org["store"],
            number="G0001",
            tier=gold,
            valid_from=dt.date(2020, 1, 1),
        )
        services.pricing_rule_create(
            acting_user=hq, kind="spend_save", name="满200减20", threshold="200", save_amount="20"
        )
    page = new_page()
    sign_in(page, "t1-marketing")
    open_menu_item(page, "nav-pricing")
    expect(page.get_by_test_id("stacking-rule")).to_have_count(len(STACKING_RULES))
    expect(page.get_by_test_id("rule-row")).to_have_count(1)

    form = page.get_by_test_id("member-price-form")
    form.get_by_test_id("input-dish").select_option(label="剁椒鱼头")
    form.get_by_test_id("input-tier").select_option(label="金卡")
    form.get_by_test_id("input-price").fill("-1")
    form.get_by_test_id("member-price-submit").click()
    expect(page.get_by_test_id("error-price")).to_be_visible()
    page.get_by_test_id("input-price").fill("110")
    page.get_by_test_id("member-price-submit").click()
    expect(page.get_by_test_id("member-price")).to_have_text("¥110.00")
    with tenant_context(live_org["tenant"]):
        assert MemberPrice.objects.get().tier_id == gold.pk

    page.get_by_test_id("quote-link").click()
    page.get_by_test_id("input-store").select_option(str(live_org["store"].pk))
    page.get_by_test_id("input-member_card").fill("G0001")
    page.get_by_test_id("input-lines").fill("D1 2")
    page.get_by_test_id("input-service_charge").fill("10")
    page.get_by_test_id("quote-submit").click()
    # 2 × 110 = 220, 满200减20 → 200, + 10 service charge
    expect(page.get_by_test_id("quote-due")).to_have_text("¥210.00")
    expect(page.get_by_test_id("quote-line-total")).to_have_text("¥220.00")
    expect(page.get_by_test_id("quote-step").first).to_be_visible()
