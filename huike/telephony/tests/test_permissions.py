import importlib

from huike.org.models import Role
from huike.telephony.permissions import GRANTS


def test_new_brand_groups_get_the_telephony_grants(org):
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    for role_code, codes in GRANTS.items():
        assert set(codes) <= roles[role_code]
    assert "telephony.desk" not in roles["waiter"]


def test_the_frozen_migration_grants_match_the_app(db):
    frozen = importlib.import_module("huike.telephony.migrations.0002_grant_default_permissions")
    assert {k: set(v) for k, v in frozen.GRANTS.items()} == {k: set(v) for k, v in GRANTS.items()}
