"""The demo waitlist loads through the services after the demo bookings, and only once."""

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.menu import demo as menu_demo
from huike.menu import demo_tables
from huike.org import demo as org_demo
from huike.reservations import demo as reservations_demo
from huike.waitlist import demo
from huike.waitlist.models import WaitlistEntry


def test_the_demo_waitlist_loads_once(db):
    assert demo.load() is None  # no demo brand group yet
    org_demo.load()
    menu_demo.load()
    demo_tables.load()
    reservations_demo.load()
    demo.load()
    demo.load()
    tenant = Tenant.objects.get(code=org_demo.TENANT_CODE)
    with tenant_context(tenant):
        entries = list(WaitlistEntry.objects.select_related("guest"))
        stores = {e.store_id for e in entries}
        assert stores and len(entries) == len(demo.PARTIES) * len(stores)
        assert {e.status for e in entries} <= {"waiting", "offered"}
        assert {e.guest.name for e in entries} == {p[4] for p in demo.PARTIES}
