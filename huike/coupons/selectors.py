"""Reads of the coupons app: fetch-and-authorize templates and coupons, their JSON form, and the
check of a scanned code (what the coupon is and whether it may be used here, writing nothing)."""

from __future__ import annotations

from huike.core import errors
from huike.core.permissions import check_perm, get_for_user

from . import permissions as perms
from .models import Coupon, CouponTemplate
from .rules import check_usable, find_coupon, normalise_code, value_text


def template_list(*, user):
    check_perm(user, perms.VIEW)
    return CouponTemplate.objects.select_related("dish").prefetch_related("stores")


def template_get_for_user(*, user, template_id) -> CouponTemplate:
    """A template of the user's brand group; another group's, or none, is NotFound."""
    check_perm(user, perms.VIEW)
    return get_for_user(template_list(user=user), user, pk=template_id)


def coupon_get_for_user(*, user, code) -> Coupon:
    """The coupon with this code in the user's brand group (coupons are shared by the group's
    stores, like guests and cards); another group's, or none, is ``coupon_not_found``."""
    check_perm(user, perms.VIEW)
    try:
        return find_coupon(normalise_code(code))
    except errors.InvalidInput as exc:
        raise errors.NotFound(exc.fields["code"][0], code="coupon_not_found") from exc


def coupon_check(*, user, code, store) -> tuple[Coupon, errors.DomainError | None]:
    """The scanned coupon and, when it may not be used at ``store`` today, why not."""
    coupon = coupon_get_for_user(user=user, code=code)
    try:
        check_usable(coupon, store=store)
    except (errors.InvalidInput, errors.Conflict) as exc:
        return coupon, exc
    return coupon, None


def coupon_events(coupon: Coupon):
    return coupon.events.select_related("actor", "store", "order").order_by("created_at", "pk")


def template_data(template: CouponTemplate) -> dict:
    return {
        "id": template.pk,
        "name": template.name,
        "kind": template.kind,
        "value_text": value_text(template),
        "face_value": template.face_value,
        "percent_off": template.percent_off,
        "max_discount": template.max_discount,
        "dish": template.dish_id,
        "min_spend": template.min_spend,
        "valid_from": template.valid_from,
        "valid_until": template.valid_until,
        "valid_days": template.valid_days,
        "wait_days": template.wait_days,
        "stores": sorted(s.pk for s in template.stores.all()),
        "total_limit": template.total_limit,
        "per_guest_limit": template.per_guest_limit,
        "issued_count": template.issued_count,
        "stacks_with_member_pricing": template.stacks_with_member_pricing,
        "stacks_with_other_coupons": template.stacks_with_other_coupons,
        "active": template.active,
    }


def coupon_data(
    coupon: Coupon, *, checked: bool = False, problem: errors.DomainError | None = None
) -> dict:
    """The coupon as JSON; ``checked``: with whether it may be used (``usable``, ``problem``)."""
    template = coupon.template
    return {
        "code": coupon.code,
        "template": template.pk,
        "name": template.name,
        "kind": template.kind,
        "value_text": value_text(template),
        "guest": coupon.guest_id,
        "card": coupon.card_id,
        "status": coupon.status,
        "valid_from": coupon.valid_from,
        "valid_until": coupon.valid_until,
        "issued_at": coupon.issued_at,
        "issued_store": coupon.issued_store_id,
        "source": coupon.source,
        "source_reference": coupon.source_reference,
        "redeemed_at": coupon.redeemed_at,
        "redeemed_store": coupon.redeemed_store_id,
        "redeemed_order": coupon.redeemed_order_id,
        "redeemed_value": coupon.redeemed_value,
        "usable": (problem is None) if checked else None,
        "problem": problem.as_problem() if problem is not None else None,
    }
