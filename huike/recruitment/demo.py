"""Demo recruitment targets for the demo brand group: this month's target of new members for
every store, and one for each store's cashier. Idempotent: a store (or staff member) that has a
target overlapping this month keeps it."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from .models import RecruitmentTarget
from .selectors import month_of
from .services import target_create

STORE_TARGET = 60
CASHIER_TARGET = 20


def load() -> Tenant | None:
    """Set this month's targets (after the org demo)."""
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        start, end = month_of(None)
        this_month = RecruitmentTarget.objects.filter(period_start__lte=end, period_end__gte=start)
        for store in Store.objects.filter(active=True).order_by("pk"):
            if not this_month.filter(store=store, staff__isnull=True).exists():
                target_create(
                    acting_user=hq,
                    store=store,
                    period_start=start,
                    period_end=end,
                    target=STORE_TARGET,
                )
            for cashier in Staff.objects.filter(store=store, active=True, role__code="cashier"):
                if not this_month.filter(staff=cashier).exists():
                    target_create(
                        acting_user=hq,
                        store=store,
                        staff=cashier,
                        period_start=start,
                        period_end=end,
                        target=CASHIER_TARGET,
                    )
    return tenant
