from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["reservations.manage_rules", "reservations.override_rules"],
    "manager": ["reservations.manage_rules", "reservations.override_rules"],
    "captain": ["reservations.override_rules"],
}


class Migration(migrations.Migration):
    dependencies = [("reservations", "0004_booking_rules"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
