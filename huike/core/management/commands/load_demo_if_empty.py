from django.core.management.base import BaseCommand

from huike.core.demo import database_is_empty, load_all


class Command(BaseCommand):
    help = "Load the demo data only when the database holds no brand group yet (used by make run)."

    def handle(self, *args, **options):
        if not database_is_empty():
            self.stdout.write("Database already holds data; demo not loaded.")
            return
        tenant = load_all()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {tenant.name}."))
