"""Real concurrent HTTP requests against the live server (each on its own database connection):
ten agents booking the same room for the same evening get one booking, on SQLite and PostgreSQL
alike; and PostgreSQL itself refuses an overlapping booking written behind the service's back."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction

from huike.core import errors
from huike.core.api_auth import api_key_create
from huike.reservations import services
from huike.reservations.models import Booking

from .conftest import make_floor, tomorrow_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_agents_booking_one_room_at_once_get_exactly_one(live_org, live_server):
    from huike.core.testing import fire_requests

    room = make_floor(live_org["store"])["牡丹厅"]
    _, key = api_key_create(user=live_org["users"]["desk"], name="agents")
    requests = [
        {
            "method": "POST",
            "path": "/bookings",
            "json": {
                "store": live_org["store"].pk,
                "table": room.pk,
                "starts_at": tomorrow_at(18, i % 3 * 10).isoformat(),
                "party_size": 10,
                "guest_phone": f"1391234{i:04d}",
                "source": "phone",
            },
            "headers": {"Authorization": f"Bearer {key}", "Accept-Language": "en"},
        }
        for i in range(10)
    ]
    responses = fire_requests(f"{live_server.url}/api/v1", requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 9}, [r.text for r in responses if r.status_code != 409]
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "table_taken"
    assert Booking.all_tenants.filter(table=room).count() == 1


def test_postgresql_refuses_an_overlap_written_behind_the_services_back(live_org):
    """On SQLite there is no such constraint: the service, under the write lock, is the guard."""
    hq = live_org["users"]["hq"]
    room = make_floor(live_org["store"])["牡丹厅"]
    first = services.booking_create(
        acting_user=hq,
        store=live_org["store"],
        table=room,
        starts_at=tomorrow_at(18),
        party_size=8,
        guest_phone="13912340000",
    )
    twin = Booking(
        tenant=first.tenant,
        store=first.store,
        table=room,
        guest=first.guest,
        party_size=8,
        starts_at=tomorrow_at(19),
        ends_at=tomorrow_at(21),
    )
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="booking_table_no_overlap"):
            with transaction.atomic():
                twin.save()
    else:
        with pytest.raises(errors.Conflict) as exc:
            services.booking_create(
                acting_user=hq,
                store=live_org["store"],
                table=room,
                starts_at=tomorrow_at(19),
                party_size=8,
                guest_phone="13912340000",
            )
        assert exc.value.code == "table_taken"
    twin.status = Booking.Status.CANCELLED
    twin.pk = None
    twin.save()  # an inactive booking never blocks
    assert Booking.all_tenants.filter(table=room).count() == 2
