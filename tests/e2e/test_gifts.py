"""A cashier redeems points for a gift at the till and sees the card's new balance; the store
manager sees this month's recruitment on the home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from huike.core.tenancy import tenant_context
from huike.core.timeutils import local_today
from huike.gifts.models import Gift, GiftRedemption
from huike.gifts.services import gift_create
from huike.guests.services import guest_create
from huike.loyalty import services as loyalty
from huike.recruitment.services import target_create

from .conftest import open_menu_item

pytestmark = pytest.mark.e2e


def sign_in(page, username: str):
    page.goto("/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(username)


def test_a_cashier_redeems_a_gift_and_the_manager_sees_recruitment(live_org, new_page):
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        guest = guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")
        card = loyalty.card_issue(
            acting_user=live_org["users"]["cashier"], guest=guest, store=live_org["store"]
        )
        loyalty.points_accrue(acting_user=hq, card=card, points=1000)
        gift = gift_create(acting_user=hq, name="保温杯", points_cost=300, stock=2)
        today = local_today()
        target_create(
            acting_user=hq,
            store=live_org["store"],
            period_start=today.replace(day=1),
            period_end=today,
            target=4,
        )

    page = new_page()
    sign_in(page, "t1-cashier")
    open_menu_item(page, "nav-gifts")
    expect(page.get_by_test_id("gift-row")).to_have_count(1)
    page.get_by_test_id("gift-redeem-link").click()
    page.get_by_test_id("input-q").fill("138 0013 8000")
    page.get_by_test_id("redeem-card-search-submit").click()
    page.get_by_test_id("redeem-card-choice").click()
    expect(page.get_by_test_id("redeem-card-points")).to_have_text("1000")
    page.get_by_test_id("input-gift").select_option(str(gift.pk))
    page.get_by_test_id("input-qty").fill("3")
    page.get_by_test_id("redeem-submit").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()  # only 2 in stock
    page.get_by_test_id("input-qty").fill("2")
    page.get_by_test_id("redeem-submit").click()
    expect(page.get_by_test_id("redeem-card-points")).to_have_text("400")
    expect(page.get_by_test_id("redeem-recent-row")).to_have_count(1)
    with tenant_context(live_org["tenant"]):
        assert Gift.objects.get(pk=gift.pk).stock == 0
        assert GiftRedemption.objects.count() == 1

    manager = new_page()
    sign_in(manager, "t1-manager")
    panel = manager.get_by_test_id("home-panel-recruitment")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("store-target-figures")).to_have_text("1 / 4")
    expect(panel.get_by_test_id("staff-rank-cards").first).to_have_text("1")
