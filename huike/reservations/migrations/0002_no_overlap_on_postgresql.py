"""PostgreSQL refuses two active bookings of one table whose times overlap (R3, decision 0021).
SQLite has no exclusion constraints: there the service checks under the write lock."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE reservations_booking ADD CONSTRAINT booking_table_no_overlap
    EXCLUDE USING gist (table_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (table_id IS NOT NULL AND status IN ('pending', 'confirmed', 'seated'));
"""
DROP = "ALTER TABLE reservations_booking DROP CONSTRAINT IF EXISTS booking_table_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reservations", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
