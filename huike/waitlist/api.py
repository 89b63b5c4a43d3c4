"""The waitlist API: /api/v1/waitlist — a store's waitlist of a day, add a party (an
``Idempotency-Key`` makes a retry safe), read one, offer it the next free slot, book it
(``accept``), take it off the list (``cancel``). Thin: schema in, service or selector, schema
out."""

from django.http import HttpResponse
from ninja import Query, Router

from huike.core import errors
from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, restrict
from huike.org.models import Store
from huike.reservations import permissions as perms

from . import selectors, services
from .schemas import AcceptIn, ReasonIn, WaitlistIn, WaitlistOut, WaitlistQuery

router = Router(tags=["waitlist"])


def _entry(request, entry_id: int):
    return selectors.entry_get_for_user(user=request.user, entry_id=entry_id)


def _body(request, entry) -> dict:
    fresh = _entry(request, entry.pk)
    data = selectors.entry_data(fresh, selectors.entry_next_slot(fresh))
    return WaitlistOut.model_validate(data).model_dump(mode="json")


@router.get("/waitlist", response=list[WaitlistOut], summary="A store's waitlist of one day")
def list_waitlist(request, query: Query[WaitlistQuery]):
    check_perm(request.user, perms.VIEW)
    store = restrict(Store.objects.all(), request.user).filter(pk=query.store).first()
    if store is None:
        raise errors.NotFound()
    entries = selectors.entries_of_day(user=request.user, store=store, day=query.date)
    return [selectors.entry_data(e, slot) for e, slot in selectors.entries_with_slots(entries)]


@router.post("/waitlist", response={201: WaitlistOut}, summary="Put a party on the waitlist")
def add_to_waitlist(request, response: HttpResponse, payload: WaitlistIn):
    def perform():
        entry = services.waitlist_add(acting_user=request.user, **payload.model_dump())
        return 201, _body(request, entry)

    return respond_once(request, response, scope="waitlist.waitlist_add", perform=perform)


@router.get("/waitlist/{entry_id}", response=WaitlistOut, summary="One waitlist entry")
def get_waitlist_entry(request, entry_id: int):
    check_perm(request.user, perms.VIEW)
    entry = _entry(request, entry_id)
    return selectors.entry_data(entry, selectors.entry_next_slot(entry))


@router.post("/waitlist/{entry_id}/offer", response=WaitlistOut, summary="Offer the next free slot")
def offer_waitlist_entry(request, entry_id: int):
    entry = services.waitlist_offer(acting_user=request.user, entry=_entry(request, entry_id))
    return _body(request, entry)


@router.post(
    "/waitlist/{entry_id}/notify",
    response=WaitlistOut,
    summary="Text the guest the next free slot (each slot once)",
)
def notify_waitlist_guest(request, entry_id: int):
    entry = services.waitlist_notify(acting_user=request.user, entry=_entry(request, entry_id))
    return _body(request, entry)


@router.post("/waitlist/{entry_id}/accept", response=WaitlistOut, summary="Book the party")
def accept_waitlist_entry(request, entry_id: int, payload: AcceptIn):
    entry = services.waitlist_accept(
        acting_user=request.user, entry=_entry(request, entry_id), **payload.model_dump()
    )
    return _body(request, entry)


@router.post(
    "/waitlist/{entry_id}/cancel", response=WaitlistOut, summary="Take the party off the list"
)
def cancel_waitlist_entry(request, entry_id: int, payload: ReasonIn):
    entry = services.waitlist_cancel(
        acting_user=request.user, entry=_entry(request, entry_id), **payload.model_dump()
    )
    return _body(request, entry)
