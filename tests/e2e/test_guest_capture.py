"""Browser test of issue 4: a captain records a taboo at the ordering form, and a waiter's 360
shows it while the spend stays hidden from them (G2, G3, G5)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from huike.core.tenancy import tenant_context
from huike.guests.models import Guest
from huike.guests.services import guest_create

pytestmark = pytest.mark.e2e


def sign_in(page, username: str):
    page.goto("/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(username)


def test_a_captain_records_a_taboo_and_the_waiters_360_shows_it_without_the_spend(
    live_org, new_page
):
    with tenant_context(live_org["tenant"]):
        guest = guest_create(
            acting_user=live_org["users"]["hq"],
            name="王大明",
            surname="王",
            gender="m",
            primary_phone="13800138000",
        )
        Guest.objects.filter(pk=guest.pk).update(total_spend=Decimal("8888.00"), visit_count=6)

    captain = new_page()
    sign_in(captain, "t1-captain")
    captain.goto(f"/guests/{guest.pk}/360/")
    expect(captain.get_by_test_id("profile-name")).to_contain_text("王先生")
    captain.get_by_test_id("capture-link-ordering").click()
    form = captain.get_by_test_id("capture-ordering-form")
    expect(form).to_be_visible()
    form.get_by_test_id("capture-submit").click()  # nothing filled in yet
    expect(captain.get_by_test_id("form-errors")).to_be_visible()
    form = captain.get_by_test_id("capture-ordering-form")
    form.get_by_test_id("field-age_band").locator("select").select_option("46_55")
    form.get_by_test_id("field-taste").locator("input").fill("偏辣")
    form.get_by_test_id("field-taboos").locator("input").fill("花生过敏")
    form.get_by_test_id("capture-submit").click()
    expect(captain).to_have_url(re.compile(rf"/guests/{guest.pk}/360/$"))
    expect(captain.get_by_test_id("profile-taboos")).to_contain_text("花生过敏")
    feedback = captain.get_by_test_id("section-feedback")
    expect(feedback.get_by_test_id("feedback-item")).to_have_count(1)
    expect(feedback.get_by_test_id("feedback-line-taboos")).to_have_text("花生过敏")
    expect(feedback.get_by_test_id("feedback-meta")).to_contain_text("captain员工")
    expect(feedback.get_by_test_id("feedback-meta")).to_contain_text("测试集团一店")

    waiter = new_page()
    sign_in(waiter, "t1-waiter")
    waiter.goto(f"/guests/{guest.pk}/360/")
    expect(waiter.get_by_test_id("section-profile")).to_be_visible()
    expect(waiter.get_by_test_id("profile-taboos")).to_contain_text("花生过敏")
    expect(waiter.get_by_test_id("profile-taste_preferences")).to_have_text("偏辣")
    expect(waiter.get_by_test_id("profile-total_spend")).to_have_count(0)
    expect(waiter.get_by_test_id("section-feedback")).to_have_count(0)
    expect(waiter.get_by_test_id("profile-phone")).to_have_text("138****8000")
    expect(waiter.locator("body")).not_to_contain_text("8,888")

    hq = new_page()
    sign_in(hq, "t1-hq")
    hq.goto(f"/guests/{guest.pk}/360/")
    expect(hq.get_by_test_id("profile-total_spend")).to_have_text("¥8,888.00")
    expect(hq.get_by_test_id("profile-phone")).to_have_text("138 0013 8000")
