"""Every write of the organisation app: one function per business action, one transaction each,
permission-checked and audited."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.permissions import (
    FIELD_RESOURCES,
    check_perm,
    default_permissions,
    forget_access,
    restrict,
)
from huike.core.services import (
    delete_audited,
    full_clean_or_raise,
    only_known_fields,
    save_changes,
    save_new,
)
from huike.core.tenancy import require_active_tenant

from . import permissions as perms
from .models import Brand, FieldPolicy, OrgUnit, Role, Staff, Store

STORE_FIELDS = {
    "brand",
    "name",
    "code",
    "city",
    "address",
    "latitude",
    "longitude",
    "time_zone",
    "phone",
    "opening_hours",
    "active",
}
BRAND_FIELDS = {"name", "code", "active"}
STAFF_FIELDS = {
    "name",
    "employee_no",
    "title",
    "phone",
    "email",
    "org_unit",
    "brand",
    "store",
    "role",
    "active",
}


def _resolve(model, value, field: str, *, user):
    """A related row (by instance or id) that the acting user may see: of the active tenant and
    inside their row scope. Anything else is a field error, never a link across tenants or
    scopes."""
    if value is None:
        return None
    pk = value.pk if isinstance(value, model) else value
    try:
        return restrict(model.objects.all(), user).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={field: [_("Not found.")]}) from exc


# --- Brands ----------------------------------------------------------------------------------
@transaction.atomic
def brand_create(*, acting_user, name: str, code: str, active: bool = True) -> Brand:
    check_perm(acting_user, perms.MANAGE_STORES)
    return save_new(Brand(name=name, code=code, active=active), actor=acting_user)


@transaction.atomic
def brand_update(*, acting_user, brand: Brand, **changes) -> Brand:
    check_perm(acting_user, perms.MANAGE_STORES)
    return save_changes(brand, actor=acting_user, changes=only_known_fields(changes, BRAND_FIELDS))


# --- Stores ----------------------------------------------------------------------------------
@transaction.atomic
def store_create(*, acting_user, **data) -> Store:
    check_perm(acting_user, perms.MANAGE_STORES)
    data = dict(only_known_fields(data, STORE_FIELDS))
    data["brand"] = _resolve(Brand, data.get("brand"), "brand", user=acting_user)
    return save_new(Store(**data), actor=acting_user)


@transaction.atomic
def store_update(*, acting_user, store: Store, **changes) -> Store:
    check_perm(acting_user, perms.MANAGE_STORES)
    changes = dict(only_known_fields(changes, STORE_FIELDS))
    if "brand" in changes:
        changes["brand"] = _resolve(Brand, changes["brand"], "brand", user=acting_user)
    return save_changes(store, actor=acting_user, changes=changes)


# --- Org tree --------------------------------------------------------------------------------
@transaction.atomic
def org_unit_create(*, acting_user, kind: str, name: str, parent=None) -> OrgUnit:
    check_perm(acting_user, perms.MANAGE_STAFF)
    parent = _resolve(OrgUnit, parent, "parent", user=acting_user)
    unit = OrgUnit(kind=kind, name=name, parent=parent)
    save_new(unit, actor=acting_user)
    unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit


@transaction.atomic
def org_unit_rename(*, acting_user, unit: OrgUnit, name: str) -> OrgUnit:
    check_perm(acting_user, perms.MANAGE_STAFF)
    return save_changes(unit, actor=acting_user, changes={"name": name})


@transaction.atomic
def org_unit_delete(*, acting_user, unit: OrgUnit) -> None:
    check_perm(acting_user, perms.MANAGE_STAFF)
    if unit.children.exists() or unit.staff.exists():
        raise errors.Conflict(_("Move its sub-units and staff elsewhere first."), code="in_use")
    delete_audited(unit, actor=acting_user)


# --- Staff -----------------------------------------------------------------------------------
def _staff_relations(data: dict, *, acting_user) -> dict:
    for field, model in (("org_unit", OrgUnit), ("brand", Brand), ("store", Store), ("role", Role)):
        if field in data:
            data[field] = _resolve(model, data[field], field, user=acting_user)
    if data.get("store") is not None and data.get("brand") is None:
        data["brand"] = data["store"].brand
    return data


def _new_login(*, username: str, password: str, language: str = ""):
    User = get_user_model()
    user = User(username=username, tenant=require_active_tenant(), language=language)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise errors.from_django_validation_error(exc) from exc
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise errors.InvalidInput(fields={"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def staff_create(*, acting_user, username: str = "", password: str = "", **data) -> Staff:
    """Add a staff member; with ``username`` and ``password`` also their login account."""
    check_perm(acting_user, perms.MANAGE_STAFF)
    data = _staff_relations(dict(only_known_fields(data, STAFF_FIELDS)), acting_user=acting_user)
    staff = Staff(**data)
    if username or password:
        staff.tenant = require_active_tenant()
        full_clean_or_raise(staff, exclude=["user"])
        staff.user = _new_login(username=username, password=password)
    return save_new(staff, actor=acting_user, extra={"username": username} if username else None)


@transaction.atomic
def staff_update(*, acting_user, staff: Staff, **changes) -> Staff:
    check_perm(acting_user, perms.MANAGE_STAFF)
    changes = _staff_relations(
        dict(only_known_fields(changes, STAFF_FIELDS)), acting_user=acting_user
    )
    if "store" in changes and "brand" not in changes and changes["store"] is not None:
        changes["brand"] = changes["store"].brand
    staff = save_changes(staff, actor=acting_user, changes=changes)
    if staff.user_id:
        forget_access(staff.user)
    return staff


@transaction.atomic
def staff_set_password(*, acting_user, staff: Staff, password: str):
    check_perm(acting_user, perms.MANAGE_STAFF)
    if not staff.user_id:
        raise errors.Conflict(_("This staff member has no login account."), code="no_login")
    try:
        validate_password(password, staff.user)
    except ValidationError as exc:
        raise errors.InvalidInput(fields={"password": exc.messages}) from exc
    staff.user.set_password(password)
    staff.user.save(update_fields=["password"])
    audit_record(
        action=Action.UPDATE, actor=acting_user, obj=staff, changes={"password": "changed"}
    )


# --- Roles and field visibility --------------------------------------------------------------
ROLE_FIELDS = {"name", "description", "permissions", "row_scope"}


@transaction.atomic
def role_create(
    *,
    acting_user,
    code: str,
    name: str,
    permissions: list[str] | None = None,
    row_scope: str = "own",
    description: str = "",
) -> Role:
    check_perm(acting_user, perms.MANAGE_ROLES)
    role = Role(
        code=code,
        name=name,
        permissions=sorted(set(permissions or [])),
        row_scope=row_scope,
        description=description,
    )
    return save_new(role, actor=acting_user)


@transaction.atomic
def role_update(*, acting_user, role: Role, **changes) -> Role:
    check_perm(acting_user, perms.MANAGE_ROLES)
    changes = dict(only_known_fields(changes, ROLE_FIELDS))
    if "permissions" in changes:
        changes["permissions"] = sorted(set(changes["permissions"] or []))
    role = save_changes(role, actor=acting_user, changes=changes)
    forget_access(acting_user)
    return role


@transaction.atomic
def role_delete(*, acting_user, role: Role) -> None:
    check_perm(acting_user, perms.MANAGE_ROLES)
    if role.is_system:
        raise errors.Conflict(_("Built-in roles cannot be deleted."), code="builtin_role")
    if role.staff.exists():
        raise errors.Conflict(_("Staff still hold this role."), code="in_use")
    delete_audited(role, actor=acting_user)


@transaction.atomic
def field_policy_set(*, acting_user, role: Role, resource: str, visible: dict[str, bool]) -> None:
    """Set which fields of ``resource`` the role sees (the role × field page)."""
    check_perm(acting_user, perms.MANAGE_ROLES)
    spec = FIELD_RESOURCES.get(resource)
    if spec is None:
        raise errors.InvalidInput(fields={"resource": [_("Not found.")]})
    known = {f.name for f in spec.fields}
    unknown = sorted(set(visible) - known)
    if unknown:
        raise errors.InvalidInput(fields={n: [_("Unknown field.")] for n in unknown})
    current = dict(
        FieldPolicy.objects.filter(role=role, resource=resource).values_list("field", "visible")
    )
    defaults = {
        f.name: f.default_roles is None or role.code in f.default_roles for f in spec.fields
    }
    changed = {}
    for name, is_visible in visible.items():
        FieldPolicy.objects.update_or_create(
            role=role, resource=resource, field=name, defaults={"visible": is_visible}
        )
        if current.get(name, defaults[name]) != is_visible:
            changed[name] = is_visible
    if changed:
        audit_record(
            action=Action.UPDATE,
            actor=acting_user,
            obj=role,
            changes={"field_visibility": {resource: changed}},
        )


# --- Brand group set-up ----------------------------------------------------------------------
@transaction.atomic
def tenant_setup(
    *, name: str, code: str, admin_username: str, admin_password: str, admin_name: str = ""
):
    """Create a brand group: its built-in roles, the top of its org tree and its first HQ admin
    (with a login). Used by onboarding and by load_demo."""
    from huike.core.models import Tenant
    from huike.core.tenancy import tenant_context

    from .roles import DEFAULT_ROLES

    tenant = Tenant(name=name, code=code)
    full_clean_or_raise(tenant)
    tenant.save()
    with tenant_context(tenant):
        audit_record(
            action=Action.CREATE,
            actor=None,
            obj=tenant,
            tenant=tenant,
            actor_name="system",
            changes={"name": name, "code": code},
        )
        for spec in DEFAULT_ROLES:
            role = Role(
                code=spec["code"],
                name=str(spec["name"]),
                permissions=default_permissions(spec["code"]),
                row_scope=spec["row_scope"],
                is_system=True,
            )
            save_new(role, actor=None)
        top = OrgUnit(kind=OrgUnit.Kind.ORGANISATION, name=name)
        save_new(top, actor=None)
        top.path = f"/{top.pk}/"
        OrgUnit.objects.filter(pk=top.pk).update(path=top.path)
        admin = Staff(
            name=admin_name or admin_username,
            employee_no="HQ-0001",
            role=Role.objects.get(code="hq"),
            org_unit=top,
        )
        full_clean_or_raise(admin, exclude=["user"])
        admin.user = _new_login(username=admin_username, password=admin_password)
        save_new(admin, actor=None, extra={"username": admin_username})
    return tenant


@transaction.atomic
def role_configure(
    *, acting_user, role: Role, field_visibility: dict | None = None, **changes
) -> Role:
    """Save the role editor page at once: the role's name, permissions and row scope, and which
    fields of each resource it sees (``{"staff": {"phone": False, …}}``). Refuses to take
    ``org.manage_roles`` away from the acting user's own role (nobody could give it back)."""
    check_perm(acting_user, perms.MANAGE_ROLES)
    own_role_id = getattr(getattr(acting_user, "staff", None), "role_id", None)
    if (
        "permissions" in changes
        and role.pk == own_role_id
        and not acting_user.is_superuser
        and perms.MANAGE_ROLES not in (changes["permissions"] or [])
    ):
        raise errors.InvalidInput(
            fields={
                "permissions": [
                    _("You cannot take “Edit roles and permissions” away from your own role.")
                ]
            }
        )
    role = role_update(acting_user=acting_user, role=role, **changes)
    for resource, visible in (field_visibility or {}).items():
        field_policy_set(acting_user=acting_user, role=role, resource=resource, visible=visible)
    return role
