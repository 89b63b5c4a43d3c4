"""The loyalty app's periodic jobs, recorded as ``core.JobRun`` rows like core's jobs: the
nightly ledger check (every cached balance equals its ledger sum) and points expiry."""

from __future__ import annotations

from django.utils import timezone

from huike.core.models import JobRun, Tenant
from huike.core.tenancy import tenant_context

from .ledger import ledger_mismatches
from .models import MembershipCard
from .services import cards_expire, points_expire

LEDGER_CHECK = "loyalty_ledger_check"
POINTS_EXPIRY = "loyalty_points_expiry"


def ledger_check() -> JobRun:
    """Compare every card's cached balances (and open points lots) with its ledger, across all
    brand groups; a failed run lists the cards that differ."""
    started = timezone.now()
    differing = ledger_mismatches()
    return JobRun.objects.create(
        name=LEDGER_CHECK,
        started_at=started,
        finished_at=timezone.now(),
        ok=not differing,
        detail={"cards": MembershipCard.all_tenants.count(), "differing": differing},
    )


def points_expiry(*, today=None) -> JobRun:
    """Expire the points past their date, and the cards past their validity, in every brand
    group."""
    started = timezone.now()
    detail: dict = {"cards": 0, "points": 0, "cards_expired": 0}
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_context(tenant):
            done = points_expire(today=today)
        detail["cards"] += done["cards"]
        detail["points"] += done["points"]
        with tenant_context(tenant):
            detail["cards_expired"] += cards_expire(today=today)
    return JobRun.objects.create(
        name=POINTS_EXPIRY, started_at=started, finished_at=timezone.now(), ok=True, detail=detail
    )
