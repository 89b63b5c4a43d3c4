import pytest

from huike.core import errors
from huike.core.models import AuditEntry
from huike.core.permissions import (
    PERMISSIONS,
    access_for,
    check_perm,
    filter_fields,
    get_for_user,
    has_perm,
    restrict,
    visible_fields,
)
from huike.org import services
from huike.org.models import Role, Staff, Store


def test_every_built_in_role_is_seeded_with_known_permissions(org):
    roles = {r.code: r for r in Role.objects.all()}
    assert set(roles) == {
        "hq",
        "manager",
        "desk",
        "captain",
        "waiter",
        "cashier",
        "marketing",
        "agent",
        "teamlead",
        "leadadmin",
    }
    for role in roles.values():
        assert set(role.permissions) <= set(PERMISSIONS)
        assert role.is_system
    assert "org.manage_roles" in roles["hq"].permissions
    assert "org.manage_roles" not in roles["waiter"].permissions


def test_denial_raises_and_is_audited(users):
    with pytest.raises(errors.PermissionDenied):
        check_perm(users["waiter"], "org.manage_roles")
    entry = AuditEntry.objects.filter(action="permission_denied").latest("seq")
    assert entry.actor == users["waiter"] and entry.object_id == "org.manage_roles"


def test_unknown_permission_code_is_a_programming_error(users):
    with pytest.raises(KeyError):
        has_perm(users["hq"], "org.fly_to_the_moon")


def test_store_scope_sees_own_store_only(org, users):
    manager = users["manager"]
    assert access_for(manager).scope == "store"
    assert list(restrict(Store.objects.all(), manager)) == [org["store"]]
    assert (
        restrict(Staff.objects.all(), manager).count()
        == Staff.objects.filter(store=org["store"]).count()
    )


def test_own_scope_sees_only_own_staff_record(users):
    waiter = users["waiter"]
    assert [s.user for s in restrict(Staff.objects.all(), waiter)] == [waiter]


def test_group_and_department_scopes_follow_the_org_tree(org, users, hq):
    other_group = services.org_unit_create(
        acting_user=hq, kind="group", name="二组", parent=org["department"]
    )
    outsider = services.staff_create(
        acting_user=hq, name="外组员工", employee_no="X01", org_unit=other_group
    )
    teamlead, leadadmin = users["teamlead"], users["leadadmin"]
    assert outsider not in restrict(Staff.objects.all(), teamlead)  # group scope
    assert outsider in restrict(Staff.objects.all(), leadadmin)  # department scope


def test_brand_scope_and_all_scope(org, users, hq):
    assert restrict(Store.objects.all(), users["marketing"]).count() == 2
    assert restrict(Staff.objects.all(), hq).count() == Staff.objects.count()


def test_get_for_user_hides_out_of_scope_rows_as_not_found(org, users):
    with pytest.raises(errors.NotFound):
        get_for_user(Store.objects.all(), users["manager"], pk=org["store2"].pk)
    with pytest.raises(errors.NotFound):
        get_for_user(Store.objects.all(), users["hq"], pk="not-a-number")
    assert get_for_user(Store.objects.all(), users["manager"], pk=org["store"].pk) == org["store"]


def test_field_visibility_defaults_and_overrides(org, users, hq):
    row = {"name": "张三", "phone": "13900000000", "email": "a@b.cn", "unrelated": 1}
    assert "phone" not in visible_fields(users["waiter"], "staff")
    assert filter_fields(users["waiter"], "staff", row) == {"name": "张三", "unrelated": 1}
    assert filter_fields(users["manager"], "staff", row) == row
    manager_role = Role.objects.get(code="manager")
    services.field_policy_set(
        acting_user=hq, role=manager_role, resource="staff", visible={"phone": False}
    )
    manager = type(users["manager"]).objects.get(pk=users["manager"].pk)  # fresh request
    assert "phone" not in filter_fields(manager, "staff", row)
    assert AuditEntry.objects.filter(
        object_type="org.role", object_id=str(manager_role.pk), action="update"
    ).exists()


def test_inactive_staff_have_no_permissions(org, users, hq):
    staff = users["desk"].staff
    services.staff_update(acting_user=hq, staff=staff, active=False)
    desk = type(users["desk"]).objects.get(pk=users["desk"].pk)
    assert not has_perm(desk, "org.view")
    assert restrict(Store.objects.all(), desk).count() == 0
