"""The coupon side of the nightly ledger check (L8): a coupon's status is derived from its
append-only events — exactly one ``issued`` event, and ``redeemed``, ``voided`` or ``expired``
exactly when it has that one closing event. Coupons whose status and events disagree are
listed (done by the database: one grouped query)."""

from __future__ import annotations

from django.db.models import Count, F, Q

from .models import Coupon, CouponEvent

Kind = CouponEvent.Kind
Status = Coupon.Status


def _count(kind: str):
    return Count("events", filter=Q(events__kind=kind))


def coupon_mismatches(*, limit: int = 1000) -> list[dict]:
    """Coupons of every brand group whose status is not what their events say."""
    coupons = Coupon.all_tenants.annotate(
        issued_events=_count(Kind.ISSUED),
        redeemed_events=_count(Kind.REDEEMED),
        voided_events=_count(Kind.VOIDED),
        expired_events=_count(Kind.EXPIRED),
    ).annotate(closing=F("redeemed_events") + F("voided_events") + F("expired_events"))
    wrong = (
        ~Q(issued_events=1)
        | Q(closing__gt=1)
        | (Q(status=Status.ISSUED) & ~Q(closing=0))
        | (Q(status=Status.REDEEMED) & ~Q(redeemed_events=1))
        | (Q(status=Status.VOIDED) & ~Q(voided_events=1))
        | (Q(status=Status.EXPIRED) & ~Q(expired_events=1))
    )
    rows = coupons.filter(wrong).order_by("pk")[:limit]
    return [
        {
            "tenant": c.tenant_id,
            "coupon": c.pk,
            "code": c.code,
            "status": c.status,
            "events": {
                "issued": c.issued_events,
                "redeemed": c.redeemed_events,
                "voided": c.voided_events,
                "expired": c.expired_events,
            },
        }
        for c in rows
    ]
