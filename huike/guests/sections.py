"""The guests app's sections of the 360° view (G3): the profile (the guest sheet as the role may
see it), the feedback captured at the collection points, and the merge history. Imported by
``profile360.discover``; see that module for how other apps add theirs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import visible_fields
from huike.core.phone import mask_phone

from . import capture, merge_selectors, selectors
from .models import CollectedFact, Guest
from .profile360 import register_section

FEEDBACK_LIMIT = 50
POINT_LABELS = dict(CollectedFact.Point.choices)


def profile(*, user, guest: Guest) -> dict:
    return selectors.guest_sheet(user=user, guest=guest)


def _captured_by(fact: dict) -> str:
    """Who captured a fact: the staff member's name, else the login name."""
    if fact["captured_by_id"] is None:
        return ""
    staff_name = fact["captured_by__staff__name"]
    return staff_name if staff_name is not None else fact["captured_by__username"]


def feedback(*, user, guest: Guest) -> dict:
    """The facts captured about the guest, newest first. A captured value belonging to a
    guest-sheet field the role may not see is left out (a phone is masked instead)."""
    visible = visible_fields(user, "guest")
    # Plain rows (values), not model instances: the 360 is a hot path (bench/guest_360.py).
    facts = (
        CollectedFact.objects.filter(guest=guest)
        .order_by("-captured_at", "-id")
        .values(
            "id",
            "point",
            "data",
            "captured_at",
            "store_id",
            "store__name",
            "captured_by_id",
            "captured_by__username",
            "captured_by__staff__name",
        )[:FEEDBACK_LIMIT]
    )
    items = []
    for fact in facts:
        lines = []
        for key, value in fact["data"].items():
            sheet_field = capture.SHEET_FIELD_OF.get(key)
            if sheet_field is not None and sheet_field not in visible:
                if key != "phone":
                    continue
                value = mask_phone(value)
            lines.append(
                {
                    "key": key,
                    "label": str(capture.FIELD_LABELS.get(key, key)),
                    "value": value,
                    "text": capture.display_value(key, value),
                }
            )
        items.append(
            {
                "id": fact["id"],
                "point": fact["point"],
                "point_label": str(POINT_LABELS.get(fact["point"], fact["point"])),
                "captured_at": fact["captured_at"],
                "captured_by": _captured_by(fact),
                "store": (
                    {"id": fact["store_id"], "name": fact["store__name"]}
                    if fact["store_id"]
                    else None
                ),
                "lines": lines,
            }
        )
    return {"items": items}


def merge_history(*, user, guest: Guest) -> dict:
    """The guests merged into this one (G4): the merge records, with when, by whom and what
    moved (one query; see ``merge_selectors.merge_history``)."""
    return merge_selectors.merge_history(user=user, guest=guest)


register_section("profile", _("Profile"), profile, order=10)
register_section("feedback", _("Captured feedback"), feedback, order=60, field="feedback")
register_section("merge_history", _("Merge history"), merge_history, order=90, field="notes")
