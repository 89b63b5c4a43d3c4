"""The bookings API: create (idempotent), list a day, read, the status actions, moves and the
free-table suggestions; problems carry their codes."""

from __future__ import annotations

import pytest

from huike.core.testing import ApiClient, assert_problem
from huike.reservations.models import Booking

from .conftest import tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_api(users):
    return ApiClient(users["desk"], language="en")


def _new(org, **extra):
    return {
        "store": org["store"].pk,
        "starts_at": tomorrow_at(18).isoformat(),
        "party_size": 2,
        "guest_phone": "13800138000",
        "guest_name": "王芳",
        **extra,
    }


def test_online_booking_with_idempotency_key_is_made_once(org, floor, desk_api):
    key = {"Idempotency-Key": "web-123"}
    first = desk_api.post("/bookings", _new(org, occasion="business"), headers=key)
    again = desk_api.post("/bookings", _new(org, occasion="business"), headers=key)
    assert first.status_code == again.status_code == 201, first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json() == again.json()
    body = first.json()
    assert (body["table_code"], body["status"], body["source"]) == ("A1", "pending", "online")
    assert Booking.objects.count() == 1


def test_day_list_get_and_lifecycle(org, floor, desk_api):
    booking = desk_api.post("/bookings", _new(org)).json()
    path = f"/bookings/{booking['id']}"
    day = tomorrow_at(18).date().isoformat()
    listed = desk_api.get(f"/bookings?store={org['store'].pk}&date={day}")
    assert [b["id"] for b in listed.json()] == [booking["id"]]
    assert desk_api.get(path).json()["guest_name"] == "王芳"
    assert desk_api.post(f"{path}/confirm").json()["status"] == "confirmed"
    assert desk_api.post(f"{path}/seat").json()["status"] == "seated"
    assert desk_api.post(f"{path}/complete").json()["status"] == "completed"
    assert_problem(desk_api.post(f"{path}/cancel", {"reason": "x"}), 409, "invalid_booking_status")


def test_cancel_no_show_and_move(org, floor, desk_api):
    a = desk_api.post("/bookings", _new(org)).json()
    b = desk_api.post("/bookings", _new(org, guest_phone="13900001111")).json()
    assert b["table_code"] == "A2"
    assert_problem(
        desk_api.post(f"/bookings/{b['id']}/move", {"table": a["table"]}), 409, "table_taken"
    )
    moved = desk_api.post(
        f"/bookings/{b['id']}/move", {"starts_at": tomorrow_at(20).isoformat(), "table": a["table"]}
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["table"] == a["table"]
    assert_problem(
        desk_api.post(f"/bookings/{a['id']}/cancel", {}), 400, "invalid_input", ["reason"]
    )
    cancelled = desk_api.post(f"/bookings/{a['id']}/cancel", {"reason": "改期"}).json()
    assert (cancelled["status"], cancelled["status_reason"]) == ("cancelled", "改期")
    gone = desk_api.post(f"/bookings/{b['id']}/no-show", {"reason": ""}).json()
    assert gone["status"] == "no_show"


def test_free_tables_best_first(org, floor, desk_api):
    desk_api.post("/bookings", _new(org))
    starts = tomorrow_at(18, 30).isoformat().replace("+", "%2B")
    tables = desk_api.get(f"/stores/{org['store'].pk}/free-tables?starts_at={starts}&party_size=2")
    assert [t["code"] for t in tables.json()] == ["A2", "B1"]
    big = desk_api.get(f"/stores/{org['store'].pk}/free-tables?starts_at={starts}&party_size=10")
    assert [t["code"] for t in big.json()] == ["牡丹厅"]


def test_problems(org, floor, desk_api, users):
    assert_problem(
        desk_api.post("/bookings", _new(org, table=floor["A1"].pk, party_size=6)),
        400,
        "party_too_big",
        ["party_size"],
    )
    assert_problem(
        desk_api.post("/bookings", _new(org, guest_phone="abc")),
        400,
        "invalid_input",
        ["guest_phone"],
    )
    assert_problem(desk_api.get("/bookings/999999"), 404, "not_found")
    waiter = ApiClient(users["waiter"], language="en")
    assert_problem(waiter.post("/bookings", _new(org)), 403, "permission_denied")
    assert Booking.objects.count() == 0
