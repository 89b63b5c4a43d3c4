"""The waitlist's periodic job, recorded as a ``core.JobRun`` row like the other jobs."""

from __future__ import annotations

from django.utils import timezone

from huike.core.models import JobRun, Tenant
from huike.core.tenancy import tenant_context

from .services import waitlist_expire

WAITLIST_EXPIRY = "waitlist_expiry"


def waitlist_expiry(*, now=None) -> JobRun:
    """Expire the open waitlist entries whose day has passed, in every brand group."""
    started = timezone.now()
    expired = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_context(tenant):
            expired += waitlist_expire(now=now)
    return JobRun.objects.create(
        name=WAITLIST_EXPIRY,
        started_at=started,
        finished_at=timezone.now(),
        ok=True,
        detail={"expired": expired},
    )
