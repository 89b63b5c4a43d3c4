"""When a party can be booked at a store (R4): the slot grid of a day with, for each slot start,
whether it is bookable, why not, and the free tables; and the next free slots after a moment.

Each slot is checked against everything ``booking_create`` checks (opening hours, lead time,
pacing, held-back capacity, a free table; see ``huike.reservations.rules``), so what this
shows as bookable is what the service accepts. See decision 0024.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from huike.core.timeutils import zone
from huike.menu.models import DiningTable

from . import rules


@dataclass(frozen=True)
class Slot:
    """A bookable slot: a start and end on the grid and the table it would take."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    table: DiningTable


@dataclass(frozen=True)
class SlotAvailability:
    """One slot start of a day: bookable or the reason it is not (``closed``, ``too_soon``,
    ``too_far_ahead``, ``pacing_full``, ``held_back``, ``no_table``), and the free tables
    (best first) the party could take."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    bookable: bool
    reason: str = ""
    tables: list[DiningTable] = field(default_factory=list)

    @property
    def reason_label(self) -> str:
        return rules.reason_label(self.reason)


def day_slots(*, store, day: dt.date, party_size: int, guest=None) -> list[SlotAvailability]:
    """Every slot start of the store's grid on ``day`` (the store's local date) inside its
    opening hours (the whole day when the store has none), with its availability."""
    context = rules.Context.load(store, guest=guest)
    now = timezone.now()
    found = []
    for starts_at in _grid(store, day, context.slot_minutes):
        if not rules.is_open(store, starts_at):
            continue
        found.append(_check(context, starts_at, party_size, now=now))
    return found


def next_free_slots(
    *, store, party_size: int, after: dt.datetime, guest=None, limit: int = 3, days: int = 7
) -> list[Slot]:
    """The first ``limit`` bookable slots on the grid at or after ``after``, looking ``days``
    days ahead, each with the best free table."""
    context = rules.Context.load(store, guest=guest)
    now = timezone.now()
    tz = zone(store.time_zone)
    first_day = after.astimezone(tz).date()
    found: list[Slot] = []
    for offset in range(max(days, 0) + 1):
        for starts_at in _grid(store, first_day + dt.timedelta(days=offset), context.slot_minutes):
            if starts_at < after or not rules.is_open(store, starts_at):
                continue
            slot = _check(context, starts_at, party_size, now=now)
            if slot.bookable:
                found.append(Slot(slot.starts_at, slot.ends_at, slot.tables[0]))
                if len(found) >= limit:
                    return found
    return found


def _grid(store, day: dt.date, minutes: int) -> list[dt.datetime]:
    tz = zone(store.time_zone)
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    step = dt.timedelta(minutes=minutes)
    return [start + step * i for i in range(24 * 60 // minutes)]


def _check(context, starts_at: dt.datetime, party_size: int, *, now) -> SlotAvailability:
    result = context.evaluate(starts_at=starts_at, party_size=party_size, now=now)
    return SlotAvailability(
        starts_at=starts_at,
        ends_at=result.ends_at,
        bookable=not result.reason,
        reason=result.reason,
        tables=result.tables,
    )
