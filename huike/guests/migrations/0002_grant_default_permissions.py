from django.db import migrations

from huike.core.migration_helpers import grant_to_built_in_roles

GRANTS = {
    "hq": ["guests.view", "guests.edit", "guests.capture", "guests.reveal_phone",
           "guests.export", "guests.merge", "guests.personal_data"],
    "manager": ["guests.view", "guests.edit", "guests.capture", "guests.reveal_phone",
                "guests.export"],
    "desk": ["guests.view", "guests.edit", "guests.capture", "guests.reveal_phone"],
    "captain": ["guests.view", "guests.edit", "guests.capture"],
    "waiter": ["guests.view", "guests.capture"],
    "cashier": ["guests.view", "guests.capture"],
    "marketing": ["guests.view", "guests.edit", "guests.export"],
}


class Migration(migrations.Migration):
    dependencies = [("guests", "0001_initial"), ("org", "0001_initial")]
    operations = [migrations.RunPython(grant_to_built_in_roles(GRANTS), migrations.RunPython.noop)]
