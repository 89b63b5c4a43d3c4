"""Back office for the guests app: tags (with their auto-tag rules) are configuration; guests
and their parts are there for HQ to look up and correct, audited like every admin change."""

from django.contrib import admin

from huike.core.admin_base import TenantModelAdmin

from .models import (
    CollectedFact,
    Guest,
    GuestContact,
    GuestPhone,
    GuestTag,
    GuestTagging,
    ImportantDate,
)


@admin.register(Guest)
class GuestAdmin(TenantModelAdmin):
    list_display = ["name", "title", "primary_phone", "home_store", "visit_count", "last_visit_at"]
    list_filter = ["home_store", "meal_type", "marketing_consent"]
    search_fields = ["name", "title", "primary_phone"]
    raw_id_fields = ["referrer", "merged_into"]
    readonly_fields = [
        "visit_count",
        "total_spend",
        "first_visit_at",
        "last_visit_at",
        "merged_into",
        "anonymised_at",
        "consent_at",
        "created_by",
        "primary_phone",  # changed through the console, where it is normalised and checked
    ]


@admin.register(GuestPhone)
class GuestPhoneAdmin(TenantModelAdmin):
    list_display = ["phone", "label", "guest"]
    search_fields = ["phone"]
    raw_id_fields = ["guest"]
    readonly_fields = ["phone"]  # added through the console, where it is normalised


@admin.register(ImportantDate)
class ImportantDateAdmin(TenantModelAdmin):
    list_display = ["guest", "kind", "date", "label"]
    list_filter = ["kind"]
    raw_id_fields = ["guest"]


@admin.register(GuestContact)
class GuestContactAdmin(TenantModelAdmin):
    list_display = ["name", "relation", "guest"]
    raw_id_fields = ["guest"]
    readonly_fields = ["phone"]


@admin.register(GuestTag)
class GuestTagAdmin(TenantModelAdmin):
    list_display = ["name", "colour", "rule"]
    search_fields = ["name"]


@admin.register(GuestTagging)
class GuestTaggingAdmin(TenantModelAdmin):
    list_display = ["guest", "tag", "auto", "added_at"]
    list_filter = ["tag", "auto"]
    raw_id_fields = ["guest"]


@admin.register(CollectedFact)
class CollectedFactAdmin(TenantModelAdmin):
    list_display = ["guest", "point", "store", "captured_by", "captured_at"]
    list_filter = ["point", "store"]
    raw_id_fields = ["guest"]
