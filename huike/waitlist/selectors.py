"""Reads of the waitlist: a store's entries of a day, one entry, and the next free slot of an
entry's window right now (``reservations.availability.next_free_slots``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from huike.core.permissions import get_for_user, restrict
from huike.core.timeutils import zone
from huike.reservations.availability import Slot, next_free_slots

from .models import WaitlistEntry

Status = WaitlistEntry.Status


def entries_for_user(user) -> QuerySet[WaitlistEntry]:
    return restrict(WaitlistEntry.objects.all(), user).select_related(
        "guest", "store", "offered_table", "booking", "offer_message"
    )


def entry_get_for_user(*, user, entry_id) -> WaitlistEntry:
    """The entry, or NotFound when it is outside the user's tenant or scope."""
    return get_for_user(entries_for_user(user), user, pk=entry_id)


def entries_of_day(*, user, store, day: dt.date) -> QuerySet[WaitlistEntry]:
    """The store's entries of ``day``: the open ones first (in the order they were added),
    then the booked, cancelled and expired ones."""
    closed = Case(
        When(status__in=WaitlistEntry.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        entries_for_user(user)
        .filter(store=store, day=day)
        .annotate(closed=closed)
        .order_by("closed", "created_at", "pk")
    )


def entry_window(entry: WaitlistEntry) -> tuple[dt.datetime, dt.datetime]:
    """The aware earliest and latest start of the entry, in its store's time zone."""
    tz = zone(entry.store.time_zone)
    return (
        dt.datetime.combine(entry.day, entry.earliest, tzinfo=tz),
        dt.datetime.combine(entry.day, entry.latest, tzinfo=tz),
    )


def entry_next_slot(entry: WaitlistEntry, *, now: dt.datetime | None = None) -> Slot | None:
    """The first bookable slot starting inside the entry's window from now on, with the best
    free table; None when nothing is free (or the window has passed)."""
    if not entry.is_open:
        return None
    earliest, latest = entry_window(entry)
    after = max(earliest, now or timezone.now())
    if after > latest:
        return None
    found = next_free_slots(
        store=entry.store,
        party_size=entry.party_size,
        after=after,
        guest=entry.guest,
        days=0,
        limit=1,
    )
    if not found or found[0].starts_at > latest:
        return None
    return found[0]


def entries_with_slots(entries) -> list[tuple[WaitlistEntry, Slot | None]]:
    """Each entry with its next free slot now (None for closed entries)."""
    now = timezone.now()
    return [(entry, entry_next_slot(entry, now=now)) for entry in entries]


def slot_data(slot: Slot | None) -> dict | None:
    if slot is None:
        return None
    return {
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "table": slot.table.pk,
        "table_code": slot.table.code,
    }


def entry_data(entry: WaitlistEntry, slot: Slot | None = None) -> dict:
    guest = entry.guest
    return {
        "id": entry.pk,
        "store": entry.store_id,
        "guest": guest.pk,
        "guest_name": guest.name,
        "party_size": entry.party_size,
        "day": entry.day,
        "earliest": entry.earliest,
        "latest": entry.latest,
        "notes": entry.notes,
        "status": entry.status,
        "status_reason": entry.status_reason,
        "offered": (
            {
                "starts_at": entry.offered_starts_at,
                "ends_at": entry.offered_ends_at,
                "table": entry.offered_table_id,
                "table_code": entry.offered_table.code if entry.offered_table_id else "",
            }
            if entry.offered_starts_at and entry.offered_table_id
            else None
        ),
        "next_slot": slot_data(slot),
        "offer_sent": (
            {
                "channel": entry.offer_message.channel,
                "status": entry.offer_message.status,
                "at": entry.offer_message.created_at,
            }
            if entry.offer_message_id
            else None
        ),
        "booking": entry.booking_id,
        "created_at": entry.created_at,
    }
