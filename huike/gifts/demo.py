"""Demo gifts for the demo brand group: a small catalogue with stock, one gift offered at the
first store only. Idempotent: a gift whose name exists is left as it is."""

from __future__ import annotations

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context
from huike.org import demo as org_demo
from huike.org.models import Staff, Store

from .models import Gift
from .services import gift_create

GIFTS = [
    # name, points each, stock, description, first store only
    ("品牌保温杯", 800, 50, "316 不锈钢，500 毫升", False),
    ("招牌辣椒酱礼盒", 1200, 30, "两瓶装，门店自制", False),
    ("精美餐具套装", 3000, 10, "骨瓷碗碟四件套", False),
    ("双人下午茶券", 5000, 5, "限本店使用", True),
]


def load() -> Tenant | None:
    """Add the demo gifts (after the org demo)."""
    tenant = Tenant.objects.filter(code=org_demo.TENANT_CODE).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        hq = Staff.objects.get(user__username="hq").user
        first_store = Store.objects.order_by("pk").first()
        for order, (name, cost, stock, description, only_first) in enumerate(GIFTS):
            if Gift.objects.filter(name=name).exists():
                continue
            gift_create(
                acting_user=hq,
                name=name,
                points_cost=cost,
                stock=stock,
                description=description,
                stores=[first_store] if only_first and first_store else [],
                sort_order=order,
            )
    return tenant
