"""Booking services: creation with allocation, the lifecycle, moves, and bad input refused
with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from huike.core import errors
from huike.core.audit import AuditEntry
from huike.guests.models import Guest
from huike.orders.models import GuestPlaceTally
from huike.reservations import services
from huike.reservations.allocation import tables_free
from huike.reservations.models import Booking, BookingEvent

from .conftest import make_floor, tomorrow_at

pytestmark = pytest.mark.django_db


def book(user, store, starts_at, party_size=2, **options):
    options.setdefault("guest_phone", "13800138000")
    return services.booking_create(
        acting_user=user, store=store, starts_at=starts_at, party_size=party_size, **options
    )


def test_booking_by_new_phone_creates_the_guest_and_takes_the_smallest_table(org, users, floor):
    desk = users["desk"]
    booking = book(
        desk,
        org["store"],
        tomorrow_at(18),
        6,
        guest_phone="139 1111 2222",
        guest_name="李雷",
        occasion="birthday",
        deposit="200",
    )
    assert booking.table == floor["B1"]  # 8 seats, smaller than the 12 of the room
    assert booking.ends_at - booking.starts_at == dt.timedelta(minutes=120)
    assert booking.status == Booking.Status.PENDING
    assert booking.guest.primary_phone == "+8613911112222"
    assert booking.guest.name == "李雷"
    assert booking.created_by == desk
    assert list(booking.events.values_list("kind", flat=True)) == ["created"]
    assert AuditEntry.objects.filter(object_type="reservations.booking").count() == 1


def test_existing_guest_is_found_by_phone(org, users, floor, guest):
    booking = book(users["desk"], org["store"], tomorrow_at(12), 2, guest_phone="+86 138-0013-8000")
    assert booking.guest == guest
    assert Guest.objects.count() == 1


@pytest.mark.parametrize(("size", "minutes"), [(4, 90), (10, 120), (11, 150)])
def test_default_length_by_party_size(org, hq, floor, size, minutes):
    booking = book(hq, org["store"], tomorrow_at(18), size)
    assert booking.ends_at - booking.starts_at == dt.timedelta(minutes=minutes)


def test_suggestions_smallest_first_then_the_guests_preferred_table(org, hq, floor, guest):
    GuestPlaceTally.objects.create(guest=guest, store=org["store"], table_label="A2", visits=5)
    start = tomorrow_at(19)
    codes = [
        t.code
        for t in tables_free(
            store=org["store"],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            party_size=2,
            guest=guest,
        )
    ]
    assert codes == ["A2", "A1", "B1"]  # the room needs 6; A2 before A1 by preference
    assert book(hq, org["store"], start, 2, guest=guest).table == floor["A2"]
    assert book(hq, org["store"], start, 2, guest=guest).table == floor["A1"]
    assert book(hq, org["store"], start, 2, guest=guest).table == floor["B1"]
    with pytest.raises(errors.Conflict) as exc:
        book(hq, org["store"], start, 2, guest=guest)
    assert exc.value.code == "no_table_free"


def test_overlap_is_refused_but_touching_slots_and_cancelled_ones_are_not(org, hq, floor):
    room = floor["牡丹厅"]
    first = book(hq, org["store"], tomorrow_at(18), 8, table=room)  # 18:00–20:00
    with pytest.raises(errors.Conflict) as exc:
        book(hq, org["store"], tomorrow_at(19, 30), 8, table=room)
    assert exc.value.code == "table_taken"
    assert Booking.objects.count() == 1
    book(hq, org["store"], tomorrow_at(20), 8, table=room)  # [18,20) and [20,22) touch
    services.booking_cancel(acting_user=hq, booking=first, reason="客人改期")
    book(hq, org["store"], tomorrow_at(17), 8, table=room, duration=90)
    assert Booking.objects.filter(table=room, status__in=Booking.ACTIVE).count() == 2


def test_lifecycle_with_history(org, users, floor):
    captain = users["captain"]
    booking = book(users["desk"], org["store"], tomorrow_at(18), 2)
    services.booking_confirm(acting_user=captain, booking=booking)
    services.booking_seat(acting_user=captain, booking=booking)
    booking = services.booking_complete(acting_user=captain, booking=booking)
    assert booking.status == Booking.Status.COMPLETED
    events = list(BookingEvent.objects.filter(booking=booking).order_by("pk"))
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("created", "", "pending"),
        ("confirmed", "pending", "confirmed"),
        ("seated", "confirmed", "seated"),
        ("completed", "seated", "completed"),
    ]
    assert events[-1].actor == captain
    # a completed booking frees the table for an overlapping slot
    assert book(captain, org["store"], tomorrow_at(18), 2, table=booking.table).pk


def test_cancel_needs_a_reason_and_a_cancelled_booking_cannot_be_confirmed(org, hq, floor):
    booking = book(hq, org["store"], tomorrow_at(18), 2)
    with pytest.raises(errors.InvalidInput) as exc:
        services.booking_cancel(acting_user=hq, booking=booking, reason=" ")
    assert "reason" in exc.value.fields
    services.booking_cancel(acting_user=hq, booking=booking, reason="临时有事")
    for action in (services.booking_confirm, services.booking_seat, services.booking_complete):
        with pytest.raises(errors.Conflict) as exc:
            action(acting_user=hq, booking=booking)
        assert exc.value.code == "invalid_booking_status"
    booking.refresh_from_db()
    assert (booking.status, booking.status_reason) == ("cancelled", "临时有事")
    assert booking.events.count() == 2


def test_no_show(org, hq, floor):
    booking = book(hq, org["store"], tomorrow_at(18), 2)
    booking = services.booking_no_show(acting_user=hq, booking=booking, reason="电话未接")
    assert booking.status == Booking.Status.NO_SHOW
    assert booking.events.last().reason == "电话未接"


def test_move_to_another_table_and_time(org, hq, floor):
    a = book(hq, org["store"], tomorrow_at(18), 2, table=floor["A1"])
    b = book(hq, org["store"], tomorrow_at(18), 2, table=floor["A2"])
    with pytest.raises(errors.Conflict) as exc:
        services.booking_move(acting_user=hq, booking=b, table=floor["A1"])
    assert exc.value.code == "table_taken"
    with pytest.raises(errors.InvalidInput) as exc:
        services.booking_move(
            acting_user=hq, booking=a, table=floor["A1"], starts_at=tomorrow_at(20), duration=-5
        )
    moved = services.booking_move(
        acting_user=hq, booking=b, table=floor["A1"], starts_at=tomorrow_at(19, 30)
    )
    assert (moved.table, moved.starts_at, moved.ends_at) == (
        floor["A1"],
        tomorrow_at(19, 30),
        tomorrow_at(21),
    )
    assert moved.events.last().kind == "moved"
    a.refresh_from_db()
    assert a.starts_at == tomorrow_at(18)


@pytest.mark.parametrize(
    ("options", "field", "code"),
    [
        ({"starts_at": "past"}, "starts_at", "slot_in_past"),
        ({"party_size": 9, "table": "A1"}, "party_size", "party_too_big"),
        ({"table": "other"}, "table", "table_other_store"),
        ({"guest_phone": "12345"}, "guest_phone", "invalid_input"),
        ({"duration": 0}, "ends_at", "ends_before_start"),
        ({"party_size": 0}, "party_size", "invalid_input"),
        ({"occasion": "funeral"}, "occasion", "invalid_input"),
        ({"deposit": "-5"}, "deposit", "invalid_input"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(org, hq, floor, options, field, code):
    other = make_floor(org["store2"])
    args = {"starts_at": tomorrow_at(18), "party_size": 2, **options}
    if args["starts_at"] == "past":
        args["starts_at"] = tomorrow_at(18) - dt.timedelta(days=2)
    if args.get("table") == "A1":
        args["table"] = floor["A1"]
    elif args.get("table") == "other":
        args["table"] = other["A1"]
    with pytest.raises(errors.InvalidInput) as exc:
        book(hq, org["store"], **args)
    assert exc.value.code == code
    assert field in exc.value.fields
    assert Booking.objects.count() == 0
    assert Guest.objects.count() == 0


def test_a_waiter_may_not_book(org, users, floor):
    with pytest.raises(errors.PermissionDenied):
        book(users["waiter"], org["store"], tomorrow_at(18))
    assert Booking.objects.count() == 0


def test_every_change_is_published_on_the_stores_floor(org, hq, floor, monkeypatch):
    from huike.live import bus

    sent = []
    monkeypatch.setattr(bus, "publish", lambda *args: sent.append(args))
    booking = book(hq, org["store"], tomorrow_at(18), 2)
    services.booking_move(acting_user=hq, booking=booking, table=floor["A2"])
    services.booking_confirm(acting_user=hq, booking=booking)
    channel = f"store:{org['store'].pk}:floor"
    assert sent == [
        (channel, "booking", {"booking": booking.pk, "table": floor["A1"].pk, "status": "pending"}),
        (channel, "booking", {"booking": booking.pk, "table": floor["A2"].pk, "status": "pending"}),
        (
            channel,
            "booking",
            {"booking": booking.pk, "table": floor["A2"].pk, "status": "confirmed"},
        ),
    ]
