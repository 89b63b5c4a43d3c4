"""Browser test of the loyalty rules: marketing goes from 会员卡 to 会员等级, creates a tier
(a bad multiplier is shown beside the field first), then to 积分规则, and works out a member's
points with 试算, seeing each step."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.guests.services import guest_create
from huike.loyalty import accrual
from huike.loyalty import services as loyalty
from huike.loyalty.models import Tier
from tests.e2e.test_orders import sign_in

pytestmark = pytest.mark.e2e


def test_marketing_sets_up_a_tier_and_tries_the_points_rules(live_org, new_page):
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        guest = guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")
        loyalty.card_issue(acting_user=hq, guest=guest, store=live_org["store"], number="M0001")
        accrual.accrual_rule_create(
            acting_user=hq, kind="per_amount", name="每元1分", points=1, per_amount="1"
        )
        accrual.accrual_settings_set(acting_user=hq, order_cap=100)
    page = new_page()
    sign_in(page, "t1-marketing")
    page.goto("/loyalty/cards/")
    page.get_by_test_id("link-tiers").click()
    page.get_by_test_id("tier-create").click()
    form = page.get_by_test_id("tier-form")
    form.get_by_test_id("input-code").fill("gold")
    form.get_by_test_id("input-name").fill("金卡")
    form.get_by_test_id("input-qualify_spend").fill("3000")
    form.get_by_test_id("input-points_multiplier").fill("0")
    form.get_by_test_id("tier-form-submit").click()
    expect(page.get_by_test_id("error-points_multiplier")).to_be_visible()
    page.get_by_test_id("input-points_multiplier").fill("1.5")
    page.get_by_test_id("tier-form-submit").click()
    expect(page.get_by_test_id("tier-row")).to_have_count(1)
    with tenant_context(live_org["tenant"]):
        assert str(Tier.objects.get().qualify_spend) == "3000.00"

    page.get_by_test_id("link-accrual-rules").click()
    expect(page.get_by_test_id("accrual-order")).to_be_visible()
    page.get_by_test_id("input-card").fill("M0001")
    page.get_by_test_id("input-amount").fill("168.80")
    page.get_by_test_id("trial-submit").click()
    expect(page.get_by_test_id("trial-points")).to_have_text("100")  # 168, capped per order
    expect(page.get_by_test_id("trial-step")).to_have_count(3)
