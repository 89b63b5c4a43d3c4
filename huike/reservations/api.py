"""Reservations API: /api/v1/bookings — list a store's day, book (online bookings arrive here;
an ``Idempotency-Key`` makes a retry safe), read one, confirm / seat / complete / cancel /
no-show / move it; /api/v1/stores/{id}/free-tables, the suggestion list;
/api/v1/stores/{id}/booking-rules (decision 0024) and /api/v1/stores/{id}/availability, the
day's slots with whether each is bookable and why not. Thin: schema in,
service or selector, schema out."""

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from huike.core import errors
from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, restrict
from huike.org.models import Store

from . import permissions as perms
from . import rules, selectors, services
from .allocation import default_duration, tables_free
from .availability import day_slots
from .schemas import (
    AvailabilityQuery,
    BookingIn,
    BookingOut,
    BookingQuery,
    BookingRuleIn,
    BookingRuleOut,
    BookingRulePatch,
    CancelIn,
    FreeTableQuery,
    MoveIn,
    ReasonIn,
    SlotOut,
    TableOut,
)

router = Router(tags=["reservations"])


def _store(request, store_id: int) -> Store:
    found = restrict(Store.objects.all(), request.user).filter(pk=store_id).first()
    if found is None:
        raise errors.NotFound()
    return found


def _booking(request, booking_id: int):
    return selectors.booking_get_for_user(user=request.user, booking_id=booking_id)


def _body(booking) -> dict:
    fresh = _booking_fresh(booking)
    return BookingOut.model_validate(selectors.booking_data(fresh)).model_dump(mode="json")


def _booking_fresh(booking):
    return type(booking).objects.select_related("guest", "table").get(pk=booking.pk)


@router.get("/bookings", response=list[BookingOut], summary="A store's bookings of one day")
def list_bookings(request, query: Query[BookingQuery]):
    check_perm(request.user, perms.VIEW)
    store = _store(request, query.store)
    rows = selectors.bookings_of_day(user=request.user, store=store, day=query.date)
    return [selectors.booking_data(b) for b in rows]


@router.post("/bookings", response={201: BookingOut}, summary="Book a table")
def create_booking(request, response: HttpResponse, payload: BookingIn):
    def perform():
        booking = services.booking_create(acting_user=request.user, **payload.model_dump())
        return 201, _body(booking)

    return respond_once(request, response, scope="reservations.booking_create", perform=perform)


@router.get("/bookings/{booking_id}", response=BookingOut, summary="One booking")
def get_booking(request, booking_id: int):
    check_perm(request.user, perms.VIEW)
    return selectors.booking_data(_booking(request, booking_id))


def _action(service, name: str, path: str, schema=None):
    if schema is None:

        def view(request, booking_id: int):
            done = service(acting_user=request.user, booking=_booking(request, booking_id))
            return _body(done)
    else:

        def view(request, booking_id: int, payload: schema):
            done = service(
                acting_user=request.user,
                booking=_booking(request, booking_id),
                **payload.model_dump(),
            )
            return _body(done)

    view.__name__ = f"{name}_booking"
    router.post(f"/bookings/{{booking_id}}/{path}", response=BookingOut, summary=name)(view)


_action(services.booking_confirm, "confirm", "confirm")
_action(services.booking_seat, "seat", "seat")
_action(services.booking_complete, "complete", "complete")
_action(services.booking_cancel, "cancel", "cancel", CancelIn)
_action(services.booking_no_show, "no_show", "no-show", ReasonIn)
_action(services.booking_move, "move", "move", MoveIn)


@router.get(
    "/stores/{store_id}/free-tables",
    response=list[TableOut],
    summary="Free tables for a slot, best first",
)
def free_tables(request, store_id: int, query: Query[FreeTableQuery]):
    check_perm(request.user, perms.VIEW)
    store = _store(request, store_id)
    length = (
        dt.timedelta(minutes=query.duration)
        if query.duration
        else default_duration(query.party_size)
    )
    tables = tables_free(
        store=store,
        starts_at=query.starts_at,
        ends_at=query.starts_at + length,
        party_size=query.party_size,
    )
    return [selectors.table_data(t) for t in tables]


# --- Booking rules and availability (decision 0024) -------------------------------------------
def _rule(request, store_id: int, rule_id: int):
    store = _store(request, store_id)
    found = selectors.booking_rules_of_store(user=request.user, store=store).filter(pk=rule_id)
    if not found:
        raise errors.NotFound()
    return found[0]


def _rule_body(request, rule) -> dict:
    fresh = selectors.booking_rules_of_store(user=request.user, store=rule.store).get(pk=rule.pk)
    return selectors.booking_rule_data(fresh)


@router.get(
    "/stores/{store_id}/booking-rules",
    response=list[BookingRuleOut],
    summary="A store's booking rules",
)
def list_booking_rules(request, store_id: int):
    check_perm(request.user, perms.VIEW)
    store = _store(request, store_id)
    rows = selectors.booking_rules_of_store(user=request.user, store=store)
    return [selectors.booking_rule_data(r) for r in rows]


@router.post(
    "/stores/{store_id}/booking-rules",
    response={201: BookingRuleOut},
    summary="Add the store's or an area's booking rule",
)
def create_booking_rule(request, store_id: int, payload: BookingRuleIn):
    store = _store(request, store_id)
    rule = rules.booking_rule_create(acting_user=request.user, store=store, **payload.model_dump())
    return Status(201, _rule_body(request, rule))


@router.get(
    "/stores/{store_id}/booking-rules/{rule_id}",
    response=BookingRuleOut,
    summary="One booking rule",
)
def get_booking_rule(request, store_id: int, rule_id: int):
    check_perm(request.user, perms.VIEW)
    return selectors.booking_rule_data(_rule(request, store_id, rule_id))


@router.patch(
    "/stores/{store_id}/booking-rules/{rule_id}",
    response=BookingRuleOut,
    summary="Change a booking rule",
)
def update_booking_rule(request, store_id: int, rule_id: int, payload: BookingRulePatch):
    rule = rules.booking_rule_update(
        acting_user=request.user,
        rule=_rule(request, store_id, rule_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _rule_body(request, rule)


@router.delete(
    "/stores/{store_id}/booking-rules/{rule_id}",
    response={204: None},
    summary="Delete a booking rule",
)
def delete_booking_rule(request, store_id: int, rule_id: int):
    rules.booking_rule_delete(acting_user=request.user, rule=_rule(request, store_id, rule_id))
    return Status(204, None)


@router.get(
    "/stores/{store_id}/availability",
    response=list[SlotOut],
    summary="The slots of a day for a party: bookable or why not, and the free tables",
)
def availability(request, store_id: int, query: Query[AvailabilityQuery]):
    check_perm(request.user, perms.VIEW)
    store = _store(request, store_id)
    guest = None
    if query.guest is not None:
        from huike.guests.models import Guest

        guest = Guest.objects.filter(pk=query.guest, merged_into=None).first()
        if guest is None:
            raise errors.InvalidInput(fields={"guest": [_("Not found.")]})
    slots = day_slots(store=store, day=query.date, party_size=query.party_size, guest=guest)
    return [selectors.slot_data(s) for s in slots]
