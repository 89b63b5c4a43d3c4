"""The checkout interface: locking the guest's coupons for an order, valuing them on its lines,
and marking them used with the order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from huike.core import errors
from huike.coupons import services
from huike.coupons.checkout import coupon_value, coupons_lock_for_checkout, coupons_redeem_for_order
from huike.coupons.models import Coupon
from huike.guests.models import Guest
from huike.guests.services import guest_create

from .conftest import counts, make_template


@dataclass
class Line:
    dish_id: int
    qty: Decimal
    unit_price: Decimal
    line_total: Decimal
    discountable: bool = True


def issue(hq, guest, **template):
    return services.coupon_issue(
        acting_user=hq, template=make_template(hq, **template), guest=guest
    )


def lock(codes, guest, store):
    return coupons_lock_for_checkout(codes, guest=guest, store=store)


def refused(code, call, exc_type=errors.InvalidInput):
    with pytest.raises(exc_type) as caught:
        call()
    assert caught.value.code == code
    assert "coupons" in caught.value.fields
    return caught.value


def test_lock_returns_the_coupons_in_the_order_given(hq, org, guest):
    first = issue(hq, guest, stacks_with_other_coupons=True)
    second = issue(hq, guest, stacks_with_other_coupons=True)
    locked = lock([second.code.lower(), f" {first.code} "], guest, org["store"])
    assert [c.pk for c in locked] == [second.pk, first.pk]


def test_lock_refusals(hq, org, guest):
    alone = issue(hq, guest)
    stacking = issue(hq, guest, stacks_with_other_coupons=True)
    refused("coupon_duplicate", lambda: lock([alone.code, alone.code.lower()], guest, org["store"]))
    refused("coupon_stacking", lambda: lock([alone.code, stacking.code], guest, org["store"]))
    refused("coupon_not_found", lambda: lock(["ABCDEFGHJKMN"], guest, org["store"]))
    someone = guest_create(acting_user=hq, name="李四", primary_phone="13900139000")
    refused("coupon_not_owned", lambda: lock([alone.code], someone, org["store"]))
    wrong_store = issue(hq, guest, stores=[org["store2"].pk])
    refused("coupon_wrong_store", lambda: lock([wrong_store.code], guest, org["store"]))
    late = issue(hq, guest)
    Coupon.objects.filter(pk=late.pk).update(
        valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2020, 1, 2)
    )
    refused("coupon_expired", lambda: lock([late.code], guest, org["store"]))
    services.coupon_redeem(acting_user=hq, code=stacking.code, store=org["store"])
    refused(
        "coupon_already_used", lambda: lock([stacking.code], guest, org["store"]), errors.Conflict
    )


def test_a_merged_guests_coupon_is_the_survivors(hq, org, guest):
    duplicate = guest_create(acting_user=hq, name="王芳2", primary_phone="13900139001")
    coupon = issue(hq, duplicate)
    Guest.objects.filter(pk=duplicate.pk).update(merged_into=guest)
    assert lock([coupon.code], guest, org["store"]) == [coupon]


def test_values(hq, org, guest, dish):
    lines = [
        Line(dish.pk, Decimal("2"), Decimal("118.00"), Decimal("236.00")),
        Line(dish.pk + 1000, Decimal("1"), Decimal("50.05"), Decimal("50.05"), discountable=False),
    ]
    cash = issue(hq, guest, face_value="20")
    assert coupon_value(cash, lines=lines, amount=Decimal("10"), member_priced=False) == Decimal(
        "10"
    )
    percent = issue(hq, guest, kind="percent", percent_off=15)
    value = coupon_value(percent, lines=lines, amount=Decimal("286.05"), member_priced=False)
    assert value == Decimal("35.40")  # 15% of 236.00; the non-discountable line is left out
    capped = issue(hq, guest, kind="percent", percent_off=15, max_discount="30")
    assert coupon_value(capped, lines=lines, amount=Decimal("286.05"), member_priced=False) == (
        Decimal("30.00")
    )
    free = issue(hq, guest, kind="free_dish", dish=dish.pk)
    assert coupon_value(free, lines=lines, amount=Decimal("286.05"), member_priced=False) == (
        Decimal("118.00")
    )


def test_value_refusals(hq, org, guest, dish):
    lines = [Line(dish.pk + 1000, Decimal("1"), Decimal("50"), Decimal("50"))]
    needs_spend = issue(hq, guest, min_spend="100")
    refused(
        "coupon_min_spend",
        lambda: coupon_value(needs_spend, lines=lines, amount=Decimal("50"), member_priced=False),
    )
    plain = issue(hq, guest)
    refused(
        "coupon_stacking",
        lambda: coupon_value(plain, lines=lines, amount=Decimal("50"), member_priced=True),
    )
    member = issue(hq, guest, stacks_with_member_pricing=True)
    assert coupon_value(member, lines=lines, amount=Decimal("50"), member_priced=True) == Decimal(
        "20.00"
    )
    trial = issue(hq, guest, kind="trial", dish=dish.pk)
    refused(
        "coupon_dish_missing",
        lambda: coupon_value(trial, lines=lines, amount=Decimal("50"), member_priced=False),
    )


def test_redeem_for_an_order(hq, org, guest):
    from huike.orders.posting import order_post
    from huike.orders.tests.factories import make_menu, order_args

    make_menu()
    order = order_post(acting_user=hq, **order_args(org["store"]))
    first = issue(hq, guest, stacks_with_other_coupons=True)
    second = issue(hq, guest, stacks_with_other_coupons=True)
    locked = lock([first.code, second.code], guest, org["store"])
    before = counts()
    coupons_redeem_for_order(
        [(locked[0], Decimal("20.00")), (locked[1], Decimal("5.00"))],
        order=order,
        store=org["store"],
        acting_user=hq,
    )
    assert counts() == (before[0], before[1] + 2)
    rows = Coupon.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert [(c.status, c.redeemed_order_id, c.redeemed_value) for c in rows] == [
        ("redeemed", order.pk, Decimal("20.00")),
        ("redeemed", order.pk, Decimal("5.00")),
    ]
    events = [c.events.get(kind="redeemed") for c in rows]
    assert events[0].operation == events[1].operation
    assert events[0].reference == order.pos_order_id
