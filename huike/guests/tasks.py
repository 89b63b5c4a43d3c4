"""Guests jobs: the nightly retention rule (X4) that anonymises guests inactive for
``HUIKE_GUEST_RETENTION_YEARS``, and the duplicate scan (G4), nightly for every brand group and
queued for one by the duplicates page; each recorded as a JobRun."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huike.core.models import Tenant

from .dedupe import duplicates_scan
from .privacy import guest_retention_run


@db_periodic_task(crontab(hour="3", minute="30"))
def nightly_guest_retention():
    guest_retention_run()


@db_periodic_task(crontab(hour="4", minute="15"))
def nightly_duplicate_scan():
    duplicates_scan()


@db_task()
def duplicate_scan_tenant(tenant_id: int):
    """The "scan now" button's job: one brand group."""
    duplicates_scan(tenants=list(Tenant.objects.filter(pk=tenant_id)))
