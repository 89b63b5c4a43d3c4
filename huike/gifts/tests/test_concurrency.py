"""Real concurrent HTTP requests against the live server: ten tills redeem the last three of a
gift at the same instant; exactly three get it, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections import Counter

import pytest

from huike.core.api_auth import api_key_create
from huike.core.testing import fire_requests
from huike.gifts import services
from huike.gifts.models import Gift, GiftRedemption
from huike.guests.services import guest_create
from huike.loyalty import services as loyalty
from huike.loyalty.ledger import ledger_mismatches
from huike.loyalty.models import LedgerEntry, MembershipCard

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_simultaneous_redemptions_of_the_last_three(live_org, live_server):
    hq = live_org["users"]["hq"]
    gift = services.gift_create(acting_user=hq, name="限量礼品", points_cost=100, stock=3)
    cards = []
    for i in range(10):
        guest = guest_create(acting_user=hq, name=f"会员{i}", primary_phone=f"1380013{i:04d}")
        card = loyalty.card_issue(acting_user=hq, guest=guest, store=live_org["store"])
        loyalty.points_accrue(acting_user=hq, card=card, points=500)
        cards.append(card)
    _, api_key = api_key_create(user=live_org["users"]["cashier"], name="till")
    requests = [
        {
            "method": "POST",
            "path": f"/gifts/{gift.pk}/redeem",
            "json": {"card": card.pk, "qty": 1, "store": live_org["store"].pk},
            "headers": {
                "Authorization": f"Bearer {api_key}",
                "Idempotency-Key": f"till-{i}",
                "Accept-Language": "en",
            },
        }
        for i, card in enumerate(cards)
    ]
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 3, 409: 7}, [r.text for r in responses if r.status_code >= 500]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"gift_out_of_stock"}
    assert Gift.all_tenants.get(pk=gift.pk).stock == 0
    assert GiftRedemption.all_tenants.count() == 3
    spent = LedgerEntry.all_tenants.filter(cause="gift")
    assert spent.count() == 3 and sum(spent.values_list("points", flat=True)) == -300
    balances = sorted(MembershipCard.all_tenants.values_list("points_balance", flat=True))
    assert balances == [400] * 3 + [500] * 7
    assert ledger_mismatches() == []
