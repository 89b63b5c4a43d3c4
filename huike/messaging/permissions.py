"""Permission codes of the outbox (发件箱)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Messages to guests")
VIEW_MESSAGES = register_permission(
    "messaging.view", _("See the outbox of messages to guests and their status"), AREA
)

# Default grants of the built-in roles; the same table is frozen in migration 0002.
GRANTS = {
    "hq": [VIEW_MESSAGES],
    "marketing": [VIEW_MESSAGES],
}
register_default_grants(GRANTS)
