"""Table orders API: /api/v1/bookings/{id}/pre-order — read or replace the dishes pre-ordered
with a booking (priced at the booking table's tier). Thin: schema in, service or selector,
schema out."""

from ninja import Router

from huike.core.permissions import check_perm
from huike.reservations import permissions as reservation_perms
from huike.reservations.selectors import booking_get_for_user

from . import selectors, services
from .schemas import PreOrderIn, PreOrderOut

router = Router(tags=["tableorders"])


@router.get(
    "/bookings/{booking_id}/pre-order",
    response=PreOrderOut,
    summary="The dishes pre-ordered with a booking",
)
def get_pre_order(request, booking_id: int):
    check_perm(request.user, reservation_perms.VIEW)
    booking = booking_get_for_user(user=request.user, booking_id=booking_id)
    return selectors.pre_order_data(booking)


@router.put(
    "/bookings/{booking_id}/pre-order",
    response=PreOrderOut,
    summary="Replace the dishes pre-ordered with a booking",
)
def put_pre_order(request, booking_id: int, payload: PreOrderIn):
    booking = booking_get_for_user(user=request.user, booking_id=booking_id)
    services.pre_order_set(
        acting_user=request.user,
        booking=booking,
        lines=[line.model_dump() for line in payload.lines],
    )
    booking.refresh_from_db()
    return selectors.pre_order_data(booking)
