"""Where booking notices start: a new ``reservations.BookingEvent`` row. The reservations
services stay unaware of notices (decision 0026): this post_save receiver only queues the
notice job after the booking's transaction commits, so a rolled-back booking tells nobody."""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def booking_event_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    tenant_id, event_id = instance.tenant_id, instance.pk
    transaction.on_commit(lambda: queue_event_notice(tenant_id, event_id))


def queue_event_notice(tenant_id: int, event_id: int) -> None:
    from . import tasks

    try:
        tasks.booking_event_notify(tenant_id, event_id)
    except Exception:  # the booking is saved; a notice must not turn it into an error page
        log.exception("booking notice for event %s not queued", event_id)
