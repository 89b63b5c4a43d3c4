"""Rooms and tables API (M2): /api/v1/stores/{id}/areas, /api/v1/stores/{id}/tables and
/api/v1/tables/{id}. Reading needs ``menu.view``; writing ``menu.manage_tables``."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Router, Schema

from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, get_for_user
from huike.org.models import Store

from . import permissions as perms
from . import selectors_tables, tables
from .models import DiningTable, FloorArea
from .schemas import PriceIn, PriceOut, StrictIn

router = Router(tags=["tables"])

TableKind = Literal["table", "room"]  # 餐台 / 包房


class AreaIn(StrictIn):
    name: str = Field(min_length=1, max_length=40)
    sort_order: int = Field(default=0, ge=0, le=100_000)


class AreaOut(Schema):
    id: int
    store_id: int
    name: str
    sort_order: int


class TableIn(StrictIn):
    area: int
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(default="", max_length=40)
    kind: TableKind = "table"
    capacity_min: int = 1
    capacity_max: int = 4
    min_spend: PriceIn = Decimal("0.00")
    features: list[str] = []
    featured: bool = False
    active: bool = True
    sort_order: int = Field(default=0, ge=0, le=100_000)
    combinable_with: list[int] = []


class TablePatch(StrictIn):
    area: int | None = None
    code: str | None = Field(default=None, min_length=1, max_length=20)
    name: str | None = Field(default=None, max_length=40)
    kind: TableKind | None = None
    capacity_min: int | None = None
    capacity_max: int | None = None
    min_spend: PriceIn | None = None
    features: list[str] | None = None
    featured: bool | None = None
    active: bool | None = None
    sort_order: int | None = Field(default=None, ge=0, le=100_000)
    combinable_with: list[int] | None = None


class TableOut(Schema):
    id: int
    store_id: int
    area_id: int
    code: str
    name: str
    kind: str
    capacity_min: int
    capacity_max: int
    min_spend: PriceOut
    features: list[str]
    featured: bool
    active: bool
    sort_order: int
    combinable_with: list[int]


def _table_json(table: DiningTable) -> dict:
    body = {
        field: getattr(table, field)
        for field in TableOut.model_fields
        if field not in ("features", "combinable_with")
    }
    body["features"] = table.feature_list
    body["combinable_with"] = sorted(t.pk for t in table.combinable_with.all())
    return TableOut.model_validate(body).model_dump(mode="json")


def _store(request, store_id: int) -> Store:
    check_perm(request.user, perms.VIEW_MENU)
    return get_for_user(Store.objects.all(), request.user, pk=store_id)


def _table(request, table_id: int) -> DiningTable:
    check_perm(request.user, perms.VIEW_MENU)
    return get_for_user(DiningTable.objects.all(), request.user, pk=table_id)


@router.get("/stores/{store_id}/areas", response=list[AreaOut], summary="List floor areas")
def list_areas(request, store_id: int):
    return FloorArea.objects.filter(store=_store(request, store_id)).order_by("sort_order", "name")


@router.post("/stores/{store_id}/areas", response={201: AreaOut}, summary="Create a floor area")
def create_area(request, response: HttpResponse, store_id: int, payload: AreaIn):
    store = _store(request, store_id)

    def perform():
        area = tables.area_create(acting_user=request.user, store=store, **payload.model_dump())
        return 201, AreaOut.model_validate(area, from_attributes=True).model_dump(mode="json")

    return respond_once(request, response, scope="floor_areas.create", perform=perform)


@router.get("/stores/{store_id}/tables", summary="List tables and rooms")
def list_tables(request, store_id: int, active: bool | None = True, party_size: int | None = None):
    """``party_size``: only single tables whose capacity range holds the party."""
    store = _store(request, store_id)
    rows = selectors_tables.tables_for_store(store, active=active).prefetch_related(
        "combinable_with"
    )
    if party_size is not None:
        rows = [t for t in rows if t.capacity_min <= party_size <= t.capacity_max]
    return [_table_json(t) for t in rows]


@router.post("/stores/{store_id}/tables", response={201: TableOut}, summary="Create a table")
def create_table(request, response: HttpResponse, store_id: int, payload: TableIn):
    store = _store(request, store_id)

    def perform():
        table = tables.table_create(acting_user=request.user, store=store, **payload.model_dump())
        return 201, _table_json(table)

    return respond_once(request, response, scope="dining_tables.create", perform=perform)


@router.get("/tables/{table_id}", response=TableOut, summary="Get a table or room")
def get_table(request, table_id: int):
    return _table_json(_table(request, table_id))


@router.patch("/tables/{table_id}", response=TableOut, summary="Change a table or room")
def update_table(request, table_id: int, payload: TablePatch):
    table = tables.table_update(
        acting_user=request.user,
        table=_table(request, table_id),
        **payload.model_dump(exclude_unset=True),
    )
    return _table_json(table)
