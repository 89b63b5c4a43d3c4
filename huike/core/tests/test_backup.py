"""Backup and restore (X5): one format for SQLite and PostgreSQL, one snapshot, one command each.

A backup takes its own snapshot transaction, so these tests run with real commits
(``transaction=True``); writers in other threads use their own connections.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from huike.core.api_auth import api_key_create
from huike.core.audit import verify_all_chains
from huike.core.backup import BackupError, backup_models, backup_restore, backup_write
from huike.core.models import ApiKey, AuditChainHead, AuditEntry, Tenant, User
from huike.core.tenancy import tenant_context
from huike.org import services
from huike.org.models import Brand, OrgUnit, Role, Staff, Store

pytestmark = pytest.mark.django_db(transaction=True)

COMPARED = [
    Tenant,
    User,
    User.groups.through,
    Group,
    Brand,
    Store,
    OrgUnit,
    Role,
    Staff,
    ApiKey,
    AuditChainHead,
    ContentType,
    Permission,
]


def table_rows() -> dict[str, list[dict]]:
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in COMPARED}


def audit_rows() -> list[dict]:
    return list(AuditEntry.objects.order_by("pk").values())


def read_backup(path: Path) -> tuple[dict, list[dict], dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh]
    return lines[0], lines[1:-1], lines[-1]


def write_backup(path: Path, header: dict, rows: list[dict], trailer: dict | None) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for obj in [header, *rows, *([trailer] if trailer else [])]:
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


def assert_chains_whole_in_file(rows: list[dict]) -> dict[str, int]:
    """Every chain in a backup file runs 1..n and its head row points at entry n."""
    seqs, hashes = defaultdict(list), {}
    for row in rows:
        if row["model"] == "core.auditentry":
            seqs[row["fields"]["chain"]].append(row["fields"]["seq"])
            hashes[(row["fields"]["chain"], row["fields"]["seq"])] = row["fields"]["hash"]
    heads = {r["fields"]["chain"]: r["fields"] for r in rows if r["model"] == "core.auditchainhead"}
    assert set(heads) == set(seqs)
    for chain, numbers in seqs.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), chain
        assert heads[chain]["seq"] == len(numbers), chain
        assert heads[chain]["hash"] == hashes[(chain, len(numbers))], chain
    return {chain: len(numbers) for chain, numbers in seqs.items()}


def test_restore_brings_every_row_back_and_the_audit_chain_verifies(org, tmp_path, capsys):
    hq = org["users"]["hq"]
    group = Group.objects.create(name="夜班")
    org["users"]["waiter"].groups.add(group)
    api_key_create(user=hq, name="POS 长沙")
    path = tmp_path / "huike.jsonl.gz"

    call_command("backup", str(path))
    assert "备份已写入" in capsys.readouterr().out
    before, before_audit = table_rows(), audit_rows()
    export = AuditEntry.objects.get(action="export", object_type="backup")
    assert export.chain == "system" and export.object_repr == path.name

    # Change, add and delete data of several kinds after the backup.
    services.store_update(acting_user=hq, store=org["store"], name="改过的店名")
    services.brand_create(acting_user=hq, name="新品牌", code="new-brand")
    staff = Staff.objects.get(user=org["users"]["cashier"])
    services.staff_update(acting_user=hq, staff=staff, name="改过的名字")
    org["users"]["waiter"].groups.clear()
    ApiKey.all_tenants.all().delete()
    Tenant.objects.filter(pk=org["tenant"].pk).update(name="改名集团")
    assert table_rows() != before

    call_command("restore", str(path))
    assert "恢复" in capsys.readouterr().out

    after, after_audit = table_rows(), audit_rows()
    heads_before, heads_after = before.pop("core.AuditChainHead"), after.pop("core.AuditChainHead")
    assert after == before
    assert after_audit[:-1] == before_audit
    restore_entry = after_audit[-1]  # the restore is audited, on the system chain, after the rows
    assert restore_entry["action"] == "restore" and restore_entry["chain"] == "system"
    assert restore_entry["changes"]["file"] == path.name
    assert [h for h in heads_after if h["chain"] != "system"] == [
        h for h in heads_before if h["chain"] != "system"
    ]
    system_head = next(h for h in heads_after if h["chain"] == "system")
    assert system_head["seq"] == restore_entry["seq"]
    assert system_head["hash"] == restore_entry["hash"]
    checked, breaks = verify_all_chains()
    assert breaks == [] and checked == len(after_audit)

    # Ids go on after the restored rows: new writes neither collide nor break the chain.
    with tenant_context(org["tenant"]):
        brand = services.brand_create(acting_user=hq, name="恢复后品牌", code="after")
    assert brand.pk > max(row["id"] for row in before["org.Brand"])
    assert verify_all_chains()[1] == []


def test_a_backup_of_another_schema_is_refused_and_nothing_changes(org, tmp_path):
    path, forged = tmp_path / "ok.jsonl.gz", tmp_path / "future.jsonl.gz"
    backup_write(path)
    header, rows, trailer = read_backup(path)
    header["schema"] = [*header["schema"], "core.0999_from_the_future"]
    write_backup(forged, header, rows, trailer)
    services.brand_create(acting_user=org["users"]["hq"], name="备份后", code="later")
    before, before_audit = table_rows(), audit_rows()

    with pytest.raises(BackupError) as refused:
        backup_restore(forged)
    assert refused.value.code == "backup_schema_mismatch"
    assert "core：备份位于 0999_from_the_future" in str(refused.value.message)
    with pytest.raises(CommandError, match="结构不符"):
        call_command("restore", str(forged))

    assert table_rows() == before and audit_rows() == before_audit


def test_a_cut_short_or_foreign_file_is_refused_and_nothing_changes(org, tmp_path):
    path, cut, foreign = (tmp_path / n for n in ("ok.jsonl.gz", "cut.jsonl.gz", "notes.gz"))
    backup_write(path)
    header, rows, _ = read_backup(path)
    write_backup(cut, header, rows[: len(rows) // 2], None)
    with gzip.open(foreign, "wt") as fh:
        fh.write("just some notes\n")
    services.brand_create(acting_user=org["users"]["hq"], name="备份后", code="later")
    before, before_audit = table_rows(), audit_rows()

    with pytest.raises(BackupError) as incomplete:
        backup_restore(cut)
    assert incomplete.value.code == "backup_incomplete"
    with pytest.raises(BackupError, match="不是回客备份文件") as foreign_refused:
        backup_restore(foreign)
    assert foreign_refused.value.code == "backup_invalid"
    assert table_rows() == before and audit_rows() == before_audit


def test_a_backup_inside_an_open_transaction_is_refused(org, tmp_path):
    with pytest.raises(BackupError, match="请在事务之外执行"), transaction.atomic():
        backup_write(tmp_path / "x.jsonl.gz")
    assert not (tmp_path / "x.jsonl.gz").exists()
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def _write_in_another_thread(tenant, hq, n: int, prefix: str) -> None:
    def work():
        try:
            with tenant_context(tenant):
                for i in range(n):
                    services.brand_create(acting_user=hq, name=f"{prefix}{i}", code=f"{prefix}{i}")
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()


def test_rows_committed_while_the_backup_runs_are_not_in_it(org, tmp_path):
    """Writes committed by another connection after the snapshot began stay out of the file,
    even for tables the backup reads only afterwards."""
    path = tmp_path / "snap.jsonl.gz"
    brands_at_start = Brand.all_tenants.count()
    done = []

    def in_the_middle(label: str, rows: int) -> None:
        if not done:  # after the first table: brands and audit entries are still to be read
            _write_in_another_thread(org["tenant"], org["users"]["hq"], 3, "mid")
            done.append(label)

    summary = backup_write(path, on_progress=in_the_middle)

    assert done and Brand.all_tenants.filter(name__startswith="mid").count() == 3
    _, rows, trailer = read_backup(path)
    assert summary.rows["org.brand"] == brands_at_start == trailer["rows"]["org.brand"]
    assert not any(
        r["model"] == "org.brand" and r["fields"]["name"].startswith("mid") for r in rows
    )
    assert_chains_whole_in_file(rows)

    backup_restore(path)
    assert Brand.all_tenants.count() == brands_at_start
    assert verify_all_chains()[1] == []


def test_a_backup_taken_while_another_thread_keeps_writing_is_one_instant(org, tmp_path):
    tenant, hq = org["tenant"], org["users"]["hq"]
    stop, written, errors = threading.Event(), [], []

    def keep_writing():
        try:
            with tenant_context(tenant):
                while not stop.is_set():
                    i = len(written)
                    services.brand_create(acting_user=hq, name=f"并发{i}", code=f"busy{i}")
                    written.append(i)
                    time.sleep(0.002)  # leave the lock to the backup's own audit entry now and then
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 3:
            time.sleep(0.01)
        path = tmp_path / "busy.jsonl.gz"
        marks = []  # brands committed so far, after each table the backup has read

        def pause(label: str, rows: int) -> None:
            marks.append(len(written))
            time.sleep(0.02)  # widens the window in which the writer commits

        backup_write(path, on_progress=pause)
    finally:
        stop.set()
        writer.join(30)
    assert not errors and marks[-1] > marks[0]  # the writer committed while the backup read

    _, rows, _ = read_backup(path)
    assert_chains_whole_in_file(rows)
    brands = {
        r["fields"]["name"]
        for r in rows
        if r["model"] == "org.brand" and r["fields"]["name"].startswith("并发")
    }
    audited = {
        r["fields"]["object_repr"]
        for r in rows
        if r["model"] == "core.auditentry"
        and r["fields"]["object_type"] == "org.brand"
        and r["fields"]["object_repr"].startswith("并发")
    }
    assert brands == audited  # each brand and its audit entry: both or neither, one instant
    assert len(brands) <= marks[0]  # nothing committed after the snapshot began

    backup_restore(path)
    assert (
        set(Brand.all_tenants.filter(name__startswith="并发").values_list("name", flat=True))
        == brands
    )
    assert verify_all_chains()[1] == []


def _manage(var_dir: Path, *args: str) -> str:
    """manage.py in a separate process on its own SQLite file (the laptop of the story)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(HUIKE_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="huike.settings.test")
    done = subprocess.run(
        [sys.executable, "manage.py", *args, "--skip-checks"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_sqlite_backup_restores_into_this_database_and_back(db, tmp_path):
    """The laptop-to-chain path: a SQLite install's backup restores here (PostgreSQL on the
    PostgreSQL leg of the suite), and a backup taken here restores into SQLite again."""
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    _manage(laptop, "migrate", "--verbosity", "0")
    _manage(laptop, "load_demo")
    from_laptop = tmp_path / "laptop.jsonl.gz"
    _manage(laptop, "backup", str(from_laptop))
    header, rows, _ = read_backup(from_laptop)
    assert header["vendor"] == "sqlite"

    summary = backup_restore(from_laptop)
    assert summary.total == len(rows)
    assert Store.all_tenants.count() == 6 and User.objects.filter(username="waiter").exists()
    assert verify_all_chains()[1] == []

    with tenant_context(Tenant.objects.get(code="demo")):
        services.brand_create(
            acting_user=User.objects.get(username="hq"), name="连锁新品牌", code="chain-new"
        )
    back = tmp_path / "back.jsonl.gz"
    backup_write(back)
    assert read_backup(back)[0]["vendor"] == connection.vendor
    _manage(laptop, "restore", str(back))
    assert "whole" in _manage(laptop, "verify_audit")
    again = tmp_path / "again.jsonl.gz"
    _manage(laptop, "backup", str(again))
    _, laptop_rows, _ = read_backup(again)
    assert "连锁新品牌" in {r["fields"]["name"] for r in laptop_rows if r["model"] == "org.brand"}


def test_every_table_is_backed_up_parents_first(db):
    models = backup_models()
    labels = [m._meta.label_lower for m in models]
    assert "sessions.session" not in labels
    assert {"core.auditentry", "core.user_groups", "org.staff", "contenttypes.contenttype"} <= set(
        labels
    )
    for model in models:
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and target is not None and target is not model:
                assert labels.index(target._meta.label_lower) < labels.index(
                    model._meta.label_lower
                ), (model, field)
