"""API schemas of the table orders app."""

from __future__ import annotations

from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class PreOrderLineIn(StrictIn):
    dish: int
    quantity: int = Field(description="A whole number from 1 to 50")
    note: str = Field(default="", max_length=100)


class PreOrderIn(StrictIn):
    lines: list[PreOrderLineIn] = Field(
        max_length=30, description="The whole list: it replaces the pre-order"
    )


class PreOrderLineOut(Schema):
    dish: int
    dish_name: str
    quantity: int
    unit_price: Decimal
    price_tier: str
    note: str
    amount: Decimal


class PreOrderOut(Schema):
    booking: int
    price_tier: str = Field(description="hall, or vip_room for a private room")
    total: Decimal
    lines: list[PreOrderLineOut]
