"""The waitlist's services: adding a party (guest found or created by phone, offered a free
slot at once), offers following the floor, booking an offer through booking_create, a taken
slot sending the entry back to waiting, cancelling, expiring, and refusals with nothing
half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huike.core import errors
from huike.core.models import AuditEntry, JobRun
from huike.guests.models import Guest
from huike.reservations import services as reservations
from huike.reservations.models import Booking
from huike.waitlist import services
from huike.waitlist.jobs import waitlist_expiry
from huike.waitlist.models import WaitlistEntry
from huike.waitlist.selectors import entry_next_slot

from .conftest import add, tomorrow, tomorrow_at

pytestmark = pytest.mark.django_db
Status = WaitlistEntry.Status


def _fill_evening(user, store, floor):
    """B1 and the room, the only tables for 8, booked 18:00–20:00 tomorrow."""
    return [
        reservations.booking_create(
            acting_user=user,
            store=store,
            table=floor[code],
            starts_at=tomorrow_at(18),
            party_size=8,
            guest_phone=f"1391111000{i}",
        )
        for i, code in enumerate(["B1", "牡丹厅"])
    ]


def test_a_new_guest_is_created_by_phone_and_offered_the_free_slot(org, desk, floor):
    entry = add(desk, org["store"], phone="+86 139-0000-2222", guest_name="赵雷", notes="靠窗")
    entry.refresh_from_db()
    assert entry.guest.primary_phone == "+8613900002222" and entry.guest.name == "赵雷"
    assert entry.status == Status.OFFERED
    assert (entry.offered_table.code, entry.offered_starts_at) == ("B1", tomorrow_at(18))
    assert entry.created_by == desk and entry.notes == "靠窗"
    assert AuditEntry.objects.filter(object_type="waitlist.waitlistentry").count() >= 1


def test_a_known_guest_is_found_by_phone(org, desk, floor):
    known = Guest.objects.create(tenant=org["tenant"], name="王芳", primary_phone="+8613800138000")
    entry = add(desk, org["store"], phone="138 0013 8000", size=2)
    assert entry.guest == known
    assert Guest.objects.count() == 1


def test_full_evening_waits_then_a_cancellation_frees_a_slot_that_books(org, desk, floor):
    taken = _fill_evening(desk, org["store"], floor)
    entry = add(desk, org["store"])
    assert entry.status == Status.WAITING and entry.offered_table is None
    assert entry_next_slot(entry) is None
    with pytest.raises(errors.Conflict) as exc:
        services.waitlist_accept(acting_user=desk, entry=entry)
    assert exc.value.code == "no_slot_free"

    reservations.booking_cancel(acting_user=desk, booking=taken[0], reason="改期")
    slot = entry_next_slot(entry)
    assert (slot.table.code, slot.starts_at) == ("B1", tomorrow_at(18))
    offered = services.waitlist_check(acting_user=desk, store=org["store"], day=tomorrow())
    assert offered == [entry]
    entry.refresh_from_db()
    assert entry.status == Status.OFFERED and entry.offered_table == floor["B1"]

    done = services.waitlist_accept(acting_user=desk, entry=entry)
    booking = done.booking
    assert done.status == Status.BOOKED
    assert (booking.table, booking.starts_at, booking.party_size) == (
        floor["B1"],
        tomorrow_at(18),
        8,
    )
    assert booking.guest == entry.guest and booking.status == Booking.Status.PENDING
    assert entry_next_slot(done) is None  # closed entries have no slot


def test_a_no_show_frees_the_slot_inside_the_window(org, desk, floor):
    taken = _fill_evening(desk, org["store"], floor)
    entry = add(desk, org["store"], earliest="18:00", latest="18:30")
    reservations.booking_no_show(acting_user=desk, booking=taken[1], reason="")
    assert entry_next_slot(entry).table == floor["牡丹厅"]


def test_the_window_bounds_the_slot(org, desk, floor):
    _fill_evening(desk, org["store"], floor)  # free again from 20:00
    entry = add(desk, org["store"], earliest="18:00", latest="20:00")
    assert entry.status == Status.OFFERED
    assert entry.offered_starts_at == tomorrow_at(20)
    narrow = add(desk, org["store"], phone="13900003333", earliest="18:00", latest="19:30")
    assert narrow.status == Status.WAITING


def test_accepting_a_slot_taken_meanwhile_is_a_conflict_and_the_entry_waits(org, desk, floor):
    first = add(desk, org["store"])
    second = add(desk, org["store"], phone="13900004444")
    assert first.offered_table == second.offered_table == floor["B1"]
    services.waitlist_accept(acting_user=desk, entry=first)
    with pytest.raises(errors.Conflict) as exc:
        services.waitlist_accept(acting_user=desk, entry=second)
    assert exc.value.code == "table_taken"
    second.refresh_from_db()
    assert second.status == Status.WAITING and second.offered_table is None
    assert second.booking is None
    assert Booking.objects.filter(table=floor["B1"]).count() == 1
    # the next free slot is now the room, and booking it works
    again = services.waitlist_accept(acting_user=desk, entry=second)
    assert again.booking.table == floor["牡丹厅"]


def test_accepting_a_given_slot_checks_the_window(org, desk, floor):
    entry = add(desk, org["store"])
    with pytest.raises(errors.InvalidInput) as exc:
        services.waitlist_accept(
            acting_user=desk, entry=entry, table=floor["B1"].pk, starts_at=tomorrow_at(21)
        )
    assert exc.value.code == "outside_window" and "starts_at" in exc.value.fields
    with pytest.raises(errors.InvalidInput) as exc:
        services.waitlist_accept(acting_user=desk, entry=entry, table=floor["B1"].pk)
    assert "starts_at" in exc.value.fields
    entry.refresh_from_db()
    assert entry.status == Status.OFFERED and Booking.objects.count() == 0
    done = services.waitlist_accept(
        acting_user=desk, entry=entry, table=floor["牡丹厅"].pk, starts_at=tomorrow_at(18, 30)
    )
    assert (done.booking.table, done.booking.starts_at) == (floor["牡丹厅"], tomorrow_at(18, 30))


def test_bad_input_is_refused_with_nothing_written(org, desk, floor):
    guests = Guest.objects.count()
    cases = [
        ({"earliest": "19:00", "latest": "18:00"}, "latest"),
        ({"day": timezone.localdate() - dt.timedelta(days=1)}, "day"),
        ({"phone": "12"}, "guest_phone"),
        ({"phone": ""}, "guest_phone"),
        ({"size": 0}, "party_size"),
        ({"size": "many"}, "party_size"),
        ({"notes": "x" * 2001}, "notes"),
    ]
    for extra, field in cases:
        with pytest.raises(errors.InvalidInput) as exc:
            add(desk, org["store"], **extra)
        assert field in exc.value.fields, (extra, exc.value.fields)
    with pytest.raises(errors.InvalidInput) as exc:
        add(desk, org["store2"].pk + 999)
    assert "store" in exc.value.fields
    assert WaitlistEntry.objects.count() == 0 and Guest.objects.count() == guests


def test_a_guest_waits_once_per_day_and_store(org, hq, desk, floor):
    add(desk, org["store"])
    with pytest.raises(errors.Conflict) as exc:
        add(desk, org["store"], earliest="20:00", latest="21:00")
    assert exc.value.code == "already_waiting"
    assert WaitlistEntry.objects.count() == 1
    with pytest.raises(errors.InvalidInput):
        add(desk, org["store2"])  # the desk's scope is its own store
    add(hq, org["store2"])  # another store is another list
    assert WaitlistEntry.objects.count() == 2


def test_cancel_closes_the_entry(org, desk, floor):
    entry = add(desk, org["store"])
    done = services.waitlist_cancel(acting_user=desk, entry=entry, reason="不等了")
    assert (done.status, done.status_reason, done.offered_table) == (
        Status.CANCELLED,
        "不等了",
        None,
    )
    for action in (services.waitlist_cancel, services.waitlist_accept, services.waitlist_offer):
        with pytest.raises(errors.Conflict) as exc:
            action(acting_user=desk, entry=entry)
        assert exc.value.code == "waitlist_entry_closed"
    assert Booking.objects.count() == 0


def test_offer_follows_the_floor(org, desk, floor):
    entry = add(desk, org["store"], earliest="18:00", latest="18:00")
    assert entry.offered_table == floor["B1"]
    reservations.booking_create(
        acting_user=desk,
        store=org["store"],
        table=floor["B1"],
        starts_at=tomorrow_at(17),
        party_size=4,
        guest_phone="13911112222",
    )
    assert services.waitlist_offer(acting_user=desk, entry=entry).offered_table == floor["牡丹厅"]
    reservations.booking_create(
        acting_user=desk,
        store=org["store"],
        table=floor["牡丹厅"],
        starts_at=tomorrow_at(18),
        party_size=10,
        guest_phone="13911113333",
    )
    entry = services.waitlist_offer(acting_user=desk, entry=entry)
    assert entry.status == Status.WAITING and entry.offered_starts_at is None


def test_entries_whose_day_has_passed_expire(org, desk, floor):
    old = add(desk, org["store"])
    today = add(desk, org["store"], phone="13900005555", day=timezone.localdate())
    booked = add(desk, org["store"], phone="13900006666", size=2)
    services.waitlist_accept(acting_user=desk, entry=booked)
    assert services.waitlist_expire() == 0
    later = timezone.now() + dt.timedelta(days=1)
    assert services.waitlist_expire(now=later) == 1  # today's entry; tomorrow's still waits
    today.refresh_from_db()
    old.refresh_from_db()
    assert today.status == Status.EXPIRED and old.status == Status.OFFERED

    run = waitlist_expiry(now=timezone.now() + dt.timedelta(days=2))
    old.refresh_from_db()
    booked.refresh_from_db()
    assert old.status == Status.EXPIRED and booked.status == Status.BOOKED
    assert run.detail == {"expired": 1} and JobRun.objects.filter(name="waitlist_expiry").exists()


def test_staff_without_the_booking_permission_may_not_use_the_waitlist(org, users, desk, floor):
    with pytest.raises(errors.PermissionDenied):
        add(users["waiter"], org["store"])
    entry = add(desk, org["store"])
    for action in (services.waitlist_accept, services.waitlist_cancel, services.waitlist_offer):
        with pytest.raises(errors.PermissionDenied):
            action(acting_user=users["waiter"], entry=entry)
    with pytest.raises(errors.PermissionDenied):
        services.waitlist_check(acting_user=users["waiter"], store=org["store"])
    entry.refresh_from_db()
    assert entry.status == Status.OFFERED


def test_waitlist_entries_follow_a_guest_merge_and_its_undo(org, hq, desk, floor):
    from huike.guests.merging import guest_merge, guest_merge_undo

    survivor = Guest.objects.create(
        tenant=org["tenant"], name="王芳", primary_phone="+8613800138000"
    )
    duplicate = Guest.objects.create(
        tenant=org["tenant"], name="王芳", primary_phone="+8613900139002"
    )
    entry = add(desk, org["store"], phone="13900139002")
    assert entry.guest == duplicate
    merge = guest_merge(acting_user=hq, survivor=survivor, merged=duplicate)
    entry.refresh_from_db()
    assert entry.guest == survivor
    guest_merge_undo(acting_user=hq, merge=merge, reason="误合并")
    entry.refresh_from_db()
    assert entry.guest == duplicate
