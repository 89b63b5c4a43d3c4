"""API schemas of the reservations app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class BookingIn(StrictIn):
    store: int
    starts_at: dt.datetime = Field(description="With its UTC offset")
    party_size: int
    guest_phone: str = Field(default="", max_length=40, description="Finds or creates the guest")
    guest: int | None = Field(default=None, description="Instead of guest_phone")
    guest_name: str = Field(default="", max_length=60, description="For a new guest")
    table: int | None = Field(default=None, description="Empty: the best free table")
    duration: int | None = Field(default=None, description="Minutes; empty: by party size")
    occasion: str = ""
    deposit: Decimal | None = None
    notes: str = Field(default="", max_length=2000)
    source: str = "online"


class ReasonIn(StrictIn):
    reason: str = Field(default="", max_length=200)


class MoveIn(StrictIn):
    table: int | None = None
    starts_at: dt.datetime | None = None
    duration: int | None = None
    reason: str = Field(default="", max_length=200)


class BookingOut(Schema):
    id: int
    store: int
    table: int | None
    table_code: str
    guest: int
    guest_name: str
    party_size: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_reason: str
    occasion: str
    deposit: Decimal
    notes: str
    source: str
    created_at: dt.datetime


class BookingQuery(Schema):
    store: int
    date: dt.date


class FreeTableQuery(Schema):
    starts_at: dt.datetime
    party_size: int = Field(ge=1, le=200)
    duration: int | None = Field(default=None, ge=1, le=720)


class TableOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    area: str
    capacity_min: int
    capacity_max: int
    min_spend: Decimal
