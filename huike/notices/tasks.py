"""Notice jobs: the notice of one booking event (queued after the booking commits) and, every
five minutes, the reminders that are due in every brand group. Both are idempotent."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context

from . import services


@db_task()
def booking_event_notify(tenant_id: int, event_id: int):
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return
    with tenant_context(tenant):
        services.notice_for_event(event_id=event_id)


def reminders_send_all(now=None) -> int:
    """Send the due reminders of every brand group; returns how many were sent."""
    sent = 0
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            sent += len(services.reminders_send(now=now))
    return sent


@db_periodic_task(crontab(minute="*/5"))
def booking_reminders_send():
    reminders_send_all()
