"""API schemas of the competitors app. Amounts travel as strings with two decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AliasChoices, ConfigDict, Field, PlainSerializer

Kind = Literal["competitor", "partner"]
Tier = Literal["regular", "hall"]
MoneyIn = Annotated[
    Decimal,
    Field(
        max_digits=14,
        decimal_places=2,
        description='CNY, at most two decimals, not negative; send a string such as "88.00".',
    ),
]
MoneyOut = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]
PercentOut = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.1f}", return_type=str)]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class CompetitorIn(StrictIn):
    kind: Kind = "competitor"
    name: str = Field(min_length=1, max_length=80)
    brand: str = Field(default="", max_length=80)
    cuisine: str = Field(default="", max_length=40)
    city: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=200)
    average_spend: MoneyIn | None = None
    phone: str = Field(default="", max_length=30)
    website: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=2000)
    active: bool = True


class CompetitorPatch(StrictIn):
    kind: Kind | None = None
    name: str | None = Field(default=None, min_length=1, max_length=80)
    brand: str | None = Field(default=None, max_length=80)
    cuisine: str | None = Field(default=None, max_length=40)
    city: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=200)
    average_spend: MoneyIn | None = None
    phone: str | None = Field(default=None, max_length=30)
    website: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)
    active: bool | None = None


class CompetitorOut(Schema):
    id: int
    kind: str
    name: str
    brand: str
    cuisine: str
    city: str
    address: str
    average_spend: MoneyOut | None
    phone: str
    website: str
    notes: str
    active: bool


class NoteIn(StrictIn):
    text: str = Field(min_length=1, max_length=2000)


class NoteOut(Schema):
    id: int
    text: str
    author: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj) -> str:
        return obj.author.get_username() if obj.author_id else ""


class DishIn(StrictIn):
    name: str = Field(min_length=1, max_length=80)
    category: str = Field(default="", max_length=40)
    price: MoneyIn
    observed_at: dt.date
    our_dish: int | None = Field(default=None, description="Id of our comparable dish")


class DishPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    category: str | None = Field(default=None, max_length=40)
    price: MoneyIn | None = None
    observed_at: dt.date | None = None
    our_dish: int | None = None


class DishOut(Schema):
    id: int
    competitor: int = Field(validation_alias=AliasChoices("competitor_id", "competitor"))
    name: str
    category: str
    price: MoneyOut
    observed_at: dt.date
    our_dish: int | None = Field(validation_alias=AliasChoices("our_dish_id", "our_dish"))


class ComparisonEntryOut(Schema):
    competitor: int
    competitor_name: str
    dish: int
    dish_name: str
    observed_at: dt.date
    price: MoneyOut
    difference: MoneyOut = Field(description="Their price minus ours; positive: they charge more")
    percent: PercentOut | None = Field(description="The difference as a percent of our price")


class ComparisonRowOut(Schema):
    dish: int
    code: str
    name: str
    price_regular: MoneyOut
    price_hall: MoneyOut
    our_price: MoneyOut = Field(description="Our price at the requested tier")
    entries: list[ComparisonEntryOut]


class ComparisonOut(Schema):
    tier: str
    rows: list[ComparisonRowOut]
