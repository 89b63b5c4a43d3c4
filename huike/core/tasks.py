"""Platform jobs: the nightly audit-chain check and the worker heartbeat."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .jobs import audit_chain_check, worker_heartbeat


@db_periodic_task(crontab(hour="3", minute="0"))
def nightly_audit_chain_check():
    audit_chain_check()


@db_periodic_task(crontab(minute="*"))
def heartbeat():
    worker_heartbeat()
