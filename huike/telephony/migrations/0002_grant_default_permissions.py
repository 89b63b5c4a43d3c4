from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["telephony.desk", "telephony.manage_lines"],
    "manager": ["telephony.desk"],
    "captain": ["telephony.desk"],
    "desk": ["telephony.desk"],
}


class Migration(migrations.Migration):
    dependencies = [("telephony", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
