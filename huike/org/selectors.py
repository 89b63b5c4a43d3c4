"""Reads of the organisation app, narrowed to the user's row scope."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from huike.core import errors
from huike.core.permissions import FIELD_RESOURCES, restrict, visible_fields

from .models import Brand, FieldPolicy, OrgUnit, Role, Staff, Store


def store_list(
    *, user, brand_id: int | None = None, active: bool | None = None, search: str = ""
) -> QuerySet[Store]:
    stores = restrict(Store.objects.select_related("brand"), user)
    if brand_id is not None:
        stores = stores.filter(brand_id=brand_id)
    if active is not None:
        stores = stores.filter(active=active)
    if search:
        stores = stores.filter(name__icontains=search) | stores.filter(city__icontains=search)
    return stores.order_by("brand__name", "name")


def brand_list(*, user, active: bool | None = None) -> QuerySet[Brand]:
    brands = restrict(Brand.objects.all(), user)
    if active is not None:
        brands = brands.filter(active=active)
    return brands.order_by("name")


def org_unit_list(*, user, kind: str | None = None) -> QuerySet[OrgUnit]:
    """The org tree as a flat list in tree order (each unit after its parent)."""
    units = restrict(OrgUnit.objects.all(), user)
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("path")


def staff_list(
    *,
    user,
    store_id: int | None = None,
    role_id: int | None = None,
    org_unit_id: int | None = None,
    active: bool | None = None,
    search: str = "",
) -> QuerySet[Staff]:
    """Staff the user may see; ``org_unit_id`` includes the unit's sub-units. ``search`` looks
    at name and employee number, and at the phone only for users who may see phones."""
    staff = restrict(Staff.objects.all(), user)
    if store_id is not None:
        staff = staff.filter(store_id=store_id)
    if role_id is not None:
        staff = staff.filter(role_id=role_id)
    if org_unit_id is not None:
        unit_path = OrgUnit.objects.filter(pk=org_unit_id).values_list("path", flat=True).first()
        staff = staff.filter(org_unit__path__startswith=unit_path) if unit_path else staff.none()
    if active is not None:
        staff = staff.filter(active=active)
    if search:
        match = Q(name__icontains=search) | Q(employee_no__icontains=search)
        if "phone" in visible_fields(user, "staff"):
            match |= Q(phone__contains=search)
        staff = staff.filter(match)
    return staff.order_by("employee_no")


def role_list(*, user) -> QuerySet[Role]:
    return restrict(Role.objects.all(), user).order_by("pk")


def role_field_visibility(*, role: Role, resource: str) -> dict:
    """Which fields of ``resource`` the role sees: its own settings, else the defaults."""
    spec = FIELD_RESOURCES.get(resource)
    if spec is None:
        raise errors.NotFound()
    settings = dict(
        FieldPolicy.objects.filter(role=role, resource=resource).values_list("field", "visible")
    )
    fields = [
        {
            "name": f.name,
            "label": f.label,
            "visible": settings.get(
                f.name, f.default_roles is None or role.code in f.default_roles
            ),
        }
        for f in spec.fields
    ]
    return {"resource": resource, "label": spec.label, "fields": fields}


def org_tree(*, user) -> list[dict]:
    """The org tree in tree order (each unit after its parent, siblings by name) for the tree
    page: each unit with its depth, its own active staff and the active staff of its whole
    branch, and the kind of unit it can hold."""
    units = list(
        org_unit_list(user=user).annotate(
            own_staff=Count("staff", filter=Q(staff__active=True), distinct=True),
            child_count=Count("children", distinct=True),
        )
    )
    visible = {u.pk for u in units}
    child_kind = {
        OrgUnit.Kind.ORGANISATION: OrgUnit.Kind.DEPARTMENT,
        OrgUnit.Kind.DEPARTMENT: OrgUnit.Kind.GROUP,
    }
    branch = dict.fromkeys(visible, 0)
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        for ancestor_id in unit.ancestor_ids():
            if ancestor_id in branch:
                branch[ancestor_id] += unit.own_staff
        children.setdefault(unit.parent_id if unit.parent_id in visible else None, []).append(unit)
    nodes: list[dict] = []

    def walk(parent_id, level):
        for unit in sorted(children.get(parent_id, []), key=lambda u: u.name):
            nodes.append(
                {
                    "unit": unit,
                    "level": level,
                    "own_staff": unit.own_staff,
                    "branch_staff": branch[unit.pk],
                    "has_children": unit.child_count > 0,
                    "child_kind": child_kind.get(unit.kind),
                }
            )
            walk(unit.pk, level + 1)

    walk(None, 0)
    return nodes
