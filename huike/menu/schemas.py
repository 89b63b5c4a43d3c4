"""API schemas of the menu app. Prices travel as strings with two decimals ("38.00")."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AliasChoices, ConfigDict, Field, PlainSerializer


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


Kind = Literal["dish", "dim_sum", "service", "drinks"]
Tier = Literal["regular", "hall", "vip_room"]
# In: a string (or number) with at most two decimals; the service refuses negatives.
PriceIn = Annotated[
    Decimal,
    Field(
        max_digits=14,
        decimal_places=2,
        description='CNY, at most two decimals, not negative; send a string such as "38.00".',
    ),
]
# Out: always a string with two decimals.
PriceOut = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]


class CategoryIn(StrictIn):
    name: str = Field(min_length=1, max_length=60)
    sort_order: int = Field(default=0, ge=0, le=100_000)


class CategoryPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    sort_order: int | None = Field(default=None, ge=0, le=100_000)


class CategoryOut(Schema):
    id: int
    name: str
    sort_order: int


class DishIn(StrictIn):
    category: int
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=60)
    unit: str = Field(default="份", min_length=1, max_length=10)
    kind: Kind = "dish"
    price_regular: PriceIn
    price_hall: PriceIn
    price_vip_room: PriceIn
    service_charge: PriceIn = Decimal("0.00")
    discountable: bool = True
    recommended: bool = False
    featured: bool = False
    active: bool = True


class DishPatch(StrictIn):
    category: int | None = None
    code: str | None = Field(default=None, min_length=1, max_length=30)
    name: str | None = Field(default=None, min_length=1, max_length=60)
    unit: str | None = Field(default=None, min_length=1, max_length=10)
    kind: Kind | None = None
    price_regular: PriceIn | None = None
    price_hall: PriceIn | None = None
    price_vip_room: PriceIn | None = None
    service_charge: PriceIn | None = None
    discountable: bool | None = None
    recommended: bool | None = None
    featured: bool | None = None
    active: bool | None = None


class DishOut(Schema):
    id: int
    code: str
    name: str
    category: int = Field(validation_alias=AliasChoices("category_id", "category"))
    category_name: str
    unit: str
    kind: str
    price_regular: PriceOut
    price_hall: PriceOut
    price_vip_room: PriceOut
    service_charge: PriceOut
    discountable: bool
    recommended: bool
    featured: bool
    active: bool

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj["category_name"] if isinstance(obj, dict) else obj.category.name


class StoreAvailabilityOut(Schema):
    store: int
    store_name: str
    active: bool


class DishDetailOut(DishOut):
    stores: list[StoreAvailabilityOut] = Field(
        default_factory=list, description="Whether the dish is on each store's menu."
    )


class AvailabilityIn(StrictIn):
    active: bool = Field(description="On this store's menu?")


class AvailabilityOut(Schema):
    dish: int
    store: int
    active: bool


class MenuItemOut(Schema):
    id: int
    code: str
    name: str
    category: int = Field(validation_alias=AliasChoices("category_id", "category"))
    category_name: str
    unit: str
    kind: str
    price: PriceOut = Field(description="The price at the requested tier.")
    service_charge: PriceOut
    discountable: bool
    recommended: bool
    featured: bool

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj.category.name


class StoreMenuOut(Schema):
    store: int
    tier: str
    items: list[MenuItemOut]


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportResultOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Rows refused; each is listed in errors.")
    errors: list[ImportErrorOut]
