"""Browser tests: Playwright drives Debian's Chromium against the live test server."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.which(path):
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium when run as root")
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_org(transactional_db):
    """The brand group of the shared fixtures, committed so the live server sees it."""
    from conftest import _setup_tenant

    tenant, data = _setup_tenant("t1", "测试集团")
    return {"tenant": tenant, **data}


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()`` opens a fresh browser session (its own cookies) at tablet size, in a
    Chinese browser, with the live server as base URL."""
    contexts = []

    def make(*, locale: str = "zh-CN", width: int = 1024, height: int = 768):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": width, "height": height},
            reduced_motion="reduce",  # no menu animation to click into
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def unfold_menu(page) -> None:
    """On a screen too narrow for the whole menu, open it with its toggle."""
    toggle = page.get_by_test_id("menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def open_menu_item(page, testid: str) -> None:
    """Click a menu entry as staff do: unfold the menu where the screen is narrow, open the
    entry's group, click the entry, and wait until its page is there."""
    unfold_menu(page)
    item = page.get_by_test_id(testid)
    if not item.is_visible():
        page.locator(f"[data-menu-group]:has([data-testid='{testid}']) > .dropdown-toggle").click()
    href = item.get_attribute("href")
    item.click()
    page.wait_for_url(f"**{href}")


def wait_until_live(page) -> None:
    """Wait until the page's live stream is subscribed (live.js marks <html> on its "ready"
    event): from then on every event published reaches the page."""
    expect(page.locator("html")).to_have_attribute("data-live-ready", "true")
