"""Back office for the loyalty app's configuration: tiers and top-up bonus rules. Cards and the
ledger are changed only through the services (the ledger is append-only), so they are not
here."""

from django.contrib import admin

from huike.core.admin_base import TenantModelAdmin

from .models import Tier, TopUpRule


@admin.register(Tier)
class TierAdmin(TenantModelAdmin):
    list_display = ["code", "name", "rank"]
    search_fields = ["code", "name"]


@admin.register(TopUpRule)
class TopUpRuleAdmin(TenantModelAdmin):
    list_display = ["brand", "pay_at_least", "bonus", "active"]
    list_filter = ["brand", "active"]
