"""Console pages (templates, issue, coupon, void, the scanner) and the public coupon page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from huike.coupons import services
from huike.coupons.models import Coupon, CouponTemplate
from huike.guests.profile360 import guest_360
from huike.messaging.models import Message

from .conftest import make_template


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_menu_and_the_template_list(users, cash_template):
    page = client_for(users["cashier"]).get("/coupons/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="nav-coupons"' in html and html.count('data-testid="template-row"') == 1
    assert 'data-testid="template-create"' not in html
    assert (
        'data-testid="template-create"'
        in client_for(users["marketing"]).get("/coupons/").content.decode()
    )
    assert 'data-testid="nav-coupons"' not in client_for(users["waiter"]).get("/").content.decode()


def test_marketing_designs_a_template(users, org):
    client = client_for(users["marketing"])
    assert client.get("/coupons/templates/new/").status_code == 200
    bad = client.post("/coupons/templates/new/", {"name": "九折券", "kind": "percent"})
    assert bad.status_code == 200 and 'data-testid="error-percent_off"' in bad.content.decode()
    assert CouponTemplate.objects.count() == 0
    done = client.post(
        "/coupons/templates/new/",
        {
            "name": "九折券",
            "kind": "percent",
            "percent_off": "10",
            "min_spend": "0",
            "valid_days": "30",
            "wait_days": "0",
            "stores": [org["store"].pk],
            "stacks_with_member_pricing": "on",
            "active": "on",
        },
    )
    template = CouponTemplate.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/coupons/templates/{template.pk}/"
    assert template.percent_off == 10 and template.stacks_with_member_pricing
    assert not template.stacks_with_other_coupons
    edit = client.post(
        f"/coupons/templates/{template.pk}/edit/",
        {"name": "九折券", "kind": "percent", "percent_off": "10", "valid_days": "60"},
    )
    assert edit.status_code == 302
    template.refresh_from_db()
    assert template.valid_days == 60 and list(template.stores.all()) == []
    assert client_for(users["cashier"]).get("/coupons/templates/new/").status_code == 403


def test_issue_from_the_template_page_once_per_token(users, org, guest, cash_template):
    client = client_for(users["desk"])
    page = client.get(f"/coupons/templates/{cash_template.pk}/")
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    data = {"token": token, "guest_phone": "13800138000", "store": org["store"].pk, "send": "on"}
    first = client.post(f"/coupons/templates/{cash_template.pk}/", data)
    second = client.post(f"/coupons/templates/{cash_template.pk}/", data)
    coupon = Coupon.objects.get()
    assert first["Location"] == second["Location"] == f"/coupons/code/{coupon.code}/"
    assert Message.objects.filter(purpose="loyalty.coupon_issued").count() == 1
    bad = client.post(
        f"/coupons/templates/{cash_template.pk}/", {**data, "token": "t2", "guest_phone": "123"}
    )
    assert 'data-testid="error-guest_phone"' in bad.content.decode()
    assert Coupon.objects.count() == 1


def test_the_coupon_page_and_void(users, coupon):
    page = client_for(users["cashier"]).get(f"/coupons/code/{coupon.code}/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and 'data-testid="void-form"' not in html
    client = client_for(users["manager"])
    assert 'data-testid="void-form"' in client.get(f"/coupons/code/{coupon.code}/").content.decode()
    bad = client.post(f"/coupons/code/{coupon.code}/", {"reason": ""})
    assert 'data-testid="error-reason"' in bad.content.decode()
    done = client.post(f"/coupons/code/{coupon.code}/", {"reason": "重复"})
    assert done.status_code == 302
    assert Coupon.objects.get(pk=coupon.pk).status == "voided"
    assert client.get("/coupons/code/ABCDEFGHJKMN/").status_code == 404


def test_the_scanner_checks_then_redeems_once(users, org, coupon):
    client = client_for(users["cashier"])
    page = client.get("/coupons/scan/")
    html = page.content.decode()
    assert "autofocus" in html and 'data-testid="scan-camera"' in html and "jsQR.js" in html
    checked = client.get("/coupons/scan/", {"store": org["store"].pk, "code": coupon.code.lower()})
    html = checked.content.decode()
    assert 'data-testid="scan-coupon"' in html and 'data-testid="redeem-form"' in html
    assert Coupon.objects.get(pk=coupon.pk).status == "issued"
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    data = {"token": token, "code": coupon.code, "store": org["store"].pk, "amount": ""}
    for _ in range(2):  # a double click
        done = client.post("/coupons/scan/", data)
        assert 'data-testid="scan-result"' in done.content.decode()
    assert coupon.events.filter(kind="redeemed").count() == 1
    again = client.get("/coupons/scan/", {"store": org["store"].pk, "code": coupon.code})
    html = again.content.decode()
    assert 'data-code="coupon_already_used"' in html and 'data-testid="redeem-form"' not in html
    unknown = client.get("/coupons/scan/", {"store": org["store"].pk, "code": "NOPE"})
    assert 'data-code="coupon_not_found"' in unknown.content.decode()
    other = client.post("/coupons/scan/", {**data, "token": "another"})
    assert 'data-code="coupon_already_used"' in other.content.decode()


def test_the_public_page_shows_the_coupon_and_nothing_personal(org, guest, coupon):
    client = Client()
    page = client.get(f"/coupons/c/{coupon.code}/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert coupon.code in html and coupon.template.name in html and "<svg" in html
    assert guest.name not in html and "8000" not in html
    svg = client.get(f"/coupons/c/{coupon.code}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert client.get("/coupons/c/ABCDEFGHJKMN/").status_code == 404
    assert client.get("/coupons/c/bad!/qr.svg").status_code == 404


def test_the_guest_360_lists_the_coupons(users, guest, coupon):
    sections = {s["code"]: s for s in guest_360(user=users["hq"], guest=guest)["sections"]}
    assert [c["code"] for c in sections["coupons"]["data"]["coupons"]] == [coupon.code]
    page = client_for(users["hq"]).get(f"/guests/{guest.pk}/360/")
    assert 'data-testid="guest-coupon"' in page.content.decode()
    sections = {s["code"] for s in guest_360(user=users["waiter"], guest=guest)["sections"]}
    assert "coupons" not in sections


@pytest.mark.parametrize("role", ["waiter", "agent"])
def test_roles_without_coupons_get_403(users, role, coupon):
    assert client_for(users[role]).get("/coupons/scan/").status_code == 403


def test_an_issued_coupon_follows_a_guest_merge(hq, guest):
    from huike.guests.merging import guest_merge
    from huike.guests.services import guest_create

    duplicate = guest_create(acting_user=hq, name="王芳", primary_phone="13900139002")
    coupon = services.coupon_issue(acting_user=hq, template=make_template(hq), guest=duplicate)
    guest_merge(acting_user=hq, survivor=guest, merged=duplicate)
    assert Coupon.objects.get(pk=coupon.pk).guest_id == guest.pk


def test_the_coupons_section_reads_in_one_query(users, guest, hq, django_assert_num_queries):
    from huike.core.permissions import has_perm
    from huike.coupons.sections import coupons

    template = make_template(hq)
    for _ in range(3):
        services.coupon_issue(acting_user=hq, template=template, guest=guest, send=False)
    user = users["manager"]
    assert has_perm(user, "coupons.view")  # the role is read once per request
    with django_assert_num_queries(1):
        data = coupons(user=user, guest=guest)
    assert len(data["coupons"]) == 3
