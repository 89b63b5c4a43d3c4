"""Notice texts: checking a template's placeholders and filling them for one booking."""

from __future__ import annotations

import string
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PLACEHOLDERS

SUBJECTS = {
    "confirmation": "预订确认",
    "change": "预订变更",
    "cancellation": "预订取消",
    "reminder": "预订提醒",
}

SAMPLE = {
    "guest": "王先生",
    "store": "回客酒家（天河店）",
    "date": "12月1日",
    "time": "18:30",
    "party": "8",
    "table": "牡丹厅",
    "reference": "B000123",
}


def template_problems(text: str) -> list[str]:
    """What is wrong with a notice text: empty, unknown placeholders, or broken braces."""
    if not (text or "").strip():
        return [_("Enter the text of the notice.")]
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [_("Unbalanced braces: write {{ and }} for a literal brace.")]
    unknown = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            unknown.append("{" + name + (f"!{conversion}" if conversion else "") + "}")
    if unknown:
        return [
            _("Unknown placeholder %(names)s; use %(known)s.")
            % {
                "names": ", ".join(unknown),
                "known": ", ".join("{" + p + "}" for p in PLACEHOLDERS),
            }
        ]
    return []


def fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)


def values_for(booking) -> dict[str, str]:
    """The placeholder values of a booking, its time in its store's time zone."""
    store = booking.store
    zone = zoneinfo.ZoneInfo(getattr(store, "time_zone", "") or "Asia/Shanghai")
    local = timezone.localtime(booking.starts_at, zone)
    guest = booking.guest
    table = booking.table
    return {
        "guest": guest.title or guest.name or "尊敬的顾客",
        "store": store.name,
        "date": f"{local.month}月{local.day}日",
        "time": f"{local:%H:%M}",
        "party": str(booking.party_size),
        "table": (getattr(table, "name", "") or table.code) if table is not None else "待安排",
        "reference": reference_of(booking),
    }


def reference_of(booking) -> str:
    return f"B{booking.pk:06d}"
