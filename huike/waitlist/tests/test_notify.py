"""Texting a waiting guest that a table is free: the slot free now, each slot once, a new slot
a new message, the delivery shown on the list; refusals change nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from huike.core import errors
from huike.core.testing import assert_problem
from huike.messaging.models import Message
from huike.reservations import services as reservations
from huike.waitlist import services
from huike.waitlist.models import WaitlistEntry

from .conftest import add, tomorrow, tomorrow_at

pytestmark = pytest.mark.django_db


def test_the_guest_is_texted_the_free_slot_once(org, desk, floor):
    entry = add(desk, org["store"], phone="13900002222", guest_name="赵雷", size=8)
    services.waitlist_notify(acting_user=desk, entry=entry)
    services.waitlist_notify(acting_user=desk, entry=entry)  # pressed twice
    [message] = Message.objects.all()
    assert (message.channel, message.recipient, message.purpose) == (
        "sms",
        "+8613900002222",
        "waitlist.offer",
    )
    day = tomorrow()
    assert message.params == [
        "赵雷",
        org["store"].name,
        f"{day.month}月{day.day}日",
        "18:00",
        "8",
        "B1",
    ]
    assert "18:00" in message.body and org["store"].name in message.body
    entry.refresh_from_db()
    assert entry.offer_message == message and entry.status == WaitlistEntry.Status.OFFERED


def test_a_different_slot_later_is_a_new_message(org, desk, floor):
    entry = add(desk, org["store"], size=8)
    services.waitlist_notify(acting_user=desk, entry=entry)
    reservations.booking_create(  # B1 is taken by a walk-in: the room is offered instead
        acting_user=desk,
        store=org["store"],
        table=floor["B1"],
        starts_at=tomorrow_at(18),
        party_size=8,
        guest_phone="13911110000",
    )
    services.waitlist_notify(acting_user=desk, entry=entry)
    entry.refresh_from_db()
    assert Message.objects.count() == 2
    assert entry.offered_table == floor["牡丹厅"] and entry.offer_message.params[-1] == "牡丹厅"


def test_nothing_free_or_a_closed_entry_is_refused_and_nothing_is_sent(org, desk, floor):
    for code in ("B1", "牡丹厅"):
        reservations.booking_create(
            acting_user=desk,
            store=org["store"],
            table=floor[code],
            starts_at=tomorrow_at(18),
            party_size=8,
            guest_phone=f"1391111{code == 'B1':04d}",
        )
    entry = add(desk, org["store"], size=8)
    with pytest.raises(errors.Conflict) as nothing:
        services.waitlist_notify(acting_user=desk, entry=entry)
    assert nothing.value.code == "no_slot_free"
    services.waitlist_cancel(acting_user=desk, entry=entry, reason="不等了")
    with pytest.raises(errors.Conflict) as closed:
        services.waitlist_notify(acting_user=desk, entry=entry)
    assert closed.value.code == "waitlist_entry_closed"
    assert not Message.objects.exists()


def test_a_waiter_may_not_text_the_guest(org, users, desk, floor):
    entry = add(desk, org["store"], size=2)
    with pytest.raises(errors.PermissionDenied):
        services.waitlist_notify(acting_user=users["waiter"], entry=entry)
    assert not Message.objects.exists()


def test_the_page_button_texts_the_guest_and_shows_the_delivery(org, desk, floor):
    entry = add(desk, org["store"], size=2)
    client = Client()
    client.force_login(desk)
    page = reverse("waitlist") + f"?store={org['store'].pk}&date={tomorrow().isoformat()}"
    assert 'data-testid="waitlist-notify"' in client.get(page).content.decode()
    assert client.post(reverse("waitlist_notify", args=[entry.pk])).status_code == 302
    shown = client.get(page).content.decode()
    assert 'data-testid="waitlist-offer-sent"' in shown and "已告知顾客" in shown
    assert Message.objects.count() == 1


def test_the_api_texts_the_guest_and_answers_the_delivery(org, api, desk, floor):
    entry = add(desk, org["store"], size=2)
    client = api("desk")
    answer = client.post(f"/waitlist/{entry.pk}/notify")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["offer_sent"]["channel"] == "sms"
    assert answer.json()["offer_sent"]["status"] == "queued"
    assert_problem(api("waiter").post(f"/waitlist/{entry.pk}/notify"), 403, "permission_denied")
    assert Message.objects.count() == 1
