"""The coupons section of the 360° view (G3): the guest's coupons, newest first, with their
status and validity — one query. Shown to whoever may see coupons; left out for a guest
without any."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import has_perm
from huike.guests.profile360 import register_section

from . import permissions as perms
from .models import Coupon
from .rules import value_text

SHOWN = 20
STATUS_LABELS = dict(Coupon.Status.choices)


def coupons(*, user, guest) -> dict | None:
    if not has_perm(user, perms.VIEW):
        return None
    rows = list(
        Coupon.objects.filter(guest=guest)
        .select_related("template", "template__dish")
        .order_by("-issued_at", "-pk")[:SHOWN]
    )
    if not rows:
        return None
    return {
        "coupons": [
            {
                "code": c.code,
                "name": c.template.name,
                "value": value_text(c.template),
                "status": c.status,
                "status_label": str(STATUS_LABELS[c.status]),
                "valid_from": c.valid_from.isoformat(),
                "valid_until": c.valid_until.isoformat(),
            }
            for c in rows
        ]
    }


register_section("coupons", _("Coupons"), coupons, order=55)
