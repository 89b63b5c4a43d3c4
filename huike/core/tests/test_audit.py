import pytest
from django.core.management import call_command
from django.db import connection

from huike.core.audit import Action, audit_record, verify_all_chains
from huike.core.models import AuditEntry


def test_service_writes_are_audited_with_chain_links(org, hq):
    entries = list(AuditEntry.objects.filter(tenant=org["tenant"]).order_by("seq"))
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    created = [e for e in entries if e.action == "create" and e.object_type == "org.store"]
    assert {e.object_repr for e in created} == {"测试集团一店", "测试集团二店"}
    assert created[0].actor == hq


def test_entries_refuse_update_and_delete(org):
    entry = AuditEntry.objects.filter(tenant=org["tenant"]).first()
    entry.action = "forged"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_verify_audit_names_the_first_broken_link(org, capsys):
    call_command("verify_audit")
    assert "whole" in capsys.readouterr().out
    victim = AuditEntry.objects.filter(tenant=org["tenant"]).order_by("seq")[3]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser going around the trigger
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["tampered", victim.pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
    _, breaks = verify_all_chains()
    assert len(breaks) == 1
    assert breaks[0].seq == victim.seq and breaks[0].entry_id == victim.pk
    with pytest.raises(Exception, match="broken"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_postgres_refuses_audit_update_in_the_database(org):
    entry = AuditEntry.objects.filter(tenant=org["tenant"]).first()
    if connection.vendor != "postgresql":
        # SQLite has no such trigger: the model layer and the hash chain guard it instead.
        assert verify_all_chains()[1] == []
        return
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])


def test_record_outside_a_tenant_goes_to_the_system_chain(db):
    entry = audit_record(action=Action.LOGIN_FAILED, actor=None, actor_name="nobody")
    assert entry.chain == "system" and entry.seq == 1 and entry.actor_name == "nobody"
