"""Guests jobs: the nightly retention rule (X4) that anonymises guests inactive for
``HUIKE_GUEST_RETENTION_YEARS``; recorded as a JobRun."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .privacy import guest_retention_run


@db_periodic_task(crontab(hour="3", minute="30"))
def nightly_guest_retention():
    guest_retention_run()
