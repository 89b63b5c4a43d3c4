"""The loyalty section of the 360° view (G3): the guest's cards with tier, status and balances,
and the latest ledger entries across them — two queries. Gated by the guest sheet's ``spend``
field and the ``loyalty.view`` permission; left out for a guest without cards."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huike.core.money import format_cny
from huike.core.permissions import has_perm
from huike.guests.profile360 import register_section

from . import permissions as perms
from .models import LedgerEntry, MembershipCard

RECENT_ENTRIES = 10
STATUS_LABELS = dict(MembershipCard.Status.choices)
KIND_LABELS = dict(LedgerEntry.Kind.choices)
CAUSE_LABELS = dict(LedgerEntry.Cause.choices)


def loyalty(*, user, guest) -> dict | None:
    if not has_perm(user, perms.VIEW):
        return None
    cards = list(
        MembershipCard.objects.filter(guest=guest)
        .select_related("tier")
        .order_by("-issued_at", "-pk")
    )
    if not cards:
        return None
    numbers = {c.pk: c.number for c in cards}
    entries = (
        LedgerEntry.objects.filter(card__in=list(numbers))
        .order_by("-created_at", "-pk")
        .values("card_id", "kind", "points", "amount", "cause", "reference", "created_at")[
            :RECENT_ENTRIES
        ]
    )
    return {
        "cards": [
            {
                "id": c.pk,
                "number": c.number,
                "tier": c.tier.name if c.tier else "",
                "status": c.status,
                "status_label": str(STATUS_LABELS[c.status]),
                "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                "points": c.points_balance,
                "principal": str(c.principal_balance),
                "bonus": str(c.bonus_balance),
                "stored_value": format_cny(c.principal_balance + c.bonus_balance),
            }
            for c in cards
        ],
        "entries": [
            {
                "card": numbers[e["card_id"]],
                "kind": e["kind"],
                "kind_label": str(KIND_LABELS[e["kind"]]),
                "cause_label": str(CAUSE_LABELS[e["cause"]]),
                "value": e["points"] if e["kind"] == "points" else format_cny(e["amount"]),
                "reference": e["reference"],
                "created_at": e["created_at"],
            }
            for e in entries
        ],
    }


register_section("loyalty", _("Membership and loyalty"), loyalty, order=50, field="spend")
