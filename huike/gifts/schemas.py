"""API schemas of points-for-gifts."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema
from pydantic import ConfigDict, Field

MAX_PAGE = 200


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class GiftIn(StrictIn):
    name: str = Field(max_length=80)
    points_cost: int = Field(description="Points for one, more than 0")
    stock: int = Field(default=0, description="Opening stock, 0 or more")
    description: str = ""
    active: bool = True
    brand: int | None = Field(default=None, description="Empty: every brand")
    stores: list[int] = Field(default=[], description="Empty: every store (of the brand)")
    sort_order: int = 0


class GiftPatch(StrictIn):
    name: str | None = Field(default=None, max_length=80)
    points_cost: int | None = None
    description: str | None = None
    active: bool | None = None
    brand: int | None = None
    stores: list[int] | None = None
    sort_order: int | None = None


class StockIn(StrictIn):
    change: int = Field(description="Plus (a delivery) or minus, not zero")
    reason: str = Field(max_length=200)


class GiftOut(Schema):
    id: int
    name: str
    description: str
    points_cost: int
    stock: int
    active: bool
    brand: int | None
    stores: list[int]
    sort_order: int


class RedeemIn(StrictIn):
    card: int = Field(description="The membership card's id")
    qty: int = Field(default=1, description="How many, more than 0")
    store: int = Field(description="The store where the gift is handed over")


class CancelIn(StrictIn):
    reason: str = Field(max_length=200)


class RedemptionOut(Schema):
    id: int
    gift: int
    gift_name: str
    card: int
    card_number: str
    guest: int
    qty: int
    points: int
    status: str
    store: int
    reference: str
    operation: uuid.UUID
    redeemed_by: int | None
    redeemed_at: dt.datetime
    cancelled_by: int | None
    cancelled_at: dt.datetime | None
    cancel_reason: str
    refund_operation: uuid.UUID | None


class RedemptionPage(Schema):
    count: int
    items: list[RedemptionOut]


class GiftQuery(Schema):
    active: bool | None = None
    store: int | None = Field(default=None, description="Only gifts offered at this store")


class RedemptionQuery(Schema):
    card: int | None = None
    gift: int | None = None
    status: str | None = Field(default=None, pattern="^(redeemed|cancelled)$")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)
