"""The built-in roles of SPEC O2 with their default permissions and row scope.

Seeded into every new brand group; HQ can change their permissions in the role editor (the
defaults here only apply when the tenant is set up).
"""

from django.utils.translation import gettext_lazy as _

from huike.core.admin_base import USE_ADMIN
from huike.core.permissions import MANAGE_API_KEYS, VIEW_AUDIT

from . import permissions as org

DEFAULT_ROLES = [
    {
        "code": "hq",
        "name": _("HQ admin"),
        "row_scope": "all",
        "permissions": [
            org.VIEW_ORG,
            org.MANAGE_STORES,
            org.MANAGE_STAFF,
            org.MANAGE_ROLES,
            VIEW_AUDIT,
            MANAGE_API_KEYS,
            USE_ADMIN,
        ],
    },
    {
        "code": "manager",
        "name": _("Store manager"),
        "row_scope": "store",
        "permissions": [org.VIEW_ORG],
    },
    {
        "code": "desk",
        "name": _("Reservation desk"),
        "row_scope": "store",
        "permissions": [org.VIEW_ORG],
    },
    {"code": "captain", "name": _("Captain"), "row_scope": "store", "permissions": [org.VIEW_ORG]},
    {"code": "waiter", "name": _("Waiter"), "row_scope": "own", "permissions": []},
    {"code": "cashier", "name": _("Cashier"), "row_scope": "store", "permissions": []},
    {
        "code": "marketing",
        "name": _("Marketing"),
        "row_scope": "brand",
        "permissions": [org.VIEW_ORG],
    },
    {"code": "agent", "name": _("Hotline agent"), "row_scope": "own", "permissions": []},
    {
        "code": "teamlead",
        "name": _("Team lead"),
        "row_scope": "group",
        "permissions": [org.VIEW_ORG],
    },
    {
        "code": "leadadmin",
        "name": _("Lead-centre admin"),
        "row_scope": "department",
        "permissions": [org.VIEW_ORG],
    },
]

ROLE_LABELS = {r["code"]: r["name"] for r in DEFAULT_ROLES}
