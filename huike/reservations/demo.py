"""Demo bookings: for each demo store with tables, a handful of bookings today and tomorrow
for demo guests, in several statuses, made through the services; then each such store's
booking rule (turn times, pacing, a cut-off, a few places held back for gold members).
Idempotent: no bookings are added once the demo brand group has bookings, and no rule for a
store that has one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.core.timeutils import zone
from huike.loyalty.models import Tier
from huike.menu.models import DiningTable
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from . import rules, services
from .models import Booking, BookingRule

# (day offset, hour, minute, party size, phone, name, occasion, status); the phone's eighth
# digit becomes the store's place in the list, so each store books guests of its own.
BOOKINGS = [
    (0, 18, 0, 10, "13907310001", "周建华", "birthday", "confirmed"),
    (0, 18, 30, 2, "13907310002", "林晓", "", "pending"),
    (0, 19, 0, 4, "13907310003", "何敏", "family", "pending"),
    (1, 12, 0, 6, "13907310004", "郭志强", "business", "confirmed"),
    (1, 18, 0, 12, "13907310005", "宋佳", "wedding", "pending"),
    (1, 19, 30, 3, "13907310006", "谢婷", "", "pending"),
]


# The rule of every demo store (decision 0024).
RULE = {
    "slot_minutes": 30,
    "turn_times": [[2, 75], [4, 90], [10, 120], [30, 150]],
    "max_parties_per_slot": 8,
    "max_covers_per_slot": 40,
    "min_lead_minutes": 0,
    "max_days_ahead": 60,
    "cancel_cutoff_hours": 2,
    "held_covers": 4,
}


def _starts(store: Store, days: int, hour: int, minute: int) -> dt.datetime:
    tz = zone(store.time_zone)
    day = timezone.now().astimezone(tz).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def load() -> Tenant | None:
    """Book the demo evenings (after the org, menu and table demos)."""
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        if not Booking.objects.exists():
            _book(hq)
        _rules(hq)
    return tenant


def _rules(hq) -> None:
    gold = Tier.objects.filter(code="gold").first()
    store_ids = DiningTable.objects.values("store_id")
    for store in Store.objects.filter(pk__in=store_ids).order_by("pk"):
        if BookingRule.objects.filter(store=store).exists():
            continue
        data = dict(RULE)
        if gold is not None:
            data["held_for_tiers"] = [gold.pk]
        else:
            data["held_covers"] = 0
        rules.booking_rule_create(acting_user=hq, store=store, **data)


def _book(hq) -> None:
    store_ids = DiningTable.objects.values("store_id")
    for index, store in enumerate(Store.objects.filter(pk__in=store_ids).order_by("pk")):
        for days, hour, minute, size, phone, name, occasion, status in BOOKINGS:
            phone = phone[:7] + str(index % 10) + phone[8:]  # each store books its own guests
            starts = _starts(store, days, hour, minute)
            if starts < timezone.now():
                starts += dt.timedelta(days=2)
            booking = services.booking_create(
                acting_user=hq,
                store=store,
                starts_at=starts,
                party_size=size,
                guest_phone=phone,
                guest_name=name,
                occasion=occasion,
            )
            if status == "confirmed":
                services.booking_confirm(acting_user=hq, booking=booking)
