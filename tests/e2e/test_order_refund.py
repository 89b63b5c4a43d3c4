"""Browser test of a refund from the console (T1) and the guest's spend chart (G3): a store
manager refunds one line of an order from its detail page, lands on the refund, and then sees
the guest's monthly spend drawn by ECharts on the 360 page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.orders.models import Order
from huike.orders.services import order_post
from huike.orders.tests.factories import make_menu, order_args
from tests.e2e.test_orders import sign_in

pytestmark = pytest.mark.e2e


def test_a_manager_refunds_a_line_and_sees_the_spend_chart(live_org, new_page):
    with tenant_context(live_org["tenant"]):
        make_menu()
        order = order_post(acting_user=live_org["users"]["hq"], **order_args(live_org["store"]))
    page = new_page()
    sign_in(page, "t1-manager")
    page.goto(reverse("order_detail", args=[order.pk]))
    page.get_by_test_id("order-refund").click()
    expect(page.get_by_test_id("refund-line")).to_have_count(3)
    line = page.locator('[data-testid="refund-line"][data-line="2"]')
    line.get_by_test_id("input-line_2").fill("1")
    expect(page.get_by_test_id("scope-lines")).to_be_checked()  # typing a quantity chose it
    page.get_by_test_id("input-pos_order_id").fill("RF-E2E-1")
    page.get_by_test_id("refund-submit").click()
    expect(page.get_by_test_id("order-title")).to_contain_text("RF-E2E-1")
    expect(page.get_by_test_id("order-line")).to_have_count(1)
    expect(page.get_by_test_id("order-refund")).to_have_count(0)
    with tenant_context(live_org["tenant"]):
        refund = Order.objects.get(kind="refund")
        assert refund.original_id == order.pk
        assert [(ln.dish_code, ln.qty) for ln in refund.lines.all()] == [("D002", Decimal("1"))]
        guest_id = order.guest_id

    page.goto(reverse("guest_360", args=[guest_id]))
    chart = page.get_by_test_id("trend-chart")
    expect(chart.locator("canvas").first).to_be_attached()
    assert chart.get_attribute("data-trend-drawn") == "yes"
    expect(page.get_by_test_id("trend-month")).to_have_count(1)  # still there for screen readers
    assert "visually-hidden" in page.get_by_test_id("consumption-trend").get_attribute("class")
