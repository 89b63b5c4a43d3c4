import pytest

from huike.core import errors
from huike.core.models import AuditEntry
from huike.org import services
from huike.org.models import OrgUnit, Role, Staff, Store


def test_store_create_validates_geo_zone_and_hours(org, hq):
    base = {
        "acting_user": hq,
        "brand": org["brand"],
        "name": "坏店",
        "code": "bad",
        "city": "长沙",
        "address": "x",
    }
    cases = [
        ({"latitude": "91", "longitude": "112"}, "latitude"),
        ({"latitude": "28"}, "longitude"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"opening_hours": {"mon": [["25:00", "26:00"]]}}, "opening_hours"),
        ({"opening_hours": {"funday": []}}, "opening_hours"),
        ({"name": "长" * 101}, "name"),
    ]
    for extra, field in cases:
        with pytest.raises(errors.InvalidInput) as caught:
            services.store_create(**{**base, **extra})
        assert field in caught.value.fields, (extra, caught.value.fields)
    assert not Store.objects.filter(code="bad").exists()


def test_store_code_is_unique_within_a_tenant_only(org, other_org, hq):
    with pytest.raises(errors.InvalidInput) as caught:
        services.store_create(
            acting_user=hq,
            brand=org["brand"],
            name="另一家",
            code="t1-s1",
            city="长沙",
            address="x",
        )
    assert "code" in caught.value.fields
    other = services.store_create(
        acting_user=hq, brand=org["brand"], name="别家同码", code="t2-s1", city="长沙", address="x"
    )
    assert other.pk


def test_a_foreign_brand_cannot_be_linked(org, other_org, hq):
    foreign_brand_id = other_org["brand"].pk
    with pytest.raises(errors.InvalidInput) as caught:
        services.store_create(
            acting_user=hq,
            brand=foreign_brand_id,
            name="跨租户",
            code="x1",
            city="长沙",
            address="x",
        )
    assert caught.value.fields == {"brand": ["未找到。"]} or "brand" in caught.value.fields
    assert not Store.all_tenants.filter(code="x1").exists()


def test_store_update_audits_only_what_changed(org, hq):
    store = org["store"]
    services.store_update(acting_user=hq, store=store, phone="0731-1234", city=store.city)
    entry = AuditEntry.objects.filter(action="update", object_type="org.store").latest("seq")
    assert entry.changes == {"phone": ["", "0731-1234"]}
    services.store_update(acting_user=hq, store=store, phone="0731-1234")
    assert AuditEntry.objects.filter(action="update", object_type="org.store").count() == 1


def test_unknown_fields_are_refused(org, hq):
    with pytest.raises(errors.InvalidInput) as caught:
        services.store_update(acting_user=hq, store=org["store"], colour="red")
    assert "colour" in caught.value.fields


def test_org_tree_kinds_nest_properly(org, hq):
    with pytest.raises(errors.InvalidInput):
        services.org_unit_create(acting_user=hq, kind="group", name="错组", parent=org["top"])
    with pytest.raises(errors.InvalidInput):
        services.org_unit_create(
            acting_user=hq, kind="organisation", name="二号机构", parent=org["department"]
        )
    group = org["group"]
    assert group.path == f"/{org['top'].pk}/{org['department'].pk}/{group.pk}/"
    assert group.ancestor_of_kind("department") == org["department"]


def test_org_unit_with_staff_cannot_be_deleted(org, hq):
    with pytest.raises(errors.Conflict):
        services.org_unit_delete(acting_user=hq, unit=org["group"])
    empty = services.org_unit_create(
        acting_user=hq, kind="group", name="空组", parent=org["department"]
    )
    empty_id = empty.pk
    services.org_unit_delete(acting_user=hq, unit=empty)
    assert not OrgUnit.objects.filter(pk=empty_id).exists()
    assert AuditEntry.objects.filter(action="delete", object_id=str(empty_id)).exists()


def test_staff_with_login_and_weak_password(org, hq):
    with pytest.raises(errors.InvalidInput) as caught:
        services.staff_create(
            acting_user=hq, name="新人", employee_no="N1", username="newbie", password="123"
        )
    assert "password" in caught.value.fields
    assert not Staff.objects.filter(employee_no="N1").exists()
    staff = services.staff_create(
        acting_user=hq,
        name="新人",
        employee_no="N1",
        username="newbie",
        password="long-enough-pw",
        store=org["store"],
    )
    assert staff.user.check_password("long-enough-pw") and staff.brand == org["brand"]


def test_duplicate_username_is_a_field_error(org, hq):
    with pytest.raises(errors.InvalidInput) as caught:
        services.staff_create(
            acting_user=hq,
            name="重名",
            employee_no="N2",
            username="t1-desk",
            password="long-enough-pw",
        )
    assert "username" in caught.value.fields


def test_roles_custom_and_built_in(org, hq):
    role = services.role_create(
        acting_user=hq, code="trainee", name="实习生", permissions=["org.view"], row_scope="store"
    )
    services.role_update(acting_user=hq, role=role, permissions=["org.view", "core.view_audit"])
    role.refresh_from_db()
    assert role.permissions == ["core.view_audit", "org.view"]
    with pytest.raises(errors.InvalidInput):
        services.role_update(acting_user=hq, role=role, permissions=["no.such"])
    with pytest.raises(errors.Conflict):
        services.role_delete(acting_user=hq, role=Role.objects.get(code="waiter"))
    services.role_delete(acting_user=hq, role=role)
    assert not Role.objects.filter(code="trainee").exists()


def test_services_check_permissions(org, users):
    with pytest.raises(errors.PermissionDenied):
        services.store_create(
            acting_user=users["waiter"],
            brand=org["brand"],
            name="x",
            code="x",
            city="x",
            address="x",
        )
    with pytest.raises(errors.NotAuthenticated):
        services.brand_create(acting_user=None, name="x", code="x")


def test_links_outside_the_acting_users_row_scope_are_refused(org, hq):
    """A store-scoped role allowed to manage staff may not place staff in another store."""
    from huike.org.models import Role

    role = services.role_create(
        acting_user=hq,
        code="storehr",
        name="门店人事",
        permissions=["org.view", "org.manage_staff"],
        row_scope="store",
    )
    hr = services.staff_create(
        acting_user=hq,
        name="人事",
        employee_no="HR1",
        role=role,
        store=org["store"],
        username="t1-hr",
        password="long-enough-pw",
    ).user
    with pytest.raises(errors.InvalidInput) as caught:
        services.staff_create(acting_user=hr, name="越权", employee_no="HR2", store=org["store2"])
    assert "store" in caught.value.fields
    assert not Staff.objects.filter(employee_no="HR2").exists()
    own = services.staff_create(acting_user=hr, name="本店", employee_no="HR3", store=org["store"])
    assert own.store == org["store"] and Role.objects.filter(code="storehr").exists()


def test_a_duplicate_unit_name_under_one_parent_is_an_error_beside_the_name(org, hq):
    with pytest.raises(errors.InvalidInput) as caught:
        services.org_unit_create(
            acting_user=hq, kind="group", name="一组", parent=org["department"]
        )
    assert list(caught.value.fields) == ["name"]
    assert "Tenant" not in str(caught.value.fields["name"])


def test_field_visibility_audit_records_only_real_changes(org, hq):
    role = Role.objects.get(code="waiter")
    services.field_policy_set(
        acting_user=hq, role=role, resource="staff", visible={"name": True, "phone": True}
    )
    entry = AuditEntry.objects.filter(object_type="org.role", object_id=str(role.pk)).latest("seq")
    assert entry.changes == {"field_visibility": {"staff": {"phone": True}}}
