"""Reads of the telephony app: the desk's stores and recent calls, and the pop of one call as
the reading user may see it."""

from __future__ import annotations

from django.db.models import QuerySet

from huike.core.permissions import check_perm, get_for_user, has_perm, restrict, visible_fields
from huike.core.phone import display_phone, mask_phone
from huike.guests import permissions as guest_perms
from huike.guests.models import Guest
from huike.guests.profile360 import guest_360
from huike.guests.selectors import guest_brief, guest_sheet, sheet_related
from huike.org.models import Store

from . import permissions as perms
from .models import IncomingCall

RECENT_CALLS = 20
LAST_VISITS = 5
# What the pop shows of the guest sheet, when the role may see it.
POP_SHEET_KEYS = ("title", "taste_preferences", "dish_requirements", "likes", "taboos", "notes")
# The 360 sections the pop shows (each already filtered by the role's visible fields).
POP_SECTIONS = ("loyalty", "consumption", "top_dishes", "bookings")
OPEN_BOOKINGS = 3  # the caller's next bookings (pending, confirmed, seated) the pop lists


def desk_stores(*, user) -> QuerySet[Store]:
    check_perm(user, perms.DESK)
    return restrict(Store.objects.filter(active=True), user).order_by("name")


def recent_calls(*, user, store: Store) -> QuerySet[IncomingCall]:
    check_perm(user, perms.DESK)
    calls = restrict(IncomingCall.objects.filter(store=store), user)
    return calls.select_related("guest", "line")[:RECENT_CALLS]


def call_get_for_user(*, user, call_id) -> IncomingCall:
    check_perm(user, perms.DESK)
    return get_for_user(IncomingCall.objects.select_related("line", "store"), user, pk=call_id)


def _phone_shown(call: IncomingCall, user) -> str:
    """The caller as the desk shows it: masked unless the role sees guests' phones."""
    if not call.caller_valid:
        return call.caller
    return (
        display_phone(call.caller)
        if "phone" in visible_fields(user, "guest")
        else mask_phone(call.caller)
    )


def call_pop(*, user, call: IncomingCall) -> dict:
    """What the desk sees when ``call`` rings: the known guest's brief (sheet keys and 360
    sections the role may see), or for an unknown number just the number."""
    pop = {"call": call, "phone": _phone_shown(call, user), "guest": None}
    if call.guest_id is None or not has_perm(user, guest_perms.VIEW_GUESTS):
        return pop
    guest = sheet_related(Guest.objects.all()).filter(pk=call.guest_id).first()
    if guest is None:
        return pop
    sheet = guest_sheet(user=user, guest=guest)
    sections = {
        s["code"]: s["data"]
        for s in guest_360(user=user, guest=guest)["sections"]
        if s["code"] in POP_SECTIONS
    }
    consumption = sections.get("consumption") or {}
    pop["guest"] = {
        **guest_brief(user=user, guest=guest),
        "sheet": {key: sheet[key] for key in POP_SHEET_KEYS if sheet.get(key)},
        "cards": (sections.get("loyalty") or {}).get("cards", []),
        "visits": consumption.get("orders", [])[:LAST_VISITS],
        "dishes": (sections.get("top_dishes") or {}).get("dishes", []),
        "bookings": (sections.get("bookings") or {}).get("upcoming", [])[:OPEN_BOOKINGS],
        "visit_count": sheet.get("visit_count"),
        "last_visit_at": sheet.get("last_visit_at"),
    }
    return pop
