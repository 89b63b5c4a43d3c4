"""API schemas of member recruitment."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictIn(Schema):
    """Input schemas refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class TargetIn(StrictIn):
    store: int
    staff: int | None = Field(default=None, description="Empty: the whole store's target")
    period_start: dt.date
    period_end: dt.date = Field(description="Included; not before the start")
    target: int = Field(description="New members to sign up, more than 0")


class TargetPatch(StrictIn):
    staff: int | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    target: int | None = None


class TargetOut(Schema):
    id: int
    store: int
    staff: int | None
    period_start: dt.date
    period_end: dt.date
    target: int


class TargetProgressOut(TargetOut):
    cards: int = Field(description="New members signed up in the target's period")
    percent: int
    days_left: int = Field(description="Today included; 0 once the period is over")


class StaffRankOut(Schema):
    staff: int
    name: str
    cards: int
    targets: list[TargetProgressOut]


class StoreProgressOut(Schema):
    store: int
    store_name: str
    period_start: dt.date
    period_end: dt.date
    cards: int = Field(description="New members signed up at the store in the month")
    others: int = Field(description="Of them, signed up by someone not on the store's staff")
    targets: list[TargetProgressOut]
    ranking: list[StaffRankOut]


class TargetQuery(Schema):
    store: int | None = None
    period: str | None = Field(default=None, description="YYYY-MM: targets overlapping it")


class ProgressQuery(Schema):
    store: int | None = None
    period: str | None = Field(default=None, description="YYYY-MM; empty: this month")
