"""The booking-rules API (CRUD under /stores/{id}/booking-rules) and the availability of a day;
rule refusals carry their codes through the bookings API."""

from __future__ import annotations

import pytest

from huike.core.testing import ApiClient, assert_problem
from huike.reservations.models import BookingRule

from .conftest import tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api(users):
    return ApiClient(users["manager"], language="en")


@pytest.fixture
def desk_api(users):
    return ApiClient(users["desk"], language="en")


def test_rule_crud(org, floor, manager_api):
    base = f"/stores/{org['store'].pk}/booking-rules"
    created = manager_api.post(
        base, {"slot_minutes": 60, "turn_times": [[4, 80], [12, 140]], "max_parties_per_slot": 4}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["turn_times"] == [[4, 80], [12, 140]] and body["area"] is None
    room_area = floor["牡丹厅"].area
    area_rule = manager_api.post(
        base, {"area": room_area.pk, "held_tables": [floor["牡丹厅"].pk]}
    ).json()
    assert area_rule["area_name"] == room_area.name and area_rule["held_tables"]
    listed = manager_api.get(base).json()
    assert [r["id"] for r in listed] == [body["id"], area_rule["id"]]
    changed = manager_api.patch(f"{base}/{body['id']}", {"max_parties_per_slot": None})
    assert changed.status_code == 200 and changed.json()["max_parties_per_slot"] is None
    assert changed.json()["slot_minutes"] == 60  # unchanged
    assert manager_api.get(f"{base}/{body['id']}").json()["id"] == body["id"]
    assert manager_api.delete(f"{base}/{body['id']}").status_code == 204
    assert BookingRule.objects.count() == 1


def test_bad_rules_and_no_permission(org, floor, manager_api, desk_api):
    base = f"/stores/{org['store'].pk}/booking-rules"
    response = manager_api.post(base, {"turn_times": [[6, 90], [4, 60]], "slot_minutes": 45})
    assert_problem(response, 400, "invalid_input", ["turn_times", "slot_minutes"])
    assert_problem(manager_api.post(base, {"colour": 1}), 400, "invalid_input")
    assert_problem(desk_api.post(base, {}), 403, "permission_denied")
    assert_problem(manager_api.get(f"{base}/999999"), 404, "not_found")
    assert not BookingRule.objects.exists()


def test_availability_and_pacing_refusal(org, floor, manager_api, desk_api):
    store = org["store"]
    manager_api.post(f"/stores/{store.pk}/booking-rules", {"max_parties_per_slot": 1})
    new = {
        "store": store.pk,
        "starts_at": tomorrow_at(18).isoformat(),
        "party_size": 2,
        "guest_phone": "13800138000",
    }
    assert desk_api.post("/bookings", new).status_code == 201
    full = desk_api.post("/bookings", {**new, "guest_phone": "13800138001"})
    assert_problem(full, 409, "pacing_full")
    forced = desk_api.post("/bookings", {**new, "guest_phone": "13800138001", "override": True})
    assert_problem(forced, 403, "permission_denied")
    managed = manager_api.post("/bookings", {**new, "guest_phone": "13800138001", "override": True})
    assert managed.status_code == 201, managed.json()
    day = tomorrow_at(18).date().isoformat()
    slots = desk_api.get(f"/stores/{store.pk}/availability?date={day}&party_size=2").json()
    by_time = {s["starts_at"][11:16]: s for s in slots}
    assert len(slots) == 48  # no opening hours: the whole day, every 30 minutes
    assert by_time["18:00"]["bookable"] is False and by_time["18:00"]["reason"] == "pacing_full"
    assert by_time["18:30"]["bookable"] is True and by_time["18:30"]["tables"]
    bad = desk_api.get(f"/stores/{store.pk}/availability?date={day}&party_size=0")
    assert bad.status_code in (400, 422)
    unknown = desk_api.get(f"/stores/{store.pk}/availability?date={day}&party_size=2&guest=99999")
    assert_problem(unknown, 400, "invalid_input", ["guest"])


def test_off_hours_booking_is_refused_with_its_code(org, floor, desk_api):
    store = org["store"]
    store.opening_hours = {"mon": [["10:00", "14:00"]]}
    store.save()
    response = desk_api.post(
        "/bookings",
        {
            "store": store.pk,
            "starts_at": tomorrow_at(3).isoformat(),
            "party_size": 2,
            "guest_phone": "13800138000",
        },
    )
    assert_problem(response, 400, "outside_opening_hours", ["starts_at"])


def test_a_guest_cancelling_online_after_the_cut_off_is_refused(org, floor, manager_api):
    store = org["store"]
    manager_api.post(f"/stores/{store.pk}/booking-rules", {"cancel_cutoff_hours": 72})
    created = manager_api.post(
        "/bookings",
        {
            "store": store.pk,
            "starts_at": tomorrow_at(18).isoformat(),
            "party_size": 2,
            "guest_phone": "13800138000",
        },
    ).json()
    url = f"/bookings/{created['id']}/cancel"
    late = manager_api.post(url, {"reason": "有事", "by_guest": True})
    assert_problem(late, 409, "cancel_cutoff_passed")
    done = manager_api.post(url, {"reason": "有事"})  # a manager may, with a reason
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
