"""The back office (Django admin) for configuration data, held to the same rules as the console:
access by our permission codes, rows of the active tenant only, every change audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .audit import Action, audit_record, diff, snapshot
from .permissions import has_perm, register_permission
from .tenancy import get_active_tenant

USE_ADMIN = register_permission(
    "core.use_admin", _("Use the back office (configuration)"), _("Platform")
)


class HuikeAdminSite(admin.AdminSite):
    site_header = _("Huike back office")
    site_title = _("Huike back office")
    index_title = _("Configuration")

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_authenticated
            and (
                user.is_superuser or (get_active_tenant() is not None and has_perm(user, USE_ADMIN))
            )
        )


class TenantAdminForm(forms.ModelForm):
    """Gives a new row the active tenant before validation, so (tenant, …) uniqueness is
    checked on the form instead of failing in the database."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self.instance, "tenant_id", None) is None:
            self.instance.tenant = get_active_tenant()

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("tenant")
        return exclusions


class TenantModelAdmin(admin.ModelAdmin):
    """Admin of a tenant-scoped model: permission-checked and audited like a service."""

    form = TenantAdminForm

    def _allowed(self, request) -> bool:
        return get_active_tenant() is not None and has_perm(request.user, USE_ADMIN)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).all_tenants.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if change:
            changed = diff(before, snapshot(obj))
            if changed:
                audit_record(
                    action=Action.UPDATE,
                    actor=request.user,
                    obj=obj,
                    changes={**changed, "via": "admin"},
                )
        else:
            audit_record(
                action=Action.CREATE,
                actor=request.user,
                obj=obj,
                changes={**snapshot(obj), "via": "admin"},
            )

    def delete_model(self, request, obj):
        audit_record(
            action=Action.DELETE,
            actor=request.user,
            obj=obj,
            changes={**snapshot(obj), "via": "admin"},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
