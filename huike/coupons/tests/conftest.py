"""Fixtures of the coupons tests: a guest, a dish, and templates made through the services."""

from __future__ import annotations

import pytest

from huike.coupons import services
from huike.coupons.models import Coupon, CouponEvent
from huike.guests.services import guest_create
from huike.menu.models import Dish, DishCategory


@pytest.fixture
def guest(org, hq):
    return guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")


@pytest.fixture
def dish(org):
    category = DishCategory.objects.create(name="湘菜")
    return Dish.objects.create(
        category=category,
        code="D001",
        name="剁椒鱼头",
        price_regular="128.00",
        price_hall="118.00",
        price_vip_room="138.00",
    )


def make_template(user, **changes):
    data = {"name": "满100减20", "kind": "cash", "face_value": "20", "valid_days": 30, **changes}
    return services.template_create(acting_user=user, **data)


@pytest.fixture
def cash_template(hq):
    return make_template(hq)


@pytest.fixture
def coupon(hq, guest, cash_template):
    return services.coupon_issue(acting_user=hq, template=cash_template, guest=guest)


def counts() -> tuple[int, int]:
    """(coupons, events): unchanged by a refused action."""
    return Coupon.all_tenants.count(), CouponEvent.all_tenants.count()
