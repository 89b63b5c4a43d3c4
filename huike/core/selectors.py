"""Platform reads: the home page's figures and the job queue's health."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .home_alerts import home_alerts
from .jobs import job_health
from .models import AuditEntry
from .permissions import VIEW_AUDIT, has_perm
from .tenancy import require_active_tenant
from .timeutils import day_bounds, local_today


def home_figures(*, user) -> dict:
    """The home page: counts of what the user may see, today's audit activity and the latest
    entries (for audit readers), and the job worker's health."""
    from huike.core.permissions import restrict
    from huike.org.models import Brand, Staff, Store

    tenant = require_active_tenant()
    start, end = day_bounds(local_today())
    health = job_health()
    can_audit = has_perm(user, VIEW_AUDIT)
    today = AuditEntry.objects.filter(tenant=tenant, created_at__gte=start, created_at__lt=end)
    return {
        "brand_count": restrict(Brand.objects.filter(active=True), user).count(),
        "store_count": restrict(Store.objects.filter(active=True), user).count(),
        "staff_count": restrict(Staff.objects.filter(active=True), user).count(),
        "audit_today": today.count() if can_audit else None,
        "denied_today": today.filter(action=AuditEntry.Action.PERMISSION_DENIED).count()
        if can_audit
        else None,
        "recent_audit": list(audit_search(user=user)[:8]) if can_audit else [],
        "today": local_today(),
        "health": health,
        "show_audit_health": can_audit,
        "alerts": home_alerts(user=user, tenant=tenant),
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


def audit_search(
    *,
    user,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since=None,
    until=None,
) -> QuerySet[AuditEntry]:
    """The active tenant's audit entries, newest first, filtered by who (username), what and
    when (``since`` inclusive, ``until`` exclusive, aware datetimes). Empty for a user who may
    not search the log."""
    if not has_perm(user, VIEW_AUDIT):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.filter(tenant=require_active_tenant())
    if actor:
        entries = entries.filter(actor_name__iexact=actor)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    return entries.order_by("-created_at", "-id")
