"""Permission codes of the telephony app (来电弹屏, R2)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Telephony")
DESK = register_permission("telephony.desk", _("Use the reservation desk's caller-ID pop"), AREA)
MANAGE_LINES = register_permission(
    "telephony.manage_lines", _("Set up telephone lines and their secrets"), AREA
)

# Default grants of the built-in roles; frozen in migration 0002.
GRANTS = {
    "hq": [DESK, MANAGE_LINES],
    "manager": [DESK],
    "captain": [DESK],
    "desk": [DESK],
}
register_default_grants(GRANTS)
