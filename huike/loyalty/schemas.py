"""API schemas of the loyalty app."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field

MAX_PAGE = 200


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class CardIn(StrictIn):
    guest: int = Field(description="The guest's id")
    store: int = Field(description="The issuing store's id")
    number: str = Field(default="", max_length=40, description="Empty: 12 random digits")
    tier: int | None = None
    valid_from: dt.date | None = Field(default=None, description="Empty: today")
    valid_until: dt.date | None = Field(default=None, description="Empty: no end")


class ReasonIn(StrictIn):
    reason: str = Field(default="", max_length=200)


class ReplaceIn(StrictIn):
    number: str = Field(default="", max_length=40, description="Empty: 12 random digits")
    reason: str = Field(default="", max_length=200)


class AmountIn(StrictIn):
    amount: Decimal = Field(description="CNY, more than 0, at most 2 decimal places")
    reference: str = Field(default="", max_length=64, description="The till's receipt number")
    store: int | None = Field(default=None, description="The store where it happens")


class RefundIn(StrictIn):
    amount: Decimal = Field(description="Principal to refund, CNY")
    reason: str = Field(max_length=200)
    reference: str = Field(default="", max_length=64)


class PointsSpendIn(StrictIn):
    points: int = Field(description="More than 0, at most what the card holds")
    reference: str = Field(default="", max_length=64, description="The till's receipt number")
    store: int | None = Field(default=None, description="The store where it happens")


class PointsAdjustIn(StrictIn):
    points: int = Field(description="Plus or minus, not zero")
    reason: str = Field(max_length=200)


class TierOut(Schema):
    id: int
    code: str
    name: str
    rank: int


class BalancesOut(Schema):
    points: int
    principal: Decimal
    bonus: Decimal
    stored_value: Decimal


class CardOut(Schema):
    id: int
    number: str
    guest: int
    tier: TierOut | None
    status: str
    valid_from: dt.date
    valid_until: dt.date | None
    store: int
    signed_up_by: int | None
    issued_at: dt.datetime
    replaced_by: int | None
    balances: BalancesOut


class EntryOut(Schema):
    id: int
    kind: str
    points: int
    amount: Decimal
    cause: str
    reference: str
    order: int | None
    related_card: int | None
    operation: uuid.UUID
    store: int | None
    actor: int | None
    reason: str
    created_at: dt.datetime


class OperationOut(Schema):
    """What one top-up, spend or refund wrote, and the card's balances after it."""

    operation: uuid.UUID | None
    entries: list[EntryOut]
    card: CardOut


class EntryPage(Schema):
    count: int
    items: list[EntryOut]


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)


class CardQuery(Schema):
    guest: int | None = None
    number: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)
