"""Reads of the guests app: the guest sheet (客情表, G5), the guest list and the phone lookup.

``guest_sheet`` is the one server-side filter of what a role sees of a guest: the guest page,
the API, the Excel export and the 360° view all read a guest through it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.permissions import check_perm, get_for_user, visible_fields
from huike.core.phone import mask_phone, normalise_phone
from huike.core.timeutils import day_bounds

from . import permissions as perms
from .models import Guest, GuestPhone, GuestTagging

# Which field of the guest sheet (the role × field policy) governs each key of the sheet.
# Keys not listed here (id, home store, …) are shown to everyone who may see the guest.
SHEET_KEYS = {
    "name": "name",
    "surname": "name",
    "title": "title",
    "gender": "gender",
    "email": "email",
    "birthday": "birthday",
    "important_dates": "birthday",
    "company": "company",
    "job_title": "company",
    "address": "address",
    "contacts": "contacts",
    "referrer": "contacts",
    "taste_preferences": "taste_preferences",
    "dish_requirements": "dish_requirements",
    "likes": "likes",
    "taboos": "taboos",
    "preferred_room": "preferred_room",
    "meal_type": "meal_type",
    "preferred_channel": "preferred_channel",
    "marketing_consent": "marketing_consent",
    "consent_source": "marketing_consent",
    "consent_at": "marketing_consent",
    "tags": "tags",
    "visit_count": "visits",
    "first_visit_at": "visits",
    "last_visit_at": "visits",
    "total_spend": "spend",
    "notes": "notes",
}


ALWAYS_SHOWN = ("id", "phone", "phone_masked", "phones", "home_store", "merged_into", "anonymised")


def sheet_keys(*, user) -> list[str]:
    """The keys of every sheet ``user`` reads (they depend on the role, not on the guest)."""
    visible = visible_fields(user, "guest")
    return [*ALWAYS_SHOWN, *(key for key, field in SHEET_KEYS.items() if field in visible)]


def sheet_related(queryset: QuerySet[Guest]) -> QuerySet[Guest]:
    """``queryset`` with what the sheet reads, fetched in a fixed number of queries."""
    return queryset.select_related("referrer", "home_store").prefetch_related(
        "phones",
        "important_dates",
        "contacts",
        Prefetch("taggings", queryset=GuestTagging.objects.select_related("tag")),
    )


def _phone(value: str, full: bool) -> str:
    return value if full else mask_phone(value)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def guest_sheet(*, user, guest: Guest) -> dict:
    """The guest's profile as ``user``'s role may see it (G5).

    Every key governed by a field the role may not see is left out. Phones are always present
    but masked (138****1234) unless the role sees the "phone" field; ``phone_masked`` says which.
    Dates and times are ISO strings, money a string with two places: JSON- and Excel-ready.
    """
    visible = visible_fields(user, "guest")
    full_phone = "phone" in visible
    sheet = {
        "id": guest.pk,
        "phone": _phone(guest.primary_phone, full_phone),
        "phone_masked": not full_phone,
        "phones": [
            {"id": p.pk, "phone": _phone(p.phone, full_phone), "label": p.label}
            for p in guest.phones.all()
        ],
        "home_store": (
            {"id": guest.home_store_id, "name": guest.home_store.name}
            if guest.home_store_id
            else None
        ),
        "merged_into": guest.merged_into_id,
        "anonymised": guest.anonymised_at is not None,
    }
    wanted = {key for key, field in SHEET_KEYS.items() if field in visible}
    values = {
        "name": lambda: guest.name,
        "surname": lambda: guest.surname,
        "title": lambda: guest.title,
        "gender": lambda: guest.gender,
        "email": lambda: guest.email,
        "birthday": lambda: _iso(guest.birthday),
        "important_dates": lambda: [
            {"id": d.pk, "kind": d.kind, "date": d.date.isoformat(), "label": d.label}
            for d in guest.important_dates.all()
        ],
        "company": lambda: guest.company,
        "job_title": lambda: guest.job_title,
        "address": lambda: guest.address,
        "contacts": lambda: [
            {
                "id": c.pk,
                "name": c.name,
                "relation": c.relation,
                "phone": _phone(c.phone, full_phone),
            }
            for c in guest.contacts.all()
        ],
        "referrer": lambda: (
            {"id": guest.referrer_id, "name": str(guest.referrer)} if guest.referrer_id else None
        ),
        "taste_preferences": lambda: guest.taste_preferences,
        "dish_requirements": lambda: guest.dish_requirements,
        "likes": lambda: guest.likes,
        "taboos": lambda: guest.taboos,
        "preferred_room": lambda: guest.preferred_room,
        "meal_type": lambda: guest.meal_type,
        "preferred_channel": lambda: guest.preferred_channel,
        "marketing_consent": lambda: guest.marketing_consent,
        "consent_source": lambda: guest.consent_source,
        "consent_at": lambda: _iso(guest.consent_at),
        "tags": lambda: [
            {"id": t.tag_id, "name": t.tag.name, "colour": t.tag.colour, "auto": t.auto}
            for t in sorted(guest.taggings.all(), key=lambda t: t.tag.name)
        ],
        "visit_count": lambda: guest.visit_count,
        "first_visit_at": lambda: _iso(guest.first_visit_at),
        "last_visit_at": lambda: _iso(guest.last_visit_at),
        "total_spend": lambda: f"{guest.total_spend:.2f}",
        "notes": lambda: guest.notes,
    }
    for key in SHEET_KEYS:  # in the sheet's order
        if key in wanted:
            sheet[key] = values[key]()
    return sheet


def guest_brief(*, user, guest: Guest, visible: set[str] | None = None) -> dict:
    """Id, name and phone of a guest, as the reader's sheet shows them."""
    visible = visible_fields(user, "guest") if visible is None else visible
    return {
        "id": guest.pk,
        "name": (guest.name or guest.title) if "name" in visible else "",
        "phone": guest.primary_phone if "phone" in visible else mask_phone(guest.primary_phone),
    }


def guest_get_for_user(*, user, guest_id) -> Guest:
    """Fetch-and-authorize: a guest of another tenant, or one that doesn't exist, is NotFound."""
    check_perm(user, perms.VIEW_GUESTS)
    return get_for_user(sheet_related(Guest.objects.all()), user, pk=guest_id)


def guest_list(
    *,
    user,
    name: str | None = None,
    phone_tail: str | None = None,
    tag: int | None = None,
    store: int | None = None,
    last_visit_from: dt.date | None = None,
    last_visit_to: dt.date | None = None,
) -> QuerySet[Guest]:
    """Guests matching every filter given, latest visit first. Guests merged into another and
    anonymised ones are left out. ``phone_tail`` is the last four digits of any of the guest's
    phones; ``store`` the home store; the visit dates are whole days in Asia/Shanghai."""
    check_perm(user, perms.VIEW_GUESTS)
    guests = Guest.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
    if name:
        name = name.strip()
        guests = guests.filter(Q(name__icontains=name) | Q(title__icontains=name) | Q(surname=name))
    if phone_tail:
        tail = phone_tail.strip()
        if not (tail.isdigit() and len(tail) == 4):
            raise errors.InvalidInput(
                fields={"phone_tail": [_("Enter the last four digits of the phone number.")]},
                code="invalid_input",
            )
        further = GuestPhone.objects.filter(guest=OuterRef("pk"), phone__endswith=tail)
        guests = guests.filter(Q(primary_phone__endswith=tail) | Exists(further))
    if tag:
        guests = guests.filter(Exists(GuestTagging.objects.filter(guest=OuterRef("pk"), tag=tag)))
    if store:
        guests = guests.filter(home_store_id=store)
    if last_visit_from:
        guests = guests.filter(last_visit_at__gte=day_bounds(last_visit_from)[0])
    if last_visit_to:
        guests = guests.filter(last_visit_at__lt=day_bounds(last_visit_to)[1])
    return guests.order_by(F("last_visit_at").desc(nulls_last=True), "-id")


def guest_by_phone(phone: str) -> Guest | None:
    """The guest with this phone (primary or further, any common way of writing it), following
    a merge to the surviving guest; InvalidInput when ``phone`` is no valid number."""
    e164 = normalise_phone(phone, field="phone")
    # ``primary_phone__gt=""`` repeats the condition of the unique index on (tenant, phone), so
    # the planner may use that partial index (SQLite can't tell it from the bound value alone).
    guest = Guest.objects.filter(primary_phone=e164, primary_phone__gt="").first()
    if guest is None:
        further = GuestPhone.objects.filter(phone=e164).select_related("guest").first()
        guest = further.guest if further is not None else None
    seen = set()
    while guest is not None and guest.merged_into_id and guest.pk not in seen:
        seen.add(guest.pk)
        guest = Guest.objects.filter(pk=guest.merged_into_id).first()
    return guest
