"""Excel export of a guest list (permission ``guests.export``, audited): each row is the guest's
sheet as the exporting user sees it, so a column the role may not see is not in the file."""

from __future__ import annotations

import tempfile

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from huike.core.audit import Action, audit_record
from huike.core.permissions import check_perm

from . import permissions as perms
from .models import Guest
from .selectors import guest_list, guest_sheet, sheet_keys, sheet_related


def _join(items, key="name") -> str:
    return "、".join(str(item[key]) for item in items or [])


def _phones(sheet) -> str:
    return _join(sheet["phones"], "phone")


def _dates(sheet) -> str:
    return "、".join(f"{d['date']} {d['label'] or d['kind']}" for d in sheet["important_dates"])


def _contacts(sheet) -> str:
    return "、".join(
        " ".join(filter(None, [c["name"], c["relation"], c["phone"]])) for c in sheet["contacts"]
    )


def _simple(key):
    def value(sheet):
        v = sheet[key]
        if isinstance(v, bool):
            return _("yes") if v else _("no")
        return v if v is not None else ""

    return value


# (sheet key, column heading, cell value); a column is in the file when its key is in the
# exporting user's sheet.
COLUMNS = [
    ("id", gettext_lazy("ID"), _simple("id")),
    ("name", gettext_lazy("Name"), _simple("name")),
    ("title", gettext_lazy("Form of address"), _simple("title")),
    ("gender", gettext_lazy("Gender"), lambda s: str(Guest.Gender(s["gender"]).label)),
    ("phone", gettext_lazy("Phone"), _simple("phone")),
    ("phones", gettext_lazy("Further phones"), _phones),
    ("email", gettext_lazy("Email"), _simple("email")),
    ("birthday", gettext_lazy("Birthday"), _simple("birthday")),
    ("important_dates", gettext_lazy("Important dates"), _dates),
    ("company", gettext_lazy("Company"), _simple("company")),
    ("job_title", gettext_lazy("Job title"), _simple("job_title")),
    ("address", gettext_lazy("Address"), _simple("address")),
    ("contacts", gettext_lazy("Contacts"), _contacts),
    ("referrer", gettext_lazy("Referred by"), lambda s: (s["referrer"] or {}).get("name", "")),
    ("taste_preferences", gettext_lazy("Taste preferences"), _simple("taste_preferences")),
    ("dish_requirements", gettext_lazy("Dish requirements"), _simple("dish_requirements")),
    ("likes", gettext_lazy("Likes"), _simple("likes")),
    ("taboos", gettext_lazy("Taboos and allergies"), _simple("taboos")),
    ("preferred_room", gettext_lazy("Preferred room"), _simple("preferred_room")),
    (
        "meal_type",
        gettext_lazy("Meal type"),
        lambda s: str(Guest.MealType(s["meal_type"]).label) if s["meal_type"] else "",
    ),
    (
        "preferred_channel",
        gettext_lazy("Preferred contact channel"),
        lambda s: str(Guest.Channel(s["preferred_channel"]).label),
    ),
    ("marketing_consent", gettext_lazy("Agrees to marketing"), _simple("marketing_consent")),
    ("consent_source", gettext_lazy("Consent source"), _simple("consent_source")),
    ("tags", gettext_lazy("Tags"), lambda s: _join(s["tags"])),
    ("home_store", gettext_lazy("Home store"), lambda s: (s["home_store"] or {}).get("name", "")),
    ("visit_count", gettext_lazy("Visits"), _simple("visit_count")),
    ("first_visit_at", gettext_lazy("First visit"), _simple("first_visit_at")),
    ("last_visit_at", gettext_lazy("Last visit"), _simple("last_visit_at")),
    ("total_spend", gettext_lazy("Total spend (CNY)"), _simple("total_spend")),
    ("notes", gettext_lazy("Notes"), _simple("notes")),
]


def export_columns(sheet_keys) -> list[tuple]:
    return [c for c in COLUMNS if c[0] in sheet_keys]


def guest_export(*, acting_user, filters: dict):
    """The guests matching ``filters`` (the keyword arguments of ``guest_list``) as an .xlsx
    file, written row by row (write-only workbook, rows read in chunks) to a temporary file,
    which is returned open at its start. The export and its filter are audited."""
    check_perm(acting_user, perms.EXPORT_GUESTS)
    guests = sheet_related(guest_list(user=acting_user, **filters))
    columns = export_columns(set(sheet_keys(user=acting_user)))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Guests")[:31])
    sheet.append([str(heading) for _key, heading, _value in columns])
    count = 0
    for guest in guests.iterator(chunk_size=500):
        data = guest_sheet(user=acting_user, guest=guest)
        sheet.append([value(data) for _key, _heading, value in columns])
        count += 1
    with transaction.atomic():
        audit_record(
            action=Action.EXPORT,
            actor=acting_user,
            object_type="guests.guest",
            object_repr=_("Guest list"),
            changes={
                "filters": {k: v for k, v in filters.items() if v not in (None, "")},
                "rows": count,
                "columns": [key for key, _heading, _value in columns],
            },
        )
    file = tempfile.TemporaryFile()
    workbook.save(file)
    file.seek(0)
    return file
