"""The 360° page of a guest (G3): the profile card (tags and taboos up front), then every
section the reader's role may see, each as a card. A section renders with
``guests/sections/<code>.html`` when that template exists, else as a generic card."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huike.core.money import format_cny
from huike.core.permissions import check_perm, get_for_user, has_perm
from huike.core.phone import display_phone

from .. import capture
from .. import permissions as perms
from ..models import Guest
from ..profile360 import guest_360
from ..selectors import sheet_related

# The profile card's rows (key of the guest sheet), after the name, tags and taboos up front.
PROFILE_ROWS = [
    "gender",
    "company",
    "job_title",
    "address",
    "birthday",
    "taste_preferences",
    "dish_requirements",
    "likes",
    "preferred_room",
    "meal_type",
    "preferred_channel",
    "marketing_consent",
    "visit_count",
    "last_visit_at",
    "total_spend",
    "notes",
]


def profile_rows(profile: dict) -> list[dict]:
    """The profile's visible values as labelled, readable rows (choice labels, dates)."""
    rows = []
    for key in PROFILE_ROWS:
        if key not in profile or profile[key] in ("", None):
            continue
        field = Guest._meta.get_field(key)
        value = profile[key]
        if field.choices:
            value = dict(field.choices).get(value, value)
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        elif key == "birthday":
            value = parse_date(value)
        elif key.endswith("_at"):
            value = parse_datetime(value)
        elif key == "total_spend":
            value = format_cny(Decimal(value))
        rows.append({"key": key, "label": field.verbose_name, "value": value})
    return rows


@login_required
@require_GET
def guest_360_page(request, pk: int):
    check_perm(request.user, perms.VIEW_GUESTS)
    guest = get_for_user(sheet_related(Guest.objects.all()), request.user, pk=pk)
    if guest.merged_into_id:
        return redirect("guest_360", guest.merged_into_id)
    view = guest_360(user=request.user, guest=guest)
    sections = [
        {
            **section,
            "templates": [
                f"guests/sections/{section['code']}.html",
                "guests/sections/generic.html",
            ],
            "pairs": list(section["data"].items()),
        }
        for section in view["sections"]
    ]
    profile = next((s["data"] for s in view["sections"] if s["code"] == "profile"), {})
    return render(
        request,
        "guests/guest_360.html",
        {
            "guest": guest,
            "profile": profile,
            "profile_rows": profile_rows(profile),
            "phone_text": (
                profile.get("phone", "")
                if profile.get("phone_masked", True)
                else display_phone(profile.get("phone"))
            ),
            "sections": [s for s in sections if s["code"] != "profile"],
            "points": capture.POINTS.values() if has_perm(request.user, perms.CAPTURE) else (),
        },
    )
