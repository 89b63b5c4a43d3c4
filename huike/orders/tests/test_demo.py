"""The demo orders: posted through order_post, so every guest's derived history equals a
recount from the orders themselves; loading twice adds nothing."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.guests.models import Guest
from huike.menu import demo as menu_demo
from huike.orders import demo as orders_demo
from huike.orders.models import GuestDishTally, Order, OrderLine
from huike.org import demo as org_demo


def test_demo_orders_derive_exactly_what_a_recount_gives(db, monkeypatch):
    monkeypatch.setattr(orders_demo, "GUESTS", 25)
    monkeypatch.setattr(orders_demo, "REFUND_EVERY", 7)
    org_demo.load()
    menu_demo.load()
    orders_demo.load()
    tenant = Tenant.objects.get(code=org_demo.TENANT_CODE)
    with tenant_context(tenant):
        orders = Order.objects.count()
        assert orders > 25 and Guest.objects.count() == 25
        assert Order.objects.filter(kind="refund").exists()
        spend, visits = defaultdict(Decimal), defaultdict(int)
        for order in Order.objects.filter(kind__in=["sale", "correction"], status="posted"):
            spend[order.guest_id] += order.total - order.refunded_amount
            visits[order.guest_id] += 1 if order.refunded_amount < order.total else 0
        times = defaultdict(set)
        for line in OrderLine.objects.filter(
            order__kind="sale", qty__gt=F("refunded_qty")
        ).select_related("order"):
            times[(line.order.guest_id, line.dish_id)].add(line.order_id)
        for guest in Guest.objects.all():
            assert (guest.visit_count, guest.total_spend) == (visits[guest.pk], spend[guest.pk])
        for tally in GuestDishTally.objects.all():
            assert tally.times_ordered == len(times[(tally.guest_id, tally.dish_id)])
        orders_demo.load()
        assert Order.objects.count() == orders
