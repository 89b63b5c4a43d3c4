from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

MAX_PAGE = 200


class MessageQuery(Schema):
    status: Literal["queued", "sending", "sent", "delivered", "failed"] | None = None
    channel: Literal["sms", "email"] | None = None
    reference: str | None = Field(default=None, max_length=100, description="Starts with")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)


class MessageOut(Schema):
    id: int
    channel: str
    recipient: str = Field(description="Masked unless the caller may see guests' phones")
    purpose: str
    reference: str
    status: str
    attempts: int
    provider: str
    provider_message_id: str
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None


class MessagePage(Schema):
    count: int
    items: list[MessageOut]
