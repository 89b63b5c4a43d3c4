"""Demo data, app by app in dependency order. Each app's ``demo.load`` is idempotent."""

from __future__ import annotations

from django.db import transaction


def load_all():
    from huike.guests import demo as guests_demo
    from huike.menu import demo as menu_demo
    from huike.orders import demo as orders_demo
    from huike.org import demo as org_demo

    with transaction.atomic():
        tenant = org_demo.load()
        menu_demo.load()
        orders_demo.load()
        guests_demo.load()
    return tenant


def database_is_empty() -> bool:
    from huike.core.models import Tenant

    return not Tenant.objects.exists()
