"""Demo orders: a few hundred guests with orders over the past year across the six demo stores,
each posted through ``order_post`` so the guests' visits, spend, favourite dishes and preferred
rooms are derived exactly as in production; a few partial refunds. Deterministic (a seeded
random generator) and idempotent: nothing is added once the demo brand group has orders."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.core.timeutils import zone
from huike.guests.services import guest_get_or_create_by_phone
from huike.menu import demo as menu_demo
from huike.menu.models import Dish, DishAvailability
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from .models import Order
from .services import order_post, order_refund

GUESTS = 300
REFUND_EVERY = 60  # now and then a dish is sent back
SEED = 20260501
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "慧",
    "建国",
    "志强",
    "丽",
    "晨",
    "婷",
    "浩然",
    "子涵",
    "雨桐",
    "思远",
]
ROOMS = ["牡丹厅", "兰花厅", "荷花厅", "梅花厅", "紫荆厅", "芙蓉厅"]
HALL_TABLES = [f"A{n:02d}" for n in range(1, 21)] + [f"B{n:02d}" for n in range(1, 11)]
# Which dishes each brand's stores serve (by code prefix) and the staples every table gets.
BRAND_DISHES = {"xiangwei": ("XC", "ZS", "JS"), "yuegang": ("YS", "DS", "CC", "ZS", "JS")}
METHODS = [("wechat", 50), ("alipay", 25), ("card", 10), ("cash", 8), ("stored_value", 7)]


def _menus(stores: list[Store]) -> dict[int, list[Dish]]:
    """Per store: the dishes it serves (its brand's, minus those off its menu)."""
    off = set(DishAvailability.objects.filter(active=False).values_list("store_id", "dish_id"))
    dishes = list(Dish.objects.filter(active=True).exclude(kind=Dish.Kind.SERVICE))
    menus = {}
    for store in stores:
        prefixes = BRAND_DISHES.get(store.brand.code, ("XC", "ZS", "JS"))
        menus[store.pk] = [
            d for d in dishes if d.code.startswith(prefixes) and (store.pk, d.pk) not in off
        ]
    return menus


def _closed_at(rng: random.Random, store: Store, now: dt.datetime) -> dt.datetime:
    days_back = rng.randint(1, 364)
    day = (now - dt.timedelta(days=days_back)).astimezone(zone(store.time_zone)).date()
    hour = rng.choice([12, 12, 13, 18, 19, 19, 20])
    local = dt.datetime.combine(day, dt.time(hour, rng.randrange(0, 60, 5)))
    return local.replace(tzinfo=zone(store.time_zone))


def _order(rng: random.Random, store: Store, menu: list[Dish], now: dt.datetime) -> dict:
    in_room = rng.random() < 0.35
    party = rng.randint(6, 14) if in_room else rng.randint(1, 6)
    tier = "vip_room" if in_room else rng.choice(["hall", "regular"])
    chosen = rng.sample(menu, k=min(len(menu), rng.randint(2, 3) + party // 2))
    lines = []
    subtotal = Decimal("0")
    for dish in chosen:
        qty = 1 if dish.kind != Dish.Kind.DRINKS else rng.randint(1, max(1, party // 2))
        lines.append({"dish": dish.pk, "qty": str(qty), "price_tier": tier})
        subtotal += dish.price_for(tier) * qty
    discount = (subtotal * Decimal(rng.choice([0, 0, 0, 5, 10])) / 100).quantize(Decimal("1"))
    charge = Decimal("100.00") if in_room else Decimal("0")
    closed = _closed_at(rng, store, now)
    method = rng.choices([m for m, _w in METHODS], weights=[w for _m, w in METHODS])[0]
    return {
        "store": store,
        "closed_at": closed,
        "opened_at": closed - dt.timedelta(minutes=rng.randint(40, 150)),
        "table_label": rng.choice(ROOMS) if in_room else rng.choice(HALL_TABLES),
        "party_size": party,
        "lines": lines,
        "discount": discount,
        "service_charge": charge,
        "payments": [{"method": method, "amount": subtotal - discount + charge}],
        "source": Order.Source.IMPORT,
    }


def load() -> Tenant | None:
    """Post the demo orders in the demo brand group (after the org and menu demos)."""
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        if Order.objects.exists():
            return tenant
        if not Dish.objects.exists():
            menu_demo.load()
        hq = Staff.objects.get(user__username="hq").user
        stores = list(Store.objects.select_related("brand").order_by("pk"))
        menus = _menus(stores)
        rng = random.Random(SEED)
        now = timezone.now()
        number = 0
        for i in range(GUESTS):
            surname = SURNAMES[i % len(SURNAMES)]
            gender = rng.choice(["m", "f"])
            guest, _created = guest_get_or_create_by_phone(
                acting_user=hq,
                phone=f"13{rng.randint(0, 9)}{i + 10_000_000:08d}",
                name=surname + rng.choice(GIVEN),
                surname=surname,
                gender=gender,
            )
            home = stores[i % len(stores)]
            visits = rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 5])
            for _visit in range(visits):
                store = home if rng.random() < 0.8 else rng.choice(stores)
                if not menus[store.pk]:
                    continue
                number += 1
                args = _order(rng, store, menus[store.pk], now)
                order = order_post(
                    acting_user=hq, pos_order_id=f"DEMO-{number:06d}", guest=guest, **args
                )
                if number % REFUND_EVERY == 0:
                    order_refund(
                        acting_user=hq,
                        order=order,
                        pos_order_id=f"DEMO-R{number:06d}",
                        lines=[{"line": 1, "qty": 1}],
                        closed_at=order.closed_at + dt.timedelta(minutes=5),
                        source=Order.Source.IMPORT,
                    )
    return tenant
