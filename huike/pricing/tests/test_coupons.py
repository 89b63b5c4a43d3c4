"""Coupons in the pricing function: valued after member pricing on the amount still due, a
coupon that refuses member pricing, and 满返 judged on what is paid after coupons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huike.core import errors
from huike.core.testing import assert_problem
from huike.coupons import services as coupons
from huike.pricing import services
from huike.pricing.pricing import price_order

from .conftest import line

D = Decimal


@pytest.fixture
def template(hq):
    def make(name="代金券20", *, stacks=True, face_value="20"):
        return coupons.template_create(
            acting_user=hq,
            name=name,
            kind="cash",
            face_value=face_value,
            valid_days=30,
            stacks_with_member_pricing=stacks,
        )

    return make


@pytest.fixture
def issue(org, hq, guest):
    def make(tpl):
        return coupons.coupon_issue(
            acting_user=hq, template=tpl, guest=guest, store=org["store"], send=False
        )

    return make


def quote(org, card, lines, **kw):
    return price_order(store=org["store"], card=card, lines=lines, **kw)


def test_a_cash_coupon_comes_after_member_pricing(org, hq, dishes, card, template, issue):
    services.member_price_create(acting_user=hq, dish=dishes["fish"], price="110")
    coupon = issue(template())
    result = quote(org, card, [line(dishes["fish"])], coupons=[coupon], service_charge=D("10"))
    assert (result.member_discount, result.total) == (D("18.00"), D("120.00"))
    assert result.coupon_uses == [(coupon, D("20.00"))] and result.coupon_total == D("20.00")
    assert result.due == D("100.00")


def test_a_coupon_never_takes_more_than_the_dishes_still_due(org, dishes, card, template, issue):
    coupon = issue(template(face_value="100"))
    result = quote(org, card, [line(dishes["pork"])], coupons=[coupon], service_charge=D("5"))
    assert result.coupon_total == D("48.00") and result.due == D("5.00")


def test_a_coupon_refusing_member_pricing_is_refused_on_a_member_priced_order(
    org, hq, dishes, card, template, issue
):
    coupon = issue(template(stacks=False))
    plain = quote(org, card, [line(dishes["fish"])], coupons=[coupon])
    assert plain.due == D("108.00")  # no member price yet: the coupon is welcome
    services.member_price_create(acting_user=hq, dish=dishes["fish"], price="110")
    with pytest.raises(errors.InvalidInput) as refused:
        quote(org, card, [line(dishes["fish"])], coupons=[coupon])
    assert refused.value.code == "coupon_stacking" and "coupons" in refused.value.fields


def test_spend_and_return_is_judged_on_what_is_paid_after_coupons(
    org, dishes, card, rule, template, issue
):
    back = template("返券10", face_value="10")
    rule("spend_return", threshold="200", return_template=back)
    order = [line(dishes["fish"]), line(dishes["pork"], "2")]  # 224.00
    assert quote(org, card, order).returns == [back]
    assert quote(org, None, order).returns == []
    assert quote(org, card, [line(dishes["fish"])]).returns == []
    coupon = issue(template("代金券30", face_value="30"))
    result = quote(org, card, order, coupons=[coupon])
    assert result.due == D("194.00") and result.returns == []


def test_spend_and_return_for_every_full_amount_returns_several(org, dishes, card, rule, template):
    back = template("返券10", face_value="10")
    rule("spend_return", threshold="100", return_template=back, repeat=True)
    order = [line(dishes["wine"], "1"), line(dishes["fish"])]  # 428
    assert quote(org, card, order).returns == [back] * 4


def test_only_the_highest_spend_and_return_rule_reached_applies(org, dishes, card, rule, template):
    rule("spend_return", threshold="100", return_template=template("返券10"), repeat=True)
    top = template("返券50", face_value="50")
    rule("spend_return", threshold="400", return_template=top)
    rule("spend_return", threshold="500", return_template=template("返券80", face_value="80"))
    result = quote(org, card, [line(dishes["wine"], "1"), line(dishes["fish"])])  # 428
    assert result.returns == [top] and any("返券50" in step for step in result.steps)


def test_the_quote_api_values_coupons_and_lists_the_returns(
    api, org, dishes, card, rule, template, issue
):
    back = template("返券10", face_value="10")
    rule("spend_return", threshold="100", return_template=back)
    coupon = issue(template())
    payload = {
        "store": org["store"].pk,
        "member_card": "G0001",
        "lines": [{"dish_code": "D1", "qty": 1}],
        "coupons": [coupon.code],
    }
    response = api("cashier").post("/pricing/quote", payload)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["coupons"] == [{"code": coupon.code, "value": "20.00"}]
    assert body["due"] == "108.00" and body["returns"] == [{"id": back.pk, "name": "返券10"}]


def test_the_quote_api_refuses_coupons_without_a_card_or_unknown(api, org, dishes, card):
    payload = {"store": org["store"].pk, "lines": [{"dish_code": "D1", "qty": 1}]}
    response = api("cashier").post("/pricing/quote", {**payload, "coupons": ["ABCD"]})
    assert_problem(response, 400, "invalid_input", ["coupons"])
    response = api("cashier").post(
        "/pricing/quote", {**payload, "member_card": "G0001", "coupons": ["ABCDEFGH2345"]}
    )
    assert_problem(response, 400, "coupon_not_found", ["coupons"])
