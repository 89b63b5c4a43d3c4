"""Permission codes of member recruitment (会员发展, L9)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Member recruitment")
VIEW = register_permission(
    "recruitment.view", _("See recruitment targets and progress (own stores)"), AREA
)
MANAGE = register_permission(
    "recruitment.manage", _("Set recruitment targets for stores and staff (own stores)"), AREA
)

# Default grants of the built-in roles; the same table is frozen in migration 0002 for brand
# groups that existed before this app.
GRANTS = {
    "hq": [VIEW, MANAGE],
    "manager": [VIEW, MANAGE],
}
register_default_grants(GRANTS)
