"""Access control (O2), in one place for pages, the API and exports alike.

* Permissions are business codes (``org.manage_stores``) registered by each app with a label.
  A role (``org.Role``) holds a set of them and a row scope.
* Row scope narrows what a user may see of a table: own / group / department / store / brand /
  all. A model says how it reaches each scope in ``scope_paths``; where it has no path for the
  role's scope, the next wider scope it has applies.
* Field visibility: each app registers the fields of a resource (the guest sheet, staff …) with
  the roles that see them by default; HQ overrides per role and field; ``visible_fields`` and
  ``filter_fields`` are the one server-side filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import errors
from .audit import Action, audit_record
from .models import AuditEntry

# --- Row scope -------------------------------------------------------------------------------
SCOPE_OWN, SCOPE_GROUP, SCOPE_DEPARTMENT = "own", "group", "department"
SCOPE_STORE, SCOPE_BRAND, SCOPE_ALL = "store", "brand", "all"
SCOPE_ORDER = [SCOPE_OWN, SCOPE_GROUP, SCOPE_DEPARTMENT, SCOPE_STORE, SCOPE_BRAND, SCOPE_ALL]
SCOPE_CHOICES = [
    (SCOPE_OWN, _("own records")),
    (SCOPE_GROUP, _("own group")),
    (SCOPE_DEPARTMENT, _("own department")),
    (SCOPE_STORE, _("own store")),
    (SCOPE_BRAND, _("own brand")),
    (SCOPE_ALL, _("whole brand group")),
]


# --- Permission catalogue --------------------------------------------------------------------
@dataclass(frozen=True)
class Permission:
    code: str
    label: object
    area: object


PERMISSIONS: dict[str, Permission] = {}


def register_permission(code: str, label, area) -> str:
    PERMISSIONS[code] = Permission(code, label, area)
    return code


def permission_areas() -> dict[str, list[Permission]]:
    """The catalogue grouped by area, in registration order (for the role editor)."""
    grouped: dict[str, list[Permission]] = {}
    for perm in PERMISSIONS.values():
        grouped.setdefault(str(perm.area), []).append(perm)
    return grouped


DEFAULT_GRANTS: dict[str, set[str]] = {}


def register_default_grants(grants: dict[str, list[str]]) -> None:
    """Which built-in roles (by code) get which of an app's permissions in a new brand group.
    (Existing groups get them from the app's data migration, once.)"""
    for role_code, codes in grants.items():
        unknown = set(codes) - set(PERMISSIONS)
        if unknown:
            raise KeyError(f"unknown permissions {sorted(unknown)}")
        DEFAULT_GRANTS.setdefault(role_code, set()).update(codes)


def default_permissions(role_code: str) -> list[str]:
    return sorted(DEFAULT_GRANTS.get(role_code, ()))


CORE = _("Platform")
VIEW_AUDIT = register_permission("core.view_audit", _("Search the audit log"), CORE)
MANAGE_API_KEYS = register_permission("core.manage_api_keys", _("Issue API keys"), CORE)


# --- Who the user is -------------------------------------------------------------------------
@dataclass
class Access:
    """What one user may do: resolved once per request from their staff record and role."""

    is_superuser: bool = False
    role_id: int | None = None
    role_code: str = ""
    permissions: frozenset[str] = frozenset()
    scope: str = SCOPE_OWN
    user_id: int | None = None
    staff_id: int | None = None
    store_id: int | None = None
    brand_id: int | None = None
    group_path: str | None = None
    department_path: str | None = None
    hidden_fields: dict[str, frozenset[str]] = field(default_factory=dict)


def access_for(user) -> Access:
    if user is None or not user.is_authenticated:
        return Access()
    cached = getattr(user, "_huike_access", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        access = Access(
            is_superuser=True, scope=SCOPE_ALL, user_id=user.pk, permissions=frozenset(PERMISSIONS)
        )
    else:
        access = Access(user_id=user.pk)
        staff = _staff_of(user)
        if staff is not None and staff.active and staff.role_id:
            role = staff.role
            access.role_id, access.role_code = role.pk, role.code
            access.permissions = frozenset(role.permissions or [])
            access.scope = role.row_scope
            access.staff_id = staff.pk
            access.store_id = staff.store_id
            access.brand_id = staff.brand_id or (staff.store.brand_id if staff.store_id else None)
            unit = staff.org_unit
            if unit is not None:
                access.group_path = unit.path
                dept = unit.ancestor_of_kind("department")
                access.department_path = dept.path if dept else None
    user._huike_access = access
    return access


def _staff_of(user):
    """The user's staff record with its role, store and org unit, in one query (every request
    reads them)."""
    staff_model = user._meta.get_field("staff").related_model
    return (
        staff_model._base_manager.select_related("role", "store", "org_unit")
        .filter(user_id=user.pk)
        .first()
    )


def forget_access(user) -> None:
    """Drop the cached access (after the user's role changed)."""
    if hasattr(user, "_huike_access"):
        del user._huike_access


def has_perm(user, code: str) -> bool:
    if code not in PERMISSIONS:
        raise KeyError(f"unknown permission {code!r}")
    return code in access_for(user).permissions


def check_perm(user, code: str, *, target: str = "") -> None:
    """Raise PermissionDenied (and audit the denial) unless ``user`` holds ``code``."""
    if user is None or not user.is_authenticated:
        raise errors.NotAuthenticated()
    if has_perm(user, code):
        return
    denied = errors.PermissionDenied()
    denied.audit_entry = audit_record(
        action=Action.PERMISSION_DENIED,
        actor=user,
        object_type="permission",
        object_id=code,
        object_repr=target or code,
    )
    raise denied


def keep_denial_audited(denied: errors.PermissionDenied) -> None:
    """Write a denial's audit entry again when the transaction it was written in was rolled
    back (a service checks inside its own transaction, which the denial then undoes). Call once
    the request's transactions are over, as the API's error handler does."""
    entry = getattr(denied, "audit_entry", None)
    if entry is None or AuditEntry.objects.filter(pk=entry.pk, hash=entry.hash).exists():
        return
    denied.audit_entry = audit_record(
        action=entry.action,
        actor=entry.actor,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        tenant=entry.tenant,
        ip_address=entry.ip_address,
    )


# --- Row scope filter ------------------------------------------------------------------------
def restrict(queryset: models.QuerySet, user) -> models.QuerySet:
    """``queryset`` narrowed to the rows the user's row scope lets them see.

    The model's ``scope_paths`` maps a scope to the lookup reaching it: ``own`` → the owning
    user, ``group``/``department`` → an org unit (matched by tree path), ``store``, ``brand``.
    """
    access = access_for(user)
    if access.is_superuser or access.scope == SCOPE_ALL:
        return queryset
    if access.user_id is None or access.role_id is None:
        return queryset.none()
    paths: dict[str, str] = getattr(queryset.model, "scope_paths", {})
    for scope in SCOPE_ORDER[SCOPE_ORDER.index(access.scope) :]:
        if scope == SCOPE_ALL:
            return queryset
        if scope in paths:
            condition = _scope_condition(scope, paths[scope], access)
            return queryset.filter(condition) if condition is not None else queryset.none()
    return queryset.none()


def _scope_condition(scope: str, path: str, access: Access) -> Q | None:
    if scope == SCOPE_OWN:
        return Q(**{path: access.user_id})
    tree = f"{path}__path__startswith" if path else "path__startswith"
    if scope == SCOPE_GROUP and access.group_path:
        return Q(**{tree: access.group_path})
    if scope == SCOPE_DEPARTMENT and access.department_path:
        return Q(**{tree: access.department_path})
    if scope == SCOPE_STORE and access.store_id:
        return Q(**{path: access.store_id})
    if scope == SCOPE_BRAND and access.brand_id:
        return Q(**{path: access.brand_id})
    return None


def get_for_user(queryset: models.QuerySet, user, **lookup):
    """Fetch-and-authorize in one call: a row outside the tenant or the user's scope is
    ``NotFound``, the same as a row that does not exist."""
    try:
        return restrict(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


# --- Field visibility ------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: object
    default_roles: frozenset[str] | None  # None: every role sees it by default


@dataclass(frozen=True)
class FieldResource:
    code: str
    label: object
    fields: tuple[FieldSpec, ...]


FIELD_RESOURCES: dict[str, FieldResource] = {}


def register_fields(code: str, label, fields: list[tuple[str, object, set[str] | None]]) -> None:
    """Declare a resource's fields: ``(name, label, roles that see it by default or None)``."""
    FIELD_RESOURCES[code] = FieldResource(
        code,
        label,
        tuple(FieldSpec(n, lbl, frozenset(r) if r is not None else None) for n, lbl, r in fields),
    )


def visible_fields(user, resource: str) -> frozenset[str]:
    """The fields of ``resource`` this user may see: the role's policy, else the defaults."""
    spec = FIELD_RESOURCES[resource]
    access = access_for(user)
    all_fields = frozenset(f.name for f in spec.fields)
    if access.is_superuser:
        return all_fields
    if access.role_id is None:
        return frozenset()
    if resource not in access.hidden_fields:
        from huike.org.models import FieldPolicy

        overrides = dict(
            FieldPolicy.objects.filter(role_id=access.role_id, resource=resource).values_list(
                "field", "visible"
            )
        )
        hidden = set()
        for f in spec.fields:
            default = f.default_roles is None or access.role_code in f.default_roles
            if not overrides.get(f.name, default):
                hidden.add(f.name)
        access.hidden_fields[resource] = frozenset(hidden)
    return all_fields - access.hidden_fields[resource]


def filter_fields(user, resource: str, data: dict) -> dict:
    """``data`` without the fields of ``resource`` the user may not see (keys not declared as
    fields of the resource pass through)."""
    declared = {f.name for f in FIELD_RESOURCES[resource].fields}
    visible = visible_fields(user, resource)
    return {k: v for k, v in data.items() if k not in declared or k in visible}
