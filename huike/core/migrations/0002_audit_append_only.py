"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit entries.

(TRUNCATE, used by restore and test teardown, is not a row operation and stays possible for the
database owner. On SQLite the model refuses changes and the hash chain shows any edit.)
"""

from django.db import migrations

from huike.core.migration_helpers import append_only_on_postgresql


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [
        append_only_on_postgresql("core_auditentry", "huike_audit_append_only", "audit entries are append-only"),
    ]
