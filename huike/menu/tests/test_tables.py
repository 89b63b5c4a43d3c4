"""Rooms and tables (M2): the services, their refusals, the selectors, grants and demo data."""

import importlib
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from huike.core import errors
from huike.core.models import AuditEntry, Tenant
from huike.core.tenancy import tenant_context
from huike.menu import demo as menu_demo
from huike.menu import demo_tables, tables
from huike.menu.models import DiningTable, FloorArea
from huike.menu.permissions import GRANTS
from huike.menu.selectors_tables import tables_fitting, tables_for_store
from huike.org import demo as org_demo
from huike.org.models import Role


@pytest.fixture
def hall(org, hq):
    return tables.area_create(acting_user=hq, store=org["store"], name="大堂", sort_order=1)


def table(hq, store, area, code, low=2, high=4, **extra):
    return tables.table_create(
        acting_user=hq,
        store=store,
        area=area,
        code=code,
        capacity_min=low,
        capacity_max=high,
        **extra,
    )


def fields_of(exc_info) -> set:
    return set(exc_info.value.fields)


def test_a_room_is_created_with_its_tags_money_and_audit(org, hq, hall):
    room = table(
        hq,
        org["store"],
        hall,
        "牡丹厅",
        8,
        12,
        kind="room",
        min_spend="2000",
        features="江景， K歌、江景",
        featured=True,
    )
    room.refresh_from_db()
    assert (room.capacity_min, room.capacity_max, room.min_spend) == (8, 12, Decimal("2000.00"))
    assert room.features == "江景,K歌" and room.feature_list == ["江景", "K歌"]
    assert room.kind == "room" and room.featured and room.active
    assert AuditEntry.objects.filter(
        object_type="menu.diningtable", object_id=str(room.pk)
    ).exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"capacity_min": 6, "capacity_max": 4}, "capacity_max"),
        ({"capacity_min": 0}, "capacity_min"),
        ({"capacity_max": "many"}, "capacity_max"),
        ({"min_spend": "-1"}, "min_spend"),
        ({"min_spend": "12.345"}, "min_spend"),
        ({"code": ""}, "code"),
        ({"kind": "sofa"}, "kind"),
    ],
)
def test_bad_table_input_is_a_field_error_and_writes_nothing(org, hq, hall, changes, field):
    data = {"code": "A01", "capacity_min": 2, "capacity_max": 4, **changes}
    with pytest.raises(errors.InvalidInput) as exc_info:
        tables.table_create(acting_user=hq, store=org["store"], area=hall, **data)
    assert field in fields_of(exc_info)
    assert not DiningTable.objects.exists()


def test_duplicate_code_per_store_is_refused_but_another_store_may_reuse_it(org, hq, hall):
    table(hq, org["store"], hall, "A01")
    with pytest.raises(errors.InvalidInput) as exc_info:
        table(hq, org["store"], hall, "A01")
    assert fields_of(exc_info) == {"code"}
    other_hall = tables.area_create(acting_user=hq, store=org["store2"], name="大堂")
    table(hq, org["store2"], other_hall, "A01")
    assert DiningTable.objects.filter(code="A01").count() == 2


def test_an_area_of_another_store_is_refused(org, hq, hall):
    with pytest.raises(errors.InvalidInput) as exc_info:
        table(hq, org["store2"], hall, "A01")
    assert fields_of(exc_info) == {"area"}
    first = table(hq, org["store"], hall, "A01")
    with pytest.raises(errors.InvalidInput):
        tables.area_update(acting_user=hq, area=hall, name="")
    other_hall = tables.area_create(acting_user=hq, store=org["store2"], name="大堂")
    with pytest.raises(errors.InvalidInput) as exc_info:
        tables.table_update(acting_user=hq, table=first, area=other_hall)
    assert fields_of(exc_info) == {"area"}
    first.refresh_from_db()
    assert first.area_id == hall.pk


def test_duplicate_area_name_is_refused(org, hq, hall):
    with pytest.raises(errors.InvalidInput) as exc_info:
        tables.area_create(acting_user=hq, store=org["store"], name=" 大堂 ")
    assert fields_of(exc_info) == {"name"}
    assert FloorArea.objects.count() == 1


def test_joining_is_symmetric_and_only_within_one_store(org, hq, hall):
    a1, a2 = table(hq, org["store"], hall, "A01"), table(hq, org["store"], hall, "A02")
    tables.table_update(acting_user=hq, table=a1, combinable_with=[a2])
    assert list(a2.combinable_with.all()) == [a1]
    other_hall = tables.area_create(acting_user=hq, store=org["store2"], name="大堂")
    b1 = table(hq, org["store2"], other_hall, "B01")
    with pytest.raises(errors.InvalidInput) as exc_info:
        tables.table_update(acting_user=hq, table=a1, combinable_with=[a2, b1])
    assert fields_of(exc_info) == {"combinable_with"}
    with pytest.raises(errors.InvalidInput):
        tables.table_update(acting_user=hq, table=a1, combinable_with=[a1])
    assert list(a1.combinable_with.all()) == [a2]


def test_deactivated_tables_leave_the_active_list(org, hq, hall):
    a1, a2 = table(hq, org["store"], hall, "A01"), table(hq, org["store"], hall, "A02")
    tables.table_deactivate(acting_user=hq, table=a1)
    assert list(tables_for_store(org["store"])) == [a2]
    assert set(tables_for_store(org["store"], active=None)) == {a1, a2}


def test_tables_fitting_gives_single_tables_then_joinable_pairs(org, hq, hall):
    store = org["store"]
    small = table(hq, store, hall, "A01", 2, 4)
    small2 = table(hq, store, hall, "A02", 2, 4)
    table(hq, store, hall, "A03", 4, 6)
    room = table(hq, store, hall, "R01", 8, 12, kind="room")
    tables.table_update(acting_user=hq, table=small, combinable_with=[small2])
    assert [[t.code for t in g] for g in tables_fitting(store, 4)] == [["A01"], ["A02"], ["A03"]]
    assert [[t.code for t in g] for g in tables_fitting(store, 7)] == [["A01", "A02"]]
    assert [[t.code for t in g] for g in tables_fitting(store, 10)] == [["R01"]]
    tables.table_deactivate(acting_user=hq, table=room)
    assert tables_fitting(store, 10) == []


def test_a_waiter_may_not_change_tables_and_a_manager_only_in_their_store(org, users, hall):
    with pytest.raises(errors.PermissionDenied):
        tables.area_create(acting_user=users["waiter"], store=org["store"], name="露台")
    manager = users["manager"]
    tables.area_create(acting_user=manager, store=org["store"], name="露台")
    with pytest.raises(errors.NotFound):
        tables.area_create(acting_user=manager, store=org["store2"], name="露台")
    assert FloorArea.objects.filter(name="露台").count() == 1


def test_an_area_holding_tables_is_not_deleted(org, hq, hall):
    table(hq, org["store"], hall, "A01")
    with pytest.raises(errors.Conflict) as exc_info:
        tables.area_delete(acting_user=hq, area=hall)
    assert exc_info.value.code == "in_use"
    empty = tables.area_create(acting_user=hq, store=org["store"], name="露台")
    tables.area_delete(acting_user=hq, area=empty)
    assert list(FloorArea.objects.all()) == [hall]


def test_the_database_refuses_bad_capacities_and_negative_spend(org, hq, hall):
    row = table(hq, org["store"], hall, "A01")
    for values in ({"capacity_min": 5, "capacity_max": 4}, {"min_spend": Decimal("-1")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            DiningTable.objects.filter(pk=row.pk).update(**values)


def test_grants_and_their_frozen_migration_agree(org):
    frozen: dict[str, set] = {}
    for name in ("0002_grant_default_permissions", "0004_grant_manage_tables"):
        grants = importlib.import_module(f"huike.menu.migrations.{name}").GRANTS
        for role, codes in grants.items():
            frozen.setdefault(role, set()).update(codes)
    assert frozen == {k: set(v) for k, v in GRANTS.items()}
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    assert "menu.manage_tables" in roles["manager"] and "menu.manage_tables" in roles["hq"]
    assert "menu.manage_tables" not in roles["waiter"] and "menu.view" in roles["waiter"]


def test_the_demo_floors_load_once(db):
    org_demo.load()
    menu_demo.load()
    demo_tables.load()
    demo_tables.load()
    tenant = Tenant.objects.get(code=org_demo.TENANT_CODE)
    with tenant_context(tenant):
        from huike.org.models import Store

        stores = Store.objects.count()
        assert stores >= 1
        assert FloorArea.objects.count() == 2 * stores
        assert DiningTable.objects.filter(kind="table").count() == 8 * stores
        rooms = DiningTable.objects.filter(kind="room")
        assert rooms.count() == 4 * stores
        assert all(r.capacity_min >= 8 and r.min_spend >= 1000 and r.features for r in rooms)
        a01 = DiningTable.objects.filter(code="A01").first()
        assert [t.code for t in a01.combinable_with.all()] == ["A02"]


def test_the_back_office_lists_tables_and_refuses_an_area_of_another_store(client, org, hq, hall):
    table(hq, org["store"], hall, "A1")
    client.force_login(hq)
    listing = client.get("/admin/menu/diningtable/")
    assert listing.status_code == 200 and "A1" in listing.content.decode()
    other_area = tables.area_create(acting_user=hq, store=org["store2"], name="二店大堂")
    response = client.post(
        "/admin/menu/diningtable/add/",
        {
            "store": org["store"].pk,
            "area": other_area.pk,
            "code": "X9",
            "kind": "table",
            "capacity_min": 1,
            "capacity_max": 4,
            "min_spend": "0",
            "sort_order": 0,
            "active": "on",
        },
    )
    assert response.status_code == 200 and "请选择本门店的区域" in response.content.decode()
    assert not DiningTable.objects.filter(code="X9").exists()
