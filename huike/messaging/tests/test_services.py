"""The outbox: enqueue after commit, dedupe, exactly-once sending, retries, the sweeper and
delivery reports, all through the Tencent adapter talking to the stand-in over HTTP."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from huike.core import errors
from huike.messaging import services, tasks
from huike.messaging.models import Message

PHONE = "+8613800138000"


def enqueue(**kwargs):
    values = {
        "recipient": "138 0013 8000",
        "purpose": "test.hello",
        "body": "王先生您好，您的8折券已到账",
        "params": ["王先生", "8折"],
        "reference": "loyalty.coupon:1",
    }
    values.update(kwargs)
    return services.message_enqueue(**values)


def test_enqueued_message_is_sent_after_commit(org, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue()
        assert gateway.messages == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.recipient == PHONE
    assert message.status == Message.Status.SENT and message.attempts == 1
    [sent] = gateway.sent_to(PHONE)
    assert message.provider_message_id == sent.serial_no
    assert (
        sent.session_context == message.client_reference == f"huike:{org['tenant'].pk}:{message.pk}"
    )


def test_rolled_back_enqueue_sends_nothing(org, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue()
                raise RuntimeError("the caller's transaction fails")
        except RuntimeError:
            pass
    assert Message.objects.count() == 0 and gateway.messages == []


def test_same_dedupe_key_stores_and_sends_one(org, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue(dedupe_key="loyalty.coupon:1:issued")
        second = enqueue(dedupe_key="loyalty.coupon:1:issued", body="another text")
    assert first.pk == second.pk
    assert Message.objects.count() == 1 and len(gateway.messages) == 1


def test_default_dedupe_key_catches_the_identical_message(org, gateway):
    assert enqueue().pk == enqueue().pk
    assert enqueue(reference="loyalty.coupon:2").pk != enqueue().pk


def test_bad_recipient_is_refused(org, gateway):
    with pytest.raises(errors.InvalidInput):
        enqueue(recipient="12345")
    assert Message.objects.count() == 0


def test_duplicate_send_jobs_send_once(org, gateway):
    message = enqueue()
    for _ in range(3):
        tasks.message_send(org["tenant"].pk, message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1
    assert len(gateway.messages) == 1 and gateway.requests == 1


def test_a_claimed_row_is_left_alone(org, gateway):
    message = enqueue()
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING)
    assert services.message_send(message_id=message.pk) is None
    assert gateway.requests == 0


def test_gateway_failure_is_retried_with_backoff(org, gateway):
    gateway.fail_next(1, code="RequestLimitExceeded")
    message = enqueue()
    now = timezone.now()
    services.message_send(message_id=message.pk, now=now)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 1
    assert "RequestLimitExceeded" in message.last_error
    assert message.next_attempt_at == now + services.backoff(1)
    # Not due yet: nothing happens.
    assert services.message_send(message_id=message.pk, now=now + timedelta(seconds=5)) is None
    later = now + services.backoff(1) + timedelta(seconds=1)
    assert services.messages_sweep(now=later) == [message.pk]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2
    assert message.last_error == "" and len(gateway.messages) == 1


def test_lost_answer_resends_harmlessly(org, gateway):
    """The gateway took the message but the answer never arrived: the retry carries the same
    client reference and the gateway keeps one message."""
    gateway.lose_answers(1)
    message = enqueue()
    now = timezone.now()
    services.message_send(message_id=message.pk, now=now)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and len(gateway.messages) == 1
    # The outcome is unknown: the retry waits for the delivery-report poll first.
    assert message.next_attempt_at >= now + services.AMBIGUOUS_MIN_WAIT
    services.message_send(message_id=message.pk, now=now + timedelta(hours=1))
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(gateway.messages) == 1
    assert message.provider_message_id == gateway.messages[0].serial_no


def test_failures_up_to_the_limit_end_in_failed(org, gateway, settings):
    gateway.fail_next(settings.HUIKE_MESSAGE_MAX_ATTEMPTS, code="InternalError.Timeout")
    message = enqueue()
    now = timezone.now()
    for i in range(settings.HUIKE_MESSAGE_MAX_ATTEMPTS):
        services.message_send(message_id=message.pk, now=now + timedelta(hours=i))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == settings.HUIKE_MESSAGE_MAX_ATTEMPTS
    assert "InternalError.Timeout" in message.last_error
    assert gateway.messages == []


def test_permanent_error_fails_at_once(org, gateway):
    gateway.fail_next(1, code="FailedOperation.PhoneNumberInBlacklist", message="blacklisted")
    message = enqueue()
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 1
    assert "PhoneNumberInBlacklist" in message.last_error


def test_sweeper_requeues_a_row_stuck_in_sending(org, gateway, settings):
    message = enqueue()
    long_ago = timezone.now() - timedelta(minutes=settings.HUIKE_MESSAGE_STUCK_MINUTES + 1)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, claimed_at=long_ago, attempts=1
    )
    fresh = enqueue(reference="loyalty.coupon:2")
    Message.objects.filter(pk=fresh.pk).update(
        status=Message.Status.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert services.messages_sweep() == [message.pk]
    message.refresh_from_db()
    fresh.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2
    assert fresh.status == Message.Status.SENDING  # its worker may still be at it
    assert len(gateway.messages) == 1


def test_delivery_reports_are_stored(org, gateway):
    gateway.undeliverable.add("+8613900139000")
    ok = enqueue()
    bad = enqueue(recipient="13900139000")
    for message in (ok, bad):
        services.message_send(message_id=message.pk)
    assert services.delivery_reports_poll() == 2
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert ok.status == Message.Status.DELIVERED and ok.delivered_at is not None
    assert bad.status == Message.Status.FAILED and "not delivered" in bad.last_error


def test_report_overtaking_a_dead_worker_still_lands(org, gateway):
    gateway.lose_answers(1)
    message = enqueue()
    services.message_send(message_id=message.pk)  # the gateway has it, the row doesn't know
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING)
    services.delivery_reports_poll()
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.provider_message_id == gateway.messages[0].serial_no


def test_unconfigured_sms_stays_queued_and_says_so(org, no_sms):
    message = enqueue()
    tasks.message_send(org["tenant"].pk, message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.sent_at is None and message.attempts == 0
    assert "not sent" in message.last_error and "HUIKE_SMS_PROVIDER" in message.last_error
    assert services.messages_sweep(now=timezone.now() + timedelta(hours=1)) == []


def test_simultaneous_send_jobs_send_once(live_org, gateway, settings):
    """Eight workers pick up the same message at the same instant: one claims it and sends."""
    from huike.core.tenancy import tenant_context
    from huike.core.testing import fire_concurrently

    settings.HUIKE_SMS_PROVIDER = ""  # the job run at commit leaves it queued
    message = enqueue()
    settings.HUIKE_SMS_PROVIDER = "tencent"
    assert Message.objects.get(pk=message.pk).status == Message.Status.QUEUED

    def call(_i):
        with tenant_context(live_org["tenant"]):
            return services.message_send(message_id=message.pk)

    outcomes = fire_concurrently(call, 8)
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes if o.error]
    assert len([o for o in outcomes if o.value is not None]) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1
    assert len(gateway.messages) == 1 and gateway.requests == 1


def test_report_of_a_lost_answer_stops_the_retry(org, gateway):
    """The gateway took it, the answer was lost and the row waits for a retry: the delivery
    report settles the row, and the retry sends nothing."""
    gateway.lose_answers(1)
    message = enqueue()
    now = timezone.now()
    services.message_send(message_id=message.pk, now=now)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert services.delivery_reports_poll() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.provider_message_id == gateway.messages[0].serial_no
    assert services.message_send(message_id=message.pk, now=now + timedelta(hours=1)) is None
    assert gateway.requests == 2  # the send and the poll; no second SendSms
