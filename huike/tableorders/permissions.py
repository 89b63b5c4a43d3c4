"""Permission codes of the table orders app (R6). Seeing the tickets needs ``reservations.view``
or this one; pre-ordering with a booking needs ``reservations.book``."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Table orders")
HANDLE = register_permission(
    "tableorders.handle",
    _("Confirm or reject orders sent from the table's QR code, print table QR codes"),
    AREA,
)

# Default grants of the built-in roles; the same table is frozen in migration 0002.
GRANTS = {
    "hq": [HANDLE],
    "manager": [HANDLE],
    "captain": [HANDLE],
    "waiter": [HANDLE],
}
register_default_grants(GRANTS)
