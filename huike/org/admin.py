from django.contrib import admin

from huike.core.admin_base import TenantModelAdmin

from .models import Brand, FieldPolicy, OrgUnit, Role, Staff, Store


@admin.register(Brand)
class BrandAdmin(TenantModelAdmin):
    list_display = ["name", "code", "active"]


@admin.register(Store)
class StoreAdmin(TenantModelAdmin):
    list_display = ["name", "brand", "city", "time_zone", "active"]
    list_filter = ["brand", "active"]
    search_fields = ["name", "code", "city"]


@admin.register(OrgUnit)
class OrgUnitAdmin(TenantModelAdmin):
    list_display = ["name", "kind", "parent", "path"]
    list_filter = ["kind"]


@admin.register(Role)
class RoleAdmin(TenantModelAdmin):
    """Roles are edited in the console's role editor; the back office only lists them."""

    list_display = ["code", "name", "row_scope", "is_system"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FieldPolicy)
class FieldPolicyAdmin(TenantModelAdmin):
    list_display = ["role", "resource", "field", "visible"]
    list_filter = ["role", "resource"]


@admin.register(Staff)
class StaffAdmin(TenantModelAdmin):
    list_display = ["employee_no", "name", "role", "store", "org_unit", "active"]
    list_filter = ["role", "store", "active"]
    search_fields = ["name", "employee_no"]
