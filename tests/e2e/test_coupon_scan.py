"""Browser test of the cashier's coupon scanner (L7): a cashier signs in, opens the scanner from
the menu, "scans" a coupon (the handheld scanner types the code and Enter), sees it, redeems it
(核销), and scanning it again shows it was already used."""

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.coupons import services
from huike.coupons.models import Coupon
from huike.guests.services import guest_create
from tests.e2e.conftest import open_menu_item
from tests.e2e.test_guest_sheet import sign_in

pytestmark = pytest.mark.e2e


def test_a_cashier_scans_and_redeems_a_coupon_once(live_org, new_page):
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        guest = guest_create(acting_user=hq, name="王大明", primary_phone="13800138000")
        template = services.template_create(
            acting_user=hq, name="代金券50元", kind="cash", face_value="50", valid_days=30
        )
        coupon = services.coupon_issue(acting_user=hq, template=template, guest=guest)

    page = new_page()
    sign_in(page, "t1-cashier")
    open_menu_item(page, "nav-coupons")
    page.get_by_test_id("coupon-scan-link").click()
    code = page.get_by_test_id("input-code")
    expect(code).to_be_focused()
    code.fill(coupon.code.lower())
    code.press("Enter")

    expect(page.get_by_test_id("scan-coupon")).to_be_visible()
    expect(page.get_by_test_id("scan-code")).to_have_text(coupon.code)
    expect(page.get_by_test_id("scan-status")).to_have_attribute("data-status", "issued")
    expect(page.get_by_test_id("scan-error")).to_have_count(0)
    page.get_by_test_id("redeem-submit").click()

    expect(page.get_by_test_id("scan-result")).to_have_attribute("data-status", "redeemed")
    expect(page.get_by_test_id("scan-status")).to_have_attribute("data-status", "redeemed")
    with tenant_context(live_org["tenant"]):
        assert Coupon.objects.get(pk=coupon.pk).status == "redeemed"
        assert coupon.events.filter(kind="redeemed").count() == 1

    code = page.get_by_test_id("input-code")
    expect(code).to_be_focused()
    code.fill(coupon.code)
    code.press("Enter")
    expect(page.get_by_test_id("scan-error")).to_have_attribute("data-code", "coupon_already_used")
    expect(page.get_by_test_id("redeem-form")).to_have_count(0)
