"""Console pages: the day view with its actions, the booking form (prefill, suggestions, errors
beside the fields) and the booking page with its history."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from huike.reservations import services
from huike.reservations.models import Booking

from .conftest import tomorrow_at

pytestmark = pytest.mark.django_db


def _book(org, user, **extra):
    return services.booking_create(
        acting_user=user,
        store=org["store"],
        starts_at=tomorrow_at(18),
        party_size=2,
        guest_phone="13800138000",
        **extra,
    )


def _form(org, **extra):
    return {
        "guest_phone": "13800138000",
        "guest_name": "王芳",
        "store": org["store"].pk,
        "date": tomorrow_at(18).date().isoformat(),
        "time": "18:00",
        "party_size": "2",
        "book": "1",
        **extra,
    }


@pytest.mark.parametrize("page", ["booking_day", "booking_timeline", "waitlist"])
def test_a_day_page_given_only_a_date_shows_that_day_of_the_first_store(
    client, org, users, floor, page
):
    _book(org, users["desk"])
    client.force_login(users["desk"])  # one store in scope
    day = tomorrow_at(18).date()
    html = client.get(reverse(page), {"date": day.isoformat()}).content.decode()
    assert "errorlist" not in html and 'class="invalid-feedback' not in html
    assert day.isoformat() in html and org["store"].name in html
    bad = client.get(reverse(page), {"date": "not-a-day"}).content.decode()
    assert "invalid-feedback" in bad or "errorlist" in bad  # the date's error is shown


def test_day_view_lists_the_days_bookings_with_actions(client, org, users, floor):
    booking = _book(org, users["desk"])
    client.force_login(users["captain"])
    day = tomorrow_at(18).date().isoformat()
    page = client.get(reverse("booking_day"), {"store": org["store"].pk, "date": day})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="booking-row"') == 1
    assert 'data-testid="action-confirm"' in html and 'data-testid="nav-bookings"' in html
    other_day = client.get(reverse("booking_day"), {"store": org["store"].pk, "date": "2030-01-01"})
    assert 'data-testid="booking-empty"' in other_day.content.decode()

    url = reverse("booking_action", args=[booking.pk, "confirm"])
    assert client.post(url).status_code == 302
    client.post(reverse("booking_action", args=[booking.pk, "cancel"]), {"reason": ""})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # no reason: refused
    client.post(reverse("booking_action", args=[booking.pk, "cancel"]), {"reason": "改期"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_the_form_books_and_shows_the_booking_with_history(client, org, users, floor):
    client.force_login(users["desk"])
    response = client.post(reverse("booking_new"), _form(org, occasion="family", deposit="100"))
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("booking_detail", args=[booking.pk])
    assert (booking.table.code, booking.occasion, str(booking.deposit)) == (
        "A1",
        "family",
        "100.00",
    )
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="booking-event"') == 1
    assert 'data-kind="created"' in page


def test_the_form_shows_errors_beside_fields_and_writes_nothing(client, org, users, floor):
    client.force_login(users["desk"])
    too_big = client.post(reverse("booking_new"), _form(org, party_size="9", table=floor["A1"].pk))
    assert too_big.status_code == 400
    assert 'data-testid="error-party_size"' in too_big.content.decode()
    past = client.post(reverse("booking_new"), _form(org, date="2020-01-01"))
    assert 'data-testid="error-time"' in past.content.decode()
    bad_phone = client.post(reverse("booking_new"), _form(org, guest_phone="123"))
    assert 'data-testid="error-guest_phone"' in bad_phone.content.decode()
    assert Booking.objects.count() == 0


def test_prefill_from_the_screen_pop_and_suggestions(client, org, users, floor, guest):
    client.force_login(users["desk"])
    page = client.get(reverse("booking_new"), {"guest": guest.pk}).content.decode()
    assert re.search(r'name="guest_phone"[^>]*value="\+8613800138000"', page)
    page = client.get(reverse("booking_new"), {"phone": "13911112222"}).content.decode()
    assert re.search(r'name="guest_phone"[^>]*value="13911112222"', page)
    assert client.get(reverse("booking_new"), {"guest": "abc"}).status_code == 200
    _book(org, users["desk"])
    form = _form(org, party_size="2")
    form.pop("book")
    shown = client.post(reverse("booking_new"), {**form, "suggest": "1"}).content.decode()
    assert re.findall(r'data-testid="free-table" data-table="(\d+)"', shown) == [
        str(floor["A2"].pk),
        str(floor["B1"].pk),
    ]
    assert Booking.objects.count() == 1


def test_who_may_see_and_book(client, org, users, floor):
    client.force_login(users["waiter"])
    assert client.get(reverse("booking_day")).status_code == 403
    assert client.get(reverse("booking_new")).status_code == 403
    client.force_login(users["desk"])
    assert client.get(reverse("booking_day")).status_code == 200


def test_the_booking_form_opens_on_today_in_the_format_the_date_picker_reads(client, org, users):
    from huike.core.timeutils import local_today

    client.force_login(users["desk"])
    html = client.get(reverse("booking_new")).content.decode()
    assert f'type="date" name="date" value="{local_today().isoformat()}"' in html
