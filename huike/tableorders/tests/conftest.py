"""Fixtures of the table orders tests: a menu with hall and VIP-room prices (one dish off at the
store, one off everywhere), the reservations floor and guest, and helpers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huike.menu.models import Dish, DishAvailability, DishCategory
from huike.reservations import services as booking_services
from huike.reservations.tests.conftest import floor, guest, make_floor, tomorrow_at  # noqa: F401


def make_menu(store) -> dict[str, Dish]:
    hot = DishCategory.objects.create(name="湘菜热菜", sort_order=1)
    drinks = DishCategory.objects.create(name="酒水", sort_order=2)

    def dish(category, code, name, hall, vip, active=True):
        return Dish.objects.create(
            category=category,
            code=code,
            name=name,
            price_regular=Decimal(hall),
            price_hall=Decimal(hall),
            price_vip_room=Decimal(vip),
            active=active,
        )

    dishes = {
        "fish": dish(hot, "D01", "剁椒鱼头", "88.00", "98.00"),
        "pork": dish(hot, "D02", "辣椒炒肉", "38.00", "45.00"),
        "tea": dish(drinks, "W01", "菊花茶", "12.00", "18.00"),
        "off_here": dish(hot, "D03", "口味虾", "128.00", "138.00"),
        "retired": dish(hot, "D04", "旧菜", "10.00", "10.00", active=False),
    }
    DishAvailability.objects.create(dish=dishes["off_here"], store=store, active=False)
    return dishes


@pytest.fixture
def menu(org):
    return make_menu(org["store"])


def book(org, user, table, *, hour: int = 18, size: int = 2):
    return booking_services.booking_create(
        acting_user=user,
        store=org["store"],
        table=table,
        starts_at=tomorrow_at(hour),
        party_size=size,
        guest_phone="13800138000",
        guest_name="王芳",
    )
