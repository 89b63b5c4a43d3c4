"""API schemas of the booking notices."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field


class NoticePolicyQuery(Schema):
    store: int | None = Field(default=None, description="Empty: the brand group default")


class NoticePolicyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    store: int | None = Field(default=None, description="Empty: the brand group default")
    confirmation_on: bool = True
    change_on: bool = True
    cancellation_on: bool = True
    reminder_on: bool = True
    reminder_minutes: int = Field(description="Minutes before the slot, 0 to 10080")
    reminder_day_before_at: dt.time | None = Field(
        default=None, description="Instead: the day before the slot at this store time"
    )
    confirmation_text: str = Field(max_length=1000)
    change_text: str = Field(max_length=1000)
    cancellation_text: str = Field(max_length=1000)
    reminder_text: str = Field(max_length=1000)


class NoticePolicyOut(Schema):
    store: int | None
    own: bool = Field(description="False: inherited (from the brand group, or the defaults)")
    confirmation_on: bool
    change_on: bool
    cancellation_on: bool
    reminder_on: bool
    reminder_minutes: int
    reminder_day_before_at: dt.time | None
    confirmation_text: str
    change_text: str
    cancellation_text: str
    reminder_text: str
    placeholders: list[str]


class BookingNoticeOut(Schema):
    id: int
    kind: str
    channel: str
    created_at: dt.datetime
    note: str
    message_id: int | None
    recipient: str
    status: str = Field(description="queued, sending, sent, delivered, failed; empty: not sent")
    attempts: int
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_error: str
    body: str
