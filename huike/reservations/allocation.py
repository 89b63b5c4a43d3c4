"""Which tables are free for a slot, and which one suits a party best (R3, R4).

A table is free when no active booking (pending, confirmed, seated) of it overlaps the
half-open slot [starts_at, ends_at). The best table is the one with the smallest maximum that
seats the party; among equals, the guest's preferred room (the one they sat in most often, from
``orders.GuestPlaceTally``) comes first. See decision 0021.
"""

from __future__ import annotations

import datetime as dt

from huike.menu.models import DiningTable
from huike.orders.models import GuestPlaceTally

from .models import Booking

SHORT_PARTY, SHORT_MINUTES = 4, 90
MEDIUM_PARTY, MEDIUM_MINUTES = 10, 120
LONG_MINUTES = 150


def default_duration(party_size: int) -> dt.timedelta:
    """90 minutes for up to 4 guests, 120 for up to 10, 150 for a larger party."""
    if party_size <= SHORT_PARTY:
        return dt.timedelta(minutes=SHORT_MINUTES)
    if party_size <= MEDIUM_PARTY:
        return dt.timedelta(minutes=MEDIUM_MINUTES)
    return dt.timedelta(minutes=LONG_MINUTES)


def overlapping(table_id: int, starts_at, ends_at, *, exclude_pk: int | None = None):
    """The active bookings of a table overlapping [starts_at, ends_at)."""
    found = Booking.objects.filter(
        table_id=table_id,
        status__in=Booking.ACTIVE,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    return found.exclude(pk=exclude_pk) if exclude_pk else found


def _preferences(guest, store) -> dict[str, int]:
    if guest is None:
        return {}
    tallies = GuestPlaceTally.objects.filter(guest=guest, store=store).exclude(table_label="")
    return dict(tallies.values_list("table_label", "visits"))


def tables_free(
    *, store, starts_at, ends_at, party_size: int, guest=None, exclude_pk: int | None = None
) -> list[DiningTable]:
    """The store's active tables seating ``party_size`` with no active booking overlapping the
    slot, best first: smallest maximum, then the guest's most visited, then the floor order."""
    taken = Booking.objects.filter(
        store=store,
        table__isnull=False,
        status__in=Booking.ACTIVE,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    tables = (
        DiningTable.objects.filter(
            store=store, active=True, capacity_min__lte=party_size, capacity_max__gte=party_size
        )
        .exclude(pk__in=taken.values("table_id"))
        .select_related("area")
    )
    visits = _preferences(guest, store)

    def rank(table: DiningTable):
        seen = max(visits.get(table.code, 0), visits.get(table.name, 0) if table.name else 0)
        return (table.capacity_max, -seen, table.area.sort_order, table.sort_order, table.code)

    return sorted(tables, key=rank)
