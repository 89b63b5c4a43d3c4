"""Permission codes of the reservations app (订台, R1–R4)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Reservations")
VIEW = register_permission("reservations.view", _("See bookings and free tables"), AREA)
BOOK = register_permission(
    "reservations.book", _("Book, confirm, seat, move and cancel bookings"), AREA
)

# Default grants of the built-in roles; the same table is frozen in migration 0003.
GRANTS = {
    "hq": [VIEW, BOOK],
    "manager": [VIEW, BOOK],
    "captain": [VIEW, BOOK],
    "desk": [VIEW, BOOK],
}
register_default_grants(GRANTS)
