"""The live floor (M3): each table free, booked, seated or cleaning with the party on it;
marking a table clean frees it and tells the store's open floor pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huike.live import bus
from huike.reservations import services
from huike.reservations.floor import floor_plan, table_mark_clean


def _states(store, now=None) -> dict[str, str]:
    return {t.table.code: t.state for _area, tables in floor_plan(store, now=now) for t in tables}


def test_a_table_goes_booked_seated_cleaning_and_free_again(org, hq, floor, guest):
    store = org["store"]
    soon = timezone.now() + dt.timedelta(minutes=30)
    booking = services.booking_create(
        acting_user=hq,
        store=store,
        starts_at=soon,
        party_size=8,
        guest=guest,
        table=floor["牡丹厅"],
    )
    later = services.booking_create(
        acting_user=hq,
        store=store,
        starts_at=timezone.now() + dt.timedelta(hours=6),
        party_size=2,
        guest=guest,
        table=floor["A1"],
    )
    assert _states(store) == {"A1": "free", "A2": "free", "B1": "free", "牡丹厅": "booked"}
    services.booking_confirm(acting_user=hq, booking=booking)
    services.booking_seat(acting_user=hq, booking=booking)
    assert _states(store)["牡丹厅"] == "seated"
    services.booking_complete(acting_user=hq, booking=booking)
    assert _states(store)["牡丹厅"] == "cleaning"
    table_mark_clean(acting_user=org["users"]["desk"], table=floor["牡丹厅"])
    assert _states(store)["牡丹厅"] == "free"
    assert _states(store, now=later.starts_at - dt.timedelta(hours=1))["A1"] == "booked"


def test_marking_clean_tells_the_floor_pages(org, hq, floor, monkeypatch):
    sent = []
    monkeypatch.setattr(bus, "publish", lambda *args: sent.append(args))
    floor["A2"].cleaning_since = timezone.now()
    floor["A2"].save()
    table_mark_clean(acting_user=hq, table=floor["A2"])
    assert sent == [
        (f"store:{org['store'].pk}:floor", "table", {"table": floor["A2"].pk, "state": "free"})
    ]


def test_the_floor_page_shows_each_table_and_follows_the_store(client, org, users, floor, guest):
    services.booking_create(
        acting_user=users["desk"],
        store=org["store"],
        starts_at=timezone.now() + dt.timedelta(minutes=20),
        party_size=3,
        guest=guest,
        table=floor["A1"],
    )
    client.force_login(users["desk"])
    html = client.get(f"/reservations/floor/?store={org['store'].pk}").content.decode()
    assert html.count('data-testid="floor-table"') == 4
    assert 'data-table="A1" data-state="booked"' in html and "王芳" in html
    assert f'data-live-channel="store:{org["store"].pk}:floor"' in html
    plan = client.get(f"/reservations/floor/plan/?store={org['store'].pk}").content.decode()
    assert plan.count('data-testid="floor-table"') == 4 and "<html" not in plan


def test_another_brand_groups_store_is_not_found(client, org, users, other_org):
    client.force_login(users["desk"])
    response = client.get(f"/reservations/floor/?store={other_org['store'].pk}")
    assert response.status_code == 404
