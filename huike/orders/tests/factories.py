"""Test data of the orders app: a small menu and order bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from huike.menu.models import Dish, DishCategory

DISHES = [
    # code, name, regular, hall, vip room
    ("D001", "剁椒鱼头", "128.00", "118.00", "138.00"),
    ("D002", "小炒黄牛肉", "68.00", "62.00", "78.00"),
    ("D003", "米饭", "3.00", "3.00", "5.00"),
]


def make_menu() -> dict[str, Dish]:
    category = DishCategory.objects.create(name="湘菜")
    return {
        code: Dish.objects.create(
            category=category,
            code=code,
            name=name,
            price_regular=Decimal(regular),
            price_hall=Decimal(hall),
            price_vip_room=Decimal(vip),
        )
        for code, name, regular, hall, vip in DISHES
    }


# Times are counted from one instant of the run, so that a test building the same order twice
# sends the same closing time even when a second ticks over between the two.
_RUN_STARTED = timezone.now().replace(microsecond=0)


def hours_ago(hours: float) -> dt.datetime:
    return _RUN_STARTED - dt.timedelta(hours=hours)


def order_args(at_store, **changes) -> dict:
    """Keyword arguments of ``order_post``: 128 + 2×68 + 4×3 = 276, −16 discount, +26 service
    charge = 286, paid 200 by WeChat and 86 in cash."""
    closed = changes.pop("closed_at", hours_ago(2))
    return {
        "store": at_store,
        "pos_order_id": "P-0001",
        "closed_at": closed,
        "opened_at": closed - dt.timedelta(hours=1) if isinstance(closed, dt.datetime) else None,
        "table_label": "牡丹厅",
        "party_size": 4,
        "guest_phone": "13812345678",
        "lines": [
            {"dish_code": "D001", "qty": "1"},
            {"dish_code": "D002", "qty": "2"},
            {"dish_code": "D003", "qty": "4"},
        ],
        "discount": "16.00",
        "service_charge": "26.00",
        "payments": [{"method": "wechat", "amount": "200.00"}, {"method": "cash", "amount": "86"}],
        **changes,
    }


def order_body(at_store, **changes) -> dict:
    """The JSON body of POST /api/v1/orders for ``order_args``."""
    args = order_args(at_store, **changes)
    if not isinstance(args["store"], int):
        args["store"] = args["store"].pk
    for name in ("closed_at", "opened_at"):
        if isinstance(args.get(name), dt.datetime):
            args[name] = args[name].isoformat()
    return args
