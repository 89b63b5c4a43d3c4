"""Permission codes and field resources of the organisation app."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huike.core.permissions import register_fields, register_permission

AREA = _("Organisation")
VIEW_ORG = register_permission("org.view", _("See brands, stores and staff"), AREA)
MANAGE_STORES = register_permission(
    "org.manage_stores", _("Create and edit brands and stores"), AREA
)
MANAGE_STAFF = register_permission(
    "org.manage_staff", _("Create and edit staff and the org tree"), AREA
)
MANAGE_ROLES = register_permission("org.manage_roles", _("Edit roles and permissions"), AREA)

register_fields(
    "staff",
    _("Staff record"),
    [
        ("name", pgettext_lazy("person", "Name"), None),
        ("title", _("Job title"), None),
        ("store", _("Store"), None),
        ("role", _("Role"), None),
        ("employee_no", _("Employee number"), None),
        ("phone", _("Phone"), {"hq", "manager", "teamlead", "leadadmin"}),
        ("email", _("Email"), {"hq", "manager", "teamlead", "leadadmin"}),
    ],
)
