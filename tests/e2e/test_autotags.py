"""Browser test of the auto-tag rule editor: HQ adds a condition row, picks the dish metric
(its dish-code box appears), saves, and the rule is stored and shown again on the edit page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD
from huike.core.tenancy import tenant_context
from huike.guests.models import GuestTag

pytestmark = pytest.mark.e2e


def test_hq_builds_a_rule_in_the_editor(live_org, new_page):
    page = new_page()
    page.goto("/login/")
    page.get_by_test_id("login-username").fill("t1-hq")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.goto(reverse("tag_list"))
    form = page.get_by_test_id("tag-form")
    form.get_by_test_id("input-name").fill("鱼头控")
    form.get_by_test_id("rule-row-add").click()
    form.get_by_test_id("rule-row-add").click()
    rows = form.get_by_test_id("rule-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_test_id("rule-dish")).to_be_hidden()
    rows.nth(0).get_by_test_id("rule-metric").select_option("ordered_dish")
    rows.nth(0).get_by_test_id("rule-dish").fill("D001")
    rows.nth(0).get_by_test_id("rule-value").fill("3")
    rows.nth(1).get_by_test_id("rule-metric").select_option("total_spend")
    rows.nth(1).get_by_test_id("rule-op").select_option("<=")
    rows.nth(1).get_by_test_id("rule-value").fill("500")
    form.get_by_test_id("tag-submit").click()
    expect(page.get_by_test_id("tag-row")).to_have_count(1)
    with tenant_context(live_org["tenant"]):
        tag = GuestTag.objects.get(name="鱼头控")
    assert tag.rule == [
        {"metric": "ordered_dish", "op": ">=", "value": 3, "dish": "D001"},
        {"metric": "total_spend", "op": "<=", "value": "500.00"},
    ]
    page.goto(reverse("tag_edit", args=[tag.pk]))
    rows = page.get_by_test_id("rule-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_test_id("rule-dish")).to_have_value("D001")
    expect(rows.nth(1).get_by_test_id("rule-metric")).to_have_value("total_spend")
