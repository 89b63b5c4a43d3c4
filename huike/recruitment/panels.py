"""The home-page panel of member recruitment: this month's progress of the stores the user may
see (a store manager: their store and each staff member; HQ: every store). Shown to whoever may
see recruitment."""

from __future__ import annotations

from huike.core.home_panels import HomePanel, register_home_panel
from huike.core.permissions import has_perm

from . import permissions as perms
from .selectors import progress

SHOWN_STORES = 20


def recruitment_panel(*, user, tenant) -> HomePanel | None:
    if not has_perm(user, perms.VIEW):
        return None
    stores = progress(user=user, limit=SHOWN_STORES)
    if not stores:
        return None
    return HomePanel(
        "recruitment",
        "recruitment/partials/home_panel.html",
        {"stores": stores, "detailed": len(stores) == 1},
    )


register_home_panel(recruitment_panel)
