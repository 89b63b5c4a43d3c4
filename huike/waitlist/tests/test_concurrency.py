"""Real concurrent HTTP requests against the live server (each on its own database
connection), on SQLite and PostgreSQL alike: agents booking the same slot for several waiting
parties get one booking and clear ``table_taken`` conflicts, the other parties back to
waiting; and one party's offer accepted by several agents at once is booked once."""

from __future__ import annotations

from collections import Counter

import pytest

from huike.core.api_auth import api_key_create
from huike.core.testing import fire_requests
from huike.reservations.models import Booking
from huike.reservations.tests.conftest import make_floor, tomorrow_at
from huike.waitlist.models import WaitlistEntry

from .conftest import add

pytestmark = pytest.mark.django_db(transaction=True)


def _headers(user) -> dict:
    _, key = api_key_create(user=user, name="agents")
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}


def test_agents_booking_one_slot_for_several_parties_get_one_booking(live_org, live_server):
    desk = live_org["users"]["desk"]
    room = make_floor(live_org["store"])["牡丹厅"]
    entries = [
        add(desk, live_org["store"], phone=f"1391234{i:04d}", size=10, latest="20:00")
        for i in range(6)
    ]
    headers = _headers(desk)
    requests = [
        {
            "method": "POST",
            "path": f"/waitlist/{entry.pk}/accept",
            "json": {"table": room.pk, "starts_at": tomorrow_at(18).isoformat()},
            "headers": headers,
        }
        for entry in entries
    ]
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: 5}, [r.text for r in responses if r.status_code != 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"table_taken"}
    assert Booking.all_tenants.filter(table=room).count() == 1
    states = Counter(WaitlistEntry.all_tenants.values_list("status", flat=True))
    assert states == {"booked": 1, "waiting": 5}
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert Booking.all_tenants.get(table=room).pk == winner["booking"]


def test_one_offer_accepted_by_several_agents_at_once_is_booked_once(live_org, live_server):
    desk = live_org["users"]["desk"]
    make_floor(live_org["store"])
    entry = add(desk, live_org["store"], size=4)
    assert entry.status == "offered"
    headers = _headers(desk)
    requests = [
        {"method": "POST", "path": f"/waitlist/{entry.pk}/accept", "json": {}, "headers": headers}
        for _ in range(5)
    ]
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: 4}, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {
        "waitlist_entry_closed"
    }
    assert Booking.all_tenants.count() == 1
    entry.refresh_from_db()
    assert entry.status == "booked" and entry.booking_id == Booking.all_tenants.get().pk
