"""Notices over the wire: SMS to the stand-in Tencent gateway over HTTP, email to a local SMTP
server, the delivery status stored and shown on the booking page and in the API."""

from __future__ import annotations

from email import message_from_bytes

from django.urls import reverse

from huike.guests.services import guest_create
from huike.messaging import services as outbox
from huike.messaging.models import Message
from huike.notices.models import BookingNotice
from huike.reservations import services as bookings


def _book(org, hq, floor, guest, starts_at, capture):
    with capture(execute=True):
        return bookings.booking_create(
            acting_user=hq,
            store=org["store"],
            guest=guest,
            starts_at=starts_at,
            party_size=4,
            table=floor["B1"],
        )


def test_sms_confirmation_reaches_the_gateway_and_its_status_shows_on_the_booking_page(
    org, hq, users, floor, guest, evening, sms, client, django_capture_on_commit_callbacks
):
    booking = _book(org, hq, floor, guest, evening, django_capture_on_commit_callbacks)
    notice = BookingNotice.objects.get(booking=booking)
    message = notice.message
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1
    [sent] = sms.sent_to("+8613800138000")
    assert sent.template_id == "200001"
    assert sent.params == [
        "王芳",
        org["store"].name,
        sent.params[2],
        "18:00",
        "4",
        "B1",
        f"B{booking.pk:06d}",
    ]
    assert sent.session_context == message.client_reference

    client.force_login(users["captain"])
    page = client.get(reverse("booking_detail", args=[booking.pk])).content.decode()
    assert (
        'data-testid="booking-notice" data-kind="confirmation" data-channel="sms" '
        'data-status="sent"' in page
    )
    assert "已发送" in page

    # The gateway's delivery report arrives: the page says delivered.
    assert outbox.delivery_reports_poll() == 1
    page = client.get(reverse("booking_detail", args=[booking.pk])).content.decode()
    assert 'data-status="delivered"' in page

    api = client.get(f"/api/v1/bookings/{booking.pk}/notices")
    assert api.status_code == 200, api.content
    [row] = api.json()
    assert (row["kind"], row["channel"], row["status"]) == ("confirmation", "sms", "delivered")
    assert row["recipient"] and row["recipient"] != ""


def test_a_refused_sms_shows_as_failed_with_the_reason(
    org,
    hq,
    users,
    floor,
    guest,
    evening,
    sms,
    settings,
    client,
    django_capture_on_commit_callbacks,
):
    settings.HUIKE_SMS_TEMPLATES = {}  # no Tencent template for the notice: refused for good
    booking = _book(org, hq, floor, guest, evening, django_capture_on_commit_callbacks)
    message = BookingNotice.objects.get(booking=booking).message
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and sms.messages == []
    client.force_login(users["captain"])
    page = client.get(reverse("booking_detail", args=[booking.pk])).content.decode()
    assert 'data-status="failed"' in page and 'data-testid="notice-error"' in page


def test_email_confirmation_over_smtp_and_shown_on_the_booking_page(
    org, hq, users, floor, evening, smtp_server, client, django_capture_on_commit_callbacks
):
    guest = guest_create(
        acting_user=hq,
        name="李娜",
        title="李女士",
        primary_phone="13900139000",
        email="lina@example.com",
        preferred_channel="email",
    )
    booking = _book(org, hq, floor, guest, evening, django_capture_on_commit_callbacks)
    message = BookingNotice.objects.get(booking=booking).message
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.channel == "email"
    [envelope] = smtp_server.received
    assert envelope.rcpt_tos == ["lina@example.com"]
    mail = message_from_bytes(envelope.original_content)
    assert mail["X-Huike-Reference"] == message.client_reference
    body = mail.get_payload(decode=True).decode()
    assert "李女士您好" in body and "B1" in body and f"B{booking.pk:06d}" in body
    client.force_login(users["captain"])
    page = client.get(reverse("booking_detail", args=[booking.pk])).content.decode()
    assert 'data-kind="confirmation" data-channel="email" data-status="sent"' in page


def test_the_booking_page_without_notices_says_so(org, hq, users, floor, guest, evening, client):
    booking = bookings.booking_create(
        acting_user=hq, store=org["store"], guest=guest, starts_at=evening, party_size=2
    )
    client.force_login(users["captain"])
    page = client.get(reverse("booking_detail", args=[booking.pk])).content.decode()
    assert 'data-testid="booking-notices-empty"' in page
