from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {"hq": ["guests.merge_undo"]}


class Migration(migrations.Migration):
    dependencies = [("guests", "0003_merge_records"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
