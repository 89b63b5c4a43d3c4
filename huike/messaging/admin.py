from django.contrib import admin

from huike.core.admin_base import TenantModelAdmin

from .models import Message


@admin.register(Message)
class MessageAdmin(TenantModelAdmin):
    """Read-only: the outbox is written by its services only."""

    list_display = ("created_at", "channel", "purpose", "reference", "status", "attempts")
    list_filter = ("status", "channel")
    search_fields = ("reference", "provider_message_id", "dedupe_key")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
