from django.contrib import admin

from huike.core.admin_base import TenantModelAdmin

from .models import Competitor, CompetitorDish, CompetitorNote


@admin.register(Competitor)
class CompetitorAdmin(TenantModelAdmin):
    list_display = ["name", "kind", "brand", "cuisine", "city", "average_spend", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "brand", "cuisine", "city"]


@admin.register(CompetitorNote)
class CompetitorNoteAdmin(TenantModelAdmin):
    list_display = ["competitor", "text", "author", "created_at"]
    readonly_fields = ["author"]
    list_select_related = ["competitor", "author"]
    search_fields = ["text"]


@admin.register(CompetitorDish)
class CompetitorDishAdmin(TenantModelAdmin):
    list_display = ["name", "competitor", "category", "price", "observed_at", "our_dish"]
    list_select_related = ["competitor", "our_dish"]
    search_fields = ["name", "category"]
