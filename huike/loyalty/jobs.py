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
    """Compare every card's cached balances (and open points lots) with its ledger, and every
    coupon's status with its events, across all brand groups; a failed run lists the cards and
    coupons that differ."""
    from huike.coupons.ledger import coupon_mismatches
    from huike.coupons.models import Coupon

    started = timezone.now()
    differing = ledger_mismatches()
    coupons = coupon_mismatches()
    return JobRun.objects.create(
        name=LEDGER_CHECK,
        started_at=started,
        finished_at=timezone.now(),
        ok=not differing and not coupons,
        detail={
            "cards": MembershipCard.all_tenants.count(),
            "differing": differing,
            "coupons": Coupon.all_tenants.count(),
            "coupons_differing": coupons,
        },
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


TIERS_EVALUATE = "loyalty_tiers_evaluate"


def tiers_nightly(*, today=None) -> JobRun:
    """Evaluate every active card's tier (up, or down by its brand's policy) in every brand
    group."""
    from .tiers import tiers_evaluate_all

    started = timezone.now()
    detail: dict = {"cards": 0, "up": 0, "down": 0}
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_context(tenant):
            done = tiers_evaluate_all(today=today)
        for key in detail:
            detail[key] += done[key]
    return JobRun.objects.create(
        name=TIERS_EVALUATE, started_at=started, finished_at=timezone.now(), ok=True, detail=detail
    )
