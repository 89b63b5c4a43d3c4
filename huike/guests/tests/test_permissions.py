from huike.guests.permissions import GRANTS
from huike.org.models import Role


def test_new_brand_groups_get_the_guest_grants(org):
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    for role_code, codes in GRANTS.items():
        assert set(codes) <= roles[role_code]
    assert "guests.view" not in roles["agent"]
    assert "guests.merge" not in roles["waiter"]
    handlers = roles["waiter"] & roles["captain"] & roles["manager"] & roles["hq"]
    assert "tableorders.handle" in handlers
    assert "tableorders.handle" not in roles["cashier"]
    assert "notices.manage" in roles["manager"] and "notices.manage" not in roles["desk"]


def test_the_frozen_migration_grants_match_the_app(db):
    import importlib

    frozen: dict[str, set] = {}
    for name in ("0002_grant_default_permissions", "0004_grant_merge_undo"):
        grants = importlib.import_module(f"huike.guests.migrations.{name}").GRANTS
        for role, codes in grants.items():
            frozen.setdefault(role, set()).update(codes)
    assert frozen == {k: set(v) for k, v in GRANTS.items()}
