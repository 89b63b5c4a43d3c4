"""On PostgreSQL the database itself refuses UPDATE and DELETE of coupon events, the coupon
ledger (as loyalty 0003 does for ledger entries). TRUNCATE, used by restore and test teardown,
stays possible for the owner. On SQLite the model refuses changes."""

from django.db import migrations

from huike.core.migration_helpers import append_only_on_postgresql


class Migration(migrations.Migration):
    dependencies = [("coupons", "0002_grant_default_permissions")]
    operations = [
        append_only_on_postgresql("coupons_couponevent", "huike_coupon_event_append_only", "coupon events are append-only"),
    ]
