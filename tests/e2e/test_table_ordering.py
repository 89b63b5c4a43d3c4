"""Self-ordering at the table (R6) in Chromium: a guest's phone opens the table's QR address,
orders two dishes with +/- and a note, and sends the order; the waiter's tickets page, open
the whole time, shows the ticket without reloading, and the waiter confirms it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.live.tests.conftest import thread_server  # noqa: F401  (uvicorn: SSE needs ASGI)
from huike.reservations.tests.conftest import make_floor
from huike.tableorders import services
from huike.tableorders.models import TableOrderTicket
from huike.tableorders.tests.conftest import make_menu

from .conftest import wait_until_live
from .test_guest_sheet import sign_in

pytestmark = pytest.mark.e2e


def test_a_guest_orders_from_the_tables_qr_and_the_waiter_confirms_it_live(
    live_org,
    browser,
    thread_server,  # noqa: F811
):
    store = live_org["store"]
    with tenant_context(live_org["tenant"]):
        room = make_floor(store)["牡丹厅"]
        make_menu(store)
        code = services.table_code_get_or_create(
            acting_user=live_org["users"]["captain"], table=room
        )

    waiter_context = browser.new_context(base_url=thread_server, locale="zh-CN")
    waiter_context.set_default_timeout(15_000)
    phone_context = browser.new_context(
        base_url=thread_server,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone_context.set_default_timeout(15_000)
    try:
        waiter = waiter_context.new_page()
        sign_in(waiter, live_org["users"]["waiter"].username)
        waiter.goto(f"/table-orders/?store={store.pk}")
        wait_until_live(waiter)
        expect(waiter.get_by_test_id("table-orders-none")).to_be_visible()

        phone = phone_context.new_page()
        phone.goto(f"/t/{code.token}/")
        expect(phone.get_by_test_id("table-menu-table")).to_have_text("牡丹厅")
        fish = phone.locator('[data-testid="table-menu-dish"][data-dish="D01"]')
        tea = phone.locator('[data-testid="table-menu-dish"][data-dish="W01"]')
        expect(fish.get_by_test_id("table-menu-price")).to_contain_text("98.00")  # VIP room
        fish.get_by_test_id("dish-plus").tap()
        fish.get_by_test_id("dish-plus").tap()
        fish.get_by_test_id("dish-minus").tap()
        fish.get_by_test_id("dish-plus").tap()
        fish.get_by_test_id("dish-note").fill("微辣")
        tea.get_by_test_id("dish-plus").tap()
        expect(phone.get_by_test_id("cart-total")).to_have_text("¥214.00")  # 2 × 98 + 18
        phone.get_by_test_id("table-order-send").tap()
        expect(phone.get_by_test_id("table-order-sent")).to_contain_text("剁椒鱼头 ×2")

        ticket = waiter.locator('[data-testid="table-order"][data-table="牡丹厅"]')
        expect(ticket).to_be_visible()  # arrived live, no reload
        expect(ticket.get_by_test_id("table-order-total")).to_contain_text("214.00")
        expect(ticket).to_contain_text("微辣")
        ticket.get_by_test_id("table-order-confirm").click()
        expect(waiter.locator('[data-testid="table-order-handled"]')).to_have_attribute(
            "data-status", "confirmed"
        )
        expect(waiter.get_by_test_id("table-orders-none")).to_be_visible()

        with tenant_context(live_org["tenant"]):
            saved = TableOrderTicket.objects.get()
            assert saved.status == "confirmed"
            assert saved.confirmed_by == live_org["users"]["waiter"]
            assert saved.total == Decimal("214.00")
    finally:
        phone_context.close()
        waiter_context.close()
