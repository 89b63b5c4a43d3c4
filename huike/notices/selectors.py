"""Reads of the booking notices."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import BookingNotice


def notices_of_booking(booking) -> QuerySet[BookingNotice]:
    """A booking's notices with their messages, oldest first (one query)."""
    booking_id = getattr(booking, "pk", booking)
    return BookingNotice.objects.filter(booking_id=booking_id).select_related("message")


def notice_data(notice: BookingNotice, shown) -> dict:
    message = notice.message
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "kind_label": notice.get_kind_display(),
        "channel": notice.channel,
        "created_at": notice.created_at,
        "note": notice.note,
        "message_id": message.pk if message else None,
        "recipient": shown(message) if message else "",
        "status": message.status if message else "",
        "attempts": message.attempts if message else 0,
        "sent_at": message.sent_at if message else None,
        "delivered_at": message.delivered_at if message else None,
        "last_error": message.last_error if message else "",
        "body": message.body if message else "",
    }
