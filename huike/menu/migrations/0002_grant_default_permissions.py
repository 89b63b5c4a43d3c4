from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["menu.view", "menu.manage"],
    "manager": ["menu.view", "menu.manage"],
    "desk": ["menu.view"],
    "captain": ["menu.view"],
    "waiter": ["menu.view"],
    "cashier": ["menu.view"],
    "marketing": ["menu.view"],
}


class Migration(migrations.Migration):
    dependencies = [("menu", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
