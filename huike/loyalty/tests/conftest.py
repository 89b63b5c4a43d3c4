"""Fixtures of the loyalty tests: a guest with an active card, and helpers to read the ledger."""

from __future__ import annotations

import pytest

from huike.guests.services import guest_create
from huike.loyalty import services
from huike.loyalty.ledger import ledger_balances
from huike.loyalty.models import LedgerEntry, MembershipCard, PointsLot


@pytest.fixture
def guest(org, hq):
    return guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")


@pytest.fixture
def card(org, hq, guest):
    return services.card_issue(acting_user=hq, guest=guest, store=org["store"], number="C0001")


def fresh(card) -> MembershipCard:
    return MembershipCard.all_tenants.get(pk=card.pk)


def balances(card) -> dict:
    """The cached balances, which must equal the ledger's sums and the open lots."""
    card = fresh(card)
    cached = {
        "points": card.points_balance,
        "principal": card.principal_balance,
        "bonus": card.bonus_balance,
    }
    assert cached == ledger_balances(card), (cached, ledger_balances(card))
    lots = sum(PointsLot.all_tenants.filter(card=card).values_list("remaining", flat=True))
    assert lots == card.points_balance
    return cached


def entry_count() -> int:
    return LedgerEntry.all_tenants.count()
