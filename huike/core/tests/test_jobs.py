"""The job queue: Huey on SQLite or Redis, the periodic platform jobs and /healthz."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from huike.core import tasks
from huike.core.jobs import AUDIT_CHECK, HEARTBEAT, HEARTBEAT_STALE_AFTER, job_health, last_run
from huike.core.models import AuditEntry, JobRun


def _tamper(entry: AuditEntry) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser going around the trigger
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["tampered", entry.pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_nightly_audit_check_records_a_whole_chain(org):
    tasks.nightly_audit_chain_check()
    run = last_run(AUDIT_CHECK)
    assert run.ok is True
    assert run.detail == {"entries": AuditEntry.objects.count(), "breaks": []}
    assert run.finished_at >= run.started_at


def test_a_tampered_entry_fails_the_check_and_alerts_hq_only(org, client):
    victim = AuditEntry.objects.filter(tenant=org["tenant"]).order_by("seq")[2]
    _tamper(victim)

    tasks.nightly_audit_chain_check()

    run = last_run(AUDIT_CHECK)
    assert run.ok is False
    assert len(run.detail["breaks"]) == 1
    assert f"entry #{victim.seq} (id {victim.pk})" in run.detail["breaks"][0]

    client.force_login(org["users"]["hq"])
    page = client.get("/").content.decode()
    assert 'data-testid="audit-chain-alert"' in page
    assert f"entry #{victim.seq} (id {victim.pk})" in page

    client.force_login(org["users"]["waiter"])
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="audit-chain-alert"' not in page.content.decode()


def test_a_whole_chain_shows_no_alert(org, client):
    tasks.nightly_audit_chain_check()
    client.force_login(org["users"]["hq"])
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="audit-chain-alert"' not in page.content.decode()


def test_the_heartbeat_marks_the_worker_alive(db):
    assert job_health()["worker_alive"] is False
    tasks.heartbeat()
    health = job_health()
    assert health["worker_alive"] is True
    assert health["worker_last_seen"] == last_run(HEARTBEAT).started_at


def test_a_stale_heartbeat_is_not_alive(db):
    old = timezone.now() - HEARTBEAT_STALE_AFTER - dt.timedelta(seconds=1)
    JobRun.objects.create(name=HEARTBEAT, started_at=old, finished_at=old)
    health = job_health()
    assert health["worker_alive"] is False and health["worker_last_seen"] == old


def test_a_worker_beats_as_soon_as_it_starts(db):
    hook = HUEY._startup["heartbeat_at_start"]  # what the consumer calls in each worker
    hook()
    assert JobRun.objects.filter(name=HEARTBEAT).count() == 1
    assert job_health()["worker_alive"] is True


def test_the_nightly_check_runs_at_three_in_the_morning_china_time():
    """Huey reads schedules in local time (TIME_ZONE), not UTC."""
    assert HUEY.utc is False and settings.TIME_ZONE == "Asia/Shanghai"
    local_now = HUEY._get_timestamp()  # what the scheduler compares the crontab with
    expected = timezone.localtime().replace(tzinfo=None)
    assert abs(local_now - expected) < dt.timedelta(seconds=5)

    def due(hour: int) -> set[str]:  # the periodic tasks the scheduler enqueues at that time
        return {task.name for task in HUEY.read_periodic(dt.datetime(2025, 3, 1, hour, 0))}

    nightly = "nightly_audit_chain_check"
    assert nightly in due(3) and nightly not in due(11)
    assert "heartbeat" in due(11)


def test_tests_run_jobs_in_process():
    assert HUEY.immediate is True
    assert settings.HUEY["immediate"] is True


def test_healthz_reports_database_and_queue(db, client):
    tasks.heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["queue"]["ok"] is True
    assert body["queue"]["backend"] == type(HUEY).__name__
    assert body["queue"]["worker_alive"] is True


def test_healthz_is_503_when_the_queue_is_unreachable(db, client, monkeypatch):
    def unreachable():
        raise ConnectionError("Connection refused")

    monkeypatch.setattr(HUEY, "pending_count", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["queue"]["ok"] is False and "refused" in body["queue"]["error"]
    assert body["database"]["ok"] is True


# --- Which queue the settings choose: checked in a fresh process, as a worker would start ----
PROBE = """
import json, django
django.setup()
from huey.contrib.djhuey import HUEY
out = {"class": type(HUEY).__name__, "immediate": HUEY.immediate,
       "filename": getattr(HUEY.storage, "filename", None)}
if out["class"].endswith("RedisHuey"):
    from huike.core.tasks import heartbeat
    sent = heartbeat()  # enqueued for a worker, not run here
    for _ in range(50):  # other test runs may share the queue: put their tasks back
        task = HUEY.dequeue()
        if task is None or task.id == sent.id:
            break
        HUEY.enqueue(task)
    out["dequeued"] = task is not None and task.id == sent.id
    out["task"] = task.name if task is not None else None
print(json.dumps(out))
"""


def _probe(tmp_path, **env) -> dict:
    full_env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    full_env.update(
        DJANGO_SETTINGS_MODULE="huike.settings.base", HUIKE_VAR_DIR=str(tmp_path), **env
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=full_env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_by_default_jobs_queue_in_sqlite_under_var(tmp_path):
    found = _probe(tmp_path)
    assert found["class"] == "SqliteHuey" and found["immediate"] is False
    assert found["filename"] == str(tmp_path / "huey.sqlite3")


def _reachable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def redis_url(tmp_path_factory):
    """The local Redis (database 15), or a private redis-server when none is listening."""
    if _reachable(6379):
        yield "redis://127.0.0.1:6379/15"
        return
    server = shutil.which("redis-server")
    assert server, "Redis is needed: install redis-server (make test does, as root)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path_factory.mktemp("redis")),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if _reachable(port):
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/15"
    finally:
        proc.terminate()
        proc.wait(10)


def test_with_redis_url_jobs_queue_in_redis(tmp_path, redis_url):
    found = _probe(tmp_path, REDIS_URL=redis_url)
    assert found["class"] == "PriorityRedisHuey" and found["immediate"] is False
    assert found["dequeued"] is True
    assert found["task"].endswith("heartbeat")


def test_the_nightly_database_optimize_runs_on_sqlite_and_is_recorded(db):
    from django.db import connection

    from huike.core.models import JobRun
    from huike.core.tasks import nightly_database_optimize

    nightly_database_optimize()
    run = JobRun.objects.get(name="database_optimize")
    assert run.ok and run.detail == {
        "vendor": connection.vendor,
        "optimized": connection.vendor == "sqlite",
    }
