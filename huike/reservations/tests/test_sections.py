"""The bookings section of the guest 360° view (G3): upcoming bookings, the latest past ones,
no-shows and cancellations with their reasons and counts — in the page and the API, within the
reader's store or brand scope, in one query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from huike.guests import profile360
from huike.reservations import sections, services
from huike.reservations.models import Booking

from .conftest import make_floor, tomorrow_at

pytestmark = pytest.mark.django_db


def _past(store, guest, days: int, status: str, reason: str = "", table=None) -> Booking:
    starts = timezone.now().replace(microsecond=0) - dt.timedelta(days=days)
    return Booking.objects.create(
        store=store,
        table=table,
        guest=guest,
        party_size=4,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=status,
        status_reason=reason,
    )


@pytest.fixture
def history(org, users, floor, guest):
    """Two upcoming bookings (one at each store), a completed visit, a no-show with its reason,
    a cancelled one with its reason (store 2)."""
    desk = users["desk"]
    make_floor(org["store2"])
    soon = services.booking_create(
        acting_user=desk, store=org["store"], starts_at=tomorrow_at(18), party_size=3, guest=guest,
        table=floor["A1"],
    )  # fmt: skip
    in_three_days = tomorrow_at(19) + dt.timedelta(days=2)
    later = services.booking_create(
        acting_user=users["hq"], store=org["store2"], starts_at=in_three_days, party_size=2,
        guest=guest,
    )  # fmt: skip
    came = _past(org["store"], guest, 20, Booking.Status.COMPLETED, table=floor["B1"])
    missed = _past(org["store"], guest, 10, Booking.Status.NO_SHOW, "电话未接")
    dropped = _past(org["store2"], guest, 5, Booking.Status.CANCELLED, "行程有变")
    return {"soon": soon, "later": later, "came": came, "missed": missed, "dropped": dropped}


def _bookings(user, guest):
    view = profile360.guest_360(user=user, guest=guest)
    return next((s["data"] for s in view["sections"] if s["code"] == "bookings"), None)


def test_the_section_lists_upcoming_past_and_missed_bookings_with_counts(hq, guest, history):
    data = _bookings(hq, guest)
    assert [b["id"] for b in data["upcoming"]] == [history["soon"].pk, history["later"].pk]
    soon = data["upcoming"][0]
    assert soon["table"] == "A1" and soon["party_size"] == 3 and soon["status"] == "pending"
    assert soon["store_name"] == history["soon"].store.name
    assert [b["id"] for b in data["past"]] == [
        history["dropped"].pk,
        history["missed"].pk,
        history["came"].pk,
    ]
    assert [(b["id"], b["status"], b["reason"]) for b in data["missed"]] == [
        (history["dropped"].pk, "cancelled", "行程有变"),
        (history["missed"].pk, "no_show", "电话未接"),
    ]
    assert data["counts"] == {
        "total": 5, "upcoming": 2, "completed": 1, "no_show": 1, "cancelled": 1,
    }  # fmt: skip


def test_a_future_booking_cancelled_is_missed_not_upcoming(hq, users, guest, history):
    services.booking_cancel(acting_user=users["desk"], booking=history["soon"], reason="改天再来")
    data = _bookings(hq, guest)
    assert [b["id"] for b in data["upcoming"]] == [history["later"].pk]
    assert data["missed"][0]["id"] == history["soon"].pk
    assert data["missed"][0]["reason"] == "改天再来"
    assert history["soon"].pk not in [b["id"] for b in data["past"]]
    assert data["counts"]["cancelled"] == 2


def test_the_counts_cover_every_booking_when_the_rows_are_cut(monkeypatch, org, hq, guest):
    for days in range(1, 8):
        _past(org["store"], guest, days, Booking.Status.NO_SHOW, f"第{days}次")
    monkeypatch.setattr(sections, "FETCHED", 3)
    data = _bookings(hq, guest)
    assert len(data["missed"]) == 3 and data["missed"][0]["reason"] == "第1次"
    assert data["counts"]["no_show"] == 7 and data["counts"]["total"] == 7


def test_a_store_scoped_reader_sees_only_their_stores_bookings(users, guest, history):
    data = _bookings(users["manager"], guest)  # manager of store 1
    ids = {b["id"] for part in ("upcoming", "past", "missed") for b in data[part]}
    assert ids == {history["soon"].pk, history["came"].pk, history["missed"].pk}
    assert data["counts"] == {
        "total": 3, "upcoming": 1, "completed": 1, "no_show": 1, "cancelled": 0,
    }  # fmt: skip


def test_left_out_without_the_permission_or_without_bookings(org, users, hq, guest, history):
    assert _bookings(users["waiter"], guest) is None  # no reservations.view
    from huike.guests.services import guest_create

    nobody = guest_create(acting_user=hq, name="新客", primary_phone="13900139000")
    assert _bookings(hq, nobody) is None
    # only bookings at another store: left out for the store-scoped manager
    Booking.objects.filter(guest=guest, store=org["store"]).delete()
    assert _bookings(users["manager"], guest) is None
    assert _bookings(hq, guest) is not None


def test_the_section_takes_one_query(hq, guest, history, django_assert_num_queries):
    reader = type(hq).objects.get(pk=hq.pk)
    sections.bookings(user=reader, guest=guest)  # the reader's access, read once
    with django_assert_num_queries(1):
        sections.bookings(user=reader, guest=guest)


def test_the_360_page_shows_the_bookings(client, users, guest, history):
    client.force_login(users["captain"])
    html = client.get(reverse("guest_360", args=[guest.pk])).content.decode()
    assert html.count('data-testid="booking-upcoming"') == 1  # store 1 only
    assert html.count('data-testid="booking-missed"') == 1
    assert "电话未接" in html and "行程有变" not in html
    assert reverse("booking_detail", args=[history["soon"].pk]) in html
    client.force_login(users["waiter"])
    html = client.get(reverse("guest_360", args=[guest.pk])).content.decode()
    assert 'data-testid="bookings-counts"' not in html


def test_the_360_api_carries_the_bookings(api, guest, history):
    body = api("hq").get(f"/guests/{guest.pk}/360").json()
    section = next(s for s in body["sections"] if s["code"] == "bookings")
    assert section["title"]
    assert [b["id"] for b in section["data"]["upcoming"]] == [
        history["soon"].pk,
        history["later"].pk,
    ]
    assert section["data"]["missed"][1]["reason"] == "电话未接"
    assert section["data"]["counts"]["no_show"] == 1
    manager = api("manager").get(f"/guests/{guest.pk}/360").json()
    data = next(s for s in manager["sections"] if s["code"] == "bookings")["data"]
    assert [b["id"] for b in data["upcoming"]] == [history["soon"].pk]
    waiter = api("waiter").get(f"/guests/{guest.pk}/360").json()
    assert "bookings" not in [s["code"] for s in waiter["sections"]]
