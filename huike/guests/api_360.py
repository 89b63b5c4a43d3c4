"""The 360° view in one call (G3): ``GET /api/v1/guests/{id}/360``.

The sections are those registered in ``huike.guests.profile360`` that the caller's role may
see. A guest merged into another is not followed silently: the answer is 404 with code
``merged`` and the surviving guest's id in ``fields.merged_into`` (a client then asks for that
one), so a client never mistakes one guest's view for another's."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from huike.core.permissions import check_perm, get_for_user

from . import permissions as perms
from .capture import resolve_merged
from .models import Guest
from .profile360 import guest_360
from .selectors import sheet_related

router = Router(tags=["guests"])


class SectionOut(Schema):
    code: str
    title: str
    data: dict[str, Any]


class Guest360Out(Schema):
    guest: int
    sections: list[SectionOut]


def guest_for_360(user, guest_id) -> Guest:
    """Fetch-and-authorize the guest of a 360 (merged ones refused with code ``merged``)."""
    check_perm(user, perms.VIEW_GUESTS)
    guest = get_for_user(sheet_related(Guest.objects.all()), user, pk=guest_id)
    return resolve_merged(guest)


@router.get("/guests/{guest_id}/360", response=Guest360Out, summary="The 360° view of a guest")
def guest_360_view(request, guest_id: int):
    guest = guest_for_360(request.user, guest_id)
    return guest_360(user=request.user, guest=guest)
