"""Permission codes of the orders app (消费, T1–T3)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Orders")
POST_ORDERS = register_permission(
    "orders.post", _("Post orders, refunds and corrections (POS, manual entry)"), AREA
)
VIEW_ORDERS = register_permission("orders.view", _("See orders and their lines"), AREA)
IMPORT_ORDERS = register_permission(
    "orders.import", _("Import orders from CSV or Excel files"), AREA
)

# Default grants of the built-in roles; the same table is frozen in migration 0002 for brand
# groups that existed before this app.
GRANTS = {
    "hq": [POST_ORDERS, VIEW_ORDERS, IMPORT_ORDERS],
    "manager": [POST_ORDERS, VIEW_ORDERS, IMPORT_ORDERS],
    "cashier": [POST_ORDERS],
    "marketing": [VIEW_ORDERS],
}
register_default_grants(GRANTS)
