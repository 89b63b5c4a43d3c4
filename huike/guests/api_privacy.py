"""Personal data API (X4): /api/v1/guests/{id}/personal-data (everything held about the guest,
JSON or Excel, audited) and /api/v1/guests/{id}/erase (anonymise on request, audited).
Thin: fetch-and-authorize, the service, the file or the schema out."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import FileResponse
from ninja import Field, Query, Router, Schema

from .privacy import guest_erase, guest_personal_data_export, privacy_guest_get

router = Router(tags=["guests"])


class PersonalDataQuery(Schema):
    fmt: Literal["json", "xlsx"] = Field("json", alias="format")


class EraseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class ErasedOut(Schema):
    id: int
    name: str
    anonymised_at: dt.datetime


@router.get(
    "/guests/{guest_id}/personal-data",
    response={200: None},
    summary="Everything held about one guest, as JSON or Excel (guests.personal_data, audited)",
)
def personal_data(request, guest_id: int, query: Query[PersonalDataQuery]):
    guest = privacy_guest_get(user=request.user, guest_id=guest_id)
    export = guest_personal_data_export(acting_user=request.user, guest=guest, fmt=query.fmt)
    return FileResponse(
        export.file, as_attachment=True, filename=export.filename, content_type=export.content_type
    )


@router.post(
    "/guests/{guest_id}/erase",
    response=ErasedOut,
    summary="Erase one guest's personal data on request; orders and totals stay (irreversible)",
)
def erase(request, guest_id: int, payload: EraseIn):
    guest = privacy_guest_get(user=request.user, guest_id=guest_id)
    return guest_erase(acting_user=request.user, guest=guest, reason=payload.reason)
