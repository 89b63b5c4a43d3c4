"""Organisation API: /api/v1/stores, /api/v1/brands, /api/v1/staff, /api/v1/org-units,
/api/v1/roles. Thin: schema in, service or selector, schema out."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router

from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, get_for_user

from . import permissions as perms
from . import selectors, services
from .models import Store
from .schemas import StoreIn, StoreOut, StorePatch

router = Router(tags=["organisation"])


def _json(schema, obj) -> dict:
    return schema.model_validate(obj, from_attributes=True).model_dump(mode="json")


@router.get("/stores", response=list[StoreOut], summary="List stores")
def list_stores(request, brand: int | None = None, active: bool | None = None):
    check_perm(request.user, perms.VIEW_ORG)
    return selectors.store_list(user=request.user, brand_id=brand, active=active)


@router.post("/stores", response={201: StoreOut}, summary="Create a store")
def create_store(request, response: HttpResponse, payload: StoreIn):
    def perform():
        store = services.store_create(acting_user=request.user, **payload.model_dump())
        return 201, _json(StoreOut, store)

    return respond_once(request, response, scope="stores.create", perform=perform)


@router.get("/stores/{store_id}", response=StoreOut, summary="One store")
def get_store(request, store_id: int):
    check_perm(request.user, perms.VIEW_ORG)
    return get_for_user(Store.objects.all(), request.user, pk=store_id)


@router.patch("/stores/{store_id}", response=StoreOut, summary="Change a store")
def update_store(request, store_id: int, payload: StorePatch):
    check_perm(request.user, perms.VIEW_ORG)
    store = get_for_user(Store.objects.all(), request.user, pk=store_id)
    return services.store_update(acting_user=request.user, store=store,
                                 **payload.model_dump(exclude_unset=True))
