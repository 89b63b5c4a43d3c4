"""R5 in Chromium: the desk books a table by the form; the booking page shows the confirmation
SMS the guest was sent (through the stand-in Tencent gateway, over HTTP) with its status."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.guests.services import guest_create
from huike.messaging.tests.conftest import gateway  # noqa: F401
from huike.notices.tests.conftest import NOTICE_TEMPLATES
from huike.reservations.tests.conftest import make_floor, tomorrow_at

from .test_guest_sheet import sign_in

pytestmark = pytest.mark.e2e


def test_a_booking_shows_the_confirmation_sms_and_its_status(
    live_org,
    new_page,
    gateway,  # noqa: F811
    settings,
):
    settings.HUIKE_SMS_TEMPLATES = {**settings.HUIKE_SMS_TEMPLATES, **NOTICE_TEMPLATES}
    store = live_org["store"]
    with tenant_context(live_org["tenant"]):
        guest_create(acting_user=live_org["users"]["hq"], name="王芳", primary_phone="13800138000")
        make_floor(store)
    start = tomorrow_at(18, 30)

    page = new_page()
    sign_in(page, live_org["users"]["desk"].username)
    page.goto("/reservations/new/")
    page.get_by_test_id("field-guest_phone").locator("input").fill("13800138000")
    page.get_by_test_id("field-store").locator("select").select_option(str(store.pk))
    page.get_by_test_id("field-date").locator("input").fill(start.date().isoformat())
    page.get_by_test_id("field-time").locator("input").fill("18:30")
    page.get_by_test_id("field-party_size").locator("input").fill("2")
    page.get_by_test_id("booking-submit").click()
    expect(page.get_by_test_id("booking-heading")).to_be_visible()

    notice = page.get_by_test_id("booking-notice")
    expect(notice).to_have_count(1)
    expect(notice).to_have_attribute("data-kind", "confirmation")
    expect(notice).to_have_attribute("data-channel", "sms")
    expect(notice).to_have_attribute("data-status", "sent")
    expect(notice.get_by_test_id("notice-status")).to_contain_text("已发送")
    expect(notice).to_contain_text("王芳您好")
    [sent] = gateway.sent_to("+8613800138000")
    assert sent.template_id == NOTICE_TEMPLATES["notices.confirmation"]
    assert sent.params[3] == "18:30"
