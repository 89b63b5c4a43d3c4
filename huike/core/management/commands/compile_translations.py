from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every django.po under huike/ into its .mo (pure Python: no gettext needed)."

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR) / "huike"
        count = 0
        for po_path in root.glob("**/locale/*/LC_MESSAGES/django.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        self.stdout.write(f"compiled {count} translation catalogue(s)")
