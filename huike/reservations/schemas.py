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
    override: bool = Field(
        default=False, description="Book past pacing and held-back places (override_rules)"
    )


class ReasonIn(StrictIn):
    reason: str = Field(default="", max_length=200)


class CancelIn(StrictIn):
    reason: str = Field(default="", max_length=200)
    by_guest: bool = Field(
        default=False, description="The guest cancels online: refused after the cut-off"
    )


class MoveIn(StrictIn):
    table: int | None = None
    starts_at: dt.datetime | None = None
    duration: int | None = None
    reason: str = Field(default="", max_length=200)
    override: bool = False


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


class BookingRuleIn(StrictIn):
    area: int | None = Field(default=None, description="Empty: the whole store")
    slot_minutes: int = Field(default=30, description="15, 30 or 60")
    turn_times: list[list[int]] = Field(
        default_factory=list, description="[[max party size, minutes], …], sizes ascending"
    )
    max_covers_per_slot: int | None = None
    max_parties_per_slot: int | None = None
    min_lead_minutes: int = 0
    max_days_ahead: int | None = None
    cancel_cutoff_hours: int | None = None
    held_covers: int = 0
    held_tables: list[int] = Field(default_factory=list)
    held_for_tags: list[int] = Field(default_factory=list)
    held_for_tiers: list[int] = Field(default_factory=list)


class BookingRulePatch(StrictIn):
    slot_minutes: int | None = None
    turn_times: list[list[int]] | None = None
    max_covers_per_slot: int | None = None
    max_parties_per_slot: int | None = None
    min_lead_minutes: int | None = None
    max_days_ahead: int | None = None
    cancel_cutoff_hours: int | None = None
    held_covers: int | None = None
    held_tables: list[int] | None = None
    held_for_tags: list[int] | None = None
    held_for_tiers: list[int] | None = None


class BookingRuleOut(Schema):
    id: int
    store: int
    area: int | None
    area_name: str
    slot_minutes: int
    turn_times: list[list[int]]
    max_covers_per_slot: int | None
    max_parties_per_slot: int | None
    min_lead_minutes: int
    max_days_ahead: int | None
    cancel_cutoff_hours: int | None
    held_covers: int
    held_tables: list[int]
    held_for_tags: list[int]
    held_for_tiers: list[int]


class AvailabilityQuery(Schema):
    date: dt.date
    party_size: int = Field(ge=1, le=200)
    guest: int | None = None


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    bookable: bool
    reason: str = Field(
        description="closed, too_soon, too_far_ahead, off_grid, pacing_full, held_back, no_table"
    )
    reason_label: str
    tables: list[TableOut]
