"""API schemas of the guests app. A guest is read as its sheet (客情表): the keys the caller's
role may not see are absent, and phones are masked unless the role sees them in full."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from huike.core.schemas import MAX_PAGE
from huike.org.schemas import StrictIn

Gender = Literal["", "m", "f"]
MealType = Literal["", "business", "family", "friends", "couple", "banquet", "solo"]
Channel = Literal["sms", "email", "phone", "portal"]
DateKind = Literal["anniversary", "partner_birthday", "child_birthday", "company", "other"]


class GuestIn(StrictIn):
    name: str = Field(default="", max_length=60)
    surname: str = Field(default="", max_length=20)
    title: str = Field(default="", max_length=30, description="Form of address, e.g. 王先生")
    gender: Gender = ""
    primary_phone: str = Field(
        default="", max_length=30, description="Any common way of writing it; stored in E.164"
    )
    email: str = Field(default="", max_length=254)
    birthday: dt.date | None = None
    company: str = Field(default="", max_length=100)
    job_title: str = Field(default="", max_length=60)
    address: str = Field(default="", max_length=200)
    referrer: int | None = Field(default=None, description="The referring guest's id")
    taste_preferences: str = Field(default="", max_length=300)
    dish_requirements: str = Field(default="", max_length=300)
    likes: str = Field(default="", max_length=300)
    taboos: str = Field(default="", max_length=300)
    preferred_room: str = Field(default="", max_length=100)
    meal_type: MealType = ""
    preferred_channel: Channel = "sms"
    marketing_consent: bool = False
    consent_source: str = Field(default="", max_length=60)
    home_store: int | None = None
    notes: str = Field(default="", max_length=2000)


class GuestPatch(StrictIn):
    name: str | None = Field(default=None, max_length=60)
    surname: str | None = Field(default=None, max_length=20)
    title: str | None = Field(default=None, max_length=30)
    gender: Gender | None = None
    primary_phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    birthday: dt.date | None = None
    company: str | None = Field(default=None, max_length=100)
    job_title: str | None = Field(default=None, max_length=60)
    address: str | None = Field(default=None, max_length=200)
    referrer: int | None = None
    taste_preferences: str | None = Field(default=None, max_length=300)
    dish_requirements: str | None = Field(default=None, max_length=300)
    likes: str | None = Field(default=None, max_length=300)
    taboos: str | None = Field(default=None, max_length=300)
    preferred_room: str | None = Field(default=None, max_length=100)
    meal_type: MealType | None = None
    preferred_channel: Channel | None = None
    marketing_consent: bool | None = None
    consent_source: str | None = Field(default=None, max_length=60)
    home_store: int | None = None
    notes: str | None = Field(default=None, max_length=2000)


class GuestListQuery(Schema):
    name: str | None = Field(default=None, max_length=60)
    phone_tail: str | None = Field(
        default=None, pattern=r"^\d{4}$", description="The last four digits of a phone"
    )
    tag: int | None = None
    store: int | None = Field(default=None, description="Home store id")
    last_visit_from: dt.date | None = None
    last_visit_to: dt.date | None = None
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)

    def filters(self) -> dict:
        return self.model_dump(exclude={"limit", "offset"})


class ExportQuery(Schema):
    name: str | None = Field(default=None, max_length=60)
    phone_tail: str | None = Field(default=None, pattern=r"^\d{4}$")
    tag: int | None = None
    store: int | None = None
    last_visit_from: dt.date | None = None
    last_visit_to: dt.date | None = None


class PhoneIn(StrictIn):
    phone: str = Field(max_length=30)
    label: str = Field(default="", max_length=30)


class ImportantDateIn(StrictIn):
    kind: DateKind
    date: dt.date
    label: str = Field(default="", max_length=60)


class ContactIn(StrictIn):
    name: str = Field(min_length=1, max_length=60)
    relation: str = Field(default="", max_length=30)
    phone: str = Field(default="", max_length=30)


class TaggingIn(StrictIn):
    tag: int


class TagIn(StrictIn):
    name: str = Field(min_length=1, max_length=30)
    colour: str = Field(default="#206bc4", max_length=7, description="#rrggbb")


class TagPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=30)
    colour: str | None = Field(default=None, max_length=7)


class TagOut(Schema):
    id: int
    name: str
    colour: str
    auto: bool = False

    @staticmethod
    def resolve_auto(obj) -> bool:
        return obj.get("auto", False) if isinstance(obj, dict) else obj.rule is not None


class SheetPhone(Schema):
    id: int
    phone: str
    label: str


class SheetDate(Schema):
    id: int
    kind: str
    date: str
    label: str


class SheetContact(Schema):
    id: int
    name: str
    relation: str
    phone: str


class SheetRef(Schema):
    id: int
    name: str


class GuestSheetOut(Schema):
    """Keys the caller's role may not see are absent."""

    id: int
    phone: str = Field(description="Masked (138****1234) unless phone_masked is false")
    phone_masked: bool
    phones: list[SheetPhone]
    home_store: SheetRef | None
    merged_into: int | None
    anonymised: bool
    name: str | None = None
    surname: str | None = None
    title: str | None = None
    gender: str | None = None
    email: str | None = None
    birthday: str | None = None
    important_dates: list[SheetDate] | None = None
    company: str | None = None
    job_title: str | None = None
    address: str | None = None
    contacts: list[SheetContact] | None = None
    referrer: SheetRef | None = None
    taste_preferences: str | None = None
    dish_requirements: str | None = None
    likes: str | None = None
    taboos: str | None = None
    preferred_room: str | None = None
    meal_type: str | None = None
    preferred_channel: str | None = None
    marketing_consent: bool | None = None
    consent_source: str | None = None
    consent_at: str | None = None
    tags: list[TagOut] | None = None
    visit_count: int | None = None
    first_visit_at: str | None = None
    last_visit_at: str | None = None
    total_spend: str | None = Field(default=None, description="CNY, two decimal places")
    notes: str | None = None


class GuestPage(Schema):
    count: int
    items: list[GuestSheetOut]


class RevealOut(Schema):
    phone: str = Field(description="E.164")
    display: str
