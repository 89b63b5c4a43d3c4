"""Browser test of dedupe and merge (G4): HQ scans for duplicates, compares a pair side by side,
keeps the older profile, sees the other's taboo joined and its order moved, then undoes
the merge from the merge record."""

import pytest
from playwright.sync_api import expect

from huike.core.tenancy import tenant_context
from huike.guests.models import Guest, GuestMerge
from huike.guests.services import guest_create, guest_phone_add
from huike.orders.models import Order
from huike.orders.services import order_post
from huike.orders.tests.factories import make_menu, order_args
from tests.e2e.test_guest_sheet import sign_in

pytestmark = pytest.mark.e2e


def test_hq_merges_a_duplicate_and_undoes_it(live_org, new_page):
    with tenant_context(live_org["tenant"]):
        hq = live_org["users"]["hq"]
        make_menu()
        kept = guest_create(acting_user=hq, name="王大明", primary_phone="13800138000")
        dup = guest_create(
            acting_user=hq, name="王总", primary_phone="13900139000", taboos="花生过敏"
        )
        for guest in (kept, dup):
            guest_phone_add(acting_user=hq, guest=guest, phone="0731 8888 6666", label="办公室")
        order_post(acting_user=hq, **order_args(live_org["store"], guest_phone="13800138000"))
        order_post(
            acting_user=hq,
            **order_args(live_org["store"], pos_order_id="P-0002", guest_phone="13900139000"),
        )

    page = new_page(width=1280, height=900)
    sign_in(page, "t1-hq")
    page.goto("/guests/")
    page.get_by_test_id("guest-duplicates-link").click()
    expect(page.get_by_test_id("duplicate-empty")).to_be_visible()
    page.get_by_test_id("duplicate-scan").click()
    expect(page.get_by_test_id("duplicate-row")).to_have_count(1)
    expect(page.get_by_test_id("duplicate-reason")).to_have_text("同一电话")
    page.get_by_test_id("duplicate-compare").click()

    expect(page.get_by_test_id("merge-heading")).to_be_visible()
    expect(page.get_by_test_id("merge-row-taboos")).to_contain_text("花生过敏")
    # As many visits each: the older profile is preselected as the one to keep.
    expect(page.get_by_label(f"#{kept.pk} 王大明")).to_be_checked()
    page.get_by_test_id("field-reason").locator("input").fill("同一位客人")
    page.get_by_test_id("merge-submit").click()

    expect(page.get_by_test_id("merge-detail-heading")).to_be_visible()
    expect(page.get_by_test_id("merge-moved-orders")).to_contain_text("订单 × 1")
    with tenant_context(live_org["tenant"]):
        assert Guest.objects.get(pk=dup.pk).merged_into_id == kept.pk
        assert Guest.objects.get(pk=kept.pk).taboos == "花生过敏"

    page.get_by_test_id("merge-survivor").click()
    expect(page.get_by_test_id("guest-heading")).to_be_visible()
    expect(page.locator("body")).to_contain_text("花生过敏")
    page.go_back()

    page.get_by_test_id("field-reason").locator("input").fill("不是同一人")
    page.get_by_test_id("merge-undo-submit").click()
    expect(page.get_by_test_id("merge-undone")).to_contain_text("不是同一人")
    with tenant_context(live_org["tenant"]):
        assert Guest.objects.get(pk=dup.pk).merged_into_id is None
        assert Guest.objects.get(pk=kept.pk).taboos == ""
        assert Order.objects.get(pos_order_id="P-0001").guest_id == kept.pk
        assert Order.objects.get(pos_order_id="P-0002").guest_id == dup.pk
        assert GuestMerge.objects.get().undone_at is not None
