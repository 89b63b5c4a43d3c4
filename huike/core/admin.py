from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .admin_base import USE_ADMIN, TenantModelAdmin
from .models import ApiKey, AuditEntry, Tenant, User
from .permissions import VIEW_AUDIT, has_perm
from .tenancy import get_active_tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    """Brand groups are the platform operator's (superuser's) business."""

    list_display = ["name", "code", "created_at"]


@admin.register(User)
class HuikeUserAdmin(UserAdmin):
    """Login accounts of the HQ admin's own brand group (created with staff in the console)."""

    list_display = ["username", "tenant", "language", "is_active", "last_login"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("", {"fields": ("first_name", "last_name", "email", "language", "is_active")}),
    )
    readonly_fields = ["last_login"]

    def _allowed(self, request):
        return request.user.is_superuser or (
            get_active_tenant() is not None and has_perm(request.user, USE_ADMIN)
        )

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return False  # accounts come with their staff record (console → staff)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log keeps pointing at the account

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(tenant=get_active_tenant())


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = [
        "created_at",
        "actor_name",
        "action",
        "object_type",
        "object_repr",
        "ip_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        return entries if request.user.is_superuser else entries.filter(tenant=get_active_tenant())

    def has_module_permission(self, request):
        return request.user.is_superuser or has_perm(request.user, VIEW_AUDIT)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(TenantModelAdmin):
    """Keys are issued with `manage.py create_api_key` (shown once); here they are listed and
    revoked (set "revoked at")."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "user", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
