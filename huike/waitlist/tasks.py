"""Waitlist jobs: every hour, expire the entries whose day has passed (stores may be in
several time zones, so the job does not wait for one midnight)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .jobs import waitlist_expiry


@db_periodic_task(crontab(minute="7"))
def hourly_waitlist_expiry():
    waitlist_expiry()
