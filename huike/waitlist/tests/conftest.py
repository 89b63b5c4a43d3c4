"""Fixtures of the waitlist tests: the reservations floor (A1, A2 for up to 4, B1 for 2–8, the
牡丹厅 room for 6–12) and a helper putting a party on tomorrow's waitlist."""

from __future__ import annotations

import datetime as dt

import pytest

from huike.reservations.tests.conftest import floor, make_floor, tomorrow_at  # noqa: F401
from huike.waitlist import services


def tomorrow() -> dt.date:
    return tomorrow_at(12).date()


def add(user, store, *, phone="13800138000", size=8, earliest="18:00", latest="19:00", **extra):
    return services.waitlist_add(
        acting_user=user,
        store=store,
        party_size=size,
        day=extra.pop("day", tomorrow()),
        earliest=dt.time.fromisoformat(earliest),
        latest=dt.time.fromisoformat(latest),
        guest_phone=phone,
        **extra,
    )


@pytest.fixture
def desk(users):
    return users["desk"]
