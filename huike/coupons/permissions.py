"""Permission codes of the coupons app (优惠券, L7)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Coupons")
VIEW = register_permission("coupons.view", _("See coupon templates and issued coupons"), AREA)
DESIGN = register_permission("coupons.design", _("Design coupon templates"), AREA)
ISSUE = register_permission("coupons.issue", _("Issue coupons to guests"), AREA)
REDEEM = register_permission("coupons.redeem", _("Redeem coupons at the till"), AREA)
VOID = register_permission("coupons.void", _("Void issued coupons"), AREA)

# Default grants of the built-in roles (cashiers issue 满返 coupons at checkout); the same
# table is frozen in migration 0002 for brand groups that existed before this app.
GRANTS = {
    "hq": [VIEW, DESIGN, ISSUE, REDEEM, VOID],
    "manager": [VIEW, ISSUE, REDEEM, VOID],
    "cashier": [VIEW, ISSUE, REDEEM],
    "desk": [VIEW, ISSUE],
    "marketing": [VIEW, DESIGN, ISSUE],
}
register_default_grants(GRANTS)
