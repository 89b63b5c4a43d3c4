from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["menu.manage_tables"],
    "manager": ["menu.manage_tables"],
}


class Migration(migrations.Migration):
    dependencies = [("menu", "0003_floor_areas_and_tables"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
