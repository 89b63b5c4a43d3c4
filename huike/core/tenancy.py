"""Tenancy: every business row belongs to one tenant (brand group, 集团), and every query of
business data goes through the tenant-scoped manager, which filters by the active tenant.

The active tenant is set per request by the middleware (from the signed-in user or API key) and
by ``tenant_context`` in commands, jobs and tests. With no active tenant a scoped query raises
instead of silently reading every tenant's rows. ``Model.all_tenants`` is the one, explicitly
named, way to read across tenants (backup, the audit-chain check).
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Tenant

_active_tenant: ContextVar[Tenant | None] = ContextVar("huike_active_tenant", default=None)


class NoActiveTenant(RuntimeError):
    """A tenant-scoped query ran outside any tenant context."""


def get_active_tenant() -> Tenant | None:
    return _active_tenant.get()


def require_active_tenant() -> Tenant:
    tenant = _active_tenant.get()
    if tenant is None:
        raise NoActiveTenant("no active tenant: wrap the call in tenant_context(tenant)")
    return tenant


def activate_tenant(tenant: Tenant | None):
    """Set the active tenant; returns a token for ``deactivate_tenant``."""
    return _active_tenant.set(tenant)


def deactivate_tenant(token) -> None:
    _active_tenant.reset(token)


@contextlib.contextmanager
def tenant_context(tenant: Tenant | None):
    token = _active_tenant.set(tenant)
    try:
        yield tenant
    finally:
        _active_tenant.reset(token)


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of every business model: only the active tenant's rows."""

    def get_queryset(self):
        return super().get_queryset().filter(tenant=require_active_tenant())


class TenantScopedModel(models.Model):
    """Base of every business table: carries the tenant and is read through ``objects``."""

    tenant = models.ForeignKey(
        "core.Tenant", on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = TenantManager()
    all_tenants = models.Manager()  # noqa: DJ012  (a manager, which ruff takes for a field)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        active = get_active_tenant()
        if self.tenant_id is None:
            self.tenant = require_active_tenant()
        elif active is not None and self.tenant_id != active.pk:
            raise NoActiveTenant("refusing to write a row of another tenant")
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        """Like Django's, but a uniqueness error within the tenant is shown beside its field."""
        found: dict[str, list] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude)
                except ValidationError as exc:
                    own = [f for f in getattr(constraint, "fields", ()) if f != "tenant"]
                    if isinstance(constraint, models.UniqueConstraint) and own:
                        # Shown beside the last field: (parent, name) → "name".
                        found.setdefault(own[-1], []).append(
                            ValidationError(_("This value is already in use."), code="unique")
                        )
                    else:
                        found.setdefault(NON_FIELD_ERRORS, []).append(exc)
        if found:
            raise ValidationError(found)
