"""Permission codes of the menu app."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Menu")
VIEW_MENU = register_permission("menu.view", _("See dishes and categories"), AREA)
MANAGE_MENU = register_permission("menu.manage", _("Create, edit, import and export dishes"), AREA)
MANAGE_TABLES = register_permission(
    "menu.manage_tables", _("Set up floor areas, tables and private rooms"), AREA
)

# Default grants of the built-in roles (frozen in migration 0002 for existing brand groups).
GRANTS = {
    "hq": [VIEW_MENU, MANAGE_MENU, MANAGE_TABLES],
    "manager": [VIEW_MENU, MANAGE_MENU, MANAGE_TABLES],
    "desk": [VIEW_MENU],
    "captain": [VIEW_MENU],
    "waiter": [VIEW_MENU],
    "cashier": [VIEW_MENU],
    "marketing": [VIEW_MENU],
}
register_default_grants(GRANTS)
