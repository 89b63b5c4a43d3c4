"""Organisation API: /api/v1/stores, /api/v1/brands, /api/v1/staff, /api/v1/org-units,
/api/v1/roles, /api/v1/permissions. Thin: schema in, service or selector, schema out."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router, Status

from huike.core.idempotency import respond_once
from huike.core.permissions import PERMISSIONS, check_perm, filter_fields, get_for_user

from . import permissions as perms
from . import selectors, services
from .models import Brand, OrgUnit, Role, Staff, Store
from .schemas import (
    BrandIn,
    BrandOut,
    BrandPatch,
    FieldVisibilityIn,
    FieldVisibilityOut,
    OrgUnitIn,
    OrgUnitKind,
    OrgUnitOut,
    OrgUnitPatch,
    PermissionOut,
    RoleIn,
    RoleOut,
    RolePatch,
    StaffIn,
    StaffOut,
    StaffPatch,
    StoreIn,
    StoreOut,
    StorePatch,
)

router = Router(tags=["organisation"])


def _json(schema, obj) -> dict:
    return schema.model_validate(obj, from_attributes=True).model_dump(mode="json")


def _staff_json(user, staff: Staff) -> dict:
    """A staff record as ``user`` may see it (the one server-side field filter)."""
    return filter_fields(user, "staff", _json(StaffOut, staff))


def _viewable(request, model, pk: int):
    check_perm(request.user, perms.VIEW_ORG)
    return get_for_user(model.objects.all(), request.user, pk=pk)


# --- Brands ----------------------------------------------------------------------------------
@router.get("/brands", response=list[BrandOut], summary="List brands")
def list_brands(request, active: bool | None = None):
    check_perm(request.user, perms.VIEW_ORG)
    return selectors.brand_list(user=request.user, active=active)


@router.post("/brands", response={201: BrandOut}, summary="Create a brand")
def create_brand(request, response: HttpResponse, payload: BrandIn):
    def perform():
        brand = services.brand_create(acting_user=request.user, **payload.model_dump())
        return 201, _json(BrandOut, brand)

    return respond_once(request, response, scope="brands.create", perform=perform)


@router.get("/brands/{brand_id}", response=BrandOut, summary="One brand")
def get_brand(request, brand_id: int):
    return _viewable(request, Brand, brand_id)


@router.patch("/brands/{brand_id}", response=BrandOut, summary="Change a brand")
def update_brand(request, brand_id: int, payload: BrandPatch):
    brand = _viewable(request, Brand, brand_id)
    return services.brand_update(
        acting_user=request.user, brand=brand, **payload.model_dump(exclude_unset=True)
    )


# --- Stores ----------------------------------------------------------------------------------
@router.get("/stores", response=list[StoreOut], summary="List stores")
def list_stores(
    request,
    brand: int | None = None,
    active: bool | None = None,
    search: str = Query("", max_length=100),
):
    check_perm(request.user, perms.VIEW_ORG)
    return selectors.store_list(user=request.user, brand_id=brand, active=active, search=search)


@router.post("/stores", response={201: StoreOut}, summary="Create a store")
def create_store(request, response: HttpResponse, payload: StoreIn):
    def perform():
        store = services.store_create(acting_user=request.user, **payload.model_dump())
        return 201, _json(StoreOut, store)

    return respond_once(request, response, scope="stores.create", perform=perform)


@router.get("/stores/{store_id}", response=StoreOut, summary="One store")
def get_store(request, store_id: int):
    return _viewable(request, Store, store_id)


@router.patch("/stores/{store_id}", response=StoreOut, summary="Change a store")
def update_store(request, store_id: int, payload: StorePatch):
    store = _viewable(request, Store, store_id)
    return services.store_update(
        acting_user=request.user, store=store, **payload.model_dump(exclude_unset=True)
    )


# --- Org tree --------------------------------------------------------------------------------
@router.get("/org-units", response=list[OrgUnitOut], summary="The org tree, as a flat list")
def list_org_units(request, kind: OrgUnitKind | None = None):
    check_perm(request.user, perms.VIEW_ORG)
    return selectors.org_unit_list(user=request.user, kind=kind)


@router.post("/org-units", response={201: OrgUnitOut}, summary="Add an org unit")
def create_org_unit(request, response: HttpResponse, payload: OrgUnitIn):
    def perform():
        unit = services.org_unit_create(acting_user=request.user, **payload.model_dump())
        return 201, _json(OrgUnitOut, unit)

    return respond_once(request, response, scope="org_units.create", perform=perform)


@router.patch("/org-units/{unit_id}", response=OrgUnitOut, summary="Rename an org unit")
def rename_org_unit(request, unit_id: int, payload: OrgUnitPatch):
    unit = _viewable(request, OrgUnit, unit_id)
    return services.org_unit_rename(acting_user=request.user, unit=unit, name=payload.name)


@router.delete("/org-units/{unit_id}", response={204: None}, summary="Remove an empty org unit")
def delete_org_unit(request, unit_id: int):
    unit = _viewable(request, OrgUnit, unit_id)
    services.org_unit_delete(acting_user=request.user, unit=unit)
    return Status(204, None)


# --- Staff -----------------------------------------------------------------------------------
@router.get("/staff", response=list[StaffOut], exclude_unset=True, summary="List staff")
def list_staff(
    request,
    store: int | None = None,
    role: int | None = None,
    org_unit: int | None = None,
    active: bool | None = None,
    search: str = Query("", max_length=100),
):
    check_perm(request.user, perms.VIEW_ORG)
    staff = selectors.staff_list(
        user=request.user,
        store_id=store,
        role_id=role,
        org_unit_id=org_unit,
        active=active,
        search=search,
    )
    return [_staff_json(request.user, s) for s in staff]


@router.post("/staff", response={201: StaffOut}, exclude_unset=True, summary="Add a staff member")
def create_staff(request, response: HttpResponse, payload: StaffIn):
    def perform():
        staff = services.staff_create(acting_user=request.user, **payload.model_dump())
        return 201, _staff_json(request.user, staff)

    return respond_once(request, response, scope="staff.create", perform=perform)


@router.get("/staff/{staff_id}", response=StaffOut, exclude_unset=True, summary="One staff member")
def get_staff(request, staff_id: int):
    return _staff_json(request.user, _viewable(request, Staff, staff_id))


@router.patch(
    "/staff/{staff_id}", response=StaffOut, exclude_unset=True, summary="Change a staff member"
)
def update_staff(request, staff_id: int, payload: StaffPatch):
    staff = _viewable(request, Staff, staff_id)
    staff = services.staff_update(
        acting_user=request.user, staff=staff, **payload.model_dump(exclude_unset=True)
    )
    return _staff_json(request.user, staff)


# --- Roles, field visibility and the permission catalogue -----------------------------------
@router.get("/roles", response=list[RoleOut], summary="List roles")
def list_roles(request):
    check_perm(request.user, perms.VIEW_ORG)
    return selectors.role_list(user=request.user)


@router.post("/roles", response={201: RoleOut}, summary="Create a custom role")
def create_role(request, response: HttpResponse, payload: RoleIn):
    def perform():
        role = services.role_create(acting_user=request.user, **payload.model_dump())
        return 201, _json(RoleOut, role)

    return respond_once(request, response, scope="roles.create", perform=perform)


@router.get("/roles/{role_id}", response=RoleOut, summary="One role")
def get_role(request, role_id: int):
    return _viewable(request, Role, role_id)


@router.patch(
    "/roles/{role_id}", response=RoleOut, summary="Change a role's name, permissions or row scope"
)
def update_role(request, role_id: int, payload: RolePatch):
    role = _viewable(request, Role, role_id)
    return services.role_configure(
        acting_user=request.user, role=role, **payload.model_dump(exclude_unset=True)
    )


@router.delete("/roles/{role_id}", response={204: None}, summary="Delete a custom role")
def delete_role(request, role_id: int):
    role = _viewable(request, Role, role_id)
    services.role_delete(acting_user=request.user, role=role)
    return Status(204, None)


@router.get(
    "/roles/{role_id}/field-visibility/{resource}",
    response=FieldVisibilityOut,
    summary="Which fields of a resource the role sees",
)
def get_field_visibility(request, role_id: int, resource: str):
    role = _viewable(request, Role, role_id)
    return selectors.role_field_visibility(role=role, resource=resource)


@router.put(
    "/roles/{role_id}/field-visibility/{resource}",
    response=FieldVisibilityOut,
    summary="Set which fields of a resource the role sees (fields left out keep theirs)",
)
def set_field_visibility(request, role_id: int, resource: str, payload: FieldVisibilityIn):
    role = _viewable(request, Role, role_id)
    services.field_policy_set(
        acting_user=request.user, role=role, resource=resource, visible=payload.fields
    )
    return selectors.role_field_visibility(role=role, resource=resource)


@router.get(
    "/permissions",
    response=list[PermissionOut],
    summary="The permission catalogue, labels in the request's language",
)
def list_permissions(request):
    return list(PERMISSIONS.values())
