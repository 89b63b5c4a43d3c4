"""The coupons app's periodic job, recorded as a ``core.JobRun`` row: the nightly expiry of
unused coupons past their last day, in every brand group."""

from __future__ import annotations

from django.utils import timezone

from huike.core.models import JobRun, Tenant
from huike.core.tenancy import tenant_context

from .services import coupons_expire

COUPON_EXPIRY = "coupons_expiry"


def coupon_expiry(*, today=None) -> JobRun:
    started = timezone.now()
    expired = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_context(tenant):
            expired += coupons_expire(today=today)
    return JobRun.objects.create(
        name=COUPON_EXPIRY,
        started_at=started,
        finished_at=timezone.now(),
        ok=True,
        detail={"expired": expired},
    )
