"""The PBX webhook: POST /api/v1/telephony/calls, signed with the line's shared secret
(decision 0023), not with a staff session or API key; and HQ's lines: list, add (the answer
holds the secret, once), rotate the secret, switch off or on."""

from __future__ import annotations

import json

import pydantic
from django.utils.translation import gettext as _
from ninja import Router, Status

from huike.core import errors
from huike.core.api_errors import pydantic_fields
from huike.core.permissions import check_perm, restrict
from huike.core.phone import mask_phone
from huike.core.tenancy import tenant_context
from huike.org.models import Store

from . import permissions as perms
from . import services
from .models import IncomingCall, TelephonyLine
from .schemas import CallIn, CallOut, LineIn, LineOut, LinePatch, LineSecretOut

router = Router(tags=["telephony"])


def call_out(call: IncomingCall) -> dict:
    return {
        "id": call.pk,
        "call_id": call.call_id,
        "line": call.line.code,
        "store": call.store_id,
        "caller_masked": mask_phone(call.caller),
        "caller_known": call.guest_id is not None,
        "guest": call.guest_id,
        "received_at": call.received_at,
        "source": call.source,
    }


@router.post(
    "/telephony/calls",
    auth=None,
    response={200: CallOut, 201: CallOut},
    summary="A ringing inbound call, posted by the PBX (signed; 201 new, 200 repeated)",
    description="Headers: X-Huike-Line (the line's code), X-Huike-Timestamp (unix seconds), "
    'X-Huike-Signature (hex HMAC-SHA256 of timestamp + "." + raw body, keyed by the line\'s '
    "secret). 401 unknown_line, bad_signature, or stale_request (more than 5 minutes off).",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CallIn.model_json_schema()}},
        }
    },
)
def call_post(request):
    line = services.line_authenticate(
        code=request.headers.get("X-Huike-Line", ""),
        timestamp=request.headers.get("X-Huike-Timestamp", ""),
        signature=request.headers.get("X-Huike-Signature", ""),
        body=request.body,
    )
    try:
        data = CallIn.model_validate(json.loads(request.body or b"null"))
    except (ValueError, pydantic.ValidationError) as exc:
        fields = pydantic_fields(exc.errors()) if isinstance(exc, pydantic.ValidationError) else {}
        raise errors.InvalidInput(fields=fields) from exc
    with tenant_context(line.tenant):
        call, created = services.call_receive(
            line=line,
            call_id=data.call_id,
            caller=data.caller,
            called=data.called,
            at=data.at,
            source=IncomingCall.Source.WEBHOOK,
        )
        return Status(201 if created else 200, call_out(call))


def _line(request, line_id: int) -> TelephonyLine:
    found = restrict(TelephonyLine.objects.all(), request.user).filter(pk=line_id).first()
    if found is None:
        raise errors.NotFound()
    return found


def line_out(line: TelephonyLine, *, with_secret: bool = False) -> dict:
    out = {
        "id": line.pk,
        "store": line.store_id,
        "name": line.name,
        "code": line.code,
        "active": line.active,
        "secret_rotated_at": line.secret_rotated_at,
        "previous_secret_until": line.previous_secret_until,
    }
    return {**out, "secret": line.secret} if with_secret else out


@router.get("/telephony/lines", response=list[LineOut], summary="The telephone lines")
def list_lines(request):
    check_perm(request.user, perms.MANAGE_LINES)
    lines = restrict(TelephonyLine.objects.all(), request.user)
    return [line_out(line) for line in lines]


@router.post(
    "/telephony/lines",
    response={201: LineSecretOut},
    summary="Add a line; the answer holds its secret, shown this once",
)
def create_line(request, payload: LineIn):
    check_perm(request.user, perms.MANAGE_LINES)
    store = restrict(Store.objects.filter(active=True), request.user).filter(pk=payload.store)
    if not store.exists():
        raise errors.InvalidInput(fields={"store": [_("Not found.")]})
    line = services.line_create(
        acting_user=request.user, store=store.get(), name=payload.name, code=payload.code
    )
    return Status(201, line_out(line, with_secret=True))


@router.post(
    "/telephony/lines/{line_id}/rotate-secret",
    response=LineSecretOut,
    summary="A new secret for the line; the old one signs until previous_secret_until",
)
def rotate_line_secret(request, line_id: int):
    line = services.line_rotate_secret(acting_user=request.user, line=_line(request, line_id))
    return line_out(line, with_secret=True)


@router.patch("/telephony/lines/{line_id}", response=LineOut, summary="Switch a line off or on")
def patch_line(request, line_id: int, payload: LinePatch):
    line = services.line_set_active(
        acting_user=request.user, line=_line(request, line_id), active=payload.active
    )
    return line_out(line)
