"""Permission codes of the loyalty app (会员, L1–L9)."""

from django.utils.translation import gettext_lazy as _

from huike.core.permissions import register_default_grants, register_permission

AREA = _("Membership and loyalty")
VIEW = register_permission(
    "loyalty.view", _("See membership cards, their balances and ledger"), AREA
)
ISSUE_CARDS = register_permission("loyalty.issue_cards", _("Issue membership cards"), AREA)
MANAGE_CARDS = register_permission(
    "loyalty.manage_cards", _("Freeze, unfreeze, report lost and replace cards"), AREA
)
STORED_VALUE = register_permission(
    "loyalty.stored_value", _("Top up and pay with stored value"), AREA
)
REFUND = register_permission("loyalty.refund", _("Refund stored value (principal)"), AREA)
POINTS = register_permission("loyalty.points", _("Credit and spend points at the till"), AREA)
ADJUST = register_permission("loyalty.adjust", _("Adjust points by hand, with a reason"), AREA)
CONFIGURE = register_permission("loyalty.configure", _("Set up tiers and top-up bonus rules"), AREA)

# Default grants of the built-in roles; the same table is frozen in migration 0002 for brand
# groups that existed before this app.
GRANTS = {
    "hq": [VIEW, ISSUE_CARDS, MANAGE_CARDS, STORED_VALUE, REFUND, POINTS, ADJUST, CONFIGURE],
    "manager": [VIEW, ISSUE_CARDS, MANAGE_CARDS, STORED_VALUE, REFUND, POINTS],
    "cashier": [VIEW, ISSUE_CARDS, STORED_VALUE, POINTS],
    "desk": [VIEW, ISSUE_CARDS],
    "marketing": [VIEW, CONFIGURE],
}
register_default_grants(GRANTS)
