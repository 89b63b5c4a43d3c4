"""Permission codes of the competitors app (G6)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Competitors")
VIEW_COMPETITORS = register_permission(
    "competitors.view", _("See competitors, partners and the price comparison"), AREA
)
MANAGE_COMPETITORS = register_permission(
    "competitors.manage", _("Record competitors and partners, their notes and dishes"), AREA
)

# Default grants of the built-in roles (frozen in migration 0002 for existing brand groups).
GRANTS = {
    "hq": [VIEW_COMPETITORS, MANAGE_COMPETITORS],
    "marketing": [VIEW_COMPETITORS, MANAGE_COMPETITORS],
    "manager": [VIEW_COMPETITORS],
}
register_default_grants(GRANTS)
