"""Fixtures of the pricing tests: a small menu (one dish not discountable), two tiers, a guest
with a gold card, and helpers to build rules and order lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from huike.guests.services import guest_create
from huike.loyalty import services as loyalty
from huike.menu import services as menu
from huike.pricing import services
from huike.pricing.pricing import LineIn


@pytest.fixture
def dishes(org, hq):
    category = menu.category_create(acting_user=hq, name="热菜")

    def dish(code, name, regular, *, discountable=True):
        return menu.dish_create(
            acting_user=hq,
            category=category,
            code=code,
            name=name,
            price_regular=regular,
            price_hall=regular,
            price_vip_room=str(Decimal(regular) + 10),
            discountable=discountable,
        )

    return {
        "fish": dish("D1", "剁椒鱼头", "128.00"),
        "pork": dish("D2", "辣椒炒肉", "48.00"),
        "wine": dish("D3", "茅台", "300.00", discountable=False),
        "odd": dish("D4", "凉菜", "33.33"),
    }


@pytest.fixture
def tiers(org, hq):
    return {
        "silver": loyalty.tier_create(acting_user=hq, code="silver", name="银卡", rank=1),
        "gold": loyalty.tier_create(acting_user=hq, code="gold", name="金卡", rank=2),
    }


@pytest.fixture
def guest(org, hq):
    return guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")


@pytest.fixture
def card(org, hq, guest, tiers):
    return loyalty.card_issue(
        acting_user=hq,
        guest=guest,
        store=org["store"],
        number="G0001",
        tier=tiers["gold"],
        valid_from=dt.date(2020, 1, 1),
    )


@pytest.fixture
def silver_card(org, hq, tiers):
    other = guest_create(acting_user=hq, name="李雷", primary_phone="13800138001")
    return loyalty.card_issue(
        acting_user=hq,
        guest=other,
        store=org["store"],
        number="S0001",
        tier=tiers["silver"],
        valid_from=dt.date(2020, 1, 1),
    )


@pytest.fixture
def rule(hq):
    """``rule("spend_save", threshold="300", save_amount="30")`` → a saved rule."""

    def make(kind, *, name=None, **fields):
        return services.pricing_rule_create(
            acting_user=hq, kind=kind, name=name or f"{kind}-rule", **fields
        )

    return make


def line(dish, qty="1", tier="regular") -> LineIn:
    return LineIn(dish=dish, qty=Decimal(qty), unit_price=dish.price_for(tier), price_tier=tier)
