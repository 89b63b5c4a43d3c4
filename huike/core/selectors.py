"""Platform reads: the home page's figures and the job queue's health."""

from __future__ import annotations

from django.utils import timezone

from .jobs import job_health
from .models import AuditEntry
from .permissions import VIEW_AUDIT, has_perm
from .tenancy import require_active_tenant
from .timeutils import day_bounds, local_today


def home_figures(*, user) -> dict:
    from huike.org.models import Staff, Store
    from huike.core.permissions import restrict

    tenant = require_active_tenant()
    start, end = day_bounds(local_today())
    health = job_health()
    return {
        "store_count": restrict(Store.objects.filter(active=True), user).count(),
        "staff_count": restrict(Staff.objects.filter(active=True), user).count(),
        "audit_today": AuditEntry.objects.filter(
            tenant=tenant, created_at__gte=start, created_at__lt=end
        ).count(),
        "health": health,
        "show_audit_health": has_perm(user, VIEW_AUDIT),
        "now": timezone.now(),
    }


def queue_health() -> dict:
    from huey.contrib.djhuey import HUEY

    try:
        pending = HUEY.pending_count()
    except Exception as exc:  # the queue's storage is unreachable
        return {"ok": False, "backend": type(HUEY).__name__, "error": str(exc)[:200]}
    health = job_health()
    return {
        "ok": True,
        "backend": type(HUEY).__name__,
        "pending": pending,
        "worker_alive": health["worker_alive"],
        "worker_last_seen": health["worker_last_seen"],
    }
