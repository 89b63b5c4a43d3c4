"""The 360° view of a guest (G3), built from sections that each app registers.

How an app adds a section: give it a ``sections.py`` module that calls ``register_section`` at
import time::

    # huike/orders/sections.py
    from huike.guests.profile360 import register_section

    def consumption(*, user, guest):
        return {"orders": [...], "trend": [...]}   # JSON-ready; None to leave the section out

    register_section("consumption", _("Consumption"), consumption, order=40, field="spend")

The registry imports every installed app's ``sections`` module on first use
(``autodiscover_modules("sections")``, as the admin finds ``admin.py``), so the guests app
never has to know its contributors, and no app has to touch this file.

``field`` names the guest-sheet field (G5) gating the section: a user whose role may not see
that field doesn't get the section at all — in the page, the API and wherever the 360 is read.
Builders get the already fetched and authorized guest; they must keep their own queries few and
fixed in number (the 360's query count is bounded by a test).

Orders taken so far (leave gaps): profile 10, feedback 60, merge history 90.

A test that registers a section of its own calls ``discover()`` first and then swaps in a copy
of the registry (``monkeypatch.setattr(profile360, "_SECTIONS", dict(profile360._SECTIONS))``),
so the apps' sections are not lost with the copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

from huike.core.permissions import FIELD_RESOURCES, check_perm, visible_fields

from . import permissions as perms
from .models import Guest

Builder = Callable[..., dict | None]


@dataclass(frozen=True)
class Section:
    code: str
    title: object  # a lazy translation, shown in the reader's language
    builder: Builder
    order: int
    field: str | None = None


_SECTIONS: dict[str, Section] = {}
_discovered = False
_lock = threading.Lock()


def register_section(
    code: str, title, builder: Builder, *, order: int, field: str | None = None
) -> Section:
    """Add (or replace, by ``code``) a section of the 360. ``builder(*, user, guest)`` returns
    the section's JSON-ready data, or None to leave it out for this guest."""
    if field is not None and field not in {f.name for f in FIELD_RESOURCES["guest"].fields}:
        raise KeyError(f"{field!r} is not a field of the guest sheet")
    section = Section(code, title, builder, order, field)
    _SECTIONS[code] = section
    return section


def discover() -> None:
    """Import each installed app's ``sections`` module, once."""
    global _discovered
    if _discovered:
        return
    with _lock:
        if not _discovered:
            autodiscover_modules("sections")
            _discovered = True


def sections() -> list[Section]:
    """Every registered section, in order."""
    discover()
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.code))


def guest_360(*, user, guest: Guest) -> dict:
    """The guest as ``user`` may see them, section by section, in one call:
    ``{"guest": id, "sections": [{"code", "title", "data"}, …]}``. Sections gated by a
    guest-sheet field the user may not see, and sections whose builder returns None, are left
    out."""
    check_perm(user, perms.VIEW_GUESTS)
    visible = visible_fields(user, "guest")
    built = []
    for section in sections():
        if section.field is not None and section.field not in visible:
            continue
        data = section.builder(user=user, guest=guest)
        if data is None:
            continue
        built.append({"code": section.code, "title": str(section.title), "data": data})
    return {"guest": guest.pk, "sections": built}
