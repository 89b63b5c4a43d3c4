"""Booking rules (decision 0024): opening hours, slot grid, turn times, lead time, pacing,
held-back places, the cancellation cut-off and overrides; the rule services; availability."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.utils import timezone

from huike.core import errors
from huike.core.audit import AuditEntry
from huike.guests.services import guest_create, guest_tag_create, tag_add
from huike.loyalty.services import card_issue, tier_create
from huike.menu.models import FloorArea
from huike.org.models import Role
from huike.reservations import rules, services
from huike.reservations.availability import Slot, day_slots, next_free_slots
from huike.reservations.models import Booking, BookingRule
from huike.reservations.permissions import GRANTS

from .conftest import tomorrow_at

pytestmark = pytest.mark.django_db


def book(user, store, starts_at, party_size=2, phone="13800138000", **options):
    return services.booking_create(
        acting_user=user,
        store=store,
        starts_at=starts_at,
        party_size=party_size,
        guest_phone=phone,
        **options,
    )


def rule(hq, store, **data):
    return rules.booking_rule_create(acting_user=hq, store=store, **data)


def refused(exc_type, code, call, *args, **kwargs):
    before = Booking.objects.count()
    with pytest.raises(exc_type) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.code
    assert Booking.objects.count() == before
    return exc.value


# --- Opening hours ----------------------------------------------------------------------------
def test_outside_opening_hours_is_refused_and_inside_accepted(org, hq, floor):
    store = org["store"]
    store.opening_hours = {d: [["10:30", "14:00"], ["17:00", "21:30"]] for d in rules.WEEKDAYS}
    store.save()
    error = refused(errors.InvalidInput, "outside_opening_hours", book, hq, store, tomorrow_at(15))
    assert "starts_at" in error.fields
    refused(errors.InvalidInput, "outside_opening_hours", book, hq, store, tomorrow_at(21, 30))
    assert book(hq, store, tomorrow_at(21, 0)).pk


def test_a_period_past_midnight_belongs_to_the_day_it_opened(org):
    store = org["store"]
    day = timezone.localdate() + dt.timedelta(days=1)
    name = rules.WEEKDAYS[day.weekday()]
    store.opening_hours = {name: [["17:00", "02:00"]]}
    tz = timezone.get_current_timezone()
    assert rules.is_open(store, dt.datetime.combine(day, dt.time(23, 30), tzinfo=tz))
    after_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(1, 30), tzinfo=tz)
    assert rules.is_open(store, after_midnight)
    assert not rules.is_open(store, after_midnight + dt.timedelta(hours=1))
    assert not rules.is_open(store, dt.datetime.combine(day, dt.time(1, 30), tzinfo=tz))
    store.opening_hours = {}
    assert rules.is_open(store, after_midnight + dt.timedelta(hours=1))


# --- Grid, turn times, lead time --------------------------------------------------------------
def test_without_rules_the_old_behaviour_stays(org, hq, floor):
    booking = book(hq, org["store"], tomorrow_at(18, 7), 6)
    assert booking.ends_at - booking.starts_at == dt.timedelta(minutes=120)


def test_off_grid_start_is_refused(org, hq, floor):
    rule(hq, org["store"], slot_minutes=30)
    refused(errors.InvalidInput, "off_grid", book, hq, org["store"], tomorrow_at(18, 15))
    assert book(hq, org["store"], tomorrow_at(18, 30)).pk


def test_turn_time_sets_the_length_unless_a_duration_is_given(org, hq, floor):
    rule(hq, org["store"], turn_times=[[2, 60], [6, 100], [12, 130]])
    assert book(hq, org["store"], tomorrow_at(12), 2).ends_at == tomorrow_at(13)
    assert book(hq, org["store"], tomorrow_at(18), 5, phone="13800138001").ends_at == tomorrow_at(
        19, 40
    )
    larger = book(hq, org["store"], tomorrow_at(20), 12, phone="13800138002")
    assert larger.ends_at - larger.starts_at == dt.timedelta(minutes=130)
    given = book(hq, org["store"], tomorrow_at(12), 2, phone="13800138003", duration=45)
    assert given.ends_at - given.starts_at == dt.timedelta(minutes=45)


def test_lead_time_too_soon_and_too_far_ahead(org, hq, floor):
    rule(hq, org["store"], slot_minutes=15, min_lead_minutes=120, max_days_ahead=10)
    now = timezone.localtime()
    soon = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=60)
    soon -= dt.timedelta(minutes=soon.minute % 15)
    error = refused(errors.InvalidInput, "too_soon", book, hq, org["store"], soon)
    assert "120" in str(error.message)
    far = tomorrow_at(18) + dt.timedelta(days=12)
    refused(errors.InvalidInput, "too_far_ahead", book, hq, org["store"], far)
    walk_in = book(hq, org["store"], soon, source="walk_in")  # a walk-in is seated now
    assert walk_in.pk


# --- Pacing and held back ---------------------------------------------------------------------
def test_pacing_by_parties_and_by_guests(org, hq, floor):
    rule(hq, org["store"], max_parties_per_slot=2, max_covers_per_slot=6)
    book(hq, org["store"], tomorrow_at(18), 2, phone="13800138001")
    refused(
        errors.Conflict, "pacing_full", book, hq, org["store"], tomorrow_at(18), 5, "13800138003"
    )  # 2 + 5 guests > 6
    book(hq, org["store"], tomorrow_at(18, 0), 4, phone="13800138002")
    refused(errors.Conflict, "pacing_full", book, hq, org["store"], tomorrow_at(18), 2)
    assert book(hq, org["store"], tomorrow_at(18, 30), 4).pk  # the next slot is free


def test_cancelled_bookings_free_their_pacing_place(org, hq, floor):
    rule(hq, org["store"], max_parties_per_slot=1)
    first = book(hq, org["store"], tomorrow_at(18))
    refused(errors.Conflict, "pacing_full", book, hq, org["store"], tomorrow_at(18))
    services.booking_cancel(acting_user=hq, booking=first, reason="改期")
    assert book(hq, org["store"], tomorrow_at(18)).pk


def test_an_area_rule_replaces_the_store_rule_for_its_tables(org, hq, floor):
    rooms = FloorArea.objects.get(store=org["store"], name="包房区")
    rule(hq, org["store"], max_parties_per_slot=1)
    rule(hq, org["store"], area=rooms, max_parties_per_slot=5, turn_times=[[20, 180]])
    book(hq, org["store"], tomorrow_at(18), 2)
    refused(errors.Conflict, "pacing_full", book, hq, org["store"], tomorrow_at(18), 2)
    room = book(hq, org["store"], tomorrow_at(18), 8, table=floor["牡丹厅"])  # own area's rule
    assert room.ends_at - room.starts_at == dt.timedelta(minutes=180)


def test_held_back_covers_are_kept_for_tagged_guests(org, hq, floor):
    vip = guest_tag_create(acting_user=hq, name="VIP")
    regular = guest_create(acting_user=hq, name="张三", primary_phone="13900000001")
    tagged = guest_create(acting_user=hq, name="李四", primary_phone="13900000002")
    tag_add(acting_user=hq, guest=tagged, tag=vip)
    rule(hq, org["store"], max_covers_per_slot=8, held_covers=4, held_for_tags=[vip.pk])
    book(hq, org["store"], tomorrow_at(18), 2, phone="13900000003")
    refused(
        errors.Conflict,
        "held_back",
        book,
        hq,
        org["store"],
        tomorrow_at(18),
        3,
        regular.primary_phone,
    )
    assert book(hq, org["store"], tomorrow_at(18), 2, phone="13900000001").pk  # 4 left
    assert book(hq, org["store"], tomorrow_at(18), 2, phone="13900000002").pk  # the VIP
    refused(  # 6 guests started: the VIP's 6 would be past the 8 of the slot
        errors.Conflict, "pacing_full", book, hq, org["store"], tomorrow_at(18), 6, "13900000002"
    )


def test_held_back_tables_for_a_membership_tier(org, hq, users, floor):
    gold = tier_create(acting_user=hq, code="gold", name="金卡")
    member = guest_create(acting_user=hq, name="会员", primary_phone="13900000010")
    card_issue(acting_user=hq, guest=member, store=org["store"], tier=gold)
    rule(hq, org["store"], held_tables=[floor["牡丹厅"].pk], held_for_tiers=[gold.pk])
    refused(
        errors.Conflict, "held_back", book, hq, org["store"], tomorrow_at(18), 10, "13900000011"
    )
    assert book(hq, org["store"], tomorrow_at(18), 10, "13900000010").table == floor["牡丹厅"]


def test_override_books_past_pacing_and_is_recorded(org, hq, users, floor):
    rule(hq, org["store"], max_parties_per_slot=1)
    book(hq, org["store"], tomorrow_at(18))
    refused(
        errors.PermissionDenied,
        "permission_denied",
        book,
        users["desk"],
        org["store"],
        tomorrow_at(18),
        override=True,
    )
    booking = book(users["manager"], org["store"], tomorrow_at(18), override=True)
    assert "(" in booking.events.get().detail
    entry = AuditEntry.objects.filter(object_type="reservations.booking").latest("pk")
    assert entry.changes["override"] is True


def test_move_into_a_full_slot_is_refused_and_within_its_own_slot_allowed(org, hq, floor):
    rule(hq, org["store"], max_parties_per_slot=1)
    first = book(hq, org["store"], tomorrow_at(18))
    second = book(hq, org["store"], tomorrow_at(19), phone="13800138009")
    with pytest.raises(errors.Conflict) as exc:
        services.booking_move(acting_user=hq, booking=second, starts_at=tomorrow_at(18))
    assert exc.value.code == "pacing_full"
    second.refresh_from_db()
    assert second.starts_at == tomorrow_at(19)
    moved = services.booking_move(acting_user=hq, booking=first, table=floor["B1"])
    assert moved.table == floor["B1"]
    with pytest.raises(errors.InvalidInput) as exc:
        services.booking_move(acting_user=hq, booking=first, starts_at=tomorrow_at(18, 5))
    assert exc.value.code == "off_grid"


# --- Cancellation cut-off ---------------------------------------------------------------------
def test_cancellation_cut_off(org, hq, users, floor):
    rule(hq, org["store"], cancel_cutoff_hours=48)
    booking = book(hq, org["store"], tomorrow_at(18))
    with pytest.raises(errors.Conflict) as exc:
        services.booking_cancel(acting_user=users["desk"], booking=booking, reason="有事")
    assert exc.value.code == "cancel_cutoff_passed"
    with pytest.raises(errors.Conflict):
        services.booking_cancel(acting_user=hq, booking=booking, reason="有事", by_guest=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    with pytest.raises(errors.InvalidInput):
        services.booking_cancel(acting_user=users["manager"], booking=booking, reason="")
    done = services.booking_cancel(acting_user=users["manager"], booking=booking, reason="有事")
    assert done.status == Booking.Status.CANCELLED


def test_before_the_cut_off_anyone_may_cancel(org, hq, users, floor):
    rule(hq, org["store"], cancel_cutoff_hours=2)
    booking = book(hq, org["store"], tomorrow_at(18))
    done = services.booking_cancel(
        acting_user=users["desk"], booking=booking, reason="有事", by_guest=True
    )
    assert done.status == Booking.Status.CANCELLED


# --- Rule services ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slot_minutes": 20}, "slot_minutes"),
        ({"turn_times": [[4, 90], [2, 60]]}, "turn_times"),
        ({"turn_times": [[4, 0]]}, "turn_times"),
        ({"turn_times": [[0, 60]]}, "turn_times"),
        ({"turn_times": [["x", 60]]}, "turn_times"),
        ({"max_covers_per_slot": 0}, "max_covers_per_slot"),
        ({"max_parties_per_slot": "many"}, "max_parties_per_slot"),
        ({"min_lead_minutes": -5}, "min_lead_minutes"),
        ({"held_covers": 3}, "held_covers"),
        ({"held_covers": 5, "max_covers_per_slot": 5}, "held_covers"),
        ({"held_tables": [999999]}, "held_tables"),
        ({"area": 999999}, "area"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_rules_are_refused_with_nothing_written(org, hq, data, field):
    with pytest.raises(errors.InvalidInput) as exc:
        rule(hq, org["store"], **data)
    assert field in exc.value.fields
    assert not BookingRule.objects.exists()


def test_one_rule_per_store_and_per_area_and_only_for_managers(org, hq, users, floor):
    first = rule(hq, org["store"])
    with pytest.raises(errors.InvalidInput) as exc:
        rule(hq, org["store"])
    assert exc.value.code == "rule_exists"
    with pytest.raises(errors.PermissionDenied):
        rule(users["desk"], org["store"], area=floor["A1"].area)
    updated = rules.booking_rule_update(acting_user=hq, rule=first, max_parties_per_slot=3)
    assert updated.max_parties_per_slot == 3
    assert AuditEntry.objects.filter(object_type="reservations.bookingrule").count() == 2
    rules.booking_rule_delete(acting_user=hq, rule=first)
    assert not BookingRule.objects.exists()


def test_a_tables_of_another_store_cannot_be_held_back(org, hq, floor):
    from .conftest import make_floor

    other = make_floor(org["store2"])
    with pytest.raises(errors.InvalidInput) as exc:
        rule(hq, org["store"], held_tables=[other["A1"].pk])
    assert "held_tables" in exc.value.fields


# --- Availability -----------------------------------------------------------------------------
def test_day_slots_show_why_a_slot_is_not_bookable(org, hq, floor):
    store = org["store"]
    store.opening_hours = {d: [["17:00", "21:00"]] for d in rules.WEEKDAYS}
    store.save()
    rule(hq, store, slot_minutes=60, max_parties_per_slot=1)
    book(hq, store, tomorrow_at(18))
    slots = day_slots(store=store, day=tomorrow_at(18).date(), party_size=2)
    assert [s.starts_at.hour for s in slots] == [17, 18, 19, 20]
    by_hour = {s.starts_at.hour: s for s in slots}
    assert by_hour[17].bookable and by_hour[17].tables[0] == floor["A2"]  # A1 from 18:00
    assert not by_hour[18].bookable and by_hour[18].reason == "pacing_full"
    assert by_hour[18].reason_label
    big = day_slots(store=store, day=tomorrow_at(18).date(), party_size=40)
    assert {s.reason for s in big} == {"no_table"}


def test_next_free_slots_skip_full_ones(org, hq, floor):
    rule(hq, org["store"], max_parties_per_slot=1)
    book(hq, org["store"], tomorrow_at(18))
    found = next_free_slots(store=org["store"], party_size=2, after=tomorrow_at(18), limit=2)
    assert [s.starts_at for s in found] == [tomorrow_at(18, 30), tomorrow_at(19)]
    assert isinstance(found[0], Slot)
    assert found[0].ends_at - found[0].starts_at == dt.timedelta(minutes=90)
    assert found[0].table == floor["A2"]  # A1 is booked until 19:30


def test_the_frozen_grants_match_the_app(db):
    frozen: dict[str, set] = {}
    for name in ("0003_grant_default_permissions", "0005_grant_rule_permissions"):
        grants = importlib.import_module(f"huike.reservations.migrations.{name}").GRANTS
        for role, codes in grants.items():
            frozen.setdefault(role, set()).update(codes)
    assert frozen == {k: set(v) for k, v in GRANTS.items()}


def test_new_brand_groups_get_the_rule_permissions(org):
    roles = {r.code: set(r.permissions) for r in Role.objects.all()}
    assert "reservations.override_rules" in roles["manager"]
    assert "reservations.manage_rules" not in roles["desk"]


def test_move_outside_hours_is_refused_and_override_moves_into_a_full_slot(org, hq, users, floor):
    store = org["store"]
    store.opening_hours = {d: [["11:00", "22:00"]] for d in rules.WEEKDAYS}
    store.save()
    rule(hq, store, max_parties_per_slot=1)
    book(hq, store, tomorrow_at(18))
    other = book(hq, store, tomorrow_at(19), phone="13800138009")
    with pytest.raises(errors.InvalidInput) as exc:
        services.booking_move(acting_user=hq, booking=other, starts_at=tomorrow_at(23))
    assert exc.value.code == "outside_opening_hours"
    with pytest.raises(errors.PermissionDenied):
        services.booking_move(
            acting_user=users["desk"], booking=other, starts_at=tomorrow_at(18), override=True
        )
    moved = services.booking_move(
        acting_user=users["manager"], booking=other, starts_at=tomorrow_at(18), override=True
    )
    assert moved.starts_at == tomorrow_at(18)
    assert "(" in moved.events.latest("pk").detail


def test_day_slots_show_held_back_places_as_free_for_the_guests_they_are_kept_for(org, hq, floor):
    vip = guest_tag_create(acting_user=hq, name="VIP")
    tagged = guest_create(acting_user=hq, name="李四", primary_phone="13900000002")
    tag_add(acting_user=hq, guest=tagged, tag=vip)
    rule(hq, org["store"], held_tables=[floor["牡丹厅"].pk], held_for_tags=[vip.pk])
    day = tomorrow_at(18).date()
    anyone = {s.starts_at: s for s in day_slots(store=org["store"], day=day, party_size=10)}
    kept = {
        s.starts_at: s for s in day_slots(store=org["store"], day=day, party_size=10, guest=tagged)
    }
    assert anyone[tomorrow_at(18)].reason == "held_back"
    assert kept[tomorrow_at(18)].bookable
    assert kept[tomorrow_at(18)].tables == [floor["牡丹厅"]]
