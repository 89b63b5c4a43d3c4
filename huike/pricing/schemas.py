"""API schemas of the pricing app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class MemberPriceIn(StrictIn):
    dish: int = Field(description="The dish's id")
    tier: int | None = Field(default=None, description="Empty: every member")
    price: Decimal = Field(description="CNY, zero or more, at most 2 decimal places")


class MemberPricePatch(StrictIn):
    price: Decimal


class MemberPriceOut(Schema):
    id: int
    dish: int
    dish_code: str
    dish_name: str
    tier: int | None
    price: Decimal


class RuleFields(StrictIn):
    name: str = Field(max_length=60)
    brand: int | None = Field(default=None, description="Empty: every brand without its own")
    tier: int | None = Field(default=None, description="Empty: every member")
    percent_off: int | None = Field(default=None, description="percent_off: 1–99 (5 is 9.5折)")
    threshold: Decimal | None = Field(default=None, description="满减/满返: spend at least")
    save_amount: Decimal | None = Field(default=None, description="满减: save, less than spend")
    repeat: bool = Field(default=False, description="每满: again for every full threshold")
    return_template: int | None = Field(default=None, description="满返: the coupon template")
    active: bool = True
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class RuleIn(RuleFields):
    kind: str = Field(description="percent_off (折扣), spend_save (满减), spend_return (满返)")


class RulePatch(StrictIn):
    name: str | None = Field(default=None, max_length=60)
    brand: int | None = None
    tier: int | None = None
    percent_off: int | None = None
    threshold: Decimal | None = None
    save_amount: Decimal | None = None
    repeat: bool | None = None
    return_template: int | None = None
    active: bool | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class RuleOut(Schema):
    id: int
    name: str
    kind: str
    brand: int | None
    tier: int | None
    percent_off: int | None
    threshold: Decimal | None
    save_amount: Decimal | None
    repeat: bool
    return_template: int | None
    active: bool
    valid_from: dt.date | None
    valid_until: dt.date | None


class StackingRulesOut(Schema):
    rules: list[str]


class QuoteLineIn(StrictIn):
    dish_code: str = Field(default="", max_length=30)
    dish: int | None = None
    qty: Decimal = Field(description="More than 0")
    price_tier: str = Field(default="regular", description="regular, hall or vip_room")


class QuoteIn(StrictIn):
    store: int
    member_card: str = Field(default="", max_length=40, description="Card number (optional)")
    lines: list[QuoteLineIn]
    service_charge: Decimal | None = None
    coupons: list[str] = Field(default_factory=list, description="Coupon codes, in order")


class QuoteLineOut(Schema):
    dish: int | None
    dish_code: str
    dish_name: str
    qty: Decimal
    list_price: Decimal
    unit_price: Decimal
    line_total: Decimal
    discount: Decimal
    discountable: bool
    rule: str


class CouponUseOut(Schema):
    code: str
    value: Decimal


class ReturnOut(Schema):
    id: int
    name: str


class QuoteOut(Schema):
    lines: list[QuoteLineOut]
    subtotal: Decimal
    member_discount: Decimal
    threshold_discount: Decimal
    discount: Decimal
    service_charge: Decimal
    total: Decimal
    coupons: list[CouponUseOut]
    coupon_total: Decimal
    due: Decimal
    returns: list[ReturnOut]
    steps: list[str]
