"""On PostgreSQL the database itself refuses UPDATE and DELETE of ledger entries (like the audit
log's: core 0002). TRUNCATE, used by restore and test teardown, stays possible for the owner.
On SQLite the model refuses changes and the nightly check shows any difference."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION huike_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER loyalty_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON loyalty_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION huike_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS loyalty_ledgerentry_append_only ON loyalty_ledgerentry;
DROP FUNCTION IF EXISTS huike_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0002_grant_default_permissions")]
    operations = [migrations.RunPython(forwards, backwards)]
