"""The pre-order API: GET / PUT /api/v1/bookings/{id}/pre-order."""

from __future__ import annotations

import pytest

from huike.core.testing import ApiClient, assert_problem
from huike.reservations import services as booking_services

from .conftest import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_api(users):
    return ApiClient(users["desk"], language="en")


def test_put_replaces_and_get_reads_the_pre_order(org, users, floor, menu, desk_api):
    booking = book(org, users["hq"], floor["牡丹厅"], size=8)
    path = f"/bookings/{booking.pk}/pre-order"
    assert desk_api.get(path).json() == {
        "booking": booking.pk,
        "price_tier": "vip_room",
        "total": "0.00",
        "lines": [],
    }
    put = desk_api.put(
        path,
        {
            "lines": [
                {"dish": menu["fish"].pk, "quantity": 1, "note": "少辣"},
                {"dish": menu["tea"].pk, "quantity": 2},
            ]
        },
    )
    assert put.status_code == 200, put.json()
    body = desk_api.get(path).json()
    assert body == put.json()
    assert body["total"] == "134.00"  # 98 + 2 × 18 at the VIP-room price
    assert [(line["dish_name"], line["unit_price"]) for line in body["lines"]] == [
        ("剁椒鱼头", "98.00"),
        ("菊花茶", "18.00"),
    ]
    assert desk_api.put(path, {"lines": []}).json()["lines"] == []


def test_problems_carry_their_codes(org, users, floor, menu, desk_api, api):
    booking = book(org, users["hq"], floor["A1"])
    path = f"/bookings/{booking.pk}/pre-order"
    off = desk_api.put(path, {"lines": [{"dish": menu["off_here"].pk, "quantity": 1}]})
    assert_problem(off, 400, "invalid_lines", fields=["lines"])
    zero = desk_api.put(path, {"lines": [{"dish": menu["fish"].pk, "quantity": 0}]})
    assert_problem(zero, 400, "invalid_lines", fields=["lines"])
    extra = desk_api.put(path, {"lines": [], "price": 1})
    assert_problem(extra, 400, "invalid_input")
    assert desk_api.get("/bookings/999999/pre-order").status_code == 404
    denied = api("cashier").put(path, {"lines": []})
    assert denied.status_code == 403
    booking_services.booking_cancel(acting_user=users["hq"], booking=booking, reason="改期")
    closed = desk_api.put(path, {"lines": [{"dish": menu["fish"].pk, "quantity": 1}]})
    assert_problem(closed, 409, "invalid_booking_status")
