"""Browser test of the guest list and guest page (G1, G5): a desk agent finds a guest by the
phone's last digits, sees the number masked, reveals it (audited), and adds a further phone
inline — at tablet width."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.guests.services import guest_create

pytestmark = pytest.mark.e2e


def sign_in(page, username: str):
    page.goto("/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(username)


def test_the_desk_finds_a_guest_reveals_the_phone_and_adds_another(live_org, new_page):
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        guest = guest_create(
            acting_user=hq, name="王大明", surname="王", gender="m", primary_phone="13800138000"
        )
        guest_create(acting_user=hq, name="李四", primary_phone="13900139111")

    page = new_page(width=820, height=1180)
    sign_in(page, "t1-desk")
    page.goto("/guests/")
    expect(page.get_by_test_id("guest-row")).to_have_count(2)
    page.get_by_test_id("field-phone_tail").locator("input").fill("8000")
    expect(page.get_by_test_id("guest-row")).to_have_count(1)
    expect(page.get_by_test_id("guest-phone")).to_have_text("138****8000")
    page.get_by_test_id("guest-link").click()

    expect(page.get_by_test_id("guest-heading")).to_have_text("王先生")
    expect(page.get_by_test_id("guest-phone")).to_have_text("138****8000")
    page.get_by_test_id("reveal-phone").click()
    expect(page.get_by_test_id("guest-phone")).to_have_text("138 0013 8000")
    with tenant_context(live_org["tenant"]):
        assert AuditEntry.objects.filter(action="reveal", object_id=str(guest.pk)).count() == 1

    form = page.get_by_test_id("phone-form")
    form.get_by_test_id("field-phone").locator("input").fill("12345")
    form.get_by_test_id("phone-submit").click()
    expect(page.get_by_test_id("error-phone")).to_be_visible()
    form = page.get_by_test_id("phone-form")
    form.get_by_test_id("field-phone").locator("input").fill("021 6288 1234")
    form.get_by_test_id("field-label").locator("input").fill("办公室")
    form.get_by_test_id("phone-submit").click()
    expect(page.get_by_test_id("phone-row")).to_have_count(1)
    expect(page.get_by_test_id("phone-row")).to_contain_text("021****1234")
