"""Pacing under real concurrency (decision 0024): ten agents booking ten different tables in a
slot that takes three more parties get exactly three bookings, on SQLite and PostgreSQL alike
(the store row is locked before counting, inside the transaction that inserts)."""

from __future__ import annotations

from collections import Counter

import pytest

from huike.core.api_auth import api_key_create
from huike.guests.services import guest_create
from huike.menu.models import DiningTable, FloorArea
from huike.reservations import rules
from huike.reservations.models import Booking

from .conftest import tomorrow_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_agents_racing_for_the_last_places_of_a_slot(live_org, live_server):
    from huike.core.testing import fire_requests

    store, hq = live_org["store"], live_org["users"]["hq"]
    hall = FloorArea.objects.create(store=store, name="大堂")
    tables = [
        DiningTable.objects.create(
            store=store, area=hall, code=f"T{i}", capacity_min=1, capacity_max=4
        )
        for i in range(10)
    ]
    rules.booking_rule_create(acting_user=hq, store=store, max_parties_per_slot=3)
    keys = [api_key_create(user=live_org["users"]["desk"], name=f"agent {i}")[1] for i in range(10)]
    guests = [
        guest_create(acting_user=hq, name=f"客{i}", primary_phone=f"1391234{i:04d}")
        for i in range(10)
    ]
    requests = [
        {
            "method": "POST",
            "path": "/bookings",
            "json": {
                "store": store.pk,
                "table": table.pk,
                "starts_at": tomorrow_at(18).isoformat(),
                "party_size": 2,
                "guest": guests[i].pk,  # known guests: no audit entry (and its lock) before
                "source": "phone",
            },
            "headers": {"Authorization": f"Bearer {keys[i]}", "Accept-Language": "en"},
        }
        for i, table in enumerate(tables)
    ]
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 3, 409: 7}, [r.text for r in responses if r.status_code != 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"pacing_full"}
    assert Booking.all_tenants.filter(store=store).count() == 3
