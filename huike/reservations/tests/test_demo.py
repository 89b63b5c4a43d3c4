"""The demo bookings load through the services, with no table double-booked, and only once."""

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.menu import demo as menu_demo
from huike.menu import demo_tables
from huike.org import demo as org_demo
from huike.reservations import demo
from huike.reservations.models import Booking, BookingRule


def test_the_demo_bookings_load_once(db):
    org_demo.load()
    menu_demo.load()
    demo_tables.load()
    demo.load()
    demo.load()
    tenant = Tenant.objects.get(code=org_demo.TENANT_CODE)
    with tenant_context(tenant):
        bookings = list(Booking.objects.all())
        stores = {b.store_id for b in bookings}
        assert len(bookings) == len(demo.BOOKINGS) * len(stores) and stores
        assert {b.status for b in bookings} == {"pending", "confirmed"}
        guests_of = {s: {b.guest_id for b in bookings if b.store_id == s} for s in stores}
        assert len(set().union(*guests_of.values())) == len(demo.BOOKINGS) * len(stores)
        demo_rules = BookingRule.objects.filter(area=None)
        assert {r.store_id for r in demo_rules} == stores  # one rule per store, loaded once
        assert all(r.turn_times and r.max_parties_per_slot for r in demo_rules)
        for b in bookings:
            assert b.table.capacity_max >= b.party_size
            assert (
                not Booking.objects.filter(
                    table=b.table, starts_at__lt=b.ends_at, ends_at__gt=b.starts_at
                )
                .exclude(pk=b.pk)
                .exists()
            )
