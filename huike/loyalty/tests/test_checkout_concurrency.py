"""Member checkouts sent at the same instant over HTTP (each request on its own database
connection), on SQLite and PostgreSQL: one card's stored value pays one bill, not two; one bill
sent by several tills is settled once."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from huike.core.api_auth import api_key_create
from huike.core.testing import fire_requests
from huike.guests.services import guest_create
from huike.loyalty import services
from huike.orders.models import Order
from huike.orders.tests.factories import make_menu

from .conftest import balances

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member(live_org):
    hq = live_org["users"]["hq"]
    make_menu()
    guest = guest_create(acting_user=hq, name="并发会员", primary_phone="13800138002")
    card = services.card_issue(acting_user=hq, guest=guest, store=live_org["store"])
    services.stored_value_top_up(acting_user=hq, card=card, amount="500")
    return card


def _bill(live_org, card, number: str, key: str) -> dict:
    """Three 剁椒鱼头 (3 × 128 = 384), all from stored value (no pricing rules here)."""
    return {
        "method": "POST",
        "path": "/loyalty/checkout",
        "json": {
            "store": live_org["store"].pk,
            "pos_order_id": number,
            "member_card": card.number,
            "closed_at": timezone.now().isoformat(),
            "lines": [{"dish_code": "D001", "qty": "3"}],
            "payments": [{"method": "stored_value", "amount": "384.00"}],
        },
        "headers": {"Authorization": f"Bearer {key}", "Accept-Language": "en"},
    }


def test_two_tills_paying_from_one_card_at_once_cannot_both_spend_it(live_org, live_server, member):
    keys = [api_key_create(user=live_org["users"]["cashier"], name=f"till {k}")[1] for k in (1, 2)]
    requests = [_bill(live_org, member, f"T-{i}", keys[i % 2]) for i in range(8)]
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 7}, [r.text for r in responses if r.status_code >= 500]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"insufficient_balance"}
    assert Order.all_tenants.count() == 1  # the refused bills left no order behind
    assert balances(member)["principal"] == Decimal("116.00")


def test_one_bill_sent_by_eight_tills_is_settled_once(live_org, live_server, member):
    key = api_key_create(user=live_org["users"]["cashier"], name="till")[1]
    responses = fire_requests(
        f"{live_server.url}/api/v1", [_bill(live_org, member, "SAME-1", key)] * 8
    )

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 7
    assert len({r.json()["order"]["id"] for r in responses}) == 1
    assert {r.json()["card"]["balances"]["principal"] for r in responses} == {"116.00"}
    assert balances(member)["principal"] == Decimal("116.00")
