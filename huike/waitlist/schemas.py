"""API schemas of the waitlist."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class WaitlistIn(StrictIn):
    store: int
    day: dt.date = Field(description="The store's local date")
    earliest: dt.time = Field(description="Earliest start, store time")
    latest: dt.time = Field(description="Latest start, store time")
    party_size: int
    guest_phone: str = Field(default="", max_length=40, description="Finds or creates the guest")
    guest: int | None = Field(default=None, description="Instead of guest_phone")
    guest_name: str = Field(default="", max_length=60, description="For a new guest")
    notes: str = Field(default="", max_length=2000)


class AcceptIn(StrictIn):
    table: int | None = Field(default=None, description="With starts_at: book this slot")
    starts_at: dt.datetime | None = Field(
        default=None, description="With its UTC offset; empty: the offer, else the next free slot"
    )


class ReasonIn(StrictIn):
    reason: str = Field(default="", max_length=200)


class WaitlistQuery(Schema):
    store: int
    date: dt.date


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    table: int
    table_code: str


class OfferSentOut(Schema):
    channel: str
    status: str = Field(
        description="The message's delivery: queued, sending, sent, delivered, failed"
    )
    at: dt.datetime


class WaitlistOut(Schema):
    id: int
    store: int
    guest: int
    guest_name: str
    party_size: int
    day: dt.date
    earliest: dt.time
    latest: dt.time
    notes: str
    status: str
    status_reason: str
    offered: SlotOut | None = Field(description="The slot last offered (check again)")
    next_slot: SlotOut | None = Field(description="The next free slot of the window now")
    offer_sent: OfferSentOut | None = Field(description="The last slot texted to the guest")
    booking: int | None
    created_at: dt.datetime
