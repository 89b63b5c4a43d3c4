"""Reads of the orders app, narrowed to the user's row scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from huike.core.permissions import get_for_user, restrict

from .models import Order, OrderLine, OrderPayment


def order_list(
    *,
    user,
    store_id: int | None = None,
    guest_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    kind: str | None = None,
    search: str = "",
) -> QuerySet[Order]:
    """Orders the user may see, newest first; ``since`` inclusive, ``until`` exclusive."""
    orders = restrict(Order.objects.select_related("store", "guest"), user)
    if store_id is not None:
        orders = orders.filter(store_id=store_id)
    if guest_id is not None:
        orders = orders.filter(guest_id=guest_id)
    if since is not None:
        orders = orders.filter(closed_at__gte=since)
    if until is not None:
        orders = orders.filter(closed_at__lt=until)
    if kind:
        orders = orders.filter(kind=kind)
    if search:
        orders = orders.filter(pos_order_id__icontains=search)
    return orders.order_by("-closed_at", "-id")


def order_get(*, user, order_id) -> Order:
    """One order with its lines, payments and follow-ups (refunds, corrections); NotFound
    outside the tenant or the user's row scope."""
    return get_for_user(
        Order.objects.select_related("store", "guest", "original", "created_by").prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("line_no")),
            Prefetch("payments", queryset=OrderPayment.objects.order_by("id")),
            Prefetch("follow_ups", queryset=Order.objects.order_by("closed_at", "id")),
        ),
        user,
        pk=order_id,
    )
