"""Template filters used across the console: money, store-local time, permissions, audit."""

import json

from django import template
from django.utils import formats

from ..menu import menu_for
from ..models import AuditEntry
from ..money import format_cny
from ..permissions import has_perm
from ..timeutils import in_zone

register = template.Library()


@register.filter
def cny(value):
    """{{ amount|cny }} → ¥1,234.50"""
    return format_cny(value)


@register.filter
def in_store_zone(value, zone_name):
    """{{ when|in_store_zone:store.time_zone }}: the time as the store's clock shows it."""
    local = in_zone(value, zone_name)
    return formats.date_format(local, "SHORT_DATETIME_FORMAT") if local else ""


@register.filter
def can(user, code):
    """{% if user|can:"org.manage_stores" %}"""
    return has_perm(user, code)


@register.filter
def audit_action(code):
    """{{ entry.action|audit_action }} → the action's name in the reader's language."""
    try:
        return AuditEntry.Action(code).label
    except ValueError:
        return code


@register.filter
def compact_json(value):
    """{{ entry.changes|compact_json }} → {"name": ["旧", "新"]} (readable, Chinese as itself)."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


@register.simple_tag(takes_context=True)
def main_menu(context):
    """{% main_menu as groups %}: the menu groups the signed-in user may see."""
    request = context["request"]
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else None
    return menu_for(request.user, current or (match.url_name if match else None))
