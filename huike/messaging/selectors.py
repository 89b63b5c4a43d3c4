"""Reads of the outbox: the list with filters, and the recipient as the viewer may see it."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from huike.core.permissions import visible_fields
from huike.core.phone import display_phone, mask_phone

from .models import Message


def guest_contact(guest) -> tuple[str, str]:
    """(channel, recipient) to reach a guest: email when they prefer it and have an address,
    else SMS to their phone, else email; ("", "") when there is no way to reach them."""
    if guest.preferred_channel == "email" and guest.email:
        return Message.Channel.EMAIL, guest.email
    if guest.primary_phone:
        return Message.Channel.SMS, guest.primary_phone
    if guest.email:
        return Message.Channel.EMAIL, guest.email
    return "", ""


def mask_email(address: str) -> str:
    local, _, domain = (address or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def recipient_shown_for(user) -> Callable[[Message], str]:
    """How this user sees recipients: in full if the guest sheet shows them the phone (or
    email), else masked like guests' phones (138****8000)."""
    visible = visible_fields(user, "guest")
    full_phone, full_email = "phone" in visible, "email" in visible

    def shown(message: Message) -> str:
        if message.channel == Message.Channel.SMS:
            return display_phone(message.recipient) if full_phone else mask_phone(message.recipient)
        return message.recipient if full_email else mask_email(message.recipient)

    return shown


def message_list(*, status: str = "", channel: str = "", reference: str = "") -> QuerySet:
    """The active tenant's messages, newest first."""
    messages = Message.objects.all()
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    if reference:
        messages = messages.filter(reference__startswith=reference)
    return messages.order_by("-created_at", "-pk")
