from django.core.management.base import BaseCommand

from huike.core.demo import load_all


class Command(BaseCommand):
    help = "Load the demo brand group (idempotent: run again, nothing is duplicated)."

    def handle(self, *args, **options):
        tenant = load_all()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {tenant.name} ({tenant.code})."))
