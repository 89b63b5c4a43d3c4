"""Booking notice services: set the policy, send the notice of a booking event, send the
reminders that are due. Every notice has a dedupe key (``booking:<id>:<kind>…``) held unique
both by ``BookingNotice`` and by the outbox, so handling an event twice, two reminder jobs at
once, or a worker restarting sends it once.

Booking notices are transactional (the guest asked for the booking), so they go out whatever
the guest's marketing consent says; see decision 0026.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.permissions import check_perm, restrict
from huike.core.tenancy import require_active_tenant
from huike.core.timeutils import zone
from huike.messaging.selectors import guest_contact
from huike.messaging.services import message_enqueue
from huike.org.models import Store
from huike.reservations.models import Booking, BookingEvent

from . import permissions as perms
from . import texts
from .models import MAX_REMINDER_MINUTES, BookingNotice, NoticeKind, NoticePolicy

log = logging.getLogger(__name__)

# Which booking events tell the guest what. "created" sends the confirmation (a booking taken
# by phone is confirmed to the guest at once); "confirmed" maps to the same notice and dedupe
# key, so a booking created and later confirmed is told once.
EVENT_NOTICES = {
    BookingEvent.Kind.CREATED: NoticeKind.CONFIRMATION,
    BookingEvent.Kind.CONFIRMED: NoticeKind.CONFIRMATION,
    BookingEvent.Kind.MOVED: NoticeKind.CHANGE,
    BookingEvent.Kind.CANCELLED: NoticeKind.CANCELLATION,
}
NO_CONTACT = gettext_noop("no phone number or email address")  # stored; shown translated
REMINDED_STATUSES = (Booking.Status.PENDING, Booking.Status.CONFIRMED)
POLICY_FIELDS = (
    "confirmation_on",
    "change_on",
    "cancellation_on",
    "reminder_on",
    "reminder_minutes",
    "reminder_day_before_at",
    "confirmation_text",
    "change_text",
    "cancellation_text",
    "reminder_text",
)


# --- Policy -----------------------------------------------------------------------------------
def policy_for(store: Store | int | None) -> NoticePolicy:
    """The store's own policy, else the brand group's, else the defaults (unsaved)."""
    store_id = store.pk if isinstance(store, Store) else store
    mine = Q(store__isnull=True) | (Q(store_id=store_id) if store_id else Q(pk__in=[]))
    found = {p.store_id: p for p in NoticePolicy.objects.filter(mine)}
    return found.get(store_id) or found.get(None) or NoticePolicy(store_id=None)


def _policy_store(acting_user, store) -> Store | None:
    if store in (None, "", 0):
        return None
    store_id = store.pk if isinstance(store, Store) else store
    found = restrict(Store.objects.all(), acting_user).filter(pk=store_id).first()
    if found is None:
        raise errors.InvalidInput(fields={"store": [_("Not one of your stores.")]})
    return found


def _clean_policy(values: dict) -> dict:
    problems: dict[str, list[str]] = {}
    minutes = values.get("reminder_minutes")
    if minutes is None or minutes == "":
        problems["reminder_minutes"] = [_("This field is required.")]
    else:
        try:
            minutes = int(minutes)
        except (TypeError, ValueError):
            problems["reminder_minutes"] = [_("Enter a whole number of minutes.")]
        else:
            if minutes < 0:
                problems["reminder_minutes"] = [_("The lead time cannot be negative.")]
            elif minutes > MAX_REMINDER_MINUTES:
                problems["reminder_minutes"] = [
                    _("At most %(n)s minutes (7 days).") % {"n": MAX_REMINDER_MINUTES}
                ]
            values["reminder_minutes"] = minutes
    day_before = values.get("reminder_day_before_at")
    if day_before in ("", None):
        values["reminder_day_before_at"] = None
    elif isinstance(day_before, str):
        try:
            values["reminder_day_before_at"] = dt.time.fromisoformat(day_before)
        except ValueError:
            problems["reminder_day_before_at"] = [_("Enter a time such as 18:00.")]
    elif not isinstance(day_before, dt.time):
        problems["reminder_day_before_at"] = [_("Enter a time such as 18:00.")]
    for kind in NoticeKind.values:
        field = f"{kind}_text"
        text = (values.get(field) or "").strip()
        values[field] = text
        found = texts.template_problems(text)
        if found:
            problems[field] = found
        values[f"{kind}_on"] = bool(values.get(f"{kind}_on"))
    if problems:
        raise errors.InvalidInput(fields=problems)
    return values


@transaction.atomic
def notice_policy_set(*, acting_user, store=None, **fields) -> NoticePolicy:
    """Set the brand group's notice policy, or with ``store`` that store's own. Every field of
    the policy is given; a bad value is refused and nothing is saved."""
    check_perm(acting_user, perms.MANAGE)
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise errors.InvalidInput(fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    store = _policy_store(acting_user, store)
    values = _clean_policy({name: fields.get(name) for name in POLICY_FIELDS})
    policy = NoticePolicy.objects.select_for_update().filter(store=store).first()
    created = policy is None
    if created:
        policy = NoticePolicy(tenant=require_active_tenant(), store=store)
    before = {name: getattr(policy, name) for name in POLICY_FIELDS}
    for name, value in values.items():
        setattr(policy, name, value)
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:
        raise errors.Conflict(
            _("The policy was saved by someone else at the same time; try again."),
            code="notice_policy_conflict",
        ) from exc
    changes = {
        name: [str(before[name]), str(values[name])]
        for name in POLICY_FIELDS
        if created or before[name] != values[name]
    }
    audit_record(
        action=Action.CREATE if created else Action.UPDATE,
        actor=acting_user,
        obj=policy,
        changes=changes,
    )
    return policy


# --- Sending ----------------------------------------------------------------------------------
def _send(booking: Booking, kind: str, dedupe_key: str) -> tuple[BookingNotice, bool]:
    """Write the notice and its outbox message once for ``dedupe_key``; (notice, new)."""
    existing = BookingNotice.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    policy = policy_for(booking.store_id)
    values = texts.values_for(booking)
    channel, recipient = guest_contact(booking.guest)
    note = "" if channel else NO_CONTACT
    try:
        with transaction.atomic():
            message = None
            if channel:
                try:
                    message = message_enqueue(
                        channel=channel,
                        recipient=recipient,
                        purpose=f"notices.{kind}",
                        body=texts.fill(policy.text(kind), values),
                        params=[values[name] for name in texts.PLACEHOLDERS],
                        subject=f"{texts.SUBJECTS[kind]} · {values['store']}",
                        reference=f"reservations.booking:{booking.pk}",
                        dedupe_key=dedupe_key,
                    )
                except errors.InvalidInput as exc:
                    channel, note = (
                        "",
                        "; ".join(str(m) for msgs in (exc.fields or {}).values() for m in msgs)[
                            :200
                        ]
                        or str(exc.message)[:200],
                    )
            notice = BookingNotice.objects.create(
                tenant_id=booking.tenant_id,
                booking=booking,
                kind=kind,
                channel=channel,
                message=message,
                note=note,
                dedupe_key=dedupe_key,
            )
            return notice, True
    except IntegrityError:
        # Written at the same instant by another job: the first one stands.
        existing = BookingNotice.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return existing, False


def notice_for_event(*, event_id: int) -> BookingNotice | None:
    """The notice a booking event calls for (confirmation, change or cancellation), sent once
    however often the event is handled; None when the event tells the guest nothing, the
    policy has that notice off, or the booking moved on (a confirmation of a booking already
    cancelled is not sent)."""
    event = BookingEvent.objects.filter(pk=event_id).first()
    if event is None or event.kind not in EVENT_NOTICES:
        return None
    kind = EVENT_NOTICES[event.kind]
    booking = (
        Booking.objects.select_related("store", "guest", "table")
        .filter(pk=event.booking_id)
        .first()
    )
    if booking is None or not policy_for(booking.store_id).is_on(kind):
        return None
    if kind == NoticeKind.CANCELLATION:
        key = f"booking:{booking.pk}:cancellation"
    elif booking.status not in REMINDED_STATUSES:
        return None
    elif kind == NoticeKind.CHANGE:
        key = f"booking:{booking.pk}:change:{event.pk}"
    else:
        key = f"booking:{booking.pk}:confirmation"
    with transaction.atomic():
        return _send(booking, kind, key)[0]


def reminder_key(booking: Booking) -> str:
    return f"booking:{booking.pk}:reminder:{booking.starts_at.astimezone(dt.UTC).isoformat()}"


def reminder_at(booking: Booking, policy: NoticePolicy) -> dt.datetime:
    """When the booking's reminder is due: the day before at the set time (store time), or
    the lead time in minutes before the slot."""
    if policy.reminder_day_before_at is not None:
        local = timezone.localtime(booking.starts_at, zone(booking.store.time_zone))
        day = local.date() - dt.timedelta(days=1)
        return dt.datetime.combine(day, policy.reminder_day_before_at, tzinfo=local.tzinfo)
    return booking.starts_at - dt.timedelta(minutes=policy.reminder_minutes)


def reminders_send(*, now: dt.datetime | None = None) -> list[BookingNotice]:
    """Send the active tenant's reminders whose time has come: bookings still pending or
    confirmed whose slot has not begun. A booking made after its reminder time (inside the
    lead time) gets none: its confirmation has just told the guest. Returns the notices
    written by this call."""
    now = now or timezone.now()
    policies = list(NoticePolicy.objects.all())
    default = next((p for p in policies if p.store_id is None), NoticePolicy())
    by_store = {p.store_id: p for p in policies if p.store_id is not None}
    horizon = max(
        [p.reminder_minutes for p in [default, *by_store.values()]]
        + [48 * 60 if any(p.reminder_day_before_at for p in [default, *by_store.values()]) else 0]
    )
    candidates = list(
        Booking.objects.select_related("store", "guest", "table")
        .filter(
            status__in=REMINDED_STATUSES,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(minutes=horizon),
        )
        .order_by("starts_at", "pk")
    )
    keys = {b.pk: reminder_key(b) for b in candidates}
    done = set(
        BookingNotice.objects.filter(dedupe_key__in=keys.values()).values_list(
            "dedupe_key", flat=True
        )
    )
    sent = []
    for booking in candidates:
        policy = by_store.get(booking.store_id, default)
        if not policy.reminder_on or keys[booking.pk] in done:
            continue
        due = reminder_at(booking, policy)
        if due > now or booking.created_at >= due:
            continue
        with transaction.atomic():
            # The booking may have been cancelled or moved since it was read.
            fresh = Booking.objects.select_for_update().filter(pk=booking.pk).first()
            if (
                fresh is None
                or fresh.status not in REMINDED_STATUSES
                or fresh.starts_at != booking.starts_at
            ):
                continue
            notice, new = _send(booking, NoticeKind.REMINDER, keys[booking.pk])
        if new:
            sent.append(notice)
    return sent
