"""The live floor (M3): every table and room of a store as free, booked, seated or cleaning, with
the party on it; and marking a table clean again. The floor page follows the store's
``store:<id>:floor`` channel (``huike.live``), so every open floor page redraws within a second
of a booking change or a table cleaned.

A table's state, first that applies: **cleaning** (a party left and it has not been marked
clean), **seated** (a booking on it is seated), **booked** (a pending or confirmed booking on it
has not ended and starts within ``BOOKED_AHEAD``), else **free**.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from huike.core.audit import Action, audit_record
from huike.core.permissions import check_perm
from huike.live import bus
from huike.menu.models import DiningTable

from . import permissions as perms
from .models import Booking

BOOKED_AHEAD = dt.timedelta(hours=3)
Status = Booking.Status

FREE, BOOKED, SEATED, CLEANING = "free", "booked", "seated", "cleaning"


@dataclass
class TableState:
    table: DiningTable
    state: str
    booking: Booking | None = None


def floor_plan(store, *, now: dt.datetime | None = None) -> list[tuple[object, list[TableState]]]:
    """The store's active tables by area, each with its state and the booking behind it (two
    queries)."""
    now = now or timezone.now()
    tables = list(DiningTable.objects.filter(store=store, active=True).select_related("area"))
    bookings = (
        Booking.objects.filter(
            store=store,
            table__in=tables,
            status__in=[Status.PENDING, Status.CONFIRMED, Status.SEATED],
            ends_at__gt=now - dt.timedelta(hours=12),
            starts_at__lt=now + BOOKED_AHEAD,
        )
        .select_related("guest")
        .order_by("starts_at")
    )
    seated, booked = {}, {}
    for booking in bookings:
        if booking.status == Status.SEATED:
            seated.setdefault(booking.table_id, booking)
        elif booking.ends_at > now:
            booked.setdefault(booking.table_id, booking)
    areas: dict = {}
    for table in tables:
        if table.cleaning_since is not None:
            state = TableState(table, CLEANING)
        elif table.pk in seated:
            state = TableState(table, SEATED, seated[table.pk])
        elif table.pk in booked:
            state = TableState(table, BOOKED, booked[table.pk])
        else:
            state = TableState(table, FREE)
        areas.setdefault(table.area, []).append(state)
    return list(areas.items())


@transaction.atomic
def table_mark_clean(*, acting_user, table: DiningTable) -> DiningTable:
    """The table is cleaned and free for the next party; every floor page of the store hears it."""
    check_perm(acting_user, perms.BOOK)
    table = DiningTable.objects.select_for_update().get(pk=table.pk)
    if table.cleaning_since is None:
        return table
    DiningTable.objects.filter(pk=table.pk).update(cleaning_since=None)
    table.cleaning_since = None
    audit_record(
        action=Action.UPDATE, actor=acting_user, obj=table, changes={"cleaning": [True, False]}
    )
    bus.publish(f"store:{table.store_id}:floor", "table", {"table": table.pk, "state": FREE})
    return table
