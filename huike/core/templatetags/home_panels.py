"""``{% home_panels %}``: the registered home-page panels (``huike.core.home_panels``) for the
signed-in user, each in its own template."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from huike.core.home_panels import home_panels as registered_panels
from huike.core.tenancy import get_active_tenant

register = template.Library()


@register.simple_tag(takes_context=True)
def home_panels(context):
    request = context.get("request")
    user = context.get("user")
    tenant = get_active_tenant()
    if user is None or tenant is None:
        return ""
    parts = []
    for panel in registered_panels(user=user, tenant=tenant):
        body = render_to_string(panel.template, {**panel.context, "panel": panel}, request=request)
        parts.append(f'<div class="mt-3" data-testid="home-panel-{panel.code}">{body}</div>')
    return mark_safe("".join(parts))  # noqa: S308  (our own rendered templates)
