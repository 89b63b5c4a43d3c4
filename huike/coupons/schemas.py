"""API schemas of the coupons app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

MAX_PAGE = 200
KindIn = Literal["cash", "percent", "free_dish", "trial", "spend_gift", "referral"]
SourceIn = Literal["manual", "campaign", "order_return", "referral", "top_up_gift", "other"]


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class TemplateIn(StrictIn):
    name: str = Field(max_length=60)
    kind: KindIn
    face_value: Decimal | None = Field(default=None, description="cash and referral: CNY")
    percent_off: int | None = Field(default=None, description="percent: 12 means 12% off")
    max_discount: Decimal | None = Field(default=None, description="percent: at most this, CNY")
    dish: int | None = Field(default=None, description="free_dish, trial, spend_gift: the dish")
    min_spend: Decimal = Field(default=Decimal("0"), description="CNY; 0: none")
    valid_from: dt.date | None = Field(default=None, description="fixed dates: first day")
    valid_until: dt.date | None = Field(default=None, description="fixed dates: last day")
    valid_days: int | None = Field(default=None, description="relative: days of validity")
    wait_days: int = Field(default=0, description="days after issue before it can be used")
    stores: list[int] = Field(default_factory=list, description="empty: every store")
    total_limit: int | None = None
    per_guest_limit: int | None = None
    stacks_with_member_pricing: bool = False
    stacks_with_other_coupons: bool = False
    active: bool = True


class TemplatePatch(StrictIn):
    name: str | None = Field(default=None, max_length=60)
    kind: KindIn | None = None
    face_value: Decimal | None = None
    percent_off: int | None = None
    max_discount: Decimal | None = None
    dish: int | None = None
    min_spend: Decimal | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    valid_days: int | None = None
    wait_days: int | None = None
    stores: list[int] | None = None
    total_limit: int | None = None
    per_guest_limit: int | None = None
    stacks_with_member_pricing: bool | None = None
    stacks_with_other_coupons: bool | None = None
    active: bool | None = None


class TemplateOut(Schema):
    id: int
    name: str
    kind: str
    value_text: str
    face_value: Decimal | None
    percent_off: int | None
    max_discount: Decimal | None
    dish: int | None
    min_spend: Decimal
    valid_from: dt.date | None
    valid_until: dt.date | None
    valid_days: int | None
    wait_days: int
    stores: list[int]
    total_limit: int | None
    per_guest_limit: int | None
    issued_count: int
    stacks_with_member_pricing: bool
    stacks_with_other_coupons: bool
    active: bool


class IssueIn(StrictIn):
    template: int
    guest: int | None = Field(default=None, description="The guest's id, or give guest_phone")
    guest_phone: str | None = Field(default=None, max_length=30)
    store: int | None = Field(default=None, description="The issuing store")
    card: int | None = None
    source: SourceIn = "manual"
    reference: str = Field(default="", max_length=64)
    send: bool = Field(default=True, description="Text the code and link to the guest")


class RedeemIn(StrictIn):
    code: str = Field(max_length=100, description="As printed or scanned")
    store: int = Field(description="The store where it is used")
    amount: Decimal | None = Field(default=None, description="The bill: checks the min spend")
    reference: str = Field(default="", max_length=64, description="The till's receipt number")


class VoidIn(StrictIn):
    reason: str = Field(max_length=200)


class ProblemOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class CouponOut(Schema):
    code: str
    template: int
    name: str
    kind: str
    value_text: str
    guest: int
    card: int | None
    status: str
    valid_from: dt.date
    valid_until: dt.date
    issued_at: dt.datetime
    issued_store: int | None
    source: str
    source_reference: str
    redeemed_at: dt.datetime | None
    redeemed_store: int | None
    redeemed_order: int | None
    redeemed_value: Decimal | None
    usable: bool | None = Field(description="With ?store=: may it be used there today")
    problem: ProblemOut | None = Field(description="Why not, when it may not")


class CheckQuery(Schema):
    store: int | None = Field(default=None, description="Check it for use at this store")


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)
