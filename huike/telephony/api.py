"""The PBX webhook: POST /api/v1/telephony/calls, signed with the line's shared secret
(decision 0023), not with a staff session or API key."""

from __future__ import annotations

import json

import pydantic
from ninja import Router

from huike.core import errors
from huike.core.api_errors import pydantic_fields
from huike.core.phone import mask_phone
from huike.core.tenancy import tenant_context

from . import services
from .models import IncomingCall
from .schemas import CallIn, CallOut

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
        return (201 if created else 200), call_out(call)
