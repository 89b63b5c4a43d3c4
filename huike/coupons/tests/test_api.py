"""The coupons API: templates, issue by id or phone, check, redeem with an Idempotency-Key,
void; errors in the problem shape."""

from __future__ import annotations

import pytest

from huike.core.testing import assert_problem
from huike.coupons.models import Coupon, CouponTemplate

from .conftest import counts

TEMPLATE = {"name": "代金券20元", "kind": "cash", "face_value": "20", "valid_days": 30}


@pytest.fixture
def template_id(api):
    response = api("marketing").post("/coupons/templates", TEMPLATE)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_templates(api, org, template_id):
    body = api().get(f"/coupons/templates/{template_id}").json()
    assert body["face_value"] == "20.00" and body["valid_days"] == 30 and body["stores"] == []
    changed = api("marketing").patch(
        f"/coupons/templates/{template_id}", {"stores": [org["store"].pk], "total_limit": 5}
    )
    assert changed.status_code == 200
    assert changed.json()["stores"] == [org["store"].pk] and changed.json()["total_limit"] == 5
    assert [t["id"] for t in api("cashier").get("/coupons/templates").json()] == [template_id]


def test_template_errors(api, template_id):
    bad = api("marketing").post("/coupons/templates", {**TEMPLATE, "face_value": None})
    assert_problem(bad, 400, "invalid_input", ["face_value"])
    assert_problem(api("cashier").post("/coupons/templates", TEMPLATE), 403, "permission_denied")
    unknown = api("marketing").post("/coupons/templates", {**TEMPLATE, "colour": "red"})
    assert unknown.status_code in (400, 422)
    assert_problem(api().get("/coupons/templates/999999"), 404, "not_found")
    assert CouponTemplate.objects.count() == 1


def test_issue_check_redeem_void(api, org, guest, template_id):
    issued = api("desk").post(
        "/coupons/issue", {"template": template_id, "guest_phone": "13800138000"}
    )
    assert issued.status_code == 201, issued.json()
    code = issued.json()["code"]
    assert issued.json()["guest"] == guest.pk and issued.json()["usable"] is None

    checked = api("cashier").get(f"/coupons/{code}?store={org['store'].pk}").json()
    assert checked["usable"] is True and checked["problem"] is None

    cashier = api("cashier", language="en")
    redeemed = cashier.post(
        "/coupons/redeem",
        {"code": code, "store": org["store"].pk, "amount": "88.00"},
        headers={"Idempotency-Key": "till-1"},
    )
    assert redeemed.status_code == 200 and redeemed.json()["status"] == "redeemed"
    replay = cashier.post(
        "/coupons/redeem",
        {"code": code, "store": org["store"].pk, "amount": "88.00"},
        headers={"Idempotency-Key": "till-1"},
    )
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    again = cashier.post(
        "/coupons/redeem",
        {"code": code, "store": org["store"].pk},
        headers={"Idempotency-Key": "till-2"},
    )
    body = assert_problem(again, 409, "coupon_already_used", ["code"])
    assert body["message"].startswith("This coupon was already used on ")
    checked = api("cashier").get(f"/coupons/{code}?store={org['store'].pk}").json()
    assert checked["usable"] is False and checked["problem"]["code"] == "coupon_already_used"
    assert_problem(
        api("manager").post(f"/coupons/{code}/void", {"reason": "x"}), 409, "coupon_already_used"
    )
    assert Coupon.objects.get(code=code).events.count() == 2


def test_issue_and_redeem_errors(api, org, guest, template_id):
    no_guest = api().post("/coupons/issue", {"template": template_id})
    assert_problem(no_guest, 400, "invalid_input", ["guest"])
    by_id = api().post("/coupons/issue", {"template": template_id, "guest": guest.pk})
    code = by_id.json()["code"]
    before = counts()
    no_key = api("cashier").post("/coupons/redeem", {"code": code, "store": org["store"].pk})
    assert_problem(no_key, 400, "idempotency_key_required")
    unknown = api("cashier").post(
        "/coupons/redeem",
        {"code": "ABCDEFGHJKMN", "store": org["store"].pk},
        headers={"Idempotency-Key": "k-1"},
    )
    assert_problem(unknown, 400, "coupon_not_found", ["code"])
    assert_problem(api().get("/coupons/ABCDEFGHJKMN"), 404, "coupon_not_found")
    short = api("cashier").post(
        "/coupons/redeem",
        {"code": code, "store": org["store"].pk, "amount": "0"},
        headers={"Idempotency-Key": "k-2"},
    )
    assert_problem(short, 400, "invalid_input", ["amount"])
    voided = api("manager").post(f"/coupons/{code}/void", {"reason": "重复发放"})
    assert voided.status_code == 200 and voided.json()["status"] == "voided"
    assert counts() == (before[0], before[1] + 1)
    used = api("cashier").post(
        "/coupons/redeem",
        {"code": code, "store": org["store"].pk},
        headers={"Idempotency-Key": "k-3"},
    )
    assert_problem(used, 400, "coupon_voided", ["code"])


def test_another_brand_group_sees_no_coupon(api, other_org, guest, template_id):
    from huike.core.testing import ApiClient

    code = api().post("/coupons/issue", {"template": template_id, "guest": guest.pk}).json()["code"]
    stranger = ApiClient(other_org["users"]["hq"])
    assert_problem(stranger.get(f"/coupons/{code}"), 404, "coupon_not_found")
    assert_problem(stranger.get(f"/coupons/templates/{template_id}"), 404, "not_found")
