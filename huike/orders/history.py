"""Recounting a guest's derived history from their orders, and moving orders between guests
(for the guest merge, G4)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import ZERO
from huike.guests.models import Guest

from .effects import lock_guest
from .models import GuestDishTally, GuestPlaceTally, Order, OrderLine


def guest_history_recount(*, guest: Guest) -> Guest:
    """Recompute a guest's derived history from their orders: visit count, spend, first/last
    visit, and the dish and place tallies. Exact by construction; used when orders change
    guest (a merge or its undo). Locks the guest; call inside the caller's transaction."""
    with transaction.atomic():
        guest = lock_guest(guest.pk)
        counted = Order.objects.filter(
            guest=guest,
            kind__in=[Order.Kind.SALE, Order.Kind.CORRECTION],
            status=Order.Status.POSTED,
        )
        figures = counted.aggregate(
            spend=Sum(F("total") - F("refunded_amount")),
            first=Min("closed_at", filter=Q(visit_counted=True)),
            last=Max("closed_at", filter=Q(visit_counted=True)),
            visits=Count("id", filter=Q(visit_counted=True)),
        )
        guest.visit_count = figures["visits"] or 0
        guest.total_spend = max(ZERO, figures["spend"] or ZERO)
        guest.first_visit_at, guest.last_visit_at = figures["first"], figures["last"]
        guest.save(
            update_fields=[
                "visit_count",
                "total_spend",
                "first_visit_at",
                "last_visit_at",
                "updated_at",
            ]
        )
        dishes = (
            OrderLine.objects.filter(
                order__in=counted, dish__isnull=False, qty__gt=F("refunded_qty")
            )
            .values("dish_id")
            .annotate(
                times=Count("order_id", distinct=True),
                qty=Sum(F("qty") - F("refunded_qty")),
                last=Max("order__closed_at"),
            )
        )
        GuestDishTally.objects.filter(guest=guest).delete()
        GuestDishTally.objects.bulk_create(
            [
                GuestDishTally(
                    tenant_id=guest.tenant_id,
                    guest=guest,
                    dish_id=row["dish_id"],
                    times_ordered=row["times"],
                    qty=row["qty"],
                    last_ordered_at=row["last"],
                )
                for row in dishes
            ]
        )
        places = (
            counted.filter(visit_counted=True)
            .values("store_id", "table_label")
            .annotate(visits=Count("id"))
        )
        GuestPlaceTally.objects.filter(guest=guest).delete()
        GuestPlaceTally.objects.bulk_create(
            [
                GuestPlaceTally(
                    tenant_id=guest.tenant_id,
                    guest=guest,
                    store_id=row["store_id"],
                    table_label=row["table_label"],
                    visits=row["visits"],
                )
                for row in places
            ]
        )
        return guest


def guest_history_move(*, source: Guest, target: Guest, order_ids=None) -> list[int]:
    """Move orders (all of ``source``'s, or those of ``order_ids``) to ``target`` and recount
    both guests. For the guest merge (G4): keep the returned ids in the merge record, and an
    undo moves the same ids back. No permission check: the merge service checks its own."""
    if source.pk == target.pk:
        raise errors.InvalidInput(_("A guest's orders cannot be moved to the same guest."))
    with transaction.atomic():
        for pk in sorted([source.pk, target.pk]):  # both locked, in a fixed order
            lock_guest(pk)
        orders = Order.objects.filter(guest_id=source.pk)
        if order_ids is not None:
            orders = orders.filter(pk__in=list(order_ids))
        moved = sorted(orders.values_list("pk", flat=True))
        Order.objects.filter(pk__in=moved).update(guest_id=target.pk)
        guest_history_recount(guest=source)
        guest_history_recount(guest=target)
        return moved
