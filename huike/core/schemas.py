"""API schemas of the platform: the audit log and who-am-I."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import AwareDatetime, Field

MAX_PAGE = 200


class AuditQuery(Schema):
    actor: str | None = Field(default=None, max_length=150, description="Username")
    action: str | None = Field(default=None, max_length=40)
    object_type: str | None = Field(default=None, max_length=60, description="e.g. org.store")
    object_id: str | None = Field(default=None, max_length=64)
    since: AwareDatetime | None = Field(default=None, description="From this time (inclusive)")
    until: AwareDatetime | None = Field(default=None, description="Before this time")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0)


class AuditEntryOut(Schema):
    id: int
    seq: int
    created_at: dt.datetime
    actor: str = Field(validation_alias="actor_name")
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    ip_address: str | None


class AuditPage(Schema):
    count: int
    items: list[AuditEntryOut]


class TenantOut(Schema):
    id: int
    code: str
    name: str


class MeOut(Schema):
    username: str
    tenant: TenantOut | None
    staff: int | None = Field(description="The staff record's id")
    role: str = Field(description="Role code; empty without a role")
    permissions: list[str]
    row_scope: str
    store: int | None
    brand: int | None
    language: str = Field(description="The language of this response's messages")
