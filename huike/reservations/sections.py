"""The reservations app's section of the 360° view (G3): the guest's bookings — upcoming ones,
the latest past ones, and the no-shows and cancellations with their reasons, with counts.

One query: the guest's bookings the reader may see (their store or brand scope), newest first,
at most ``FETCHED`` rows, each carrying the whole history's counts per status as window
aggregates, so the counts cover every booking even when the rows are cut. Gated by the
``reservations.view`` permission; left out for a guest without a booking the reader may see."""

from __future__ import annotations

from django.db.models import Count, Q, Window
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huike.core.permissions import has_perm, restrict
from huike.guests.profile360 import register_section

from . import permissions as perms
from .models import Booking

FETCHED = 60  # rows read at most: the upcoming ones and enough of the past for the lists below
PAST = 10
MISSED = 10
STATUS_LABELS = dict(Booking.Status.choices)
MISSED_STATUSES = (Booking.Status.NO_SHOW, Booking.Status.CANCELLED)
KEYS = (
    "id", "store_id", "store__name", "table__code", "table__name", "party_size", "starts_at",
    "ends_at", "status", "status_reason", "occasion",
)  # fmt: skip


def _counted(status=None):
    condition = None if status is None else Q(status=status)
    return Window(Count("id", filter=condition))


def _row(b: dict) -> dict:
    return {
        "id": b["id"],
        "store": b["store_id"],
        "store_name": b["store__name"],
        "table": b["table__code"] or "",
        "table_name": b["table__name"] or "",
        "party_size": b["party_size"],
        "starts_at": b["starts_at"],
        "ends_at": b["ends_at"],
        "status": b["status"],
        "status_label": str(STATUS_LABELS.get(b["status"], b["status"])),
        "reason": b["status_reason"],
    }


def bookings(*, user, guest) -> dict | None:
    if not has_perm(user, perms.VIEW):
        return None
    rows = list(
        restrict(Booking.objects.filter(guest=guest), user)
        .annotate(
            n_all=_counted(),
            n_completed=_counted(Booking.Status.COMPLETED),
            n_no_show=_counted(Booking.Status.NO_SHOW),
            n_cancelled=_counted(Booking.Status.CANCELLED),
        )
        .order_by("-starts_at", "-id")
        .values(*KEYS, "n_all", "n_completed", "n_no_show", "n_cancelled")[:FETCHED]
    )
    if not rows:
        return None
    now = timezone.now()
    upcoming = [b for b in rows if b["status"] in Booking.ACTIVE and b["ends_at"] > now]
    upcoming.reverse()  # the soonest first
    upcoming_ids = {b["id"] for b in upcoming}
    past = [b for b in rows if b["id"] not in upcoming_ids and b["starts_at"] <= now][:PAST]
    missed = [b for b in rows if b["status"] in MISSED_STATUSES][:MISSED]
    first = rows[0]
    return {
        "counts": {
            "total": first["n_all"],
            "upcoming": len(upcoming),
            "completed": first["n_completed"],
            "no_show": first["n_no_show"],
            "cancelled": first["n_cancelled"],
        },
        "upcoming": [_row(b) for b in upcoming],
        "past": [_row(b) for b in past],
        "missed": [_row(b) for b in missed],
    }


register_section("bookings", _("Bookings"), bookings, order=35)
