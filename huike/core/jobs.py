"""What the platform's periodic jobs do, recorded as JobRun rows the home page reads."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from .audit import verify_all_chains
from .models import JobRun

AUDIT_CHECK = "audit_chain_check"
HEARTBEAT = "worker_heartbeat"
IDEMPOTENCY_PRUNE = "idempotency_prune"
DATABASE_OPTIMIZE = "database_optimize"
HEARTBEAT_STALE_AFTER = dt.timedelta(minutes=3)


def audit_chain_check() -> JobRun:
    started = timezone.now()
    checked, breaks = verify_all_chains()
    return JobRun.objects.create(
        name=AUDIT_CHECK,
        started_at=started,
        finished_at=timezone.now(),
        ok=not breaks,
        detail={"entries": checked, "breaks": [str(b) for b in breaks]},
    )


def idempotency_prune() -> JobRun:
    from .idempotency import idempotency_records_prune

    started = timezone.now()
    removed = idempotency_records_prune(now=started)
    return JobRun.objects.create(
        name=IDEMPOTENCY_PRUNE,
        started_at=started,
        finished_at=timezone.now(),
        ok=True,
        detail={"removed": removed},
    )


def database_optimize() -> JobRun:
    """On SQLite, ``PRAGMA optimize``: refresh the planner's statistics where they went stale,
    so lookups keep choosing the selective index as tables grow (Django never runs ANALYZE).
    PostgreSQL's autovacuum does this by itself: nothing to do there."""
    started = timezone.now()
    vendor = connection.vendor
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
    return JobRun.objects.create(
        name=DATABASE_OPTIMIZE,
        started_at=started,
        finished_at=timezone.now(),
        ok=True,
        detail={"vendor": vendor, "optimized": vendor == "sqlite"},
    )


def worker_heartbeat() -> None:
    now = timezone.now()
    JobRun.objects.create(name=HEARTBEAT, started_at=now, finished_at=now, ok=True)
    JobRun.objects.filter(name=HEARTBEAT, started_at__lt=now - dt.timedelta(days=1)).delete()


def last_run(name: str) -> JobRun | None:
    return JobRun.objects.filter(name=name).order_by("-started_at", "-id").first()


def job_health() -> dict:
    """Worker liveness and the last audit check, for the home page and /healthz."""
    beat = last_run(HEARTBEAT)
    audit = last_run(AUDIT_CHECK)
    return {
        "worker_alive": bool(beat and timezone.now() - beat.started_at < HEARTBEAT_STALE_AFTER),
        "worker_last_seen": beat.started_at if beat else None,
        "audit_check": audit,
    }
