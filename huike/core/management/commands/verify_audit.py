from django.core.management.base import BaseCommand, CommandError

from huike.core.audit import verify_all_chains


class Command(BaseCommand):
    help = "Check the audit log's hash chains: name the first broken link, or say they are whole."

    def handle(self, *args, **options):
        checked, breaks = verify_all_chains()
        if breaks:
            for b in breaks:
                self.stderr.write(f"BROKEN: {b}")
            raise CommandError(f"audit chain broken ({len(breaks)} chain(s)); {checked} entries")
        self.stdout.write(self.style.SUCCESS(f"Audit chain whole: {checked} entries checked."))
