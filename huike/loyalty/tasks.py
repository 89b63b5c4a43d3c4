"""Loyalty jobs: the nightly ledger check and points expiry."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .jobs import ledger_check, points_expiry


@db_periodic_task(crontab(hour="3", minute="30"))
def nightly_ledger_check():
    ledger_check()


@db_periodic_task(crontab(hour="0", minute="20"))
def nightly_points_expiry():
    points_expiry()


@db_periodic_task(crontab(hour="2", minute="40"))
def nightly_tiers_evaluate():
    from .jobs import tiers_nightly

    tiers_nightly()
