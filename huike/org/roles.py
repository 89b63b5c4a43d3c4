"""The built-in roles of SPEC O2 with their row scope, and the organisation app's default grants.

Seeded into every new brand group with the default grants every app registered
(``register_default_grants``); HQ changes them afterwards in the role editor.
"""

from django.utils.translation import gettext_lazy as _

from huike.core.admin_base import USE_ADMIN
from huike.core.permissions import MANAGE_API_KEYS, VIEW_AUDIT, register_default_grants

from . import permissions as org

DEFAULT_ROLES = [
    {"code": "hq", "name": _("HQ admin"), "row_scope": "all"},
    {"code": "manager", "name": _("Store manager"), "row_scope": "store"},
    {"code": "desk", "name": _("Reservation desk"), "row_scope": "store"},
    {"code": "captain", "name": _("Captain"), "row_scope": "store"},
    {"code": "waiter", "name": _("Waiter"), "row_scope": "own"},
    {"code": "cashier", "name": _("Cashier"), "row_scope": "store"},
    {"code": "marketing", "name": _("Marketing"), "row_scope": "brand"},
    {"code": "agent", "name": _("Hotline agent"), "row_scope": "own"},
    {"code": "teamlead", "name": _("Team lead"), "row_scope": "group"},
    {"code": "leadadmin", "name": _("Lead-centre admin"), "row_scope": "department"},
]

ROLE_LABELS = {r["code"]: r["name"] for r in DEFAULT_ROLES}

register_default_grants(
    {
        "hq": [
            org.VIEW_ORG,
            org.MANAGE_STORES,
            org.MANAGE_STAFF,
            org.MANAGE_ROLES,
            VIEW_AUDIT,
            MANAGE_API_KEYS,
            USE_ADMIN,
        ],
        "manager": [org.VIEW_ORG],
        "desk": [org.VIEW_ORG],
        "captain": [org.VIEW_ORG],
        "marketing": [org.VIEW_ORG],
        "teamlead": [org.VIEW_ORG],
        "leadadmin": [org.VIEW_ORG],
    }
)
