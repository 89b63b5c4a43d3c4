"""Reads of the reservations app: a store's day of bookings, one booking with its history."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from huike.core.permissions import get_for_user, restrict
from huike.core.timeutils import day_bounds

from .models import Booking


def bookings_for_user(user) -> QuerySet[Booking]:
    return restrict(Booking.objects.all(), user).select_related("guest", "table", "store")


def booking_get_for_user(*, user, booking_id) -> Booking:
    """The booking, or NotFound when it is outside the user's tenant or scope."""
    return get_for_user(bookings_for_user(user), user, pk=booking_id)


def bookings_of_day(*, user, store, day: dt.date) -> QuerySet[Booking]:
    """The store's bookings starting on ``day`` (the store's local calendar day), by time."""
    start, end = day_bounds(day, store.time_zone)
    return bookings_for_user(user).filter(store=store, starts_at__gte=start, starts_at__lt=end)


def booking_data(booking: Booking) -> dict:
    guest = booking.guest
    return {
        "id": booking.pk,
        "store": booking.store_id,
        "table": booking.table_id,
        "table_code": booking.table.code if booking.table_id else "",
        "guest": guest.pk,
        "guest_name": guest.name,
        "party_size": booking.party_size,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "status": booking.status,
        "status_reason": booking.status_reason,
        "occasion": booking.occasion,
        "deposit": booking.deposit,
        "notes": booking.notes,
        "source": booking.source,
        "created_at": booking.created_at,
    }


def table_data(table) -> dict:
    return {
        "id": table.pk,
        "code": table.code,
        "name": table.name,
        "kind": table.kind,
        "area": table.area.name,
        "capacity_min": table.capacity_min,
        "capacity_max": table.capacity_max,
        "min_spend": table.min_spend,
    }
