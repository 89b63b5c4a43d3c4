from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["gifts.view", "gifts.manage", "gifts.redeem", "gifts.cancel"],
    "manager": ["gifts.view", "gifts.redeem", "gifts.cancel"],
    "cashier": ["gifts.view", "gifts.redeem"],
    "marketing": ["gifts.view", "gifts.manage"],
}


class Migration(migrations.Migration):
    dependencies = [("gifts", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
