"""Fixtures of the gift tests: a guest with a card holding points, and a gift in stock."""

from __future__ import annotations

import pytest

from huike.gifts import services
from huike.guests.services import guest_create
from huike.loyalty import services as loyalty


@pytest.fixture
def guest(org, hq):
    return guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")


@pytest.fixture
def card(org, hq, guest):
    card = loyalty.card_issue(acting_user=hq, guest=guest, store=org["store"], number="C0001")
    loyalty.points_accrue(acting_user=hq, card=card, points=1000)
    return card


@pytest.fixture
def gift(org, hq):
    return services.gift_create(acting_user=hq, name="保温杯", points_cost=300, stock=5)
