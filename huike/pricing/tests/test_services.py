"""The configuration services: member prices and rules, with clear field errors for bad input
(nothing written), the database's CHECK constraints behind them, and the permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from huike.core import errors
from huike.core.models import AuditEntry
from huike.pricing import services
from huike.pricing.models import MemberPrice, PricingRule


def test_a_member_price_is_set_changed_and_removed_with_an_audit_trail(org, hq, dishes, tiers):
    price = services.member_price_create(
        acting_user=hq, dish=dishes["fish"].pk, tier=tiers["gold"].pk, price="99.5"
    )
    assert price.price == Decimal("99.50")
    services.member_price_update(acting_user=hq, member_price=price, price="0")
    assert MemberPrice.objects.get().price == Decimal("0.00")
    services.member_price_delete(acting_user=hq, member_price=price)
    assert not MemberPrice.objects.exists()
    assert AuditEntry.objects.filter(object_type="pricing.memberprice").count() == 3


@pytest.mark.parametrize(
    ("price", "field"), [("-1", "price"), ("1.005", "price"), ("abc", "price"), ("", "price")]
)
def test_a_bad_member_price_is_a_field_error(org, hq, dishes, price, field):
    with pytest.raises(errors.InvalidInput) as bad:
        services.member_price_create(acting_user=hq, dish=dishes["fish"], price=price)
    assert set(bad.value.fields) == {field}
    assert not MemberPrice.objects.exists()


def test_an_unknown_dish_or_tier_is_a_field_error(org, hq, dishes):
    with pytest.raises(errors.InvalidInput) as bad:
        services.member_price_create(acting_user=hq, dish=999999, price="1")
    assert set(bad.value.fields) == {"dish"}
    with pytest.raises(errors.InvalidInput) as bad:
        services.member_price_create(acting_user=hq, dish=dishes["fish"], tier=999999, price="1")
    assert set(bad.value.fields) == {"tier"}
    assert not MemberPrice.objects.exists()


def test_one_member_price_per_dish_and_tier(org, hq, dishes, tiers):
    services.member_price_create(acting_user=hq, dish=dishes["fish"], price="100")
    services.member_price_create(
        acting_user=hq, dish=dishes["fish"], price="90", tier=tiers["gold"]
    )
    for tier in (None, tiers["gold"]):
        with pytest.raises(errors.InvalidInput) as bad:
            services.member_price_create(acting_user=hq, dish=dishes["fish"], price="80", tier=tier)
        assert bad.value.code == "member_price_exists" and set(bad.value.fields) == {"tier"}
    assert MemberPrice.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "fields", "bad_field"),
    [
        ("percent_off", {"percent_off": 0}, "percent_off"),
        ("percent_off", {"percent_off": 100}, "percent_off"),
        ("percent_off", {"percent_off": "9.5"}, "percent_off"),
        ("percent_off", {}, "percent_off"),
        ("percent_off", {"percent_off": 10, "threshold": "100"}, "threshold"),
        ("spend_save", {"threshold": "100", "save_amount": "100"}, "save_amount"),
        ("spend_save", {"threshold": "100", "save_amount": "150"}, "save_amount"),
        ("spend_save", {"threshold": "100", "save_amount": "0"}, "save_amount"),
        ("spend_save", {"threshold": "-100", "save_amount": "10"}, "threshold"),
        ("spend_save", {"save_amount": "10"}, "threshold"),
        ("spend_save", {"threshold": "100", "save_amount": "10", "percent_off": 5}, "percent_off"),
        ("spend_return", {"threshold": "100"}, "return_template"),
        ("spend_return", {"threshold": "100", "return_template": 999999}, "return_template"),
        ("bogus", {}, "kind"),
        (
            "percent_off",
            {"percent_off": 5, "valid_from": "2026-05-02", "valid_until": "2026-05-01"},
            "valid_until",
        ),
        ("percent_off", {"percent_off": 5, "valid_from": "tomorrow"}, "valid_from"),
        ("percent_off", {"percent_off": 5, "brand": 999999}, "brand"),
        ("percent_off", {"percent_off": 5, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_rule_is_a_clear_field_error_and_writes_nothing(org, hq, kind, fields, bad_field):
    with pytest.raises(errors.InvalidInput) as bad:
        services.pricing_rule_create(acting_user=hq, kind=kind, name="规则", **fields)
    assert bad_field in bad.value.fields, bad.value.fields
    assert not PricingRule.objects.exists()
    assert not AuditEntry.objects.filter(object_type="pricing.pricingrule").exists()


def test_a_rule_needs_a_name(org, hq):
    with pytest.raises(errors.InvalidInput) as bad:
        services.pricing_rule_create(acting_user=hq, kind="percent_off", name=" ", percent_off=5)
    assert set(bad.value.fields) == {"name"}


def test_a_rule_is_changed_and_switched_off_but_its_kind_stays(org, hq, rule):
    made = rule("spend_save", threshold="300", save_amount="30")
    services.pricing_rule_update(acting_user=hq, rule=made, save_amount="40", repeat=True)
    made.refresh_from_db()
    assert (made.save_amount, made.repeat) == (Decimal("40.00"), True)
    with pytest.raises(errors.InvalidInput) as bad:
        services.pricing_rule_update(acting_user=hq, rule=made, kind="percent_off")
    assert set(bad.value.fields) == {"kind"}
    with pytest.raises(errors.InvalidInput) as bad:
        services.pricing_rule_update(acting_user=hq, rule=made, save_amount="300")
    assert set(bad.value.fields) == {"save_amount"}
    assert PricingRule.objects.get().save_amount == Decimal("40.00")
    made.refresh_from_db()
    services.pricing_rule_deactivate(acting_user=hq, rule=made)
    assert PricingRule.objects.get().active is False


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "percent_off", "percent_off": 0},
        {"kind": "percent_off", "percent_off": 100},
        {"kind": "spend_save", "threshold": Decimal("100"), "save_amount": Decimal("100")},
        {"kind": "spend_return", "threshold": Decimal("100")},
        {
            "kind": "percent_off",
            "percent_off": 5,
            "valid_from": dt.date(2026, 5, 2),
            "valid_until": dt.date(2026, 5, 1),
        },
    ],
)
def test_the_database_refuses_a_rule_that_skips_validation(org, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        PricingRule.objects.create(name="直接写入", **values)


def test_the_database_refuses_a_negative_member_price(org, dishes):
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberPrice.objects.create(dish=dishes["fish"], price=Decimal("-1"))


@pytest.mark.parametrize("role", ["cashier", "manager", "waiter"])
def test_only_marketing_and_hq_configure(org, users, dishes, role):
    with pytest.raises(errors.PermissionDenied):
        services.member_price_create(acting_user=users[role], dish=dishes["fish"], price="1")
    with pytest.raises(errors.PermissionDenied):
        services.pricing_rule_create(
            acting_user=users[role], kind="percent_off", name="x", percent_off=5
        )
    services.member_price_create(acting_user=users["marketing"], dish=dishes["fish"], price="1")
    assert MemberPrice.objects.count() == 1
