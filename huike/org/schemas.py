"""API schemas of the organisation app."""

from __future__ import annotations

from decimal import Decimal

from ninja import Schema
from pydantic import AliasChoices, ConfigDict, Field


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


OpeningHours = dict[str, list[tuple[str, str]]]


class StoreIn(StrictIn):
    brand: int
    name: str = Field(max_length=100)
    code: str = Field(max_length=40)
    city: str = Field(max_length=50)
    address: str = Field(max_length=200)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    time_zone: str = Field(default="Asia/Shanghai", max_length=64)
    phone: str = Field(default="", max_length=30)
    opening_hours: OpeningHours = Field(default_factory=dict)
    active: bool = True


class StorePatch(StrictIn):
    brand: int | None = None
    name: str | None = Field(default=None, max_length=100)
    code: str | None = Field(default=None, max_length=40)
    city: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=200)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    time_zone: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=30)
    opening_hours: OpeningHours | None = None
    active: bool | None = None


class StoreOut(Schema):
    id: int
    brand: int = Field(validation_alias=AliasChoices("brand_id", "brand"))
    name: str
    code: str
    city: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    time_zone: str
    phone: str
    opening_hours: dict
    active: bool
