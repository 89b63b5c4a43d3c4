"""The waitlist API: add (idempotent), list a day with each party's next free slot, read,
offer, accept, cancel; problems carry their codes; other tenants' entries are not found."""

from __future__ import annotations

import pytest

from huike.core.tenancy import tenant_context
from huike.core.testing import ApiClient, assert_problem
from huike.reservations.models import Booking
from huike.waitlist.models import WaitlistEntry

from .conftest import add, make_floor, tomorrow, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_api(users):
    return ApiClient(users["desk"], language="en")


def _new(org, **extra):
    return {
        "store": org["store"].pk,
        "day": tomorrow().isoformat(),
        "earliest": "18:00",
        "latest": "19:00",
        "party_size": 8,
        "guest_phone": "13800138000",
        "guest_name": "王芳",
        **extra,
    }


def test_add_with_idempotency_key_is_made_once_and_listed(org, floor, desk_api):
    key = {"Idempotency-Key": "wl-1"}
    first = desk_api.post("/waitlist", _new(org, notes="带婴儿车"), headers=key)
    again = desk_api.post("/waitlist", _new(org, notes="带婴儿车"), headers=key)
    assert first.status_code == again.status_code == 201, first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    body = first.json()
    assert (body["status"], body["guest_name"], body["notes"]) == ("offered", "王芳", "带婴儿车")
    assert body["offered"]["table_code"] == body["next_slot"]["table_code"] == "B1"
    assert WaitlistEntry.objects.count() == 1

    listed = desk_api.get(f"/waitlist?store={org['store'].pk}&date={tomorrow().isoformat()}")
    assert [e["id"] for e in listed.json()] == [body["id"]]
    assert listed.json()[0]["next_slot"]["starts_at"].startswith(tomorrow().isoformat())
    assert desk_api.get(f"/waitlist/{body['id']}").json()["earliest"] == "18:00:00"


def test_accept_books_the_party_and_cancel_closes(org, floor, desk_api):
    entry = add(org["users"]["desk"], org["store"])
    accepted = desk_api.post(f"/waitlist/{entry.pk}/accept", {})
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert body["status"] == "booked" and body["next_slot"] is None
    booking = Booking.objects.get(pk=body["booking"])
    assert (booking.table, booking.starts_at) == (floor["B1"], tomorrow_at(18))
    assert_problem(desk_api.post(f"/waitlist/{entry.pk}/cancel", {}), 409, "waitlist_entry_closed")

    other = add(org["users"]["desk"], org["store"], phone="13900001111", size=2)
    cancelled = desk_api.post(f"/waitlist/{other.pk}/cancel", {"reason": "不等了"})
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["status_reason"] == "不等了"


def test_accept_a_given_slot_and_offer(org, floor, desk_api):
    entry = add(org["users"]["desk"], org["store"])
    path = f"/waitlist/{entry.pk}"
    outside = {"table": floor["牡丹厅"].pk, "starts_at": tomorrow_at(21).isoformat()}
    assert_problem(desk_api.post(f"{path}/accept", outside), 400, "outside_window", ["starts_at"])
    assert desk_api.post(f"{path}/offer").json()["offered"]["table_code"] == "B1"
    given = {"table": floor["牡丹厅"].pk, "starts_at": tomorrow_at(18, 30).isoformat()}
    body = desk_api.post(f"{path}/accept", given).json()
    assert Booking.objects.get(pk=body["booking"]).table == floor["牡丹厅"]


def test_problems(org, floor, desk_api, other_org):
    assert_problem(
        desk_api.post("/waitlist", _new(org, earliest="20:00", latest="19:00")),
        400,
        "invalid_input",
        ["latest"],
    )
    assert_problem(
        desk_api.post("/waitlist", _new(org, guest_phone="123")),
        400,
        "invalid_input",
        ["guest_phone"],
    )
    response = desk_api.post("/waitlist", {**_new(org), "surprise": 1})
    assert response.status_code in (400, 422)
    assert WaitlistEntry.objects.count() == 0
    assert_problem(desk_api.get("/waitlist/999999"), 404, "not_found")
    assert_problem(desk_api.get("/waitlist?store=999999&date=2030-01-01"), 404, "not_found")
    with tenant_context(other_org["tenant"]):
        make_floor(other_org["store"])
        theirs = add(other_org["users"]["hq"], other_org["store"])
    assert_problem(desk_api.get(f"/waitlist/{theirs.pk}"), 404, "not_found")
    assert_problem(desk_api.post(f"/waitlist/{theirs.pk}/accept", {}), 404, "not_found")
    waiter = ApiClient(org["users"]["waiter"], language="en")
    assert_problem(waiter.post("/waitlist", _new(org)), 403, "permission_denied")


def test_the_openapi_document_lists_the_waitlist(db):
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/waitlist"]) == {"get", "post"}
    for action in ("offer", "accept", "cancel"):
        assert set(paths[f"/api/v1/waitlist/{{entry_id}}/{action}"]) == {"post"}
