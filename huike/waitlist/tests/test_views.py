"""Console pages of the waitlist: the day's list with each party's next free slot and the
'Book this slot' button, the quick add form (errors beside the fields), booking, taking off
the list, 'check again', the live-refreshed list, and who may see it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from huike.reservations import services as reservations
from huike.reservations.models import Booking
from huike.waitlist.models import WaitlistEntry

from .conftest import add, tomorrow, tomorrow_at

pytestmark = pytest.mark.django_db


def _query(org) -> dict:
    return {"store": org["store"].pk, "date": tomorrow().isoformat()}


def _url(org) -> str:
    return f"{reverse('waitlist')}?store={org['store'].pk}&date={tomorrow().isoformat()}"


def test_page_lists_each_party_with_its_next_free_slot(client, org, users, floor):
    entry = add(users["desk"], org["store"], guest_name="王芳")
    client.force_login(users["captain"])
    page = client.get(reverse("waitlist"), _query(org))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="waitlist-row"') == 1
    assert "王芳" in html and "18:00–20:00</strong> · B1" in html
    assert f'action="{reverse("waitlist_accept", args=[entry.pk])}"' in html
    assert f'data-live-channel="store:{org["store"].pk}:floor"' in html
    assert 'data-live-events="booking table waitlist"' in html

    partial = client.get(reverse("waitlist_entries"), _query(org), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert 'data-testid="waitlist-book"' in body and "<html" not in body
    other_day = client.get(reverse("waitlist"), {"store": org["store"].pk, "date": "2030-01-01"})
    assert 'data-testid="waitlist-empty"' in other_day.content.decode()


def test_quick_add_form(client, org, users, floor):
    client.force_login(users["desk"])
    form = {"guest_phone": "13800138000", "guest_name": "王芳", "party_size": "8"}
    bad = client.post(_url(org), {**form, "earliest": "19:00", "latest": "18:00"})
    assert bad.status_code == 400
    assert 'data-testid="error-latest"' in bad.content.decode()
    bad_phone = client.post(
        _url(org), {**form, "guest_phone": "12", "earliest": "18:00", "latest": "19:00"}
    )
    assert 'data-testid="error-guest_phone"' in bad_phone.content.decode()
    assert WaitlistEntry.objects.count() == 0

    ok = client.post(_url(org), {**form, "earliest": "18:00", "latest": "19:00"})
    assert ok.status_code == 302 and ok.url == _url(org)
    entry = WaitlistEntry.objects.get()
    assert (entry.store, entry.day, entry.party_size) == (org["store"], tomorrow(), 8)
    assert entry.guest.name == "王芳" and entry.created_by == users["desk"]


def test_book_this_slot_books_and_shows_the_booking(client, org, users, floor):
    entry = add(users["desk"], org["store"])
    client.force_login(users["desk"])
    slot = {"table": floor["B1"].pk, "starts_at": tomorrow_at(18).isoformat()}
    done = client.post(reverse("waitlist_accept", args=[entry.pk]), slot)
    booking = Booking.objects.get()
    assert done.status_code == 302 and done.url == reverse("booking_detail", args=[booking.pk])
    entry.refresh_from_db()
    assert entry.status == "booked" and entry.booking == booking

    other = add(users["desk"], org["store"], phone="13900001111")
    again = client.post(reverse("waitlist_accept", args=[other.pk]), slot, follow=True)
    with translation.override("zh-hans"):
        expected = str(reservations.table_taken().message)
    assert expected in [str(m) for m in again.context["messages"]]
    other.refresh_from_db()
    assert other.status == "waiting" and Booking.objects.count() == 1
    garbled = client.post(
        reverse("waitlist_accept", args=[other.pk]), {"table": floor["B1"].pk, "starts_at": "x"}
    )
    assert garbled.status_code == 302 and Booking.objects.count() == 1


def test_take_off_and_check_again(client, org, users, floor):
    blocker = reservations.booking_create(
        acting_user=users["desk"],
        store=org["store"],
        table=floor["B1"],
        starts_at=tomorrow_at(18),
        party_size=8,
        guest_phone="13911110000",
    )
    room = reservations.booking_create(
        acting_user=users["desk"],
        store=org["store"],
        table=floor["牡丹厅"],
        starts_at=tomorrow_at(18),
        party_size=8,
        guest_phone="13911110001",
    )
    entry = add(users["desk"], org["store"])
    gone = add(users["desk"], org["store"], phone="13900002222", size=2)
    client.force_login(users["desk"])
    assert 'data-testid="waitlist-no-slot"' in client.get(_url(org)).content.decode()

    reservations.booking_cancel(acting_user=users["desk"], booking=room, reason="改期")
    page = client.get(_url(org)).content.decode()  # what the live refresh shows
    assert "18:00–20:00</strong> · 牡丹厅" in page
    checked = client.post(reverse("waitlist_check"), _query(org))
    assert checked.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "offered" and entry.offered_table == floor["牡丹厅"]

    client.post(reverse("waitlist_cancel", args=[gone.pk]))
    gone.refresh_from_db()
    assert gone.status == "cancelled"
    assert blocker.status == "pending"


def test_who_may_see_and_use_the_waitlist(client, org, users, floor):
    entry = add(users["desk"], org["store"])
    client.force_login(users["waiter"])
    assert client.get(reverse("waitlist")).status_code == 403
    assert client.post(reverse("waitlist_accept", args=[entry.pk])).status_code == 403
    assert client.post(reverse("waitlist_check"), _query(org)).status_code == 403
    client.force_login(users["desk"])
    assert client.get(reverse("waitlist"), {"store": org["store2"].pk}).status_code == 404
    entry.refresh_from_db()
    assert entry.status == "offered" and Booking.objects.count() == 0
