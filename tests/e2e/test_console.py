"""Browser tests: staff click through the real console in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.e2e.conftest import open_menu_item, unfold_menu

pytestmark = pytest.mark.e2e


def sign_in(page, username: str, password: str = PASSWORD):
    page.goto("/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def test_hq_signs_in_in_chinese_switches_to_english_creates_a_store_and_finds_it_audited(
    live_org, new_page
):
    page = new_page(locale="zh-CN")
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("login-submit")).to_have_text("登录")
    sign_in(page, "t1-hq")
    expect(page.get_by_test_id("current-user")).to_have_text("t1-hq")
    expect(page.get_by_test_id("nav-stores")).to_have_text("门店")

    unfold_menu(page)
    page.get_by_test_id("language-select").first.select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("nav-stores")).to_have_text("Stores")

    open_menu_item(page, "nav-stores")
    page.get_by_test_id("store-create").click()
    form = page.get_by_test_id("store-form")
    form.locator("#id_brand").select_option(label="测试集团品牌")
    form.locator("#id_code").fill("cs-new")
    form.locator("#id_name").fill("测试集团·橘子洲店")
    form.locator("#id_city").fill("长沙")
    form.locator("#id_address").fill("岳麓区橘子洲头 1 号")
    form.locator("#id_latitude").fill("91")  # a slip of the finger first
    form.locator("#id_longitude").fill("112.9600")
    form.locator("#id_hours_mon").fill("10:30-14:00, 17:00-21:30")
    page.get_by_test_id("store-submit").click()
    expect(page.get_by_test_id("error-latitude")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("测试集团·橘子洲店")  # input kept

    page.locator("#id_latitude").fill("28.1800")
    page.get_by_test_id("store-submit").click()
    expect(page).to_have_url(re.compile(r"/org/stores/"))
    expect(page.get_by_test_id("store-row").filter(has_text="测试集团·橘子洲店")).to_be_visible()

    open_menu_item(page, "nav-audit")
    page.locator("#id_object").fill("橘子洲")
    page.get_by_test_id("audit-search-submit").click()
    row = page.get_by_test_id("audit-row").filter(has_text="测试集团·橘子洲店")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("t1-hq")
    expect(row).to_contain_text("create")


def test_a_waiter_is_refused_the_role_editor(live_org, new_page):
    page = new_page(locale="zh-CN")
    sign_in(page, "t1-waiter")
    expect(page.get_by_test_id("current-user")).to_have_text("t1-waiter")
    expect(page.get_by_test_id("nav-roles")).to_have_count(0)
    page.goto("/org/roles/")
    expect(page.get_by_test_id("forbidden")).to_be_visible()
    expect(page.get_by_test_id("forbidden-message")).to_contain_text("您没有执行此操作的权限")


def test_hq_edits_a_role_and_the_console_fits_a_tablet(live_org, new_page):
    page = new_page(locale="zh-CN", width=768, height=1024)
    sign_in(page, "t1-hq")
    toggle = page.get_by_test_id("menu-toggle")
    expect(toggle).to_be_visible()
    toggle.click()
    open_menu_item(page, "nav-roles")
    page.get_by_test_id("role-row").filter(has_text="服务员").get_by_test_id("role-edit").click()
    page.get_by_test_id("perm-org.view").check()
    page.get_by_test_id("role-submit").click()
    expect(page.get_by_test_id("role-row").filter(has_text="服务员")).to_be_visible()

    waiter = new_page(locale="zh-CN")
    sign_in(waiter, "t1-waiter")
    expect(waiter.get_by_test_id("nav-stores")).to_have_count(1)  # now in the waiter's menu
