"""Demo telephony: one line per demo store (code ``desk-<store code>``) and, on the first store,
a call from a known guest and one from an unknown number. Idempotent: nothing is added once the
demo brand group has lines."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.guests.models import Guest
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from .models import IncomingCall, TelephonyLine
from .services import call_receive, line_create


def load() -> Tenant | None:
    """Set up the demo lines and two calls (after the org and guest demos)."""
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        if TelephonyLine.objects.exists():
            return tenant
        hq = Staff.objects.get(user__username="hq").user
        lines = [
            line_create(
                acting_user=hq, store=store, name=store.name, code=f"desk-{store.code}"[:40]
            )
            for store in Store.objects.order_by("pk")
        ]
        if lines:
            guest = Guest.objects.exclude(primary_phone="").order_by("pk").first()
            if guest is not None:
                call_receive(
                    line=lines[0],
                    call_id="demo-1",
                    caller=guest.primary_phone,
                    source=IncomingCall.Source.WEBHOOK,
                )
            call_receive(line=lines[0], call_id="demo-2", caller="13700001234")
    return tenant
