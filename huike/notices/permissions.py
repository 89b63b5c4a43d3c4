"""Permission codes of the booking notices (R5). Seeing notices and the policy needs
``reservations.view``; changing the policy needs ``notices.manage``."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission
from huike.reservations.permissions import VIEW  # noqa: F401  (seeing notices)

AREA = _("Reservations")
MANAGE = register_permission("notices.manage", _("Set the booking notices to guests"), AREA)

# Default grants of the built-in roles; the same table is frozen in migration 0002.
GRANTS = {"hq": [MANAGE], "manager": [MANAGE], "marketing": [MANAGE]}
register_default_grants(GRANTS)
