"""The pop of a known caller lists their open bookings (R2), soonest first, within the desk
user's store scope; cancelled and past bookings are left out."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huike.guests.services import guest_create
from huike.menu.models import DiningTable, FloorArea
from huike.reservations import services as reservations
from huike.reservations.models import Booking
from huike.telephony import selectors, services

pytestmark = pytest.mark.django_db


def _table(store, code):
    area = FloorArea.objects.create(store=store, name=f"大堂{code}", sort_order=1)
    return DiningTable.objects.create(
        store=store, area=area, code=code, capacity_min=1, capacity_max=8
    )


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def caller(org, hq, users, published):
    guest = guest_create(acting_user=hq, name="王芳", primary_phone="13800138000")
    a1, b1 = _table(org["store"], "A1"), _table(org["store2"], "B1")
    desk = users["desk"]
    booked = {
        "soon": reservations.booking_create(
            acting_user=desk, store=org["store"], starts_at=_at(1, 18), party_size=4,
            guest=guest, table=a1,
        ),
        "later": reservations.booking_create(
            acting_user=desk, store=org["store"], starts_at=_at(3, 12), party_size=2,
            guest=guest, table=a1,
        ),
        "elsewhere": reservations.booking_create(
            acting_user=hq, store=org["store2"], starts_at=_at(2, 18), party_size=2,
            guest=guest, table=b1,
        ),
        "cancelled": reservations.booking_create(
            acting_user=desk, store=org["store"], starts_at=_at(2, 12), party_size=2,
            guest=guest, table=a1,
        ),
    }  # fmt: skip
    reservations.booking_cancel(acting_user=desk, booking=booked["cancelled"], reason="改期")
    starts = timezone.now() - dt.timedelta(days=3)
    Booking.objects.create(
        store=org["store"], table=a1, guest=guest, party_size=2, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2), status=Booking.Status.COMPLETED,
    )  # fmt: skip
    return guest, booked


def _call(line, call_id="c-b1"):
    call, _ = services.call_receive(line=line, call_id=call_id, caller="13800138000")
    return call


def test_the_pop_lists_the_callers_open_bookings_soonest_first(users, line, caller):
    guest, booked = caller
    call = _call(line)
    pop = selectors.call_pop(user=users["desk"], call=call)
    # the desk works at the first store: the booking at the second is not theirs to see
    assert [b["id"] for b in pop["guest"]["bookings"]] == [
        booked["soon"].pk,
        booked["later"].pk,
    ]
    assert pop["guest"]["bookings"][0]["table"] == "A1"
    hq_pop = selectors.call_pop(user=users["hq"], call=call)
    assert [b["id"] for b in hq_pop["guest"]["bookings"]] == [
        booked["soon"].pk,
        booked["elsewhere"].pk,
        booked["later"].pk,
    ]

    client = Client()
    client.force_login(users["desk"])
    html = client.get(f"/telephony/calls/{call.pk}/pop/").content.decode()
    assert html.count('data-testid="pop-booking"') == 2
    assert reverse("booking_detail", args=[booked["soon"].pk]) in html
    assert reverse("booking_detail", args=[booked["cancelled"].pk]) not in html


def test_the_pop_shows_at_most_a_few_open_bookings(monkeypatch, users, line, caller):
    monkeypatch.setattr(selectors, "OPEN_BOOKINGS", 1)
    guest, booked = caller
    pop = selectors.call_pop(user=users["hq"], call=_call(line))
    assert [b["id"] for b in pop["guest"]["bookings"]] == [booked["soon"].pk]


def test_a_caller_without_open_bookings_gets_no_list(users, hq, line, published):
    guest_create(acting_user=hq, name="李雷", primary_phone="13800138000")
    call = _call(line)
    assert selectors.call_pop(user=users["hq"], call=call)["guest"]["bookings"] == []
    client = Client()
    client.force_login(users["desk"])
    html = client.get(f"/telephony/calls/{call.pk}/pop/").content.decode()
    assert 'data-testid="pop-guest"' in html and 'data-testid="pop-bookings"' not in html
