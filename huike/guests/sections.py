"""The guests app's sections of the 360° view (G3): the profile (the guest sheet as the role may
see it), the feedback captured at the collection points, and the merge history. Imported by
``profile360.discover``; see that module for how other apps add theirs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import visible_fields
from huike.core.phone import mask_phone

from . import capture, selectors
from .models import CollectedFact, Guest
from .profile360 import register_section

FEEDBACK_LIMIT = 50


def profile(*, user, guest: Guest) -> dict:
    return selectors.guest_sheet(user=user, guest=guest)


def _staff_name(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.name if staff is not None else user.get_username()


def feedback(*, user, guest: Guest) -> dict:
    """The facts captured about the guest, newest first. A captured value belonging to a
    guest-sheet field the role may not see is left out (a phone is masked instead)."""
    visible = visible_fields(user, "guest")
    facts = (
        CollectedFact.objects.filter(guest=guest)
        .select_related("store", "captured_by__staff")
        .order_by("-captured_at", "-id")[:FEEDBACK_LIMIT]
    )
    items = []
    for fact in facts:
        lines = []
        for key, value in fact.data.items():
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
                "id": fact.pk,
                "point": fact.point,
                "point_label": str(fact.get_point_display()),
                "captured_at": fact.captured_at,
                "captured_by": _staff_name(fact.captured_by),
                "store": {"id": fact.store_id, "name": fact.store.name} if fact.store_id else None,
                "lines": lines,
            }
        )
    return {"items": items}


def merge_history(*, user, guest: Guest) -> dict:
    """The guests merged into this one (G4), kept as redirects to it."""
    visible = visible_fields(user, "guest")
    merged = guest.merged_guests.order_by("-updated_at", "-id")
    return {
        "items": [
            {
                "id": other.pk,
                "name": other.name if "name" in visible else "",
                "phone": (
                    other.primary_phone if "phone" in visible else mask_phone(other.primary_phone)
                ),
                "created_at": other.created_at,
                "changed_at": other.updated_at,  # the merge, unless changed since
            }
            for other in merged
        ]
    }


register_section("profile", _("Profile"), profile, order=10)
register_section("feedback", _("Captured feedback"), feedback, order=60, field="feedback")
register_section("merge_history", _("Merge history"), merge_history, order=90, field="notes")
