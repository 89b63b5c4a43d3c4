from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["competitors.view", "competitors.manage"],
    "marketing": ["competitors.view", "competitors.manage"],
    "manager": ["competitors.view"],
}


class Migration(migrations.Migration):
    dependencies = [("competitors", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
