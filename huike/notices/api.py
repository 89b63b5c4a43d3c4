"""The notices API: /api/v1/notices/policy (read: reservations.view, write: notices.manage)
and /api/v1/bookings/{id}/notices with each notice's delivery status."""

from ninja import Query, Router

from huike.core import errors
from huike.core.permissions import check_perm, restrict
from huike.messaging.selectors import recipient_shown_for
from huike.org.models import Store
from huike.reservations.selectors import booking_get_for_user

from . import permissions as perms
from . import selectors, services
from .models import PLACEHOLDERS
from .schemas import BookingNoticeOut, NoticePolicyIn, NoticePolicyOut, NoticePolicyQuery

router = Router(tags=["notices"])


def _policy_body(policy, store_id) -> dict:
    return {
        "store": store_id,
        "own": policy.pk is not None and policy.store_id == store_id,
        **{name: getattr(policy, name) for name in services.POLICY_FIELDS},
        "placeholders": list(PLACEHOLDERS),
    }


@router.get("/notices/policy", response=NoticePolicyOut, summary="The booking notice policy")
def get_policy(request, query: Query[NoticePolicyQuery]):
    check_perm(request.user, perms.VIEW)
    if query.store is not None:
        if not restrict(Store.objects.all(), request.user).filter(pk=query.store).exists():
            raise errors.NotFound()
    return _policy_body(services.policy_for(query.store), query.store)


@router.put("/notices/policy", response=NoticePolicyOut, summary="Set the booking notice policy")
def put_policy(request, payload: NoticePolicyIn):
    policy = services.notice_policy_set(acting_user=request.user, **payload.model_dump())
    return _policy_body(policy, policy.store_id)


@router.get(
    "/bookings/{booking_id}/notices",
    response=list[BookingNoticeOut],
    summary="A booking's notices to the guest, with delivery status",
)
def booking_notices(request, booking_id: int):
    check_perm(request.user, perms.VIEW)
    booking = booking_get_for_user(user=request.user, booking_id=booking_id)
    shown = recipient_shown_for(request.user)
    return [selectors.notice_data(n, shown) for n in selectors.notices_of_booking(booking)]
