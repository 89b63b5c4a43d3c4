"""Outbox services: enqueue (in the caller's transaction), send exactly once, retry, sweep
stuck rows, and store delivery reports.

Exactly once: a send job first claims its row with a conditional UPDATE (queued → sending);
only the job whose UPDATE changed the row talks to the gateway, so duplicate jobs are harmless.
Every attempt carries the message's own reference (``Message.client_reference``), on which the
gateway de-duplicates, so a worker that dies after the gateway took the message but before the
row says "sent" re-sends harmlessly when the sweeper hands the row out again.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.phone import normalise_phone
from huike.core.tenancy import require_active_tenant

from .models import Message
from .providers import DeliveryReport, ProviderError, provider_for

log = logging.getLogger(__name__)

NOT_CONFIGURED = {
    "sms": "not sent: no SMS gateway is configured (HUIKE_SMS_PROVIDER)",
    "email": "not sent: no SMTP relay is configured (HUIKE_EMAIL_HOST)",
}
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 60 * 60
# After a lost answer, wait for the delivery-report poll (every minute) before sending again.
AMBIGUOUS_MIN_WAIT = timedelta(minutes=3)


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 120 s … after the 1st, 2nd, 3rd failed attempt, at most an hour."""
    return timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    )


def _default_dedupe_key(*, channel: str, recipient: str, purpose: str, reference: str, body: str):
    digest = hashlib.sha256(f"{channel}|{recipient}|{purpose}|{reference}|{body}".encode())
    return f"auto:{digest.hexdigest()}"


def message_enqueue(
    *,
    channel: str = Message.Channel.SMS,
    recipient: str,
    purpose: str,
    body: str,
    params: list[str] | tuple[str, ...] = (),
    subject: str = "",
    reference: str = "",
    dedupe_key: str = "",
    acting_user=None,
) -> Message:
    """Put a message in the outbox of the active tenant and send it after the caller's
    transaction commits. Call it inside that transaction: if it rolls back, nothing is sent.

    The same ``dedupe_key`` (e.g. "loyalty.coupon:123:issued") enqueued again returns the first
    row and sends nothing more. Without one, the key is derived from channel, recipient,
    purpose, reference and body.
    """
    require_active_tenant()
    if channel not in Message.Channel.values:
        raise errors.InvalidInput(fields={"channel": [_("Unknown channel.")]})
    if channel == Message.Channel.SMS:
        recipient = normalise_phone(recipient, field="recipient")
    elif "@" not in (recipient or ""):
        raise errors.InvalidInput(fields={"recipient": [_("Enter an email address.")]})
    if not purpose:
        raise errors.InvalidInput(fields={"purpose": [_("Name the purpose of the message.")]})
    key = dedupe_key or _default_dedupe_key(
        channel=channel, recipient=recipient, purpose=purpose, reference=reference, body=body
    )
    existing = Message.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                recipient=recipient,
                purpose=purpose,
                params=[str(p) for p in params],
                subject=subject,
                body=body,
                reference=reference,
                dedupe_key=key,
            )
    except IntegrityError:
        # Enqueued at the same instant by another transaction: the first one stands.
        existing = Message.objects.filter(dedupe_key=key).first()
        if existing is None:
            raise
        return existing
    transaction.on_commit(lambda: _queue_send(message.tenant_id, message.pk))
    return message


def _queue_send(tenant_id: int, message_id: int, *, delay: float | None = None) -> None:
    from . import tasks

    if delay:
        tasks.message_send.schedule((tenant_id, message_id), delay=delay)
    else:
        tasks.message_send(tenant_id, message_id)


def message_send(*, message_id: int, now: datetime | None = None) -> Message | None:
    """Send one queued message of the active tenant, at most once. Returns the row, or None
    when this call did not claim it (another job has it, it is done, or it is not yet due)."""
    now = now or timezone.now()
    message = Message.objects.filter(pk=message_id).first()
    if message is None or message.status != Message.Status.QUEUED:
        return None
    provider = provider_for(message.channel)
    if provider is None:
        note = NOT_CONFIGURED[message.channel]
        Message.objects.filter(pk=message_id, status=Message.Status.QUEUED).update(
            last_error=note, updated_at=now
        )
        log.warning("message %s %s", message_id, note)
        return None
    claimed = (
        Message.objects.filter(pk=message_id, status=Message.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=Message.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            provider=provider.name,
            updated_at=now,
        )
    )
    if not claimed:
        return None
    message.refresh_from_db()
    try:
        receipt = provider.send(message)
    except ProviderError as exc:
        return _attempt_failed(message, exc, now=now)
    Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
        status=Message.Status.SENT,
        provider_message_id=receipt.provider_message_id,
        sent_at=timezone.now(),
        last_error="",
        updated_at=timezone.now(),
    )
    message.refresh_from_db()
    return message


def _attempt_failed(message: Message, exc: ProviderError, *, now: datetime) -> Message:
    reason = str(exc)[:2000]
    if exc.permanent or message.attempts >= settings.HUIKE_MESSAGE_MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            status=Message.Status.FAILED, last_error=reason, next_attempt_at=None, updated_at=now
        )
        log.warning(
            "message %s failed for good after %s attempts: %s", message.pk, message.attempts, reason
        )
    else:
        wait = backoff(message.attempts)
        if exc.ambiguous:
            wait = max(wait, AMBIGUOUS_MIN_WAIT)
        Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED,
            last_error=reason,
            next_attempt_at=now + wait,
            claimed_at=None,
            updated_at=now,
        )
        transaction.on_commit(
            lambda: _queue_send(message.tenant_id, message.pk, delay=wait.total_seconds())
        )
    message.refresh_from_db()
    return message


def messages_sweep(*, now: datetime | None = None) -> list[int]:
    """Hand out again what is due in the active tenant: queued rows whose retry time has come
    (or whose job was lost), and rows left in "sending" by a worker that died (claimed longer
    than ``HUIKE_MESSAGE_STUCK_MINUTES`` ago). Returns the ids queued."""
    now = now or timezone.now()
    stuck_before = now - timedelta(minutes=settings.HUIKE_MESSAGE_STUCK_MINUTES)
    tenant = require_active_tenant()
    stuck = list(
        Message.objects.filter(
            status=Message.Status.SENDING, claimed_at__lt=stuck_before
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in stuck:
        # The worker may have died after the gateway took the message; the re-send carries the
        # same client reference, which the gateway de-duplicates.
        Message.objects.filter(
            pk=pk, status=Message.Status.SENDING, claimed_at__lt=stuck_before
        ).update(
            status=Message.Status.QUEUED,
            claimed_at=None,
            next_attempt_at=None,
            last_error="re-queued: the sending worker did not finish",
            updated_at=now,
        )
    lost_job_before = now - timedelta(minutes=1)
    due = Message.objects.filter(status=Message.Status.QUEUED).filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lt=lost_job_before)
        | Q(pk__in=stuck)
    )
    for channel in Message.Channel.values:
        if provider_for(channel) is None:
            due = due.exclude(channel=channel)
    due = list(due.values_list("pk", flat=True)[:1000])
    # Handed out now: due from this moment on, whatever clock the send job reads.
    Message.objects.filter(pk__in=due, next_attempt_at__isnull=False).update(next_attempt_at=None)
    for pk in due:
        _queue_send(tenant.pk, pk)
    return due


def parse_client_reference(value: str) -> tuple[int, int] | None:
    """(tenant id, message id) from "huike:<tenant>:<message>", else None."""
    parts = (value or "").split(":")
    if len(parts) == 3 and parts[0] == "huike" and parts[1].isdigit() and parts[2].isdigit():
        return int(parts[1]), int(parts[2])
    return None


def delivery_reports_store(*, reports: list[DeliveryReport], provider_name: str) -> int:
    """Store the gateway's delivery reports: delivered, or failed with its description. Reports
    come for the whole gateway account, not per tenant, so they are matched across tenants by
    the provider's message id (the one place this app reads ``all_tenants``). Returns how many
    rows changed."""
    changed = 0
    for report in reports:
        if not report.provider_message_id:
            continue
        mine = Q(
            provider=provider_name,
            provider_message_id=report.provider_message_id,
            status__in=[Message.Status.SENDING, Message.Status.SENT],
        )
        ours = parse_client_reference(report.client_reference)
        if ours:
            # The gateway took it though the row does not know: the answer was lost (queued for
            # a retry), the worker died (sending) or the retries gave up (failed). The report is
            # the truth, and a row it settles is not sent again.
            mine |= Q(
                tenant_id=ours[0],
                pk=ours[1],
                attempts__gt=0,
                provider_message_id="",
                status__in=[
                    Message.Status.QUEUED,
                    Message.Status.SENDING,
                    Message.Status.SENT,
                    Message.Status.FAILED,
                ],
            )
        settled = {
            "provider": provider_name,
            "provider_message_id": report.provider_message_id,
            "next_attempt_at": None,
            "updated_at": timezone.now(),
        }
        rows = Message.all_tenants.filter(mine)  # one UPDATE: the conditions hold as it writes
        if report.delivered:
            changed += rows.update(
                status=Message.Status.DELIVERED,
                delivered_at=report.at or timezone.now(),
                **settled,
            )
        else:
            changed += rows.update(
                status=Message.Status.FAILED,
                last_error=f"not delivered: {report.description}"[:2000],
                **settled,
            )
    return changed


def delivery_reports_poll() -> int:
    """Fetch delivery reports from every configured provider and store them."""
    changed = 0
    from .providers import configured_providers

    for provider in configured_providers():
        try:
            reports = provider.delivery_reports()
        except ProviderError as exc:
            log.warning("delivery reports of %s not fetched: %s", provider.name, exc)
            continue
        changed += delivery_reports_store(reports=reports, provider_name=provider.name)
    return changed
