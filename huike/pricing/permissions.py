"""Permission codes of the pricing app (会员价与优惠, L4)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Member pricing")
VIEW = register_permission(
    "pricing.view", _("See member prices, discount rules and quote an order"), AREA
)
CONFIGURE = register_permission(
    "pricing.configure", _("Set member prices and discount rules"), AREA
)

# Default grants of the built-in roles; the same table is frozen in migration 0002 for brand
# groups that existed before this app.
GRANTS = {
    "hq": [VIEW, CONFIGURE],
    "manager": [VIEW],
    "cashier": [VIEW],
    "marketing": [VIEW, CONFIGURE],
}
register_default_grants(GRANTS)
