"""Time helpers: aware datetimes everywhere, shown in the store's own time zone (X3)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

DEFAULT_TIME_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=1)
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid_time_zone(name: str) -> bool:
    return name in available_time_zones()


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)


def in_zone(value: dt.datetime | None, zone_name: str | None) -> dt.datetime | None:
    """``value`` converted to the named zone (the store's), for display."""
    if value is None:
        return None
    if timezone.is_naive(value):
        raise ValueError("naive datetime: Huike stores aware datetimes only")
    return value.astimezone(zone(zone_name))


def local_today(zone_name: str | None = None) -> dt.date:
    return timezone.now().astimezone(zone(zone_name)).date()


def day_bounds(day: dt.date, zone_name: str | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The aware [start, end) of a calendar day in a zone."""
    tz = zone(zone_name)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)
