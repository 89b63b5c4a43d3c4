from django.contrib import admin

from huike.core.admin_base import TenantModelAdmin

from .models import Dish, DishAvailability, DishCategory


@admin.register(DishCategory)
class DishCategoryAdmin(TenantModelAdmin):
    list_display = ["name", "sort_order"]
    search_fields = ["name"]


@admin.register(Dish)
class DishAdmin(TenantModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "kind",
        "price_regular",
        "price_hall",
        "price_vip_room",
        "active",
    ]
    list_filter = ["category", "kind", "active", "recommended", "featured"]
    search_fields = ["code", "name"]
    list_select_related = ["category"]


@admin.register(DishAvailability)
class DishAvailabilityAdmin(TenantModelAdmin):
    list_display = ["dish", "store", "active"]
    list_filter = ["active"]
    list_select_related = ["dish", "store"]
