"""Test data of the competitors app, made through the services (so it is valid and audited)."""

from __future__ import annotations

import datetime as dt

from huike.competitors import services


def competitor(hq, name="费大厨", **changes):
    data = {"kind": "competitor", "cuisine": "湘菜", "city": "长沙", **changes}
    return services.competitor_create(acting_user=hq, name=name, **data)


def competitor_dish(hq, rival, name="辣椒炒肉", price="58.00", **changes):
    data = {"observed_at": dt.date(2026, 11, 1), **changes}
    return services.competitor_dish_add(
        acting_user=hq, competitor=rival, name=name, price=price, **data
    )
