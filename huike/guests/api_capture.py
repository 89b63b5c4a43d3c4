"""Collection-point API (G2): ``POST /api/v1/guests/{id}/capture/{point}`` for the six points
(call-centre, arrival, ordering, table-visit, checkout, callback), each with its own body, and
``POST /api/v1/capture/call-centre`` for a caller found (or created) by phone.

``?store=`` names the store it happened at (default: the caller's own). A guest merged into
another answers 404 with code ``merged`` and the survivor's id in ``fields.merged_into``.
An ``Idempotency-Key`` header makes a repeat replay the first answer."""

# No ``from __future__ import annotations``: the endpoints are made in a loop and ninja reads
# each one's body model from its annotations.

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Router, Schema

from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, get_for_user

from . import capture
from . import permissions as perms
from .models import CollectedFact, Guest

router = Router(tags=["collection points"])


class FactOut(Schema):
    id: int
    guest: int = Field(description="The guest the facts were captured about.")
    guest_created: bool = Field(False, description="True when the phone was new (call centre).")
    point: str
    data: dict = Field(description="What was captured; phones in E.164.")
    store: int | None
    captured_by: str = Field(description="The username of who captured it.")
    captured_at: dt.datetime


def fact_json(fact: CollectedFact, *, created: bool = False) -> dict:
    return FactOut(
        id=fact.pk,
        guest=fact.guest_id,
        guest_created=created,
        point=fact.point,
        data=fact.data,
        store=fact.store_id,
        captured_by=fact.captured_by.get_username() if fact.captured_by_id else "",
        captured_at=fact.captured_at,
    ).model_dump(mode="json")


def capture_guest(request, guest_id: int) -> Guest:
    check_perm(request.user, perms.CAPTURE)
    guest = get_for_user(Guest.objects.all(), request.user, pk=guest_id)
    return capture.resolve_merged(guest)


def _add_point(spec: capture.PointSpec) -> None:
    schema = spec.schema

    def capture_point(
        request, response: HttpResponse, guest_id: int, payload: schema, store: int | None = None
    ):
        guest = capture_guest(request, guest_id)

        def perform():
            fact = capture.fact_capture(
                acting_user=request.user,
                guest=guest,
                point=spec.point,
                data=payload.model_dump(exclude_unset=True, mode="json"),
                store=store,
            )
            return 201, fact_json(fact)

        return respond_once(
            request, response, scope=f"capture.{spec.point}:{guest.pk}", perform=perform
        )

    capture_point.__name__ = f"capture_{spec.point}"
    router.post(
        f"/guests/{{guest_id}}/capture/{spec.slug}",
        response={201: FactOut},
        summary=f"Capture at the {spec.point.replace('_', ' ')} point",
        operation_id=f"capture_{spec.point}",
    )(capture_point)


for _spec in capture.POINTS.values():
    _add_point(_spec)


@router.post(
    "/capture/call-centre",
    response={201: FactOut},
    summary="Capture at the call centre for a caller found or created by phone",
)
def capture_call_centre_by_phone(
    request,
    response: HttpResponse,
    payload: capture.CallCentreByPhoneIn,
    store: int | None = None,
):
    def perform():
        fact, created = capture.call_centre_capture(
            acting_user=request.user,
            data=payload.model_dump(exclude_unset=True, mode="json"),
            store=store,
        )
        return 201, fact_json(fact, created=created)

    return respond_once(request, response, scope="capture.call_centre", perform=perform)
