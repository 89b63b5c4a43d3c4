"""The orders app's sections of the 360° view (G3): consumption history with its monthly trend,
favourite dishes and preferred rooms/tables — read from the tallies that posting keeps, one
indexed query each. A guest without a counted visit (never ordered, or every order refunded)
gets none of them, without a query: the guest row already says so."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huike.core.timeutils import DEFAULT_TIME_ZONE, zone
from huike.guests.profile360 import register_section

from .models import GuestDishTally, GuestPlaceTally, Order

RECENT_ORDERS = 10
TOP_DISHES = 10
TOP_PLACES = 5
TREND_MONTHS = 12
ORDER_KEYS = (
    "id", "pos_order_id", "kind", "status", "table_label", "closed_at", "party_size", "total",
)  # fmt: skip
KIND_LABELS = dict(Order.Kind.choices)


def _never_counted(guest) -> bool:
    return not guest.visit_count and guest.last_visit_at is None


def consumption(*, user, guest) -> dict | None:
    """The latest orders and the spend per month over the last year (net of refunds)."""
    if _never_counted(guest):
        return None
    # Plain rows (values), not model instances: the 360 is a hot path (bench/guest_360.py).
    recent = list(
        Order.objects.filter(guest=guest)
        .order_by("-closed_at", "-id")
        .values(*ORDER_KEYS, "store__name")[:RECENT_ORDERS]
    )
    if not recent:
        return None
    tz = zone(DEFAULT_TIME_ZONE)
    since = (timezone.now().astimezone(tz) - dt.timedelta(days=366)).replace(day=1)
    months = (
        Order.objects.filter(
            guest=guest,
            kind__in=[Order.Kind.SALE, Order.Kind.CORRECTION],
            status=Order.Status.POSTED,
            closed_at__gte=since,
        )
        .annotate(month=TruncMonth("closed_at", tzinfo=tz))
        .values("month")
        .annotate(spend=Sum(F("total") - F("refunded_amount")), visits=Count("id"))
        .order_by("month")
    )
    peak = max((m["spend"] for m in months), default=0)
    return {
        "orders": [
            {
                "id": o["id"],
                "pos_order_id": o["pos_order_id"],
                "kind": o["kind"],
                "kind_label": str(KIND_LABELS.get(o["kind"], o["kind"])),
                "status": o["status"],
                "store": o["store__name"],
                "table_label": o["table_label"],
                "closed_at": o["closed_at"],
                "party_size": o["party_size"],
                "total": str(o["total"]),
            }
            for o in recent
        ],
        "trend": [
            {
                "month": m["month"].strftime("%Y-%m"),
                "spend": str(m["spend"]),
                "visits": m["visits"],
                # the month's bar length in the page: its share of the busiest month
                "share": int(100 * m["spend"] / peak) if peak > 0 else 0,
            }
            for m in months
        ],
    }


def top_dishes(*, user, guest) -> dict | None:
    if _never_counted(guest):
        return None
    tallies = list(
        GuestDishTally.objects.filter(guest=guest, times_ordered__gt=0)
        .order_by("-times_ordered", "-last_ordered_at")
        .values("dish_id", "dish__code", "dish__name", "times_ordered", "qty", "last_ordered_at")[
            :TOP_DISHES
        ]
    )
    if not tallies:
        return None
    return {
        "dishes": [
            {
                "dish": t["dish_id"],
                "code": t["dish__code"],
                "name": t["dish__name"],
                "times_ordered": t["times_ordered"],
                "qty": str(t["qty"].normalize()),
                "last_ordered_at": t["last_ordered_at"],
            }
            for t in tallies
        ]
    }


def preferred_places(*, user, guest) -> dict | None:
    if _never_counted(guest):
        return None
    tallies = list(
        GuestPlaceTally.objects.filter(guest=guest, visits__gt=0)
        .order_by("-visits", "store_id", "table_label")
        .values("store_id", "store__name", "table_label", "visits")[:TOP_PLACES]
    )
    if not tallies:
        return None
    return {
        "places": [
            {
                "store": t["store_id"],
                "store_name": t["store__name"],
                "table_label": t["table_label"],
                "visits": t["visits"],
            }
            for t in tallies
        ]
    }


register_section("consumption", _("Consumption"), consumption, order=40, field="spend")
register_section("top_dishes", _("Favourite dishes"), top_dishes, order=45, field="top_dishes")
register_section(
    "preferred_places",
    _("Preferred rooms and tables"),
    preferred_places,
    order=46,
    field="preferred_room",
)
