"""Two reservation-desk screens of one store in Chromium (R2, R3, M3): a call pops the caller's
sheet on both at once; one agent books the private room from the pop, and the other, watching
the floor page, sees the room taken without reloading."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.guests.services import guest_create
from huike.live.tests.conftest import thread_server  # noqa: F401  (uvicorn: SSE needs ASGI)
from huike.reservations.models import Booking
from huike.reservations.tests.conftest import make_floor
from huike.telephony import services

from .conftest import wait_until_live
from .test_guest_sheet import sign_in

pytestmark = pytest.mark.e2e


def _open(browser, base_url, username):
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, username)
    return context, page


def _follow(page, path: str) -> None:
    """Open a live page and wait until its stream has subscribed."""
    page.goto(path)
    wait_until_live(page)


def test_a_call_pops_on_two_desks_and_a_booking_shows_on_the_other_desks_floor(
    live_org,
    browser,
    thread_server,  # noqa: F811
):
    store = live_org["store"]
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        guest_create(acting_user=hq, name="王芳", primary_phone="13800138000", taboos="不吃辣")
        room = make_floor(store)["牡丹厅"]
        line = services.line_create(acting_user=hq, store=store, name="订餐热线", code="desk-1")
    desk_context, desk = _open(browser, thread_server, live_org["users"]["desk"].username)
    captain_context, captain = _open(browser, thread_server, live_org["users"]["captain"].username)
    try:
        _follow(desk, "/telephony/desk/")
        _follow(captain, "/telephony/desk/")
        with tenant_context(live_org["tenant"]):
            services.call_receive(line=line, call_id="two-desks-1", caller="13800138000")
        for page in (desk, captain):
            expect(page.get_by_test_id("pop-name")).to_contain_text("王芳")
            expect(page.get_by_test_id("pop-taboos")).to_contain_text("不吃辣")

        _follow(captain, f"/reservations/floor/?store={store.pk}")
        on_floor = captain.locator('[data-testid="floor-table"][data-table="牡丹厅"]')
        expect(on_floor).to_have_attribute("data-state", "free")

        start = timezone.now().astimezone(zoneinfo.ZoneInfo(store.time_zone))
        start = (start + dt.timedelta(minutes=60)).replace(second=0, microsecond=0)
        desk.get_by_test_id("pop-reserve").click()
        expect(desk.get_by_test_id("field-guest_phone").locator("input")).to_have_value(
            "+8613800138000"
        )
        desk.get_by_test_id("field-store").locator("select").select_option(str(store.pk))
        desk.get_by_test_id("field-date").locator("input").fill(start.date().isoformat())
        desk.get_by_test_id("field-time").locator("input").fill(start.strftime("%H:%M"))
        desk.get_by_test_id("field-party_size").locator("input").fill("8")
        desk.get_by_test_id("field-table").locator("select").select_option(str(room.pk))
        desk.get_by_test_id("booking-submit").click()
        expect(desk.get_by_test_id("booking-form")).to_have_count(0)

        expect(on_floor).to_have_attribute("data-state", "booked")  # no reload: the live event
        expect(on_floor.get_by_test_id("floor-table-guest")).to_contain_text("王芳")
        with tenant_context(live_org["tenant"]):
            booking = Booking.objects.get()
            assert (booking.table_id, booking.party_size) == (room.pk, 8)
    finally:
        desk_context.close()
        captain_context.close()
