from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["coupons.view", "coupons.design", "coupons.issue", "coupons.redeem", "coupons.void"],
    "manager": ["coupons.view", "coupons.issue", "coupons.redeem", "coupons.void"],
    "cashier": ["coupons.view", "coupons.issue", "coupons.redeem"],
    "desk": ["coupons.view", "coupons.issue"],
    "marketing": ["coupons.view", "coupons.design", "coupons.issue"],
}


class Migration(migrations.Migration):
    dependencies = [("coupons", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
