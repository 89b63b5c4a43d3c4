"""Real concurrent HTTP requests against the live server (each on its own database connection):
a stored-value balance is never spent twice, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from huike.core.api_auth import api_key_create
from huike.core.testing import fire_requests
from huike.guests.services import guest_create
from huike.loyalty import services
from huike.loyalty.models import LedgerEntry

from .conftest import balances

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def funded_card(live_org):
    hq = live_org["users"]["hq"]
    guest = guest_create(acting_user=hq, name="并发", primary_phone="13800138001")
    card = services.card_issue(acting_user=hq, guest=guest, store=live_org["store"])
    services.stored_value_top_up(acting_user=hq, card=card, amount="100")
    return card


def _spends(live_org, card, keys: list[str], amount: str = "10") -> list:
    _, api_key = api_key_create(user=live_org["users"]["cashier"], name="till")
    return [
        {
            "method": "POST",
            "path": f"/loyalty/cards/{card.pk}/spend",
            "json": {"amount": amount, "reference": f"till-{k}"},
            "headers": {
                "Authorization": f"Bearer {api_key}",
                "Idempotency-Key": k,
                "Accept-Language": "en",
            },
        }
        for k in keys
    ]


def test_fifty_simultaneous_spends_of_ten_against_one_hundred(live_org, live_server, funded_card):
    requests = _spends(live_org, funded_card, [f"spend-{i}" for i in range(50)])
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 10, 409: 40}, [r.text for r in responses if r.status_code >= 500]
    for r in responses:
        if r.status_code == 409:
            assert r.json() == {
                "code": "insufficient_balance",
                "message": "The card's balance is not enough for this.",
                "fields": {},
            }
    assert balances(funded_card) == {
        "points": 0,
        "principal": Decimal("0.00"),
        "bonus": Decimal("0.00"),
    }
    spends = LedgerEntry.all_tenants.filter(card=funded_card, cause="spend")
    assert spends.count() == 10
    assert sum(spends.values_list("amount", flat=True)) == Decimal("-100.00")


def test_twenty_simultaneous_repeats_of_one_spend_take_it_once(live_org, live_server, funded_card):
    requests = _spends(live_org, funded_card, ["same-receipt"] * 20, amount="30")
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    assert [r.status_code for r in responses] == [201] * 20
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 19
    assert len({r.json()["operation"] for r in responses}) == 1
    assert balances(funded_card)["principal"] == Decimal("70.00")


def test_thirty_simultaneous_points_spends_take_exactly_what_is_held(live_org, funded_card):
    from huike.core.tenancy import tenant_context
    from huike.core.testing import fire_concurrently
    from huike.loyalty.ledger import InsufficientBalance

    hq = live_org["users"]["hq"]
    services.points_accrue(acting_user=hq, card=funded_card, points=60)
    services.points_accrue(acting_user=hq, card=funded_card, points=40)

    def spend(i):
        with tenant_context(live_org["tenant"]):
            return services.points_spend(acting_user=hq, card=funded_card, points=10)

    outcomes = fire_concurrently(spend, 30)
    assert sum(o.error is None for o in outcomes) == 10
    assert all(isinstance(o.error, InsufficientBalance) for o in outcomes if o.error)
    assert balances(funded_card)["points"] == 0  # ledger, cache and lots all at zero
