"""Every write of the reservations app: one function per business action, one transaction each,
permission-checked, audited, with a history event and a live floor update.

Allocation is conflict-free (R3): the service refuses a table with an overlapping active
booking; on PostgreSQL the exclusion constraint ``booking_table_no_overlap`` refuses the one a
racing request slipped past that check, and its IntegrityError becomes the same ``table_taken``
conflict. On SQLite the write transaction holds the database lock from its start (decision
0003), so the check itself is enough. See decision 0021.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.audit import Action, audit_record
from huike.core.money import ZERO
from huike.core.permissions import check_perm
from huike.core.tenancy import require_active_tenant
from huike.live import bus
from huike.loyalty.ledger import money_amount
from huike.menu.models import DiningTable
from huike.org.models import Store

from . import permissions as perms
from . import rules
from .allocation import default_duration, overlapping
from .inputs import guest_for, party_size_of, store_for
from .models import Booking, BookingEvent

Status = Booking.Status
Kind = BookingEvent.Kind
PAST_GRACE = dt.timedelta(minutes=15)  # a walk-in booked "now" is still accepted
MAX_DURATION = dt.timedelta(hours=12)


# --- Errors -----------------------------------------------------------------------------------
def table_taken() -> errors.Conflict:
    return errors.Conflict(
        _("This table is already booked for an overlapping time."), code="table_taken"
    )


def _invalid_status(booking: Booking) -> errors.Conflict:
    return errors.Conflict(
        _("This cannot be done to a booking that is %(status)s.")
        % {"status": booking.get_status_display()},
        code="invalid_booking_status",
    )


# --- Input ------------------------------------------------------------------------------------
def _table(store: Store, table) -> DiningTable:
    pk = table.pk if isinstance(table, DiningTable) else table
    try:
        found = DiningTable.objects.get(pk=pk, active=True)
    except (DiningTable.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"table": [_("Not found.")]}) from exc
    if found.store_id != store.pk:
        raise errors.InvalidInput(
            fields={"table": [_("This table belongs to another store.")]}, code="table_other_store"
        )
    return found


def _slot(starts_at, *, ends_at=None, duration=None, party_size: int, check_past: bool = True):
    """The aware [starts_at, ends_at) of a booking; ``duration`` is a timedelta or minutes."""
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise errors.InvalidInput(fields={"starts_at": [_("Enter a date and time.")]})
    if check_past and starts_at < timezone.now() - PAST_GRACE:
        raise errors.InvalidInput(
            fields={"starts_at": [_("This time has already passed.")]}, code="slot_in_past"
        )
    if ends_at is None:
        if duration in (None, ""):
            duration = default_duration(party_size)
        elif not isinstance(duration, dt.timedelta):
            try:
                duration = dt.timedelta(minutes=int(duration))
            except (TypeError, ValueError) as exc:
                raise errors.InvalidInput(fields={"duration": [_("Enter minutes.")]}) from exc
        ends_at = starts_at + duration
    elif not isinstance(ends_at, dt.datetime) or timezone.is_naive(ends_at):
        raise errors.InvalidInput(fields={"ends_at": [_("Enter a date and time.")]})
    if ends_at <= starts_at:
        raise errors.InvalidInput(
            fields={"ends_at": [_("The end must be after the start.")]}, code="ends_before_start"
        )
    if ends_at - starts_at > MAX_DURATION:
        raise errors.InvalidInput(fields={"ends_at": [_("A booking lasts at most 12 hours.")]})
    return starts_at, ends_at


def _check_fits(table: DiningTable, party_size: int) -> None:
    if party_size > table.capacity_max:
        raise errors.InvalidInput(
            _("This table seats at most %(n)s.") % {"n": table.capacity_max},
            code="party_too_big",
            fields={
                "party_size": [_("This table seats at most %(n)s.") % {"n": table.capacity_max}]
            },
        )


def _reason(reason, *, required: bool) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise errors.InvalidInput(fields={"reason": [_("Give a reason.")]})
    if len(text) > 200:
        raise errors.InvalidInput(fields={"reason": [_("At most 200 characters.")]})
    return text


# --- Writing ----------------------------------------------------------------------------------
def _save_allocated(booking: Booking, **save_options) -> None:
    """Save after checking the table is free; a racing overlap refused by PostgreSQL's
    exclusion constraint is the same ``table_taken`` conflict."""
    if booking.table_id and booking.status in Booking.ACTIVE:
        if overlapping(
            booking.table_id, booking.starts_at, booking.ends_at, exclude_pk=booking.pk
        ).exists():
            raise table_taken()
    try:
        with transaction.atomic():
            booking.save(**save_options)
    except IntegrityError as exc:
        if "booking_table_no_overlap" in str(exc):
            raise table_taken() from exc
        raise


def _event(booking, kind, *, actor, from_status="", reason="", detail="") -> None:
    BookingEvent.objects.create(
        tenant_id=booking.tenant_id,
        booking=booking,
        kind=kind,
        from_status=from_status,
        to_status=booking.status,
        reason=reason,
        detail=detail,
        actor=actor if actor is not None and actor.pk else None,
    )


def _publish(booking: Booking) -> None:
    """Tell the store's open floor pages (``huike.live``, sent after commit)."""
    bus.publish(
        f"store:{booking.store_id}:floor",
        "booking",
        {"booking": booking.pk, "table": booking.table_id, "status": booking.status},
    )


def _lock(booking: Booking | int) -> Booking:
    pk = booking.pk if isinstance(booking, Booking) else booking
    try:
        return Booking.objects.select_for_update().get(pk=pk)
    except (Booking.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.NotFound() from exc


# --- Actions ----------------------------------------------------------------------------------
@transaction.atomic
def booking_create(
    *,
    acting_user,
    store,
    starts_at,
    party_size,
    guest_phone: str = "",
    guest=None,
    guest_name: str = "",
    table=None,
    duration=None,
    ends_at=None,
    occasion: str = "",
    deposit=None,
    notes: str = "",
    source: str = Booking.Source.PHONE,
    override: bool = False,
) -> Booking:
    """Book a table (订台) for a guest found or created by phone. Without a table the best free
    one is taken (``allocation.tables_free``); a taken table is the ``table_taken`` conflict.

    The store's booking rules apply (``huike.reservations.rules``, decision 0024): opening
    hours, slot grid, lead time, pacing and held-back places; the length is the rule's turn
    time unless ``duration`` or ``ends_at`` is given. ``override`` (needs
    ``reservations.override_rules``) books past pacing and held-back places."""
    check_perm(acting_user, perms.BOOK)
    if override:
        check_perm(acting_user, perms.OVERRIDE)
    store = store_for(acting_user, store)
    party_size = party_size_of(party_size)
    explicit = ends_at is not None or duration not in (None, "")
    starts_at, ends_at = _slot(starts_at, ends_at=ends_at, duration=duration, party_size=party_size)
    if occasion and occasion not in Booking.Occasion.values:
        raise errors.InvalidInput(fields={"occasion": [_("Not a known occasion.")]})
    if source not in Booking.Source.values:
        raise errors.InvalidInput(fields={"source": [_("Not a known source.")]})
    deposit = ZERO if deposit in (None, "", 0) else money_amount(deposit, field="deposit")
    found = guest_for(acting_user, guest=guest, guest_phone=guest_phone, guest_name=guest_name)
    rules.lock_store(store)  # pacing: one booking of the store at a time decides
    context = rules.Context.load(store, guest=found)
    walk_in = source == Booking.Source.WALK_IN
    if not rules.is_open(store, starts_at):
        raise rules.refusal(rules.CLOSED, context.store_rule)
    if table not in (None, ""):
        table = _table(store, table)
        _check_fits(table, party_size)
        rule = context.rule_for(table)
        reason = context.check_table(
            table, starts_at, party_size, now=timezone.now(), override=override, walk_in=walk_in
        )
        if reason:
            raise rules.refusal(reason, rule)
        if not explicit:
            ends_at = starts_at + context.duration(rule, party_size)
    else:
        result = context.evaluate(
            starts_at=starts_at,
            party_size=party_size,
            duration=ends_at - starts_at if explicit else None,
            override=override,
            walk_in=walk_in,
        )
        if result.reason:
            raise rules.refusal(result.reason, result.rule)
        table, ends_at = result.tables[0], result.ends_at
    booking = Booking(
        tenant=require_active_tenant(),
        store=store,
        table=table,
        guest=found,
        party_size=party_size,
        starts_at=starts_at,
        ends_at=ends_at,
        occasion=occasion or "",
        deposit=deposit,
        notes=(notes or "").strip(),
        source=source,
        created_by=acting_user if acting_user is not None and acting_user.pk else None,
    )
    _save_allocated(booking)
    _event(booking, Kind.CREATED, actor=acting_user, detail=_detail(table.code, override))
    audit_record(
        action=Action.CREATE,
        actor=acting_user,
        obj=booking,
        changes={
            "store": store.pk,
            "table": table.pk,
            "guest": found.pk,
            "party_size": party_size,
            "starts_at": starts_at.isoformat(),
            **({"override": True} if override else {}),
        },
    )
    _publish(booking)
    return booking


def _change_status(booking, *, acting_user, to: str, allowed_from: set, kind: str, reason=""):
    check_perm(acting_user, perms.BOOK)
    booking = _lock(booking)
    if booking.status not in allowed_from:
        raise _invalid_status(booking)
    before = booking.status
    booking.status = to
    booking.status_reason = reason
    booking.save(update_fields=["status", "status_reason", "updated_at"])
    _event(booking, kind, actor=acting_user, from_status=before, reason=reason)
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=booking,
        changes={"status": [before, to], **({"reason": reason} if reason else {})},
    )
    _publish(booking)
    return booking


@transaction.atomic
def booking_confirm(*, acting_user, booking) -> Booking:
    """A pending booking confirmed with the guest."""
    return _change_status(
        booking,
        acting_user=acting_user,
        to=Status.CONFIRMED,
        allowed_from={Status.PENDING},
        kind=Kind.CONFIRMED,
    )


@transaction.atomic
def booking_seat(*, acting_user, booking) -> Booking:
    """The party arrived and sat down (入座)."""
    return _change_status(
        booking,
        acting_user=acting_user,
        to=Status.SEATED,
        allowed_from={Status.PENDING, Status.CONFIRMED},
        kind=Kind.SEATED,
    )


@transaction.atomic
def booking_complete(*, acting_user, booking) -> Booking:
    """The party left; the table is being cleaned until staff mark it clean
    (``huike.reservations.floor.table_mark_clean``)."""
    booking = _change_status(
        booking,
        acting_user=acting_user,
        to=Status.COMPLETED,
        allowed_from={Status.SEATED},
        kind=Kind.COMPLETED,
    )
    if booking.table_id:
        DiningTable.objects.filter(pk=booking.table_id).update(cleaning_since=timezone.now())
    return booking


def _detail(text: str, override: bool) -> str:
    return f"{text} ({_('rules overridden')})" if override else text


@transaction.atomic
def booking_cancel(*, acting_user, booking, reason: str, by_guest: bool = False) -> Booking:
    """Cancel a booking not yet seated; the reason is required. After the rule's cancellation
    cut-off only staff with ``reservations.override_rules`` may cancel, and a guest cancelling
    online (``by_guest``) no longer can."""
    check_perm(acting_user, perms.BOOK)
    booking = _lock(booking)
    cutoff = rules.cancel_cutoff(booking)
    if cutoff is not None and timezone.now() > cutoff and booking.is_active:
        if by_guest:
            raise errors.Conflict(
                _("It is too late to cancel this booking online; please call the store."),
                code="cancel_cutoff_passed",
            )
        if not rules.can_override(acting_user):
            raise errors.Conflict(
                _("The cancellation cut-off has passed; a manager must cancel this booking."),
                code="cancel_cutoff_passed",
            )
    return _change_status(
        booking,
        acting_user=acting_user,
        to=Status.CANCELLED,
        allowed_from={Status.PENDING, Status.CONFIRMED},
        kind=Kind.CANCELLED,
        reason=_reason(reason, required=True),
    )


@transaction.atomic
def booking_no_show(*, acting_user, booking, reason: str = "") -> Booking:
    """The guest did not come."""
    return _change_status(
        booking,
        acting_user=acting_user,
        to=Status.NO_SHOW,
        allowed_from={Status.PENDING, Status.CONFIRMED},
        kind=Kind.NO_SHOW,
        reason=_reason(reason, required=False),
    )


@transaction.atomic
def booking_move(
    *,
    acting_user,
    booking,
    table=None,
    starts_at=None,
    duration=None,
    reason: str = "",
    override: bool = False,
) -> Booking:
    """Move an active booking to another table and/or time (the length is kept unless a
    ``duration`` is given); the new table must be free and seat the party, and the booking
    rules apply as for a new booking (a new time: opening hours, grid and lead time too)."""
    check_perm(acting_user, perms.BOOK)
    if override:
        check_perm(acting_user, perms.OVERRIDE)
    booking = _lock(booking)
    if not booking.is_active:
        raise _invalid_status(booking)
    before = (booking.table_id, booking.starts_at, booking.ends_at)
    new_table = _table(booking.store, table) if table not in (None, "") else booking.table
    if new_table is None:
        raise errors.InvalidInput(fields={"table": [_("This field is required.")]})
    _check_fits(new_table, booking.party_size)
    if starts_at is not None or duration not in (None, ""):
        start = starts_at if starts_at is not None else booking.starts_at
        length = duration if duration not in (None, "") else booking.ends_at - booking.starts_at
        booking.starts_at, booking.ends_at = _slot(
            start, duration=length, party_size=booking.party_size
        )
    booking.table = new_table
    if (booking.table_id, booking.starts_at, booking.ends_at) == before:
        return booking
    new_time = booking.starts_at != before[1]
    rules.lock_store(booking.store)
    context = rules.Context.load(booking.store, guest=booking.guest)
    if new_time and not rules.is_open(booking.store, booking.starts_at):
        raise rules.refusal(rules.CLOSED, context.store_rule)
    problem = context.check_table(
        new_table,
        booking.starts_at,
        booking.party_size,
        now=timezone.now(),
        exclude_pk=booking.pk,
        override=override,
        walk_in=booking.source == Booking.Source.WALK_IN,
        check_time=new_time,
    )
    if problem:
        raise rules.refusal(problem, context.rule_for(new_table))
    _save_allocated(booking, update_fields=["table", "starts_at", "ends_at", "updated_at"])
    detail = f"{new_table.code} {timezone.localtime(booking.starts_at):%Y-%m-%d %H:%M}"
    _event(
        booking,
        Kind.MOVED,
        actor=acting_user,
        from_status=booking.status,
        reason=_reason(reason, required=False),
        detail=_detail(detail, override),
    )
    audit_record(
        action=Action.UPDATE,
        actor=acting_user,
        obj=booking,
        changes={
            "table": [before[0], booking.table_id],
            "starts_at": [before[1].isoformat(), booking.starts_at.isoformat()],
            **({"override": True} if override else {}),
        },
    )
    _publish(booking)
    return booking
