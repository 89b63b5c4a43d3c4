from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["tableorders.handle"],
    "manager": ["tableorders.handle"],
    "captain": ["tableorders.handle"],
    "waiter": ["tableorders.handle"],
}


class Migration(migrations.Migration):
    dependencies = [("tableorders", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
