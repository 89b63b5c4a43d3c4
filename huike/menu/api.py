"""Menu API: /api/v1/dish-categories, /api/v1/dishes (with availability per store, Excel export
and import) and /api/v1/stores/{id}/menu. Thin: schema in, service or selector, schema out."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from huike.core.idempotency import respond_once
from huike.core.permissions import check_perm, get_for_user
from huike.org.models import Store

from . import excel, selectors, services
from . import permissions as perms
from .models import Dish, DishCategory
from .schemas import (
    AvailabilityIn,
    AvailabilityOut,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    DishDetailOut,
    DishIn,
    DishOut,
    DishPatch,
    ImportResultOut,
    Kind,
    StoreMenuOut,
    Tier,
)

router = Router(tags=["menu"])


def _json(schema, obj) -> dict:
    return schema.model_validate(obj, from_attributes=True).model_dump(mode="json")


def _viewable(request, model, pk: int, queryset=None):
    check_perm(request.user, perms.VIEW_MENU)
    return get_for_user(
        queryset if queryset is not None else model.objects.all(), request.user, pk=pk
    )


def _detail(request, dish: Dish) -> dict:
    body = _json(DishOut, dish)
    body["stores"] = [
        {"store": a["store"].pk, "store_name": a["store"].name, "active": a["active"]}
        for a in selectors.dish_availability(user=request.user, dish=dish)
    ]
    return body


# --- Categories ------------------------------------------------------------------------------
@router.get("/dish-categories", response=list[CategoryOut], summary="List dish categories")
def list_categories(request):
    check_perm(request.user, perms.VIEW_MENU)
    return selectors.category_list(user=request.user)


@router.post("/dish-categories", response={201: CategoryOut}, summary="Create a dish category")
def create_category(request, response: HttpResponse, payload: CategoryIn):
    def perform():
        category = services.category_create(acting_user=request.user, **payload.model_dump())
        return 201, _json(CategoryOut, category)

    return respond_once(request, response, scope="dish_categories.create", perform=perform)


@router.patch(
    "/dish-categories/{category_id}", response=CategoryOut, summary="Rename or reorder a category"
)
def update_category(request, category_id: int, payload: CategoryPatch):
    category = _viewable(request, DishCategory, category_id)
    return services.category_update(
        acting_user=request.user, category=category, **payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "/dish-categories/{category_id}",
    response={204: None},
    summary="Delete a category that holds no dishes",
)
def delete_category(request, category_id: int):
    category = _viewable(request, DishCategory, category_id)
    services.category_delete(acting_user=request.user, category=category)
    return Status(204, None)


# --- Dishes ----------------------------------------------------------------------------------
@router.get("/dishes", response=list[DishOut], summary="List dishes")
def list_dishes(
    request,
    category: int | None = None,
    kind: Kind | None = None,
    active: bool | None = None,
    search: str = Query("", max_length=60),
):
    check_perm(request.user, perms.VIEW_MENU)
    return selectors.dish_list(
        user=request.user, category=category, kind=kind, active=active, search=search
    )


@router.post("/dishes", response={201: DishOut}, summary="Create a dish")
def create_dish(request, response: HttpResponse, payload: DishIn):
    def perform():
        dish = services.dish_create(acting_user=request.user, **payload.model_dump())
        return 201, _json(DishOut, dish)

    return respond_once(request, response, scope="dishes.create", perform=perform)


@router.get(
    "/dishes/export.xlsx",
    response={200: None},
    summary="Every dish as an Excel workbook (headers in the request's language)",
)
def export_dishes(request):
    content = excel.dish_export(acting_user=request.user)
    reply = HttpResponse(content, content_type=excel.CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    reply["Content-Disposition"] = f'attachment; filename="dishes-{stamp}.xlsx"'
    return reply


@router.post(
    "/dishes/import",
    response=ImportResultOut,
    summary="Upsert dishes by code from an Excel workbook (the export's layout)",
    description="Good rows go in, each whole or not at all; bad rows come back in `errors` "
    "(row, column, message). A file that is not .xlsx, larger than 5 MB or 20,000 rows, "
    "or has the wrong header is refused (400) with nothing written.",
)
def import_dishes(request, file: File[UploadedFile]):
    return excel.dish_import(acting_user=request.user, upload=file).as_dict()


@router.get("/dishes/{dish_id}", response=DishDetailOut, summary="One dish, with its stores")
def get_dish(request, dish_id: int):
    dish = _viewable(request, Dish, dish_id, Dish.objects.select_related("category"))
    return _detail(request, dish)


@router.patch("/dishes/{dish_id}", response=DishDetailOut, summary="Change a dish")
def update_dish(request, dish_id: int, payload: DishPatch):
    dish = _viewable(request, Dish, dish_id, Dish.objects.select_related("category"))
    dish = services.dish_update(
        acting_user=request.user, dish=dish, **payload.model_dump(exclude_unset=True)
    )
    return _detail(request, dish)


@router.put(
    "/dishes/{dish_id}/stores/{store_id}",
    response=AvailabilityOut,
    summary="Put a dish on or off one store's menu",
)
def set_availability(request, dish_id: int, store_id: int, payload: AvailabilityIn):
    dish = _viewable(request, Dish, dish_id)
    store = get_for_user(Store.objects.all(), request.user, pk=store_id)
    active = services.dish_set_availability(
        acting_user=request.user, dish=dish, store=store, active=payload.active
    )
    return {"dish": dish.pk, "store": store.pk, "active": active}


@router.get(
    "/stores/{store_id}/menu",
    response=StoreMenuOut,
    summary="A store's menu: the dishes on it, priced at one tier",
)
def store_menu(request, store_id: int, tier: Tier = "regular"):
    check_perm(request.user, perms.VIEW_MENU)
    store = get_for_user(Store.objects.all(), request.user, pk=store_id)
    return {
        "store": store.pk,
        "tier": tier,
        "items": list(selectors.store_menu(store=store, tier=tier)),
    }
