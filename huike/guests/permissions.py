"""Permission codes of the guests app and the guest sheet's fields (客情表, G5)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core.permissions import register_default_grants, register_fields, register_permission

AREA = _("Guests")
VIEW_GUESTS = register_permission("guests.view", _("Look up guests and see their sheet"), AREA)
EDIT_GUESTS = register_permission("guests.edit", _("Create and edit guest profiles"), AREA)
CAPTURE = register_permission(
    "guests.capture", _("Record what guests say at the collection points"), AREA
)
REVEAL_PHONE = register_permission(
    "guests.reveal_phone", _("Reveal a masked phone number (audited, daily limit)"), AREA
)
EXPORT_GUESTS = register_permission("guests.export", _("Export guest lists to Excel"), AREA)
MERGE_GUESTS = register_permission("guests.merge", _("Merge duplicate guests"), AREA)
UNDO_MERGE = register_permission("guests.merge_undo", _("Undo a guest merge"), AREA)
PERSONAL_DATA = register_permission(
    "guests.personal_data", _("Export or erase a guest's personal data on request"), AREA
)

EVERYONE = None
DESK_AND_UP = {"hq", "manager", "desk", "captain", "marketing"}
MONEY_ROLES = {"hq", "manager", "marketing", "cashier"}
FULL_PHONE = {"hq"}

# (field, label, roles that see it by default; None = every role with guests.view)
GUEST_SHEET_FIELDS = [
    ("name", pgettext_lazy("person", "Name"), EVERYONE),
    ("title", _("Form of address"), EVERYONE),
    ("gender", _("Gender"), EVERYONE),
    ("phone", _("Phone (in full)"), FULL_PHONE),
    ("email", _("Email"), {"hq", "manager", "marketing"}),
    ("birthday", _("Birthday and important dates"), DESK_AND_UP),
    ("company", _("Company and job title"), DESK_AND_UP),
    ("address", _("Address"), {"hq", "manager", "marketing"}),
    ("contacts", _("Contacts and referrer"), DESK_AND_UP),
    ("taste_preferences", _("Taste preferences"), EVERYONE),
    ("dish_requirements", _("Dish requirements"), EVERYONE),
    ("likes", _("Likes"), EVERYONE),
    ("taboos", _("Taboos and allergies"), EVERYONE),
    ("preferred_room", _("Preferred room"), EVERYONE),
    ("meal_type", _("Meal type"), EVERYONE),
    ("preferred_channel", _("Preferred contact channel"), DESK_AND_UP),
    ("marketing_consent", _("Marketing consent"), {"hq", "marketing", "manager"}),
    ("tags", _("Tags"), EVERYONE),
    ("visits", _("Visits and last visit"), DESK_AND_UP | {"cashier"}),
    ("spend", _("Spend figures and history"), MONEY_ROLES),
    ("top_dishes", _("Favourite dishes"), EVERYONE),
    ("feedback", _("Captured feedback"), DESK_AND_UP),
    ("notes", _("Notes"), DESK_AND_UP),
]
register_fields("guest", _("Guest sheet"), GUEST_SHEET_FIELDS)

# Default grants of the built-in roles; the same table is frozen in migration 0002 for brand
# groups that existed before this app.
GRANTS = {
    "hq": [
        VIEW_GUESTS,
        EDIT_GUESTS,
        CAPTURE,
        REVEAL_PHONE,
        EXPORT_GUESTS,
        MERGE_GUESTS,
        UNDO_MERGE,
        PERSONAL_DATA,
    ],
    "manager": [VIEW_GUESTS, EDIT_GUESTS, CAPTURE, REVEAL_PHONE, EXPORT_GUESTS],
    "desk": [VIEW_GUESTS, EDIT_GUESTS, CAPTURE, REVEAL_PHONE],
    "captain": [VIEW_GUESTS, EDIT_GUESTS, CAPTURE],
    "waiter": [VIEW_GUESTS, CAPTURE],
    "cashier": [VIEW_GUESTS, CAPTURE],
    "marketing": [VIEW_GUESTS, EDIT_GUESTS, EXPORT_GUESTS],
}
register_default_grants(GRANTS)

# Revealing a masked phone (G5): at most this many a day (the Asia/Shanghai day) per user, by
# role; roles not listed get DEFAULT_REVEAL_LIMIT.
REVEAL_DAILY_LIMITS = {"desk": 50, "manager": 100}
DEFAULT_REVEAL_LIMIT = 20


def reveal_daily_limit(role_code: str) -> int:
    return REVEAL_DAILY_LIMITS.get(role_code, DEFAULT_REVEAL_LIMIT)
