"""The waitlist in Chromium (R4): the evening is full, an agent puts a party on the waitlist;
a cancellation elsewhere frees a table and the party's next free slot appears without a
reload; one click books it, and the store's timeline shows the booking."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.live.tests.conftest import thread_server  # noqa: F401  (uvicorn: SSE needs ASGI)
from huike.messaging.models import Message
from huike.reservations import services as reservations
from huike.reservations.models import Booking
from huike.reservations.tests.conftest import make_floor, tomorrow_at
from huike.waitlist.models import WaitlistEntry

from .conftest import wait_until_live
from .test_guest_sheet import sign_in

pytestmark = pytest.mark.e2e


def test_an_agent_waitlists_a_party_and_books_the_slot_freed_by_a_cancellation(
    live_org,
    browser,
    thread_server,  # noqa: F811
):
    store = live_org["store"]
    day = tomorrow_at(12).date().isoformat()
    with tenant_context(live_org["tenant"]):
        desk_user = live_org["users"]["desk"]
        floor = make_floor(store)
        full = [
            reservations.booking_create(
                acting_user=desk_user,
                store=store,
                table=floor[code],
                starts_at=tomorrow_at(18),
                party_size=8,
                guest_phone=f"1391111000{i}",
            )
            for i, code in enumerate(["B1", "牡丹厅"])
        ]
    context = browser.new_context(base_url=thread_server, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, desk_user.username)
        with page.expect_response(lambda r: "/live/stream" in r.url):
            page.goto(f"/waitlist/?store={store.pk}&date={day}")
        page.get_by_test_id("field-guest_phone").locator("input").fill("13800138000")
        page.get_by_test_id("field-guest_name").locator("input").fill("王芳")
        page.get_by_test_id("field-party_size").locator("input").fill("8")
        page.get_by_test_id("field-earliest").locator("input").fill("18:00")
        page.get_by_test_id("field-latest").locator("input").fill("19:00")
        with page.expect_response(lambda r: "/live/stream" in r.url):
            page.get_by_test_id("waitlist-add").click()
        row = page.get_by_test_id("waitlist-row")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("王芳")
        expect(row).to_have_attribute("data-status", "waiting")
        expect(row.get_by_test_id("waitlist-no-slot")).to_be_visible()
        wait_until_live(page)

        with tenant_context(live_org["tenant"]):  # another desk cancels the room's booking
            reservations.booking_cancel(acting_user=desk_user, booking=full[1], reason="改期")
        slot = page.get_by_test_id("waitlist-slot")
        expect(slot).to_contain_text("18:00")  # no reload: the live event
        expect(slot).to_contain_text("牡丹厅")

        page.get_by_test_id("waitlist-notify").click()  # the agent texts the guest first
        expect(page.get_by_test_id("waitlist-offer-sent")).to_contain_text("已告知顾客")
        with tenant_context(live_org["tenant"]):
            assert Message.objects.filter(purpose="waitlist.offer").count() == 1
        page.get_by_test_id("waitlist-book").click()
        expect(page).to_have_url(re.compile(r"/reservations/\d+/$"))
        with tenant_context(live_org["tenant"]):
            booking = Booking.objects.get(guest__primary_phone="+8613800138000")
            assert page.url.endswith(f"/reservations/{booking.pk}/")
            entry = WaitlistEntry.objects.get()
            assert (booking.table_id, booking.starts_at) == (floor["牡丹厅"].pk, tomorrow_at(18))
            assert entry.status == "booked" and entry.booking_id == booking.pk

        page.goto(f"/reservations/?store={store.pk}&date={day}")
        page.get_by_test_id("link-timeline").click()
        bar = page.locator(f'[data-testid="timeline-bar"][data-booking="{booking.pk}"]')
        expect(bar).to_contain_text("王芳")
        expect(bar).to_have_attribute("data-status", "pending")
        room_row = page.locator('[data-testid="timeline-row"][data-table="牡丹厅"]')
        expect(room_row.get_by_test_id("timeline-bar")).to_have_count(1)
    finally:
        context.close()
