"""Reads for deduplication (G4): the candidate list, the side-by-side comparison of two guests,
and the merge records, each showing guests only as the reader's guest sheet allows (G5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core import errors
from huike.core.money import format_cny
from huike.core.permissions import check_perm, visible_fields
from huike.core.timeutils import DEFAULT_TIME_ZONE, in_zone

from . import permissions as perms
from . import selectors
from .dedupe import open_candidates
from .merging import mover_labels
from .models import Guest, GuestMerge, MergeCandidate
from .selectors import guest_brief

# The rows of the side-by-side page: (sheet key, label).
COMPARED = [
    ("name", pgettext_lazy("person", "Name")),
    ("title", _("Form of address")),
    ("gender", _("Gender")),
    ("phone", _("Phone")),
    ("phones", _("Further phones")),
    ("birthday", _("Birthday")),
    ("email", _("Email")),
    ("company", _("Company")),
    ("address", _("Address")),
    ("taste_preferences", _("Taste preferences")),
    ("dish_requirements", _("Dish requirements")),
    ("likes", _("Likes")),
    ("taboos", _("Taboos and allergies")),
    ("preferred_room", _("Preferred room")),
    ("tags", _("Tags")),
    ("visit_count", _("Visits")),
    ("last_visit_at", _("Last visit")),
    ("total_spend", _("Total spend")),
    ("notes", _("Notes")),
    ("created_at", _("First recorded")),
]


def candidates_for_user(*, user) -> QuerySet[MergeCandidate]:
    check_perm(user, perms.MERGE_GUESTS)
    return open_candidates()


def candidate_get(*, user, candidate_id) -> MergeCandidate:
    check_perm(user, perms.MERGE_GUESTS)
    try:
        return MergeCandidate.objects.get(pk=candidate_id)
    except (MergeCandidate.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


def candidate_item(*, user, candidate: MergeCandidate, visible: set[str]) -> dict:
    return {
        "id": candidate.pk,
        "guest_a": guest_brief(user=user, guest=candidate.guest_a, visible=visible),
        "guest_b": guest_brief(user=user, guest=candidate.guest_b, visible=visible),
        "reason": candidate.reason,
        "reason_label": str(candidate.get_reason_display()),
        "score": candidate.score,
        "found_at": candidate.found_at,
    }


def merge_guest_get(*, user, guest_id, field: str) -> Guest:
    """One of the two guests of a merge; a guest of another brand group is not found, reported
    beside the field that named it."""
    check_perm(user, perms.MERGE_GUESTS)
    try:
        return selectors.guest_get_for_user(user=user, guest_id=guest_id)
    except (errors.NotFound, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [_("No such guest.")]}) from exc


def _shown(key: str, value) -> str:
    """A sheet value as the comparison page shows it."""
    if value in (None, "", []):
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "、".join(item.get("phone") or item.get("name") or "" for item in value)
    if key == "gender":
        return str(Guest.Gender(value).label)
    if key == "total_spend":
        return format_cny(Decimal(value))
    if key.endswith("_at"):
        moment = in_zone(dt.datetime.fromisoformat(value), DEFAULT_TIME_ZONE)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def comparison(*, user, first: Guest, second: Guest) -> dict:
    """Both guests' sheets row by row (only the rows the reader may see) and which of the two
    the merge should keep by default: the one with more visits, else the older profile."""
    sheets = [selectors.guest_sheet(user=user, guest=g) for g in (first, second)]
    for sheet, guest in zip(sheets, (first, second), strict=True):
        sheet["created_at"] = guest.created_at.isoformat()
    rows = []
    for key, label in COMPARED:
        if key not in sheets[0]:
            continue
        left, right = (_shown(key, sheet.get(key)) for sheet in sheets)
        rows.append({"key": key, "label": label, "first": left, "second": right})
    keep = max((first, second), key=lambda g: (g.visit_count, -g.pk))
    return {"first": sheets[0], "second": sheets[1], "rows": rows, "suggested": keep.pk}


def merges_for_user(*, user) -> QuerySet[GuestMerge]:
    check_perm(user, perms.MERGE_GUESTS)
    return GuestMerge.objects.select_related(
        "survivor", "merged", "merged_by", "undone_by"
    ).order_by("-merged_at", "-id")


def merge_get(*, user, merge_id) -> GuestMerge:
    try:
        return merges_for_user(user=user).get(pk=merge_id)
    except (GuestMerge.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


def merge_item(*, user, merge: GuestMerge, visible: set[str] | None = None) -> dict:
    """A merge record as the reader may see it: who was kept and who merged, how many rows of
    each kind moved, which profile fields were filled, and the undo if any."""
    visible = visible_fields(user, "guest") if visible is None else visible
    labels = mover_labels()
    return {
        "id": merge.pk,
        "survivor": guest_brief(user=user, guest=merge.survivor, visible=visible),
        "merged": guest_brief(user=user, guest=merge.merged, visible=visible),
        "moved": [
            {"kind": code, "label": labels.get(code, code), "count": len(ids)}
            for code, ids in merge.moved.items()
            if code in labels
        ],
        "filled": sorted(
            str(Guest._meta.get_field(name.removesuffix("_id")).verbose_name)
            for name in merge.filled
        ),
        "reason": merge.reason,
        "merged_by": merge.merged_by.get_username() if merge.merged_by_id else "",
        "merged_at": merge.merged_at,
        "undone_at": merge.undone_at,
        "undone_by": merge.undone_by.get_username() if merge.undone_by_id else "",
        "undo_reason": merge.undo_reason,
    }


def guest_by_reference(*, user, text: str, field: str) -> Guest:
    """A guest named by number (``#123`` or ``123``) or by any phone of theirs."""
    text = text.strip()
    number = text.removeprefix("#")
    if number.isdigit() and (text.startswith("#") or len(number) <= 9):
        return merge_guest_get(user=user, guest_id=int(number), field=field)
    check_perm(user, perms.MERGE_GUESTS)
    try:
        guest = selectors.guest_by_phone(text)
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(
            fields={field: [_("Enter a guest number such as #123, or a phone number.")]}
        ) from exc
    if guest is None:
        raise errors.InvalidInput(fields={field: [_("No such guest.")]})
    return guest


def pair_guest_get(*, user, value) -> Guest:
    """A guest of the comparison page's address (``?a=…&b=…``); anything else is not found."""
    check_perm(user, perms.MERGE_GUESTS)
    if not str(value or "").isdigit():
        raise errors.NotFound()
    return selectors.guest_get_for_user(user=user, guest_id=int(value))


def guest_pair_by_reference(*, user, first: str, second: str) -> tuple[Guest, Guest]:
    """Both guests of the "compare two guests" form; what is wrong with either is reported
    beside its field."""
    found, problems = [], {}
    for field, text in (("first", first), ("second", second)):
        try:
            found.append(guest_by_reference(user=user, text=text, field=field))
        except errors.InvalidInput as exc:
            problems.update(exc.fields)
    if problems:
        raise errors.InvalidInput(fields=problems)
    return found[0], found[1]


MERGE_HISTORY_COLUMNS = [
    "merged_at",
    "moved",
    "merged__name",
    "merged__title",
    "merged__primary_phone",
    "merged__created_at",
    "merged_by__username",
]


def merge_history(*, user, guest: Guest) -> dict:
    """The 360's merge history (G4): the guests merged into this one and not undone, each with
    when, by whom and what moved (one query)."""
    visible = visible_fields(user, "guest")
    labels = mover_labels()
    merges = (
        GuestMerge.objects.filter(survivor=guest, undone_at__isnull=True)
        .select_related("merged", "merged_by")
        .only(*MERGE_HISTORY_COLUMNS)
        .order_by("-merged_at", "-id")
    )
    return {
        "items": [
            {
                **guest_brief(user=user, guest=merge.merged, visible=visible),
                "merge_id": merge.pk,
                "created_at": merge.merged.created_at,
                "merged_at": merge.merged_at,
                "merged_by": merge.merged_by.get_username() if merge.merged_by_id else "",
                "moved": [
                    {"kind": code, "label": labels[code], "count": len(ids)}
                    for code, ids in merge.moved.items()
                    if code in labels
                ],
            }
            for merge in merges
        ]
    }
