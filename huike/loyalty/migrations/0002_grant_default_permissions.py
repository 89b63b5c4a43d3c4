from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["loyalty.view", "loyalty.issue_cards", "loyalty.manage_cards", "loyalty.stored_value",
           "loyalty.refund", "loyalty.points", "loyalty.adjust", "loyalty.configure"],
    "manager": ["loyalty.view", "loyalty.issue_cards", "loyalty.manage_cards",
                "loyalty.stored_value", "loyalty.refund", "loyalty.points"],
    "cashier": ["loyalty.view", "loyalty.issue_cards", "loyalty.stored_value", "loyalty.points"],
    "desk": ["loyalty.view", "loyalty.issue_cards"],
    "marketing": ["loyalty.view", "loyalty.configure"],
}


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
