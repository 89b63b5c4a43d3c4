"""Console pages of rooms and tables: the floor page, area and table forms, who may do what."""

import pytest
from django.urls import reverse

from huike.menu import tables
from huike.menu.models import DiningTable, FloorArea

HX = {"HX-Request": "true"}


def tid(name: str) -> str:
    return f'data-testid="{name}"'


@pytest.fixture
def hall(org, hq):
    return tables.area_create(acting_user=hq, store=org["store"], name="大堂")


@pytest.fixture
def a01(org, hq, hall):
    return tables.table_create(
        acting_user=hq, store=org["store"], area=hall, code="A01", features="靠窗", featured=True
    )


def post_table(area, **changes) -> dict:
    data = {
        "area": str(area.pk),
        "code": "牡丹厅",
        "name": "牡丹厅",
        "kind": "room",
        "capacity_min": "8",
        "capacity_max": "12",
        "min_spend": "2000",
        "features": "江景,K歌",
        "sort_order": "0",
        "active": "on",
    }
    return {**data, **changes}


def test_the_nav_leads_to_the_floor_of_a_store(client, users, org, a01):
    client.force_login(users["manager"])
    home = client.get(reverse("dish_list"))
    assert tid("nav-tables") in home.content.decode()
    response = client.get(reverse("tables_home"), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-table-code="A01"' in html and tid("table-featured") in html
    assert tid("area-form") in html and tid("table-edit") in html


def test_a_waiter_views_without_edit_controls_and_cannot_post(client, users, org, a01):
    client.force_login(users["waiter"])
    page = client.get(reverse("store_tables", args=[org["store"].pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-table-code="A01"' in html
    assert tid("area-form") not in html and tid("table-edit") not in html
    posted = client.post(reverse("store_tables", args=[org["store"].pk]), {"name": "露台"})
    assert posted.status_code == 403
    assert client.get(reverse("table_edit", args=[a01.pk])).status_code == 403
    assert not FloorArea.objects.filter(name="露台").exists()


def test_a_manager_adds_an_area_and_a_room(client, users, org, hall):
    client.force_login(users["manager"])
    store = org["store"].pk
    response = client.post(
        reverse("store_tables", args=[store]), {"name": "包房区", "sort_order": "2"}
    )
    assert response.status_code == 302
    area = FloorArea.objects.get(name="包房区")
    response = client.post(reverse("table_create", args=[store]), post_table(area))
    assert response.status_code == 302
    room = DiningTable.objects.get(code="牡丹厅")
    assert room.kind == "room" and room.feature_list == ["江景", "K歌"]


def test_bad_table_input_comes_back_with_field_errors(client, users, org, hall, a01):
    client.force_login(users["manager"])
    url = reverse("table_create", args=[org["store"].pk])
    response = client.post(url, post_table(hall, capacity_max="4", code="A01"), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert tid("error-capacity_max") in html and tid("error-code") in html
    response = client.post(url, post_table(hall, min_spend="-3"), headers=HX)
    assert tid("error-min_spend") in response.content.decode()
    assert DiningTable.objects.count() == 1


def test_a_table_is_edited_and_joined(client, users, org, hq, hall, a01):
    a02 = tables.table_create(acting_user=hq, store=org["store"], area=hall, code="A02")
    client.force_login(users["manager"])
    url = reverse("table_edit", args=[a01.pk])
    assert tid("table-form") in client.get(url).content.decode()
    data = post_table(
        hall,
        code="A01",
        kind="table",
        capacity_min="2",
        capacity_max="6",
        min_spend="",
        combinable_with=[str(a02.pk)],
    )
    response = client.post(url, data)
    assert response.status_code == 302
    a01.refresh_from_db()
    assert a01.capacity_max == 6 and list(a02.combinable_with.all()) == [a01]


def test_a_manager_cannot_open_another_stores_floor_for_editing(client, users, org, hq):
    other = tables.area_create(acting_user=hq, store=org["store2"], name="大堂")
    row = tables.table_create(acting_user=hq, store=org["store2"], area=other, code="B01")
    client.force_login(users["manager"])
    assert client.get(reverse("store_tables", args=[org["store2"].pk])).status_code == 404
    assert client.get(reverse("table_edit", args=[row.pk])).status_code == 404
