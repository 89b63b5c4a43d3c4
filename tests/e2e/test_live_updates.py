"""live.js in Chromium: a page following a store channel hears the events published on it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.live.bus import bus_keys, publish
from huike.live.tests.conftest import (
    subscribed,
    thread_server,  # noqa: F401  (uvicorn: SSE needs ASGI)
)

from .conftest import wait_until_live
from .test_guest_sheet import sign_in

pytestmark = [
    pytest.mark.e2e,
    # WhiteNoise's static file under ASGI (huike/asgi.py silences it in production).
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def test_a_page_following_the_floor_receives_events_and_swaps(
    live_org,
    browser,
    thread_server,  # noqa: F811
):
    store = live_org["store"].pk
    context = browser.new_context(base_url=thread_server, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, live_org["users"]["captain"].username)
        page.evaluate(
            """([channel]) => {
                window.heard = [];
                document.addEventListener("live:table", (e) => window.heard.push(e.detail));
                const floor = document.createElement("div");
                floor.dataset.liveChannel = channel;
                floor.dataset.liveUrl = "/";
                floor.setAttribute("data-testid", "floor");
                document.body.append(floor);
            }""",
            [f"store:{store}:floor"],
        )
        with page.expect_response(lambda r: "/live/stream" in r.url):
            page.add_script_tag(url="/static/live/live.js")
        key = bus_keys(live_org["tenant"].pk, [f"store:{store}:floor"])[0]
        deadline = time.monotonic() + 5
        while not subscribed(key):
            assert time.monotonic() < deadline, "the page never subscribed"
            time.sleep(0.02)
        wait_until_live(page)  # and the page knows it
        with tenant_context(live_org["tenant"]):
            publish(f"store:{store}:floor", "table", {"table": "A1", "status": "seated"})
        page.wait_for_function("window.heard.length === 1")
        detail = page.evaluate("window.heard[0]")
        assert detail["channel"] == f"store:{store}:floor"
        assert detail["data"] == {"table": "A1", "status": "seated"}
        swapped = page.get_by_test_id("floor").get_by_test_id("current-user")
        expect(swapped).to_have_text(live_org["users"]["captain"].username)
    finally:
        context.close()
