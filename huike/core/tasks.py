"""Platform jobs: the nightly audit-chain check, idempotency-record pruning, refreshing SQLite's
query-planner statistics, and the worker heartbeat."""

from huey import crontab
from huey.contrib.djhuey import HUEY, close_db, db_periodic_task

from .jobs import audit_chain_check, database_optimize, idempotency_prune, worker_heartbeat


@db_periodic_task(crontab(hour="3", minute="0"))
def nightly_audit_chain_check():
    audit_chain_check()


@db_periodic_task(crontab(hour="4", minute="0"))
def nightly_idempotency_prune():
    idempotency_prune()


@db_periodic_task(crontab(hour="4", minute="45"))
def nightly_database_optimize():
    database_optimize()


@db_periodic_task(crontab(minute="*"))
def heartbeat():
    worker_heartbeat()


@HUEY.on_startup()
@close_db
def heartbeat_at_start():
    """Each worker says it is alive when it starts, so health is known at once, not only at
    the next whole minute when the periodic heartbeat first runs."""
    worker_heartbeat()
