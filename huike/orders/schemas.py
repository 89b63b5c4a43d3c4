"""API schemas of the orders app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import AliasChoices, AwareDatetime, ConfigDict, Field

MAX_PAGE = 200
Tier = Literal["regular", "hall", "vip_room"]
Method = Literal["cash", "card", "wechat", "alipay", "stored_value", "coupon", "other"]


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class OrderLineIn(StrictIn):
    dish_code: str | None = Field(default=None, max_length=30, description="The dish's code")
    dish: int | None = Field(default=None, description="The dish's id (instead of its code)")
    qty: Decimal = Field(description="More than 0, up to 3 decimal places")
    price_tier: Tier = "regular"
    unit_price: Decimal | None = Field(
        default=None, description="Empty: the dish's price of the tier"
    )


class PaymentIn(StrictIn):
    method: Method
    amount: Decimal = Field(description="More than 0")


class OrderIn(StrictIn):
    store: int | None = Field(default=None, description="The store's id")
    store_code: str | None = Field(default=None, max_length=40, description="Or its code")
    pos_order_id: str = Field(max_length=64, description="The POS's own order number")
    opened_at: AwareDatetime | None = None
    closed_at: AwareDatetime
    table_label: str = Field(default="", max_length=40, description="Table or room")
    party_size: int | None = Field(default=None, ge=1, le=1000)
    guest_phone: str | None = Field(
        default=None, max_length=30, description="Found or created as a guest"
    )
    guest: int | None = Field(default=None, description="Or the guest's id")
    member_card: str = Field(
        default="",
        max_length=40,
        description="A card of the brand group makes this a member checkout: member pricing, "
        "stored value, coupons and points in one transaction",
    )
    coupons: list[str] = Field(
        default_factory=list, max_length=10, description="Codes of the member's coupons to use"
    )
    discount: Decimal | None = Field(
        default=None, description="Checked against member pricing on a member checkout"
    )
    service_charge: Decimal = Decimal("0")
    subtotal: Decimal | None = Field(default=None, description="Checked against the lines")
    total: Decimal | None = Field(
        default=None, description="Checked: subtotal - discount + service_charge"
    )
    lines: list[OrderLineIn] = Field(max_length=500)
    payments: list[PaymentIn] = Field(default_factory=list, max_length=20)


class CorrectionIn(StrictIn):
    pos_order_id: str = Field(max_length=64, description="The correction's own POS number")
    opened_at: AwareDatetime | None = None
    closed_at: AwareDatetime
    table_label: str = Field(default="", max_length=40)
    party_size: int | None = Field(default=None, ge=1, le=1000)
    guest_phone: str | None = Field(default=None, max_length=30)
    guest: int | None = None
    member_card: str = Field(default="", max_length=40)
    discount: Decimal = Decimal("0")
    service_charge: Decimal = Decimal("0")
    subtotal: Decimal | None = None
    total: Decimal | None = None
    lines: list[OrderLineIn] = Field(max_length=500)
    payments: list[PaymentIn] = Field(default_factory=list, max_length=20)


class RefundLineIn(StrictIn):
    line: int = Field(description="The line number of the original order")
    qty: Decimal


class RefundIn(StrictIn):
    pos_order_id: str = Field(max_length=64, description="The refund's own POS number")
    closed_at: AwareDatetime | None = Field(default=None, description="Empty: now")
    lines: list[RefundLineIn] | None = Field(
        default=None, max_length=500, description="Empty: refund everything not yet refunded"
    )
    payments: list[PaymentIn] | None = Field(
        default=None, max_length=20, description="Empty: back the way it was paid"
    )


class OrderLineOut(Schema):
    line_no: int
    dish: int | None = Field(validation_alias=AliasChoices("dish_id", "dish"))
    dish_code: str
    dish_name: str
    qty: Decimal
    unit_price: Decimal
    price_tier: str
    line_total: Decimal
    refunded_qty: Decimal


class PaymentOut(Schema):
    method: str
    amount: Decimal


class OrderOut(Schema):
    id: int
    store: int = Field(validation_alias=AliasChoices("store_id", "store"))
    pos_order_id: str
    kind: str
    status: str
    original: int | None = Field(validation_alias=AliasChoices("original_id", "original"))
    guest: int | None = Field(validation_alias=AliasChoices("guest_id", "guest"))
    member_card: str
    table_label: str
    opened_at: dt.datetime | None
    closed_at: dt.datetime
    party_size: int | None
    subtotal: Decimal
    discount: Decimal
    service_charge: Decimal
    total: Decimal
    refunded_amount: Decimal
    source: str
    created_at: dt.datetime


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    payments: list[PaymentOut]


class OrderQuery(Schema):
    store: int | None = None
    guest: int | None = None
    since: AwareDatetime | None = Field(default=None, description="Closed at or after")
    until: AwareDatetime | None = Field(default=None, description="Closed before")
    kind: Literal["sale", "refund", "correction"] | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)


class OrderPage(Schema):
    count: int
    items: list[OrderOut]


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    rows: int
    orders_posted: int
    orders_already_posted: int
    orders_rejected: int
    errors: list[ImportErrorOut]
    errors_truncated: bool


MAX_BATCH = 500  # the same limit as services.MAX_BATCH


class OrderBatchIn(StrictIn):
    orders: list[dict] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=(
            "Up to 500 orders, each the body of POST /orders. Each is checked on its own: a bad "
            "order is reported in its result and does not stop the others."
        ),
    )


class ProblemOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class OrderBatchResultOut(Schema):
    index: int = Field(description="The order's position in the request, from 0")
    pos_order_id: str | None = None
    status: Literal["created", "replayed", "error"]
    order: OrderOut | None = Field(default=None, description="The stored order (not on error)")
    error: ProblemOut | None = Field(
        default=None, description="Why the order was not posted (the problem of POST /orders)"
    )


class OrderBatchOut(Schema):
    created: int
    replayed: int
    failed: int
    results: list[OrderBatchResultOut]
