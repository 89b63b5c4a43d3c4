from django.contrib import admin

from .models import Brand, FieldPolicy, OrgUnit, Role, Staff, Store


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "active"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "city", "time_zone", "active"]
    list_filter = ["brand", "active"]
    search_fields = ["name", "code", "city"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "path"]
    list_filter = ["kind"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "row_scope", "is_system"]


@admin.register(FieldPolicy)
class FieldPolicyAdmin(admin.ModelAdmin):
    list_display = ["role", "resource", "field", "visible"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "name", "role", "store", "org_unit", "active"]
    list_filter = ["role", "store", "active"]
    search_fields = ["name", "employee_no"]
