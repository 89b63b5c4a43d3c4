"""Permission codes of points-for-gifts (积分换礼, L6)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Points for gifts")
VIEW = register_permission("gifts.view", _("See the gift catalogue and redemptions"), AREA)
MANAGE = register_permission(
    "gifts.manage", _("Set up gifts and their stock in the catalogue"), AREA
)
REDEEM = register_permission("gifts.redeem", _("Redeem points for gifts at the till"), AREA)
CANCEL = register_permission("gifts.cancel", _("Cancel gift redemptions"), AREA)

# Default grants of the built-in roles; the same table is frozen in migration 0002 for brand
# groups that existed before this app.
GRANTS = {
    "hq": [VIEW, MANAGE, REDEEM, CANCEL],
    "manager": [VIEW, REDEEM, CANCEL],
    "cashier": [VIEW, REDEEM],
    "marketing": [VIEW, MANAGE],
}
register_default_grants(GRANTS)
