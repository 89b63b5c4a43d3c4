from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from huike.core.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Back up every table into one file (gzip'd JSON lines, restorable on SQLite or "
        "PostgreSQL). Consistent while the app keeps running."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write it, e.g. huike-2025-01-31.jsonl.gz")

    def handle(self, *args, file, verbosity=1, **options):
        def progress(label: str, rows: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  {label}: {rows}")

        try:
            summary = backup_write(file, on_progress=progress)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(file)s: %(rows)d rows of %(tables)d tables (%(vendor)s).")
                % {
                    "file": summary.path,
                    "rows": summary.total,
                    "tables": len(summary.rows),
                    "vendor": summary.vendor,
                }
            )
        )
