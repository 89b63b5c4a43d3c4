"""Reads of points-for-gifts: the catalogue, one gift or redemption for a user, the history."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from huike.core import errors
from huike.core.permissions import check_perm, get_for_user, restrict
from huike.org.models import Store

from . import permissions as perms
from .models import Gift, GiftRedemption


def gift_list(*, user, active: bool | None = None, store: Store | None = None):
    """The catalogue (shared by the brand group); ``store``: only gifts offered there."""
    check_perm(user, perms.VIEW)
    gifts = Gift.objects.select_related("brand").prefetch_related(
        Prefetch("stores", queryset=Store.objects.order_by("name"))
    )
    if active is not None:
        gifts = gifts.filter(active=active)
    if store is not None:
        gifts = gifts.filter(Q(brand__isnull=True) | Q(brand_id=store.brand_id))
        gifts = gifts.filter(Q(stores__isnull=True) | Q(stores=store)).distinct()
    return gifts.order_by("sort_order", "name", "pk")


def gift_get_for_user(*, user, gift_id) -> Gift:
    """A gift of the user's brand group; another group's, or none, is NotFound."""
    check_perm(user, perms.VIEW)
    try:
        return Gift.objects.select_related("brand").get(pk=gift_id)
    except (Gift.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


def redemption_list(*, user, card: int | None = None, gift: int | None = None, status=None):
    """Redemptions the user may see (their stores' for a store role), newest first."""
    check_perm(user, perms.VIEW)
    rows = restrict(GiftRedemption.objects.all(), user).select_related(
        "gift", "card", "store", "redeemed_by", "cancelled_by"
    )
    if card is not None:
        rows = rows.filter(card_id=card)
    if gift is not None:
        rows = rows.filter(gift_id=gift)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-redeemed_at", "-pk")


def redemption_get_for_user(*, user, redemption_id) -> GiftRedemption:
    check_perm(user, perms.VIEW)
    return get_for_user(
        GiftRedemption.objects.select_related("gift", "card", "store"), user, pk=redemption_id
    )


def gift_data(gift: Gift) -> dict:
    return {
        "id": gift.pk,
        "name": gift.name,
        "description": gift.description,
        "points_cost": gift.points_cost,
        "stock": gift.stock,
        "active": gift.active,
        "brand": gift.brand_id,
        "stores": sorted(s.pk for s in gift.stores.all()),
        "sort_order": gift.sort_order,
    }


def redemption_data(redemption: GiftRedemption) -> dict:
    return {
        "id": redemption.pk,
        "gift": redemption.gift_id,
        "gift_name": redemption.gift.name,
        "card": redemption.card_id,
        "card_number": redemption.card.number,
        "guest": redemption.guest_id,
        "qty": redemption.qty,
        "points": redemption.points,
        "status": redemption.status,
        "store": redemption.store_id,
        "reference": redemption.reference,
        "operation": redemption.operation,
        "redeemed_by": redemption.redeemed_by_id,
        "redeemed_at": redemption.redeemed_at,
        "cancelled_by": redemption.cancelled_by_id,
        "cancelled_at": redemption.cancelled_at,
        "cancel_reason": redemption.cancel_reason,
        "refund_operation": redemption.refund_operation,
    }
