"""Demo data, app by app in dependency order. Each app's ``demo.load`` is idempotent."""

from __future__ import annotations

from django.db import transaction


def load_all():
    from huike.coupons import demo as coupons_demo
    from huike.gifts import demo as gifts_demo
    from huike.guests import demo as guests_demo
    from huike.loyalty import demo as loyalty_demo
    from huike.menu import demo as menu_demo
    from huike.menu import demo_tables
    from huike.notices import demo as notices_demo
    from huike.orders import demo as orders_demo
    from huike.org import demo as org_demo
    from huike.pricing import demo as pricing_demo
    from huike.recruitment import demo as recruitment_demo
    from huike.reservations import demo as reservations_demo
    from huike.tableorders import demo as tableorders_demo
    from huike.telephony import demo as telephony_demo
    from huike.waitlist import demo as waitlist_demo

    with transaction.atomic():
        tenant = org_demo.load()
        menu_demo.load()
        demo_tables.load()
        orders_demo.load()
        guests_demo.load()
        loyalty_demo.load()
        coupons_demo.load()
        pricing_demo.load()
        gifts_demo.load()
        recruitment_demo.load()
        reservations_demo.load()
        notices_demo.load()
        tableorders_demo.load()
        waitlist_demo.load()
        telephony_demo.load()
    return tenant


def database_is_empty() -> bool:
    from huike.core.models import Tenant

    return not Tenant.objects.exists()
