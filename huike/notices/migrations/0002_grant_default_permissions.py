from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["notices.manage"],
    "manager": ["notices.manage"],
    "marketing": ["notices.manage"],
}


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
