from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from huike.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Replace ALL data with a backup's (written by `manage.py backup`). Refuses a backup "
        "of another schema version; changes nothing when any step fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to restore")

    def handle(self, *args, file, **options):
        try:
            summary = backup_restore(file)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(rows)d rows from %(file)s (taken %(taken)s on %(vendor)s).")
                % {
                    "rows": summary.total,
                    "file": summary.path,
                    "taken": summary.taken_at,
                    "vendor": summary.vendor,
                }
            )
        )
