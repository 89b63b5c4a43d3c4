"""Console pages of the organisation app: brands, stores, the org tree, staff and roles."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from huike.core.models import AuditEntry
from huike.org import services
from huike.org.models import Brand, FieldPolicy, OrgUnit, Role, Staff, Store
from huike.org.views import stores as store_views

HX = {"HX-Request": "true"}


def signed_in(client, user):
    client.force_login(user)
    return client


def in_chinese(message: str) -> str:
    """``message`` as the pages show it (zh-hans, the default language)."""
    with translation.override("zh-hans"):
        return escape(translation.gettext(message))


def tid(name: str) -> str:
    return f'data-testid="{name}"'


def node_of(html: str, name: str) -> str:
    """The org tree node named ``name``."""
    for chunk in html.split(tid("org-node"))[1:]:
        if f'data-unit-name="{name}"' in chunk.split(">", 1)[0]:
            return chunk
    raise AssertionError(f"no node {name}")


def row_of(html: str, attribute: str, value: str) -> str:
    """The <tr> with ``attribute="value"`` (to assert on one row of a table)."""
    match = re.search(rf'<tr[^>]*{attribute}="{re.escape(value)}".*?</tr>', html, re.S)
    assert match, f"no row with {attribute}={value}"
    return match.group(0)


STORE_POST = {
    "brand": "",
    "name": "新店",
    "code": "t1-new",
    "city": "长沙",
    "address": "黄兴路 9 号",
    "latitude": "28.2",
    "longitude": "112.9",
    "time_zone": "Asia/Shanghai",
    "time_zone_other": "",
    "phone": "0731-1234567",
    "active": "on",
    "hours_mon": "10:30-14:00, 17:00-21:30",
    "hours_tue": "10:30-14:00",
    "hours_wed": "",
    "hours_thu": "",
    "hours_fri": "17:00-02:00",
    "hours_sat": "",
    "hours_sun": "",
}


def store_post(org, **changes) -> dict:
    return {**STORE_POST, "brand": str(org["brand"].pk), **changes}


# --- Every page ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,arg",
    [
        ("brand_list", None),
        ("brand_create", None),
        ("brand_edit", "brand"),
        ("store_list", None),
        ("store_create", None),
        ("store_edit", "store"),
        ("org_tree", None),
        ("staff_list", None),
        ("staff_create", None),
        ("staff_edit", "staff"),
        ("role_list", None),
        ("role_create", None),
        ("role_edit", "role"),
    ],
)
def test_each_page_renders_for_hq(client, org, hq, name, arg):
    targets = {
        "brand": org["brand"].pk,
        "store": org["store"].pk,
        "staff": org["users"]["waiter"].staff.pk,
        "role": Role.objects.get(code="waiter").pk,
    }
    url = reverse(name, args=[targets[arg]] if arg else [])
    response = signed_in(client, hq).get(url)
    assert response.status_code == 200
    assert b"<html" in response.content


def test_pages_ask_for_sign_in(client, org):
    response = client.get(reverse("store_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_menu_links_what_the_user_may_see(client, users):
    hq_page = signed_in(client, users["hq"]).get(reverse("home")).content.decode()
    for link in ["nav-stores", "nav-brands", "nav-staff", "nav-org-tree", "nav-roles", "nav-audit"]:
        assert tid(link) in hq_page
    waiter_page = signed_in(client, users["waiter"]).get(reverse("home")).content.decode()
    assert tid("nav-home") in waiter_page
    for link in ["nav-stores", "nav-staff", "nav-roles", "nav-audit"]:
        assert tid(link) not in waiter_page


# --- Brands ----------------------------------------------------------------------------------
def test_brand_create_and_edit_through_the_pages(client, org, hq):
    signed_in(client, hq)
    response = client.post(
        reverse("brand_create"), {"name": "新品牌", "code": "new-brand", "active": "on"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("brand_list")
    brand = Brand.objects.get(code="new-brand")
    response = client.post(
        reverse("brand_edit", args=[brand.pk]), {"name": "改名品牌", "code": "new-brand"}
    )
    assert response.status_code == 302
    brand.refresh_from_db()
    assert brand.name == "改名品牌" and brand.active is False
    assert AuditEntry.objects.filter(
        object_type="org.brand", object_id=str(brand.pk), action="update"
    ).exists()
    listing = client.get(reverse("brand_list")).content.decode()
    assert "改名品牌" in listing and tid("brand-edit") in listing


def test_brand_duplicate_code_shows_beside_the_field(client, org, hq):
    before = Brand.objects.count()
    response = signed_in(client, hq).post(
        reverse("brand_create"), {"name": "又一个", "code": org["brand"].code}
    )
    assert response.status_code == 200
    assert tid("error-code") in response.content.decode()
    assert Brand.objects.count() == before


# --- Stores ----------------------------------------------------------------------------------
def test_store_create_through_the_page_writes_the_row_and_an_audit_entry(client, org, hq):
    audit_before = AuditEntry.objects.filter(action="create", object_type="org.store").count()
    response = signed_in(client, hq).post(reverse("store_create"), store_post(org))
    assert response.status_code == 302 and response["Location"] == reverse("store_list")
    store = Store.objects.get(code="t1-new")
    assert store.opening_hours == {
        "mon": [["10:30", "14:00"], ["17:00", "21:30"]],
        "tue": [["10:30", "14:00"]],
        "fri": [["17:00", "02:00"]],
    }
    assert str(store.latitude) == "28.200000" and store.time_zone == "Asia/Shanghai"
    entries = AuditEntry.objects.filter(action="create", object_type="org.store")
    assert entries.count() == audit_before + 1
    entry = entries.get(object_id=str(store.pk))
    assert entry.actor == hq and entry.ip_address == "127.0.0.1"


def test_store_create_with_a_typed_time_zone(client, org, hq):
    post = store_post(org, time_zone="other", time_zone_other="Asia/Kathmandu")
    assert signed_in(client, hq).post(reverse("store_create"), post).status_code == 302
    assert Store.objects.get(code="t1-new").time_zone == "Asia/Kathmandu"


def test_store_edit_through_the_page_saves_and_audits_the_change(client, org, hq):
    store = org["store"]
    page = signed_in(client, hq).get(reverse("store_edit", args=[store.pk])).content.decode()
    assert 'value="28.195600"' in page  # the form shows the stored values
    post = store_post(org, name="改名一店", code=store.code, hours_sat="9:00-13:00")
    response = client.post(reverse("store_edit", args=[store.pk]), post)
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.name == "改名一店" and store.opening_hours["sat"] == [["09:00", "13:00"]]
    entry = AuditEntry.objects.filter(
        action="update", object_type="org.store", object_id=str(store.pk)
    ).latest("seq")
    assert entry.changes["name"] == [f"{org['tenant'].name}一店", "改名一店"]


@pytest.mark.parametrize(
    "changes,error_field,kept",
    [
        ({"latitude": "91"}, "latitude", 'value="91"'),
        (
            {"time_zone": "other", "time_zone_other": "Mars/Olympus"},
            "time_zone_other",
            'value="Mars/Olympus"',
        ),
        ({"time_zone": "Mars/Olympus"}, "time_zone", None),
        ({"time_zone": "other", "time_zone_other": ""}, "time_zone_other", None),
        ({"hours_mon": "25:00-26:00"}, "hours_mon", 'value="25:00-26:00"'),
        ({"hours_wed": "10:00-10:00"}, "hours_wed", None),
        ({"hours_thu": "lunch only"}, "hours_thu", 'value="lunch only"'),
        ({"name": "长" * 101}, "name", "长" * 101),
        ({"code": "t1-s1"}, "code", 'value="t1-s1"'),
        ({"latitude": "28.2", "longitude": ""}, "longitude", None),
    ],
)
def test_bad_store_input_shows_the_error_beside_the_field_and_writes_nothing(
    client, org, hq, changes, error_field, kept
):
    stores_before, audit_before = Store.objects.count(), AuditEntry.objects.count()
    response = signed_in(client, hq).post(reverse("store_create"), store_post(org, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert tid(f"error-{error_field}") in html
    assert tid("form-errors") in html
    assert 'value="黄兴路 9 号"' in html  # the rest of the input is kept
    if kept:
        assert kept in html
    assert Store.objects.count() == stores_before
    assert AuditEntry.objects.count() == audit_before


def test_another_tenants_brand_cannot_be_posted(client, org, other_org, hq):
    before = Store.objects.count()
    response = signed_in(client, hq).post(
        reverse("store_create"), store_post(org, brand=str(other_org["brand"].pk))
    )
    assert response.status_code == 200
    assert tid("error-brand") in response.content.decode()
    assert Store.objects.count() == before
    assert Store.all_tenants.filter(code="t1-new").count() == 0


def test_store_of_another_tenant_is_not_found(client, org, other_org, hq):
    response = signed_in(client, hq).get(reverse("store_edit", args=[other_org["store"].pk]))
    assert response.status_code == 404
    assert tid("not-found") in response.content.decode()


def test_htmx_form_post_answers_with_hx_redirect_or_the_form_alone(client, org, hq):
    signed_in(client, hq)
    bad = client.post(reverse("store_create"), store_post(org, latitude="91"), headers=HX)
    html = bad.content.decode()
    assert bad.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<form") and tid("error-latitude") in html
    good = client.post(reverse("store_create"), store_post(org), headers=HX)
    assert good.status_code == 204 and good["HX-Redirect"] == reverse("store_list")
    assert Store.objects.filter(code="t1-new").exists()


def test_store_list_filters_by_search_and_brand_and_htmx_gets_only_the_table(client, org, hq):
    other_brand = services.brand_create(acting_user=hq, name="别牌", code="other-brand")
    services.store_create(
        acting_user=hq,
        brand=other_brand,
        name="别牌广州店",
        code="gz",
        city="广州",
        address="天河路 1 号",
    )
    signed_in(client, hq)
    full = client.get(reverse("store_list")).content.decode()
    assert full.count(tid("store-row")) == 3 and "<html" in full
    by_city = client.get(reverse("store_list"), {"q": "广州"}, headers=HX)
    html = by_city.content.decode()
    assert "<html" not in html and "<nav" not in html and tid("store-filters") not in html
    assert html.lstrip().startswith('<div class="table-responsive">')
    assert tid("store-table") in html and html.count(tid("store-row")) == 1
    assert by_city["Vary"] and "HX-Request" in by_city["Vary"]
    by_brand = client.get(reverse("store_list"), {"brand": org["brand"].pk}, headers=HX)
    assert by_brand.content.decode().count(tid("store-row")) == 2
    none = client.get(reverse("store_list"), {"q": "不存在"}, headers=HX).content.decode()
    assert tid("store-empty") in none


def test_store_list_shows_each_stores_local_time(client, org, hq, monkeypatch):
    services.store_create(
        acting_user=hq,
        brand=org["brand"],
        name="纽约店",
        code="nyc",
        city="New York",
        address="5th Ave",
        time_zone="America/New_York",
        opening_hours={"thu": [["11:00", "22:00"]]},
    )
    fixed = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)  # a Thursday
    monkeypatch.setattr(store_views, "timezone", SimpleNamespace(now=lambda: fixed))
    html = signed_in(client, hq).get(reverse("store_list")).content.decode()
    new_york = row_of(html, "data-store-code", "nyc")
    assert "7:00" in new_york and "America/New_York" in new_york and "11:00-22:00" in new_york
    assert "20:00" in row_of(html, "data-store-code", "t1-s1")


def test_store_manager_sees_only_their_store_and_no_write_buttons(client, org, users):
    html = signed_in(client, users["manager"]).get(reverse("store_list")).content.decode()
    assert html.count(tid("store-row")) == 1 and org["store"].name in html
    assert org["store2"].name not in html
    assert tid("store-create") not in html and tid("store-edit") not in html


def test_users_without_the_write_permission_get_the_403_page_and_an_audit_entry(client, org, users):
    before = AuditEntry.objects.filter(action="permission_denied").count()
    response = signed_in(client, users["manager"]).post(reverse("store_create"), store_post(org))
    assert response.status_code == 403
    assert tid("forbidden") in response.content.decode()
    assert not Store.objects.filter(code="t1-new").exists()
    denial = AuditEntry.objects.filter(action="permission_denied").latest("seq")
    assert AuditEntry.objects.filter(action="permission_denied").count() == before + 1
    assert denial.object_id == "org.manage_stores" and denial.actor == users["manager"]


# --- Org tree --------------------------------------------------------------------------------
def test_org_tree_shows_units_with_staff_counts(client, org, hq):
    for name in ["B team", "A team"]:
        services.org_unit_create(acting_user=hq, kind="group", name=name, parent=org["department"])
    html = signed_in(client, hq).get(reverse("org_tree")).content.decode()
    assert html.count(tid("org-node")) == 5
    names = re.findall(r'data-unit-name="([^"]+)"', html)
    assert names == [org["top"].name, "营运部", "A team", "B team", "一组"]  # tree order
    assert 'data-own-staff="9"' in node_of(html, "一组")  # the nine non-HQ logins
    department = node_of(html, "营运部")
    assert 'data-own-staff="0" data-branch-staff="9"' in department


def test_org_tree_add_rename_and_delete(client, org, hq):
    signed_in(client, hq)
    dept = org["department"]
    response = client.post(reverse("org_unit_add", args=[dept.pk]), {"name": "二组"})
    assert response.status_code == 302
    group = OrgUnit.objects.get(name="二组")
    assert group.kind == "group" and group.parent == dept
    assert group.path == f"{dept.path}{group.pk}/"
    response = client.post(
        reverse("org_unit_add", args=[org["top"].pk]), {"name": "市场部"}, headers=HX
    )
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("org_tree")
    assert OrgUnit.objects.get(name="市场部").kind == "department"
    assert (
        client.post(reverse("org_unit_rename", args=[group.pk]), {"name": "三组"}).status_code
        == 302
    )
    group.refresh_from_db()
    assert group.name == "三组"
    assert client.post(reverse("org_unit_delete", args=[group.pk])).status_code == 302
    assert not OrgUnit.objects.filter(pk=group.pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", object_type="org.orgunit", object_id=str(group.pk)
    ).exists()


@pytest.mark.parametrize("unit", ["department", "group"])
def test_org_unit_with_children_or_staff_is_not_deleted(client, org, hq, unit):
    target = org[unit]
    response = signed_in(client, hq).post(reverse("org_unit_delete", args=[target.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert tid("org-error") in html
    assert in_chinese("Move its sub-units and staff elsewhere first.") in html
    assert OrgUnit.objects.filter(pk=target.pk).exists()


def test_org_unit_blank_name_is_refused_beside_the_input(client, org, hq):
    before = OrgUnit.objects.count()
    response = signed_in(client, hq).post(
        reverse("org_unit_add", args=[org["department"].pk]), {"name": ""}, headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and tid("org-tree") in html
    assert tid("error-name") in html
    assert OrgUnit.objects.count() == before


def test_org_tree_buttons_hidden_without_manage_staff(client, org, users):
    html = signed_in(client, users["manager"]).get(reverse("org_tree")).content.decode()
    assert tid("org-node") in html
    assert tid("org-add") not in html and tid("org-delete") not in html


# --- Staff -----------------------------------------------------------------------------------
def test_staff_create_with_a_login(client, org, hq):
    post = {
        "name": "新员工",
        "employee_no": "E900",
        "title": "服务员",
        "phone": "13911112222",
        "email": "",
        "org_unit": org["group"].pk,
        "brand": "",
        "store": org["store2"].pk,
        "role": Role.objects.get(code="waiter").pk,
        "active": "on",
        "username": "t1-newbie",
        "password": "a-long-enough-pw-42",
    }
    response = signed_in(client, hq).post(reverse("staff_create"), post)
    assert response.status_code == 302
    staff = Staff.objects.select_related("user").get(employee_no="E900")
    assert staff.user.username == "t1-newbie" and staff.user.check_password("a-long-enough-pw-42")
    assert staff.brand == org["brand"] and staff.user.tenant == org["tenant"]
    entry = AuditEntry.objects.get(
        action="create", object_type="org.staff", object_id=str(staff.pk)
    )
    assert entry.changes["username"] == "t1-newbie"


@pytest.mark.parametrize(
    "changes,error_field",
    [
        ({"employee_no": "E002"}, "employee_no"),
        ({"username": "t1-waiter", "password": "a-long-enough-pw-42"}, "username"),
        ({"username": "t1-someone", "password": "short"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"role": "999999"}, "role"),
    ],
)
def test_bad_staff_input_shows_the_error_beside_the_field(client, org, hq, changes, error_field):
    staff_before = Staff.objects.count()
    post = {
        "name": "坏员工",
        "employee_no": "E901",
        "org_unit": org["group"].pk,
        "store": org["store"].pk,
        "active": "on",
        **changes,
    }
    response = signed_in(client, hq).post(reverse("staff_create"), post)
    assert response.status_code == 200
    html = response.content.decode()
    assert tid(f"error-{error_field}") in html and 'value="坏员工"' in html
    assert Staff.objects.count() == staff_before


def test_staff_edit_and_password(client, org, hq, users):
    waiter = users["waiter"].staff
    signed_in(client, hq)
    post = {
        "name": "改名服务员",
        "employee_no": waiter.employee_no,
        "title": "领位",
        "phone": waiter.phone,
        "email": "w@example.com",
        "org_unit": org["group"].pk,
        "store": org["store"].pk,
        "role": waiter.role_id,
        "active": "on",
    }
    assert client.post(reverse("staff_edit", args=[waiter.pk]), post).status_code == 302
    waiter.refresh_from_db()
    assert waiter.name == "改名服务员" and waiter.email == "w@example.com"
    response = client.post(reverse("staff_password", args=[waiter.pk]), {"password": "1"})
    assert response.status_code == 200 and tid("error-password") in response.content.decode()
    response = client.post(
        reverse("staff_password", args=[waiter.pk]), {"password": "brand-new-pw-2026"}
    )
    assert response.status_code == 302
    waiter.user.refresh_from_db()
    assert waiter.user.check_password("brand-new-pw-2026")


def test_staff_list_filters(client, org, hq, users):
    services.staff_create(
        acting_user=hq,
        name="二店员工",
        employee_no="E800",
        store=org["store2"],
        role=Role.objects.get(code="cashier"),
    )
    signed_in(client, hq)

    def rows(**params):
        return (
            client.get(reverse("staff_list"), params, headers=HX)
            .content.decode()
            .count(tid("staff-row"))
        )

    assert rows() == 11  # HQ admin, nine role logins, the new one
    assert rows(store=org["store2"].pk) == 1
    assert rows(role=Role.objects.get(code="cashier").pk) == 2
    assert rows(org_unit=org["department"].pk) == 9  # the group's staff are in the department
    assert rows(q="E800") == 1
    assert rows(q="二店") == 1


def test_store_managers_staff_list_shows_only_their_store(client, org, hq, users):
    services.staff_create(acting_user=hq, name="二店员工", employee_no="E800", store=org["store2"])
    html = signed_in(client, users["manager"]).get(reverse("staff_list")).content.decode()
    assert html.count(tid("staff-row")) == 9
    assert "二店员工" not in html and "HQ-0001" not in html
    assert tid("col-phone") in html and "1390000" in html  # managers see phones by default


def test_staff_fields_follow_field_visibility(client, org, users):
    html = signed_in(client, users["captain"]).get(reverse("staff_list")).content.decode()
    assert tid("staff-row") in html
    assert tid("col-phone") not in html and "1390000" not in html
    assert tid("col-email") not in html and tid("col-name") in html


def test_search_by_phone_only_for_those_who_see_phones(client, org, users):
    phone = users["waiter"].staff.phone
    manager = signed_in(client, users["manager"]).get(reverse("staff_list"), {"q": phone})
    assert manager.content.decode().count(tid("staff-row")) == 1
    captain = signed_in(client, users["captain"]).get(reverse("staff_list"), {"q": phone})
    assert captain.content.decode().count(tid("staff-row")) == 0


def test_staff_edit_form_leaves_out_hidden_fields(client, org, hq, users):
    manager_role = Role.objects.get(code="manager")
    services.role_update(
        acting_user=hq,
        role=manager_role,
        permissions=[*manager_role.permissions, "org.manage_staff"],
    )
    waiter = users["waiter"].staff
    services.field_policy_set(
        acting_user=hq, role=manager_role, resource="staff", visible={"phone": False}
    )
    signed_in(client, users["manager"])
    page = client.get(reverse("staff_edit", args=[waiter.pk])).content.decode()
    assert tid("input-name") in page and tid("input-phone") not in page
    post = {
        "name": "店长改的",
        "employee_no": waiter.employee_no,
        "title": "",
        "email": "",
        "org_unit": org["group"].pk,
        "store": org["store"].pk,
        "role": waiter.role_id,
        "phone": "10086",
        "active": "on",
    }
    assert client.post(reverse("staff_edit", args=[waiter.pk]), post).status_code == 302
    waiter.refresh_from_db()
    assert waiter.name == "店长改的" and waiter.phone != "10086"  # the hidden field is untouched


def test_staff_outside_the_managers_scope_is_not_found(client, org, hq, users):
    manager_role = Role.objects.get(code="manager")
    services.role_update(
        acting_user=hq,
        role=manager_role,
        permissions=[*manager_role.permissions, "org.manage_staff"],
    )
    response = signed_in(client, users["manager"]).get(reverse("staff_edit", args=[hq.staff.pk]))
    assert response.status_code == 404


# --- Roles -----------------------------------------------------------------------------------
def test_waiter_gets_403_on_the_role_editor_and_an_audit_entry(client, org, users):
    waiter = users["waiter"]
    signed_in(client, waiter)
    for url in [
        reverse("role_list"),
        reverse("role_edit", args=[waiter.staff.role_id]),
        reverse("role_create"),
    ]:
        response = client.get(url)
        assert response.status_code == 403
        html = response.content.decode()
        assert tid("forbidden") in html and "Traceback" not in html
    denials = AuditEntry.objects.filter(
        action="permission_denied", actor=waiter, object_id="org.manage_roles"
    )
    assert denials.count() == 3


def test_role_editor_saves_permissions_and_field_visibility_and_it_takes_effect(
    client, org, hq, users
):
    manager_role = Role.objects.get(code="manager")
    services.staff_create(acting_user=hq, name="二店员工", employee_no="E800", store=org["store2"])
    before = signed_in(client, users["manager"]).get(reverse("staff_list")).content.decode()
    assert tid("col-phone") in before and before.count(tid("staff-row")) == 9
    signed_in(client, hq)
    page = client.get(reverse("role_edit", args=[manager_role.pk])).content.decode()
    assert tid("perm-org.view") in page and tid("field-staff-phone") in page
    post = {
        "row_scope": "brand",
        "permissions": ["org.view", "org.manage_staff"],
        "visible-staff-name": "on",
        "visible-staff-title": "on",
        "visible-staff-store": "on",
        "visible-staff-role": "on",
        "visible-staff-employee_no": "on",
        "visible-staff-email": "on",
    }  # phone unticked
    response = client.post(reverse("role_edit", args=[manager_role.pk]), post)
    assert response.status_code == 302 and response["Location"] == reverse("role_list")
    manager_role.refresh_from_db()
    assert manager_role.permissions == ["org.manage_staff", "org.view"]
    assert manager_role.row_scope == "brand"
    assert (
        FieldPolicy.objects.get(role=manager_role, resource="staff", field="phone").visible is False
    )
    audit = AuditEntry.objects.filter(
        object_type="org.role", object_id=str(manager_role.pk), action="update"
    )
    assert any("field_visibility" in e.changes for e in audit)
    after = signed_in(client, users["manager"]).get(reverse("staff_list")).content.decode()
    assert tid("col-phone") not in after and "1390000" not in after
    assert tid("staff-create") in after  # the new permission shows its button
    assert after.count(tid("staff-row")) == 10  # brand scope: now the second store's too


def test_role_editor_refuses_unknown_permissions_and_own_lockout(client, org, hq):
    hq_role = Role.objects.get(code="hq")
    signed_in(client, hq)
    response = client.post(
        reverse("role_edit", args=[hq_role.pk]),
        {"row_scope": "all", "permissions": ["org.view", "no.such"]},
    )
    assert response.status_code == 200
    assert tid("error-permissions") in response.content.decode()
    response = client.post(
        reverse("role_edit", args=[hq_role.pk]), {"row_scope": "all", "permissions": ["org.view"]}
    )
    assert response.status_code == 200
    assert tid("error-permissions") in response.content.decode()
    hq_role.refresh_from_db()
    assert "org.manage_roles" in hq_role.permissions


def test_create_and_delete_a_custom_role(client, org, hq):
    signed_in(client, hq)
    response = client.post(
        reverse("role_create"),
        {
            "code": "trainee",
            "name": "实习生",
            "row_scope": "own",
            "copy_from": Role.objects.get(code="captain").pk,
        },
    )
    role = Role.objects.get(code="trainee")
    assert response.status_code == 302 and response["Location"] == reverse(
        "role_edit", args=[role.pk]
    )
    assert role.permissions == Role.objects.get(code="captain").permissions
    assert "org.view" in role.permissions and not role.is_system
    duplicate = client.post(
        reverse("role_create"), {"code": "trainee", "name": "又一个", "row_scope": "own"}
    )
    assert duplicate.status_code == 200 and tid("error-code") in duplicate.content.decode()
    response = client.post(reverse("role_delete", args=[role.pk]))
    assert response.status_code == 302 and not Role.objects.filter(code="trainee").exists()
    assert AuditEntry.objects.filter(action="delete", object_type="org.role").exists()


def test_built_in_role_is_not_deleted(client, org, hq):
    waiter_role = Role.objects.get(code="waiter")
    signed_in(client, hq)
    page = client.get(reverse("role_edit", args=[waiter_role.pk])).content.decode()
    assert tid("role-delete") not in page
    response = client.post(reverse("role_delete", args=[waiter_role.pk]), follow=True)
    assert in_chinese("Built-in roles cannot be deleted.") in response.content.decode()
    assert Role.objects.filter(pk=waiter_role.pk).exists()


# --- Query counts ----------------------------------------------------------------------------
def test_list_pages_make_a_bounded_number_of_queries(
    client, org, hq, django_assert_max_num_queries
):
    for i in range(30):
        store = services.store_create(
            acting_user=hq,
            brand=org["brand"],
            name=f"店{i}",
            code=f"bulk-{i}",
            city="长沙",
            address="x",
        )
        services.staff_create(
            acting_user=hq,
            name=f"员工{i}",
            employee_no=f"B{i:03d}",
            store=store,
            org_unit=org["group"],
            role=Role.objects.get(code="waiter"),
        )
    signed_in(client, hq)
    # session, user, tenant and the user's access take about 7; the rest is the page's own
    bounds = {
        "store_list": 10,
        "staff_list": 13,
        "brand_list": 9,
        "role_list": 9,
        "org_tree": 9,
        "store_create": 9,
        "staff_create": 13,
    }
    for name, bound in bounds.items():
        with django_assert_max_num_queries(bound):
            response = client.get(reverse(name))
        assert response.status_code == 200
    with django_assert_max_num_queries(bounds["staff_list"]):
        html = client.get(reverse("staff_list")).content.decode()
    assert html.count(tid("staff-row")) == 40
