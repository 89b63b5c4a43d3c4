from huike.org.models import Role
from huike.pricing.permissions import GRANTS


def test_new_brand_groups_get_the_pricing_grants(org):
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    for role_code, codes in GRANTS.items():
        assert set(codes) <= roles[role_code]
    assert "pricing.view" not in roles["waiter"]
    assert "pricing.configure" not in roles["cashier"]


def test_the_frozen_migration_grants_match_the_app(db):
    import importlib

    frozen = importlib.import_module("huike.pricing.migrations.0002_grant_default_permissions")
    assert {k: set(v) for k, v in frozen.GRANTS.items()} == {k: set(v) for k, v in GRANTS.items()}
