import importlib

from huike.coupons.permissions import GRANTS
from huike.org.models import Role


def test_new_brand_groups_get_the_coupon_grants(org):
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    for role_code, codes in GRANTS.items():
        assert set(codes) <= roles[role_code]
    assert "coupons.redeem" not in roles["waiter"]
    assert "coupons.void" not in roles["cashier"]


def test_the_frozen_migration_grants_match_the_app(db):
    frozen = importlib.import_module("huike.coupons.migrations.0002_grant_default_permissions")
    assert {k: set(v) for k, v in frozen.GRANTS.items()} == {k: set(v) for k, v in GRANTS.items()}


def test_the_demo_loads_once(db, monkeypatch):
    from huike.core.models import Tenant
    from huike.core.tenancy import tenant_context
    from huike.coupons import demo
    from huike.coupons.models import Coupon, CouponTemplate
    from huike.menu import demo as menu_demo
    from huike.orders import demo as orders_demo
    from huike.org import demo as org_demo

    monkeypatch.setattr(orders_demo, "GUESTS", 8)
    org_demo.load()
    menu_demo.load()
    orders_demo.load()
    demo.load()
    demo.load()
    tenant = Tenant.objects.get(code=org_demo.TENANT_CODE)
    with tenant_context(tenant):
        assert CouponTemplate.objects.count() == 3
        assert Coupon.objects.count() == 6
        assert Coupon.objects.filter(status="redeemed").count() == 1
