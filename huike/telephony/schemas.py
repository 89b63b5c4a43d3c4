"""Shapes of the telephony API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class CallIn(Schema):
    call_id: str = Field(min_length=1, max_length=100)
    caller: str = Field(default="", max_length=40)
    called: str = Field(default="", max_length=40)
    at: dt.datetime | None = None


class CallOut(Schema):
    id: int
    call_id: str
    line: str
    store: int
    caller_masked: str
    caller_known: bool
    guest: int | None
    received_at: dt.datetime
    source: str


class LineIn(Schema):
    store: int
    name: str = Field(min_length=1, max_length=60)
    code: str = Field(min_length=1, max_length=40)


class LinePatch(Schema):
    active: bool


class LineOut(Schema):
    id: int
    store: int
    name: str
    code: str
    active: bool
    secret_rotated_at: dt.datetime | None
    previous_secret_until: dt.datetime | None


class LineSecretOut(LineOut):
    """A line with its secret: only in the answer that created or rotated it."""

    secret: str
