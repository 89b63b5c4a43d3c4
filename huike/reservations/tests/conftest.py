"""Fixtures of the reservations tests: a store's floor (tables and a private room), a guest and
a slot tomorrow evening."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huike.guests.services import guest_create
from huike.menu.models import DiningTable, FloorArea


def make_floor(store) -> dict[str, DiningTable]:
    hall = FloorArea.objects.create(store=store, name="大堂", sort_order=1)
    rooms = FloorArea.objects.create(store=store, name="包房区", sort_order=2)

    def table(area, code, lo, hi, kind=DiningTable.Kind.TABLE):
        return DiningTable.objects.create(
            store=store, area=area, code=code, kind=kind, capacity_min=lo, capacity_max=hi
        )

    return {
        "A1": table(hall, "A1", 1, 4),
        "A2": table(hall, "A2", 1, 4),
        "B1": table(hall, "B1", 2, 8),
        "牡丹厅": table(rooms, "牡丹厅", 6, 12, DiningTable.Kind.ROOM),
    }


@pytest.fixture
def floor(org):
    return make_floor(org["store"])


@pytest.fixture
def guest(org, hq):
    return guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")


def tomorrow_at(hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def evening():
    return tomorrow_at(18)
