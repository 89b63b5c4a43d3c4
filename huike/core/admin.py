from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiKey, AuditEntry, Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "created_at"]

    def has_module_permission(self, request):
        return request.user.is_superuser


@admin.register(User)
class HuikeUserAdmin(UserAdmin):
    list_display = ["username", "tenant", "language", "is_active", "is_staff"]
    fieldsets = UserAdmin.fieldsets + ((None, {"fields": ("tenant", "language")}),)

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(tenant=request.user.tenant)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["created_at", "actor_name", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id"]

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        return entries if request.user.is_superuser else entries.filter(tenant=request.user.tenant)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are issued with `manage.py create_api_key`, which shows them once
