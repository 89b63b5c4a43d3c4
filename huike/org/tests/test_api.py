"""The organisation API: brands, stores and the org tree, with the problem body for bad input,
tenancy and permission checks (staff and roles are in test_api_people.py)."""

import pytest

from huike.core.models import AuditEntry
from huike.core.testing import assert_problem
from huike.org.models import Brand, OrgUnit, Store


def store_body(org, **changes) -> dict:
    body = {
        "brand": org["brand"].pk,
        "name": "测试集团三店",
        "code": "t1-s3",
        "city": "长沙",
        "address": "黄兴路 3 号",
        "latitude": "28.19",
        "longitude": "112.97",
    }
    return {**body, **changes}


# --- Brands ----------------------------------------------------------------------------------
def test_brand_create_get_patch_and_list(org, api):
    hq = api()
    created = hq.post("/brands", {"name": "湘味小馆", "code": "xiangwei"})
    assert created.status_code == 201
    brand_id = created.json()["id"]
    assert hq.get(f"/brands/{brand_id}").json() == {
        "id": brand_id,
        "name": "湘味小馆",
        "code": "xiangwei",
        "active": True,
    }
    patched = hq.patch(f"/brands/{brand_id}", {"active": False})
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert {b["code"] for b in hq.get("/brands").json()} == {"xiangwei", "t1-brand"}
    assert [b["code"] for b in hq.get("/brands?active=true").json()] == ["t1-brand"]
    assert (
        AuditEntry.objects.filter(
            object_type="org.brand", object_id=str(brand_id), action__in=["create", "update"]
        ).count()
        == 2
    )


def test_brand_code_is_unique_and_must_be_a_slug(org, api):
    hq = api(language="en")
    taken = hq.post("/brands", {"name": "另一个", "code": "t1-brand"})
    assert_problem(taken, 400, "invalid_input", {"code"})
    not_slug = hq.post("/brands", {"name": "另一个", "code": "有 空格"})
    body = assert_problem(not_slug, 400, "invalid_input", {"code"})
    assert "slug" in body["fields"]["code"][0]
    assert Brand.objects.count() == 1


def test_store_scoped_manager_sees_only_their_brand(org, api):
    assert api().post("/brands", {"name": "别的品牌", "code": "other-brand"}).status_code == 201
    assert [b["code"] for b in api("manager").get("/brands").json()] == ["t1-brand"]


# --- Stores ----------------------------------------------------------------------------------
def test_store_create_get_patch(org, api):
    hq = api()
    created = hq.post("/stores", store_body(org, opening_hours={"mon": [["10:00", "14:00"]]}))
    assert created.status_code == 201
    store = created.json()
    assert store["brand"] == org["brand"].pk and store["latitude"] == "28.190000"
    assert store["opening_hours"] == {"mon": [["10:00", "14:00"]]}
    assert hq.get(f"/stores/{store['id']}").json() == store
    patched = hq.patch(f"/stores/{store['id']}", {"phone": "0731-8888", "active": False})
    assert patched.status_code == 200
    assert patched.json() == {**store, "phone": "0731-8888", "active": False}
    assert Store.objects.get(pk=store["id"]).phone == "0731-8888"


def test_store_list_filters(org, api):
    hq = api()
    hq.post("/stores", store_body(org, active=False))
    assert len(hq.get("/stores").json()) == 3
    assert {s["code"] for s in hq.get("/stores?active=false").json()} == {"t1-s3"}
    assert {s["code"] for s in hq.get("/stores?search=上海").json()} == {"t1-s2"}
    assert hq.get(f"/stores?brand={org['brand'].pk + 999}").json() == []
    assert_problem(hq.get("/stores?brand=abc"), 400, "invalid_input", {"brand"})


def test_store_patch_can_clear_the_geo_point_but_not_half_of_it(org, api):
    hq = api(language="en")
    store_id = org["store"].pk
    half = hq.patch(f"/stores/{store_id}", {"latitude": None})
    body = assert_problem(half, 400, "invalid_input", {"latitude"})
    assert body["fields"]["latitude"] == ["Give both latitude and longitude, or neither."]
    cleared = hq.patch(f"/stores/{store_id}", {"latitude": None, "longitude": None})
    assert cleared.status_code == 200 and cleared.json()["latitude"] is None


def test_malformed_json_is_a_problem(org, api):
    response = api().post("/stores", raw='{"brand": 1, "name": ')
    assert_problem(response, 400, "malformed_request")
    assert Store.objects.count() == 2


def test_a_json_array_instead_of_an_object_is_a_problem(org, api):
    assert_problem(api().post("/stores", raw="[1, 2]"), 400, "invalid_input", {"__all__"})


def test_unknown_fields_are_refused(org, api):
    response = api(language="en").post("/stores", store_body(org, colour="red"))
    body = assert_problem(response, 400, "invalid_input", {"colour"})
    assert body["fields"]["colour"] == ["Unknown field."]
    assert not Store.objects.filter(code="t1-s3").exists()


def test_missing_fields_are_named_in_chinese_by_default(org, api):
    body = assert_problem(
        api().post("/stores", {"brand": org["brand"].pk}),
        400,
        "invalid_input",
        {"name", "code", "city", "address"},
    )
    assert body["fields"]["name"] == ["这个字段是必填项。"]


def test_missing_fields_are_named_in_english_on_request(org, api):
    response = api(language="en").post("/stores", {"brand": org["brand"].pk})
    body = assert_problem(response, 400, "invalid_input", {"name", "code", "city", "address"})
    assert body["message"] == "Some fields are not valid."
    assert body["fields"]["city"] == ["This field is required."]


def test_blank_name_gets_djangos_translated_message(org, api):
    zh = assert_problem(api().post("/stores", store_body(org, name="")), 400, "invalid_input")
    en = assert_problem(
        api(language="en").post("/stores", store_body(org, name="")), 400, "invalid_input"
    )
    assert zh["fields"]["name"] == ["此字段不能为空。"]
    assert en["fields"]["name"] == ["This field cannot be blank."]


def test_over_long_text_is_refused(org, api):
    response = api(language="en").post("/stores", store_body(org, name="长" * 101))
    body = assert_problem(response, 400, "invalid_input", {"name"})
    assert body["fields"]["name"] == ["At most 100 characters."]


@pytest.mark.parametrize(
    ("geo", "field", "message"),
    [
        ({"latitude": 91}, "latitude", "Must be at most 90."),
        ({"longitude": -180.5}, "longitude", "Must be at least -180."),
        ({"longitude": None}, "longitude", "Give both latitude and longitude, or neither."),
        ({"latitude": None}, "latitude", "Give both latitude and longitude, or neither."),
        ({"latitude": "28.1234567"}, "latitude", "At most 6 decimal places."),
    ],
)
def test_invalid_geo_point_is_refused(org, api, geo, field, message):
    response = api(language="en").post("/stores", store_body(org, **geo))
    body = assert_problem(response, 400, "invalid_input", {field})
    assert body["fields"][field] == [message]
    assert Store.objects.count() == 2


def test_invalid_time_zone_is_refused(org, api):
    response = api(language="en").post("/stores", store_body(org, time_zone="Mars/Olympus"))
    body = assert_problem(response, 400, "invalid_input", {"time_zone"})
    assert body["fields"]["time_zone"] == ["“Mars/Olympus” is not a known time zone."]


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"funday": [["10:00", "14:00"]]}, "opening_hours"),
        ({"mon": [["25:00", "26:00"]]}, "opening_hours"),
        ({"mon": [["10:00", "10:00"]]}, "opening_hours"),
        ({"mon": [["10:00"]]}, "opening_hours.mon.0.1"),
        ({"mon": "all day"}, "opening_hours.mon"),
        (["10:00", "22:00"], "opening_hours"),
    ],
)
def test_invalid_opening_hours_are_refused(org, api, hours, field):
    response = api().post("/stores", store_body(org, opening_hours=hours))
    assert_problem(response, 400, "invalid_input", {field})
    assert Store.objects.count() == 2


def test_duplicate_store_code_is_a_field_error(org, api):
    response = api().post("/stores", store_body(org, code="t1-s1"))
    assert_problem(response, 400, "invalid_input", {"code"})


def test_foreign_brand_on_store_create_is_a_field_error_and_writes_nothing(org, other_org, api):
    stores, entries = Store.all_tenants.count(), AuditEntry.objects.count()
    response = api(language="en").post("/stores", store_body(org, brand=other_org["brand"].pk))
    body = assert_problem(response, 400, "invalid_input", {"brand"})
    assert body["fields"]["brand"] == ["Not found."]
    assert Store.all_tenants.count() == stores
    assert AuditEntry.objects.count() == entries + 1  # only the client's API key issue


def test_foreign_store_is_not_found_like_a_missing_one(org, other_org, api):
    hq = api()
    foreign = hq.get(f"/stores/{other_org['store'].pk}")
    missing = hq.get("/stores/999999")
    assert_problem(foreign, 404, "not_found")
    assert foreign.json() == missing.json()
    assert_problem(hq.patch(f"/stores/{other_org['store'].pk}", {"phone": "1"}), 404, "not_found")
    assert Store.all_tenants.get(pk=other_org["store"].pk).phone == ""


def test_waiter_creating_a_store_is_denied_and_the_denial_audited(org, users, api):
    response = api("waiter").post("/stores", store_body(org))
    assert_problem(response, 403, "permission_denied")
    entry = AuditEntry.objects.filter(action="permission_denied").latest("seq")
    assert entry.actor == users["waiter"] and entry.object_id == "org.manage_stores"
    assert entry.tenant == org["tenant"] and entry.ip_address == "127.0.0.1"
    assert Store.objects.count() == 2


def test_denial_with_an_idempotency_key_is_audited_and_not_remembered(org, api):
    key = {"Idempotency-Key": "denied-1"}
    waiter = api("waiter")
    assert waiter.post("/stores", store_body(org), headers=key).status_code == 403
    assert waiter.post("/stores", store_body(org), headers=key).status_code == 403
    assert AuditEntry.objects.filter(action="permission_denied").count() == 2
    assert api().post("/stores", store_body(org), headers=key).status_code == 201


def test_reading_needs_the_view_permission(org, api):
    for path in ["/stores", "/brands", "/staff", "/org-units", "/roles"]:
        assert_problem(api("waiter").get(path), 403, "permission_denied")


# --- Org tree --------------------------------------------------------------------------------
def test_org_units_come_as_a_flat_list_in_tree_order(org, api):
    units = api().get("/org-units").json()
    top, dept, group = org["top"], org["department"], org["group"]
    assert units == [
        {
            "id": top.pk,
            "kind": "organisation",
            "name": "测试集团",
            "parent": None,
            "path": f"/{top.pk}/",
            "depth": 0,
        },
        {
            "id": dept.pk,
            "kind": "department",
            "name": "营运部",
            "parent": top.pk,
            "path": f"/{top.pk}/{dept.pk}/",
            "depth": 1,
        },
        {
            "id": group.pk,
            "kind": "group",
            "name": "一组",
            "parent": dept.pk,
            "path": f"/{top.pk}/{dept.pk}/{group.pk}/",
            "depth": 2,
        },
    ]
    assert [u["id"] for u in api().get("/org-units?kind=group").json()] == [group.pk]


def test_org_unit_create_rename_delete(org, api):
    hq = api()
    created = hq.post(
        "/org-units", {"kind": "group", "name": "二组", "parent": org["department"].pk}
    )
    assert created.status_code == 201
    unit = created.json()
    assert unit["path"] == f"{org['department'].path}{unit['id']}/" and unit["depth"] == 2
    renamed = hq.patch(f"/org-units/{unit['id']}", {"name": "新二组"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "新二组"
    deleted = hq.delete(f"/org-units/{unit['id']}")
    assert deleted.status_code == 204
    assert not OrgUnit.objects.filter(pk=unit["id"]).exists()
    assert AuditEntry.objects.filter(
        object_type="org.orgunit", object_id=str(unit["id"]), action="delete"
    ).exists()


def test_org_unit_must_nest_under_the_right_kind(org, other_org, api):
    hq = api()
    wrong = hq.post("/org-units", {"kind": "group", "name": "错组", "parent": org["top"].pk})
    assert_problem(wrong, 400, "invalid_input", {"parent"})
    foreign = hq.post(
        "/org-units", {"kind": "group", "name": "跨组", "parent": other_org["department"].pk}
    )
    assert_problem(foreign, 400, "invalid_input", {"parent"})
    bad_kind = hq.post("/org-units", {"kind": "team", "name": "x", "parent": org["top"].pk})
    assert_problem(bad_kind, 400, "invalid_input", {"kind"})
    assert OrgUnit.objects.count() == 3


def test_org_unit_in_use_cannot_be_deleted(org, api):
    response = api().delete(f"/org-units/{org['group'].pk}")
    assert_problem(response, 409, "in_use")
    assert OrgUnit.objects.filter(pk=org["group"].pk).exists()


def test_org_tree_writes_need_the_staff_permission(org, api):
    response = api("manager").patch(f"/org-units/{org['group'].pk}", {"name": "改名"})
    assert_problem(response, 403, "permission_denied")
    assert OrgUnit.objects.get(pk=org["group"].pk).name == "一组"
