"""Back office for the pricing configuration: member prices and discount rules."""

from django.contrib import admin

from huike.core.admin_base import TenantModelAdmin

from .models import MemberPrice, PricingRule


@admin.register(MemberPrice)
class MemberPriceAdmin(TenantModelAdmin):
    list_display = ["dish", "tier", "price"]
    list_filter = ["tier"]


@admin.register(PricingRule)
class PricingRuleAdmin(TenantModelAdmin):
    list_display = ["name", "kind", "brand", "tier", "active", "valid_from", "valid_until"]
    list_filter = ["kind", "brand", "tier", "active"]
