"""The demo table codes and pre-order load through the services, and only once."""

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.menu import demo as menu_demo
from huike.menu import demo_tables
from huike.menu.models import DiningTable
from huike.org import demo as org_demo
from huike.reservations import demo as reservations_demo
from huike.tableorders import demo
from huike.tableorders.models import PreOrderedDish, TableCode


def test_the_demo_codes_and_pre_order_load_once(db):
    org_demo.load()
    menu_demo.load()
    demo_tables.load()
    reservations_demo.load()
    demo.load()
    tenant = Tenant.objects.get(code=org_demo.TENANT_CODE)
    with tenant_context(tenant):
        tokens = dict(TableCode.objects.values_list("table_id", "token"))
        lines = list(PreOrderedDish.objects.values_list("booking_id", "dish_id", "unit_price"))
        assert set(tokens) == set(
            DiningTable.objects.filter(active=True).values_list("pk", flat=True)
        )
        assert len(lines) == 3 and len({b for b, _, _ in lines}) == 1
        booking = PreOrderedDish.objects.select_related("booking__table").first().booking
        assert booking.table.kind == "room"
        assert {p.price_tier for p in PreOrderedDish.objects.all()} == {"vip_room"}
    demo.load()
    with tenant_context(tenant):
        assert dict(TableCode.objects.values_list("table_id", "token")) == tokens
        assert (
            list(PreOrderedDish.objects.values_list("booking_id", "dish_id", "unit_price")) == lines
        )
