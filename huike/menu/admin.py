from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from huike.core.admin_base import TenantAdminForm, TenantModelAdmin

from .models import DiningTable, Dish, DishAvailability, DishCategory, FloorArea


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


@admin.register(FloorArea)
class FloorAreaAdmin(TenantModelAdmin):
    list_display = ["name", "store", "sort_order"]
    list_filter = ["store"]
    list_select_related = ["store"]


class DiningTableAdminForm(TenantAdminForm):
    def clean(self):
        data = super().clean()
        store, area = data.get("store"), data.get("area")
        if store and area and area.store_id != store.pk:
            self.add_error("area", _("Choose an area of this store."))
        others = [t for t in data.get("combinable_with") or () if store and t.store_id != store.pk]
        if others:
            self.add_error("combinable_with", _("Only tables of the same store can be joined."))
        return data


@admin.register(DiningTable)
class DiningTableAdmin(TenantModelAdmin):
    form = DiningTableAdminForm
    list_display = [
        "code",
        "name",
        "store",
        "area",
        "kind",
        "capacity_min",
        "capacity_max",
        "min_spend",
        "featured",
        "active",
    ]
    list_filter = ["store", "kind", "featured", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["store", "area"]
    filter_horizontal = ["combinable_with"]
