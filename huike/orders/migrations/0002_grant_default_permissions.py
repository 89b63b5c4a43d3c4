from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["orders.post", "orders.view", "orders.import"],
    "manager": ["orders.post", "orders.view", "orders.import"],
    "cashier": ["orders.post"],
    "marketing": ["orders.view"],
}


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
