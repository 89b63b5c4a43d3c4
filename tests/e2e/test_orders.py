"""Browser test of manual order entry (T2): the line editor fills the price of the chosen tier,
the order is posted once, and the guest's history moves with it."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from huike.core.tenancy import tenant_context
from huike.guests.models import Guest
from huike.orders.models import Order
from huike.orders.tests.factories import make_menu
from tests.e2e.conftest import open_menu_item

pytestmark = pytest.mark.e2e


def sign_in(page, username: str):
    page.goto("/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(username)


def test_a_manager_enters_an_order_with_the_line_editor(live_org, new_page):
    with tenant_context(live_org["tenant"]):
        menu = make_menu()
    page = new_page()
    sign_in(page, "t1-manager")
    open_menu_item(page, "nav-orders")
    page.get_by_test_id("order-create").click()
    page.get_by_test_id("input-store").select_option(str(live_org["store"].pk))
    page.get_by_test_id("input-table_label").fill("牡丹厅")
    page.get_by_test_id("input-guest_phone").fill("13812345678")
    first = page.get_by_test_id("line-row").nth(0)
    first.get_by_test_id("line-tier").select_option("vip_room")
    first.get_by_test_id("line-dish").select_option(str(menu["D001"].pk))
    expect(first.get_by_test_id("line-price")).to_have_value("138.00")
    page.get_by_test_id("line-add").click()
    second = page.get_by_test_id("line-row").nth(1)
    second.get_by_test_id("line-dish").select_option(str(menu["D003"].pk))
    second.get_by_test_id("line-qty").fill("3")
    expect(page.get_by_test_id("line-subtotal")).to_have_text("¥147.00")
    page.get_by_test_id("payment-amount").fill("147")
    page.get_by_test_id("order-submit").click()
    expect(page.get_by_test_id("order-total")).to_have_text("¥147.00")
    expect(page.get_by_test_id("order-line")).to_have_count(2)
    with tenant_context(live_org["tenant"]):
        order = Order.objects.get()
        assert (order.source, order.table_label, order.total) == (
            "manual",
            "牡丹厅",
            Decimal("147"),
        )
        guest = Guest.objects.get()
        assert (guest.visit_count, guest.total_spend) == (1, Decimal("147.00"))
