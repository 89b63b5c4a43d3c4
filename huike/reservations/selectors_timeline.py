"""A store's day as a timeline (Gantt-style): one row per table or room, by area, with each
active booking as a bar placed by its start and length in percent of the shown hours.

The hours shown run from the store's first opening to its last closing on that weekday
(``Store.opening_hours``; a close before its open runs past midnight), whole hours outward,
else 10:00–22:00; a booking reaching outside them is clipped to the edge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from huike.core.timeutils import zone
from huike.menu.models import DiningTable
from huike.org.models import WEEKDAYS

from .models import Booking

DEFAULT_HOURS = (dt.time(10, 0), dt.time(22, 0))


@dataclass
class Bar:
    booking: Booking
    left: float
    width: float
    clipped: bool


@dataclass
class Row:
    table: DiningTable | None
    bars: list[Bar] = field(default_factory=list)


@dataclass
class AreaRows:
    name: str
    rows: list[Row]


@dataclass
class Tick:
    label: str
    left: float


@dataclass
class Timeline:
    starts_at: dt.datetime
    ends_at: dt.datetime
    ticks: list[Tick]
    areas: list[AreaRows]
    count: int


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def timeline_hours(store, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of the hours shown for ``day`` (whole hours)."""
    tz = zone(store.time_zone)
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    periods = (store.opening_hours or {}).get(WEEKDAYS[day.weekday()]) or []
    opens, closes = [], []
    for period in periods:
        try:
            start, end = _minutes(period[0]), _minutes(period[1])
        except (ValueError, IndexError, TypeError, AttributeError):
            continue
        opens.append(start)
        closes.append(end if end > start else end + 24 * 60)
    if opens:
        first, last = min(opens), max(closes)
    else:
        first = DEFAULT_HOURS[0].hour * 60 + DEFAULT_HOURS[0].minute
        last = DEFAULT_HOURS[1].hour * 60 + DEFAULT_HOURS[1].minute
    first = first // 60 * 60
    last = -(-last // 60) * 60
    return midnight + dt.timedelta(minutes=first), midnight + dt.timedelta(minutes=last)


def bookings_timeline(store, day: dt.date) -> Timeline:
    """The timeline of the store's tables on ``day``: two queries whatever the bookings."""
    start, end = timeline_hours(store, day)
    span = (end - start).total_seconds()
    tz = zone(store.time_zone)
    ticks = []
    moment = start
    while moment <= end:
        left = (moment - start).total_seconds() / span * 100
        ticks.append(Tick(moment.astimezone(tz).strftime("%H:%M"), round(left, 3)))
        moment += dt.timedelta(hours=1)

    tables = list(
        DiningTable.objects.filter(store=store, active=True)
        .select_related("area")
        .order_by("area__sort_order", "area__name", "sort_order", "code")
    )
    rows: dict[int | None, Row] = {t.pk: Row(t) for t in tables}
    bookings = (
        Booking.objects.filter(
            store=store, status__in=Booking.ACTIVE, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("guest", "table__area")
        .order_by("starts_at", "pk")
    )
    count = 0
    for booking in bookings:
        row = rows.get(booking.table_id)
        if row is None:  # no table yet, or an inactive one: its own row
            row = rows.setdefault(booking.table_id, Row(booking.table))
        left_at, right_at = max(booking.starts_at, start), min(booking.ends_at, end)
        left = (left_at - start).total_seconds() / span * 100
        width = (right_at - left_at).total_seconds() / span * 100
        row.bars.append(
            Bar(
                booking,
                round(left, 3),
                round(width, 3),
                clipped=booking.starts_at < start or booking.ends_at > end,
            )
        )
        count += 1

    areas: list[AreaRows] = []
    for row in rows.values():
        name = row.table.area.name if row.table is not None else ""
        if not areas or areas[-1].name != name:
            areas.append(AreaRows(name, []))
        areas[-1].rows.append(row)
    return Timeline(starts_at=start, ends_at=end, ticks=ticks, areas=areas, count=count)
