"""Permission codes of the reservations app (订台, R1–R4)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Reservations")
VIEW = register_permission("reservations.view", _("See bookings and free tables"), AREA)
BOOK = register_permission(
    "reservations.book", _("Book, confirm, seat, move and cancel bookings"), AREA
)
RULES = register_permission(
    "reservations.manage_rules", _("Set a store's booking rules (slots, pacing, lead time)"), AREA
)
OVERRIDE = register_permission(
    "reservations.override_rules",
    _("Book past pacing or held-back places and cancel after the cut-off"),
    AREA,
)

# Default grants of the built-in roles; frozen in migrations 0003 and 0005 (rules, override).
GRANTS = {
    "hq": [VIEW, BOOK, RULES, OVERRIDE],
    "manager": [VIEW, BOOK, RULES, OVERRIDE],
    "captain": [VIEW, BOOK, OVERRIDE],
    "desk": [VIEW, BOOK],
}
register_default_grants(GRANTS)
