"""Every write of the waitlist (候位, R4): add a party, offer it the next free slot, book the
offer, cancel, and expire the entries whose day has passed. One transaction each,
permission-checked with the reservations permissions, audited, and announced on the store's
floor channel so open waitlist pages redraw.

Booking an offer goes through ``reservations.services.booking_create`` in the same
transaction: the table slot is guarded there (decision 0021), so two agents booking the same
slot for two parties get one booking and one ``table_taken`` conflict; the losing entry goes
back to waiting. See decision 0025.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.permissions import check_perm
from huike.core.tenancy import require_active_tenant
from huike.core.timeutils import local_today, zone
from huike.live import bus
from huike.menu.models import DiningTable
from huike.messaging.selectors import guest_contact
from huike.messaging.services import message_enqueue
from huike.org.models import Store
from huike.reservations import permissions as perms
from huike.reservations import services as reservations
from huike.reservations.availability import Slot
from huike.reservations.inputs import guest_for, party_size_of, store_for

from .models import WaitlistEntry
from .selectors import entry_next_slot, entry_window

Status = WaitlistEntry.Status
MAX_NOTES = 2000


# --- Errors -----------------------------------------------------------------------------------
def _not_open(entry: WaitlistEntry) -> errors.Conflict:
    return errors.Conflict(
        _("This waitlist entry is %(status)s: it can no longer be changed.")
        % {"status": entry.get_status_display()},
        code="waitlist_entry_closed",
    )


def _no_slot() -> errors.Conflict:
    return errors.Conflict(
        _("No table is free for this party inside its time window."), code="no_slot_free"
    )


# --- Input ------------------------------------------------------------------------------------
def _window(store: Store, day, earliest, latest) -> tuple[dt.date, dt.time, dt.time]:
    problems: dict[str, list[str]] = {}
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        problems["day"] = [_("Enter a date.")]
    elif day < local_today(store.time_zone):
        problems["day"] = [_("This day has already passed.")]
    for name, value in (("earliest", earliest), ("latest", latest)):
        if not isinstance(value, dt.time):
            problems[name] = [_("Enter a time.")]
    if not problems and latest < earliest:
        problems["latest"] = [_("The latest start cannot be before the earliest.")]
    if problems:
        raise errors.InvalidInput(fields=problems)
    return day, earliest.replace(second=0, microsecond=0), latest.replace(second=0, microsecond=0)


def _notes(notes) -> str:
    text = (notes or "").strip()
    if len(text) > MAX_NOTES:
        raise errors.InvalidInput(
            fields={"notes": [_("At most %(n)s characters.") % {"n": MAX_NOTES}]}
        )
    return text


def _unreachable() -> errors.Conflict:
    return errors.Conflict(
        _("This guest has no phone number or email address to send it to."),
        code="guest_unreachable",
    )


def _lock(entry: WaitlistEntry | int) -> WaitlistEntry:
    pk = entry.pk if isinstance(entry, WaitlistEntry) else entry
    try:
        return (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("store", "guest", "offered_table")
            .get(pk=pk)
        )
    except (WaitlistEntry.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


def _publish(entry: WaitlistEntry) -> None:
    """Tell the store's open waitlist pages (sent after commit); the floor page ignores it."""
    bus.publish(
        f"store:{entry.store_id}:floor", "waitlist", {"entry": entry.pk, "status": entry.status}
    )


def _set_offer(entry: WaitlistEntry, slot: Slot | None) -> None:
    if slot is None:
        entry.status = Status.WAITING
        entry.offered_table = None
        entry.offered_starts_at = entry.offered_ends_at = entry.offered_at = None
    else:
        entry.status = Status.OFFERED
        entry.offered_table = slot.table
        entry.offered_starts_at, entry.offered_ends_at = slot.starts_at, slot.ends_at
        entry.offered_at = timezone.now()


def _offer_fields():
    return [
        "status",
        "offered_table",
        "offered_starts_at",
        "offered_ends_at",
        "offered_at",
        "updated_at",
    ]


def _offer_changes(before: tuple, entry: WaitlistEntry) -> dict:
    after = _offer_state(entry)
    return {"status": [before[0], after[0]], "offer": [before[1], after[1]]}


def _offer_state(entry: WaitlistEntry) -> tuple[str, str]:
    if entry.offered_starts_at is None or entry.offered_table is None:
        return entry.status, ""
    return entry.status, f"{entry.offered_table.code} {entry.offered_starts_at.isoformat()}"


def _reoffer(entry: WaitlistEntry, *, acting_user, now=None) -> bool:
    """Offer the locked open entry its next free slot now (or take the offer back when
    nothing is free); True when the offer changed."""
    before = _offer_state(entry)
    _set_offer(entry, entry_next_slot(entry, now=now))
    if _offer_state(entry) == before:
        return False
    entry.save(update_fields=_offer_fields())
    audit_record(
        action=Action.UPDATE, actor=acting_user, obj=entry, changes=_offer_changes(before, entry)
    )
    _publish(entry)
    return True


# --- Actions ----------------------------------------------------------------------------------
@transaction.atomic
def waitlist_add(
    *,
    acting_user,
    store,
    party_size,
    day,
    earliest,
    latest,
    guest_phone: str = "",
    guest=None,
    guest_name: str = "",
    notes: str = "",
) -> WaitlistEntry:
    """Put a party on the store's waitlist (候位) for a day between an earliest and a latest
    start; the guest is found or created by phone. When a slot is already free it is offered at
    once."""
    check_perm(acting_user, perms.BOOK)
    store = store_for(acting_user, store)
    party_size = party_size_of(party_size)
    day, earliest, latest = _window(store, day, earliest, latest)
    notes = _notes(notes)
    found = guest_for(acting_user, guest=guest, guest_phone=guest_phone, guest_name=guest_name)
    if WaitlistEntry.objects.filter(
        store=store, guest=found, day=day, status__in=WaitlistEntry.OPEN
    ).exists():
        raise errors.Conflict(
            _("This guest is already on this day's waitlist."), code="already_waiting"
        )
    entry = WaitlistEntry.objects.create(
        tenant=require_active_tenant(),
        store=store,
        guest=found,
        party_size=party_size,
        day=day,
        earliest=earliest,
        latest=latest,
        notes=notes,
        created_by=acting_user if acting_user is not None and acting_user.pk else None,
    )
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=entry,
        changes={
            "store": store.pk,
            "guest": found.pk,
            "party_size": party_size,
            "day": day.isoformat(),
            "window": f"{earliest:%H:%M}-{latest:%H:%M}",
        },
    )
    if not _reoffer(entry, acting_user=acting_user):
        _publish(entry)
    return entry


@transaction.atomic
def waitlist_offer(*, acting_user, entry) -> WaitlistEntry:
    """Offer the entry the next free slot of its window now; with nothing free it waits
    (``no_slot_free``)."""
    check_perm(acting_user, perms.BOOK)
    entry = _lock(entry)
    if not entry.is_open:
        raise _not_open(entry)
    _reoffer(entry, acting_user=acting_user)
    return entry


def offer_text_values(entry: WaitlistEntry) -> dict[str, str]:
    """The placeholders of the offer message, in the order the SMS template takes them."""
    local = timezone.localtime(entry.offered_starts_at, zone(entry.store.time_zone))
    guest = entry.guest
    return {
        "guest": guest.title or guest.name or _("Dear guest"),
        "store": entry.store.name,
        "date": f"{local.month}月{local.day}日",
        "time": f"{local:%H:%M}",
        "party": str(entry.party_size),
        "table": entry.offered_table.name or entry.offered_table.code,
    }


@transaction.atomic
def waitlist_notify(*, acting_user, entry) -> WaitlistEntry:
    """Tell the waiting guest (SMS, or email if they prefer it) that a table is free: the
    entry's next free slot, found again now. Each slot is sent once, however often staff press
    the button; a different slot later is a new message. Nothing free: ``no_slot_free``."""
    check_perm(acting_user, perms.BOOK)
    entry = _lock(entry)
    if not entry.is_open:
        raise _not_open(entry)
    _reoffer(entry, acting_user=acting_user)
    if entry.status != Status.OFFERED:
        raise _no_slot()
    channel, recipient = guest_contact(entry.guest)
    if not channel:
        raise _unreachable()
    values = offer_text_values(entry)
    message = message_enqueue(
        channel=channel,
        recipient=recipient,
        purpose="waitlist.offer",
        body=_(
            "%(guest)s, a table for %(party)s is free at %(store)s on %(date)s at %(time)s "
            "(%(table)s). Call us soon to book it."
        )
        % values,
        params=list(values.values()),
        subject=_("A table is free · %(store)s") % values,
        reference=f"waitlist.entry:{entry.pk}",
        dedupe_key=(
            f"waitlist:{entry.pk}:offer:{entry.offered_table_id}:"
            f"{entry.offered_starts_at.isoformat()}"
        ),
        acting_user=acting_user,
    )
    if entry.offer_message_id != message.pk:
        entry.offer_message = message
        entry.save(update_fields=["offer_message", "updated_at"])
        audit_record(
            action=Action.UPDATE,
            actor=acting_user,
            obj=entry,
            changes={"offer_sent": message.pk, "channel": channel},
        )
        _publish(entry)
    return entry


@transaction.atomic
def waitlist_check(*, acting_user, store, day: dt.date | None = None) -> list[WaitlistEntry]:
    """ "Check again": offer every open entry of the store (of ``day``, else of today and later)
    its next free slot now, in the order they were added, and take back the offers whose slot
    has gone. Returns the entries now offered."""
    check_perm(acting_user, perms.BOOK)
    store = store_for(acting_user, store)
    entries = WaitlistEntry.objects.filter(store=store, status__in=WaitlistEntry.OPEN)
    if day is not None:
        entries = entries.filter(day=day)
    else:
        entries = entries.filter(day__gte=local_today(store.time_zone))
    now = timezone.now()
    offered = []
    for pk in entries.order_by("created_at", "pk").values_list("pk", flat=True):
        entry = _lock(pk)
        _reoffer(entry, acting_user=acting_user, now=now)
        if entry.status == Status.OFFERED:
            offered.append(entry)
    return offered


def waitlist_accept(
    *, acting_user, entry, table=None, starts_at: dt.datetime | None = None
) -> WaitlistEntry:
    """Book the entry: the slot given (a table and a start inside the window), else its offer,
    else the next free slot now. The booking is made by ``booking_create`` in the same
    transaction as the entry's change to booked. When the slot has been taken meanwhile, the
    conflict is raised and the entry is back to waiting."""
    check_perm(acting_user, perms.BOOK)
    try:
        with transaction.atomic():
            return _accept(acting_user, entry, table=table, starts_at=starts_at)
    except errors.Conflict as exc:
        if exc.code != "waitlist_entry_closed":
            _withdraw_offer(acting_user, entry)
        raise


def _accept(acting_user, entry, *, table, starts_at) -> WaitlistEntry:
    entry = _lock(entry)
    if not entry.is_open:
        raise _not_open(entry)
    if (table in (None, "")) != (starts_at is None):
        field = "starts_at" if starts_at is None else "table"
        raise errors.InvalidInput(
            fields={field: [_("Give both the table and the start, or neither.")]}
        )
    if starts_at is not None:
        if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
            raise errors.InvalidInput(fields={"starts_at": [_("Enter a date and time.")]})
        earliest, latest = entry_window(entry)
        if not earliest <= starts_at <= latest:
            raise errors.InvalidInput(
                fields={
                    "starts_at": [
                        _("The start must be between %(earliest)s and %(latest)s.")
                        % {
                            "earliest": f"{entry.earliest:%H:%M}",
                            "latest": f"{entry.latest:%H:%M}",
                        }
                    ]
                },
                code="outside_window",
            )
        slot_table, slot_start = table, starts_at
    elif (
        entry.status == Status.OFFERED
        and entry.offered_table_id
        and entry.offered_starts_at >= timezone.now()
    ):
        slot_table, slot_start = entry.offered_table_id, entry.offered_starts_at
    else:
        slot = entry_next_slot(entry)
        if slot is None:
            raise _no_slot()
        slot_table, slot_start = slot.table, slot.starts_at
    booking = reservations.booking_create(
        acting_user=acting_user,
        store=entry.store,
        starts_at=slot_start,
        party_size=entry.party_size,
        guest=entry.guest,
        table=slot_table.pk if isinstance(slot_table, DiningTable) else slot_table,
        notes=entry.notes,
        source="phone",
    )
    before = entry.status
    entry.status = Status.BOOKED
    entry.booking = booking
    entry.save(update_fields=["status", "booking", "updated_at"])
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=entry,
        changes={"status": [before, entry.status], "booking": booking.pk},
    )
    _publish(entry)
    return entry


def _withdraw_offer(acting_user, entry) -> None:
    """After a refused booking: an offered entry goes back to waiting (its slot is gone)."""
    with transaction.atomic():
        try:
            entry = _lock(entry)
        except errors.NotFound:
            return
        if entry.status != Status.OFFERED:
            return
        before = _offer_state(entry)
        _set_offer(entry, None)
        entry.save(update_fields=_offer_fields())
        audit_record(
            action=Action.UPDATE,
            actor=acting_user,
            obj=entry,
            changes=_offer_changes(before, entry),
        )
        _publish(entry)


@transaction.atomic
def waitlist_cancel(*, acting_user, entry, reason: str = "") -> WaitlistEntry:
    """Take a party off the waitlist (the guest no longer waits)."""
    check_perm(acting_user, perms.BOOK)
    entry = _lock(entry)
    if not entry.is_open:
        raise _not_open(entry)
    text = (reason or "").strip()
    if len(text) > 200:
        raise errors.InvalidInput(fields={"reason": [_("At most 200 characters.")]})
    before = entry.status
    _set_offer(entry, None)
    entry.status = Status.CANCELLED
    entry.status_reason = text
    entry.save(update_fields=[*_offer_fields(), "status_reason"])
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=entry,
        changes={"status": [before, entry.status], **({"reason": text} if text else {})},
    )
    _publish(entry)
    return entry


@transaction.atomic
def waitlist_expire(*, now: dt.datetime | None = None) -> int:
    """Expire the open entries of the active tenant whose day has passed in their store's
    time zone (the periodic job, no acting user). Returns how many."""
    now = now or timezone.now()
    expired = 0
    stores = (
        WaitlistEntry.objects.filter(status__in=WaitlistEntry.OPEN)
        .values_list("store_id", flat=True)
        .distinct()
    )
    for store in Store.objects.filter(pk__in=list(stores)).order_by("pk"):
        today = now.astimezone(zone(store.time_zone)).date()
        for entry in (
            WaitlistEntry.objects.select_for_update()
            .filter(store=store, status__in=WaitlistEntry.OPEN, day__lt=today)
            .order_by("pk")
        ):
            before = entry.status
            _set_offer(entry, None)
            entry.status = Status.EXPIRED
            entry.save(update_fields=_offer_fields())
            audit_record(
                action=Action.UPDATE,
                actor=None,
                obj=entry,
                changes={"status": [before, entry.status]},
            )
            expired += 1
    return expired
