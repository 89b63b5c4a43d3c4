"""The menu API: categories, dishes, availability, a store's menu, Excel export and import."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from huike.core.models import AuditEntry
from huike.core.tenancy import tenant_context
from huike.core.testing import assert_problem
from huike.menu.models import Dish, DishAvailability, DishCategory

from .factories import category, dish, workbook_bytes


@pytest.fixture
def hunan(hq):
    return category(hq, "湘菜", 10)


def dish_body(cat, **changes) -> dict:
    body = {
        "category": cat.pk,
        "code": "XC001",
        "name": "剁椒鱼头",
        "unit": "份",
        "kind": "dish",
        "price_regular": "128.00",
        "price_hall": "118",
        "price_vip_room": "148.5",
        "service_charge": "0",
        "recommended": True,
    }
    return {**body, **changes}


def upload(client, content: bytes, name: str = "dishes.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return client.client.post(
        "/api/v1/dishes/import", data={"file": file}, headers=client.headers()
    )


# --- Categories ------------------------------------------------------------------------------
def test_category_crud(org, api):
    hq = api()
    created = hq.post("/dish-categories", {"name": "粤式点心", "sort_order": 3})
    assert created.status_code == 201
    cat = created.json()
    assert cat == {"id": cat["id"], "name": "粤式点心", "sort_order": 3}
    patched = hq.patch(f"/dish-categories/{cat['id']}", {"name": "点心"})
    assert patched.status_code == 200 and patched.json()["name"] == "点心"
    assert [c["name"] for c in hq.get("/dish-categories").json()] == ["点心"]
    assert hq.delete(f"/dish-categories/{cat['id']}").status_code == 204
    assert not DishCategory.objects.exists()


def test_category_errors(org, api, hunan):
    hq = api(language="en")
    assert_problem(hq.post("/dish-categories", {"name": "湘菜"}), 400, "invalid_input", {"name"})
    assert_problem(hq.post("/dish-categories", {"name": ""}), 400, "invalid_input", {"name"})
    assert_problem(hq.post("/dish-categories", {"name": "x" * 61}), 400, "invalid_input", {"name"})
    dish(org["users"]["hq"], hunan)
    body = assert_problem(hq.delete(f"/dish-categories/{hunan.pk}"), 409, "in_use")
    assert "dishes" in body["message"]
    assert_problem(hq.patch("/dish-categories/999999", {"name": "x"}), 404, "not_found")


# --- Dishes ----------------------------------------------------------------------------------
def test_dish_create_get_patch_with_prices_as_strings(org, api, hunan):
    hq = api()
    created = hq.post("/dishes", dish_body(hunan))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["price_regular"] == "128.00" and body["price_hall"] == "118.00"
    assert body["price_vip_room"] == "148.50" and body["service_charge"] == "0.00"
    assert body["category"] == hunan.pk and body["category_name"] == "湘菜"
    got = hq.get(f"/dishes/{body['id']}").json()
    assert {k: v for k, v in got.items() if k != "stores"} == body
    assert {s["store"]: s["active"] for s in got["stores"]} == {
        org["store"].pk: True,
        org["store2"].pk: True,
    }
    patched = hq.patch(f"/dishes/{body['id']}", {"price_hall": "99.9", "active": False})
    assert patched.status_code == 200
    assert patched.json()["price_hall"] == "99.90" and patched.json()["active"] is False
    assert Dish.objects.get(pk=body["id"]).price_hall == __import__("decimal").Decimal("99.90")


def test_dish_create_is_idempotent(org, api, hunan):
    hq = api()
    key = {"Idempotency-Key": "dish-1"}
    first = hq.post("/dishes", dish_body(hunan), headers=key)
    again = hq.post("/dishes", dish_body(hunan), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Dish.objects.count() == 1
    other = hq.post("/dishes", dish_body(hunan, code="XC002"), headers=key)
    assert_problem(other, 409, "idempotency_key_reused")


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"price_regular": "-1"}, "price_regular"),
        ({"price_hall": "12.3.4"}, "price_hall"),
        ({"price_vip_room": "1.234"}, "price_vip_room"),
        ({"category": 999999}, "category"),
        ({"name": "名" * 61}, "name"),
        ({"kind": "soup"}, "kind"),
        ({"code": ""}, "code"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_dish_create_refuses_bad_input(org, api, hunan, changes, field):
    response = api(language="en").post("/dishes", dish_body(hunan, **changes))
    assert_problem(response, 400, "invalid_input", {field})
    assert not Dish.objects.exists()


def test_duplicate_code_is_a_field_error(org, api, hunan):
    hq = api()
    assert hq.post("/dishes", dish_body(hunan)).status_code == 201
    assert_problem(
        hq.post("/dishes", dish_body(hunan, name="又一个")), 400, "invalid_input", {"code"}
    )
    assert Dish.objects.count() == 1


def test_another_tenants_dish_and_category_are_not_found(org, api, hunan, other_org):
    other_hq = other_org["users"]["hq"]
    with tenant_context(other_org["tenant"]):
        theirs = dish(other_hq, category(other_hq, "别家"), code="T2")
        their_category = theirs.category_id
    hq = api()
    assert_problem(hq.get(f"/dishes/{theirs.pk}"), 404, "not_found")
    assert_problem(hq.patch(f"/dishes/{theirs.pk}", {"name": "抢"}), 404, "not_found")
    assert_problem(
        hq.put(f"/dishes/{theirs.pk}/stores/{org['store'].pk}", {"active": False}), 404, "not_found"
    )
    assert_problem(hq.delete(f"/dish-categories/{their_category}"), 404, "not_found")
    assert_problem(
        hq.post("/dishes", dish_body(hunan, category=their_category)),
        400,
        "invalid_input",
        {"category"},
    )
    mine = dish(org["users"]["hq"], hunan)
    assert_problem(
        hq.put(f"/dishes/{mine.pk}/stores/{other_org['store'].pk}", {"active": False}),
        404,
        "not_found",
    )
    assert_problem(hq.get(f"/stores/{other_org['store'].pk}/menu"), 404, "not_found")
    assert Dish.all_tenants.get(pk=theirs.pk).name == "辣椒炒肉"


def test_dish_list_filters(org, api, hunan, hq):
    drinks = category(hq, "酒水", 90)
    dish(hq, hunan, code="A1", name="剁椒鱼头")
    dish(hq, drinks, code="B1", name="青岛啤酒", kind="drinks", active=False)
    client = api("waiter")
    assert [d["code"] for d in client.get("/dishes").json()] == ["A1", "B1"]
    assert [d["code"] for d in client.get(f"/dishes?category={drinks.pk}").json()] == ["B1"]
    assert [d["code"] for d in client.get("/dishes?kind=drinks").json()] == ["B1"]
    assert [d["code"] for d in client.get("/dishes?active=true").json()] == ["A1"]
    assert [d["code"] for d in client.get("/dishes?search=鱼头").json()] == ["A1"]
    assert_problem(client.get("/dishes?kind=soup"), 400, "invalid_input", {"kind"})


def test_dish_list_does_not_grow_queries_with_its_length(org, api, hunan, hq):
    client = api("waiter")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dishes").status_code == 200
        return len(captured)

    queries()  # the key's first use also stamps its last-used time
    before = queries()
    for n in range(6):
        dish(hq, category(hq, f"类{n}"), code=f"N{n}")
    assert queries() == before


def test_waiter_can_read_but_not_write_and_the_denial_is_audited(org, api, hunan, hq):
    d = dish(hq, hunan)
    waiter = api("waiter")
    assert waiter.get(f"/dishes/{d.pk}").status_code == 200
    assert waiter.get(f"/stores/{org['store'].pk}/menu").status_code == 200
    for response in [
        waiter.post("/dishes", dish_body(hunan, code="W1")),
        waiter.patch(f"/dishes/{d.pk}", {"name": "改"}),
        waiter.post("/dish-categories", {"name": "新"}),
        waiter.put(f"/dishes/{d.pk}/stores/{org['store'].pk}", {"active": False}),
        waiter.get("/dishes/export.xlsx"),
    ]:
        assert_problem(response, 403, "permission_denied")
    denials = AuditEntry.objects.filter(
        action="permission_denied", actor=org["users"]["waiter"], object_id="menu.manage"
    )
    assert denials.count() == 5
    assert Dish.objects.get().name == "辣椒炒肉" and not DishAvailability.objects.exists()


# --- Availability and the store's menu -------------------------------------------------------
def test_availability_and_store_menu_by_tier(org, api, hunan, hq):
    a = dish(hq, hunan, code="A1")
    b = dish(hq, hunan, code="B1", price_regular="30", price_hall="28", price_vip_room="36")
    client = api()
    store2 = org["store2"].pk
    off = client.put(f"/dishes/{b.pk}/stores/{store2}", {"active": False})
    assert off.status_code == 200 and off.json() == {"dish": b.pk, "store": store2, "active": False}
    menu = client.get(f"/stores/{store2}/menu?tier=hall").json()
    assert menu["store"] == store2 and menu["tier"] == "hall"
    assert [(i["code"], i["price"]) for i in menu["items"]] == [("A1", "42.00")]
    menu1 = client.get(f"/stores/{org['store'].pk}/menu?tier=vip_room").json()
    assert [(i["code"], i["price"]) for i in menu1["items"]] == [("A1", "56.00"), ("B1", "36.00")]
    regular = client.get(f"/stores/{org['store'].pk}/menu").json()
    assert regular["tier"] == "regular" and regular["items"][0]["price"] == "48.00"
    assert_problem(
        client.get(f"/stores/{store2}/menu?tier=takeaway"), 400, "invalid_input", {"tier"}
    )
    detail = client.get(f"/dishes/{b.pk}").json()
    assert {s["store"]: s["active"] for s in detail["stores"]}[store2] is False
    assert a.pk != b.pk


# --- Excel -----------------------------------------------------------------------------------
def test_export_downloads_xlsx(org, api, hunan, hq):
    dish(hq, hunan, code="A1")
    response = api(language="en").get("/dishes/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Code" and rows[1][0] == "A1"
    assert AuditEntry.objects.filter(action="export", object_type="menu.dish").count() == 1


def test_import_answers_counts_and_row_errors(org, api):
    rows = [
        ["A1", "剁椒鱼头", "湘菜", "份", "dish", "128", "118", "148"],
        ["A2", "坏价", "湘菜", "份", "dish", "-1", "1", "1"],
    ]
    response = upload(api(language="en"), workbook_bytes(rows))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"]) == (1, 0, 0, 1)
    assert body["errors"] == [
        {"row": 3, "column": "Regular price", "message": "A price cannot be negative."}
    ]
    assert list(Dish.objects.values_list("code", flat=True)) == ["A1"]


def test_import_refuses_a_non_xlsx_file_and_a_wrong_header(org, api):
    client = api()
    assert_problem(upload(client, b"code,name\n", "dishes.csv"), 400, "not_xlsx", {"file"})
    wrong = workbook_bytes([["A1", "x"]], header=["编号", "名称"])
    assert_problem(upload(client, wrong), 400, "wrong_header", {"file"})
    missing = client.client.post("/api/v1/dishes/import", data={}, headers=client.headers())
    assert_problem(missing, 400, "invalid_input")
    assert not Dish.objects.exists() and not DishCategory.objects.exists()
