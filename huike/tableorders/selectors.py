"""Reads of the table orders app: a booking's pre-order, a table's menu at its price tier (the
QR page), a store's tickets and its tables with their QR codes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from huike.core.money import ZERO
from huike.core.permissions import restrict
from huike.menu.models import DiningTable
from huike.menu.selectors import store_menu

from .models import PreOrderedDish, TableCode, TableOrderLine, TableOrderTicket
from .services import price_tier_of

HANDLED_SHOWN = dt.timedelta(hours=12)  # handled tickets stay on the page this long


def pre_order_of(booking) -> dict:
    """The booking's pre-ordered dishes with their total and the tier they were priced at."""
    lines = list(
        PreOrderedDish.objects.filter(booking=booking)
        .select_related("dish")
        .order_by("position", "pk")
    )
    return {
        "lines": lines,
        "total": sum((line.amount for line in lines), ZERO),
        "tier": price_tier_of(booking.table),
    }


def pre_order_data(booking) -> dict:
    found = pre_order_of(booking)
    return {
        "booking": booking.pk,
        "price_tier": str(found["tier"]),
        "total": found["total"],
        "lines": [
            {
                "dish": line.dish_id,
                "dish_name": line.dish.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "price_tier": line.price_tier,
                "note": line.note,
                "amount": line.amount,
            }
            for line in found["lines"]
        ],
    }


def menu_for_table(table: DiningTable) -> list[dict]:
    """The store's active, available dishes by category, each with ``price`` at the table's
    tier: ``[{"category": …, "dishes": [...]}]``."""
    groups: list[dict] = []
    for dish in store_menu(store=table.store, tier=price_tier_of(table)):
        if not groups or groups[-1]["category"].pk != dish.category_id:
            groups.append({"category": dish.category, "dishes": []})
        groups[-1]["dishes"].append(dish)
    return groups


def code_by_token(token: str) -> TableCode | None:
    """The QR code with this token, across tenants (the public page has no signed-in user), or
    None."""
    token = (token or "").strip()
    if not 16 <= len(token) <= 64:
        return None
    return (
        TableCode.all_tenants.select_related("tenant", "table", "table__store")
        .filter(token=token)
        .first()
    )


def tickets_for_user(user) -> QuerySet[TableOrderTicket]:
    return restrict(TableOrderTicket.objects.all(), user)


def tickets_of_store(*, user, store) -> dict:
    """The store's new tickets (oldest first: they wait longest) and those handled lately."""
    base = (
        tickets_for_user(user)
        .filter(store=store)
        .select_related("table", "confirmed_by", "rejected_by")
        .prefetch_related(Prefetch("lines", queryset=TableOrderLine.objects.order_by("pk")))
    )
    return {
        "new": list(base.filter(status=TableOrderTicket.Status.NEW).order_by("created_at", "pk")),
        "handled": list(
            base.exclude(status=TableOrderTicket.Status.NEW)
            .filter(handled_at__gte=timezone.now() - HANDLED_SHOWN)
            .order_by("-handled_at", "-pk")[:30]
        ),
    }


def tables_with_codes(store) -> list[DiningTable]:
    """The store's active tables in floor order, each with ``order_code`` (or None)."""
    tables = list(
        DiningTable.objects.filter(store=store, active=True).select_related("area", "order_code")
    )
    return tables
