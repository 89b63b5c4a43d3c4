"""The reservation desk in Chromium: a call posted for the store pops at the desk (live.js on
the desk channel → the pop partial), and an unknown caller becomes a guest from the pop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.guests.models import Guest
from huike.guests.services import guest_create
from huike.live.tests.conftest import thread_server  # noqa: F401  (uvicorn: SSE needs ASGI)
from huike.telephony import services
from huike.telephony.models import IncomingCall

from .conftest import wait_until_live
from .test_guest_sheet import sign_in

pytestmark = pytest.mark.e2e


def test_a_ringing_call_pops_at_the_desk_and_an_unknown_caller_becomes_a_guest(
    live_org,
    browser,
    thread_server,  # noqa: F811
):
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        guest_create(acting_user=hq, name="王芳", primary_phone="13800138000", taboos="花生过敏")
        line = services.line_create(
            acting_user=hq, store=live_org["store"], name="订餐热线", code="desk-1"
        )
    context = browser.new_context(base_url=thread_server, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, live_org["users"]["desk"].username)
        page.goto("/telephony/desk/")
        wait_until_live(page)
        with tenant_context(live_org["tenant"]):
            services.call_receive(line=line, call_id="c-1", caller="13800138000")
        expect(page.get_by_test_id("pop-name")).to_contain_text("王芳")
        expect(page.get_by_test_id("pop-taboos")).to_contain_text("花生过敏")
        expect(page.get_by_test_id("desk-call")).to_have_count(1)

        with tenant_context(live_org["tenant"]):
            services.call_receive(line=line, call_id="c-2", caller="13900001111")
        expect(page.get_by_test_id("pop-unknown")).to_be_visible()
        expect(page.get_by_test_id("input-primary_phone")).to_have_value("+8613900001111")
        page.get_by_test_id("input-name").fill("李雷")
        page.get_by_test_id("pop-guest-submit").click()
        expect(page.get_by_test_id("pop-name")).to_contain_text("李雷")
        with tenant_context(live_org["tenant"]):
            guest = Guest.objects.get(primary_phone="+8613900001111")
            assert IncomingCall.objects.get(call_id="c-2").guest_id == guest.pk
    finally:
        context.close()
