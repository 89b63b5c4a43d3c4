"""The organisation API, people: staff (row scope and the field filter), roles, field
visibility and the permission catalogue."""

from huike.core.models import AuditEntry
from huike.core.testing import assert_problem
from huike.org.models import Role, Staff


def role_id(code: str) -> int:
    return Role.objects.get(code=code).pk


# --- Staff -----------------------------------------------------------------------------------
def test_staff_create_with_a_login(org, api):
    from django.contrib.auth import get_user_model

    response = api().post(
        "/staff",
        {
            "name": "新人",
            "employee_no": "N001",
            "store": org["store"].pk,
            "role": role_id("waiter"),
            "username": "t1-newbie",
            "password": "long-enough-pw",
        },
    )
    assert response.status_code == 201
    staff = response.json()
    assert staff["has_login"] is True and staff["brand"] == org["brand"].pk
    user = get_user_model().objects.get(username="t1-newbie")
    assert user.tenant == org["tenant"] and user.check_password("long-enough-pw")
    assert Staff.objects.get(pk=staff["id"]).user == user


def test_staff_create_without_a_login(org, api):
    response = api().post("/staff", {"name": "临时工", "employee_no": "N002"})
    assert response.status_code == 201 and response.json()["has_login"] is False


def test_staff_login_needs_both_username_and_good_password(org, api):
    hq = api()
    no_name = hq.post(
        "/staff", {"name": "新人", "employee_no": "N003", "password": "long-enough-pw"}
    )
    assert_problem(no_name, 400, "invalid_input", {"username"})
    weak = hq.post(
        "/staff", {"name": "新人", "employee_no": "N003", "username": "t1-weak", "password": "123"}
    )
    assert_problem(weak, 400, "invalid_input", {"password"})
    taken = hq.post(
        "/staff",
        {
            "name": "新人",
            "employee_no": "N003",
            "username": "t1-desk",
            "password": "long-enough-pw",
        },
    )
    assert_problem(taken, 400, "invalid_input", {"username"})
    assert not Staff.objects.filter(employee_no="N003").exists()


def test_staff_bad_email_gets_djangos_translated_message(org, api):
    response = api().post("/staff", {"name": "新人", "employee_no": "N004", "email": "nope"})
    body = assert_problem(response, 400, "invalid_input", {"email"})
    assert body["fields"]["email"] == ["输入一个有效的 Email 地址。"]


def test_staff_with_a_foreign_store_is_a_field_error(org, other_org, api):
    response = api().post(
        "/staff", {"name": "跨租户", "employee_no": "N005", "store": other_org["store"].pk}
    )
    assert_problem(response, 400, "invalid_input", {"store"})
    assert not Staff.all_tenants.filter(employee_no="N005").exists()


def test_staff_store_must_belong_to_the_staffs_brand(org, api):
    hq = api()
    other_brand = hq.post("/brands", {"name": "别的品牌", "code": "other-brand"}).json()
    response = hq.post(
        "/staff",
        {
            "name": "错配",
            "employee_no": "N009",
            "brand": other_brand["id"],
            "store": org["store"].pk,
        },
    )
    assert_problem(response, 400, "invalid_input", {"store"})
    assert not Staff.objects.filter(employee_no="N009").exists()


def test_staff_list_does_not_grow_queries_with_its_length(org, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    captain = api("captain")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert captain.get("/staff").status_code == 200
        return len(captured)

    queries()  # the key's first use also stamps its last-used time
    before = queries()
    for n in range(5):
        api().post("/staff", {"name": f"新人{n}", "employee_no": f"Q{n}", "store": org["store"].pk})
    assert queries() == before


def test_staff_get_and_patch(org, users, api):
    hq = api()
    staff_id = users["waiter"].staff.pk
    assert hq.get(f"/staff/{staff_id}").json()["phone"] == "13900000005"
    patched = hq.patch(f"/staff/{staff_id}", {"store": org["store2"].pk, "title": "领位"})
    assert patched.status_code == 200
    assert patched.json()["store"] == org["store2"].pk and patched.json()["title"] == "领位"
    assert Staff.objects.get(pk=staff_id).store == org["store2"]


def test_staff_list_filters(org, users, api):
    hq = api()
    hq.post(
        "/staff",
        {"name": "二店厨师", "employee_no": "N006", "store": org["store2"].pk, "active": False},
    )

    def codes(query: str) -> set[str]:
        return {s["employee_no"] for s in hq.get(f"/staff{query}").json()}

    assert codes(f"?store={org['store2'].pk}") == {"N006"}
    assert codes(f"?role={role_id('captain')}") == {"E004"}
    assert codes(f"?org_unit={org['department'].pk}") == codes(f"?org_unit={org['group'].pk}")
    assert len(codes(f"?org_unit={org['group'].pk}")) == 9
    assert codes(f"?org_unit={org['top'].pk}") == codes("?active=true")
    assert codes("?active=false") == {"N006"}
    assert codes("?search=二店") == {"N006"}
    assert codes("?search=E00") == {f"E00{n}" for n in range(2, 10)}
    assert codes("?search=13900000007") == {"E007"}


def test_store_scoped_manager_lists_only_their_stores_staff(org, users, api):
    other = (
        api()
        .post("/staff", {"name": "二店员工", "employee_no": "N007", "store": org["store2"].pk})
        .json()
    )
    manager = api("manager")
    listed = manager.get("/staff").json()
    assert {s["store"] for s in listed} == {org["store"].pk}
    assert "N007" not in {s["employee_no"] for s in listed}
    assert "HQ-0001" not in {s["employee_no"] for s in listed}
    assert_problem(manager.get(f"/staff/{other['id']}"), 404, "not_found")


def test_waiter_sees_only_themself_and_no_phone(org, users, api):
    hq = api()
    waiter_role = role_id("waiter")
    granted = hq.patch(f"/roles/{waiter_role}", {"permissions": ["org.view"]})
    assert granted.status_code == 200 and granted.json()["permissions"] == ["org.view"]
    listed = api("waiter").get("/staff").json()
    assert [s["id"] for s in listed] == [users["waiter"].staff.pk]
    assert "phone" not in listed[0] and "email" not in listed[0]
    assert listed[0]["name"] == "waiter员工"
    assert "phone" in hq.get("/staff").json()[0]


def test_field_filter_hides_phones_from_a_captain_and_phone_search_too(org, users, api):
    captain = api("captain")
    listed = captain.get("/staff").json()
    assert len(listed) == 9 and all("phone" not in s for s in listed)
    assert "phone" not in captain.get(f"/staff/{users['waiter'].staff.pk}").json()
    assert captain.get("/staff?search=13900000005").json() == []


def test_field_visibility_override_shows_the_phone(org, users, api):
    hq = api()
    captain_role = role_id("captain")
    put = hq.put(f"/roles/{captain_role}/field-visibility/staff", {"fields": {"phone": True}})
    assert put.status_code == 200
    visible = {f["name"]: f["visible"] for f in put.json()["fields"]}
    assert visible["phone"] is True and visible["email"] is False
    staff = api("captain").get(f"/staff/{users['waiter'].staff.pk}").json()
    assert staff["phone"] == "13900000005" and "email" not in staff


def test_staff_writes_need_the_staff_permission(org, users, api):
    response = api("manager").patch(f"/staff/{users['waiter'].staff.pk}", {"title": "x"})
    assert_problem(response, 403, "permission_denied")
    assert Staff.objects.get(pk=users["waiter"].staff.pk).title == ""


# --- Roles, field visibility and the permission catalogue -----------------------------------
def test_role_create_get_patch_delete(org, api):
    hq = api()
    created = hq.post(
        "/roles",
        {
            "code": "trainee",
            "name": "实习生",
            "permissions": ["org.view", "org.view"],
            "row_scope": "store",
        },
    )
    assert created.status_code == 201
    role = created.json()
    assert role["permissions"] == ["org.view"] and role["is_system"] is False
    assert role["label"] == "实习生"
    assert hq.get(f"/roles/{role['id']}").json() == role
    patched = hq.patch(
        f"/roles/{role['id']}",
        {"name": "见习生", "row_scope": "own", "permissions": ["core.view_audit", "org.view"]},
    )
    assert patched.json()["permissions"] == ["core.view_audit", "org.view"]
    assert patched.json()["row_scope"] == "own" and patched.json()["name"] == "见习生"
    assert "trainee" in {r["code"] for r in hq.get("/roles").json()}
    assert hq.delete(f"/roles/{role['id']}").status_code == 204
    assert not Role.objects.filter(code="trainee").exists()


def test_built_in_role_labels_follow_the_request_language(org, api):
    roles = {r["code"]: r for r in api(language="en").get("/roles").json()}
    assert roles["waiter"]["label"] == "Waiter" and roles["waiter"]["is_system"] is True


def test_role_input_is_validated(org, api):
    hq = api(language="en")
    unknown = hq.post("/roles", {"code": "r1", "name": "r1", "permissions": ["no.such"]})
    body = assert_problem(unknown, 400, "invalid_input", {"permissions"})
    assert "no.such" in body["fields"]["permissions"][0]
    assert_problem(
        hq.post("/roles", {"code": "r1", "name": "r1", "row_scope": "galaxy"}),
        400,
        "invalid_input",
        {"row_scope"},
    )
    assert_problem(
        hq.post("/roles", {"code": "hq", "name": "重复"}), 400, "invalid_input", {"code"}
    )
    assert not Role.objects.filter(code="r1").exists()


def test_hq_cannot_take_role_editing_away_from_their_own_role(org, api):
    response = api().patch(f"/roles/{role_id('hq')}", {"permissions": ["org.view"]})
    assert_problem(response, 400, "invalid_input", {"permissions"})
    assert "org.manage_roles" in Role.objects.get(code="hq").permissions


def test_built_in_and_held_roles_cannot_be_deleted(org, api):
    hq = api()
    assert_problem(hq.delete(f"/roles/{role_id('waiter')}"), 409, "builtin_role")
    custom = hq.post("/roles", {"code": "held", "name": "在用"}).json()
    hq.post("/staff", {"name": "持有人", "employee_no": "N008", "role": custom["id"]})
    assert_problem(hq.delete(f"/roles/{custom['id']}"), 409, "in_use")
    assert Role.objects.filter(pk=custom["id"]).exists()


def test_roles_are_changed_by_role_managers_only(org, api):
    response = api("manager").patch(
        f"/roles/{role_id('manager')}", {"permissions": ["org.manage_roles"]}
    )
    assert_problem(response, 403, "permission_denied")
    assert "org.manage_roles" not in Role.objects.get(code="manager").permissions


def test_field_visibility_get_and_put(org, api):
    hq = api(language="en")
    waiter_role = role_id("waiter")
    shown = hq.get(f"/roles/{waiter_role}/field-visibility/staff").json()
    assert shown["resource"] == "staff" and shown["label"] == "Staff record"
    assert {f["name"]: f["visible"] for f in shown["fields"]}["phone"] is False
    put = hq.put(
        f"/roles/{waiter_role}/field-visibility/staff", {"fields": {"phone": True, "name": False}}
    )
    after = {f["name"]: f["visible"] for f in put.json()["fields"]}
    assert after["phone"] is True and after["name"] is False and after["email"] is False
    assert hq.get(f"/roles/{waiter_role}/field-visibility/staff").json() == put.json()
    assert (
        AuditEntry.objects.filter(
            object_type="org.role", object_id=str(waiter_role), action="update"
        ).count()
        == 1
    )


def test_field_visibility_refuses_unknown_resources_and_fields(org, api):
    hq = api()
    waiter_role = role_id("waiter")
    assert_problem(hq.get(f"/roles/{waiter_role}/field-visibility/nothing"), 404, "not_found")
    unknown = hq.put(
        f"/roles/{waiter_role}/field-visibility/staff", {"fields": {"shoe_size": True}}
    )
    assert_problem(unknown, 400, "invalid_input", {"shoe_size"})
    not_bool = hq.put(
        f"/roles/{waiter_role}/field-visibility/staff", {"fields": {"phone": "maybe"}}
    )
    assert_problem(not_bool, 400, "invalid_input", {"fields.phone"})


def test_foreign_role_is_not_found(org, other_org, api):
    from huike.core.tenancy import tenant_context

    with tenant_context(other_org["tenant"]):
        foreign_role = Role.objects.get(code="waiter").pk
    assert_problem(api().get(f"/roles/{foreign_role}"), 404, "not_found")
    assert_problem(
        api().put(f"/roles/{foreign_role}/field-visibility/staff", {"fields": {"phone": True}}),
        404,
        "not_found",
    )


def test_permission_catalogue_in_the_request_language(org, api):
    catalogue = {p["code"]: p for p in api(language="en").get("/permissions").json()}
    assert catalogue["org.view"] == {
        "code": "org.view",
        "label": "See brands, stores and staff",
        "area": "Organisation",
    }
    assert catalogue["core.view_audit"]["area"] == "Platform"
    chinese = {p["code"]: p for p in api().get("/permissions").json()}
    assert set(chinese) == set(catalogue)
    assert all(isinstance(p["label"], str) and p["label"] for p in chinese.values())
