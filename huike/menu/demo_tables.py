"""Demo rooms and tables: every demo store gets 大堂 with tables A01–A08 and 包房区 with four
private rooms (8–12 seats, minimum spend, features); A01–A02 and A03–A04 can be joined.
Idempotent: what exists is left as it is."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from . import tables
from .models import DiningTable, FloorArea

AREAS = [("大堂", 10), ("包房区", 20)]
# code, name, area, kind, seats from, seats to, minimum spend, features, featured
TABLES = [
    *[(f"A{n:02d}", "", "大堂", "table", 2, 4, "0", "", False) for n in range(1, 5)],
    *[
        (f"A{n:02d}", "", "大堂", "table", 4, 6, "0", "靠窗" if n == 5 else "", False)
        for n in range(5, 9)
    ],
    ("牡丹厅", "牡丹厅", "包房区", "room", 10, 12, "3000", "江景,独立卫生间,K歌", True),
    ("芙蓉厅", "芙蓉厅", "包房区", "room", 8, 10, "1500", "江景", False),
    ("兰亭阁", "兰亭阁", "包房区", "room", 8, 10, "1000", "茶台", False),
    ("湘江厅", "湘江厅", "包房区", "room", 10, 12, "2000", "江景,K歌", True),
]
JOINABLE = [("A01", "A02"), ("A03", "A04")]


def _load_store(store: Store, hq) -> None:
    areas = {}
    for name, order in AREAS:
        areas[name] = FloorArea.objects.filter(store=store, name=name).first() or (
            tables.area_create(acting_user=hq, store=store, name=name, sort_order=order)
        )
    made = {}
    for order, (code, name, area, kind, low, high, spend, features, featured) in enumerate(TABLES):
        made[code] = DiningTable.objects.filter(store=store, code=code).first() or (
            tables.table_create(
                acting_user=hq,
                store=store,
                area=areas[area],
                code=code,
                name=name,
                kind=kind,
                capacity_min=low,
                capacity_max=high,
                min_spend=spend,
                features=features,
                featured=featured,
                sort_order=order,
            )
        )
    for one, other in JOINABLE:
        if not made[one].combinable_with.filter(pk=made[other].pk).exists():
            joined = list(made[one].combinable_with.all()) + [made[other]]
            tables.table_update(acting_user=hq, table=made[one], combinable_with=joined)


def load() -> Tenant | None:
    """Create the demo floors in the demo brand group (after ``huike.org.demo.load``)."""
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        for store in Store.objects.order_by("pk"):
            _load_store(store, hq)
    return tenant
