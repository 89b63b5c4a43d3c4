"""Demo table orders: a QR code for every demo table and room, and one booking in a private
room with pre-ordered dishes (after the table and booking demos). Idempotent: existing codes
are kept, and nothing is pre-ordered once any booking has dishes."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.menu.models import DiningTable
from huike.menu.selectors import store_menu
from huike.org import demo as org_demo
from huike.org.models import Staff
from huike.reservations.models import Booking

from . import services
from .models import PreOrderedDish

PRE_ORDER = [(2, "不要太辣"), (1, ""), (4, "")]  # quantities and notes of the first three dishes


def load() -> Tenant | None:
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        staff = (
            Staff.objects.select_related("user", "role")
            .filter(active=True, role__code__in=["manager", "captain"])
            .order_by("pk")
        )
        handler = next((s.user for s in staff if services.perms.HANDLE in s.role.permissions), None)
        if handler is not None:
            for table in DiningTable.objects.filter(active=True, order_code=None).order_by("pk"):
                services.table_code_get_or_create(acting_user=handler, table=table)
        if not PreOrderedDish.objects.exists():
            _pre_order()
    return tenant


def _pre_order() -> None:
    booking = (
        Booking.objects.filter(
            status__in=Booking.ACTIVE, table__kind=DiningTable.Kind.ROOM, created_by__isnull=False
        )
        .select_related("store", "table", "created_by")
        .order_by("starts_at", "pk")
        .first()
    )
    if booking is None:
        return
    tier = services.price_tier_of(booking.table)
    dishes = list(store_menu(store=booking.store, tier=tier).filter(kind="dish")[: len(PRE_ORDER)])
    services.pre_order_set(
        acting_user=booking.created_by,
        booking=booking,
        lines=[
            {"dish": dish.pk, "quantity": quantity, "note": note}
            for dish, (quantity, note) in zip(dishes, PRE_ORDER, strict=False)
        ],
    )
