"""Coupons jobs: the nightly expiry."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .jobs import coupon_expiry


@db_periodic_task(crontab(hour="0", minute="25"))
def nightly_coupon_expiry():
    coupon_expiry()
