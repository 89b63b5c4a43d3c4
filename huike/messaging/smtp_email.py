"""Email to guests through an SMTP relay, by Django's SMTP backend.

Each message carries a Message-ID made from its own reference, the same on every attempt, so a
receiving system that de-duplicates on Message-ID sees one message. SMTP has no delivery reports:
"sent" means the relay accepted it.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .providers import DeliveryReport, ProviderError, SendReceipt

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class SmtpEmailProvider:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        user: str = "",
        password: str = "",
        security: str = "",
        sender: str,
        timeout: int = 10,
    ):
        self.options = {
            "host": host,
            "port": port,
            "username": user or None,
            "password": password or None,
            "use_tls": security == "starttls",
            "use_ssl": security == "ssl",
            "timeout": timeout,
            "fail_silently": False,
        }
        self.sender = sender

    @classmethod
    def from_settings(cls) -> SmtpEmailProvider:
        return cls(
            host=settings.HUIKE_EMAIL_HOST,
            port=settings.HUIKE_EMAIL_PORT,
            user=settings.HUIKE_EMAIL_USER,
            password=settings.HUIKE_EMAIL_PASSWORD,
            security=settings.HUIKE_EMAIL_SECURITY,
            sender=settings.HUIKE_EMAIL_FROM or f"noreply@{settings.HUIKE_EMAIL_HOST}",
            timeout=settings.HUIKE_EMAIL_TIMEOUT_SECONDS,
        )

    def message_id(self, message) -> str:
        domain = self.sender.rpartition("@")[2] or "huike.local"
        return f"<{message.client_reference.replace(':', '.')}@{domain}>"

    def send(self, message) -> SendReceipt:
        message_id = self.message_id(message)
        email = EmailMessage(
            subject=message.subject or message.purpose,
            body=message.body,
            from_email=self.sender,
            to=[message.recipient],
            headers={"Message-ID": message_id, "X-Huike-Reference": message.client_reference},
        )
        try:
            with get_connection(SMTP_BACKEND, **self.options) as connection:
                connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise ProviderError(
                f"SMTP {codes[0] if codes else ''}".strip(),
                str(exc.recipients),
                permanent=all(500 <= c < 600 for c in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise ProviderError(
                f"SMTP {exc.smtp_code}",
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error),
                permanent=500 <= exc.smtp_code < 600,
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise ProviderError("SMTP disconnected", str(exc), ambiguous=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ProviderError("SMTP connection", str(exc)) from exc
        return SendReceipt(provider_message_id=message_id)

    def delivery_reports(self) -> list[DeliveryReport]:
        return []
