from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["pricing.view", "pricing.configure"],
    "manager": ["pricing.view"],
    "cashier": ["pricing.view"],
    "marketing": ["pricing.view", "pricing.configure"],
}


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
