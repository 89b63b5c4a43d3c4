"""Outbox jobs: send one message (queued after the enqueueing transaction commits), and two
periodic ones, every minute: the sweeper (retries that are due, rows stuck in sending) and the
delivery-report poll."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huike.core.models import Tenant
from huike.core.tenancy import tenant_context

from . import services


@db_task()
def message_send(tenant_id: int, message_id: int):
    """Send one message; a duplicate of this job finds the row claimed and does nothing."""
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return
    with tenant_context(tenant):
        services.message_send(message_id=message_id)


@db_periodic_task(crontab(minute="*"))
def messages_sweep_all():
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            services.messages_sweep()


@db_periodic_task(crontab(minute="*"))
def delivery_reports_poll():
    services.delivery_reports_poll()
