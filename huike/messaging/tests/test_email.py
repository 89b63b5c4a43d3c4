"""Email through the same outbox, by Django's SMTP backend, to a local SMTP server (aiosmtpd)."""

from email import message_from_bytes

from huike.messaging import services, tasks
from huike.messaging.models import Message


def enqueue_email(**kwargs):
    values = {
        "channel": "email",
        "recipient": "wang@example.com",
        "purpose": "reservations.confirmed",
        "subject": "您的预订已确认",
        "body": "王先生您好，您 12 月 1 日 18:00 的包间预订已确认。",
        "reference": "reservations.booking:5",
    }
    values.update(kwargs)
    return services.message_enqueue(**values)


def test_email_is_sent_once_over_smtp(org, smtp_server):
    message = enqueue_email()
    for _ in range(2):
        tasks.message_send(org["tenant"].pk, message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1
    [envelope] = smtp_server.received
    assert envelope.rcpt_tos == ["wang@example.com"]
    mail = message_from_bytes(envelope.original_content)
    assert mail["Message-ID"] == message.provider_message_id
    assert mail["X-Huike-Reference"] == message.client_reference
    assert "包间预订已确认" in mail.get_payload(decode=True).decode()


def test_refused_mailbox_fails_for_good(org, smtp_server):
    smtp_server.refuse.add("nobody@example.com")
    message = enqueue_email(recipient="nobody@example.com")
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "550" in message.last_error
    assert smtp_server.received == []


def test_email_without_a_relay_stays_queued(org, settings):
    settings.HUIKE_EMAIL_HOST = ""
    message = enqueue_email()
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 0
    assert "HUIKE_EMAIL_HOST" in message.last_error


def test_unreachable_relay_is_retried(org, settings):
    settings.HUIKE_EMAIL_HOST = "127.0.0.1"
    settings.HUIKE_EMAIL_PORT = 1  # nothing listens there
    message = enqueue_email()
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 1
    assert message.next_attempt_at is not None and "SMTP" in message.last_error
