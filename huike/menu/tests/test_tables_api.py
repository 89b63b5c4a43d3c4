"""The rooms and tables API: areas and tables per store, one table, refusals and scope."""

import pytest

from huike.core.testing import assert_problem
from huike.menu import tables
from huike.menu.models import DiningTable, FloorArea


@pytest.fixture
def hall(org, hq):
    return tables.area_create(acting_user=hq, store=org["store"], name="大堂")


def test_areas_are_listed_and_created(api, org, hall):
    client = api()
    store = org["store"].pk
    created = client.post(f"/stores/{store}/areas", {"name": "包房区", "sort_order": 5})
    assert created.status_code == 201, created.json()
    assert created.json()["store_id"] == store
    listed = client.get(f"/stores/{store}/areas").json()
    assert [a["name"] for a in listed] == ["大堂", "包房区"]
    assert_problem(
        client.post(f"/stores/{store}/areas", {"name": "大堂"}), 400, "invalid_input", ["name"]
    )


def test_a_room_is_created_read_and_patched(api, org, hall):
    client = api()
    store = org["store"].pk
    a01 = client.post(
        f"/stores/{store}/tables", {"area": hall.pk, "code": "A01", "capacity_max": 4}
    ).json()
    body = {
        "area": hall.pk,
        "code": "牡丹厅",
        "kind": "room",
        "capacity_min": 8,
        "capacity_max": 12,
        "min_spend": "2000",
        "features": ["江景", "K歌"],
        "featured": True,
        "combinable_with": [a01["id"]],
    }
    response = client.post(f"/stores/{store}/tables", body, headers={"Idempotency-Key": "t-1"})
    assert response.status_code == 201, response.json()
    room = response.json()
    assert room["min_spend"] == "2000.00" and room["features"] == ["江景", "K歌"]
    assert room["combinable_with"] == [a01["id"]]
    again = client.post(f"/stores/{store}/tables", body, headers={"Idempotency-Key": "t-1"})
    assert again.json()["id"] == room["id"] and DiningTable.objects.count() == 2
    assert client.get(f"/tables/{room['id']}").json()["code"] == "牡丹厅"
    patched = client.patch(f"/tables/{room['id']}", {"capacity_max": 14, "features": []})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["capacity_max"] == 14 and patched.json()["features"] == []
    fitting = client.get(f"/stores/{store}/tables?party_size=10").json()
    assert [t["code"] for t in fitting] == ["牡丹厅"]


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"capacity_min": 6, "capacity_max": 4}, "capacity_max"),
        ({"min_spend": "-5"}, "min_spend"),
        ({"code": "A01"}, "code"),
        ({"kind": "sofa"}, "kind"),
    ],
)
def test_bad_input_is_refused_in_english_and_nothing_is_written(api, org, hq, hall, changes, field):
    tables.table_create(acting_user=hq, store=org["store"], area=hall, code="A01")
    body = {"area": hall.pk, "code": "A02", **changes}
    response = api(language="en").post(f"/stores/{org['store'].pk}/tables", body)
    assert response.status_code in (400, 422)
    assert field in response.json()["fields"]
    assert DiningTable.objects.count() == 1


def test_an_area_or_partner_of_another_store_is_a_field_error(api, org, hq, hall):
    other = tables.area_create(acting_user=hq, store=org["store2"], name="大堂")
    b01 = tables.table_create(acting_user=hq, store=org["store2"], area=other, code="B01")
    client = api()
    path = f"/stores/{org['store'].pk}/tables"
    assert_problem(
        client.post(path, {"area": other.pk, "code": "A01"}), 400, "invalid_input", ["area"]
    )
    response = client.post(path, {"area": hall.pk, "code": "A01", "combinable_with": [b01.pk]})
    assert_problem(response, 400, "invalid_input", ["combinable_with"])
    assert not DiningTable.objects.filter(store=org["store"]).exists()


def test_a_waiter_reads_but_may_not_write_and_a_manager_stays_in_their_store(api, org, hq, hall):
    row = tables.table_create(acting_user=hq, store=org["store"], area=hall, code="A01")
    waiter = api("waiter")
    assert waiter.get(f"/stores/{org['store'].pk}/tables").status_code == 200
    assert waiter.patch(f"/tables/{row.pk}", {"capacity_max": 6}).status_code == 403
    manager = api("manager")
    assert manager.get(f"/stores/{org['store2'].pk}/areas").status_code == 404
    assert manager.post(f"/stores/{org['store2'].pk}/areas", {"name": "x"}).status_code == 404
    assert manager.patch(f"/tables/{row.pk}", {"capacity_max": 6}).status_code == 200
    assert FloorArea.objects.count() == 1


def test_tables_of_another_tenant_are_not_found(api, other_org, org, hall, hq):
    row = tables.table_create(acting_user=hq, store=org["store"], area=hall, code="A01")
    from huike.core.tenancy import tenant_context
    from huike.core.testing import ApiClient

    with tenant_context(other_org["tenant"]):
        stranger = ApiClient(other_org["users"]["hq"])
    assert stranger.get(f"/tables/{row.pk}").status_code == 404
    assert stranger.get(f"/stores/{org['store'].pk}/tables").status_code == 404
