"""Demo waitlist: for each demo store with tables, three parties waiting for tomorrow evening
(one offered a free slot, the others waiting), added through the services after the demo
bookings. Idempotent: nothing is added once the demo brand group has waitlist entries."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.core.timeutils import zone
from huike.menu.models import DiningTable
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from . import services
from .models import WaitlistEntry

# (party size, earliest, latest, phone, name, notes)
PARTIES = [
    (10, "18:00", "18:30", "13907310011", "韩磊", "想要包房"),
    (4, "18:30", "19:30", "13907310012", "彭丽", ""),
    (2, "19:00", "20:30", "13907310013", "曾伟", "靠窗"),
]


def load() -> Tenant | None:
    """Put the demo parties on tomorrow's waitlists (after the reservations demo)."""
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        if WaitlistEntry.objects.exists():
            return tenant
        hq = Staff.objects.get(user__username="hq").user
        store_ids = DiningTable.objects.values("store_id")
        for store in Store.objects.filter(pk__in=store_ids, active=True).order_by("pk"):
            day = timezone.now().astimezone(zone(store.time_zone)).date() + dt.timedelta(days=1)
            for size, earliest, latest, phone, name, notes in PARTIES:
                services.waitlist_add(
                    acting_user=hq,
                    store=store,
                    party_size=size,
                    day=day,
                    earliest=dt.time.fromisoformat(earliest),
                    latest=dt.time.fromisoformat(latest),
                    guest_phone=phone,
                    guest_name=name,
                    notes=notes,
                )
    return tenant
