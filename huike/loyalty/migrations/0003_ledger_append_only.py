"""On PostgreSQL the database itself refuses UPDATE and DELETE of ledger entries (like the audit
log's: core 0002). TRUNCATE, used by restore and test teardown, stays possible for the owner.
On SQLite the model refuses changes and the nightly check shows any difference."""

from django.db import migrations

from huike.core.migration_helpers import append_only_on_postgresql


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0002_grant_default_permissions")]
    operations = [
        append_only_on_postgresql("loyalty_ledgerentry", "huike_ledger_append_only", "ledger entries are append-only"),
    ]
