"""Reads of the reservations app: a store's day of bookings, one booking with its history."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet

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


def booking_rules_of_store(*, user, store):
    """The store's booking rules: the store's own first, then by floor area."""
    from .models import BookingRule

    return (
        restrict(BookingRule.objects.filter(store=store), user)
        .select_related("area")
        .prefetch_related("held_tables", "held_for_tags", "held_for_tiers")
        .order_by(F("area__sort_order").asc(nulls_first=True), "area__name", "pk")
    )


def booking_rule_data(rule) -> dict:
    return {
        "id": rule.pk,
        "store": rule.store_id,
        "area": rule.area_id,
        "area_name": rule.area.name if rule.area_id else "",
        "slot_minutes": rule.slot_minutes,
        "turn_times": rule.turn_times,
        "max_covers_per_slot": rule.max_covers_per_slot,
        "max_parties_per_slot": rule.max_parties_per_slot,
        "min_lead_minutes": rule.min_lead_minutes,
        "max_days_ahead": rule.max_days_ahead,
        "cancel_cutoff_hours": rule.cancel_cutoff_hours,
        "held_covers": rule.held_covers,
        "held_tables": sorted(t.pk for t in rule.held_tables.all()),
        "held_for_tags": sorted(t.pk for t in rule.held_for_tags.all()),
        "held_for_tiers": sorted(t.pk for t in rule.held_for_tiers.all()),
    }


def slot_data(slot) -> dict:
    return {
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "bookable": slot.bookable,
        "reason": slot.reason,
        "reason_label": slot.reason_label,
        "tables": [table_data(t) for t in slot.tables],
    }
