from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["reservations.view", "reservations.book"],
    "manager": ["reservations.view", "reservations.book"],
    "captain": ["reservations.view", "reservations.book"],
    "desk": ["reservations.view", "reservations.book"],
}


class Migration(migrations.Migration):
    dependencies = [("reservations", "0002_no_overlap_on_postgresql"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
