"""The provider seam: one small interface per channel (send, delivery reports), so SMS
gateways and email plug in beside each other. ``provider_for`` answers None when a channel is
not configured; the outbox then leaves the message queued and says so, never fakes a send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from .models import Message


class ProviderError(Exception):
    """The provider did not take the message. ``permanent``: retrying cannot help (bad number,
    unknown template); otherwise the outbox retries with backoff. ``ambiguous``: the answer was
    lost, the provider may have taken it (the retry then waits for its delivery report)."""

    def __init__(
        self, code: str, message: str = "", *, permanent: bool = False, ambiguous: bool = False
    ):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.permanent = permanent
        self.ambiguous = ambiguous


@dataclass(frozen=True)
class SendReceipt:
    provider_message_id: str


@dataclass(frozen=True)
class DeliveryReport:
    provider_message_id: str
    client_reference: str
    delivered: bool
    at: datetime | None
    description: str = ""


class Provider(Protocol):
    name: str

    def send(self, message: Message) -> SendReceipt: ...

    def delivery_reports(self) -> list[DeliveryReport]: ...


def provider_for(channel: str) -> Provider | None:
    """The configured provider of a channel, or None when there is none."""
    if channel == "sms":
        if settings.HUIKE_SMS_PROVIDER == "tencent":
            from .tencent_sms import TencentSmsProvider

            return TencentSmsProvider.from_settings()
        return None
    if channel == "email":
        if settings.HUIKE_EMAIL_HOST:
            from .smtp_email import SmtpEmailProvider

            return SmtpEmailProvider.from_settings()
        return None
    return None


def configured_providers() -> list[Provider]:
    return [p for p in (provider_for("sms"), provider_for("email")) if p is not None]
