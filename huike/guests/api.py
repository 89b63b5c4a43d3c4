"""Guests API: /api/v1/guests (list, create, lookup by phone, export, one guest's sheet, its
further phones, dates, contacts and tags, revealing the phone) and /api/v1/guest-tags.
Thin: schema in, service or selector, the guest sheet out."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from ninja import Query, Router, Status

from huike.core import errors
from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, get_for_user
from huike.core.phone import display_phone

from . import permissions as perms
from . import selectors, services
from .exports import guest_export
from .models import GuestContact, GuestPhone, GuestTag, ImportantDate
from .schemas import (
    ContactIn,
    ExportQuery,
    GuestIn,
    GuestListQuery,
    GuestPage,
    GuestPatch,
    GuestSheetOut,
    ImportantDateIn,
    PhoneIn,
    RevealOut,
    TaggingIn,
    TagIn,
    TagOut,
    TagPatch,
)

router = Router(tags=["guests"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(request, guest) -> dict:
    return selectors.guest_sheet(user=request.user, guest=guest)


def _fresh_sheet(request, guest_id: int) -> dict:
    return _sheet(request, selectors.guest_get_for_user(user=request.user, guest_id=guest_id))


def _guest(request, guest_id: int):
    return selectors.guest_get_for_user(user=request.user, guest_id=guest_id)


def _tag(tag_id, *, field: str = "tag") -> GuestTag:
    try:
        return GuestTag.objects.get(pk=tag_id)
    except (GuestTag.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [errors.NotFound.default_message]}) from exc


# --- Guests ----------------------------------------------------------------------------------
@router.get("/guests", response=GuestPage, exclude_unset=True, summary="List and search guests")
def list_guests(request, query: Query[GuestListQuery]):
    guests = selectors.guest_list(user=request.user, **query.filters())
    page = selectors.sheet_related(guests)[query.offset : query.offset + query.limit]
    return {"count": guests.count(), "items": [_sheet(request, g) for g in page]}


@router.post("/guests", response={201: GuestSheetOut}, exclude_unset=True, summary="Create a guest")
def create_guest(request, response: HttpResponse, payload: GuestIn):
    def perform():
        guest = services.guest_create(acting_user=request.user, **payload.model_dump())
        return 201, _fresh_sheet(request, guest.pk)

    return respond_once(request, response, scope="guests.create", perform=perform)


@router.get(
    "/guests/lookup",
    response=GuestSheetOut,
    exclude_unset=True,
    summary="The sheet of the guest with this phone (primary or further), in one call",
)
def lookup_guest(request, phone: str = Query(..., max_length=30)):
    check_perm(request.user, perms.VIEW_GUESTS)
    guest = selectors.guest_by_phone(phone)
    if guest is None:
        raise errors.NotFound()
    return _fresh_sheet(request, guest.pk)


@router.get(
    "/guests/export.xlsx",
    response={200: None},
    summary="The guest list as Excel: the columns of your guest sheet (audited)",
)
def export_guests(request, query: Query[ExportQuery]):
    file = guest_export(acting_user=request.user, filters=query.model_dump())
    return FileResponse(file, as_attachment=True, filename="guests.xlsx", content_type=XLSX)


@router.get("/guests/{guest_id}", response=GuestSheetOut, exclude_unset=True, summary="One guest")
def get_guest(request, guest_id: int):
    return _sheet(request, _guest(request, guest_id))


@router.patch(
    "/guests/{guest_id}", response=GuestSheetOut, exclude_unset=True, summary="Change a guest"
)
def update_guest(request, guest_id: int, payload: GuestPatch):
    guest = _guest(request, guest_id)
    services.guest_update(
        acting_user=request.user, guest=guest, **payload.model_dump(exclude_unset=True)
    )
    return _fresh_sheet(request, guest_id)


@router.post(
    "/guests/{guest_id}/reveal-phone",
    response=RevealOut,
    summary="The full phone number (audited; a daily limit per role)",
)
def reveal_phone(request, guest_id: int):
    phone = services.guest_phone_reveal(acting_user=request.user, guest=_guest(request, guest_id))
    return {"phone": phone, "display": display_phone(phone)}


# --- Further phones, important dates, contacts, tags of a guest ------------------------------
@router.post(
    "/guests/{guest_id}/phones",
    response={201: GuestSheetOut},
    exclude_unset=True,
    summary="Add a further phone",
)
def add_phone(request, guest_id: int, payload: PhoneIn):
    guest = _guest(request, guest_id)
    services.guest_phone_add(acting_user=request.user, guest=guest, **payload.model_dump())
    return Status(201, _fresh_sheet(request, guest_id))


@router.delete("/guests/{guest_id}/phones/{phone_id}", response={204: None})
def remove_phone(request, guest_id: int, phone_id: int):
    guest = _guest(request, guest_id)
    phone = get_for_user(GuestPhone.objects.filter(guest=guest), request.user, pk=phone_id)
    services.guest_phone_remove(acting_user=request.user, phone=phone)
    return Status(204, None)


@router.post(
    "/guests/{guest_id}/dates",
    response={201: GuestSheetOut},
    exclude_unset=True,
    summary="Add an important date",
)
def add_date(request, guest_id: int, payload: ImportantDateIn):
    guest = _guest(request, guest_id)
    services.important_date_add(acting_user=request.user, guest=guest, **payload.model_dump())
    return Status(201, _fresh_sheet(request, guest_id))


@router.delete("/guests/{guest_id}/dates/{date_id}", response={204: None})
def remove_date(request, guest_id: int, date_id: int):
    guest = _guest(request, guest_id)
    found = get_for_user(ImportantDate.objects.filter(guest=guest), request.user, pk=date_id)
    services.important_date_remove(acting_user=request.user, important_date=found)
    return Status(204, None)


@router.post(
    "/guests/{guest_id}/contacts",
    response={201: GuestSheetOut},
    exclude_unset=True,
    summary="Add a contact",
)
def add_contact(request, guest_id: int, payload: ContactIn):
    guest = _guest(request, guest_id)
    services.guest_contact_add(acting_user=request.user, guest=guest, **payload.model_dump())
    return Status(201, _fresh_sheet(request, guest_id))


@router.delete("/guests/{guest_id}/contacts/{contact_id}", response={204: None})
def remove_contact(request, guest_id: int, contact_id: int):
    guest = _guest(request, guest_id)
    contact = get_for_user(GuestContact.objects.filter(guest=guest), request.user, pk=contact_id)
    services.guest_contact_remove(acting_user=request.user, contact=contact)
    return Status(204, None)


@router.post(
    "/guests/{guest_id}/tags",
    response={201: GuestSheetOut},
    exclude_unset=True,
    summary="Tag a guest",
)
def add_tag(request, guest_id: int, payload: TaggingIn):
    guest = _guest(request, guest_id)
    services.tag_add(acting_user=request.user, guest=guest, tag=_tag(payload.tag))
    return Status(201, _fresh_sheet(request, guest_id))


@router.delete("/guests/{guest_id}/tags/{tag_id}", response={204: None})
def remove_tag(request, guest_id: int, tag_id: int):
    guest = _guest(request, guest_id)
    tag = get_for_user(GuestTag.objects.all(), request.user, pk=tag_id)
    services.tag_remove(acting_user=request.user, guest=guest, tag=tag)
    return Status(204, None)


# --- Tags ------------------------------------------------------------------------------------
@router.get("/guest-tags", response=list[TagOut], summary="List tags")
def list_tags(request):
    check_perm(request.user, perms.VIEW_GUESTS)
    return list(GuestTag.objects.order_by("name"))


@router.post("/guest-tags", response={201: TagOut}, summary="Create a tag")
def create_tag(request, payload: TagIn):
    return Status(201, services.guest_tag_create(acting_user=request.user, **payload.model_dump()))


@router.patch("/guest-tags/{tag_id}", response=TagOut, summary="Rename or recolour a tag")
def update_tag(request, tag_id: int, payload: TagPatch):
    check_perm(request.user, perms.VIEW_GUESTS)
    tag = get_for_user(GuestTag.objects.all(), request.user, pk=tag_id)
    return services.guest_tag_update(
        acting_user=request.user, tag=tag, **payload.model_dump(exclude_unset=True)
    )
