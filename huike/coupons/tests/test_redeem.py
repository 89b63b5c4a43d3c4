"""Redeeming (核销) a scanned coupon, voiding it, and the nightly expiry: each refusal has its
code and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huike.core import errors
from huike.core.models import JobRun
from huike.core.timeutils import local_today
from huike.coupons import services
from huike.coupons.jobs import COUPON_EXPIRY, coupon_expiry
from huike.coupons.models import Coupon, CouponEvent

from .conftest import counts, make_template


def redeem(user, coupon_or_code, store, **kw):
    code = getattr(coupon_or_code, "code", coupon_or_code)
    return services.coupon_redeem(acting_user=user, code=code, store=store, **kw)


def refused(exc_type, code, call):
    before = counts()
    with pytest.raises(exc_type) as caught:
        call()
    assert caught.value.code == code
    assert counts() == before
    return caught.value


def test_a_cashier_redeems_a_coupon_once(users, org, coupon):
    cashier = users["cashier"]
    done = redeem(cashier, coupon, org["store"].pk, amount="150", reference="R-1")
    assert done.status == "redeemed" and done.redeemed_store == org["store"]
    assert done.redeemed_by == cashier and done.redeemed_value == Decimal("20.00")
    event = coupon.events.get(kind="redeemed")
    assert (event.actor, event.store, event.value, event.reference) == (
        cashier,
        org["store"],
        Decimal("20.00"),
        "R-1",
    )
    problem = refused(
        errors.Conflict, "coupon_already_used", lambda: redeem(cashier, coupon, org["store"])
    )
    assert org["store"].name in str(problem.message)
    assert "code" in problem.fields


def test_the_code_may_be_typed_loosely_or_scanned_as_the_link(users, org, coupon):
    code = coupon.code
    loose = f"  {code[:4].lower()}-{code[4:8]} {code[8:]} "
    assert redeem(users["cashier"], loose, org["store"]).status == "redeemed"
    other = services.coupon_issue(
        acting_user=users["hq"], template=coupon.template, guest=coupon.guest
    )
    link = f"https://crm.example.com/coupons/c/{other.code}/"
    assert redeem(users["cashier"], link, org["store"]).status == "redeemed"


@pytest.mark.parametrize("code", ["NOSUCHCODE22", "0OIL", "", "ABCDEFGHJKMN"])
def test_unknown_codes(users, org, coupon, code):
    problem = refused(
        errors.InvalidInput,
        "coupon_not_found" if code else "invalid_input",
        lambda: redeem(users["cashier"], code, org["store"]),
    )
    assert "code" in problem.fields


def test_another_brand_groups_code_is_not_found(users, org, other_org, coupon):
    from huike.core.tenancy import tenant_context

    other_cashier = other_org["users"]["cashier"]
    with tenant_context(other_org["tenant"]):
        refused(
            errors.InvalidInput,
            "coupon_not_found",
            lambda: redeem(other_cashier, coupon, other_org["store"]),
        )
    assert Coupon.all_tenants.get(pk=coupon.pk).status == "issued"


def test_dates(hq, users, org, guest):
    waiting = make_template(hq, valid_days=5, wait_days=2)
    coupon = services.coupon_issue(acting_user=hq, template=waiting, guest=guest)
    refused(
        errors.InvalidInput,
        "coupon_not_yet_valid",
        lambda: redeem(users["cashier"], coupon, org["store"]),
    )
    Coupon.objects.filter(pk=coupon.pk).update(
        valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2020, 1, 5)
    )
    refused(
        errors.InvalidInput,
        "coupon_expired",
        lambda: redeem(users["cashier"], coupon, org["store"]),
    )


def test_stores_and_the_cashiers_own_store(hq, users, org, guest):
    template = make_template(hq, stores=[org["store2"].pk])
    coupon = services.coupon_issue(acting_user=hq, template=template, guest=guest)
    refused(
        errors.InvalidInput,
        "coupon_wrong_store",
        lambda: redeem(users["manager"], coupon, org["store"]),
    )
    problem = refused(
        errors.InvalidInput,
        "invalid_input",
        lambda: redeem(users["cashier"], coupon, org["store2"]),
    )
    assert "store" in problem.fields  # a cashier of store 1 redeems at store 1 only
    assert redeem(hq, coupon, org["store2"]).status == "redeemed"


def test_min_spend(hq, users, org, guest):
    template = make_template(hq, min_spend="100")
    coupon = services.coupon_issue(acting_user=hq, template=template, guest=guest)
    problem = refused(
        errors.InvalidInput,
        "coupon_min_spend",
        lambda: redeem(users["cashier"], coupon, org["store"], amount="99.99"),
    )
    assert "amount" in problem.fields
    refused(
        errors.InvalidInput,
        "invalid_input",
        lambda: redeem(users["cashier"], coupon, org["store"], amount="abc"),
    )
    assert redeem(users["cashier"], coupon, org["store"], amount="100").status == "redeemed"


def test_a_percent_coupon_is_worth_its_share_of_the_bill(hq, users, org, guest):
    template = make_template(hq, kind="percent", percent_off=12, max_discount="30")
    small = services.coupon_issue(acting_user=hq, template=template, guest=guest)
    large = services.coupon_issue(acting_user=hq, template=template, guest=guest)
    assert redeem(users["cashier"], small, org["store"], amount="100.05").redeemed_value == Decimal(
        "12.01"
    )
    assert redeem(users["cashier"], large, org["store"], amount="1000").redeemed_value == Decimal(
        "30.00"
    )


def test_void(hq, users, org, coupon):
    refused(
        errors.PermissionDenied,
        "permission_denied",
        lambda: services.coupon_void(acting_user=users["cashier"], coupon=coupon, reason="x"),
    )
    problem = refused(
        errors.InvalidInput,
        "invalid_input",
        lambda: services.coupon_void(acting_user=users["manager"], coupon=coupon, reason=" "),
    )
    assert "reason" in problem.fields
    services.coupon_void(acting_user=users["manager"], coupon=coupon, reason="客人投诉补偿重复")
    assert coupon.events.filter(kind="voided").count() == 1
    refused(errors.InvalidInput, "coupon_voided", lambda: redeem(hq, coupon, org["store"]))
    refused(
        errors.Conflict,
        "invalid_coupon_status",
        lambda: services.coupon_void(acting_user=hq, coupon=coupon, reason="again"),
    )


def test_a_used_coupon_cannot_be_voided(hq, org, coupon):
    redeem(hq, coupon, org["store"])
    refused(
        errors.Conflict,
        "coupon_already_used",
        lambda: services.coupon_void(acting_user=hq, coupon=coupon, reason="x"),
    )


def test_the_nightly_expiry(hq, org, guest, cash_template):
    old = services.coupon_issue(acting_user=hq, template=cash_template, guest=guest)
    used = services.coupon_issue(acting_user=hq, template=cash_template, guest=guest)
    fresh = services.coupon_issue(acting_user=hq, template=cash_template, guest=guest)
    redeem(hq, used, org["store"])
    yesterday = local_today() - dt.timedelta(days=1)
    Coupon.objects.filter(pk__in=[old.pk, used.pk]).update(
        valid_from=yesterday, valid_until=yesterday
    )
    run = coupon_expiry()
    assert run.name == COUPON_EXPIRY and run.ok and run.detail == {"expired": 1}
    statuses = dict(Coupon.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "expired", used.pk: "redeemed", fresh.pk: "issued"}
    assert CouponEvent.objects.filter(kind="expired").count() == 1
    assert coupon_expiry().detail == {"expired": 0}
    assert JobRun.objects.filter(name=COUPON_EXPIRY).count() == 2
