"""{{ store|hours_today:now }}: the store's opening hours for its own local today."""

from django import template

from huike.core.timeutils import in_zone

from ..models import WEEKDAYS
from ..opening_hours import format_day

register = template.Library()


@register.filter
def hours_today(store, now):
    local = in_zone(now, store.time_zone)
    return format_day((store.opening_hours or {}).get(WEEKDAYS[local.weekday()]))
